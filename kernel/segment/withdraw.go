package segment

import (
	"exogo/kernel/paging"
	"exogo/kernel/rawmem"
)

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
// is 0; only the owner may. It removes the links and mappings made on the
// ended grants, wherever they are (its records say where: refs.go), and
// returns how many it removed. When that is not 0 the caller must flush
// the TLBs of every CPU before the segment's frames count as unreachable
// through them. Its cost is proportional to the segment's references,
// whatever the size of the address spaces holding them.
func (t *Table) Withdraw(mem Memory, caller uint16, id ID, grantee uint16) (removed int, status Status) {
	if mem.Frames == nil {
		return 0, NoMemory
	}
	t.acquire()
	removed, status = t.withdraw(mem, caller, id, grantee)
	t.release()
	return removed, status
}

func (t *Table) withdraw(mem Memory, caller uint16, id ID, grantee uint16) (int, Status) {
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
				removed += t.endGrant(mem, d, uint(slot))
			}
		}
		return removed, OK
	}
	slot, ok := d.grantSlot(grantee)
	if !ok {
		return 0, NotGranted
	}
	return t.endGrant(mem, d, slot), OK
}

// endGrant empties grant slot of d and removes the links and mappings made
// on it: the entries among d's records whose authority is the grant's. The
// caller holds the table's lock.
func (t *Table) endGrant(mem Memory, d *descriptor, slot uint) int {
	if g := d.grants[slot%MaxGrants].Process; t.grantsHeld[g] > 0 {
		t.grantsHeld[g]--
	}
	d.grants[slot%MaxGrants] = Grant{}
	d.grantCount--
	mark := uint64(slot%MaxGrants+1) << authorityShift
	removed := 0
	// The cursor is the next record to look at: removeRef may move
	// records between slots, and moveRef keeps the cursor on its record.
	cursor := &t.cursors[segmentList]
	for *cursor = d.refHead; *cursor != 0; {
		r := t.refs[(*cursor-1)%refSlots]
		*cursor = r.link[segmentList].next
		e := rawEntry(mem, r.entry)
		if !madeOn(*e, d.table, mark) {
			continue
		}
		t.dropRef(mem, d, r)
		removed++
	}
	t.reap(mem, d) // an orphan whose last user this grant was goes now
	return removed
}

// rawEntry returns the entry at physical address entry.
func rawEntry(mem Memory, entry uint64) *uint64 {
	return rawmem.Uint64(mem.DirectMap + uintptr(entry))
}

// madeOn reports whether entry e points at table with authority mark.
func madeOn(e uint64, table, mark uint64) bool {
	return present(e) && e&paging.AddressMask == table && e&authorityMask == mark
}
