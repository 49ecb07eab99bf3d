package segment

import "exogo/kernel/paging"

// What happens to segments when a process ends (kernel/exo.Terminate):
//
//  1. UnlinkAll removes every segment link from its address space;
//  2. ForgetGrantee ends the grants it held on other processes' segments,
//     and with them the links and mappings made on them (in its children's
//     address spaces, in segments);
//  3. DestroyOwnedBy destroys the segments it owned, parents before
//     children. A segment another process still links or maps survives,
//     orphaned, for as long as that process keeps it. Process IDs are
//     never reused (kernel/process), so an orphan cannot fall to a new
//     process by accident.
//
// TODO(revocation): take an orphan away from the processes still using it
// (visible revocation) rather than letting it live on.

// UnlinkAll removes every segment link in the user half of the address
// space whose PML4 is at root, walking only the tables the kernel made,
// and returns how many links it removed. The caller flushes the TLB.
func (t *Table) UnlinkAll(mem Memory, root uint64) int {
	if mem.Frames == nil || checkRoot(mem, root) != OK {
		return 0
	}
	t.acquire()
	n := t.unlinkBelow(mem, root, root, Level3+1)
	t.release()
	return n
}

// unlinkBelow clears, in the kernel-made table at physical table of level
// above (4 = PML4), the entries that link segments of level above-1, and
// descends into the others. Only the lower half of the PML4 is user space.
func (t *Table) unlinkBelow(mem Memory, root, table uint64, above Level) int {
	n := 0
	limit := uint(Entries)
	if above == Level3+1 {
		limit = Entries / 2
	}
	for i := uint(0); i < limit; i++ {
		e := entry(mem, table, i)
		if !present(*e) || paging.Flags(*e)&paging.Huge != 0 {
			continue
		}
		target := *e & paging.AddressMask
		if index, ok := t.segmentAt(target); ok {
			d := &t.entries[index%MaxSegments]
			if d.used && d.level == above-1 && d.links > 0 {
				*e = 0
				d.links--
				t.removeRoot(d, root)
				n++
			}
			continue // a segment's own entries are not the address space's
		}
		if above-1 > Level1 {
			n += t.unlinkBelow(mem, root, target, above-1)
		}
	}
	return n
}

// ForgetGrantee ends every grant held by process on any segment, and so
// removes the links and mappings made on those grants: from the address
// spaces whose PML4s are in roots (its children's, say) and from every
// segment. It returns how many it removed; when not 0 the caller flushes
// every CPU's TLB.
func (t *Table) ForgetGrantee(mem Memory, process uint16, roots []uint64) int {
	if process == 0 || mem.Frames == nil {
		return 0
	}
	t.acquire()
	removed := 0
	for i := range t.entries {
		d := &t.entries[i]
		if !d.used {
			continue
		}
		if slot, ok := d.grantSlot(process); ok {
			removed += t.endGrant(mem, d, slot, roots)
		}
	}
	t.release()
	return removed
}

// DestroyOwnedBy destroys the segments owner owns that nothing links or
// maps any more, largest first (so a parent's destruction frees its
// children for destruction), and returns how many it destroyed and how
// many survive because another process still uses them.
func (t *Table) DestroyOwnedBy(mem Memory, owner uint16) (destroyed, surviving int) {
	if mem.Frames == nil {
		return 0, 0
	}
	t.acquire()
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
		if d := &t.entries[i]; d.used && d.owner == owner {
			surviving++
		}
	}
	t.release()
	return destroyed, surviving
}
