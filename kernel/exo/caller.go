package exo

import (
	"exogo/kernel/cpu"
	"exogo/kernel/process"
)

// Caller describes the process making a system call. Dispatch passes it on
// to the handlers untouched.
type Caller struct {
	// Process is the calling process; never nil inside a handler.
	Process *process.Process
	// Frame is the caller's trapped registers (its user-mode context).
	Frame *cpu.Frame
	// Now is the time of the call, nanoseconds since boot.
	Now uint64
	// Resume, when a handler sets it, is the frame to resume instead of
	// the caller's (the caller blocked, yielded or exited).
	Resume uintptr
}
