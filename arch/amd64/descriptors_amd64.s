#include "textflag.h"

// func loadGDT(base uintptr, limit uint16)
TEXT ·loadGDT(SB),NOSPLIT,$16-10
	MOVW limit+8(FP), AX
	MOVW AX, 0(SP)
	MOVQ base+0(FP), AX
	MOVQ AX, 2(SP)
	LGDT 0(SP)
	RET

// func loadIDT(base uintptr, limit uint16)
TEXT ·loadIDT(SB),NOSPLIT,$16-10
	MOVW limit+8(FP), AX
	MOVW AX, 0(SP)
	MOVQ base+0(FP), AX
	MOVQ AX, 2(SP)
	LIDT 0(SP)
	RET

// func reloadSegments(): data segments to the kernel data selector, CS to
// the kernel code selector with a far return. FS and GS are left alone:
// loading a selector into them can clear their bases, which hold Go's TLS
// and the per-CPU block (both set through MSRs).
TEXT ·reloadSegments(SB),NOSPLIT|NOFRAME,$0-0
	MOVW $0x10, AX
	MOVW AX, DS
	MOVW AX, ES
	MOVW AX, SS
	POPQ AX                        // our return address
	PUSHQ $0x08
	PUSHQ AX
	BYTE $0x48; BYTE $0xcb         // REX.W far return: pops RIP and CS
	
// func loadTaskRegister(selector uint16)
TEXT ·loadTaskRegister(SB),NOSPLIT,$0-2
	MOVW selector+0(FP), AX
	LTR AX
	RET
