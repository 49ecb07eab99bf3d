package linuxabi

import (
	"encoding/binary"
	"testing"
)

func TestSignalFrameRoundTrip(t *testing.T) {
	const sp = 0x7000_1234_5678
	frame, fpstate, end := PlaceSignalFrame(sp, false, 0)
	if (frame+8)%16 != 0 || fpstate%64 != 0 || end > sp-RedZone || fpstate-frame < SignalFrameSize {
		t.Fatalf("placement: frame %#x fpstate %#x end %#x", frame, fpstate, end)
	}
	if f2, _, e2 := PlaceSignalFrame(sp, true, 0x6000_0000_0000); e2 > 0x6000_0000_0000 || f2 < 0x6000_0000_0000-4096 {
		t.Fatalf("alternate stack placement: frame %#x end %#x", f2, e2)
	}
	b := make([]byte, end-frame)
	var c SignalContext
	for i := range c.Registers {
		c.Registers[i] = uint64(i+1) * 0x1111
	}
	c.Segments, c.Err, c.Trapno, c.Cr2, c.Mask = 0x2b00000000000033, 4, 14, 0xdead000, 0x8000
	c.AltStack, c.AltStackSize = 0xc000_0000, 32768
	fx := make([]byte, 512)
	fx[24] = 0x80 // MXCSR
	fx[160] = 0x42
	if !WriteSignalFrame(b, frame, fpstate, &c, fx, 0x401000, SIGSEGV, SegvMaperr, 0xdead000) {
		t.Fatal("WriteSignalFrame refused its own placement")
	}
	word := func(at uint64) uint64 { return binary.LittleEndian.Uint64(b[at-frame:]) }
	if word(frame) != 0x401000 {
		t.Error("return address")
	}
	info := SignalFrameSiginfo(frame)
	if binary.LittleEndian.Uint32(b[info-frame:]) != SIGSEGV || binary.LittleEndian.Uint32(b[info-frame+SiginfoCode:]) != SegvMaperr || word(info+SiginfoAddr) != 0xdead000 {
		t.Error("siginfo")
	}
	uc := SignalFrameUcontext(frame)
	if word(uc+UcontextMcontext+McRip) != c.Registers[RegRip] || word(uc+UcontextMcontext+McRsp) != c.Registers[RegRsp] ||
		word(uc+UcontextMcontext+McFpstate) != fpstate || b[fpstate-frame+24] != 0x80 || b[fpstate-frame+160] != 0x42 {
		t.Error("ucontext or fpstate")
	}
	var back SignalContext
	fp, ok := ReadSignalContext(b[uc-frame:uc-frame+UcontextSize], &back)
	if !ok || fp != fpstate || back != c {
		t.Errorf("read back %+v (fpstate %#x), wrote %+v", back, fp, c)
	}
	if WriteSignalFrame(b[1:], frame, fpstate, &c, fx, 0, SIGSEGV, 0, 0) {
		t.Error("a wrongly sized buffer was accepted")
	}
	if n := testing.AllocsPerRun(10, func() {
		WriteSignalFrame(b, frame, fpstate, &c, fx, 0x401000, SIGSEGV, SegvMaperr, 0)
		ReadSignalContext(b[uc-frame:uc-frame+UcontextSize], &back)
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

func TestSignalSets(t *testing.T) {
	if NextSignal(0, 0) != 0 || NextSignal(SignalBit(SIGURG)|SignalBit(SIGSEGV), 0) != SIGSEGV ||
		NextSignal(SignalBit(SIGURG)|SignalBit(SIGSEGV), SignalBit(SIGSEGV)) != SIGURG || NextSignal(SignalBit(64), 0) != 64 {
		t.Error("NextSignal")
	}
	m, ok := UpdateSignalMask(0, SigBlock, ^uint64(0))
	if !ok || m&SignalBit(SIGKILL) != 0 || m&SignalBit(SIGSTOP) != 0 || m&SignalBit(SIGURG) == 0 {
		t.Errorf("block all: %#x", m)
	}
	if m, ok = UpdateSignalMask(m, SigUnblock, SignalBit(SIGURG)); !ok || m&SignalBit(SIGURG) != 0 || m&SignalBit(SIGINT) == 0 {
		t.Errorf("unblock: %#x", m)
	}
	if m2, ok := UpdateSignalMask(m, 7, 0); ok || m2 != m {
		t.Error("an unknown how was accepted")
	}
	if on, to := SignalStack(0x1800, SaOnstack, 0x1000, 0x1000); !on || to {
		t.Error("on the alternate stack already")
	}
	if on, to := SignalStack(0x9000, SaOnstack, 0x1000, 0x1000); on || !to {
		t.Error("to the alternate stack")
	}
	if _, to := SignalStack(0x9000, 0, 0x1000, 0x1000); to {
		t.Error("without SA_ONSTACK")
	}
	if HandlerMask(0, SIGSEGV, 0, SignalBit(SIGINT)) != SignalBit(SIGSEGV)|SignalBit(SIGINT) || HandlerMask(0, SIGSEGV, SaNodefer, 0) != 0 {
		t.Error("HandlerMask")
	}
}
