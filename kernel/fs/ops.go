package fs

import "exogo/kernel/segment"

// The operations processes ask for (through kernel/exo's fs_* calls). Each
// names a directory by its node id (the caller found it by the caller's
// link) and a component by its bytes; none follows a symbolic link: the
// libOS reads the link and walks on itself.

// OpenFlags says how Open opens a node.
type OpenFlags uint32

const (
	OpenWrite     OpenFlags = 1 << 0 // link it writable (needs write permission; read is always needed: x86 has no write-only pages)
	OpenCreate    OpenFlags = 1 << 1 // make a file if the name is free
	OpenExclusive OpenFlags = 1 << 2 // with OpenCreate: the name must be free
	OpenTruncate  OpenFlags = 1 << 3 // with OpenWrite: a file's length becomes 0
	OpenDirectory OpenFlags = 1 << 4 // the node must be a directory
	openAll                 = 1<<5 - 1
)

// Lookup returns the node name names in directory dir (search permission
// on dir needed).
func (f *FS) Lookup(mem segment.Memory, c Cred, dir uint32, name []byte) (uint32, Status) {
	d, _, status := f.dirFor(c, dir, name, 1)
	if status != OK {
		return 0, status
	}
	_, child, found := f.find(mem, d, name)
	if !found {
		return 0, NotFound
	}
	return f.id(child), OK
}

// Open finds, or with OpenCreate makes, the node name names in directory
// dir, checks that c may open it as flags ask and returns it; mode is a
// new file's permission bits (the libOS applied its umask). OpenTruncate
// may shrink the file: the caller flushes.
func (f *FS) Open(mem segment.Memory, c Cred, dir uint32, name []byte, flags OpenFlags, mode uint32, now int64) (uint32, Flush, Status) {
	if flags&^openAll != 0 {
		return 0, Flush{}, Invalid
	}
	d, di, status := f.dirFor(c, dir, name, 1)
	if status != OK {
		return 0, Flush{}, status
	}
	_, ci, found := f.find(mem, d, name)
	if !found {
		if flags&OpenCreate == 0 {
			return 0, Flush{}, NotFound
		}
		if flags&OpenDirectory != 0 {
			return 0, Flush{}, Invalid // O_CREAT|O_DIRECTORY: Linux says EINVAL
		}
		if !may(c, d, 2) {
			return 0, Flush{}, NoAccess
		}
		i, status := f.newNode(mem, TypeFile|mode&PermMask, c, now)
		if status != OK {
			return 0, Flush{}, status
		}
		if status := f.addEntry(mem, di, name, i, now); status != OK {
			f.freeNode(mem, i)
			return 0, Flush{}, status
		}
		return f.id(i), Flush{}, OK
	}
	n := &f.nodes[ci%MaxNodes]
	switch {
	case flags&(OpenCreate|OpenExclusive) == OpenCreate|OpenExclusive:
		return 0, Flush{}, Exists
	case n.mode&TypeMask == TypeSymlink:
		return 0, Flush{}, IsSymlink
	case flags&OpenDirectory != 0 && n.mode&TypeMask != TypeDir:
		return 0, Flush{}, NotDir
	case flags&OpenWrite != 0 && n.mode&TypeMask == TypeDir:
		return 0, Flush{}, IsDir
	}
	want := uint32(4)
	if flags&OpenWrite != 0 {
		want |= 2
	}
	if !may(c, n, want) {
		return 0, Flush{}, NoAccess
	}
	var flush Flush
	if flags&(OpenWrite|OpenTruncate) == OpenWrite|OpenTruncate && n.mode&TypeMask == TypeFile && n.length > 0 {
		flush, status = f.resize(mem, ci, 0, now)
	}
	return f.id(ci), flush, status
}

// Parent returns the parent of directory dir ("..": the root's is
// itself), which c must be allowed to read: to link it.
func (f *FS) Parent(c Cred, dir uint32) (uint32, Status) {
	d, _, status := f.dirNode(dir)
	if status != OK {
		return 0, status
	}
	p := &f.nodes[d.parent%MaxNodes]
	if !may(c, p, 4) {
		return 0, NoAccess
	}
	return f.id(d.parent), OK
}

