package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/bootfs"
	"exogo/libos/elfload"
	"exogo/libos/exo"
	"exogo/libos/mem"
	"exogo/libos/uthread"
)

// Processes: the libOS loads a program from the boot module into a child
// process with its own ELF loader (segments, never the kernel's loader),
// starts it, learns of its end from the kernel's child upcall and reports
// its status through wait4.
//
// A child is filled through a window in the parent's own address space: a
// fresh PT segment is linked there, its pages get frames (frame_alloc_map)
// and the file's bytes, read-only pages are protected in place
// (segment_protect), and the segment is unlinked, linked into the child and
// given to it (segment_give): the child owns and is charged for its image
// and stack, and the parent keeps nothing to clean up.

// SysSpawn is exogo's own call (not Linux's): spawn(path, argv, envp)
// starts the program at path (a file of the boot module) in a new child
// process and returns its process id. libos/spawn wraps it for programs.
const SysSpawn = 0x2000

const (
	// spawnWindow is where the parent links a child's segment while it
	// fills it (2 MiB, in the libOS's part of the address space).
	spawnWindow = 0x7e20_0000_0000
	maxChildren = 64
	childrenKey = 0x2000 // the uthread key of threads waiting in wait4
	maxArgs     = 64
)

// child is one child process, from spawn until wait4 reports it.
type child struct {
	pid    uint32
	exited bool
	status uint32
	signal uint32 // the signal the parent's kill ended it with (0: none)
}

var (
	children [maxChildren]child
	// spawnFrames are the frames of the segment being filled, freed if
	// the spawn fails before the segment is given away.
	spawnFrames [512]uint64
	spawnPlan   elfload.Plan
	// spawnText holds copies of a spawn's argument and environment
	// strings.
	spawnText [2][4096]byte
)

// sysSpawn starts the program at path with the argument and environment
// vectors at argv and envp (NULL-terminated arrays of C strings).
func sysSpawn(path, argv, envp uint64) int64 {
	var pathBuf, nameBuf [256]byte
	p, errno := userString(path, pathBuf[:])
	if errno != 0 {
		return errno
	}
	if p == "" {
		return -abi.ENOENT
	}
	name, ok := bootfs.Clean(nameBuf[:], p)
	if !ok {
		return -abi.ENAMETOOLONG
	}
	archive := bootArchive()
	e, found := bootfs.Lookup(archive, name)
	if !found {
		return -abi.ENOENT
	}
	if e.Mode&0o170000 != 0o100000 {
		return -abi.EACCES
	}
	if e.Data > uint64(len(archive)) || e.Size > uint64(len(archive))-e.Data {
		return -abi.ENOEXEC
	}
	image := bare.Bytes(uintptr(bootModule.data+e.Data), uintptr(e.Size))
	plan := &spawnPlan
	if problem := elfload.Parse(image, mem.UserStart, mem.LibOSBase, plan); problem != elfload.OK {
		say3("libos: cannot run /", name, ": ", problem.String())
		return -abi.ENOEXEC
	}
	// The vectors, copied into spawnText and made strings in arrays on
	// this stack (stores there need no write barrier).
	var texts [2][maxArgs]abi.Text
	nargs, ok1 := userStrings(argv, &texts[0], spawnText[0][:])
	nenv, ok2 := userStrings(envp, &texts[1], spawnText[1][:])
	if !ok1 || !ok2 {
		return -abi.E2BIG
	}
	var args, env [maxArgs]string
	for i := 0; i < nargs && i < maxArgs; i++ {
		args[i] = bare.StringAt(texts[0][i].Address, texts[0][i].Length)
	}
	for i := 0; i < nenv && i < maxArgs; i++ {
		env[i] = bare.StringAt(texts[1][i].Address, texts[1][i].Length)
	}
	symbols, _ := elfload.Sections(image, plan) // zeros without them: reports by address
	id := exo.ProcessCreate()
	if id < 0 {
		return -abi.EAGAIN
	}
	slot := -1
	for i := range children {
		if children[i].pid == 0 {
			slot = i
			break
		}
	}
	// The child sees the boot module too (read-only), if it can be
	// linked; its start stack says whether it was.
	module := uint64(0)
	if bootModule.segment != 0 && exo.ProcessLinkSegment(uint64(id), bootModule.segment, exo.StartBootModule, 0) == 0 {
		module = bootModule.segment
	}
	if slot < 0 || !loadImage(uint64(id), uintptr(bootModule.data+e.Data), plan) ||
		!startStack(uint64(id), args[:uint(nargs)%(maxArgs+1)], env[:uint(nenv)%(maxArgs+1)], plan, module, symbols) {
		destroyChild(uint64(id))
		if slot < 0 {
			return -abi.EAGAIN
		}
		return -abi.ENOMEM
	}
	if r := exo.ProcessStart(uint64(id), uintptr(plan.Entry), uintptr(childStackPointer)); r != 0 {
		destroyChild(uint64(id))
		return -abi.EAGAIN
	}
	children[uint(slot)%maxChildren] = child{pid: uint32(id)}
	return id
}

// say3 writes a line of four parts.
func say3(a, b, c, d string) {
	bare.Say(a)
	bare.Say(b)
	bare.Say(c)
	bare.SayLine(d, "")
}

