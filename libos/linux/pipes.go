package linux

import (
	"unsafe"

	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/uthread"
)

// Pipes within one process (pipe2; os.Pipe: the testing package catches
// an example's output through one). A pipe is a ring of pipeSize bytes in
// the libOS's private memory, from a fixed set whose rings are reused;
// each end is an open file description. The network poller watches them
// as on Linux (epoll, edge-triggered: every change of a pipe marks the
// events of its watched ends pending, and epoll_pwait reports them once),
// so the runtime reads and writes them without blocking a thread; a
// blocking end blocks its thread, and the runtime moves the thread's P on.
// TODO(issue 9): pipes between processes.

const (
	maxPipes = 128
	pipeSize = 64 << 10 // Linux's default capacity
	pipeBuf  = 4096     // PIPE_BUF: writes up to this size are never split
)

type pipe struct {
	ring             uintptr // pipeSize bytes, 0 until first used
	used             bool
	start, length    uint64 // the unread bytes: length of them from start
	readers, writers uint32 // open ends
}

var pipes [maxPipes]pipe

// pipeKey is the wait address of threads blocked on pipe i's reading
// (writer false) or writing end: below the lowest user address, so never
// a futex word.
func pipeKey(i uint32, writer bool) uintptr {
	key := uintptr(0x3000) + uintptr(i%maxPipes)*2
	if writer {
		key++
	}
	return key
}

func sysPipe2(address, flags uint64) int64 {
	if flags&^uint64(abi.OCloexec|abi.ONonblock) != 0 {
		return -abi.EINVAL // O_DIRECT (packet mode) and the rest
	}
	b, ok := userBytes(address, 8, true)
	if !ok {
		return -abi.EFAULT
	}
	i := -1
	for j := range pipes {
		if !pipes[j].used {
			i = j
			break
		}
	}
	if i < 0 {
		return -abi.ENFILE
	}
	p := &pipes[uint(i)%maxPipes]
	if p.ring == 0 {
		if p.ring = memPrivate(pipeSize); p.ring == 0 {
			return -abi.ENOMEM
		}
	}
	r := allocateFDFlags(kindPipeRead, flags)
	if r < 0 {
		return r
	}
	w := allocateFDFlags(kindPipeWrite, flags)
	if w < 0 {
		discardFD(uint64(r))
		return w
	}
	for _, fd := range [2]int64{r, w} {
		f := fileAt(uint64(fd))
		f.pipe, f.flags = uint32(i), uint32(flags)&abi.ONonblock
	}
	*p = pipe{ring: p.ring, used: true, readers: 1, writers: 1}
	putWord32(b, 0, uint32(r))
	putWord32(b, 4, uint32(w))
	return 0
}

// pipeRead reads what pipe f's end holds, or blocks until a writer writes
// or the last writer closes (then 0: the end of the file).
func pipeRead(context uintptr, current int, f *file, b []byte) (int64, bool) {
	p := &pipes[f.pipe%maxPipes]
	if len(b) == 0 {
		return 0, false
	}
	if p.length == 0 {
		switch {
		case p.writers == 0:
			return 0, false
		case f.flags&abi.ONonblock != 0:
			return -abi.EAGAIN, false
		}
		threads.Block(current, pipeKey(f.pipe, false), 0, 0, restartCall(context))
		return 0, true
	}
	n := min(uint64(len(b)), p.length)
	first := min(n, pipeSize-p.start)
	to := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	copyAt(to, p.ring+uintptr(p.start), first)
	copyAt(to+uintptr(first), p.ring, n-first)
	p.start, p.length = (p.start+n)%pipeSize, p.length-n
	threads.Wake(pipeKey(f.pipe, true), uthread.MaxThreads, callsHolder)
	pipeChanged(f.pipe)
	return int64(n), false
}

