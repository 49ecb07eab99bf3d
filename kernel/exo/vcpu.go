package exo

import (
	"sync/atomic"

	"exogo/kernel/console"
	"exogo/kernel/cpu"
	"exogo/kernel/linux"
	"exogo/kernel/memory"
	"exogo/kernel/process"
	"exogo/kernel/sched"
	"exogo/kernel/smp"
)

// vCPUs: a process's virtual CPUs (scheduler activations). Each is a
// kernel thread running the process in user mode, with its own upcall
// stack and context slot, alarm, wait and quantum protocol; the upcall
// entry points are the process's. vCPU 0 is the thread process_start (or
// the kernel's loader) starts; vcpu_start adds more, up to
// process.MaxVCPUs, each beginning with a start upcall. The placement
// policy (kernel/sched) spreads a process's vCPUs over the CPUs, so they
// run at the same time. The libOS decides which of its own threads runs
// on each; vcpu_wake and vcpu_kick let one vCPU rouse another.
//
// Ending a process ends all its vCPUs: the one that calls exit (or
// faults) ends at once; each other one is ended where it stands if no CPU
// runs it, and otherwise is sent an IPI (smp.Kick) and ends itself at its
// next trap (BeforeResume sees Process.Exiting). The last vCPU to go
// releases the process: no CPU can run in its address space by then.

// kernelThreadReserve is how many kernel thread slots processes' vCPUs
// leave free, for the threads of the kernel's own Go runtime (its clone):
// 64 processes of 8 vCPUs would otherwise take all of sched.MaxThreads.
const kernelThreadReserve = 32

// startThread gives p's vCPU index a kernel thread whose frame the caller
// fills in before sched.Start, and records it. It reports nil when no
// kernel stack or thread slot is free.
func startThread(p *process.Process, index uint8) (*sched.Thread, int32) {
	if sched.FreeThreads() <= kernelThreadReserve {
		return nil, -1 // the rest is for the kernel's own runtime
	}
	top, slot, ok := memory.AllocateStack(linux.KernelStackSize)
	if !ok {
		return nil, -1
	}
	t, i := sched.Create(top, slot)
	if t == nil {
		memory.FreeStack(slot)
		return nil, -1
	}
	t.Process, t.VCPU, t.AddressSpace = p.ID, index, p.Space.Root
	p.VCPUs[uint(index)%process.MaxVCPUs].Thread = i
	return t, i
}

// StartProcess gives p its vCPU 0: a thread that enters user mode at
// entry with its stack pointer at stack and RDI, RSI = arg0, arg1, and
// makes it runnable. It reports false when no kernel stack or thread slot
// is free. Restricted Go; the kernel's loader (hosted) calls it with
// interrupts disabled and smp.Lock held.
func StartProcess(p *process.Process, entry, stack uintptr, arg0, arg1 uint64) bool {
	t, i := startThread(p, 0)
	if t == nil {
		return false
	}
	cpu.InitUserFrame(t.Frame(), uint64(entry), uint64(stack))
	t.Frame().RDI, t.Frame().RSI = arg0, arg1
	p.VCPUCount = 1
	p.State = process.Running
	sched.Start(i)
	return true
}

// sysVcpuStart gives the caller another vCPU, which begins with a start
// upcall (detail 2: its index) on the upcall stack given, with upcalls
// enabled there, a context with nothing to resume (RIP 0) and the
// caller's FS and GS bases (so that its libOS's Go code finds a g).
func sysVcpuStart(caller *Caller, stack uintptr, stackSize uint64) int64 {
	p := caller.Process
	if stackSize < ContextSize+512 {
		return -ErrBadArgument // no room for a context and a handler's frames
	}
	if p.UpcallEntries[UpcallStart] == 0 {
		return -ErrBadArgument // nowhere to begin: register a start entry point
	}
	if p.VCPUCount >= process.MaxVCPUs {
		return -ErrLimit
	}
	index := p.VCPUCount
	v := &p.VCPUs[uint(index)%process.MaxVCPUs]
	v.UpcallStack, v.UpcallStackSize = uint64(stack), stackSize
	if !enableUpcalls(p, v) {
		*v = process.VCPU{Thread: -1}
		return -ErrBadAddress // the context slot is not mapped writable
	}
	t, i := startThread(p, index)
	if t == nil {
		*v = process.VCPU{Thread: -1}
		return -ErrNoMemory
	}
	f := t.Frame()
	cpu.InitUserFrame(f, 0, 0)
	f.FSBase, f.GSBase = caller.Frame.FSBase, caller.Frame.GSBase // the caller's TLS, until the libOS sets its own
	if deliver(p, v, f, UpcallStart, p.Aborts, uint64(index)) == nil {
		sched.Kill(i) // not started: nothing runs on it
		*v = process.VCPU{Thread: -1}
		return -ErrBadAddress
	}
	p.VCPUCount++
	sched.Start(i)
	return int64(index)
}

