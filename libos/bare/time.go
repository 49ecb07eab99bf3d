package bare

import (
	"exogo/arch/amd64"
	"exogo/libos/exo"
)

// Reading the clock without a call: the kernel information page
// (exo.AddressKernelInfo, layout kernel_info in kernel/exo/syscalls.conf)
// says when time 0 was in TSC counts and how many nanoseconds a count is,
// so RDTSC and a multiplication give what exo.TimeNow returns.

// info reads a field of the kernel information page.
func info(offset uintptr) uint64 { return *Word(exo.AddressKernelInfo + offset) }

// InfoVersion is the kernel information page's version, 0 when the kernel
// made none (then Now cannot be used).
func InfoVersion() uint64 { return info(exo.KernelInfoVersion) }

// Info reads a field of the kernel information page (exo.KernelInfo*).
func Info(offset uintptr) uint64 { return info(offset) }

// Now returns nanoseconds since boot, as exo.TimeNow does, without a call.
func Now() uint64 {
	delta := amd64.ReadTSC() - info(exo.KernelInfoBootTsc)
	nanos := info(exo.KernelInfoNanosPerTsc)
	// The 128-bit product of delta and the 32.32 factor, >> 32, the same
	// way kernel/timer.Nanotime computes it.
	high, low := delta>>32, delta&0xffffffff
	return high*nanos + (low*nanos)>>32
}
