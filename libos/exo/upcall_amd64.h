// Macros for a libOS's upcall entry and resume code, shared by libos/bare
// and libos/linux (hand-written; the layout constants come from the
// generated abi_amd64.h, which must be included first).

#define CONTEXT_MXCSR (CONTEXT_FXSAVE+FXSAVE_MXCSR)
#define CONTEXT_XMM (CONTEXT_FXSAVE+FXSAVE_XMM)
#define USER_FLAGS 0xdd5             // arithmetic flags, TF, DF (what upcall_resume allows)
#define FLAGS_ALWAYS 0x202           // IF and the reserved bit 1
#define USER_CODE_SELECTOR 0x23      // arch/amd64.UserCodeSelector
#define USER_DATA_SELECTOR 0x1b      // arch/amd64.UserDataSelector

// SAVE_SSE saves MXCSR and XMM0-15 into the context at DI.
#define SAVE_SSE \
	STMXCSR CONTEXT_MXCSR(DI); \
	MOVUPS X0, (CONTEXT_XMM+0)(DI); MOVUPS X1, (CONTEXT_XMM+16)(DI); MOVUPS X2, (CONTEXT_XMM+32)(DI); MOVUPS X3, (CONTEXT_XMM+48)(DI); \
	MOVUPS X4, (CONTEXT_XMM+64)(DI); MOVUPS X5, (CONTEXT_XMM+80)(DI); MOVUPS X6, (CONTEXT_XMM+96)(DI); MOVUPS X7, (CONTEXT_XMM+112)(DI); \
	MOVUPS X8, (CONTEXT_XMM+128)(DI); MOVUPS X9, (CONTEXT_XMM+144)(DI); MOVUPS X10, (CONTEXT_XMM+160)(DI); MOVUPS X11, (CONTEXT_XMM+176)(DI); \
	MOVUPS X12, (CONTEXT_XMM+192)(DI); MOVUPS X13, (CONTEXT_XMM+208)(DI); MOVUPS X14, (CONTEXT_XMM+224)(DI); MOVUPS X15, (CONTEXT_XMM+240)(DI)

// LOAD_SSE loads MXCSR and XMM0-15 from the context at DI.
#define LOAD_SSE \
	LDMXCSR CONTEXT_MXCSR(DI); \
	MOVUPS (CONTEXT_XMM+0)(DI), X0; MOVUPS (CONTEXT_XMM+16)(DI), X1; MOVUPS (CONTEXT_XMM+32)(DI), X2; MOVUPS (CONTEXT_XMM+48)(DI), X3; \
	MOVUPS (CONTEXT_XMM+64)(DI), X4; MOVUPS (CONTEXT_XMM+80)(DI), X5; MOVUPS (CONTEXT_XMM+96)(DI), X6; MOVUPS (CONTEXT_XMM+112)(DI), X7; \
	MOVUPS (CONTEXT_XMM+128)(DI), X8; MOVUPS (CONTEXT_XMM+144)(DI), X9; MOVUPS (CONTEXT_XMM+160)(DI), X10; MOVUPS (CONTEXT_XMM+176)(DI), X11; \
	MOVUPS (CONTEXT_XMM+192)(DI), X12; MOVUPS (CONTEXT_XMM+208)(DI), X13; MOVUPS (CONTEXT_XMM+224)(DI), X14; MOVUPS (CONTEXT_XMM+240)(DI), X15

// IRETQ_FRAME builds, 40 bytes below SP, the IRETQ frame that continues
// the context at DI in ring 3: its RIP, the user code selector, its RFLAGS
// reduced to user flags (IF always on), its RSP, the user data selector.
#define IRETQ_FRAME \
	SUBQ $40, SP; \
	MOVQ CONTEXT_RIP(DI), AX; MOVQ AX, 0(SP); \
	MOVQ $USER_CODE_SELECTOR, 8(SP); \
	MOVQ CONTEXT_RFLAGS(DI), AX; ANDQ $USER_FLAGS, AX; ORQ $FLAGS_ALWAYS, AX; MOVQ AX, 16(SP); \
	MOVQ CONTEXT_RSP(DI), AX; MOVQ AX, 24(SP); \
	MOVQ $USER_DATA_SELECTOR, 32(SP)

// LOAD_REGISTERS_IRETQ loads the general registers of the context at DI,
// clears the disabled word of the context slot at SI (the stack pointer is
// still in the upcall stack, so no upcall can arrive before the IRETQ) and
// returns to the context through the frame IRETQ_FRAME built.
#define LOAD_REGISTERS_IRETQ \
	MOVQ CONTEXT_RAX(DI), AX; MOVQ CONTEXT_RBX(DI), BX; MOVQ CONTEXT_RCX(DI), CX; MOVQ CONTEXT_RDX(DI), DX; \
	MOVQ CONTEXT_RBP(DI), BP; \
	MOVQ CONTEXT_R8+0(DI), R8; MOVQ CONTEXT_R8+8(DI), R9; MOVQ CONTEXT_R8+16(DI), R10; MOVQ CONTEXT_R8+24(DI), R11; \
	MOVQ CONTEXT_R8+32(DI), R12; MOVQ CONTEXT_R8+40(DI), R13; MOVQ CONTEXT_R8+48(DI), R14; MOVQ CONTEXT_R8+56(DI), R15; \
	MOVQ $0, CONTEXT_DISABLED(SI); \
	MOVQ CONTEXT_RSI(DI), SI; MOVQ CONTEXT_RDI(DI), DI; \
	IRETQ
