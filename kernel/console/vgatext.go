package console

import "exogo/arch/amd64"

// VGA text mode, as the BIOS leaves it, shows 80 columns by 25 rows of
// character cells. Video memory at physical 0xB8000 holds one little-endian
// 16-bit word per cell, row after row: the low byte is the character (code
// page 437, which agrees with ASCII on 0x20..0x7E) and the high byte its
// attribute, background colour in bits 4..6 and foreground colour in bits
// 0..3.
//
// The blinking hardware cursor is positioned through the CRT controller: its
// index port 0x3D4 selects a register and the data port 0x3D5 reads or writes
// it. Registers 0x0E and 0x0F hold the high and low bytes of the cursor's
// cell number (row*80 + column).
const (
	// VGATextPhysical is where VGA text memory sits in physical memory.
	VGATextPhysical = 0xB8000

	vgaColumns  = 80
	vgaRows     = 25
	vgaCellSize = 2 // bytes per cell

	// vgaAttribute is light grey (7) on black (0).
	vgaAttribute = 0x07

	// vgaReplacement is code page 437's small filled square, shown for
	// bytes that have no printable ASCII meaning.
	vgaReplacement = 0xFE

	crtcIndexPort          = 0x3D4
	crtcDataPort           = 0x3D5
	crtcCursorLocationHigh = 0x0E
	crtcCursorLocationLow  = 0x0F

	// tabStop is the distance between tab stops, in cells, on both screens.
	tabStop = 8
)

// vgaTextScreen is the state of a VGA text screen: where its cells are mapped
// and where the next character goes. column may equal vgaColumns: the line is
// full and the next printable character wraps first ("pending wrap"), so a
// line of exactly 80 characters followed by '\n' is not followed by an empty
// line.
type vgaTextScreen struct {
	base   uintptr // virtual address of cell (0, 0)
	column uint32
	row    uint32

	// driveHardwareCursor is false in host tests, which have no CRTC.
	driveHardwareCursor bool
}

// configure points the screen at base, clears it and homes the cursor.
// base must map vgaColumns*vgaRows*vgaCellSize writable bytes.
func (screen *vgaTextScreen) configure(base uintptr, driveHardwareCursor bool) {
	screen.base = base
	screen.column = 0
	screen.row = 0
	screen.driveHardwareCursor = driveHardwareCursor
	for row := uint32(0); row < vgaRows; row++ {
		screen.clearRow(row)
	}
	screen.updateHardwareCursor()
}

// cellAddress returns the address of the cell at (column, row). Both must
// be in range.
func (screen *vgaTextScreen) cellAddress(column, row uint32) uintptr {
	return screen.base + uintptr(row*vgaColumns+column)*vgaCellSize
}

// clearRow fills row with blanks in the default colours.
func (screen *vgaTextScreen) clearRow(row uint32) {
	for column := uint32(0); column < vgaColumns; column++ {
		store16(screen.cellAddress(column, row), vgaAttribute<<8|' ')
	}
}

// writeByte puts one byte on the screen: '\n' starts a new line, '\r'
// returns to the first column, '\t' advances to the next tab stop, and every
// other byte is drawn, non-printable ones as a small square.
func (screen *vgaTextScreen) writeByte(b byte) {
	switch b {
	case '\n':
		screen.column = 0
		screen.newLine()
	case '\r':
		screen.column = 0
	case '\t':
		screen.put(' ')
		for screen.column%tabStop != 0 && screen.column < vgaColumns {
			screen.put(' ')
		}
	default:
		if !isPrintable(b) {
			b = vgaReplacement
		}
		screen.put(b)
	}
}

// put draws character at the cursor and advances it.
func (screen *vgaTextScreen) put(character byte) {
	if screen.column >= vgaColumns {
		screen.column = 0
		screen.newLine()
	}
	if screen.row >= vgaRows {
		screen.row = vgaRows - 1
	}
	store16(screen.cellAddress(screen.column, screen.row), vgaAttribute<<8|uint16(character))
	scrollback.put(character, screen.column, screen.row)
	screen.column++
}

// newLine moves the cursor down one row, scrolling at the bottom.
func (screen *vgaTextScreen) newLine() {
	if screen.row+1 < vgaRows {
		screen.row++
		return
	}
	screen.scroll()
	screen.row = vgaRows - 1
}

// scroll moves every row up by one, dropping the top row, and blanks the
// bottom row.
func (screen *vgaTextScreen) scroll() {
	const rowBytes = vgaColumns * vgaCellSize
	moveMemory(screen.base, screen.base+rowBytes, (vgaRows-1)*rowBytes)
	screen.clearRow(vgaRows - 1)
	scrollback.scrolled(vgaRows)
}

// redraw draws the scrollback's current view (history.go).
func (screen *vgaTextScreen) redraw() {
	for row := uint32(0); row < vgaRows; row++ {
		for column := uint32(0); column < vgaColumns; column++ {
			character := scrollback.shown(column, row)
			if character == 0 {
				character = ' '
			}
			store16(screen.cellAddress(column, row), vgaAttribute<<8|uint16(character))
		}
	}
}

// updateHardwareCursor moves the blinking cursor to where the next character
// will go. It is called once per Write, not per byte, since port I/O is
// slow (especially under emulation).
func (screen *vgaTextScreen) updateHardwareCursor() {
	if !screen.driveHardwareCursor {
		return
	}
	column := screen.column
	if column >= vgaColumns {
		column = vgaColumns - 1
	}
	cell := screen.row*vgaColumns + column
	amd64.OutByte(crtcIndexPort, crtcCursorLocationLow)
	amd64.OutByte(crtcDataPort, uint8(cell))
	amd64.OutByte(crtcIndexPort, crtcCursorLocationHigh)
	amd64.OutByte(crtcDataPort, uint8(cell>>8))
}
