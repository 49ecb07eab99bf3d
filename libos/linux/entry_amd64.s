#include "textflag.h"

// The context's layout (CONTEXT_*, FXSAVE_*): the table's, shared with the
// kernel (kernel/exo/syscalls.conf, generated into libos/exo).
#include "../exo/abi_amd64.h"
#include "../exo/upcall_amd64.h"
#include "../exo/native_amd64.h"
// Bytes 464-511 of an FXSAVE image are free for software: the libOS keeps
// the interrupted thread's g word there (see upcallEntry).
#define CONTEXT_SAVED_G (CONTEXT_FXSAVE+464)
#define CONTEXT_SAVED_G_VALID (CONTEXT_FXSAVE+472)

// The stand-in g the libOS's Go code runs with (a zeroed g: its stack
// bounds 0, so no stack check fails), and the TLS block FS points at until
// the program's runtime sets its own.
GLOBL ·standInG(SB), NOPTR, $512
GLOBL ·tlsBlock(SB), NOPTR, $16

// RESTORE_G puts back the g word of the thread whose context is at DI into
// its TLS block (-8 from its FS base), if the upcall entry took it out.
#define RESTORE_G \
	CMPQ CONTEXT_SAVED_G_VALID(DI), $0; \
	JEQ 4(PC); \
	MOVQ CONTEXT_FS_BASE(DI), AX; \
	MOVQ CONTEXT_SAVED_G(DI), BX; \
	MOVQ BX, -8(AX)

// func Start(): the entry point of a program linked with the libOS
// (-ldflags "-E exogo/libos/linux.Start"). The kernel enters here in ring 3
// with SP at the top of the stack its loader mapped and nothing else set
// up. Give Go code the stand-in g, then set the libOS up (start, which
// ends by starting the program's runtime and does not return).
TEXT ·Start(SB),NOSPLIT|NOFRAME,$0
	NATIVE_MARKER
	MOVQ SP, ·entryStack(SB)
	ANDQ $~15, SP
	SUBQ $32, SP
	LEAQ ·standInG(SB), AX
	MOVQ AX, ·tlsBlock(SB)
	LEAQ ·tlsBlock+8(SB), AX
	MOVQ AX, 0(SP)
	CALL exogo∕libos∕exo·TlsSet(SB)
	CALL ·start(SB)
hang:
	JMP hang

// The upcall entry point. The kernel enters with RDI = the context slot,
// RSI = the event, RDX and RCX = its details, RSP just below the slot.
// First save MXCSR and XMM0-15 (Go code uses them; the kernel does not
// save them) into the context. Then the g word: the interrupted thread's
// FS still points at its TLS block, whose -8 slot holds the runtime's g
// for that thread, and every Go function's stack check reads it. The
// runtime's g would make the check fail (its stack is not this one, and a
// preemption request sets its guard to a huge value), so the entry saves
// the word in the context and puts the stand-in g there; every resume
// puts it back (RESTORE_G).
TEXT ·upcallEntry(SB),NOSPLIT|NOFRAME,$0
	SAVE_SSE
	MOVQ $0, CONTEXT_SAVED_G_VALID(DI)
	MOVQ CONTEXT_FS_BASE(DI), AX
	CMPQ AX, $0
	JEQ dispatch
	MOVQ -8(AX), BX
	MOVQ BX, CONTEXT_SAVED_G(DI)
	MOVQ $1, CONTEXT_SAVED_G_VALID(DI)
	LEAQ ·standInG(SB), BX
	MOVQ BX, -8(AX)
dispatch:
	SUBQ $40, SP
	MOVQ DI, 0(SP)
	MOVQ SI, 8(SP)
	MOVQ DX, 16(SP)
	MOVQ CX, 24(SP)
	CALL ·dispatch(SB)
stuck:
	JMP stuck

// RELEASE clears the 32-bit word at AX unless AX is 0: the onCPU word of
// the thread whose TLS block this vCPU leaves (uthread's Take waits for
// it). From here on, until the resume, no Go code runs on this vCPU, so
// another vCPU may resume that thread, which restores its g word.
#define RELEASE \
	TESTQ AX, AX; \
	JEQ 2(PC); \
	MOVL $0, (AX)

// func resumeInUserMode(context, slot, release uintptr): continue context
// without the kernel (its FS base must be the one the CPU has): let the
// thread at release go (RELEASE), put its g word back, load its SSE state,
// build an IRETQ frame on the upcall stack, load its registers, clear the
// slot's disabled word and IRETQ (the stack pointer stays in the upcall
// stack until then, so no upcall can arrive in between:
// kernel/exo.InUpcall).
TEXT ·resumeInUserMode(SB),NOSPLIT|NOFRAME,$0-24
	MOVQ release+16(FP), AX
	RELEASE
	MOVQ context+0(FP), DI
	MOVQ slot+8(FP), SI
	RESTORE_G
	LOAD_SSE
	IRETQ_FRAME
	// BP becomes the context's, not a frame pointer: go vet's frame-pointer
	// check reads code up to the first unconditional jump.
	JMP  loadRegisters
loadRegisters:
	LOAD_REGISTERS_IRETQ

