package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/bootfs"
)

// The boot module's files, read-only: the cpio archive the kernel was
// booted with (/bin, /etc), linked read-only into every process that has it
// (exo.StartBootModule). A read is a copy out of the archive's own pages:
// there is no buffer cache. open for writing gets EROFS.
// TODO(issue 9): the RAM file system, whose files are segments, will hold
// these files and writable ones; /dev, /proc/self and /tmp with it.

const (
	kindBootFile = 100 + iota // a file of the boot module
	kindBootDir               // a directory of it (read with getdents64)
	maxPath      = 256
)

// bootDirs holds each directory descriptor's cleaned name (getdents64
// lists what is directly inside it).
var bootDirs [maxFiles]struct {
	name   [maxPath]byte
	length int
}

// lookupPath resolves the path at address, relative to dirfd, in the boot
// module; it returns the entry or an errno.
func lookupPath(dirfd, address uint64, buf *[maxPath]byte) (bootfs.Entry, int64) {
	var raw [maxPath]byte
	p, errno := userString(address, raw[:])
	if errno != 0 {
		return bootfs.Entry{}, errno
	}
	if p == "" {
		return bootfs.Entry{}, -abi.ENOENT
	}
	var joined [2 * maxPath]byte
	if len(p) > 0 && p[0] != '/' && int64(int32(dirfd)) != abi.AtFdcwd {
		// Relative to an open directory of the module.
		f := fileAt(dirfd)
		if f == nil {
			return bootfs.Entry{}, -abi.EBADF
		}
		if f.kind != kindBootDir {
			return bootfs.Entry{}, -abi.ENOTDIR
		}
		n := uint(copy(joined[:], bootDirName(dirfd)))
		joined[n%uint(len(joined))] = '/'
		n++
		n += uint(copy(joined[n%uint(len(joined)):], p))
		p = bare.String(joined[:min(n, uint(len(joined)))])
	}
	name, ok := bootfs.Clean(buf[:], p)
	if !ok {
		return bootfs.Entry{}, -abi.ENAMETOOLONG
	}
	e, found := bootfs.Lookup(bootArchive(), name)
	if !found {
		return bootfs.Entry{}, -abi.ENOENT
	}
	return e, 0
}

func sysOpenat(dirfd, path, flags uint64) int64 {
	var name [maxPath]byte
	e, errno := lookupPath(dirfd, path, &name)
	writing := flags&3 != abi.ORdonly || flags&abi.OTrunc != 0
	switch {
	case errno == -abi.ENOENT && flags&abi.OCreat != 0:
		return -abi.EROFS
	case errno != 0:
		return errno
	case flags&(abi.OCreat|abi.OExcl) == abi.OCreat|abi.OExcl:
		return -abi.EEXIST
	case isDir(e) && writing:
		return -abi.EISDIR
	case writing:
		return -abi.EROFS
	case !isDir(e) && flags&abi.ODirectory != 0:
		return -abi.ENOTDIR
	}
	kind := uint32(kindBootFile)
	if isDir(e) {
		kind = kindBootDir
	}
	fd := allocateFD(kind)
	if fd < 0 {
		return fd
	}
	f := &files[fd%maxFiles]
	f.flags = uint32(flags)
	f.start, f.size, f.mode, f.ino = e.Data, e.Size, e.Mode, e.Ino
	if isDir(e) {
		d := &bootDirs[fd%maxFiles]
		d.length = copy(d.name[:], e.Name)
	}
	return fd
}

// bootDirName is the cleaned name of the boot directory open at fd.
func bootDirName(fd uint64) string {
	d := &bootDirs[fd%maxFiles]
	return bare.String(d.name[:uint(d.length)%(maxPath+1)])
}

func isDir(e bootfs.Entry) bool { return e.Mode&0o170000 == 0o040000 }

// readBootFile copies from f at offset into b.
func readBootFile(f *file, b []byte, offset uint64) int64 {
	archive := bootArchive()
	if f.kind == kindBootDir {
		return -abi.EISDIR
	}
	if offset >= f.size || f.start > uint64(len(archive)) || f.size > uint64(len(archive))-f.start {
		return 0
	}
	return int64(copy(b, bare.Bytes(uintptr(bootModule.data+f.start+offset), uintptr(f.size-offset))))
}

func sysPread(fd, address, length, offset uint64) int64 {
	f := fileAt(fd)
	if f == nil {
		return -abi.EBADF
	}
	if f.kind != kindBootFile && f.kind != kindBootDir {
		return -abi.ESPIPE
	}
	if int64(offset) < 0 {
		return -abi.EINVAL
	}
	b, ok := userBytes(address, length, true)
	if !ok {
		return -abi.EFAULT
	}
	return readBootFile(f, b, offset)
}

