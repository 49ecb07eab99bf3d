#include "textflag.h"

// Entry points. The kernel starts the first process at start; the parent
// starts each child at childStart with its role at 0(SP) (the parent wrote
// it on the child's stack). Both give Go code a stand-in g at -8(FS)
// (tls_set) first: every Go function reads its g from there.

TEXT ·start(SB),NOSPLIT|NOFRAME,$0
	MOVQ DI, ·screenSegment(SB)     // the kernel passes the screen segment
	MOVQ SI, ·screenKind(SB)
	ANDQ $~15, SP
	SUBQ $32, SP
	CALL exogo∕libos∕bare·UseStandInG(SB)
	CALL ·parent(SB)
	MOVQ 0(SP), AX
	MOVQ AX, 0(SP)
	CALL exogo∕libos∕exo·Exit(SB)
hang:
	JMP hang

TEXT ·childStart(SB),NOSPLIT|NOFRAME,$0
	MOVQ 0(SP), R12                 // the role
	ANDQ $~15, SP
	SUBQ $32, SP
	CALL exogo∕libos∕bare·UseStandInG(SB)
	MOVQ R12, 0(SP)
	CALL ·child(SB)
	MOVQ 8(SP), AX
	MOVQ AX, 0(SP)
	CALL exogo∕libos∕exo·Exit(SB)
hangChild:
	JMP hangChild

// func childStartAddress() uintptr
TEXT ·childStartAddress(SB),NOSPLIT,$0-8
	LEAQ ·childStart(SB), AX
	MOVQ AX, ret+0(FP)
	RET
