package segment

import "unsafe"

// Where segments are linked. Removing a page from a segment (Unmap) must
// drop its translation from the TLB of every CPU that may hold it, in every
// address space that links the segment. Knowing the link addresses lets the
// caller invalidate that one page; otherwise it must flush whole TLBs,
// which under emulation costs every later access a page walk.

// MaxPlaces is how many links of a segment are recorded.
const MaxPlaces = 4

// Place is one link of a segment: the address space's PML4 and the address.
type Place struct {
	Root    uint64
	Address uintptr
}

// placesOf returns the places of the segment whose descriptor is d.
func (t *Table) placesOf(d *descriptor) *[MaxPlaces]Place {
	return &t.places[t.indexOf(d)%MaxSegments]
}

func (t *Table) addPlace(d *descriptor, root uint64, virtual uintptr) {
	if d.placeCount >= MaxPlaces {
		d.placesLost = true
		return
	}
	t.placesOf(d)[d.placeCount%MaxPlaces] = Place{root, virtual}
	d.placeCount++
}

func (t *Table) removePlace(d *descriptor, root uint64, virtual uintptr) {
	places := t.placesOf(d)
	n := int(d.placeCount)
	for i := 0; i < n && i < MaxPlaces; i++ {
		if places[uint(i)%MaxPlaces] == (Place{root, virtual}) {
			last := uint(n-1) % MaxPlaces
			places[uint(i)%MaxPlaces] = places[last]
			d.placeCount--
			return
		}
	}
}

// Places returns where segment id is linked. complete is false when some
// link or a parent segment's mapping is not recorded: the caller must then
// flush whole TLBs.
func (t *Table) Places(id ID) (places [MaxPlaces]Place, n int, complete bool) {
	t.acquire()
	d, _, status := t.lookup(id)
	if status != OK {
		t.release()
		return places, 0, false
	}
	places, n = *t.placesOf(d), int(d.placeCount)
	complete = !d.placesLost && d.parents == 0
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
