package linux

import (
	"unsafe"

	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// Calls that name a path: each walks to the directory holding the last
// component and asks the kernel, which checks the permissions and changes
// the directory (processes only read directories).

const (
	atSymlinkNofollow = 0x100
	atRemovedir       = 0x200
	atSymlinkFollow   = 0x400
	atEmptyPath       = 0x1000
	renameNoreplace   = 1
	utimeNow          = 1<<30 - 1
	utimeOmit         = 1<<30 - 2
)

// procPrefix is what openProc and readlink serve themselves.
const procSelf = "/proc/self/"

// cmdline is /proc/self/cmdline: the program's arguments, copied at start.
var cmdline struct {
	bytes  [4096]byte
	length uint
}

// keepCmdline copies the arguments for /proc/self/cmdline (as many as fit).
func keepCmdline(args []string) {
	n := uint(0)
	for _, a := range args {
		if n+uint(len(a))+1 > uint(len(cmdline.bytes)) {
			break
		}
		n += uint(copy(cmdline.bytes[min(n, uint(len(cmdline.bytes))):], a))
		cmdline.bytes[n%uint(len(cmdline.bytes))] = 0
		n++
	}
	cmdline.length = n
}

// targetOf names the node a *at call acts on for fchmod, fstat, ...: the
// directory and name of a walk, or a descriptor's own link (name 0) for
// AT_EMPTY_PATH and the f* calls.
func fdTarget(fd uint64) (uintptr, int64) {
	f := fileAt(fd)
	if f == nil {
		return 0, -abi.EBADF
	}
	if f.kind != kindFile && f.kind != kindDir {
		return 0, -abi.EINVAL
	}
	return f.slot, 0
}

// emptyPath reports whether the string at address is "" (AT_EMPTY_PATH).
func emptyPath(address uint64) bool {
	b, ok := userBytes(address, 1, false)
	return ok && len(b) > 0 && b[0] == 0
}

func sysMkdirat(dirfd, path, mode uint64) int64 {
	var w walkResult
	if errno := walkPath(dirfd, path, nameLast, &w); errno != 0 {
		return errno
	}
	return makeWalked(&w, 0o040000|uint64(uint32(mode)&0o7777&^currentUmask()), 0)
}

// makeWalked makes a directory or symbolic link (fs_make's mode and
// target) where walk w (nameLast) ended, if nothing is there, and
// releases w. Only a directory's name may end with '/'.
func makeWalked(w *walkResult, mode, target uint64) int64 {
	result := int64(-abi.EEXIST)
	if !w.found && w.trailing && mode&0o170000 != 0o040000 {
		result = -abi.ENOENT
	} else if !w.found && w.n != 0 {
		if r := exo.FsMake(w.dir, w.nameArg(), mode, target); r < 0 {
			result = errnoOf(r)
		} else {
			result = 0
		}
	}
	w.release()
	return result
}

func sysUnlinkat(dirfd, path, flags uint64) int64 {
	if flags&^uint64(atRemovedir) != 0 {
		return -abi.EINVAL
	}
	var w walkResult
	if errno := walkPath(dirfd, path, nameLast, &w); errno != 0 {
		return errno
	}
	result := int64(0)
	switch {
	case w.n == 0:
		result = -abi.EBUSY // "/", "." or ".."
		if flags&atRemovedir != 0 && w.dir != rootSlot {
			result = -abi.EINVAL
		}
	case !w.found:
		result = -abi.ENOENT
	case w.trailing && w.entry.dtype != dtDir:
		result = -abi.ENOTDIR // a file, or a symbolic link (to a directory too)
	default:
		remove := exo.RemoveFlags(0)
		if flags&atRemovedir != 0 {
			remove = exo.RemoveFlagsDirectory
		}
		forgetClosed(w.entry.node)
		if w.entry.dtype == dtDir {
			dropCachedDir(w.entry.node)
		}
		if r := exo.FsRemove(w.dir, w.nameArg(), remove); r < 0 {
			result = errnoOf(r) // (unlink of a directory: EISDIR, as Linux says)
		}
	}
	w.release()
	return result
}

// The source of a rename or link, kept while the destination is walked.
var fromWalk walkResult

// walkBoth walks a rename's or link's source into fromWalk (how) and its
// destination, a name to make, into to; on an error neither holds a
// reference. (The two names' nameArg buffers differ: nameArg alternates
// between two.)
func walkBoth(oldDirfd, oldPath uint64, how walkHow, newDirfd, newPath uint64, to *walkResult) int64 {
	if errno := walkPath(oldDirfd, oldPath, how, &fromWalk); errno != 0 {
		return errno
	}
	if errno := walkPath(newDirfd, newPath, nameLast, to); errno != 0 {
		fromWalk.release()
		return errno
	}
	return 0
}

func sysRenameat2(oldDirfd, oldPath, newDirfd, newPath, flags uint64) int64 {
	if flags&^uint64(renameNoreplace) != 0 {
		return -abi.EINVAL // RENAME_EXCHANGE and RENAME_WHITEOUT are not served
	}
	var to walkResult
	if errno := walkBoth(oldDirfd, oldPath, nameLast, newDirfd, newPath, &to); errno != 0 {
		return errno
	}
	result := int64(0)
	switch { // in Linux's order (do_renameat2)
	case fromWalk.n == 0:
		result = -abi.EBUSY // "/", "." or ".."
	case to.n == 0 && flags&renameNoreplace != 0:
		result = -abi.EEXIST
	case to.n == 0:
		result = -abi.EBUSY
	case !fromWalk.found:
		result = -abi.ENOENT
	case to.found && flags&renameNoreplace != 0:
		result = -abi.EEXIST
	case fromWalk.entry.dtype != dtDir && (fromWalk.trailing || to.trailing):
		result = -abi.ENOTDIR // only a directory's names may end with '/'
	default:
		if to.found {
			forgetClosed(to.entry.node) // it may lose its last name
			if to.entry.dtype == dtDir {
				dropCachedDir(to.entry.node)
			}
		}
		if r := exo.FsRename(fromWalk.dir, fromWalk.nameArg(), to.dir, to.nameArg(), exo.RenameFlags(flags)); r < 0 {
			result = errnoOf(r)
		}
	}
	to.release()
	fromWalk.release()
	return result
}

func sysLinkat(oldDirfd, oldPath, newDirfd, newPath, flags uint64) int64 {
	if flags&^uint64(atSymlinkFollow|atEmptyPath) != 0 {
		return -abi.EINVAL
	}
	var to walkResult
	if errno := walkBoth(oldDirfd, oldPath, followIf(flags&atSymlinkFollow != 0), newDirfd, newPath, &to); errno != 0 {
		return errno
	}
	result := int64(0)
	switch {
	case fromWalk.n == 0:
		result = -abi.EPERM // a directory
	case !fromWalk.found:
		result = -abi.ENOENT
	case to.n == 0 || to.found:
		result = -abi.EEXIST
	case to.trailing:
		result = -abi.ENOENT // "new/": a name for a directory
	default:
		if r := exo.FsLink(fromWalk.dir, fromWalk.nameArg(), to.dir, to.nameArg()); r < 0 {
			result = errnoOf(r)
		}
	}
	to.release()
	fromWalk.release()
	return result
}

// targetBuffer holds a symbolic link's target, NUL-terminated, for
// fs_make.
var targetBuffer [pathMax + 1]byte

func sysSymlinkat(target, dirfd, path uint64) int64 {
	t, errno := userString(target, targetBuffer[:pathMax])
	if errno != 0 {
		return errno
	}
	if len(t) == 0 {
		return -abi.ENOENT
	}
	targetBuffer[uint(len(t))%uint(len(targetBuffer))] = 0
	var w walkResult
	if errno := walkPath(dirfd, path, nameLast, &w); errno != 0 {
		return errno
	}
	return makeWalked(&w, 0o120000, uint64(uintptr(unsafe.Pointer(&targetBuffer[0]))))
}

// programPath is the program's path, from the loader's AT_EXECFN: where
// its bytes are on the loader's stack (they stay there), and how many.
var programPath abi.Text

// sysReadlinkat reads a symbolic link; /proc/self/exe is the program's
// path (os.Executable reads it).
func sysReadlinkat(dirfd, path, address, capacity uint64) int64 {
	if int64(capacity) <= 0 {
		return -abi.EINVAL // before the path, as Linux
	}
	var raw [len(procSelf) + 4]byte
	if p, errno := userString(path, raw[:]); errno == 0 && p == procSelf+"exe" {
		if programPath.Length == 0 {
			return -abi.ENOENT
		}
		n := min(uint64(programPath.Length), capacity)
		b, ok := userBytes(address, n, true)
		if !ok {
			return -abi.EFAULT
		}
		return int64(copy(b, bare.Bytes(programPath.Address, uintptr(n))))
	}
	if what, _, fd, errno, handled := procPath(path); handled {
		switch {
		case errno != 0:
			return errno // another process's descriptors: EACCES
		case what != procFdLink:
			return -abi.EINVAL // not a link
		}
		var target [fdPathMax]byte
		n := uint64(fdLinkTarget(uint64(fd), target[:]))
		b, ok := userBytes(address, min(n, capacity), true)
		if !ok {
			return -abi.EFAULT
		}
		return int64(copy(b, target[:min(n, uint64(len(target)))]))
	}
	var w walkResult
	if errno := walkPath(dirfd, path, 0, &w); errno != 0 {
		return errno
	}
	result := int64(0)
	switch {
	case w.n == 0 || w.found && w.entry.dtype != dtSymlink:
		result = -abi.EINVAL
	case !w.found:
		result = -abi.ENOENT
	default:
		if result = exo.FsReadlink(w.dir, w.nameArg(), uintptr(unsafe.Pointer(&linkBuffer[0]))); result < 0 {
			result = errnoOf(result)
		}
	}
	w.release()
	if result < 0 {
		return result
	}
	n := min(uint64(result), capacity, pathMax)
	b, ok := userBytes(address, n, true)
	if !ok {
		return -abi.EFAULT
	}
	return int64(copy(b, linkBuffer[:n]))
}

// onTarget walks path from dirfd (or takes dirfd itself for an empty
// path with AT_EMPTY_PATH, or fd when path is 0) and makes the kernel
// call do on it.
const (
	doChmod = iota
	doChown
	doTimes
	doAccess
)

func onTarget(dirfd, path, flags uint64, do int, a, b uint64) int64 {
	var w walkResult
	dir, name := uintptr(0), uint64(0)
	if path == 0 || flags&atEmptyPath != 0 && emptyPath(path) {
		var errno int64
		if dir, errno = fdTarget(dirfd); errno != 0 {
			return errno
		}
	} else {
		if errno := walkPath(dirfd, path, followIf(flags&atSymlinkNofollow == 0), &w); errno != 0 {
			return errno
		}
		if !w.found {
			w.release()
			return -abi.ENOENT
		}
		dir = w.dir
		if w.n != 0 {
			name = uint64(w.nameArg())
		}
	}
	var r int64
	switch do {
	case doChmod:
		r = exo.FsChmod(dir, name, a&0o7777)
	case doChown:
		r = exo.FsChown(dir, name, a, b)
	case doTimes:
		r = exo.FsSetTimes(dir, name, int64(a), int64(b))
	case doAccess:
		r = exo.FsStat(dir, name, statCopyAddress())
	}
	w.release()
	if r < 0 {
		return errnoOf(r)
	}
	return 0
}

func sysFchmodat(dirfd, path, mode, flags uint64) int64 {
	return onTarget(dirfd, path, flags, doChmod, mode, 0)
}

func sysFchownat(dirfd, path, uid, gid, flags uint64) int64 {
	return onTarget(dirfd, path, flags, doChown, uint64(uint32(uid)), uint64(uint32(gid)))
}

// sysUtimensat sets a node's times (UTIME_NOW, UTIME_OMIT as Linux).
func sysUtimensat(dirfd, path, times, flags uint64) int64 {
	now := int64(bare.Now()) + int64(bare.Info(exo.KernelInfoWallClockBoot))
	atime, mtime := int64(-1), int64(-1) // the kernel's "now" (fs.TimeNow), which a writer may set
	if times != 0 {
		b, ok := userBytes(times, 32, false)
		if !ok {
			return -abi.EFAULT
		}
		var omit [2]bool
		for k, t := range [2]*int64{&atime, &mtime} {
			sec, nsec := int64(word(b, k*16)), int64(word(b, k*16+8))
			switch {
			case nsec == utimeNow && !omitOrSet(b):
			case nsec == utimeNow:
				*t = now
			case nsec == utimeOmit:
				omit[k] = true
			case nsec < 0 || nsec >= 1e9:
				return -abi.EINVAL
			default:
				*t = sec*1e9 + nsec
			}
		}
		if omit[0] || omit[1] {
			// Keep what the node has: read it first.
			if r := onTarget(dirfd, path, flags, doAccess, 0, 0); r != 0 {
				return r
			}
			if omit[0] {
				atime = int64(statCopy[exo.FileMetaAtime/8])
			}
			if omit[1] {
				mtime = int64(statCopy[exo.FileMetaMtime/8])
			}
		}
	}
	return onTarget(dirfd, path, flags, doTimes, uint64(atime), uint64(mtime))
}

// omitOrSet reports whether a utimensat times pair (b) holds anything but
// UTIME_NOW twice: then "now" is an explicit time, which only the owner
// may set.
func omitOrSet(b []byte) bool {
	return int64(word(b, 8)) != utimeNow || int64(word(b, 24)) != utimeNow
}

// sysFaccessat checks that the node exists and that its bits allow mode
// to this process's user (the kernel enforces them at each use).
func sysFaccessat(dirfd, path, mode, flags uint64) int64 {
	if r := onTarget(dirfd, path, flags&^atEmptyPath, doAccess, 0, 0); r != 0 {
		return r
	}
	if !mayAccess(statCopy[exo.FileMetaMode/8], statCopy[exo.FileMetaUid/8], uint32(mode)&7) {
		return -abi.EACCES
	}
	return 0
}
