package qemu

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"
)

// The tests of several CPUs: the kernel finds them in the ACPI MADT, starts
// every application processor (INIT-SIPI-SIPI through its real-mode
// trampoline), and user threads run on them.

// expectCPUsOnline checks the boot's CPU lines for an n-CPU machine: one
// "CPU k online (APIC id k)" per CPU (QEMU numbers APIC IDs from 0) and
// the total.
func expectCPUsOnline(t *testing.T, out string, n int) {
	t.Helper()
	var patterns []string
	for k := 0; k < n; k++ {
		patterns = append(patterns, fmt.Sprintf(`exogo: CPU %d online \(APIC id %d\)`, k, k))
	}
	total := fmt.Sprintf(`exogo: %d CPUs online`, n)
	if n == 1 {
		total = `exogo: 1 CPU online`
	}
	expectLines(t, out, append(patterns, total)...)
	if regexp.MustCompile(fmt.Sprintf(`exogo: CPU %d online`, n)).MatchString(out) {
		t.Errorf("more than %d CPUs online:\n%s", n, out)
	}
}

// TestAllCPUsComeOnline boots the self-test image with 1, 2 and 4 CPUs
// under BIOS: every CPU comes online and the self tests (the kernel's Go
// runtime, on CPU 0) still pass.
func TestAllCPUsComeOnline(t *testing.T) {
	for _, n := range []int{1, 2, 4} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			out := selftestWith(t, SelftestISO, func(c *Config) { c.SMP = n })
			expectCPUsOnline(t, out, n)
		})
	}
}

// TestAllCPUsComeOnlineUEFI does the same under OVMF, whose ACPI tables
// (an XSDT) and low memory differ from SeaBIOS's.
func TestAllCPUsComeOnlineUEFI(t *testing.T) {
	image := requireImage(t, SelftestISO)
	c, err := ConfigFromEnv(image, UEFI, CDROM)
	if err != nil {
		t.Skip(err)
	}
	c.SMP = 4
	run, err := RunSelftest(c)
	if err != nil || !run.Passed() {
		t.Fatalf("%v\n%s", err, run.Report(80))
	}
	out := ""
	for _, l := range run.Lines {
		out += l.Text + "\n"
	}
	expectCPUsOnline(t, out, 4)
}

// userTimeRE matches the per-CPU line printed at poweroff.
var userTimeRE = regexp.MustCompile(`exogo: cpu (\d+) ran user code for (\d+) ticks \((\d+) traps from user mode\)`)

// TestUserProgramRunsOnAnApplicationProcessor boots the first user
// program on two CPUs. The scheduler places user threads on the least
// loaded CPU, and CPU 0 carries the kernel's own runtime, so exo-hello runs
// on CPU 1: its system calls are traps from user mode there, counted per
// CPU and printed at poweroff. Its kernel stack is reaped by CPU 1.
func TestUserProgramRunsOnAnApplicationProcessor(t *testing.T) {
	image := requireImage(t, HelloISO)
	c, err := ConfigFromEnv(image, BIOS, CDROM)
	if err != nil {
		t.Fatal(err)
	}
	c.SMP = 2
	m, err := Start(c)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.WaitLine(regexp.MustCompile(`exogo: cpu 1 ran user code`), m.Config.Timeout); err != nil {
		t.Fatal(m.Report(fmt.Sprintf("no per-CPU report: %v", err)))
	}
	status, err := m.Wait()
	out := m.Console.Transcript()
	if err != nil || status != ExitPass {
		t.Fatal(m.Report(fmt.Sprintf("exit status %d (%v), want %d", status, err, ExitPass)))
	}
	expectCPUsOnline(t, out, 2)
	expectLines(t, out,
		`hello from ring 3`,
		`exogo: process 1 exited with status 0`,
		`left behind: 0 frames.*, 0 kernel stacks`,
		censusBalanced,
	)
	traps := map[int]int{}
	for _, match := range userTimeRE.FindAllStringSubmatch(out, -1) {
		cpu, _ := strconv.Atoi(match[1])
		n, _ := strconv.Atoi(match[3])
		traps[cpu] = n
	}
	if traps[1] == 0 || traps[0] != 0 {
		t.Fatalf("user traps per CPU %v: want them all on CPU 1\n%s", traps, out)
	}
}
