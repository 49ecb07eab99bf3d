#include "textflag.h"

// The upcall entry point a program registers with upcall_register. The
// kernel enters here with RDI = the saved context, RSI = the event, RDX =
// detail, RCX = detail 2, and RSP just below the context (64-byte aligned).
// It calls dispatchUpcall(context, event, detail, detail2), which runs the
// program's Handler and resumes the context.
TEXT ·upcallEntry(SB),NOSPLIT|NOFRAME,$0
	SUBQ $40, SP
	MOVQ DI, 0(SP)
	MOVQ SI, 8(SP)
	MOVQ DX, 16(SP)
	MOVQ CX, 24(SP)
	CALL ·dispatchUpcall(SB)
stuck:
	JMP stuck

// func UpcallEntryAddress() uintptr
TEXT ·UpcallEntryAddress(SB),NOSPLIT,$0-8
	LEAQ ·upcallEntry(SB), AX
	MOVQ AX, ret+0(FP)
	RET
