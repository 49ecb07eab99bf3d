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
		set := getUint64(uintptr(newSet))
		switch how {
		case abi.SigBlock:
			t.SignalMask |= set
		case abi.SigUnblock:
			t.SignalMask &^= set
		case abi.SigSetmask:
			t.SignalMask = set
		default:
			return -abi.EINVAL
		}
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
			t.PendingSignals |= 1 << (signal - 1)
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
	bit := uint64(1) << (signal - 1)
	if a.handler <= 1 || a.flags&abi.SaRestorer == 0 || t.SignalMask&bit != 0 {
		return false // default action, ignored, or blocked
	}
	sp := f.RSP - abi.RedZone
	onAltStack := t.AltStackSize != 0 && f.RSP > t.AltStack && f.RSP <= t.AltStack+t.AltStackSize
	if a.flags&abi.SaOnstack != 0 && t.AltStackSize != 0 && !onAltStack {
		sp = t.AltStack + t.AltStackSize
	}
	sp = (sp - abi.FxsaveSize) &^ 63
	fpstate := sp
	sp -= abi.SignalFrameSize
	sp = sp&^15 - 8 // at handler entry, as after a CALL: (sp+8) % 16 == 0
	if !userRange(sp, fpstate+abi.FxsaveSize-sp) {
		return false
	}
	base := uintptr(sp)
	for i := uintptr(0); i < abi.SignalFrameSize; i += 8 {
		putUint64(base+i, 0)
	}
	copy(bytesAt(uintptr(fpstate), abi.FxsaveSize), f.FXSave[:])

	putUint64(base+abi.FrameReturnAddress, a.restorer)
	uc := base + abi.FrameUcontext
	putUint64(uc+abi.UcontextStack, t.AltStack)
	altFlags := uint64(0)
	if onAltStack {
		altFlags = abi.SsOnstack
	}
	putUint64(uc+abi.UcontextStack+8, altFlags)
	putUint64(uc+abi.UcontextStack+16, t.AltStackSize)
	mc := uc + abi.UcontextMcontext
	registers := [...]uint64{f.R8, f.R9, f.R10, f.R11, f.R12, f.R13, f.R14, f.R15,
		f.RDI, f.RSI, f.RBP, f.RBX, f.RDX, f.RAX, f.RCX, f.RSP, f.RIP, f.RFLAGS}
	for i, v := range registers {
		putUint64(mc+uintptr(i)*8, v)
	}
	putUint64(mc+abi.McSegments, f.CS|f.SS<<48)
	putUint64(mc+abi.McErr, errorCode)
	putUint64(mc+abi.McTrapno, trapNumber)
	putUint64(mc+abi.McOldmask, t.SignalMask)
	putUint64(mc+abi.McCr2, address)
	putUint64(mc+abi.McFpstate, fpstate)
	putUint64(uc+abi.UcontextSigmask, t.SignalMask)

	info := base + abi.FrameSiginfo
	putUint32(info, uint32(signal))
	putUint32(info+8, uint32(code))
	putUint64(info+16, address)

	if a.flags&abi.SaNodefer == 0 {
		t.SignalMask |= bit
	}
	t.SignalMask |= a.mask
	t.PendingSignals &^= bit
	f.RSP = sp
	f.RIP = a.handler
	f.RDI = signal
	f.RSI = uint64(info)
	f.RDX = uint64(uc)
	f.RAX = 0
	f.RFLAGS &^= 1 << 10 // DF clear, as the ABI requires at a call
	return true
}

// sysSigreturn restores the context saved by Deliver. After the handler's
// RET popped the return address, RSP points at the ucontext.
func sysSigreturn(f *cpu.Frame) uintptr {
	t := sched.Current()
	uc := f.RSP
	if t == nil || !userRange(uc, abi.UcontextSize) {
		// Nothing sane to return to: this is a runtime bug.
		f.RAX = negative(abi.EFAULT)
		return deliverPending(f)
	}
	mc := uintptr(uc) + abi.UcontextMcontext
	r := func(i uintptr) uint64 { return getUint64(mc + i*8) }
	f.R8, f.R9, f.R10, f.R11 = r(0), r(1), r(2), r(3)
	f.R12, f.R13, f.R14, f.R15 = r(4), r(5), r(6), r(7)
	f.RDI, f.RSI, f.RBP, f.RBX = r(8), r(9), r(10), r(11)
	f.RDX, f.RAX, f.RCX, f.RSP = r(12), r(13), r(14), r(15)
	f.RIP = r(16)
	// Only the arithmetic flags, DF and TF may come from the context;
	// interrupts stay enabled and the privilege bits are the kernel's.
	const userFlags = 0xcd5 | 1<<10
	f.RFLAGS = f.RFLAGS&^userFlags | r(17)&userFlags | 1<<9
	if fp := getUint64(mc + abi.McFpstate); fp != 0 && userRange(fp, abi.FxsaveSize) {
		copy(f.FXSave[:], bytesAt(uintptr(fp), abi.FxsaveSize))
		// MXCSR reserved bits set would fault FXRSTOR in kernel code.
		f.FXSave[26] = 0
		f.FXSave[27] = 0
	}
	t.SignalMask = getUint64(uintptr(uc) + abi.UcontextSigmask)
	return deliverPending(f)
}

// deliverPending delivers one pending, unblocked signal to the running
// thread (frame f) before it resumes, and returns f's address.
func deliverPending(f *cpu.Frame) uintptr {
	t := sched.Current()
	if t != nil {
		if ready := t.PendingSignals &^ t.SignalMask; ready != 0 {
			for s := uint64(1); s <= abi.NumberOfSignals; s++ {
				if ready&(1<<(s-1)) != 0 {
					if !Deliver(f, s, abi.SiTkill, 0, 0, 0) {
						t.PendingSignals &^= 1 << (s - 1) // undeliverable: drop
					}
					break
				}
			}
		}
	}
	return frameAddress(f)
}

// DeliverPendingTo is deliverPending for the trap dispatcher: frame is the
// address of the frame about to be resumed on this CPU.
func DeliverPendingTo(frame uintptr) uintptr {
	return deliverPending(frameAt(frame))
}
