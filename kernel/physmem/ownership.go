package physmem

// Frame ownership: the exokernel's secure binding of frames to processes.
//
// A frame-table entry is
//
//	bit  63 ... 41 40      39 ........ 24 23 ...... 8 7 ..... 0
//	     [ unused ][orphan][  references ][   owner   ][  use   ]
//
// The owner is a process ID (0 is the kernel: every frame that Allocate or
// SetRange marks has owner 0). The reference count says how many page-table
// entries map the frame (kernel/segment keeps it: one per leaf entry of a
// segment that names the frame, plus one held by a segment for its own table
// frame while the segment exists). A frame with references is still
// reachable by some process's loads and stores, so no free below frees it.
// Free (frames.go) ignores owner and references: it is the kernel's own,
// unchecked way out.
//
// # Kinds: what is a process's to give away
//
// A process owns two kinds of frames. UseProcess frames are its data: it
// allocated them (frame_alloc) and may map, free, grant or lose them to
// revocation. Everything else charged to it (the page tables of its
// address space, its segments' tables) the kernel made and edits on its
// behalf: handing such a frame back to the process as data would let it
// write page-table entries, and so reach every byte of physical memory.
// FreeOwned and AddReferenceAs therefore act only on UseProcess frames;
// kernel-made frames go back through FreeAs, which the kernel calls with
// the use it made them for.
//
// # Charges and limits
//
// Every frame allocated in a process's name (AllocateFor with owner != 0),
// whatever its use, counts against that owner's limit (SetLimit; 0 until
// set, so an owner nobody set up can take nothing) and may never take the
// last Reserve free frames, which only the kernel (owner 0) may: the
// kernel's own Go runtime grows its heap by page faults, and no process may
// starve it.
//
// # Orphans
//
// When a process ends, FreeAllOwnedBy frees what it held, except frames
// that some other process still maps (a segment it shared): those become
// orphans, out of the owner's count. When DropReference takes an orphan's
// last reference, the frame is not free yet: a CPU may still hold a
// translation to it until the caller's TLB shootdown, so it waits, held,
// until the caller, having flushed, calls ReleasePending. The entry keeps
// the ended owner's ID (IDs are never reused), for reports.
// Uses of frames held on behalf of processes. They are defined here rather
// than in the const block of frames.go, with values well above the kernel's
// own uses so that the two lists can grow independently. (Use.String in
// frames.go does not know them yet and says "unknown"; UseName does.)
const (
	UseProcess Use = 16 // memory a process holds by physical name (data, its own page contents)
	UseSegment Use = 17 // the page-table page of a segment (kernel/segment)
	UseKept    Use = 18 // a process's data frame unmapped and zeroed for it to map again (KeepZeroed)
)

// UseName names any use, including UseProcess and UseSegment.
func UseName(u Use) string {
	switch u {
	case UseProcess:
		return "process"
	case UseSegment:
		return "segment table"
	case UseKept:
		return "kept"
	}
	return u.String()
}

const (
	entryOwnerMask = 0xffff << entryOwnerShift
	entryRefShift  = 24
	entryRefMask   = 0xffff << entryRefShift
	entryOrphan    = 1 << 40
	// entryFresh marks a frame charged to a process but not handed over
	// yet: being zeroed (Charge, KeepZeroed) or charged for a mapping
	// not stored yet (ChargeMapped). Nothing may map, free, give or take
	// it meanwhile (AddReferenceAs, heldAs, TakeUnreferencedFrom), so no
	// process sees the bytes of its previous owner and no second
	// reference slips in before the charging call ends.
	entryFresh        = 1 << 41
	maxReferences     = 0xffff
	kernelOwner       = 0
	ownershipNotFrame = ^uint64(0)
	ownershipRefOne   = 1 << entryRefShift
)

// OwnershipStatus is the result of FreeOwned and AddReferenceAs.
type OwnershipStatus uint8

