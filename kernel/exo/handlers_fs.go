package exo

import (
	"exogo/kernel/console"
	"exogo/kernel/fs"
	"exogo/kernel/layout"
	"exogo/kernel/paging"
	"exogo/kernel/process"
	"exogo/kernel/rawmem"
	"exogo/kernel/segment"
	"exogo/kernel/timer"
)

// The RAM file system (XOmB section 2.2; kernel/fs): a file is a PD
// segment owned by segment.FilesOwner. A process names a directory or a
// file it opened by the address where it linked it (segments.LinkedAt):
// the link is the capability, made by fs_root, fs_open or fs_open_parent
// after the permission checks, or passed on from a link the process
// holds (fs_share, fs_fifo_peer: handlers_pipe.go); nothing else can link
// a file's segment (it has no grants). These handlers copy names in,
// check the process's links and turn the package's statuses into error
// codes; the directory logic and the permission bits are kernel/fs's.

// files is the kernel's file system.
var files fs.FS

// The call table's flags are the package's.
var (
	_ = [1]struct{}{}[uint64(OpenFlagsWrite)-uint64(fs.OpenWrite)]
	_ = [1]struct{}{}[uint64(OpenFlagsCreate)-uint64(fs.OpenCreate)]
	_ = [1]struct{}{}[uint64(OpenFlagsExclusive)-uint64(fs.OpenExclusive)]
	_ = [1]struct{}{}[uint64(OpenFlagsTruncate)-uint64(fs.OpenTruncate)]
	_ = [1]struct{}{}[uint64(OpenFlagsDirectory)-uint64(fs.OpenDirectory)]
	_ = [1]struct{}{}[uint64(RenameFlagsNoReplace)-fs.RenameNoReplace]
	_ = [1]struct{}{}[FileMetaSize-fs.MetaSize]
	_ = [1]struct{}{}[FileMetaChange-fs.MetaChange]
	_ = [1]struct{}{}[FileMetaPages-fs.MetaPages]
	_ = [1]struct{}{}[DirEntrySize-fs.EntrySize]
	_ = [1]struct{}{}[DirEntryName-fs.EntryName]
	_ = [1]struct{}{}[FsEntriesPerPage-fs.EntriesPerPage]
	_ = [1]struct{}{}[FsDataOffset-fs.DataOffset]
	_ = [1]struct{}{}[FsMaxLength-fs.MaxLength]
	_ = [1]struct{}{}[FsMaxPipeLength-fs.MaxPipeLength]
	_ = [1]struct{}{}[FileMetaWriters-fs.MetaWriters]
	_ = [1]struct{}{}[OwnerFiles-segment.FilesOwner]
)

// InitFiles makes the file system, which may hold budget frames, with an
// empty root directory.
func InitFiles(budget uint32) bool {
	memory := memoryAccess()
	memory.Frames.SetLimit(segment.FilesOwner, budget)
	files.Segments = &segments
	return files.Init(memory, timer.WallClock()) == fs.OK
}

// fsError maps a file system status to the call's error result.
func fsError(s fs.Status) int64 {
	switch s {
	case fs.OK:
		return 0
	case fs.NotFound:
		return -ErrNotFound
	case fs.Exists:
		return -ErrExists
	case fs.NotDir:
		return -ErrNotDirectory
	case fs.IsDir:
		return -ErrIsDirectory
	case fs.NotEmpty:
		return -ErrNotEmpty
	case fs.NoAccess:
		return -ErrAccess
	case fs.NotPermitted:
		return -ErrNoRight
	case fs.NameTooLong:
		return -ErrNameTooLong
	case fs.NoSpace:
		return -ErrNoSpace
	case fs.TooBig:
		return -ErrTooBig
	case fs.IsSymlink:
		return -ErrSymlink
	case fs.Busy:
		return -ErrBusy
	case fs.BadNode:
		return -ErrNoSuchObject
	}
	return -ErrBadName // BadName, Invalid
}

func cred(caller *Caller) fs.Cred {
	return fs.Cred{UID: caller.Process.UID, GID: caller.Process.GID}
}

// linkedNode returns the node linked at address in the caller's address
// space and the rights of that link.
func linkedNode(caller *Caller, address uintptr) (uint32, segment.Rights, int64) {
	seg, r, status := segments.LinkedAt(memoryAccess(), caller.Process.Space.Root, address, segment.Level2)
	if status != segment.OK {
		if status == segment.Misaligned {
			return 0, 0, -ErrMisaligned
		}
		return 0, 0, -ErrNoSuchObject // nothing linked there, or not a file
	}
	id, ok := files.NodeOf(seg)
	if !ok {
		return 0, 0, -ErrNoSuchObject
	}
	return id, r, 0
}

