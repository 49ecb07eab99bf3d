package console

// termios: the terminal's settings as Linux's ioctls see them (TCGETS,
// TCSETS: struct termios of the kernel, 36 bytes). The shared page keeps
// the bytes a program last set, so every process of the console reads
// the same settings, and the line discipline acts on the part it
// implements (Shared.Mode): ICANON, ECHO, ISIG (Ctrl-C interrupts the
// console's processes) and ICRNL (Enter gives a newline). The rest (baud
// rates, parity, output processing) is kept and given back, and changes
// nothing: the serial line's output always turns "\n" into "\r\n".

// TermiosSize is the size of Linux's struct termios (TCGETS).
const TermiosSize = 36

// The offsets and flags of struct termios that the line discipline uses
// or that a new terminal starts with.
const (
	termiosIflag = 0
	termiosOflag = 4
	termiosCflag = 8
	termiosLflag = 12
	termiosCc    = 17

	iflagICRNL                                                     = 0x100
	iflagIXON                                                      = 0x400
	oflagOPOST                                                     = 0x1
	oflagONLCR                                                     = 0x4
	cflagB38400, cflagCS8, cflagCREAD                              = 0xf, 0x30, 0x80
	lflagISIG, lflagICANON, lflagECHO                              = 0x1, 0x2, 0x8
	lflagECHOE, lflagECHOK, lflagECHOCTL, lflagECHOKE, lflagIEXTEN = 0x10, 0x20, 0x200, 0x800, 0x8000
)

// defaultControl are c_cc's defaults: VINTR ^C, VQUIT ^\, VERASE DEL,
// VKILL ^U, VEOF ^D, VTIME 0, VMIN 1, VSTART ^Q, VSTOP ^S, VSUSP ^Z,
// VREPRINT ^R, VDISCARD ^O, VWERASE ^W, VLNEXT ^V.
var defaultControl = [...]byte{0x03, 0x1c, 0x7f, 0x15, 0x04, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16}

// defaultTermios fills t with a new terminal's settings: a cooked line
// with echo, signals and CR to NL, as Linux's console starts.
func defaultTermios(t *[TermiosSize]byte) {
	*t = [TermiosSize]byte{}
	put32(t, termiosIflag, iflagICRNL|iflagIXON)
	put32(t, termiosOflag, oflagOPOST|oflagONLCR)
	put32(t, termiosCflag, cflagB38400|cflagCS8|cflagCREAD)
	put32(t, termiosLflag, lflagISIG|lflagICANON|lflagECHO|lflagECHOE|lflagECHOK|lflagECHOCTL|lflagECHOKE|lflagIEXTEN)
	copy(t[termiosCc:], defaultControl[:])
}

func put32(t *[TermiosSize]byte, at int, v uint32) {
	at &= 31
	t[at], t[at+1], t[at+2], t[at+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func get32(t []byte, at int) uint32 {
	if at < 0 || at+4 > len(t) {
		return 0
	}
	return uint32(t[at]) | uint32(t[at+1])<<8 | uint32(t[at+2])<<16 | uint32(t[at+3])<<24
}

// modeOf is the part of termios t the line discipline implements.
func modeOf(t []byte) uint32 {
	iflag, lflag := get32(t, termiosIflag), get32(t, termiosLflag)
	mode := uint32(0)
	if lflag&lflagICANON != 0 {
		mode |= ModeCanonical
	}
	if lflag&lflagECHO != 0 {
		mode |= ModeEcho
	}
	if lflag&lflagISIG != 0 {
		mode |= ModeSignals
	}
	if iflag&iflagICRNL != 0 {
		mode |= ModeCRNL
	}
	return mode
}

// GetTermios copies the terminal's settings into out (TermiosSize bytes
// or fewer). The caller holds the lock.
func (s *Shared) GetTermios(out []byte) { copy(out, s.Termios[:]) }

// SetTermios takes new settings from in (TermiosSize bytes); with flush
// (TCSETSF, TCFLSH) the typed input not yet read goes. Leaving canonical
// mode makes the line being edited input, as Linux's line discipline
// does: what a person typed ahead while a program still had the terminal
// cooked (a shell's line editor taking it raw) is read, not lost. It
// reports whether the ring's Head moved (readers are to be woken). The
// caller holds the lock.
func (s *Shared) SetTermios(in []byte, flush bool) (moved bool) {
	was := s.Mode
	copy(s.Termios[:], in)
	s.Mode = modeOf(s.Termios[:])
	if flush {
		s.Flush()
		return false
	}
	if was&ModeCanonical != 0 && s.Mode&ModeCanonical == 0 {
		length := s.LineLength % (LineMax + 1)
		s.LineLength = 0
		for i := uint32(0); i < length && push(s, s.Line[i%LineMax]); i++ {
			moved = true
		}
	}
	return moved
}

// Flush drops the typed input not yet read and the line being edited.
func (s *Shared) Flush() {
	s.Tail = s.Head
	s.LineLength = 0
}

// Pending is how many typed bytes reads could take now (FIONREAD; poll):
// every byte in the ring. In canonical mode the line being edited is not
// in it yet: the ring holds whole lines, and what was typed in raw mode
// and not read before the terminal became canonical, which a read takes
// as Linux's does. The caller holds the lock.
func (s *Shared) Pending() int {
	used := s.Head - s.Tail
	if used > RingSize {
		return 0
	}
	return int(used)
}