// loadImage maps plan's segments into child, filled from image.
func loadImage(child uint64, image uintptr, plan *elfload.Plan) bool {
	for region := plan.Low &^ (mem.RegionSize - 1); region < plan.High; region += mem.RegionSize {
		if !regionUsed(plan, region) {
			continue // a gap between segments: no segment, no tables
		}
		segment, ok := beginSegment()
		if !ok {
			return false
		}
		for page := region; page < region+mem.RegionSize && page < plan.High; page += mem.PageSize {
			write, execute, used := pagePermissions(plan, page)
			if !used {
				continue
			}
			if !addPage(segment, page-region) {
				return finishSegment(child, segment, region, false)
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
				return finishSegment(child, segment, region, false)
			}
		}
		if !finishSegment(child, segment, region, true) {
			return false
		}
	}
	return true
}

// regionUsed reports whether any segment of plan touches the 2 MiB region.
func regionUsed(plan *elfload.Plan, region uint64) bool {
	for i := 0; i < plan.Count && i < len(plan.Segments); i++ {
		s := &plan.Segments[i]
		if s.Vaddr < region+mem.RegionSize && s.Vaddr+s.Memsz > region {
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
// layout at exo.StartStackTop, with exogo's auxiliary entries).
func startStack(child uint64, args, env []string, plan *elfload.Plan, module uint64, symbols elfload.Symbols) bool {
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
	aux := [...]abi.AuxEntry{
		{Key: abi.AtPagesz, Value: mem.PageSize},
		{Key: abi.AtRandom},
		{Key: abi.AtEntry, Value: plan.Entry},
		{Key: exo.StartAuxPid, Value: child},
		{Key: exo.StartAuxBootModuleSegment, Value: module},
		{Key: exo.StartAuxConsoleSegment, Value: consoleSegment},
		{Key: exo.StartAuxConsolePorts, Value: ports},
		{Key: exo.StartAuxScreenSegment, Value: screenSegment},
		{Key: exo.StartAuxScreenKind, Value: screenKind},
		{Key: exo.StartAuxPclntab, Value: symbols.Pclntab},
		{Key: exo.StartAuxPclntabSize, Value: symbols.PclntabSize},
		{Key: exo.StartAuxText, Value: symbols.Text},
	}
	stack := bare.Bytes(spawnWindow+mem.RegionSize-exo.StartStackSize, exo.StartStackSize)
	childStackPointer = uint64(abi.InitialStack(stack, exo.StartStackTop, args, env, aux[:], random))
	return finishSegment(child, segment, region, childStackPointer != 0)
}

// reapChildren collects the status of every child that exited (the child
// upcall, and the idle loop) and wakes the threads waiting in wait4.
func reapChildren() {
	woke := false
	for {
		r := exo.ProcessReap(0)
		if r < 0 {
			break
		}
		pid, status := uint32(r&0xffff), uint32(r>>16)
		for i := range children {
			if c := &children[i]; c.pid == pid {
				c.exited, c.status = true, status
				woke = true
			}
		}
	}
	if woke {
		threads.Wake(childrenKey, uthread.MaxThreads, callsHolder)
	}
}

// sysWait4 reports a child's end: pid > 0 that child, -1 any. Its status
// word is Linux's: for an exit, status << 8; for a child this process's
// kill ended, the signal (WIFSIGNALED). A process the kernel ended (by a
// fatal signal in its libOS, an exception) reports the kernel's status
// (128 + signal or vector) as an exit: the kernel does not yet say how a
// process ended.
func sysWait4(context uintptr, current int, pid, statusAddress, options uint64) int {
	const wnohang = 1
	reapChildren()
	any := false
	for i := range children {
		c := &children[i]
		if c.pid == 0 || (int64(pid) != -1 && uint64(c.pid) != pid) {
			continue
		}
		any = true
		if !c.exited {
			continue
		}
		word := (c.status & 0xff) << 8
		if c.signal != 0 {
			word = c.signal & 0x7f
		}
		if statusAddress != 0 && !putUser32(statusAddress, word) {
			putErrno(context, abi.EFAULT)
			return resume
		}
		put(context, exo.ContextRax, uint64(c.pid))
		*c = child{}
		return resume
	}
	switch {
	case !any:
		putErrno(context, abi.ECHILD)
		return resume
	case options&wnohang != 0:
		put(context, exo.ContextRax, 0)
		return resume
	}
	threads.Block(current, childrenKey, 0, 0, restartCall(context))
	return block
}

// sysKill signals a process: the program itself (as tgkill on its main
// thread) or one of its children, which any signal but 0 ends (children
// have no signal handlers the parent could reach yet).
func sysKill(context uintptr, current int, pid, signal uint64) int64 {
	if signal >= 65 {
		return -abi.EINVAL
	}
	if pid == uint64(processID) {
		return sysTgkill(context, current, pid, pid, signal)
	}
	for i := range children {
		if c := &children[i]; c.pid != 0 && uint64(c.pid) == pid {
			if signal != 0 && !c.exited && destroyChild(pid) {
				// The kernel tells no one of an end its parent caused.
				// TODO(issue 9): deliver catchable signals to the child's
				// libOS; any signal ends it for now.
				c.exited, c.status, c.signal = true, uint32(128+signal), uint32(signal)
				threads.Wake(childrenKey, uthread.MaxThreads, callsHolder)
			}
			return 0
		}
	}
	return -abi.ESRCH
}

// destroyChild ends a child (process_destroy: a vCPU running on another
// CPU ends at once, by IPI); it reports whether the child is gone.
func destroyChild(pid uint64) bool { return exo.ProcessDestroy(pid) == 0 }

// putErrno makes a call's result -errno.
func putErrno(context uintptr, errno int64) { put(context, exo.ContextRax, uint64(-errno)) }
