package segment

import "exogo/kernel/paging"

// Withdrawing grants. A grant lets a process link a segment into address
// spaces (its own, or a child's with process_link_segment) and map it into
// segments of its own; taking the grant back must also take back what it
// allowed, or the segment would stay reachable. Every such entry carries
// its authority (the grant's slot, see authority), so Withdraw removes
// exactly the entries made on the grants it ends, wherever they are: in
// the address spaces it is given and in every segment one level up. The
// owner's own links and mappings, and those made on other grants (grants
// passed on with GrantOn included: each is a grant of its own), stay.

// Withdraw ends grantee's grant on segment id, or every grant when grantee
// is 0; only the owner may. It removes the links made on the ended grants
// from the address spaces whose PML4s are in roots (walking the tables the
// kernel made for each, not other segments) and the mappings made on them
// from every segment, and returns how many it removed. When that is not 0
// the caller must flush the TLBs of every CPU before the segment's frames
// count as unreachable through them.
func (t *Table) Withdraw(mem Memory, caller uint16, id ID, grantee uint16, roots []uint64) (removed int, status Status) {
	if mem.Frames == nil {
		return 0, NoMemory
	}
	t.acquire()
	removed, status = t.withdraw(mem, caller, id, grantee, roots)
	t.release()
	return removed, status
}

func (t *Table) withdraw(mem Memory, caller uint16, id ID, grantee uint16, roots []uint64) (int, Status) {
	d, _, status := t.lookup(id)
	if status != OK {
		return 0, status
	}
	if d.owner != caller {
		return 0, NotOwner
	}
	if grantee == 0 {
		removed := 0
		for slot := range d.grants {
			if d.grants[slot].Process != 0 {
				removed += t.endGrant(mem, d, uint(slot), roots)
			}
		}
		return removed, OK
	}
	slot, ok := d.grantSlot(grantee)
	if !ok {
		return 0, NotGranted
	}
	return t.endGrant(mem, d, slot, roots), OK
}

// endGrant empties grant slot of d and removes the links (in the address
// spaces at roots) and mappings (in any segment) made on it. The caller
// holds the table's lock.
func (t *Table) endGrant(mem Memory, d *descriptor, slot uint, roots []uint64) int {
	d.grants[slot%MaxGrants] = Grant{}
	d.grantCount--
	mark := uint64(slot%MaxGrants+1) << authorityShift
	removed := 0
	for _, root := range roots {
		if checkRoot(mem, root) == OK {
			removed += t.unlinkBelow(mem, root, root, 3, 0, d, mark)
		}
	}
	removed += t.unmapMarked(mem, d, mark)
	t.reap(mem, d) // an orphan whose last user this grant was goes now
	return removed
}

// madeOn reports whether entry e points at table with authority mark.
func madeOn(e uint64, table, mark uint64) bool {
	return present(e) && e&paging.AddressMask == table && e&authorityMask == mark
}

// unmapMarked removes the mappings of segment d with authority mark from
// every segment one level above it.
func (t *Table) unmapMarked(mem Memory, d *descriptor, mark uint64) int {
	removed := 0
	for i := range t.entries {
		parent := &t.entries[i]
		if !parent.used || parent.level != d.level+1 || parent.device {
			continue
		}
		for slot := uint(0); slot < Entries; slot++ {
			if e := entry(mem, parent.table, slot); madeOn(*e, d.table, mark) {
				*e = 0
				d.parents--
				removed++
			}
		}
	}
	return removed
}
