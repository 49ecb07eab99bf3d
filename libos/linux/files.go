package linux

import (
	abi "exogo/abi/linuxabi"
)

// File descriptors and the open file descriptions they name (dup gives a
// second descriptor for one description, which shares its offset and
// flags). 0, 1 and 2 are the console at the zero value; eventfds and
// epoll instances serve the runtime's network poller (its timers and
// netpollBreak); files and directories of the RAM file system (fsys.go,
// fileops.go); the devices (/dev/null, ...); pipes, within a process or
// between processes (pipes.go); made-up /proc files (proc.go). Sockets
// are not built yet.
// The console's reads and writes are console.go's.

const (
	maxFiles = 1024 // descriptors (RLIMIT_NOFILE, Linux's default soft limit)
	maxOpen  = 1024 // open file descriptions
)

const (
	kindFree = iota
	kindConsole
	kindEventfd
	kindEpoll
	kindPipeRead // the ends of a pipe (pipes.go)
	kindPipeWrite
	kindFile     // a file of the RAM file system, linked at slot
	kindDir      // a directory of it, linked at slot (read with getdents64)
	kindNull     // /dev/null
	kindZero     // /dev/zero
	kindRandom   // /dev/random and /dev/urandom
	kindProcFile // a file the libOS makes up (/proc: proc.go): its bytes at start, size of them
	kindProcDir  // a directory of /proc (proc.go): node is its process (0: /proc itself)
)

// file is one open file description.
type file struct {
	kind  uint32
	flags uint32 // the open flags that stay (O_APPEND, O_NONBLOCK, the access mode)
	refs  uint32 // descriptors naming it
	count uint64 // an eventfd's counter
	// A file's or directory's (fileops.go): its node, where it is linked
	// (its slot in the file window), and the offset (for a directory,
	// the next entry slot to list, past "." and "..").
	node   uint32
	slot   uintptr
	offset uint64
	shared uintptr // a file's: where the node that holds its offset is linked, once a child shares it (offsets.go)
	// A made-up file's bytes.
	start, size uint64
	// A pipe end's: slot is where its data node is linked, peer its
	// tail node (pipes.go); armed while it counts among its side's
	// waiters.
	peer    uintptr
	armed   bool
	stamp   uint64 // the pipe's counters when its waiters were last woken (or blocked)
	opening bool   // a FIFO end whose open waits for the other side (fifo.go)
	opens   uint64 // the other side's opens when it began to wait
	opener  uint16 // the thread + 1 whose open it is, while opening
}

// descs are the open file descriptions; descs[0] is the console's.
// descHigh bounds the indexes ever used (newDesc takes the lowest free
// one), so that the scans of descs cost what is open, not maxOpen.
var (
	descs    [maxOpen]file
	descHigh uint = 1
)

// fdTable holds, for each descriptor, its description's index + 1 (0:
// closed), with fdCloexec set for close-on-exec. A descriptor 0-2 that
// was never used names the console.
var fdTable [maxFiles]uint16

const fdCloexec = 1 << 15

var consoleClosed [3]bool

// descOf returns the index of the description fd names.
func descOf(fd uint64) (uint, bool) {
	if fd >= maxFiles {
		return 0, false
	}
	e := fdTable[fd]
	if e == 0 {
		if fd < 3 && !consoleClosed[fd] {
			descs[0].kind = kindConsole // the zero value: 0-2 are open on the console
			return 0, true
		}
		return 0, false
	}
	return uint(e&^fdCloexec-1) % maxOpen, true
}

func fileAt(fd uint64) *file {
	d, ok := descOf(fd)
	if !ok || descs[d%maxOpen].kind == kindFree {
		return nil
	}
	return &descs[d%maxOpen]
}

// fdFree reports whether descriptor fd is closed.
func fdFree(fd uint64) bool {
	_, open := descOf(fd)
	return !open
}

// installFD gives description d the lowest closed descriptor from first
// on.
func installFD(d uint, first uint64, cloexec bool) int64 {
	for fd := first; fd < maxFiles; fd++ {
		if fdFree(fd) {
			setFD(fd, d, cloexec)
			return int64(fd)
		}
	}
	return -abi.EMFILE
}

// setFD makes descriptor fd (closed) name description d.
func setFD(fd uint64, d uint, cloexec bool) {
	e := uint16(d%maxOpen) + 1
	if cloexec {
		e |= fdCloexec
	}
	fdTable[fd%maxFiles] = e
	if fd < 3 {
		consoleClosed[fd] = false
	}
	descs[d%maxOpen].refs++
}

// newDesc returns a free description, made of kind with one reference
// to come (installFD).
func newDesc(kind uint32) (uint, bool) {
	for d := uint(1); d < maxOpen; d++ {
		if descs[d].kind == kindFree {
			descs[d] = file{kind: kind}
			descHigh = max(descHigh, d+1)
			forgetPath(d) // (procfd.go)
			return d, true
		}
	}
	return 0, false
}

