package uthread

import "sync/atomic"

// queue is one vCPU's run queue: a ring of thread indexes that only its
// vCPU adds to (at the tail) and any vCPU takes from (at the head, by
// compare-and-swap), with no lock. A thread is in at most one queue at a
// time, so a ring of MaxThreads never overflows.
//
// Why a take is safe: the taker reads the slot at head, then moves head on
// with a compare-and-swap. The owner writes a slot only once head has
// passed it, so if the slot was overwritten in between, head moved, and
// the compare-and-swap fails and the taker tries again.
type queue struct {
	head  uint32 // atomic: the next slot to take
	_     [60]byte
	tail  uint32 // atomic: the next slot to fill (only the owner writes it)
	_     [60]byte
	slots [MaxThreads]int32 // atomic
}

// push adds thread i at the tail. Only the queue's vCPU calls it.
func (r *queue) push(i int32) {
	tail := atomic.LoadUint32(&r.tail)
	atomic.StoreInt32(&r.slots[tail%MaxThreads], i)
	atomic.StoreUint32(&r.tail, tail+1)
}

// pop takes the thread at the head, or None.
func (r *queue) pop() int {
	for {
		head := atomic.LoadUint32(&r.head)
		tail := atomic.LoadUint32(&r.tail)
		if head == tail {
			return None
		}
		i := atomic.LoadInt32(&r.slots[head%MaxThreads])
		if atomic.CompareAndSwapUint32(&r.head, head, head+1) {
			return int(i)
		}
	}
}

// length returns how many threads the queue holds (a snapshot).
func (r *queue) length() int {
	head := atomic.LoadUint32(&r.head)
	tail := atomic.LoadUint32(&r.tail)
	return int(int32(tail - head))
}
