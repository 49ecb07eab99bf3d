// Package uthread keeps the libOS's user-level threads: the Go runtime's
// threads (its Ms, made with clone) multiplexed onto the vCPUs the kernel
// gives the process. It is the pure part of the scheduler: the thread
// table, the run queue, futex waits keyed by address and deadlines. The
// libOS (libos/linux) saves and loads the threads' registers and decides
// when to switch.
//
// Restricted Go (docs/restricted-go.md): no allocation, no pointers, no
// panics; the zero value is an empty table. It takes no lock: the libOS
// serializes its vCPUs' use of it (libos/linux's lock), and keeps which
// thread each vCPU runs itself.
//
// TODO(issue 7): per-vCPU run queues with lock-free cross-vCPU wake-ups,
// instead of one queue under the libOS's lock.
package uthread

// MaxThreads bounds the threads of a process (a Go test binary makes 60 or
// more).
const MaxThreads = 256

// Thread states.
const (
	Free     = 0
	Runnable = 1 // in the run queue
	Running  = 2 // on a vCPU
	Blocked  = 3 // waiting on a futex word, a deadline or both
)

// None is the index of no thread.
const None = -1

// Thread is one user-level thread.
type Thread struct {
	State uint32
	ID    uint32 // the Linux thread ID
	next  int32  // run-queue link, index+1 (0: none)

	// While Blocked: the futex word waited on (0 for a sleep), the
	// deadline in nanoseconds since boot (0 for none), and what the
	// thread's call returns when the deadline passes.
	WaitAddress    uintptr
	Deadline       uint64
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
	PendingSignals uint64
	ClearChildTID  uintptr
}

// Table is the threads of a process.
type Table struct {
	threads    [MaxThreads]Thread
	head, tail int32 // run queue, index+1 (0: empty)
	live       int
	queued     int
	high       int // 1 + the highest index ever used: scans stop there
	nextID     uint32
	// earliest is at or before the earliest deadline of a blocked thread
	// (0: none); Expire makes it exact.
	earliest uint64
}

// At returns thread i (i must come from this table).
func (t *Table) At(i int) *Thread { return &t.threads[uint(i)%MaxThreads] }

// Live returns the number of threads not Free.
func (t *Table) Live() int { return t.live }

// Run records thread i as running on a vCPU.
func (t *Table) Run(i int) { t.At(i).State = Running }

// New takes a free thread with a fresh ID from firstID up and returns its
// index, or None when the table is full. Its Context is kept: it belongs to
// the slot.
func (t *Table) New(firstID uint32) int {
	for i := 0; i < MaxThreads; i++ {
		th := &t.threads[i]
		if th.State != Free {
			continue
		}
		if t.nextID < firstID {
			t.nextID = firstID
		}
		context := th.Context
		*th = Thread{State: Blocked, ID: t.nextID, Context: context}
		if i >= t.high {
			t.high = i + 1
		}
		t.nextID++
		t.live++
		return i
	}
	return None
}

// Release frees thread i (it has exited).
func (t *Table) Release(i int) {
	th := t.At(i)
	if th.State == Free {
		return
	}
	if th.State == Runnable {
		t.remove(i)
	}
	th.State = Free
	t.live--
}

// ByID returns the index of the live thread with Linux ID id, or None.
func (t *Table) ByID(id uint64) int {
	for i := 0; i < t.high && i < MaxThreads; i++ {
		if t.threads[i].State != Free && uint64(t.threads[i].ID) == id {
			return i
		}
	}
	return None
}

// Waiting returns how many threads are in the run queue.
func (t *Table) Waiting() int { return t.queued }

// Ready puts thread i at the tail of the run queue.
func (t *Table) Ready(i int) {
	th := t.At(i)
	if th.State == Runnable {
		return
	}
	t.queued++
	th.State = Runnable
	th.next = 0
	if t.tail == 0 {
		t.head = int32(i + 1)
	} else {
		t.At(int(t.tail - 1)).next = int32(i + 1)
	}
	t.tail = int32(i + 1)
}

// Next takes the thread at the head of the run queue, or None.
func (t *Table) Next() int {
	if t.head == 0 {
		return None
	}
	i := int(t.head - 1)
	th := t.At(i)
	t.head = th.next
	if t.head == 0 {
		t.tail = 0
	}
	t.queued--
	th.next = 0
	th.State = Blocked // the caller runs it (Run) or queues it again
	return i
}

// remove takes runnable thread i out of the run queue.
func (t *Table) remove(i int) {
	previous := int32(0)
	for at := t.head; at != 0; at = t.At(int(at - 1)).next {
		if int(at-1) != i {
			previous = at
			continue
		}
		next := t.At(i).next
		if previous == 0 {
			t.head = next
		} else {
			t.At(int(previous - 1)).next = next
		}
		if t.tail == at {
			t.tail = previous
		}
		t.queued--
		return
	}
}

// Block makes thread i wait on the futex word at address (0: none) until
// deadline (0: none). A Wake returns WakeResult 0; the deadline returns
// timeoutResult.
func (t *Table) Block(i int, address uintptr, deadline uint64, timeoutResult int64) {
	th := t.At(i)
	th.State = Blocked
	th.WaitAddress = address
	th.Deadline = deadline
	th.TimeoutResult = timeoutResult
	if deadline != 0 && (t.earliest == 0 || deadline < t.earliest) {
		t.earliest = deadline
	}
	th.WakeResult = 0
	th.InCall = 1
	th.TimedOut = 0
	th.RestartCall = 0
}

// Wake makes up to n threads waiting on the futex word at address runnable,
// in table order, and returns how many.
func (t *Table) Wake(address uintptr, n int) int {
	woken := 0
	for i := 0; i < t.high && i < MaxThreads && woken < n; i++ {
		th := &t.threads[i]
		if th.State == Blocked && th.WaitAddress == address && address != 0 {
			th.WaitAddress, th.Deadline, th.WakeResult = 0, 0, 0
			t.Ready(i)
			woken++
		}
	}
	return woken
}

// Interrupt ends blocked thread i's wait for a signal: it becomes
// runnable, its call returning result or, with restart, running again
// (its RestartCall is kept). It reports whether i was blocked in a call
// (a thread made but not yet started is not).
func (t *Table) Interrupt(i int, result int64, restart bool) bool {
	th := t.At(i)
	if th.State != Blocked || th.InCall == 0 {
		return false
	}
	th.WaitAddress, th.Deadline, th.WakeResult = 0, 0, result
	if !restart {
		th.RestartCall = 0
	}
	t.Ready(i)
	return true
}

// Expire makes every blocked thread whose deadline is at or before now
// runnable (its call returns its TimeoutResult) and returns how many.
// It looks at the threads only when a deadline may have passed.
func (t *Table) Expire(now uint64) int {
	if t.earliest == 0 || now < t.earliest {
		return 0
	}
	n := 0
	earliest := uint64(0)
	for i := 0; i < t.high && i < MaxThreads; i++ {
		th := &t.threads[i]
		if th.State != Blocked || th.Deadline == 0 {
			continue
		}
		if th.Deadline <= now {
			th.WaitAddress, th.Deadline, th.WakeResult = 0, 0, th.TimeoutResult
			th.TimedOut = 1
			t.Ready(i)
			n++
		} else if earliest == 0 || th.Deadline < earliest {
			earliest = th.Deadline
		}
	}
	t.earliest = earliest
	return n
}

// Earliest returns a time at or before the earliest deadline of a blocked
// thread (exact after Expire), or 0 when none has one.
func (t *Table) Earliest() uint64 { return t.earliest }
