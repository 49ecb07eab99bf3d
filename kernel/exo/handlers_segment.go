package exo

import (
	"exogo/kernel/layout"
	"exogo/kernel/memory"
	"exogo/kernel/physmem"
	"exogo/kernel/process"
	"exogo/kernel/segment"
	"exogo/kernel/smp"
)

// Segments (XOmB section 2.1): page-table subtrees a process creates, fills
// with its own frames, links into address spaces and grants to others. The
// logic and its checks are in kernel/segment; these handlers translate
// between the call table's types and the package's, and flush TLBs.

// segments is the kernel's segment table.
var segments segment.Table

func memoryAccess() segment.Memory {
	return segment.Memory{Frames: &memory.Frames, DirectMap: layout.DirectMap}
}

// pageRights turns a call's permissions into segment rights (read is
// always implied).
func pageRights(p Permissions) segment.Rights {
	r := segment.Read
	if p&PermissionsWrite != 0 {
		r |= segment.Write
	}
	if p&PermissionsExecute != 0 {
		r |= segment.Execute
	}
	return r
}

// segmentError maps a segment status to the call's error result.
func segmentError(s segment.Status) int64 {
	switch s {
	case segment.OK:
		return 0
	case segment.BadID, segment.SlotEmpty, segment.NotASegment, segment.FrameNotMappable:
		return -ErrNoSuchObject
	case segment.BadLevel, segment.BadRights, segment.BadIndex, segment.LevelMismatch, segment.BadGrantee:
		return -ErrBadArgument
	case segment.NotOwner, segment.FrameNotOwned:
		return -ErrNotOwner
	case segment.NoAccess, segment.RightsExceeded, segment.NotGranted, segment.DeviceSegment:
		return -ErrNoRight
	case segment.NoMemory:
		return -ErrNoMemory
	case segment.TableFull, segment.TooManyGrants, segment.TooManyReferences, segment.OverLimit:
		return -ErrLimit
	case segment.SlotInUse, segment.StillLinked, segment.InTheWay:
		return -ErrBusy
	case segment.Misaligned:
		return -ErrMisaligned
	}
	return -ErrBadAddress // NotCanonical, NotUserAddress, BadRoot
}

// After an unlink, no CPU running the address space may keep a stale
// translation; after an unmap, none running any space that links the
// segment (at the places the segment package records, or, when there are
// more than a few or it is mapped in a bigger segment, every CPU). The
// shootdown waits for every CPU concerned before the call returns, so a
// frame freed afterwards is unreachable. An unlink, unmap or withdrawal
// may take an orphan's last user (segment.reap): its frames are freed only
// then, after the shootdown (releaseOrphans).

// releaseOrphans frees the frames of orphans whose last reference went in
// this call. Call it only after the call's TLB shootdown.
func releaseOrphans() { memory.Frames.ReleasePending() }

func sysSegmentCreate(caller *Caller, level Level) int64 {
	id, status := segments.Create(memoryAccess(), caller.Process.ID, segment.Level(level))
	if status != segment.OK {
		return segmentError(status)
	}
	return int64(id)
}

// sysSegmentDestroy destroys a segment nothing links or maps. Orphans it
// mapped may go with it; nothing could reach them (no link, no parent
// since this one, and every earlier link's removal was flushed), so their
// frames are free at once.
func sysSegmentDestroy(caller *Caller, id uint32) int64 {
	result := segmentError(segments.Destroy(memoryAccess(), caller.Process.ID, segment.ID(id)))
	releaseOrphans()
	return result
}

func sysSegmentMapFrame(caller *Caller, id uint32, slot uint32, frame uint64, permissions MapPermissions) int64 {
	r := pageRights(Permissions(permissions &^ MapPermissionsKept))
	if permissions&MapPermissionsKept != 0 {
		return segmentError(segments.MapKeptFrame(memoryAccess(), caller.Process.ID, segment.ID(id), uint(slot), frame, r))
	}
	return segmentError(segments.MapFrame(memoryAccess(), caller.Process.ID, segment.ID(id), uint(slot), frame, r))
}

// MapPermissions' Write and Execute are Permissions' (pageRights).
var _ = [1]struct{}{}[uint64(MapPermissionsWrite|MapPermissionsExecute)-uint64(PermissionsAll)]

