package segment

import "exogo/kernel/paging"

// UnmapFramesOf prepares up to want frames of owner to be taken by force,
// for revocation: it unmaps frames owner holds from the PT segments owner
// owns, leaving them owned and unreferenced. Only frames owner owns and
// maps exactly once qualify, so that no other mapping keeps using them;
// device segments are skipped. It does not free them: a CPU may still hold
// a translation, so the caller flushes first and then frees them
// (physmem.Table.TakeUnreferencedFrom).
//
// The order limits the damage to a process that ignored a request: first
// segments that no address space can reach (not linked, not mapped in
// another segment: data a libOS keeps aside, such as files not open), then
// the others, in table order.
//
// It returns how many frames it unmapped and whether any came from a
// reachable segment: then the caller must flush the TLBs of every CPU that
// may run an address space linking it before the frames are freed.
func (t *Table) UnmapFramesOf(mem Memory, owner uint16, want uint64) (taken uint64, reachable bool) {
	if mem.Frames == nil || owner == 0 {
		return 0, false
	}
	t.acquire()
	for pass := 0; pass < 2 && taken < want; pass++ {
		for i := range t.entries {
			d := &t.entries[i]
			if !d.used || d.owner != owner || d.level != Level1 || d.device {
				continue
			}
			linked := d.links > 0 || d.parents > 0
			if linked != (pass == 1) {
				continue
			}
			n := unmapOwnedFrames(mem, d, owner, want-taken)
			taken += n
			reachable = reachable || (linked && n > 0)
			if taken >= want {
				break
			}
		}
	}
	t.release()
	return taken, reachable
}

// unmapOwnedFrames is UnmapFramesOf for one segment. The caller holds the
// table's lock.
func unmapOwnedFrames(mem Memory, d *descriptor, owner uint16, want uint64) (taken uint64) {
	for slot := uint(0); slot < Entries && taken < want; slot++ {
		e := entry(mem, d.table, slot)
		if !present(*e) {
			continue
		}
		frame := *e & paging.AddressMask
		if o, ok := mem.Frames.Owner(frame); !ok || o != owner || mem.Frames.References(frame) != 1 {
			continue
		}
		*e = 0
		mem.Frames.DropReference(frame)
		taken++
	}
	return taken
}
