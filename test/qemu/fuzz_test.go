package qemu

import "testing"

// FuzzISO boots with init=exo-fuzz poweroff: a short campaign of the
// hostile fuzzer (cmd/exo-fuzz, 60 000 calls from a seed it prints).
// make fuzz runs long ones.
const FuzzISO = "build/exogo-fuzz.iso"

// TestFuzzerShortCampaign runs the fuzzer on one and on two CPUs: three
// fuzzing processes and a canary; no call that must be refused succeeds,
// the canary's memory is never seen nor changed, no fuzzer dies or hangs,
// the kernel stays up, and after every process ended the frame census
// balances with nothing left to an ended process (runToEnd).
func TestFuzzerShortCampaign(t *testing.T) {
	for _, cpus := range []int{1, 2} {
		out := bootAndRun(t, FuzzISO, BIOS, cpus, "", "exo-fuzz")
		expectLines(t, out,
			`exo-fuzz: seed \d+; calls per fuzzer 20000; fuzzers 3`,
			`exo-fuzz: canary intact after \d+ checks of its pages`,
			`exo-fuzz: the file system checks out after the run \(fs_check; \d+ file system calls, [1-9]\d* succeeded\)`,
			`exo-fuzz: seed \d+: 600\d\d calls in \d+ ms, \d+ calls per second; \d+ succeeded, \d+ refused`,
			`exo-fuzz: no isolation failure found`,
		)
		if t.Failed() {
			return
		}
	}
}
