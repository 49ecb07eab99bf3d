package linux

import (
	"sync/atomic"

	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/uthread"
)

// Waiting on pipes (pipes.go): the lock each side of a pipe takes for a
// copy, and the wake-ups of the threads and epoll instances that wait on
// ends another process (or this one) changed.

// pipeLock takes the lock word at address (a pipe's readers' or
// writers'), held only for one copy. A holder seen holding it for
// pipeLockBreak was ended while copying: its lock is taken from it.
func pipeLock(address uintptr) {
	word := (*uint32)(bare.At(address))
	me := uint32(1 + processID)
	var holder uint32
	var since uint64
	for spins := 1; !atomic.CompareAndSwapUint32(word, 0, me); spins++ {
		if spins%64 != 0 {
			continue
		}
		now := bare.Now()
		if h := atomic.LoadUint32(word); h != holder || since == 0 {
			holder, since = h, now
		} else if now-since > pipeLockBreak && atomic.CompareAndSwapUint32(word, h, me) {
			return
		}
		exo.Yield()
	}
}

// pipeUnlock lets the lock word at address go, if this process holds it.
func pipeUnlock(address uintptr) {
	atomic.CompareAndSwapUint32((*uint32)(bare.At(address)), uint32(1+processID), 0)
}

// pipeLockBreak is how long a pipe's lock may stay with one holder
// before a waiter takes it.
const pipeLockBreak = 200_000_000

// pipeActivity wakes the threads blocked on pipe ends that can go on now
// (a change in this process, or a word event from another), and marks
// the events of the watched ends pending, waking their epoll_pwait. A
// blocked thread's call runs again and blocks again if it must.
func pipeActivity() {
	if vfork.swapped {
		return // a vfork child's table is live: its end looks again (vforkEnd)
	}
	for d := uint(1); d < min(descHigh, maxOpen); d++ {
		f := &descs[d]
		if (f.kind != kindPipeRead && f.kind != kindPipeWrite) || !f.armed {
			continue
		}
		// Only a change wakes: an end that stays ready (a writer with
		// room) must not wake a poll waiting on something else again
		// and again.
		if stamp := pipeStamp(f); stamp != f.stamp && pipeCanGo(f) {
			f.stamp = stamp
			threads.Wake(pipeKey(d), uthread.MaxThreads, callsHolder)
			threads.Wake(selectKey, uthread.MaxThreads, callsHolder) // poll and select look again (poll.go)
		}
	}
	for i := range registrations {
		r := &registrations[i]
		if r.epoll == 0 {
			continue
		}
		f := fileAt(uint64(r.fd))
		if f == nil || (f.kind != kindPipeRead && f.kind != kindPipeWrite) {
			continue
		}
		stamp := pipeStamp(f)
		if ready := pipeReady(f); ready != 0 && stamp != r.stamp {
			r.pending |= ready
			r.stamp = stamp
			threads.Wake(epollKey(uint(r.epoll-1)), uthread.MaxThreads, callsHolder)
		}
	}
}

// pipeStamp sums pipe end f's counters: it changes when the pipe does
// (a named FIFO's opens too: an open and close of the other side leaves
// the rest as it was, and must wake an open that waits: fifo.go).
func pipeStamp(f *file) uint64 {
	return atomic.LoadUint64(word64(f.slot+pipeCounter)) + 3*atomic.LoadUint64(word64(f.peer+pipeCounter)) +
		5*atomic.LoadUint64(word64(f.slot+pipeOpens)) + 7*atomic.LoadUint64(word64(f.peer+pipeOpens)) +
		metaWord(f.slot, exo.FileMetaWriters)<<48 + metaWord(f.peer, exo.FileMetaWriters)<<56
}

// checkPipes serves a word event (or the idle loop's look): it wakes what
// can go on, and watches again for the polled ends (a watch ends with its
// event). It reports whether the idle loop must poll.
func checkPipes() (poll bool) {
	pipeActivity()
	// Every end a thread waits on (blocked, or through epoll, poll or
	// select): a word event took the watches it fired.
	for d := uint(1); d < min(descHigh, maxOpen); d++ {
		if f := &descs[d]; (f.kind == kindPipeRead || f.kind == kindPipeWrite) && f.armed && armPipe(f) && pipeStamp(f) != f.stamp {
			pipeActivity()
		}
	}
	for i := range registrations {
		r := &registrations[i]
		if r.epoll == 0 {
			continue
		}
		if f := fileAt(uint64(r.fd)); f != nil && (f.kind == kindPipeRead || f.kind == kindPipeWrite) && !f.armed && armPipe(f) {
			pipeActivity()
		}
	}
	poll = pipesPoll
	pipesPoll = false
	return poll
}
