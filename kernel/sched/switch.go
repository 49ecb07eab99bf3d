package sched

import (
	"sync/atomic"
	"unsafe"

	"exogo/arch/amd64"
	"exogo/kernel/cpu"
	"exogo/kernel/layout"
	"exogo/kernel/memory"
	"exogo/kernel/paging"
	"exogo/kernel/smp"
)

// The switching half of the scheduler. Every function here is called by the
// trap dispatcher with interrupts disabled, on the kernel stack of the
// thread that trapped, and returns the address of the frame the CPU resumes.

// Schedule picks the next thread for this CPU: the head of its run queue,
// or its idle frame when the queue is empty. The caller has already put the
// current thread back in the queue or blocked it.
func Schedule(now uint64) uintptr {
	c := cpu.This()
	current := int32(c.Current) // the thread whose stack this runs on, or -1
	acquire()
	slot := reapDead(c)
	settle(c, current)
	i, ok := runQueues[uint(c.Index)%amd64.MaxCPUs].pop()
	var t *Thread
	if ok {
		t = &threads[uint32(i)%MaxThreads]
		t.State = Running
		t.OnCPU = int32(c.Index)
		t.sliceEnds = now + TimeSlice
	}
	if current >= 0 && (!ok || i != current) && onStack(threads[uint32(current)%MaxThreads].StackTop) {
		// (A CPU that switches twice in one trap still runs on the first
		// thread's stack: that one stays the leaving thread.)
		leaving[uint(c.Index)%amd64.MaxCPUs] = current + 1
	}
	release()
	freeStack(slot)
	if !ok {
		c.Current = ^uintptr(0)
		c.Process, c.VCPU = 0, 0
		c.SetStackTop(c.IdleStackTop)
		switchAddressSpace(c, 0)
		return c.IdleFrame
	}
	switchAddressSpace(c, t.AddressSpace)
	c.Current = uintptr(i)
	c.Process, c.VCPU = t.Process, t.VCPU
	c.SetStackTop(t.StackTop)
	return t.frameAddress()
}

// switchAddressSpace loads the page tables rooted at root (0: the kernel's)
// unless they are loaded already. Every address space shares the kernel
// half, so kernel code keeps running across the switch. The CPU's
// AddressSpace is published before CR3 changes (see kernel/smp's
// shootdown).
func switchAddressSpace(c *cpu.CPU, root uint64) {
	if root == 0 {
		root = memory.Kernel.Root
	}
	if amd64.ReadCR3()&paging.AddressMask != root {
		atomic.StoreUint64(&c.AddressSpace, root)
		amd64.WriteCR3(root)
	} else if atomic.LoadUint64(&c.AddressSpace) != root {
		atomic.StoreUint64(&c.AddressSpace, root)
	}
}

// reapDead takes the thread that exited on CPU c before the last switch
// out of the table, if c now runs on another stack, and returns its kernel
// stack slot for freeStack (-1: none). Called with the lock held.
//
// Which stack the CPU runs on is read from the stack pointer, not from
// c.StackTop: after a switch in this trap (Schedule) the CPU still runs on
// the trapping thread's stack until the trap returns, and a second switch
// in the same trap (Drop) must not free it.
func reapDead(c *cpu.CPU) int32 {
	d := &deadWaiting[uint(c.Index)%amd64.MaxCPUs]
	if *d <= 0 {
		return -1
	}
	t := &threads[uint32(*d-1)%MaxThreads]
	if onStack(t.StackTop) {
		return -1
	}
	slot := t.Stack
	*t = Thread{}
	*d = 0
	return slot
}

// settle clears the OnCPU mark of the thread CPU c left at its previous
// switch: c now runs on current's stack (-1: the idle stack), so unless it
// came back to that thread it no longer touches its stack. When c still
// runs on that stack (a second switch in the same trap: the first one's
// thread was dropped), the mark stays, so that End leaves the stack alone
// (as reapDead does for a dead thread's). Called with the lock held, on c.
func settle(c *cpu.CPU, current int32) {
	l := &leaving[uint(c.Index)%amd64.MaxCPUs]
	if *l <= 0 || *l-1 == current {
		return
	}
	t := &threads[uint32(*l-1)%MaxThreads]
	if onStack(t.StackTop) {
		return // the next switch on c settles it
	}
	if t.OnCPU == int32(c.Index) && t.State != Running {
		t.OnCPU = -1
	}
	*l = 0
}

