#include "textflag.h"

// func InByte(port uint16) uint8
TEXT ·InByte(SB),NOSPLIT,$0-9
	MOVW port+0(FP), DX
	INB
	MOVB AX, ret+8(FP)
	RET

// func OutByte(port uint16, value uint8)
TEXT ·OutByte(SB),NOSPLIT,$0-3
	MOVW port+0(FP), DX
	MOVB value+2(FP), AX
	OUTB
	RET

// func InWord(port uint16) uint16
TEXT ·InWord(SB),NOSPLIT,$0-10
	MOVW port+0(FP), DX
	INW
	MOVW AX, ret+8(FP)
	RET

// func OutWord(port uint16, value uint16)
TEXT ·OutWord(SB),NOSPLIT,$0-4
	MOVW port+0(FP), DX
	MOVW value+2(FP), AX
	OUTW
	RET

// func InLong(port uint16) uint32
TEXT ·InLong(SB),NOSPLIT,$0-12
	MOVW port+0(FP), DX
	INL
	MOVL AX, ret+8(FP)
	RET

// func OutLong(port uint16, value uint32)
TEXT ·OutLong(SB),NOSPLIT,$0-8
	MOVW port+0(FP), DX
	MOVL value+4(FP), AX
	OUTL
	RET
