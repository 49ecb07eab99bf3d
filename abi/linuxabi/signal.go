package linuxabi

import "math/bits"

// The signal frame, built by both personalities: where it goes on the
// stack (PlaceSignalFrame), what it holds (WriteSignalFrame) and what
// rt_sigreturn takes back from it (ReadSignalContext). The caller checks
// that the memory is the program's and hands it over as a byte slice.

// SignalContext is what a frame saves of the interrupted thread.
type SignalContext struct {
	// Registers, in struct sigcontext's order: R8-R15, RDI, RSI, RBP,
	// RBX, RDX, RAX, RCX, RSP, RIP, EFLAGS (Reg* below).
	Registers [18]uint64
	Segments  uint64 // cs, gs, fs, ss (16 bits each)
	Err       uint64 // the exception's error code
	Trapno    uint64 // the exception's vector
	Cr2       uint64 // the fault address
	Mask      uint64 // the signal mask to restore
	// The alternate stack in force (uc_stack).
	AltStack, AltStackFlags, AltStackSize uint64
}

// Indices of SignalContext.Registers.
const (
	RegR8 = iota
	RegR9
	RegR10
	RegR11
	RegR12
	RegR13
	RegR14
	RegR15
	RegRdi
	RegRsi
	RegRbp
	RegRbx
	RegRdx
	RegRax
	RegRcx
	RegRsp
	RegRip
	RegEflags
)

// PlaceSignalFrame returns where the frame for a handler goes: frame is the
// stack pointer the handler starts with (it points at the return address,
// as after a CALL), fpstate the 64-byte aligned FXSAVE image above it, and
// end the first byte above both. sp is the interrupted stack pointer;
// with onAltStack the frame goes at the top of the alternate stack,
// altTop, instead of below sp's red zone.
func PlaceSignalFrame(sp uint64, onAltStack bool, altTop uint64) (frame, fpstate, end uint64) {
	if onAltStack {
		sp = altTop
	} else {
		sp -= RedZone
	}
	fpstate = (sp - FxsaveSize) &^ 63
	frame = (fpstate-SignalFrameSize)&^15 - 8
	return frame, fpstate, fpstate + FxsaveSize
}

// WriteSignalFrame fills a frame placed by PlaceSignalFrame: b is the
// memory [frame, end). fx is the interrupted FXSAVE image (512 bytes, or
// shorter: the rest is zero). It writes the return address (restorer), the
// ucontext (c), the siginfo (signal, code, address) and the FXSAVE image,
// and reports false when b is not that memory.
func WriteSignalFrame(b []byte, frame, fpstate uint64, c *SignalContext, fx []byte, restorer, signal uint64, code int64, address uint64) bool {
	if fpstate < frame || fpstate-frame+FxsaveSize != uint64(len(b)) || fpstate-frame < SignalFrameSize {
		return false
	}
	for i := range b {
		b[i] = 0
	}
	fp := fpstate - frame
	for i := 0; i < len(fx) && i < FxsaveSize; i++ {
		if k := fp + uint64(i); k < uint64(len(b)) {
			b[k] = fx[i]
		}
	}
	put := func(at uint64, v uint64) {
		for i := uint64(0); i < 8; i++ {
			if k := at + i; k < uint64(len(b)) {
				b[k] = byte(v >> (8 * i))
			}
		}
	}
	put(FrameReturnAddress, restorer)
	uc := uint64(FrameUcontext)
	put(uc+UcontextStack+StackSp, c.AltStack)
	put(uc+UcontextStack+StackFlags, c.AltStackFlags)
	put(uc+UcontextStack+StackSize, c.AltStackSize)
	mc := uc + UcontextMcontext
	for i, v := range c.Registers {
		put(mc+uint64(i)*8, v)
	}
	put(mc+McSegments, c.Segments)
	put(mc+McErr, c.Err)
	put(mc+McTrapno, c.Trapno)
	put(mc+McOldmask, c.Mask)
	put(mc+McCr2, c.Cr2)
	put(mc+McFpstate, fpstate)
	put(uc+UcontextSigmask, c.Mask)
	info := uint64(FrameSiginfo)
	put(info+SiginfoSigno, signal&0xffff_ffff) // si_signo, si_errno 0
	put(info+SiginfoCode, uint64(uint32(code)))
	put(info+SiginfoAddr, address)
	return true
}

