package exo

import (
	"unsafe"

	"exogo/arch/amd64"
	"exogo/kernel/console"
	"exogo/kernel/cpu"
	"exogo/kernel/memory"
	"exogo/kernel/process"
	"exogo/kernel/smp"
	"exogo/kernel/timer"
)

// Foreign handles a system call made in user mode whose number is not an
// exokernel call (the entry code sends those to Call): the libOS's Linux
// personality takes it through its foreign upcall, with the call's
// registers in the saved context, and answers by resuming the context with
// the result in RAX. A process that cannot take the upcall is ended. It
// returns the frame to resume.
func Foreign(f *cpu.Frame) uintptr {
	frame := uintptr(unsafe.Pointer(f))
	p := process.ByID(cpu.This().Process)
	if p == nil {
		return refuseWithoutProcess(f)
	}
	if Deliver(p, f, UpcallForeign, f.RAX, 0) {
		return frame
	}
	reportUndeliverable(p, f, "made a foreign system call")
	return Terminate(p, ExitSignaled|sigSys, timer.Nanotime())
}

// TryForeign and TryFault are Foreign's and Fault's common case, run
// without smp.Lock: the running process takes the upcall. They report
// false, having changed nothing, when it cannot (no process, one being
// ended, upcalls disabled, no entry point); then the caller takes the lock
// and calls Foreign or Fault, which end the process or report. Every Linux
// call of a Go program and every page fault its libOS resolves comes this
// way, so two vCPUs do not queue on the lock for them.
//
// What deliver reads and writes is this vCPU's own (its context slot, in
// the process's memory, found by a walk of its page tables) or written
// only by calls of the process itself (the entry points). The walk is
// safe without the lock: the process's vCPU runs here, so its slot is not
// released, and a page table or frame is freed only after a TLB shootdown
// that every CPU running the address space acknowledges, which this one,
// with interrupts disabled until it resumes, does only after the walk.
//
// Both return the frame to resume and whether they took the trap. An
// event that waits for the vCPU (a revocation request, a kick, interrupt
// lines, a child's end, a watched word: somethingPending) goes first: it
// is delivered with the context at the instruction that trapped (a
// SYSCALL is backed up over its 2 bytes; a faulting instruction is where
// the fault left RIP), which runs again when the libOS resumes it.
// Otherwise a thread that makes calls back to back would keep its vCPU
// inside upcalls at every trap, where no event can be delivered, and a
// revocation's deadline could pass unanswered.
func TryForeign(f *cpu.Frame, frame uintptr) (uintptr, bool) {
	return tryUpcall(f, frame, UpcallForeign, f.RAX, 0, true, 2)
}

// TryFault is TryForeign for a CPU exception (see Fault). Only faults run
// again: a trap (#DB after a single step or ICEBP) leaves RIP after its
// instruction, and an NMI or machine check is not the instruction's, so
// for those the event waits.
func TryFault(f *cpu.Frame, frame uintptr) (uintptr, bool) {
	v := f.Vector
	again := v != 1 && v != 2 && v != 3 && v != 4 && v != 18
	return tryUpcall(f, frame, UpcallFault, v, faultAddress(f), again, 0)
}

// tryUpcall delivers event (details detail, detail2) to the vCPU this CPU
// runs, whose frame f is at frame; first, when the trapping instruction
// can run again (again), an event that waits (with RIP backed up by back
// bytes for it).
func tryUpcall(f *cpu.Frame, frame uintptr, event int, detail, detail2 uint64, again bool, back uint64) (uintptr, bool) {
	c := cpu.This()
	p := process.ByID(c.Process)
	if p == nil || p.Exiting {
		return frame, false
	}
	v := vcpuOn(c, p)
	if again && eventWaits(p, v) && !onUpcallStack(v, f) {
		rip := f.RIP
		f.RIP -= back
		resume := BeforeResume(frame)
		if resume != frame || onUpcallStack(v, f) {
			return resume, true // delivered (or the vCPU ended)
		}
		f.RIP = rip // nothing could be delivered: take the trap itself
	}
	return frame, deliver(p, v, f, event, detail, detail2) != nil
}

// faultAddress is the address a page fault (vector 14) touched, 0 for
// other exceptions.
func faultAddress(f *cpu.Frame) uint64 {
	if f.Vector == 14 {
		return amd64.ReadCR2()
	}
	return 0
}

// refuseWithoutProcess answers a system call from a user frame that has
// no process (which cannot happen) with an error, and resumes it.
func refuseWithoutProcess(f *cpu.Frame) uintptr {
	code := int64(-ErrNoSuchObject)
	f.RAX = uint64(code)
	return uintptr(unsafe.Pointer(f))
}

