// The kernel's first 64-bit instructions. The trampoline in arch/amd64
// (boot32_amd64.s) far-returns to start64 in long mode on the boot page
// tables, at start64's physical address, with ESI = the Multiboot2 magic and
// EDI = the boot information address. start64 jumps up to the kernel's
// virtual addresses (linker.ld: KERNEL_VIRTUAL_BASE), which the boot page
// tables also map.
//
// Go code needs two things before its first instruction: a stack, and a g
// at -8(FS) (every function's prologue compares SP with the g's stack
// guard). The boot stack is a static array; the g is the kernel's stand-in
// (kernel/cpu: zero stack bounds, so the check never fires). earlyMain then
// builds the real kernel and never returns.

#include "textflag.h"

#define BOOT_STACK_SIZE 65536
#define MSR_FS_BASE 0xc0000100

GLOBL ·bootStack(SB), NOPTR, $BOOT_STACK_SIZE

TEXT ·start64(SB),NOSPLIT|NOFRAME,$0
	// A RIP-relative load reads the word the linker filled with the
	// absolute (virtual) address of start64High.
	MOVQ ·start64HighAddress(SB), AX
	JMP  AX

DATA ·start64HighAddress+0(SB)/8, $·start64High(SB)
GLOBL ·start64HighAddress(SB), RODATA, $8

TEXT ·start64High(SB),NOSPLIT|NOFRAME,$0
	MOVW $0x10, AX
	MOVW AX, DS
	MOVW AX, ES
	MOVW AX, SS
	MOVL SI, SI                     // zero-extend: upper halves are undefined
	MOVL DI, DI
	LEAQ ·bootStack+BOOT_STACK_SIZE(SB), SP
	ANDQ $~15, SP
	MOVQ SI, R12
	MOVQ DI, R13

	// FS base = the kernel's TLS block (exogo/kernel/cpu.KernelTLSBase).
	SUBQ $16, SP
	CALL ·earlyTLS(SB)
	MOVQ 0(SP), AX
	ADDQ $16, SP
	MOVQ AX, DX
	SHRQ $32, DX
	MOVL $MSR_FS_BASE, CX
	WRMSR

	SUBQ $16, SP
	MOVQ R12, 0(SP)
	MOVQ R13, 8(SP)
	CALL ·earlyMain(SB)
halt:
	CLI
	HLT
	JMP halt

// func earlyTLS() uintptr: the FS base for kernel Go code. Written here in
// assembly because no Go function may run before FS is set.
TEXT ·earlyTLS(SB),NOSPLIT|NOFRAME,$0-8
	LEAQ exogo∕kernel∕cpu·kernelG(SB), AX
	MOVQ AX, exogo∕kernel∕cpu·kernelTLS(SB)
	LEAQ exogo∕kernel∕cpu·kernelTLS+8(SB), AX
	MOVQ AX, 8(SP)
	RET

// func runtimeEntryAddress() uintptr: where a Linux program starts; the
// kernel's Go runtime starts there on the stack earlyMain built.
TEXT ·runtimeEntryAddress(SB),NOSPLIT,$0-8
	LEAQ _rt0_amd64_linux(SB), AX
	MOVQ AX, ret+0(FP)
	RET
