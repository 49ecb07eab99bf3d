// The parts of a vDSO clock_gettime that the kernel's (kernel/timer) and
// the libOS's (libos/linux) share; each supplies how it reads the time.
// The function is called with the C convention: DI = clock, SI = struct
// timespec *; it may clobber AX, CX and DX.

// VDSO_CLOCK_SWITCH jumps to the function's label monotonic or realtime by
// the clock in DI; for any other clock it makes the clock_gettime system
// call (228) and returns its result.
#define VDSO_CLOCK_SWITCH \
	CMPQ DI, $1; JEQ monotonic; \
	CMPQ DI, $4; JEQ monotonic; \
	CMPQ DI, $6; JEQ monotonic; \
	CMPQ DI, $7; JEQ monotonic; \
	CMPQ DI, $0; JEQ realtime; \
	CMPQ DI, $5; JEQ realtime; \
	MOVQ $228, AX; \
	SYSCALL; \
	RET

// VDSO_STORE_TIMESPEC stores the nanoseconds in AX at SI as a timespec and
// returns 0.
#define VDSO_STORE_TIMESPEC \
	MOVQ $1000000000, CX; \
	XORL DX, DX; \
	DIVQ CX; \
	MOVQ AX, 0(SI); \
	MOVQ DX, 8(SI); \
	XORL AX, AX; \
	RET
