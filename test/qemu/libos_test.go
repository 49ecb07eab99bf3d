package qemu

import (
	"fmt"
	"regexp"
	"testing"
)

// GoHelloISO boots with init=hello poweroff: cmd/hello, an ordinary Go
// program on the libOS (libos/linux).
const GoHelloISO = "build/exogo-gohello.iso"

// libOSMachines are the machines the libOS's tests boot.
var libOSMachines = []struct {
	name     string
	firmware Firmware
	cpus     int
}{{"BIOS, 1 CPU", BIOS, 1}, {"UEFI, 2 CPUs", UEFI, 2}}

// TestLibOSWithFSGSBase runs libos-test on a CPU with FSGSBASE, on two
// CPUs: every thread switch between the runtime's threads then writes the
// FS base in user mode, and the kernel must keep what user mode wrote
// across every trap.
func TestLibOSWithFSGSBase(t *testing.T) {
	out := bootAndRunOn(t, LibOSTestISO, BIOS, 2, "", "libos-test", FSGSBaseCPU)
	expectLines(t, out,
		`libos-test: ok: 20000 round trips between two threads`,
		`libos-test: ok: 300 threads made and ended`,
		`libos-test: ok: a signal ends a blocked futex wait with EINTR, and its handler runs`,
		`libos-test: ok: with FSGSBASE, the round trips switch threads in user mode \(WRFSBASE\), not through upcall_resume`,
		`libos-test: ok: a goroutine sleeps and wakes 5 times and the GC completes while 4 others run loops without calls \(GOMAXPROCS 2\)`,
		`libos-test: 0 failures`,
	)
}

// bootAndRun boots image from a CD-ROM with firmware, cpus CPUs and
// memory (QEMU's size; "" for the default), and returns the transcript of
// a run that ends with a balanced census and the pass status (runToEnd;
// what names the program in failures).
func bootAndRun(t *testing.T, image string, firmware Firmware, cpus int, memory, what string) string {
	t.Helper()
	return bootAndRunOn(t, image, firmware, cpus, memory, what, "")
}

// FSGSBaseCPU is QEMU's CPU model with FSGSBASE added: the kernel then
// lets user mode write its FS and GS bases, and the libOS switches
// threads without upcall_resume (DefaultCPU has no FSGSBASE, which tests
// the other way).
const FSGSBaseCPU = DefaultCPU + ",+fsgsbase"

// bootAndRunOn is bootAndRun on CPU model cpu (QEMU's -cpu; "" for
// DefaultCPU).
func bootAndRunOn(t *testing.T, image string, firmware Firmware, cpus int, memory, what, cpu string) string {
	t.Helper()
	c, err := ConfigFromEnv(requireImage(t, image), firmware, CDROM)
	if err != nil {
		t.Fatal(err)
	}
	c.SMP = cpus
	if cpu != "" {
		c.CPU = cpu
	}
	if memory != "" {
		c.Memory = memory
	}
	m, err := Start(c)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	return runToEnd(t, m, what)
}

// TestGoProgramOnTheLibOS runs cmd/hello: fmt, a map, goroutines and a
// channel, a garbage collection and a timer, all in ring 3, the runtime's
// Linux calls served by the libOS; it exits with status 0 and leaves
// nothing behind.
func TestGoProgramOnTheLibOS(t *testing.T) {
	for _, run := range libOSMachines {
		t.Run(run.name, func(t *testing.T) {
			out := bootAndRun(t, GoHelloISO, run.firmware, run.cpus, "", "hello")
			expectLines(t, out,
				`exogo: starting hello as process 1`,
				`hello from Go on exogo`,
				`map: 9 words, "the" 3 times, first "brown"`,
				`goroutines: total 15005000`,
				`gc: cycles [1-9][0-9]* ok`,
				`sleep: at least 20ms: true`,
				`hello: done`,
				`exogo: hello \(process 1\) exited with status 0; left behind: 0 frames`,
			)
		})
	}
}

// LibOSTestISO boots with init=libos-test poweroff.
const LibOSTestISO = "build/exogo-libostest.iso"

