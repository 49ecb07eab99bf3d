// Handlers not written yet. Each returns -ErrNotImplemented (except
// sysNull, which is complete), so that Dispatch compiles and a process
// calling one learns that the call exists but does nothing yet.
//
// This file is NOT generated and the generator does not read it. To
// implement a call, move its function to a file of its own (segments.go,
// processes.go, ...) and write the body; the signature is the one in the
// comment on its Call constant in dispatch_gen.go. For a new call added to
// syscalls.conf, `go run ./kernel/exo/internal/gensyscalls -handlers`
// prints a stub for every call to copy from.

package exo

// sysSegmentCreate implements segment_create: create an empty segment whose root table is at the given level.
func sysSegmentCreate(caller *Caller, level Level) int64 {
	return -ErrNotImplemented
}

// sysSegmentDestroy implements segment_destroy: destroy a segment that is not linked anywhere.
func sysSegmentDestroy(caller *Caller, segment uint32) int64 {
	return -ErrNotImplemented
}

// sysSegmentMapFrame implements segment_map_frame: map a frame at one slot of a PT segment.
func sysSegmentMapFrame(caller *Caller, segment uint32, slot uint32, frame uint64, permissions Permissions) int64 {
	return -ErrNotImplemented
}

// sysSegmentMapSegment implements segment_map_segment: link a child segment one level down at one slot of a segment.
func sysSegmentMapSegment(caller *Caller, segment uint32, slot uint32, child uint32, permissions Permissions) int64 {
	return -ErrNotImplemented
}

// sysSegmentUnmap implements segment_unmap: clear one slot of a segment.
func sysSegmentUnmap(caller *Caller, segment uint32, slot uint32) int64 {
	return -ErrNotImplemented
}

// sysSegmentLink implements segment_link: link a segment into the caller's address space at an address aligned to its size.
func sysSegmentLink(caller *Caller, segment uint32, address uintptr, permissions Permissions) int64 {
	return -ErrNotImplemented
}

// sysSegmentUnlink implements segment_unlink: remove the segment linked at an address of the caller's address space.
func sysSegmentUnlink(caller *Caller, address uintptr, level Level) int64 {
	return -ErrNotImplemented
}

// sysSegmentGrant implements segment_grant: let another process use a segment the caller owns.
func sysSegmentGrant(caller *Caller, segment uint32, process uint32, rights Rights) int64 {
	return -ErrNotImplemented
}

// sysProcessCreate implements process_create: create an empty process (no segments, not running) whose parent is the caller.
func sysProcessCreate(caller *Caller) int64 {
	return -ErrNotImplemented
}

// sysProcessLinkSegment implements process_link_segment: link a segment into a child's address space.
func sysProcessLinkSegment(caller *Caller, process uint32, segment uint32, address uintptr, permissions Permissions) int64 {
	return -ErrNotImplemented
}

// sysProcessStart implements process_start: start a child at an entry point with a stack pointer.
func sysProcessStart(caller *Caller, process uint32, entry uintptr, stack uintptr) int64 {
	return -ErrNotImplemented
}

// sysProcessDestroy implements process_destroy: end a child process.
func sysProcessDestroy(caller *Caller, process uint32) int64 {
	return -ErrNotImplemented
}

// sysUpcallRegister implements upcall_register: set the caller's upcall entry table (8 entry points) and upcall stack.
func sysUpcallRegister(caller *Caller, table uintptr, stack uintptr, stackSize uint64) int64 {
	return -ErrNotImplemented
}

// sysUpcallResume implements upcall_resume: leave an upcall: load the saved context (256 bytes) and continue there.
func sysUpcallResume(caller *Caller, context uintptr) int64 {
	return -ErrNotImplemented
}

// sysRevokeReply implements revoke_reply: answer a revocation request: count frames were given back.
func sysRevokeReply(caller *Caller, count uint64) int64 {
	return -ErrNotImplemented
}

// sysIrqBind implements irq_bind: deliver an interrupt line to the caller as upcalls.
func sysIrqBind(caller *Caller, irq uint32) int64 {
	return -ErrNotImplemented
}

// sysIoportBind implements ioport_bind: allow the caller to use count I/O ports from first on.
func sysIoportBind(caller *Caller, first uint32, count uint64) int64 {
	return -ErrNotImplemented
}

// sysDeviceGrant implements device_grant: give another process the right to a device the caller holds.
func sysDeviceGrant(caller *Caller, device uint32, process uint32) int64 {
	return -ErrNotImplemented
}
