#include "textflag.h"

// The context's layout (CONTEXT_*, FXSAVE_*): the table's, shared with the
// kernel (kernel/exo/syscalls.conf, generated into libos/exo).
#include "../exo/abi_amd64.h"
#include "../exo/upcall_amd64.h"

// The upcall entry point a program registers with upcall_register. The
// kernel enters here with RDI = the saved context, RSI = the event, RDX =
// detail, RCX = detail 2, and RSP just below the context (256-byte aligned).
// The CPU still holds the interrupted context's x87 and SSE state, which
// the kernel does not save. Go code uses the SSE unit (XMM registers,
// MXCSR) but never the x87 unit, so this libOS saves MXCSR and XMM0-15 at
// their places in the context's FXSAVE area (offset 256: MXCSR at +24,
// XMM0 at +160) before any Go code runs, and the resume functions load
// them back; the x87 registers stay in the CPU throughout. Plain moves
// cost a fraction of a whole FXSAVE64/FXRSTOR64 (about 0.8 us of a 4 us
// fault round trip under QEMU). Then it calls dispatchUpcall(context,
// event, detail, detail2), which runs the program's handler and resumes
// the context.
TEXT ·upcallEntry(SB),NOSPLIT|NOFRAME,$0
	SAVE_SSE
	SUBQ $40, SP
	MOVQ DI, 0(SP)
	MOVQ SI, 8(SP)
	MOVQ DX, 16(SP)
	MOVQ CX, 24(SP)
	CALL ·dispatchUpcall(SB)
stuck:
	JMP stuck

// func resumeInUserMode(context, slot uintptr): continue context without
// the kernel. Load its MXCSR and XMM0-15, build an IRETQ frame (its RIP,
// RFLAGS reduced to user flags, RSP, and the user selectors) on the upcall
// stack, load its general registers, clear the disabled word of the
// context slot, and IRETQ, which switches RIP, RFLAGS and RSP at once.
// Between the clearing and the IRETQ the stack pointer is still in the
// upcall stack, so the kernel delivers no upcall there (kernel/exo.InUpcall)
// and the context cannot be overwritten while it is read. The FS and GS
// bases stay as they are.
TEXT ·resumeInUserMode(SB),NOSPLIT|NOFRAME,$0-16
	MOVQ context+0(FP), DI
	MOVQ slot+8(FP), SI
	LOAD_SSE
	IRETQ_FRAME
	// BP becomes the context's, not a frame pointer: go vet's frame-pointer
	// check reads code up to the first unconditional jump.
	JMP  loadRegisters
loadRegisters:
	LOAD_REGISTERS_IRETQ

// func resumeThroughKernel(context uintptr, call uint64) int64: load the
// context's MXCSR and XMM0-15 and make system call number call
// (upcall_resume), which keeps them, loads the rest of the context (FS and
// GS bases included) and continues it. Nothing may run between the two:
// Go code uses XMM registers. It returns only when the kernel refuses the
// context.
TEXT ·resumeThroughKernel(SB),NOSPLIT,$0-24
	MOVQ context+0(FP), DI
	LOAD_SSE
	MOVQ call+8(FP), AX
	SYSCALL
	MOVQ AX, ret+16(FP)
	RET

// func UpcallEntryAddress() uintptr
TEXT ·UpcallEntryAddress(SB),NOSPLIT,$0-8
	LEAQ ·upcallEntry(SB), AX
	MOVQ AX, ret+0(FP)
	RET
