package qemu

import "fmt"

// QEMU's isa-debug-exit device: a write of value v to its port makes QEMU
// exit at once with status (v<<1)|1. QEMU itself exits with 0 when the guest
// resets, triple faults (under -no-reboot) or powers off, and with 1 when it
// fails to start; 1 is also what a guest write of 0 gives, so the kernel
// never writes 0.
const (
	DebugExitPort = 0xf4 // -device isa-debug-exit,iobase=0xf4,iosize=0x04

	KernelPassValue = 0x10 // the kernel writes this after "selftest: PASS"
	KernelFailValue = 0x11 // and this after "selftest: FAIL <name>"

	ExitPass = KernelPassValue<<1 | 1 // 33
	ExitFail = KernelFailValue<<1 | 1 // 35
)

// DebugExitValue returns the value the guest wrote to isa-debug-exit for
// QEMU exit status status, and whether the status came from that device at
// all.
func DebugExitValue(status int) (value int, ok bool) {
	if status&1 == 0 {
		return 0, false
	}
	return status >> 1, true
}

// DescribeExit explains a QEMU exit status for error messages.
func DescribeExit(status int) string {
	switch {
	case status == ExitPass:
		return fmt.Sprintf("status %d: kernel reported PASS", status)
	case status == ExitFail:
		return fmt.Sprintf("status %d: kernel reported FAIL", status)
	case status == 0:
		return "status 0: QEMU exited without isa-debug-exit (guest reset, triple fault or power off)"
	case status == 1:
		return "status 1: QEMU failed (see its stderr), or the guest wrote 0 to isa-debug-exit"
	case status < 0:
		return fmt.Sprintf("status %d: QEMU was killed by a signal", status)
	}
	if v, ok := DebugExitValue(status); ok {
		return fmt.Sprintf("status %d: guest wrote %#x to isa-debug-exit", status, v)
	}
	return fmt.Sprintf("status %d: QEMU failed (see its stderr)", status)
}
