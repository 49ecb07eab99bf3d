package physmem

// Charging frames to their owners: the allocations that name who pays.

// AllocateFor is Allocate for a given owner: it takes a free frame, marks it
// with use and owner (reference count 0), zeroes it when zero is true, and
// returns its physical address. ok is false when Charge would refuse.
func (t *Table) AllocateFor(owner uint16, use Use, zero bool) (physical uint64, ok bool) {
	physical, status := t.Charge(owner, use, zero)
	return physical, status == Done
}

// Charge allocates a frame in owner's name, as AllocateFor does, and says
// why it could not: OverLimit when owner (not the kernel) already holds its
// limit, NoFreeFrame when no frame is free or, for an owner other than the
// kernel, only the reserve is left; WrongUse for UseFree or UseAbsent
// (which would corrupt the free count). Checks and allocation happen under
// one lock acquisition, so two CPUs cannot both take an owner's last frame.
func (t *Table) Charge(owner uint16, use Use, zero bool) (physical uint64, status OwnershipStatus) {
	return t.charge(owner, use, zero, 0)
}

// ChargeMapped is Charge for a frame about to be mapped: it starts with
// one reference, the mapping the caller installs next (segment.MapCharged),
// and fresh, so that nothing can take it (revocation by force), free it or
// map it elsewhere (another vCPU's segment_map_frame) between the two,
// when the caller holds no lock over both. MapCharged publishes it;
// CancelMapped undoes it when the mapping fails.
func (t *Table) ChargeMapped(owner uint16, use Use, zero bool) (physical uint64, status OwnershipStatus) {
	return t.charge(owner, use, zero, ownershipRefOne)
}

func (t *Table) charge(owner uint16, use Use, zero bool, references uint64) (physical uint64, status OwnershipStatus) {
	if use == UseFree || use == UseAbsent {
		return 0, WrongUse
	}
	t.acquire()
	if owner != kernelOwner {
		if t.owned[owner] >= t.limits[owner] {
			t.release()
			return 0, OverLimit
		}
		if t.FreeFrames() <= t.reserve {
			t.release()
			return 0, NoFreeFrame
		}
	}
	i, ok := t.take(use)
	if !ok {
		t.release()
		return 0, NoFreeFrame
	}
	*t.entry(i) |= references
	fresh := zero || references != 0
	if fresh {
		*t.entry(i) |= entryFresh // not the owner's to use until zeroed (or mapped)
	}
	if owner != kernelOwner {
		*t.entry(i) |= uint64(owner) << entryOwnerShift
		t.owned[owner]++
	}
	t.release()
	physical = i * FrameSize
	if zero {
		t.zero(physical)
	}
	if fresh && references == 0 {
		t.acquire()
		*t.entry(i) &^= entryFresh
		t.release()
	}
	return physical, Done
}

// Publish hands over a frame from ChargeMapped whose mapping is being
// stored (segment.Table.MapCharged, under the segment table's lock, so
// that no other mapping of it can come first): from now on it is an
// ordinary frame of its owner.
func (t *Table) Publish(physical uint64) {
	i := t.ownedIndex(physical)
	if i == ownershipNotFrame {
		return
	}
	t.acquire()
	*t.entry(i) &^= entryFresh
	t.release()
}

// CancelMapped frees a frame from ChargeMapped whose mapping was refused:
// it must still be owner's, with use and exactly the one reference
// ChargeMapped gave it; anything else (the caller's bug) changes nothing
// and says what it found.
func (t *Table) CancelMapped(physical uint64, owner uint16, use Use) OwnershipStatus {
	return t.freeWith(physical, owner, use, ownershipRefOne)
}

// KeepZeroed zeroes the frame at physical for owner to keep, unmapped,
// instead of freeing it: only a UseProcess frame of owner's that no
// page-table entry maps (what FreeOwned would free). The frame becomes
// UseKept, which only AdoptKept maps again (a libOS's pool: an entry for a
// frame that has since become something else cannot be mapped by
// mistake). It returns Done when it zeroed it, or why not (NotAFrame,
// NotHeld, NotOwner, WrongUse, StillReferenced). The caller holds the
// lock that keeps the frame from being freed meanwhile (segment_release
// runs under smp.Lock).
func (t *Table) KeepZeroed(physical uint64, owner uint16) OwnershipStatus {
	i := t.ownedIndex(physical)
	if i == ownershipNotFrame {
		return NotAFrame
	}
	t.acquire()
	status := unreferencedAs(*t.entry(i), owner, UseProcess)
	if status == Done {
		*t.entry(i) |= entryFresh // nobody maps it while it is zeroed
	}
	t.release()
	if status == Done {
		t.zero(physical)
		t.acquire()
		*t.entry(i) = *t.entry(i)&^(entryFresh|entryUseMask) | uint64(UseKept)
		t.release()
	}
	return status
}

// AdoptKept adds the one reference of a new mapping to owner's kept frame
// at physical, which becomes an ordinary UseProcess frame: only a frame
// KeepZeroed kept for owner that nothing maps. It returns Done, or why
// not (NotAFrame, NotHeld, NotOwner, WrongUse, StillReferenced).
func (t *Table) AdoptKept(physical uint64, owner uint16) OwnershipStatus {
	i := t.ownedIndex(physical)
	if i == ownershipNotFrame {
		return NotAFrame
	}
	t.acquire()
	e := t.entry(i)
	status := unreferencedAs(*e, owner, UseKept)
	if status == Done {
		*e = (*e&^entryUseMask | uint64(UseProcess)) + ownershipRefOne
	}
	t.release()
	return status
}
