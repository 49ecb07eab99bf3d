package qemu

import "testing"

// PoliciesISO boots init with testdata/policies.rc: cmd/policies linked
// with the libOS's fifo policy (/bin/policies-fifo, in the background)
// and with its default, round-robin (/bin/policies), at the same time.
const PoliciesISO = "build/exogo-policies.iso"

// TestTwoPoliciesSideBySide: two processes, each with the libOS linked
// with its own thread-scheduling policy, run at the same time on one CPU;
// each runs three busy goroutines on more threads than vCPUs. Round-robin
// interleaves them by time slices; fifo runs each to its end before the
// next begins.
func TestTwoPoliciesSideBySide(t *testing.T) {
	out := bootAndRun(t, PoliciesISO, BIOS, 1, "", "the two policies")
	expectLines(t, out,
		`init: /bin/policies-fifo \(process \d+\) runs in the background`,
		`policies\(fifo\): 3 busy goroutines on 1 CPUs`,
		`policies\(round-robin\): 3 busy goroutines on 1 CPUs`,
		`policies\(fifo\): the workers ran one after another, each to its end`,
		`policies\(round-robin\): the workers ran side by side, interleaved by time slices`,
		`init: /bin/policies \(process \d+\) exited with status 0`,
		`init: /bin/policies-fifo \(process \d+, in the background\) exited with status 0`,
		`init: powering off \(last status 0\)`,
	)
	// The two ran at the same time: the round-robin program began before
	// the fifo one had ended.
	expectLines(t, out, `(?s)policies\(round-robin\): 3 busy goroutines.*policies\(fifo\): the workers ran`)
}
