package console

// The terminal: what writing bytes to the console does to the screen. It
// understands UTF-8, the control characters a terminal program uses
// (newline, carriage return, backspace, tab) and the ANSI escape
// sequences line editors and colourful programs send: SGR colours and
// bold and reverse video (ESC [ ... m), cursor position and moves
// (H, f, A, B, C, D, G) and erasing (J, K). The rest is ignored.

// ansiToVGA maps an ANSI colour number (0-7) to the VGA one.
var ansiToVGA = [8]uint32{0, 4, 2, 6, 1, 5, 3, 7}

// Write draws b on s, in the state sh keeps. The caller holds sh's lock.
func Write(sh *Shared, s *Screen, b []byte) {
	if s.Kind == 0 {
		return
	}
	bound(sh, s)
	hideCursor(sh, s)
	for _, c := range b {
		writeByte(sh, s, c)
	}
	showCursor(sh, s)
}

// bound brings the shared cursor and state within s (another process may
// have written anything in the page).
func bound(sh *Shared, s *Screen) {
	if sh.Row >= s.Rows {
		sh.Row = s.Rows - 1
	}
	if sh.Column > s.Columns {
		sh.Column = s.Columns
	}
	if sh.NParams > maxParams {
		sh.NParams = maxParams
	}
	if sh.Need > 3 {
		sh.Need = 0
	}
}

func hideCursor(sh *Shared, s *Screen) {
	if sh.CursorShown != 0 {
		s.invertUnderline(sh.CursorColumn, sh.CursorRow)
		sh.CursorShown = 0
	}
}

func showCursor(sh *Shared, s *Screen) {
	if s.Kind != 0 && sh.Column < s.Columns && sh.Row < s.Rows {
		sh.CursorColumn, sh.CursorRow, sh.CursorShown = sh.Column, sh.Row, 1
		s.invertUnderline(sh.CursorColumn, sh.CursorRow)
	}
}

func writeByte(sh *Shared, s *Screen, c byte) {
	if sh.Need > 0 {
		if c&0xc0 == 0x80 {
			sh.Rune = sh.Rune<<6 | uint32(c&0x3f)
			if sh.Need--; sh.Need == 0 {
				putRune(sh, s, sh.Rune)
			}
			return
		}
		sh.Need = 0
		putRune(sh, s, replacement) // a sequence cut short
	}
	switch sh.Escape {
	case escStart:
		sh.Escape = escNone
		if c == '[' {
			sh.Escape, sh.NParams, sh.Params = escCSI, 1, [maxParams]uint32{}
		}
		return
	case escCSI:
		csi(sh, s, c)
		return
	}
	switch {
	case c == 0x1b:
		sh.Escape = escStart
	case c == '\n':
		sh.Column = 0
		lineFeed(sh, s)
	case c == '\r':
		sh.Column = 0
	case c == '\b':
		if sh.Column > 0 {
			sh.Column--
		}
	case c == '\t':
		sh.Column = (sh.Column + 8) &^ 7
		if sh.Column >= s.Columns {
			sh.Column = s.Columns - 1
		}
	case c < 0x20 || c == 0x7f:
		// other control characters draw nothing
	case c < 0x80:
		putRune(sh, s, uint32(c))
	case c&0xe0 == 0xc0:
		sh.Rune, sh.Need = uint32(c&0x1f), 1
	case c&0xf0 == 0xe0:
		sh.Rune, sh.Need = uint32(c&0x0f), 2
	case c&0xf8 == 0xf0:
		sh.Rune, sh.Need = uint32(c&0x07), 3
	default:
		putRune(sh, s, replacement)
	}
}

// colours returns the foreground and background to draw with.
func colours(sh *Shared) (fg, bg uint32) {
	fg, bg = sh.Foreground&15, sh.Background&15
	if sh.Bold != 0 {
		fg |= 8
	}
	if sh.Reverse != 0 {
		fg, bg = bg, fg
	}
	return fg, bg
}

func putRune(sh *Shared, s *Screen, r uint32) {
	if sh.Column >= s.Columns {
		sh.Column = 0
		lineFeed(sh, s)
	}
	fg, bg := colours(sh)
	s.putCell(sh.Column, sh.Row, r, fg, bg)
	sh.Column++
}

