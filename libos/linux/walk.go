package linux

import (
	"unsafe"

	abi "exogo/abi/linuxabi"
	"exogo/libos/exo"
)

// Walking a path, one directory at a time, with the *at semantics Linux
// gives: from the root for an absolute path, from the current directory
// (AT_FDCWD) or a directory descriptor; "." and ".." (through the kernel's
// fs_open_parent, as the libOS knows only the directories it linked);
// symbolic links followed (at most maxLinks), in the last component only
// when asked. The result is the directory that holds the last component,
// linked, and the component: every call then names the node by that
// directory and name, and the kernel checks the permissions.
//
// A '/' after the last component asks for a directory: a symbolic link
// there is followed and anything else but a directory is ENOTDIR, except
// when the component is a name to make or remove (nameLast: mkdir, mknod,
// link, symlink, rename, unlink, open with O_CREAT), which Linux looks up
// without following it (filename_create, LOOKUP_PARENT) and whose caller
// judges the slash (w.trailing): rmdir("link-to-dir/") is ENOTDIR, never
// the removal of the directory the link names.

// walkHow says what a walk does with the last component.
type walkHow uint8

const (
	followLast walkHow = 1 << iota // follow a symbolic link there
	nameLast                       // a name to make or remove (above)
)

// followIf is followLast when follow is true.
func followIf(follow bool) walkHow {
	if follow {
		return followLast
	}
	return 0
}

const (
	dtDir     = 4
	dtFile    = 8
	dtChar    = 2
	dtFifo    = 1
	dtSymlink = 10
)

// walkResult is where a walk ended.
type walkResult struct {
	dir      uintptr // the directory that holds the last component (a reference held: release it)
	name     [nameMax]byte
	n        int  // the last component's length; 0: the result is dir itself ("/", ".", "a/..")
	found    bool // the last component exists (or n is 0)
	trailing bool // the path ended with '/': the result must be a directory
	entry    dirEntry
}

func (w *walkResult) nameBytes() []byte { return w.name[:uint(w.n)%(nameMax+1)] }

// nameArg is the last component, NUL-terminated, for a call.
func (w *walkResult) nameArg() uintptr { return nameArg(w.nameBytes()) }

// release drops the walk's reference on its directory.
func (w *walkResult) release() {
	if w.dir != 0 {
		releaseSlot(w.dir)
		w.dir = 0
	}
}

var (
	pathBuffers [2][pathMax]byte
	linkBuffer  [pathMax]byte
)

// startDir returns the directory a relative path starts from: the
// current directory for AT_FDCWD, else dirfd's.
func startDir(dirfd uint64) (uintptr, int64) {
	if dirfd == atFdcwd || int64(int32(dirfd)) == abi.AtFdcwd {
		return cwdSlot, 0
	}
	f := fileAt(dirfd)
	switch {
	case f == nil:
		return 0, -abi.EBADF
	case f.kind != kindDir:
		return 0, -abi.ENOTDIR
	}
	return f.slot, 0
}

// walkPath walks the NUL-terminated path at address from dirfd.
func walkPath(dirfd, address uint64, how walkHow, w *walkResult) int64 {
	if !fsStart() {
		return -abi.ENOMEM
	}
	*w = walkResult{}
	p, errno := userString(address, pathBuffers[0][:])
	if errno != 0 {
		return errno
	}
	if len(p) == 0 {
		return -abi.ENOENT
	}
	start := rootSlot
	if p[0] != '/' {
		if start, errno = startDir(dirfd); errno != 0 {
			return errno
		}
	}
	return walk(start, pathBuffers[0][:min(uint(len(p)), pathMax)], how, w)
}

// walkString walks p, a path of the libOS's own, from the root.
func walkString(p string, w *walkResult) int64 {
	if !fsStart() {
		return -abi.ENOMEM
	}
	*w = walkResult{}
	n := copy(pathBuffers[0][:], p)
	return walk(rootSlot, pathBuffers[0][:min(uint(n), pathMax)], followLast, w)
}

// onlySlashes reports whether p holds nothing but '/'.
func onlySlashes(p []byte) bool {
	for _, c := range p {
		if c != '/' {
			return false
		}
	}
	return true
}

// walk resolves p (in pathBuffers[0]) from the directory linked at start.
func walk(start uintptr, p []byte, how walkHow, w *walkResult) int64 {
	cur := start
	holdSlot(cur)
	links, buffer := 0, 0
	for {
		for len(p) > 0 && p[0] == '/' {
			p = p[1:]
		}
		if len(p) == 0 {
			w.dir, w.n, w.found = cur, 0, true
			return 0
		}
		component, rest := p, p[len(p):]
		for i := range p {
			if p[i] == '/' {
				component, rest = p[:i], p[i:]
				break
			}
		}
		last := onlySlashes(rest)
		if len(component) > nameMax {
			releaseSlot(cur)
			return -abi.ENAMETOOLONG
		}
		p = rest
		if len(component) == 1 && component[0] == '.' {
			continue
		}
		if len(component) == 2 && component[0] == '.' && component[1] == '.' {
			parent, _, errno := openParent(cur)
			if errno != 0 {
				releaseSlot(cur)
				return errno
			}
			holdSlot(parent)
			releaseSlot(cur)
			cur = parent
			continue
		}
		if !searchable(cur) {
			releaseSlot(cur)
			return -abi.EACCES // as the kernel says (the directory may be cached from before a chmod or setuid)
		}
		var e dirEntry
		if !lookupEntry(cur, component, &e) {
			if !last {
				releaseSlot(cur)
				return -abi.ENOENT
			}
			w.dir, w.found, w.trailing = cur, false, len(rest) > 0
			w.n = copy(w.name[:], component)
			return 0
		}
		slash := len(rest) > 0 && how&nameLast == 0 // a '/' after the last component that asks for a directory
		if e.dtype == dtSymlink && (!last || len(rest) == 0 && how&followLast != 0 || slash) {
			links++
			n := exo.FsReadlink(cur, nameArg(component), uintptr(unsafe.Pointer(&linkBuffer[0])))
			switch {
			case links > maxLinks:
				n = -abi.ELOOP
			case n < 0:
				n = errnoOf(n)
			case n == 0:
				n = -abi.ENOENT
			case uint64(n)+uint64(len(rest)) > pathMax:
				n = -abi.ENAMETOOLONG
			}
			if n < 0 {
				releaseSlot(cur)
				return n
			}
			// The link's target, then what followed it, in the other
			// buffer (rest may be in this one).
			buffer ^= 1
			dst := &pathBuffers[uint(buffer)%2]
			k := uint(copy(dst[:], linkBuffer[:min(uint64(n), pathMax)]))
			if k < pathMax {
				k += uint(copy(dst[k:], rest))
			}
			p = dst[:min(k, pathMax)]
			if linkBuffer[0] == '/' {
				holdSlot(rootSlot)
				releaseSlot(cur)
				cur = rootSlot
			}
			continue
		}
		if last {
			if slash && e.dtype != dtDir {
				releaseSlot(cur)
				return -abi.ENOTDIR // "file/": only a directory may end with a slash
			}
			w.dir, w.found, w.trailing, w.entry = cur, true, len(rest) > 0, e
			w.n = copy(w.name[:], component)
			return 0
		}
		if e.dtype != dtDir {
			releaseSlot(cur)
			return -abi.ENOTDIR
		}
		next, errno := openDirAt(cur, component, e.node)
		if errno != 0 {
			releaseSlot(cur)
			return errno
		}
		holdSlot(next)
		releaseSlot(cur)
		cur = next
	}
}
