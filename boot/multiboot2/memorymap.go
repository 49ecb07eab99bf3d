package multiboot2

// This file turns the firmware memory map into a list of usable RAM
// regions. It is restricted Go: see the package comment.
//
// The firmware memory map is not tidy: entries come in any order, may
// overlap, may use unaligned bounds, and an entry marked available may lie
// inside (or straddle) one marked reserved. The rule applied here is the
// safe one: a byte is usable only if some entry marks it available and no
// entry marks it anything else. Usable regions are then shrunk inward to
// whole 4 KiB pages, because the kernel hands out memory by the page.

// PageSize is the granularity of usable regions.
const PageSize = 4096

// MaxRegions is a sensible capacity for the caller's region array: one
// region per memory map entry, plus room for the splits ExcludeRange makes.
const MaxRegions = MaxMemoryMapEntries + 32

// Region is the physical address range [Start, End).
type Region struct {
	Start uint64
	End   uint64
}

// Size returns the number of bytes in the region, 0 if End <= Start.
func (r Region) Size() uint64 {
	if r.End <= r.Start {
		return 0
	}
	return r.End - r.Start
}

// UsableMemory summarises the regions SanitizeMemoryMap produced.
type UsableMemory struct {
	// Count is the number of regions written at the start of the output
	// array.
	Count int
	// TopOfRAM is one past the highest usable byte (the End of the last
	// region), 0 when there is no usable memory.
	TopOfRAM uint64
	// TotalBytes is the sum of the regions' sizes.
	TotalBytes uint64
	// Overflow is set when the output array was too small. Some usable
	// memory was then left out; reserved memory is never let in.
	Overflow bool
}

// SanitizeMemoryMap writes the usable RAM described by entries into out,
// as page-aligned, non-empty regions sorted by address, none overlapping or
// adjacent to another, and returns how many it wrote with their totals.
//
// entries may be in any order and may overlap; entries of type
// MemoryAvailable are usable unless covered by an entry of any other type.
// out is scratch space owned by the caller (for example a MaxRegions array);
// its previous contents are ignored. SanitizeMemoryMap does not allocate,
// does not panic and does not modify entries.
func SanitizeMemoryMap(entries []MemoryMapEntry, out []Region) UsableMemory {
	var result UsableMemory
	count := 0

	// Collect the available ranges, kept sorted and merged as they are
	// added.
	for index := range entries {
		entry := entries[index]
		if entry.Type != MemoryAvailable || entry.Length == 0 {
			continue
		}
		var overflow bool
		count, overflow = insertRegion(out, count, entry.Base, entryEnd(entry))
		result.Overflow = result.Overflow || overflow
	}

	// Take away every byte some other entry claims.
	for index := range entries {
		entry := entries[index]
		if entry.Type == MemoryAvailable || entry.Length == 0 {
			continue
		}
		var overflow bool
		count, overflow = ExcludeRange(out, count, entry.Base, entryEnd(entry))
		result.Overflow = result.Overflow || overflow
	}

	// Shrink to whole pages, dropping what becomes empty.
	result.Count, result.TotalBytes, result.TopOfRAM = alignRegions(out, count)
	return result
}

// alignRegions shrinks regions[:count] inward to whole pages, drops the
// ones left empty, and returns the new count, the total size and the end of
// the last region. 0 <= count <= len(regions).
func alignRegions(regions []Region, count int) (kept int, total uint64, top uint64) {
	if count < 0 || count > len(regions) {
		return 0, 0, 0
	}
	for index := 0; index < count; index++ {
		region := regions[index]
		if region.Start > ^uint64(0)-(PageSize-1) {
			continue // no whole page starts at or after Start
		}
		region.Start = (region.Start + PageSize - 1) &^ (PageSize - 1)
		region.End &^= PageSize - 1
		if region.Start >= region.End {
			continue
		}
		if kept < 0 || kept >= len(regions) {
			break // cannot happen: kept <= index; lets the compiler drop checks
		}
		regions[kept] = region
		kept++
		total += region.Size()
		top = region.End
	}
	return kept, total, top
}

