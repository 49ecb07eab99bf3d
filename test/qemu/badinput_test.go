package qemu

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Images built by `make test-images` for the bad-input tests.
const (
	BadCmdlineISO    = "build/exogo-badcmdline.iso"
	CorruptModuleISO = "build/exogo-corrupt-module.iso"
	CrashISO         = "build/exogo-crash.iso"
)

// ExitKernelFault is QEMU's exit status after a kernel fault report
// (the kernel writes 0x12 to isa-debug-exit).
const ExitKernelFault = 0x12<<1 | 1

// selftestWith boots rel under BIOS from CD-ROM with config changes, expects
// the self tests to pass and returns the serial transcript.
func selftestWith(t *testing.T, rel string, change func(*Config)) string {
	t.Helper()
	image := requireImage(t, rel)
	c, err := ConfigFromEnv(image, BIOS, CDROM)
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(&c)
	}
	run, err := RunSelftest(c)
	if err != nil {
		t.Fatalf("%v\n%s", err, run.Report(80))
	}
	if !run.Passed() {
		t.Fatalf("self tests did not pass\n%s", run.Report(80))
	}
	var b strings.Builder
	for _, l := range run.Lines {
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

func expectLines(t *testing.T, transcript string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(transcript) {
			t.Errorf("wrong output: no serial line matches %q\noutcome: %s\n%s", p, Outcome(transcript, true, ExitPass), tail(transcript, ReportTail))
		}
	}
}

func TestMalformedCommandLineIsReportedAndIgnored(t *testing.T) {
	out := selftestWith(t, BadCmdlineISO, nil)
	expectLines(t, out,
		`exogo: command line: unknown word "selftset" ignored`,
		`exogo: command line: malformed word "=oops" ignored`,
		`exogo: command line: malformed word "9X=1" ignored`,
		`exogo: command line: unknown crash test "crashtest=user" ignored`,
	)
}

func TestCorruptModuleIsReportedAndIgnored(t *testing.T) {
	out := selftestWith(t, CorruptModuleISO, nil)
	expectLines(t, out,
		`exogo: module 0 "initrd": 3000 bytes`,
		`exogo: module "initrd" is not a valid cpio \(newc\) archive: .*; ignoring it`,
	)
}

func TestSmallMachine128MiB(t *testing.T) {
	out := selftestWith(t, SelftestISO, func(c *Config) { c.Memory = "128M" })
	expectLines(t, out, `exogo: memory map: .* usable RAM 12[0-7] MiB`)
}

func TestLargeMachine16GiB(t *testing.T) {
	out := selftestWith(t, SelftestISO, func(c *Config) { c.Memory = "16G" })
	// RAM above 4 GiB is in the map and in the frame table.
	expectLines(t, out, `exogo: memory map: .* usable RAM 16[0-9]{3} MiB .* top of RAM 0x4[0-9a-f]{8}\b`)
}

func TestSeveralCPUs(t *testing.T) {
	for _, n := range []int{2, 4} {
		selftestWith(t, SelftestISO, func(c *Config) { c.SMP = n })
	}
}

// TestKernelFaultReport boots a kernel told to fault in its own trap code
// and checks the report: what faulted, where, the decoded instruction and a
// symbolized backtrace, then the fault exit status (never a triple fault,
// which would reboot and, with -no-reboot, exit with status 0).
func TestKernelFaultReport(t *testing.T) {
	m := startBIOS(t, CrashISO)
	defer m.Close()
	if _, err := m.WaitLine(regexp.MustCompile(`exogo: halted`), m.Config.Timeout); err != nil {
		t.Fatal(m.Report(fmt.Sprintf("no end of fault report: %v", err)))
	}
	status, err := m.Wait()
	out := m.Console.Transcript()
	if err != nil || status != ExitKernelFault {
		t.Fatalf("exit status %d (%v), want %d\n%s", status, err, ExitKernelFault, out)
	}
	expectLines(t, out,
		`exogo: KERNEL FAULT: page fault \(vector 14\), trap in kernel code`,
		`CR2 0x0000000000000008 \(write to an unmapped page\)`,
		`RIP +0x[0-9a-f]{16}`,
		`instruction: mov qword ptr \[`,
		`exogo/kernel/linux\.crashNow`,
		`kernel/linux/thread\.go:\d+`,
		`exogo/kernel/trap\.dispatch`,
	)
}

// IdleISO is what `make run` boots: no command line.
const IdleISO = "build/exogo-idle.iso"

// TestIdleBootStaysUp boots with an empty command line, as `make run` does,
// and checks the kernel reaches "ready" and is still running (no fatal Go
// error, no exit) some seconds later.
func TestIdleBootStaysUp(t *testing.T) {
	m := startBIOS(t, IdleISO)
	defer m.Close()
	if _, err := m.WaitLine(regexp.MustCompile(`^exogo: ready\.`), m.Config.Timeout); err != nil {
		t.Fatal(m.Report(fmt.Sprintf("no ready line: %v", err)))
	}
	if _, err := m.WaitLine(regexp.MustCompile(`fatal error|KERNEL FAULT|exited with status`), 5*time.Second); err == nil {
		t.Fatal(m.Report("the idle kernel died"))
	}
	if m.Exited() {
		t.Fatal(m.Report("QEMU exited while the kernel should idle"))
	}
}

// startBIOS starts QEMU on image rel under BIOS from CD-ROM; the caller
// closes the machine.
func startBIOS(t *testing.T, rel string) *Machine {
	t.Helper()
	c, err := ConfigFromEnv(requireImage(t, rel), BIOS, CDROM)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Start(c)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
