// Package uthread keeps the libOS's user-level threads: the Go runtime's
// threads (its Ms, made with clone) multiplexed onto the vCPUs the kernel
// gives the process. It is the pure part of the scheduler: the thread
// table, a run queue per vCPU, futex waits keyed by address and
// deadlines. The libOS (libos/linux) saves and loads the threads' registers
// and decides when to switch.
//
// Every vCPU uses it at once, with no lock of the libOS's around it:
//
//   - A thread's state changes by atomic operations. A blocked thread is
//     woken by whoever first moves it from Blocked to Waking (a futex wake,
//     its deadline, a signal): that one alone takes it off its futex word
//     and queues it.
//   - Each vCPU has its own run queue (queue.go): only that vCPU adds to
//     it, any vCPU takes from it (an idle one steals), without a lock.
//   - Futex waiters hang on 64 lists hashed by address, each under its own
//     small lock (wait.go), which a waiter holds while it checks its word
//     and a waker while it wakes: no wake-up is lost.
//   - Deadlines are kept in the threads; a timer lock serializes only
//     setting one and the scan for passed ones (Expire), which runs only
//     when the earliest may have passed.
//   - A thread made runnable may still have a vCPU inside the libOS on its
//     TLS block, whose g word the resume restores (libos/linux's dispatch):
//     its onCPU word says which, and the vCPU that takes it waits until
//     that one has left (Hold), holding none itself.
//
// Restricted Go (docs/restricted-go.md): no allocation, no pointers, no
// panics; the zero value is an empty table.
package uthread

import (
	"sync/atomic"

	"exogo/libos/exo"
)

// MaxThreads bounds the threads of a process (a Go test binary makes 60 or
// more).
const MaxThreads = 256

// MaxQueues is the number of run queues: one per vCPU.
const MaxQueues = 8

// Thread states.
const (
	Free     = 0
	Runnable = 1 // in a run queue
	Running  = 2 // on a vCPU
	Blocked  = 3 // waiting on a futex word, a deadline or both
	Waking   = 4 // a waker claimed it, and queues it
	Made     = 5 // made by New, not started yet (Ready starts it)
)

// None is the index of no thread.
const None = -1

// Thread is one user-level thread. Its vCPU (the one running it, or for a
// blocked thread the one that last ran it) owns the exported fields, except
// those a waker sets after claiming it: WakeResult and TimedOut.
type Thread struct {
	state uint32 // atomic
	onCPU uint32 // atomic: 1 + the vCPU still inside the libOS on its TLS block (0: none)
	ID    uint32 // the Linux thread ID
	next  int32  // futex list link, index+1 (0: none)

	// While Blocked: the futex word waited on (0 for a sleep), the
	// deadline in nanoseconds since boot (0 for none, atomic: Expire reads
	// it), and what the thread's call returns when the deadline passes.
	WaitAddress    uintptr
	deadline       uint64
	TimeoutResult  int64
	WakeResult     int64
	InCall         uint32  // blocked in a system call: WakeResult becomes its result
	TimedOut       uint32  // woken by its deadline, not by Wake
	RestartCall    uint64  // non-zero: a Wake runs the call again (its number + 1: read's is 0)
	Context        uintptr // where its registers are kept while it is not running
	SignalMask     uint64
	AltStack       uint64
	AltStackSize   uint64
	AltStackFlags  uint64
	PendingSignals uint64 // atomic: another vCPU's tgkill adds to it
	ClearChildTID  uintptr
}

// State returns the thread's state.
func (th *Thread) State() uint32 { return atomic.LoadUint32(&th.state) }

// Deadline returns the thread's deadline (0: none).
func (th *Thread) Deadline() uint64 { return atomic.LoadUint64(&th.deadline) }

// Table is the threads of a process.
type Table struct {
	threads [MaxThreads]Thread
	queues  [MaxQueues]queue
	// inUse is how many run queues vCPUs use (UseQueues; 0: all):
	// Waiting and Take look at those only.
	inUse  uint32 // atomic
	lists  [lists]list
	live   int32  // atomic
	high   int32  // atomic: 1 + the highest index ever used: scans stop there
	nextID uint32 // the next thread ID (New runs under the libOS's call lock)
	// earliest is at or before the earliest deadline of a blocked thread
	// (0: none); Expire makes it exact. Both it and the deadlines change
	// under timerLock.
	_         [64]byte
	earliest  uint64
	timerLock uint32
	_         [64]byte
	// Spins counts rounds spent waiting: for a futex list's lock, the
	// timer lock, or a vCPU to leave a thread's TLS block. Holds counts
	// the threads whose taker found their last vCPU still on them (the
	// libOS counts them).
	Spins, Holds uint64
	// steals counts, per vCPU, the threads it took from another's queue.
	steals [MaxQueues]uint64
}

// Steals returns how many threads vCPU q took from another's queue (q < 0:
// all vCPUs).
func (t *Table) Steals(q int) uint64 {
	if q >= 0 {
		return atomic.LoadUint64(&t.steals[uint(q)%MaxQueues])
	}
	n := uint64(0)
	for i := range t.steals {
		n += atomic.LoadUint64(&t.steals[i])
	}
	return n
}

// At returns thread i (i must come from this table).
func (t *Table) At(i int) *Thread { return &t.threads[uint(i)%MaxThreads] }

// Live returns the number of threads not Free.
func (t *Table) Live() int { return int(atomic.LoadInt32(&t.live)) }

