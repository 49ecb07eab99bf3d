package exo

import (
	"sync/atomic"

	"exogo/kernel/console"
	"exogo/kernel/cpu"
	"exogo/kernel/memory"
	"exogo/kernel/physmem"
	"exogo/kernel/process"
	"exogo/kernel/sched"
)

// The simplest calls: the null call, the debug console, leaving, yielding,
// thread-local storage, and frames by physical name.

func sysNull(caller *Caller) int64 { return 0 }

// maxDebugWrite bounds one debug_write; longer texts are cut (the result
// says how much was written).
const maxDebugWrite = 4096

func sysDebugWrite(caller *Caller, text uintptr, length uint64) int64 {
	if caller.Process.Rights&process.RightConsole == 0 {
		return -ErrNoRight
	}
	if length > maxDebugWrite {
		length = maxDebugWrite
	}
	var buffer [maxDebugWrite]byte
	n := int(length)
	if n > len(buffer) {
		n = len(buffer)
	}
	if !process.CopyIn(caller.Process, buffer[:n], text) {
		return -ErrBadAddress
	}
	console.Write(buffer[:n])
	return int64(n)
}

func sysExit(caller *Caller, status int64) int64 {
	caller.Resume = Terminate(caller.Process, uint64(status), caller.Now())
	return 0
}

// PowerOffRequested is set when a process asked to power the machine off
// (poweroff); kernel/main.go does once the first process has ended.
// PowerOffStatus is the status it asked for, PowerOffBy its id and
// PowerOffName its name (set before the flag).
var (
	PowerOffRequested uint32
	PowerOffStatus    int64
	PowerOffBy        uint16
	PowerOffName      [process.NameSize]byte
)

// sysPoweroff ends the caller with status and, when the caller is not the
// first process, every other process too: the first process's end takes
// its descendants (endProcess), all but the caller, which is ending
// already, and whose own vCPU ends here. The first call wins (calls are
// serialized by smp.Lock; a second caller is ending by then).
func sysPoweroff(caller *Caller, status int64) int64 {
	p := caller.Process
	if p.Rights&process.RightPowerOff == 0 || p.UID != 0 {
		return -ErrNoRight
	}
	if atomic.LoadUint32(&PowerOffRequested) == 0 {
		PowerOffStatus, PowerOffBy, PowerOffName = status, p.ID, p.Name
		atomic.StoreUint32(&PowerOffRequested, 1)
		endProcess(p, uint64(status), true) // its own status first, as exit would (the ends below pass it by)
		for i := 0; i < process.MaxProcesses; i++ {
			if q := process.Table(i); q != p && q.Parent == 0 && (q.State == process.Created || q.State == process.Running) {
				endProcess(q, ExitSignaled|sigKill, false)
			}
		}
	}
	caller.Resume = Terminate(p, uint64(status), caller.Now())
	return 0
}

func sysYield(caller *Caller) int64 {
	caller.VCPU.EpiloguePending = false // it answered its epilogue
	caller.Frame.RAX = 0
	caller.Resume = sched.Yield(caller.Now())
	return 0
}

// sysFaultFixup sets the caller's copy range (Fault). It touches only the
// caller's own faults: a wrong range sends its own copies astray.
func sysFaultFixup(caller *Caller, start, end, landing uintptr) int64 {
	p := caller.Process
	switch {
	case start == end:
		p.FixupStart, p.FixupEnd, p.FixupLanding = 0, 0, 0
		return 0
	case start > end, landing >= start && landing < end:
		return -ErrBadArgument
	}
	p.FixupStart, p.FixupEnd, p.FixupLanding = uint64(start), uint64(end), uint64(landing)
	return 0
}

func sysTlsSet(caller *Caller, base uintptr) int64 {
	caller.Frame.FSBase = uint64(base)
	return 0
}

// Frames are charged to the process by physmem, which keeps its limit and
// the kernel's reserve (memory.ReserveFrames) for every frame made in its
// name: its data here, and the page tables and segment tables the kernel
// makes for it.

func sysFrameAlloc(caller *Caller) int64 {
	maybeRevoke(caller.Now())
	frame, status := memory.Frames.Charge(caller.Process.ID, physmem.UseProcess, true)
	switch status {
	case physmem.Done:
		return int64(frame)
	case physmem.OverLimit:
		return -ErrLimit
	}
	return -ErrNoMemory
}

