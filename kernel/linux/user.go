package linux

import (
	"exogo/kernel/layout"
	"exogo/kernel/memory"
	"exogo/kernel/paging"
	"exogo/kernel/rawmem"
)

// Memory of the runtime, seen from its system calls. The kernel's runtime
// shares the kernel's address space, so a pointer it passes is used as it
// is, once checked to lie where the runtime's memory can be: the kernel
// image (its globals) or the heap region (committed first, so that writing
// there cannot fault in kernel code).

var imageStart, imageEnd uintptr

// SetImage records the kernel image's bounds (for pointer checks).
func SetImage(start, end uintptr) { imageStart, imageEnd = start, end }

// userRange reports whether [address, address+length) is memory the
// runtime may pass to a system call, committing heap pages on the way.
func userRange(address, length uint64) bool {
	start, end := uintptr(address), uintptr(address+length)
	if end < start || start < layout.NullGuardEnd {
		return false
	}
	if start >= imageStart && end <= imageEnd {
		return true
	}
	if start >= layout.KernelHeap && end <= heapNext {
		return commitRange(start, uintptr(length))
	}
	if start >= layout.KernelStacks && end <= layout.KernelStacks+layout.KernelStacksSize {
		// The first thread's stack lives here, mapped eagerly; guard
		// pages and free slots do not, and must not fault in the kernel.
		for page := start &^ (paging.PageSize - 1); page < end; page += paging.PageSize {
			if _, _, status := memory.Kernel.Lookup(page); status != paging.OK {
				return false
			}
		}
		return true
	}
	return false
}

func putUint64(address uintptr, v uint64) { *rawmem.Uint64(address) = v }
func getUint64(address uintptr) uint64    { return *rawmem.Uint64(address) }
func putUint32(address uintptr, v uint32) { *rawmem.Uint32(address) = v }
func getUint32(address uintptr) uint32    { return *rawmem.Uint32(address) }
