#include "textflag.h"

// The context's layout (CONTEXT_*, FXSAVE_*): the table's, shared with the
// kernel (kernel/exo/syscalls.conf, generated into libos/exo).
#include "../exo/abi_amd64.h"
#define CONTEXT_MXCSR (CONTEXT_FXSAVE+FXSAVE_MXCSR)
#define CONTEXT_XMM (CONTEXT_FXSAVE+FXSAVE_XMM)
#define USER_FLAGS 0xdd5             // arithmetic flags, TF, DF (what upcall_resume allows)
#define FLAGS_ALWAYS 0x202           // IF and the reserved bit 1
#define USER_CODE_SELECTOR 0x23      // arch/amd64.UserCodeSelector
#define USER_DATA_SELECTOR 0x1b      // arch/amd64.UserDataSelector

// LOAD_SSE loads MXCSR and XMM0-15 from the context at DI.
#define LOAD_SSE \
	LDMXCSR CONTEXT_MXCSR(DI); \
	MOVUPS (CONTEXT_XMM+0)(DI), X0; MOVUPS (CONTEXT_XMM+16)(DI), X1; MOVUPS (CONTEXT_XMM+32)(DI), X2; MOVUPS (CONTEXT_XMM+48)(DI), X3; \
	MOVUPS (CONTEXT_XMM+64)(DI), X4; MOVUPS (CONTEXT_XMM+80)(DI), X5; MOVUPS (CONTEXT_XMM+96)(DI), X6; MOVUPS (CONTEXT_XMM+112)(DI), X7; \
	MOVUPS (CONTEXT_XMM+128)(DI), X8; MOVUPS (CONTEXT_XMM+144)(DI), X9; MOVUPS (CONTEXT_XMM+160)(DI), X10; MOVUPS (CONTEXT_XMM+176)(DI), X11; \
	MOVUPS (CONTEXT_XMM+192)(DI), X12; MOVUPS (CONTEXT_XMM+208)(DI), X13; MOVUPS (CONTEXT_XMM+224)(DI), X14; MOVUPS (CONTEXT_XMM+240)(DI), X15

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
// event, detail, detail2), which runs the program's Handler and resumes
// the context.
TEXT ·upcallEntry(SB),NOSPLIT|NOFRAME,$0
	STMXCSR CONTEXT_MXCSR(DI)
	MOVUPS X0, (CONTEXT_XMM+0)(DI)
	MOVUPS X1, (CONTEXT_XMM+16)(DI)
	MOVUPS X2, (CONTEXT_XMM+32)(DI)
	MOVUPS X3, (CONTEXT_XMM+48)(DI)
	MOVUPS X4, (CONTEXT_XMM+64)(DI)
	MOVUPS X5, (CONTEXT_XMM+80)(DI)
	MOVUPS X6, (CONTEXT_XMM+96)(DI)
	MOVUPS X7, (CONTEXT_XMM+112)(DI)
	MOVUPS X8, (CONTEXT_XMM+128)(DI)
	MOVUPS X9, (CONTEXT_XMM+144)(DI)
	MOVUPS X10, (CONTEXT_XMM+160)(DI)
	MOVUPS X11, (CONTEXT_XMM+176)(DI)
	MOVUPS X12, (CONTEXT_XMM+192)(DI)
	MOVUPS X13, (CONTEXT_XMM+208)(DI)
	MOVUPS X14, (CONTEXT_XMM+224)(DI)
	MOVUPS X15, (CONTEXT_XMM+240)(DI)
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
	SUBQ $40, SP
	MOVQ CONTEXT_RIP(DI), AX
	MOVQ AX, 0(SP)
	MOVQ $USER_CODE_SELECTOR, 8(SP)
	MOVQ CONTEXT_RFLAGS(DI), AX
	ANDQ $USER_FLAGS, AX
	ORQ  $FLAGS_ALWAYS, AX
	MOVQ AX, 16(SP)
	MOVQ CONTEXT_RSP(DI), AX
	MOVQ AX, 24(SP)
	MOVQ $USER_DATA_SELECTOR, 32(SP)
	// BP becomes the context's, not a frame pointer: go vet's frame-pointer
	// check reads code up to the first unconditional jump.
	JMP  loadRegisters
loadRegisters:
	MOVQ CONTEXT_RAX(DI), AX
	MOVQ CONTEXT_RBX(DI), BX
	MOVQ CONTEXT_RCX(DI), CX
	MOVQ CONTEXT_RDX(DI), DX
	MOVQ CONTEXT_RBP(DI), BP
	MOVQ CONTEXT_R8+0(DI), R8
	MOVQ CONTEXT_R8+8(DI), R9
	MOVQ CONTEXT_R8+16(DI), R10
	MOVQ CONTEXT_R8+24(DI), R11
	MOVQ CONTEXT_R8+32(DI), R12
	MOVQ CONTEXT_R8+40(DI), R13
	MOVQ CONTEXT_R8+48(DI), R14
	MOVQ CONTEXT_R8+56(DI), R15
	MOVQ $0, CONTEXT_DISABLED(SI)
	MOVQ CONTEXT_RSI(DI), SI
	MOVQ CONTEXT_RDI(DI), DI
	IRETQ

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
