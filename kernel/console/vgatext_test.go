package console

import (
	"strings"
	"testing"
	"unsafe"
)

// newTestVGA returns a VGA text screen drawing into a heap buffer (the Go
// heap does not move objects, so its address stays valid while the buffer
// is referenced) and the buffer, pre-filled with garbage that configure must
// clear.
func newTestVGA(t *testing.T) (*vgaTextScreen, []uint16) {
	t.Helper()
	cells := make([]uint16, vgaColumns*vgaRows)
	for i := range cells {
		cells[i] = 0x4F58 // 'X', white on red
	}
	screen := &vgaTextScreen{}
	screen.configure(uintptr(unsafe.Pointer(&cells[0])), false)
	return screen, cells
}

// rowText returns the characters of a row, checking every attribute is the
// console's.
func rowText(t *testing.T, cells []uint16, row int) string {
	t.Helper()
	var text strings.Builder
	for column := 0; column < vgaColumns; column++ {
		cell := cells[row*vgaColumns+column]
		if cell>>8 != vgaAttribute {
			t.Fatalf("cell (%d, %d) has attribute %#02x, want %#02x", column, row, cell>>8, vgaAttribute)
		}
		text.WriteByte(byte(cell))
	}
	return strings.TrimRight(text.String(), " ")
}

func writeVGA(screen *vgaTextScreen, s string) {
	for i := 0; i < len(s); i++ {
		screen.writeByte(s[i])
	}
}

func TestVGAConfigureClears(t *testing.T) {
	_, cells := newTestVGA(t)
	for i, cell := range cells {
		if cell != vgaAttribute<<8|' ' {
			t.Fatalf("cell %d = %#04x after configure, want a blank", i, cell)
		}
	}
}

func TestVGACharactersLandInCells(t *testing.T) {
	screen, cells := newTestVGA(t)
	writeVGA(screen, "Hi\nthere\r!")
	if cells[0] != 0x0748 || cells[1] != 0x0769 {
		t.Fatalf("first cells = %#04x %#04x, want 0x0748 0x0769", cells[0], cells[1])
	}
	if got := rowText(t, cells, 0); got != "Hi" {
		t.Errorf("row 0 = %q", got)
	}
	if got := rowText(t, cells, 1); got != "!here" {
		t.Errorf("row 1 = %q, want carriage return to overwrite", got)
	}
	if screen.column != 1 || screen.row != 1 {
		t.Errorf("cursor at (%d, %d), want (1, 1)", screen.column, screen.row)
	}
}

func TestVGATabsAndReplacement(t *testing.T) {
	screen, cells := newTestVGA(t)
	writeVGA(screen, "a\tb\t\tc\x01")
	if got := rowText(t, cells, 0); got != "a"+strings.Repeat(" ", 7)+"b"+strings.Repeat(" ", 15)+"c\xfe" {
		t.Errorf("row 0 = %q", got)
	}
	if screen.column != 26 {
		t.Errorf("column = %d, want 26", screen.column)
	}
}

func TestVGAWrapsLongLines(t *testing.T) {
	screen, cells := newTestVGA(t)
	full := strings.Repeat("x", vgaColumns)
	writeVGA(screen, full+"\nnext")
	if got := rowText(t, cells, 0); got != full {
		t.Errorf("row 0 = %q", got)
	}
	if got := rowText(t, cells, 1); got != "next" {
		t.Errorf("exactly-full line then newline: row 1 = %q, want \"next\"", got)
	}
	writeVGA(screen, "\n"+full+"yz")
	if got := rowText(t, cells, 3); got != "yz" {
		t.Errorf("overlong line: row 3 = %q, want \"yz\"", got)
	}
}

func TestVGAScrolls(t *testing.T) {
	screen, cells := newTestVGA(t)
	for line := 0; line < vgaRows; line++ {
		writeVGA(screen, "line "+string(rune('A'+line))+"\n")
	}
	// 25 newlines on a 25-row screen scroll once: "line A" is gone.
	if got := rowText(t, cells, 0); got != "line B" {
		t.Errorf("row 0 after scroll = %q, want \"line B\"", got)
	}
	if got := rowText(t, cells, vgaRows-2); got != "line Y" {
		t.Errorf("row %d = %q, want \"line Y\"", vgaRows-2, got)
	}
	if got := rowText(t, cells, vgaRows-1); got != "" {
		t.Errorf("bottom row = %q, want blank", got)
	}
	if screen.row != vgaRows-1 || screen.column != 0 {
		t.Errorf("cursor at (%d, %d)", screen.column, screen.row)
	}
	writeVGA(screen, "bottom")
	if got := rowText(t, cells, vgaRows-1); got != "bottom" {
		t.Errorf("bottom row = %q", got)
	}
}
