#include "textflag.h"

// func rawCall(number uint64) int64: a system call with any number.
TEXT ·rawCall(SB),NOSPLIT,$0-16
	MOVQ number+0(FP), AX
	SYSCALL
	MOVQ AX, ret+8(FP)
	RET

// func loadGSSelector(): load the user data selector into GS, which sets
// the GS base to 0 (what a hostile program does to a kernel that trusts GS
// on entry).
TEXT ·loadGSSelector(SB),NOSPLIT,$0-0
	MOVW $0x1b, AX
	MOVW AX, GS
	RET
