package mem

import (
	"sync/atomic"

	"exogo/libos/exo"
)

// The pool of free frames: frames of the process that munmap and
// MADV_DONTNEED unmapped and the kernel zeroed and left with it
// (segment_release's keep), up to PoolSize (8 MiB). A fault maps one
// (segment_map_frame, which takes no kernel lock and zeroes nothing)
// before it asks for a new frame, and a revocation request is answered
// from them at once (GiveBack). Revocation by force takes unmapped frames
// first, so a pool frame may be gone when it is used: its mapping then
// fails and it is dropped.
const PoolSize = 2 * exo.RevokeAmount // twice what the kernel asks for at a time: enough when faults took some meanwhile

var (
	pool [PoolSize]uint64
	// poolCount is how many frames pool holds. Pops, under the memory
	// lock shared, race only each other (compare-and-swap); pushes hold
	// the lock alone.
	poolCount uint32

	// Reused counts faults served from the pool, GivenBack the frames
	// given back on request.
	Reused, GivenBack uint64
)

// poolRoom is how many more frames the pool takes.
func poolRoom() uint64 { return PoolSize - uint64(atomic.LoadUint32(&poolCount)) }

// poolPush adds frame to the pool. The memory lock is held alone.
func poolPush(frame uint64) {
	n := atomic.LoadUint32(&poolCount)
	if n >= PoolSize {
		return
	}
	pool[n%PoolSize] = frame
	atomic.StoreUint32(&poolCount, n+1)
}

// poolPop takes a frame from the pool, or returns 0.
func poolPop() uint64 {
	for {
		n := atomic.LoadUint32(&poolCount)
		if n == 0 {
			return 0
		}
		frame := pool[(n-1)%PoolSize]
		if atomic.CompareAndSwapUint32(&poolCount, n, n-1) {
			return frame
		}
	}
}

// mapFromPool maps a pool frame at slot of segment with permissions and
// returns it, or 0 when the pool has none to give. It maps with
// MapPermissionsKept, so the kernel maps only a frame still kept for this
// process and mapped nowhere (which then becomes ordinary data): an
// entry for a frame taken by force, maybe given back since for another
// use, or a second entry for one frame, is refused and dropped. A frame
// still kept whose mapping is refused (the slot, not the frame) goes back
// to the kernel, and the caller asks for a new frame.
func mapFromPool(segment, slot uint64, permissions exo.Permissions) uint64 {
	for {
		frame := poolPop()
		if frame == 0 {
			return 0
		}
		if exo.SegmentMapFrame(segment, slot, frame, exo.MapPermissions(permissions)|exo.MapPermissionsKept) == 0 {
			atomic.AddUint64(&Reused, 1)
			return frame
		}
		if kept(frame) {
			exo.FrameFree(frame)
			return 0
		}
	}
}

// DropPool empties the pool after the kernel took frames by force (the
// revocation upcall with detail 0): memory is short, so the frames still
// kept go back to the kernel, and entries for frames taken are forgotten
// before a fault could map one that is now something else. It returns how
// many it freed. The memory lock is held alone.
func DropPool() uint64 {
	atomic.StoreUint32(&Pressed, 1)
	freed := uint64(0)
	for frame := poolPop(); frame != 0; frame = poolPop() {
		if kept(frame) && exo.FrameFree(frame) == 0 {
			freed++
		}
	}
	return freed
}

// kept reports whether the frame table (the kernel's read-only view) says
// frame is kept for this process (segment_release's keep) and mapped
// nowhere.
func kept(frame uint64) bool {
	return frameIs(frame, exo.FrameUseKept)
}

// frameIs reports whether the frame table says frame is one of this
// process's with use, that nothing maps and that is handed over.
func frameIs(frame, use uint64) bool {
	e := *(*uint64)(at(exo.AddressFrameTableView + uintptr(frame/PageSize)*8))
	return Owner != 0 && e&exo.FrameEntryUseMask == use &&
		e>>exo.FrameEntryOwnerShift&exo.FrameEntryOwnerMask == Owner &&
		e>>exo.FrameEntryRefsShift&exo.FrameEntryRefsMask == 0 && e&exo.FrameEntryFresh == 0
}

// GiveBack frees up to n frames of the pool (0: all of them), for a
// revocation request, and returns how many it freed. The memory lock is
// held alone.
func GiveBack(n uint64) uint64 {
	atomic.StoreUint32(&Pressed, 1)
	given := uint64(0)
	for n == 0 || given < n {
		frame := poolPop()
		if frame == 0 {
			break
		}
		if kept(frame) && exo.FrameFree(frame) == 0 {
			given++
		}
	}
	GivenBack += given
	return given
}

// Pooled returns how many frames the pool holds.
func Pooled() uint64 { return uint64(atomic.LoadUint32(&poolCount)) }
