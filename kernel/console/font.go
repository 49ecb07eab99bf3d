package console

//go:generate go run ./internal/fontgen -in font.txt -out font_table.go

// The console font is a fixed 8x16 bitmap: each glyph is 16 rows of one byte,
// the leftmost pixel in bit 7. The table itself (glyphs, in the generated file
// font_table.go) covers printable ASCII; every other byte is drawn with one
// replacement glyph so that stray control characters or UTF-8 bytes stay
// visible instead of vanishing.
const (
	glyphWidth     = 8  // pixels per glyph row
	glyphHeight    = 16 // rows per glyph
	firstPrintable = 0x20
	lastPrintable  = 0x7E

	// replacementGlyph is the table index of the glyph drawn for bytes
	// outside firstPrintable..lastPrintable.
	replacementGlyph = lastPrintable - firstPrintable + 1
	glyphCount       = replacementGlyph + 1
)

// isPrintable reports whether character has its own glyph.
func isPrintable(character byte) bool {
	return character >= firstPrintable && character <= lastPrintable
}

// glyphRow returns row row (0 at the top) of the glyph for character. Rows at
// or beyond glyphHeight are blank.
func glyphRow(character byte, row uint32) uint8 {
	index := uint32(replacementGlyph)
	if isPrintable(character) {
		index = uint32(character) - firstPrintable
	}
	if index >= glyphCount || row >= glyphHeight {
		return 0
	}
	return glyphs[index][row]
}
