#include "textflag.h"

// A program without the Go runtime still runs Go code, and every Go
// function reads its g from -8(FS) in its first instructions. The stand-in
// is a zeroed g (its stack bounds 0, so no stack check ever fails) in a
// TLS block that FS points at through tls_set.

GLOBL ·standInG(SB), NOPTR, $512
GLOBL ·tlsBlock(SB), NOPTR, $16

// func UseStandInG(): see bare.go. Assembly only: it calls exo.TlsSet with
// its argument at 0(SP) of its own 16-byte frame.
TEXT ·UseStandInG(SB),NOSPLIT,$16-0
	LEAQ ·standInG(SB), AX
	MOVQ AX, ·tlsBlock(SB)
	LEAQ ·tlsBlock+8(SB), AX
	MOVQ AX, 0(SP)
	CALL exogo∕libos∕exo·TlsSet(SB)
	RET