func sysSegmentMapSegment(caller *Caller, id uint32, slot uint32, child uint32, permissions Permissions) int64 {
	return segmentError(segments.MapSegment(memoryAccess(), caller.Process.ID, segment.ID(id), uint(slot), segment.ID(child), pageRights(permissions)))
}

func sysSegmentUnmap(caller *Caller, id uint32, slot uint32) int64 {
	removed, status := segments.Unmap(memoryAccess(), caller.Process.ID, segment.ID(id), uint(slot))
	if status != segment.OK {
		return segmentError(status)
	}
	invalidateSlot(segment.ID(id), removed)
	releaseOrphans()
	return 0
}

// invalidateSlot drops every CPU's translations of the slot of segment id
// that changed: the one page where the segment is linked, if every link
// is known; otherwise every CPU's user translations.
func invalidateSlot(id segment.ID, changed segment.Unmapped) {
	if changed.Size != 4096 {
		smp.FlushSpace(0)
		return
	}
	invalidateSpan(id, changed)
}

func sysSegmentLink(caller *Caller, id uint32, address uintptr, permissions Permissions) int64 {
	result := segmentError(segments.Link(memoryAccess(), caller.Process.ID, caller.Process.Space.Root, address, segment.ID(id), pageRights(permissions)))
	if result == 0 {
		linkedScreen(caller.Process, uint64(id), permissions)
	}
	return result
}

func sysSegmentUnlink(caller *Caller, address uintptr, level Level) int64 {
	root := caller.Process.Space.Root
	id, status := segments.Unlink(memoryAccess(), root, address, segment.Level(level))
	if status != segment.OK {
		return segmentError(status)
	}
	// A PT segment with few pages: invalidate those pages, and the
	// region's base (which also drops any cached page-directory entry for
	// the 2 MiB region, so a page mapped later cannot be reached through a
	// stale one). Otherwise flush the address space everywhere.
	var slots [16]uint16
	n, all := segments.MappedSlots(memoryAccess(), id, &slots) // not all when it was an orphan, now gone
	if level != LevelPT || !all {
		smp.FlushSpace(root)
		releaseOrphans()
		if level == LevelPD {
			collectFiles() // a file closed: freed if it was its last link and it has no name
		}
		return 0
	}
	smp.InvalidatePage(root, address)
	for i := 0; i < n && i < len(slots); i++ {
		if slots[i] != 0 {
			smp.InvalidatePage(root, address+uintptr(slots[i])*4096)
		}
	}
	return 0
}

func sysSegmentGrant(caller *Caller, id uint32, process uint32, rights Rights) int64 {
	if process == 0 || process > 0xffff {
		return -ErrNoSuchObject
	}
	r := segment.Read
	if rights&RightsWrite != 0 {
		r |= segment.Write
	}
	if rights&RightsExecute != 0 {
		r |= segment.Execute
	}
	if rights&RightsGrant != 0 {
		r |= segment.GrantOn
	}
	return segmentError(segments.Grant(caller.Process.ID, segment.ID(id), uint16(process), r))
}

// sysFrameAllocMap is frame_alloc followed by segment_map_frame, in one
// call: a libOS resolving a page fault needs both, and each call is a
// crossing into the kernel. When the mapping is refused, the frame goes
// back at once and the mapping's error is the result.
//
// It runs without smp.Lock while memory is not low (lockFree), so it
// never holds the two tables' locks at once: the frame is charged with
// the reference its mapping will hold (ChargeMapped), so revocation by
// force, which takes unreferenced frames, cannot take it before
// MapCharged stores it.
func sysFrameAllocMap(caller *Caller, id uint32, slot uint32, permissions Permissions) int64 {
	if caller.Locked {
		maybeRevoke(caller.Now())
	}
	owner := caller.Process.ID
	frame, status := memory.Frames.ChargeMapped(owner, physmem.UseProcess, true)
	switch status {
	case physmem.Done:
	case physmem.OverLimit:
		return -ErrLimit
	default:
		return -ErrNoMemory
	}
	if result := segments.MapCharged(memoryAccess(), owner, segment.ID(id), uint(slot), frame, pageRights(permissions)); result != segment.OK {
		memory.Frames.CancelMapped(frame, owner, physmem.UseProcess)
		return segmentError(result)
	}
	return int64(frame)
}

