// Package fault holds an instruction that faults on purpose, for programs
// that test and measure the kernel's fault upcalls (cmd/exo-test,
// cmd/exo-bench): DivideByZero raises #DE, and a fault handler that
// resumes the context at LandingAddress makes it return 77.
package fault

// DivideByZero divides by zero. It returns 77 when the fault upcall
// resumes it at LandingAddress.
func DivideByZero() uint64

// LandingAddress is where a fault handler resumes DivideByZero's context.
func LandingAddress() uintptr

// Landed is the value DivideByZero returns after landing.
const Landed = 77

func landing() uint64