const (
	Done              OwnershipStatus = iota // the frame was freed, or the reference added
	NotAFrame                                // misaligned, or outside the table
	NotHeld                                  // the frame is absent or free
	NotOwner                                 // the frame belongs to another owner
	StillReferenced                          // page-table entries still map the frame
	WrongUse                                 // the frame is not used as the caller requires
	TooManyReferences                        // the reference count is at its maximum
	OverLimit                                // the owner holds as many frames as its limit allows
	NoFreeFrame                              // no frame is free (for an owner other than the kernel: beyond the reserve)
)

var ownershipStatusNames = [...]string{"done", "not a frame", "frame not held", "not the owner", "still referenced", "wrong use", "too many references", "over the owner's limit", "no free frame"}

// String describes the status for logs.
func (s OwnershipStatus) String() string {
	if int(s) < len(ownershipStatusNames) {
		return ownershipStatusNames[s]
	}
	return "unknown ownership status"
}

// ownedIndex returns the entry index of the frame at physical, or
// ownershipNotFrame when physical is misaligned or outside the table.
func (t *Table) ownedIndex(physical uint64) uint64 {
	if physical%FrameSize != 0 || physical/FrameSize >= t.frames {
		return ownershipNotFrame
	}
	return physical / FrameSize
}

// held reports whether an entry describes a frame somebody holds.
func held(e uint64) bool {
	use := Use(e & entryUseMask)
	return use != UseAbsent && use != UseFree
}

// SetLimit sets how many frames owner may hold, of every use (its data, its
// page tables, its segments' tables). Lowering it below what owner holds
// takes nothing away; further allocations fail until owner is below it.
func (t *Table) SetLimit(owner uint16, frames uint32) {
	t.acquire()
	t.limits[owner] = frames
	t.release()
}

// Limit returns owner's frame limit.
func (t *Table) Limit(owner uint16) uint32 { return t.limits[owner] }

// Held returns how many frames owner holds (orphans not included).
func (t *Table) Held(owner uint16) uint64 {
	t.acquire()
	n := uint64(t.owned[owner])
	t.release()
	return n
}

// SetReserve sets how many free frames only the kernel may take.
func (t *Table) SetReserve(frames uint64) {
	t.acquire()
	t.reserve = frames
	t.release()
}

// Reserve returns how many free frames only the kernel may take.
func (t *Table) Reserve() uint64 { return t.reserve }

// Owner returns the owner of the frame at physical. ok is false when
// physical is not a frame of the table or the frame is absent or free.
func (t *Table) Owner(physical uint64) (owner uint16, ok bool) {
	i := t.ownedIndex(physical)
	if i == ownershipNotFrame {
		return 0, false
	}
	t.acquire()
	e := *t.entry(i)
	t.release()
	if !held(e) {
		return 0, false
	}
	return uint16(e >> entryOwnerShift), true
}

// AddReference counts one more page-table entry mapping the frame at
// physical. It refuses (false, nothing changes) when physical is not a held
// frame or the count is already at its maximum, 0xffff.
func (t *Table) AddReference(physical uint64) bool {
	i := t.ownedIndex(physical)
	if i == ownershipNotFrame {
		return false
	}
	t.acquire()
	e := t.entry(i)
	if !held(*e) || (*e&entryRefMask)>>entryRefShift >= maxReferences {
		t.release()
		return false
	}
	*e += ownershipRefOne
	t.release()
	return true
}

// DropReference counts one page-table entry less mapping the frame at
// physical and returns how many remain. ok is false, and nothing changes,
// when physical is not a held frame or has no references.
func (t *Table) DropReference(physical uint64) (remaining uint16, ok bool) {
	i := t.ownedIndex(physical)
	if i == ownershipNotFrame {
		return 0, false
	}
	t.acquire()
	e := t.entry(i)
	if !held(*e) || *e&entryRefMask == 0 {
		t.release()
		return 0, false
	}
	*e -= ownershipRefOne
	remaining = uint16(*e >> entryRefShift)
	if remaining == 0 && *e&entryOrphan != 0 {
		// The owner ended while this frame was mapped; nobody maps it now,
		// but a TLB may: free it after the caller's shootdown.
		t.queuePending(i)
	}
	t.release()
	return remaining, true
}

