package bare

import "exogo/libos/exo"

// The frame table, mapped read-only in every process at FrameTableView
// (kernel/memory, docs/exokernel.md "The frame table, for everyone"): the
// entry of the frame at physical address p is the word at
// FrameTableView + p/4096*8. Its fields: the use in bits 0-7, the owner (a
// process id, 0 the kernel) in bits 8-23, the reference count in bits
// 24-39, and bit 40 set for an orphan (its owner ended while others still
// map it).
//
// TODO(issue 7): these numbers belong in the one ABI definition the kernel
// and the libOS share; they are copied from kernel/physmem here.
const (
	FrameTableView = 0x7f80_0000_0000

	UseFree      = 1
	UseKernel    = 2
	UsePageTable = 3
	UseProcess   = 16
	UseSegment   = 17

	EntryOrphan = 1 << 40
)

// FrameEntry returns the frame-table entry of the frame at physical (which
// must lie inside the table: reading past it faults).
func FrameEntry(physical uint64) uint64 {
	return *Word(FrameTableView + uintptr(physical/PageSize)*8)
}

// EntryUse, EntryOwner and EntryRefs read the fields of an entry.
func EntryUse(e uint64) uint64   { return e & 0xff }
func EntryOwner(e uint64) uint64 { return e >> 8 & 0xffff }
func EntryRefs(e uint64) uint64  { return e >> 24 & 0xffff }

// MyID returns the calling process's id, read from the frame table: the
// owner of a frame it allocates (and frees again) for the purpose. It
// returns 0 when no frame can be had.
func MyID() uint64 {
	f := exo.FrameAlloc()
	if f < 0 {
		return 0
	}
	id := EntryOwner(FrameEntry(uint64(f)))
	exo.FrameFree(uint64(f))
	return id
}
