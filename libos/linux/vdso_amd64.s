#include "textflag.h"
#include "../exo/abi_amd64.h"

// NANOSECONDS leaves in AX the nanoseconds since boot: the 128-bit product
// (TSC - boot_tsc) * nanos_per_tsc, shifted right by 32. A macro, not a
// call, so that the whole function lies in the span the vDSO declares.
#define NANOSECONDS \
	RDTSC; \
	SHLQ $32, DX; \
	ORQ  DX, AX; \
	MOVQ $(ADDRESS_KERNEL_INFO+KERNEL_INFO_BOOT_TSC), CX; \
	SUBQ (CX), AX; \
	MOVQ $(ADDRESS_KERNEL_INFO+KERNEL_INFO_NANOS_PER_TSC), CX; \
	MULQ (CX); \
	SHRQ $32, DX, AX

// The libOS's vDSO clock_gettime (abi/linuxabi.BuildVDSO names it), called
// by the program's runtime with the C calling convention (DI = clock,
// SI = struct timespec *) instead of a system call: it reads the TSC and
// the kernel information page, nothing else, so a clock read never leaves
// user mode. The same formula as time_now and libos/bare.Now. Other clocks
// fall back to the system call, which the libOS serves. Clobbers AX, CX,
// DX (caller-saved in the C ABI).
TEXT ·vdsoClockGettime(SB),NOSPLIT|NOFRAME,$0
	CMPQ DI, $1                     // CLOCK_MONOTONIC
	JEQ  monotonic
	CMPQ DI, $4                     // CLOCK_MONOTONIC_RAW
	JEQ  monotonic
	CMPQ DI, $6                     // CLOCK_MONOTONIC_COARSE
	JEQ  monotonic
	CMPQ DI, $7                     // CLOCK_BOOTTIME
	JEQ  monotonic
	CMPQ DI, $0                     // CLOCK_REALTIME
	JEQ  realtime
	CMPQ DI, $5                     // CLOCK_REALTIME_COARSE
	JEQ  realtime
	MOVQ $228, AX                   // clock_gettime(2)
	SYSCALL
	RET
monotonic:
	NANOSECONDS
	JMP  store
realtime:
	NANOSECONDS
	MOVQ $(ADDRESS_KERNEL_INFO+KERNEL_INFO_WALL_CLOCK_BOOT), CX
	ADDQ (CX), AX
store:
	MOVQ $1000000000, CX
	XORL DX, DX
	DIVQ CX                         // AX = seconds, DX = nanoseconds
	MOVQ AX, 0(SI)
	MOVQ DX, 8(SI)
	XORL AX, AX
	RET

// func vdsoFunctionAddress() uintptr
TEXT ·vdsoFunctionAddress(SB),NOSPLIT,$0-8
	LEAQ ·vdsoClockGettime(SB), AX
	MOVQ AX, ret+0(FP)
	RET
