package linux

import (
	"sync/atomic"

	abi "exogo/abi/linuxabi"
	"exogo/libos/exo"
	"exogo/libos/uthread"
)

// Named FIFOs (mkfifo, mknod with S_IFIFO). The kernel makes a named
// pipe node and a nameless peer with it (fs_make); an open links the node
// (writable to write) and its peer (fs_fifo_peer: writable to read), and
// the description is a pipe end as pipe2's are (pipes.go): the node holds
// the data, the peer the tail, and the kernel counts the FIFO's writers
// and readers apart.
//
// As on Linux, an open for reading waits until a writer has opened the
// FIFO, and one for writing until a reader has (even one that closed it
// again since: each side counts its opens in its node, pipeOpens, as
// Linux's w_counter and r_counter); with O_NONBLOCK a reader
// does not wait and a writer without a reader fails with ENXIO. A waiting
// open keeps its description (opening) and blocks its thread
// (fifoPending); the call runs again when the other side comes, and finds
// the description there. Not built: O_RDWR (EINVAL here; Linux opens
// both ends without waiting); and bytes left unread when every end
// closed stay for the next reader, where Linux drops them (each side can
// write only its own node, and no lock covers both).

// fifoPending holds, per thread, the descriptor + 1 of the FIFO open it
// waits in.
var fifoPending [uthread.MaxThreads]uint16

// openCaller is the thread whose open or openat is being served (context
// 0: none, and a FIFO open does not wait); openBlocked says the open
// blocked it.
var (
	openCaller struct {
		context uintptr
		current int
	}
	openBlocked bool
)

// sysMknodat makes a FIFO (or, as Linux allows, an empty regular file);
// devices are not made (EPERM).
func sysMknodat(dirfd, path, mode, device uint64) int64 {
	const typeMask, fifo, regular = 0o170000, 0o010000, 0o100000
	var w walkResult
	switch uint32(mode) & typeMask {
	case fifo:
		if errno := walkPath(dirfd, path, nameLast, &w); errno != 0 {
			return errno
		}
		return makeWalked(&w, fifo|uint64(uint32(mode)&0o7777&^currentUmask()), pipeDataSize)
	case regular, 0:
		fd := sysOpenat(dirfd, path, abi.OCreat|abi.OExcl|abi.OWronly|abi.OCloexec, mode&0o7777)
		if fd < 0 {
			return fd
		}
		closeFD(uint64(fd))
		return 0
	}
	return -abi.EPERM // character and block devices, sockets: not made here
}

// openFifo opens the FIFO walk w found, for reading or writing.
func openFifo(w *walkResult, flags uint64) int64 {
	reader := accessMode(uint32(flags)) == abi.ORdonly
	if accessMode(uint32(flags)) == abi.ORdwr || accessMode(uint32(flags)) == 3 {
		return -abi.EINVAL
	}
	if openCaller.context == 0 {
		return -abi.EINVAL // truncate(2) of a FIFO, as Linux
	}
	cur := uint(openCaller.current) % uthread.MaxThreads
	if fd, ok := pendingFifo(cur); ok {
		fifoPending[cur] = 0
		if f := fileAt(fd); f.node == w.entry.node && (f.kind == kindPipeRead) == reader {
			return fifoWait(f, fd, flags) // this call ran again: go on waiting
		}
		closeFD(fd) // another FIFO's open, which the program gave up on
	}
	data, ok := takeSlot()
	if !ok {
		return -abi.EMFILE
	}
	open, peerRights := exo.OpenFlags(0), exo.PermissionsWrite
	if !reader {
		open, peerRights = exo.OpenFlagsWrite, 0
	}
	id := exo.FsOpen(w.dir, w.nameArg(), open, 0, data)
	if id < 0 {
		freeUnlinked(data)
		return errnoOf(id)
	}
	tail, ok := takeSlot()
	if !ok {
		releaseSlot(data)
		return -abi.EMFILE
	}
	if r := exo.FsFifoPeer(data, tail, peerRights); r < 0 {
		freeUnlinked(tail)
		releaseSlot(data)
		return errnoOf(r)
	}
	// Another libOS made the FIFO: it must hold what pipes.go keeps.
	if metaWord(data, exo.FileMetaLength) < pipeDataSize || metaWord(tail, exo.FileMetaLength) < pipeTailSize {
		releaseSlot(tail)
		releaseSlot(data)
		return -abi.EINVAL
	}
	kind := uint32(kindPipeWrite)
	if reader {
		kind = kindPipeRead
		markWritable(tail)
	} else {
		markWritable(data)
	}
	fd := allocateFDFlags(kind, flags)
	if fd < 0 {
		releaseSlot(tail)
		releaseSlot(data)
		return fd
	}
	f := fileAt(uint64(fd))
	f.node, f.slot, f.peer, f.flags = uint32(id), data, tail, uint32(flags)&abi.ONonblock
	f.opening, f.opener = true, uint16(cur+1)
	own, other := fifoOpens(f)
	f.opens = atomic.LoadUint64(word64(other)) // (before the look: only readers open now count)
	if !reader && flags&abi.ONonblock != 0 && !fifoOtherSide(f) {
		closeFD(uint64(fd)) // a writer, and no reader: no open counted
		return -abi.ENXIO
	}
	atomic.AddUint64(word64(own), 1)
	return fifoWait(f, uint64(fd), flags)
}

