// Package fs is the RAM file system (XOmB section 2.2, "Byte-Addressable
// File System"): a file is a segment, a page-table tree of depth 2 (a PD
// segment, 1 GiB) with a length and permissions, that a process links into
// its address space to open it; reading and writing it are loads and
// stores, with no buffer cache and no copy. A directory is a file too,
// which processes link read-only: the kernel writes it, because it must
// know the structure to check access, and a libOS reads it to walk a path
// one directory at a time.
//
// # What is where
//
// The kernel keeps a node for every file, directory, symbolic link,
// device and pipe (a named FIFO is two: pipe.go): its PD segment, owned
// by segment.FilesOwner, and the record below. The segment's first page
// is the node's metadata page (layout.go), mapped read-only, which the
// kernel rewrites at every change; the data follows. The frames of every file are charged to FilesOwner, whose frame
// limit is the file system's size (ENOSPC past it), so files can never
// take the memory the processes need.
//
// A process names a directory or a file it opened by where it linked it
// (kernel/exo finds the segment with segment.Table.LinkedAt and the node
// with NodeOf): the link is the capability. Opening looks a name up in a
// directory the caller linked, checks the permissions of the node, and
// links its segment; closing is unlinking it. A node whose last name goes
// while a process still links it lives on, nameless, until Collect finds
// it unlinked everywhere.
//
// # What the caller does
//
// The package edits segments and writes directories; it does not flush
// TLBs. A shrinking Resize returns a Flush: the caller invalidates that
// span of the segment wherever it is linked and then calls
// physmem.Table.ReleasePending, which frees the frames the shrink let go.
// Calls are serialized by the caller (kernel/exo's call lock).
//
// Restricted Go, as kernel/segment: integers only, no allocation, bounded
// work (a directory holds at most MaxNodes entries).
package fs

import (
	"exogo/kernel/physmem"
	"exogo/kernel/segment"
)

// MaxNodes bounds the nodes (files, directories, links, devices, pipes)
// that exist at once; node 0 is never used.
const MaxNodes = 4096

// Status is the result of an operation; kernel/exo turns it into an error
// code a libOS turns into Linux's errno (in brackets).
type Status uint8

const (
	OK           Status = iota
	NotFound            // no entry of that name (ENOENT)
	Exists              // the name is taken (EEXIST)
	NotDir              // a directory was needed (ENOTDIR)
	IsDir               // a directory where a file was needed (EISDIR)
	NotEmpty            // the directory still has entries (ENOTEMPTY)
	NoAccess            // the permission bits refuse it (EACCES)
	NotPermitted        // only the owner (or root) may (EPERM)
	BadName             // empty, ".", "..", or holds a '/' (EINVAL)
	NameTooLong         // longer than NameMax (ENAMETOOLONG)
	NoSpace             // the file system's frames or nodes are used up (ENOSPC)
	TooBig              // past MaxLength (EFBIG)
	IsSymlink           // a symbolic link, which the libOS follows itself (ELOOP)
	BadNode             // no such node: never made, or gone (EBADF / ESTALE)
	Invalid             // a directory moved under itself, a bad flag (EINVAL)
	Busy                // the root cannot be removed or replaced (EBUSY)
)

var statusNames = [...]string{
	"ok", "not found", "exists", "not a directory", "is a directory", "directory not empty",
	"permission denied", "not permitted", "bad name", "name too long", "no space",
	"file too big", "a symbolic link", "no such node", "invalid", "busy",
}

// String describes the status for logs.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown status"
}

// Cred is who asks: a process's user and group.
type Cred struct{ UID, GID uint32 }

// node is the kernel's record of a file, directory, link or device.
type node struct {
	seg     segment.ID
	pd      uint64 // the PD segment's table (physical)
	meta    uint64 // the metadata frame (physical)
	length  uint64
	pages   uint64 // data frames mapped
	change  uint64
	mtime   int64
	ctime   int64
	atime   int64
	mode    uint32
	uid     uint32
	gid     uint32
	links   uint32
	device  uint32
	parent  uint32 // a directory's parent's index
	writers uint32 // a pipe's writable links, as last counted (Collect)
	peer    uint32 // a named FIFO's peer node (its index): pipe.go
	named   bool   // a named FIFO (counted in FS.named, not FS.pipes)
	isPeer  bool   // a named FIFO's peer (counted in neither)
	held    bool   // a peer whose FIFO lives: kept while it does
	changed bool   // writers changed since NextChanged last returned it
	entries uint32 // a directory's slots in use or freed
	live    uint32 // a directory's entries in use
	gen     uint16
	used    bool
	doomed  bool // nameless: freed once nothing links it (Collect)
}

