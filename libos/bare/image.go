package bare

import "exogo/libos/exo"

// Loading a program into another process, as a libOS does: the caller
// copies its own loaded image (so the child runs the same program, entered
// at another entry point: a fork through segments).

// ImageBase is where Go links programs; the ELF header and program headers
// are mapped there (the first PT_LOAD starts at file offset 0), so a
// program reads its own layout at ImageBase.
const ImageBase = 0x40_0000

// Copier copies pages into frames through a window: a PT segment linked in
// the caller's address space at Window, one page (slot 0) at a time.
type Copier struct {
	Window  uintptr
	segment uint64
}

// Init creates the window segment and links it at c.Window (2 MiB
// aligned, unused).
func (c *Copier) Init() bool {
	c.segment = NewSegment(0, -1)
	return c.segment != 0 && exo.SegmentLink(c.segment, c.Window, exo.PermissionsWrite) == 0
}

// CopyImageInto gives process child a copy of this program's loaded image:
// for every 2 MiB window the image's ELF segments touch, a PT segment the
// caller owns, holding fresh frames with the pages' current contents and
// the ELF segment's permissions, linked into the child at the same address.
func (c *Copier) CopyImageInto(child uint64) bool {
	header := uintptr(ImageBase)
	phoff := *(*uint64)(At(header + 0x20))
	size := uintptr(*(*uint16)(At(header + 0x36)))
	count := uintptr(*(*uint16)(At(header + 0x38)))
	if size < 56 || phoff+uint64(size*count) > PageSize {
		Say("bare: cannot read my own program headers\n")
		return false
	}
	window := uintptr(0)
	segment := uint64(0)
	for i := uintptr(0); i < count; i++ {
		ph := header + uintptr(phoff) + i*size
		if *(*uint32)(At(ph)) != 1 { // PT_LOAD
			continue
		}
		flags := *(*uint32)(At(ph + 4))
		start := uintptr(*(*uint64)(At(ph + 16)))
		end := start + uintptr(*(*uint64)(At(ph + 40)))
		permissions := exo.Permissions(0)
		if flags&2 != 0 {
			permissions |= exo.PermissionsWrite
		}
		if flags&1 != 0 {
			permissions |= exo.PermissionsExecute
		}
		for page := start &^ (PageSize - 1); page < end; page += PageSize {
			if w := page &^ (SegmentSpan - 1); w != window || segment == 0 {
				if segment != 0 && !linkInto(child, segment, window) {
					return false
				}
				window = w
				segment = NewSegment(0, -1)
				if segment == 0 {
					return false
				}
			}
			if !c.copyPage(segment, (page-window)/PageSize, page, permissions) {
				return false
			}
		}
	}
	return segment != 0 && linkInto(child, segment, window)
}

func linkInto(child, segment uint64, window uintptr) bool {
	r := exo.ProcessLinkSegment(child, segment, window, exo.PermissionsWrite|exo.PermissionsExecute)
	if r != 0 {
		SayNumber("bare: process_link_segment failed: ", r)
	}
	return r == 0
}

// copyPage puts a fresh frame holding a copy of the page at address into
// slot of segment, mapped with permissions. Two ELF segments may share a
// page: the second finds the slot taken and keeps the first copy.
func (c *Copier) copyPage(segment uint64, slot uintptr, address uintptr, permissions exo.Permissions) bool {
	frame := exo.FrameAlloc()
	if frame < 0 {
		SayNumber("bare: frame_alloc failed: ", frame)
		return false
	}
	if exo.SegmentMapFrame(c.segment, 0, uint64(frame), exo.MapPermissionsWrite) != 0 {
		return false
	}
	*(*[PageSize]byte)(At(c.Window)) = *(*[PageSize]byte)(At(address))
	exo.SegmentUnmap(c.segment, 0)
	r := exo.SegmentMapFrame(segment, uint64(slot), uint64(frame), exo.MapPermissions(permissions))
	if r == -exo.ErrBusy {
		exo.FrameFree(uint64(frame))
		return true
	}
	if r != 0 {
		SayNumber("bare: segment_map_frame failed: ", r)
	}
	return r == 0
}

// A Link is a segment StartCopy links into the child, at Address with
// Permissions.
type Link struct {
	Segment     uint64
	Address     uintptr
	Permissions exo.Permissions
}

// StartCopy creates a child running a copy of this program, entered at
// entry with a stack of stackPages pages whose top word holds argument (the
// child's entry reads it at 0(SP)), after linking links into it. The
// stack is filled through the scratch address (2 MiB aligned, unused) and
// linked at stackWindow in the child, which holds those of rights this
// process may pass on (process_create). It returns the child's id or a
// negative error.
func (c *Copier) StartCopy(entry, scratch, stackWindow uintptr, stackPages int, argument uint64, links []Link, rights exo.ProcessRights) int64 {
	child := exo.ProcessCreate(rights)
	if child < 0 {
		return child
	}
	if !c.CopyImageInto(uint64(child)) {
		return -1
	}
	for _, l := range links {
		if exo.ProcessLinkSegment(uint64(child), l.Segment, l.Address, l.Permissions) != 0 {
			return -2
		}
	}
	stack := NewSegment(stackPages, -1)
	if stack == 0 || exo.SegmentLink(stack, scratch, exo.PermissionsWrite) != 0 {
		return -4
	}
	top := uintptr(stackPages*PageSize - 16)
	*Word(scratch + top) = argument
	exo.SegmentUnlink(scratch, exo.LevelPT)
	if exo.ProcessLinkSegment(uint64(child), stack, stackWindow, exo.PermissionsWrite) != 0 {
		return -5
	}
	if r := exo.ProcessStart(uint64(child), entry, stackWindow+top); r != 0 {
		return r
	}
	return child
}
