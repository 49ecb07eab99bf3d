package linux

import (
	"testing"

	"exogo/abi/elfload"
	"exogo/libos/bare"
)

// Start begins with the marker that makes loaders enter a program linked
// with the libOS itself (abi/elfload.Native), not through the interpreter.
func TestStartCarriesNativeMarker(t *testing.T) {
	code := bare.Bytes(startAddress(), uintptr(len(elfload.NativeMarker)))
	if string(code) != elfload.NativeMarker {
		t.Fatalf("Start begins with %q, want %q", code, elfload.NativeMarker)
	}
}
