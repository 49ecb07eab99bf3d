package qemu

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

var (
	kernelMainRE = regexp.MustCompile(regexp.QuoteMeta(KernelMainLine))
	verdictRE    = regexp.MustCompile(SelftestVerdictPattern)
)

// SelftestRun is the outcome of booting a self-test image once.
type SelftestRun struct {
	Config     Config
	KernelMain time.Duration // when KernelMainLine appeared; -1 if it did not
	Verdict    Line          // the "selftest: PASS|FAIL ..." line; At is -1 if none appeared
	Status     int           // QEMU's exit status; ExitPass (33) on success
	Lines      []Line        // the whole serial transcript
	Stderr     string        // QEMU's standard error
}

// Passed reports whether the kernel printed "selftest: PASS" and QEMU
// exited with ExitPass.
func (r SelftestRun) Passed() bool {
	return r.Verdict.Text == SelftestPassLine && r.Status == ExitPass
}

// Report describes the run for a failure message: the verdict, the exit
// status explained, the last serial lines and QEMU's stderr.
func (r SelftestRun) Report(tailLines int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "boot %v/%v of %s\n", r.Config.Firmware, r.Config.Medium, r.Config.Image)
	if r.Verdict.At < 0 {
		b.WriteString("verdict: none\n")
	} else {
		fmt.Fprintf(&b, "verdict: %q at %.3f s\n", r.Verdict.Text, r.Verdict.At.Seconds())
	}
	fmt.Fprintf(&b, "QEMU exit %s\n", DescribeExit(r.Status))
	lines := r.Lines
	if tailLines > 0 && len(lines) > tailLines {
		fmt.Fprintf(&b, "serial (last %d of %d lines):\n", tailLines, len(lines))
		lines = lines[len(lines)-tailLines:]
	} else {
		fmt.Fprintf(&b, "serial (%d lines):\n", len(lines))
	}
	for _, l := range lines {
		b.WriteString(l.String())
		b.WriteByte('\n')
	}
	if r.Stderr != "" {
		fmt.Fprintf(&b, "QEMU stderr:\n%s", r.Stderr)
	}
	return b.String()
}

// RunSelftest boots c.Image, waits for the kernel's self-test verdict and
// for QEMU to exit, and returns what happened. The error is non-nil when the
// run ended without a verdict or an exit status (timeout, QEMU failure);
// the returned run is filled in as far as it got either way, so Report
// explains the failure.
func RunSelftest(c Config) (SelftestRun, error) {
	run := SelftestRun{Config: c, KernelMain: -1, Verdict: Line{At: -1}, Status: -1}
	m, err := Start(c)
	if err != nil {
		return run, err
	}
	defer m.Close()
	run.Config = m.Config

	// The boot timer kills QEMU at m.Config.Timeout, which ends the serial
	// output; the extra margin lets that happen first, so the error says so.
	verdict, verdictErr := m.WaitLine(verdictRE, m.Config.Timeout+5*time.Second)
	if verdictErr == nil {
		run.Verdict = verdict
	}
	// After its verdict the kernel exits through isa-debug-exit; the boot
	// timer bounds this wait.
	status, waitErr := m.Wait()
	run.Status = status
	run.Lines = m.Console.Lines()
	run.Stderr = m.Stderr()
	for _, l := range run.Lines {
		if kernelMainRE.MatchString(l.Text) {
			run.KernelMain = l.At
			break
		}
	}
	switch {
	case verdictErr != nil:
		return run, verdictErr
	case waitErr != nil:
		return run, waitErr
	}
	return run, nil
}