// func resumeSettingFS(context, slot, release uintptr): resumeInUserMode
// for a context with another FS base, where the kernel lets user mode
// write it (FSGSBASE): let the thread at release go, load the context's
// FS base, then the same. (Its GS base must be the one the CPU has.)
TEXT ·resumeSettingFS(SB),NOSPLIT|NOFRAME,$0-24
	MOVQ release+16(FP), AX
	RELEASE
	MOVQ context+0(FP), DI
	MOVQ slot+8(FP), SI
	MOVQ CONTEXT_FS_BASE(DI), AX
	WRFSBASEQ AX
	RESTORE_G
	LOAD_SSE
	IRETQ_FRAME
	JMP  loadRegistersFS
loadRegistersFS:
	LOAD_REGISTERS_IRETQ

// func setFS(base uintptr): point FS at base (WRFSBASE: only where the
// kernel lets user mode, see userBases).
TEXT ·setFS(SB),NOSPLIT,$0-8
	MOVQ base+0(FP), AX
	WRFSBASEQ AX
	RET

// func resumeThroughKernel(context uintptr, call uint64, release uintptr) int64:
// continue context with upcall_resume, which also loads its FS and GS
// bases: let the thread at release go (RELEASE), put its g word back, load
// its SSE state (upcall_resume keeps it) and make the call. It returns
// only when the kernel refuses the context.
TEXT ·resumeThroughKernel(SB),NOSPLIT,$0-32
	MOVQ release+16(FP), AX
	RELEASE
	MOVQ context+0(FP), DI
	RESTORE_G
	LOAD_SSE
	MOVQ call+8(FP), AX
	SYSCALL
	MOVQ AX, ret+24(FP)
	RET

// COPY16 copies the 16 bytes at offset off of the context at SI to DI.
#define COPY16(off) MOVUPS (off)(SI), X0; MOVUPS X0, (off)(DI)

// func copyContext(to, from uintptr): copy the parts of a context the
// libOS keeps: the header the kernel writes (general registers, RIP,
// flags, bases, event), MXCSR, XMM0-15 and the saved g word (SAVE_SSE and
// upcallEntry write no more of the FXSAVE image). Unrolled moves: a loop
// over all 768 bytes cost about 700 instructions at every thread switch.
TEXT ·copyContext(SB),NOSPLIT,$0-16
	MOVQ to+0(FP), DI
	MOVQ from+8(FP), SI
	COPY16(0); COPY16(16); COPY16(32); COPY16(48); COPY16(64); COPY16(80); COPY16(96); COPY16(112)
	COPY16(128); COPY16(144); COPY16(160); COPY16(176); COPY16(192); COPY16(208); COPY16(224); COPY16(240)
	MOVQ CONTEXT_MXCSR(SI), AX
	MOVQ AX, CONTEXT_MXCSR(DI)
	COPY16(CONTEXT_XMM+0); COPY16(CONTEXT_XMM+16); COPY16(CONTEXT_XMM+32); COPY16(CONTEXT_XMM+48)
	COPY16(CONTEXT_XMM+64); COPY16(CONTEXT_XMM+80); COPY16(CONTEXT_XMM+96); COPY16(CONTEXT_XMM+112)
	COPY16(CONTEXT_XMM+128); COPY16(CONTEXT_XMM+144); COPY16(CONTEXT_XMM+160); COPY16(CONTEXT_XMM+176)
	COPY16(CONTEXT_XMM+192); COPY16(CONTEXT_XMM+208); COPY16(CONTEXT_XMM+224); COPY16(CONTEXT_XMM+240)
	COPY16(CONTEXT_SAVED_G)
	RET

// func upcallEntryAddress() uintptr
TEXT ·upcallEntryAddress(SB),NOSPLIT,$0-8
	LEAQ ·upcallEntry(SB), AX
	MOVQ AX, ret+0(FP)
	RET

// func runtimeEntryAddress() uintptr: the Go runtime's Linux entry, where
// the program's first thread starts.
// startAddress returns Start's address: the loader passes it as AT_ENTRY
// when the program is linked with the libOS.
TEXT ·startAddress(SB),NOSPLIT,$0-8
	LEAQ ·Start(SB), AX
	MOVQ AX, ret+0(FP)
	RET

TEXT ·runtimeEntryAddress(SB),NOSPLIT,$0-8
	LEAQ _rt0_amd64_linux(SB), AX
	MOVQ AX, ret+0(FP)
	RET

// func tlsBlockAddress() uintptr: FS's value for the stand-in g.
TEXT ·tlsBlockAddress(SB),NOSPLIT,$0-8
	LEAQ ·tlsBlock+8(SB), AX
	MOVQ AX, ret+0(FP)
	RET

// func rdrand() (uint64, bool)
TEXT ·rdrand(SB),NOSPLIT,$0-9
	MOVQ $10, CX
again:
	RDRANDQ AX
	JCS ok
	DECQ CX
	JNZ again
	MOVQ $0, ret+0(FP)
	MOVB $0, ret1+8(FP)
	RET
ok:
	MOVQ AX, ret+0(FP)
	MOVB $1, ret1+8(FP)
	RET
