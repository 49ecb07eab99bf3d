package linux

import (
	"unsafe"

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
