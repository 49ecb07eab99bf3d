package mem

import "exogo/libos/exo"

// The table of 2 MiB regions: each with its PT segment, linked at the
// region, and (for program memory) a page of frame words.

// regionFor returns the index of address's region in the table, creating
// its segment (and, for program memory, its page array) when create is
// set; -1 when it does not exist or cannot be made. A region whose
// segment was reclaimed (segment 0: reclaimRegions) gets a new one when
// create is set.
func regionFor(address uintptr, create, private bool) int {
	key := uint64(address/RegionSize) + 1
	h := (key * 0x9e3779b97f4a7c15) >> 52 // 12 bits: MaxRegions
	for probe := uint64(0); probe < MaxRegions; probe++ {
		i := (h + probe) % MaxRegions
		r := &regions[i]
		if r.key == key {
			if r.segment == 0 && create {
				if r.segment = newSegment(address); r.segment == 0 {
					return -1
				}
			}
			return int(i)
		}
		if r.key == 0 {
			break
		}
	}
	if !create || regionCount >= MaxRegions/2 {
		return -1
	}
	// The page array and the segment first: Private may itself add the
	// private memory's region to the table, in the slot this one would
	// have taken.
	pages := uintptr(0)
	if !private {
		if pages = Private(PageSize); pages == 0 {
			return -1
		}
	}
	segment := newSegment(address)
	if segment == 0 {
		return -1
	}
	for probe := uint64(0); probe < MaxRegions; probe++ {
		i := (h + probe) % MaxRegions
		if r := &regions[i]; r.key == 0 {
			*r = region{key: key, segment: segment, pages: pages}
			regionCount++
			return int(i)
		}
	}
	return -1
}

// newSegment makes the PT segment of address's region and links it
// there, and returns its id, or 0. When the kernel refuses one (a process
// has at most 192), the segments of regions left empty are given back
// first (reclaimRegions) and it tries once more.
func newSegment(address uintptr) uint64 {
	segment := exo.SegmentCreate(exo.LevelPT)
	if segment < 0 && reclaimRegions() > 0 {
		segment = exo.SegmentCreate(exo.LevelPT)
	}
	if segment < 0 {
		return 0
	}
	if exo.SegmentLink(uint64(segment), address&^(RegionSize-1), exo.PermissionsWrite|exo.PermissionsExecute) != 0 {
		exo.SegmentDestroy(uint64(segment))
		return 0
	}
	return uint64(segment)
}

// reclaimRegions unlinks and destroys the segments of the program's
// regions that hold no frame (munmap and MADV_DONTNEED emptied them),
// keeping their entries and page arrays for the next touch, and returns
// how many it gave back. The memory lock is held alone.
func reclaimRegions() int {
	n := 0
	for i := range regions {
		r := &regions[i]
		if r.key == 0 || r.pages == 0 || r.segment == 0 || r.used != 0 {
			continue
		}
		address := uintptr(r.key-1) * RegionSize
		if exo.SegmentUnlink(address, exo.LevelPT) == 0 {
			// Not linked any more: the region needs a new segment
			// either way (a destroy refused leaves the id unused).
			exo.SegmentDestroy(r.segment)
			r.segment = 0
			n++
		}
	}
	Reclaimed += uint64(n)
	return n
}

// Reclaimed counts the segments of empty regions given back.
var Reclaimed uint64
