package linux

import (
	abi "exogo/abi/linuxabi"
	"unsafe"

	"exogo/kernel/console"
	"exogo/kernel/cpu"
	"exogo/kernel/rawmem"
	"exogo/kernel/sched"
)

// File descriptors of the kernel's runtime: 0-2 are the console (reads see
// end of file; writes go to the kernel log), and the runtime's netpoller
// opens an epoll instance and an eventfd (its wake-up line). That is all a
// kernel needs; there is no file system in the kernel.

type fileKind uint8

const (
	kindFree fileKind = iota
	kindConsole
	kindEventfd
	kindEpoll
)

const (
	maxFiles         = 64
	maxEpollWatch    = 16
	epollIn          = 0x001
	epollCtlAdd      = 1
	epollCtlDelete   = 2
	epollCtlModify   = 3
	eventfdSemaphore = 0x1
)

type watch struct {
	fd     int32
	events uint32
	data   uint64
}

type file struct {
	kind    fileKind
	counter uint64 // eventfd value
	flags   uint64
	watches [maxEpollWatch]watch
	count   int
	// An epoll_pwait in progress: the waiting thread (index + 1; 0 when
	// none) and its buffer.
	waiter       int32
	waitEvents   uint64
	waitCapacity uint64
}

// The table is used before Go package initialization runs (the runtime
// makes system calls while it starts), so its zero value must be right:
// fds 0-2 are the console by rule, and waiter holds a thread index plus one.
var files [maxFiles]file

func kindOf(fd uint64) fileKind {
	if fd <= 2 {
		return kindConsole
	}
	if fd >= maxFiles {
		return kindFree
	}
	return files[fd].kind
}

func validFD(fd uint64) bool { return kindOf(fd) != kindFree }

// fileAt returns the table entry of fd (callers have checked fd).
func fileAt(fd uint64) *file { return &files[fd%maxFiles] }

func allocateFD(kind fileKind) int64 {
	for i := 3; i < maxFiles; i++ {
		if files[i].kind == kindFree {
			files[i] = file{kind: kind}
			return int64(i)
		}
	}
	return -abi.EMFILE
}

func bytesAt(address uintptr, length uintptr) []byte { return rawmem.Bytes(address, length) }

func frameAt(address uintptr) *cpu.Frame { return (*cpu.Frame)(rawmem.Pointer(address)) }

func frameAddress(f *cpu.Frame) uintptr { return uintptr(unsafe.Pointer(f)) }

func sysWriteFile(fd, address, length uint64) int64 {
	if !validFD(fd) {
		return -abi.EBADF
	}
	switch kindOf(fd) {
	case kindConsole:
		if length > 1<<20 {
			length = 1 << 20
		}
		if !userRange(address, length) {
			return -abi.EFAULT
		}
		console.Write(bytesAt(uintptr(address), uintptr(length)))
		return int64(length)
	case kindEventfd:
		if length < 8 || !userRange(address, 8) {
			return -abi.EINVAL
		}
		v := getUint64(uintptr(address))
		if v == ^uint64(0) {
			return -abi.EINVAL
		}
		fileAt(fd).counter += v
		notifyEpoll(int32(fd))
		return 8
	}
	return -abi.EINVAL
}

func sysReadFile(fd, address, length uint64) int64 {
	if !validFD(fd) {
		return -abi.EBADF
	}
	switch kindOf(fd) {
	case kindConsole:
		return 0
	case kindEventfd:
		if length < 8 || !userRange(address, 8) {
			return -abi.EINVAL
		}
		f := fileAt(fd)
		if f.counter == 0 {
			return -abi.EAGAIN // the runtime opens its eventfd non-blocking
		}
		v := f.counter
		if f.flags&eventfdSemaphore != 0 {
			v = 1
		}
		f.counter -= v
		putUint64(uintptr(address), v)
		return 8
	}
	return -abi.EINVAL
}

func sysCloseFile(fd uint64) int64 {
	if !validFD(fd) {
		return -abi.EBADF
	}
	if fd > 2 {
		*fileAt(fd) = file{}
	}
	return 0
}

func sysEventfd(initial, flags uint64) int64 {
	fd := allocateFD(kindEventfd)
	if fd >= 0 {
		fileAt(uint64(fd)).counter, fileAt(uint64(fd)).flags = initial&0xffffffff, flags
	}
	return fd
}

