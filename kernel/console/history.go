package console

// Scrollback. The screen shows the last rows of the log; a person at a real
// PC, where no terminal keeps what scrolled off, reads further back with
// Shift+Page Up and returns with Shift+Page Down (keyboard.go). The screen
// keeps the characters of its last historyLines rows in a fixed ring
// (plain bytes, nothing allocated), fed by both screens' put and scroll:
// screen row r of the live view is ring line top+r. Scrolled back by n
// lines, screen row r shows line top-n+r. New output returns the view to
// the live rows first, as a terminal does.

const (
	historyLines   = 1024
	historyColumns = 256 // wider screens keep the first 256 columns
)

type history struct {
	lines [historyLines][historyColumns]byte // 0: blank
	top   uint64                             // ring line at screen row 0 of the live view
	back  uint32                             // lines the view is scrolled back; 0: live
}

var scrollback history

func (h *history) line(n uint64) *[historyColumns]byte { return &h.lines[n%historyLines] }

// reset starts an empty history (a screen was configured).
func (h *history) reset() {
	for i := range h.lines {
		h.lines[i] = [historyColumns]byte{}
	}
	h.top, h.back = 0, 0
}

// put records character at (column, row) of the live view.
func (h *history) put(character byte, column, row uint32) {
	if column < historyColumns {
		h.line(h.top + uint64(row))[column] = character
	}
}

// scrolled records that the live view moved up one row on a screen of rows
// rows: the new bottom row starts blank.
func (h *history) scrolled(rows uint32) {
	h.top++
	*h.line(h.top + uint64(rows) - 1) = [historyColumns]byte{}
}

// limit is how far back the view can go on a screen of rows rows.
func (h *history) limit(rows uint32) uint32 {
	most := uint64(historyLines) - uint64(rows)
	if rows > historyLines {
		most = 0
	}
	if h.top < most {
		most = h.top
	}
	return uint32(most)
}

// move scrolls the view by delta lines (positive: back, into the past) and
// reports whether it changed.
func (h *history) move(delta int32, rows uint32) bool {
	back := int64(h.back) + int64(delta)
	if back < 0 {
		back = 0
	}
	if most := int64(h.limit(rows)); back > most {
		back = most
	}
	if uint32(back) == h.back {
		return false
	}
	h.back = uint32(back)
	return true
}

// shown returns the character at (column, row) of the current view.
func (h *history) shown(column, row uint32) byte {
	if column >= historyColumns {
		return 0
	}
	return h.line(h.top - uint64(h.back) + uint64(row))[column]
}

// ScrollView moves the screen's view delta rows back into the log
// (negative: towards the live rows) and redraws it. It reports false when
// the output lock was busy (the caller is an interrupt handler and the CPU
// it interrupted may be writing; the key is dropped, and that output returns
// the view to the live rows anyway).
func ScrollView(delta int32) bool {
	if !outputLock.tryLock() {
		return false
	}
	rows := screenRows()
	if rows != 0 && scrollback.move(delta, rows) {
		redrawLocked()
	}
	outputLock.unlock()
	return true
}

// ScrollPage is half a screen's rows (at least 1), the step of
// Shift+Page Up and Page Down.
func ScrollPage() int32 {
	if rows := screenRows(); rows > 2 {
		return int32(rows / 2)
	}
	return 1
}

// screenRows is the active screen's number of rows, 0 for none.
func screenRows() uint32 {
	switch activeScreen {
	case screenVGAText:
		return vgaRows
	case screenFramebuffer:
		return framebuffer.rows
	}
	return 0
}

// redrawLocked draws the current view on the active screen. The caller
// holds outputLock.
func redrawLocked() {
	switch activeScreen {
	case screenVGAText:
		vgaText.redraw()
	case screenFramebuffer:
		framebuffer.redraw()
	}
}

// liveLocked returns a scrolled-back view to the live rows before new
// output is drawn. The caller holds outputLock.
func liveLocked() {
	if scrollback.back != 0 {
		scrollback.back = 0
		redrawLocked()
	}
}