// Call is the whole path of an exokernel call made in user mode (frame f;
// trap.exokernelCall, for numbers from CallBase only): it takes smp.Lock,
// dispatches, and returns the frame to resume, having done BeforeResume's
// work. In the common case (the caller continues and nothing is pending
// for it) it finds the CPU and the process once.
//
// The path, for grep: trap.syscallEntry (fromUser) -> commonEntry ->
// trap.exokernelCall -> exo.Call -> Dispatch (dispatch_gen.go, argument
// checks) -> sys<Name> (handlers_*.go).
func Call(f *cpu.Frame) uintptr {
	frame := uintptr(unsafe.Pointer(f))
	c := cpu.This()
	c.UserTraps++
	if lockFree(f.RAX, memory.Frames.FreeFrames()) {
		// The caller's process runs here, so it cannot be released
		// meanwhile; one being ended takes the locked path, which ends
		// this vCPU.
		if p := process.ByID(c.Process); p != nil && !p.Exiting {
			v := thisVCPU(p)
			caller := Caller{Process: p, VCPU: v, Frame: f}
			result := Dispatch(&caller, f.RAX, f.RDI, f.RSI, f.RDX, f.R10, f.R8, f.R9)
			if caller.Resume != 0 {
				return BeforeResume(caller.Resume) // the wait blocked: another thread runs here
			}
			f.RAX = uint64(result)
			if somethingPending(p, v) || p.Exiting {
				return BeforeResume(frame)
			}
			return frame
		}
	}
	smp.Lock()
	p := process.ByID(c.Process)
	if p == nil {
		smp.Unlock()
		return refuseWithoutProcess(f)
	}
	if p.Exiting {
		// Another vCPU ended the process while this one trapped.
		resume := endVCPU(p, timer.Nanotime())
		smp.Unlock()
		return BeforeResume(resume)
	}
	v := thisVCPU(p)
	caller := Caller{Process: p, VCPU: v, Frame: f, Locked: true}
	result := Dispatch(&caller, f.RAX, f.RDI, f.RSI, f.RDX, f.R10, f.R8, f.R9)
	smp.Unlock()
	if caller.Resume != 0 {
		return BeforeResume(caller.Resume)
	}
	f.RAX = uint64(result)
	loadIOPorts(c, p)
	if somethingPending(p, v) {
		return BeforeResume(frame)
	}
	return frame
}

// Terminate ends process p, one of whose vCPUs this CPU runs, with status
// (its other vCPUs end too: endProcess) and returns the frame to resume on
// this CPU (another thread's: this vCPU's thread is gone). Once the last
// vCPU is gone every frame p owned and every page table the kernel made
// for it go back to the frame table.
func Terminate(p *process.Process, status uint64, now uint64) uintptr {
	endProcess(p, status, true)
	return endVCPU(p, now)
}

// Fault handles a CPU exception raised in user mode (frame f): the process's
// fault upcall gets it, with the vector, the error code (in the context) and
// for page faults the address, so its libOS can resolve it (map a frame:
// self-paging) or turn it into a signal. A process that cannot take it is
// ended, with a report on the console.
func Fault(f *cpu.Frame) uintptr {
	p := process.ByID(cpu.This().Process)
	if p == nil {
		return uintptr(unsafe.Pointer(f))
	}
	address := faultAddress(f)
	if Deliver(p, f, UpcallFault, f.Vector, address) {
		return uintptr(unsafe.Pointer(f))
	}
	if f.Vector == 14 && f.RIP >= p.FixupStart && f.RIP < p.FixupEnd {
		// The libOS's copy touched a page that went (fault_fixup): it
		// ends short at the landing, which reads how far it got from
		// its registers.
		f.RIP = p.FixupLanding
		p.Fixups++
		return uintptr(unsafe.Pointer(f))
	}
	var line console.Line
	line.String("exogo: process ").Decimal(uint64(p.ID)).String(": exception ").Decimal(f.Vector).
		String(" at ").Hex(f.RIP).String(", error code ").HexShort(f.ErrorCode)
	if f.Vector == 14 {
		line.String(", address ").Hex(address)
	}
	line.Write()
	reportUndeliverable(p, f, "took an exception")
	return Terminate(p, ExitSignaled|signalFor(f.Vector), timer.Nanotime())
}

// lockFree reports whether call is one of the calls that run without
// smp.Lock, so two vCPUs making them at once never wait for each other
// (free is the frame table's count of free frames):
//   - those that touch only the calling vCPU's own state (its saved
//     registers, its alarm) or nothing at all: null, time_now, tls_set
//     (the FS base in the caller's saved frame) and alarm_set (its vCPU's
//     deadline, read only by that vCPU's own traps);
//   - wait and vcpu_wake, whose events are atomic words and whose block
//     and kept wake go under the scheduler's own lock (sysWait);
//   - segment_map_frame, which checks the segment and the slot under the
//     segment table's lock and the frame's owner and reference under the
//     frame table's (a frame revocation takes first fails the check), and
//     fills an empty slot, which no TLB holds;
//   - frame_alloc_map while memory is not low: the frame table and the
//     segment table each have their own short lock, and the frame is
//     charged with its mapping's reference already counted
//     (sysFrameAllocMap). Below RevokeWatermark it takes smp.Lock, since
//     it may start a revocation (maybeRevoke), which reads every process.
//
// A process being ended cannot be released under a lock-free call: its
// vCPU runs here, so it stays live until it passes through the locked
// path (Call).
func lockFree(call uint64, free uint64) bool {
	switch call {
	case CallNull, CallTimeNow, CallTlsSet, CallAlarmSet, CallWait, CallVcpuWake, CallSegmentMapFrame:
		return true
	case CallFrameAllocMap:
		return free >= RevokeWatermark
	}
	return false
}

// The signals the kernel ends processes with (ExitSignaled): Linux's
// numbers.
const (
	sigIll  = 4
	sigBus  = 7
	sigFpe  = 8
	sigKill = 9
	sigSegv = 11
	sigSys  = 31
)

// signalFor is the signal Linux sends for CPU exception vector: the one a
// process that cannot take its fault upcall is ended with.
func signalFor(vector uint64) uint64 {
	switch vector {
	case 0, 16, 19: // divide error, x87 and SIMD floating point
		return sigFpe
	case 6: // invalid opcode
		return sigIll
	case 17: // alignment check
		return sigBus
	}
	return sigSegv
}
