package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/libos/exo"
	"exogo/libos/uthread"
)

// File descriptors: 0, 1 and 2 are the console; eventfds and epoll
// instances serve the runtime's network poller (its timers and
// netpollBreak); the boot module's files are read-only files
// (bootfiles.go); pipes within the process (pipes.go). Sockets are not
// built yet.
// The console's reads and writes are console.go's.

const maxFiles = 64

const (
	kindFree = iota
	kindConsole
	kindEventfd
	kindEpoll
	kindPipeRead // the ends of a pipe (pipes.go)
	kindPipeWrite
)

// file is one open file description (one per descriptor: no dup yet).
type file struct {
	kind  uint32
	flags uint32
	count uint64 // an eventfd's counter
	// An epoll instance's interest list: a bit per descriptor, with the
	// events and data of each in the descriptor's own record.
	interest         uint64
	events           uint32
	data             uint64
	watchedByEpollFD int32 // +1; 0: none
	// A boot-module file's (bootfiles.go): where its bytes are in the
	// archive (start), its size, mode and inode, and the read offset (for a
	// directory, the next record to list).
	start, size, offset, ino uint64
	mode                     uint32
	pipe                     uint32 // a pipe end's pipe
}

var files [maxFiles]file

func fileAt(fd uint64) *file {
	if fd >= maxFiles {
		return nil
	}
	f := &files[fd]
	if fd < 3 && f.kind == kindFree && !consoleClosed[fd] {
		f.kind = kindConsole // the zero value: 0-2 are open on the console
	}
	if f.kind == kindFree {
		return nil
	}
	return f
}

var consoleClosed [3]bool

func allocateFD(kind uint32) int64 {
	for fd := uint64(3); fd < maxFiles; fd++ {
		if files[fd].kind == kindFree {
			files[fd] = file{kind: kind}
			return int64(fd)
		}
	}
	return -abi.EMFILE
}

func sysWrite(fd, address, length uint64) int64 {
	f := fileAt(fd)
	if f == nil {
		return -abi.EBADF
	}
	b, ok := userBytes(address, length, false)
	if !ok {
		return -abi.EFAULT
	}
	switch f.kind {
	case kindConsole:
		return consoleWrite(uintptr(address), b)
	case kindEventfd:
		if length < 8 {
			return -abi.EINVAL
		}
		v := word(b, 0)
		if v == ^uint64(0) {
			return -abi.EINVAL
		}
		f.count += v
		notifyEpoll(fd)
		return 8
	case kindPipeRead:
		return -abi.EBADF // not open for writing
	}
	return -abi.EINVAL
}

func sysRead(fd, address, length uint64) int64 {
	f := fileAt(fd)
	if f == nil {
		return -abi.EBADF
	}
	b, ok := userBytes(address, length, true)
	if !ok {
		return -abi.EFAULT
	}
	switch f.kind {
	case kindBootFile, kindBootDir:
		n := readBootFile(f, b, f.offset)
		if n > 0 {
			f.offset += uint64(n)
		}
		return n
	case kindConsole:
		return 0 // not reached: systemCall sends console reads to consoleRead
	case kindEventfd:
		if length < 8 {
			return -abi.EINVAL
		}
		if f.count == 0 {
			return -abi.EAGAIN // the runtime opens it non-blocking
		}
		putWord(b, 0, f.count)
		f.count = 0
		return 8
	case kindPipeWrite:
		return -abi.EBADF // not open for reading
	}
	return -abi.EINVAL
}

func sysClose(fd uint64) int64 {
	f := fileAt(fd)
	if f == nil {
		return -abi.EBADF
	}
	if fd < 3 {
		consoleClosed[fd] = true
	}
	if f.kind == kindPipeRead || f.kind == kindPipeWrite {
		closePipeEnd(f.pipe, f.kind == kindPipeWrite)
	}
	*f = file{}
	// Leave every interest list it was on.
	for e := range files {
		files[e].interest &^= 1 << (fd % 64)
	}
	return 0
}

func sysFstat(fd, address uint64) int64 {
	f := fileAt(fd)
	if f == nil {
		return -abi.EBADF
	}
	b, ok := userBytes(address, abi.StatLength, true)
	if !ok {
		return -abi.EFAULT
	}
	switch f.kind {
	case kindBootFile, kindBootDir:
		fillStat(b, f.mode, f.size, f.ino)
	case kindConsole:
		fillStat(b, 0o020600, 0, 0) // S_IFCHR
	case kindPipeRead, kindPipeWrite:
		fillStat(b, 0o010600, 0, 0) // S_IFIFO
	default:
		fillStat(b, 0o600, 0, 0) // an eventfd or epoll instance
	}
	return 0
}

