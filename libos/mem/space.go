package mem

import (
	"sync/atomic"

	"exogo/libos/exo"
)

// The address space a program may use, and the libOS's own part of it.
const (
	PageSize   = 4096
	RegionSize = 2 << 20 // what one PT segment maps

	// UserStart is the lowest address the kernel links (4 MiB).
	UserStart = 4 << 20
	// MmapBase is where mappings without a usable hint go (first fit
	// upwards), far from the heap hints the Go runtime tries.
	MmapBase = 0x7000_0000_0000
	// LibOSBase starts the libOS's part of the address space: its image
	// in interpreted mode, its private memory, the kernel's read-only views
	// and the loader's stack. A program may map nothing from here up.
	LibOSBase = exo.StartLibosBase
	// PrivateBase and PrivateSize bound the libOS's private memory:
	// committed when allocated, never faulting, never given back.
	PrivateBase = 0x7e40_0000_0000
	PrivateSize = 1 << 30
	// ConsoleBase is where the console's shared page is linked (a PT
	// segment), ScreenBase the screen segment (1 GiB aligned: a large
	// framebuffer's is a PD segment), in every process of a console.
	ConsoleBase = 0x7e80_0000_0000
	ScreenBase  = 0x7ec0_0000_0000
)

// MaxRegions bounds the 2 MiB regions the libOS manages (a power of two:
// an open-addressing table).
const MaxRegions = 4096

// A frame word in a region's page array: the frame's physical address,
// with bit 0 set while it is mapped at its slot.
const frameMapped = 1

// region is one 2 MiB region with its PT segment. pages is the address of
// a private page of 512 frame words (0 for the libOS's private memory,
// whose frames are never given back).
type region struct {
	key     uint64 // region number + 1; 0 for an empty slot
	segment uint64
	pages   uintptr
	used    uint32 // frames committed in it
}

var (
	// Ranges is the map of the program's address space.
	Ranges      Map
	regions     [MaxRegions]region
	regionCount int
	privateNext uintptr = PrivateBase

	// Statistics, for the libOS's report and the benchmarks.
	Faults, Commits, Freed uint64
	// CommitsRefused counts the pages the kernel gave no frame for (no
	// memory left, or the process's limit): a fault that follows one is
	// the end of memory, not a bad access.
	CommitsRefused uint64
	// CommittedAhead counts the pages commitAhead committed.
	CommittedAhead uint64
)

// frameWord returns the frame word of page (in region r), or nil for the
// private memory.
func frameWord(r *region, page uintptr) *uint64 {
	if r.pages == 0 {
		return nil
	}
	return (*uint64)(at(r.pages + (page%RegionSize)/PageSize*8))
}

func permissions(prot uint32) exo.Permissions {
	p := exo.Permissions(0)
	if prot&ProtWrite != 0 {
		p |= exo.PermissionsWrite
	}
	if prot&ProtExec != 0 {
		p |= exo.PermissionsExecute
	}
	return p
}

// commit maps a fresh zeroed frame at page with prot. It reports false
// when the kernel refuses (no memory, a limit).
func commit(page uintptr, prot uint32, private bool) bool {
	i := regionFor(page, true, private)
	if i < 0 {
		atomic.AddUint64(&CommitsRefused, 1) // no segment or table room: memory's end too
		return false
	}
	r := &regions[uint(i)%MaxRegions]
	frame := int64(mapFromPool(r.segment, slotOf(page), permissions(prot)))
	if frame == 0 {
		frame = exo.FrameAllocMap(r.segment, slotOf(page), permissions(prot))
	}
	if frame < 0 {
		atomic.AddUint64(&CommitsRefused, 1)
		return false
	}
	if w := frameWord(r, page); w != nil {
		*w = uint64(frame) | frameMapped
	}
	r.used++
	Commits++
	return true
}

// Private returns n bytes (rounded up to pages) of fresh, committed,
// writable libOS memory, or 0 when there is none left.
func Private(n uintptr) uintptr {
	n = (n + PageSize - 1) &^ (PageSize - 1)
	if n == 0 || privateNext+n > PrivateBase+PrivateSize || privateNext+n < privateNext {
		return 0
	}
	start := privateNext
	for page := start; page < start+n; page += PageSize {
		if !commit(page, ProtRead|ProtWrite, true) {
			return 0
		}
	}
	privateNext = start + n
	return start
}