// sysFrameFree frees a frame of the caller's data. Only frames from
// frame_alloc qualify: a page table of its address space or a segment's
// table, though charged to it, is the kernel's (EXO_NO_RIGHT), since a
// process that could reuse one as data could write page-table entries.
func sysFrameFree(caller *Caller, frame uint64) int64 {
	switch memory.Frames.FreeOwned(frame, caller.Process.ID) {
	case physmem.Done:
		return 0
	case physmem.NotOwner, physmem.NotHeld:
		return -ErrNotOwner
	case physmem.WrongUse:
		return -ErrNoRight
	case physmem.StillReferenced:
		return -ErrBusy
	}
	return -ErrBadAddress
}

func sysTimeNow(caller *Caller) int64 { return int64(caller.Now()) }

// sysWait blocks the calling vCPU until its deadline, or until an event
// for it: a kept wake (vcpu_wake), a kick, its alarm and, on vCPU 0, the
// process's events (a bound interrupt line fired, a child exited, a
// watched word was notified, a signal came: WaitSignals). Those that come while it waits wake it
// (sysVcpuWake, wakeWaiter, sysWordNotify); a word event is consumed by
// the wait it ends, and the interrupt lines that fired are its result.
//
// It runs without smp.Lock (lockFree): the events are set by other CPUs,
// which then set v.Signal and wake the wait; it clears Signal first and
// blocks only if Signal is still clear under the scheduler's lock
// (sched.BlockUnless), so an event that comes between its checks and its
// block is not missed. A kept wake is consumed under that lock too
// (sched.WakeOrKeep): a wake ends exactly one wait.
func sysWait(caller *Caller, deadline uint64) int64 {
	p, v, now := caller.Process, caller.VCPU, caller.Now()
	atomic.StoreUint32(&v.Signal, 0)
	if v == &p.VCPUs[0] {
		// A revocation request is reported until the process answers
		// it (revoke_reply): an idle libOS must hear of it before its
		// deadline. The flags are written under smp.Lock, which this
		// call does not take; one set an instant later also sets
		// Signal and wakes this wait (maybeRevoke), so it is not missed.
		revoke := int64(0)
		if p.RevokePending && p.RevokeNotify && !p.RevokeAnswered {
			revoke = WaitRevocation
		}
		if signalUpcall(p) {
			revoke |= WaitSignals // signals_take takes them (a process with no signal entry point polls for them: its wait would return at once for ever)
		}
		if lines := atomic.SwapUint32(&p.InterruptsPending, 0); lines != 0 || revoke != 0 {
			// Lines are taken here: a libOS idle inside an upcall could
			// not take the interrupt upcall, and its wait would return
			// at once for ever.
			return int64(lines) | revoke
		}
		if atomic.SwapUint32(&p.WordPending, 0) != 0 || p.ChildExited {
			return 0 // a word event is consumed: the wait's return is it
		}
	}
	// A pending kick ends the wait only where it can be delivered on the
	// way out: inside an upcall it waits for the libOS to resume a thread
	// (else an idle libOS would spin on it). Inside an upcall here means
	// on the upcall stack: InUpcall's other test, the context slot's
	// disabled word, would need smp.Lock (a wait with a kick pending, off
	// the upcall stack but with the word set, returns at once each time;
	// no libOS waits that way). TODO: taking smp.Lock here for
	// the word made exo-test's epilogue check fail 1 to 3 times in 10
	// under UEFI, for a reason not found yet.
	kick := v.KickPending && !onUpcallStack(v, caller.Frame)
	if kick || (deadline != 0 && deadline <= now) || (v.AlarmAt != 0 && v.AlarmAt <= now) {
		return 0
	}
	if v.AlarmAt != 0 && (deadline == 0 || v.AlarmAt < deadline) {
		deadline = v.AlarmAt // the alarm is delivered when the wait ends
	}
	caller.Frame.RAX = 0
	caller.Resume = sched.BlockUnless(waitKey(p, uint32(cpu.This().VCPU)), deadline, now, &v.Woken, &v.Signal, &p.Exiting)
	return 0
}

// sysAlarmSet arms (or, with 0, disarms) the calling vCPU's alarm;
// BeforeResume delivers it (upcall.go).
func sysAlarmSet(caller *Caller, deadline uint64) int64 {
	caller.VCPU.AlarmAt = deadline
	return 0
}
