package exo

import (
	"exogo/kernel/process"
)

// The kernel loads the first program (kernel/loader.go) through the same
// calls a libOS makes to load a child: PT segments the process owns,
// linked into its address space, filled with frames charged to it. So
// the first program's memory follows every rule any other's does: each
// mapped frame holds a reference (the process cannot free it while it is
// mapped, nor can revocation take it), every table is charged to the
// process, and its end returns everything.

// LoaderSegment creates a PT segment owned by p and links it at address
// (2 MiB aligned) in p's address space, readable, writable and executable
// at the link (each page's own permissions decide). It returns the
// segment's id, or a negative exokernel error. The caller holds smp.Lock
// with interrupts off.
func LoaderSegment(p *process.Process, address uintptr) int64 {
	caller := Caller{Process: p}
	id := sysSegmentCreate(&caller, LevelPT)
	if id < 0 {
		return id
	}
	if result := sysSegmentLink(&caller, uint32(id), address, PermissionsWrite|PermissionsExecute); result < 0 {
		sysSegmentDestroy(&caller, uint32(id))
		return result
	}
	return id
}

// LoaderPage allocates a zeroed frame charged to p and maps it at slot of
// p's segment id with permissions, as frame_alloc_map does. It returns the
// frame's physical address, or a negative exokernel error (EXO_BUSY when
// the slot is mapped already). The caller holds smp.Lock with interrupts
// off.
func LoaderPage(p *process.Process, id uint64, slot uint32, permissions Permissions) int64 {
	caller := Caller{Process: p, Locked: true}
	return sysFrameAllocMap(&caller, uint32(id), slot, permissions)
}

// AbandonLoad ends p, a process the kernel's loader created but could not
// fill or start: everything it was given so far (its segments, their
// frames and tables, the screen's link) goes back,
// as at any process's end. The caller holds smp.Lock with interrupts off.
func AbandonLoad(p *process.Process) {
	endProcess(p, 127, false)
}
