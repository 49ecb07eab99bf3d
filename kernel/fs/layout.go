package fs

import (
	"sync/atomic"

	"exogo/kernel/rawmem"
	"exogo/kernel/segment"
)

// The on-segment layout: what a process that links a file or a directory
// reads there. kernel/exo's table (syscalls.conf: layouts file_meta and
// dir_entry) describes the same bytes for libOSes, and a compile-time
// check there keeps the two equal.
//
//	segment offset 0        the metadata page: the node's mode, owner,
//	                        length, times, ... (Meta*), read-only to
//	                        every process; the kernel rewrites it under a
//	                        sequence number (odd while it writes)
//	segment offset 4096     the file's bytes (DataOffset), or a
//	                        directory's entries: EntriesPerPage records of
//	                        EntrySize bytes in each page, none across a
//	                        page boundary
const (
	PageSize   = 4096
	DataOffset = PageSize
	// MaxLength is the longest file: a PD segment's 1 GiB less the
	// metadata page.
	MaxLength = 1<<30 - DataOffset
	// MaxPages is how many data pages a file may have.
	MaxPages = MaxLength / PageSize

	// The metadata page's fields (byte offsets; 8 bytes each but uid and
	// gid, 4).
	MetaSequence = 0  // even while stable, odd while the kernel rewrites the page
	MetaNode     = 8  // the node's id
	MetaMode     = 16 // the type (S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR) and permission bits, as Linux's st_mode
	MetaUID      = 24
	MetaGID      = 28
	MetaLinks    = 32  // how many directory entries name the node (a directory: 2 + its subdirectories)
	MetaLength   = 40  // the length in bytes (a symlink: its target's; a directory: its entry pages')
	MetaMtime    = 48  // last change of the contents (ns since 1970, UTC)
	MetaCtime    = 56  // last change of the node
	MetaAtime    = 64  // set only by fs_set_times
	MetaChange   = 72  // bumped by every change of the node, and of a directory's entries: a traversal cache is right while it holds
	MetaEntries  = 80  // a directory: the entry slots in use or freed ([0, entries) holds every entry)
	MetaParent   = 88  // a directory: its parent's node id (the root's is its own)
	MetaDevice   = 96  // a device node: its device number (Linux's st_rdev)
	MetaPages    = 104 // data pages held (st_blocks is 8 times this)
	MetaWriters  = 112 // a pipe: how many links may write it, kept current as links come and go (4 bytes a libOS can watch, then 4 zero)
	MetaSize     = 120

	// A directory entry's fields.
	EntrySize       = 272
	EntriesPerPage  = PageSize / EntrySize // 15
	EntrySequence   = 0                    // 4 bytes: even while stable, odd while the kernel rewrites the entry
	EntryNode       = 4                    // 4 bytes: the node's id; 0 for a free slot
	EntryType       = 8                    // 1 byte: Linux's d_type (DT_REG 8, DT_DIR 4, DT_LNK 10, DT_CHR 2)
	EntryNameLength = 9                    // 1 byte
	EntryName       = 16                   // NameMax bytes and a NUL
	NameMax         = 255
	// MaxTarget is the longest symbolic link target (Linux's PATH_MAX
	// less the NUL).
	MaxTarget = 4095
)

// Linux's file types and d_type values, which the layout uses as they are.
const (
	TypeMask    = 0o170000
	TypeFile    = 0o100000
	TypeDir     = 0o040000
	TypeSymlink = 0o120000
	TypeChar    = 0o020000
	TypeFifo    = 0o010000
	PermMask    = 0o7777
	StickyBit   = 0o1000

	dtFifo    = 1
	dtChar    = 2
	dtDir     = 4
	dtFile    = 8
	dtSymlink = 10
)

// direntType is the d_type of a node of mode.
func direntType(mode uint32) uint8 {
	switch mode & TypeMask {
	case TypeDir:
		return dtDir
	case TypeSymlink:
		return dtSymlink
	case TypeChar:
		return dtChar
	case TypeFifo:
		return dtFifo
	}
	return dtFile
}

// word is the 8-byte field at offset of the page at physical.
func word(mem segment.Memory, physical uint64, offset uintptr) *uint64 {
	return rawmem.Uint64(mem.DirectMap + uintptr(physical) + offset%PageSize&^7)
}

// writeMeta rewrites n's metadata page from its record, under the
// page's sequence number, so that a process reading it concurrently can
// tell a torn read (it reads the sequence before and after).
func (f *FS) writeMeta(mem segment.Memory, i uint32) {
	n := &f.nodes[i%MaxNodes]
	seq := word(mem, n.meta, MetaSequence)
	atomic.StoreUint64(seq, atomic.LoadUint64(seq)|1)
	n.change++
	*word(mem, n.meta, MetaNode) = uint64(f.id(i))
	*word(mem, n.meta, MetaMode) = uint64(n.mode)
	*word(mem, n.meta, MetaUID) = uint64(n.uid) | uint64(n.gid)<<32
	*word(mem, n.meta, MetaLinks) = uint64(n.links)
	*word(mem, n.meta, MetaLength) = n.length
	*word(mem, n.meta, MetaMtime) = uint64(n.mtime)
	*word(mem, n.meta, MetaCtime) = uint64(n.ctime)
	*word(mem, n.meta, MetaAtime) = uint64(n.atime)
	*word(mem, n.meta, MetaChange) = n.change
	*word(mem, n.meta, MetaEntries) = uint64(n.entries)
	parent := uint32(0)
	if n.mode&TypeMask == TypeDir {
		parent = f.id(n.parent)
	}
	*word(mem, n.meta, MetaParent) = uint64(parent)
	*word(mem, n.meta, MetaDevice) = uint64(n.device)
	*word(mem, n.meta, MetaPages) = n.pages
	atomic.StoreUint64(word(mem, n.meta, MetaWriters), uint64(n.writers))
	atomic.StoreUint64(seq, atomic.LoadUint64(seq)+1)
}

// entryAt returns the direct-map address of directory d's entry slot i,
// or false when the page that holds it is not there.
func (f *FS) entryAt(mem segment.Memory, d *node, i uint32) (uintptr, bool) {
	frame, ok := f.pageFrame(mem, d, uint64(i/EntriesPerPage))
	if !ok {
		return 0, false
	}
	return mem.DirectMap + uintptr(frame) + uintptr(i%EntriesPerPage)*EntrySize, true
}

// writeEntry fills slot i of directory d (node 0 frees it) under the
// entry's sequence number.
func writeEntry(at uintptr, id uint32, dtype uint8, name []byte) {
	seq := rawmem.Uint32(at + EntrySequence)
	atomic.StoreUint32(seq, atomic.LoadUint32(seq)|1)
	*rawmem.Uint32(at + EntryNode) = id
	b := rawmem.Bytes(at, EntrySize)
	b[EntryType] = dtype
	n := copy(b[EntryName:EntryName+NameMax], name)
	b[EntryNameLength] = uint8(n)
	for i := EntryName + n; i < EntrySize; i++ {
		b[i] = 0
	}
	atomic.StoreUint32(seq, atomic.LoadUint32(seq)+1)
}

// entryName returns the name in the entry at at (the kernel's own bytes,
// never a process's).
func entryName(at uintptr) []byte {
	b := rawmem.Bytes(at, EntrySize)
	n := int(b[EntryNameLength])
	return b[EntryName : EntryName+n]
}
