// Package sched runs kernel threads: the threads of the kernel's own Go
// runtime (its Ms, created by clone) and each CPU's idle loop. A thread is a
// kernel stack whose top holds the thread's saved frame while it is not
// running; switching threads is returning a different frame to the trap
// exit path (see kernel/trap). Threads block on a key (a futex address, an
// epoll instance) with an optional deadline, and the timer interrupt
// preempts the running thread when its time slice is over, so no thread can
// starve another.
//
// All of it is restricted Go: the thread table is a fixed array of integers
// and runs in trap context with interrupts off.
//
// Several CPUs. Each CPU has its own run queue and takes threads only from
// it; a thread is bound to one CPU (Thread.CPU) when it starts and stays
// there, so no thread's kernel stack is ever used by two CPUs. Two kinds of
// thread:
//
//   - threads of the kernel's own Go runtime (Process == 0) always run on
//     CPU 0. The Linux personality that serves them (kernel/linux: the mmap
//     ranges, the file table, signal actions, the epoll instances) is not
//     SMP-safe, and is only ever entered from CPU 0 because of this.
//     TODO(smp): make the personality SMP-safe (or give it a lock) before
//     letting the kernel's runtime run on other CPUs; then OnlineCPUs
//     (kernel/linux) can grow and GOMAXPROCS with it.
//   - user threads (Process != 0) go to the CPU the placement policy
//     chooses (placement, below: least loaded) and share it round-robin,
//     with TimeSlice quanta.
//
// Mechanism and policy are kept apart: the run queues, time slices and
// switching are mechanism; placement is the whole policy, a pure function
// of per-CPU loads. TODO(market): XOmB's CPU market (processes bidding for
// quanta) replaces placement and the round-robin order.
//
// Every field of the thread table and the run queues is read and written
// under the one spin lock (acquire/release), with interrupts off; a CPU
// reads only its own per-CPU block without it.
package sched

import (
	"sync/atomic"

	"exogo/arch/amd64"
	"exogo/kernel/cpu"
	"exogo/kernel/rawmem"
)

// MaxThreads bounds the number of kernel threads.
const MaxThreads = 256

// State is a thread's life-cycle state.
type State uint32

const (
	Unused   State = iota // the slot is free
	Runnable              // in the run queue
	Running               // on a CPU
	Blocked               // waiting for a key or a deadline
	Dead                  // exited; its stack is freed by the next switch
)

// Thread is a kernel thread.
type Thread struct {
	State    State
	ID       int32   // thread ID (Linux TID); 0 for an unused slot
	StackTop uintptr // top of the kernel stack; the saved frame is below it
	Stack    int32   // kernel stack slot (for freeing)
	// OnCPU is the CPU whose kernel stack this is in use on, -1 if none:
	// set when the CPU picks the thread, cleared by settle once the CPU
	// has surely left the stack (at its next switch or tick), not when
	// the thread blocks, since the CPU still runs on the stack until the
	// switch completes. Kill waits for -1 before freeing the stack.
	OnCPU int32
	CPU   int32 // CPU whose run queue it joins (set by Start)

	// Process is the user process the thread runs (0 for a thread of the
	// kernel's own runtime), and AddressSpace the CR3 it runs with (0: the
	// kernel's).
	Process      uint16
	AddressSpace uint64
	// VCPU is which of its process's vCPUs the thread is (kernel/exo).
	VCPU uint8

	// Blocking: a thread waits for Wake(WaitKey) or until WakeAt
	// (nanoseconds since boot, 0 = never); TimeoutResult is the system
	// call's result when the deadline comes first.
	WaitKey       uintptr
	WakeAt        uint64
	TimeoutResult int64

	// Linux thread state, for the personality in kernel/linux.
	ClearChildTID  uintptr // futex word cleared and woken at exit
	SignalMask     uint64
	PendingSignals uint64
	AltStack       uint64
	AltStackSize   uint64
	AltStackFlags  uint64

	sliceEnds uint64 // time at which the current time slice ends
	// stopRequested asks the thread's CPU to park it (Kill found it
	// running there): at its next tick the CPU takes it off and leaves
	// it Blocked on nothing, so that Kill, retried, can end it.
	stopRequested bool
}

// TimeSlice is how long a thread runs before the timer preempts it if
// another is runnable (nanoseconds).
const TimeSlice = 10_000_000

var (
	threads [MaxThreads]Thread
	nextID  int32 = 1
	// runQueues[c] holds the runnable threads bound to CPU c.
	runQueues [amd64.MaxCPUs]ring
	lock      uint32
	// takesThreads has bit c set for each CPU that schedules user
	// threads (CPU 0 always; APs once they call CPUOnline).
	takesThreads uint32 = 1
	// A dead thread's stack cannot be freed while its CPU still runs on
	// it: deadWaiting[c] is 1 + the index of the thread that exited on
	// CPU c (0: none), freed at that CPU's next switch.
	deadWaiting [amd64.MaxCPUs]int32
	// leaving[c] is 1 + the index of the thread CPU c switched away from
	// at its last switch (0: none): settle clears its OnCPU later.
	leaving [amd64.MaxCPUs]int32
	// earliestWake is at or before the earliest WakeAt of a blocked
	// thread (0: no thread waits with a deadline), so that a tick scans
	// the thread table only when a deadline may have passed: the scan
	// costs about 3 400 instructions, on every CPU, every millisecond.
	earliestWake uint64
)