// copyString copies the NUL-terminated string at user address into buf a
// page at a time (so a string that ends before an unmapped page is read)
// and returns it without the NUL; ErrNameTooLong when buf holds no NUL.
func copyString(caller *Caller, address uintptr, buf []byte) ([]byte, int64) {
	for rest := buf; len(rest) > 0; {
		done := len(buf) - len(rest)
		chunk := uint(paging.PageSize - (address+uintptr(done))&(paging.PageSize-1))
		if chunk > uint(len(rest)) {
			chunk = uint(len(rest))
		}
		part := rest[:chunk]
		if !process.CopyIn(caller.Process, part, address+uintptr(done)) {
			return nil, -ErrBadAddress
		}
		for k := range part {
			if n := uint(done) + uint(k); part[k] == 0 && n <= uint(len(buf)) {
				return buf[:n], 0
			}
		}
		rest = rest[chunk:]
	}
	return nil, -ErrNameTooLong
}

// Scratch space for names and link targets: the calls run under the call
// lock, one at a time.
var (
	nameBuffers [2][fs.NameMax + 1]byte
	pathBuffer  [fs.MaxTarget + 1]byte
)

// dirAndName returns the directory linked at dir and the name at name
// (nameBuffers[which]).
func dirAndName(caller *Caller, dir, name uintptr, which int) (uint32, []byte, int64) {
	d, _, err := linkedNode(caller, dir)
	if err != 0 {
		return 0, nil, err
	}
	n, err := copyString(caller, name, nameBuffers[which&1][:])
	return d, n, err
}

// target returns the node an fs_stat, fs_chmod, ... names: the entry name
// of the directory linked at dir, or with name 0 the node linked at dir.
func target(caller *Caller, dir uintptr, name uint64) (uint32, int64) {
	if name == 0 {
		id, _, err := linkedNode(caller, dir)
		return id, err
	}
	if name < uint64(layout.UserStart) || name >= uint64(layout.UserEnd) {
		return 0, -ErrBadAddress
	}
	d, n, err := dirAndName(caller, dir, uintptr(name), 0)
	if err != 0 {
		return 0, err
	}
	id, status := files.Lookup(memoryAccess(), cred(caller), d, n)
	return id, fsError(status)
}

// finish flushes what a shrink unmapped, then frees it.
func finish(f fs.Flush) {
	if f.Size > 0 {
		invalidateSpan(f.Segment, segment.Unmapped{Offset: f.Offset, Size: f.Size})
	}
	releaseOrphans()
}

// linkNode links node id's segment at at in the caller's space.
func linkNode(caller *Caller, id uint32, at uintptr, r segment.Rights) int64 {
	return linkNodeIn(caller.Process, id, at, r)
}

// linkNodeIn links node id's segment at at in p's space.
func linkNodeIn(p *process.Process, id uint32, at uintptr, r segment.Rights) int64 {
	seg, ok := files.Segment(id)
	if !ok {
		return -ErrNoSuchObject
	}
	return segmentError(segments.Link(memoryAccess(), segment.FilesOwner, p.Space.Root, at, seg, r))
}

// freeSlot checks, before anything is made, that at is a place a node can
// be linked: 1 GiB aligned, in user space, nothing linked there.
func freeSlot(caller *Caller, at uintptr) int64 {
	return freeSlotIn(caller.Process, at)
}

func freeSlotIn(p *process.Process, at uintptr) int64 {
	_, _, status := segments.LinkedAt(memoryAccess(), p.Space.Root, at, segment.Level2)
	switch status {
	case segment.OK:
		return -ErrBusy
	case segment.Misaligned, segment.NotCanonical, segment.NotUserAddress:
		return segmentError(status)
	}
	return 0
}

func sysFsRoot(caller *Caller, at uintptr) int64 {
	root := files.Root()
	if !files.Readable(cred(caller), root) {
		return -ErrAccess // a link shows every entry: read permission
	}
	if err := linkNode(caller, root, at, segment.Read); err != 0 {
		return err
	}
	return int64(root)
}