// Make makes a directory, a symbolic link to target, a named FIFO of
// device zeroed bytes with its peer (pipe.go), or (root only) a
// character device numbered device, as mode's type says, named name in
// directory dir. It returns the new node.
func (f *FS) Make(mem segment.Memory, c Cred, dir uint32, name []byte, mode, device uint32, target []byte, now int64) (uint32, Status) {
	d, di, status := f.dirNode(dir)
	if status != OK {
		return 0, status
	}
	if status := checkName(name); status != OK {
		return 0, status
	}
	switch mode & TypeMask {
	case TypeDir:
	case TypeSymlink:
		if len(target) == 0 {
			return 0, NotFound
		}
		if len(target) > MaxTarget {
			return 0, NameTooLong
		}
		mode = TypeSymlink | 0o777
	case TypeChar:
		if c.UID != 0 {
			return 0, NotPermitted
		}
	case TypeFifo: // a named FIFO (pipe.go): device is its length
	default:
		return 0, Invalid
	}
	if !may(c, d, 3) {
		return 0, NoAccess
	}
	if _, _, found := f.find(mem, d, name); found {
		return 0, Exists
	}
	i, status := f.newNode(mem, mode&(TypeMask|PermMask), c, now)
	if status != OK {
		return 0, status
	}
	n := &f.nodes[i%MaxNodes]
	if mode&TypeMask == TypeChar {
		n.device = device
	}
	if mode&TypeMask == TypeSymlink {
		if status := f.WriteAt(mem, f.id(i), 0, target, now); status != OK {
			f.freeNode(mem, i)
			return 0, status
		}
	}
	if mode&TypeMask == TypeFifo {
		if status := f.makePeer(mem, i, c, uint64(device), now); status != OK {
			f.freeNode(mem, i)
			return 0, status
		}
	}
	if mode&TypeMask == TypeDir {
		n.parent, n.links = di, 2
	}
	if status := f.addEntry(mem, di, name, i, now); status != OK {
		f.freeNode(mem, i)
		return 0, status
	}
	if mode&TypeMask == TypeDir {
		d.links++
		f.writeMeta(mem, di)
	}
	f.writeMeta(mem, i)
	return f.id(i), OK
}

// Readlink copies the target of the symbolic link name in directory dir
// into out and returns its length (the whole target's; at most len(out)
// bytes are copied).
func (f *FS) Readlink(mem segment.Memory, c Cred, dir uint32, name []byte, out []byte) (int, Status) {
	id, status := f.Lookup(mem, c, dir, name)
	if status != OK {
		return 0, status
	}
	n, _, _ := f.lookup(id)
	if n.mode&TypeMask != TypeSymlink {
		return 0, Invalid
	}
	if _, status := f.ReadAt(mem, id, 0, out); status != OK {
		return 0, status
	}
	return int(n.length), OK
}

// mayRemove reports whether c may remove node n's name from directory d:
// with the sticky bit only n's owner, d's owner or root may.
func mayRemove(c Cred, d, n *node) bool {
	return d.mode&StickyBit == 0 || c.UID == 0 || c.UID == d.uid || c.UID == n.uid
}

// Remove removes name from directory dir: a directory (rmdir) when dirs is
// set, which must be empty, anything else (unlink) when it is not.
func (f *FS) Remove(mem segment.Memory, c Cred, dir uint32, name []byte, dirs bool, now int64) Status {
	d, di, status := f.dirFor(c, dir, name, 3)
	if status != OK {
		return status
	}
	slot, ci, found := f.find(mem, d, name)
	if !found {
		return NotFound
	}
	n := &f.nodes[ci%MaxNodes]
	isDir := n.mode&TypeMask == TypeDir
	switch {
	case dirs && !isDir:
		return NotDir
	case !dirs && isDir:
		return IsDir
	case isDir && n.live != 0:
		return NotEmpty
	case ci == f.root:
		return Busy
	case !mayRemove(c, d, n):
		return NotPermitted
	}
	f.removeEntry(mem, di, slot, now)
	if isDir && d.links > 2 {
		d.links--
		f.writeMeta(mem, di)
	}
	n.ctime = now
	f.drop(mem, ci)
	return OK
}

// RenameNoReplace is Rename's flag that refuses to replace a name (Linux's
// RENAME_NOREPLACE); the only one.
const RenameNoReplace = 1

