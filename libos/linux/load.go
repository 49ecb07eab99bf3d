package linux

import (
	"exogo/abi/elfload"
	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/mem"
)

// Loading a child: its image (and the interpreter's, for a program that
// does not bring its own libOS) and its start stack, each 2 MiB region
// through a PT segment filled at spawnWindow and then given to the child;
// the interpreter's read-only regions are shared instead (linkShared).

// loadImage maps plan's segments into child, filled from image. With
// share (the interpreter image, which never changes), a region no
// writable segment touches is built once, kept by this process and
// linked read-only into every child (linkShared). With lazy (a program
// started beside the interpreter), a region without file bytes is left
// for the interpreter to commit on demand (elfload.FileBacked).
func loadImage(child uint64, image uintptr, plan *elfload.Plan, share, lazy bool) bool {
	if share {
		retireShared()
	}
	for region := plan.Low &^ (mem.RegionSize - 1); region < plan.High; region += mem.RegionSize {
		if !regionUsed(plan, region, false) {
			continue // a gap between segments: no segment, no tables
		}
		if lazy && !elfload.FileBacked(plan.Segments[:uint(plan.Count)%(elfload.MaxSegments+1)], region) {
			continue // bss only: the interpreter commits it on demand
		}
		if share && !regionUsed(plan, region, true) && linkShared(child, image, plan, region) {
			continue
		}
		segment, ok := beginSegment()
		if !ok {
			return false
		}
		if !fillRegion(segment, image, plan, region) {
			return finishSegment(child, segment, region, false)
		}
		if !finishSegment(child, segment, region, true) {
			return false
		}
	}
	return true
}

// fillRegion gives the segment linked at spawnWindow a frame for every
// page of region that plan uses, with the file's bytes and the page's
// permissions.
func fillRegion(segment uint64, image uintptr, plan *elfload.Plan, region uint64) bool {
	for page := region; page < region+mem.RegionSize && page < plan.High; page += mem.PageSize {
		write, execute, used := pagePermissions(plan, page)
		if !used {
			continue
		}
		if !addPage(segment, page-region) {
			return false
		}
		fillPage(image, plan, page, spawnWindow+uintptr(page-region))
		permissions := exo.Permissions(0)
		if write {
			permissions |= exo.PermissionsWrite
		}
		if execute {
			permissions |= exo.PermissionsExecute
		}
		if permissions != exo.PermissionsWrite && exo.SegmentProtect(segment, (page-region)/mem.PageSize, permissions) != 0 {
			return false
		}
	}
	return true
}

// sharedRegion is one of the interpreter image's read-only regions (its
// text and read-only data; the Makefile links it with 2 MiB segment
// rounding, so that its writable data has regions of its own): a PT
// segment built once, owned by this process and linked into children
// read-only, with the frames it maps (slot by slot).
type sharedRegion struct {
	address, segment uint64
	frames           [512]uint64
}

// sharedRegions are the regions in use. A region the kernel took a frame
// of by force (a revocation this process did not answer in time) is
// retired: children that link it keep it until they end, after which it
// is destroyed and its frames freed (retireShared); the next child gets a
// new one.
var sharedRegions, retiredRegions [4]sharedRegion

// linkShared links the shared segment of region into child, read-only
// and executable, building it first if it is not built yet or was
// retired. It reports false when it cannot (the caller then copies the
// region).
func linkShared(child uint64, image uintptr, plan *elfload.Plan, region uint64) bool {
	slot, free := -1, -1
	for i := range sharedRegions {
		switch sharedRegions[i].address {
		case region:
			slot = i
		case 0:
			if free < 0 {
				free = i
			}
		}
	}
	if slot >= 0 && !sharedIntact(&sharedRegions[uint(slot)%uint(len(sharedRegions))]) {
		retire(&sharedRegions[uint(slot)%uint(len(sharedRegions))])
		slot, free = -1, slot
	}
	if slot < 0 {
		if free < 0 {
			return false
		}
		segment, ok := beginSegment()
		if !ok {
			return false
		}
		if !fillRegion(segment, image, plan, region) || exo.SegmentUnlink(spawnWindow, exo.LevelPT) != 0 {
			finishSegment(0, segment, region, false) // frees what it got
			return false
		}
		s := &sharedRegions[uint(free)%uint(len(sharedRegions))]
		s.address, s.segment, s.frames = region, segment, spawnFrames
		spawnFrames = [512]uint64{} // the shared segment's now, not the spawn's
		slot = free
	}
	return exo.ProcessLinkSegment(child, sharedRegions[uint(slot)%uint(len(sharedRegions))].segment, uintptr(region), exo.PermissionsExecute) == 0
}

