// Package fault holds an instruction that faults on purpose, for programs
// that test and measure the kernel's fault upcalls (cmd/exo-test,
// cmd/exo-bench): DivideByZero raises #DE with XMM0-15 holding a pattern,
// and a fault handler that resumes the context at LandingAddress makes it
// return Landed, or LandedWithoutXMM when the SSE state was not kept across
// the upcall.
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
