package exo

import (
	"exogo/kernel/fs"
	"exogo/kernel/process"
	"exogo/kernel/segment"
	"exogo/kernel/timer"
)

// Pipe nodes (kernel/fs, pipe.go) and the collection of nameless files:
// fs_pipe makes a pipe node, fs_share links a node into the caller or a
// child, fs_fifo_peer links a named FIFO's peer; after every change of a
// file's links the kernel frees the nodes nothing links and tells the
// watchers of the pipes whose count of writers changed.

func sysFsPipe(caller *Caller, at uintptr, length uint64) int64 {
	if length > fs.MaxPipeLength {
		return -ErrTooBig
	}
	if err := freeSlot(caller, at); err != 0 {
		return err
	}
	memory := memoryAccess()
	id, status := files.MakePipe(memory, cred(caller), length, timer.WallClock())
	if status != fs.OK {
		return fsError(status)
	}
	if err := linkNode(caller, id, at, segment.Read|segment.Write); err != 0 {
		collectFiles() // frees the node, which nothing links
		return err
	}
	files.Recount(memory, id)
	tellPipeWriters()
	return int64(id)
}

// collectFiles frees the nameless files no process links any more: after
// an unlink of a PD segment and after a process's end, once the TLBs are
// flushed.
func collectFiles() {
	files.Collect(memoryAccess())
	tellPipeWriters()
}

// tellPipeWriters wakes the processes watching the count of writers of a
// pipe that changed (kernel/fs, pipe.go).
// Preconditions: smp.Lock held.
func tellPipeWriters() {
	for word, ok := files.NextChanged(); ok; word, ok = files.NextChanged() {
		notifyWord(word, ^uint64(0))
	}
}

// sysFsShare links a node the caller links into itself or a child (a
// pipe end, a file passed on).
func sysFsShare(caller *Caller, file uintptr, processID uint32, at uintptr, permissions Permissions) int64 {
	id, r, err := linkedNode(caller, file)
	if err != 0 {
		return err
	}
	target := caller.Process
	if processID != 0 {
		if target, err = child(caller, processID); target == nil {
			return err
		}
	}
	if permissions&(PermissionsWrite|PermissionsExecute) == PermissionsWrite && r&segment.Write == 0 {
		return -ErrNoRight // (Execute is linkAgain's EXO_BAD_ARGUMENT first)
	}
	return linkAgain(target, id, at, permissions)
}

// linkAgain links node id into process p at at, read-only or, with Write,
// writable (never executable), and counts a pipe's writers again.
func linkAgain(p *process.Process, id uint32, at uintptr, permissions Permissions) int64 {
	if permissions&PermissionsExecute != 0 {
		return -ErrBadArgument
	}
	want := segment.Read
	if permissions&PermissionsWrite != 0 {
		want |= segment.Write
	}
	if err := freeSlotIn(p, at); err != 0 {
		return err
	}
	if err := linkNodeIn(p, id, at, want); err != 0 {
		return err
	}
	files.Recount(memoryAccess(), id) // a pipe's writers (or a FIFO's readers)
	tellPipeWriters()
	return int64(id)
}

func sysFsFifoPeer(caller *Caller, fifo, at uintptr, permissions Permissions) int64 {
	id, _, err := linkedNode(caller, fifo)
	if err != 0 {
		return err
	}
	peer, status := files.Peer(id)
	if status != fs.OK {
		return -ErrBadArgument
	}
	return linkAgain(caller.Process, peer, at, permissions)
}
