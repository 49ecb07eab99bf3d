package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/arch/amd64"
	"exogo/kernel/layout"
	"exogo/kernel/memory"
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
)

// The kernel's Go runtime gets its memory with mmap, in the kernel-heap
// region of the address space. Memory is committed lazily: mmap only
// records that a range may be read and written; the first touch of each
// 4 KiB page faults, and the fault handler (CommitPage) maps a zeroed frame.
// munmap, mmap(PROT_NONE) over a range and madvise(MADV_DONTNEED) unmap the
// range and return its frames to the frame table at once.
//
// The runtime reserves address space generously (hundreds of MiB of heap
// arena and metadata it never touches), so reservations cost nothing but a
// range record. Addresses are handed out by a bump pointer over the 1 TiB
// region and never reused, which also catches use-after-munmap as a fault.

// maxRanges bounds the number of distinct accessible ranges.
const maxRanges = 1024

type addressRange struct{ start, end uintptr }

var (
	// accessible ranges, sorted, non-overlapping, non-adjacent.
	ranges     [maxRanges]addressRange
	rangeCount int
	heapNext   = layout.KernelHeap
	// CommittedPages counts frames mapped by CommitPage and not yet freed.
	CommittedPages uint64
)

// reserve hands out length bytes (page-aligned) of fresh address space.
func reserve(length uintptr) (uintptr, bool) {
	if length == 0 || length > layout.KernelHeapSize || heapNext+length > layout.KernelHeap+layout.KernelHeapSize {
		return 0, false
	}
	start := heapNext
	heapNext += length
	return start, true
}

// inHeap reports whether [start, end) lies inside the part of the heap
// region handed out so far.
func inHeap(start, end uintptr) bool {
	return start >= layout.KernelHeap && end >= start && end <= heapNext
}

// insertRange puts r at index i of the range table, shifting the rest up.
// It reports false when the table is full or i is out of range.
func insertRange(i int, r addressRange) bool {
	n := rangeCount
	if n < 0 || n >= maxRanges || i < 0 || i > n {
		return false
	}
	for j := n; j > i; j-- {
		*rangeAt(j) = *rangeAt(j - 1)
	}
	*rangeAt(i) = r
	rangeCount = n + 1
	return true
}

// removeRange deletes the range at index i.
func removeRange(i int) {
	n := rangeCount
	if n <= 0 || n > maxRanges || i < 0 || i >= n {
		return
	}
	for j := i; j < n-1; j++ {
		*rangeAt(j) = *rangeAt(j + 1)
	}
	rangeCount = n - 1
}

// rangeAt returns a pointer to range i (callers keep i < rangeCount).
func rangeAt(i int) *addressRange { return &ranges[uint(i)%maxRanges] }

// allow makes [start, end) readable and writable, merging it with ranges it
// touches. Pages already committed in the range keep their contents (as
// mprotect must); callers that want fresh zeroed memory (mmap MAP_FIXED)
// disallow the range first.
func allow(start, end uintptr) bool {
	for i := 0; i < rangeCount; i++ {
		if r := rangeAt(i); r.start <= start && end <= r.end {
			return true // already accessible
		}
	}
	forget(start, end) // no overlap is left in the records
	i := 0
	for i < rangeCount && rangeAt(i).end < start {
		i++
	}
	if i < rangeCount && rangeAt(i).end == start {
		rangeAt(i).end = end
		if i+1 < rangeCount && rangeAt(i+1).start == end {
			rangeAt(i).end = rangeAt(i + 1).end
			removeRange(i + 1)
		}
		return true
	}
	if i < rangeCount && rangeAt(i).start == end {
		rangeAt(i).start = start
		return true
	}
	return insertRange(i, addressRange{start, end})
}

// disallow removes [start, end) from the accessible ranges and frees the
// frames mapped there.
func disallow(start, end uintptr) {
	forget(start, end)
	release(start, end)
}

// forget removes [start, end) from the accessible-range records only,
// splitting a range that contains it.
func forget(start, end uintptr) {
	for i := 0; i < rangeCount; {
		r := *rangeAt(i)
		if r.end <= start || r.start >= end {
			i++
			continue
		}
		switch {
		case r.start >= start && r.end <= end: // inside: drop it
			removeRange(i)
			continue
		case r.start < start && r.end > end: // contains it: split
			rangeAt(i).end = start
			if !insertRange(i+1, addressRange{end, r.end}) {
				// No room for the tail: it becomes inaccessible too
				// (its frames are freed); the runtime then faults on
				// it, which it reports, rather than the table lying.
				release(end, r.end)
			}
		case r.start < start: // overlaps the start
			rangeAt(i).end = start
		default: // overlaps the end
			rangeAt(i).start = end
		}
		i++
	}
}

// accessible reports whether address may be read and written.
func accessible(address uintptr) bool {
	lo, hi := 0, rangeCount
	for lo < hi {
		mid := (lo + hi) / 2
		r := *rangeAt(mid)
		switch {
		case address < r.start:
			hi = mid
		case address >= r.end:
			lo = mid + 1
		default:
			return true
		}
	}
	return false
}

