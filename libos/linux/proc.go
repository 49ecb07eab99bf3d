package linux

import (
	"unsafe"

	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// /proc, made up by the libOS from the kernel's process table
// (process_info): a directory per process (and self) holding stat,
// status and cmdline, in Linux's formats, which is what u-root's ps
// reads, and fd (this process's own: procfd.go). Only absolute paths are served (the RAM file system's /proc is an
// empty directory). A file's text is made when it is opened, into one of
// procBuffers buffers held until it is closed. A process's cmdline is its
// own arguments for this process (kept at start), its name for others
// (the kernel knows no one's arguments). /proc/self/exe is readlink's
// (pathops.go).
//
// There is no session or process group: every process shows session 1
// (the console's) and is its own group.

const (
	procBuffers    = 8
	procBufferSize = 2048
	// procSlots is the process table's size: process_info's slots.
	procSlots = 64
)

var (
	procBuffer     [procBuffers][procBufferSize]byte
	procBufferUsed [procBuffers]bool
)

// What a path under /proc names.
const (
	procNone   = iota
	procRoot   // /proc
	procDir    // /proc/PID
	procStat   // /proc/PID/stat
	procStatus // /proc/PID/status
	procCmd    // /proc/PID/cmdline
	procFdDir  // /proc/PID/fd (this process's only: procfd.go)
	procFdLink // /proc/PID/fd/N
)

var procFiles = [...]string{procStat: "stat", procStatus: "status", procCmd: "cmdline"}

// procRecord is one process_info record.
type procRecord [exo.ProcessInfoSize / 8]uint64

func (r *procRecord) id() uint32     { return uint32(r[0]) }
func (r *procRecord) parent() uint32 { return uint32(r[0] >> 32) }
func (r *procRecord) state() uint32  { return uint32(r[1]) }
func (r *procRecord) uid() uint32    { return uint32(r[1] >> 32) }
func (r *procRecord) gid() uint32    { return uint32(r[2]) }
func (r *procRecord) frames() uint64 { return r[3] }
func (r *procRecord) name() string {
	b := bare.Bytes(uintptr(unsafe.Pointer(&r[5])), 16)
	n := 0
	for n < len(b) && b[n] != 0 {
		n++
	}
	if n == 0 {
		return "?"
	}
	return bare.String(b[:min(uint(n), 16)])
}

// procAt reads the record of process table slot (false: a free slot, or
// past the table).
func procAt(slot int, r *procRecord) bool {
	return exo.ProcessInfo(uint64(slot), uintptr(unsafe.Pointer(r))) > 0
}

// procFind reads pid's record.
func procFind(pid uint32, r *procRecord) bool {
	for slot := 0; slot < procSlots; slot++ {
		if procAt(slot, r) && r.id() == pid {
			return true
		}
	}
	return false
}

// parseProc says what the absolute path p names under /proc: procNone
// when p is not under /proc (the walk serves it), and errno ENOENT for a
// name that is not there; fd is the descriptor a procFdLink names.
func parseProc(p string) (what int, pid, fd uint32, errno int64) {
	const root = "/proc"
	if len(p) < len(root) || p[:len(root)] != root || (len(p) > len(root) && p[len(root)] != '/') {
		return procNone, 0, 0, 0
	}
	rest := p[len(root):]
	for len(rest) > 0 && rest[0] == '/' {
		rest = rest[1:]
	}
	for len(rest) > 0 && rest[len(rest)-1] == '/' {
		rest = rest[:len(rest)-1]
	}
	if rest == "" {
		return procRoot, 0, 0, 0
	}
	name, file := rest, ""
	for i := 0; i < len(rest); i++ {
		if rest[i] == '/' {
			name, file = rest[:i], rest[i+1:]
			break
		}
	}
	if name == "self" {
		pid = uint32(processID)
	} else {
		for i := 0; i < len(name); i++ {
			if name[i] < '0' || name[i] > '9' || pid > 1<<24 {
				return procNone, 0, 0, -abi.ENOENT
			}
			pid = pid*10 + uint32(name[i]-'0')
		}
	}
	var r procRecord
	if !procFind(pid, &r) {
		return procNone, 0, 0, -abi.ENOENT
	}
	if file == "" {
		return procDir, pid, 0, 0
	}
	if file == "fd" {
		return parseFd(pid, "")
	}
	if len(file) > 3 && file[:3] == "fd/" {
		return parseFd(pid, file[2:])
	}
	for k := procStat; k <= procCmd; k++ {
		if file == procFiles[k] {
			return k, pid, 0, 0
		}
	}
	return procNone, 0, 0, -abi.ENOENT // exe is readlink's; the rest is not made up
}

// procPath reads the path at address and parses it; handled is false when
// it is not under /proc.
func procPath(address uint64) (what int, pid, fd uint32, errno int64, handled bool) {
	var raw [64]byte
	p, e := userString(address, raw[:])
	if e != 0 {
		return procNone, 0, 0, 0, false // too long for /proc, or bad: the walk says
	}
	what, pid, fd, errno = parseProc(p)
	return what, pid, fd, errno, what != procNone || errno != 0
}

// openProc opens a path under /proc (a directory, or a file whose text is
// made now); it returns 0 when the path is not under /proc.
func openProc(path, flags uint64) int64 {
	what, pid, linked, errno, handled := procPath(path)
	switch {
	case !handled:
		return 0
	case errno != 0:
		return errno
	case what == procFdLink:
		return openFdLink(uint64(linked), flags)
	case accessMode(uint32(flags)) != abi.ORdonly || flags&abi.OCreat != 0:
		return -abi.EACCES
	case what != procRoot && what != procDir && what != procFdDir && flags&abi.ODirectory != 0:
		return -abi.ENOTDIR
	}
	if what == procRoot || what == procDir || what == procFdDir {
		fd := allocateFDFlags(kindProcDir, flags)
		if fd >= 0 {
			f := fileAt(uint64(fd))
			f.node = pid
			if what == procFdDir {
				f.start = 1 // its descriptors (procfd.go)
			}
		}
		return fd
	}
	if what == procCmd && pid == uint32(processID) {
		fd := allocateFDFlags(kindProcFile, flags)
		if fd >= 0 {
			f := fileAt(uint64(fd))
			f.start = uint64(uintptr(unsafe.Pointer(&cmdline.bytes[0])))
			f.size = uint64(min(cmdline.length, uint(len(cmdline.bytes))))
		}
		return fd
	}
	k := -1
	for i := range procBufferUsed {
		if !procBufferUsed[i] {
			k = i
			break
		}
	}
	if k < 0 {
		return -abi.ENFILE
	}
	var r procRecord
	if !procFind(pid, &r) {
		return -abi.ENOENT // gone meanwhile
	}
	fd := allocateFDFlags(kindProcFile, flags)
	if fd < 0 {
		return fd
	}
	buf := procBuffer[uint(k)%procBuffers][:]
	n := procText(what, &r, buf)
	f := fileAt(uint64(fd))
	f.start, f.size, f.peer = uint64(uintptr(unsafe.Pointer(&buf[0]))), uint64(n), uintptr(k+1)
	procBufferUsed[uint(k)%procBuffers] = true
	return fd
}

// closeProcFile gives a made-up file's buffer back.
func closeProcFile(f *file) {
	if k := f.peer; k >= 1 && k <= procBuffers {
		procBufferUsed[(k-1)%procBuffers] = false
	}
}

// procText writes file what of the process r describes into b and returns
// its length.
func procText(what int, r *procRecord, b []byte) int {
	var t textBuilder
	t.b = b
	state := byte('S')
	switch r.state() {
	case 1:
		state = 'I' // made, not started
	case 3:
		state = 'Z'
	}
	if uint64(r.id()) == uint64(processID) {
		state = 'R'
	}
	name := r.name()
	switch what {
	case procStat:
		// pid (comm) state ppid pgrp session tty_nr tpgid flags minflt
		// cminflt majflt cmajflt utime stime cutime cstime priority
		// nice num_threads itrealvalue starttime vsize rss
		t.num(uint64(r.id())).str(" (")
		for i := 0; i < len(name); i++ {
			if name[i] == ' ' || name[i] == ')' {
				t.byte('_') // ps splits the line at spaces
			} else {
				t.byte(name[i])
			}
		}
		t.str(") ").byte(state).byte(' ').num(uint64(r.parent())).byte(' ').num(uint64(r.id())).str(" 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 0 ")
		t.num(r.frames() * 4096).byte(' ').num(r.frames()).byte('\n')
	case procStatus:
		t.str("Name:\t").str(name).str("\nState:\t").byte(state).str("\nPid:\t").num(uint64(r.id()))
		t.str("\nPPid:\t").num(uint64(r.parent())).str("\nUid:\t")
		for i := 0; i < 4; i++ {
			t.num(uint64(r.uid())).byte("\t\t\t\n"[i])
		}
		t.str("Gid:\t")
		for i := 0; i < 4; i++ {
			t.num(uint64(r.gid())).byte("\t\t\t\n"[i])
		}
		t.str("VmRSS:\t").num(r.frames() * 4).str(" kB\n")
	case procCmd:
		t.str(name).byte(0)
	}
	return t.n
}

// textBuilder writes text into a fixed buffer (the rest is cut).
type textBuilder struct {
	b []byte
	n int
}

func (t *textBuilder) byte(c byte) *textBuilder {
	if uint(t.n) < uint(len(t.b)) {
		t.b[t.n] = c
		t.n++
	}
	return t
}

func (t *textBuilder) str(s string) *textBuilder {
	for i := 0; i < len(s); i++ {
		t.byte(s[i])
	}
	return t
}

func (t *textBuilder) num(v uint64) *textBuilder {
	var digits [20]byte
	i := uint(len(digits))
	for i > 0 {
		i--
		digits[i%20] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	for ; i < uint(len(digits)); i++ {
		t.byte(digits[i%20])
	}
	return t
}

// procGetdents lists a made-up directory of /proc (f.node: 0 the root,
// else the process): ".", "..", then self and a directory per process,
// or the files of a process.
func procGetdents(f *file, address, capacity uint64) int64 {
	used := uint64(0)
	for {
		var name [12]byte
		n, ino, dtype := 0, uint64(0), uint8(dtDir)
		k := f.offset
		switch {
		case k == 0:
			name[0], n = '.', 1
		case k == 1:
			name[0], name[1], n = '.', '.', 2
		case f.start == 1 && k-2 < maxFiles:
			// The fd directory: a link per open descriptor.
			if fileAt(k-2) == nil {
				f.offset++
				continue
			}
			t := textBuilder{b: name[:]}
			t.num(k - 2)
			n, ino, dtype = t.n, k-2, dtSymlink
		case f.start == 1:
			return int64(used)
		case f.node != 0 && k == 2+procCmd-procStat+1:
			n = copy(name[:], "fd")
		case f.node == 0 && k == 2:
			n = copy(name[:], "self")
		case f.node == 0 && k-3 < procSlots:
			var r procRecord
			if !procAt(int(k-3), &r) {
				f.offset++
				continue
			}
			var t textBuilder
			t.b = name[:]
			t.num(uint64(r.id()))
			n, ino = t.n, uint64(r.id())
		case f.node != 0 && k-2 < procCmd-procStat+1:
			n, dtype = copy(name[:], procFiles[(procStat+k-2)%uint64(len(procFiles))]), dtFile
		default:
			return int64(used)
		}
		length := uint64(abi.DirentName+n+1+7) &^ 7
		if used+length > capacity {
			if used == 0 {
				return -abi.EINVAL // the buffer holds no entry
			}
			return int64(used)
		}
		entry := bare.Bytes(uintptr(address+used), uintptr(length))
		clear(entry)
		putWord(entry, abi.DirentIno, ino+1)
		putWord(entry, abi.DirentOff, k+1)
		putWord32(entry, abi.DirentReclen, uint32(length)|uint32(dtype)<<16)
		copy(entry[min(uint(abi.DirentName), uint(len(entry))):], name[:min(uint(n), uint(len(name)))])
		used += length
		f.offset++
	}
}

// procStatPath answers stat, lstat and newfstatat of a path under /proc
// (following a descriptor's link with follow); handled is false for other
// paths.
func procStatPath(path, address uint64, follow bool) (int64, bool) {
	what, _, fd, errno, handled := procPath(path)
	if !handled {
		return 0, false
	}
	if errno != 0 {
		return errno, true
	}
	if what == procFdLink && follow {
		return sysFstat(uint64(fd), address), true
	}
	b, ok := userBytes(address, abi.StatLength, true)
	if !ok {
		return -abi.EFAULT, true
	}
	switch what {
	case procFdLink:
		var target [fdPathMax]byte
		fillStat(b, 0o120700, uint64(fdLinkTarget(uint64(fd), target[:])), 0, 0)
	case procFdDir:
		fillStat(b, 0o040500, 0, 0, 0)
	case procRoot, procDir:
		fillStat(b, 0o040555, 0, 0, 0)
	default:
		fillStat(b, 0o100444, 0, 0, 0) // size 0, as Linux's /proc files
	}
	return 0, true
}

// parentPID is getppid's answer: the parent in the kernel's process
// table (0 for the first process, which the kernel started).
func parentPID() int64 {
	var r procRecord
	if !procFind(uint32(processID), &r) {
		return 0
	}
	return int64(r.parent())
}

// nameProcess tells the kernel this program's name (the last part of its
// path), which process_info, and so ps, shows.
func nameProcess(path string) {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			path = path[i+1:]
			break
		}
	}
	var name [16]byte
	copy(name[:15], path)
	exo.ProcessSetName(uintptr(unsafe.Pointer(&name[0])))
}
