// Package physmem owns physical memory: the frame table, one 64-bit entry for
// every 4 KiB frame of physical address space up to the top of RAM, saying
// what the frame is used for and (from the exokernel layer up) which process
// owns it and how many references it has. Frames are named by physical
// address, as the exokernel exposes them.
//
// The table lives in RAM that the boot code carves out of the memory map; it
// is reached through the direct map, so the package holds only integers
// (the table's virtual address and length), never Go pointers. Everything
// here is restricted Go: it runs in trap context (page faults commit frames
// lazily) and before the Go runtime exists. Host tests run it against a
// simulated RAM buffer.
package physmem

import (
	"sync/atomic"

	"exogo/kernel/rawmem"
)

// FrameSize is the size of a physical frame (an x86 small page).
const FrameSize = 4096

// Use says what a frame is used for. Absent frames are holes in the physical
// address space (MMIO, reserved or missing RAM) and can never be allocated.
type Use uint8

const (
	UseAbsent      Use = iota // not RAM, or reserved by the firmware
	UseFree                   // RAM that nobody holds
	UseKernel                 // the kernel image, boot data, the frame table
	UsePageTable              // a page-table page of the kernel
	UseKernelHeap             // memory of the kernel's own Go runtime
	UseKernelStack            // a kernel stack
	UseBootModule             // a Multiboot2 module, until the kernel releases it
)

var useNames = [...]string{"absent", "free", "kernel", "page table", "kernel heap", "kernel stack", "boot module"}

// String names the use for logs.
func (u Use) String() string {
	if int(u) < len(useNames) {
		return useNames[u]
	}
	return "unknown"
}

// A frame-table entry: bits 0-7 use, 8-23 owner, 24-39 reference count.
const (
	entryUseMask    = 0xff
	entryOwnerShift = 8
)

// Table is the frame table. The zero value is empty; Init sets it up.
type Table struct {
	entries   uintptr // virtual address of the first entry
	frames    uint64  // number of entries (frames from physical 0)
	free      uint64  // frames with UseFree
	hint      uint64  // where the next search for a free frame starts
	lock      uint32  // spin lock: 0 free, 1 held
	directMap uintptr // virtual address of physical 0, for zeroing frames
	// owned counts the frames each owner holds (index: owner), so that
	// freeing everything a process held does not scan the whole table,
	// and so that limits can be kept; orphans (ownership.go) are not in
	// it.
	owned [1 << 16]uint32
	// limits[owner] is how many frames owner may hold (ownership.go); 0
	// for every owner until SetLimit.
	limits [1 << 16]uint32
	// reserve is how many free frames only the kernel may take.
	reserve uint64
	// orphans counts frames whose owner ended while they were mapped.
	orphans uint64
	// pending lists orphans whose last reference went but which a CPU
	// may still reach through a stale TLB entry (ReleasePending frees
	// them after the shootdown); pendingLost says some did not fit.
	pending     [pendingSlots]uint64
	npending    uint32
	pendingLost bool
}

// pendingSlots is how many orphans wait for ReleasePending in the list;
// more are found by a walk of the table.
const pendingSlots = 1024

// Init makes t describe frames physical frames, with its entries stored at
// the virtual address entries (frames*8 bytes, all of which the caller
// guarantees are mapped and writable), and marks every frame absent.
// directMap is the virtual address at which physical address 0 is mapped.
func (t *Table) Init(entries uintptr, frames uint64, directMap uintptr) {
	t.entries, t.frames, t.free, t.hint, t.directMap = entries, frames, 0, 0, directMap
	t.reserve, t.orphans = 0, 0
	clear(t.owned[:])
	clear(t.limits[:])
	for i := uint64(0); i < frames; i++ {
		*t.entry(i) = uint64(UseAbsent)
	}
}

// TableBytes is how many bytes of memory a table for frames frames needs.
func TableBytes(frames uint64) uint64 { return frames * 8 }

func (t *Table) entry(index uint64) *uint64 {
	return rawmem.Uint64(t.entries + uintptr(index)*8)
}

func (t *Table) acquire() {
	for !atomic.CompareAndSwapUint32(&t.lock, 0, 1) {
	}
}

func (t *Table) release() { atomic.StoreUint32(&t.lock, 0) }

// SetRange marks the frames covering [start, end) with use. Frames outside
// the table are ignored. Making frames free or taking them out of the free
// pool keeps the free count right. start and end are rounded outward to
// frame boundaries for non-free uses and inward for UseFree, so a partial
// frame is never handed out.
func (t *Table) SetRange(start, end uint64, use Use) {
	// Clamp to the table first, so the rounding below cannot overflow
	// near the top of the address space.
	limit := t.frames * FrameSize
	start, end = min(start, limit), min(end, limit)
	if use == UseFree {
		start = (start + FrameSize - 1) / FrameSize
		end = end / FrameSize
	} else {
		start = start / FrameSize
		end = (end + FrameSize - 1) / FrameSize
	}
	t.acquire()
	for i := start; i < end && i < t.frames; i++ {
		e := t.entry(i)
		old := Use(*e & entryUseMask)
		if old == UseFree {
			atomic.AddUint64(&t.free, ^uint64(0))
		}
		t.disown(*e)
		*e = uint64(use)
		if use == UseFree {
			atomic.AddUint64(&t.free, 1)
		}
	}
	t.release()
}

