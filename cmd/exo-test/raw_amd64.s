#include "textflag.h"

// func rawCall(number uint64) int64: a system call with any number.
TEXT ·rawCall(SB),NOSPLIT,$0-16
	MOVQ number+0(FP), AX
	SYSCALL
	MOVQ AX, ret+8(FP)
	RET
