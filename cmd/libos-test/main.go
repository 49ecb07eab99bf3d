// Command libos-test checks the libOS (libos/linux) from an ordinary Go
// program: each check prints "libos-test: ok: ..." or "libos-test: FAIL:
// ..." and the program exits with the number of failures. test/qemu's
// TestLibOS boots it and reads the lines.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/linux"
)

var failures int

func check(name string, ok bool, detail string) {
	if ok {
		fmt.Println("libos-test: ok:", name)
		return
	}
	failures++
	fmt.Printf("libos-test: FAIL: %s: %s\n", name, detail)
}

func main() {
	checkPanics()
	checkMemory()
	checkCallsIntoBuffers()
	checkThreads()
	checkInterruptedCall()
	checkTime()
	checkPreemption()
	checkUnknownCall()
	checkFiles()
	checkProcesses()
	checkPool()
	checkRegions()
	fmt.Printf("libos-test: %d failures\n", failures)
	os.Exit(failures)
}

// recovered runs f and returns the message of the panic it recovers.
func recovered(f func()) (message string) {
	defer func() {
		if r := recover(); r != nil {
			message = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// faultAddress runs f, which must fault (with debug.SetPanicOnFault), and
// returns the address the runtime's panic reports (0 for no fault).
func faultAddress(f func()) (address uintptr) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(interface{ Addr() uintptr }); ok {
				address = e.Addr()
			}
		}
	}()
	f()
	return 0
}

func addressOf(b []byte) uintptr { return uintptr(unsafe.Pointer(&b[0])) }

var nilPointer *int
var zero = 0

func checkPanics() {
	m := recovered(func() { _ = *nilPointer })
	check("a nil dereference is a Go panic that recover catches", strings.Contains(m, "nil pointer dereference"), m)
	m = recovered(func() { _ = 1 / zero })
	check("a divide by zero is a Go panic that recover catches", strings.Contains(m, "integer divide by zero"), m)
	var a []int
	i := 5
	m = recovered(func() { _ = a[i] })
	check("an index out of range is a Go panic", strings.Contains(m, "index out of range"), m)
}

func checkMemory() {
	const size = 1 << 30
	reserved, err := syscall.Mmap(-1, 0, size, syscall.PROT_NONE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	check("mmap reserves 1 GiB without memory behind it", err == nil && len(reserved) == size, fmt.Sprint(err))
	if err != nil {
		return
	}
	page := reserved[size/2 : size/2+4096]
	err = syscall.Mprotect(page, syscall.PROT_READ|syscall.PROT_WRITE)
	page[100] = 42
	check("mprotect opens one page of it, and the page can be written", err == nil && page[100] == 42, fmt.Sprint(err))

	old := debug.SetPanicOnFault(true)
	at := faultAddress(func() { reserved[0] = 1 })
	check("touching the reserved (PROT_NONE) part faults at its address", at == addressOf(reserved), fmt.Sprintf("%#x", at))
	syscall.Mprotect(page, syscall.PROT_READ)
	at = faultAddress(func() { page[1] = 1 })
	check("writing a page made read-only faults, and it keeps its contents", at == addressOf(page)+1 && page[100] == 42, fmt.Sprintf("%#x", at))

	syscall.Mprotect(page, syscall.PROT_READ|syscall.PROT_WRITE)
	err = syscall.Madvise(page, syscall.MADV_DONTNEED)
	check("after MADV_DONTNEED a page reads as zeros", err == nil && page[100] == 0, fmt.Sprint(err))

	err = syscall.Munmap(reserved)
	at = faultAddress(func() { page[0] = 1 })
	check("after munmap the pages fault", err == nil && at == addressOf(page), fmt.Sprintf("%v %#x", err, at))
	debug.SetPanicOnFault(old)

	// The heap: 200 MiB allocated, every page written, dropped,
	// collected (a standard library test binary may touch as much).
	const heapMiB = 200
	var blocks [][]byte
	for i := 0; i < heapMiB; i++ {
		b := make([]byte, 1<<20)
		for k := 0; k < len(b); k += 4096 {
			b[k] = byte(i + k)
		}
		blocks = append(blocks, b)
	}
	ok := true
	for i, b := range blocks {
		for k := 0; k < len(b); k += 4096 {
			ok = ok && b[k] == byte(i+k)
		}
	}
	blocks = nil
	runtime.GC()
	debug.FreeOSMemory()
	check(fmt.Sprintf("%d MiB of heap, every page written, read back and collected", heapMiB), ok, "")
}

func eventfd() (int, error) {
	fd, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

func checkCallsIntoBuffers() {
	fd, err := eventfd()
	check("eventfd", err == nil, fmt.Sprint(err))
	if err != nil {
		return
	}
	var eight [8]byte
	eight[0] = 7
	syscall.Write(fd, eight[:])
	fresh, err := syscall.Mmap(-1, 0, 1<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		check("mmap", false, err.Error())
		return
	}
	n, err := syscall.Read(fd, fresh[1<<19:1<<19+8])
	check("read into an untouched buffer gets the data", err == nil && n == 8 && fresh[1<<19] == 7, fmt.Sprint(n, err))
	syscall.Write(fd, eight[:])
	_, _, errno := syscall.Syscall(syscall.SYS_READ, uintptr(fd), 0x10, 8)
	check("read into a bad pointer fails with EFAULT", errno == syscall.EFAULT, errno.Error())
	_, _, errno = syscall.Syscall(syscall.SYS_WRITE, 1, uintptr(0x7fff_0000_0000), 8)
	check("write from a bad pointer fails with EFAULT", errno == syscall.EFAULT, errno.Error())
	_, _, errno = syscall.Syscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&fresh[0]))+(1<<20)-4, 8)
	check("read that runs past the end of a mapping fails with EFAULT", errno == syscall.EFAULT, errno.Error())
	syscall.Munmap(fresh)
	syscall.Close(fd)
}

