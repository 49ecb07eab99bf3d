// Package paging builds and edits x86-64 four-level page tables.
//
// An x86-64 virtual address (48 bits, sign-extended to 64) is translated by
// walking four tables of 512 eight-byte entries, each table one 4 KiB frame:
// the PML4 (bits 47-39 of the address index it), the page-directory-pointer
// table or PDPT (bits 38-30), the page directory or PD (bits 29-21) and the
// page table or PT (bits 20-12); bits 11-0 are the offset in the 4 KiB page.
// An entry holds the physical address of the next table (or of the page) and
// permission bits; a PD entry with the "huge" bit maps 2 MiB directly. The
// permissions that apply to an access are the most restrictive of all
// entries on the walk: this is what lets an exokernel segment (a whole
// subtree) be made read-only with one bit at the link.
//
// Tables are reached through the direct map (physical address p is readable
// at DirectMap + p), so this package works on integers only and is
// restricted Go: it runs in trap context (the page-fault handler maps
// frames). Host tests give it a simulated RAM buffer as "physical memory".
package paging

import (
	"exogo/kernel/physmem"
	"exogo/kernel/rawmem"
)

// Flags are page-table entry bits.
type Flags uint64

const (
	Present      Flags = 1 << 0
	Writable     Flags = 1 << 1
	User         Flags = 1 << 2
	WriteThrough Flags = 1 << 3
	CacheDisable Flags = 1 << 4
	Accessed     Flags = 1 << 5
	Dirty        Flags = 1 << 6
	Huge         Flags = 1 << 7 // in a PD entry: maps 2 MiB; in a PDPT entry: 1 GiB
	Global       Flags = 1 << 8
	NoExecute    Flags = 1 << 63

	// AddressMask selects the physical address in an entry (bits 12-51).
	AddressMask = 0x000f_ffff_ffff_f000

	// DeviceMemory are the cache bits for memory-mapped device registers.
	DeviceMemory = WriteThrough | CacheDisable
)

// Page sizes.
const (
	PageSize     = 4096
	HugePageSize = 2 << 20
)

// Status is the result of a page-table operation.
type Status int

const (
	OK               Status = iota
	NoMemory                // no free frame for a page table
	Misaligned              // an address is not aligned to the page size
	NotCanonical            // the virtual address is not canonical
	AlreadyMapped           // a mapping exists where a new one was asked for
	HugePageInTheWay        // a 2 MiB mapping covers the 4 KiB page asked for
	NotMapped               // nothing is mapped there
)

var statusNames = [...]string{"ok", "no memory for a page table", "misaligned address", "non-canonical address", "already mapped", "a 2 MiB page is in the way", "not mapped"}

// String describes the status for logs.
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown status"
}

// Space is one address space: the physical address of its PML4 and where
// physical memory is mapped (the direct map) so tables can be edited.
type Space struct {
	Root      uint64  // physical address of the PML4
	DirectMap uintptr // virtual address of physical address 0
	// Owner owns the page-table frames made for this space (0: the
	// kernel), so that a process's tables are counted and freed with it.
	Owner uint16
}

// NewSpace allocates an empty PML4 and returns the space, or ok = false when
// no frame is free.
func NewSpace(frames *physmem.Table, directMap uintptr) (space Space, ok bool) {
	return NewSpaceFor(frames, directMap, 0)
}

// NewSpaceFor is NewSpace for an address space whose tables owner owns.
func NewSpaceFor(frames *physmem.Table, directMap uintptr, owner uint16) (space Space, ok bool) {
	root, ok := frames.AllocateFor(owner, physmem.UsePageTable, true)
	return Space{Root: root, DirectMap: directMap, Owner: owner}, ok
}

// Canonical reports whether virtual is a canonical 48-bit address (bits 63-47
// all equal).
func Canonical(virtual uintptr) bool {
	top := virtual >> 47
	return top == 0 || top == 0x1ffff
}

// index returns the entry index for virtual at level (3 = PML4 ... 0 = PT).
func index(virtual uintptr, level uint) uintptr {
	return (virtual >> (12 + 9*level)) & 511
}

func (s Space) entryAddress(table uint64, i uintptr) *uint64 {
	return rawmem.Uint64(s.DirectMap + uintptr(table) + i*8)
}

// walk returns the entry for virtual at the given level (1 = PD, 0 = PT),
// creating missing intermediate tables when create is true. The
// intermediate entries get Present|Writable and User when user is set, so
// that leaves alone decide the permissions. It returns nil when a table is
// missing (create false), a frame cannot be had, or a huge page is on the
// way (status says which).
func (s Space) walk(frames *physmem.Table, virtual uintptr, level uint, create, user bool) (*uint64, Status) {
	table := s.Root
	for l := uint(3); l > level; l-- {
		e := s.entryAddress(table, index(virtual, l))
		if Flags(*e)&Present == 0 {
			if !create {
				return nil, NotMapped
			}
			next, ok := frames.AllocateFor(s.Owner, physmem.UsePageTable, true)
			if !ok {
				return nil, NoMemory
			}
			flags := Present | Writable
			if user {
				flags |= User
			}
			*e = next | uint64(flags)
		} else if Flags(*e)&Huge != 0 {
			return nil, HugePageInTheWay
		} else if user && Flags(*e)&User == 0 {
			*e |= uint64(User)
		}
		table = *e & AddressMask
	}
	return s.entryAddress(table, index(virtual, level)), OK
}

