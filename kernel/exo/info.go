package exo

import (
	"exogo/arch/amd64"
	"exogo/kernel/layout"
	"exogo/kernel/memory"
	"exogo/kernel/rawmem"
	"exogo/kernel/timer"
)

// The kernel information page (layout kernel_info in syscalls.conf): one
// page the kernel fills at boot and every process reads at
// AddressKernelInfo, so that a libOS reads the clock with RDTSC and this
// page instead of a call (its vDSO), and learns the machine's features.
// (abi.go checks that memory maps it at AddressKernelInfo.)

// kernelInfoVersion is the layout's version (the version field).
const kernelInfoVersion = 1

// PublishKernelInfo fills the page. Boot only, after the TSC is calibrated
// and the CPUs are up (cpus of them); the version is written last, so a
// reader that sees it sees the rest.
func PublishKernelInfo(cpus uint64) {
	if memory.KernelInfoPage == 0 {
		return
	}
	page := layout.Physical(memory.KernelInfoPage)
	boot, nanos, wall := timer.Clock()
	*rawmem.Uint64(page + KernelInfoTscHz) = timer.TSCHz()
	*rawmem.Uint64(page + KernelInfoBootTsc) = boot
	*rawmem.Uint64(page + KernelInfoNanosPerTsc) = nanos
	*rawmem.Uint64(page + KernelInfoWallClockBoot) = uint64(wall)
	*rawmem.Uint64(page + KernelInfoFeatures) = cpuFeatures()
	*rawmem.Uint64(page + KernelInfoCpus) = cpus
	*rawmem.Uint64(page + KernelInfoTickNs) = timer.TickPeriod
	*rawmem.Uint64(page + KernelInfoFrames) = memory.Frames.Frames()
	*rawmem.Uint64(page + KernelInfoVersion) = kernelInfoVersion
}

// cpuFeatures reads the CpuFeature* bits from CPUID.
func cpuFeatures() uint64 {
	var features uint64
	maxLeaf, _, _, _ := amd64.CPUID(0, 0)
	if _, _, ecx, _ := amd64.CPUID(1, 0); ecx&(1<<30) != 0 {
		features |= CpuFeatureRdrand
	}
	if maxLeaf >= 7 {
		_, ebx, _, _ := amd64.CPUID(7, 0)
		if ebx&1 != 0 {
			features |= CpuFeatureFsgsbase
		}
		if ebx&(1<<18) != 0 {
			features |= CpuFeatureRdseed
		}
	}
	if maxExtended, _, _, _ := amd64.CPUID(0x8000_0000, 0); maxExtended >= 0x8000_0007 {
		if _, _, _, edx := amd64.CPUID(0x8000_0007, 0); edx&(1<<8) != 0 {
			features |= CpuFeatureInvariantTsc
		}
	}
	return features
}