// Rename moves the entry fromName of directory fromDir to toName in toDir,
// replacing what toName named there (as POSIX's rename). Readers of either
// directory see both names for a moment, never neither.
func (f *FS) Rename(mem segment.Memory, c Cred, fromDir uint32, fromName []byte, toDir uint32, toName []byte, flags uint32, now int64) Status {
	if flags&^RenameNoReplace != 0 {
		return Invalid
	}
	from, fi, status := f.dirNode(fromDir)
	if status != OK {
		return status
	}
	to, ti, status := f.dirNode(toDir)
	if status != OK {
		return status
	}
	if status := checkName(fromName); status != OK {
		return status
	}
	if status := checkName(toName); status != OK {
		return status
	}
	if !may(c, from, 3) || !may(c, to, 3) {
		return NoAccess
	}
	fromSlot, si, found := f.find(mem, from, fromName)
	if !found {
		return NotFound
	}
	src := &f.nodes[si%MaxNodes]
	if !mayRemove(c, from, src) {
		return NotPermitted
	}
	srcDir := src.mode&TypeMask == TypeDir
	if srcDir && f.under(ti, si) {
		return Invalid // into itself or below
	}
	if srcDir && fi != ti && !may(c, src, 2) {
		return NoAccess // its ".." changes: a write to it, as on Linux
	}
	toSlot, di, exists := f.find(mem, to, toName)
	if exists {
		dst := &f.nodes[di%MaxNodes]
		dstDir := dst.mode&TypeMask == TypeDir
		switch {
		case flags&RenameNoReplace != 0:
			return Exists
		case di == si:
			return OK // two names of one node: nothing to do
		case srcDir && !dstDir:
			return NotDir
		case !srcDir && dstDir:
			return IsDir
		case dstDir && dst.live != 0:
			return NotEmpty
		case di == f.root:
			return Busy
		case !mayRemove(c, to, dst):
			return NotPermitted
		}
		f.setEntry(mem, ti, toSlot, si, toName, now)
		if dstDir && to.links > 2 {
			to.links--
		}
		dst.ctime = now
		f.drop(mem, di)
	} else if status := f.addEntry(mem, ti, toName, si, now); status != OK {
		return status
	}
	// The old name goes after the new one is there (slots never move).
	f.removeEntry(mem, fi, fromSlot, now)
	if srcDir && fi != ti {
		src.parent = ti
		if from.links > 2 {
			from.links--
		}
		to.links++
		f.writeMeta(mem, fi)
		f.writeMeta(mem, ti)
	}
	src.ctime = now
	f.writeMeta(mem, si)
	return OK
}

// Link gives node id (not a directory) another name, toName in toDir.
func (f *FS) Link(mem segment.Memory, c Cred, id uint32, toDir uint32, toName []byte, now int64) Status {
	n, i, ok := f.lookup(id)
	if !ok || n.doomed {
		return NotFound
	}
	if n.mode&TypeMask == TypeDir {
		return NotPermitted
	}
	if c.UID != 0 && c.UID != n.uid && !may(c, n, 6) {
		return NotPermitted // Linux's protected_hardlinks: only what one owns, or may read and write
	}
	to, ti, status := f.dirFor(c, toDir, toName, 3)
	if status != OK {
		return status
	}
	if _, _, found := f.find(mem, to, toName); found {
		return Exists
	}
	if n.links >= 0xffff {
		return NoSpace
	}
	if status := f.addEntry(mem, ti, toName, i, now); status != OK {
		return status
	}
	n.links++
	n.ctime = now
	f.writeMeta(mem, i)
	return OK
}

// Chmod sets node id's permission bits (its owner or root only).
func (f *FS) Chmod(mem segment.Memory, c Cred, id uint32, mode uint32, now int64) Status {
	n, i, ok := f.lookup(id)
	if !ok {
		return BadNode
	}
	if c.UID != 0 && c.UID != n.uid {
		return NotPermitted
	}
	n.mode = n.mode&TypeMask | mode&PermMask
	n.ctime = now
	f.writeMeta(mem, i)
	return OK
}

// Chown sets node id's owner and group (root only; ^0 leaves one as it
// is).
func (f *FS) Chown(mem segment.Memory, c Cred, id uint32, uid, gid uint32, now int64) Status {
	n, i, ok := f.lookup(id)
	if !ok {
		return BadNode
	}
	if c.UID != 0 {
		return NotPermitted
	}
	if uid != ^uint32(0) {
		n.uid = uid
	}
	if gid != ^uint32(0) {
		n.gid = gid
	}
	n.ctime = now
	f.writeMeta(mem, i)
	return OK
}

// TimeNow, as both times of SetTimes, asks for the current time: what one
// who may write a node but does not own it may set.
const TimeNow = -1

// SetTimes sets node id's access and modification times: any time for its
// owner or root, the current time (both TimeNow) for one who may write it.
func (f *FS) SetTimes(mem segment.Memory, c Cred, id uint32, atime, mtime, now int64) Status {
	n, i, ok := f.lookup(id)
	if !ok {
		return BadNode
	}
	touch := atime == TimeNow && mtime == TimeNow
	if touch {
		atime, mtime = now, now
	}
	if c.UID != 0 && c.UID != n.uid && !(touch && may(c, n, 2)) {
		if touch {
			return NoAccess
		}
		return NotPermitted
	}
	n.atime, n.mtime, n.ctime = atime, mtime, now
	f.writeMeta(mem, i)
	return OK
}

// Meta returns the frame of node id's metadata page (what fs_stat copies).
func (f *FS) Meta(id uint32) (uint64, bool) {
	n, _, ok := f.lookup(id)
	if !ok {
		return 0, false
	}
	return n.meta, true
}
