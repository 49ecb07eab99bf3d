package exo

import (
	"exogo/kernel/process"
	"exogo/kernel/segment"
	"exogo/kernel/smp"
)

// Processes. The kernel creates a process empty; its parent's libOS fills
// it by linking segments into it (process_link_segment) and starts it at an
// entry point with a stack (process_start). A child gets its parent's
// console right, never the right to create processes.

// child returns the caller's child process id, or an error result.
func child(caller *Caller, id uint32) (*process.Process, int64) {
	if id == 0 || id > 0xffff {
		return nil, -ErrNoSuchObject
	}
	p := process.ByID(uint16(id))
	if p == nil || p.State == process.Exited || p.Exiting {
		return nil, -ErrNoSuchObject // gone, or going
	}
	if p.Parent != caller.Process.ID {
		return nil, -ErrNotOwner
	}
	return p, 0
}

func sysProcessCreate(caller *Caller, rights ProcessRights) int64 {
	if caller.Process.Rights&process.RightCreateProcess == 0 {
		return -ErrNoRight
	}
	if childrenOf(caller.Process.ID) >= MaxChildren {
		return -ErrLimit
	}
	// A child may create processes too (a shell's commands do), within
	// the same limit of children each.
	// TODO(issue 9): a quota for a whole tree of processes; now a tree
	// can still take every slot of the process table.
	p, status := process.Create(caller.Process.ID, caller.Process.Rights&process.Inherited&process.Rights(rights))
	switch status {
	case process.OK:
		p.UID, p.GID = caller.Process.UID, caller.Process.GID
		return int64(p.ID)
	case process.NoSlot:
		return -ErrLimit
	}
	return -ErrNoMemory
}

// MaxChildren is how many children (running, or exited and not reaped) a
// process may have.
const MaxChildren = 32

// childrenOf counts the processes whose parent is id.
func childrenOf(id uint16) int {
	n := 0
	for i := 0; i < process.MaxProcesses; i++ {
		if p := process.Table(i); p.State != process.Free && p.Parent == id && (p.State != process.Exited || p.Held) {
			n++
		}
	}
	return n
}

func sysProcessLinkSegment(caller *Caller, id uint32, segmentID uint32, address uintptr, permissions Permissions) int64 {
	p, err := child(caller, id)
	if p == nil {
		return err
	}
	// The caller's rights on the segment are checked, not the child's.
	result := segmentError(segments.Link(memoryAccess(), caller.Process.ID, p.Space.Root, address, segment.ID(segmentID), pageRights(permissions)))
	if result == 0 {
		linkedScreen(p, uint64(segmentID), permissions)
	}
	return result
}

func sysProcessStart(caller *Caller, id uint32, entry uintptr, stack uintptr) int64 {
	p, err := child(caller, id)
	if p == nil {
		return err
	}
	if p.State != process.Created {
		return -ErrBusy
	}
	if caller.Process.UID != 0 && (p.UID != caller.Process.UID || p.GID != caller.Process.GID) {
		// Made while the caller was root, which it no longer is: it may
		// not start code with rights it gave up.
		return -ErrNoRight
	}
	if !StartProcess(p, entry, stack, 0, 0) {
		return -ErrNoMemory
	}
	return 0
}

func sysProcessDestroy(caller *Caller, id uint32) int64 {
	p, err := child(caller, id)
	if p == nil {
		return err
	}
	// The caller ended it: nothing to tell it later. A vCPU running on
	// another CPU ends itself at once (an IPI), and the last one
	// releases the child.
	endProcess(p, ExitSignaled|sigKill, false)
	return 0
}

// release returns everything p holds, once its thread is gone and no CPU
// runs its address space: its segment links, the grants it held, the
// segments it owned (those others still use survive, orphaned), the page
// tables the kernel made for it, and its frames. With tell, a parent that
// still runs keeps p's status until it reaps it, and gets the child upcall.
func release(p *process.Process, tell bool) {
	mem := memoryAccess()
	// Its watches go first: the unlinks below can notify the words of
	// pipes it shared.
	watches.forget(&p.Watches)
	segments.UnlinkAll(mem, p.Space.Root)
	smp.FlushSpace(p.Space.Root)
	collectFiles() // the files it had open and nothing names any more
	if segments.ForgetGrantee(mem, p.ID) > 0 {
		smp.FlushSpace(0)
	}
	if _, _, taken := segments.DestroyOwnedBy(mem, p.ID); taken > 0 {
		smp.FlushSpace(0) // its segments were taken from other processes
	}
	releaseIRQs(p)
	if p.RevokePending {
		// Its request ends with it: counted here, or a slot reaped and
		// reused before the deadline would leave the count up for good
		// (and the kernel would never ask for memory again).
		p.RevokePending = false
		revocationsPending--
	}
	process.Release(p, tell)
	releaseOrphans()
	if parent := process.Parent(p); parent != nil && tell {
		wakeWaiter(parent) // the child upcall (BeforeResume) tells its libOS
	}
}