// committed returns page's frame word and whether the page has a frame.
func committed(page uintptr) (uint64, bool) {
	i := regionFor(page, false, false)
	if i < 0 {
		return 0, false
	}
	w := frameWord(&regions[uint(i)%MaxRegions], page)
	if w == nil {
		return 0, true
	}
	v := atomic.LoadUint64(w) // FaultShared may store it
	return v, v != 0
}

// Fault resolves a page fault at address (write: the access was a write;
// instruction: a fetch; present: the page was there). It returns
// Resolved when the page is now committed; Refused for a real fault (the
// address is not mapped, or the access is not allowed); NoMemory when the
// kernel gave no frame or table for a page the program may touch. With
// several vCPUs two threads may
// fault on the same page at once: the second finds it committed and
// mapped, and goes on.
func Fault(address uintptr, write, instruction, present bool) FaultResult {
	Faults++
	r, ok := faultable(address, write, instruction)
	if !ok {
		return Refused
	}
	page := address &^ (PageSize - 1)
	if w, ok := committed(page); ok {
		if w == frameLost {
			return Refused // its data is gone: a real fault, every time
		}
		// Another vCPU committed the page (or mapped it again) while
		// this fault waited for the libOS: the access may go on. A page
		// with a frame but not mapped, or the libOS's own memory, is a
		// real violation. So is a page whose frame the kernel took by
		// force (a revocation the libOS could not answer): the frame
		// table says it is no longer ours, and its data is gone.
		if w&frameMapped != 0 && Owner != 0 && !ours(w&^(PageSize-1)) {
			lose(page)
			Lost++
			return Refused
		}
		if w&frameMapped != 0 && !present && !slotMapped(page, r.Prot) {
			// The frame was taken by force and has come back to this
			// process since (so the frame table calls it ours): the
			// page's data is gone all the same.
			lose(page)
			Lost++
			return Refused
		}
		if w&frameMapped == 0 {
			return Refused
		}
		return Resolved
	}
	if !commit(page, r.Prot, false) {
		return NoMemory // commit fails only for want of a frame or a table
	}
	if i := regionFor(page, false, false); i >= 0 {
		commitAhead(&regions[uint(i)%MaxRegions], page, r)
	}
	return Resolved
}

// slotMapped asks the kernel whether page's slot maps a frame: rewriting
// its permissions (prot, as they are) fails on an empty slot. For the
// rare fault that finds a page mapped by its word but not by the CPU.
func slotMapped(page uintptr, prot uint32) bool {
	i := regionFor(page, false, false)
	if i < 0 {
		return false
	}
	r := &regions[uint(i)%MaxRegions]
	return r.segment != 0 && exo.SegmentProtect(r.segment, slotOf(page), permissions(prot)) == 0
}

// Owner is the process's id (set at start), against which ours checks
// the frame table; 0 skips the check.
var Owner uint64

// Lost counts pages found taken by the kernel.
var Lost uint64

// ours reports whether the frame table (the kernel's read-only view)
// says frame is a data frame of this process, mapped.
// Ours reports whether the frame table says frame is still this
// process's, mapped (the kernel takes a frame by force on a revocation
// that was not answered in time).
func Ours(frame uint64) bool { return ours(frame) }

func ours(frame uint64) bool {
	e := *(*uint64)(at(exo.AddressFrameTableView + uintptr(frame/PageSize)*8))
	return e&exo.FrameEntryUseMask == exo.FrameUseProcess &&
		e>>exo.FrameEntryOwnerShift&exo.FrameEntryOwnerMask == Owner &&
		e>>exo.FrameEntryRefsShift&exo.FrameEntryRefsMask != 0
}

// lose forgets page's frame, which is no longer the process's (the
// kernel unmapped it when it took it).
func lose(page uintptr) {
	i := regionFor(page, false, false)
	if i < 0 {
		return
	}
	r := &regions[uint(i)%MaxRegions]
	if w := frameWord(r, page); w != nil && *w != 0 && *w != frameLost {
		*w = frameLost
		r.used--
	}
}

