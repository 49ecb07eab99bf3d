package uthread

import "sync/atomic"

// Waiting: futex lists and deadlines.
//
// A blocked thread is on the futex list of its word (when it waits on one)
// and has a deadline (when it waits for one). It wakes exactly once: the
// waker that moves its state from Blocked to Waking (claim) takes it off
// its list, clears its deadline, gives its call a result and queues it on
// the waker's own vCPU (finish). Lock order: a futex list's lock, then the
// timer lock (Block); Expire takes the timer lock alone and takes its
// threads off their lists after letting it go.

// lists is the number of futex lists (a power of two).
const lists = 64

// list is one futex list: the threads waiting on words that hash to it,
// linked through Thread.next in the order they began to wait.
type list struct {
	lock       uint32 // atomic
	head, tail int32  // index+1 (0: empty)
	_          [52]byte
}

// listOf returns the number of the futex list of address.
func listOf(address uintptr) int {
	return int((uint64(address) * 0x9E3779B97F4A7C15) >> 58) // the top 6 bits: 64 lists
}

// LockWord takes the lock of address's futex list and returns the list,
// for BlockLocked or UnlockWord: a futex wait checks its word while it
// holds it.
func (t *Table) LockWord(address uintptr) int {
	l := listOf(address)
	t.lock(&t.lists[uint(l)%lists].lock)
	return l
}

// UnlockWord lets list l's lock go.
func (t *Table) UnlockWord(l int) { atomic.StoreUint32(&t.lists[uint(l)%lists].lock, 0) }

func (t *Table) lock(word *uint32) {
	for spins := 1; !atomic.CompareAndSwapUint32(word, 0, 1); spins++ {
		t.spin(spins)
	}
}

// Block makes thread i, which its caller's vCPU runs, wait on the futex
// word at address (0: none) until deadline (0: none). A Wake returns
// WakeResult 0 from its call, the deadline timeoutResult. restart,
// non-zero, is the call's number + 1: a Wake (not the deadline) runs the
// call again. The caller keeps running libOS code on the thread's TLS
// block until it Leaves it; the thread may be woken at once.
func (t *Table) Block(i int, address uintptr, deadline uint64, timeoutResult int64, restart uint64) {
	l := -1
	if address != 0 {
		l = t.LockWord(address)
	}
	t.BlockLocked(l, i, address, deadline, timeoutResult, restart)
}

// BlockLocked is Block for a caller holding address's list lock l
// (LockWord; -1 for no address), which it lets go.
func (t *Table) BlockLocked(l, i int, address uintptr, deadline uint64, timeoutResult int64, restart uint64) {
	th := t.At(i)
	th.WaitAddress = address
	th.TimeoutResult = timeoutResult
	th.WakeResult = 0
	th.InCall = 1
	th.TimedOut = 0
	th.RestartCall = restart
	if deadline != 0 {
		t.lock(&t.timerLock)
		atomic.StoreUint64(&th.deadline, deadline)
		if e := atomic.LoadUint64(&t.earliest); e == 0 || deadline < e {
			atomic.StoreUint64(&t.earliest, deadline)
		}
		atomic.StoreUint32(&t.timerLock, 0)
	}
	if l < 0 {
		atomic.StoreUint32(&th.state, Blocked)
		return
	}
	ls := &t.lists[uint(l)%lists]
	th.next = 0
	if ls.tail == 0 {
		ls.head = int32(i + 1)
	} else {
		t.At(int(ls.tail - 1)).next = int32(i + 1)
	}
	ls.tail = int32(i + 1)
	atomic.StoreUint32(&th.state, Blocked)
	t.UnlockWord(l)
}

// claim moves thread th from Blocked to Waking: false when it is not
// blocked (another waker has it, or it runs).
func claim(th *Thread) bool { return atomic.CompareAndSwapUint32(&th.state, Blocked, Waking) }

