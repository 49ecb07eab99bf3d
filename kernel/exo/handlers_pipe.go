package exo

import (
	"exogo/kernel/fs"
	"exogo/kernel/segment"
	"exogo/kernel/timer"
)

// Pipe nodes (kernel/fs, pipe.go) and the collection of nameless files:
// fs_pipe makes a pipe node; after every change of a file's links the
// kernel frees the nodes nothing links and tells the watchers of the
// pipes whose count of writers changed.

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
