#include "textflag.h"

// func fileCopy(dst, src unsafe.Pointer, n uintptr) uintptr
//
// Copies n bytes and returns how many it copied: n, or fewer when a page
// of either side went away meanwhile (another process shrank the file).
// The kernel resumes such a fault at fileCopyLanding (fault_fixup, over
// fileCopyRange bytes from fileCopy: filecopy.go), with the registers as
// the string instruction left them: DI is where the copy stopped.
TEXT ·fileCopy(SB),NOSPLIT,$0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ DI, R8
	MOVQ CX, DX
	SHRQ $3, CX
	ANDQ $7, DX
	REP; MOVSQ
	MOVQ DX, CX
	REP; MOVSB
	SUBQ R8, DI
	MOVQ DI, ret+24(FP)
	RET
	// Never run: padding, so that the fileCopyRange bytes the kernel
	// resumes faults of are all this function's (filecopy.go checks).
	BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc
	BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc
	BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc
	BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc; BYTE $0xcc

// fileCopyLanding has fileCopy's frame (no frame, the same arguments):
// the kernel resumes a fault of fileCopy here, and it returns what was
// copied before the fault.
TEXT ·fileCopyLanding(SB),NOSPLIT,$0-32
	SUBQ R8, DI
	MOVQ DI, ret+24(FP)
	RET

// func fileCopyAddresses() (start, landing uintptr)
TEXT ·fileCopyAddresses(SB),NOSPLIT,$0-16
	LEAQ ·fileCopy(SB), AX
	MOVQ AX, start+0(FP)
	LEAQ ·fileCopyLanding(SB), AX
	MOVQ AX, landing+8(FP)
	RET