// Check makes sure the program's bytes [address, address+length) may be
// read (and written, with write) by the libOS without a fault: each page is
// in a range with the protection, and committed (Check commits untouched
// pages). It reports false for a bad range (the call then fails with
// EFAULT) or when memory runs out.
func Check(address, length uintptr, write bool) bool {
	return check(address, length, write, true) == Resolved
}

// CheckShared is Check for a caller holding the memory lock shared
// (RLock), which may neither commit nor forget a page: Resolved when every
// page is ready for the access as it is, Refused when Check would refuse
// the range, NeedAlone when Check (under Lock) must commit or forget one.
// The libOS's calls without its call lock read and write the program's
// words so, without stopping page faults.
func CheckShared(address, length uintptr, write bool) FaultResult {
	return check(address, length, write, false)
}

// check is Check (alone: the lock held alone) and CheckShared.
func check(address, length uintptr, write, alone bool) FaultResult {
	if length == 0 {
		return Resolved
	}
	if !inUserSpace(address, length) {
		return Refused
	}
	for page := address &^ (PageSize - 1); page < address+length; page += PageSize {
		use, prot := pageUse(page, write)
		switch {
		case use == pageReady:
		case use == pageRefused:
			return Refused
		case !alone:
			return NeedAlone
		case use == pageToCommit:
			if !commit(page, prot, false) {
				return Refused
			}
		case use == pageTaken:
			lose(page) // taken by force: the libOS must not touch it
			Lost++
			return Refused
		}
	}
	return Resolved
}

// inUserSpace reports whether [address, address+length) lies in the
// program's part of the address space.
func inUserSpace(address, length uintptr) bool {
	end := address + length
	return end >= address && address >= UserStart && end <= LibOSBase
}

// What an access to a page needs (pageUse).
const (
	pageReady      = iota // committed, or the loader's: touch it
	pageRefused           // not mapped, not allowed, or its data lost
	pageToCommit          // anonymous and untouched: commit it first
	pageTaken             // its frame was taken by force: forget it
	pageCommitting        // another vCPU commits it (FaultShared)
)

// pageUse says what the libOS's access to page (write: a write) needs,
// and the protection of its range.
func pageUse(page uintptr, write bool) (int, uint32) {
	i := Ranges.Find(page)
	if i < 0 {
		return pageRefused, 0
	}
	r := Ranges.At(i)
	if r.Prot&(ProtRead|ProtWrite) == 0 || (write && r.Prot&ProtWrite == 0) {
		return pageRefused, r.Prot
	}
	if r.Kind != KindAnonymous {
		return pageReady, r.Prot // the loader committed it
	}
	w, ok := committed(page)
	switch {
	case !ok:
		return pageToCommit, r.Prot
	case w == frameLost:
		return pageRefused, r.Prot
	case w == framePending:
		return pageCommitting, r.Prot
	case w&frameMapped != 0 && Owner != 0 && !ours(w&^(PageSize-1)):
		return pageTaken, r.Prot
	}
	return pageReady, r.Prot
}

// nextFrame finds the first page at or after page, below end, that has a
// frame: it returns the page, its region and its frame word (nil when there
// is none). Regions never touched are skipped whole.
func nextFrame(page, end uintptr) (uintptr, *region, *uint64) {
	for page < end {
		j := regionFor(page, false, false)
		if j < 0 {
			page = (page | (RegionSize - 1)) + 1 // the next region
			continue
		}
		r := &regions[uint(j)%MaxRegions]
		if w := frameWord(r, page); w != nil && *w != 0 {
			return page, r, w
		}
		page += PageSize
	}
	return end, nil, nil
}

// slotOf returns page's slot in its region's segment.
func slotOf(page uintptr) uint64 { return uint64(page%RegionSize) / PageSize }

// release gives back the frames of the committed pages of [start, end)
// that lie in anonymous ranges: a region's worth at a time with one
// segment_release (one kernel crossing and one TLB shootdown, not two
// calls and a shootdown per page); a frame kept unmapped (PROT_NONE) goes
// back with frame_free.
func release(start, end uintptr) {
	for i := Ranges.firstEndingAfter(start); i < Ranges.Count(); i++ {
		rg := Ranges.At(i)
		if rg.Start >= end {
			break
		}
		if rg.Kind != KindAnonymous {
			continue
		}
		from, to := max(rg.Start, start), min(rg.End, end)
		for chunk := from; chunk < to; chunk = (chunk | (RegionSize - 1)) + 1 {
			releaseInRegion(chunk, min(to, (chunk|(RegionSize-1))+1))
		}
	}
}

