package segment

import (
	"exogo/kernel/layout"
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
)

// Links: a segment's table entered into an address space, at an address
// aligned to its span, through the tables the kernel makes for the space.

// checkAddress validates a link address for a segment of level l.
func (t *Table) checkAddress(virtual uintptr, l Level) Status {
	if !paging.Canonical(virtual) {
		return NotCanonical
	}
	if virtual >= layout.UserEnd || virtual < t.userStart() {
		return NotUserAddress
	}
	if uint64(virtual)&(l.Span()-1) != 0 {
		return Misaligned
	}
	if uint64(virtual)+l.Span() > uint64(layout.UserMapEnd) {
		return NotUserAddress // the span covers the last page below the canonical hole
	}
	return OK
}

// checkRoot validates the physical address of a PML4.
func checkRoot(mem Memory, root uint64) Status {
	if root%physmem.FrameSize != 0 || mem.Frames.UseOf(root) != physmem.UsePageTable {
		return BadRoot
	}
	return OK
}

// walk returns the entry at which a segment of level l is linked at virtual
// in the address space with PML4 root: the PML4 entry for Level3, a PDPT
// entry for Level2, a PD entry for Level1. With create, missing tables above
// are allocated (kernel-owned, Present|Writable|User). It refuses to pass
// through a huge page, a table without User (the kernel's) or a segment's
// table (which only its owner changes, through MapSegment).
func (t *Table) walk(mem Memory, root uint64, virtual uintptr, l Level, create bool) (*uint64, Status) {
	table := root
	for level := uint(3); level > uint(l); level-- {
		e := entry(mem, table, uint(virtual>>(12+9*level))&(Entries-1))
		if !present(*e) {
			if !create {
				return nil, SlotEmpty
			}
			// The new table is charged to whoever owns the address space.
			owner, _ := mem.Frames.Owner(root)
			next, charged := mem.Frames.Charge(owner, physmem.UsePageTable, true)
			if charged != physmem.Done {
				return nil, chargeStatus(charged)
			}
			*e = next | uint64(paging.Present|paging.Writable|paging.User)
		} else if paging.Flags(*e)&paging.Huge != 0 || paging.Flags(*e)&paging.User == 0 {
			return nil, InTheWay
		} else if _, isSegment := t.segmentAt(*e & paging.AddressMask); isSegment {
			return nil, InTheWay
		} else if mem.Frames.UseOf(*e&paging.AddressMask) != physmem.UsePageTable {
			// Only tables made for address spaces may be edited: not the
			// kernel's shared ones (the frame-table view).
			return nil, InTheWay
		}
		table = *e & paging.AddressMask
	}
	return entry(mem, table, uint(virtual>>(12+9*uint(l)))&(Entries-1)), OK
}

// Link links segment id into the address space whose PML4 is at physical
// root, at virtual, with permissions r. virtual must be aligned to the
// segment's span and the whole span must lie in the user half, at or above
// UserStart. The caller must own the segment or hold a grant covering r.
// The slot must be empty; tables above it are created as needed.
//
// The caller (the system-call layer) decides whose address space root is:
// the caller's own, or a child's it may edit.
func (t *Table) Link(mem Memory, caller uint16, root uint64, virtual uintptr, id ID, r Rights) Status {
	if mem.Frames == nil {
		return NoMemory
	}
	t.acquire()
	status := t.link(mem, caller, root, virtual, id, r)
	t.release()
	return status
}

func (t *Table) link(mem Memory, caller uint16, root uint64, virtual uintptr, id ID, r Rights) Status {
	d, _, status := t.lookup(id)
	if status != OK {
		return status
	}
	r, ok := validRights(r)
	if !ok {
		return BadRights
	}
	if status := d.allows(caller, r); status != OK {
		return status
	}
	if status := t.checkAddress(virtual, d.level); status != OK {
		return status
	}
	if status := checkRoot(mem, root); status != OK {
		return status
	}
	if d.links == ^uint32(0) {
		return TooManyReferences
	}
	e, status := t.walk(mem, root, virtual, d.level, true)
	if status != OK {
		return status
	}
	if present(*e) {
		return SlotInUse
	}
	// The record is charged to the address space's owner, as its tables
	// are.
	owner, _ := mem.Frames.Owner(root)
	if status := t.addRef(d, entryPhysical(mem, e), encodePlace(root, virtual), owner); status != OK {
		return status
	}
	*e = encode(d.table, r) | d.authority(caller)
	d.links++
	return OK
}

