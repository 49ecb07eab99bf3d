package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// /proc/self/fd (and /proc/PID/fd for this process's own PID): a directory
// of the process's open descriptors, each a symbolic link to what it
// names, as on Linux: a file's or directory's path, as it was opened
// (made absolute and cleaned lexically: ".." takes the previous name off,
// where Linux would follow symbolic links); /dev/console, /dev/null,
// /dev/zero, /dev/urandom; pipe:[N] (N the pipe's data node);
// anon_inode:[eventfd] and anon_inode:[eventpoll]. A file whose path is
// not known (inherited from the parent, opened by a path longer than
// fdPathMax, or while all pathPoolSize buffers were taken) shows its
// node, node:[N].
//
// Opening a link opens what it names again: /dev/null, /dev/zero and
// /dev/urandom anew, anything else as a new descriptor of the same open
// file description (Linux opens a file anew, with an offset of its own),
// refused when the description does not allow the access asked for.
// Another process's descriptors are the kernel's to know, not this
// libOS's: EACCES.

// fdPathMax bounds a recorded path (with its NUL).
const fdPathMax = 256

// The paths open file descriptions were opened by: a pool of
// pathPoolSize buffers, which descriptions borrow (descPathEntry: the
// entry + 1, 0 for none; descPathLength bytes), and which a description
// left free gives back when another needs one. A description that finds
// the pool taken shows its node, as an inherited one does.
const pathPoolSize = 256

var (
	pathPool       [pathPoolSize][fdPathMax]byte
	pathOwner      [pathPoolSize]uint16 // the description + 1 that borrowed the entry; 0: free
	descPathEntry  [maxOpen]uint16
	descPathLength [maxOpen]uint16
)

// descPath is the path description d was opened by (nil if unknown).
func descPath(d uint) []byte {
	d %= maxOpen
	e := uint(descPathEntry[d])
	if e == 0 || e > pathPoolSize || uint(pathOwner[(e-1)%pathPoolSize]) != d+1 {
		return nil
	}
	return pathPool[(e-1)%pathPoolSize][:min(uint(descPathLength[d]), fdPathMax)]
}

// forgetPath gives description d's path back (d is made anew).
func forgetPath(d uint) {
	d %= maxOpen
	if e := uint(descPathEntry[d]); e != 0 && e <= pathPoolSize && uint(pathOwner[(e-1)%pathPoolSize]) == d+1 {
		pathOwner[(e-1)%pathPoolSize] = 0
	}
	descPathEntry[d], descPathLength[d] = 0, 0
}

// borrowPath lends description d a pool entry: a free one, or one whose
// description was closed since; false when all are in use.
func borrowPath(d uint) (uint, bool) {
	for e := uint(0); e < pathPoolSize; e++ {
		owner := uint(pathOwner[e])
		if owner == 0 || owner > maxOpen || descs[(owner-1)%maxOpen].kind == kindFree {
			pathOwner[e] = uint16(d%maxOpen + 1)
			descPathEntry[d%maxOpen] = uint16(e + 1)
			return e, true
		}
	}
	return 0, false
}

// recordOpenPath keeps the path descriptor fd was just opened by: path
// at address, relative to dirfd (or the current directory).
func recordOpenPath(fd int64, dirfd, address uint64) {
	d, ok := descOf(uint64(fd))
	if !ok || d == 0 {
		return
	}
	d %= maxOpen
	if descs[d].refs != 1 || descPath(d) != nil {
		return // not a new description: /proc/self/fd/N opened again
	}
	var raw [fdPathMax]byte
	p, errno := userString(address, raw[:])
	if errno != 0 {
		return
	}
	// The whole path, before cleaning: the directory's, a slash, p.
	var whole [2 * fdPathMax]byte
	n := 0
	if len(p) == 0 || p[0] != '/' {
		switch {
		case dirfd == atFdcwd || int64(int32(dirfd)) == abi.AtFdcwd:
			base, ok := currentDirPath()
			if !ok {
				return
			}
			n = copy(whole[:], base)
		default:
			base, ok := descOf(dirfd)
			if !ok || descPath(base) == nil {
				return
			}
			n = copy(whole[:], descPath(base))
		}
		n += copy(whole[min(uint(n), uint(len(whole))):], "/")
	}
	n += copy(whole[min(uint(n), uint(len(whole))):], p)
	e, ok := borrowPath(d)
	if !ok {
		return
	}
	if length := cleanPath(whole[:min(uint(n), uint(len(whole)))], pathPool[e%pathPoolSize][:]); length > 0 {
		descPathLength[d] = uint16(length)
	} else {
		forgetPath(d)
	}
}

// cwdPathCache is the current directory's path, as recordOpenPath last
// found it for directory node: cwdPath walks up through every parent,
// too much for every relative open. (A rename of a parent after that is
// not seen: paths are as they were opened.)
var cwdPathCache struct {
	node   uint32
	length int
	path   [fdPathMax]byte
}

