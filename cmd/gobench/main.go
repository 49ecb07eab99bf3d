// Command gobench times what a Go program asks of its operating system,
// the same way on any Linux: it imports nothing of exogo and is built
// with plain go build. make bench runs it on exogo (where the loader
// starts it beside the libOS's interpreter image) and, in the same QEMU,
// as the /init of an initramfs on Debian's Linux kernel; tools/linuxrace
// puts the two side by side (docs/libos.md, "The race with Linux").
//
//	gobench [rounds]
//
// (0 rounds: start, say so and end; libos-bench times that as a spawn.)
//
// Each round prints one line per measurement, "gobench: NAME VALUE UNIT",
// after a line "gobench: round N"; "gobench: done" ends the run. As the
// first process (PID 1: Linux's /init) it powers the machine off at the
// end.
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// A measurement: its name, its unit, and the function that returns the
// figure.
type measurement struct {
	name, unit string
	run        func() float64
}

var measurements = []measurement{
	{"pingpong-1p", "ns/op", func() float64 { return pingPong(1, 20000) }},
	{"pingpong-2p", "ns/op", func() float64 { return pingPong(2, 20000) }},
	{"mutex-uncontended", "ns/op", mutexUncontended},
	{"mutex-handoff-2p", "ns/op", mutexHandoff},
	{"spawn-idle-2p", "ns/op", spawnWhileIdle},
	{"thread-create-exit", "ns/op", threadCreateExit},
	{"mmap-touch-munmap", "ns/op", mmapTouchMunmap},
	{"page-fault-64mib", "ns/page", pageFaults},
	{"time-now", "ns/op", timeNow},
	{"getpid", "ns/op", getpid},
	{"sleep-1ms-overshoot", "us", sleepOvershoot},
	{"gc-heavy", "ms", gcHeavy},
	{"sha256-16mib", "ms", func() float64 { return sha(1) }},
	{"sha256-16mib-split-2", "ms", func() float64 { return sha(2) }},
}

func main() {
	rounds := 3
	if len(os.Args) > 1 {
		if n, err := strconv.Atoi(os.Args[1]); err == nil && n >= 0 {
			rounds = n
		}
	}
	fmt.Printf("gobench: %d CPUs, GOMAXPROCS %d, %d rounds\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), rounds)
	procs := runtime.GOMAXPROCS(0)
	for r := 1; r <= rounds; r++ {
		fmt.Printf("gobench: round %d\n", r)
		for _, m := range measurements {
			runtime.GC()
			v := m.run()
			runtime.GOMAXPROCS(procs)
			fmt.Printf("gobench: %s %.3f %s\n", m.name, v, m.unit)
		}
	}
	fmt.Println("gobench: done")
	if os.Getpid() == 1 {
		// Linux's /init: nothing may exit, so power off.
		syscall.Sync()
		if err := syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF); err != nil {
			fmt.Println("gobench: power off:", err)
		}
	}
}