// releaseInRegion is release for [from, to), inside one region. The
// kernel keeps as many of the frames as the pool has room for, zeroed,
// and the pool takes those the frame table says are still this process's
// and mapped nowhere (what the kernel kept: munmap holds the memory lock
// alone, and every commit of a frame holds it too, shared or alone, so no
// other frame of the range can be one of those).
func releaseInRegion(from, to uintptr) {
	j := regionFor(from, false, false)
	if j < 0 {
		return
	}
	r := &regions[uint(j)%MaxRegions]
	if frameWord(r, from) == nil {
		return // the libOS's own memory is never given back
	}
	mapped := uint64(0)
	for page := from; page < to; page += PageSize {
		w := frameWord(r, page)
		if *w == 0 {
			continue
		}
		if *w == frameLost {
			*w = 0 // gone already (lose counted it)
			continue
		}
		if *w&frameMapped != 0 {
			mapped++
			continue
		}
		exo.FrameFree(*w &^ (PageSize - 1)) // kept unmapped (PROT_NONE)
		*w = 0
		r.used--
		Freed++
	}
	if mapped == 0 {
		return
	}
	keep := min(poolRoom(), mapped)
	if Owner == 0 {
		keep = 0 // no frame table to tell what was kept
	}
	if exo.SegmentRelease(r.segment, slotOf(from), uint64((to-from)/PageSize), keep) < 0 {
		// Refused (a bug in the libOS's bookkeeping): page by page, so
		// that no page stays mapped once its word says it is gone.
		for page := from; page < to; page += PageSize {
			if w := frameWord(r, page); *w&frameMapped != 0 {
				exo.SegmentUnmap(r.segment, slotOf(page))
				if frame := *w &^ (PageSize - 1); frameIs(frame, exo.FrameUseProcess) {
					exo.FrameFree(frame)
				}
			}
		}
	}
	for page := from; page < to; page += PageSize {
		w := frameWord(r, page)
		if *w == 0 {
			continue
		}
		if frame := *w &^ (PageSize - 1); poolRoom() > 0 && kept(frame) {
			poolPush(frame) // a stale word's frame kept again by another release, too
		}
		*w = 0
		r.used--
		Freed++
	}
}

// Unmap removes [start, end) from the map and gives back its frames.
func Unmap(start, end uintptr) bool {
	release(start, end)
	return Ranges.Remove(start, end)
}

// Discard gives back the frames of [start, end) and keeps the range: the
// next touch gets a zeroed page (MADV_DONTNEED).
func Discard(start, end uintptr) { release(start, end) }

// Protect changes the protection of the anonymous ranges in [start, end)
// (all of it must be mapped): committed pages are mapped again with the new
// permissions, or unmapped (keeping their frames) for PROT_NONE.
func Protect(start, end uintptr, prot uint32) bool {
	if !Ranges.Covered(start, end) || Ranges.Kinds(start, end) != 1<<KindAnonymous {
		return false
	}
	for page, r, w := nextFrame(start, end); w != nil; page, r, w = nextFrame(page+PageSize, end) {
		if *w == frameLost {
			continue
		}
		slot := slotOf(page)
		if *w&frameMapped != 0 {
			if exo.SegmentUnmap(r.segment, slot) != 0 {
				lose(page) // the slot was empty: the kernel took the frame
				Lost++
				continue
			}
			*w &^= frameMapped
		}
		if prot != 0 && exo.SegmentMapFrame(r.segment, slot, *w&^(PageSize-1), exo.MapPermissions(permissions(prot))) == 0 {
			*w |= frameMapped
		}
	}
	return Ranges.Add(start, end, prot, KindAnonymous)
}

// Usable reports whether the program may map [start, end): inside the
// user part and below the libOS's.
func Usable(start, end uintptr) bool {
	return start >= UserStart && end > start && end <= LibOSBase
}