// sysProcessReap collects an exited child's status (id 0: any child's).
func sysProcessReap(caller *Caller, id uint32) int64 {
	if id > 0xffff {
		return -ErrNoSuchObject
	}
	child, status, result := process.Reap(caller.Process, uint16(id))
	if id == 0 && result != process.OK {
		// No exited child is left to report: nothing is pending (a
		// libOS reaps until this, so its wait cannot return at once
		// for a child it has already seen, nor miss a later one).
		caller.Process.ChildPending, caller.Process.ChildExited = false, false
	}
	switch result {
	case process.OK:
		return int64(child) | int64(uint32(status))<<16
	case process.NotYet:
		return -ErrBusy
	}
	if id != 0 {
		if p := process.ByID(uint16(id)); p != nil && p.Parent != caller.Process.ID {
			return -ErrNotOwner
		}
	}
	return -ErrNoSuchObject
}

// The words sysProcessInfo writes are the layout's.
var (
	_ = [1]struct{}{}[ProcessInfoParent-4]
	_ = [1]struct{}{}[ProcessInfoState-8]
	_ = [1]struct{}{}[ProcessInfoUid-12]
	_ = [1]struct{}{}[ProcessInfoGid-16]
	_ = [1]struct{}{}[ProcessInfoVcpus-20]
	_ = [1]struct{}{}[ProcessInfoFrames-24]
	_ = [1]struct{}{}[ProcessInfoExitStatus-32]
	_ = [1]struct{}{}[ProcessInfoName-40]
)

// sysProcessInfo copies the record of the process in slot of the table.
func sysProcessInfo(caller *Caller, slot uint32, out uintptr) int64 {
	p := process.AtSlot(int(slot))
	if p == nil {
		return -ErrNoSuchObject
	}
	running := uint64(0)
	for i := range p.VCPUs {
		if p.VCPUs[i].Thread >= 0 {
			running++
		}
	}
	// The layout's words, in order (little-endian, as the CPU stores
	// them).
	var record [ProcessInfoSize]byte
	words := [...]uint64{
		uint64(p.ID) | uint64(p.Parent)<<32,
		uint64(p.State) | uint64(p.UID)<<32,
		uint64(p.GID) | running<<32,
		memoryAccess().Frames.Held(p.ID),
		p.ExitStatus,
	}
	for k, w := range words {
		for b := 0; b < 8; b++ {
			record[(k*8+b)%ProcessInfoSize] = byte(w >> (8 * b))
		}
	}
	copy(record[ProcessInfoName:], p.Name[:])
	if !process.CopyOut(caller.Process, out, record[:]) {
		return -ErrBadAddress
	}
	return int64(p.ID)
}

// sysProcessSetName sets the caller's name from the 16 bytes at name.
func sysProcessSetName(caller *Caller, name uintptr) int64 {
	var b [16]byte
	if !process.CopyIn(caller.Process, b[:], name) {
		return -ErrBadAddress
	}
	end := false
	for i := range b {
		switch {
		case end || b[i] == 0 || i == len(b)-1:
			end = true
			b[i] = 0
		case b[i] < 0x20 || b[i] > 0x7e: // printable ASCII only
			b[i] = '?'
		}
	}
	caller.Process.Name = b
	return 0
}

// The kernel's rights are the ABI's bits (process_rights): a mismatch
// does not compile.
var _ = [1]struct{}{}[(uint64(process.RightCreateProcess)^uint64(ProcessRightsCreateProcess))|
	(uint64(process.RightConsole)^uint64(ProcessRightsConsole))|
	(uint64(process.RightDevices)^uint64(ProcessRightsDevices))|
	(uint64(process.RightPowerOff)^uint64(ProcessRightsPowerOff))|
	(uint64(process.RightCreateProcess|process.RightConsole|process.RightDevices|process.RightPowerOff)^uint64(ProcessRightsAll))]
