package linux

import (
	"unsafe"

	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// Copies to and from files (fileRead, fileWrite, fileAppend) go through
// fileCopy, whose page faults the kernel resumes at fileCopyLanding
// (fault_fixup): a file another process shrinks while this one copies
// from or into it makes the copy short, as on Linux, instead of a fault
// inside the libOS, which ends the process.

func fileCopy(dst, src unsafe.Pointer, n uintptr) uintptr

// fileCopyLanding is never called: the kernel resumes fileCopy's faults
// there, in fileCopy's frame (hence its signature).
func fileCopyLanding(dst, src unsafe.Pointer, n uintptr) uintptr
func fileCopyAddresses() (start, landing uintptr)

// fileCopyRange is how many bytes from fileCopy the kernel resumes faults
// of: its instructions up to its RET are fewer, and its padding makes the
// function longer (TestFileCopyLayout).
const fileCopyRange = 48

// useFileCopy registers fileCopy's range with the kernel.
func useFileCopy() bool {
	start, landing := fileCopyAddresses()
	return exo.FaultFixup(start, start+fileCopyRange, landing) == 0
}

// copyFromFile copies len(b) bytes from the file's pages at address into
// b, and copyToFile len(b) bytes from b to address: how many they copied.
// (The file's side is an address, not a slice: making a slice of it would
// touch its first byte, outside fileCopy's range.)
func copyFromFile(b []byte, address uintptr) int {
	if len(b) == 0 {
		return 0
	}
	return int(fileCopy(unsafe.Pointer(&b[0]), bare.At(address), uintptr(len(b))))
}

func copyToFile(address uintptr, b []byte) int {
	if len(b) == 0 {
		return 0
	}
	return int(fileCopy(bare.At(address), unsafe.Pointer(&b[0]), uintptr(len(b))))
}

// fileRead copies from file f at offset into b.
func fileRead(f *file, b []byte, offset uint64) int64 {
	length := metaWord(f.slot, exo.FileMetaLength)
	if offset >= length || len(b) == 0 {
		return 0
	}
	n := min(uint64(len(b)), length-offset)
	return shortCopy(f, offset, n, copyFromFile(b[:n], f.slot+exo.FsDataOffset+uintptr(offset)))
}

// shortCopy is what a copy of n bytes at offset of file f that copied got
// counts: all of it, or, when another process shrank the file under it
// (fileCopy stopped at a page that went), only what lies within the
// length now. (The bytes past the length in its last page are zeros that
// were never the file's.)
func shortCopy(f *file, offset, n uint64, got int) int64 {
	if uint64(got) == n {
		return int64(got)
	}
	length := metaWord(f.slot, exo.FileMetaLength)
	if offset >= length {
		return 0
	}
	return int64(min(uint64(got), length-offset))
}

// fileWrite copies b into file f at offset, growing it first.
func fileWrite(f *file, b []byte, offset uint64) int64 {
	if offset > exo.FsMaxLength || uint64(len(b)) > exo.FsMaxLength-offset {
		return -abi.EFBIG
	}
	if len(b) == 0 {
		return 0 // (bare.Bytes would touch the page, which may not exist)
	}
	end := offset + uint64(len(b))
	if end > metaWord(f.slot, exo.FileMetaLength) {
		// Grow, never set: another writer past the end may have grown
		// it further since the look.
		if r := exo.FsResize(f.slot, end, exo.ResizeFlagsGrow); r < 0 {
			return errnoOf(r)
		}
	}
	return shortCopy(f, offset, uint64(len(b)), copyToFile(f.slot+exo.FsDataOffset+uintptr(offset), b))
}

// fileAppend writes b at file f's end, which it takes by lengthening the
// file first (fs_resize's Extend): no other append, from this process or
// another, gets the same place. It returns where it wrote and how much.
func fileAppend(f *file, b []byte) (uint64, int64) {
	if len(b) == 0 {
		return metaWord(f.slot, exo.FileMetaLength), 0
	}
	if uint64(len(b)) > exo.FsMaxLength {
		return 0, -abi.EFBIG
	}
	at := exo.FsResize(f.slot, uint64(len(b)), exo.ResizeFlagsExtend)
	if at < 0 {
		return 0, errnoOf(at)
	}
	return uint64(at), shortCopy(f, uint64(at), uint64(len(b)), copyToFile(f.slot+exo.FsDataOffset+uintptr(at), b))
}
