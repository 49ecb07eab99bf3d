package linux

import (
	"unsafe"

	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// Open files of the RAM file system: open links the node's segment into
// a slot of the file window (fsys.go); read and write copy between the
// program's buffer and the file's own pages (no buffer cache); a write
// past the end asks the kernel for the length first (fs_resize). The
// copies go through fileCopy (filecopy.go), which a file shrunk under it
// makes short.

// Character devices the libOS serves (Linux's numbers).
const (
	devNull    = 1<<8 | 3
	devZero    = 1<<8 | 5
	devRandom  = 1<<8 | 8
	devURandom = 1<<8 | 9
	devTty     = 5<<8 | 0
	devConsole = 5<<8 | 1
)

// umask is the file mode creation mask, kept inverted so the zero value
// is Linux's default 022.
var umaskInverted uint32

func currentUmask() uint32 { return (umaskInverted ^ 0o022) & 0o777 }

func sysUmask(mask uint64) int64 {
	old := currentUmask()
	umaskInverted = (uint32(mask) & 0o777) ^ 0o022
	return int64(old)
}

func accessMode(flags uint32) uint32 { return flags & 3 }

func writable(f *file) bool { return accessMode(f.flags) != abi.ORdonly }

func readable(f *file) bool { return accessMode(f.flags) != abi.OWronly }

// statNode fills st with the metadata at meta (a linked node's slot or
// fs_stat's copy).
func statNode(b []byte, meta uintptr) {
	var m nodeMeta
	readMeta(meta, &m)
	clear(b)
	putWord(b, abi.StatDev, 0x2e)
	putWord(b, abi.StatIno, m.node)
	putWord(b, abi.StatNlink, m.links)
	putWord32(b, abi.StatMode, uint32(m.mode))
	putWord32(b, abi.StatMode+4, uint32(m.uid))     // st_uid
	putWord32(b, abi.StatMode+8, uint32(m.uid>>32)) // st_gid
	putWord(b, abi.StatRdev, m.device)
	putWord(b, abi.StatSize, m.length)
	putWord(b, abi.StatBlksize, 4096)
	putWord(b, abi.StatBlocks, m.pages*8)
	putWord(b, abi.StatAtime, m.atime/1e9)
	putWord(b, abi.StatAtime+8, m.atime%1e9)
	putWord(b, abi.StatMtime, m.mtime/1e9)
	putWord(b, abi.StatMtime+8, m.mtime%1e9)
	putWord(b, abi.StatCtime, m.ctime/1e9)
	putWord(b, abi.StatCtime+8, m.ctime%1e9)
}

// A metadata page copied by fs_stat.
var statCopy [exo.FileMetaSize]uint64

func statCopyAddress() uintptr { return uintptr(unsafe.Pointer(&statCopy[0])) }

// statWalked copies the metadata of what walk w found into statCopy.
func statWalked(w *walkResult) int64 {
	name := uint64(0)
	if w.n != 0 {
		name = uint64(w.nameArg())
	}
	if r := exo.FsStat(w.dir, name, statCopyAddress()); r < 0 {
		return errnoOf(r)
	}
	return 0
}

// deviceKind is the kind of description for character device number.
func deviceKind(number uint64) (uint32, bool) {
	switch number {
	case devNull:
		return kindNull, true
	case devZero:
		return kindZero, true
	case devRandom, devURandom:
		return kindRandom, true
	case devTty, devConsole:
		return kindConsole, true
	}
	return 0, false
}

func sysOpenat(dirfd, path, flags, mode uint64) int64 {
	fd := openProc(path, flags)
	if fd == 0 {
		var w walkResult
		how := followIf(flags&abi.ONofollow == 0 && flags&(abi.OCreat|abi.OExcl) != abi.OCreat|abi.OExcl)
		if flags&abi.OCreat != 0 {
			how |= nameLast
		}
		if errno := walkPath(dirfd, path, how, &w); errno != 0 {
			return errno
		}
		fd = openWalked(&w, flags, mode)
		w.release()
	}
	if fd >= 0 && !openBlocked {
		recordOpenPath(fd, dirfd, path) // for /proc/self/fd (procfd.go)
	}
	return fd
}

// openWalked opens what walk w found (or creates it).
func openWalked(w *walkResult, flags, mode uint64) int64 {
	access := uint32(flags) & 3
	writing := access != abi.ORdonly
	switch {
	case access == 3:
		return -abi.EINVAL
	case w.trailing && flags&abi.OCreat != 0:
		return -abi.EISDIR // "name/" with O_CREAT, whatever name is
	case (w.found || w.n == 0) && flags&(abi.OCreat|abi.OExcl) == abi.OCreat|abi.OExcl:
		return -abi.EEXIST // a directory, or a dangling symbolic link, too
	case w.n == 0 || w.found && w.entry.dtype == dtDir:
		return openDir(w, flags, writing)
	case w.found && w.entry.dtype == dtSymlink:
		return -abi.ELOOP // O_NOFOLLOW
	case w.trailing:
		return -abi.ENOENT // "absent/" without O_CREAT (the walk refused "file/")
	case !w.found && flags&abi.OCreat == 0:
		return -abi.ENOENT
	case flags&abi.ODirectory != 0 && w.found:
		return -abi.ENOTDIR
	case w.found && w.entry.dtype == dtChar:
		return openDevice(w, flags)
	case w.found && w.entry.dtype == dtFifo:
		return openFifo(w, flags)
	}
	open := exo.OpenFlags(0)
	if writing {
		open |= exo.OpenFlagsWrite
		if flags&abi.OTrunc != 0 {
			open |= exo.OpenFlagsTruncate
		}
	}
	if flags&abi.OCreat != 0 {
		open |= exo.OpenFlagsCreate
		if flags&abi.OExcl != 0 {
			open |= exo.OpenFlagsExclusive
		}
	}
	var slot uintptr
	var id int64
	if w.found {
		// A link this process kept of the file (fcache.go).
		var errno int64
		if slot, errno = reuseClosed(w.entry.node, w.dir, writing); errno != 0 {
			return errno
		}
		if slot != 0 {
			id = int64(w.entry.node)
			if open&exo.OpenFlagsTruncate != 0 {
				if r := exo.FsResize(slot, 0, 0); r < 0 {
					releaseSlot(slot)
					return errnoOf(r)
				}
			}
		}
	}
	if slot == 0 {
		var ok bool
		if slot, ok = takeSlot(); !ok {
			return -abi.EMFILE
		}
		id = exo.FsOpen(w.dir, w.nameArg(), open, uint64(uint32(mode)&0o7777&^currentUmask()), slot)
		if id < 0 {
			freeUnlinked(slot)
			return errnoOf(id)
		}
	}
	if writing {
		markWritable(slot)
	}
	fd := allocateFDFlags(kindFile, flags)
	if fd < 0 {
		releaseSlot(slot)
		return fd
	}
	f := fileAt(uint64(fd))
	f.node, f.slot, f.flags = uint32(id), slot, uint32(flags)&(3|abi.OAppend|abi.ONonblock)
	return fd
}

// openDir opens a directory for reading (getdents64, fchdir, *at).
func openDir(w *walkResult, flags uint64, writing bool) int64 {
	if writing || flags&abi.OCreat != 0 {
		return -abi.EISDIR
	}
	slot := w.dir
	if w.n != 0 {
		var errno int64
		if slot, errno = openDirAt(w.dir, w.nameBytes(), w.entry.node); errno != 0 {
			return errno
		}
	}
	var m nodeMeta
	readMeta(slot, &m)
	if !mayAccess(m.mode, m.uid, 4) {
		return -abi.EACCES // a cached link: the check the kernel made then
	}
	fd := allocateFDFlags(kindDir, flags)
	if fd < 0 {
		return fd
	}
	holdSlot(slot)
	f := fileAt(uint64(fd))
	f.node, f.slot, f.flags = uint32(metaWord(slot, exo.FileMetaNode)), slot, abi.ORdonly
	return fd
}

// openDevice opens /dev/null, /dev/zero, /dev/urandom or the console.
func openDevice(w *walkResult, flags uint64) int64 {
	if errno := statWalked(w); errno != 0 {
		return errno
	}
	kind, ok := deviceKind(statCopy[exo.FileMetaDevice/8])
	if !ok {
		return -abi.ENXIO
	}
	return openDeviceKind(kind, flags)
}

// openDeviceKind opens a description of device kind with the access
// flags ask for (the console's is always both).
func openDeviceKind(kind uint32, flags uint64) int64 {
	fd := allocateFDFlags(kind, flags)
	if fd >= 0 && kind != kindConsole {
		fileAt(uint64(fd)).flags = accessMode(uint32(flags))
	}
	return fd
}

// readFile serves read and pread for the kinds this file knows; handled
// false for the others.
func readFile(f *file, b []byte, offset uint64, positioned bool) (int64, bool) {
	switch f.kind {
	case kindFile:
		if !readable(f) {
			return -abi.EBADF, true
		}
		if !positioned {
			return readAtOffset(f, b), true
		}
		return fileRead(f, b, offset), true
	case kindDir:
		return -abi.EISDIR, true
	case kindNull, kindZero, kindRandom:
		switch {
		case !readable(f):
			return -abi.EBADF, true
		case f.kind == kindZero:
			clear(b)
		case f.kind == kindRandom:
			fillRandom(b)
		default:
			return 0, true
		}
		return int64(len(b)), true
	case kindProcFile:
		if !positioned {
			offset = f.offset
		}
		if offset >= f.size {
			return 0, true
		}
		n := int64(copy(b, bare.Bytes(uintptr(f.start+offset), uintptr(f.size-offset))))
		if !positioned {
			f.offset += uint64(n)
		}
		return n, true
	}
	return 0, false
}

// writeFile serves write and pwrite likewise.
func writeFile(f *file, b []byte, offset uint64, positioned bool) (int64, bool) {
	switch f.kind {
	case kindFile:
		if !writable(f) {
			return -abi.EBADF, true
		}
		if !positioned {
			return writeAtOffset(f, b, f.flags&abi.OAppend != 0), true
		}
		return fileWrite(f, b, offset), true
	case kindDir:
		return -abi.EBADF, true
	case kindNull, kindZero, kindRandom:
		if !writable(f) {
			return -abi.EBADF, true
		}
		return int64(len(b)), true
	case kindProcFile:
		return -abi.EBADF, true
	}
	return 0, false
}

func sysPread(fd, address, length, offset uint64) int64 {
	f := fileAt(fd)
	if f == nil {
		return -abi.EBADF
	}
	if int64(offset) < 0 {
		return -abi.EINVAL
	}
	b, ok := userBytes(address, length, true)
	if !ok {
		return -abi.EFAULT
	}
	n, handled := readFile(f, b, offset, true)
	if !handled {
		return -abi.ESPIPE // a pipe, the console, ...
	}
	return n
}

func sysPwrite(fd, address, length, offset uint64) int64 {
	f := fileAt(fd)
	if f == nil {
		return -abi.EBADF
	}
	if int64(offset) < 0 {
		return -abi.EINVAL
	}
	b, ok := userBytes(address, length, false)
	if !ok {
		return -abi.EFAULT
	}
	n, handled := writeFile(f, b, offset, true)
	if !handled {
		return -abi.ESPIPE
	}
	return n
}

func sysLseek(fd, offset, whence uint64) int64 {
	f := fileAt(fd)
	if f == nil {
		return -abi.EBADF
	}
	size := uint64(0)
	switch f.kind {
	case kindFile:
		size = metaWord(f.slot, exo.FileMetaLength)
	case kindProcFile:
		size = f.size
	case kindDir:
	case kindNull, kindZero, kindRandom:
		return 0
	default:
		return -abi.ESPIPE
	}
	position := int64(offset)
	switch whence {
	case 0: // SEEK_SET
	case 1: // SEEK_CUR
		return seekOffset(f, position, true)
	case 2: // SEEK_END
		position += int64(size)
	case 3, 4: // SEEK_DATA, SEEK_HOLE: no holes, so data is everywhere before the end
		if position < 0 || uint64(position) >= size {
			return -abi.ENXIO
		}
		if whence == 4 {
			position = int64(size)
		}
	default:
		return -abi.EINVAL
	}
	return seekOffset(f, position, false)
}

func sysFtruncate(fd, length uint64) int64 {
	f := fileAt(fd)
	switch {
	case f == nil:
		return -abi.EBADF
	case int64(length) < 0:
		return -abi.EINVAL
	case f.kind != kindFile || !writable(f):
		return -abi.EINVAL
	}
	if r := exo.FsResize(f.slot, length, 0); r < 0 {
		return errnoOf(r)
	}
	return 0
}

// sysGetdents64 lists a directory: ".", "..", then its entries from the
// descriptor's offset on (offset k > 1 is entry slot k-2).
func sysGetdents64(fd, address, capacity uint64) int64 {
	f := fileAt(fd)
	if f == nil {
		return -abi.EBADF
	}
	if f.kind != kindDir && f.kind != kindProcDir {
		return -abi.ENOTDIR
	}
	if _, ok := userBytes(address, capacity, true); !ok {
		return -abi.EFAULT
	}
	if f.kind == kindProcDir {
		return procGetdents(f, address, capacity)
	}
	used := uint64(0)
	var e dirEntry
	for {
		entries := metaWord(f.slot, exo.FileMetaEntries) + 2
		if f.offset >= entries {
			break
		}
		switch f.offset {
		case 0:
			e.node, e.dtype, e.n, e.name[0] = f.node, dtDir, 1, '.'
		case 1:
			e.node, e.dtype, e.n, e.name[0], e.name[1] = uint32(metaWord(f.slot, exo.FileMetaParent)), dtDir, 2, '.', '.'
		default:
			readEntry(f.slot, f.offset-2, &e)
		}
		if e.node != 0 {
			length := uint64(abi.DirentName+e.n+1+7) &^ 7
			if used+length > capacity {
				if used == 0 {
					return -abi.EINVAL // the buffer holds no entry
				}
				break
			}
			entry := bare.Bytes(uintptr(address+used), uintptr(length))
			clear(entry)
			putWord(entry, abi.DirentIno, uint64(e.node))
			putWord(entry, abi.DirentOff, f.offset+1)
			putWord32(entry, abi.DirentReclen, uint32(length)|uint32(e.dtype)<<16) // d_reclen, d_type
			copy(bare.Bytes(uintptr(address+used)+abi.DirentName, uintptr(e.n)), e.nameBytes())
			used += length
		}
		f.offset++
	}
	return int64(used)
}
