package segment

import (
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
)

// A segment's life: creation, destruction by its owner, and removal (with
// what its entries held) when it is destroyed or reaped as an orphan.

// Create makes an empty segment of level owned by owner: a zeroed table
// frame (physmem.UseSegment, owned by owner, one reference held by the
// segment).
func (t *Table) Create(mem Memory, owner uint16, level Level) (ID, Status) {
	if level < Level1 || level > Level3 {
		return 0, BadLevel
	}
	if mem.Frames == nil {
		return 0, NoMemory
	}
	t.acquire()
	id, status := t.create(mem, owner, level)
	t.release()
	return id, status
}

func (t *Table) create(mem Memory, owner uint16, level Level) (ID, Status) {
	if owner != 0 && t.owned[owner] >= segmentLimit(owner) {
		return 0, OverLimit
	}
	if t.live >= MaxSegments {
		return 0, TableFull
	}
	index := uint(t.hint % MaxSegments)
	for n := 0; n < MaxSegments && t.entries[index%MaxSegments].used; n++ {
		index = (index + 1) % MaxSegments
	}
	d := &t.entries[index%MaxSegments]
	if d.used {
		return 0, TableFull
	}
	table, charged := mem.Frames.Charge(owner, physmem.UseSegment, true)
	if charged != physmem.Done {
		return 0, chargeStatus(charged)
	}
	if !mem.Frames.AddReference(table) {
		mem.Frames.FreeAs(table, owner, physmem.UseSegment)
		return 0, NoMemory
	}
	d.generation++
	if d.generation == 0 {
		d.generation = 1
	}
	d.table, d.owner, d.level, d.used, d.device = table, owner, level, true, false
	d.refHead, d.orphan = 0, false
	d.links, d.parents, d.grantCount = 0, 0, 0
	t.reverseInsert(table, uint16(index))
	t.live++
	t.owned[owner]++
	t.hint = uint32(index+1) % MaxSegments
	return makeID(index, d.generation), OK
}

// Destroy removes a segment. Only the owner may, and only while the segment
// is neither linked into an address space nor mapped in a parent segment.
// Every entry is cleared first: mapped frames lose a reference (they stay
// their owner's, to free with physmem.Table.FreeOwned), child segments lose
// a parent. Then the table frame is freed.
func (t *Table) Destroy(mem Memory, caller uint16, id ID) Status {
	if mem.Frames == nil {
		return NoMemory
	}
	t.acquire()
	status := t.destroy(mem, caller, id)
	t.release()
	return status
}

func (t *Table) destroy(mem Memory, caller uint16, id ID) Status {
	d, _, status := t.lookup(id)
	if status != OK {
		return status
	}
	if d.owner != caller || d.orphan {
		return NotOwner
	}
	if d.links != 0 || d.parents != 0 {
		return StillLinked
	}
	t.remove(mem, d)
	return OK
}

// chargeStatus turns physmem's refusal to charge a frame into a Status.
func chargeStatus(s physmem.OwnershipStatus) Status {
	if s == physmem.OverLimit {
		return OverLimit
	}
	return NoMemory
}

// remove clears every entry of d (mapped frames lose a reference, child
// segments a parent: an orphan child may go with it) and frees d and its
// table. The caller holds the lock and has checked that nothing links or
// maps d.
func (t *Table) remove(mem Memory, d *descriptor) { t.removeAs(mem, d, false) }

// removeAs is remove; with afterShootdown, d's table frame is freed only
// by the caller's ReleasePending, after the TLB shootdown that drops the
// translations of the links it has just cleared (takeAway): until then a
// CPU may still walk through the table, which must not be handed out.
func (t *Table) removeAs(mem Memory, d *descriptor, afterShootdown bool) {
	if d.orphan {
		t.orphanSegments -= min(t.orphanSegments, 1)
		t.orphanFrames -= min(t.orphanFrames, framesOf(mem, d))
	}
	for i := uint(0); i < Entries; i++ {
		e := entry(mem, d.table, i)
		if !present(*e) {
			continue
		}
		// A PT device segment's slots past 0 are device memory, which
		// holds no references; a PD device segment's are its children.
		if !d.device || d.level != Level1 || i == 0 {
			t.dropEntry(mem, d.level, e)
		}
		*e = 0
	}
	t.reverseRemove(d.table)
	// An orphan's table is an orphan frame too: its last reference
	// frees it.
	if remaining, _ := mem.Frames.DropReference(d.table); remaining == 0 && !d.orphan {
		if afterShootdown {
			mem.Frames.FreeAfterShootdown(d.table, d.owner, physmem.UseSegment)
		} else {
			mem.Frames.FreeAs(d.table, d.owner, physmem.UseSegment)
		}
	}
	if !d.orphan && t.owned[d.owner] > 0 {
		t.owned[d.owner]--
	}
	d.used, d.table, d.links, d.parents, d.grantCount, d.orphan = false, 0, 0, 0, 0, false
	for _, g := range d.grants {
		if g.Process != 0 && t.grantsHeld[g.Process] > 0 {
			t.grantsHeld[g.Process]--
		}
	}
	d.grants = [MaxGrants]Grant{}
	t.live--
}

// reap destroys d if it is an orphan nothing uses any more: no link and no
// parent mapping. Grants do not keep it, as they do not keep a segment
// whose owner ends (DestroyOwnedBy): nobody can change it any more, and a
// grantee that let go of it has nothing of it left to lose. Every
// operation that takes a link or a mapping away calls it, so an orphan
// never outlives its last user. The caller holds the lock.
func (t *Table) reap(mem Memory, d *descriptor) {
	if d.used && d.orphan && d.links == 0 && d.parents == 0 {
		t.remove(mem, d)
	}
}

// dropEntry clears the present entry e of a level-l segment and undoes what
// it held: a frame reference (Level1), or a child's parent count and the
// record of the mapping (an orphan child may go with it).
func (t *Table) dropEntry(mem Memory, l Level, e *uint64) ID {
	target := *e & paging.AddressMask
	*e = 0
	if l == Level1 {
		mem.Frames.DropReference(target)
		return 0
	}
	t.removeRef(entryPhysical(mem, e))
	child, ok := t.segmentAt(target)
	if !ok {
		return 0
	}
	c := &t.entries[child%MaxSegments]
	if c.parents > 0 {
		c.parents--
	}
	id := makeID(child, c.generation)
	t.reap(mem, c)
	return id
}
