#include "textflag.h"

// func DivideByZero() uint64
TEXT ·DivideByZero(SB),NOSPLIT,$0-8
	XORL CX, CX
	MOVL $1, AX
	XORL DX, DX
	DIVL CX
	MOVQ AX, ret+0(FP)
	RET

// landing has DivideByZero's frame (NOSPLIT, the same arguments): resumed
// here, RET returns to DivideByZero's caller with 77.
TEXT ·landing(SB),NOSPLIT,$0-8
	MOVQ $77, ret+0(FP)
	RET

// func LandingAddress() uintptr
TEXT ·LandingAddress(SB),NOSPLIT,$0-8
	LEAQ ·landing(SB), AX
	MOVQ AX, ret+0(FP)
	RET
