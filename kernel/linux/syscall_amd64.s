#include "textflag.h"

// func rawSyscall(number uintptr)
TEXT ·rawSyscall(SB),NOSPLIT,$0-8
	MOVQ number+0(FP), AX
	SYSCALL
	RET