// References returns the reference count of the frame at physical (0 for
// anything that is not a held frame).
func (t *Table) References(physical uint64) uint16 {
	i := t.ownedIndex(physical)
	if i == ownershipNotFrame {
		return 0
	}
	t.acquire()
	e := *t.entry(i)
	t.release()
	if !held(e) {
		return 0
	}
	return uint16(e >> entryRefShift)
}

// AddReferenceAs adds a reference to the frame at physical only if it is
// held by owner with the given use, checking and counting under one lock
// acquisition: kernel/segment uses it when a process maps a frame, so that
// the frame cannot be freed and handed to another process between the
// ownership check and the reference.
func (t *Table) AddReferenceAs(physical uint64, owner uint16, use Use) OwnershipStatus {
	i := t.ownedIndex(physical)
	if i == ownershipNotFrame {
		return NotAFrame
	}
	t.acquire()
	e := t.entry(i)
	status := Done
	switch {
	case !held(*e) || *e&entryFresh != 0:
		status = NotHeld
	case uint16(*e>>entryOwnerShift) != owner:
		status = NotOwner
	case Use(*e&entryUseMask) != use:
		status = WrongUse
	case (*e&entryRefMask)>>entryRefShift >= maxReferences:
		status = TooManyReferences
	default:
		*e += ownershipRefOne
	}
	t.release()
	return status
}

// FreeOwned frees the frame at physical on behalf of owner: only a
// UseProcess frame (a process's data), only its owner, and only once no
// page-table entry maps it. It returns Done when the frame is free. This is
// the only way frame_free reaches the table: a page table or a segment's
// table charged to owner is refused (WrongUse).
func (t *Table) FreeOwned(physical uint64, owner uint16) OwnershipStatus {
	status := t.FreeAs(physical, owner, UseProcess)
	if status == WrongUse {
		status = t.FreeAs(physical, owner, UseKept) // a kept frame is the process's data too
	}
	return status
}

// heldAs checks that entry e is a frame owner holds (not an orphan) with
// use: Done, or NotHeld, NotOwner, WrongUse, in that order.
func heldAs(e uint64, owner uint16, use Use) OwnershipStatus {
	switch {
	case !held(e) || e&(entryOrphan|entryFresh) != 0:
		return NotHeld
	case uint16(e>>entryOwnerShift) != owner:
		return NotOwner
	case Use(e&entryUseMask) != use:
		return WrongUse
	}
	return Done
}

// unreferencedAs is heldAs for a frame that must also be mapped nowhere:
// StillReferenced when it is.
func unreferencedAs(e uint64, owner uint16, use Use) OwnershipStatus {
	status := heldAs(e, owner, use)
	if status == Done && e&entryRefMask != 0 {
		status = StillReferenced
	}
	return status
}

// FreeAs frees the frame at physical held by owner with the given use,
// once no page-table entry maps it: the kernel frees what it made for a
// process (a page table, a segment's table) through it, naming the use it
// made the frame for.
func (t *Table) FreeAs(physical uint64, owner uint16, use Use) OwnershipStatus {
	return t.freeWith(physical, owner, use, 0)
}

// freeWith frees the frame at physical when owner holds it with use and
// exactly references references (entry bits), under one lock acquisition;
// with references, it must be fresh (ChargeMapped's), and only then.
func (t *Table) freeWith(physical uint64, owner uint16, use Use, references uint64) OwnershipStatus {
	i := t.ownedIndex(physical)
	if i == ownershipNotFrame {
		return NotAFrame
	}
	t.acquire()
	e := t.entry(i)
	fresh := *e & entryFresh
	if references == 0 && fresh != 0 || references != 0 && fresh == 0 {
		t.release()
		return NotHeld
	}
	status, check := Done, heldAs(*e&^entryFresh, owner, use)
	switch {
	case check != Done:
		status = check
	case *e&entryRefMask != references:
		status = StillReferenced
	default:
		t.disown(*e)
		t.markFree(i)
	}
	t.release()
	return status
}

