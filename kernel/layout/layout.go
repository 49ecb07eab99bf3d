// Package layout fixes the kernel's virtual address map. The lower half of
// every address space belongs to the user process running in it; the
// kernel lives entirely in the upper half, which every address space shares.
//
//	0x0000_0000_0000_0000  4 MiB    never mapped (nil dereferences fault)
//	0x0000_0000_0040_0000  ~128 TiB user space of the process (UserStart;
//	                                Go links programs at 0x400000)
//	0xffff_8000_0000_0000  64 TiB   direct map: physical p at DirectMap + p
//	0xffff_c000_0000_0000  1 TiB    heap of the kernel's own Go runtime
//	                                (its mmap), committed lazily
//	0xffff_e000_0000_0000  1 TiB    kernel stacks, each under a guard page
//	0xffff_ffff_8000_0000  2 GiB    the kernel image (linker.ld), physical
//	                                address + KERNEL_VIRTUAL_BASE
//
// docs/memory-layout.md explains the map for a student.
package layout

const (
	// UserStart is where the user part of every address space begins;
	// nothing is ever mapped below it, so small addresses (nil pointers
	// with offsets) fault.
	UserStart uintptr = 4 << 20
	// UserEnd is the end of the lower half, and of user address space.
	UserEnd uintptr = 0x0000_8000_0000_0000
	// UserMapEnd is the end of what may be mapped for users: the last
	// page below the canonical hole never is (as on Linux), so no SYSCALL
	// can stand in its last two bytes and return to the non-canonical
	// 0x0000_8000_0000_0000. The kernel's exit path would otherwise
	// IRETQ there, which faults in ring 0 with the user's GS base live.
	// No user RIP (an upcall entry, a resumed context) may be at or above
	// it either.
	UserMapEnd uintptr = UserEnd - 4096

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
