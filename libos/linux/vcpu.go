package linux

import (
	"sync/atomic"

	"exogo/libos/bare"
	"exogo/libos/exo"
)

// The libOS's vCPUs. The kernel runs the process on up to exo.VcpuMax
// vCPUs, each with its own upcall stack and context slot; start gives the
// process one per CPU the machine has (vcpu_start) before the program's
// runtime begins, and sched_getaffinity reports them, so GOMAXPROCS is
// their number. Every vCPU runs the same code: an upcall enters dispatch,
// which takes the libOS's lock, serves the event and resumes a thread
// (the one it interrupted, or the next from the one run queue), releasing
// the lock just before. A vCPU with nothing to run waits in the kernel;
// one that makes a thread runnable wakes an idle one (vcpu_wake, which the
// kernel keeps if that vCPU has not begun its wait yet: no lost wake-up).
// A signal for a thread running on another vCPU kicks it (vcpu_kick): the
// kick upcall delivers the signal there.
//
// TODO(issue 7): a lock-free run queue per vCPU, with work stealing,
// instead of one queue under one lock.

// vcpu is the libOS's state for one vCPU. Only the vCPU itself changes
// it, holding the lock; other vCPUs read current and idle under the lock.
type vcpu struct {
	stack   uintptr // its upcall stack (upcallStackSize bytes)
	current int32   // 1 + the index of the thread it runs (0: none)
	fs      uint64  // the FS base the CPU has: its last thread's
	armed   uint64  // the deadline of its alarm (alarm_set), 0 when none
	idle    uint32  // 1 while it waits in the kernel with nothing to run
}

var (
	vcpus     [exo.VcpuMax]vcpu
	vcpuCount int
	// lockWord is the libOS's lock: held by the vCPU that is inside
	// dispatch (or start), from its upcall's entry to the resume.
	lockWord uint32
	// lockSpins counts spins on a held lock, for the report.
	lockSpins uint64
)

// lock takes the libOS's lock. It spins, and yields the CPU now and then:
// the holder may be a vCPU the kernel preempted on this very CPU.
func lock() {
	for spins := 1; !atomic.CompareAndSwapUint32(&lockWord, 0, 1); spins++ {
		atomic.AddUint64(&lockSpins, 1)
		if spins%1024 == 0 {
			exo.Yield()
		}
	}
}

func unlock() { atomic.StoreUint32(&lockWord, 0) }

// vcpuOf returns the index of the vCPU whose context slot is context. It
// runs before dispatch takes the lock: a vCPU's stack is recorded before
// vcpu_start, so even one that begins before its starter counts it finds
// its own.
func vcpuOf(context uintptr) int {
	for i := 0; i < exo.VcpuMax; i++ {
		if vcpus[i].stack != 0 && context-vcpus[i].stack < upcallStackSize {
			return i
		}
	}
	fatal("an upcall on an upcall stack the libOS does not know")
	return 0
}

// startVCPUs gives the process one more vCPU per CPU the machine has
// beyond the first, up to exo.VcpuMax. Each begins in dispatch with a
// start upcall and nothing to resume, and looks for a thread to run.
// Called by start, holding the lock.
func startVCPUs() {
	want := int(bare.Info(exo.KernelInfoCpus))
	for vcpuCount < want && vcpuCount < exo.VcpuMax {
		stack := memPrivate(upcallStackSize)
		if stack == 0 {
			return
		}
		vcpus[uint(vcpuCount)%exo.VcpuMax].stack = stack
		if r := exo.VcpuStart(stack, upcallStackSize); r != int64(vcpuCount) {
			bare.SayNumber("libos: vcpu_start failed, going on with fewer vCPUs: ", r)
			return
		}
		vcpuCount++
	}
}

// wakeIdle wakes idle vCPUs other than v, one per runnable thread beyond
// the one v is about to run. Called holding the lock.
func wakeIdle(v int) {
	want := threads.Waiting()
	for i := 0; i < vcpuCount && i < exo.VcpuMax && want > 0; i++ {
		if i != v && vcpus[i].idle != 0 {
			vcpus[i].idle = 0
			exo.VcpuWake(uint64(i))
			want--
		}
	}
}

// runningOn returns the vCPU running thread i, or -1.
func runningOn(i int) int {
	for k := 0; k < vcpuCount && k < exo.VcpuMax; k++ {
		if int(vcpus[k].current) == i+1 {
			return k
		}
	}
	return -1
}

// running counts the vCPUs running a thread.
func running() int {
	n := 0
	for k := 0; k < vcpuCount && k < exo.VcpuMax; k++ {
		if vcpus[k].current != 0 {
			n++
		}
	}
	return n
}
