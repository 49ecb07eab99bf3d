#include "textflag.h"
#include "../../abi/linuxabi/vdso_amd64.h"
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
	VDSO_CLOCK_SWITCH // the monotonic clocks (1, 4, 6, 7), the realtime ones (0, 5), or the call
monotonic:
	NANOSECONDS
	JMP  store
realtime:
	NANOSECONDS
	MOVQ $(ADDRESS_KERNEL_INFO+KERNEL_INFO_WALL_CLOCK_BOOT), CX
	ADDQ (CX), AX
store:
	VDSO_STORE_TIMESPEC

// func vdsoFunctionAddress() uintptr
TEXT ·vdsoFunctionAddress(SB),NOSPLIT,$0-8
	LEAQ ·vdsoClockGettime(SB), AX
	MOVQ AX, ret+0(FP)
	RET
