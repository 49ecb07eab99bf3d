package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/kernel/cpu"
	"exogo/kernel/sched"
)

// Signals, as far as the Go runtime needs them. The runtime installs a
// handler for every signal (rt_sigaction), gives each thread an alternate
// signal stack (sigaltstack), and relies on two kinds of delivery:
//
//   - synchronous: a fault (page fault, general protection, invalid
//     opcode, divide error) in runtime-hosted code becomes SIGSEGV, SIGBUS,
//     SIGILL or SIGFPE, which the runtime turns into a Go panic;
//   - asynchronous: tgkill(SIGURG) from the runtime's preemption of a
//     goroutine running a loop without calls.
//
// Delivery builds what Linux builds on the handler's stack: an rt_sigframe
// holding the return address (the handler's sa_restorer), a ucontext with
// the interrupted registers (which the handler may edit: async preemption
// rewrites RIP and RSP) and a siginfo, followed by the SSE state. The
// handler returns to the restorer, which calls rt_sigreturn, which restores
// the (possibly edited) registers.

type action struct {
	handler, flags, restorer, mask uint64
}

var actions [abi.NumberOfSignals + 1]action

func sysSigaction(signal, newAction, oldAction, size uint64) int64 {
	if signal == 0 || signal > abi.NumberOfSignals || size != 8 {
		return -abi.EINVAL
	}
	if oldAction != 0 {
		if !userRange(oldAction, 32) {
			return -abi.EFAULT
		}
		a := actions[signal]
		putUint64(uintptr(oldAction), a.handler)
		putUint64(uintptr(oldAction)+8, a.flags)
		putUint64(uintptr(oldAction)+16, a.restorer)
		putUint64(uintptr(oldAction)+24, a.mask)
	}
	if newAction != 0 {
		if !userRange(newAction, 32) {
			return -abi.EFAULT
		}
		if signal == 9 || signal == 19 {
			return -abi.EINVAL // SIGKILL and SIGSTOP cannot be caught
		}
		actions[signal] = action{
			handler:  getUint64(uintptr(newAction)),
			flags:    getUint64(uintptr(newAction) + 8),
			restorer: getUint64(uintptr(newAction) + 16),
			mask:     getUint64(uintptr(newAction) + 24),
		}
	}
	return 0
}

func sysSigprocmask(how, newSet, oldSet, size uint64) int64 {
	t := sched.Current()
	if t == nil || size != 8 {
		return -abi.EINVAL
	}
	if oldSet != 0 {
		if !userRange(oldSet, 8) {
			return -abi.EFAULT
		}
		putUint64(uintptr(oldSet), t.SignalMask)
	}
	if newSet != 0 {
		if !userRange(newSet, 8) {
			return -abi.EFAULT
		}
		mask, ok := abi.UpdateSignalMask(t.SignalMask, how, getUint64(uintptr(newSet)))
		if !ok {
			return -abi.EINVAL
		}
		t.SignalMask = mask
	}
	return 0
}

func sysSigaltstack(newStack, oldStack uint64) int64 {
	t := sched.Current()
	if t == nil {
		return -abi.EINVAL
	}
	if oldStack != 0 {
		if !userRange(oldStack, 24) {
			return -abi.EFAULT
		}
		flags := t.AltStackFlags
		if t.AltStackSize == 0 {
			flags = abi.SsDisable
		}
		putUint64(uintptr(oldStack), t.AltStack)
		putUint64(uintptr(oldStack)+8, flags)
		putUint64(uintptr(oldStack)+16, t.AltStackSize)
	}
	if newStack != 0 {
		if !userRange(newStack, 24) {
			return -abi.EFAULT
		}
		flags := getUint64(uintptr(newStack)+8) & 0xffffffff
		if flags&abi.SsDisable != 0 {
			t.AltStack, t.AltStackSize, t.AltStackFlags = 0, 0, 0
			return 0
		}
		size := getUint64(uintptr(newStack) + 16)
		if size < 2048 {
			return -abi.ENOMEM
		}
		t.AltStack, t.AltStackSize, t.AltStackFlags = getUint64(uintptr(newStack)), size, 0
	}
	return 0
}

func sysTgkillCall(group, threadID, signal uint64) int64 {
	if signal == 0 || signal > abi.NumberOfSignals {
		return -abi.EINVAL
	}
	for i := int32(0); i < sched.MaxThreads; i++ {
		t := sched.ByIndex(i)
		if t != nil && t.State != sched.Unused && t.State != sched.Dead && uint64(t.ID) == threadID {
			t.PendingSignals |= abi.SignalBit(signal)
			return 0
		}
	}
	return -abi.ESRCH
}

