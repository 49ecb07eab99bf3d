package symbols

import "unsafe"

// This file turns the table's (address, length) into bytes and reads
// little-endian integers from them. Every reader checks its offset against
// the length and reports failure instead of panicking.

// bytes returns the table's memory as a slice. The slice is made here, on
// every call, so that no Go pointer to the table is kept in global state.
func (t *Table) bytes() []byte {
	if t.address == 0 || t.length == 0 {
		return nil
	}
	n := t.length & maxBytes
	return (*[maxBytes + 1]byte)(*(*unsafe.Pointer)(unsafe.Pointer(&t.address)))[:n:n]
}

// maxBytes bounds a table's length (masked, so slicing cannot panic).
const maxBytes = 1<<40 - 1

// prefix returns b[:end], or nil if end is beyond b.
func prefix(b []byte, end uintptr) []byte {
	if end > uintptr(len(b)) {
		return nil
	}
	return b[:end]
}

// readUint32 reads the little-endian uint32 at offset in b.
func readUint32(b []byte, offset uintptr) (uint32, bool) {
	if offset >= uintptr(len(b)) || uintptr(len(b))-offset < 4 {
		return 0, false
	}
	w := b[offset:]
	if len(w) < 4 {
		return 0, false
	}
	return uint32(w[0]) | uint32(w[1])<<8 | uint32(w[2])<<16 | uint32(w[3])<<24, true
}

// readWord reads a little-endian word of size bytes (4 or 8) at offset in b.
func readWord(b []byte, offset, size uintptr) (uintptr, bool) {
	low, ok := readUint32(b, offset)
	if !ok {
		return 0, false
	}
	if size == 4 {
		return uintptr(low), true
	}
	high, ok := readUint32(b, offset+4)
	if !ok || offset+4 < offset {
		return 0, false
	}
	return uintptr(uint64(low) | uint64(high)<<32), true
}

// readVarint reads an unsigned LEB128 varint (7 bits per byte, low group
// first, high bit set on all but the last byte) of at most 32 bits at
// offset in b. It returns the value and the offset just after it.
func readVarint(b []byte, offset uintptr) (value uint32, next uintptr, ok bool) {
	var shift uint
	for i := 0; i < 5; i++ {
		if offset >= uintptr(len(b)) {
			return 0, 0, false
		}
		c := b[offset]
		offset++
		value |= uint32(c&0x7f) << (shift & 31)
		if c&0x80 == 0 {
			return value, offset, true
		}
		shift += 7
	}
	return 0, 0, false
}

// cString returns the NUL-terminated string at offset in b, without the
// NUL, as a sub-slice of b.
func cString(b []byte, offset uintptr) ([]byte, bool) {
	if offset >= uintptr(len(b)) {
		return nil, false
	}
	rest := b[offset:]
	for i := 0; i < len(rest); i++ {
		if rest[i] == 0 {
			if i == 0 {
				return nil, false
			}
			return rest[:i], true
		}
	}
	return nil, false
}
