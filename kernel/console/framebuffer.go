package console

// Under UEFI, GRUB sets a graphics mode and describes it in the Multiboot2
// framebuffer tag. For a direct-RGB framebuffer (tag type 1) that is: the
// physical base address, the width and height in pixels, the pitch (bytes
// from the start of one pixel row to the next, which may exceed
// width*bytes-per-pixel), the bits per pixel, and for each of red, green and
// blue the position of its lowest bit inside the pixel value and the number
// of bits it has. A pixel is stored as a little-endian integer of
// bits-per-pixel bits, so for the common 32-bit layout with red at 16, green
// at 8 and blue at 0 the bytes in memory are blue, green, red, unused.
//
// The console divides the screen into cells of glyphWidth x glyphHeight
// pixels and draws each character by writing every pixel of its cell, lit
// pixels in the foreground colour and the others in the background colour.

// FramebufferInfo describes a direct-RGB linear framebuffer, with the field
// meanings of the Multiboot2 framebuffer tag, except that BaseVirtual is the
// address at which the kernel has mapped the framebuffer.
type FramebufferInfo struct {
	BaseVirtual  uintptr
	Width        uint32 // pixels per row
	Height       uint32 // pixel rows
	Pitch        uint32 // bytes from one pixel row to the next
	BitsPerPixel uint8

	RedPosition   uint8 // lowest bit of the red field within a pixel
	RedSize       uint8 // bits in the red field
	GreenPosition uint8
	GreenSize     uint8
	BluePosition  uint8
	BlueSize      uint8
}

// Error codes returned by UseFramebuffer.
const (
	// FramebufferOK means the framebuffer was accepted.
	FramebufferOK = 0
	// FramebufferUnsupportedDepth means BitsPerPixel is neither 24 nor 32.
	FramebufferUnsupportedDepth = 1
	// FramebufferBadGeometry means a zero base address, a screen smaller
	// than one character cell or larger than maximumFramebufferSide, or a
	// pitch shorter than a row of pixels.
	FramebufferBadGeometry = 2
	// FramebufferBadColourLayout means a colour field that is empty,
	// wider than 16 bits, outside the pixel, or overlapping another.
	FramebufferBadColourLayout = 3
)

// maximumFramebufferSide bounds width and height so that no address
// computation below can overflow, whatever the firmware reports.
const maximumFramebufferSide = 1 << 15

// The console's colours, as 8-bit intensities: light grey on black, like the
// VGA text attribute.
const (
	foregroundIntensity = 0xAA
	backgroundIntensity = 0x00
)

// framebufferScreen is the state of a framebuffer console: the validated
// geometry, the two pixel values it draws with, and the text cursor. As on
// the VGA screen, column may equal columns (pending wrap).
type framebufferScreen struct {
	base          uintptr
	width         uint32 // pixels
	pitch         uint32 // bytes
	bytesPerPixel uint32 // 3 or 4
	columns       uint32 // character cells per row
	rows          uint32 // character rows

	foreground uint32 // pixel value of lit glyph pixels
	background uint32 // pixel value of everything else

	column uint32
	row    uint32
}

// configure validates info and, when it is usable, takes it over: the text
// area is cleared and the cursor homed. It returns one of the Framebuffer*
// error codes; on error the screen is left unchanged.
//
// Preconditions: info.BaseVirtual maps info.Height*info.Pitch writable bytes.
func (screen *framebufferScreen) configure(info FramebufferInfo) int {
	var bytesPerPixel uint32
	switch info.BitsPerPixel {
	case 24:
		bytesPerPixel = 3
	case 32:
		bytesPerPixel = 4
	default:
		return FramebufferUnsupportedDepth
	}
	if info.BaseVirtual == 0 ||
		info.Width < glyphWidth || info.Height < glyphHeight ||
		info.Width > maximumFramebufferSide || info.Height > maximumFramebufferSide ||
		uint64(info.Pitch) < uint64(info.Width)*uint64(bytesPerPixel) {
		return FramebufferBadGeometry
	}
	redMask, ok := fieldMask(info.RedPosition, info.RedSize, info.BitsPerPixel)
	if !ok {
		return FramebufferBadColourLayout
	}
	greenMask, ok := fieldMask(info.GreenPosition, info.GreenSize, info.BitsPerPixel)
	if !ok {
		return FramebufferBadColourLayout
	}
	blueMask, ok := fieldMask(info.BluePosition, info.BlueSize, info.BitsPerPixel)
	if !ok {
		return FramebufferBadColourLayout
	}
	if redMask&greenMask != 0 || redMask&blueMask != 0 || greenMask&blueMask != 0 {
		return FramebufferBadColourLayout
	}

	screen.base = info.BaseVirtual
	screen.width = info.Width
	screen.pitch = info.Pitch
	screen.bytesPerPixel = bytesPerPixel
	screen.columns = info.Width / glyphWidth
	screen.rows = info.Height / glyphHeight
	screen.foreground = pixelValue(info, foregroundIntensity, foregroundIntensity, foregroundIntensity)
	screen.background = pixelValue(info, backgroundIntensity, backgroundIntensity, backgroundIntensity)
	screen.column = 0
	screen.row = 0
	for row := uint32(0); row < screen.rows; row++ {
		screen.clearTextRow(row)
	}
	return FramebufferOK
}