// pipeWrite writes what fits into pipe f's end (a write of up to pipeBuf
// bytes all at once or not at all), or blocks until a reader makes room.
// A blocking write of more than fits returns the count written, where
// Linux would block until all of it is (Go's os.File writes the rest).
// With no reader left it fails with EPIPE (without SIGPIPE, which the Go
// runtime ignores for descriptors other than 1 and 2).
func pipeWrite(context uintptr, current int, f *file, b []byte) (int64, bool) {
	p := &pipes[f.pipe%maxPipes]
	switch {
	case len(b) == 0:
		return 0, false
	case p.readers == 0:
		return -abi.EPIPE, false
	}
	space := pipeSize - p.length
	if space == 0 || (uint64(len(b)) <= pipeBuf && space < uint64(len(b))) {
		if f.flags&abi.ONonblock != 0 {
			return -abi.EAGAIN, false
		}
		threads.Block(current, pipeKey(f.pipe, true), 0, 0, restartCall(context))
		return 0, true
	}
	n := min(uint64(len(b)), space)
	at := (p.start + p.length) % pipeSize
	first := min(n, pipeSize-at)
	from := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	copyAt(p.ring+uintptr(at), from, first)
	copyAt(p.ring, from+uintptr(first), n-first)
	p.length += n
	threads.Wake(pipeKey(f.pipe, false), uthread.MaxThreads, callsHolder)
	pipeChanged(f.pipe)
	return int64(n), false
}

// closePipeEnd closes one end of pipe i: the threads waiting at the other
// end wake to find the end of the file (readers) or EPIPE (writers), and
// those waiting on this end (other threads, on the descriptor just
// closed) to find it closed (EBADF) rather than wait for ever.
func closePipeEnd(i uint32, writer bool) {
	p := &pipes[i%maxPipes]
	if writer && p.writers > 0 {
		p.writers--
	} else if !writer && p.readers > 0 {
		p.readers--
	}
	threads.Wake(pipeKey(i, !writer), uthread.MaxThreads, callsHolder)
	threads.Wake(pipeKey(i, writer), uthread.MaxThreads, callsHolder)
	pipeChanged(i)
	if p.readers == 0 && p.writers == 0 {
		*p = pipe{ring: p.ring}
	}
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

// copyAt copies n bytes from address from to address to (both checked by
// the caller: the ring's or the user's bytes userBytes checked).
func copyAt(to, from uintptr, n uint64) {
	if n != 0 {
		copy(bare.Bytes(to, uintptr(n)), bare.Bytes(from, uintptr(n)))
	}
}

// pipeReady is what epoll reports for pipe end f now: a reading end is
// readable with bytes in the pipe, and at its end (EPOLLHUP) once every
// writer closed; a writing end is writable with PIPE_BUF bytes free, and
// in error (EPOLLERR) once every reader closed. 0 for other kinds.
func pipeReady(f *file) uint32 {
	p := &pipes[f.pipe%maxPipes]
	ready := uint32(0)
	switch f.kind {
	case kindPipeRead:
		if p.length > 0 {
			ready |= abi.EpollIn
		}
		if p.writers == 0 {
			ready |= abi.EpollIn | abi.EpollHup
		}
	case kindPipeWrite:
		if pipeSize-p.length >= pipeBuf {
			ready |= abi.EpollOut
		}
		if p.readers == 0 {
			ready |= abi.EpollOut | abi.EpollErr
		}
	}
	return ready
}

// pipeChanged marks the events of pipe i's watched ends pending and wakes
// the threads waiting in epoll_pwait on their instances.
func pipeChanged(i uint32) {
	for fd := uint64(0); fd < maxFiles; fd++ {
		w := &polls[fd]
		if w.epfd == 0 {
			continue
		}
		f := fileAt(fd)
		if f == nil || (f.kind != kindPipeRead && f.kind != kindPipeWrite) || f.pipe != i {
			continue
		}
		if ready := pipeReady(f); ready != 0 {
			w.pending |= ready
			threads.Wake(epollKey(uint64(w.epfd-1)), uthread.MaxThreads, callsHolder)
		}
	}
}
