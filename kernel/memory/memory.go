// Package memory holds the kernel's memory state: the frame table (every
// physical frame and its use), the kernel's page tables, and the kernel
// stacks. Boot code (kernel/boot_memory.go) fills it in; trap-context code
// (the page-fault handler, clone, thread exit) uses it. Restricted Go.
package memory

import (
	"exogo/arch/amd64"
	"exogo/kernel/layout"
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
)

var (
	// Frames is the frame table of all physical memory.
	Frames physmem.Table
	// Kernel is the kernel's address space.
	Kernel paging.Space
)

// ReserveFrames is how many free frames only the kernel may take (set at
// boot with physmem.Table.SetReserve): the kernel's own Go runtime grows
// its heap by page faults, and no process, however much memory it asks
// for, in data or in page tables, may make the kernel fail.
const ReserveFrames = 4096

// Flags for kernel data mappings: writable, not executable, global (kept in
// the TLB across address-space switches, since every space shares them).
const KernelData = paging.Writable | paging.NoExecute | paging.Global

// MaxStacks bounds the number of kernel stacks.
const MaxStacks = 1024

// stackUsed marks the slots of the kernel-stack region in use.
var stackUsed [MaxStacks]bool

// AllocateStack maps a kernel stack of size bytes (a multiple of 4 KiB, less
// than layout.StackSlot) in a free slot of the stack region, with the rest
// of the slot below it left unmapped as a guard. It returns the stack's top
// (16-byte aligned) and its slot, or ok = false when slots or frames run out
// (nothing stays allocated then).
func AllocateStack(size uintptr) (top uintptr, slot int32, ok bool) {
	if size == 0 || size%paging.PageSize != 0 || size > layout.StackSlot-paging.PageSize {
		return 0, -1, false
	}
	for i := int32(0); i < MaxStacks; i++ {
		if stackUsed[i] {
			continue
		}
		stackUsed[i] = true
		top = layout.KernelStacks + uintptr(i+1)*layout.StackSlot
		for page := top - size; page < top; page += paging.PageSize {
			frame, got := Frames.Allocate(physmem.UseKernelStack, true)
			if !got || Kernel.Map(&Frames, page, frame, KernelData) != paging.OK {
				if got {
					Frames.Free(frame)
				}
				unmapStack(top-size, page)
				stackUsed[i] = false
				return 0, -1, false
			}
		}
		return top, i, true
	}
	return 0, -1, false
}

// FreeStack unmaps the stack in slot and frees its frames. The caller
// guarantees no CPU runs on it.
func FreeStack(slot int32) {
	if slot < 0 || slot >= MaxStacks || !stackUsed[slot] {
		return
	}
	base := layout.KernelStacks + uintptr(slot)*layout.StackSlot
	unmapStack(base, base+layout.StackSlot)
	stackUsed[slot] = false
}

func unmapStack(start, end uintptr) {
	for page := start; page < end; page += paging.PageSize {
		if frame, status := Kernel.Unmap(&Frames, page); status == paging.OK {
			amd64.InvalidatePage(page)
			Frames.Free(frame)
		}
	}
}

// StacksInUse counts allocated kernel stacks.
func StacksInUse() int {
	n := 0
	for _, used := range stackUsed {
		if used {
			n++
		}
	}
	return n
}
