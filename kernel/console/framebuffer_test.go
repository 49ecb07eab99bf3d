package console

import (
	"testing"
	"unsafe"
)

// Colour layouts as firmware reports them.
var (
	layoutRGB32 = FramebufferInfo{BitsPerPixel: 32, RedPosition: 16, RedSize: 8, GreenPosition: 8, GreenSize: 8, BluePosition: 0, BlueSize: 8}
	layoutBGR32 = FramebufferInfo{BitsPerPixel: 32, RedPosition: 0, RedSize: 8, GreenPosition: 8, GreenSize: 8, BluePosition: 16, BlueSize: 8}
	layoutRGB24 = FramebufferInfo{BitsPerPixel: 24, RedPosition: 16, RedSize: 8, GreenPosition: 8, GreenSize: 8, BluePosition: 0, BlueSize: 8}
)

// sentinel fills test framebuffers before configuration, so the tests can
// tell written bytes from untouched ones.
const sentinel = 0xEE

// testFramebuffer is a framebuffer screen drawing into a heap buffer.
type testFramebuffer struct {
	screen framebufferScreen
	memory []byte
	info   FramebufferInfo
}

// newTestFramebuffer configures a screen of width x height pixels with the
// colour layout of layout and the given pitch (0 means tightly packed), and
// makes the foreground a colour whose channels differ, so that layout
// mistakes show.
func newTestFramebuffer(t *testing.T, layout FramebufferInfo, width, height, pitch uint32) *testFramebuffer {
	t.Helper()
	bytesPerPixel := uint32(layout.BitsPerPixel) / 8
	if pitch == 0 {
		pitch = width * bytesPerPixel
	}
	memory := make([]byte, pitch*height)
	for i := range memory {
		memory[i] = sentinel
	}
	info := layout
	info.BaseVirtual = uintptr(unsafe.Pointer(&memory[0]))
	info.Width, info.Height, info.Pitch = width, height, pitch
	framebuffer := &testFramebuffer{memory: memory, info: info}
	if code := framebuffer.screen.configure(info); code != FramebufferOK {
		t.Fatalf("configure returned %d", code)
	}
	framebuffer.screen.foreground = pixelValue(info, 0xFF, 0x80, 0x01)
	return framebuffer
}

func (framebuffer *testFramebuffer) write(s string) {
	for i := 0; i < len(s); i++ {
		framebuffer.screen.writeByte(s[i])
	}
}

// pixel reads the pixel value at (x, y).
func (framebuffer *testFramebuffer) pixel(x, y uint32) uint32 {
	bytesPerPixel := uint32(framebuffer.info.BitsPerPixel) / 8
	offset := y*framebuffer.info.Pitch + x*bytesPerPixel
	var value uint32
	for i := uint32(0); i < bytesPerPixel; i++ {
		value |= uint32(framebuffer.memory[offset+i]) << (8 * i)
	}
	return value
}

// checkCell asserts that the cell at (column, row) shows character in the
// screen's colours.
func (framebuffer *testFramebuffer) checkCell(t *testing.T, column, row uint32, character byte) {
	t.Helper()
	for line := uint32(0); line < glyphHeight; line++ {
		bits := glyphRow(character, line)
		for x := uint32(0); x < glyphWidth; x++ {
			want := framebuffer.screen.background
			if bits&(0x80>>x) != 0 {
				want = framebuffer.screen.foreground
			}
			got := framebuffer.pixel(column*glyphWidth+x, row*glyphHeight+line)
			if got != want {
				t.Fatalf("cell (%d, %d) %q: pixel (%d, %d) = %#08x, want %#08x",
					column, row, character, x, line, got, want)
			}
		}
	}
}

