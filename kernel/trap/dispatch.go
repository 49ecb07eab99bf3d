package trap

import (
	abi "exogo/abi/linuxabi"
	"exogo/arch/amd64"
	"exogo/kernel/cpu"
	"exogo/kernel/exo"
	"exogo/kernel/linux"
	"exogo/kernel/rawmem"
	"exogo/kernel/sched"
	"exogo/kernel/smp"
	"exogo/kernel/timer"
)

// dispatch is called by the entry code (entry_amd64.s) with the address of
// the frame it saved, on the trapping thread's kernel stack, interrupts
// disabled. It returns the address of the frame to resume, which may belong
// to another thread.
func dispatch(frameAddress uintptr) uintptr {
	f := (*cpu.Frame)(rawmem.Pointer(frameAddress))
	if f.CS&3 == 3 {
		return userTrap(f, frameAddress)
	}
	switch f.Vector {
	case cpu.SyscallVector:
		// The Linux personality runs on CPU 0 only (kernel/sched), but
		// what it shares with the exokernel calls of other CPUs (kernel
		// stacks, the kernel's page tables) is guarded by smp.Lock.
		smp.Lock()
		resume := linux.Syscall(f)
		smp.Unlock()
		return exo.BeforeResume(resume)
	case smp.ShootdownVector:
		smp.Service()
		timer.EndOfInterrupt()
		return frameAddress
	case smp.KickVector:
		// Another CPU queued a thread here, or has news for it: an idle
		// CPU schedules now instead of at its next tick.
		timer.EndOfInterrupt()
		return exo.BeforeResume(sched.Resume(timer.Nanotime()))
	case TimerVector:
		timer.CountTick()
		cpu.This().Ticks++
		timer.EndOfInterrupt()
		return exo.BeforeResume(linux.DeliverPendingTo(sched.Tick(timer.Nanotime())))
	case SpuriousVector:
		return frameAddress
	case VectorPageFault:
		address := uintptr(amd64.ReadCR2())
		if f.ErrorCode&1 == 0 && linux.CommitPage(address) {
			return frameAddress
		}
		code := int64(abi.SegvMaperr)
		if f.ErrorCode&1 != 0 {
			code = abi.SegvAccerr
		}
		return fault(f, frameAddress, abi.SIGSEGV, code, uint64(address))
	case VectorGeneralProtection:
		return fault(f, frameAddress, abi.SIGSEGV, abi.SiKernel, 0) // as Linux reports #GP
	case VectorInvalidOpcode:
		return fault(f, frameAddress, abi.SIGILL, abi.IllIllopn, f.RIP)
	case VectorDivideError:
		return fault(f, frameAddress, abi.SIGFPE, abi.FpeIntdiv, f.RIP)
	case VectorSIMDException:
		return fault(f, frameAddress, abi.SIGFPE, 0, f.RIP)
	}
	if f.Vector < 32 {
		fatal(f, "unexpected exception")
	}
	if f.Vector >= exo.IRQVectorBase && f.Vector < exo.IRQVectorBase+16 {
		smp.Lock()
		exo.Interrupt(uint32(f.Vector - exo.IRQVectorBase))
		smp.Unlock()
		return frameAddress
	}
	// A device interrupt nobody claimed: acknowledge and carry on.
	timer.EndOfInterrupt()
	return frameAddress
}

// fault turns a CPU exception in runtime-hosted code into a signal for the
// runtime's handler, which makes it a Go panic. When the thread cannot take
// the signal (no handler yet, signal blocked, no stack) the fault is fatal.
func fault(f *cpu.Frame, frameAddress uintptr, signal uint64, code int64, address uint64) uintptr {
	if sched.Current() != nil && linux.Deliver(f, signal, code, address, f.Vector, f.ErrorCode) {
		return frameAddress
	}
	fatal(f, "fault the Go runtime cannot take as a signal")
	return frameAddress
}

// nestedTrap is entered on the IST stack for a trap taken while the CPU was
// already in kernel code (or before threads exist): always a kernel bug.
func nestedTrap(frameAddress uintptr) {
	fatal((*cpu.Frame)(rawmem.Pointer(frameAddress)), "trap in kernel code")
}

// exokernelCall is called by the entry code instead of dispatch for the
// most frequent trap: a SYSCALL from user mode whose number is an
// exokernel call (kernel/exo.CallBase on). It returns the frame to resume.
func exokernelCall(frameAddress uintptr) uintptr {
	return exo.Call((*cpu.Frame)(rawmem.Pointer(frameAddress)))
}

// upcallDelivered: a frame just sent into an upcall (TryForeign,
// TryFault) skips exo.BeforeResume. The vCPU is inside an upcall, upcalls
// disabled, so nothing else could be delivered; the same process resumes
// on the same CPU, so its I/O ports are loaded; and what another CPU
// posts for it meanwhile (an end, a kick, an event) is seen at its next
// trap, or at once through the IPI that CPU sends, as BeforeResume's own
// rule says. That is about 100 instructions of every foreign call and
// fault. Events that wait already went first (exo.TryForeign).

// userTrap handles a trap taken in user mode (ring 3): system calls go to
// the exokernel, the timer and devices as for the kernel, and exceptions
// end the process.
//
// Exokernel calls and faults take smp.Lock: the exokernel's tables
// (processes, segments, grants) are shared by every CPU and have no finer
// locks yet. The common cases do not: a foreign call or a fault that the
// process's libOS takes as an upcall (exo.TryForeign, exo.TryFault), and
// the calls exo.Call runs without it (lockFree).
func userTrap(f *cpu.Frame, frameAddress uintptr) uintptr {
	c := cpu.This()
	c.UserTraps++
	switch f.Vector {
	case cpu.SyscallVector: // a foreign call (exokernel calls come through exokernelCall)
		if resume, taken := exo.TryForeign(f, frameAddress); taken {
			return resume // into an upcall: see upcallDelivered
		}
		smp.Lock()
		resume := exo.Foreign(f)
		smp.Unlock()
		return exo.BeforeResume(resume)
	case TimerVector:
		timer.CountTick()
		c.Ticks++
		c.UserTicks++
		timer.EndOfInterrupt()
		now := timer.Nanotime()
		next, sliceOver := sched.TickUser(now)
		if sliceOver {
			smp.Lock()
			next = exo.Epilogue(f, now)
			smp.Unlock()
		}
		if exo.RevocationsPending() {
			smp.Lock()
			exo.CheckRevocations(now)
			smp.Unlock()
		}
		return exo.BeforeResume(next)
	case smp.ShootdownVector:
		smp.Service()
		timer.EndOfInterrupt()
		return frameAddress
	case smp.KickVector:
		// Another vCPU of this process kicked this one, or the process
		// is being ended: BeforeResume delivers the kick or ends it.
		timer.EndOfInterrupt()
		return exo.BeforeResume(frameAddress)
	case SpuriousVector:
		return frameAddress
	}
	if f.Vector >= exo.IRQVectorBase && f.Vector < exo.IRQVectorBase+16 {
		smp.Lock()
		exo.Interrupt(uint32(f.Vector - exo.IRQVectorBase))
		smp.Unlock()
		return exo.BeforeResume(frameAddress)
	}
	if f.Vector < 32 {
		if resume, taken := exo.TryFault(f, frameAddress); taken {
			return resume // into an upcall: see upcallDelivered
		}
		smp.Lock()
		resume := exo.Fault(f)
		smp.Unlock()
		return exo.BeforeResume(resume)
	}
	timer.EndOfInterrupt()
	return frameAddress
}
