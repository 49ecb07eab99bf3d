package segment

import (
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
)

// Filling a segment: frames into a PT segment's slots, child segments into
// a bigger one's, and clearing a slot. Only the owner does.

// MapFrame maps the frame at physical at slot index of the Level1 segment
// id, with permissions r. The caller must own the segment and the frame (a
// physmem.UseProcess frame), and the slot must be empty. The frame gains a
// reference.
func (t *Table) MapFrame(mem Memory, caller uint16, id ID, index uint, physical uint64, r Rights) Status {
	return t.mapLocked(mem, caller, id, index, physical, r, mapOwned)
}

// MapKeptFrame is MapFrame for a frame of the caller's that
// segment_release kept for it (physmem.UseKept): the same checks, and the
// frame must still be kept and mapped nowhere; it becomes an ordinary data
// frame of the caller's with this one reference (physmem.AdoptKept).
func (t *Table) MapKeptFrame(mem Memory, caller uint16, id ID, index uint, physical uint64, r Rights) Status {
	return t.mapLocked(mem, caller, id, index, physical, r, mapKept)
}

// mapLocked is mapFrame under the table's lock.
func (t *Table) mapLocked(mem Memory, caller uint16, id ID, index uint, physical uint64, r Rights, how int) Status {
	if mem.Frames == nil {
		return NoMemory
	}
	t.acquire()
	status := t.mapFrame(mem, caller, id, index, physical, r, how)
	t.release()
	return status
}

// How mapFrame takes its reference to the frame.
const (
	mapOwned   = iota // a data frame of the caller's (AddReferenceAs)
	mapCharged        // charged with its reference already (ChargeMapped)
	mapKept           // kept for the caller, mapped nowhere (AdoptKept)
)

// MapCharged is MapFrame for a frame the frame table has just charged to
// caller with its reference already counted (physmem.Table.ChargeMapped):
// the same checks, but the frame table is not asked again. On any status
// but OK the reference is the caller's to cancel
// (physmem.Table.CancelMapped). frame_alloc_map runs it without smp.Lock:
// the slot's check and its store are under the table's lock, and a slot
// that was empty needs no TLB shootdown.
func (t *Table) MapCharged(mem Memory, caller uint16, id ID, index uint, physical uint64, r Rights) Status {
	return t.mapLocked(mem, caller, id, index, physical, r, mapCharged)
}

// slotToChange looks up segment id for caller to change its slot index
// with rights r, checking in order: the caller owns it, it is not a device
// segment (whose slots are the kernel's), its level is level (0: any), the
// index is in range and the rights are valid. It returns the rights
// normalized. The caller holds the table's lock.
func (t *Table) slotToChange(caller uint16, id ID, level Level, index uint, r Rights) (*descriptor, Rights, Status) {
	d, _, status := t.lookup(id)
	if status != OK {
		return nil, 0, status
	}
	if d.owner != caller {
		return nil, 0, NotOwner
	}
	if d.device {
		return nil, 0, DeviceSegment
	}
	if level != 0 && d.level != level {
		return nil, 0, BadLevel
	}
	if index >= Entries {
		return nil, 0, BadIndex
	}
	r, ok := validRights(r)
	if !ok {
		return nil, 0, BadRights
	}
	return d, r, OK
}

func (t *Table) mapFrame(mem Memory, caller uint16, id ID, index uint, physical uint64, r Rights, how int) Status {
	d, r, status := t.slotToChange(caller, id, Level1, index, r)
	if status != OK {
		return status
	}
	if physical%physmem.FrameSize != 0 {
		return Misaligned
	}
	if physical&^uint64(paging.AddressMask) != 0 {
		return FrameNotMappable
	}
	e := entry(mem, d.table, index)
	if present(*e) {
		return SlotInUse
	}
	if how == mapCharged {
		mem.Frames.Publish(physical) // under this table's lock: no other mapping comes first
		*e = encode(physical, r)
		return OK
	}
	var referenced physmem.OwnershipStatus
	if how == mapKept {
		referenced = mem.Frames.AdoptKept(physical, caller)
	} else {
		referenced = mem.Frames.AddReferenceAs(physical, caller, physmem.UseProcess)
	}
	switch referenced {
	case physmem.Done:
	case physmem.NotOwner:
		return FrameNotOwned
	case physmem.TooManyReferences:
		return TooManyReferences
	default: // not held (or a kept frame mapped already), wrong use, not a frame
		return FrameNotMappable
	}
	*e = encode(physical, r)
	return OK
}

// MapSegment maps the segment child at slot index of the segment id, with
// permissions r, so that child's span appears at index*child.Span() inside
// id. The caller must own id, and own child or hold a grant for it that
// covers r; child must be exactly one level below id.
func (t *Table) MapSegment(mem Memory, caller uint16, id ID, index uint, child ID, r Rights) Status {
	if mem.Frames == nil {
		return NoMemory
	}
	t.acquire()
	status := t.mapSegment(mem, caller, id, index, child, r)
	t.release()
	return status
}