func sysFsOpen(caller *Caller, dir, name uintptr, flags OpenFlags, mode uint64, at uintptr) int64 {
	if mode > fs.PermMask {
		return -ErrBadArgument
	}
	if err := freeSlot(caller, at); err != 0 {
		return err
	}
	d, n, err := dirAndName(caller, dir, name, 0)
	if err != 0 {
		return err
	}
	// A truncation waits for the link: a failed open changes nothing.
	id, _, status := files.Open(memoryAccess(), cred(caller), d, n, fs.OpenFlags(flags&^OpenFlagsTruncate), uint32(mode), timer.WallClock())
	if status != fs.OK {
		return fsError(status)
	}
	r := segment.Read
	if flags&OpenFlagsWrite != 0 {
		r |= segment.Write
	}
	if err := linkNode(caller, id, at, r); err != 0 {
		return err
	}
	nodeMode, _, _ := files.Mode(id)
	if nodeMode&fs.TypeMask == fs.TypeFifo {
		files.Recount(memoryAccess(), id) // a named FIFO's writers
		tellPipeWriters()
	}
	if flags&(OpenFlagsWrite|OpenFlagsTruncate) == OpenFlagsWrite|OpenFlagsTruncate {
		if nodeMode&fs.TypeMask == fs.TypeFile {
			flush, status := files.Resize(memoryAccess(), id, 0, timer.WallClock())
			finish(flush)
			if status != fs.OK {
				return fsError(status)
			}
		}
	}
	return int64(id)
}

func sysFsOpenParent(caller *Caller, dir, at uintptr) int64 {
	if err := freeSlot(caller, at); err != 0 {
		return err
	}
	d, _, err := linkedNode(caller, dir)
	if err != 0 {
		return err
	}
	parent, status := files.Parent(cred(caller), d)
	if status != fs.OK {
		return fsError(status)
	}
	if err := linkNode(caller, parent, at, segment.Read); err != 0 {
		return err
	}
	return int64(parent)
}

func sysFsMake(caller *Caller, dir, name uintptr, mode uint64, targetAddress uint64) int64 {
	if mode > 0xffff_ffff {
		return -ErrBadArgument
	}
	var path []byte
	fifoLength := uint32(0)
	switch uint32(mode) & fs.TypeMask {
	case fs.TypeDir:
		if mode&^(fs.TypeMask|fs.PermMask) != 0 {
			return -ErrBadArgument
		}
	case fs.TypeSymlink:
		if targetAddress < uint64(layout.UserStart) || targetAddress >= uint64(layout.UserEnd) {
			return -ErrBadAddress
		}
		var err int64
		if path, err = copyString(caller, uintptr(targetAddress), pathBuffer[:]); err != 0 {
			return err
		}
	case fs.TypeFifo: // target is its length
		if mode&^(fs.TypeMask|fs.PermMask) != 0 {
			return -ErrBadArgument
		}
		if targetAddress > fs.MaxPipeLength {
			return -ErrTooBig
		}
		fifoLength = uint32(targetAddress)
	default:
		return -ErrBadArgument // devices are the kernel's to make
	}
	d, n, err := dirAndName(caller, dir, name, 0)
	if err != 0 {
		return err
	}
	id, status := files.Make(memoryAccess(), cred(caller), d, n, uint32(mode), fifoLength, path, timer.WallClock())
	if status != fs.OK {
		return fsError(status)
	}
	return int64(id)
}

func sysFsRemove(caller *Caller, dir, name uintptr, flags RemoveFlags) int64 {
	d, n, err := dirAndName(caller, dir, name, 0)
	if err != 0 {
		return err
	}
	return fsError(files.Remove(memoryAccess(), cred(caller), d, n, flags&RemoveFlagsDirectory != 0, timer.WallClock()))
}

func sysFsRename(caller *Caller, fromDir, fromName, toDir, toName uintptr, flags RenameFlags) int64 {
	from, fromN, err := dirAndName(caller, fromDir, fromName, 0)
	if err != 0 {
		return err
	}
	to, toN, err := dirAndName(caller, toDir, toName, 1)
	if err != 0 {
		return err
	}
	return fsError(files.Rename(memoryAccess(), cred(caller), from, fromN, to, toN, uint32(flags), timer.WallClock()))
}

func sysFsLink(caller *Caller, fromDir, fromName, toDir, toName uintptr) int64 {
	id, err := target(caller, fromDir, uint64(fromName))
	if err != 0 {
		return err
	}
	to, toN, err := dirAndName(caller, toDir, toName, 1)
	if err != 0 {
		return err
	}
	return fsError(files.Link(memoryAccess(), cred(caller), id, to, toN, timer.WallClock()))
}