func checkThreads() {
	// Threads made and ended: more than the libOS's table holds at once,
	// so a leak would make clone fail.
	const threads = 300
	var wg sync.WaitGroup
	for i := 0; i < threads; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		}()
		wg.Wait()
	}
	check(fmt.Sprintf("%d threads made and ended", threads), true, "")

	// Threads alive at once, as a test binary may have: each goroutine
	// keeps its own thread and waits in it until all have started.
	const together = 64
	var started, ended sync.WaitGroup
	release := make(chan struct{})
	for i := 0; i < together; i++ {
		started.Add(1)
		ended.Add(1)
		go func() {
			runtime.LockOSThread()
			started.Done()
			<-release
			ended.Done()
		}()
	}
	started.Wait()
	alive := linux.ReadCounters().Threads
	close(release)
	ended.Wait()
	check(fmt.Sprintf("%d threads alive at once", together), alive >= together, fmt.Sprintf("%d threads", alive))

	// Hand-offs between two threads: each round trip blocks one thread
	// in futex and wakes it.
	const rounds = 20000
	ping, pong := make(chan int), make(chan int)
	go func() {
		runtime.LockOSThread()
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	runtime.LockOSThread()
	sum := 0
	before := linux.ReadCounters()
	for i := 0; i < rounds; i++ {
		ping <- i
		sum += <-pong - i
	}
	after := linux.ReadCounters()
	close(ping)
	runtime.UnlockOSThread()
	check(fmt.Sprintf("%d round trips between two threads", rounds), sum == rounds, fmt.Sprint(sum))
	// Where the CPU has FSGSBASE the libOS switches them in user mode.
	if bare.Info(exo.KernelInfoFeatures)&exo.CpuFeatureFsgsbase != 0 {
		switched, kernel := after.UserSwitches-before.UserSwitches, after.KernelResumes-before.KernelResumes
		check("with FSGSBASE, the round trips switch threads in user mode (WRFSBASE), not through upcall_resume",
			switched >= rounds/2 && kernel < switched/100, fmt.Sprintf("%d in user mode, %d through the kernel", switched, kernel))
	} else {
		fmt.Println("libos-test: not exercised: the CPU has no FSGSBASE (threads switch through upcall_resume)")
	}

	// Many goroutines, a mutex and a WaitGroup.
	var mu sync.Mutex
	counter := 0
	var all sync.WaitGroup
	for g := 0; g < 100; g++ {
		all.Add(1)
		go func() {
			defer all.Done()
			for i := 0; i < 1000; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	all.Wait()
	check("100 goroutines count to 100000 under a mutex", counter == 100000, fmt.Sprint(counter))
}

func checkTime() {
	calls := linux.CallCount(syscall.SYS_CLOCK_GETTIME)
	previous := time.Now()
	monotonic := true
	for i := 0; i < 10000; i++ {
		now := time.Now()
		if now.Before(previous) {
			monotonic = false
		}
		previous = now
	}
	check("10000 clock reads never go back", monotonic, "")
	calls = linux.CallCount(syscall.SYS_CLOCK_GETTIME) - calls
	check("clock reads make no system call (the vDSO)", calls == 0, fmt.Sprint(calls, " clock_gettime calls"))
	idle := linux.ReadCounters().IdleRounds
	start := time.Now()
	time.Sleep(50 * time.Millisecond)
	elapsed := time.Since(start)
	idle = linux.ReadCounters().IdleRounds - idle
	check("time.Sleep(50ms) sleeps at least 50ms", elapsed >= 50*time.Millisecond, elapsed.String())
	// Spinning would take tens of thousands of rounds; each wait in the
	// kernel ends at a deadline (the runtime's sysmon wakes often).
	check(fmt.Sprintf("an idle process waits in the kernel (%d idle rounds in 50ms)", idle), idle < 1000, fmt.Sprint(idle))
	check("the wall clock is after 2020", time.Now().Year() >= 2020, time.Now().String())
	timer := time.NewTimer(5 * time.Millisecond)
	select {
	case <-timer.C:
		check("a timer fires", true, "")
	case <-time.After(5 * time.Second):
		check("a timer fires", false, "not within 5 s")
	}
}

// checkPreemption runs four goroutines in loops while the main goroutine
// sleeps and wakes five times, then collects garbage: only the libOS's
// time slices let the runtime's sysmon run and preempt the loops
// (SIGURG). Loops without calls get the alarm upcall; loops of calls made
// back to back trap only into upcalls, where the kernel cannot deliver
// the alarm, and the libOS must see the time pass itself.
func checkPreemption() {
	preempted("without calls", func(n *uint64) { *n++ })
	before := linux.ReadCounters().AlarmsPassed
	preempted("of Linux calls made back to back (getpid)", func(n *uint64) { *n += uint64(syscall.Getpid()) })
	passed := linux.ReadCounters().AlarmsPassed - before
	check("the libOS acts on alarms whose time passed while the loops of calls kept it in upcalls", passed > 0,
		fmt.Sprint(passed, " alarms acted on"))
}

func preempted(loops string, step func(n *uint64)) {
	var stop atomic.Bool
	var spins [4]uint64
	for g := range spins {
		go func() {
			for !stop.Load() {
				step(&spins[g])
			}
		}()
	}
	start := time.Now()
	ticks := 0
	for i := 0; i < 5; i++ {
		time.Sleep(20 * time.Millisecond)
		ticks++
	}
	runtime.GC()
	stop.Store(true)
	elapsed := time.Since(start)
	check(fmt.Sprintf("a goroutine sleeps and wakes 5 times and the GC completes while 4 others run loops %s (GOMAXPROCS %d)", loops, runtime.GOMAXPROCS(0)),
		ticks == 5 && elapsed < 10*time.Second, elapsed.String())
}

func checkUnknownCall() {
	_, _, errno := syscall.Syscall(syscall.SYS_ACCT, 0, 0, 0)
	check("a call the libOS does not implement fails with ENOSYS", errors.Is(errno, syscall.ENOSYS), errno.Error())
}

// checkInterruptedCall: a signal for a thread blocked in a futex wait
// ends the wait with EINTR (as on Linux) and its handler runs.
func checkInterruptedCall() {
	signals := make(chan os.Signal, 16)
	signal.Notify(signals, syscall.SIGUSR1)
	defer signal.Stop(signals)
	tids := make(chan int)
	result := make(chan syscall.Errno)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var word uint32
		tids <- syscall.Gettid()
		const futexWaitPrivate = 128 // FUTEX_WAIT | FUTEX_PRIVATE_FLAG
		_, _, errno := syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(&word)), futexWaitPrivate, 0, 0, 0, 0)
		result <- errno
	}()
	tid := <-tids
	var errno syscall.Errno
	got := false
	// The signal may come before the thread blocks (then it is handled
	// and the wait begins after): send it until the wait ends.
	for deadline := time.Now().Add(5 * time.Second); !got && time.Now().Before(deadline); {
		syscall.Tgkill(os.Getpid(), tid, syscall.SIGUSR1)
		select {
		case errno = <-result:
			got = true
		case <-time.After(20 * time.Millisecond):
		}
	}
	handled := false
	select {
	case <-signals:
		handled = true
	case <-time.After(time.Second):
	}
	check("a signal ends a blocked futex wait with EINTR, and its handler runs", got && errno == syscall.EINTR && handled,
		fmt.Sprintf("ended %v, errno %v, handled %v", got, errno, handled))
}
