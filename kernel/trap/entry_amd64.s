// Every way into the kernel: the SYSCALL instruction, interrupts and CPU
// exceptions. All of them build the same trap frame (kernel/cpu/frame.go) at the top of
// the current thread's kernel stack, call dispatch (Go, restricted) with its
// address, and resume whichever frame dispatch returns: the same one, or
// another thread's (that is a context switch).
//
// The per-CPU block (kernel/cpu/percpu.go) is reached through the GS base; its fields at
// fixed offsets are named below. Kernel code runs with interrupts disabled
// from entry to exit, so an interrupt never arrives on a kernel stack; a
// fault there is a kernel bug and goes to the fatal path on its IST stack.

#include "textflag.h"

#define CPU_SCRATCH 8
#define CPU_STACK_TOP 16
#define CPU_KERNEL_FS 24
#define CPU_IN_KERNEL 40
#define CPU_SCRATCH2 48

#define FRAME_SIZE 704
#define HARDWARE_WORDS 7          // vector, error code, RIP, CS, RFLAGS, RSP, SS
#define MSR_FS_BASE 0xc0000100
#define MSR_KERNEL_GS_BASE 0xc0000102
// Offset of the saved CS from the FS-base slot of a frame (kernel/cpu.Frame:
// CS at 672, FSBase at 512).
#define FRAME_CS 160
#define CPU_ENTRY_FRAME 64
#define CPU_USER_BASES 72
// Offsets of the FS and GS base slots from the start of a frame.
#define FRAME_FS_BASE 512
#define FRAME_GS_BASE 520

// The SSE state kernel code can change: MXCSR and XMM0-15, saved and
// restored at their places in the frame's FXSAVE image (MXCSR at 24, XMM
// registers from 160). Kernel Go code uses SSE (the compiler keeps zero in
// X15; memmove uses the XMM registers) but never the x87 unit, so the x87
// state stays in the CPU across kernel code and is only moved when the CPU
// resumes a different thread (switchFPU). A full FXSAVE/FXRSTOR on every
// entry cost about half of an exokernel call under QEMU.
//
// An exokernel call does not preserve XMM0-15 (docs/syscalls.md, ABI): its
// entry saves only MXCSR and marks the frame (byte FXSAVE_XMM_SKIPPED, in
// the part of the FXSAVE image left to software), and the exit zeroes the
// registers, so that nothing kernel code left there reaches user mode.
// Every other entry (foreign calls included) saves and restores them, and
// so does upcall_resume, which hands its caller's SSE state on to the
// context it resumes (kernel/exo/upcall.go).
#define SAVE_XMM \
	MOVUPS X0, 160(SP); MOVUPS X1, 176(SP); MOVUPS X2, 192(SP); MOVUPS X3, 208(SP); \
	MOVUPS X4, 224(SP); MOVUPS X5, 240(SP); MOVUPS X6, 256(SP); MOVUPS X7, 272(SP); \
	MOVUPS X8, 288(SP); MOVUPS X9, 304(SP); MOVUPS X10, 320(SP); MOVUPS X11, 336(SP); \
	MOVUPS X12, 352(SP); MOVUPS X13, 368(SP); MOVUPS X14, 384(SP); MOVUPS X15, 400(SP)
#define RESTORE_XMM \
	MOVUPS 160(SP), X0; MOVUPS 176(SP), X1; MOVUPS 192(SP), X2; MOVUPS 208(SP), X3; \
	MOVUPS 224(SP), X4; MOVUPS 240(SP), X5; MOVUPS 256(SP), X6; MOVUPS 272(SP), X7; \
	MOVUPS 288(SP), X8; MOVUPS 304(SP), X9; MOVUPS 320(SP), X10; MOVUPS 336(SP), X11; \
	MOVUPS 352(SP), X12; MOVUPS 368(SP), X13; MOVUPS 384(SP), X14; MOVUPS 400(SP), X15
#define ZERO_XMM \
	XORPS X0, X0; XORPS X1, X1; XORPS X2, X2; XORPS X3, X3; \
	XORPS X4, X4; XORPS X5, X5; XORPS X6, X6; XORPS X7, X7; \
	XORPS X8, X8; XORPS X9, X9; XORPS X10, X10; XORPS X11, X11; \
	XORPS X12, X12; XORPS X13, X13; XORPS X14, X14; XORPS X15, X15