// release unmaps every committed page in [start, end) and frees its frame.
func release(start, end uintptr) {
	for page := start &^ (paging.PageSize - 1); page < end; {
		if next, missing := memory.Kernel.MissingSubtree(page); missing {
			page = next
			continue
		}
		if frame, status := memory.Kernel.Unmap(&memory.Frames, page); status == paging.OK {
			amd64.InvalidatePage(page)
			memory.Frames.Free(frame)
			CommittedPages--
		}
		page += paging.PageSize
	}
}

// CommitPage is the page-fault path for the kernel heap: if address is
// accessible and not yet backed, back its page with a zeroed frame. It
// reports whether the fault is resolved.
func CommitPage(address uintptr) bool {
	if !accessible(address) {
		return false
	}
	page := address &^ (paging.PageSize - 1)
	if _, _, status := memory.Kernel.Lookup(page); status == paging.OK {
		return true // another path committed it already
	}
	frame, ok := memory.Frames.Allocate(physmem.UseKernelHeap, true)
	if !ok {
		return false
	}
	if memory.Kernel.Map(&memory.Frames, page, frame, memory.KernelData) != paging.OK {
		memory.Frames.Free(frame)
		return false
	}
	CommittedPages++
	return true
}

// commitRange backs every page of [start, start+length) that lies in the
// kernel heap, so kernel code can write there without faulting. It reports
// false when part of the range is in the heap but not accessible.
func commitRange(start, length uintptr) bool {
	end := start + length
	if end < start {
		return false
	}
	for page := start &^ (paging.PageSize - 1); page < end; page += paging.PageSize {
		if page >= layout.KernelHeap && page < layout.KernelHeap+layout.KernelHeapSize {
			if !CommitPage(page) {
				return false
			}
		}
	}
	return true
}

// Memory protection and mapping flags of mmap.
const (
	protRead  = 0x1
	protWrite = 0x2
	protExec  = 0x4

	mapShared    = 0x01
	mapPrivate   = 0x02
	mapFixed     = 0x10
	mapAnonymous = 0x20

	madviseDontNeed = 4
	madviseFree     = 8
)

func sysMmap(address, length, prot, flags, fd, offset uint64) int64 {
	if length == 0 || flags&mapAnonymous == 0 {
		return -abi.ENODEV // only anonymous memory exists here
	}
	size := (uintptr(length) + paging.PageSize - 1) &^ (paging.PageSize - 1)
	var start uintptr
	if flags&mapFixed != 0 {
		start = uintptr(address)
		if start%paging.PageSize != 0 || !inHeap(start, start+size) {
			return -abi.EINVAL
		}
	} else {
		// Hints outside the heap region (the runtime's arena hints are
		// low addresses) are ignored: the runtime then falls back to
		// taking what it is given, which it handles on amd64.
		s, ok := reserve(size)
		if !ok {
			return -abi.ENOMEM
		}
		start = s
	}
	// A new mapping's memory is zero, even over an old one (MAP_FIXED).
	disallow(start, start+size)
	if prot&(protRead|protWrite) != 0 && !allow(start, start+size) {
		return -abi.ENOMEM
	}
	return int64(start)
}

func sysMunmap(address, length uint64) int64 {
	start := uintptr(address)
	size := (uintptr(length) + paging.PageSize - 1) &^ (paging.PageSize - 1)
	if start%paging.PageSize != 0 || size == 0 || !inHeap(start, start+size) {
		return -abi.EINVAL
	}
	disallow(start, start+size)
	return 0
}

func sysMadvise(address, length, advice uint64) int64 {
	start := uintptr(address)
	size := (uintptr(length) + paging.PageSize - 1) &^ (paging.PageSize - 1)
	if start%paging.PageSize != 0 {
		return -abi.EINVAL
	}
	switch advice {
	case madviseDontNeed, madviseFree:
		if !inHeap(start, start+size) {
			return -abi.EINVAL
		}
		release(start, start+size)
		return 0
	default:
		return 0 // hints (huge pages and the like) are accepted and ignored
	}
}

func sysMprotect(address, length, prot uint64) int64 {
	start := uintptr(address)
	size := (uintptr(length) + paging.PageSize - 1) &^ (paging.PageSize - 1)
	if start%paging.PageSize != 0 || !inHeap(start, start+size) {
		return -abi.EINVAL
	}
	if prot&(protRead|protWrite) != 0 {
		if !allow(start, start+size) {
			return -abi.ENOMEM
		}
	} else {
		disallow(start, start+size)
	}
	return 0
}

// MappedPages counts the committed (mapped) pages of the kernel heap in
// [start, start+length), walking the kernel's page tables: for the
// self-tests, which check that munmap and madvise unmap (and so free)
// exactly what they should. Call with interrupts disabled.
func MappedPages(start, length uintptr) int {
	n := 0
	for page := start &^ (paging.PageSize - 1); page < start+length; page += paging.PageSize {
		if _, _, status := memory.Kernel.Lookup(page); status == paging.OK {
			n++
		}
	}
	return n
}