// queueOf returns the run queue of thread t's CPU.
func queueOf(t *Thread) *ring { return &runQueues[uint32(t.CPU)%amd64.MaxCPUs] }

// CPUOnline lets the scheduler place user threads on CPU index. An AP
// calls it once it takes timer interrupts.
func CPUOnline(index int) {
	if index <= 0 || index >= amd64.MaxCPUs {
		return
	}
	acquire()
	takesThreads |= 1 << uint(index)
	release()
}

// ring is a FIFO of thread indices.
type ring struct {
	slots      [MaxThreads]int32
	head, size uint32
}

func (r *ring) push(i int32) bool {
	if r.size >= MaxThreads {
		return false
	}
	r.slots[(r.head+r.size)%MaxThreads] = i
	r.size++
	return true
}

func (r *ring) pop() (int32, bool) {
	if r.size == 0 {
		return 0, false
	}
	i := r.slots[r.head%MaxThreads]
	r.head = (r.head + 1) % MaxThreads
	r.size--
	return i, true
}

func acquire() {
	for !atomic.CompareAndSwapUint32(&lock, 0, 1) {
		amd64.Pause()
	}
}

func release() { atomic.StoreUint32(&lock, 0) }

// ByIndex returns thread slot i, or nil when i is out of range.
func ByIndex(i int32) *Thread {
	if i < 0 || i >= MaxThreads {
		return nil
	}
	return &threads[i]
}

// Frame returns the saved frame of t (valid while t is not running).
func (t *Thread) Frame() *cpu.Frame {
	return (*cpu.Frame)(rawmem.Pointer(t.StackTop - cpu.FrameSize))
}

func (t *Thread) frameAddress() uintptr { return t.StackTop - cpu.FrameSize }

// Current returns the thread running on this CPU (nil on the idle loop).
func Current() *Thread {
	c := cpu.This()
	return ByIndex(int32(c.Current))
}

// CurrentIndex returns the slot of the thread running on this CPU, or -1.
func CurrentIndex() int32 { return int32(cpu.This().Current) }

// Create makes a new runnable thread on the kernel stack whose top is
// stackTop (slot stack), with its frame already filled in by the caller via
// the returned thread's Frame before it first runs. It returns nil when the
// thread table is full.
func Create(stackTop uintptr, stack int32) (t *Thread, index int32) {
	acquire()
	for i := int32(0); i < MaxThreads; i++ {
		if threads[i].State == Unused {
			t = &threads[i]
			*t = Thread{State: Blocked, ID: nextID, StackTop: stackTop, Stack: stack, OnCPU: -1}
			nextID++
			release()
			return t, i
		}
	}
	release()
	return nil, -1
}

// Start makes thread i runnable on a CPU: CPU 0 for a thread of the
// kernel's runtime, the one placement chooses for a user thread.
func Start(i int32) {
	acquire()
	if t := ByIndex(i); t != nil {
		t.CPU = 0
		if t.Process != 0 {
			var loads, same [amd64.MaxCPUs]int32
			countLoads(&loads, &same, t.Process, i)
			t.CPU = int32(placement(&loads, &same, takesThreads))
		}
		t.State = Runnable
		queueOf(t).push(i)
	}
	release()
}

// countLoads counts, for each CPU, the threads bound to it that are not
// dead: runnable, running or blocked (a blocked thread will want its CPU
// back), in loads, and those of process in same; all but thread except,
// the one being placed (not bound to a CPU yet). Called with the lock
// held.
func countLoads(loads, same *[amd64.MaxCPUs]int32, process uint16, except int32) {
	for i := range threads {
		t := &threads[i]
		if int32(i) == except {
			continue
		}
		if t.State == Runnable || t.State == Running || t.State == Blocked {
			c := uint32(t.CPU) % amd64.MaxCPUs
			loads[c]++
			if t.Process == process {
				same[c]++
			}
		}
	}
}

// placement is the placement policy: the CPU a new user thread is bound
// to, given each CPU's load, how many threads of the same process each
// holds (same), and the set of CPUs that take threads (bit c for CPU c).
// It spreads a process's threads (its vCPUs) over the CPUs first, so that
// they can run at once, and then picks the least loaded CPU, the
// lowest-numbered on a tie. CPU 0's load includes the kernel runtime's
// threads, so user threads favour the APs. TODO(market): the CPU market
// replaces this.
func placement(loads, same *[amd64.MaxCPUs]int32, available uint32) int {
	best := -1
	for c := 0; c < amd64.MaxCPUs; c++ {
		if available&(1<<uint(c)) == 0 {
			continue
		}
		b := uint(best) % amd64.MaxCPUs
		if best < 0 || same[c] < same[b] || same[c] == same[b] && loads[c] < loads[b] {
			best = c
		}
	}
	if best < 0 {
		return 0
	}
	return best
}

// remove takes every occurrence of thread index i out of the queue,
// keeping the order of the others.
func (r *ring) remove(i int32) {
	kept := uint32(0)
	for k := uint32(0); k < r.size; k++ {
		v := r.slots[(r.head+k)%MaxThreads]
		if v != i {
			r.slots[(r.head+kept)%MaxThreads] = v
			kept++
		}
	}
	r.size = kept
}
