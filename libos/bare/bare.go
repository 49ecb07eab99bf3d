// Package bare helps programs that run on the raw exokernel calls without
// the Go runtime (the kernel's test and benchmark programs, and the first
// stage of a libOS). Nothing here allocates, panics or blocks: programs
// that use it call it before (or instead of) starting the runtime.
//
// A program's entry point (in its own assembly) calls UseStandInG before
// any Go code; see cmd/exo-test/start_amd64.s.
package bare

import (
	"unsafe"

	"exogo/libos/exo"
)

// PageSize and SegmentSpan are the sizes of a frame and of the range a PT
// segment maps.
const (
	PageSize    = 4096
	SegmentSpan = 2 << 20
)

// UseStandInG points FS (exo.TlsSet) at a TLS block whose slot -8 holds
// a zeroed stand-in g, as Go code needs before its first instruction. Call
// it from assembly, first thing in an entry point, with 16 bytes of
// stack below SP; Go code cannot call it (it would already need a g).
func UseStandInG()

// Bytes returns the memory [address, address+length) as a slice (length
// is masked to 40 bits, which lets the compiler prove the slice in range:
// no bounds check, no panic).
func Bytes(address, length uintptr) []byte {
	n := length & maxBytes
	return (*[maxBytes + 1]byte)(At(address))[:n:n]
}

const maxBytes = 1<<40 - 1

// At turns an address into a pointer (the memory is mapped pages, not Go
// heap memory; the double conversion keeps vet quiet about it).
func At(address uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&address))
}

// Word returns a pointer to the 64-bit word at address.
func Word(address uintptr) *uint64 { return (*uint64)(At(address)) }

// Say writes s to the kernel console.
func Say(s string) {
	exo.DebugWrite(uintptr(unsafe.Pointer(unsafe.StringData(s))), uint64(len(s)))
}

// SayNumber writes s, then n in decimal and a newline.
func SayNumber(s string, n int64) {
	var buffer [24]byte
	i := len(buffer) - 1
	buffer[i] = '\n'
	u := uint64(n)
	if n < 0 {
		u = uint64(-n)
	}
	for i > 1 {
		i--
		buffer[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if n < 0 {
		i--
		buffer[uint(i)%uint(len(buffer))] = '-'
	}
	Say(s)
	exo.DebugWrite(uintptr(unsafe.Pointer(&buffer))+uintptr(i), uint64(len(buffer)-i))
}

// SayFixed writes s, then hundredths as a decimal with two places (1234 as
// "12.34"), then unit.
func SayFixed(s string, hundredths int64, unit string) {
	var buffer [24]byte
	i := uint(len(buffer))
	u := uint64(hundredths)
	for digits := 0; i > 1 && (digits < 3 || u != 0); digits++ {
		if digits == 2 {
			i--
			buffer[i%24] = '.'
		}
		i--
		buffer[i%24] = byte('0' + u%10)
		u /= 10
	}
	Say(s)
	exo.DebugWrite(uintptr(unsafe.Pointer(&buffer[i%24])), uint64(uint(len(buffer))-i))
	Say(unit)
}

// NewSegment makes a PT segment holding n fresh zeroed frames at slots
// 0..n-1, writable except slot readOnly (-1 for none). It returns the
// segment's id, or 0 after printing why it failed.
func NewSegment(n int, readOnly int) uint64 {
	id := exo.SegmentCreate(exo.LevelPT)
	if id < 0 {
		SayNumber("bare: segment_create failed: ", id)
		return 0
	}
	for i := 0; i < n; i++ {
		frame := exo.FrameAlloc()
		if frame < 0 {
			SayNumber("bare: frame_alloc failed: ", frame)
			return 0
		}
		permissions := exo.PermissionsWrite
		if i == readOnly {
			permissions = 0
		}
		if r := exo.SegmentMapFrame(uint64(id), uint64(i), uint64(frame), exo.MapPermissions(permissions)); r != 0 {
			SayNumber("bare: segment_map_frame failed: ", r)
			return 0
		}
	}
	return uint64(id)
}

// SayLine writes the parts and a newline with one call, so that a line is
// never split by another CPU's output (the kernel writes each call whole).
// Lines longer than 255 bytes are cut.
func SayLine(parts ...string) {
	var buffer [256]byte
	n := 0
	for _, part := range parts {
		n += copy(buffer[uint(n)%255:255], part)
	}
	buffer[uint(n)%256] = '\n'
	exo.DebugWrite(uintptr(unsafe.Pointer(&buffer[0])), uint64(n+1))
}

// SayHex writes s, then v in hexadecimal (0x...) and a newline, in one
// call.
func SayHex(s string, v uint64) {
	var buffer [128]byte
	n := copy(buffer[:100], s)
	buffer[uint(n)%128] = '0'
	buffer[uint(n+1)%128] = 'x'
	n += 2
	digits := 1
	for x := v >> 4; x != 0; x >>= 4 {
		digits++
	}
	for i := digits - 1; i >= 0; i-- {
		buffer[uint(n)%128] = "0123456789abcdef"[(v>>(4*uint(i)))&15]
		n++
	}
	buffer[uint(n)%128] = '\n'
	exo.DebugWrite(uintptr(unsafe.Pointer(&buffer)), uint64(n+1))
}

// StringAt returns the n bytes at address as a string, without copying
// them (they must not change while the string is in use).
func StringAt(address uintptr, n int) string {
	if n <= 0 {
		return ""
	}
	h := struct {
		data unsafe.Pointer
		size int
	}{At(address), n}
	return *(*string)(unsafe.Pointer(&h))
}

// String returns b as a string without copying it (b must not change while
// the string is in use). It builds the string header itself: unsafe.String
// would bring a panic path into restricted code.
func String(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	h := struct {
		data *byte
		size int
	}{&b[0], len(b)}
	return *(*string)(unsafe.Pointer(&h))
}
