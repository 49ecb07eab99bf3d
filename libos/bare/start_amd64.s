#include "textflag.h"

// func Start(): the entry point of a runtime-free program that has no
// entry of its own (the Makefile links such a program with
// -ldflags "-E exogo/libos/bare.Start"; see start.go). The kernel enters
// here in ring 3 with SP at the top of a stack and nothing else set up.
TEXT ·Start(SB),NOSPLIT|NOFRAME,$0
	ANDQ $~15, SP
	SUBQ $32, SP
	CALL ·UseStandInG(SB)
	CALL ·runMain(SB)
	MOVQ $0, 0(SP)
	CALL exogo∕libos∕exo·Exit(SB)
hang:
	JMP hang
