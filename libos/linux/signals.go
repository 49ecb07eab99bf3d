package linux

import (
	"sync/atomic"
	"unsafe"

	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/uthread"
)

// Signals: an action per signal (process wide), a mask, an alternate stack
// and pending signals per thread. A fault the libOS cannot resolve becomes
// SIGSEGV, SIGBUS, SIGFPE or SIGILL on the faulting thread; tgkill makes a
// signal pending, delivered when the thread next resumes. Delivery builds
// the rt_sigframe Linux builds (abi/linuxabi, shared with the kernel's own
// personality), so the runtime's handler turns a nil dereference into a Go
// panic and SIGURG into an asynchronous preemption.

type action struct {
	handler, flags, restorer, mask uint64
}

var actions [abi.NumberOfSignals + 1]action

func sysSigaction(signal, newAction, oldAction, size uint64) int64 {
	if signal == 0 || signal > abi.NumberOfSignals || size != abi.SigsetSize {
		return -abi.EINVAL
	}
	old := actions[signal]
	if newAction != 0 {
		if signal == abi.SIGKILL || signal == abi.SIGSTOP {
			return -abi.EINVAL
		}
		b, ok := userBytes(newAction, abi.SigactionSize, false)
		if !ok {
			return -abi.EFAULT
		}
		actions[signal] = action{
			handler:  word(b, abi.SigactionHandler),
			flags:    word(b, abi.SigactionFlags),
			restorer: word(b, abi.SigactionRestorer),
			mask:     word(b, abi.SigactionMask),
		}
	}
	if oldAction != 0 {
		b, ok := userBytes(oldAction, abi.SigactionSize, true)
		if !ok {
			actions[signal] = old
			return -abi.EFAULT
		}
		putWord(b, abi.SigactionHandler, old.handler)
		putWord(b, abi.SigactionFlags, old.flags)
		putWord(b, abi.SigactionRestorer, old.restorer)
		putWord(b, abi.SigactionMask, old.mask)
	}
	return 0
}

func sysSigprocmask(current int, how, newSet, oldSet, size uint64) int64 {
	if size != abi.SigsetSize {
		return -abi.EINVAL
	}
	th := threads.At(current)
	old := th.SignalMask
	if newSet != 0 {
		set, ok := getUser64(newSet)
		if !ok {
			return -abi.EFAULT
		}
		mask, ok := abi.UpdateSignalMask(th.SignalMask, how, set)
		if !ok {
			return -abi.EINVAL
		}
		th.SignalMask = mask
	}
	if oldSet != 0 && !putUser64(oldSet, old) {
		th.SignalMask = old
		return -abi.EFAULT
	}
	return 0
}

func sysSigaltstack(current int, newStack, oldStack uint64) int64 {
	th := threads.At(current)
	oldSp, oldSize, oldFlags := th.AltStack, th.AltStackSize, th.AltStackFlags
	if oldSize == 0 {
		oldFlags = abi.SsDisable
	}
	if newStack != 0 {
		b, ok := userBytes(newStack, abi.StackTSize, false)
		if !ok {
			return -abi.EFAULT
		}
		flags := word(b, abi.StackFlags) & 0xffff_ffff
		switch {
		case flags&abi.SsDisable != 0:
			th.AltStack, th.AltStackSize, th.AltStackFlags = 0, 0, 0
		case flags != 0:
			return -abi.EINVAL
		case word(b, abi.StackSize) < abi.MinSigstksz:
			return -abi.ENOMEM
		default:
			th.AltStack, th.AltStackSize, th.AltStackFlags = word(b, abi.StackSp), word(b, abi.StackSize), 0
		}
	}
	if oldStack != 0 {
		b, ok := userBytes(oldStack, abi.StackTSize, true)
		if !ok {
			return -abi.EFAULT
		}
		putWord(b, abi.StackSp, oldSp)
		putWord(b, abi.StackFlags, oldFlags)
		putWord(b, abi.StackSize, oldSize)
	}
	return 0
}

// word, putWord and putWord32 read and write little-endian words of b;
// out of range they do nothing (and read 0). The access goes through a
// pointer after the explicit test, which leaves nothing to panic.
func word(b []byte, at int) uint64 {
	if at < 0 || at > len(b)-8 {
		return 0
	}
	return *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), at))
}

func putWord32(b []byte, at int, v uint32) {
	if at < 0 || at > len(b)-4 {
		return
	}
	*(*uint32)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), at)) = v
}

func putWord(b []byte, at int, v uint64) {
	if at < 0 || at > len(b)-8 {
		return
	}
	*(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), at)) = v
}

// The registers of a context in struct sigcontext's order
// (abi.SignalContext.Registers).
var sigcontextOrder = [18]uint16{
	exo.ContextR8, exo.ContextR8 + 8, exo.ContextR8 + 16, exo.ContextR8 + 24,
	exo.ContextR8 + 32, exo.ContextR8 + 40, exo.ContextR8 + 48, exo.ContextR8 + 56,
	exo.ContextRdi, exo.ContextRsi, exo.ContextRbp, exo.ContextRbx, exo.ContextRdx,
	exo.ContextRax, exo.ContextRcx, exo.ContextRsp, exo.ContextRip, exo.ContextRflags,
}

