#include "textflag.h"

// Entry point (the first process): stand-in g at -8(FS), then run.
TEXT ·start(SB),NOSPLIT|NOFRAME,$0
	ANDQ $~15, SP
	SUBQ $32, SP
	CALL exogo∕libos∕bare·UseStandInG(SB)
	CALL ·run(SB)
	MOVQ $0, 0(SP)
	CALL exogo∕libos∕exo·Exit(SB)
hang:
	JMP hang

// linuxGetppid makes the Linux getppid system call (110), foreign to the
// exokernel: the foreign upcall answers it.
TEXT ·linuxGetppid(SB),NOSPLIT,$0-8
	MOVQ $110, AX
	SYSCALL
	MOVQ AX, ret+0(FP)
	RET

// The child's entry point (bare.Copier starts it with its argument at
// 0(SP)): stand-in g, then yielder.
TEXT ·childStart(SB),NOSPLIT|NOFRAME,$0
	ANDQ $~15, SP
	SUBQ $32, SP
	CALL exogo∕libos∕bare·UseStandInG(SB)
	CALL ·yielder(SB)
	MOVQ $0, 0(SP)
	CALL exogo∕libos∕exo·Exit(SB)
hangChild:
	JMP hangChild

// func childStartAddress() uintptr
TEXT ·childStartAddress(SB),NOSPLIT,$0-8
	LEAQ ·childStart(SB), AX
	MOVQ AX, ret+0(FP)
	RET
