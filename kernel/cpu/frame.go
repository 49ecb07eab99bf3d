// Package cpu holds the state the kernel keeps per CPU and per interrupted
// thread: the per-CPU block reached through the GS base, and Frame, the
// registers of an interrupted thread as the trap entry code saves them.
// Restricted Go (docs/restricted-go.md).
package cpu

import "unsafe"

// Frame is the saved state of an interrupted thread, built at the top of its
// kernel stack by the entry code: the hardware frame (RIP to SS), the vector
// and error code, the general registers, the FS base (Go's TLS pointer) and
// the SSE state. Its layout is the assembly's; change both together.
type Frame struct {
	FXSave [512]byte // FXSAVE64 image: x87, MXCSR, XMM0-15
	FSBase uint64
	GSBase uint64 // user mode's GS base (0 for kernel frames)
	R15    uint64
	R14    uint64
	R13    uint64
	R12    uint64
	R11    uint64
	R10    uint64
	R9     uint64
	R8     uint64
	RBP    uint64
	RDI    uint64
	RSI    uint64
	RDX    uint64
	RCX    uint64
	RBX    uint64
	RAX    uint64
	// Vector is the interrupt vector, or SyscallVector for SYSCALL.
	Vector    uint64
	ErrorCode uint64
	RIP       uint64
	CS        uint64
	RFLAGS    uint64
	RSP       uint64
	SS        uint64
}

// FrameSize is the size of a Frame; the assembly's FRAME_SIZE.
const FrameSize = 704

// SyscallVector marks frames built by the SYSCALL entry.
const SyscallVector = 256

// FXSaveXMMSkipped is the byte of the FXSAVE image the entry code sets
// when it did not save XMM0-15 (an exokernel call, whose ABI does not
// preserve them; the exit then zeroes them). FXSAVE leaves bytes 464-511
// to software. The assembly's FXSAVE_XMM_SKIPPED.
const FXSaveXMMSkipped = 464

var _ [FrameSize - unsafe.Sizeof(Frame{})]byte
var _ [unsafe.Sizeof(Frame{}) - FrameSize]byte

// RFLAGS bits.
const (
	FlagInterrupt = 1 << 9 // IF: maskable interrupts enabled
	FlagReserved  = 1 << 1 // always 1
)

// InitFrame fills a fresh frame that starts executing at rip on stack rsp
// in ring 0 with interrupts enabled, a clean SSE state and the given FS base.
func InitFrame(f *Frame, rip, rsp, fsBase uint64) {
	*f = Frame{}
	f.RIP, f.RSP, f.FSBase = rip, rsp, fsBase
	f.CS, f.SS = 0x08, 0x10
	f.RFLAGS = FlagInterrupt | FlagReserved
	// FXSAVE image: FCW (bytes 0-1) = 0x37f, all x87 exceptions masked;
	// MXCSR (bytes 24-27) = 0x1f80, all SSE exceptions masked, round to
	// nearest: the state a Linux thread starts with.
	f.FXSave[0], f.FXSave[1] = 0x7f, 0x03
	f.FXSave[24], f.FXSave[25] = 0x80, 0x1f
}

// Selectors of user mode (arch/amd64: UserCodeSelector, UserDataSelector).
const (
	userCodeSelector = 0x23
	userDataSelector = 0x1b
)

// InitUserFrame fills a fresh frame that enters user mode (ring 3) at rip
// with stack pointer rsp, interrupts enabled, a clean SSE state and FS base
// 0.
func InitUserFrame(f *Frame, rip, rsp uint64) {
	InitFrame(f, rip, rsp, 0)
	f.CS, f.SS = userCodeSelector, userDataSelector
}
