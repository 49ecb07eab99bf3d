package selftest

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"exogo/kernel/linux"
)

func testAllocation() error {
	// Allocate ~200 MiB in total while keeping a rotating window of 8 MiB
	// alive, so the collector must run many times; then check the
	// survivors still hold what was written.
	const chunk = 64 << 10
	window := make([][]byte, 128)
	for i := 0; i < 3200; i++ {
		b := make([]byte, chunk)
		for j := range b {
			b[j] = byte(i + j)
		}
		window[i%len(window)] = b
	}
	for k, b := range window {
		i := 3200 - len(window) + k
		slot := i % len(window)
		b = window[slot]
		for j := 0; j < len(b); j += 4093 {
			if b[j] != byte(i+j) {
				return fmt.Errorf("chunk %d byte %d is %d, want %d", i, j, b[j], byte(i+j))
			}
		}
	}
	return nil
}

func testMaps() error {
	m := make(map[string]int)
	for i := 0; i < 100_000; i++ {
		m[fmt.Sprint("key", i)] = i
	}
	for i := 0; i < 100_000; i += 7 {
		delete(m, fmt.Sprint("key", i))
	}
	for i := 0; i < 100_000; i++ {
		v, ok := m[fmt.Sprint("key", i)]
		if want := i%7 != 0; ok != want || (ok && v != i) {
			return fmt.Errorf("m[key%d] = %d, %v", i, v, ok)
		}
	}
	return nil
}

func testGoroutines() error {
	const workers = 100
	jobs := make(chan int)
	results := make(chan int, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum := 0
			for j := range jobs {
				sum += j
			}
			results <- sum
		}()
	}
	for i := 1; i <= 10_000; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(results)
	total := 0
	for s := range results {
		total += s
	}
	if total != 10_000*10_001/2 {
		return fmt.Errorf("sum over workers = %d, want %d", total, 10_000*10_001/2)
	}
	return nil
}

func testTimers() error {
	start := time.Now()
	time.Sleep(20 * time.Millisecond)
	if slept := time.Since(start); slept < 20*time.Millisecond || slept > 2*time.Second {
		return fmt.Errorf("time.Sleep(20ms) took %v", slept)
	}
	never := make(chan int)
	start = time.Now()
	select {
	case <-never:
		return errors.New("received from a channel nobody sends on")
	case <-time.After(30 * time.Millisecond):
	}
	if waited := time.Since(start); waited < 30*time.Millisecond {
		return fmt.Errorf("time.After(30ms) fired after %v", waited)
	}
	// Many timers at once: none may fire before its deadline. (Their
	// callbacks run in goroutines of their own, whose order Go does not
	// promise, so the order of the callbacks is not checked.)
	var mu sync.Mutex
	var early []string
	var wg sync.WaitGroup
	begin := time.Now()
	for i := 10; i > 0; i-- {
		wg.Add(1)
		delay := time.Duration(i) * 5 * time.Millisecond
		time.AfterFunc(delay, func() {
			if at := time.Since(begin); at < delay {
				mu.Lock()
				early = append(early, fmt.Sprintf("%v timer at %v", delay, at))
				mu.Unlock()
			}
			wg.Done()
		})
	}
	wg.Wait()
	if len(early) > 0 {
		return fmt.Errorf("timers fired early: %v", early)
	}
	return nil
}

func testGC() error {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if after.NumGC < before.NumGC+2 {
		return fmt.Errorf("NumGC went from %d to %d after two runtime.GC calls", before.NumGC, after.NumGC)
	}
	return nil
}

func testPanicRecover() (err error) {
	defer func() {
		r := recover()
		if r != "deliberate" {
			err = fmt.Errorf("recovered %v, want \"deliberate\"", r)
		}
	}()
	panic("deliberate")
}

type node struct{ next *node }

//go:noinline
func follow(n *node) *node { return n.next }

//go:noinline
func divide(a, b int) int { return a / b }

func testNilDereference() error {
	return expectRuntimePanic("nil pointer dereference", func() { follow(nil) })
}

func testDivideByZero() error {
	return expectRuntimePanic("divide by zero", func() { divide(1, 0) })
}

// expectRuntimePanic runs f, which must fault; the kernel turns the fault
// into a signal and the runtime into a runtime.Error panic whose text
// contains want.
func expectRuntimePanic(want string, f func()) (err error) {
	defer func() {
		r := recover()
		e, ok := r.(runtime.Error)
		if !ok || !strings.Contains(e.Error(), want) {
			err = fmt.Errorf("recovered %v, want a runtime error about %q", r, want)
		}
	}()
	f()
	return fmt.Errorf("no panic: want a runtime error about %q", want)
}

// testThreads locks goroutines to their own OS threads at the same time,
// forcing the runtime to clone more threads, and checks each has its own
// thread ID.
func testThreads() error {
	const n = 6
	ids := make(chan int, n)
	var ready, release sync.WaitGroup
	ready.Add(n)
	release.Add(1)
	for i := 0; i < n; i++ {
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			ids <- syscall.Gettid()
			ready.Done()
			release.Wait()
		}()
	}
	ready.Wait()
	release.Done()
	seen := map[int]bool{}
	for i := 0; i < n; i++ {
		id := <-ids
		if seen[id] {
			return fmt.Errorf("two locked goroutines ran on thread %d at once", id)
		}
		seen[id] = true
	}
	return nil
}

func testGOMAXPROCS() error {
	old := runtime.GOMAXPROCS(4)
	defer runtime.GOMAXPROCS(old)
	var counter atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200_000; j++ {
				counter.Add(1)
			}
		}()
	}
	wg.Wait()
	if counter.Load() != 8*200_000 {
		return fmt.Errorf("counter = %d, want %d", counter.Load(), 8*200_000)
	}
	return nil
}

// testTightLoop runs a goroutine that loops without function calls while
// the collector needs to stop the world: only asynchronous preemption (a
// SIGURG delivered by the kernel) can stop it.
func testTightLoop() error {
	old := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(old)
	var stop atomic.Bool
	var spins atomic.Uint64
	done := make(chan struct{})
	go func() {
		n := uint64(0)
		for !stop.Load() {
			n++
		}
		spins.Store(n)
		close(done)
	}()
	time.Sleep(20 * time.Millisecond)
	runtime.GC() // needs to preempt the loop
	stop.Store(true)
	<-done
	if spins.Load() == 0 {
		return errors.New("the loop never ran")
	}
	return nil
}

func testClock() error {
	a := time.Now()
	b := time.Now()
	if b.Before(a) {
		return fmt.Errorf("time went backwards: %v then %v", a, b)
	}
	if a.Year() < 2024 {
		return fmt.Errorf("wall clock says %v: the RTC was not read", a)
	}
	// The runtime reads the clock through the vDSO, not a system call.
	calls := linux.SyscallCount
	var last time.Time
	for i := 0; i < 10_000; i++ {
		now := time.Now()
		if now.Before(last) {
			return fmt.Errorf("time.Now went backwards: %v then %v", last, now)
		}
		last = now
	}
	if made := linux.SyscallCount - calls; made > 100 {
		return fmt.Errorf("10000 clock reads made %d system calls: the vDSO is not in use", made)
	}
	return nil
}
