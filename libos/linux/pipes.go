package linux

import (
	"sync/atomic"
	"unsafe"

	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/uthread"
)

// Pipes (pipe2; os.Pipe, os/exec's pipes, a shell's pipelines) work
// within a process and between processes alike: a pipe is a ring in two
// pipe nodes of the file system (the kernel's fs_pipe), which every
// process holding an end links:
//
//	the data node:  a control page (head: the bytes ever written; the
//	                count of writers waiting for room), then the ring of
//	                pipeSize bytes. Writers link it writable, readers
//	                read-only.
//	the tail node:  a control page (tail: the bytes ever read; the count
//	                of readers waiting for bytes). Readers link it
//	                writable, writers read-only.
//
// So the kernel's count of a node's writable links (file_meta writers)
// is the count of the pipe's writers (data node) and of its readers
// (tail node), kept right even when a process ends without closing: a
// reader sees the end of the file once the last writer is gone, a
// writer EPIPE once the last reader is. Each end (an open file
// description) holds its own two links: slot the data node's, peer the
// tail node's.
//
// A thread that must wait asks the kernel for word events on the
// counter it waits for and on the other side's count (word_watch), adds
// itself to the other side's count of waiters, so that the other side's
// next change notifies (word_notify), and blocks; the word upcall wakes
// it (checkPipes), as does a change made within this process. The
// network poller watches the ends as on Linux (epoll, edge-triggered:
// every change marks the events of its watched ends pending, and
// epoll_pwait reports them once), so the runtime reads and writes them
// without blocking a thread.
//
// What a peer stores in the shared pages is not trusted: a head and tail
// further apart than the ring is an I/O error, never a copy out of it.
// A pipe end's flags are its description's, not shared between processes.

const (
	pipeSize = 64 << 10 // Linux's default capacity
	pipeBuf  = 4096     // PIPE_BUF: writes up to this size are never split

	pipeCounter  = exo.FsDataOffset      // head (data node), tail (tail node): 8 bytes
	pipeWaiters  = exo.FsDataOffset + 8  // writers waiting (data node), readers waiting (tail node)
	pipeLockWord = exo.FsDataOffset + 16 // the writers' (data node) and the readers' (tail node) lock: 1 + its holder's pid, 0 free
	pipeOpens    = exo.FsDataOffset + 24 // a named FIFO's opens: by writers (data node), by readers (tail node) (fifo.go)
	pipeRing     = exo.FsDataOffset + 4096
	pipeDataSize = 4096 + pipeSize
	pipeTailSize = 4096
)

// word64 is the shared 8-byte word at address (a linked node's page).
func word64(address uintptr) *uint64 { return bare.Word(address) }

// pipeKey is the wait address of threads blocked on description d (a
// pipe end): below the lowest user address, so never a futex word.
func pipeKey(d uint) uintptr { return uintptr(0x3000) + uintptr(d%maxOpen) }

// descIndex is the index of description f.
func descIndex(f *file) uint {
	return uint((uintptr(unsafe.Pointer(f)) - uintptr(unsafe.Pointer(&descs[0]))) / unsafe.Sizeof(descs[0]))
}

