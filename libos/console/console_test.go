package console

import (
	"strings"
	"testing"
	"unsafe"

	"exogo/libos/exo"
)

// newScreen makes a screen of kind over a Go array, through a metadata
// page like the kernel's.
func newScreen(t *testing.T, kind, width, height, pitch, bits uint64) (*Screen, []byte) {
	t.Helper()
	memory := make([]byte, pitch*height)
	var meta [exo.ScreenSize]byte
	put := func(offset int, v uint64) {
		for i := 0; i < 8; i++ {
			meta[offset+i] = byte(v >> (8 * i))
		}
	}
	put(exo.ScreenKind, kind)
	put(exo.ScreenWidth, width)
	put(exo.ScreenHeight, height)
	put(exo.ScreenPitch, pitch)
	put(exo.ScreenBitsPerPixel, bits)
	put(exo.ScreenColourLayout, 16|8<<8|8<<16|8<<24|0<<32|8<<40) // red 16, green 8, blue 0
	put(exo.ScreenMemoryOffset, 0)
	put(exo.ScreenMemoryLength, uint64(len(memory)))
	s := new(Screen)
	if !s.Configure(uintptr(unsafe.Pointer(&meta[0])), uintptr(unsafe.Pointer(&memory[0]))) {
		t.Fatalf("Configure refused kind %d %dx%d", kind, width, height)
	}
	return s, memory
}

func vgaRow(memory []byte, row int) string {
	var b strings.Builder
	for c := 0; c < 80; c++ {
		if ch := memory[row*160+2*c]; ch != 0 {
			b.WriteByte(ch)
		} else {
			b.WriteByte(' ')
		}
	}
	return strings.TrimRight(b.String(), " ")
}

func TestVGATextWriteWrapAndScroll(t *testing.T) {
	s, memory := newScreen(t, exo.ScreenKindVgaText, 80, 25, 160, 16)
	var sh Shared
	sh.Init()
	Write(&sh, s, []byte("hello\r\nworld\tx\b\by"))
	if got := vgaRow(memory, 0); got != "hello" {
		t.Errorf("row 0 = %q", got)
	}
	if got := vgaRow(memory, 1); got != "world  yx" {
		t.Errorf("row 1 = %q, want tab to column 8, two backspaces", got)
	}
	if memory[1] != 0x07 {
		t.Errorf("attribute %#x, want grey on black", memory[1])
	}
	// 30 more lines scroll the first ones away.
	for i := 0; i < 30; i++ {
		Write(&sh, s, []byte("\nline"))
	}
	if sh.Row != 24 {
		t.Errorf("row %d after scrolling, want 24", sh.Row)
	}
	if got := vgaRow(memory, 24); got != "line" {
		t.Errorf("last row = %q", got)
	}
	if got := vgaRow(memory, 0); got != "line" {
		t.Errorf("first row = %q after scrolling", got)
	}
	// A long line wraps at column 80.
	Write(&sh, s, []byte("\n"+strings.Repeat("a", 81)))
	if got := vgaRow(memory, 24); got != "a" {
		t.Errorf("wrapped row = %q, want \"a\"", got)
	}
}

func TestVGATextColoursAndEscapes(t *testing.T) {
	s, memory := newScreen(t, exo.ScreenKindVgaText, 80, 25, 160, 16)
	var sh Shared
	sh.Init()
	Write(&sh, s, []byte("\x1b[1;31mR\x1b[0;44mB\x1b[7mV\x1b[m."))
	if a := memory[1]; a != 0x0c {
		t.Errorf("bold red attribute = %#x, want 0x0c (light red on black)", a)
	}
	if a := memory[3]; a != 0x17 {
		t.Errorf("on blue = %#x, want 0x17", a)
	}
	if a := memory[5]; a != 0x71 {
		t.Errorf("reverse = %#x, want 0x71 (blue on grey)", a)
	}
	if a := memory[7]; a != 0x07 {
		t.Errorf("after reset = %#x", a)
	}
	Write(&sh, s, []byte("\x1b[5;10Hxy\x1b[2D\x1b[K"))
	if got := vgaRow(memory, 4); got != "" {
		t.Errorf("row 4 after erase to end of line = %q", got)
	}
	Write(&sh, s, []byte("\x1b[3;1Habc\x1b[1Gz\x1b[?25l\x1b[2J"))
	for r := 0; r < 25; r++ {
		if got := vgaRow(memory, r); got != "" {
			t.Fatalf("row %d after clearing the screen = %q", r, got)
		}
	}
	// UTF-8: Latin-1 and box drawing in code page 437; the rest as '?'.
	Write(&sh, s, []byte("\x1b[H\u00e9\u2500\u4e16\xff"))
	if got := memory[0:8:8]; got[0] != 0x82 || got[2] != 0xc4 || got[4] != '?' || got[6] != '?' {
		t.Errorf("cells % x, want 82 c4 '?' '?'", []byte{got[0], got[2], got[4], got[6]})
	}
}

