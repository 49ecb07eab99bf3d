// Command libos-bench times the libOS's paths from an ordinary Go
// program (make bench): a Linux call reflected through the libOS, a clock
// read, a futex hand-off between two threads, thread create and exit,
// mmap+touch+munmap of a page and a page fault resolved by the libOS. Each
// line is "bench: libos: NAME: X us" (the median of 5 runs).
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"syscall"
	"time"

	"exogo/libos/linux"
)

// measure runs f(n) five times and prints the median time per operation,
// and what the libOS did per operation in the last run (upcalls, Linux
// calls, thread switches, resumes through the kernel, alarm_set calls,
// idle rounds): the counts that explain a figure.
func measure(name string, n int, f func(n int)) {
	var runs []float64
	var before, after linux.Counters
	for r := 0; r < 5; r++ {
		before = linux.ReadCounters()
		start := time.Now()
		f(n)
		runs = append(runs, float64(time.Since(start).Nanoseconds())/float64(n)/1000)
		after = linux.ReadCounters()
	}
	sort.Float64s(runs)
	per := func(a, b uint64) float64 { return float64(b-a) / float64(n) }
	fmt.Printf("bench: libos: %s: %.2f us\n", name, runs[2])
	fmt.Printf("bench: libos:   per operation: %.1f upcalls, %.1f Linux calls, %.1f switches, %.1f kernel resumes, %.1f alarm_set, %.1f idle rounds\n",
		per(before.Upcalls, after.Upcalls), per(before.LinuxCalls, after.LinuxCalls), per(before.Switches, after.Switches),
		per(before.KernelResumes, after.KernelResumes), per(before.AlarmSets, after.AlarmSets), per(before.IdleRounds, after.IdleRounds))
}

func main() {
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
	measure("futex round trip between two threads, one vCPU", 2000, func(n int) {
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
	measure("page fault resolved by the libOS", pages, func(n int) {
		b, err := syscall.Mmap(-1, 0, n*4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			fmt.Println("bench: libos: mmap failed:", err)
			os.Exit(1)
		}
		for i := 0; i < n; i++ {
			b[i*4096] = 1
		}
		syscall.Munmap(b)
	})
}