// fifoWait finishes opening FIFO end f (descriptor fd) once the other
// side has it open, or blocks the calling thread until it has.
func fifoWait(f *file, fd uint64, flags uint64) int64 {
	for moves := 0; ; {
		stamp := pipeStamp(f) // before the look (blockOnPipe)
		if fifoOtherSide(f) || f.kind == kindPipeRead && flags&abi.ONonblock != 0 {
			f.opening = false
			disarmPipe(f)
			return int64(fd)
		}
		if flags&abi.ONonblock != 0 {
			closeFD(fd)
			return -abi.ENXIO // a writer, and no reader
		}
		if armPipe(f) {
			if moves++; moves < 64 {
				continue // it moved while the watch was set: look again
			}
		}
		cur := uint(openCaller.current)
		fifoPending[cur%uthread.MaxThreads] = uint16(fd + 1)
		f.opener = uint16(cur%uthread.MaxThreads + 1)
		blockOnPipe(openCaller.context, openCaller.current, f, stamp, moves >= 64)
		openBlocked = true
		return 0
	}
}

// pendingFifo is the descriptor of the FIFO open thread cur waits in, if
// it still is one of its own (another thread may have closed it and the
// number gone to another description).
func pendingFifo(cur uint) (uint64, bool) {
	e := fifoPending[cur%uthread.MaxThreads]
	if e == 0 {
		return 0, false
	}
	fd := uint64(e - 1)
	f := fileAt(fd)
	if f == nil || !f.opening || uint(f.opener) != cur%uthread.MaxThreads+1 || (f.kind != kindPipeRead && f.kind != kindPipeWrite) {
		fifoPending[cur%uthread.MaxThreads] = 0
		return 0, false
	}
	return fd, true
}

// dropPendingFifo closes the FIFO end thread current waited to open, when
// its call, run again, did not come back to it (the path names something
// else now, or fails).
func dropPendingFifo(current int) {
	cur := uint(current) % uthread.MaxThreads
	if fd, ok := pendingFifo(cur); ok {
		fifoPending[cur] = 0
		closeFD(fd)
	}
}

// fifoOtherSide reports whether FIFO end f, opening, has met the other
// side: a reader a writer, a writer a reader, open now or opened since f
// began to wait.
func fifoOtherSide(f *file) bool {
	_, writers, readers, _ := pipeState(f)
	_, other := fifoOpens(f)
	if atomic.LoadUint64(word64(other)) != f.opens {
		return true
	}
	if f.kind == kindPipeWrite {
		return readers > 0
	}
	return writers > 0
}

// fifoOpens are the words that count FIFO end f's side's opens and the
// other side's: writers' in the data node, readers' in the tail node.
func fifoOpens(f *file) (own, other uintptr) {
	if f.kind == kindPipeWrite {
		return f.slot + pipeOpens, f.peer + pipeOpens
	}
	return f.peer + pipeOpens, f.slot + pipeOpens
}