// allocateFD opens a new description of kind on the lowest closed
// descriptor.
func allocateFD(kind uint32) int64 {
	d, ok := newDesc(kind)
	if !ok {
		return -abi.ENFILE
	}
	fd := installFD(d, 0, false)
	if fd < 0 {
		descs[d%maxOpen] = file{}
	}
	return fd
}

// allocateFDFlags is allocateFD with O_CLOEXEC from flags.
func allocateFDFlags(kind uint32, flags uint64) int64 {
	fd := allocateFD(kind)
	if fd >= 0 && flags&abi.OCloexec != 0 {
		fdTable[uint64(fd)%maxFiles] |= fdCloexec
	}
	return fd
}

// discardFD undoes an allocateFD whose description was not set up yet.
func discardFD(fd uint64) {
	if d, ok := descOf(fd); ok && d != 0 {
		descs[d%maxOpen] = file{}
	}
	fdTable[fd%maxFiles] = 0
	if fd < 3 {
		consoleClosed[fd] = true
	}
}

// closeFD closes descriptor fd; the description goes with its last
// descriptor.
func closeFD(fd uint64) int64 {
	d, ok := descOf(fd)
	if !ok || descs[d%maxOpen].kind == kindFree {
		return -abi.EBADF
	}
	fdTable[fd%maxFiles] = 0
	if fd < 3 {
		consoleClosed[fd] = true
	}
	if !vfork.swapped { // (a vfork child's table is a copy: vfork.go)
		forgetRegistrations(fd, 0) // it leaves every interest list it was on
	}
	if d == 0 {
		return 0 // the console's stays
	}
	f := &descs[d%maxOpen]
	if f.refs > 1 {
		f.refs--
		return 0
	}
	switch f.kind {
	case kindPipeRead, kindPipeWrite:
		closePipeEnd(f)
	case kindFile:
		keepClosed(f.node, f.slot)
		if f.shared != 0 {
			releaseSlot(f.shared)
		}
	case kindDir:
		releaseSlot(f.slot)
	case kindEpoll:
		forgetRegistrations(maxFiles, d) // its interest list
	case kindProcFile:
		closeProcFile(f)
	}
	*f = file{}
	return 0
}

func sysClose(fd uint64) int64 { return closeFD(fd) }

// sysDup3 makes descriptor to name what from names (dup2 and dup3; dup
// when to is -1: the lowest closed descriptor).
func sysDup3(from, to, flags uint64, dup2 bool) int64 {
	if flags&^uint64(abi.OCloexec) != 0 {
		return -abi.EINVAL
	}
	d, ok := descOf(from)
	if !ok || descs[d%maxOpen].kind == kindFree {
		return -abi.EBADF
	}
	if int64(to) == -1 {
		return installFD(d, 0, false)
	}
	if to >= maxFiles {
		return -abi.EBADF
	}
	if to == from {
		if dup2 {
			return int64(to)
		}
		return -abi.EINVAL
	}
	if !fdFree(to) {
		closeFD(to)
	}
	setFD(to, d, flags&abi.OCloexec != 0)
	return int64(to)
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
	if n, handled := writeFile(f, b, 0, false); handled {
		return n
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
		wakePollers(fd, 0)
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
	if n, handled := readFile(f, b, 0, false); handled {
		return n
	}
	switch f.kind {
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

// setCloexec sets or clears open descriptor fd's close-on-exec flag
// (F_SETFD, FIOCLEX, FIONCLEX).
func setCloexec(fd uint64, on bool) {
	if fd < 3 && fdTable[fd%maxFiles] == 0 {
		setFD(fd, 0, false) // the console at the zero value: made explicit
	}
	if on {
		fdTable[fd%maxFiles] |= fdCloexec
	} else {
		fdTable[fd%maxFiles] &^= fdCloexec
	}
}

func sysFcntl(fd, command, argument uint64) int64 {
	f := fileAt(fd)
	if f == nil {
		return -abi.EBADF
	}
	switch command {
	case abi.FDupfd, abi.FDupfdCloexec:
		if argument >= maxFiles {
			return -abi.EINVAL
		}
		d, _ := descOf(fd)
		return installFD(d, argument, command == abi.FDupfdCloexec)
	case abi.FGetfd:
		if fdTable[fd%maxFiles]&fdCloexec != 0 {
			return abi.FdCloexec
		}
		return 0
	case abi.FSetfd:
		setCloexec(fd, argument&abi.FdCloexec != 0)
		return 0
	case abi.FGetfl:
		access := int64(abi.ORdwr)
		switch f.kind {
		case kindPipeRead:
			access = abi.ORdonly
		case kindPipeWrite:
			access = abi.OWronly
		case kindFile, kindDir, kindNull, kindZero, kindRandom, kindProcFile, kindProcDir:
			access = int64(accessMode(f.flags))
		}
		return access | int64(f.flags)&(abi.ONonblock|abi.OAppend)
	case abi.FSetfl:
		// Only O_APPEND and O_NONBLOCK change (as on Linux).
		f.flags = f.flags&^(abi.ONonblock|abi.OAppend) | uint32(argument)&(abi.ONonblock|abi.OAppend)
		return 0
	}
	return -abi.EINVAL
}
