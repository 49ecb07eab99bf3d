package exo

import (
	"exogo/kernel/memory"
	"exogo/kernel/physmem"
	"exogo/kernel/process"
)

// The shared numbers and layouts the table declares (syscalls.conf: const,
// layout, field) are generated into dispatch_gen.go for the kernel and
// calls_gen.go and abi_amd64.h for the libOS. Where a kernel package
// below this one keeps the same number for its own use (it cannot import
// this package), the compiler checks here that the two agree: each line
// fails to compile when its difference is not 0. The frame-table entry's
// bit fields are checked by TestFrameEntryLayout.
var (
	_ = [1]struct{}{}[process.UpcallEntryCount-UpcallTableEntries]
	_ = [1]struct{}{}[process.MaxVCPUs-VcpuMax]
	_ = [1]struct{}{}[uint64(memory.FrameTableView)-AddressFrameTableView]
	_ = [1]struct{}{}[uint64(memory.KernelInfoView)-AddressKernelInfo]

	_ = [1]struct{}{}[uint64(physmem.UseAbsent)-FrameUseAbsent]
	_ = [1]struct{}{}[uint64(physmem.UseFree)-FrameUseFree]
	_ = [1]struct{}{}[uint64(physmem.UseKernel)-FrameUseKernel]
	_ = [1]struct{}{}[uint64(physmem.UsePageTable)-FrameUsePageTable]
	_ = [1]struct{}{}[uint64(physmem.UseKernelHeap)-FrameUseKernelHeap]
	_ = [1]struct{}{}[uint64(physmem.UseKernelStack)-FrameUseKernelStack]
	_ = [1]struct{}{}[uint64(physmem.UseBootModule)-FrameUseBootModule]
	_ = [1]struct{}{}[uint64(physmem.UseProcess)-FrameUseProcess]
	_ = [1]struct{}{}[uint64(physmem.UseSegment)-FrameUseSegment]
	_ = [1]struct{}{}[uint64(physmem.UseKept)-FrameUseKept]
)