// sharedIntact reports whether every frame of s is still this process's.
func sharedIntact(s *sharedRegion) bool {
	for _, frame := range s.frames {
		if frame != 0 && !mem.Ours(frame) {
			return false
		}
	}
	return true
}

// retire moves s to the retired regions (or, with none free, forgets it:
// its segment and frames stay this process's until it ends).
func retire(s *sharedRegion) {
	for i := range retiredRegions {
		if retiredRegions[i].segment == 0 {
			retiredRegions[i] = *s
			break
		}
	}
	*s = sharedRegion{}
}

// retireShared destroys each retired region that no child links any
// longer, and frees its frames (the kernel frees only those still this
// process's).
func retireShared() {
	for i := range retiredRegions {
		r := &retiredRegions[i]
		if r.segment == 0 || exo.SegmentDestroy(r.segment) != 0 {
			continue // still linked by a child
		}
		for _, frame := range r.frames {
			if frame != 0 {
				exo.FrameFree(frame)
			}
		}
		*r = sharedRegion{}
	}
}

// regionUsed reports whether any segment of plan (any writable one, with
// writable) touches the 2 MiB region.
func regionUsed(plan *elfload.Plan, region uint64, writable bool) bool {
	for i := 0; i < plan.Count && i < len(plan.Segments); i++ {
		s := &plan.Segments[i]
		if (s.Write || !writable) && s.Vaddr < region+mem.RegionSize && s.Vaddr+s.Memsz > region {
			return true
		}
	}
	return false
}

// pagePermissions returns the union of the permissions of the segments
// touching page, and whether any does.
func pagePermissions(plan *elfload.Plan, page uint64) (write, execute, used bool) {
	for i := 0; i < plan.Count && i < len(plan.Segments); i++ {
		s := &plan.Segments[i]
		if page+mem.PageSize <= s.Vaddr || page >= s.Vaddr+s.Memsz {
			continue
		}
		used = true
		write = write || s.Write
		execute = execute || s.Execute
	}
	return write, execute, used
}

// fillPage copies into the page at window the file bytes of every segment
// that has some in the page (the frame is zeroed: the rest stays zero).
// image is the file's address; elfload.Parse checked that every
// segment's bytes lie in it.
func fillPage(image uintptr, plan *elfload.Plan, page uint64, window uintptr) {
	for i := 0; i < plan.Count && i < len(plan.Segments); i++ {
		s := &plan.Segments[i]
		start, end := max(page, s.Vaddr), min(page+mem.PageSize, s.Vaddr+s.Filesz)
		if start >= end {
			continue
		}
		from := image + uintptr(s.Offset+(start-s.Vaddr))
		copy(bare.Bytes(window+uintptr(start-page), uintptr(end-start)), bare.Bytes(from, uintptr(end-start)))
	}
}

// beginSegment creates a PT segment and links it at the spawn window.
func beginSegment() (uint64, bool) {
	segment := exo.SegmentCreate(exo.LevelPT)
	if segment < 0 {
		return 0, false
	}
	if exo.SegmentLink(uint64(segment), spawnWindow, exo.PermissionsWrite) != 0 {
		exo.SegmentDestroy(uint64(segment))
		return 0, false
	}
	for i := range spawnFrames {
		spawnFrames[i] = 0
	}
	return uint64(segment), true
}

// addPage gives the segment a zeroed frame at offset, mapped writable.
func addPage(segment, offset uint64) bool {
	slot := offset / mem.PageSize
	frame := exo.FrameAllocMap(segment, slot, exo.PermissionsWrite)
	if frame < 0 {
		return false
	}
	spawnFrames[slot%512] = uint64(frame)
	return true
}

