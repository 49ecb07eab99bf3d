package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/libos/exo"
)

// The current directory (chdir, fchdir, getcwd, and the path children
// start in), truncate by path, and statfs.

func sysTruncate(path, length uint64) int64 {
	fd := sysOpenat(atFdcwd, path, abi.OWronly, 0)
	if fd < 0 {
		return fd
	}
	result := sysFtruncate(uint64(fd), length)
	closeFD(uint64(fd))
	return result
}

func sysChdir(path uint64) int64 {
	fd := sysOpenat(atFdcwd, path, abi.ODirectory, 0)
	if fd < 0 {
		return fd
	}
	result := sysFchdir(uint64(fd))
	closeFD(uint64(fd))
	return result
}

func sysFchdir(fd uint64) int64 {
	f := fileAt(fd)
	switch {
	case f == nil:
		return -abi.EBADF
	case f.kind != kindDir:
		return -abi.ENOTDIR
	}
	holdSlot(f.slot)
	releaseSlot(cwdSlot)
	cwdSlot, cwdNode = f.slot, f.node
	return 0
}

// cwdPath writes the current directory's path into out, NUL-terminated,
// and returns its length, or an errno: ENOENT when the directory was
// removed, ENAMETOOLONG when the path is longer than PATH_MAX or out. It
// is found by walking the directory's parents and looking each one's name
// up in its parent, so it stays right when a directory above is renamed.
func cwdPath(out []byte) (int, int64) {
	if !fsStart() {
		return 0, -abi.ENOMEM
	}
	var path [pathMax]byte
	end := len(path)
	dir, node := cwdSlot, cwdNode
	holdSlot(dir)
	var e dirEntry
	for node != rootNode {
		parent, _, errno := openParent(dir)
		if errno != 0 {
			releaseSlot(dir)
			return 0, errno
		}
		found := false
		entries := metaWord(parent, exo.FileMetaEntries)
		for s := uint64(0); s < entries && !found; s++ {
			readEntry(parent, s, &e)
			found = e.node == node
		}
		holdSlot(parent)
		releaseSlot(dir)
		dir, node = parent, uint32(metaWord(parent, exo.FileMetaNode))
		if !found {
			releaseSlot(dir)
			return 0, -abi.ENOENT // removed
		}
		if end < e.n+1 {
			releaseSlot(dir)
			return 0, -abi.ENAMETOOLONG
		}
		end -= e.n
		copy(path[uint(end)%pathMax:], e.nameBytes())
		end--
		path[uint(end)%pathMax] = '/'
	}
	releaseSlot(dir)
	if end == len(path) {
		end--
		path[uint(end)%pathMax] = '/'
	}
	n := uint(len(path) - end)
	if n >= uint(len(out)) {
		return 0, -abi.ENAMETOOLONG
	}
	copy(out, path[uint(end)%pathMax:])
	out[n] = 0
	return int(n), 0
}

var cwdBuffer [pathMax + 1]byte

func sysGetcwd(address, size uint64) int64 {
	length, errno := cwdPath(cwdBuffer[:])
	if errno != 0 {
		return errno
	}
	n := uint64(length)
	if size < n+1 {
		return -abi.ERANGE
	}
	b, ok := userBytes(address, n+1, true)
	if !ok {
		return -abi.EFAULT
	}
	return int64(copy(b, cwdBuffer[:min(n+1, uint64(len(cwdBuffer)))]))
}

// sysStatfs describes the file system (statfs and fstatfs): tmpfs's
// magic, as Linux's RAM file system.
func sysStatfs(address uint64) int64 {
	b, ok := userBytes(address, 120, true)
	if !ok {
		return -abi.EFAULT
	}
	clear(b)
	putWord(b, 0, 0x0102_1994) // f_type: TMPFS_MAGIC
	putWord(b, 8, 4096)        // f_bsize
	putWord(b, 64, 255)        // f_namelen
	putWord(b, 72, 4096)       // f_frsize
	return 0
}
