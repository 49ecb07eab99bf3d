// The application processors' first instructions in kernel text. The
// real-mode trampoline (kernel/smp/trampoline.go) switches an AP to long
// mode on the kernel's page tables and jumps here with RSP = the AP's boot
// stack (below its idle frame), RDI = the FS base for kernel Go code
// (cpu.KernelTLSBase: the stand-in g) and RSI = the AP's CPU index. As in
// start64, FS must be set before the first Go instruction; GS stays 0
// until apMain's InitCPU, so nothing before that may use the per-CPU block.

#include "textflag.h"

#define MSR_FS_BASE 0xc0000100

TEXT ·apEntry(SB),NOSPLIT|NOFRAME,$0
	MOVQ DI, AX
	MOVQ DI, DX
	SHRQ $32, DX
	MOVL $MSR_FS_BASE, CX
	WRMSR
	ANDQ $~15, SP
	SUBQ $16, SP
	MOVQ SI, 0(SP)                 // ABI0: apMain(index int)
	CALL ·apMain(SB)
apHalt:
	CLI
	HLT
	JMP apHalt

// func apEntryAddress() uintptr
TEXT ·apEntryAddress(SB),NOSPLIT,$0-8
	LEAQ ·apEntry(SB), AX
	MOVQ AX, ret+0(FP)
	RET