// Unlink removes the segment of level l linked at virtual in the address
// space whose PML4 is at root, and returns its ID. It refuses an entry that
// does not link a segment of that level (a page table the kernel made, say).
// The caller must flush the TLB for the segment's span at virtual on every
// CPU that may run the address space. Any process may unlink from an
// address space it may edit; no right on the segment is needed.
func (t *Table) Unlink(mem Memory, root uint64, virtual uintptr, l Level) (ID, Status) {
	if l < Level1 || l > Level3 {
		return 0, BadLevel
	}
	if mem.Frames == nil {
		return 0, NoMemory
	}
	t.acquire()
	id, status := t.unlink(mem, root, virtual, l)
	t.release()
	return id, status
}

func (t *Table) unlink(mem Memory, root uint64, virtual uintptr, l Level) (ID, Status) {
	e, index, status := t.linkEntry(mem, root, virtual, l)
	if status != OK {
		return 0, status
	}
	d := &t.entries[index%MaxSegments]
	t.removeRef(entryPhysical(mem, e))
	*e = 0
	d.links--
	id := makeID(index, d.generation)
	t.reap(mem, d)
	return id, OK
}

// LinkedAt returns the segment of level l linked at virtual in the address
// space whose PML4 is at root, and the rights of that link (Write when the
// link allows stores). It refuses an entry that does not link a segment of
// that level, as Unlink does. The file system names an open file or
// directory by where the caller linked it: the link is the capability.
func (t *Table) LinkedAt(mem Memory, root uint64, virtual uintptr, l Level) (ID, Rights, Status) {
	if l < Level1 || l > Level3 {
		return 0, 0, BadLevel
	}
	if mem.Frames == nil {
		return 0, 0, NoMemory
	}
	t.acquire()
	id, r, status := t.linkedAt(mem, root, virtual, l)
	t.release()
	return id, r, status
}

func (t *Table) linkedAt(mem Memory, root uint64, virtual uintptr, l Level) (ID, Rights, Status) {
	e, index, status := t.linkEntry(mem, root, virtual, l)
	if status != OK {
		return 0, 0, status
	}
	r := Read
	if paging.Flags(*e)&paging.Writable != 0 {
		r |= Write
	}
	if paging.Flags(*e)&paging.NoExecute == 0 {
		r |= Execute
	}
	return makeID(index, t.entries[index%MaxSegments].generation), r, OK
}

// linkEntry finds the entry that links a segment of level l at virtual in
// the address space whose PML4 is at root, and the segment's index; it
// refuses an entry that does not link a segment of that level (a page
// table the kernel made, say). The caller holds the lock.
func (t *Table) linkEntry(mem Memory, root uint64, virtual uintptr, l Level) (*uint64, uint, Status) {
	if status := t.checkAddress(virtual, l); status != OK {
		return nil, 0, status
	}
	if status := checkRoot(mem, root); status != OK {
		return nil, 0, status
	}
	e, status := t.walk(mem, root, virtual, l, false)
	if status != OK {
		return nil, 0, status
	}
	if !present(*e) {
		return nil, 0, SlotEmpty
	}
	if paging.Flags(*e)&paging.Huge != 0 {
		return nil, 0, NotASegment
	}
	index, ok := t.segmentAt(*e & paging.AddressMask)
	if !ok {
		return nil, 0, NotASegment
	}
	d := &t.entries[index%MaxSegments]
	if !d.used || d.level != l || d.links == 0 {
		return nil, 0, NotASegment
	}
	return e, index, OK
}

// ChildAt returns the segment mapped at slot index of segment id (a PD or
// PDPT segment) and whether one is; only the owner may ask.
func (t *Table) ChildAt(mem Memory, caller uint16, id ID, index uint) (ID, bool) {
	if mem.Frames == nil || index >= Entries {
		return 0, false
	}
	t.acquire()
	d, _, status := t.lookup(id)
	if status != OK || d.owner != caller || d.level == Level1 {
		t.release()
		return 0, false
	}
	e := entry(mem, d.table, index)
	child, ok := uint(0), present(*e)
	if ok {
		child, ok = t.segmentAt(*e & paging.AddressMask)
	}
	var found ID
	if ok {
		found = makeID(child, t.entries[child%MaxSegments].generation)
	}
	t.release()
	return found, ok
}