func sysPipe2(address, flags uint64) int64 {
	if flags&^uint64(abi.OCloexec|abi.ONonblock) != 0 {
		return -abi.EINVAL // O_DIRECT (packet mode) and the rest
	}
	b, ok := userBytes(address, 8, true)
	if !ok {
		return -abi.EFAULT
	}
	var slots [4]uintptr // data (writer's), tail (reader's), data (reader's), tail (writer's)
	errno := int64(0)
	for k := range slots {
		s, ok := takeSlot()
		if !ok {
			errno = -abi.ENFILE
			break
		}
		var r int64
		switch k {
		case 0:
			r = exo.FsPipe(s, pipeDataSize)
		case 1:
			r = exo.FsPipe(s, pipeTailSize)
		default:
			r = exo.FsShare(slots[k-2], 0, s, 0) // read-only
		}
		if r < 0 {
			freeUnlinked(s)
			errno = errnoOf(r)
			if r == -exo.ErrNoSpace {
				errno = -abi.ENFILE // the kernel's pipe nodes are all taken, or the file system is full
			}
			break
		}
		slots[k] = s
	}
	var fds [2]int64
	for k := 0; k < 2 && errno == 0; k++ {
		kind := uint32(kindPipeRead + k)
		if fds[k] = allocateFDFlags(kind, flags); fds[k] < 0 {
			errno = fds[k]
			if k == 1 {
				discardFD(uint64(fds[0]))
			}
		}
	}
	if errno != 0 {
		for _, s := range slots {
			if s != 0 {
				releaseSlot(s)
			}
		}
		return errno
	}
	markWritable(slots[0])
	markWritable(slots[1])
	r, w := fileAt(uint64(fds[0])), fileAt(uint64(fds[1]))
	r.slot, r.peer, r.flags = slots[2], slots[1], uint32(flags)&abi.ONonblock
	w.slot, w.peer, w.flags = slots[0], slots[3], uint32(flags)&abi.ONonblock
	putWord32(b, 0, uint32(fds[0]))
	putWord32(b, 4, uint32(fds[1]))
	return 0
}

// pipeState reads pipe end f's shared words: the bytes in the ring, the
// writers and the readers; ok is false when a peer broke the counters.
func pipeState(f *file) (avail, writers, readers uint64, ok bool) {
	head := atomic.LoadUint64(word64(f.slot + pipeCounter))
	tail := atomic.LoadUint64(word64(f.peer + pipeCounter))
	writers = metaWord(f.slot, exo.FileMetaWriters)
	readers = metaWord(f.peer, exo.FileMetaWriters)
	avail = head - tail
	return avail, writers, readers, avail <= pipeSize
}

// pipeRead reads what pipe end f holds, or blocks until a writer writes
// or the last writer goes (then 0: the end of the file).
func pipeRead(context uintptr, current int, f *file, b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	for moves := 0; ; {
		stamp := pipeStamp(f) // before this look (blockOnPipe)
		avail, writers, _, ok := pipeState(f)
		switch {
		case !ok:
			return -abi.EIO, false
		case avail == 0 && writers == 0:
			if a, _, _, _ := pipeState(f); a == 0 {
				return 0, false // (a last write may have come before the count)
			}
			continue
		case avail == 0 && f.flags&abi.ONonblock != 0:
			return -abi.EAGAIN, false
		case avail == 0:
			if armPipe(f) {
				if moves++; moves < 64 {
					continue // it moved while the watch was set: look again
				}
			}
			blockOnPipe(context, current, f, stamp, moves >= 64)
			return 0, true
		}
		// Readers in other processes take bytes too: one at a time.
		pipeLock(f.peer + pipeLockWord)
		if avail, _, _, ok = pipeState(f); !ok || avail == 0 {
			pipeUnlock(f.peer + pipeLockWord)
			continue // another took them: look again
		}
		n := min(uint64(len(b)), avail)
		tail := atomic.LoadUint64(word64(f.peer + pipeCounter))
		ringCopy(f.slot+pipeRing, tail, b[:n], false)
		atomic.StoreUint64(word64(f.peer+pipeCounter), tail+n)
		pipeUnlock(f.peer + pipeLockWord)
		if atomic.LoadUint64(word64(f.slot+pipeWaiters)) != 0 { // writers waiting for room
			exo.WordNotify(f.peer+pipeCounter, ^uint64(0))
		}
		pipeActivity()
		return int64(n), false
	}
}