#define FXSAVE_XMM_SKIPPED 464       // kernel/cpu.FXSaveXMMSkipped
#define EXO_CALL_BASE 0x1000         // kernel/exo.CallBase
#define EXO_CALL_SPAN 0x1000         // numbers CallBase to CallBase+0xfff are exokernel calls
#define EXO_CALL_UPCALL_RESUME 0x13  // kernel/exo.CallUpcallResume - CallBase
// Offsets of the vector and CS from the start of a frame (kernel/cpu.Frame).
#define FRAME_VECTOR_FROM_START 648
#define FRAME_CS_FROM_START 672
#define SYSCALL_VECTOR 256
#define USER_CODE_SELECTOR 0x23      // arch/amd64.UserCodeSelector
#define USER_ADDRESS_END 0x00007ffffffff000 // see sysretPath
#define USER_DATA_SELECTOR 0x1b      // arch/amd64.UserDataSelector

// SYSCALL saves RIP in RCX and RFLAGS in R11, masks RFLAGS with FMASK
// (which clears IF), loads the kernel's CS and SS, and changes nothing else:
// RSP is still the caller's stack. Two kinds of caller use it: the kernel's
// own Go runtime at CPL 0 (its "Linux" system calls) and user processes at
// CPL 3. Kernel code lives in the upper half of the address space and user
// code in the lower half, so the sign of the return address in RCX tells
// them apart. Build the frame an interrupt would have pushed, with
// the caller's selectors, then join the common path.
//
// In kernel mode the GS base is the per-CPU block; in user mode it is the
// user's (a program can load a selector into GS, which sets the base), and
// the per-CPU block waits in the KERNEL_GS_BASE MSR. SWAPGS exchanges the
// two: on every entry from user mode before GS is used, and on every exit
// to user mode after the last use. The user's GS base is saved in and
// restored from the frame, so each thread keeps its own.
TEXT ·syscallEntry(SB),NOSPLIT|NOFRAME,$0
	TESTQ CX, CX
	JPL  fromUser                  // bit 63 clear: a lower-half address
	MOVQ SP, CPU_SCRATCH(GS)
	MOVQ CPU_STACK_TOP(GS), SP
	PUSHQ $0x10                    // SS
	PUSHQ CPU_SCRATCH(GS)           // RSP
	PUSHQ R11                      // RFLAGS
	PUSHQ $0x08                    // CS
	PUSHQ CX                       // RIP
	PUSHQ $0                       // error code
	PUSHQ $SYSCALL_VECTOR
	JMP ·commonEntry(SB)
fromUser:
	SWAPGS
	MOVQ SP, CPU_SCRATCH(GS)
	MOVQ CPU_STACK_TOP(GS), SP
	PUSHQ $USER_DATA_SELECTOR      // SS
	PUSHQ CPU_SCRATCH(GS)           // RSP
	PUSHQ R11                      // RFLAGS
	PUSHQ $USER_CODE_SELECTOR      // CS
	PUSHQ CX                       // RIP
	PUSHQ $0                       // error code
	PUSHQ $SYSCALL_VECTOR
	JMP ·commonEntry(SB)

// Interrupts and exceptions arrive on the CPU's IST1 stack (every IDT gate
// names it) with the hardware frame, the error code (real or a zero pushed
// by the vector stub) and the vector. Move those 7 words to the top of the
// current thread's kernel stack and continue there, so the IST stack is free
// for the next trap. A trap while the CPU is already in the kernel is a
// kernel bug: stay on the IST stack and report it.
TEXT ·interruptEntry(SB),NOSPLIT|NOFRAME,$0
	TESTQ $3, 24(SP)               // the interrupted CS: from user mode?
	JZ   kernelGS
	SWAPGS