// currentDirPath returns the current directory's path (cwdPathCache);
// false when it cannot be found or is too long to record.
func currentDirPath() ([]byte, bool) {
	c := &cwdPathCache
	if c.length == 0 || c.node != cwdNode {
		c.length = 0
		length, errno := cwdPath(cwdBuffer[:])
		if errno != 0 || length >= fdPathMax {
			return nil, false
		}
		c.node, c.length = cwdNode, copy(c.path[:], cwdBuffer[:min(uint(length), uint(len(cwdBuffer)))])
	}
	return c.path[:min(uint(c.length), fdPathMax)], true
}

// cleanPath writes the absolute path p, cleaned lexically (no empty, "."
// or ".." names: ".." takes the previous name off), into out and returns
// its length, or 0 when it does not fit in len(out) - 1 bytes. (A byte at a time, each name
// written after its slash and taken back when it is "." or "..".)
func cleanPath(p, out []byte) int {
	if len(out) < 2 {
		return 0
	}
	size := uint(len(out))
	limit := size - 1 // a byte stays free: a length is below len(out)
	n, nameAt, inName := uint(0), uint(0), false
	for i := 0; i <= len(p); i++ {
		c := byte('/') // the end of p ends its last name
		if uint(i) < uint(len(p)) {
			c = p[i]
		}
		if c != '/' {
			if !inName {
				nameAt, inName = n, true
				if n >= limit {
					return 0
				}
				out[n%size] = '/'
				n++
			}
			if n >= limit {
				return 0
			}
			out[n%size] = c
			n++
			continue
		}
		if !inName {
			continue
		}
		inName = false
		switch length := n - nameAt - 1; {
		case length == 1 && out[(nameAt+1)%size] == '.':
			n = nameAt
		case length == 2 && out[(nameAt+1)%size] == '.' && out[(nameAt+2)%size] == '.':
			for n = nameAt; n > 0 && out[(n-1)%size] != '/'; n-- {
			}
			if n > 0 {
				n-- // the slash before the name taken off
			}
		}
	}
	if n == 0 {
		out[0], n = '/', 1
	}
	return int(n)
}

// fdLinkTarget writes what descriptor fd names (its link's target) into b
// and returns its length; 0 when fd is closed.
func fdLinkTarget(fd uint64, b []byte) int {
	f := fileAt(fd)
	if f == nil {
		return 0
	}
	t := textBuilder{b: b}
	switch f.kind {
	case kindConsole:
		t.str("/dev/console")
	case kindNull:
		t.str("/dev/null")
	case kindZero:
		t.str("/dev/zero")
	case kindRandom:
		t.str("/dev/urandom")
	case kindPipeRead, kindPipeWrite:
		t.str("pipe:[").num(metaWord(f.slot, exo.FileMetaNode) & 0xffff_ffff).byte(']')
	case kindEventfd:
		t.str("anon_inode:[eventfd]")
	case kindEpoll:
		t.str("anon_inode:[eventpoll]")
	default:
		if d, ok := descOf(fd); ok && descPath(d) != nil {
			t.str(bare.String(descPath(d)))
		} else {
			t.str("node:[").num(uint64(f.node)).byte(']')
		}
	}
	return t.n
}

// openFdLink opens /proc/self/fd/N again (see the top of the file).
func openFdLink(fd uint64, flags uint64) int64 {
	d, ok := descOf(fd)
	f := fileAt(fd)
	if !ok || f == nil {
		return -abi.ENOENT
	}
	want := accessMode(uint32(flags))
	reads, writes := descAccess(f)
	switch {
	case flags&abi.ODirectory != 0 && f.kind != kindDir && f.kind != kindProcDir:
		return -abi.ENOTDIR
	case want != abi.OWronly && !reads, want != abi.ORdonly && !writes:
		return -abi.EACCES
	case f.kind == kindNull || f.kind == kindZero || f.kind == kindRandom:
		return openDeviceKind(f.kind, flags) // a device holds no state: a description of its own
	}
	return installFD(d, 0, flags&abi.OCloexec != 0)
}

// descAccess reports whether description f may be read and written.
func descAccess(f *file) (reads, writes bool) {
	switch f.kind {
	case kindPipeRead:
		return true, false
	case kindPipeWrite:
		return false, true
	case kindFile, kindDir, kindProcFile, kindProcDir, kindEpoll:
		return readable(f), writable(f) && f.kind == kindFile
	}
	return true, true // the console, the devices, an eventfd
}

// parseFd says what rest, the part of a /proc/PID path after "fd" ("" or
// "/N"), names for process pid.
func parseFd(pid uint32, rest string) (what int, p, fd uint32, errno int64) {
	if pid != uint32(processID) {
		return procNone, 0, 0, -abi.EACCES // another process's descriptors
	}
	if rest == "" {
		return procFdDir, pid, 0, 0
	}
	n := uint32(0)
	for i := 1; i < len(rest); i++ {
		if rest[i] < '0' || rest[i] > '9' || n >= maxFiles {
			return procNone, 0, 0, -abi.ENOENT
		}
		n = n*10 + uint32(rest[i]-'0')
	}
	if len(rest) < 2 || n >= maxFiles || fileAt(uint64(n)) == nil {
		return procNone, 0, 0, -abi.ENOENT
	}
	return procFdLink, pid, n, 0
}
