package fs

import (
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
	"exogo/kernel/rawmem"
	"exogo/kernel/segment"
)

// A node's data: page p of a file is page p+1 of its segment (the
// metadata page is page 0), in the PT segment at slot (p+1)/512 of its PD
// segment. Every page below the length has a frame: files are not sparse.
// TODO(issue 9): sparse files (a hole takes no frame until it is
// written), which would let a file be truncated to its full 1 GiB.

// Flush is the span of a segment whose pages a shrink unmapped: the
// caller invalidates it wherever the segment is linked before it frees
// them (physmem.Table.ReleasePending). Size 0: nothing to do.
type Flush struct {
	Segment segment.ID
	Offset  uint64
	Size    uint64
}

// pagesFor is how many pages hold length bytes.
func pagesFor(length uint64) uint64 { return (length + PageSize - 1) / PageSize }

// pageFrame returns the frame that holds data page p of n.
func (f *FS) pageFrame(mem segment.Memory, n *node, p uint64) (uint64, bool) {
	k := p + 1
	if k >= segment.Entries*segment.Entries {
		return 0, false
	}
	e := *word(mem, n.pd, uintptr(k/segment.Entries)*8)
	if paging.Flags(e)&paging.Present == 0 {
		return 0, false
	}
	e = *word(mem, e&paging.AddressMask, uintptr(k%segment.Entries)*8)
	if paging.Flags(e)&paging.Present == 0 {
		return 0, false
	}
	return e & paging.AddressMask, true
}

// ensurePage gives data page p of node i a zeroed frame if it has none.
func (f *FS) ensurePage(mem segment.Memory, i uint32, p uint64) Status {
	return f.ensurePageZeroed(mem, i, p, true)
}

// ensurePageZeroed is ensurePage; without zero a new frame is not zeroed
// (the caller overwrites all of it).
func (f *FS) ensurePageZeroed(mem segment.Memory, i uint32, p uint64, zero bool) Status {
	n := &f.nodes[i%MaxNodes]
	if _, ok := f.pageFrame(mem, n, p); ok {
		return OK
	}
	k := p + 1
	slot := uint(k / segment.Entries)
	pt, ok := f.Segments.ChildAt(mem, segment.FilesOwner, n.seg, slot)
	if !ok {
		var status segment.Status
		pt, status = f.Segments.Create(mem, segment.FilesOwner, segment.Level1)
		if status != segment.OK {
			return NoSpace
		}
		if f.Segments.MapSegment(mem, segment.FilesOwner, n.seg, slot, pt, segment.Read|segment.Write) != segment.OK {
			f.Segments.Destroy(mem, segment.FilesOwner, pt)
			return NoSpace
		}
	}
	if _, ok := f.mapFrameZeroed(mem, pt, uint(k%segment.Entries), segment.Read|segment.Write, zero); !ok {
		return NoSpace
	}
	n.pages++
	return OK
}

// zeroFrom clears the bytes of n from offset to the end of its page.
func (f *FS) zeroFrom(mem segment.Memory, n *node, offset uint64) {
	if offset%PageSize == 0 {
		return
	}
	frame, ok := f.pageFrame(mem, n, offset/PageSize)
	if !ok {
		return
	}
	b := rawmem.Bytes(mem.DirectMap+uintptr(frame), PageSize)
	for k := offset % PageSize; k < PageSize; k++ {
		b[k] = 0
	}
}

// dropPages unmaps n's data pages [from, to) and hands their frames to
// physmem's pending list, freed after the caller's flush.
func (f *FS) dropPages(mem segment.Memory, n *node, from, to uint64) Flush {
	if from >= to {
		return Flush{}
	}
	var frames [64]uint64
	for k := from + 1; k < to+1; {
		slot := uint(k / segment.Entries)
		end := (uint64(slot) + 1) * segment.Entries
		if end > to+1 {
			end = to + 1
		}
		pt, ok := f.Segments.ChildAt(mem, segment.FilesOwner, n.seg, slot)
		for first := uint(k % segment.Entries); ok && first < uint(end-uint64(slot)*segment.Entries); {
			count, next, _, status := f.Segments.UnmapFrames(mem, segment.FilesOwner, pt, first, uint(end-uint64(slot)*segment.Entries), frames[:])
			if status != segment.OK {
				break
			}
			for j := 0; j < count && j < len(frames); j++ {
				if mem.Frames.FreeAfterShootdown(frames[j], segment.FilesOwner, physmem.UseProcess) == physmem.Done && n.pages > 0 {
					n.pages--
				}
			}
			first = next
		}
		k = end
	}
	return Flush{Segment: n.seg, Offset: DataOffset + from*PageSize, Size: (to - from) * PageSize}
}

// resize sets node i's length: a longer file gets zeroed frames (all or
// none: NoSpace undoes what it added), a shorter one loses the pages past
// its end (the caller flushes). The bytes past the length in its last
// page read as zeros.
func (f *FS) resize(mem segment.Memory, i uint32, length uint64, now int64) (Flush, Status) {
	n := &f.nodes[i%MaxNodes]
	if length > MaxLength {
		return Flush{}, TooBig
	}
	oldPages, newPages := pagesFor(n.length), pagesFor(length)
	var flush Flush
	if length > n.length {
		f.zeroFrom(mem, n, n.length)
		for p := oldPages; p < newPages; p++ {
			if f.ensurePage(mem, i, p) != OK {
				return f.dropPages(mem, n, oldPages, p), NoSpace
			}
		}
	} else {
		f.zeroFrom(mem, n, length)
		flush = f.dropPages(mem, n, newPages, oldPages)
	}
	n.length = length
	n.mtime, n.ctime = now, now
	f.writeMeta(mem, i)
	return flush, OK
}