kernelGS:
	CMPQ CPU_IN_KERNEL(GS), $0
	JNE  nested
	MOVQ AX, CPU_SCRATCH(GS)
	MOVQ BX, CPU_SCRATCH2(GS)
	MOVQ CPU_STACK_TOP(GS), AX
	SUBQ $(HARDWARE_WORDS*8), AX
	MOVQ 0(SP), BX
	MOVQ BX, 0(AX)
	MOVQ 8(SP), BX
	MOVQ BX, 8(AX)
	MOVQ 16(SP), BX
	MOVQ BX, 16(AX)
	MOVQ 24(SP), BX
	MOVQ BX, 24(AX)
	MOVQ 32(SP), BX
	MOVQ BX, 32(AX)
	MOVQ 40(SP), BX
	MOVQ BX, 40(AX)
	MOVQ 48(SP), BX
	MOVQ BX, 48(AX)
	MOVQ AX, SP
	MOVQ CPU_SCRATCH2(GS), BX
	MOVQ CPU_SCRATCH(GS), AX
	JMP ·commonEntry(SB)
nested:
	PUSHQ AX
	PUSHQ BX
	PUSHQ CX
	PUSHQ DX
	PUSHQ SI
	PUSHQ DI
	PUSHQ BP
	PUSHQ R8
	PUSHQ R9
	PUSHQ R10
	PUSHQ R11
	PUSHQ R12
	PUSHQ R13
	PUSHQ R14
	PUSHQ R15
	SUBQ $16, SP                   // FS base slot and padding
	SUBQ $512, SP                  // FXSAVE area (IST stacks are 16-aligned)
	FXSAVE64 0(SP)
	MOVQ SP, AX
	SUBQ $16, SP
	MOVQ AX, 0(SP)
	CALL ·nestedTrap(SB)           // reports and never returns
nestedHalt:
	CLI
	HLT
	JMP nestedHalt

// The common path: SP points at the vector word of a frame under
// construction at the top of the current thread's kernel stack.
TEXT ·commonEntry(SB),NOSPLIT|NOFRAME,$0
	PUSHQ AX
	PUSHQ BX
	PUSHQ CX
	PUSHQ DX
	PUSHQ SI
	PUSHQ DI
	PUSHQ BP
	PUSHQ R8
	PUSHQ R9
	PUSHQ R10
	PUSHQ R11
	PUSHQ R12
	PUSHQ R13
	PUSHQ R14
	PUSHQ R15
	// The FS and GS base slots are not written here: a thread's FS base
	// (and a user thread's GS base) changes only through its frame
	// (arch_prctl, clone, tls_set, upcall_resume, frame set-up), so the
	// slots still hold what the last exit restored. Reading the MSRs
	// again would only cost time (a load of GS or FS with a selector in
	// user mode, which resets a base, is undone at the next exit). The
	// exception is a CPU with CR4.FSGSBASE set, where user mode writes
	// its bases itself: see savedSSE.
	SUBQ $16, SP                   // FS base, GS base
	SUBQ $512, SP
	STMXCSR 24(SP)
	MOVB $0, FXSAVE_XMM_SKIPPED(SP)
	XORL R12, R12                  // 1: an exokernel call from user mode
	CMPQ FRAME_VECTOR_FROM_START(SP), $SYSCALL_VECTOR
	JNE  saveXMM
	TESTQ $3, FRAME_CS_FROM_START(SP)
	JZ   saveXMM
	MOVQ AX, CX                    // the call number (CX is saved)
	SUBQ $EXO_CALL_BASE, CX
	CMPQ CX, $EXO_CALL_SPAN
	JAE  saveXMM
	MOVL $1, R12
	CMPQ CX, $EXO_CALL_UPCALL_RESUME
	JEQ  saveXMM
	MOVB $1, FXSAVE_XMM_SKIPPED(SP)
	JMP  savedSSE
saveXMM:
	SAVE_XMM
savedSSE:
	// With CR4.FSGSBASE, user mode may have changed its FS and GS bases
	// (WRFSBASE, WRGSBASE; a libOS switches threads so): read both into
	// the frame, from the CPU (the FS base, still the user's) and from
	// KERNEL_GS_BASE (where SWAPGS put the user's GS base). AX, CX and
	// DX are saved already and free here (the call number was read).
	CMPQ CPU_USER_BASES(GS), $0
	JEQ  basesKept
	TESTQ $3, FRAME_CS_FROM_START(SP)
	JZ   basesKept
	RDFSBASEQ AX
	MOVQ AX, FRAME_FS_BASE(SP)
	MOVL $MSR_KERNEL_GS_BASE, CX
	RDMSR
	SHLQ $32, DX
	ORQ  DX, AX
	MOVQ AX, FRAME_GS_BASE(SP)