func sysFsResize(caller *Caller, file uintptr, length uint64, how ResizeFlags) int64 {
	if how == ResizeFlagsGrow|ResizeFlagsExtend {
		return -ErrBadArgument
	}
	id, r, err := linkedNode(caller, file)
	if err != 0 {
		return err
	}
	if r&segment.Write == 0 {
		return -ErrNoRight // linked read-only
	}
	var flush fs.Flush
	var status fs.Status
	old := uint64(0)
	switch how {
	case ResizeFlagsGrow:
		flush, status = files.Grow(memoryAccess(), id, length, timer.WallClock())
	case ResizeFlagsExtend:
		old, flush, status = files.Extend(memoryAccess(), id, length, timer.WallClock())
	default:
		flush, status = files.Resize(memoryAccess(), id, length, timer.WallClock())
	}
	finish(flush)
	if status != fs.OK {
		return fsError(status)
	}
	return int64(old)
}

func sysFsStat(caller *Caller, dir uintptr, name uint64, out uintptr) int64 {
	id, err := target(caller, dir, name)
	if err != 0 {
		return err
	}
	meta, ok := files.Meta(id)
	if !ok {
		return -ErrNoSuchObject
	}
	var page [fs.MetaSize]byte
	copy(page[:], rawmem.Bytes(layout.DirectMap+uintptr(meta), fs.MetaSize))
	if !process.CopyOut(caller.Process, out, page[:]) {
		return -ErrBadAddress
	}
	return int64(id)
}

func sysFsReadlink(caller *Caller, dir, name, out uintptr) int64 {
	d, n, err := dirAndName(caller, dir, name, 0)
	if err != 0 {
		return err
	}
	length, status := files.Readlink(memoryAccess(), cred(caller), d, n, pathBuffer[:])
	if status != fs.OK {
		return fsError(status)
	}
	copied := uint(length)
	if copied > uint(len(pathBuffer)) {
		copied = uint(len(pathBuffer))
	}
	if !process.CopyOut(caller.Process, out, pathBuffer[:copied]) {
		return -ErrBadAddress
	}
	return int64(length)
}

func sysFsChmod(caller *Caller, dir uintptr, name uint64, mode uint64) int64 {
	id, err := target(caller, dir, name)
	if err != 0 {
		return err
	}
	if mode > fs.PermMask {
		return -ErrBadArgument
	}
	return fsError(files.Chmod(memoryAccess(), cred(caller), id, uint32(mode), timer.WallClock()))
}

func sysFsChown(caller *Caller, dir uintptr, name uint64, uid, gid uint64) int64 {
	id, err := target(caller, dir, name)
	if err != 0 {
		return err
	}
	if uid > 0xffff_ffff || gid > 0xffff_ffff {
		return -ErrBadArgument
	}
	return fsError(files.Chown(memoryAccess(), cred(caller), id, uint32(uid), uint32(gid), timer.WallClock()))
}

func sysFsSetTimes(caller *Caller, dir uintptr, name uint64, atime, mtime int64) int64 {
	id, err := target(caller, dir, name)
	if err != 0 {
		return err
	}
	return fsError(files.SetTimes(memoryAccess(), cred(caller), id, atime, mtime, timer.WallClock()))
}

func sysFsCheck(caller *Caller) int64 {
	if caller.Process.UID != 0 {
		return -ErrNoRight // a walk of everything, under the call lock: root's
	}
	problem, node := files.Check(memoryAccess())
	if problem == "" {
		return 0
	}
	var line console.Line
	line.String("exogo: the file system is inconsistent: ").String(problem).String(" (node ").Hex(uint64(node)).String(")").Write()
	return int64(node) | 1<<32
}

func sysProcessSetUser(caller *Caller, id uint32, uid, gid uint64) int64 {
	p := caller.Process
	if id != 0 {
		var err int64
		if p, err = child(caller, id); p == nil {
			return err
		}
		if p.State != process.Created {
			return -ErrBusy // started: only it may change its user
		}
	}
	switch {
	case uid > 0xffff_ffff || gid > 0xffff_ffff:
		return -ErrBadArgument
	case caller.Process.UID != 0 && (uint32(uid) != caller.Process.UID || uint32(gid) != caller.Process.GID):
		return -ErrNoRight
	}
	p.UID, p.GID = uint32(uid), uint32(gid)
	return 0
}

// Files is the kernel's file system, for the kernel's own use at boot
// (filling it from the boot module) before any process runs.
func Files() *fs.FS { return &files }

// FilesMemory is how the file system reaches memory.
func FilesMemory() segment.Memory { return memoryAccess() }

// FilesFrames is how many frames the file system holds.
func FilesFrames() uint64 { return memoryAccess().Frames.Held(segment.FilesOwner) }
