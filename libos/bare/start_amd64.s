#include "textflag.h"
#include "../exo/native_amd64.h"

// func Start(): the entry point of a runtime-free program that has no
// entry of its own (the Makefile links such a program with
// -ldflags "-E exogo/libos/bare.Start"; see start.go). The kernel enters
// here in ring 3 with SP at the top of a stack and nothing else set up.
TEXT ·Start(SB),NOSPLIT|NOFRAME,$0
	NATIVE_MARKER
	ANDQ $~15, SP
	SUBQ $32, SP
	CALL ·UseStandInG(SB)
	CALL ·runMain(SB)
	MOVQ $0, 0(SP)
	CALL exogo∕libos∕exo·Exit(SB)
hang:
	JMP hang

// func CustomStart(): the entry point of a runtime-free program with an
// entry of its own, main.start (the Makefile links a program whose
// directory has a start_amd64.s with -ldflags "-E
// exogo/libos/bare.CustomStart"). It carries the native marker, so that
// loaders enter the program itself, and jumps to main.start with the
// registers and stack the loader gave. Only the programs that name it
// as their entry link it (and so need a main.start).
TEXT ·CustomStart(SB),NOSPLIT|NOFRAME,$0
	NATIVE_MARKER
	JMP main·start(SB)

// startAddress returns Start's address (for the host test of its marker).
TEXT ·startAddress(SB),NOSPLIT,$0-8
	LEAQ ·Start(SB), AX
	MOVQ AX, ret+0(FP)
	RET
