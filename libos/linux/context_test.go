package linux

import (
	"testing"
	"unsafe"

	"exogo/libos/exo"
)

// TestCopyContextKeepsWhatTheLibOSSaves checks that copyContext copies the
// header, MXCSR, XMM0-15 and the saved g word, and writes nothing else.
func TestCopyContextKeepsWhatTheLibOSSaves(t *testing.T) {
	var from, to [exo.ContextSize + 16]byte
	for i := range from {
		from[i] = byte(i*7 + 1)
		to[i] = 0xee
	}
	copyContext(uintptr(unsafe.Pointer(&to[0])), uintptr(unsafe.Pointer(&from[0])))
	kept := func(off int) bool {
		switch {
		case off < exo.ContextFxsave: // the header
			return true
		case off >= exo.ContextFxsave+exo.FxsaveMxcsr && off < exo.ContextFxsave+exo.FxsaveMxcsr+8: // MXCSR and its mask
			return true
		case off >= exo.ContextFxsave+exo.FxsaveXmm && off < exo.ContextFxsave+exo.FxsaveXmm+256: // XMM0-15
			return true
		case off >= exo.ContextFxsave+464 && off < exo.ContextFxsave+480: // the saved g word and its mark (CONTEXT_SAVED_G in entry_amd64.s)
			return true
		}
		return false
	}
	for off := range to {
		want := byte(0xee)
		if kept(off) {
			want = from[off]
		}
		if to[off] != want {
			t.Fatalf("byte %d of the copy is %#x, want %#x", off, to[off], want)
		}
	}
}
