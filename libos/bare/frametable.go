package bare

import "exogo/libos/exo"

// The frame table, mapped read-only in every process at
// exo.AddressFrameTableView (kernel/memory, docs/exokernel.md "The frame
// table, for everyone"): the entry of the frame at physical address p is
// the word at AddressFrameTableView + p/4096*8. Its fields (exo.FrameEntry*)
// and the uses (exo.FrameUse*) are the table's (kernel/exo/syscalls.conf),
// shared with the kernel.

// FrameEntry returns the frame-table entry of the frame at physical (which
// must lie inside the table: reading past it faults).
func FrameEntry(physical uint64) uint64 {
	return *Word(exo.AddressFrameTableView + uintptr(physical/PageSize)*8)
}

// EntryUse, EntryOwner and EntryRefs read the fields of an entry.
func EntryUse(e uint64) uint64   { return e & exo.FrameEntryUseMask }
func EntryOwner(e uint64) uint64 { return e >> exo.FrameEntryOwnerShift & exo.FrameEntryOwnerMask }
func EntryRefs(e uint64) uint64  { return e >> exo.FrameEntryRefsShift & exo.FrameEntryRefsMask }

// EntryOrphan is set in the entry of an orphan: a frame whose owner ended
// while others still map it.
const EntryOrphan = exo.FrameEntryOrphan

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