// New takes a free thread with a fresh ID from firstID up and returns its
// index (its state Made), or None when the table is full. Its Context is
// kept: it belongs to the slot. The caller serializes New, Release and
// ByID (the libOS's call lock).
func (t *Table) New(firstID uint32) int {
	for i := 0; i < MaxThreads; i++ {
		th := &t.threads[i]
		if atomic.LoadUint32(&th.state) != Free || !atomic.CompareAndSwapUint32(&th.state, Free, Made) {
			continue
		}
		if t.nextID < firstID {
			t.nextID = firstID
		}
		th.ID = t.nextID
		th.next, th.WaitAddress, th.TimeoutResult, th.WakeResult = 0, 0, 0, 0
		th.InCall, th.TimedOut, th.RestartCall = 0, 0, 0
		th.SignalMask, th.AltStack, th.AltStackSize, th.AltStackFlags, th.ClearChildTID = 0, 0, 0, 0, 0
		atomic.StoreUint64(&th.deadline, 0)
		atomic.StoreUint64(&th.PendingSignals, 0)
		for {
			high := atomic.LoadInt32(&t.high)
			if int32(i) < high || atomic.CompareAndSwapInt32(&t.high, high, int32(i+1)) {
				break
			}
		}
		t.nextID++
		atomic.AddInt32(&t.live, 1)
		return i
	}
	return None
}

// Release frees thread i: one Made and never started, or the running
// thread, which exits (no vCPU will resume it, so its onCPU is cleared).
func (t *Table) Release(i int) {
	th := t.At(i)
	s := atomic.LoadUint32(&th.state)
	if s != Made && s != Running {
		return
	}
	atomic.StoreUint32(&th.onCPU, 0)
	atomic.StoreUint32(&th.state, Free)
	atomic.AddInt32(&t.live, -1)
}

// ByID returns the index of the live thread with Linux ID id, or None.
func (t *Table) ByID(id uint64) int {
	high := int(atomic.LoadInt32(&t.high))
	for i := 0; i < high && i < MaxThreads; i++ {
		if atomic.LoadUint32(&t.threads[i].state) != Free && uint64(t.threads[i].ID) == id {
			return i
		}
	}
	return None
}

// Ready puts thread i at the tail of vCPU q's run queue: the thread q runs
// (it yields), or one Made (it starts). Only vCPU q calls it.
func (t *Table) Ready(i, q int) {
	th := t.At(i)
	if s := atomic.LoadUint32(&th.state); s != Running && s != Made {
		return
	}
	atomic.StoreUint32(&th.state, Runnable)
	t.queues[uint(q)%MaxQueues].push(int32(i))
}

// UseQueues says that vCPUs 0 to n-1 use run queues (n grows as vCPUs
// start; none is ever given up), so that Waiting and Take need not look at
// the others. Until it is called, they look at all MaxQueues.
func (t *Table) UseQueues(n int) {
	if n > 0 && n <= MaxQueues {
		atomic.StoreUint32(&t.inUse, uint32(n))
	}
}

// queuesInUse returns how many run queues Waiting and Take look at.
func (t *Table) queuesInUse() int {
	if n := atomic.LoadUint32(&t.inUse); n != 0 && n <= MaxQueues {
		return int(n)
	}
	return MaxQueues
}

// Waiting returns how many threads are in the run queues.
func (t *Table) Waiting() int {
	n := 0
	for q, used := 0, t.queuesInUse(); q < used; q++ {
		n += t.queues[uint(q)%MaxQueues].length()
	}
	return n
}

// Take takes the next thread for vCPU q to run, from its own queue or,
// when that is empty, from another's (the oldest first), and marks it
// Running; None when every queue is empty. Only vCPU q calls it. Before
// resuming the thread, q must hold it (TryHold, Hold): the vCPU that ran
// it last may still be on its TLS block.
func (t *Table) Take(q int) int {
	used := t.queuesInUse()
	for k := 0; k < used; k++ {
		i := t.queues[uint(q+k)%uint(used)%MaxQueues].pop()
		if i != None {
			if k != 0 {
				atomic.AddUint64(&t.steals[uint(q)%MaxQueues], 1)
			}
			atomic.StoreUint32(&t.At(i).state, Running)
			return i
		}
	}
	return None
}

// TryHold makes thread i vCPU q's (its onCPU word) unless another vCPU is
// still on its TLS block, and reports whether it did.
func (t *Table) TryHold(i, q int) bool {
	on := &t.At(i).onCPU
	mine := uint32(q + 1)
	return atomic.LoadUint32(on) == mine || atomic.CompareAndSwapUint32(on, 0, mine)
}

// Hold waits until thread i can be vCPU q's and makes it so. The caller
// must hold no other thread (it has left the TLS block it was on): two
// vCPUs that each waited for the other's would wait for ever, and a vCPU
// that holds none never waits. It gives up after limit rounds (the CPU
// goes to the kernel every 1024) and reports false, for the caller to
// look at the time and wait again or give up.
func (t *Table) Hold(i, q, limit int) bool {
	for spins := 1; !t.TryHold(i, q); spins++ {
		if spins >= limit {
			return false
		}
		t.spin(spins)
	}
	return true
}

// OnCPU returns the address of thread i's onCPU word, which the vCPU that
// holds it clears (Leave, or the resume of another thread in assembly)
// when it no longer runs libOS code on the thread's TLS block.
func (t *Table) OnCPU(i int) *uint32 { return &t.At(i).onCPU }

// Leave says vCPU q has left thread i's TLS block (see Hold).
func (t *Table) Leave(i, q int) {
	atomic.CompareAndSwapUint32(&t.At(i).onCPU, uint32(q+1), 0)
}

// spin is one round of waiting: now and then the CPU goes to the kernel
// (what is waited for may be a vCPU preempted on this very CPU).
func (t *Table) spin(spins int) {
	atomic.AddUint64(&t.Spins, 1)
	if spins%1024 == 0 {
		exo.Yield()
	}
}
