package disasm

// writer appends text to a caller-provided buffer, silently dropping what
// does not fit. It lives on the stack of Format; it never allocates.
type writer struct {
	buffer []byte
	used   int
}

func (w *writer) byte(c byte) {
	if w.used >= 0 && w.used < len(w.buffer) {
		w.buffer[w.used] = c
		w.used++
	}
}

func (w *writer) string(s string) {
	for i := 0; i < len(s); i++ {
		w.byte(s[i])
	}
}

// hex writes v as 0x followed by lower-case hex digits, without leading
// zeros.
func (w *writer) hex(v uint64) {
	w.string("0x")
	shift := 60
	for shift > 0 && (v>>uint(shift))&0xf == 0 {
		shift -= 4
	}
	for ; shift >= 0; shift -= 4 {
		w.byte("0123456789abcdef"[(v>>uint(shift))&0xf])
	}
}

// signedHex writes v as hex with a leading + or -.
func (w *writer) signedHex(v int64) {
	if v < 0 {
		w.byte('-')
		w.hex(uint64(-v))
		return
	}
	w.byte('+')
	w.hex(uint64(v))
}

// text returns what was written.
func (w *writer) text() []byte {
	if w.used < 0 || w.used > len(w.buffer) {
		return nil
	}
	return w.buffer[:w.used]
}
