package segment

import (
	"unsafe"

	"exogo/kernel/physmem"
)

// The reverse map of references: for every entry anywhere that points at a
// segment's table (a link in an address space, or a mapping in a bigger
// segment), a record of where that entry is. Each segment keeps its
// records in a list, so the work of taking its references back (a
// withdrawn grant, the end of a grantee) is proportional to how many
// there are, never to the size of the address spaces that hold them; and
// every link's address is known, so an unmap invalidates exactly the pages
// it removed.
//
// The records live in an open-addressing hash table keyed by the physical
// address of the entry (unlink and unmap find a record from the entry they
// clear), with linear probing and deletion by backward shift (no
// tombstones). A record moved by a deletion keeps its place in its
// segment's doubly linked list: its neighbours are told its new slot.
//
// Records are charged: each process may have RefLimit at once (links in
// its address space, mappings in segments it owns), and the table holds
// every process's limit with room for orphans, so no process can take the
// records another needs. A second list per process threads the records
// charged to it, so that its end unlinks its links without walking its
// address space.

// RefLimit is how many links and mappings a process may hold at once;
// FileRefLimit how many the file system may (its PD segments' mappings of
// their PT segments).
const (
	RefLimit     = 1024
	FileRefLimit = 8192
)

// ownerList and segmentList name the two lists a record is on.
const (
	segmentList = 0
	ownerList   = 1
)

// MaxRefs is how many references exist at once: every process's limit,
// the file system's, and room for the references of orphans.
const MaxRefs = MaxProcesses*RefLimit + FileRefLimit + 16384

const (
	refBits  = 17 // refSlots >= MaxRefs / 0.7: a probe is short while the table is at most 70% full
	refSlots = 1 << refBits
)

// A ref is one reference: the entry at physical address entry (0: the slot
// is empty) points at the table of segment index. place is where a link
// is (the address space's root frame number, and the link's address in 2
// MiB units above bit 34); 0 for a mapping in a segment. next and prev
// link the segment's records, link[ownerList] those charged to the same
// process (slot + 1; 0: none).
type ref struct {
	entry   uint64
	place   uint64
	link    [2]struct{ next, prev uint32 }
	segment uint16
	charged uint16 // the process the record counts against
}

// head returns the head of list which of record r: its segment's or its
// charged process's.
func (t *Table) head(which int, r *ref) *uint32 {
	if which == segmentList {
		return &t.entries[uint(r.segment)%MaxSegments].refHead
	}
	return &t.ownerHead[r.charged]
}

// next returns the slot + 1 of the record after slot + 1 s on list which.
func (t *Table) next(which int, s uint32) uint32 {
	return t.refs[(s-1)%refSlots].link[which&1].next
}

const placeShift = 34 // root frame numbers below 2^34: 64 TiB of RAM

func encodePlace(root uint64, virtual uintptr) uint64 {
	return root/physmem.FrameSize | uint64(virtual>>21)<<placeShift
}

func decodePlace(p uint64) Place {
	return Place{Root: (p & (1<<placeShift - 1)) * physmem.FrameSize, Address: uintptr(p>>placeShift) << 21}
}

func refHome(entry uint64) uint {
	return uint(((entry >> 3) * 0x9e37_79b9_7f4a_7c15) >> (64 - refBits))
}

// entryPhysical returns the physical address of the entry at e, which is
// reached through the direct map.
func entryPhysical(mem Memory, e *uint64) uint64 {
	return uint64(uintptr(unsafe.Pointer(e)) - mem.DirectMap)
}

// addRef records that the entry at physical entry points at d (a link at
// place, or a mapping when place is 0), charged to process charged. It
// refuses with OverLimit when charged holds RefLimit records, and with
// TableFull when MaxRefs exist; the caller writes the entry only after it
// succeeded. The caller holds the lock.
func (t *Table) addRef(d *descriptor, entry, place uint64, charged uint16) Status {
	if charged != 0 && uint32(t.refsOf[charged]) >= refLimit(charged) {
		return OverLimit
	}
	if t.refCount >= MaxRefs {
		return TableFull
	}
	slot := refHome(entry)
	for n := 0; n < refSlots && t.refs[slot%refSlots].entry != 0; n++ {
		slot = (slot + 1) % refSlots
	}
	r := &t.refs[slot%refSlots]
	if r.entry != 0 {
		return TableFull
	}
	*r = ref{entry: entry, place: place, segment: uint16(t.indexOf(d)), charged: charged}
	for which := range r.link {
		h := t.head(which, r)
		r.link[which].next = *h
		if *h != 0 {
			t.refs[(*h-1)%refSlots].link[which].prev = uint32(slot) + 1
		}
		*h = uint32(slot) + 1
	}
	t.refCount++
	t.refsOf[charged]++
	return OK
}

