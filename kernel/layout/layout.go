// Package layout fixes the kernel's virtual address map. The kernel image is
// linked and loaded at low physical addresses (see linker.ld) and mapped
// there unchanged; everything else the kernel maps lives in the upper half
// of the address space, which every address space will share.
//
//	0x0000_0000_0000_0000  64 KiB   never mapped (nil dereferences fault)
//	0x0000_0000_0001_0000           low memory, identity-mapped, no execute
//	0x0000_0000_0010_0000           the kernel image (linker.ld), below 4 MiB
//	0x0000_0000_0040_0000  ~128 TiB user space of the process (UserStart)
//	0xffff_8000_0000_0000  64 TiB   direct map: physical p at DirectMap + p
//	0xffff_c000_0000_0000  1 TiB    heap of the kernel's own Go runtime
//	                                (its mmap), committed lazily
//	0xffff_e000_0000_0000  1 TiB    kernel stacks, each under a guard page
//
// docs/memory-layout.md explains the map for a student.
package layout

const (
	// UserStart is where the user part of every address space begins. The
	// first 4 MiB (null guard, low memory, the kernel image) are the
	// kernel's in every address space, shared through two page-directory
	// entries; tools/buildkernel refuses an image that ends above.
	UserStart uintptr = 4 << 20
	// UserEnd is the end of the lower half, and of user address space.
	UserEnd uintptr = 0x0000_8000_0000_0000

	// NullGuardEnd is the end of the never-mapped region at address 0: the
	// Go compiler relies on faults for nil checks of small offsets.
	NullGuardEnd = 0x1_0000

	// DirectMap is the virtual address of physical address 0.
	DirectMap uintptr = 0xffff_8000_0000_0000
	// DirectMapSize bounds the physical memory exogo can address.
	DirectMapSize uintptr = 64 << 40

	// KernelHeap is where the kernel's Go runtime gets its memory (mmap).
	KernelHeap     uintptr = 0xffff_c000_0000_0000
	KernelHeapSize uintptr = 1 << 40

	// KernelStacks is where kernel stacks are mapped, each StackSlot apart
	// so that the page below every stack stays unmapped.
	KernelStacks     uintptr = 0xffff_e000_0000_0000
	KernelStacksSize uintptr = 1 << 40
	StackSlot        uintptr = 128 << 10
)

// Physical returns the direct-map address of physical address p.
func Physical(p uint64) uintptr { return DirectMap + uintptr(p) }
