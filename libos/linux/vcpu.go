package linux

import (
	"sync/atomic"
	"unsafe"

	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/uthread"
)

// The libOS's vCPUs. The kernel runs the process on up to exo.VcpuMax
// vCPUs, each with its own upcall stack and context slot; start gives the
// process one per CPU the machine has (vcpu_start) before the program's
// runtime begins, and sched_getaffinity reports them, so GOMAXPROCS is
// their number. Every vCPU runs the same code: an upcall enters dispatch,
// which serves the event and resumes a thread (the one it interrupted, or
// the next from the run queues).
//
// Scheduling takes no lock of the libOS's: each vCPU has its own run
// queue, which only it adds to and from which idle vCPUs steal, and the
// calls on the hot paths (futex, sched_yield, nanosleep, gettid, getpid)
// and the alarm are served without the call lock (libos/uthread). The
// other calls and events take the call lock, which keeps the file table,
// the signal actions, the console and the children consistent; page
// faults take only the memory lock (libos/mem).
//
// A vCPU with nothing to run waits in the kernel; one that leaves threads
// runnable in its queue wakes an idle one (vcpu_wake, which the kernel
// keeps if that vCPU has not begun its wait yet: no lost wake-up). A
// signal for a thread running on another vCPU kicks it (vcpu_kick): the
// kick upcall delivers the signal there.
//
// A vCPU inside the libOS runs on the TLS block of the thread it ran last
// (only the kernel can change FS), whose g word the upcall entry swapped
// for the stand-in g. That thread may be woken and taken by another vCPU
// meanwhile, whose resume would put the runtime's g back under this one's
// Go code: so the thread's onCPU word holds it until this vCPU leaves its
// TLS block (uthread's Hold waits), which the assembly resume does as its
// last step, and the idle loop after moving to the libOS's own TLS block.
// (The assembly clears the word with a plain store: the vCPU clears only
// the thread it records in fsThread, whose word names it, and forgets a
// thread that exits, whose Release clears the word, before any resume.)

// vcpu is the libOS's state for one vCPU. Only the vCPU itself changes
// it; other vCPUs read current and idle, atomically.
type vcpu struct {
	stack    uintptr // its upcall stack (upcallStackSize bytes)
	current  int32   // atomic: 1 + the index of the thread it runs (0: none)
	fsThread int32   // 1 + the thread whose TLS block FS points at (0: the libOS's own, or a thread gone)
	fs       uint64  // the FS base the CPU has
	gs       uint64  // the GS base the CPU has
	armed    uint64  // the deadline of its alarm (alarm_set), 0 when none
	idle     uint32  // atomic: 1 while it waits in the kernel with nothing to run

	// Statistics, summed by ReadCounters.
	upcalls, linuxCalls, switches, kernelResumes, userSwitches, alarmSets, alarms, alarmsPassed, idleRounds, kicks, wakes uint64
	_                                                                                                                     [64]byte
}

var (
	vcpus     [exo.VcpuMax]vcpu
	vcpuCount int

	// callLock is the libOS's lock for everything but scheduling and
	// memory: held by the vCPU that serves a call or event other than the
	// hot ones, around that service only. callsHolder is that vCPU (the
	// run queue its wake-ups go to).
	callLock    uint32
	callsHolder int
	// lockSpins counts spins on a held call lock, for the report.
	lockSpins uint64
)

// There is a run queue for every vCPU.
var _ [uthread.MaxQueues - exo.VcpuMax]struct{}

// lockCalls takes the call lock for vCPU v. It spins, and yields the CPU
// now and then: the holder may be a vCPU the kernel preempted on this very
// CPU.
func lockCalls(v int) {
	for spins := 1; !atomic.CompareAndSwapUint32(&callLock, 0, 1); spins++ {
		atomic.AddUint64(&lockSpins, 1)
		if spins%1024 == 0 {
			exo.Yield()
		}
	}
	callsHolder = v
}

func unlockCalls() { atomic.StoreUint32(&callLock, 0) }

// vcpuOf returns the index of the vCPU whose context slot is context. A
// vCPU's stack is recorded before vcpu_start, so even one that begins
// before its starter counts it finds its own.
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
// Called by start, holding the call lock.
func startVCPUs() {
	want := int(bare.Info(exo.KernelInfoCpus))
	for vcpuCount < want && vcpuCount < exo.VcpuMax {
		stack := memPrivate(upcallStackSize)
		if stack == 0 {
			return
		}
		vcpus[uint(vcpuCount)%exo.VcpuMax].stack = stack
		threads.UseQueues(vcpuCount + 1)
		if r := exo.VcpuStart(stack, upcallStackSize); r != int64(vcpuCount) {
			bare.SayNumber("libos: vcpu_start failed, going on with fewer vCPUs: ", r)
			return
		}
		vcpuCount++
	}
}

// wakeIdle wakes idle vCPUs other than v, one per thread waiting in the
// run queues, to steal them. It counts the waiting threads only once it
// has found an idle vCPU: it runs at every resume.
func wakeIdle(v int) {
	want := -1
	for i := 0; i < vcpuCount && i < exo.VcpuMax && want != 0; i++ {
		if i == v || atomic.LoadUint32(&vcpus[i].idle) == 0 {
			continue
		}
		if want < 0 {
			if want = threads.Waiting(); want == 0 {
				return
			}
		}
		if atomic.CompareAndSwapUint32(&vcpus[i].idle, 1, 0) {
			exo.VcpuWake(uint64(i))
			vcpus[uint(v)%exo.VcpuMax].wakes++
			want--
		}
	}
}

// leaveThreadTLS moves vCPU v to the libOS's own TLS block, and lets the
// thread whose block it was on go (another vCPU may resume it now).
func leaveThreadTLS(v int) {
	me := &vcpus[uint(v)%exo.VcpuMax]
	if libosTLS := uint64(tlsBlockAddress()); me.fs != libosTLS {
		if userBases {
			setFS(uintptr(libosTLS))
		} else {
			exo.TlsSet(uintptr(libosTLS))
		}
		me.fs = libosTLS
	}
	if me.fsThread != 0 {
		threads.Leave(int(me.fsThread-1), v)
		me.fsThread = 0
	}
}

// releaseFor returns the onCPU word the resume of thread i on vCPU v lets
// go (0: none, i's own), and records that v will be on i's TLS block.
func releaseFor(v, i int) uintptr {
	me := &vcpus[uint(v)%exo.VcpuMax]
	if me.fsThread == int32(i+1) {
		return 0
	}
	release := uintptr(0)
	if me.fsThread != 0 {
		release = uintptr(unsafe.Pointer(threads.OnCPU(int(me.fsThread - 1))))
	}
	me.fsThread = int32(i + 1)
	return release
}

// runningOn returns the vCPU running thread i, or -1.
func runningOn(i int) int {
	for k := 0; k < vcpuCount && k < exo.VcpuMax; k++ {
		if int(atomic.LoadInt32(&vcpus[k].current)) == i+1 {
			return k
		}
	}
	return -1
}

// running counts the vCPUs running a thread.
func running() int {
	n := 0
	for k := 0; k < vcpuCount && k < exo.VcpuMax; k++ {
		if atomic.LoadInt32(&vcpus[k].current) != 0 {
			n++
		}
	}
	return n
}
