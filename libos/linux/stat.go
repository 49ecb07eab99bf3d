package linux

import (
	abi "exogo/abi/linuxabi"
)

// fstat, stat, lstat and newfstatat: a node's metadata page (read where it
// is linked, or copied by fs_stat), or made-up answers for what is not a
// node.

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
	case kindFile, kindDir:
		statNode(b, f.slot)
	case kindConsole:
		fillStat(b, 0o020620, 0, 0, devConsole) // S_IFCHR
	case kindNull:
		fillStat(b, 0o020666, 0, 0, devNull)
	case kindZero:
		fillStat(b, 0o020666, 0, 0, devZero)
	case kindRandom:
		fillStat(b, 0o020666, 0, 0, devURandom)
	case kindPipeRead, kindPipeWrite:
		fillStat(b, 0o010600, 0, 0, 0) // S_IFIFO
	case kindProcFile:
		fillStat(b, 0o100444, f.size, 0, 0)
	case kindProcDir:
		fillStat(b, 0o040555, 0, uint64(f.node)+1, 0)
	default:
		fillStat(b, 0o600, 0, 0, 0) // an eventfd or epoll instance
	}
	return 0
}

// fillStat writes a stat of something that is not a node.
func fillStat(b []byte, mode uint32, size, ino, device uint64) {
	clear(b)
	putWord(b, abi.StatDev, 1)
	putWord(b, abi.StatIno, ino)
	putWord(b, abi.StatNlink, 1)
	putWord32(b, abi.StatMode, mode)
	putWord(b, abi.StatRdev, device)
	putWord(b, abi.StatSize, size)
	putWord(b, abi.StatBlksize, 4096)
}

func sysNewfstatat(dirfd, path, address, flags uint64) int64 {
	if flags&atEmptyPath != 0 && emptyPath(path) {
		if dirfd == atFdcwd || int64(int32(dirfd)) == abi.AtFdcwd {
			if !fsStart() {
				return -abi.ENOMEM
			}
			b, ok := userBytes(address, abi.StatLength, true)
			if !ok {
				return -abi.EFAULT
			}
			statNode(b, cwdSlot)
			return 0
		}
		return sysFstat(dirfd, address)
	}
	if r, handled := procStatPath(path, address, flags&atSymlinkNofollow == 0); handled {
		return r
	}
	var w walkResult
	if errno := walkPath(dirfd, path, followIf(flags&atSymlinkNofollow == 0), &w); errno != 0 {
		return errno
	}
	errno := int64(0)
	switch {
	case !w.found:
		errno = -abi.ENOENT
	case w.trailing && w.entry.dtype != dtDir:
		errno = -abi.ENOTDIR
	default:
		if slot, ok := linkedNode(w.entry.node); ok && w.n != 0 && searchable(w.dir) {
			// Linked here already: its metadata page, without a call.
			w.release()
			b, ok := userBytes(address, abi.StatLength, true)
			if !ok {
				return -abi.EFAULT
			}
			statNode(b, slot)
			return 0
		}
		errno = statWalked(&w)
	}
	w.release()
	if errno != 0 {
		return errno
	}
	b, ok := userBytes(address, abi.StatLength, true)
	if !ok {
		return -abi.EFAULT
	}
	statNode(b, statCopyAddress())
	return 0
}

// searchable reports whether this process may search the directory
// linked at dir (as the kernel's fs_stat would check).
func searchable(dir uintptr) bool {
	var d nodeMeta
	readMeta(dir, &d)
	return mayAccess(d.mode, d.uid, 1)
}
