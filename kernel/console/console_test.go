package console

import (
	"math"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

// These tests drive the package-level log. Serial output is skipped because
// InitSerial is never called (the UART stays marked absent), and the VGA
// screen is configured without the hardware cursor, so no I/O port is
// touched.

// useTestVGA points the log at a fresh VGA cell buffer and returns it; the
// screen is detached again when the test ends.
func useTestVGA(t *testing.T) []uint16 {
	t.Helper()
	cells := make([]uint16, vgaColumns*vgaRows)
	useVGAText(uintptr(unsafe.Pointer(&cells[0])), false)
	t.Cleanup(UseNoScreen)
	return cells
}

func TestWriteGoesToTheVGAScreen(t *testing.T) {
	cells := useTestVGA(t)
	Write([]byte("boot: "))
	WriteString("ok\n")
	WriteString("hex ")
	WriteHex(0xdeadbeef)
	WriteString(" short ")
	WriteHexShort(0xbeef)
	WriteString(" dec ")
	WriteDecimal(1234567890)
	WriteString(" neg ")
	WriteSignedDecimal(-42)
	if got := rowText(t, cells, 0); got != "boot: ok" {
		t.Errorf("row 0 = %q", got)
	}
	if got, want := rowText(t, cells, 1), "hex 0x00000000deadbeef short 0xbeef dec 1234567890 neg -42"; got != want {
		t.Errorf("row 1 = %q, want %q", got, want)
	}
}

func TestRefusedFramebufferKeepsTheCurrentScreen(t *testing.T) {
	cells := useTestVGA(t)
	info := layoutRGB32
	info.BaseVirtual, info.Width, info.Height, info.Pitch = 0x1000, 64, 32, 256
	info.BitsPerPixel = 16
	if code := UseFramebuffer(info); code != FramebufferUnsupportedDepth {
		t.Fatalf("UseFramebuffer = %d, want FramebufferUnsupportedDepth", code)
	}
	WriteString("still here")
	if got := rowText(t, cells, 0); got != "still here" {
		t.Errorf("row 0 = %q", got)
	}
}

func TestWriteGoesToTheFramebuffer(t *testing.T) {
	memory := make([]byte, 4*glyphWidth*4*glyphHeight)
	info := layoutBGR32
	info.BaseVirtual = uintptr(unsafe.Pointer(&memory[0]))
	info.Width, info.Height, info.Pitch = 4*glyphWidth, glyphHeight, 4*glyphWidth*4
	if code := UseFramebuffer(info); code != FramebufferOK {
		t.Fatalf("UseFramebuffer = %d", code)
	}
	t.Cleanup(UseNoScreen)
	WriteString("Z")
	check := &testFramebuffer{screen: framebuffer, memory: memory, info: info}
	check.checkCell(t, 0, 0, 'Z')
	check.checkCell(t, 1, 0, ' ')
}

func TestWritersDoNotInterleave(t *testing.T) {
	cells := useTestVGA(t)
	const writers, linesEach = 4, 200
	var wait sync.WaitGroup
	for writer := 0; writer < writers; writer++ {
		line := strings.Repeat(string(rune('A'+writer)), vgaColumns-1) + "\n"
		wait.Add(1)
		go func() {
			defer wait.Done()
			for i := 0; i < linesEach; i++ {
				WriteString(line)
			}
		}()
	}
	wait.Wait()
	for row := 0; row < vgaRows-1; row++ {
		text := rowText(t, cells, row)
		if len(text) != vgaColumns-1 || strings.Count(text, text[:1]) != len(text) {
			t.Fatalf("row %d is mixed: %q", row, text)
		}
	}
}

func TestForceUnlockForPanic(t *testing.T) {
	cells := useTestVGA(t)
	outputLock.lock() // a writer that will never finish
	ForceUnlockForPanic()
	WriteString("fatal")
	if got := rowText(t, cells, 0); got != "fatal" {
		t.Errorf("row 0 = %q", got)
	}
	if outputLock.state.Load() != 0 {
		t.Error("Write left the lock held")
	}
}

func TestFormatHex(t *testing.T) {
	var buffer [hexBufferSize]byte
	for _, c := range []struct {
		value uint64
		full  string
		short string
	}{
		{0, "0x0000000000000000", "0x0"},
		{0xa, "0x000000000000000a", "0xa"},
		{0x10, "0x0000000000000010", "0x10"},
		{0x123456789abcdef0, "0x123456789abcdef0", "0x123456789abcdef0"},
		{math.MaxUint64, "0xffffffffffffffff", "0xffffffffffffffff"},
	} {
		if got := string(formatHex(c.value, &buffer)); got != c.full {
			t.Errorf("formatHex(%#x) = %q, want %q", c.value, got, c.full)
		}
		if got := string(formatHexShort(c.value, &buffer)); got != c.short {
			t.Errorf("formatHexShort(%#x) = %q, want %q", c.value, got, c.short)
		}
	}
}

func TestFormatDecimal(t *testing.T) {
	var buffer [decimalBufferSize]byte
	for _, c := range []struct {
		value    uint64
		negative bool
		want     string
	}{
		{0, false, "0"},
		{7, false, "7"},
		{10, false, "10"},
		{1000000, true, "-1000000"},
		{math.MaxUint64, false, "18446744073709551615"},
		{math.MaxUint64, true, "-18446744073709551615"},
	} {
		if got := string(formatDecimal(c.value, c.negative, &buffer)); got != c.want {
			t.Errorf("formatDecimal(%d, %v) = %q, want %q", c.value, c.negative, got, c.want)
		}
	}
}

func TestWriteSignedDecimalExtremes(t *testing.T) {
	cells := useTestVGA(t)
	WriteSignedDecimal(math.MinInt64)
	WriteString(" ")
	WriteSignedDecimal(math.MaxInt64)
	WriteString(" ")
	WriteSignedDecimal(0)
	if got, want := rowText(t, cells, 0), "-9223372036854775808 9223372036854775807 0"; got != want {
		t.Errorf("row 0 = %q, want %q", got, want)
	}
}

func TestWritesDoNotAllocate(t *testing.T) {
	useTestVGA(t)
	message := []byte("no allocation\n")
	allocations := testing.AllocsPerRun(100, func() {
		Write(message)
		WriteString("string\n")
		WriteHex(1)
		WriteHexShort(2)
		WriteDecimal(3)
		WriteSignedDecimal(-4)
	})
	if allocations != 0 {
		t.Errorf("writes allocated %v times per run", allocations)
	}
}

// A screen handed to a process takes no more log lines; a fault report
// takes it back and draws from the bottom row.
func TestHandOverAndReclaimTheScreen(t *testing.T) {
	cells := useTestVGA(t)
	WriteString("boot log\nsecond line")
	column, row, ok := HandOverScreen()
	if !ok || column != 11 || row != 1 {
		t.Fatalf("HandOverScreen = %d, %d, %v; want the cursor after the log", column, row, ok)
	}
	WriteString("\nnot on the screen")
	for r := 2; r < vgaRows; r++ {
		if got := rowText(t, cells, r); got != "" {
			t.Fatalf("row %d = %q after the hand-over", r, got)
		}
	}
	ReclaimScreen()
	WriteString("\nexogo: KERNEL FAULT")
	if got := rowText(t, cells, vgaRows-1); got != "exogo: KERNEL FAULT" {
		t.Errorf("last row = %q, want the report", got)
	}
	if got := rowText(t, cells, 0); got != "second line" {
		t.Errorf("row 0 = %q: the rest scrolled up one row", got)
	}
	handedOver = screenNone
}
