package bare

import (
	"exogo/arch/amd64"
	"exogo/libos/exo"
)

// Reading the clock without a call: the kernel information page
// (exo.AddressKernelInfo, layout kernel_info in kernel/exo/syscalls.conf)
// says when time 0 was in TSC counts and how many nanoseconds a count is,
// so RDTSC and a multiplication give what exo.TimeNow returns.

// InfoVersion is the kernel information page's version, 0 when the kernel
// made none (then Now cannot be used).
func InfoVersion() uint64 { return Info(exo.KernelInfoVersion) }

// Info reads a field of the kernel information page (exo.KernelInfo*).
func Info(offset uintptr) uint64 { return *Word(exo.AddressKernelInfo + offset) }

// Now returns nanoseconds since boot, as exo.TimeNow does, without a call.
func Now() uint64 {
	return amd64.TSCNanos(amd64.ReadTSC()-Info(exo.KernelInfoBootTsc), Info(exo.KernelInfoNanosPerTsc))
}
