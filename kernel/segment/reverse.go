package segment

import (
	"exogo/kernel/physmem"
)

// The reverse map, from a table frame to the segment whose table it is:
// walks, unlinks and unmaps find a segment from the entry that points at
// it.

// The reverse map: from a table frame to the segment whose table it is, an
// open-addressing hash table with linear probing, at most half full.
const (
	reverseBits = 16 // at least log2(2*MaxSegments)
	reverseSize = 1 << reverseBits
)

type reverseEntry struct {
	key   uint64 // frame number + 1; 0 means empty
	index uint16
}

// reverseHome is the first slot probed for a key.
func reverseHome(key uint64) uint {
	return uint((key * 0x9e37_79b9_7f4a_7c15) >> (64 - reverseBits))
}

func (t *Table) reverseInsert(table uint64, index uint16) {
	key := table/physmem.FrameSize + 1
	for i, n := reverseHome(key), 0; n < reverseSize; i, n = (i+1)%reverseSize, n+1 {
		r := &t.reverse[i%reverseSize]
		if r.key == 0 {
			r.key, r.index = key, index
			return
		}
	}
}

// reverseFind returns the slot of table in the reverse map.
func (t *Table) reverseFind(table uint64) (slot uint, ok bool) {
	key := table/physmem.FrameSize + 1
	for i, n := reverseHome(key), 0; n < reverseSize; i, n = (i+1)%reverseSize, n+1 {
		r := &t.reverse[i%reverseSize]
		if r.key == key {
			return i, true
		}
		if r.key == 0 {
			return 0, false
		}
	}
	return 0, false
}

// segmentAt returns the index of the segment whose table is at physical
// table.
func (t *Table) segmentAt(table uint64) (index uint, ok bool) {
	slot, ok := t.reverseFind(table)
	if !ok {
		return 0, false
	}
	return uint(t.reverse[slot%reverseSize].index), true
}

// staysAfterHole reports whether the entry at slot j, whose probe starts at
// home, may stay when slot hole empties in a table with linear probing:
// when home lies cyclically in (hole, j], a search for it never passes the
// hole. Otherwise it must move into the hole (deletion by backward shift,
// which needs no tombstones). Both hash tables here delete this way.
func staysAfterHole(hole, j, home uint) bool {
	if hole <= j {
		return hole < home && home <= j
	}
	return hole < home || home <= j
}

// reverseRemove deletes table from the reverse map, shifting later entries of
// the probe sequence back so that no tombstones are needed.
func (t *Table) reverseRemove(table uint64) {
	hole, ok := t.reverseFind(table)
	if !ok {
		return
	}
	t.reverse[hole%reverseSize] = reverseEntry{}
	for j, n := (hole+1)%reverseSize, 0; n < reverseSize; j, n = (j+1)%reverseSize, n+1 {
		r := t.reverse[j%reverseSize]
		if r.key == 0 {
			return
		}
		if staysAfterHole(hole, j, reverseHome(r.key)) {
			continue
		}
		t.reverse[hole%reverseSize] = r
		t.reverse[j%reverseSize] = reverseEntry{}
		hole = j
	}
}
