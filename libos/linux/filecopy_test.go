package linux

import (
	"bytes"
	"testing"
	"unsafe"

	"exogo/libos/bare"
)

// TestFileCopy checks fileCopy against copy for lengths around its word
// and byte parts.
func TestFileCopy(t *testing.T) {
	src := make([]byte, 300)
	for i := range src {
		src[i] = byte(i*7 + 1)
	}
	for n := 0; n <= len(src); n++ {
		dst := make([]byte, n+8)
		if got := copyFromFile(dst[:n], uintptr(unsafe.Pointer(&src[0]))); got != n {
			t.Fatalf("copyFromFile of %d bytes copied %d", n, got)
		}
		if !bytes.Equal(dst[:n], src[:n]) || !bytes.Equal(dst[n:], make([]byte, 8)) {
			t.Fatalf("copyFromFile of %d bytes: wrong bytes", n)
		}
		back := make([]byte, n+8)
		if got := copyToFile(uintptr(unsafe.Pointer(&back[0])), src[:n]); got != n || !bytes.Equal(back[:n], src[:n]) || !bytes.Equal(back[n:], make([]byte, 8)) {
			t.Fatalf("copyToFile of %d bytes: copied %d, or wrong bytes", n, got)
		}
	}
}

// TestFileCopyLayout checks, in the code as linked, that the range the
// kernel resumes faults of (fileCopyRange bytes from fileCopy) holds the
// function's RET and ends inside the padding after it: every instruction
// that can fault is in it, and no other function's.
func TestFileCopyLayout(t *testing.T) {
	start, landing := fileCopyAddresses()
	code := bare.Bytes(start, fileCopyRange)
	ret := bytes.IndexByte(code, 0xc3)
	const padding = 32
	if ret < 0 || !bytes.Equal(code[ret+1:min(ret+1+padding, fileCopyRange)], bytes.Repeat([]byte{0xcc}, min(padding, fileCopyRange-ret-1))) {
		t.Fatalf("fileCopy's first %d bytes % x: no RET followed by its padding", fileCopyRange, code)
	}
	if ret+1+padding < fileCopyRange {
		t.Fatalf("the range (%d bytes) passes fileCopy's padding (RET at %d)", fileCopyRange, ret)
	}
	if landing >= start && landing < start+fileCopyRange {
		t.Fatalf("the landing %#x is inside the range from %#x", landing, start)
	}
}
