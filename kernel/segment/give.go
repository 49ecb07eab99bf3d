package segment

import (
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
)

// Give hands a PT segment, with its table and every frame mapped in it,
// from its owner to another process (a parent filling a child before the
// child starts): afterwards the receiver owns and is charged for all of
// it, and the giver keeps no right. So a child's image is its own, freed
// when it ends, and the parent has nothing to clean up.
//
// The segment must be one nobody else reaches: a Level1 segment that is
// not a device segment, has no grants, is mapped in no bigger segment, is
// linked only in the address space whose PML4 is at root (the receiver's;
// its link records are charged to the receiver already), and maps only
// UseProcess frames of the giver that nothing else maps. The receiver must
// have room under its segment and frame limits. Everything is checked
// before anything changes.
func (t *Table) Give(mem Memory, caller uint16, id ID, to uint16, root uint64) Status {
	if mem.Frames == nil {
		return NoMemory
	}
	t.acquire()
	status := t.give(mem, caller, id, to, root)
	t.release()
	return status
}

// give is Give under the table's lock.
func (t *Table) give(mem Memory, caller uint16, id ID, to uint16, root uint64) Status {
	d, _, status := t.lookup(id)
	switch {
	case status != OK:
		return status
	case d.owner != caller || d.orphan:
		return NotOwner
	case d.device:
		return DeviceSegment
	case d.level != Level1:
		return BadLevel
	case to == 0 || to == caller:
		return BadGrantee
	case d.grantCount != 0 || d.parents != 0:
		return StillLinked
	case t.owned[to] >= segmentLimit(to):
		return OverLimit
	}
	for s := d.refHead; s != 0; s = t.next(segmentList, s) {
		r := &t.refs[(s-1)%refSlots]
		if r.place == 0 || decodePlace(r.place).Root != root {
			return StillLinked
		}
	}
	frames := uint64(1) // the segment's table
	for i := uint(0); i < Entries; i++ {
		e := *entry(mem, d.table, i)
		if !present(e) {
			continue
		}
		frame := e & paging.AddressMask
		if owner, ok := mem.Frames.Owner(frame); !ok || owner != caller || mem.Frames.UseOf(frame) != physmem.UseProcess {
			return FrameNotOwned
		}
		if mem.Frames.References(frame) != 1 {
			return TooManyReferences
		}
		frames++
	}
	if mem.Frames.Room(to) < frames {
		return OverLimit
	}
	// Nothing below fails while the checks above hold: the frames are
	// the caller's, mapped only here (and a segment's frames change only
	// under this table's lock), and the kernel serializes the calls that
	// charge a process (smp.Lock), so the receiver's room stays. Should a
	// transfer fail all the same, what moved moves back.
	if mem.Frames.Transfer(d.table, caller, to, physmem.UseSegment) != physmem.Done {
		return OverLimit
	}
	for i := uint(0); i < Entries; i++ {
		e := *entry(mem, d.table, i)
		if !present(e) || mem.Frames.Transfer(e&paging.AddressMask, caller, to, physmem.UseProcess) == physmem.Done {
			continue
		}
		for j := uint(0); j < i; j++ {
			if e := *entry(mem, d.table, j); present(e) {
				mem.Frames.Transfer(e&paging.AddressMask, to, caller, physmem.UseProcess)
			}
		}
		mem.Frames.Transfer(d.table, to, caller, physmem.UseSegment)
		return OverLimit
	}
	t.owned[caller]--
	t.owned[to]++
	d.owner = to
	return OK
}
