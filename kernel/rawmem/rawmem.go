// Package rawmem turns kernel virtual addresses into Go pointers.
//
// The kernel keeps addresses as integers (uintptr): restricted Go must not
// store Go pointers in kernel state, and most memory it touches (page tables,
// the frame table, device memory) is not Go memory at all but physical memory
// reached through the direct map. Converting such an integer back to a
// pointer is what `go vet` warns about for ordinary programs, because the Go
// garbage collector could have moved or freed Go memory the integer once
// pointed to. Kernel addresses name memory the collector does not manage, so
// the conversion is sound here; this package is the one place it happens, so
// the rest of the kernel passes vet unchanged and the pattern can be found
// with grep.
package rawmem

import "unsafe"

// Pointer returns address as an unsafe.Pointer.
//
// Precondition: address is not the address of Go-managed heap memory (the
// garbage collector does not know about the returned pointer's origin).
//
//go:nosplit
func Pointer(address uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&address))
}

// Uint64 returns a pointer to the 64-bit word at address.
//
//go:nosplit
func Uint64(address uintptr) *uint64 { return (*uint64)(Pointer(address)) }

// Uint32 returns a pointer to the 32-bit word at address.
//
//go:nosplit
func Uint32(address uintptr) *uint32 { return (*uint32)(Pointer(address)) }

// MaxBytes bounds the length of a slice made by Bytes (1 TiB).
const MaxBytes = 1<<40 - 1

// Bytes returns the length bytes at address as a slice; lengths above
// MaxBytes are cut to it. The slice must not be stored in kernel state (it
// holds a pointer); build it where it is used. (unsafe.Slice would do, but
// it compiles in calls to panic functions that restricted code must not
// contain; masking the length lets the compiler prove this slice in range.)
//
//go:nosplit
func Bytes(address uintptr, length uintptr) []byte {
	n := length & MaxBytes
	return (*[MaxBytes + 1]byte)(Pointer(address))[:n:n]
}

// String returns the bytes [address, address+length) as a string, without
// copying (the memory must not change while the string is used). Like
// Bytes, the length is masked to 40 bits, so nothing here can panic.
//
//go:nosplit
func String(address uintptr, length uintptr) string {
	var s string
	h := (*struct {
		data   uintptr
		length uintptr
	})(unsafe.Pointer(&s))
	h.data, h.length = address, length&MaxBytes
	return s
}
