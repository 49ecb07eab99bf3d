// Command libos-bench times the libOS's paths from an ordinary Go
// program (make bench): a Linux call reflected through the libOS, a clock
// read, a futex hand-off between two threads (through the runtime's
// scheduler, and with FUTEX_WAIT and FUTEX_WAKE alone), thread create and exit,
// mmap+touch+munmap of a page, a page fault resolved by the libOS, and
// sha256 over 16 MiB in one goroutine and split over two (which the vCPUs
// run at once when the machine has two CPUs), and exokernel calls made
// from one goroutine and from two at once. Each line is "bench: libos:
// NAME: X us" (the median of 5 runs), and the first says how many vCPUs
// the libOS runs on (GOMAXPROCS).
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	abi "exogo/abi/linuxabi"
	"exogo/libos/exo"
	"exogo/libos/linux"
	"exogo/libos/spawn"
)

// measure runs f(n) five times and prints the median time per operation,
// and what the libOS did per operation in the last run (upcalls, Linux
// calls, thread switches, resumes through the kernel, switches of the FS
// base in user mode, alarm_set calls, idle rounds; the Linux calls by
// number): the counts that explain a
// figure.
func measure(name string, n int, f func(n int)) {
	var runs []float64
	var before, after linux.Counters
	var vBefore, vAfter [8]linux.VCPUCounters
	var callsBefore, callsAfter [abi.SysMax]uint64
	for r := 0; r < 5; r++ {
		before = linux.ReadCounters()
		for c := range callsBefore {
			callsBefore[c] = linux.CallCount(uint64(c))
		}
		for v := range vBefore {
			vBefore[v] = linux.ReadVCPUCounters(v)
		}
		start := time.Now()
		f(n)
		runs = append(runs, float64(time.Since(start).Nanoseconds())/float64(n)/1000)
		after = linux.ReadCounters()
		for c := range callsAfter {
			callsAfter[c] = linux.CallCount(uint64(c))
		}
		for v := range vAfter {
			vAfter[v] = linux.ReadVCPUCounters(v)
		}
	}
	sort.Float64s(runs)
	per := func(a, b uint64) float64 { return float64(b-a) / float64(n) }
	fmt.Printf("bench: libos: %s: %.2f us\n", name, runs[2])
	last = runs[2]
	fmt.Printf("bench: libos:   per operation: %.1f upcalls, %.1f Linux calls, %.1f switches, %.1f kernel resumes, %.1f user-mode FS switches, %.1f alarm_set, %.1f idle rounds\n",
		per(before.Upcalls, after.Upcalls), per(before.LinuxCalls, after.LinuxCalls), per(before.Switches, after.Switches),
		per(before.KernelResumes, after.KernelResumes), per(before.UserSwitches, after.UserSwitches), per(before.AlarmSets, after.AlarmSets),
		per(before.IdleRounds, after.IdleRounds))
	line := ""
	for c := range callsAfter {
		if d := per(callsBefore[c], callsAfter[c]); d >= 0.05 {
			line += fmt.Sprintf(" %d: %.1f", c, d)
		}
	}
	if line != "" {
		fmt.Println("bench: libos:   Linux calls per operation, by number:" + line)
	}
	if after.VCPUs > 1 {
		fmt.Printf("bench: libos:   across vCPUs: %.2f kicks taken, %.2f kicks sent, %.1f call-lock spins, %.1f scheduler spins, %.2f holds, %.2f steals, %.2f wakes\n",
			per(before.Kicks, after.Kicks), per(before.KicksSent, after.KicksSent), per(before.LockSpins, after.LockSpins),
			per(before.SchedulerSpins, after.SchedulerSpins), per(before.Holds, after.Holds), per(before.Steals, after.Steals),
			per(before.Wakes, after.Wakes))
		for v := 0; v < int(after.VCPUs) && v < len(vAfter); v++ {
			fmt.Printf("bench: libos:   vCPU %d: %.1f upcalls, %.1f switches, %.2f steals, %.2f idle rounds\n", v,
				per(vBefore[v].Upcalls, vAfter[v].Upcalls), per(vBefore[v].Switches, vAfter[v].Switches),
				per(vBefore[v].Steals, vAfter[v].Steals), per(vBefore[v].IdleRounds, vAfter[v].IdleRounds))
		}
	}
}