basesKept:
	MOVQ SP, CPU_ENTRY_FRAME(GS)
	MOVQ $1, CPU_IN_KERNEL(GS)

	// Kernel Go code finds its g at -8(FS): point FS at the kernel's TLS
	// block, whose g is a stand-in with zero stack bounds (see percpu.go).
	MOVQ CPU_KERNEL_FS(GS), AX
	MOVQ AX, DX
	SHRQ $32, DX
	MOVL $MSR_FS_BASE, CX
	WRMSR

	// Exokernel calls from user mode, the most frequent trap, go straight
	// to their handler; everything else to dispatch.
	MOVQ SP, AX
	SUBQ $16, SP                   // ABI0: argument and result on the stack
	MOVQ AX, 0(SP)
	TESTQ R12, R12
	JNZ  exokernelCall
	CALL ·dispatch(SB)
	JMP  dispatched
exokernelCall:
	CALL ·exokernelCall(SB)
dispatched:
	MOVQ 8(SP), AX                 // the frame to resume
	CMPQ AX, CPU_ENTRY_FRAME(GS)
	JNE  switchFPU
	MOVQ AX, SP
	JMP ·resumeFrame(SB)

// Another thread resumes on this CPU: the x87 state in the CPU is still
// the entering thread's (kernel code does not touch it). Save it into that
// thread's frame (FXSAVE into scratch space on this stack, then copy the
// x87 parts: bytes 0-23 and 32-159; its MXCSR and XMM registers were saved
// on entry), then load the new thread's whole FXSAVE image.
switchFPU:
	MOVQ AX, R12                   // the new frame
	SUBQ $528, SP
	ANDQ $~15, SP
	FXSAVE64 0(SP)
	MOVQ CPU_ENTRY_FRAME(GS), DI
	MOVQ SP, SI
	MOVQ $3, CX
	CLD
	REP; MOVSQ                     // bytes 0-23: control, status, tag, pointers
	ADDQ $8, SI
	ADDQ $8, DI                    // skip MXCSR and its mask
	MOVQ $16, CX
	REP; MOVSQ                     // bytes 32-159: ST0-ST7
	MOVQ R12, SP
	FXRSTOR64 0(SP)
	JMP ·resumeFrame(SB)

// Resume the frame at SP: restore everything and return with IRETQ (which
// reloads RIP, CS, RFLAGS, RSP and SS; SYSRET would drop to ring 3).
TEXT ·resumeFrame(SB),NOSPLIT|NOFRAME,$0
	MOVQ $0, CPU_IN_KERNEL(GS)
	LDMXCSR 24(SP)
	CMPB FXSAVE_XMM_SKIPPED(SP), $0
	JNE  zeroXMM
	RESTORE_XMM
	JMP  restoredSSE
zeroXMM:
	ZERO_XMM
restoredSSE:
	ADDQ $512, SP
	MOVQ 0(SP), AX
	MOVQ AX, DX
	SHRQ $32, DX
	MOVL $MSR_FS_BASE, CX
	WRMSR
	TESTQ $3, FRAME_CS(SP)
	JZ   restoredGS
	MOVQ 8(SP), AX                 // the user's GS base, for after SWAPGS
	MOVQ AX, DX
	SHRQ $32, DX
	MOVL $MSR_KERNEL_GS_BASE, CX
	WRMSR
restoredGS:
	ADDQ $16, SP
	// Choose the way out (see "The way back to user mode" below) while
	// registers are free; remember it in the CPU's scratch word, which
	// the flags can be compared with after the registers are restored.
	// Offsets from SP (the saved R15): R11 32, RCX 96, RAX 112, vector
	// 120, error code 128, RIP 136, CS 144, RFLAGS 152, RSP 160, SS 168.
	MOVQ $0, CPU_SCRATCH(GS)
	// Never return to user mode at or above USER_ADDRESS_END: IRETQ to a
	// non-canonical RIP faults in ring 0, after SWAPGS, with the user's
	// GS base live. Nothing the kernel resumes can hold such a RIP (the
	// last user page is never mapped, upcall entries and resumed contexts
	// are checked); should one ever, it resumes at 0 instead, which is
	// never mapped either, and faults in ring 3, where a fault is the
	// process's.
	TESTQ $3, 144(SP)
	JZ   chooseExit
	MOVQ 136(SP), AX
	MOVQ $USER_ADDRESS_END, CX
	CMPQ AX, CX
	JB   chooseExit
	MOVQ $0, 136(SP)
