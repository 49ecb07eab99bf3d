// Package mem is the libOS's memory manager: the map of a process's
// address space (which ranges the program may use, with which
// protection), the page tables behind it (a PT segment per touched 2 MiB
// region, each page a frame committed on first touch), and the checks every
// system call makes before it touches program memory (Check), so that the
// libOS never faults while its upcalls are disabled.
//
// Restricted Go (docs/restricted-go.md): no allocation, no pointers in its
// state, no panics; the zero value is an empty address space.
package mem

// Protections, as Linux's PROT_* bits.
const (
	ProtRead  = 1
	ProtWrite = 2
	ProtExec  = 4
)

// Kinds of range.
const (
	KindAnonymous = 0 // committed lazily by the libOS, frames freed on unmap
	KindImage     = 1 // the program image and stack the loader mapped: always committed, never freed
)

// MaxRanges bounds the ranges of a map. The Go runtime makes a few dozen.
const MaxRanges = 1024

// Range is one mapped range [Start, End) of pages with one protection.
type Range struct {
	Start, End uintptr
	Prot       uint32
	Kind       uint32
}

// Map is a sorted list of non-overlapping ranges.
type Map struct {
	ranges [MaxRanges]Range
	count  int
}

// Count returns the number of ranges.
func (m *Map) Count() int { return m.count }

// At returns range i (0 <= i < Count).
func (m *Map) At(i int) Range { return m.ranges[uint(i)%MaxRanges] }

// Find returns the index of the range holding address, or -1.
func (m *Map) Find(address uintptr) int {
	lo, hi := 0, m.count
	for lo < hi {
		mid := (lo + hi) / 2
		r := &m.ranges[uint(mid)%MaxRanges]
		switch {
		case address < r.Start:
			hi = mid
		case address >= r.End:
			lo = mid + 1
		default:
			return mid
		}
	}
	return -1
}

// firstEndingAfter returns the index of the first range whose end is above
// address (count if none).
func (m *Map) firstEndingAfter(address uintptr) int {
	lo, hi := 0, m.count
	for lo < hi {
		mid := (lo + hi) / 2
		if m.ranges[uint(mid)%MaxRanges].End <= address {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// Free reports whether no range overlaps [start, end).
func (m *Map) Free(start, end uintptr) bool {
	i := m.firstEndingAfter(start)
	return i >= m.count || m.ranges[uint(i)%MaxRanges].Start >= end
}

// Covered reports whether [start, end) is covered by ranges without gaps.
func (m *Map) Covered(start, end uintptr) bool {
	for i := m.firstEndingAfter(start); start < end; i++ {
		if i >= m.count {
			return false
		}
		r := m.ranges[uint(i)%MaxRanges]
		if r.Start > start {
			return false
		}
		start = r.End
	}
	return true
}

// Kinds returns the kinds of the ranges that overlap [start, end), as a
// bit per kind (1 << Kind*).
func (m *Map) Kinds(start, end uintptr) uint32 {
	kinds := uint32(0)
	for i := m.firstEndingAfter(start); i < m.count; i++ {
		r := &m.ranges[uint(i)%MaxRanges]
		if r.Start >= end {
			break
		}
		kinds |= 1 << (r.Kind % 32)
	}
	return kinds
}

// Gap returns the lowest address at or above from where length bytes fit
// below limit without overlapping a range, or 0.
func (m *Map) Gap(from, limit, length uintptr) uintptr {
	at := from
	for i := m.firstEndingAfter(from); ; i++ {
		next := limit
		if i < m.count {
			next = m.ranges[uint(i)%MaxRanges].Start
		}
		if next > limit {
			next = limit
		}
		if at <= next && next-at >= length {
			return at
		}
		if i >= m.count {
			return 0
		}
		if end := m.ranges[uint(i)%MaxRanges].End; end > at {
			at = end
		}
		if at >= limit {
			return 0
		}
	}
}

// Remove takes [start, end) out of the map, splitting ranges it cuts. It
// reports false (and changes nothing) when a split would need more than
// MaxRanges ranges.
func (m *Map) Remove(start, end uintptr) bool {
	if start >= end {
		return true
	}
	i := m.firstEndingAfter(start)
	if i < m.count {
		r := m.ranges[uint(i)%MaxRanges]
		if r.Start < start && r.End > end {
			// One range holds the whole hole: split it in two.
			if m.count >= MaxRanges {
				return false
			}
			m.insertAt(i+1, Range{Start: end, End: r.End, Prot: r.Prot, Kind: r.Kind})
			m.ranges[uint(i)%MaxRanges].End = start
			return true
		}
	}
	for i < m.count {
		r := &m.ranges[uint(i)%MaxRanges]
		if r.Start >= end {
			break
		}
		switch {
		case r.Start < start:
			r.End = start
			i++
		case r.End > end:
			r.Start = end
			i++
		default:
			m.removeAt(i)
		}
	}
	return true
}

// Add maps [start, end) with prot and kind, replacing whatever was there,
// and merges it with equal neighbours. It reports false (and may have
// removed the old ranges) when the map is full.
func (m *Map) Add(start, end uintptr, prot, kind uint32) bool {
	if start >= end {
		return true
	}
	if !m.Remove(start, end) || m.count >= MaxRanges {
		return false
	}
	i := m.firstEndingAfter(start)
	m.insertAt(i, Range{Start: start, End: end, Prot: prot, Kind: kind})
	// Merge with the neighbours when they touch and match.
	if i+1 < m.count {
		a, b := &m.ranges[uint(i)%MaxRanges], m.ranges[uint(i+1)%MaxRanges]
		if a.End == b.Start && a.Prot == b.Prot && a.Kind == b.Kind {
			a.End = b.End
			m.removeAt(i + 1)
		}
	}
	if i > 0 {
		a, b := &m.ranges[uint(i-1)%MaxRanges], m.ranges[uint(i)%MaxRanges]
		if a.End == b.Start && a.Prot == b.Prot && a.Kind == b.Kind {
			a.End = b.End
			m.removeAt(i)
		}
	}
	return true
}

func (m *Map) insertAt(i int, r Range) {
	for j := m.count; j > i; j-- {
		m.ranges[uint(j)%MaxRanges] = m.ranges[uint(j-1)%MaxRanges]
	}
	m.ranges[uint(i)%MaxRanges] = r
	m.count++
}

func (m *Map) removeAt(i int) {
	for j := i; j+1 < m.count; j++ {
		m.ranges[uint(j)%MaxRanges] = m.ranges[uint(j+1)%MaxRanges]
	}
	m.count--
}