// FreeAllOwnedBy frees every frame that owner holds, for the end of a
// process, and reports how many it freed and how many it made orphans
// because page-table entries of other processes still map them (they are
// freed when their last reference goes). The caller first removes the
// process's own links and destroys what of its segments it can, so that
// only frames others really use remain mapped. Owner 0, the kernel, is
// refused (0, 0): its frames are never swept.
//
// It walks the whole table, taking the lock once per frame so that other
// CPUs are not held off for the whole walk.
func (t *Table) FreeAllOwnedBy(owner uint16) (freed, orphaned uint64) {
	if owner == kernelOwner {
		return 0, 0
	}
	// The per-owner count bounds the scan: it stops once every frame the
	// owner held has been seen.
	t.acquire()
	remaining := uint64(t.owned[owner])
	t.release()
	for i := uint64(0); i < t.frames && freed+orphaned < remaining; i++ {
		t.acquire()
		e := t.entry(i)
		if held(*e) && *e&entryOrphan == 0 && uint16(*e>>entryOwnerShift) == owner {
			t.disown(*e)
			if *e&entryRefMask != 0 {
				*e |= entryOrphan
				t.orphans++
				orphaned++
			} else {
				t.markFree(i)
				freed++
			}
		}
		t.release()
	}
	return freed, orphaned
}

// CountOwnedBy returns how many held frames owner has (orphans not
// included). It walks the whole table: for tests and reports, not hot
// paths; Held reads the count kept as frames come and go.
func (t *Table) CountOwnedBy(owner uint16) uint64 {
	n := uint64(0)
	for i := uint64(0); i < t.frames; i++ {
		e := *t.entry(i)
		if held(e) && e&entryOrphan == 0 && uint16(e>>entryOwnerShift) == owner {
			n++
		}
	}
	return n
}

// TakeUnreferencedFrom frees up to want frames owner holds that no
// page-table entry maps (revocation by force takes what the owner cannot be
// using through a mapping), in one pass over the table. It returns how many
// it freed; the first len(list) of their addresses go into list.
func (t *Table) TakeUnreferencedFrom(owner uint16, want uint64, list []uint64) (taken uint64) {
	if owner == kernelOwner {
		return 0
	}
	for i := uint64(0); i < t.frames && taken < want; i++ {
		t.acquire()
		e := t.entry(i)
		if use := Use(*e & entryUseMask); held(*e) && uint16(*e>>entryOwnerShift) == owner && *e&(entryRefMask|entryFresh) == 0 && (use == UseProcess || use == UseKept) {
			t.disown(*e)
			t.markFree(i)
			if taken < uint64(len(list)) {
				list[taken] = i * FrameSize
			}
			taken++
		}
		t.release()
	}
	return taken
}

// Room returns how many more frames owner may be charged for under its
// limit.
func (t *Table) Room(owner uint16) uint64 {
	t.acquire()
	room := uint64(0)
	if t.owned[owner] < t.limits[owner] {
		room = uint64(t.limits[owner] - t.owned[owner])
	}
	t.release()
	return room
}

// Transfer makes the frame at physical, held by from with the given use,
// to's: its owner changes and the charge moves, its references stay. It
// refuses a frame held otherwise, an orphan, and (OverLimit) a receiver at
// its limit. kernel/segment gives a child the frames of a segment with it.
func (t *Table) Transfer(physical uint64, from, to uint16, use Use) OwnershipStatus {
	i := t.ownedIndex(physical)
	if i == ownershipNotFrame {
		return NotAFrame
	}
	t.acquire()
	e := t.entry(i)
	status := Done
	check := heldAs(*e, from, use)
	if check != NotHeld && (from == kernelOwner || to == kernelOwner) {
		check = NotOwner // the kernel's frames never move, nor go to it
	}
	switch {
	case check != Done:
		status = check
	case t.owned[to] >= t.limits[to]:
		status = OverLimit
	default:
		*e = *e&^entryOwnerMask | uint64(to)<<entryOwnerShift
		t.owned[from]--
		t.owned[to]++
	}
	t.release()
	return status
}
