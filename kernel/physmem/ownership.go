package physmem

// Frame ownership: the exokernel's secure binding of frames to processes.
//
// A frame-table entry is
//
//	bit  63 ..... 40 39 ........ 24 23 ...... 8 7 ..... 0
//	     [  unused  ][  references ][   owner   ][  use   ]
//
// The owner is a process ID (0 is the kernel: every frame that Allocate or
// SetRange marks has owner 0). The reference count says how many page-table
// entries map the frame (kernel/segment keeps it: one per leaf entry of a
// segment that names the frame, plus one held by a segment for its own table
// frame while the segment exists). A frame with references is still
// reachable by some process's loads and stores, so FreeOwned and
// FreeAllOwnedBy refuse to free it. Free (frames.go) ignores owner and
// references: it is the kernel's own, unchecked way out.

// Uses of frames held on behalf of processes. They are defined here rather
// than in the const block of frames.go, with values well above the kernel's
// own uses so that the two lists can grow independently. (Use.String in
// frames.go does not know them yet and says "unknown"; UseName does.)
const (
	UseProcess Use = 16 // memory a process holds by physical name (data, its own page contents)
	UseSegment Use = 17 // the page-table page of a segment (kernel/segment)
)

// UseName names any use, including UseProcess and UseSegment.
func UseName(u Use) string {
	switch u {
	case UseProcess:
		return "process"
	case UseSegment:
		return "segment table"
	}
	return u.String()
}

const (
	entryOwnerMask    = 0xffff << entryOwnerShift
	entryRefShift     = 24
	entryRefMask      = 0xffff << entryRefShift
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
)

var ownershipStatusNames = [...]string{"done", "not a frame", "frame not held", "not the owner", "still referenced", "wrong use", "too many references"}

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

// AllocateFor is Allocate for a given owner: it takes a free frame, marks it
// with use and owner (reference count 0), zeroes it when zero is true, and
// returns its physical address. ok is false when no frame is free, or when
// use is UseFree or UseAbsent (which would corrupt the free count).
func (t *Table) AllocateFor(owner uint16, use Use, zero bool) (physical uint64, ok bool) {
	if use == UseFree || use == UseAbsent {
		return 0, false
	}
	physical, ok = t.Allocate(use, zero)
	if !ok || owner == kernelOwner {
		return physical, ok
	}
	// Between Allocate and here the frame is held with owner 0 by a caller
	// that has not published its address: nobody else can name it.
	i := t.ownedIndex(physical)
	if i == ownershipNotFrame {
		return 0, false
	}
	t.acquire()
	e := t.entry(i)
	*e = *e&^uint64(entryOwnerMask) | uint64(owner)<<entryOwnerShift
	t.owned[owner]++
	t.release()
	return physical, true
}

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
	case !held(*e):
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

// FreeOwned frees the frame at physical on behalf of owner: only the owner
// may free it, and only once no page-table entry maps it. It returns Done
// when the frame is free.
func (t *Table) FreeOwned(physical uint64, owner uint16) OwnershipStatus {
	i := t.ownedIndex(physical)
	if i == ownershipNotFrame {
		return NotAFrame
	}
	t.acquire()
	e := t.entry(i)
	switch {
	case !held(*e):
		t.release()
		return NotHeld
	case uint16(*e>>entryOwnerShift) != owner:
		t.release()
		return NotOwner
	case *e&entryRefMask != 0:
		t.release()
		return StillReferenced
	}
	t.disown(*e)
	t.markFree(i)
	t.release()
	return Done
}

// FreeAllOwnedBy frees every unreferenced frame that owner holds, for the
// destruction of a process, and reports how many it freed and how many it
// had to leave because page-table entries still map them (the caller should
// first destroy the process's segments and unlink what maps its frames).
// Owner 0, the kernel, is refused (0, 0): its frames are never swept.
//
// It walks the whole table, taking the lock once per frame so that other
// CPUs are not held off for the whole walk.
func (t *Table) FreeAllOwnedBy(owner uint16) (freed, referenced uint64) {
	if owner == kernelOwner {
		return 0, 0
	}
	// The per-owner count bounds the scan: it stops once every frame the
	// owner held has been seen.
	t.acquire()
	remaining := uint64(t.owned[owner])
	t.release()
	for i := uint64(0); i < t.frames && freed+referenced < remaining; i++ {
		t.acquire()
		e := t.entry(i)
		if held(*e) && uint16(*e>>entryOwnerShift) == owner {
			if *e&entryRefMask != 0 {
				referenced++
			} else {
				t.disown(*e)
				t.markFree(i)
				freed++
			}
		}
		t.release()
	}
	return freed, referenced
}

// CountOwnedBy returns how many held frames owner has. It walks the whole
// table: for tests, reports and process accounting, not hot paths.
func (t *Table) CountOwnedBy(owner uint16) uint64 {
	n := uint64(0)
	for i := uint64(0); i < t.frames; i++ {
		e := *t.entry(i)
		if held(e) && uint16(e>>entryOwnerShift) == owner {
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
		if held(*e) && uint16(*e>>entryOwnerShift) == owner && *e&entryRefMask == 0 && Use(*e&entryUseMask) == UseProcess {
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
