package mem

import (
	"sync/atomic"

	"exogo/libos/exo"
)

// A frame word while one vCPU commits its page under the shared lock
// (FaultShared): neither 0 nor a frame (frames are page-aligned), and
// without frameMapped.
const framePending = 2

// A frame word whose frame the kernel took by force (lose): the page's
// data is gone, so every later touch is a real fault (SIGSEGV) and every
// call's pointer into it EFAULT, until munmap or MADV_DONTNEED clear it.
const frameLost = 4

// FaultResult is what FaultShared made of a page fault.
type FaultResult int

const (
	// Resolved: the page is committed (or a vCPU is committing it): the
	// access may run again.
	Resolved FaultResult = iota
	// Refused: a real fault, as Fault's false.
	Refused
	// NeedAlone: the fault needs the lock held alone (a region to
	// create, a frame the kernel took): call Fault under Lock.
	NeedAlone
	// NoMemory: the page may be touched, but the kernel gave no frame
	// for it (no memory left, or the process's limit): the end of
	// memory, not a bad access.
	NoMemory
)

// FaultShared resolves a page fault as Fault does (present: the page was
// there, and the access broke its protection), with the memory lock
// shared (RLock): the common case of a page in a region that exists,
// untouched so far. It claims the page's frame word with a
// compare-and-swap (0 to framePending), so of two vCPUs faulting on one
// page only one commits it; the other resumes its thread, which faults
// again until the frame is stored. The page gets a frame from the pool
// (segment_map_frame) or a new one (frame_alloc_map), neither of which
// takes a kernel lock, and the frame word an atomic store. Anything else
// it hands back (NeedAlone) or refuses.
func FaultShared(address uintptr, write, instruction, present bool) FaultResult {
	result := faultShared(address, write, instruction, present)
	if result != NeedAlone {
		atomic.AddUint64(&Faults, 1) // else Fault counts it
	}
	return result
}

func faultShared(address uintptr, write, instruction, present bool) FaultResult {
	rg, ok := faultable(address, write, instruction)
	if !ok {
		return Refused
	}
	page := address &^ (PageSize - 1)
	ri := regionFor(page, false, false)
	if ri < 0 {
		return NeedAlone
	}
	r := &regions[uint(ri)%MaxRegions]
	if r.segment == 0 {
		return NeedAlone // its segment was reclaimed: Fault makes another
	}
	w := frameWord(r, page)
	if w == nil {
		return Refused // the libOS's own memory
	}
	for {
		old := atomic.LoadUint64(w)
		switch {
		case old == framePending:
			return Resolved // another vCPU commits it
		case old == 0:
			if !atomic.CompareAndSwapUint64(w, 0, framePending) {
				continue
			}
			if !commitClaimed(r, w, page, rg.Prot) {
				atomic.AddUint64(&CommitsRefused, 1)
				return NoMemory
			}
			commitAhead(r, page, rg)
			return Resolved
		case old&frameMapped == 0:
			return Refused // a frame, not mapped
		case Owner != 0 && !ours(old&^(PageSize-1)):
			return NeedAlone // taken by force: Fault forgets it
		case !present:
			// Mapped, says the word, yet the page was not there: another
			// vCPU mapped it since, or the kernel took its frame and the
			// frame came back to this process for another page. Fault
			// asks the kernel which.
			return NeedAlone
		}
		return Resolved
	}
}

// faultable returns the range of address when a fault there is the
// libOS's to resolve: anonymous memory whose protection allows the access
// (write: a write; instruction: a fetch).
func faultable(address uintptr, write, instruction bool) (Range, bool) {
	i := Ranges.Find(address)
	if i < 0 {
		return Range{}, false
	}
	rg := Ranges.At(i)
	if rg.Kind != KindAnonymous || rg.Prot == 0 ||
		(write && rg.Prot&ProtWrite == 0) || (instruction && rg.Prot&ProtExec == 0) {
		return Range{}, false
	}
	return rg, true
}

// FaultAhead is how many pages after a faulting one a fault commits too
// (fault-around): a program that touches memory in order, as the Go
// runtime's heap and a fresh mapping do, then faults once per
// FaultAhead+1 pages instead of once a page. A program linked with the
// libOS chooses its own (a libOS is the program's): 0 commits only the
// page touched. The pages ahead stay in the faulting page's range and
// 2 MiB region, and it stops at the first one already committed. Under
// memory pressure - once the kernel has refused a frame or asked for
// memory back (Pressed) - only the page touched is committed: pages
// committed ahead cannot be given back, since the program may have
// touched them since.
var FaultAhead uint32 = 15

// Pressed is set (atomically) when the kernel asks for memory back; it
// turns fault-around off for good.
var Pressed uint32

// commitAhead commits up to FaultAhead untouched pages after page, in
// region r and range rg, as faultShared commits one; it stops quietly at
// the first it cannot (the kernel's refusal is the next fault's to
// report).
func commitAhead(r *region, page uintptr, rg Range) {
	if atomic.LoadUint64(&CommitsRefused) != 0 || atomic.LoadUint32(&Pressed) != 0 {
		return
	}
	end := min(rg.End, (page|(RegionSize-1))+1, page+(uintptr(atomic.LoadUint32(&FaultAhead))+1)*PageSize)
	for next := page + PageSize; next < end; next += PageSize {
		w := frameWord(r, next)
		if w == nil || !atomic.CompareAndSwapUint64(w, 0, framePending) {
			return
		}
		if !commitClaimed(r, w, next, rg.Prot) {
			return
		}
		atomic.AddUint64(&CommittedAhead, 1)
	}
}

// commitClaimed maps a frame at page, whose word w this vCPU claimed
// (framePending), in region r with prot: one from the pool, else a new
// one. It stores the word, or gives the claim up (0) and reports false
// when the kernel gives no frame.
func commitClaimed(r *region, w *uint64, page uintptr, prot uint32) bool {
	frame := int64(mapFromPool(r.segment, slotOf(page), permissions(prot)))
	if frame == 0 {
		frame = exo.FrameAllocMap(r.segment, slotOf(page), permissions(prot))
	}
	if frame < 0 {
		atomic.StoreUint64(w, 0)
		return false
	}
	atomic.StoreUint64(w, uint64(frame)|frameMapped)
	atomic.AddUint32(&r.used, 1)
	atomic.AddUint64(&Commits, 1)
	return true
}