// TestLibOS runs cmd/libos-test, whose checks cover the libOS's parts:
// faults become Go panics (recovered), memory calls (reservations,
// mprotect, MADV_DONTNEED, munmap), calls into untouched and bad buffers
// (data; EFAULT), 200 MiB of heap with every page touched, 300 threads
// made and ended and 64 alive at once, futex hand-offs, time,
// preemption of loops without calls (the alarm upcall and SIGURG), an
// unimplemented call (ENOSYS, reported once), files through os (a file
// written in /tmp; EEXIST, ENOENT, ENOTDIR, ENAMETOOLONG), and children:
// an exit status and a kill reported by wait4.
func TestLibOS(t *testing.T) {
	for _, run := range libOSMachines {
		t.Run(run.name, func(t *testing.T) {
			out := bootAndRun(t, LibOSTestISO, run.firmware, run.cpus, "", "libos-test")
			if regexp.MustCompile(`libos-test: FAIL`).MatchString(out) {
				t.Errorf("a check failed:\n%s", out)
			}
			if regexp.MustCompile(`did not give frames back in time`).MatchString(out) {
				t.Errorf("the kernel took frames by force:\n%s", out)
			}
			expectLines(t, out,
				`libos-test: ok: a nil dereference is a Go panic that recover catches`,
				`libos-test: ok: a divide by zero is a Go panic that recover catches`,
				`libos-test: ok: touching the reserved \(PROT_NONE\) part faults at its address`,
				`libos-test: ok: writing a page made read-only faults, and it keeps its contents`,
				`libos-test: ok: after MADV_DONTNEED a page reads as zeros`,
				`libos-test: ok: after munmap the pages fault`,
				`libos-test: ok: 200 MiB of heap, every page written, read back and collected`,
				`libos-test: ok: read into an untouched buffer gets the data`,
				`libos-test: ok: read into a bad pointer fails with EFAULT`,
				`libos-test: ok: 300 threads made and ended`,
				`libos-test: ok: 64 threads alive at once`,
				`libos-test: ok: a signal ends a blocked futex wait with EINTR, and its handler runs`,
				`libos-test: ok: 20000 round trips between two threads`,
				`libos-test: ok: 10000 clock reads never go back`,
				`libos-test: ok: clock reads make no system call \(the vDSO\)`,
				`libos-test: ok: a timer fires`,
				`libos-test: ok: an idle process waits in the kernel`,
				// One vCPU per CPU: GOMAXPROCS is their number.
				fmt.Sprintf(`libos-test: ok: a goroutine sleeps and wakes 5 times and the GC completes while 4 others run loops without calls \(GOMAXPROCS %d\)`, run.cpus),
				fmt.Sprintf(`libos-test: ok: a goroutine sleeps and wakes 5 times and the GC completes while 4 others run loops of Linux calls made back to back \(getpid\) \(GOMAXPROCS %d\)`, run.cpus),
				`libos-test: ok: the libOS acts on alarms whose time passed while the loops of calls kept it in upcalls`,
				`libos-test: not exercised: the CPU has no FSGSBASE`,
				`libos: Linux system call not implemented \(returning ENOSYS\): 163`,
				`libos-test: ok: os.ReadDir\(/bin\) lists the programs`,
				`libos-test: ok: a file written in /tmp reads back`,
				`libos-test: ok: a child's exit status reaches wait4`,
				`libos-test: ok: a killed child is reported as killed by SIGKILL \(WIFSIGNALED\)`,
				`libos-test: ok: munmap keeps what it unmapped in the pool, up to its size`,
				`libos-test: ok: pages mapped from the pool read as zeros`,
				`exogo: memory is low: asking process 1 to give back 1024 frames within 100 ms`,
				// Answered by the idle loop (the whole pool) or, when a
				// thread ran first, by the upcall (what was asked for).
				// (Only the line's start: the kernel's log of a child's
				// exit, from another CPU, may cut into it on the serial
				// line; the two writers do not share a lock.)
				`libos: revocation: gave back [0-9]+ frames`,
				`libos-test: ok: a revocation request reaching an idle process is answered from its pool of free frames`,
				`libos-test: ok: touching 220 regions reuses the segments of emptied ones`,
				`libos-test: 0 failures`,
				`exogo: libos-test \(process 1\) exited with status 0; left behind: 0 frames`,
			)
		})
	}
}

// LibOSBenchISO boots with init=libos-bench poweroff (make bench).
const LibOSBenchISO = "build/exogo-libosbench.iso"

// TestLibOSBenchmarkRuns checks that cmd/libos-bench, which make bench
// runs, measures every path and ends cleanly (it asserts no figure: speed
// is for make bench to report).
func TestLibOSBenchmarkRuns(t *testing.T) {
	out := bootAndRun(t, LibOSBenchISO, BIOS, 1, "", "libos-bench")
	expectLines(t, out,
		`bench: libos: getpid \(a Linux call through the libOS\): [0-9.]+ us`,
		`bench: libos: clock read \(time.Now\): [0-9.]+ us`,
		`bench: libos: running on 1 vCPUs \(GOMAXPROCS 1\)`,
		`bench: libos: futex round trip between two threads, 1 vCPUs: [0-9.]+ us`,
		`bench: libos: futex round trip, FUTEX_WAIT and FUTEX_WAKE alone, 1 vCPUs: [0-9.]+ us`,
		`bench: libos: thread create\+exit: [0-9.]+ us`,
		`bench: libos: mmap\+touch\+munmap of one page: [0-9.]+ us`,
		`bench: libos: page fault resolved by the libOS: [0-9.]+ us`,
		`bench: libos: sha256 of 16 MiB, one goroutine: [0-9.]+ us`,
		`bench: libos: sha256 of 16 MiB, split over two goroutines: [0-9.]+ us`,
		`bench: libos: split sha256 speed-up: [0-9.]+x on 1 vCPUs`,
		`exogo: libos-bench \(process 1\) exited with status 0; left behind: 0 frames`,
	)
}