// finish wakes claimed thread i: its call returns result (timedOut: its
// deadline passed), it leaves its futex list (whose lock the caller holds
// when it is held; -1: none) and joins vCPU q's run queue.
func (t *Table) finish(i int, result int64, timedOut bool, held, q int) {
	th := t.At(i)
	if th.WaitAddress != 0 {
		l := listOf(th.WaitAddress)
		if l != held {
			t.lock(&t.lists[uint(l)%lists].lock)
		}
		t.unlink(l, i)
		if l != held {
			t.UnlockWord(l)
		}
	}
	th.WaitAddress = 0
	atomic.StoreUint64(&th.deadline, 0)
	th.WakeResult = result
	th.TimedOut = 0
	if timedOut {
		th.TimedOut = 1
	}
	atomic.StoreUint32(&th.state, Runnable)
	t.queues[uint(q)%MaxQueues].push(int32(i))
}

// unlink takes thread i off futex list l (whose lock the caller holds).
func (t *Table) unlink(l, i int) {
	ls := &t.lists[uint(l)%lists]
	previous := int32(0)
	for at := ls.head; at != 0; at = t.At(int(at - 1)).next {
		if int(at-1) != i {
			previous = at
			continue
		}
		next := t.At(i).next
		if previous == 0 {
			ls.head = next
		} else {
			t.At(int(previous - 1)).next = next
		}
		if ls.tail == at {
			ls.tail = previous
		}
		t.At(i).next = 0
		return
	}
}

// Wake makes up to n threads waiting on the futex word at address
// runnable, in the order they began to wait, on vCPU q's run queue, and
// returns how many. Only vCPU q calls it.
func (t *Table) Wake(address uintptr, n, q int) int {
	if address == 0 || n <= 0 {
		return 0
	}
	l := t.LockWord(address)
	woken := 0
	for at := t.lists[uint(l)%lists].head; at != 0 && woken < n; {
		i := int(at - 1)
		th := t.At(i)
		at = th.next
		if th.WaitAddress == address && claim(th) {
			t.finish(i, 0, false, l, q)
			woken++
		}
	}
	t.UnlockWord(l)
	return woken
}

// Interrupt ends blocked thread i's wait for a signal: it becomes runnable
// on vCPU q's run queue, its call returning result or, with restart,
// running again (its RestartCall is kept). It reports whether i was
// blocked (a thread made but not yet started is not).
func (t *Table) Interrupt(i int, result int64, restart bool, q int) bool {
	th := t.At(i)
	if !claim(th) {
		return false
	}
	if !restart {
		th.RestartCall = 0
	}
	t.finish(i, result, false, -1, q)
	return true
}

// Expire makes every blocked thread whose deadline is at or before now
// runnable on vCPU q's run queue (its call returns its TimeoutResult) and
// returns how many. It looks at the threads only when a deadline may have
// passed. Only vCPU q calls it.
func (t *Table) Expire(now uint64, q int) int {
	if e := atomic.LoadUint64(&t.earliest); e == 0 || now < e {
		return 0
	}
	var claimed [MaxThreads / 64]uint64
	t.lock(&t.timerLock)
	earliest := uint64(0)
	high := int(atomic.LoadInt32(&t.high))
	for i := 0; i < high && i < MaxThreads; i++ {
		th := &t.threads[i]
		d := atomic.LoadUint64(&th.deadline)
		if d == 0 {
			continue
		}
		if d <= now && claim(th) {
			claimed[uint(i/64)%uint(len(claimed))] |= 1 << (uint(i) % 64)
			continue
		}
		// Still to come, or past but not claimable yet (its thread is
		// not blocked yet, or another waker finishes it): kept, so the
		// next Expire looks again.
		if earliest == 0 || d < earliest {
			earliest = d
		}
	}
	atomic.StoreUint64(&t.earliest, earliest)
	atomic.StoreUint32(&t.timerLock, 0)
	n := 0
	for i := 0; i < high && i < MaxThreads; i++ {
		if claimed[uint(i/64)%uint(len(claimed))]&(1<<(uint(i)%64)) != 0 {
			t.finish(i, t.threads[i].TimeoutResult, true, -1, q)
			n++
		}
	}
	return n
}

// Earliest returns a time at or before the earliest deadline of a blocked
// thread (exact after Expire), or 0 when none has one.
func (t *Table) Earliest() uint64 { return atomic.LoadUint64(&t.earliest) }
