package console

import (
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// Screen describes the screen a process draws on: its memory (mapped in
// the process) and its geometry, read from the screen segment's metadata
// page and checked once. Nothing here is shared.
type Screen struct {
	Kind          uint64 // exo.ScreenKind*; 0: no screen
	Memory        uintptr
	Length        uint64
	Width, Height uint64 // cells (VGA text) or pixels
	Pitch         uint64 // bytes per row of cells or pixels
	BytesPerPixel uint64
	Layout        [6]uint8 // red, green, blue: position and size
	Columns, Rows uint32   // text cells
}

// Configure reads the metadata page at metadata (the screen segment's
// slot 0, whose memory is mapped at base) and reports whether the screen
// can be used; a screen it refuses stays unused (Kind 0).
func (s *Screen) Configure(metadata, base uintptr) bool {
	field := func(offset uintptr) uint64 { return *bare.Word(metadata + offset) }
	c := Screen{
		Kind:   field(exo.ScreenKind),
		Width:  field(exo.ScreenWidth),
		Height: field(exo.ScreenHeight),
		Pitch:  field(exo.ScreenPitch),
		Length: field(exo.ScreenMemoryLength),
	}
	offset := field(exo.ScreenMemoryOffset)
	bits := field(exo.ScreenBitsPerPixel)
	layout := field(exo.ScreenColourLayout)
	for i := range c.Layout {
		c.Layout[i] = uint8(layout >> (8 * i))
	}
	if offset > 1<<30 || c.Width == 0 || c.Height == 0 || c.Width > 1<<16 || c.Height > 1<<16 || c.Pitch > 1<<20 {
		*s = Screen{}
		return false
	}
	c.Memory = base + uintptr(offset)
	switch c.Kind {
	case exo.ScreenKindVgaText:
		c.BytesPerPixel = 2
		c.Columns, c.Rows = uint32(c.Width), uint32(c.Height)
	case exo.ScreenKindFramebuffer:
		if bits != 16 && bits != 24 && bits != 32 {
			*s = Screen{}
			return false
		}
		c.BytesPerPixel = bits / 8
		c.Columns, c.Rows = uint32(c.Width/glyphWidth), uint32(c.Height/glyphHeight)
	default:
		*s = Screen{}
		return false
	}
	if c.Columns == 0 || c.Rows == 0 || c.Pitch < c.Width*c.BytesPerPixel || c.Pitch*c.Height > c.Length {
		*s = Screen{}
		return false
	}
	*s = c
	return true
}

// The 16 colours of a PC's text mode, as red, green and blue.
var palette = [16]uint32{
	0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
	0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff,
}

// pixel packs colour (0-15) in the framebuffer's layout.
func (s *Screen) pixel(colour uint32) uint32 {
	rgb := palette[colour%16]
	channel := func(value uint32, position, size uint8) uint32 {
		if size == 0 || size > 8 || position > 31 {
			return 0
		}
		return (value >> (8 - size)) << position
	}
	return channel(rgb>>16&0xff, s.Layout[0], s.Layout[1]) |
		channel(rgb>>8&0xff, s.Layout[2], s.Layout[3]) |
		channel(rgb&0xff, s.Layout[4], s.Layout[5])
}

// bytes returns n bytes of screen memory from offset, or nil when they
// are not all inside it.
func (s *Screen) bytes(offset, n uint64) []byte {
	if offset > s.Length || n > s.Length-offset || n == 0 {
		return nil
	}
	return bare.Bytes(s.Memory+uintptr(offset), uintptr(n))
}

// putPixel writes a packed pixel at (x, y).
func (s *Screen) putPixel(x, y uint64, value uint32) {
	p := s.bytes(y*s.Pitch+x*s.BytesPerPixel, s.BytesPerPixel)
	for i := range p {
		p[i] = byte(value >> (8 * uint(i)))
	}
}

// putCell draws r in the cell at column, row with colours fg on bg.
func (s *Screen) putCell(column, row uint32, r uint32, fg, bg uint32) {
	if column >= s.Columns || row >= s.Rows {
		return
	}
	switch s.Kind {
	case exo.ScreenKindVgaText:
		if cell := s.bytes(uint64(row)*s.Pitch+uint64(column)*2, 2); len(cell) == 2 {
			cell[0] = cp437(r)
			cell[1] = byte((bg&7)<<4 | fg&15) // bit 7 would blink
		}
	case exo.ScreenKindFramebuffer:
		glyph := &glyphs[uint(glyphIndex(r))%uint(len(glyphs))]
		on, off := s.pixel(fg), s.pixel(bg)
		x0, y0 := uint64(column)*glyphWidth, uint64(row)*glyphHeight
		for y := uint64(0); y < glyphHeight; y++ {
			bits := glyph[y%glyphHeight]
			for x := uint64(0); x < glyphWidth; x++ {
				value := off
				if bits&(0x80>>x) != 0 {
					value = on
				}
				s.putPixel(x0+x, y0+y, value)
			}
		}
	}
}

// rowBytes returns where text row row starts and how many bytes a text
// row takes.
func (s *Screen) rowBytes(row uint32) (offset, size uint64) {
	if s.Kind == exo.ScreenKindFramebuffer {
		return uint64(row) * glyphHeight * s.Pitch, glyphHeight * s.Pitch
	}
	return uint64(row) * s.Pitch, s.Pitch
}

// scroll moves every text row up by one and clears the last with bg.
func (s *Screen) scroll(bg uint32) {
	if s.Rows == 0 {
		return
	}
	first, size := s.rowBytes(1)
	if whole := s.bytes(0, first+size*uint64(s.Rows-1)); size < uint64(len(whole)) {
		copy(whole, whole[size:])
	}
	s.clear(0, s.Rows-1, s.Columns, 7, bg)
}

// clear blanks count cells from column, row on (within that row), with
// colours fg on bg.
func (s *Screen) clear(column, row, count uint32, fg, bg uint32) {
	for c := column; c < column+count && c < s.Columns; c++ {
		s.putCell(c, row, ' ', fg, bg)
	}
}

// invertUnderline flips the bottom two pixel rows of a framebuffer cell:
// the cursor, drawn and undrawn by the same call.
func (s *Screen) invertUnderline(column, row uint32) {
	if s.Kind != exo.ScreenKindFramebuffer || column >= s.Columns || row >= s.Rows {
		return
	}
	for y := uint64(glyphHeight - 2); y < glyphHeight; y++ {
		line := s.bytes((uint64(row)*glyphHeight+y)*s.Pitch+uint64(column)*glyphWidth*s.BytesPerPixel, glyphWidth*s.BytesPerPixel)
		for i := range line {
			line[i] ^= 0xff
		}
	}
}

// CursorCell returns the VGA text cell the hardware cursor should be at
// (row * columns + column), for the caller's port I/O.
func (s *Screen) CursorCell(sh *Shared) uint32 {
	column, row := sh.Column, sh.Row
	if column >= s.Columns {
		column = s.Columns - 1
	}
	if row >= s.Rows {
		row = s.Rows - 1
	}
	return row*s.Columns + column
}
