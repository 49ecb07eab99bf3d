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
		t.dropRef(mem, d, r)
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

// What the table keeps of ended processes, at most: orphan segments, the
// records of their mappings, and the frames they map (their tables
// included). MaxSegments and MaxRefs hold this room beside every process's
// limit, so orphans never take what a live process may ask for; an ending
// process whose survivors would not fit loses them instead (DestroyOwnedBy
// takes them from their users).
const (
	OrphanSegments = 4096
	OrphanRefs     = 16384
	OrphanFrames   = 16384 // 64 MiB
)

// DestroyOwnedBy destroys the segments owner owns that nothing links or
// maps any more, largest first (so a parent's destruction frees its
// children for destruction). The others survive as orphans, because
// another process still uses them, if they fit in the orphan budget; if
// not, they are taken from their users (every link and mapping of them
// removed) and destroyed too. Grants alone do not keep a segment: its
// owner is gone, and a grantee that never linked it loses nothing it used.
// It returns how many segments it destroyed, how many survive, and how
// many references it took from other processes: when that is not 0 the
// caller flushes every CPU's TLB before the owner's frames are freed.
func (t *Table) DestroyOwnedBy(mem Memory, owner uint16) (destroyed, surviving, taken int) {
	if mem.Frames == nil {
		return 0, 0, 0
	}
	t.acquire()
	if t.owned[owner] == 0 {
		t.release()
		return 0, 0, 0 // it owns none: no scan
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
	frames := uint64(0)
	for i := range t.entries {
		if d := &t.entries[i]; d.used && d.owner == owner && !d.orphan {
			surviving++
			frames += framesOf(mem, d)
		}
	}
	refs := uint32(t.refsOf[owner])
	if t.orphanSegments+uint32(surviving) > OrphanSegments || t.orphanRefs+refs > OrphanRefs || t.orphanFrames+frames > OrphanFrames {
		taken = t.takeAway(mem, owner)
		destroyed += surviving
		surviving = 0
	} else if surviving > 0 {
		for i := range t.entries {
			if d := &t.entries[i]; d.used && d.owner == owner && !d.orphan {
				d.orphan = true
			}
		}
		t.orphanSegments += uint32(surviving)
		t.orphanRefs += refs
		t.orphanFrames += frames
		t.dead[owner] = true
	}
	t.owned[owner] = 0
	t.release()
	return destroyed, surviving, taken
}

// framesOf is how many frames d holds: its table, and for a PT segment the
// frames its slots map (not device memory).
func framesOf(mem Memory, d *descriptor) uint64 {
	n := uint64(1)
	if d.level != Level1 {
		return n
	}
	for slot := uint(0); slot < Entries; slot++ {
		if present(*entry(mem, d.table, slot)) && (!d.device || slot == 0) {
			n++
		}
	}
	return n
}

// takeAway removes every link and mapping of the segments owner owns,
// wherever they are, and destroys the segments, largest first. It returns
// how many references it removed. The caller holds the lock.
func (t *Table) takeAway(mem Memory, owner uint16) int {
	removed := 0
	for level := Level3; level >= Level1; level-- {
		for i := range t.entries {
			d := &t.entries[i]
			if !d.used || d.owner != owner || d.orphan || d.level != level {
				continue
			}
			cursor := &t.cursors[segmentList]
			for *cursor = d.refHead; *cursor != 0; {
				r := t.refs[(*cursor-1)%refSlots]
				*cursor = r.link[segmentList].next
				t.dropRef(mem, d, r)
				removed++
			}
			t.removeAs(mem, d, true) // its table is freed after the caller's shootdown
		}
	}
	return removed
}
