package segment

import (
	"unsafe"

	"exogo/kernel/paging"
)

// Where segments are linked. Removing a page from a segment (Unmap) must
// drop its translation from the TLB of every CPU that may hold it, in every
// address space that links the segment. Knowing the link addresses lets the
// caller invalidate that one page; otherwise it must flush whole TLBs,
// which under emulation costs every later access a page walk.

// MaxPlaces is how many links of a segment Places returns.
const MaxPlaces = 4

// Place is one link of a segment: the address space's PML4 and the address.
type Place struct {
	Root    uint64
	Address uintptr
}

// Places returns where segment id is linked, from its records (refs.go).
// complete is false when it is linked in more than MaxPlaces places or
// mapped in a parent segment: the caller must then flush whole TLBs.
func (t *Table) Places(id ID) (places [MaxPlaces]Place, n int, complete bool) {
	t.acquire()
	d, _, status := t.lookup(id)
	if status != OK {
		t.release()
		return places, 0, false
	}
	complete = d.parents == 0 && d.links <= MaxPlaces
	if !complete {
		t.release()
		return places, 0, false // the caller flushes everything anyway
	}
	for slot := d.refHead; slot != 0 && n < MaxPlaces; slot = t.next(segmentList, slot) {
		if r := &t.refs[(slot-1)%refSlots]; r.place != 0 {
			places[uint(n)%MaxPlaces] = decodePlace(r.place)
			n++
		}
	}
	t.release()
	return places, n, complete
}

// MappedSlots lists up to len(out) slots of PT segment id that map a page;
// all is false when there are more (or id is not a PT segment).
func (t *Table) MappedSlots(mem Memory, id ID, out *[16]uint16) (n int, all bool) {
	t.acquire()
	d, _, status := t.lookup(id)
	if status != OK || d.level != Level1 {
		t.release()
		return 0, false
	}
	all = true
	for i := uint(0); i < Entries; i++ {
		if !present(*entry(mem, d.table, i)) {
			continue
		}
		if uint(n) >= uint(len(out)) {
			all = false
			break
		}
		out[uint(n)%uint(len(out))] = uint16(i)
		n++
	}
	t.release()
	return n, all
}

// indexOf returns the index of descriptor d in the table.
func (t *Table) indexOf(d *descriptor) uint {
	return uint((uintptr(unsafe.Pointer(d)) - uintptr(unsafe.Pointer(&t.entries[0]))) / unsafe.Sizeof(*d))
}

// WritableLinks returns how many of segment id's links (entries in
// address spaces, not parent segments) let their address space write it:
// the file system's count of a pipe's writers (kernel/fs). 0 for a
// segment that does not exist.
func (t *Table) WritableLinks(mem Memory, id ID) uint32 {
	t.acquire()
	d, _, status := t.lookup(id)
	if status != OK {
		t.release()
		return 0
	}
	n := uint32(0)
	for slot := d.refHead; slot != 0; slot = t.next(segmentList, slot) {
		r := &t.refs[(slot-1)%refSlots]
		if r.place != 0 && *rawEntry(mem, r.entry)&uint64(paging.Writable) != 0 {
			n++
		}
	}
	t.release()
	return n
}