// SignalFrameUcontext and SignalFrameSiginfo are the addresses of a frame's
// ucontext and siginfo (the handler's third and second arguments).
func SignalFrameUcontext(frame uint64) uint64 { return frame + FrameUcontext }
func SignalFrameSiginfo(frame uint64) uint64  { return frame + FrameSiginfo }

// ReadSignalContext reads back a ucontext (b is its UcontextSize bytes, at
// the stack pointer rt_sigreturn is called with) into c, and returns the
// address of its FXSAVE image (0 for none). The caller decides which of the
// registers and flags the program may set.
func ReadSignalContext(b []byte, c *SignalContext) (fpstate uint64, ok bool) {
	if len(b) != UcontextSize {
		return 0, false
	}
	get := func(at uint64) uint64 {
		v := uint64(0)
		for i := uint64(8); i > 0; i-- {
			if k := at + i - 1; k < uint64(len(b)) {
				v = v<<8 | uint64(b[k])
			}
		}
		return v
	}
	mc := uint64(UcontextMcontext)
	for i := range c.Registers {
		c.Registers[i] = get(mc + uint64(i)*8)
	}
	c.Segments = get(mc + McSegments)
	c.Err = get(mc + McErr)
	c.Trapno = get(mc + McTrapno)
	c.Cr2 = get(mc + McCr2)
	c.Mask = get(UcontextSigmask)
	c.AltStack = get(UcontextStack + StackSp)
	c.AltStackFlags = get(UcontextStack + StackFlags)
	c.AltStackSize = get(UcontextStack + StackSize)
	return get(mc + McFpstate), true
}

// SignalBit is signal's bit in a signal set (signals 1 to 64).
func SignalBit(signal uint64) uint64 { return 1 << ((signal - 1) % 64) }

// NextSignal returns the lowest-numbered signal pending and not masked,
// or 0 when there is none.
func NextSignal(pending, mask uint64) uint64 {
	ready := pending &^ mask
	if ready == 0 {
		return 0
	}
	return uint64(bits.TrailingZeros64(ready)) + 1
}

// UpdateSignalMask applies rt_sigprocmask's how with set to mask; it
// reports false for an unknown how. SIGKILL and SIGSTOP are never blocked.
func UpdateSignalMask(mask, how, set uint64) (uint64, bool) {
	set &^= SignalBit(SIGKILL) | SignalBit(SIGSTOP)
	switch how {
	case SigBlock:
		return mask | set, true
	case SigUnblock:
		return mask &^ set, true
	case SigSetmask:
		return set, true
	}
	return mask, false
}

// SignalStack reports, for a handler whose sa_flags are flags, whether the
// interrupted stack pointer sp is on the alternate stack (at altSp,
// altSize bytes; size 0 for none), and whether the frame goes to the
// alternate stack's top (PlaceSignalFrame's onAltStack).
func SignalStack(sp, flags, altSp, altSize uint64) (onAltStack, toAltStack bool) {
	onAltStack = altSize != 0 && sp > altSp && sp <= altSp+altSize
	return onAltStack, flags&SaOnstack != 0 && altSize != 0 && !onAltStack
}

// HandlerMask returns the signal mask while the handler of signal runs:
// the interrupted mask, the action's mask, and the signal itself unless
// the action has SA_NODEFER.
func HandlerMask(mask, signal, flags, actionMask uint64) uint64 {
	mask |= actionMask
	if flags&SaNodefer == 0 {
		mask |= SignalBit(signal)
	}
	return mask &^ (SignalBit(SIGKILL) | SignalBit(SIGSTOP))
}