// Map maps the 4 KiB page at virtual to the frame at physical with flags
// (Present is added). It fails with AlreadyMapped rather than silently
// replace a mapping.
func (s Space) Map(frames *physmem.Table, virtual uintptr, physical uint64, flags Flags) Status {
	if virtual%PageSize != 0 || physical%PageSize != 0 {
		return Misaligned
	}
	if !Canonical(virtual) {
		return NotCanonical
	}
	e, status := s.walk(frames, virtual, 0, true, flags&User != 0)
	if status != OK {
		return status
	}
	if Flags(*e)&Present != 0 {
		return AlreadyMapped
	}
	*e = physical&AddressMask | uint64(flags|Present)
	return OK
}

// MapHuge maps the 2 MiB page at virtual to physical with flags.
func (s Space) MapHuge(frames *physmem.Table, virtual uintptr, physical uint64, flags Flags) Status {
	if virtual%HugePageSize != 0 || physical%HugePageSize != 0 {
		return Misaligned
	}
	if !Canonical(virtual) {
		return NotCanonical
	}
	e, status := s.walk(frames, virtual, 1, true, flags&User != 0)
	if status != OK {
		return status
	}
	if Flags(*e)&Present != 0 {
		return AlreadyMapped
	}
	*e = physical&AddressMask | uint64(flags|Present|Huge)
	return OK
}

// Unmap removes the 4 KiB mapping at virtual and returns the physical address
// it mapped. The caller must flush the TLB entry (amd64.InvalidatePage) on
// every CPU that may hold it, and decides what happens to the frame.
func (s Space) Unmap(frames *physmem.Table, virtual uintptr) (physical uint64, status Status) {
	if virtual%PageSize != 0 {
		return 0, Misaligned
	}
	if !Canonical(virtual) {
		return 0, NotCanonical
	}
	e, status := s.walk(frames, virtual, 0, false, false)
	if status != OK {
		return 0, status
	}
	if Flags(*e)&Present == 0 {
		return 0, NotMapped
	}
	physical = *e & AddressMask
	*e = 0
	return physical, OK
}

// Lookup translates virtual: the physical address it maps to and the flags
// of the leaf entry (4 KiB or 2 MiB).
func (s Space) Lookup(virtual uintptr) (physical uint64, flags Flags, status Status) {
	if !Canonical(virtual) {
		return 0, 0, NotCanonical
	}
	table := s.Root
	for l := uint(3); ; l-- {
		e := *s.entryAddress(table, index(virtual, l))
		if Flags(e)&Present == 0 {
			return 0, 0, NotMapped
		}
		if l == 0 || (l == 1 && Flags(e)&Huge != 0) {
			pageSize := uint64(PageSize)
			if l == 1 {
				pageSize = HugePageSize
			}
			base := e & AddressMask &^ (pageSize - 1)
			return base + uint64(virtual)&(pageSize-1), Flags(e) &^ AddressMask, OK
		}
		table = e & AddressMask
	}
}

// MissingSubtree reports whether the page table that would hold the 4 KiB
// page at virtual is missing (or replaced by a huge page), and if so the
// first address after the missing subtree. Walking a sparse range (as munmap
// does over the kernel heap) with it costs one step per populated table
// rather than one per page.
func (s Space) MissingSubtree(virtual uintptr) (end uintptr, missing bool) {
	table := s.Root
	for l := uint(3); l > 0; l-- {
		e := *s.entryAddress(table, index(virtual, l))
		if Flags(e)&Present == 0 || Flags(e)&Huge != 0 {
			span := uintptr(1) << (12 + 9*l)
			return (virtual &^ (span - 1)) + span, true
		}
		table = e & AddressMask
	}
	return virtual, false
}

// The kernel half of every address space is the same memory: all PML4
// entries 256-511 point at the same PDPTs. Boot code creates all 256 PDPTs
// once (PopulateKernelHalf), so the kernel never needs a new PML4 entry
// later, and each new address space copies the 256 entries
// (ShareKernelHalf): a kernel mapping made afterwards in any space is then
// seen in all of them.

const (
	kernelHalfFirst = 256
	entriesPerTable = 512
)

// PopulateKernelHalf gives every PML4 entry of the upper half its own empty
// PDPT (kernel-only: no User bit). Entries already present are kept.
func (s Space) PopulateKernelHalf(frames *physmem.Table) Status {
	for i := uintptr(kernelHalfFirst); i < entriesPerTable; i++ {
		e := s.entryAddress(s.Root, i)
		if Flags(*e)&Present != 0 {
			continue
		}
		table, ok := frames.Allocate(physmem.UsePageTable, true)
		if !ok {
			return NoMemory
		}
		*e = table | uint64(Present|Writable)
	}
	return OK
}

// ShareKernelHalf copies the upper-half PML4 entries of kernel into s.
func (s Space) ShareKernelHalf(kernel Space) {
	for i := uintptr(kernelHalfFirst); i < entriesPerTable; i++ {
		*s.entryAddress(s.Root, i) = *kernel.entryAddress(kernel.Root, i)
	}
}

// Entry returns a pointer to entry i of the table at physical address
// table (for code that builds address spaces by hand: process creation).
// i is taken modulo 512.
func (s Space) Entry(table uint64, i uintptr) *uint64 {
	return s.entryAddress(table, i%entriesPerTable)
}
