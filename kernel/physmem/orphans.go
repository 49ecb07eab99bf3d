package physmem

// Orphans whose last reference went wait, held, until the caller has shot
// down every CPU's stale translations (ownership.go, Orphans); then
// ReleasePending frees them.

// ReleasePending frees the orphans whose last reference DropReference
// took, and returns how many. The caller calls it once every CPU has
// flushed the translations the removed references allowed (after its TLB
// shootdown), never before: until then a CPU could still reach the frames.
func (t *Table) ReleasePending() (released uint64) {
	t.acquire()
	if t.npending == 0 && !t.pendingLost {
		t.release()
		return 0
	}
	for k := uint32(0); k < t.npending && k < pendingSlots; k++ {
		i := t.pending[k%pendingSlots]
		if i < t.frames && t.releasable(*t.entry(i)) {
			t.disown(*t.entry(i))
			t.markFree(i)
			released++
		}
	}
	t.npending = 0
	lost := t.pendingLost
	t.pendingLost = false
	t.release()
	if lost {
		// More than the list holds: find the rest in the table, taking
		// the lock once per frame.
		for i := uint64(0); i < t.frames; i++ {
			t.acquire()
			if t.releasable(*t.entry(i)) {
				t.disown(*t.entry(i))
				t.markFree(i)
				released++
			}
			t.release()
		}
	}
	return released
}

// releasable reports whether entry e is an orphan nothing maps.
func (t *Table) releasable(e uint64) bool {
	return held(e) && e&entryOrphan != 0 && e&entryRefMask == 0
}

// FreeAfterShootdown is FreeAs for a frame that a CPU may still reach
// through a stale translation (a segment's table whose links were just
// cleared): it stops being owner's at once, as an orphan nothing maps,
// and ReleasePending frees it after the caller's TLB shootdown. It
// returns what FreeAs would, without freeing.
func (t *Table) FreeAfterShootdown(physical uint64, owner uint16, use Use) OwnershipStatus {
	i := t.ownedIndex(physical)
	if i == ownershipNotFrame {
		return NotAFrame
	}
	t.acquire()
	e := t.entry(i)
	status := unreferencedAs(*e, owner, use)
	if status == Done {
		t.disown(*e)
		*e |= entryOrphan
		t.orphans++
		t.queuePending(i)
	}
	t.release()
	return status
}

// queuePending lists frame index for ReleasePending (or, when the list is
// full, has it search the table). The caller holds the lock.
func (t *Table) queuePending(index uint64) {
	if t.npending < pendingSlots {
		t.pending[t.npending%pendingSlots] = index
		t.npending++
	} else {
		t.pendingLost = true
	}
}