// ReleaseUse frees every frame of [start, end) (whole frames, the partial
// ones at the ends included) whose use is use, and returns how many: the
// boot modules, once the kernel has copied what it needs.
func (t *Table) ReleaseUse(start, end uint64, use Use) (released uint64) {
	limit := t.frames * FrameSize
	first, last := min(start, limit)/FrameSize, (min(end, limit)+FrameSize-1)/FrameSize
	t.acquire()
	for i := first; i < last && i < t.frames; i++ {
		e := t.entry(i)
		if Use(*e&entryUseMask) == use {
			t.disown(*e)
			t.markFree(i)
			released++
		}
	}
	t.release()
	return released
}

// Allocate takes a free frame, marks it with use and returns its physical
// address. The frame's contents are zeroed when zero is true. ok is false
// when no frame is free; nothing changes then.
func (t *Table) Allocate(use Use, zero bool) (physical uint64, ok bool) {
	t.acquire()
	i, ok := t.take(use)
	t.release()
	if !ok {
		return 0, false
	}
	physical = i * FrameSize
	if zero {
		t.zero(physical)
	}
	return physical, true
}

// take finds a free frame, marks it with use (owner 0) and returns its
// index. The caller holds the lock.
func (t *Table) take(use Use) (index uint64, ok bool) {
	if atomic.LoadUint64(&t.free) == 0 {
		return 0, false
	}
	i := t.hint
	for n := uint64(0); n < t.frames; n++ {
		if i >= t.frames {
			i = 0
		}
		e := t.entry(i)
		if Use(*e&entryUseMask) == UseFree {
			*e = uint64(use)
			atomic.AddUint64(&t.free, ^uint64(0))
			t.hint = i + 1
			return i, true
		}
		i++
	}
	return 0, false
}

// zero clears the frame at physical through the direct map.
func (t *Table) zero(physical uint64) {
	clear(rawmem.Bytes(t.directMap+uintptr(physical), FrameSize))
}

// Free returns the frame at physical to the free pool. It reports false, and
// changes nothing, when the address is not frame-aligned, outside the table,
// or names a frame that is absent or already free: a double free is a bug
// the caller must hear about.
func (t *Table) Free(physical uint64) bool {
	if physical%FrameSize != 0 || physical/FrameSize >= t.frames {
		return false
	}
	t.acquire()
	e := t.entry(physical / FrameSize)
	use := Use(*e & entryUseMask)
	if use == UseAbsent || use == UseFree {
		t.release()
		return false
	}
	t.disown(*e)
	t.markFree(physical / FrameSize)
	t.release()
	return true
}

// markFree makes frame index free; the caller holds the lock and has
// disowned it. The next search starts there when it is below the hint, so
// a frame just freed is the next one handed out: an allocate-free loop
// reuses one frame (warm in caches and TLBs) instead of walking the table,
// and a search never crosses long runs of used frames to find it.
func (t *Table) markFree(index uint64) {
	*t.entry(index) = uint64(UseFree)
	atomic.AddUint64(&t.free, 1)
	if index < t.hint {
		t.hint = index
	}
}

// disown takes a frame whose entry was e out of its owner's count (or out
// of the orphans). Called with the lock held.
func (t *Table) disown(e uint64) {
	if !held(e) {
		return
	}
	if e&entryOrphan != 0 {
		if t.orphans > 0 {
			t.orphans--
		}
		return
	}
	owner := uint16(e >> entryOwnerShift)
	if owner != 0 && t.owned[owner] > 0 {
		t.owned[owner]--
	}
}

// UseOf returns what the frame containing physical is used for.
func (t *Table) UseOf(physical uint64) Use {
	if physical/FrameSize >= t.frames {
		return UseAbsent
	}
	return Use(*t.entry(physical / FrameSize) & entryUseMask)
}

// FreeFrames is the number of free frames.
func (t *Table) FreeFrames() uint64 { return atomic.LoadUint64(&t.free) }

// Frames is the number of frames the table describes (free or not).
func (t *Table) Frames() uint64 { return t.frames }

// Count returns how many frames have the given use. It walks the whole
// table: for tests and reports, not for hot paths.
func (t *Table) Count(use Use) uint64 {
	n := uint64(0)
	for i := uint64(0); i < t.frames; i++ {
		if Use(*t.entry(i)&entryUseMask) == use {
			n++
		}
	}
	return n
}

// Rebase moves the table's view of memory: its entries are now reached at
// entries and physical memory at directMap. Boot code calls it once, when
// it switches from the identity-mapped boot page tables to the direct map.
func (t *Table) Rebase(entries uintptr, directMap uintptr) {
	t.entries, t.directMap = entries, directMap
}