chooseExit:
	CMPQ 144(SP), $USER_CODE_SELECTOR
	JNE  popRegisters
	MOVQ 136(SP), AX               // RIP
	CMPQ AX, 96(SP)                // == the saved RCX?
	JNE  popRegisters
	MOVQ $USER_ADDRESS_END, CX
	CMPQ AX, CX
	JAE  popRegisters
	MOVQ 152(SP), AX               // RFLAGS
	CMPQ AX, 32(SP)                // == the saved R11?
	JNE  popRegisters
	MOVQ $1, CPU_SCRATCH(GS)       // SYSRETQ
popRegisters:
	POPQ R15
	POPQ R14
	POPQ R13
	POPQ R12
	POPQ R11
	POPQ R10
	POPQ R9
	POPQ R8
	POPQ BP
	POPQ DI
	POPQ SI
	POPQ DX
	POPQ CX
	POPQ BX
	POPQ AX
	ADDQ $16, SP                   // vector, error code
	CMPQ CPU_SCRATCH(GS), $0
	JNE  sysret
	TESTQ $3, 8(SP)                // returning to user mode?
	JZ   iret
	SWAPGS
iret:
	IRETQ

// The way back to user mode, for a frame that SYSCALL could have made:
// its CS is the 64-bit user code selector, its RCX holds its RIP and its
// R11 its RFLAGS (what SYSCALL leaves there), and its RIP is a user
// address. SYSRETQ sets RIP from RCX, RFLAGS from R11 and the fixed user
// CS and SS (STAR), and costs less than IRETQ, which loads and checks both
// descriptors (about 0.05 us of a 0.6 us call under QEMU). Every other
// frame leaves by IRETQ. The RIP bound matters: SYSRETQ to a non-canonical
// address faults in ring 0 with the user's RSP on Intel CPUs; addresses
// below USER_ADDRESS_END (the last page below the canonical hole excluded,
// as Linux does) are safe. Between SWAPGS and SYSRETQ (as between SWAPGS
// and IRETQ) only an NMI or machine check could arrive; the kernel sends
// no NMIs.
sysret:
	MOVQ 24(SP), SP                // the user's RSP (after RIP, CS, RFLAGS)
	SWAPGS
	BYTE $0x48; BYTE $0x0f; BYTE $0x07 // SYSRETQ (REX.W: to 64-bit mode)

// func enterFrame(frame uintptr): start running the thread whose frame is at
// frame (used once per CPU, to leave boot code for the first thread).
TEXT ·enterFrame(SB),NOSPLIT|NOFRAME,$0-8
	MOVQ frame+0(FP), SP
	FXRSTOR64 0(SP)                // the whole state: nothing was there before
	JMP ·resumeFrame(SB)

// The idle loop: what a CPU runs when no thread is runnable. It is entered
// like a thread (from a frame, with interrupts enabled) and left by the next
// timer interrupt.
TEXT ·idleLoop(SB),NOSPLIT|NOFRAME,$0
idle:
	STI
	HLT
	JMP idle

TEXT ·haltForever(SB),NOSPLIT|NOFRAME,$0
halt:
	CLI
	HLT
	JMP halt

// func idleLoopAddress() uintptr
TEXT ·idleLoopAddress(SB),NOSPLIT,$0-8
	LEAQ ·idleLoop(SB), AX
	MOVQ AX, ret+0(FP)
	RET

// func syscallEntryAddress() uintptr
TEXT ·syscallEntryAddress(SB),NOSPLIT,$0-8
	LEAQ ·syscallEntry(SB), AX
	MOVQ AX, ret+0(FP)
	RET


// func vectorStubTableAddress() uintptr
TEXT ·vectorStubTableAddress(SB),NOSPLIT,$0-8
	LEAQ ·vectorStubTable(SB), AX
	MOVQ AX, ret+0(FP)
	RET