// pipeWrite writes what fits into pipe end f (a write of up to pipeBuf
// bytes all at once or not at all), or blocks until a reader makes room.
// A blocking write of more than fits returns the count written, where
// Linux would block until all of it is (Go's os.File writes the rest).
// With no reader left it fails with EPIPE (without SIGPIPE, which the Go
// runtime ignores for descriptors other than 1 and 2).
func pipeWrite(context uintptr, current int, f *file, b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	for moves := 0; ; {
		stamp := pipeStamp(f) // before this look (blockOnPipe)
		avail, _, readers, ok := pipeState(f)
		switch {
		case !ok:
			return -abi.EIO, false
		case readers == 0:
			return -abi.EPIPE, false
		}
		space := pipeSize - avail
		if space == 0 || (uint64(len(b)) <= pipeBuf && space < uint64(len(b))) {
			if f.flags&abi.ONonblock != 0 {
				return -abi.EAGAIN, false
			}
			if armPipe(f) {
				if moves++; moves < 64 {
					continue // it moved while the watch was set: look again
				}
			}
			blockOnPipe(context, current, f, stamp, moves >= 64)
			return 0, true
		}
		// Writers in other processes write too: one at a time, so
		// that no two write the same bytes.
		pipeLock(f.slot + pipeLockWord)
		if avail, _, _, ok = pipeState(f); !ok || pipeSize-avail < space {
			pipeUnlock(f.slot + pipeLockWord)
			continue // another wrote meanwhile: look again
		}
		n := min(uint64(len(b)), space)
		head := atomic.LoadUint64(word64(f.slot + pipeCounter))
		ringCopy(f.slot+pipeRing, head, b[:n], true)
		atomic.StoreUint64(word64(f.slot+pipeCounter), head+n)
		pipeUnlock(f.slot + pipeLockWord)
		if atomic.LoadUint64(word64(f.peer+pipeWaiters)) != 0 { // readers waiting for bytes
			exo.WordNotify(f.slot+pipeCounter, ^uint64(0))
		}
		pipeActivity()
		return int64(n), false
	}
}

// armPipe makes pipe end f's next change reach this process: it counts f
// among the other side's waiters (once) and watches the counter it waits
// for and the other side's count. It reports whether they moved already
// (look again). A watch the kernel refuses (its table full) leaves the
// idle loop to poll (pipesPoll).
func armPipe(f *file) (moved bool) {
	if !f.armed {
		f.armed = true
		atomic.AddUint64(word64(pipeWaitersOf(f)), 1)
	}
	counter, count := watchedWords(f)
	for _, w := range [2]uintptr{counter, count} {
		switch exo.WordWatch(w, uint64(uint32(atomic.LoadUint64(word64(w))))) {
		case 0:
		case 1:
			moved = true
		default:
			pipesPoll = true
		}
	}
	// A change between the caller's look and the loads above is watched
	// as done already: look again now that the watches hold.
	return moved || pipeCanGo(f)
}

// pipeCanGo reports whether a read (or write) of pipe end f would not
// block now: bytes (room) or no writer (reader) left.
func pipeCanGo(f *file) bool {
	if f.opening {
		return fifoOtherSide(f) // (fifo.go)
	}
	avail, writers, readers, ok := pipeState(f)
	if f.kind == kindPipeWrite {
		return !ok || readers == 0 || pipeSize-avail >= pipeBuf
	}
	return !ok || avail > 0 || writers == 0
}

// watchedWords are the words a thread waiting on pipe end f watches: a
// reader's head and the count of writers, a writer's tail and the count
// of readers.
func watchedWords(f *file) (counter, count uintptr) {
	if f.kind == kindPipeWrite {
		return f.peer + pipeCounter, f.peer + exo.FileMetaWriters
	}
	return f.slot + pipeCounter, f.slot + exo.FileMetaWriters
}

// pipeWaitersOf is the waiters count f's side keeps: readers' in the
// tail node (which they may write), read by writers; writers' in the
// data node, read by readers.
func pipeWaitersOf(f *file) uintptr {
	if f.kind == kindPipeWrite {
		return f.slot + pipeWaiters
	}
	return f.peer + pipeWaiters
}

// pipesPoll is set when the kernel refused a watch: the idle loop then
// looks at the pipes now and then instead.
var pipesPoll bool

