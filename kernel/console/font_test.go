package console

import "testing"

func TestEveryPrintableGlyphIsDrawn(t *testing.T) {
	for character := firstPrintable; character <= lastPrintable; character++ {
		if character == ' ' {
			continue
		}
		empty := true
		for row := uint32(0); row < glyphHeight; row++ {
			if glyphRow(byte(character), row) != 0 {
				empty = false
			}
		}
		if empty {
			t.Errorf("glyph for %q is empty", rune(character))
		}
	}
	if glyphs[' '-firstPrintable] != ([glyphHeight]uint8{}) {
		t.Error("space is not blank")
	}
}

func TestGlyphsAreDistinct(t *testing.T) {
	for first := 0; first < glyphCount; first++ {
		for second := first + 1; second < glyphCount; second++ {
			if glyphs[first] == glyphs[second] {
				t.Errorf("glyphs %s and %s are identical", describeGlyph(first), describeGlyph(second))
			}
		}
	}
}

func describeGlyph(index int) string {
	if index == replacementGlyph {
		return "replacement"
	}
	return string(rune(firstPrintable + index))
}

func TestNonPrintableBytesUseTheReplacementGlyph(t *testing.T) {
	for _, character := range []byte{0x00, 0x08, 0x1F, 0x7F, 0x80, 0xC3, 0xFF} {
		for row := uint32(0); row < glyphHeight; row++ {
			if got, want := glyphRow(character, row), glyphs[replacementGlyph][row]; got != want {
				t.Fatalf("byte %#02x row %d = %#02x, want replacement row %#02x", character, row, got, want)
			}
		}
	}
	if glyphRow('A', glyphHeight) != 0 || glyphRow('A', 1<<31) != 0 {
		t.Error("rows beyond the glyph are not blank")
	}
}
