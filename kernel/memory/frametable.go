package memory

import (
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
)

// The frame table is public: the exokernel exposes physical names, and a
// libOS sees what every frame is used for, who owns it and how many
// mappings it has (Xok did the same) without a system call. The kernel maps
// the table read-only into every address space at FrameTableView: one page
// directory (1 GiB, kernel-owned, built once at boot) maps the table's
// frames user-readable, no-execute; each process's address space points one
// PDPT entry at it.
//
// Entry i describes the frame at physical address i*4096: bits 0-7 its use
// (physmem.Use), 8-23 its owner (a process ID; 0 the kernel), 24-39 its
// reference count.

// FrameTableView is where the frame table appears in every process.
const FrameTableView uintptr = 0x7f80_0000_0000

var frameTableDirectory uint64 // physical address of the shared page directory

// BuildFrameTableView builds the page directory that maps the frame table
// (physical [tableStart, tableStart+tableBytes)) read-only. Its tables are
// marked physmem.UseKernel, so a process's teardown never frees them.
// Precondition: boot, after the frame table and the kernel's page tables
// exist. Reports false when memory runs out or the table exceeds 1 GiB.
func BuildFrameTableView(tableStart, tableBytes uint64) bool {
	if tableBytes > 1<<30 {
		return false
	}
	directory, ok := Frames.Allocate(physmem.UseKernel, true)
	if !ok {
		return false
	}
	const flags = uint64(paging.Present | paging.User | paging.NoExecute)
	for offset := uint64(0); offset < tableBytes; offset += paging.PageSize {
		pt := uintptr(offset / paging.HugePageSize)
		e := Kernel.Entry(directory, pt)
		if paging.Flags(*e)&paging.Present == 0 {
			table, ok := Frames.Allocate(physmem.UseKernel, true)
			if !ok {
				return false
			}
			*e = table | uint64(paging.Present|paging.User)
		}
		table := *e & paging.AddressMask
		*Kernel.Entry(table, uintptr(offset/paging.PageSize)%512) = (tableStart+offset)&paging.AddressMask | flags
	}
	frameTableDirectory = directory
	return true
}

// KernelInfoView is where the kernel information page (the time page)
// appears in every process: read-only, no-execute, one 4 KiB page whose
// layout the table declares (kernel/exo/syscalls.conf, layout kernel_info;
// kernel/exo/info.go fills it).
const KernelInfoView uintptr = FrameTableView + 1<<30

var (
	infoDirectory uint64 // the shared page directory that maps the page
	// KernelInfoPage is the physical address of the kernel information
	// page, 0 when it could not be made.
	KernelInfoPage uint64
)

// BuildKernelInfoView makes the kernel information page (zeroed) and the
// page directory and table that map it user-readable at KernelInfoView.
// All three are the kernel's (physmem.UseKernel). Boot only, like
// BuildFrameTableView; reports false when memory runs out.
func BuildKernelInfoView() bool {
	page, ok := Frames.Allocate(physmem.UseKernel, true)
	if !ok {
		return false
	}
	directory, ok := Frames.Allocate(physmem.UseKernel, true)
	if !ok {
		return false
	}
	table, ok := Frames.Allocate(physmem.UseKernel, true)
	if !ok {
		return false
	}
	*Kernel.Entry(directory, (KernelInfoView>>21)&511) = table | uint64(paging.Present|paging.User)
	*Kernel.Entry(table, (KernelInfoView>>12)&511) = page | uint64(paging.Present|paging.User|paging.NoExecute)
	infoDirectory, KernelInfoPage = directory, page
	return true
}

// LinkKernelViews makes the frame table and the kernel information page
// visible in space (a process's address space whose tables owner owns):
// one PDPT, charged to the process, whose entries point at the kernel's
// shared page directories. Reports false when no frame is free for the
// PDPT.
func LinkKernelViews(space paging.Space) bool {
	if frameTableDirectory == 0 && infoDirectory == 0 {
		return true // no view built (not enough memory at boot)
	}
	index := (FrameTableView >> 39) & 511
	e := space.Entry(space.Root, index)
	if paging.Flags(*e)&paging.Present == 0 {
		pdpt, ok := Frames.AllocateFor(space.Owner, physmem.UsePageTable, true)
		if !ok {
			return false
		}
		*e = pdpt | uint64(paging.Present|paging.Writable|paging.User)
	}
	pdpt := *e & paging.AddressMask
	if frameTableDirectory != 0 {
		*space.Entry(pdpt, (FrameTableView>>30)&511) = frameTableDirectory | uint64(paging.Present|paging.User)
	}
	if infoDirectory != 0 {
		*space.Entry(pdpt, (KernelInfoView>>30)&511) = infoDirectory | uint64(paging.Present|paging.User)
	}
	return true
}