// Deliver arranges for the running thread, whose frame is f, to enter the
// handler of signal with siginfo code and address when it resumes. It
// reports false when the signal cannot be delivered (no handler, the
// signal is blocked, or no usable stack): the caller then treats a fault as
// fatal.
func Deliver(f *cpu.Frame, signal uint64, code int64, address uint64, trapNumber, errorCode uint64) bool {
	t := sched.Current()
	if t == nil || signal == 0 || signal > abi.NumberOfSignals {
		return false
	}
	a := actions[signal]
	bit := abi.SignalBit(signal)
	if a.handler <= 1 || a.flags&abi.SaRestorer == 0 || t.SignalMask&bit != 0 {
		return false // default action, ignored, or blocked
	}
	onAltStack, toAltStack := abi.SignalStack(f.RSP, a.flags, t.AltStack, t.AltStackSize)
	frame, fpstate, end := abi.PlaceSignalFrame(f.RSP, toAltStack, t.AltStack+t.AltStackSize)
	if !userRange(frame, end-frame) {
		return false
	}
	c := abi.SignalContext{
		Registers: [18]uint64{f.R8, f.R9, f.R10, f.R11, f.R12, f.R13, f.R14, f.R15,
			f.RDI, f.RSI, f.RBP, f.RBX, f.RDX, f.RAX, f.RCX, f.RSP, f.RIP, f.RFLAGS},
		Segments: f.CS | f.SS<<48, Err: errorCode, Trapno: trapNumber, Cr2: address,
		Mask: t.SignalMask, AltStack: t.AltStack, AltStackSize: t.AltStackSize,
	}
	if onAltStack {
		c.AltStackFlags = abi.SsOnstack
	}
	if !abi.WriteSignalFrame(bytesAt(uintptr(frame), uintptr(end-frame)), frame, fpstate, &c, f.FXSave[:], a.restorer, signal, code, address) {
		return false
	}
	t.SignalMask = abi.HandlerMask(t.SignalMask, signal, a.flags, a.mask)
	t.PendingSignals &^= bit
	f.RSP = frame
	f.RIP = a.handler
	f.RDI = signal
	f.RSI = abi.SignalFrameSiginfo(frame)
	f.RDX = abi.SignalFrameUcontext(frame)
	f.RAX = 0
	f.RFLAGS &^= 1 << 10 // DF clear, as the ABI requires at a call
	return true
}

// sysSigreturn restores the context saved by Deliver. After the handler's
// RET popped the return address, RSP points at the ucontext.
func sysSigreturn(f *cpu.Frame) uintptr {
	t := sched.Current()
	uc := f.RSP
	var c abi.SignalContext
	fp, ok := uint64(0), false
	if t != nil && userRange(uc, abi.UcontextSize) {
		fp, ok = abi.ReadSignalContext(bytesAt(uintptr(uc), abi.UcontextSize), &c)
	}
	if !ok {
		// Nothing sane to return to: this is a runtime bug.
		f.RAX = negative(abi.EFAULT)
		return deliverPending(f)
	}
	r := &c.Registers
	f.R8, f.R9, f.R10, f.R11 = r[abi.RegR8], r[abi.RegR9], r[abi.RegR10], r[abi.RegR11]
	f.R12, f.R13, f.R14, f.R15 = r[abi.RegR12], r[abi.RegR13], r[abi.RegR14], r[abi.RegR15]
	f.RDI, f.RSI, f.RBP, f.RBX = r[abi.RegRdi], r[abi.RegRsi], r[abi.RegRbp], r[abi.RegRbx]
	f.RDX, f.RAX, f.RCX, f.RSP = r[abi.RegRdx], r[abi.RegRax], r[abi.RegRcx], r[abi.RegRsp]
	f.RIP = r[abi.RegRip]
	// Only the arithmetic flags, DF and TF may come from the context;
	// interrupts stay enabled and the privilege bits are the kernel's.
	const userFlags = 0xcd5 | 1<<10
	f.RFLAGS = f.RFLAGS&^userFlags | r[abi.RegEflags]&userFlags | 1<<9
	if fp != 0 && userRange(fp, abi.FxsaveSize) {
		copy(f.FXSave[:], bytesAt(uintptr(fp), abi.FxsaveSize))
		// MXCSR reserved bits set would fault FXRSTOR in kernel code.
		f.FXSave[26] = 0
		f.FXSave[27] = 0
	}
	t.SignalMask = c.Mask
	return deliverPending(f)
}

// deliverPending delivers one pending, unblocked signal to the running
// thread (frame f) before it resumes, and returns f's address.
func deliverPending(f *cpu.Frame) uintptr {
	t := sched.Current()
	if t != nil {
		if s := abi.NextSignal(t.PendingSignals, t.SignalMask); s != 0 && !Deliver(f, s, abi.SiTkill, 0, 0, 0) {
			t.PendingSignals &^= abi.SignalBit(s) // undeliverable: drop
		}
	}
	return frameAddress(f)
}

// DeliverPendingTo is deliverPending for the trap dispatcher: frame is the
// address of the frame about to be resumed on this CPU.
func DeliverPendingTo(frame uintptr) uintptr {
	return deliverPending(frameAt(frame))
}