// targetVCPU returns the caller's vCPU index, or nil when it has none
// running there.
func targetVCPU(p *process.Process, index uint32) *process.VCPU {
	if index >= uint32(p.VCPUCount) {
		return nil
	}
	v := &p.VCPUs[index%process.MaxVCPUs]
	if v.Thread < 0 {
		return nil
	}
	return v
}

// waitKeyBase + a process's id * MaxVCPUs + a vCPU's index is the key the
// vCPU's thread waits on in kernel/sched (below every address the kernel's
// runtime waits on, so no runtime futex word).
const waitKeyBase = 0x1000

// waitKey is the wait key of p's vCPU index.
func waitKey(p *process.Process, index uint32) uintptr {
	return waitKeyBase + uintptr(p.ID)*process.MaxVCPUs + uintptr(index%process.MaxVCPUs)
}

// wakeWaiter ends the wait of p's vCPU 0, which takes the process's
// events, if it waits.
func wakeWaiter(p *process.Process) {
	atomic.StoreUint32(&p.VCPUs[0].Signal, 1)
	sched.Wake(waitKey(p, 0), 1, 0)
}

// sysVcpuWake ends a wait of the caller's vCPU index, now or, when it
// does not wait, at its next wait (the wake is kept: no wake-up is lost).
func sysVcpuWake(caller *Caller, index uint32) int64 {
	v := targetVCPU(caller.Process, index)
	if v == nil {
		return -ErrNoSuchObject
	}
	sched.WakeOrKeep(waitKey(caller.Process, index), &v.Woken)
	return 0
}

// sysVcpuKick asks for a kick upcall on the caller's vCPU index, and
// makes it trap at once if it runs on another CPU (or ends its wait).
func sysVcpuKick(caller *Caller, index uint32) int64 {
	v := targetVCPU(caller.Process, index)
	if v == nil {
		return -ErrNoSuchObject
	}
	v.KickPending = true
	atomic.StoreUint32(&v.Signal, 1)
	if sched.Wake(waitKey(caller.Process, index), 1, 0) == 0 {
		smp.Kick(int(sched.RunningOn(v.Thread))) // only a CPU that runs it now
	}
	return 0
}

// endProcess starts ending p with status (the first status given wins):
// every vCPU that no CPU runs is ended now, each other one (but the
// caller's own) is interrupted to end itself. With tell, a parent that
// still runs keeps p's status until it reaps it, and gets the child
// upcall. When no vCPU is left, p is released at once.
//
// Preconditions: smp.Lock held.
func endProcess(p *process.Process, status uint64, tell bool) {
	if p.Exiting {
		return
	}
	p.Exiting, p.ExitStatus, p.ExitTell = true, status, tell
	// Its children go with it (as by SIGKILL), and theirs: no process
	// outlives its parent, so every slot of the table can be taken back
	// (a child no one can end would hold its slot for good).
	for i := 0; i < process.MaxProcesses; i++ {
		if c := process.Table(i); c.Parent == p.ID && (c.State == process.Created || c.State == process.Running) && !c.Exiting {
			endProcess(c, ExitSignaled|sigKill, false)
		}
	}
	self := sched.CurrentIndex()
	for i := range p.VCPUs {
		v := &p.VCPUs[i]
		if v.Thread < 0 || v.Thread == self {
			continue
		}
		if c := sched.End(v.Thread); c >= 0 {
			smp.Kick(int(c))
			continue
		}
		v.Thread = -1
	}
	if liveVCPUs(p) == 0 {
		finishProcess(p)
	}
}

// endVCPU ends the vCPU of p (which is being ended) that this CPU runs,
// and releases p if it was the last. It returns the frame to resume (not
// p's: its thread is gone), which the caller passes to BeforeResume.
//
// Preconditions: smp.Lock held.
func endVCPU(p *process.Process, now uint64) uintptr {
	thisVCPU(p).Thread = -1
	// Both switch to another address space first. A vCPU this CPU has
	// only switched to in this trap (it runs on the trapping thread's
	// stack still) is dropped at once; the trapping one exits, its stack
	// freed at the next switch.
	var resume uintptr
	if sched.OnCurrentStack() {
		resume = sched.Exit(now)
	} else {
		resume = sched.Drop(now)
	}
	if liveVCPUs(p) == 0 {
		finishProcess(p)
	}
	return resume
}

// liveVCPUs counts p's vCPUs that still have a thread.
func liveVCPUs(p *process.Process) int {
	n := 0
	for i := range p.VCPUs {
		if p.VCPUs[i].Thread >= 0 {
			n++
		}
	}
	return n
}

// finishProcess releases p once none of its vCPUs is left, and says so
// when p is the first process and ended itself (the others' ends are
// their parents' to tell: a shell's commands would fill the console).
func finishProcess(p *process.Process) {
	release(p, p.ExitTell)
	if p.ExitTell && p.Parent == 0 {
		var line console.Line
		line.String("exogo: process ").Decimal(uint64(p.ID))
		if Signaled(p.ExitStatus) {
			line.String(" was killed by signal ").Decimal(p.ExitStatus & 0x7f).Write()
		} else {
			line.String(" exited with status ").SignedDecimal(int64(p.ExitStatus)).Write()
		}
	}
}
