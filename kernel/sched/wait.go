package sched

import "sync/atomic"

// Waiting: a thread blocks on a key (an address, or a kernel/exo wait
// key) with an optional deadline, and others wake it by the key.

// Block parks the running thread until Wake(key) or the deadline wakeAt
// (nanoseconds since boot; 0 = none), whichever is first; on the deadline
// its system call returns timeoutResult. Then it switches.
func Block(key uintptr, wakeAt uint64, timeoutResult int64, now uint64) uintptr {
	if t := Current(); t != nil {
		acquire()
		t.State = Blocked
		t.WaitKey, t.WakeAt, t.TimeoutResult = key, wakeAt, timeoutResult
		if wakeAt != 0 && (earliestWake == 0 || wakeAt < earliestWake) {
			earliestWake = wakeAt
		}
		release()
	}
	return Schedule(now)
}

// BlockUnless is Block for a wait that others end by setting a word:
// under the scheduler's lock it blocks only when *kept is 0 and *signal
// is 0 and *exiting is false; otherwise it blocks nothing and returns 0
// (the caller's call returns). A kept 1 is consumed (made 0). Whoever
// sets *signal or *exiting before waking key, or keeps a wake in *kept
// with WakeOrKeep, cannot be missed by a waiter that checked its events
// an instant before.
func BlockUnless(key uintptr, wakeAt uint64, now uint64, kept, signal *uint32, exiting *bool) uintptr {
	t := Current()
	if t == nil {
		return 0
	}
	acquire()
	if atomic.LoadUint32(signal) != 0 || *exiting {
		release()
		return 0
	}
	if atomic.LoadUint32(kept) != 0 {
		atomic.StoreUint32(kept, 0)
		release()
		return 0
	}
	t.State = Blocked
	t.WaitKey, t.WakeAt, t.TimeoutResult = key, wakeAt, 0
	if wakeAt != 0 && (earliestWake == 0 || wakeAt < earliestWake) {
		earliestWake = wakeAt
	}
	release()
	return Schedule(now)
}

// WakeOrKeep wakes one thread blocked on key or, when none is, keeps the
// wake in *kept (1) for BlockUnless to consume: no wake is lost and none
// counts twice.
func WakeOrKeep(key uintptr, kept *uint32) {
	acquire()
	for i := int32(0); i < MaxThreads; i++ {
		t := &threads[i]
		if t.State == Blocked && t.WaitKey == key && key != 0 {
			t.Frame().RAX = 0
			t.State = Runnable
			t.WaitKey, t.WakeAt = 0, 0
			queueOf(t).push(i)
			release()
			return
		}
	}
	atomic.StoreUint32(kept, 1)
	release()
}

// Wake makes up to n threads blocked on key runnable, with result as their
// system call's result, and returns how many it woke. Each joins the run
// queue of its own CPU.
func Wake(key uintptr, n int, result int64) int {
	woken := 0
	acquire()
	for i := int32(0); i < MaxThreads && woken < n; i++ {
		t := &threads[i]
		if t.State == Blocked && t.WaitKey == key && key != 0 {
			t.Frame().RAX = uint64(result)
			t.State = Runnable
			t.WaitKey, t.WakeAt = 0, 0
			queueOf(t).push(i)
			woken++
		}
	}
	release()
	return woken
}

// WaitingOn reports how many threads are blocked on key.
func WaitingOn(key uintptr) int {
	n := 0
	acquire()
	for i := range threads {
		if threads[i].State == Blocked && threads[i].WaitKey == key {
			n++
		}
	}
	release()
	return n
}
