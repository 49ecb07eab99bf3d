#include "textflag.h"

#define PATTERN $0x0123456789abcdef // fault.XMMPattern

// FILL_XMM puts PATTERN in the low half of XMM0-15 (clobbers AX).
#define FILL_XMM \
	MOVQ PATTERN, AX; \
	MOVQ AX, X0; MOVQ AX, X1; MOVQ AX, X2; MOVQ AX, X3; \
	MOVQ AX, X4; MOVQ AX, X5; MOVQ AX, X6; MOVQ AX, X7; \
	MOVQ AX, X8; MOVQ AX, X9; MOVQ AX, X10; MOVQ AX, X11; \
	MOVQ AX, X12; MOVQ AX, X13; MOVQ AX, X14; MOVQ AX, X15

// func DivideByZero() uint64: fill XMM0-15 with PATTERN, then divide by
// zero.
TEXT ·DivideByZero(SB),NOSPLIT,$0-8
	FILL_XMM
	XORL CX, CX
	MOVL $1, AX
	XORL DX, DX
	DIVL CX
	MOVQ AX, ret+0(FP)
	RET

// landing has DivideByZero's frame (NOSPLIT, the same arguments): resumed
// here, RET returns to DivideByZero's caller with 77 when XMM0-15 still
// hold PATTERN (the fault upcall kept the SSE state), 78 when not.
TEXT ·landing(SB),NOSPLIT,$0-8
	MOVQ PATTERN, AX
	MOVQ X0, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ X1, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ X2, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ X3, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ X4, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ X5, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ X6, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ X7, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ X8, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ X9, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ X10, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ X11, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ X12, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ X13, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ X14, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ X15, BX
	CMPQ BX, AX
	JNE  lost
	MOVQ $77, ret+0(FP)
	RET
lost:
	MOVQ $78, ret+0(FP)
	RET

// func LandingAddress() uintptr
TEXT ·LandingAddress(SB),NOSPLIT,$0-8
	LEAQ ·landing(SB), AX
	MOVQ AX, ret+0(FP)
	RET

// func XMMAfterCall(number uint64) uint64: fill XMM0-15 with PATTERN,
// make system call number, and return the OR of all sixteen registers'
// both halves: 0 when the kernel zeroed them (an exokernel call),
// PATTERN when they were preserved (a foreign call), anything else when
// kernel data leaked into them.
TEXT ·XMMAfterCall(SB),NOSPLIT,$0-16
	FILL_XMM
	MOVQ number+0(FP), AX
	SYSCALL
	POR X1, X0
	POR X2, X0
	POR X3, X0
	POR X4, X0
	POR X5, X0
	POR X6, X0
	POR X7, X0
	POR X8, X0
	POR X9, X0
	POR X10, X0
	POR X11, X0
	POR X12, X0
	POR X13, X0
	POR X14, X0
	POR X15, X0
	MOVQ X0, AX
	PSRLDQ $8, X0
	MOVQ X0, BX
	ORQ BX, AX
	MOVQ AX, ret+8(FP)
	RET

// func Touch(address uintptr) uint64: load the word at address; 1 when
// the load completed, 2 when the kernel resumed its fault at touchLanding
// (fault_fixup over TouchRange bytes from Touch).
TEXT ·Touch(SB),NOSPLIT,$0-16
	MOVQ address+0(FP), AX
	MOVQ (AX), BX
	MOVQ $1, ret+8(FP)
	RET
	BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc
	BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc

TEXT ·touchLanding(SB),NOSPLIT,$0-16
	MOVQ $2, ret+8(FP)
	RET

// func TouchAddresses() (start, landing uintptr)
TEXT ·TouchAddresses(SB),NOSPLIT,$0-16
	LEAQ ·Touch(SB), AX
	MOVQ AX, start+0(FP)
	LEAQ ·touchLanding(SB), AX
	MOVQ AX, landing+8(FP)
	RET