// fxsaveShared is how much of a context's FXSAVE area is the program's
// state (the libOS keeps its g word above).
const fxsaveShared = 464

// deliver makes thread th, whose registers are at context, enter the
// handler of signal when it resumes, as Linux does: an rt_sigframe on its
// stack (or its alternate stack) with the interrupted registers. It reports
// false when the signal cannot be delivered: no handler, blocked, or no
// usable stack (the caller then ends the process for a fault).
func deliver(context uintptr, th *uthread.Thread, signal uint64, code int64, address, trapno, errorCode uint64) bool {
	if signal == 0 || signal > abi.NumberOfSignals {
		return false
	}
	a := actions[signal]
	bit := abi.SignalBit(signal)
	if a.handler <= 1 || a.flags&abi.SaRestorer == 0 || th.SignalMask&bit != 0 {
		return false
	}
	sp := get(context, exo.ContextRsp)
	onAltStack, toAltStack := abi.SignalStack(sp, a.flags, th.AltStack, th.AltStackSize)
	frame, fpstate, end := abi.PlaceSignalFrame(sp, toAltStack, th.AltStack+th.AltStackSize)
	b, ok := userBytes(frame, end-frame, true)
	if !ok || frame >= end {
		return false
	}
	var c abi.SignalContext
	for i, offset := range sigcontextOrder {
		c.Registers[i] = get(context, int(offset))
	}
	c.Segments = 0x33 | 0x2b<<48 // the user code and stack selectors
	c.Err, c.Trapno, c.Cr2, c.Mask = errorCode, trapno, address, th.SignalMask
	c.AltStack, c.AltStackSize = th.AltStack, th.AltStackSize
	if onAltStack {
		c.AltStackFlags = abi.SsOnstack
	}
	fx := bare.Bytes(context+exo.ContextFxsave, fxsaveShared)
	if !abi.WriteSignalFrame(b, frame, fpstate, &c, fx, a.restorer, signal, code, address) {
		return false
	}
	th.SignalMask = abi.HandlerMask(th.SignalMask, signal, a.flags, a.mask)
	atomic.AndUint64(&th.PendingSignals, ^bit)
	put(context, exo.ContextRsp, frame)
	put(context, exo.ContextRip, a.handler)
	put(context, exo.ContextRdi, signal)
	put(context, exo.ContextRsi, abi.SignalFrameSiginfo(frame))
	put(context, exo.ContextRdx, abi.SignalFrameUcontext(frame))
	put(context, exo.ContextRax, 0)
	put(context, exo.ContextRflags, get(context, exo.ContextRflags)&^(1<<10)) // DF clear
	signalsDelivered++
	return true
}

// deliverPending delivers one pending signal the thread does not block.
// Called holding the call lock (dispatch's withSignals).
func deliverPending(context uintptr, th *uthread.Thread) {
	if s := abi.NextSignal(atomic.LoadUint64(&th.PendingSignals), th.SignalMask); s != 0 && !deliver(context, th, s, abi.SiTkill, 0, 0, 0) {
		atomic.AndUint64(&th.PendingSignals, ^abi.SignalBit(s)) // undeliverable: dropped
	}
}

// sysSigreturn restores the registers a signal frame saved (the handler's
// RET popped the return address, so RSP points at the ucontext); the
// program may have edited them (the runtime's asynchronous preemption
// does).
func sysSigreturn(context uintptr, th *uthread.Thread) bool {
	uc := get(context, exo.ContextRsp)
	b, ok := userBytes(uc, abi.UcontextSize, false)
	if !ok {
		return false
	}
	var c abi.SignalContext
	fpstate, ok := abi.ReadSignalContext(b, &c)
	if !ok {
		return false
	}
	for i, offset := range sigcontextOrder {
		put(context, int(offset), c.Registers[i]) // the flags are filtered when the context is resumed
	}
	if fx, ok := userBytes(fpstate, abi.FxsaveSize, false); fpstate != 0 && ok {
		// MXCSR (without its reserved bits, which would fault LDMXCSR)
		// and XMM0-15: the SSE state the libOS saves and loads.
		mxcsr := uint32(word(fx, exo.FxsaveMxcsr)) & 0xffff
		put(context, exo.ContextFxsave+exo.FxsaveMxcsr, uint64(mxcsr))
		for off := 0; off < 256; off += 8 {
			put(context, exo.ContextFxsave+exo.FxsaveXmm+off, word(fx, exo.FxsaveXmm+off))
		}
	}
	th.SignalMask, _ = abi.UpdateSignalMask(0, abi.SigSetmask, c.Mask)
	return true
}
