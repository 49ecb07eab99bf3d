package main

import (
	"exogo/libos/exo"
)

// copyImageInto gives process child a copy of this program's loaded image,
// the way a libOS loads a program: for every 2 MiB window the image's ELF
// segments touch, a Level1 segment the parent owns, holding fresh frames
// with the pages' current contents and the ELF segment's permissions,
// linked into the child at the same address. The ELF header and program
// headers are mapped at imageBase (the first PT_LOAD starts at file offset
// 0), so the program reads its own layout there.
func copyImageInto(child uint64) bool {
	header := uintptr(imageBase)
	phoff := *(*uint64)(at(header + 0x20))
	size := uintptr(*(*uint16)(at(header + 0x36)))
	count := uintptr(*(*uint16)(at(header + 0x38)))
	if size < 56 || phoff+uint64(size*count) > pageSize {
		say("exo-test: cannot read my own program headers\n")
		return false
	}
	window := uintptr(0)
	segment := uint64(0)
	for i := uintptr(0); i < count; i++ {
		ph := header + uintptr(phoff) + i*size
		if *(*uint32)(at(ph)) != 1 { // PT_LOAD
			continue
		}
		flags := *(*uint32)(at(ph + 4))
		start := uintptr(*(*uint64)(at(ph + 16)))
		end := start + uintptr(*(*uint64)(at(ph + 40)))
		permissions := exo.Permissions(0)
		if flags&2 != 0 {
			permissions |= exo.PermissionsWrite
		}
		if flags&1 != 0 {
			permissions |= exo.PermissionsExecute
		}
		for page := start &^ (pageSize - 1); page < end; page += pageSize {
			if w := page &^ (span - 1); w != window || segment == 0 {
				if segment != 0 && !linkInto(child, segment, window) {
					return false
				}
				window = w
				segment = newSegment(0, -1)
				if segment == 0 {
					return false
				}
			}
			if !copyPage(segment, (page-window)/pageSize, page, permissions) {
				return false
			}
		}
	}
	return segment != 0 && linkInto(child, segment, window)
}

func linkInto(child, segment uint64, window uintptr) bool {
	r := exo.ProcessLinkSegment(child, segment, window, exo.PermissionsWrite|exo.PermissionsExecute)
	if r != 0 {
		sayNumber("exo-test: process_link_segment failed: ", r)
	}
	return r == 0
}

// copyPage puts a fresh frame holding a copy of the page at address into
// slot of segment, mapped with permissions. Two ELF segments may share a
// page: the second finds the slot taken and keeps the first copy.
func copyPage(segment uint64, slot uintptr, address uintptr, permissions exo.Permissions) bool {
	frame := exo.FrameAlloc()
	if frame < 0 {
		sayNumber("exo-test: frame_alloc failed: ", frame)
		return false
	}
	if exo.SegmentMapFrame(copySegment, 0, uint64(frame), exo.PermissionsWrite) != 0 {
		return false
	}
	src := (*[pageSize]byte)(at(address))
	dst := (*[pageSize]byte)(at(copyAddress))
	*dst = *src
	exo.SegmentUnmap(copySegment, 0)
	r := exo.SegmentMapFrame(segment, uint64(slot), uint64(frame), permissions)
	if r == -exo.ErrBusy {
		exo.FrameFree(uint64(frame))
		return true
	}
	if r != 0 {
		sayNumber("exo-test: segment_map_frame failed: ", r)
	}
	return r == 0
}
