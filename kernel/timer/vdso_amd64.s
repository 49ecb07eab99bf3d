#include "textflag.h"
#include "../../abi/linuxabi/vdso_amd64.h"

// The vDSO's clock_gettime, called by the kernel's Go runtime with the C
// calling convention (DI = clock, SI = struct timespec *) on its system
// stack, instead of making a system call: it reads the TSC and scales it
// with the factors CalibrateTSC stored. Clocks other than the realtime and
// monotonic families fall back to the real system call. Clobbers AX, CX, DX
// (caller-saved in the C ABI).
TEXT ·vdsoClockGettime(SB),NOSPLIT|NOFRAME,$0
	VDSO_CLOCK_SWITCH // the monotonic clocks (1, 4, 6, 7), the realtime ones (0, 5), or the call
monotonic:
	CALL nanoseconds<>(SB)
	JMP  store
realtime:
	CALL nanoseconds<>(SB)
	ADDQ ·bootWallClock(SB), AX
store:
	VDSO_STORE_TIMESPEC

// nanoseconds<> returns in AX the nanoseconds since boot: the 128-bit
// product (TSC - bootTSC) * nanosPerTSC, shifted right by 32 (the factor is
// 32.32 fixed point). The same computation as Nanotime.
TEXT nanoseconds<>(SB),NOSPLIT|NOFRAME,$0
	RDTSC
	SHLQ $32, DX
	ORQ  DX, AX
	SUBQ ·bootTSC(SB), AX
	MULQ ·nanosPerTSC(SB)           // DX:AX = delta * factor
	SHRQ $32, DX, AX                // AX = (DX:AX) >> 32
	RET

// func vdsoFunctionAddress() uintptr
TEXT ·vdsoFunctionAddress(SB),NOSPLIT,$0-8
	LEAQ ·vdsoClockGettime(SB), AX
	MOVQ AX, ret+0(FP)
	RET