// FS is the file system. Its zero value is empty; Init makes the root.
type FS struct {
	// Segments is the kernel's segment table, which holds every node's
	// segments.
	Segments *segment.Table
	nodes    [MaxNodes]node
	live     uint32
	doomed   uint32
	hint     uint32
	root     uint32
	// bySegment maps a PD segment's index to its node's index.
	bySegment [segment.MaxSegments]uint16
	// changed counts the pipes whose count of writers changed and is
	// not yet taken (NextChanged).
	changed       uint32
	changedCursor uint32
	// pipes counts the nameless pipe nodes fs_pipe makes (MaxPipeNodes);
	// named counts the named FIFOs (MaxNamedFifos), whose peers neither
	// counts. Collect counts the named FIFOs' writers too.
	pipes uint32
	named uint32
	// Check's counts of each node's names and each directory's
	// subdirectories.
	names, subdirs [MaxNodes]uint32
}

// Init makes the root directory (mode 0755, owned by root) at time now.
func (f *FS) Init(mem segment.Memory, now int64) Status {
	if f.root != 0 {
		return OK
	}
	i, status := f.newNode(mem, TypeDir|0o755, Cred{}, now)
	if status != OK {
		return status
	}
	n := &f.nodes[i%MaxNodes]
	n.parent, n.links = i, 2
	f.root = i
	f.writeMeta(mem, i)
	return OK
}

// Root is the root directory's id.
func (f *FS) Root() uint32 { return f.id(f.root) }

// Live is how many nodes exist (the nameless ones still linked included).
func (f *FS) Live() int { return int(f.live) }

// id is the id of node i: its generation and its index.
func (f *FS) id(i uint32) uint32 { return uint32(f.nodes[i%MaxNodes].gen)<<16 | i%MaxNodes }

// lookup returns the node named id.
func (f *FS) lookup(id uint32) (*node, uint32, bool) {
	i := id & 0xffff
	if i == 0 || i >= MaxNodes {
		return nil, 0, false
	}
	n := &f.nodes[i%MaxNodes]
	if !n.used || n.gen != uint16(id>>16) {
		return nil, 0, false
	}
	return n, i, true
}

// NodeOf returns the id of the node whose segment is seg.
func (f *FS) NodeOf(seg segment.ID) (uint32, bool) {
	i := uint32(f.bySegment[uint(seg&0xffff)%segment.MaxSegments])
	n := &f.nodes[i%MaxNodes]
	if i == 0 || !n.used || n.seg != seg {
		return 0, false
	}
	return uint32(n.gen)<<16 | i, true
}

// Segment returns node id's segment.
func (f *FS) Segment(id uint32) (segment.ID, bool) {
	n, _, ok := f.lookup(id)
	if !ok {
		return 0, false
	}
	return n.seg, true
}

// Mode returns node id's mode and owner.
func (f *FS) Mode(id uint32) (mode, uid uint32, ok bool) {
	n, _, ok := f.lookup(id)
	if !ok {
		return 0, 0, false
	}
	return n.mode, n.uid, true
}

// Readable reports whether c may read node id (link it).
func (f *FS) Readable(c Cred, id uint32) bool {
	n, _, ok := f.lookup(id)
	return ok && may(c, n, 4)
}

// may reports whether c may access n as want asks (4 read, 2 write, 1
// search or execute). Root may do anything but execute a file no one may.
func may(c Cred, n *node, want uint32) bool {
	if c.UID == 0 {
		return want&1 == 0 || n.mode&TypeMask == TypeDir || n.mode&0o111 != 0
	}
	perm := n.mode
	if c.UID == n.uid {
		perm >>= 6
	} else if c.GID == n.gid {
		perm >>= 3
	}
	return perm&want == want
}

// newNode makes a node of mode owned by c: its PD segment, the PT segment
// of its first 2 MiB and its metadata page. It returns the node's index.
func (f *FS) newNode(mem segment.Memory, mode uint32, c Cred, now int64) (uint32, Status) {
	if f.live >= MaxNodes-1 {
		return 0, NoSpace
	}
	i := f.hint % MaxNodes
	for k := 0; k < MaxNodes && (i == 0 || f.nodes[i%MaxNodes].used); k++ {
		i = (i + 1) % MaxNodes
	}
	n := &f.nodes[i%MaxNodes]
	if i == 0 || n.used {
		return 0, NoSpace
	}
	pd, status := f.Segments.Create(mem, segment.FilesOwner, segment.Level2)
	if status != segment.OK {
		return 0, NoSpace
	}
	info, _ := f.Segments.Info(pd)
	pt, status := f.Segments.Create(mem, segment.FilesOwner, segment.Level1)
	if status != segment.OK {
		f.Segments.Destroy(mem, segment.FilesOwner, pd)
		return 0, NoSpace
	}
	if f.Segments.MapSegment(mem, segment.FilesOwner, pd, 0, pt, segment.Read|segment.Write) != segment.OK {
		f.Segments.Destroy(mem, segment.FilesOwner, pt)
		f.Segments.Destroy(mem, segment.FilesOwner, pd)
		return 0, NoSpace
	}
	meta, ok := f.mapFrame(mem, pt, 0, segment.Read)
	if !ok {
		f.destroyTree(mem, pd)
		return 0, NoSpace
	}
	gen := n.gen + 1
	if gen == 0 {
		gen = 1
	}
	*n = node{seg: pd, pd: info.Table, meta: meta, mode: mode, uid: c.UID, gid: c.GID, links: 1,
		mtime: now, ctime: now, atime: now, gen: gen, used: true}
	f.bySegment[uint(pd&0xffff)%segment.MaxSegments] = uint16(i)
	f.live++
	f.hint = (i + 1) % MaxNodes
	f.writeMeta(mem, i)
	return i, OK
}