func sysEpollCreate(flags uint64) int64 { return allocateFD(kindEpoll) }

func sysEpollControl(epfd, op, fd, event uint64) int64 {
	if kindOf(epfd) != kindEpoll || !validFD(fd) || fd == epfd {
		return -abi.EBADF
	}
	e := fileAt(epfd)
	index := -1
	for i := 0; i < e.count && i < maxEpollWatch; i++ {
		if e.watches[i].fd == int32(fd) {
			index = i
		}
	}
	if index >= maxEpollWatch {
		index = -1
	}
	switch op {
	case epollCtlAdd, epollCtlModify:
		if !userRange(event, 12) {
			return -abi.EFAULT
		}
		w := watch{fd: int32(fd), events: getUint32(uintptr(event)), data: getUint64(uintptr(event) + 4)}
		if index >= 0 {
			e.watches[uint(index)%maxEpollWatch] = w
			return 0
		}
		if op == epollCtlModify {
			return -abi.ENOENT
		}
		n := e.count
		if n < 0 || n >= maxEpollWatch {
			return -abi.ENOMEM
		}
		e.watches[n] = w
		e.count = n + 1
		return 0
	case epollCtlDelete:
		if index < 0 {
			return -abi.ENOENT
		}
		last := e.count - 1
		if last >= 0 && last < maxEpollWatch {
			e.watches[uint(index)%maxEpollWatch] = e.watches[last]
			e.count = last
		}
		return 0
	}
	return -abi.EINVAL
}

// readyEvents writes up to capacity ready events of epoll instance e into
// the buffer at events (struct epoll_event: u32 events, u64 data, packed)
// and returns how many.
func readyEvents(e *file, events, capacity uint64) int64 {
	n := uint64(0)
	for i := 0; i < e.count && i < maxEpollWatch && n < capacity; i++ {
		w := e.watches[i]
		if w.fd < 0 || w.fd >= maxFiles {
			continue
		}
		target := &files[uint32(w.fd)%maxFiles]
		if target.kind == kindEventfd && target.counter > 0 && w.events&epollIn != 0 {
			slot := uintptr(events + n*12)
			putUint32(slot, epollIn)
			putUint32(slot+4, uint32(w.data))
			putUint32(slot+8, uint32(w.data>>32))
			n++
		}
	}
	return int64(n)
}

func sysEpollWait(f *cpu.Frame, epfd, events, capacity, timeoutMillis uint64, now uint64) uintptr {
	if kindOf(epfd) != kindEpoll {
		f.RAX = negative(abi.EBADF)
		return deliverPending(f)
	}
	if capacity == 0 || capacity > 1024 || !userRange(events, capacity*12) {
		f.RAX = negative(abi.EINVAL)
		return deliverPending(f)
	}
	e := fileAt(epfd)
	if n := readyEvents(e, events, capacity); n > 0 || timeoutMillis == 0 {
		f.RAX = uint64(n)
		return deliverPending(f)
	}
	deadline := uint64(0)
	if int64(timeoutMillis) > 0 {
		deadline = now + timeoutMillis*1_000_000
	}
	e.waiter = sched.CurrentIndex() + 1
	e.waitEvents, e.waitCapacity = events, capacity
	return sched.Block(epollKey(epfd), deadline, 0, now)
}

func epollKey(epfd uint64) uintptr { return uintptr(unsafe.Pointer(&files[epfd%maxFiles])) }

// notifyEpoll completes the epoll_pwait of every instance watching fd that
// has a thread waiting.
func notifyEpoll(fd int32) {
	for i := range files {
		e := &files[i]
		if e.kind != kindEpoll || e.waiter == 0 {
			continue
		}
		// The waiter may have timed out since: then its buffer is no
		// longer ours to write.
		if t := sched.ByIndex(e.waiter - 1); t == nil || t.State != sched.Blocked || t.WaitKey != epollKey(uint64(i)) {
			e.waiter = 0
			continue
		}
		for j := 0; j < e.count && j < maxEpollWatch; j++ {
			if e.watches[j].fd == fd {
				if n := readyEvents(e, e.waitEvents, e.waitCapacity); n > 0 {
					sched.Wake(epollKey(uint64(i)), 1, n)
					e.waiter = 0
				}
				break
			}
		}
	}
}