// disarmPipe takes f off its side's waiters.
func disarmPipe(f *file) {
	if f.armed {
		f.armed = false
		atomic.AddUint64(word64(pipeWaitersOf(f)), ^uint64(0))
		// Its watches end too: a watch lasts until its word is
		// notified, which a closed pipe's may never be.
		counter, count := watchedWords(f)
		exo.WordWatch(counter, exo.WordUnwatch)
		exo.WordWatch(count, exo.WordUnwatch)
	}
}

// blockOnPipe blocks the calling thread until pipe end f changes from
// stamp; the call runs again then. stamp must have been read before the
// caller's last look found that f cannot go (armPipe): a change after
// that look, by another process, is then a new stamp, which wakes the
// thread (pipeActivity). A stamp read after the look could already hold
// that change, and the thread would sleep through it. With moving (the
// pipe kept moving while it was armed, so a watch may not hold), or when
// the kernel refused a watch, the thread looks again soon anyway.
func blockOnPipe(context uintptr, current int, f *file, stamp uint64, moving bool) {
	f.stamp = stamp
	deadline := uint64(0)
	if pipesPoll || moving {
		deadline = nowNanos() + 10e6 // no watch: look again soon (EINTR)
	}
	threads.Block(current, pipeKey(descIndex(f)), deadline, -abi.EINTR, restartCall(context))
}

// closePipeEnd closes pipe end f: its links go, so the kernel's counts
// tell the other side (and this process's threads are woken to see it).
func closePipeEnd(f *file) {
	disarmPipe(f)
	releaseSlot(f.slot)
	releaseSlot(f.peer)
	threads.Wake(pipeKey(descIndex(f)), uthread.MaxThreads, callsHolder)
	pipeActivity()
}

// pipeCall serves a read (write false) or write of length bytes at address
// on pipe end f.
func pipeCall(context uintptr, current int, f *file, address, length uint64, write bool) int {
	b, ok := userBytes(address, length, !write)
	if !ok {
		putErrno(context, abi.EFAULT)
		return resume
	}
	var result int64
	var blocked bool
	if write {
		result, blocked = pipeWrite(context, current, f, b)
	} else {
		result, blocked = pipeRead(context, current, f, b)
	}
	if blocked {
		return block
	}
	put(context, exo.ContextRax, uint64(result))
	return resume
}

// ringCopy copies between b (user bytes the caller checked, at most
// pipeSize) and the ring at ring from its byte counter on (mod
// pipeSize), in two parts when it wraps: into the ring with in.
func ringCopy(ring uintptr, counter uint64, b []byte, in bool) {
	n := uint64(len(b))
	at := counter % pipeSize
	first := min(n, pipeSize-at)
	user := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	if in {
		copyAt(ring+uintptr(at), user, first)
		copyAt(ring, user+uintptr(first), n-first)
	} else {
		copyAt(user, ring+uintptr(at), first)
		copyAt(user+uintptr(first), ring, n-first)
	}
}

// copyAt copies n bytes from address from to address to (both checked by
// the caller: the ring's or the user's bytes userBytes checked).
func copyAt(to, from uintptr, n uint64) {
	if n != 0 {
		copy(bare.Bytes(to, uintptr(n)), bare.Bytes(from, uintptr(n)))
	}
}

// pipeReady is what epoll reports for pipe end f now: a reading end is
// readable with bytes in the pipe, and at its end (EPOLLHUP) once every
// writer went; a writing end is writable with PIPE_BUF bytes free, and
// in error (EPOLLERR) once every reader went. 0 for other kinds.
func pipeReady(f *file) uint32 {
	if f.kind != kindPipeRead && f.kind != kindPipeWrite {
		return 0
	}
	avail, writers, readers, ok := pipeState(f)
	ready := uint32(0)
	switch {
	case !ok:
		ready = abi.EpollErr
	case f.kind == kindPipeRead:
		if avail > 0 {
			ready |= abi.EpollIn
		}
		if writers == 0 {
			ready |= abi.EpollIn | abi.EpollHup
		}
	default:
		if pipeSize-avail >= pipeBuf {
			ready |= abi.EpollOut
		}
		if readers == 0 {
			ready |= abi.EpollOut | abi.EpollErr
		}
	}
	return ready
}
