// Package selftest holds the kernel's in-kernel self-tests: checks, run on
// the real machine (or QEMU), that the Go runtime works in ring 0 and that
// the kernel's memory management does what it says. The kernel runs them
// when its command line has the word `selftest` and powers off with a
// status saying whether they passed; test/qemu boots the kernel that way
// under BIOS and UEFI and reads the serial log.
//
// Hosted Go: tests may allocate, block and panic (a panic is a failure).
// Each prints one line, `selftest: <name> ok (<time>)` or `selftest: <name>
// FAIL: <why>`, and the run ends with `selftest: PASS` or
// `selftest: FAIL <first failing name>`.
package selftest

import (
	"fmt"
	"io"
	"time"
)

// A test returns nil when it passes.
type test struct {
	name string
	run  func() error
}

var tests = []test{
	{"allocation-under-gc-pressure", testAllocation},
	{"maps", testMaps},
	{"goroutines-and-channels", testGoroutines},
	{"timers-and-select", testTimers},
	{"runtime-gc", testGC},
	{"panic-recover", testPanicRecover},
	{"nil-dereference-panics", testNilDereference},
	{"divide-by-zero-panics", testDivideByZero},
	{"several-threads", testThreads},
	{"gomaxprocs-4", testGOMAXPROCS},
	{"tight-loop-preemption", testTightLoop},
	{"frame-allocator", testFrameAllocator},
	{"lazy-mmap-commit", testLazyCommit},
	{"munmap-returns-frames", testMunmap},
	{"clock", testClock},
}

// Timeout bounds each test: a hang is a failure, not a stuck boot.
const Timeout = 60 * time.Second

// Run runs every test, printing to out, and reports whether all passed.
func Run(out io.Writer) bool {
	fmt.Fprintf(out, "selftest: running %d tests\n", len(tests))
	firstFailure := ""
	for _, t := range tests {
		start := time.Now()
		err := runOne(t)
		elapsed := time.Since(start)
		if err != nil {
			fmt.Fprintf(out, "selftest: %s FAIL: %v\n", t.name, err)
			if firstFailure == "" {
				firstFailure = t.name
			}
			continue
		}
		fmt.Fprintf(out, "selftest: %s ok (%v)\n", t.name, elapsed.Round(time.Microsecond))
	}
	if firstFailure != "" {
		fmt.Fprintf(out, "selftest: FAIL %s\n", firstFailure)
		return false
	}
	fmt.Fprintln(out, "selftest: PASS")
	return true
}

func runOne(t test) (err error) {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("panic: %v", r)
			}
		}()
		done <- t.run()
	}()
	select {
	case err = <-done:
		return err
	case <-time.After(Timeout):
		return fmt.Errorf("did not finish within %v", Timeout)
	}
}
