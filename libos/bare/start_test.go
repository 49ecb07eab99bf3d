package bare

import (
	"testing"

	"exogo/abi/elfload"
)

// Start begins with the marker that makes loaders enter a program itself
// (abi/elfload.Native).
func TestStartCarriesNativeMarker(t *testing.T) {
	code := Bytes(startAddress(), uintptr(len(elfload.NativeMarker)))
	if string(code) != elfload.NativeMarker {
		t.Fatalf("Start begins with %q, want %q", code, elfload.NativeMarker)
	}
}
