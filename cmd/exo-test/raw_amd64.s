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

// func gsBase() uint64: RDGSBASE (where the kernel lets user mode).
TEXT ·gsBase(SB),NOSPLIT,$0-8
	RDGSBASEQ AX
	MOVQ AX, ret+0(FP)
	RET

// func setGSBase(base uint64): WRGSBASE (where the kernel lets user mode).
TEXT ·setGSBase(SB),NOSPLIT,$0-8
	MOVQ base+0(FP), AX
	WRGSBASEQ AX
	RET

// func linuxGetpid() int64: a Linux system call (getpid = 39), foreign to
// the exokernel: the libOS's foreign upcall answers it.
TEXT ·linuxGetpid(SB),NOSPLIT,$0-8
	MOVQ $39, AX
	SYSCALL
	MOVQ AX, ret+0(FP)
	RET

// func outByte(port uint16, value uint8)
TEXT ·outByte(SB),NOSPLIT,$0-3
	MOVW port+0(FP), DX
	MOVB value+2(FP), AX
	OUTB
	RET

// func inByte(port uint16) uint8
TEXT ·inByte(SB),NOSPLIT,$0-9
	MOVW port+0(FP), DX
	INB
	MOVB AX, ret+8(FP)
	RET

// func x87Load(value int32): push value onto the x87 stack (FILD).
TEXT ·x87Load(SB),NOSPLIT,$0-4
	FMOVL value+0(FP), F0
	RET

// func x87Store() int32: pop the x87 stack top into an integer (FISTP).
TEXT ·x87Store(SB),NOSPLIT,$0-4
	FMOVLP F0, ret+0(FP)
	RET

// func vcpuLoopAddress() uintptr: where vCPU 1 starts running (vcpus.go).
TEXT ·vcpuLoopAddress(SB),NOSPLIT,$0-8
	LEAQ ·vcpuLoop(SB), AX
	MOVQ AX, ret+0(FP)
	RET
