package qemu

import (
	"regexp"
	"testing"
)

// HelloISO boots with init=exo-hello poweroff: the first user program.
const HelloISO = "build/exogo-hello.iso"

// TestFirstProgramRunsInRing3 boots the first user program, which makes raw
// exokernel calls (tls_set, null, debug_write, exit) from ring 3, and
// checks that it printed, exited with status 0 and left nothing behind.
func TestFirstProgramRunsInRing3(t *testing.T) {
	m := startBIOS(t, HelloISO)
	defer m.Close()
	if _, err := m.WaitLine(regexp.MustCompile(`left behind:`), m.Config.Timeout); err != nil {
		t.Fatalf("the first program did not finish: %v\n%s", err, m.Console.Transcript())
	}
	status, err := m.Wait()
	out := m.Console.Transcript()
	if err != nil || status != ExitPass {
		t.Fatalf("exit status %d (%v), want %d\n%s", status, err, ExitPass, out)
	}
	expectLines(t, out,
		`exogo: started exo-hello as process 1`,
		`hello from ring 3`,
		`exogo: process 1 exited with status 0`,
		`left behind: 0 frames, 0 page tables, 0 kernel stacks`,
	)
}
