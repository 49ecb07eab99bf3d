package console

// The line discipline (the producer's side, run by the process that holds
// the input devices) and the readers' side of the input ring. In
// canonical mode typed bytes are edited in Line, shown as they are typed
// (echo), and reach the ring a whole line at a time: Enter commits the
// line with its newline, Ctrl-D commits it without one (on an empty line,
// an end-of-file mark), Backspace (or Delete) erases the last character
// and Ctrl-U the line. Otherwise each byte goes to the ring as it comes.
//
// With ModeSignals, Ctrl-C (and Ctrl-\) drops the line being edited and
// the input not yet read, and counts an interrupt (Shared.Interrupts;
// Ctrl-\ in Shared.Quits too): every process of the console takes SIGINT
// (SIGQUIT) (libos/linux). Without it, they are data.

// eofMark ends a read in the ring (canonical mode only, where a typed
// Ctrl-D never becomes data): alone it is an end of file.
const eofMark = 0x04

// Input handles one typed byte c. It writes what to echo into echo (8
// bytes suffice) and returns how many, and whether the ring's Head moved
// (readers are to be woken). The caller holds the lock.
func Input(sh *Shared, c byte, echo []byte) (n int, wake bool) {
	out := echoed{to: echo}
	if sh.LineLength > LineMax {
		sh.LineLength = 0
	}
	if c == '\r' && sh.Mode&ModeCRNL != 0 {
		c = '\n' // ICRNL: the Enter key
	}
	echoes := sh.Mode&ModeEcho != 0
	if (c == 0x03 || c == 0x1c) && sh.Mode&ModeSignals != 0 {
		sh.Flush()
		sh.Interrupts++
		if c == 0x1c {
			sh.Quits++ // Ctrl-\: SIGQUIT (a Go program prints its goroutines and ends)
		}
		if echoes {
			out.show(c)
			out.say("\n")
		}
		return out.n, false
	}
	if sh.Mode&ModeCanonical == 0 {
		if !push(sh, c) {
			return 0, false
		}
		if echoes {
			out.show(c)
		}
		return out.n, true
	}
	switch c {
	case '\n', eofMark:
		// A newline ends the line; Ctrl-D's mark ends the read: on an
		// empty line it is an end of file, after text it delivers the
		// text without a newline. The line always has room for either.
		if sh.LineLength < LineMax {
			sh.Line[sh.LineLength%LineMax] = c
			sh.LineLength++
		}
		wake = commit(sh)
		if echoes && c == '\n' {
			out.say("\n")
		}
	case 0x7f, '\b':
		if erase(sh) && echoes {
			out.say("\b \b")
		}
	case 0x15: // Ctrl-U
		for erase(sh) {
			if echoes {
				out.say("\b \b") // as far as echo holds; the line is gone anyway
			}
		}
	default:
		if sh.LineLength >= LineMax-1 {
			out.say("\a") // the line is full: only Enter, erase or Ctrl-D now
			return out.n, false
		}
		sh.Line[sh.LineLength%LineMax] = c
		sh.LineLength++
		if echoes {
			out.show(c)
		}
	}
	return out.n, wake
}

// echoed collects the bytes to echo.
type echoed struct {
	to []byte
	n  int
}

func (e *echoed) add(c byte) {
	if uint(e.n) < uint(len(e.to)) {
		e.to[uint(e.n)] = c
		e.n++
	}
}

func (e *echoed) say(text string) {
	for i := 0; i < len(text); i++ {
		e.add(text[i])
	}
}

// show echoes a typed byte: control characters as ^X, others as they are.
func (e *echoed) show(c byte) {
	if c < 0x20 && c != '\n' && c != '\t' {
		e.add('^')
		e.add(c + '@')
		return
	}
	e.add(c)
}

// erase removes the last character (all the bytes of a UTF-8 one) from
// the line; false when it was empty.
func erase(sh *Shared) bool {
	if sh.LineLength == 0 {
		return false
	}
	for sh.LineLength > 0 {
		sh.LineLength--
		if sh.Line[sh.LineLength%LineMax]&0xc0 != 0x80 {
			break // the first byte of the character
		}
	}
	return true
}

// commit moves the line into the ring, whole or not at all (when the ring
// has no room for it, the line is dropped).
func commit(sh *Shared) bool {
	length := sh.LineLength % (LineMax + 1)
	sh.LineLength = 0
	if length == 0 || room(sh) < length {
		return false
	}
	for i := uint32(0); i < length; i++ {
		push(sh, sh.Line[i%LineMax])
	}
	return true
}

// room returns the free bytes in the ring, repairing a corrupt count.
func room(sh *Shared) uint32 {
	used := sh.Head - sh.Tail
	if used > RingSize {
		sh.Tail = sh.Head
		used = 0
	}
	return RingSize - used
}

func push(sh *Shared, c byte) bool {
	if room(sh) == 0 {
		return false
	}
	sh.Ring[sh.Head%RingSize] = c
	sh.Head++
	return true
}

// Read takes typed bytes into dst: in canonical mode one line at most (up
// to its newline), otherwise what there is. ok is false when nothing is
// there yet (the reader waits for Head to move); n is 0 with ok at an end
// of file. The caller holds the lock.
func Read(sh *Shared, dst []byte) (n int, ok bool) {
	if room(sh) == RingSize || len(dst) == 0 {
		return 0, len(dst) == 0
	}
	canonical := sh.Mode&ModeCanonical != 0
	for n < len(dst) && sh.Tail != sh.Head {
		c := sh.Ring[sh.Tail%RingSize]
		if canonical && c == eofMark {
			sh.Tail++ // read once: an end of file, or the end of a line typed without Enter
			return n, true
		}
		dst[n] = c
		n++
		sh.Tail++
		if canonical && c == '\n' {
			return n, true
		}
	}
	if canonical && sh.Tail != sh.Head && sh.Ring[sh.Tail%RingSize] == eofMark {
		sh.Tail++ // the text before a Ctrl-D filled dst exactly: its mark goes too
	}
	return n, true
}
