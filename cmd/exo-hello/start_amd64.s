#include "textflag.h"

// The program's entry point (go build -ldflags "-E main.start"). The kernel
// enters here in ring 3 with the stack pointer at the top of a stack and
// nothing else set up. Go code needs a g at -8(FS) before its first
// instruction: point FS (tls_set) at a TLS block whose first word holds a
// zeroed stand-in g, then call run and exit with its result.

#define CALL_EXIT 0x1002
#define CALL_TLS_SET 0x1018

GLOBL ·standInG(SB), NOPTR, $512
GLOBL ·tlsBlock(SB), NOPTR, $16

TEXT ·start(SB),NOSPLIT|NOFRAME,$0
	LEAQ ·standInG(SB), AX
	MOVQ AX, ·tlsBlock(SB)
	LEAQ ·tlsBlock+8(SB), DI
	MOVQ $CALL_TLS_SET, AX
	SYSCALL
	ANDQ $~15, SP
	SUBQ $16, SP
	CALL ·run(SB)
	MOVQ 0(SP), DI
	MOVQ $CALL_EXIT, AX
	SYSCALL
hang:
	JMP hang
