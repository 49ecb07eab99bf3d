package console

// The PS/2 keyboard, as the kernel leaves it: scan code set 1 (the
// controller translates), one byte per interrupt on port 0x60. Keyboard
// turns scan codes into the bytes a terminal sends: ASCII with Shift,
// Caps Lock and Ctrl, and ANSI sequences for the arrows, Home, End and
// Delete. Its state is the input process's own (the zero value is ready).
type Keyboard struct {
	Shift, Ctrl, CapsLock, CapsHeld, Extended uint8
}

// Set 1 scan codes of the keys that change state.
const (
	scanLeftShift  = 0x2a
	scanRightShift = 0x36
	scanCtrl       = 0x1d
	scanCapsLock   = 0x3a
	scanExtended   = 0xe0 // the next code is an extended key's
	scanReleased   = 0x80 // set in a key's release code
)

// The bytes of scan codes 0x00-0x39, without and with Shift.
const (
	unshifted = "\x00\x1b1234567890-=\x7f\tqwertyuiop[]\r\x00asdfghjkl;'`\x00\\zxcvbnm,./\x00*\x00 "
	shifted   = "\x00\x1b!@#$%^&*()_+\x7f\tQWERTYUIOP{}\r\x00ASDFGHJKL:\"~\x00|ZXCVBNM<>?\x00*\x00 "
)

// Decode takes one scan code and writes the bytes it types into out (4
// bytes suffice), returning how many.
func (k *Keyboard) Decode(code byte, out []byte) int {
	if code == scanExtended {
		k.Extended = 1
		return 0
	}
	extended := k.Extended != 0
	k.Extended = 0
	released := code&scanReleased != 0
	key := code &^ scanReleased
	switch {
	case key == scanLeftShift || key == scanRightShift:
		if !extended { // 0xe0 0x2a is a "fake shift" some keyboards send
			k.Shift = boolByte(!released)
		}
		return 0
	case key == scanCtrl:
		k.Ctrl = boolByte(!released)
		return 0
	case key == scanCapsLock:
		if !released && k.CapsHeld == 0 {
			k.CapsLock ^= 1 // once per press: a held key repeats its make code
		}
		k.CapsHeld = boolByte(!released)
		return 0
	case released:
		return 0
	}
	if extended {
		var sequence string
		switch key {
		case 0x48:
			sequence = "\x1b[A"
		case 0x50:
			sequence = "\x1b[B"
		case 0x4d:
			sequence = "\x1b[C"
		case 0x4b:
			sequence = "\x1b[D"
		case 0x47:
			sequence = "\x1b[H"
		case 0x4f:
			sequence = "\x1b[F"
		case 0x53:
			sequence = "\x1b[3~"
		case 0x1c:
			sequence = "\r" // the keypad's Enter
		case 0x35:
			sequence = "/"
		}
		n := 0
		for i := 0; i < len(sequence) && n < len(out); i++ {
			out[n] = sequence[i]
			n++
		}
		return n
	}
	if int(key) >= len(unshifted) || len(out) == 0 {
		return 0
	}
	c := unshifted[key]
	letter := c >= 'a' && c <= 'z'
	if (k.Shift != 0) != (letter && k.CapsLock != 0) {
		c = shifted[key%uint8(len(shifted))]
	}
	if c == 0 {
		return 0
	}
	if k.Ctrl != 0 {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			c &= 0x1f
		case c == ' ' || c == '2' || c == '@':
			c = 0
		case c == '[':
			c = 0x1b
		case c == '\\':
			c = 0x1c
		}
	}
	out[0] = c
	return 1
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
