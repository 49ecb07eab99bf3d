package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/libos/mem"
)

// Memory calls: anonymous private mappings only (the runtime makes no
// others), committed lazily by the fault upcall (mem.Fault).

func pageAligned(v uint64) bool { return v&(mem.PageSize-1) == 0 }

func roundUp(length uint64) (uint64, bool) {
	if length == 0 || length > mem.LibOSBase {
		return 0, false
	}
	return (length + mem.PageSize - 1) &^ (mem.PageSize - 1), true
}

// imageIn reports whether [start, end) touches a range the loader made.
func imageIn(start, end uintptr) bool {
	return mem.Ranges.Kinds(start, end)&(1<<mem.KindImage) != 0
}

// The memory calls run under the memory lock (calls.go takes it).

func sysMmap(address, length, prot, flags, fd, offset uint64) int64 {
	n, ok := roundUp(length)
	if !ok || prot&^(abi.ProtRead|abi.ProtWrite|abi.ProtExec) != 0 || !pageAligned(offset) {
		return -abi.EINVAL
	}
	if flags&abi.MapAnonymous == 0 {
		return mmapFile(address, n, prot, flags, fd, offset)
	}
	start := uintptr(0)
	switch {
	case flags&(abi.MapFixed|abi.MapFixedNoreplace) != 0:
		if !pageAligned(address) || !mem.Usable(uintptr(address), uintptr(address+n)) {
			return -abi.ENOMEM // nothing may go over the libOS's part
		}
		start = uintptr(address)
		if imageIn(start, start+uintptr(n)) {
			return -abi.ENOMEM // nor over the program image
		}
		if flags&abi.MapFixedNoreplace != 0 && !mem.Ranges.Free(start, start+uintptr(n)) {
			return -abi.EEXIST
		}
		if !mem.Unmap(start, start+uintptr(n)) {
			return -abi.ENOMEM
		}
	case address != 0 && pageAligned(address) && mem.Usable(uintptr(address), uintptr(address+n)) &&
		mem.Ranges.Free(uintptr(address), uintptr(address+n)):
		start = uintptr(address) // the hint is free: take it
	default:
		if start = mem.Ranges.Gap(mem.MmapBase, mem.LibOSBase, uintptr(n)); start == 0 {
			return -abi.ENOMEM
		}
	}
	if !mem.Ranges.Add(start, start+uintptr(n), uint32(prot), mem.KindAnonymous) {
		return -abi.ENOMEM
	}
	return int64(start)
}

func sysMunmap(address, length uint64) int64 {
	if munmapFile(uintptr(address)) {
		return 0
	}
	n, ok := roundUp(length)
	if !ok || !pageAligned(address) || !mem.Usable(uintptr(address), uintptr(address+n)) {
		return -abi.EINVAL
	}
	if imageIn(uintptr(address), uintptr(address+n)) {
		return -abi.EINVAL // TODO: unmapping parts of the image
	}
	if !mem.Unmap(uintptr(address), uintptr(address+n)) {
		return -abi.ENOMEM
	}
	return 0
}

func sysMadvise(address, length, advice uint64) int64 {
	n, ok := roundUp(length)
	if !pageAligned(address) || (!ok && length != 0) {
		return -abi.EINVAL
	}
	if advice == abi.MadvDontneed && ok && mem.Usable(uintptr(address), uintptr(address+n)) {
		mem.Discard(uintptr(address), uintptr(address+n))
	}
	return 0
}

func sysMprotect(address, length, prot uint64) int64 {
	n, ok := roundUp(length)
	if !ok || !pageAligned(address) || prot&^(abi.ProtRead|abi.ProtWrite|abi.ProtExec) != 0 {
		return -abi.EINVAL
	}
	if !mem.Usable(uintptr(address), uintptr(address+n)) || !mem.Protect(uintptr(address), uintptr(address+n), uint32(prot)) {
		return -abi.ENOMEM
	}
	return 0
}
