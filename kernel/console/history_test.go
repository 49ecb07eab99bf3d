package console

import (
	"fmt"
	"testing"
)

// withVGA runs f with the VGA test screen as the active screen, and
// puts the console back as it was.
func withVGA(t *testing.T, f func(screen *vgaTextScreen, cells []uint16)) {
	t.Helper()
	saved := activeScreen
	defer func() { activeScreen = saved; scrollback.reset() }()
	scrollback.reset()
	screen, cells := newTestVGA(t)
	savedVGA := vgaText
	defer func() { vgaText = savedVGA }()
	vgaText = *screen
	activeScreen = screenVGAText
	f(&vgaText, cells)
}

func TestScrollbackShowsWhatScrolledOff(t *testing.T) {
	withVGA(t, func(screen *vgaTextScreen, cells []uint16) {
		for i := 0; i < 100; i++ {
			writeVGA(screen, fmt.Sprintf("line %d\n", i))
		}
		// Live: rows 0..23 show lines 76..99, row 24 is the cursor's.
		if got := rowText(t, cells, 0); got != "line 76" {
			t.Fatalf("live row 0 = %q, want line 76", got)
		}
		if !ScrollView(10) {
			t.Fatal("ScrollView found the lock busy")
		}
		if got := rowText(t, cells, 0); got != "line 66" {
			t.Errorf("10 back, row 0 = %q, want line 66", got)
		}
		if got := rowText(t, cells, 24); got != "line 90" {
			t.Errorf("10 back, row 24 = %q, want line 90", got)
		}
		ScrollView(1000) // as far as the history goes: line 0 at the top
		if got := rowText(t, cells, 0); got != "line 0" {
			t.Errorf("all the way back, row 0 = %q, want line 0", got)
		}
		ScrollView(-3)
		if got := rowText(t, cells, 0); got != "line 3" {
			t.Errorf("then 3 forward, row 0 = %q, want line 3", got)
		}
		// New output returns to the live rows before it is drawn.
		Write([]byte("new"))
		if got := rowText(t, cells, 0); got != "line 76" {
			t.Errorf("after output, row 0 = %q, want line 76", got)
		}
		if got := rowText(t, cells, 24); got != "new" {
			t.Errorf("after output, row 24 = %q, want new", got)
		}
	})
}

func TestScrollbackIsBounded(t *testing.T) {
	withVGA(t, func(screen *vgaTextScreen, cells []uint16) {
		for i := 0; i < 3000; i++ {
			writeVGA(screen, fmt.Sprintf("line %d\n", i))
		}
		ScrollView(1 << 30)
		// 1024 lines are kept: the view goes back to the oldest whole
		// screen of them.
		want := fmt.Sprintf("line %d", 3000-historyLines+1)
		if got := rowText(t, cells, 0); got != want {
			t.Errorf("oldest row = %q, want %q", got, want)
		}
		ScrollView(-(1 << 30))
		if got := rowText(t, cells, 23); got != "line 2999" {
			t.Errorf("live row 23 = %q, want line 2999", got)
		}
	})
}

func TestScrollViewDropsWhenLockBusy(t *testing.T) {
	withVGA(t, func(screen *vgaTextScreen, cells []uint16) {
		for i := 0; i < 50; i++ {
			writeVGA(screen, fmt.Sprintf("line %d\n", i))
		}
		outputLock.lock()
		ok := ScrollView(5)
		outputLock.unlock()
		if ok || scrollback.back != 0 {
			t.Errorf("ScrollView with the lock held: ok %v, back %d; want a dropped key", ok, scrollback.back)
		}
	})
}

func TestKeyboardDecode(t *testing.T) {
	var k keyboard
	steps := []struct {
		code byte
		want int32
	}{
		{0xE0, 0}, {0x49, 0}, // Page Up without Shift
		{0x2A, 0},             // left Shift down
		{0xE0, 0}, {0x49, 12}, // Shift+Page Up
		{0xE0, 0}, {0xC9, 0}, // its release
		{0xE0, 0}, {0x51, -12}, // Shift+Page Down
		{0x49, 0},            // keypad 9 (no 0xE0) is not Page Up
		{0xE0, 0}, {0xAA, 0}, // a fake shift release leaves Shift held
		{0xE0, 0}, {0x49, 12},
		{0xAA, 0}, // left Shift up
		{0xE0, 0}, {0x49, 0},
		{0x36, 0}, {0xE0, 0}, {0x51, -12}, {0xB6, 0}, // right Shift
		{0xE0, 0}, {0x51, 0},
	}
	for i, s := range steps {
		if got := k.decode(s.code, 12); got != s.want {
			t.Errorf("step %d (%#02x): %d, want %d", i, s.code, got, s.want)
		}
	}
}

func TestScrollbackDoesNotAllocate(t *testing.T) {
	withVGA(t, func(screen *vgaTextScreen, cells []uint16) {
		allocs := testing.AllocsPerRun(100, func() {
			writeVGA(screen, "a line\n")
			KeyboardByte(0x2A)
			KeyboardByte(0xE0)
			KeyboardByte(0x49)
			KeyboardByte(0xAA)
		})
		if allocs != 0 {
			t.Errorf("%v allocations per run", allocs)
		}
	})
}