func TestPixelValueLayouts(t *testing.T) {
	cases := []struct {
		name             string
		layout           FramebufferInfo
		red, green, blue uint8
		want             uint32
	}{
		{"rgb32 red", layoutRGB32, 0xFF, 0, 0, 0x00FF0000},
		{"rgb32 mixed", layoutRGB32, 0x12, 0x34, 0x56, 0x00123456},
		{"bgr32 red", layoutBGR32, 0xFF, 0, 0, 0x000000FF},
		{"bgr32 mixed", layoutBGR32, 0x12, 0x34, 0x56, 0x00563412},
		{"rgb24 blue", layoutRGB24, 0, 0, 0xFF, 0x000000FF},
		{"rgb565 white", FramebufferInfo{BitsPerPixel: 16, RedPosition: 11, RedSize: 5, GreenPosition: 5, GreenSize: 6, BluePosition: 0, BlueSize: 5}, 0xFF, 0xFF, 0xFF, 0xFFFF},
		{"10-bit red", FramebufferInfo{BitsPerPixel: 32, RedPosition: 20, RedSize: 10, GreenPosition: 10, GreenSize: 10, BluePosition: 0, BlueSize: 10}, 0xFF, 0, 0, 0x3FF << 20},
	}
	for _, c := range cases {
		if got := pixelValue(c.layout, c.red, c.green, c.blue); got != c.want {
			t.Errorf("%s: pixelValue = %#08x, want %#08x", c.name, got, c.want)
		}
	}
}

func TestFramebufferDrawsGlyphs(t *testing.T) {
	for _, c := range []struct {
		name   string
		layout FramebufferInfo
		// bytes of the foreground pixel in memory order
		foregroundBytes []byte
	}{
		{"rgb32", layoutRGB32, []byte{0x01, 0x80, 0xFF, 0x00}},
		{"bgr32", layoutBGR32, []byte{0xFF, 0x80, 0x01, 0x00}},
		{"rgb24", layoutRGB24, []byte{0x01, 0x80, 0xFF}},
	} {
		t.Run(c.name, func(t *testing.T) {
			framebuffer := newTestFramebuffer(t, c.layout, 10*glyphWidth, 3*glyphHeight, 0)
			framebuffer.write("Ag\n#~")
			framebuffer.checkCell(t, 0, 0, 'A')
			framebuffer.checkCell(t, 1, 0, 'g')
			framebuffer.checkCell(t, 2, 0, ' ')
			framebuffer.checkCell(t, 0, 1, '#')
			framebuffer.checkCell(t, 1, 1, '~')

			// The top pixel of 'A' (row 3, the lit pixel of "...#....") in
			// memory order, to pin down the byte layout independently
			// of pixelValue.
			bytesPerPixel := uint32(c.layout.BitsPerPixel) / 8
			offset := 3*framebuffer.info.Pitch + 3*bytesPerPixel
			got := framebuffer.memory[offset : offset+bytesPerPixel]
			for i := range c.foregroundBytes {
				if got[i] != c.foregroundBytes[i] {
					t.Fatalf("lit pixel bytes = % x, want % x", got, c.foregroundBytes)
				}
			}
		})
	}
}

func TestFramebufferReplacementGlyph(t *testing.T) {
	framebuffer := newTestFramebuffer(t, layoutRGB32, 4*glyphWidth, glyphHeight, 0)
	framebuffer.write("\x7f\xc3")
	framebuffer.checkCell(t, 0, 0, 0x7f)
	framebuffer.checkCell(t, 1, 0, 0xc3)
	if glyphRow(0x7f, 5) != glyphs[replacementGlyph][5] {
		t.Fatal("0x7f does not use the replacement glyph")
	}
}

func TestFramebufferHonoursPitch(t *testing.T) {
	const width, height = 3 * glyphWidth, 2 * glyphHeight
	const pitch = width*4 + 40 // padding after every pixel row
	framebuffer := newTestFramebuffer(t, layoutRGB32, width, height, pitch)
	framebuffer.write("ab\ncd\nef") // scrolls once
	framebuffer.checkCell(t, 0, 0, 'c')
	framebuffer.checkCell(t, 1, 0, 'd')
	framebuffer.checkCell(t, 0, 1, 'e')
	framebuffer.checkCell(t, 1, 1, 'f')
	for y := uint32(0); y < height; y++ {
		for offset := y*pitch + width*4; offset < (y+1)*pitch; offset++ {
			if framebuffer.memory[offset] != sentinel {
				t.Fatalf("padding byte %d of pixel row %d was written", offset-y*pitch-width*4, y)
			}
		}
	}
}

