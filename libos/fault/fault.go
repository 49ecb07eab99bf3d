// Package fault holds probes of the kernel's upcall and call ABI, for
// programs that test and measure it (cmd/exo-test, cmd/exo-bench):
// DivideByZero raises #DE with XMM0-15 holding XMMPattern, and a fault
// handler that resumes the context at LandingAddress makes it return
// Landed, or LandedWithoutXMM when the SSE state was not kept across the
// upcall; XMMAfterCall shows what a system call leaves in XMM0-15.
package fault

// DivideByZero divides by zero. It returns Landed when the fault upcall
// resumes it at LandingAddress with its XMM registers as they were.
func DivideByZero() uint64

// LandingAddress is where a fault handler resumes DivideByZero's context.
func LandingAddress() uintptr

// What DivideByZero returns after landing: Landed when XMM0-15 still hold
// what it put there, LandedWithoutXMM when they changed.
const (
	Landed           = 77
	LandedWithoutXMM = 78
)

func landing() uint64

// XMMPattern is what DivideByZero and XMMAfterCall put in XMM0-15.
const XMMPattern = 0x0123456789abcdef

// XMMAfterCall fills XMM0-15 with XMMPattern, makes system call number,
// and returns the OR of all sixteen registers' both halves: 0 when the
// kernel zeroed them (an exokernel call), XMMPattern when they were kept
// (a foreign call), anything else when kernel data leaked into them.
func XMMAfterCall(number uint64) uint64

// Touch loads the word at address: TouchLoaded when the load completed,
// TouchResumed when the kernel resumed its page fault at the landing
// TouchAddresses gives (fault_fixup over TouchRange bytes from Touch).
func Touch(address uintptr) uint64

func touchLanding(address uintptr) uint64

// TouchAddresses returns Touch's address and its landing's.
func TouchAddresses() (start, landing uintptr)

// TouchRange covers Touch's first instructions, its load among them (at
// byte 5), and nothing of another function (its padding after the RET
// makes it longer).
const TouchRange = 16

// What Touch returns.
const (
	TouchLoaded  = 1
	TouchResumed = 2
)