// finishSegment unlinks the segment from the window and, when ok, links it
// into child at address and gives it away; otherwise (or when that fails)
// it frees the segment's frames and destroys it.
func finishSegment(child, segment, address uint64, ok bool) bool {
	exo.SegmentUnlink(spawnWindow, exo.LevelPT)
	if ok && exo.ProcessLinkSegment(child, segment, uintptr(address), exo.PermissionsWrite|exo.PermissionsExecute) == 0 {
		if exo.SegmentGive(segment, child) == 0 {
			return true
		}
		// Linked but not given: the child's end unlinks it; the frames
		// are freed below once nothing maps them.
		destroyChild(child)
	}
	for i := range spawnFrames {
		if spawnFrames[i] != 0 {
			exo.SegmentUnmap(segment, uint64(i))
			exo.FrameFree(spawnFrames[i])
			spawnFrames[i] = 0
		}
	}
	exo.SegmentDestroy(segment)
	return false
}

// childStackPointer is the stack pointer startStack built.
var childStackPointer uint64

// startStack gives child its initial stack (the start protocol: Linux's
// layout at exo.StartStackTop, with exogo's auxiliary entries). path is
// the program's (AT_EXECFN), plan
// the program's; interpreter is where the interpreter image starts (AT_BASE),
// 0 for a native program.
func startStack(child uint64, path string, args, env []string, plan *elfload.Plan, interpreter uint64, symbols elfload.Symbols) bool {
	segment, ok := beginSegment()
	if !ok {
		return false
	}
	region := uint64(exo.StartStackTop - mem.RegionSize)
	for offset := uint64(mem.RegionSize - exo.StartStackSize); offset < mem.RegionSize; offset += mem.PageSize {
		if !addPage(segment, offset) {
			return finishSegment(child, segment, region, false)
		}
	}
	var random [16]byte
	fillRandom(random[:])
	consoleSegment, ports, screenSegment, screenKind := grantConsole(child)
	// The current directory's path goes at the very top, for the child's
	// libOS (StartAuxCwd); the Linux stack below it.
	stack := bare.Bytes(spawnWindow+mem.RegionSize-exo.StartStackSize, exo.StartStackSize)
	cwd, top := uint64(0), uintptr(exo.StartStackTop)
	if n, errno := cwdPath(stack[len(stack)-pathMax-8:]); errno == 0 && n > 1 {
		top -= uintptr(pathMax + 8)
		cwd = uint64(top)
	}
	// Below it, the table of the descriptors it inherits (inherit.go).
	top -= inheritBytes
	files := uint64(top)
	if !writeInherited(child, stack[uintptr(len(stack))-(exo.StartStackTop-top):]) {
		return finishSegment(child, segment, region, false)
	}
	aux := [...]abi.AuxEntry{
		{Key: abi.AtPagesz, Value: mem.PageSize},
		{Key: abi.AtRandom},
		{Key: abi.AtEntry, Value: plan.Entry},
		{Key: abi.AtPhdr, Value: plan.Phdr},
		{Key: abi.AtPhent, Value: 56},
		{Key: abi.AtPhnum, Value: uint64(plan.Phnum)},
		{Key: abi.AtBase, Value: interpreter},
		{Key: abi.AtUID, Value: uint64(procUID)},
		{Key: abi.AtEUID, Value: uint64(procUID)},
		{Key: abi.AtGID, Value: uint64(procGID)},
		{Key: abi.AtEGID, Value: uint64(procGID)},
		{Key: exo.StartAuxPid, Value: child},
		{Key: exo.StartAuxConsoleSegment, Value: consoleSegment},
		{Key: exo.StartAuxConsolePorts, Value: ports},
		{Key: exo.StartAuxScreenSegment, Value: screenSegment},
		{Key: exo.StartAuxScreenKind, Value: screenKind},
		{Key: exo.StartAuxPclntab, Value: symbols.Pclntab},
		{Key: exo.StartAuxPclntabSize, Value: symbols.PclntabSize},
		{Key: exo.StartAuxText, Value: symbols.Text},
		{Key: exo.StartAuxCwd, Value: cwd},
		{Key: exo.StartAuxFiles, Value: files},
	}
	childStackPointer = uint64(abi.InitialStack(stack[:uintptr(len(stack))-(exo.StartStackTop-top)], top, path, args, env, aux[:], random))
	return finishSegment(child, segment, region, childStackPointer != 0)
}