// per returns the nanoseconds per operation of n operations since start.
func per(start time.Time, n int) float64 {
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

// pingPong passes a token between two goroutines over unbuffered
// channels n times with procs Ps: nanoseconds per round trip.
func pingPong(procs, n int) float64 {
	runtime.GOMAXPROCS(procs)
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	start := time.Now()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	d := per(start, n)
	close(ping)
	return d
}

var sink int

func mutexUncontended() float64 {
	var mu sync.Mutex
	const n = 1_000_000
	start := time.Now()
	for i := 0; i < n; i++ {
		mu.Lock()
		sink++
		mu.Unlock()
	}
	return per(start, n)
}

// mutexHandoff: two goroutines on two Ps take turns holding a mutex, each
// waiting for the other's turn: nanoseconds per hand-off.
func mutexHandoff() float64 {
	runtime.GOMAXPROCS(2)
	const n = 20000
	var mu sync.Mutex
	cond := [2]*sync.Cond{sync.NewCond(&mu), sync.NewCond(&mu)}
	turn := 0
	var wg sync.WaitGroup
	start := time.Now()
	for me := 0; me < 2; me++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n/2; i++ {
				mu.Lock()
				for turn != me {
					cond[me].Wait()
				}
				turn = 1 - me
				cond[1-me].Signal()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return per(start, n)
}

// spawnWhileIdle starts a goroutine and waits for it, n times, with two
// Ps: the other P is idle, so each start wakes a thread to run it.
func spawnWhileIdle() float64 {
	runtime.GOMAXPROCS(2)
	const n = 5000
	done := make(chan struct{})
	start := time.Now()
	for i := 0; i < n; i++ {
		go func() { done <- struct{}{} }()
		<-done
	}
	return per(start, n)
}

// threadCreateExit: a goroutine that locks its thread and returns ends
// the thread; the next needs a new one.
func threadCreateExit() float64 {
	const n = 300
	done := make(chan struct{})
	start := time.Now()
	for i := 0; i < n; i++ {
		go func() {
			runtime.LockOSThread()
			done <- struct{}{}
		}()
		<-done
	}
	return per(start, n)
}

func mmapTouchMunmap() float64 {
	const n = 2000
	start := time.Now()
	for i := 0; i < n; i++ {
		b, err := syscall.Mmap(-1, 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			fmt.Println("gobench: mmap:", err)
			return 0
		}
		b[0] = 1
		syscall.Munmap(b)
	}
	return per(start, n)
}

// pageFaults touches every page of 64 MiB, freshly mapped.
func pageFaults() float64 {
	const size = 64 << 20
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		fmt.Println("gobench: mmap:", err)
		return 0
	}
	start := time.Now()
	for i := 0; i < size; i += 4096 {
		b[i] = 1
	}
	d := per(start, size/4096)
	syscall.Munmap(b)
	return d
}

func timeNow() float64 {
	const n = 200_000
	start := time.Now()
	var last time.Time
	for i := 0; i < n; i++ {
		last = time.Now()
	}
	sink += last.Nanosecond() & 1
	return per(start, n)
}

func getpid() float64 {
	const n = 50_000
	start := time.Now()
	for i := 0; i < n; i++ {
		sink += os.Getpid() & 1
	}
	return per(start, n)
}

// sleepOvershoot: the median of how much longer than 1 ms a 1 ms sleep
// takes, in microseconds.
func sleepOvershoot() float64 {
	over := make([]float64, 50)
	for i := range over {
		start := time.Now()
		time.Sleep(time.Millisecond)
		over[i] = float64(time.Since(start)-time.Millisecond) / 1e3
	}
	sort.Float64s(over)
	return over[len(over)/2]
}

type node struct{ left, right *node }

func tree(depth int) *node {
	if depth == 0 {
		return &node{}
	}
	return &node{tree(depth - 1), tree(depth - 1)}
}

func (n *node) count() int {
	if n.left == nil {
		return 1
	}
	return 1 + n.left.count() + n.right.count()
}

// gcHeavy builds and drops binary trees beside a long-lived one (the
// binary-trees benchmark, small): milliseconds for the whole run.
func gcHeavy() float64 {
	start := time.Now()
	long := tree(16)
	total := 0
	for i := 0; i < 40; i++ {
		total += tree(14).count()
	}
	sink += total + long.count()
	return float64(time.Since(start).Microseconds()) / 1e3
}

var shaInput = make([]byte, 16<<20)

// sha hashes 16 MiB in parts pieces, each on its own goroutine:
// milliseconds.
func sha(parts int) float64 {
	start := time.Now()
	var wg sync.WaitGroup
	size := len(shaInput) / parts
	for p := 0; p < parts; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum := sha256.Sum256(shaInput[p*size : (p+1)*size])
			sink += int(sum[0])
		}()
	}
	wg.Wait()
	return float64(time.Since(start).Microseconds()) / 1e3
}