func TestHostileSharedStateStaysInBounds(t *testing.T) {
	s, _ := newScreen(t, exo.ScreenKindVgaText, 80, 25, 160, 16)
	var sh Shared
	sh.Init()
	sh.Row, sh.Column, sh.NParams, sh.Need, sh.Escape = 1<<31, 1<<31, 1<<30, 99, escCSI
	sh.Params[0] = 1 << 31
	Write(&sh, s, []byte("12;99999Hx\x1b[99999A\x1b[99999Cy"))
	if sh.Row >= 25 || sh.Column > 80 {
		t.Errorf("cursor %d,%d outside the screen", sh.Column, sh.Row)
	}
	sh.Head, sh.Tail, sh.LineLength = 5, 1<<31, 1<<31
	var buf [64]byte
	Read(&sh, buf[:])
	var echo [8]byte
	Input(&sh, 'a', echo[:])
	if sh.Head-sh.Tail > RingSize || sh.LineLength > LineMax {
		t.Errorf("ring %d..%d line %d not repaired", sh.Tail, sh.Head, sh.LineLength)
	}
}

func TestFramebufferGlyphsAndScroll(t *testing.T) {
	const width, height, bpp = 64, 48, 4
	s, memory := newScreen(t, exo.ScreenKindFramebuffer, width, height, width*bpp, 32)
	if s.Columns != 8 || s.Rows != 3 {
		t.Fatalf("%dx%d cells, want 8x3", s.Columns, s.Rows)
	}
	var sh Shared
	sh.Init()
	Write(&sh, s, []byte("\x1b[31mH"))
	lit := 0
	for y := 0; y < 16; y++ {
		for x := 0; x < 8; x++ {
			p := memory[y*width*bpp+x*bpp:]
			switch v := uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16; v {
			case 0xaa0000:
				lit++
			case 0:
			default:
				t.Fatalf("pixel %d,%d = %06x, neither red nor black", x, y, v)
			}
		}
	}
	if lit < 10 {
		t.Errorf("the H lit %d pixels", lit)
	}
	// The cursor is an underline after the H; scrolling moves the H up.
	if memory[15*width*bpp+8*bpp] != 0xff {
		t.Error("no cursor under cell 1")
	}
	Write(&sh, s, []byte("\x1b[m\n\n\n"))
	if sh.Row != 2 {
		t.Fatalf("row %d", sh.Row)
	}
	for i := range memory[:16*width*bpp] {
		if memory[i] != 0 && i < 14*width*bpp {
			t.Fatalf("byte %d of the first row is %#x after the H scrolled off", i, memory[i])
		}
	}
	if glyphIndex('A') == glyphIndex(0x10ffff) || glyphIndex(0x10ffff) != glyphIndex(replacement) {
		t.Error("a missing glyph is not drawn as the replacement character")
	}
}

func TestConfigureRefusesBadMetadata(t *testing.T) {
	memory := make([]byte, 4096)
	for _, c := range []struct {
		name                                     string
		kind, width, height, pitch, bits, length uint64
	}{
		{"unknown kind", 7, 80, 25, 160, 16, 4000},
		{"memory too short", exo.ScreenKindVgaText, 80, 25, 160, 16, 3999},
		{"pitch too small", exo.ScreenKindFramebuffer, 64, 16, 100, 32, 4096},
		{"odd depth", exo.ScreenKindFramebuffer, 8, 16, 32, 12, 4096},
		{"no cells", exo.ScreenKindFramebuffer, 7, 15, 28, 32, 4096},
	} {
		var meta [exo.ScreenSize]byte
		put := func(offset int, v uint64) {
			for i := 0; i < 8; i++ {
				meta[offset+i] = byte(v >> (8 * i))
			}
		}
		put(exo.ScreenKind, c.kind)
		put(exo.ScreenWidth, c.width)
		put(exo.ScreenHeight, c.height)
		put(exo.ScreenPitch, c.pitch)
		put(exo.ScreenBitsPerPixel, c.bits)
		put(exo.ScreenMemoryLength, c.length)
		var s Screen
		if s.Configure(uintptr(unsafe.Pointer(&meta[0])), uintptr(unsafe.Pointer(&memory[0]))) || s.Kind != 0 {
			t.Errorf("%s: accepted", c.name)
		}
	}
}

func TestSharedFitsInAPage(t *testing.T) {
	if SharedSize > 4096 {
		t.Errorf("Shared is %d bytes", SharedSize)
	}
}
