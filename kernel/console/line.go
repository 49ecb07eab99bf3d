package console

// Line builds one line of output in a fixed buffer on the caller's stack
// and writes it with a single Write, so that a line is never split by
// another CPU's output (Write holds the output lock for the whole buffer).
// Text beyond the buffer is cut.
type Line struct {
	buffer [240]byte
	n      uint
}

// String appends s.
func (l *Line) String(s string) *Line {
	for i := 0; i < len(s) && l.n < uint(len(l.buffer)); i++ {
		l.buffer[l.n] = s[i]
		l.n++
	}
	return l
}

func (l *Line) bytes(b []byte) *Line {
	for i := 0; i < len(b) && l.n < uint(len(l.buffer)); i++ {
		l.buffer[l.n] = b[i]
		l.n++
	}
	return l
}

// Hex appends v as "0x" and 16 hex digits.
func (l *Line) Hex(v uint64) *Line {
	var b [hexBufferSize]byte
	return l.bytes(formatHex(v, &b))
}

// HexShort appends v in hex with as few digits as needed.
func (l *Line) HexShort(v uint64) *Line {
	var b [hexBufferSize]byte
	return l.bytes(formatHexShort(v, &b))
}

// Decimal appends v in decimal.
func (l *Line) Decimal(v uint64) *Line {
	var b [decimalBufferSize]byte
	return l.bytes(formatDecimal(v, false, &b))
}

// SignedDecimal appends v in decimal.
func (l *Line) SignedDecimal(v int64) *Line {
	var b [decimalBufferSize]byte
	if v < 0 {
		return l.bytes(formatDecimal(uint64(-v), true, &b))
	}
	return l.bytes(formatDecimal(uint64(v), false, &b))
}

// Write ends the line with a newline and writes it.
func (l *Line) Write() {
	n := l.n
	if n >= uint(len(l.buffer)) {
		n = uint(len(l.buffer)) - 1
	}
	l.buffer[n%uint(len(l.buffer))] = '\n'
	Write(l.buffer[:n%uint(len(l.buffer))+1])
}
