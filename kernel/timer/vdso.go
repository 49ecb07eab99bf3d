package timer

import (
	"unsafe"

	abi "exogo/abi/linuxabi"
	"exogo/kernel/rawmem"
)

// The vDSO ("virtual dynamic shared object") is how Linux lets programs read
// the clock without a system call: the kernel maps a tiny ELF shared object
// into every process and passes its address in the auxiliary vector
// (AT_SYSINFO_EHDR); the Go runtime parses its dynamic symbol table and
// calls __vdso_clock_gettime directly. The runtime reads the clock
// thousands of times a second (its scheduler and timers), so without this
// every read would be a trap.
//
// exogo's vDSO is built at boot in a static buffer by abi.BuildVDSO
// (shared with the libOS); the code it names is vdsoClockGettime in the
// kernel's text.

var (
	vdsoImage [abi.VDSOSize / 8]uint64 // 8-byte aligned
	vdsoBuilt bool
)

// vdsoFunctionSize bounds the span of vdsoClockGettime and its helper.
const vdsoFunctionSize = 160

func vdsoClockGettime()
func vdsoFunctionAddress() uintptr

// VDSOAddress builds the vDSO (once) and returns its address, for the
// initial stack's AT_SYSINFO_EHDR. Restricted Go; run at boot, before the
// runtime starts.
func VDSOAddress() uintptr {
	base := uintptr(unsafe.Pointer(&vdsoImage))
	if vdsoBuilt {
		return base
	}
	abi.BuildVDSO(rawmem.Bytes(base, abi.VDSOSize), base, vdsoFunctionAddress(), vdsoFunctionSize)
	vdsoBuilt = true
	return base
}