func sysLseek(fd, offset, whence uint64) int64 {
	f := fileAt(fd)
	if f == nil {
		return -abi.EBADF
	}
	if f.kind != kindBootFile && f.kind != kindBootDir {
		return -abi.ESPIPE
	}
	position := int64(offset)
	switch whence {
	case 0: // SEEK_SET
	case 1: // SEEK_CUR
		position += int64(f.offset)
	case 2: // SEEK_END
		position += int64(f.size)
	default:
		return -abi.EINVAL
	}
	if position < 0 || (f.kind == kindBootDir && position != 0) {
		return -abi.EINVAL // a directory rewinds only
	}
	f.offset = uint64(position)
	return position
}

// fillStat writes a stat of a boot-module entry (or, for a console, a
// character device) into b.
func fillStat(b []byte, mode uint32, size, ino uint64) {
	for i := range b {
		b[i] = 0
	}
	putWord(b, abi.StatDev, 1)
	putWord(b, abi.StatIno, ino)
	putWord(b, abi.StatNlink, 1)
	putWord32(b, abi.StatMode, mode)
	putWord(b, abi.StatSize, size)
	putWord(b, abi.StatBlksize, 4096)
	putWord(b, abi.StatBlocks, (size+511)/512)
}

func sysNewfstatat(dirfd, path, address, flags uint64) int64 {
	const atEmptyPath = 0x1000
	if flags&atEmptyPath != 0 {
		if b, ok := userBytes(path, 1, false); ok && len(b) > 0 && b[0] == 0 {
			return sysFstat(dirfd, address)
		}
	}
	var name [maxPath]byte
	e, errno := lookupPath(dirfd, path, &name)
	if errno != 0 {
		return errno
	}
	b, ok := userBytes(address, abi.StatLength, true)
	if !ok {
		return -abi.EFAULT
	}
	fillStat(b, e.Mode, e.Size, e.Ino)
	return 0
}

// sysGetdents64 lists a boot directory: the records directly inside it,
// from the record at the descriptor's offset on.
func sysGetdents64(fd, address, capacity uint64) int64 {
	f := fileAt(fd)
	if f == nil {
		return -abi.EBADF
	}
	if f.kind != kindBootDir {
		return -abi.ENOTDIR
	}
	if _, ok := userBytes(address, capacity, true); !ok {
		return -abi.EFAULT
	}
	dir := bootDirName(fd)
	archive := bootArchive()
	used := uint64(0)
	for {
		e, ok := bootfs.Next(archive, f.offset)
		if !ok {
			break
		}
		component, direct, inside := bootfs.Child(dir, e)
		if inside && direct && component != "" {
			length := uint64(abi.DirentName+len(component)+1+7) &^ 7
			if used+length > capacity {
				if used == 0 {
					return -abi.EINVAL // the buffer holds no entry
				}
				break
			}
			entry := bare.Bytes(uintptr(address+used), uintptr(length))
			clear(entry)
			putWord(entry, abi.DirentIno, e.Ino)
			putWord(entry, abi.DirentOff, e.Next)
			putWord32(entry, abi.DirentReclen, uint32(length)|uint32(direntType(e.Mode))<<16) // d_reclen, d_type
			copy(bare.Bytes(uintptr(address+used)+abi.DirentName, uintptr(len(component))), component)
			used += length
		}
		f.offset = e.Next
	}
	return int64(used)
}

// direntType is d_type for a mode.
func direntType(mode uint32) byte {
	switch mode & 0o170000 {
	case 0o040000:
		return 4 // DT_DIR
	case 0o100000:
		return 8 // DT_REG
	case 0o120000:
		return 10 // DT_LNK
	}
	return 0 // DT_UNKNOWN
}

// programPath is the program's path, from the loader's AT_EXECFN: where
// its bytes are on the loader's stack (they stay there), and how many.
var programPath abi.Text

// sysReadlinkat answers for the one link there is, /proc/self/exe (the
// program's path: os.Executable reads it); the boot module has no
// symbolic links (EINVAL for a file, ENOENT for a missing one).
func sysReadlinkat(dirfd, path, address, capacity uint64) int64 {
	if int64(capacity) <= 0 {
		return -abi.EINVAL // before the path, as Linux
	}
	var raw [maxPath]byte
	p, errno := userString(path, raw[:])
	if errno != 0 {
		return errno
	}
	if p == "/proc/self/exe" {
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
	var name [maxPath]byte
	if _, errno := lookupPath(dirfd, path, &name); errno != 0 {
		return errno
	}
	return -abi.EINVAL
}
