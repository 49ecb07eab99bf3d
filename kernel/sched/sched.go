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
package sched

import (
	"sync/atomic"

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
	OnCPU    int32   // CPU running it, -1 if none

	// Process is the user process the thread runs (0 for a thread of the
	// kernel's own runtime), and AddressSpace the CR3 it runs with (0: the
	// kernel's).
	Process      uint16
	AddressSpace uint64

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
}

// TimeSlice is how long a thread runs before the timer preempts it if
// another is runnable (nanoseconds).
const TimeSlice = 10_000_000

var (
	threads  [MaxThreads]Thread
	nextID   int32 = 1
	runQueue ring
	lock     uint32
	// A dead thread's stack cannot be freed while the CPU still runs on
	// it: freeStack is called for it at the next switch.
	deadWaiting int32 = -1
)

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

// Start makes thread i runnable.
func Start(i int32) {
	acquire()
	if t := ByIndex(i); t != nil {
		t.State = Runnable
		runQueue.push(i)
	}
	release()
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
