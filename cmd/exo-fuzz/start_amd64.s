#include "textflag.h"

// Entry points, as in cmd/exo-test: the kernel starts the first process
// (the coordinator) at start; the coordinator starts each child at
// childStart with its role at 0(SP). Both give Go code a stand-in g at
// -8(FS) first.

TEXT ·start(SB),NOSPLIT|NOFRAME,$0
	ANDQ $~15, SP
	SUBQ $32, SP
	CALL exogo∕libos∕bare·UseStandInG(SB)
	CALL ·coordinator(SB)
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

// func rawCall(number, a0, a1, a2, a3, a4, a5 uint64) int64: any call
// number with six arguments, in the exokernel's registers.
TEXT ·rawCall(SB),NOSPLIT|NOFRAME,$0-64
	MOVQ number+0(FP), AX
	MOVQ a0+8(FP), DI
	MOVQ a1+16(FP), SI
	MOVQ a2+24(FP), DX
	MOVQ a3+32(FP), R10
	MOVQ a4+40(FP), R8
	MOVQ a5+48(FP), R9
	SYSCALL
	MOVQ AX, ret+56(FP)
	RET
