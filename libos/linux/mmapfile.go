package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/mem"
)

// Mappings of files. A file is already mapped: it is the segment linked
// in its slot of the file window. So a shared mapping, or a private one
// that is never written, is the file's own pages, with no copy: mmap
// returns their address in the window (another link of the node, made
// read-only with fs_share when the program may not write it), and the
// mapping holds that link until munmap. A private writable mapping is
// anonymous memory filled with a copy of the file's bytes.
// TODO(issue 9): MAP_FIXED mappings of a file (EINVAL), and munmap of
// part of a file mapping (the link stays until the whole is unmapped).

const maxFileMappings = 64

var fileMappings [maxFileMappings]struct {
	start, end uintptr
	slot       uintptr
}

// slotWritable records, for each slot, whether its link allows stores.
var slotWritable [fileSlots]bool

// mmapFile maps length bytes (whole pages, n) of file fd from offset.
// The caller holds the memory lock.
func mmapFile(address, n, prot, flags, fd, offset uint64) int64 {
	f := fileAt(fd)
	switch {
	case f == nil:
		return -abi.EBADF
	case f.kind != kindFile:
		return -abi.ENODEV
	case !readable(f):
		return -abi.EACCES
	case flags&(abi.MapFixed|abi.MapFixedNoreplace) != 0:
		return -abi.EINVAL
	case offset > exo.FsMaxLength || n > exo.FsMaxLength-offset:
		return -abi.EOVERFLOW
	}
	shared := flags&abi.MapShared != 0
	if !shared && prot&abi.ProtWrite != 0 {
		return copyMapping(f, n, prot, offset)
	}
	if shared && prot&abi.ProtWrite != 0 && !writable(f) {
		return -abi.EACCES
	}
	k := -1
	for i := range fileMappings {
		if fileMappings[i].slot == 0 {
			k = i
			break
		}
	}
	if k < 0 {
		return -abi.ENOMEM
	}
	slot := f.slot
	if k2, _ := slotIndex(slot); prot&abi.ProtWrite == 0 && slotWritable[k2%fileSlots] {
		// A read-only mapping of a file open for writing: a second,
		// read-only link, so a store faults as on Linux.
		var ok bool
		if slot, ok = takeSlot(); !ok {
			return -abi.ENOMEM
		}
		if r := exo.FsShare(f.slot, 0, slot, 0); r < 0 {
			freeUnlinked(slot)
			return errnoOf(r)
		}
	} else {
		holdSlot(slot)
	}
	start := slot + exo.FsDataOffset + uintptr(offset)
	m := &fileMappings[uint(k)%maxFileMappings]
	m.start, m.end, m.slot = start, start+uintptr(n), slot
	return int64(start)
}

// copyMapping makes a private writable mapping: anonymous memory holding
// a copy of the file's bytes.
func copyMapping(f *file, n, prot, offset uint64) int64 {
	start := mem.Ranges.Gap(mem.MmapBase, mem.LibOSBase, uintptr(n))
	if start == 0 || !mem.Ranges.Add(start, start+uintptr(n), uint32(prot), mem.KindAnonymous) {
		return -abi.ENOMEM
	}
	length := metaWord(f.slot, exo.FileMetaLength)
	if offset < length {
		count := min(n, length-offset)
		if !mem.Check(start, uintptr(count), true) {
			mem.Unmap(start, start+uintptr(n))
			return -abi.ENOMEM
		}
		copyFromFile(bare.Bytes(start, uintptr(count)), f.slot+exo.FsDataOffset+uintptr(offset)) // (the rest reads as zeros if the file shrank meanwhile)
	}
	return int64(start)
}

// munmapFile ends the file mapping that starts at address; false when
// none does.
func munmapFile(address uintptr) bool {
	for i := range fileMappings {
		m := &fileMappings[i]
		if m.slot != 0 && m.start == address {
			releaseSlot(m.slot)
			*m = struct{ start, end, slot uintptr }{}
			return true
		}
	}
	return false
}

// inFileMapping reports whether [address, address+length) lies in one
// file mapping, within the file's pages (so a call may copy from or to
// it), and may be written there when write is set.
func inFileMapping(address, length uintptr, write bool) bool {
	for i := range fileMappings {
		m := &fileMappings[i]
		if m.slot == 0 || address < m.start || address+length > m.end || address+length < address {
			continue
		}
		k, _ := slotIndex(m.slot)
		pages := metaWord(m.slot, exo.FileMetaPages)
		return (!write || slotWritable[k%fileSlots]) && uint64(address+length-m.slot-exo.FsDataOffset) <= pages*mem.PageSize
	}
	return false
}
