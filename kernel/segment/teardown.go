package segment

// What happens to segments when a process ends (kernel/exo.Terminate):
//
//  1. UnlinkAll removes every segment link from its address space;
//  2. ForgetGrantee ends the grants it held on other processes' segments,
//     and with them the links and mappings made on them (in its children's
//     address spaces, in segments);
//  3. DestroyOwnedBy destroys the segments it owned, parents before
//     children. A segment another process still links or maps survives as
//     an orphan, for as long as that process keeps it: the first unlink,
//     unmap or withdrawal that leaves it unused destroys it (reap), and
//     its frames, orphans in the frame table, go back with their last
//     reference. Process IDs are never reused (kernel/process), so an
//     orphan cannot fall to a new process by accident.
//
// TODO(revocation): take an orphan away from the processes still using it
// (visible revocation) rather than letting it live on.

// UnlinkAll removes every segment link in the user half of the address
// space whose PML4 is at root, and returns how many it removed. The caller
// flushes the TLB. It visits the records charged to the space's owner
// (refs.go), not the space's tables: its cost is the owner's links and
// mappings, at most RefLimit, however large the address space.
func (t *Table) UnlinkAll(mem Memory, root uint64) int {
	if mem.Frames == nil || checkRoot(mem, root) != OK {
		return 0
	}
	owner, _ := mem.Frames.Owner(root)
	t.acquire()
	n := 0
	cursor := &t.cursors[ownerList]
	for *cursor = t.ownerHead[owner]; *cursor != 0; {
		r := t.refs[(*cursor-1)%refSlots]
		*cursor = r.link[ownerList].next
		if r.place == 0 || decodePlace(r.place).Root != root {
			continue // a mapping in a segment, or a link in another space
		}
		d := &t.entries[uint(r.segment)%MaxSegments]
		e := rawEntry(mem, r.entry)
		t.removeRef(r.entry)
		*e = 0
		if d.links > 0 {
			d.links--
		}
		n++
		t.reap(mem, d)
	}
	t.release()
	return n
}

// ForgetGrantee ends every grant held by process on any segment, and so
// removes the links and mappings made on those grants, wherever they are
// (in its children's address spaces, in segments). It returns how many it
// removed; when not 0 the caller flushes every CPU's TLB. It reads each
// descriptor once and, for each grant it ends, that segment's records.
func (t *Table) ForgetGrantee(mem Memory, process uint16) int {
	if process == 0 || mem.Frames == nil {
		return 0
	}
	t.acquire()
	removed := 0
	// The count of grants it holds ends the scan early (at once, for the
	// many processes that hold none).
	for i := 0; i < len(t.entries) && t.grantsHeld[process] > 0; i++ {
		d := &t.entries[i]
		if !d.used {
			continue
		}
		if slot, ok := d.grantSlot(process); ok {
			removed += t.endGrant(mem, d, slot)
		}
	}
	t.release()
	return removed
}

// DestroyOwnedBy destroys the segments owner owns that nothing links or
// maps any more, largest first (so a parent's destruction frees its
// children for destruction), and returns how many it destroyed and how
// many survive, as orphans, because another process still uses them.
// Grants alone do not keep a segment: its owner is gone, and a grantee
// that never linked it loses nothing it used.
func (t *Table) DestroyOwnedBy(mem Memory, owner uint16) (destroyed, surviving int) {
	if mem.Frames == nil {
		return 0, 0
	}
	t.acquire()
	if t.owned[owner] == 0 {
		t.release()
		return 0, 0 // it owns none: no scan
	}
	for level := Level3; level >= Level1; level-- {
		for i := range t.entries {
			d := &t.entries[i]
			if d.used && d.owner == owner && d.level == level && d.links == 0 && d.parents == 0 {
				if t.destroy(mem, owner, makeID(uint(i), d.generation)) == OK {
					destroyed++
				}
			}
		}
	}
	for i := range t.entries {
		if d := &t.entries[i]; d.used && d.owner == owner && !d.orphan {
			d.orphan = true
			surviving++
		}
	}
	t.owned[owner] = 0
	t.release()
	return destroyed, surviving
}