func lineFeed(sh *Shared, s *Screen) {
	if sh.Row+1 < s.Rows {
		sh.Row++
		return
	}
	_, bg := colours(sh)
	s.scroll(bg)
}

// csi takes one byte of a control sequence's parameters or its final byte.
func csi(sh *Shared, s *Screen, c byte) {
	n := sh.NParams
	if n == 0 || n > maxParams {
		n = 1
	}
	switch {
	case c >= '0' && c <= '9':
		if p := &sh.Params[(n-1)%maxParams]; *p < 10000 {
			*p = *p*10 + uint32(c-'0')
		}
		return
	case c == ';':
		if n < maxParams {
			sh.NParams = n + 1
		}
		return
	case c == '?' || c == '>' || c == '=' || c == ' ':
		return // private and intermediate bytes: the sequence is ignored below
	case c < 0x40 || c > 0x7e:
		if c == 0x1b || c < 0x20 {
			sh.Escape = escNone // a broken sequence
		}
		return
	}
	sh.Escape = escNone
	first := sh.Params[0]
	count := first
	if count == 0 {
		count = 1
	}
	fg, bg := colours(sh)
	switch c {
	case 'm':
		for i := uint32(0); i < n && i < maxParams; i++ {
			sgr(sh, sh.Params[i])
		}
	case 'H', 'f':
		row, column := sh.Params[0], sh.Params[1]
		sh.Row, sh.Column = clampIndex(row, s.Rows), clampIndex(column, s.Columns)
	case 'A':
		sh.Row -= min(count, sh.Row)
	case 'B':
		sh.Row = min(sh.Row+min(count, s.Rows), s.Rows-1)
	case 'C':
		sh.Column = min(sh.Column+min(count, s.Columns), s.Columns-1)
	case 'D':
		sh.Column -= min(count, sh.Column)
	case 'G':
		sh.Column = clampIndex(first, s.Columns)
	case 'K':
		column := min(sh.Column, s.Columns)
		switch first {
		case 0:
			s.clear(column, sh.Row, s.Columns-column, fg, bg)
		case 1:
			s.clear(0, sh.Row, min(column+1, s.Columns), fg, bg)
		case 2:
			s.clear(0, sh.Row, s.Columns, fg, bg)
		}
	case 'J':
		column := min(sh.Column, s.Columns)
		switch first {
		case 0:
			s.clear(column, sh.Row, s.Columns-column, fg, bg)
			for r := sh.Row + 1; r < s.Rows; r++ {
				s.clear(0, r, s.Columns, fg, bg)
			}
		case 1:
			for r := uint32(0); r < sh.Row; r++ {
				s.clear(0, r, s.Columns, fg, bg)
			}
			s.clear(0, sh.Row, min(column+1, s.Columns), fg, bg)
		case 2, 3:
			for r := uint32(0); r < s.Rows; r++ {
				s.clear(0, r, s.Columns, fg, bg)
			}
		}
	}
}

// clampIndex turns a 1-based position (0 meaning 1) into a 0-based index
// below limit.
func clampIndex(position, limit uint32) uint32 {
	if position > 0 {
		position--
	}
	return min(position, limit-1)
}

// sgr applies one Select Graphic Rendition parameter.
func sgr(sh *Shared, p uint32) {
	switch {
	case p == 0:
		sh.Foreground, sh.Background, sh.Bold, sh.Reverse = 7, 0, 0, 0
	case p == 1:
		sh.Bold = 1
	case p == 22:
		sh.Bold = 0
	case p == 7:
		sh.Reverse = 1
	case p == 27:
		sh.Reverse = 0
	case p >= 30 && p <= 37:
		sh.Foreground = ansiToVGA[(p-30)%8]
	case p == 39:
		sh.Foreground = 7
	case p >= 40 && p <= 47:
		sh.Background = ansiToVGA[(p-40)%8]
	case p == 49:
		sh.Background = 0
	case p >= 90 && p <= 97:
		sh.Foreground = ansiToVGA[(p-90)%8] | 8
	case p >= 100 && p <= 107:
		sh.Background = ansiToVGA[(p-100)%8] | 8
	}
}