// fileOf is file id's record and index; BadNode when there is none,
// IsDir when it is not a regular file (Resize, Grow and Extend).
func (f *FS) fileOf(id uint32) (*node, uint32, Status) {
	n, i, ok := f.lookup(id)
	switch {
	case !ok:
		return nil, 0, BadNode
	case n.mode&TypeMask != TypeFile:
		return nil, 0, IsDir
	}
	return n, i, OK
}

// Resize sets the length of file id (the caller checked that the process
// linked it writable), at time now.
func (f *FS) Resize(mem segment.Memory, id uint32, length uint64, now int64) (Flush, Status) {
	_, i, status := f.fileOf(id)
	if status != OK {
		return Flush{}, status
	}
	return f.resize(mem, i, length, now)
}

// Grow makes file id at least length long (never shorter), at time now:
// two writers past the end, each growing the file to its own end, cannot
// cut off the other's bytes, whatever order their calls come in.
func (f *FS) Grow(mem segment.Memory, id uint32, length uint64, now int64) (Flush, Status) {
	n, i, status := f.fileOf(id)
	if status != OK || length <= n.length {
		return Flush{}, status
	}
	return f.resize(mem, i, length, now)
}

// Extend makes file id by bytes longer, at time now, and returns its
// length before: the place of an O_APPEND write, which no other append
// can take.
func (f *FS) Extend(mem segment.Memory, id uint32, by uint64, now int64) (uint64, Flush, Status) {
	n, i, status := f.fileOf(id)
	switch {
	case status != OK:
		return 0, Flush{}, status
	case by > MaxLength || n.length > MaxLength-by:
		return 0, Flush{}, TooBig
	}
	old := n.length
	flush, status := f.resize(mem, i, old+by, now)
	return old, flush, status
}

// copyData copies between b and node n's bytes from offset on (out: from
// the node into b); the range is within the length.
func (f *FS) copyData(mem segment.Memory, n *node, offset uint64, b []byte, out bool) bool {
	for len(b) > 0 {
		frame, ok := f.pageFrame(mem, n, offset/PageSize)
		if !ok {
			return false
		}
		page := (*[PageSize]byte)(rawmem.Pointer(mem.DirectMap + uintptr(frame)))
		var k uint
		if out {
			k = uint(copy(b, page[offset%PageSize:]))
		} else {
			k = uint(copy(page[offset%PageSize:], b))
		}
		if k > uint(len(b)) {
			return false
		}
		b = b[k:]
		offset += uint64(k)
	}
	return true
}

// WriteAt stores b in file id at offset, growing it as needed: for the
// kernel's own use (the boot module's files).
func (f *FS) WriteAt(mem segment.Memory, id uint32, offset uint64, b []byte, now int64) Status {
	n, i, ok := f.lookup(id)
	if !ok {
		return BadNode
	}
	if offset > MaxLength || uint64(len(b)) > MaxLength-offset {
		return TooBig
	}
	if end := offset + uint64(len(b)); end > n.length {
		if _, status := f.resize(mem, i, end, now); status != OK {
			return status
		}
	}
	if !f.copyData(mem, n, offset, b, false) {
		return BadNode
	}
	return OK
}

// Load fills empty file id with b, for the kernel's own use: the frames
// its pages fill whole are not zeroed first, as a growth's would be. No
// process may link the file yet (at boot none runs).
func (f *FS) Load(mem segment.Memory, id uint32, b []byte, now int64) Status {
	n, i, ok := f.lookup(id)
	if !ok || n.mode&TypeMask != TypeFile || n.length != 0 {
		return BadNode
	}
	if uint64(len(b)) > MaxLength {
		return TooBig
	}
	pages := pagesFor(uint64(len(b)))
	for p := uint64(0); p < pages; p++ {
		if f.ensurePageZeroed(mem, i, p, p+1 == pages) != OK {
			f.dropPages(mem, n, 0, p)
			return NoSpace
		}
	}
	n.length = uint64(len(b))
	if !f.copyData(mem, n, 0, b, false) {
		return BadNode
	}
	n.mtime, n.ctime = now, now
	f.writeMeta(mem, i)
	return OK
}

// ReadAt copies node id's bytes from offset into b and returns how many
// (fewer at the end of the file): for the kernel and tests.
func (f *FS) ReadAt(mem segment.Memory, id uint32, offset uint64, b []byte) (int, Status) {
	n, _, ok := f.lookup(id)
	if !ok {
		return 0, BadNode
	}
	if offset >= n.length {
		return 0, OK
	}
	if rest := n.length - offset; uint64(len(b)) > rest {
		b = b[:rest]
	}
	if !f.copyData(mem, n, offset, b, true) {
		return 0, BadNode
	}
	return len(b), OK
}