func (t *Table) mapSegment(mem Memory, caller uint16, id ID, index uint, child ID, r Rights) Status {
	d, r, status := t.slotToChange(caller, id, 0, index, r)
	if status != OK {
		return status
	}
	c, _, status := t.lookup(child)
	if status != OK {
		return status
	}
	if c.level+1 != d.level {
		return LevelMismatch
	}
	if status := c.allows(caller, r); status != OK {
		return status
	}
	e := entry(mem, d.table, index)
	if present(*e) {
		return SlotInUse
	}
	if c.parents == ^uint32(0) {
		return TooManyReferences
	}
	if status := t.addRef(c, entryPhysical(mem, e), 0, caller); status != OK {
		return status
	}
	*e = encode(c.table, r) | c.authority(caller)
	c.parents++
	return OK
}

// Unmap clears slot index of segment id (owner only): a mapped frame loses a
// reference, a mapped child loses a parent. The caller must then flush the
// TLB for the range Unmapped describes, in every address space reaching the
// segment, before the frame is freed or reused.
func (t *Table) Unmap(mem Memory, caller uint16, id ID, index uint) (Unmapped, Status) {
	if mem.Frames == nil {
		return Unmapped{}, NoMemory
	}
	t.acquire()
	u, status := t.unmap(mem, caller, id, index)
	t.release()
	return u, status
}

func (t *Table) unmap(mem Memory, caller uint16, id ID, index uint) (Unmapped, Status) {
	d, _, status := t.slotToChange(caller, id, 0, index, Read)
	if status != OK {
		return Unmapped{}, status
	}
	e := entry(mem, d.table, index)
	if !present(*e) {
		return Unmapped{}, SlotEmpty
	}
	target := *e & paging.AddressMask
	u := Unmapped{Offset: uint64(index) * slotSpan(d.level), Size: slotSpan(d.level), Links: d.links, Parents: d.parents}
	u.Child = t.dropEntry(mem, d.level, e)
	if d.level == Level1 {
		u.Frame = target
	}
	return u, OK
}

// UnmapFrames clears the mapped slots of the Level1 segment id (owner
// only) from slot first up to end (exclusive), stopping once it has
// cleared len(frames) of them, and lists the frames it unmapped in frames
// (each loses its reference; a frame is not freed here). It returns how
// many it cleared, the slot to go on from (end when it got there) and the
// segment's place for the flush: Offset and Size span the slots looked
// at. The caller must flush the TLBs for that span before it frees a
// frame, as after Unmap: segment_release does, a batch at a time.
func (t *Table) UnmapFrames(mem Memory, caller uint16, id ID, first, end uint, frames []uint64) (n int, next uint, span Unmapped, status Status) {
	if mem.Frames == nil {
		return 0, first, Unmapped{}, NoMemory
	}
	if end > Entries || end <= first {
		return 0, first, Unmapped{}, BadIndex
	}
	t.acquire()
	d, _, status := t.slotToChange(caller, id, Level1, first, Read)
	if status != OK {
		t.release()
		return 0, first, Unmapped{}, status
	}
	next = first
	for ; next < end; next++ {
		e := entry(mem, d.table, next)
		if !present(*e) {
			continue
		}
		if n >= len(frames) || n < 0 {
			break // the batch is full: the next one starts at this slot
		}
		frames[n] = *e & paging.AddressMask
		n++
		t.dropEntry(mem, d.level, e)
	}
	span = Unmapped{Offset: uint64(first) * paging.PageSize, Size: uint64(next-first) * paging.PageSize, Links: d.links, Parents: d.parents}
	t.release()
	return n, next, span, OK
}

// Protect rewrites the permissions of the frame mapped at slot index of the
// Level1 segment id (owner only) to r, keeping the mapping. The caller
// must then flush the TLB for the page Unmapped describes (its Frame is the
// frame, still mapped), as after Unmap.
func (t *Table) Protect(mem Memory, caller uint16, id ID, index uint, r Rights) (Unmapped, Status) {
	t.acquire()
	u, status := t.protect(mem, caller, id, index, r)
	t.release()
	return u, status
}

func (t *Table) protect(mem Memory, caller uint16, id ID, index uint, r Rights) (Unmapped, Status) {
	d, r, status := t.slotToChange(caller, id, Level1, index, r)
	if status != OK {
		return Unmapped{}, status
	}
	e := entry(mem, d.table, index)
	if !present(*e) {
		return Unmapped{}, SlotEmpty
	}
	frame := *e & paging.AddressMask
	*e = encode(frame, r)
	return Unmapped{Frame: frame, Offset: uint64(index) * paging.PageSize, Size: paging.PageSize, Links: d.links, Parents: d.parents}, OK
}