// refLimit is how many records may be charged to owner.
func refLimit(owner uint16) uint32 {
	if owner == FilesOwner {
		return FileRefLimit
	}
	return RefLimit
}

// dropRef clears the entry that record r stands for, pointing at d's
// table, and deletes the record: d loses that link (a record with a
// place) or parent mapping. It does not reap d. The caller holds the lock.
func (t *Table) dropRef(mem Memory, d *descriptor, r ref) {
	t.removeRef(r.entry)
	*rawEntry(mem, r.entry) = 0
	if r.place != 0 {
		d.links -= min(d.links, 1)
	} else {
		d.parents -= min(d.parents, 1)
	}
}

// findRef returns the slot of the record for the entry at physical entry.
func (t *Table) findRef(entry uint64) (uint, bool) {
	slot := refHome(entry)
	for n := 0; n < refSlots; n++ {
		r := &t.refs[slot%refSlots]
		if r.entry == entry {
			return slot, true
		}
		if r.entry == 0 {
			return 0, false
		}
		slot = (slot + 1) % refSlots
	}
	return 0, false
}

// removeRef deletes the record for the entry at physical entry, if there
// is one. The caller holds the lock.
func (t *Table) removeRef(entry uint64) {
	hole, ok := t.findRef(entry)
	if !ok {
		return
	}
	r := t.refs[hole%refSlots]
	// Out of its two lists; a walk about to visit it goes on with the
	// record after it.
	for which, l := range r.link {
		if t.cursors[which] == uint32(hole)+1 {
			t.cursors[which] = l.next
		}
		if l.prev != 0 {
			t.refs[(l.prev-1)%refSlots].link[which].next = l.next
		} else {
			*t.head(which, &r) = l.next
		}
		if l.next != 0 {
			t.refs[(l.next-1)%refSlots].link[which].prev = l.prev
		}
	}
	if t.refsOf[r.charged] > 0 {
		t.refsOf[r.charged]--
	}
	if t.dead[r.charged] && t.orphanRefs > 0 {
		t.orphanRefs--
	}
	t.refCount--
	t.refs[hole%refSlots] = ref{}
	// Backward shift: move later records of the probe sequence into the
	// hole when their home allows, so that no search stops early.
	for j, n := (hole+1)%refSlots, 0; n < refSlots; j, n = (j+1)%refSlots, n+1 {
		m := t.refs[j%refSlots]
		if m.entry == 0 {
			return
		}
		if staysAfterHole(hole, j, refHome(m.entry)) {
			continue
		}
		t.moveRef(j, hole)
		hole = j
	}
}

// moveRef moves the record in slot from to the empty slot to, keeping its
// segment's list linked.
func (t *Table) moveRef(from, to uint) {
	m := t.refs[from%refSlots]
	t.refs[to%refSlots] = m
	t.refs[from%refSlots] = ref{}
	for i := range t.cursors {
		if t.cursors[i] == uint32(from)+1 {
			t.cursors[i] = uint32(to) + 1 // a walk of a list goes on from its new slot
		}
	}
	for which, l := range m.link {
		if l.prev != 0 {
			t.refs[(l.prev-1)%refSlots].link[which].next = uint32(to) + 1
		} else {
			*t.head(which, &m) = uint32(to) + 1
		}
		if l.next != 0 {
			t.refs[(l.next-1)%refSlots].link[which].prev = uint32(to) + 1
		}
	}
}

// RefsOf returns how many links and mappings process holds (for tests and
// reports).
func (t *Table) RefsOf(process uint16) int {
	t.acquire()
	n := int(t.refsOf[process])
	t.release()
	return n
}
