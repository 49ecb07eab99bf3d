#include "textflag.h"

// The upcall entry point a program registers with upcall_register. The
// kernel enters here with RDI = the saved context, RSI = the event, RDX =
// detail, RCX = detail 2, and RSP just below the context (64-byte aligned).
// The CPU still holds the interrupted context's x87 and SSE state, which
// the kernel does not save: FXSAVE64 keeps it in the context's FXSAVE area
// (offset 256, 16-byte aligned) before any Go code can change it, and
// Resume loads it back. Then it calls dispatchUpcall(context, event,
// detail, detail2), which runs the program's Handler and resumes the
// context.
TEXT ·upcallEntry(SB),NOSPLIT|NOFRAME,$0
	FXSAVE64 256(DI)
	SUBQ $40, SP
	MOVQ DI, 0(SP)
	MOVQ SI, 8(SP)
	MOVQ DX, 16(SP)
	MOVQ CX, 24(SP)
	CALL ·dispatchUpcall(SB)
stuck:
	JMP stuck

// func resumeContext(context uintptr, call uint64) int64: load the
// context's x87 and SSE state (saved by upcallEntry, perhaps edited by the
// handler) and make system call number call (upcall_resume) with it, which
// keeps that state and continues the context. Nothing may run between the
// two: Go code uses XMM registers. It returns only when the kernel refuses
// the context.
TEXT ·resumeContext(SB),NOSPLIT,$0-24
	MOVQ context+0(FP), DI
	FXRSTOR64 256(DI)
	MOVQ call+8(FP), AX
	SYSCALL
	MOVQ AX, ret+16(FP)
	RET

// func UpcallEntryAddress() uintptr
TEXT ·UpcallEntryAddress(SB),NOSPLIT,$0-8
	LEAQ ·upcallEntry(SB), AX
	MOVQ AX, ret+0(FP)
	RET