// sysSegmentWithdraw takes back grantee's grant on segment id (grantee 0:
// every grant) and every link and mapping made on it
// (segment.Table.Withdraw), wherever they are: the segment's records say.
// When anything was removed, every CPU flushes its user translations
// before the call returns.
func sysSegmentWithdraw(caller *Caller, id uint32, grantee uint32) int64 {
	if grantee > 0xffff {
		return -ErrNoSuchObject
	}
	removed, status := segments.Withdraw(memoryAccess(), caller.Process.ID, segment.ID(id), uint16(grantee))
	if status != segment.OK {
		return segmentError(status)
	}
	if removed > 0 {
		smp.FlushSpace(0)
		releaseOrphans()
	}
	return int64(removed)
}

// The segment table's limits are sized for kernel/process's table: fail
// to compile if the two disagree.
var _ = [1]struct{}{}[process.MaxProcesses-segment.MaxProcesses]

// No process is ever the file system's owner.
var _ = [1]struct{}{}[process.LastID+1-segment.FilesOwner]

func sysSegmentProtect(caller *Caller, id uint32, slot uint32, permissions Permissions) int64 {
	changed, status := segments.Protect(memoryAccess(), caller.Process.ID, segment.ID(id), uint(slot), pageRights(permissions))
	if status != segment.OK {
		return segmentError(status)
	}
	invalidateSlot(segment.ID(id), changed) // no CPU may keep the old permissions
	return 0
}

// sysSegmentGive gives a PT segment and its frames to a child that has not
// started (segment.Give says what it checks).
func sysSegmentGive(caller *Caller, id uint32, receiver uint32) int64 {
	p, err := child(caller, receiver)
	if p == nil {
		return err
	}
	if p.State != process.Created {
		return -ErrBusy
	}
	return segmentError(segments.Give(memoryAccess(), caller.Process.ID, segment.ID(id), p.ID, p.Space.Root))
}

// releaseBatch is how many frames segment_release unmaps before each TLB
// shootdown (its list is on the kernel stack).
const releaseBatch = 64

// sysSegmentRelease unmaps the frames at count slots of the caller's PT
// segment id from slot first on and frees those that are the caller's
// data and mapped nowhere else, a batch of releaseBatch at a time: the
// slots cleared (segment.UnmapFrames), one shootdown for the span they
// cover wherever the segment is linked, then the frees, so no CPU can
// reach a frame once it is free. The first keep frames it would free are
// zeroed and kept instead (the caller's, unmapped: a libOS's pool, which
// it can map again without a frame_alloc). It returns how many it freed.
func sysSegmentRelease(caller *Caller, id uint32, first uint32, count uint64, keep uint64) int64 {
	if count == 0 || count > segment.Entries-uint64(first) {
		return -ErrBadArgument
	}
	owner := caller.Process.ID
	end := uint(first) + uint(count)
	var frames [releaseBatch]uint64
	freed, kept := int64(0), uint64(0)
	for slot := uint(first); slot < end; {
		n, next, span, status := segments.UnmapFrames(memoryAccess(), owner, segment.ID(id), slot, end, frames[:])
		if status != segment.OK {
			return segmentError(status) // only the first batch can fail: nothing else changes the segment under smp.Lock
		}
		if n > 0 {
			invalidateSpan(segment.ID(id), span)
			for i := 0; i < n && i < len(frames); i++ {
				if kept < keep && memory.Frames.KeepZeroed(frames[i], owner) == physmem.Done {
					kept++
				} else if memory.Frames.FreeOwned(frames[i], owner) == physmem.Done {
					freed++
				}
			}
		}
		slot = next
	}
	releaseOrphans()
	return freed
}

// invalidateSpan drops every CPU's translations of span of segment id:
// its pages wherever the segment is linked, when every link is known
// (one request per link); otherwise every CPU's user translations.
func invalidateSpan(id segment.ID, span segment.Unmapped) {
	places, n, complete := segments.Places(id)
	if !complete {
		smp.FlushSpace(0)
		return
	}
	for i := 0; i < n && i < len(places); i++ {
		start := places[i].Address + uintptr(span.Offset)
		smp.InvalidateRange(places[i].Root, start, start+uintptr(span.Size))
	}
}