func TestFramebufferScrollsAndClearsLastRow(t *testing.T) {
	// Height not a multiple of the glyph height: the pixel rows below the
	// last text row belong to no cell and must stay untouched.
	const width, height = 5 * glyphWidth, 3*glyphHeight + 5
	framebuffer := newTestFramebuffer(t, layoutRGB24, width, height, 0)
	if framebuffer.screen.rows != 3 || framebuffer.screen.columns != 5 {
		t.Fatalf("grid = %dx%d, want 5x3", framebuffer.screen.columns, framebuffer.screen.rows)
	}
	framebuffer.write("one\ntwo\nthree\nfour")
	// Past the bottom: "one" scrolled off.
	for column, character := range []byte("two") {
		framebuffer.checkCell(t, uint32(column), 0, character)
	}
	for column, character := range []byte("three") {
		framebuffer.checkCell(t, uint32(column), 1, character)
	}
	for column, character := range []byte("four ") {
		framebuffer.checkCell(t, uint32(column), 2, character)
	}
	framebuffer.write("\n")
	for column := uint32(0); column < 5; column++ {
		framebuffer.checkCell(t, column, 2, ' ')
	}
	framebuffer.checkCell(t, 0, 1, 'f')
	for offset := 3 * glyphHeight * framebuffer.info.Pitch; offset < uint32(len(framebuffer.memory)); offset++ {
		if framebuffer.memory[offset] != sentinel {
			t.Fatalf("byte %d below the text area was written", offset)
		}
	}
}

func TestFramebufferWrapsAndTabs(t *testing.T) {
	framebuffer := newTestFramebuffer(t, layoutRGB32, 10*glyphWidth, 3*glyphHeight, 0)
	framebuffer.write("0123456789\nab\tc")
	framebuffer.checkCell(t, 9, 0, '9')
	framebuffer.checkCell(t, 0, 1, 'a') // no blank line after a full one
	framebuffer.checkCell(t, 8, 1, 'c')
	framebuffer.write("xyz")
	framebuffer.checkCell(t, 9, 1, 'x')
	framebuffer.checkCell(t, 0, 2, 'y')
	framebuffer.checkCell(t, 1, 2, 'z')
}

func TestFramebufferRejectsBadConfigurations(t *testing.T) {
	memory := make([]byte, 64*32*4)
	base := uintptr(unsafe.Pointer(&memory[0]))
	good := layoutRGB32
	good.BaseVirtual, good.Width, good.Height, good.Pitch = base, 64, 32, 64*4

	cases := []struct {
		name   string
		modify func(*FramebufferInfo)
		want   int
	}{
		{"good", func(*FramebufferInfo) {}, FramebufferOK},
		{"16 bpp", func(info *FramebufferInfo) { info.BitsPerPixel = 16 }, FramebufferUnsupportedDepth},
		{"8 bpp", func(info *FramebufferInfo) { info.BitsPerPixel = 8 }, FramebufferUnsupportedDepth},
		{"0 bpp", func(info *FramebufferInfo) { info.BitsPerPixel = 0 }, FramebufferUnsupportedDepth},
		{"no base", func(info *FramebufferInfo) { info.BaseVirtual = 0 }, FramebufferBadGeometry},
		{"short pitch", func(info *FramebufferInfo) { info.Pitch = 64*4 - 1 }, FramebufferBadGeometry},
		{"narrower than a cell", func(info *FramebufferInfo) { info.Width = glyphWidth - 1 }, FramebufferBadGeometry},
		{"shorter than a cell", func(info *FramebufferInfo) { info.Height = glyphHeight - 1 }, FramebufferBadGeometry},
		{"huge", func(info *FramebufferInfo) { info.Width = 1 << 20; info.Pitch = 4 << 20 }, FramebufferBadGeometry},
		{"empty field", func(info *FramebufferInfo) { info.GreenSize = 0 }, FramebufferBadColourLayout},
		{"field outside pixel", func(info *FramebufferInfo) { info.RedPosition = 28 }, FramebufferBadColourLayout},
		{"overlapping fields", func(info *FramebufferInfo) { info.BluePosition = 8 }, FramebufferBadColourLayout},
		{"24 bpp field outside", func(info *FramebufferInfo) { info.BitsPerPixel = 24; info.RedPosition = 24 }, FramebufferBadColourLayout},
	}
	for _, c := range cases {
		info := good
		c.modify(&info)
		var screen framebufferScreen
		if got := screen.configure(info); got != c.want {
			t.Errorf("%s: configure = %d, want %d", c.name, got, c.want)
		}
		if c.want != FramebufferOK && screen != (framebufferScreen{}) {
			t.Errorf("%s: a refused configuration changed the screen", c.name)
		}
	}
}
