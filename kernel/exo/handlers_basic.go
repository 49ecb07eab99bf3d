package exo

import (
	"exogo/kernel/console"
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

func sysYield(caller *Caller) int64 {
	caller.Process.EpiloguePending = false // it answered its epilogue
	caller.Frame.RAX = 0
	caller.Resume = sched.Yield(caller.Now())
	return 0
}

func sysTlsSet(caller *Caller, base uintptr) int64 {
	caller.Frame.FSBase = uint64(base)
	return 0
}

// KernelReserveFrames is how many free frames user allocations may never
// take: the kernel's own runtime grows its heap by page faults, and a
// process that exhausted memory must not make the kernel fail.
const KernelReserveFrames = 4096

func sysFrameAlloc(caller *Caller) int64 {
	p := caller.Process
	if p.Frames >= p.FrameLimit {
		return -ErrLimit
	}
	maybeRevoke(caller.Now())
	if memory.Frames.FreeFrames() <= KernelReserveFrames {
		return -ErrNoMemory
	}
	frame, ok := memory.Frames.AllocateFor(p.ID, physmem.UseProcess, true)
	if !ok {
		return -ErrNoMemory
	}
	p.Frames++
	return int64(frame)
}

func sysFrameFree(caller *Caller, frame uint64) int64 {
	switch memory.Frames.FreeOwned(frame, caller.Process.ID) {
	case physmem.Done:
		if caller.Process.Frames > 0 {
			caller.Process.Frames--
		}
		return 0
	case physmem.NotOwner, physmem.NotHeld:
		return -ErrNotOwner
	case physmem.StillReferenced:
		return -ErrBusy
	}
	return -ErrBadAddress
}

func sysTimeNow(caller *Caller) int64 { return int64(caller.Now()) }