// mapFrame charges a zeroed frame to the file system and maps it at slot
// of PT segment pt with rights r.
func (f *FS) mapFrame(mem segment.Memory, pt segment.ID, slot uint, r segment.Rights) (uint64, bool) {
	return f.mapFrameZeroed(mem, pt, slot, r, true)
}

// mapFrameZeroed is mapFrame; without zero the frame holds what it held
// (the caller fills it before anything can read it).
func (f *FS) mapFrameZeroed(mem segment.Memory, pt segment.ID, slot uint, r segment.Rights, zero bool) (uint64, bool) {
	frame, charged := mem.Frames.ChargeMapped(segment.FilesOwner, physmem.UseProcess, zero)
	if charged != physmem.Done {
		return 0, false
	}
	if f.Segments.MapCharged(mem, segment.FilesOwner, pt, slot, frame, r) != segment.OK {
		mem.Frames.CancelMapped(frame, segment.FilesOwner, physmem.UseProcess)
		return 0, false
	}
	return frame, true
}

// destroyTree frees PD segment pd, its PT segments and every frame they
// map. Nothing may link pd (Collect checks; a new node was never linked).
func (f *FS) destroyTree(mem segment.Memory, pd segment.ID) {
	var frames [64]uint64
	for slot := uint(0); slot < segment.Entries; slot++ {
		pt, ok := f.Segments.ChildAt(mem, segment.FilesOwner, pd, slot)
		if !ok {
			continue
		}
		for next := uint(0); next < segment.Entries; {
			n, after, _, status := f.Segments.UnmapFrames(mem, segment.FilesOwner, pt, next, segment.Entries, frames[:])
			if status != segment.OK {
				break
			}
			for k := 0; k < n && k < len(frames); k++ {
				mem.Frames.FreeOwned(frames[k], segment.FilesOwner)
			}
			next = after
		}
		f.Segments.Unmap(mem, segment.FilesOwner, pd, slot)
		f.Segments.Destroy(mem, segment.FilesOwner, pt)
	}
	f.Segments.Destroy(mem, segment.FilesOwner, pd)
}

// freeNode frees node i and everything it holds.
func (f *FS) freeNode(mem segment.Memory, i uint32) {
	n := &f.nodes[i%MaxNodes]
	if !n.used {
		return
	}
	f.destroyTree(mem, n.seg)
	f.bySegment[uint(n.seg&0xffff)%segment.MaxSegments] = 0
	if n.peer != 0 {
		f.releasePeer(mem, n.peer)
	}
	if n.doomed && f.doomed > 0 {
		f.doomed--
	}
	if n.changed && f.changed > 0 {
		f.changed-- // no one can watch its words any more
	}
	switch {
	case n.named:
		if f.named > 0 {
			f.named--
		}
	case n.isPeer:
	case n.mode&TypeMask == TypeFifo && f.pipes > 0:
		f.pipes--
	}
	*n = node{gen: n.gen}
	f.live--
}

// Collect frees the nameless nodes that no process links any more (the
// caller has flushed the TLBs after the unlinks), and returns how many;
// it counts the writers of the pipes left (pipe.go).
// kernel/exo calls it after every unlink and every process's end.
func (f *FS) Collect(mem segment.Memory) int {
	freed := 0
	for i := uint32(1); i < MaxNodes && (f.doomed > 0 || f.named > 0); i++ {
		n := &f.nodes[i%MaxNodes]
		if n.used && !n.doomed && n.named {
			f.countWriters(mem, i) // a named FIFO: a link may have gone
			continue
		}
		if !n.used || !n.doomed {
			continue
		}
		if info, status := f.Segments.Info(n.seg); status == segment.OK && info.Links == 0 && info.Parents == 0 && !n.held {
			f.freeNode(mem, i)
			freed++
		} else if n.mode&TypeMask == TypeFifo {
			f.countWriters(mem, i) // a link may have gone
		}
	}
	return freed
}

// drop removes one name of node i: a node left with none is freed, or
// doomed while a process still links it.
func (f *FS) drop(mem segment.Memory, i uint32) {
	n := &f.nodes[i%MaxNodes]
	if n.links > 0 {
		n.links--
	}
	if n.mode&TypeMask == TypeDir {
		n.links = 0 // a directory has one name; its "." goes with it
	}
	if n.links > 0 {
		f.writeMeta(mem, i)
		return
	}
	if info, status := f.Segments.Info(n.seg); status == segment.OK && info.Links == 0 && info.Parents == 0 {
		f.freeNode(mem, i)
		return
	}
	n.doomed = true
	f.doomed++
	f.writeMeta(mem, i)
}
