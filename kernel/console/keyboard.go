package console

// The keys the kernel's console reads while no process has taken the
// keyboard (kernel/exo binds interrupt line 1 to the console until a
// process binds it): Shift+Page Up and Shift+Page Down scroll the screen's
// view of the log (history.go). Everything else is ignored: the kernel
// reads no input.
//
// The bytes are PC scan code set 1, which the PS/2 controller produces
// from the keyboard's set 2 when translation is on (kernel/exo turns it
// on): a key's make code on press, the same code with bit 7 set on release,
// and 0xE0 before the codes of the keys added by the 101-key keyboard
// (Page Up and Page Down among them).
const (
	scanExtended    = 0xE0
	scanLeftShift   = 0x2A
	scanRightShift  = 0x36
	scanPageUp      = 0x49 // after 0xE0
	scanPageDown    = 0x51 // after 0xE0
	scanReleaseFlag = 0x80
)

// keyboard is the decoder's state: plain integers (restricted Go).
type keyboard struct {
	shift    uint8 // bit 0: left Shift held, bit 1: right Shift held
	extended bool  // the previous byte was 0xE0
}

var keys keyboard

// decode takes one scan code byte and returns how many rows to scroll
// back (negative: forward) on a screen with page rows per step, or 0.
func (k *keyboard) decode(code byte, page int32) int32 {
	if code == scanExtended {
		k.extended = true
		return 0
	}
	extended := k.extended
	k.extended = false
	released := code&scanReleaseFlag != 0
	key := code &^ scanReleaseFlag
	if !extended {
		// 0xE0 0x2A and 0xE0 0xAA are the "fake shifts" some keyboards
		// send around the extended keys: they are not the Shift key.
		var bit uint8
		switch key {
		case scanLeftShift:
			bit = 1
		case scanRightShift:
			bit = 2
		}
		if released {
			k.shift &^= bit
		} else {
			k.shift |= bit
		}
		return 0
	}
	if released || k.shift == 0 {
		return 0
	}
	switch key {
	case scanPageUp:
		return page
	case scanPageDown:
		return -page
	}
	return 0
}

// KeyboardByte handles one byte from the keyboard's data port. It is
// called from the interrupt handler: it never blocks (a scroll that finds
// the output lock busy is dropped, see ScrollView).
func KeyboardByte(code byte) {
	if delta := keys.decode(code, ScrollPage()); delta != 0 {
		ScrollView(delta)
	}
}