// freeStack frees a dead thread's kernel stack, called without the lock.
// Kernel stacks are global mappings, and the thread may have been created
// (its first frame written) on another CPU, which may still cache the
// stack's translations: every CPU drops them first, so that when the slot
// is reused with new frames no CPU writes through a stale entry into the
// old ones. (The stack is dead: no CPU touches it in between.)
// TODO(smp): memory.FreeStack should shoot down between its unmap and its
// free instead; then this shootdown goes.
func freeStack(slot int32) {
	if slot < 0 {
		return
	}
	base := layout.KernelStacks + uintptr(slot)*layout.StackSlot
	smp.InvalidateKernelRange(base, base+layout.StackSlot)
	memory.FreeStack(slot)
}

// Resume returns the frame of the running thread, or schedules if this CPU
// is idle. For traps that do not change what runs.
func Resume(now uint64) uintptr {
	t := Current()
	if t == nil {
		return Schedule(now)
	}
	return t.frameAddress()
}

// Yield puts the running thread at the back of its run queue and switches.
func Yield(now uint64) uintptr {
	if i := CurrentIndex(); ByIndex(i) != nil {
		acquire()
		t := &threads[uint32(i)%MaxThreads]
		t.State = Runnable
		queueOf(t).push(i)
		release()
	}
	return Schedule(now)
}

// Tick is the timer's hook, on every CPU: wake threads whose deadline has
// passed (onto their own CPU's queue), and preempt this CPU's running
// thread when its slice is over and another thread waits in this CPU's
// queue. An idle CPU picks up a thread queued for it at its next tick.
func Tick(now uint64) uintptr {
	frame, _ := tick(now, false)
	return frame
}

// TickUser is Tick for a tick taken in user mode, where the exokernel
// decides what the end of a time slice means (an epilogue upcall, kernel/exo):
// when the running thread's slice is over and another thread waits, it
// reports sliceOver and returns the running thread's frame instead of
// switching.
func TickUser(now uint64) (frame uintptr, sliceOver bool) { return tick(now, true) }

// ExtendSlice gives the running thread d more nanoseconds from now before
// its slice is over (an epilogue's grace period).
func ExtendSlice(now, d uint64) {
	if t := Current(); t != nil {
		t.sliceEnds = now + d
	}
}

func tick(now uint64, deferSliceEnd bool) (uintptr, bool) {
	c := cpu.This()
	acquire()
	if earliestWake != 0 && earliestWake <= now {
		wakeExpired(now)
	}
	waiting := runQueues[uint(c.Index)%amd64.MaxCPUs].size
	// An idle CPU reaps the thread that exited on it (nothing else would
	// switch it before the next thread arrives).
	slot := reapDead(c)
	settle(c, int32(c.Current))
	t := Current()
	if t != nil && t.stopRequested {
		t.State = Blocked
		t.WaitKey, t.WakeAt, t.stopRequested = 0, 0, false
		release()
		freeStack(slot)
		return Schedule(now), false
	}
	release()
	freeStack(slot)
	if t == nil {
		if waiting > 0 {
			return Schedule(now), false
		}
		return c.IdleFrame, false
	}
	if now >= t.sliceEnds && waiting > 0 {
		if deferSliceEnd {
			return t.frameAddress(), true
		}
		return Yield(now), false
	}
	return t.frameAddress(), false
}

// onStack reports whether the calling code runs on the kernel stack whose
// top is top (the stack pointer lies in its slot).
func onStack(top uintptr) bool {
	var here uintptr
	sp := uintptr(unsafe.Pointer(&here))
	return sp < top && top-sp < layout.StackSlot
}

// OnCurrentStack reports whether this CPU runs on the kernel stack of the
// thread it runs now: false after a switch in this trap, since the CPU
// still runs on the trapping thread's stack until the trap returns.
func OnCurrentStack() bool {
	t := Current()
	return t != nil && onStack(t.StackTop)
}

// Drop ends the thread this CPU has just switched to in this trap, before
// it runs (kernel/exo, when that thread's process is being ended): no CPU
// runs on its stack, which is freed at once. It switches again and
// returns the frame to resume. Only call it when OnCurrentStack is false.
func Drop(now uint64) uintptr {
	c := cpu.This()
	if t := Current(); t != nil && !onStack(t.StackTop) {
		acquire()
		discard(t, CurrentIndex())
		c.Current = ^uintptr(0) // no thread: Schedule leaves the stack it runs on alone
	}
	return Schedule(now)
}

