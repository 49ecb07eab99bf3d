package exo

import (
	"exogo/kernel/cpu"
	"exogo/kernel/process"
	"exogo/kernel/timer"
)

// Caller describes the process making a system call. Dispatch passes it on
// to the handlers untouched.
type Caller struct {
	// Process is the calling process; never nil inside a handler.
	Process *process.Process
	// VCPU is the caller's vCPU (nil for the kernel's loader, which
	// makes no call that needs one).
	VCPU *process.VCPU
	// Frame is the caller's trapped registers (its user-mode context).
	Frame *cpu.Frame
	// Locked says the call runs under smp.Lock (not on the lockFree
	// path): a handler that can run either way does what needs the lock
	// only then.
	Locked bool
	// Resume, when a handler sets it, is the frame to resume instead of
	// the caller's (the caller blocked, yielded or exited).
	Resume uintptr
}

// Now is the time, nanoseconds since boot. The handlers that need it read
// the clock themselves: most calls do not, and a clock read is a tenth of a
// null call under QEMU.
func (c *Caller) Now() uint64 { return timer.Nanotime() }
