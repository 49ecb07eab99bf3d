package sched

import (
	"exogo/arch/amd64"
	"exogo/kernel/cpu"
	"exogo/kernel/memory"
	"exogo/kernel/paging"
)

// The switching half of the scheduler. Every function here is called by the
// trap dispatcher with interrupts disabled, on the kernel stack of the
// thread that trapped, and returns the address of the frame the CPU resumes.

// Schedule picks the next thread for this CPU: the head of the run queue,
// or the CPU's idle frame when the queue is empty. The caller has already
// put the current thread back in the queue or blocked it.
func Schedule(now uint64) uintptr {
	c := cpu.This()
	acquire()
	reapDead()
	i, ok := runQueue.pop()
	release()
	if !ok {
		c.Current = ^uintptr(0)
		c.SetStackTop(c.IdleStackTop)
		switchAddressSpace(0)
		return c.IdleFrame
	}
	t := &threads[uint32(i)%MaxThreads]
	switchAddressSpace(t.AddressSpace)
	t.State = Running
	t.OnCPU = int32(c.Index)
	t.sliceEnds = now + TimeSlice
	c.Current = uintptr(i)
	c.SetStackTop(t.StackTop)
	return t.frameAddress()
}

// switchAddressSpace loads the page tables rooted at root (0: the kernel's)
// unless they are loaded already. Every address space shares the kernel
// half, so kernel code keeps running across the switch.
func switchAddressSpace(root uint64) {
	if root == 0 {
		root = memory.Kernel.Root
	}
	if amd64.ReadCR3()&paging.AddressMask != root {
		amd64.WriteCR3(root)
	}
}

// reapDead frees the stack of a thread that exited before the last switch:
// by now this CPU runs on another stack. Called with the lock held.
func reapDead() {
	if deadWaiting < 0 {
		return
	}
	t := &threads[uint32(deadWaiting)%MaxThreads]
	if t.StackTop != cpu.This().StackTop() {
		memory.FreeStack(t.Stack)
		*t = Thread{}
		deadWaiting = -1
	}
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

// Yield puts the running thread at the back of the run queue and switches.
func Yield(now uint64) uintptr {
	if i := CurrentIndex(); ByIndex(i) != nil {
		acquire()
		t := &threads[uint32(i)%MaxThreads]
		t.State = Runnable
		t.OnCPU = -1
		runQueue.push(i)
		release()
	}
	return Schedule(now)
}

// Block parks the running thread until Wake(key) or the deadline wakeAt
// (nanoseconds since boot; 0 = none), whichever is first; on the deadline
// its system call returns timeoutResult. Then it switches.
func Block(key uintptr, wakeAt uint64, timeoutResult int64, now uint64) uintptr {
	if t := Current(); t != nil {
		acquire()
		t.State = Blocked
		t.OnCPU = -1
		t.WaitKey, t.WakeAt, t.TimeoutResult = key, wakeAt, timeoutResult
		release()
	}
	return Schedule(now)
}

// Wake makes up to n threads blocked on key runnable, with result as their
// system call's result, and returns how many it woke.
func Wake(key uintptr, n int, result int64) int {
	woken := 0
	acquire()
	for i := int32(0); i < MaxThreads && woken < n; i++ {
		t := &threads[i]
		if t.State == Blocked && t.WaitKey == key && key != 0 {
			t.Frame().RAX = uint64(result)
			t.State = Runnable
			t.WaitKey, t.WakeAt = 0, 0
			runQueue.push(i)
			woken++
		}
	}
	release()
	return woken
}

// WaitingOn reports how many threads are blocked on key.
func WaitingOn(key uintptr) int {
	n := 0
	for i := range threads {
		if threads[i].State == Blocked && threads[i].WaitKey == key {
			n++
		}
	}
	return n
}

// Tick is the timer's hook: wake threads whose deadline has passed, and
// preempt the running thread when its slice is over and another thread is
// runnable.
func Tick(now uint64) uintptr {
	acquire()
	for i := int32(0); i < MaxThreads; i++ {
		t := &threads[i]
		if t.State == Blocked && t.WakeAt != 0 && t.WakeAt <= now {
			t.Frame().RAX = uint64(t.TimeoutResult)
			t.State = Runnable
			t.WaitKey, t.WakeAt = 0, 0
			runQueue.push(i)
		}
	}
	waiting := runQueue.size
	release()
	t := Current()
	if t == nil {
		if waiting > 0 {
			return Schedule(now)
		}
		return cpu.This().IdleFrame
	}
	if now >= t.sliceEnds && waiting > 0 {
		return Yield(now)
	}
	return t.frameAddress()
}

// Exit ends the running thread and switches. Its kernel stack is freed at
// a later switch, once no CPU runs on it.
func Exit(now uint64) uintptr {
	if i := CurrentIndex(); ByIndex(i) != nil {
		acquire()
		reapDead()
		threads[uint32(i)%MaxThreads].State = Dead
		deadWaiting = i
		release()
	}
	return Schedule(now)
}

// RunnableCount returns the number of threads waiting in the run queue.
func RunnableCount() int { return int(runQueue.size) }

// NextDeadline returns the earliest wake-up deadline of a blocked thread,
// or 0 when there is none.
func NextDeadline() uint64 {
	next := uint64(0)
	for i := range threads {
		t := &threads[i]
		if t.State == Blocked && t.WakeAt != 0 && (next == 0 || t.WakeAt < next) {
			next = t.WakeAt
		}
	}
	return next
}

// Kill ends thread i, which must not be running on a CPU (then it reports
// false and changes nothing): it leaves the run queue or its wait, and its
// kernel stack is freed.
func Kill(i int32) bool {
	t := ByIndex(i)
	if t == nil {
		return false
	}
	acquire()
	if t.State == Running {
		release()
		return false
	}
	if t.State == Runnable {
		runQueue.remove(i)
	}
	if t.State != Unused {
		memory.FreeStack(t.Stack)
		*t = Thread{}
	}
	release()
	return true
}
