package main

import (
	"unsafe"

	"exogo/libos/exo"
)

// The file system's calls, fuzzed. Each fuzzer works in a directory of
// its own, /tmp/fuzz-0N (".." among its names takes it to /tmp and /
// too), with a handful of names, so that its calls meet
// each other's results: opens with any flags, makes (directories,
// symbolic links, named FIFOs of any length, other types), removes,
// renames, hard links, resizes with any length and flags, shares, pipes,
// a FIFO's peer, stats, readlinks, chmods, unlinks, and fault_fixup
// ranges over its arenas (where no code lies). Its links go into
// fsSlots 1 GiB slots from fsArea: the root, /tmp and its directory stay
// linked in the first three. After the run the coordinator checks the
// whole file system (fs_check).

const (
	fsArea  = 0x400_0000_0000 // past the arenas (the PDPT one ends at 0x300_0000_0000)
	fsSlots = 16
	fsBase  = 3 // slots 0-2: the root, /tmp, the fuzzer's directory
)

var (
	fsReady bool
	// NUL-terminated names, 16 bytes apart: fsNames + 16*k.
	fsNames  = [6][16]byte{{'a'}, {'b'}, {'d', 'i', 'r'}, {'f', 'i', 'f', 'o'}, {'l', 'i', 'n', 'k'}, {'.', '.'}}
	fsTarget = [8]byte{'a'}
	fsStat   [128]byte
	fsLink   [4096]byte
	fsDir    = [16]byte{'f', 'u', 'z', 'z', '-'}
)

func fsSlot(k uint64) uint64 { return fsArea + k%fsSlots<<30 }

// fsSetup links the root, /tmp and a directory of the fuzzer's own.
func fsSetup() {
	fsDir[5] = byte('0' + index/10%10)
	fsDir[6] = byte('0' + index%10)
	tmp := [4]byte{'t', 'm', 'p'}
	root, tmpAt, dir := fsSlot(0), fsSlot(1), fsSlot(2)
	fsReady = exo.FsRoot(uintptr(root)) >= 0 &&
		exo.FsOpen(uintptr(root), uintptr(unsafe.Pointer(&tmp[0])), 0, 0, uintptr(tmpAt)) >= 0 &&
		exo.FsMake(uintptr(tmpAt), uintptr(unsafe.Pointer(&fsDir[0])), 0o040755, 0) >= 0 &&
		exo.FsOpen(uintptr(tmpAt), uintptr(unsafe.Pointer(&fsDir[0])), 0, 0, uintptr(dir)) >= 0
	if !fsReady {
		fail("cannot link the root, /tmp and a directory of my own to fuzz the file system in:", uint64(index))
	}
}

// pickName is one of the names (".." among them), or a hostile address.
func pickName() uint64 {
	if chance(95) {
		return uint64(uintptr(unsafe.Pointer(&fsNames[0][0]))) + below(uint64(len(fsNames)))*16
	}
	return hostileAddress()
}

// pickDir is mostly the fuzzer's directory, else any of its links (a
// file, a pipe, nothing) or a hostile address.
func pickDir() uint64 {
	switch r := below(10); {
	case r < 7:
		return fsSlot(2)
	case r < 9:
		return fsSlot(below(fsSlots))
	}
	return hostileAddress()
}

// pickAt is a slot for a new link (never the first three), or a hostile
// address.
func pickAt() uint64 {
	if chance(95) {
		return fsSlot(fsBase + below(fsSlots-fsBase))
	}
	return hostileAddress()
}

// pickLength is a length around the limits: small, a page, a pipe's
// most, a file's most, or anything.
func pickLength() uint64 {
	return [...]uint64{below(100), 4096, 1<<20 + below(2), 1<<30 - 4096 + below(2), random()}[below(5)%5]
}

// fsStep makes one file system call.
func fsStep() {
	if !fsReady {
		return
	}
	var r int64
	switch below(16) {
	case 0:
		r = call5(exo.CallFsOpen, pickDir(), pickName(), below(32), below(0o10000), pickAt())
	case 1:
		mode := [...]uint64{0o040755, 0o120777, 0o010600, 0o100644, 0o020666, random()}[below(6)%6]
		target := uint64(uintptr(unsafe.Pointer(&fsTarget[0])))
		if mode == 0o010600 || chance(10) {
			target = pickLength()
		}
		r = call(exo.CallFsMake, pickDir(), pickName(), mode, target)
	case 2:
		r = call(exo.CallFsRemove, pickDir(), pickName(), below(3), 0)
	case 3:
		r = call5(exo.CallFsRename, pickDir(), pickName(), pickDir(), pickName(), below(3))
	case 4:
		r = call(exo.CallFsLink, pickDir(), pickName(), pickDir(), pickName())
	case 5:
		r = call(exo.CallFsResize, fsSlot(below(fsSlots)), pickLength(), below(8), 0)
	case 6:
		target := [...]uint64{0, pickProcess()}[below(2)%2]
		r = call(exo.CallFsShare, fsSlot(below(fsSlots)), target, pickAt(), pickPermissions())
		if r >= 0 && target != 0 {
			fail("fs_share into a process that is not my child succeeded:", target) // (a fuzzer keeps no child)
		}
	case 7:
		r = call(exo.CallFsPipe, pickAt(), pickLength(), 0, 0)
	case 8:
		r = call(exo.CallFsFifoPeer, fsSlot(below(fsSlots)), pickAt(), pickPermissions(), 0)
	case 9:
		name := [...]uint64{0, pickName()}[below(2)%2]
		r = call(exo.CallFsStat, pickDir(), name, uint64(uintptr(unsafe.Pointer(&fsStat[0]))), 0)
	case 10:
		r = call(exo.CallFsReadlink, pickDir(), pickName(), uint64(uintptr(unsafe.Pointer(&fsLink[0]))), 0)
	case 11:
		r = call(exo.CallFsChmod, pickDir(), [...]uint64{0, pickName()}[below(2)%2], [...]uint64{below(0o10000), random()}[below(2)%2], 0)
	case 12, 13:
		r = call(exo.CallSegmentUnlink, fsSlot(fsBase+below(fsSlots-fsBase)), [...]uint64{2, below(4)}[below(2)%2], 0, 0)
	case 14:
		r = call(exo.CallFsOpenParent, pickDir(), pickAt(), 0, 0)
	case 15: // a copy range over an arena, where no code lies
		start := arenaAddress(1) + below(4096)
		r = call(exo.CallFaultFixup, start, start+below(8192), arenaAddress(1), 0)
		call(exo.CallFaultFixup, start, start, start, 0) // and cleared
	}
	if r < 0 && exo.ErrorName(r) == "" {
		fail("a file system call returned no error code the kernel has:", uint64(r))
	}
	*mailbox(boxFsCalls + 2*uintptr(index)) += 1
	if r >= 0 {
		*mailbox(boxFsCalls + 2*uintptr(index) + 1) += 1
	}
}

// call5 is call with a fifth argument.
func call5(number, a0, a1, a2, a3, a4 uint64) int64 {
	result := rawCall(number, a0, a1, a2, a3, a4, random())
	ring[calls%ringSize] = record{number: number, args: [4]uint64{a0, a1, a2, a3}, result: result}
	calls++
	if result >= 0 {
		okCalls++
	}
	return result
}
