#include "textflag.h"

// The upcall entry point a program registers with upcall_register. The
// kernel enters here with RDI = the saved context, RSI = the event, RDX =
// detail, RCX = detail 2, and RSP just below the context (64-byte aligned).
// The CPU still holds the interrupted context's x87 and SSE state, which
// the kernel does not save. Go code uses the SSE unit (XMM registers,
// MXCSR) but never the x87 unit, so this libOS saves MXCSR and XMM0-15 at
// their places in the context's FXSAVE area (offset 256: MXCSR at +24,
// XMM0 at +160) before any Go code runs, and Resume loads them back; the
// x87 registers stay in the CPU throughout. Plain moves cost a fraction of
// a whole FXSAVE64/FXRSTOR64 (about 0.8 us of a 4 us fault round trip
// under QEMU). Then it calls dispatchUpcall(context, event, detail,
// detail2), which runs the program's Handler and resumes the context.
TEXT ·upcallEntry(SB),NOSPLIT|NOFRAME,$0
	STMXCSR 280(DI)
	MOVUPS X0, 416(DI)
	MOVUPS X1, 432(DI)
	MOVUPS X2, 448(DI)
	MOVUPS X3, 464(DI)
	MOVUPS X4, 480(DI)
	MOVUPS X5, 496(DI)
	MOVUPS X6, 512(DI)
	MOVUPS X7, 528(DI)
	MOVUPS X8, 544(DI)
	MOVUPS X9, 560(DI)
	MOVUPS X10, 576(DI)
	MOVUPS X11, 592(DI)
	MOVUPS X12, 608(DI)
	MOVUPS X13, 624(DI)
	MOVUPS X14, 640(DI)
	MOVUPS X15, 656(DI)
	SUBQ $40, SP
	MOVQ DI, 0(SP)
	MOVQ SI, 8(SP)
	MOVQ DX, 16(SP)
	MOVQ CX, 24(SP)
	CALL ·dispatchUpcall(SB)
stuck:
	JMP stuck

// func resumeContext(context uintptr, call uint64) int64: load the
// context's MXCSR and XMM0-15 (saved by upcallEntry, perhaps edited by the
// handler) and make system call number call (upcall_resume), which keeps
// them and continues the context. Nothing may run between the two: Go
// code uses XMM registers. It returns only when the kernel refuses the
// context.
TEXT ·resumeContext(SB),NOSPLIT,$0-24
	MOVQ context+0(FP), DI
	LDMXCSR 280(DI)
	MOVUPS 416(DI), X0
	MOVUPS 432(DI), X1
	MOVUPS 448(DI), X2
	MOVUPS 464(DI), X3
	MOVUPS 480(DI), X4
	MOVUPS 496(DI), X5
	MOVUPS 512(DI), X6
	MOVUPS 528(DI), X7
	MOVUPS 544(DI), X8
	MOVUPS 560(DI), X9
	MOVUPS 576(DI), X10
	MOVUPS 592(DI), X11
	MOVUPS 608(DI), X12
	MOVUPS 624(DI), X13
	MOVUPS 640(DI), X14
	MOVUPS 656(DI), X15
	MOVQ call+8(FP), AX
	SYSCALL
	MOVQ AX, ret+16(FP)
	RET

// func UpcallEntryAddress() uintptr
TEXT ·UpcallEntryAddress(SB),NOSPLIT,$0-8
	LEAQ ·upcallEntry(SB), AX
	MOVQ AX, ret+0(FP)
	RET
