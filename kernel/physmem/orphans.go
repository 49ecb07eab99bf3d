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
