package segment

import (
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
)

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
// space whose PML4 is at root, walking only the tables the kernel made,
// and returns how many links it removed. The caller flushes the TLB.
func (t *Table) UnlinkAll(mem Memory, root uint64) int {
	if mem.Frames == nil || checkRoot(mem, root) != OK {
		return 0
	}
	t.acquire()
	n := t.unlinkBelow(mem, root, root, 3, 0, nil, 0)
	t.release()
	return n
}

// unlinkBelow clears segment links in the table at physical address table,
// at page-table level (3 for a PML4, whose entries link Level3 segments),
// covering the addresses from base, in the address space rooted at root:
// every link when only is nil, else only segment only's links made with
// authority mark (withdraw.go). It descends into the other tables made for
// the address space, as walk does (not huge pages, kernel tables or
// segments), and only through the user half. It returns how many links it
// removed.
func (t *Table) unlinkBelow(mem Memory, root, table uint64, level uint, base uintptr, only *descriptor, mark uint64) int {
	n := 0
	limit := uint(Entries)
	if level == 3 {
		limit = Entries / 2 // the user half
	}
	for i := uint(0); i < limit; i++ {
		e := entry(mem, table, i)
		if !present(*e) || paging.Flags(*e)&paging.Huge != 0 || paging.Flags(*e)&paging.User == 0 {
			continue
		}
		virtual := base + uintptr(i)<<(12+9*level)
		target := *e & paging.AddressMask
		if index, ok := t.segmentAt(target); ok {
			d := &t.entries[index%MaxSegments]
			if d.used && uint(d.level) == level && d.links > 0 && (only == nil || (d == only && *e&authorityMask == mark)) {
				t.removeRef(entryPhysical(mem, e))
				*e = 0
				d.links--
				n++
				if only == nil {
					t.reap(mem, d) // endGrant reaps only once it is done with d
				}
			}
			continue // a segment's own entries are not the address space's
		}
		if level > 1 && mem.Frames.UseOf(target) == physmem.UsePageTable {
			n += t.unlinkBelow(mem, root, target, level-1, virtual, only, mark)
		}
	}
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
	for i := range t.entries {
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