// entryEnd returns one past the last byte of entry, saturating at the top
// of the address space.
func entryEnd(entry MemoryMapEntry) uint64 {
	end := entry.Base + entry.Length
	if end < entry.Base {
		return ^uint64(0)
	}
	return end
}

// insertRegion adds [start, end) to regions[:count], which is sorted by
// address with no two regions overlapping or adjacent, and keeps it so by
// merging the new range with every region it overlaps or touches. It
// returns the new count, and true if there was no room for the range (which
// is then left out). start < end; 0 <= count <= len(regions).
func insertRegion(regions []Region, count int, start, end uint64) (int, bool) {
	if count < 0 || count > len(regions) {
		return 0, true
	}
	live := regions[:count]

	// Skip the regions that end before the new range starts; the first
	// one left is the first that could touch it.
	first := 0
	for first < len(live) && live[first].End < start {
		first++
	}
	if first < 0 || first > len(live) {
		return count, true // cannot happen; lets the compiler drop checks
	}

	if first == len(live) || live[first].Start > end {
		// Touches nothing: open a slot at first.
		if count >= len(regions) {
			return count, true
		}
		copy(regions[first+1:count+1], regions[first:count])
		regions[first] = Region{Start: start, End: end}
		return count + 1, false
	}

	// Merge the new range and every region it reaches into live[first],
	// then close the gap left by the regions swallowed.
	merged := live[first]
	merged.Start = min(merged.Start, start)
	merged.End = max(merged.End, end)
	next := first + 1
	for next < len(live) && live[next].Start <= merged.End {
		merged.End = max(merged.End, live[next].End)
		next++
	}
	live[first] = merged
	if next > len(live) || first+1 > next {
		return count, true // cannot happen; lets the compiler drop checks
	}
	moved := copy(live[first+1:], live[next:])
	return first + 1 + moved, false
}

// ExcludeRange removes [start, end) from every region in regions[:count]:
// regions inside it are dropped, regions overlapping one end are trimmed,
// and a region containing it is split in two. Use it to take the kernel
// image, the boot information and the boot modules out of the usable set.
//
// regions[:count] must not overlap (SanitizeMemoryMap's output qualifies),
// so at most one region needs splitting; order is preserved. A count above
// len(regions) is treated as len(regions), a negative one as 0. The result
// is the new count. If a split needs a slot and regions is full, the part
// above the range is dropped and overflow is true: memory is lost, but no
// excluded byte is ever left in. Bounds are not rounded here; exclude
// page-aligned ranges to keep the regions page-aligned. An empty range
// (start >= end) changes nothing.
func ExcludeRange(regions []Region, count int, start, end uint64) (newCount int, overflow bool) {
	if count > len(regions) {
		count = len(regions)
	}
	if count < 0 {
		count = 0
	}
	return excludeRange(regions, count, start, end)
}

// excludeRange is ExcludeRange once count is known to be in range.
func excludeRange(regions []Region, count int, start, end uint64) (int, bool) {
	if count < 0 || count > len(regions) {
		return 0, true
	}
	if start >= end {
		return count, false
	}

	kept := 0
	split := -1 // where the region that was split now is, if any
	var upper Region
	for index := 0; index < count; index++ {
		region := regions[index]
		switch {
		case region.End <= start || region.Start >= end:
			// No overlap: keep as is.
		case region.Start >= start && region.End <= end:
			continue // covered: drop
		case region.Start < start && region.End > end:
			split = kept
			upper = Region{Start: end, End: region.End}
			region.End = start
		case region.Start < start:
			region.End = start
		default:
			region.Start = end
		}
		if kept < 0 || kept >= len(regions) {
			break // cannot happen: kept <= index; lets the compiler drop checks
		}
		regions[kept] = region
		kept++
	}

	if split < 0 {
		return kept, false
	}
	if kept >= len(regions) {
		return kept, true
	}
	// Open a slot just after the lower half for the upper half.
	at := split + 1
	if at < 0 || at > kept {
		return kept, true // cannot happen; lets the compiler drop checks
	}
	window := regions[at : kept+1]
	if len(window) == 0 {
		return kept, true // cannot happen; lets the compiler drop checks
	}
	copy(window[1:], window[:len(window)-1])
	window[0] = upper
	return kept + 1, false
}