// fieldMask returns the bits a colour field occupies in a pixel, and whether
// the field is usable: 1 to 16 bits wide and inside the pixel.
func fieldMask(position, size, bitsPerPixel uint8) (uint32, bool) {
	if size == 0 || size > 16 || uint32(position)+uint32(size) > uint32(bitsPerPixel) {
		return 0, false
	}
	return (1<<size - 1) << position, true
}

// pixelValue composes the pixel for 8-bit intensities red, green and blue,
// scaling each to its field width. info's fields must have passed fieldMask.
func pixelValue(info FramebufferInfo, red, green, blue uint8) uint32 {
	return scaleChannel(red, info.RedSize)<<(info.RedPosition&31) |
		scaleChannel(green, info.GreenSize)<<(info.GreenPosition&31) |
		scaleChannel(blue, info.BlueSize)<<(info.BluePosition&31)
}

// scaleChannel maps an 8-bit intensity onto a field of size bits (1..16),
// so that 0 stays 0 and 0xFF becomes the field's maximum.
func scaleChannel(intensity, size uint8) uint32 {
	maximum := uint32(1)<<(size&31) - 1
	return (uint32(intensity)*maximum + 127) / 255
}

// pixelRowAddress returns the address of the first pixel of pixel row y.
func (screen *framebufferScreen) pixelRowAddress(y uint32) uintptr {
	return screen.base + uintptr(y)*uintptr(screen.pitch)
}

// storePixel writes value to the pixel at address, in the screen's depth.
func (screen *framebufferScreen) storePixel(address uintptr, value uint32) {
	if screen.bytesPerPixel == 4 {
		store32(address, value)
		return
	}
	store8(address, uint8(value))
	store8(address+1, uint8(value>>8))
	store8(address+2, uint8(value>>16))
}

// drawCharacter draws character into the cell at (column, row); both must be
// in range.
func (screen *framebufferScreen) drawCharacter(character byte, column, row uint32) {
	cellLeft := uintptr(column) * glyphWidth * uintptr(screen.bytesPerPixel)
	for glyphLine := uint32(0); glyphLine < glyphHeight; glyphLine++ {
		bits := glyphRow(character, glyphLine)
		address := screen.pixelRowAddress(row*glyphHeight+glyphLine) + cellLeft
		for x := 0; x < glyphWidth; x++ {
			value := screen.background
			if bits&(0x80>>x) != 0 {
				value = screen.foreground
			}
			screen.storePixel(address, value)
			address += uintptr(screen.bytesPerPixel)
		}
	}
}

// clearTextRow paints the glyphHeight pixel rows of text row row in the
// background colour, across the whole width of the screen (including any
// pixels right of the last full cell), but not the padding beyond it.
func (screen *framebufferScreen) clearTextRow(row uint32) {
	for line := uint32(0); line < glyphHeight; line++ {
		address := screen.pixelRowAddress(row*glyphHeight + line)
		for x := uint32(0); x < screen.width; x++ {
			screen.storePixel(address, screen.background)
			address += uintptr(screen.bytesPerPixel)
		}
	}
}

// writeByte puts one byte on the screen, with the same control characters
// as vgaTextScreen.writeByte. Non-printable bytes draw the replacement glyph.
// The screen must have been configured.
func (screen *framebufferScreen) writeByte(b byte) {
	switch b {
	case '\n':
		screen.column = 0
		screen.newLine()
	case '\r':
		screen.column = 0
	case '\t':
		screen.put(' ')
		for screen.column%tabStop != 0 && screen.column < screen.columns {
			screen.put(' ')
		}
	default:
		screen.put(b)
	}
}

// put draws character at the cursor and advances it.
func (screen *framebufferScreen) put(character byte) {
	if screen.column >= screen.columns {
		screen.column = 0
		screen.newLine()
	}
	if screen.row >= screen.rows || screen.columns == 0 {
		return // not configured
	}
	screen.drawCharacter(character, screen.column, screen.row)
	scrollback.put(character, screen.column, screen.row)
	screen.column++
}

// newLine moves the cursor down one text row, scrolling at the bottom.
func (screen *framebufferScreen) newLine() {
	if screen.row+1 < screen.rows {
		screen.row++
		return
	}
	screen.scroll()
	if screen.rows > 0 {
		screen.row = screen.rows - 1
	}
}

// scroll moves the text rows up by one, dropping the top one, and clears the
// bottom one. Whole pitch-wide pixel rows are moved with one memmove.
//
// TODO(console): reading back video memory is slow on real hardware (it is
// often mapped write-combining). Keeping a shadow copy of the text cells in a
// fixed array and redrawing from it would make scrolling write-only.
func (screen *framebufferScreen) scroll() {
	if screen.rows == 0 {
		return
	}
	textRowBytes := uintptr(glyphHeight) * uintptr(screen.pitch)
	moveMemory(screen.base, screen.base+textRowBytes, uintptr(screen.rows-1)*textRowBytes)
	screen.clearTextRow(screen.rows - 1)
	scrollback.scrolled(screen.rows)
}

// redraw draws the scrollback's current view (history.go).
func (screen *framebufferScreen) redraw() {
	for row := uint32(0); row < screen.rows; row++ {
		for column := uint32(0); column < screen.columns; column++ {
			character := scrollback.shown(column, row)
			if character == 0 {
				character = ' '
			}
			screen.drawCharacter(character, column, row)
		}
	}
}