func sysFcntl(fd, command, argument uint64) int64 {
	f := fileAt(fd)
	if f == nil {
		return -abi.EBADF
	}
	switch command {
	case abi.FGetfd:
		return 0
	case abi.FSetfd:
		return 0
	case abi.FGetfl:
		access := int64(abi.ORdwr)
		switch f.kind {
		case kindPipeRead:
			access = abi.ORdonly
		case kindPipeWrite:
			access = abi.OWronly
		}
		return access | int64(f.flags)&abi.ONonblock
	case abi.FSetfl:
		f.flags = uint32(argument) & abi.ONonblock
		return 0
	}
	return -abi.EINVAL
}

func sysEventfd(initial, flags uint64) int64 {
	fd := allocateFD(kindEventfd)
	if fd >= 0 {
		f := &files[uint64(fd)%maxFiles]
		f.count = initial & 0xffff_ffff
		f.flags = uint32(flags) & abi.ONonblock
	}
	return fd
}

func sysEpollCreate(flags uint64) int64 { return allocateFD(kindEpoll) }

func sysEpollControl(epfd, op, fd, event uint64) int64 {
	e, f := fileAt(epfd), fileAt(fd)
	if e == nil || f == nil {
		return -abi.EBADF
	}
	if e.kind != kindEpoll || epfd == fd {
		return -abi.EINVAL
	}
	if f.kind != kindEventfd {
		return -abi.EPERM // consoles and regular files are not pollable here
	}
	bit := uint64(1) << (fd % 64)
	switch op {
	case abi.EpollCtlAdd, abi.EpollCtlMod:
		if (op == abi.EpollCtlAdd) == (e.interest&bit != 0) {
			if op == abi.EpollCtlAdd {
				return -abi.EEXIST
			}
			return -abi.ENOENT
		}
		b, ok := userBytes(event, abi.EpollEventSize, false)
		if !ok {
			return -abi.EFAULT
		}
		f.events = uint32(word(b, 0))
		f.data = word(b, abi.EpollEventData)
		f.watchedByEpollFD = int32(epfd + 1)
		e.interest |= bit
	case abi.EpollCtlDel:
		if e.interest&bit == 0 {
			return -abi.ENOENT
		}
		e.interest &^= bit
	default:
		return -abi.EINVAL
	}
	return 0
}

// epollKey is the wait address of threads blocked in epoll_pwait on epfd:
// below the lowest user address, so never a futex word.
func epollKey(epfd uint64) uintptr { return uintptr(0x1000 + epfd) }

// readyEvents writes the ready events of epoll instance e (up to capacity)
// at address and returns how many.
func readyEvents(e *file, address, capacity uint64) int64 {
	n := uint64(0)
	for fd := uint64(0); fd < maxFiles && n < capacity; fd++ {
		if e.interest&(1<<(fd%64)) == 0 {
			continue
		}
		f := &files[fd]
		if f.kind != kindEventfd || f.count == 0 || f.events&abi.EpollIn == 0 {
			continue
		}
		b, ok := userBytes(address+n*abi.EpollEventSize, abi.EpollEventSize, true)
		if !ok {
			return -abi.EFAULT
		}
		putWord(b, abi.EpollEventData, f.data)
		putWord32(b, abi.EpollEventEvents, abi.EpollIn)
		n++
	}
	return int64(n)
}

// sysEpollWait returns the ready events, or blocks until an eventfd on the
// list is written (the call then runs again) or the timeout passes (it
// returns 0).
func sysEpollWait(context uintptr, current int, epfd, events, capacity, timeoutMillis uint64) int {
	e := fileAt(epfd)
	result := int64(0)
	switch {
	case e == nil:
		result = -abi.EBADF
	case e.kind != kindEpoll || int64(capacity) <= 0:
		result = -abi.EINVAL
	default:
		result = readyEvents(e, events, capacity)
	}
	if result != 0 || int32(timeoutMillis) == 0 {
		put(context, exo.ContextRax, uint64(result))
		return resume
	}
	deadline := uint64(0)
	if int32(timeoutMillis) > 0 {
		deadline = nowNanos() + uint64(int32(timeoutMillis))*1e6
	}
	// A wake-up runs the call again (to collect the events); the
	// deadline returns 0 events.
	threads.Block(current, epollKey(epfd), deadline, 0, restartCall(context))
	return block
}

// notifyEpoll wakes the threads waiting on the epoll instance watching fd.
func notifyEpoll(fd uint64) {
	f := &files[fd%maxFiles]
	if f.watchedByEpollFD == 0 {
		return
	}
	epfd := uint64(f.watchedByEpollFD - 1)
	if files[epfd%maxFiles].interest&(1<<(fd%64)) != 0 {
		threads.Wake(epollKey(epfd), uthread.MaxThreads, callsHolder)
	}
}
