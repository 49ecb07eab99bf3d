package qemu

import (
	"fmt"
	"regexp"
	"strings"
)

// What a failing QEMU test prints: first the outcome, named (a kernel
// fault, a fatal error of the kernel's Go runtime, checks that failed, a
// time-out, a missing line, or how QEMU exited), then the last lines of
// the serial console, not the whole boot.

// ReportTail is how many serial lines a failure report shows.
const ReportTail = 40

var (
	kernelFaultRE = regexp.MustCompile(`KERNEL FAULT|exogo: halted`)
	fatalErrorRE  = regexp.MustCompile(`(?m)^(fatal error:|panic:)`)
	failLineRE    = regexp.MustCompile(`(?m)^.*\bFAIL\b.*$`)
)

// Outcome names how a run ended, from its serial transcript and whether
// and how QEMU exited.
func Outcome(transcript string, exited bool, status int) string {
	switch {
	case kernelFaultRE.MatchString(transcript):
		return "kernel fault (the fault report is in the serial lines)"
	case fatalErrorRE.MatchString(transcript):
		return "fatal error of the kernel's Go runtime"
	}
	if fails := failLineRE.FindAllString(transcript, 3); len(fails) > 0 {
		return "checks failed, first: " + strings.TrimSpace(fails[0])
	}
	if !exited {
		return "time-out: QEMU was still running (no kernel fault, no FAIL line)"
	}
	return "QEMU exited, " + DescribeExit(status)
}

// tail returns the last n lines of transcript, with a header saying how
// many there were.
func tail(transcript string, n int) string {
	lines := strings.Split(strings.TrimRight(transcript, "\n"), "\n")
	header := fmt.Sprintf("serial (%d lines):\n", len(lines))
	if len(lines) > n {
		header = fmt.Sprintf("serial (last %d of %d lines):\n", n, len(lines))
		lines = lines[len(lines)-n:]
	}
	return header + strings.Join(lines, "\n") + "\n"
}

// Report explains a failed run of m for a test's message: why (err, the
// caller's reason), the outcome, the serial tail and QEMU's stderr.
func (m *Machine) Report(why string) string {
	var b strings.Builder
	exited := m.Exited()
	status := 0
	if exited {
		status, _ = m.Wait()
	}
	transcript := m.Console.Transcript()
	fmt.Fprintf(&b, "%s\noutcome: %s\n", why, Outcome(transcript, exited, status))
	b.WriteString(tail(transcript, ReportTail))
	if stderr := m.Stderr(); stderr != "" {
		fmt.Fprintf(&b, "QEMU stderr:\n%s", stderr)
	}
	return b.String()
}