// Exit ends the running thread and switches. Its kernel stack is freed at
// this CPU's next switch, once the CPU runs on another stack.
func Exit(now uint64) uintptr {
	c := cpu.This()
	slot := int32(-1)
	if i := CurrentIndex(); ByIndex(i) != nil {
		acquire()
		slot = reapDead(c)
		threads[uint32(i)%MaxThreads].State = Dead
		deadWaiting[uint(c.Index)%amd64.MaxCPUs] = i + 1
		release()
	}
	freeStack(slot)
	return Schedule(now)
}

// RunnableCount returns the number of threads waiting in run queues.
func RunnableCount() int {
	n := 0
	acquire()
	for c := range runQueues {
		n += int(runQueues[c].size)
	}
	release()
	return n
}

// wakeExpired makes runnable every blocked thread whose deadline has
// passed, and recomputes earliestWake. The caller holds the lock.
func wakeExpired(now uint64) {
	earliest := uint64(0)
	for i := int32(0); i < MaxThreads; i++ {
		t := &threads[i]
		if t.State != Blocked || t.WakeAt == 0 {
			continue
		}
		if t.WakeAt <= now {
			t.Frame().RAX = uint64(t.TimeoutResult)
			t.State = Runnable
			t.WaitKey, t.WakeAt = 0, 0
			queueOf(t).push(i)
		} else if earliest == 0 || t.WakeAt < earliest {
			earliest = t.WakeAt
		}
	}
	earliestWake = earliest
}

// NextDeadline returns the earliest wake-up deadline of a blocked thread,
// or 0 when there is none.
func NextDeadline() uint64 {
	next := uint64(0)
	acquire()
	for i := range threads {
		t := &threads[i]
		if t.State == Blocked && t.WakeAt != 0 && (next == 0 || t.WakeAt < next) {
			next = t.WakeAt
		}
	}
	release()
	return next
}

// Kill ends thread i, which must not be running on a CPU: it leaves its
// run queue or its wait, and its kernel stack is freed. When the thread is
// running (on another CPU), or its CPU has not yet left its stack, Kill
// reports false and changes nothing but asking that CPU to park a running
// thread at its next timer tick: a retry a few milliseconds later
// succeeds.
func Kill(i int32) bool {
	t := ByIndex(i)
	if t == nil {
		return false
	}
	acquire()
	if t.State == Unused || t.State == Dead {
		release() // nothing to end (a dead thread's CPU frees its stack)
		return true
	}
	if t.State == Running {
		t.stopRequested = true
		release()
		return false
	}
	if t.OnCPU >= 0 && t.OnCPU != int32(cpu.This().Index) {
		// Blocked or queued, but its CPU may still run on its stack
		// (the switch away is under way): settle clears this within
		// a tick. (This CPU runs the caller's stack, not the thread's.)
		release()
		return false
	}
	discard(t, i)
	return true
}

// End ends thread i, of a process being ended, if no CPU runs on its
// stack: it leaves its run queue or its wait and its kernel stack is
// freed; End returns -1. Otherwise it changes nothing but making a blocked
// thread runnable, and returns the CPU the thread is bound to: the thread
// is to end itself at its next trap on that CPU, which the caller should
// interrupt (kernel/exo sends it an IPI).
func End(i int32) int32 {
	t := ByIndex(i)
	if t == nil {
		return -1
	}
	acquire()
	if t.State == Unused || t.State == Dead {
		release() // nothing to end (a dead thread's CPU frees its stack)
		return -1
	}
	if t.State == Running || t.OnCPU >= 0 && t.OnCPU != int32(cpu.This().Index) {
		if t.State == Blocked {
			t.State = Runnable
			t.WaitKey, t.WakeAt = 0, 0
			queueOf(t).push(i)
		}
		bound := t.CPU
		release()
		return bound
	}
	discard(t, i)
	return -1
}

// discard takes thread i (t), on no CPU's stack, out of its run queue and
// the table, and frees its kernel stack. Called with the lock held, which
// it releases.
func discard(t *Thread, i int32) {
	if t.State == Runnable {
		queueOf(t).remove(i)
	}
	slot := t.Stack
	*t = Thread{}
	release()
	freeStack(slot)
}

// RunningOn returns the CPU that runs thread i now, or -1 when it is not
// running.
func RunningOn(i int32) int32 {
	t := ByIndex(i)
	if t == nil {
		return -1
	}
	acquire()
	c := int32(-1)
	if t.State == Running {
		c = t.OnCPU
	}
	release()
	return c
}

// FreeThreads returns how many thread slots are unused.
func FreeThreads() int {
	n := 0
	acquire()
	for i := range threads {
		if threads[i].State == Unused {
			n++
		}
	}
	release()
	return n
}