// FUTEX_WAIT_PRIVATE and FUTEX_WAKE_PRIVATE (the syscall package has no
// names for them).
const (
	linuxFutexWait = 0 | 128
	linuxFutexWake = 1 | 128
)

// futex makes a futex call on word (through syscall.Syscall6, so that the
// runtime hands the thread's P on while it waits).
func futex(word *uint32, op, value uintptr) {
	syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(word)), op, value, 0, 0, 0)
}

// last is the median of the last measure, in microseconds.
var last float64

// sum hashes part of data into out, for the sha256 lines.
func sum(data []byte, out *[32]byte) { *out = sha256.Sum256(data) }

func main() {
	fmt.Printf("bench: libos: running on %d vCPUs (GOMAXPROCS %d)\n", linux.ReadCounters().VCPUs, runtime.GOMAXPROCS(0))
	measure("getpid (a Linux call through the libOS)", 20000, func(n int) {
		for i := 0; i < n; i++ {
			syscall.Getpid()
		}
	})
	measure("clock read (time.Now)", 20000, func(n int) {
		for i := 0; i < n; i++ {
			time.Now()
		}
	})
	// What gobench's lines of the race with Linux cost in the libOS
	// (docs/linux-personality.md): goroutines handing a token over
	// channels, and a goroutine started while another P is idle.
	measure(fmt.Sprintf("goroutine ping-pong over channels, GOMAXPROCS %d", runtime.GOMAXPROCS(0)), 5000, func(n int) {
		ping, pong := make(chan int), make(chan int)
		go func() {
			for v := range ping {
				pong <- v
			}
		}()
		for i := 0; i < n; i++ {
			ping <- i
			<-pong
		}
		close(ping)
	})
	measure(fmt.Sprintf("start a goroutine and wait for it, GOMAXPROCS %d", runtime.GOMAXPROCS(0)), 5000, func(n int) {
		done := make(chan struct{})
		for i := 0; i < n; i++ {
			go func() { done <- struct{}{} }()
			<-done
		}
	})
	// A process: an unmodified program (gobench with 0 rounds: it starts
	// its runtime and ends) spawned beside the interpreter image, waited
	// for.
	measure("spawn an unmodified Go program (beside the interpreter) and wait for it", 10, func(n int) {
		for i := 0; i < n; i++ {
			pid, err := spawn.Start("/bin/gobench", []string{"gobench", "0"}, nil)
			if err == nil {
				_, err = spawn.Wait(pid)
			}
			if err != nil {
				fmt.Println("bench: libos: FAIL: spawn:", err)
				return
			}
		}
	})
	measure(fmt.Sprintf("futex round trip between two threads, %d vCPUs", runtime.GOMAXPROCS(0)), 2000, func(n int) {
		ping, pong := make(chan int), make(chan int)
		go func() {
			runtime.LockOSThread()
			for v := range ping {
				pong <- v
			}
		}()
		runtime.LockOSThread()
		for i := 0; i < n; i++ {
			ping <- i
			<-pong
		}
		close(ping)
		runtime.UnlockOSThread()
	})
	// The same hand-off with nothing of the runtime's scheduler between:
	// two locked threads take turns on one futex word, each turn a
	// FUTEX_WAKE and a FUTEX_WAIT, 4 calls and 2 thread switches per
	// round trip, like a C program on Linux.
	measure(fmt.Sprintf("futex round trip, FUTEX_WAIT and FUTEX_WAKE alone, %d vCPUs", runtime.GOMAXPROCS(0)), 2000, func(n int) {
		var turn uint32 // 0: the main thread's, 1: the other's
		done := make(chan bool)
		go func() {
			runtime.LockOSThread()
			for i := 0; i < n; i++ {
				for atomic.LoadUint32(&turn) == 0 {
					futex(&turn, linuxFutexWait, 0)
				}
				atomic.StoreUint32(&turn, 0)
				futex(&turn, linuxFutexWake, 1)
			}
			runtime.UnlockOSThread()
			done <- true
		}()
		runtime.LockOSThread()
		for i := 0; i < n; i++ {
			atomic.StoreUint32(&turn, 1)
			futex(&turn, linuxFutexWake, 1)
			for atomic.LoadUint32(&turn) == 1 {
				futex(&turn, linuxFutexWait, 1)
			}
		}
		runtime.UnlockOSThread()
		<-done
	})
	measure("thread create+exit", 200, func(n int) {
		done := make(chan bool)
		for i := 0; i < n; i++ {
			go func() {
				runtime.LockOSThread() // the thread ends with the goroutine
				done <- true
			}()
			<-done
		}
	})
	measure("mmap+touch+munmap of one page", 2000, func(n int) {
		for i := 0; i < n; i++ {
			b, err := syscall.Mmap(-1, 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
			if err != nil {
				fmt.Println("bench: libos: mmap failed:", err)
				os.Exit(1)
			}
			b[0] = 1
			syscall.Munmap(b)
		}
	})
	const pages = 4096 // 16 MiB
	faults := func(n int) {
		b, err := syscall.Mmap(-1, 0, n*4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			fmt.Println("bench: libos: mmap failed:", err)
			os.Exit(1)
		}
		for i := 0; i < n; i++ {
			b[i*4096] = 1
		}
		syscall.Munmap(b)
	}
	measure("page fault resolved by the libOS", pages, faults)
	// The same from two goroutines at once, each over its own 16 MiB: on
	// two vCPUs the faults share the libOS's memory lock and
	// frame_alloc_map takes no kernel lock, so they run side by side.
	alone := last
	measure("page fault, two goroutines at once", pages, func(n int) {
		done := make(chan bool)
		go func() { faults(n); done <- true }()
		faults(n)
		<-done
	})
	fmt.Printf("bench: libos: page faults: two goroutines resolve %.2fx the faults of one in the same time\n", 2*alone/last)
	// Exokernel calls straight from Go, alone and from two goroutines at
	// once (on two vCPUs when there are two CPUs): null runs without the
	// kernel's lock, a refused frame_free (of frame 0, not ours) takes it.
	pair := func(name string, n int, call func()) {
		measure(name+", one goroutine", n, func(n int) {
			for i := 0; i < n; i++ {
				call()
			}
		})
		alone := last
		measure(name+", two goroutines at once", n, func(n int) {
			done := make(chan bool)
			go func() {
				for i := 0; i < n; i++ {
					call()
				}
				done <- true
			}()
			for i := 0; i < n; i++ {
				call()
			}
			<-done
		})
		fmt.Printf("bench: libos: %s: two goroutines make %.2fx the calls of one in the same time\n", name, 2*alone/last)
	}
	pair("exokernel null call (no kernel lock)", 20000, func() { exo.Null() })
	pair("refused frame_free (the kernel lock)", 20000, func() { exo.FrameFree(0) })
	data := make([]byte, 16<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	var outs [2][32]byte
	measure("sha256 of 16 MiB, one goroutine", 1, func(n int) { sum(data, &outs[0]) })
	alone = last
	measure("sha256 of 16 MiB, split over two goroutines", 1, func(n int) {
		done := make(chan bool)
		go func() { sum(data[len(data)/2:], &outs[1]); done <- true }()
		sum(data[:len(data)/2], &outs[0])
		<-done
	})
	fmt.Printf("bench: libos: split sha256 speed-up: %.2fx on %d vCPUs\n", alone/last, runtime.GOMAXPROCS(0))
}
