package exo

import (
	"exogo/arch/amd64"
	"exogo/kernel/console"
)

// The PS/2 keyboard belongs to the kernel's console until a process binds
// its interrupt line (1): the console reads Shift+Page Up and Page Down to
// scroll the screen's view of the log (console/keyboard.go), which on a
// real PC is the only way to read what scrolled off. A process that binds
// line 1 takes the keyboard (its data port 0x60 is on the ports allow-list);
// when that process ends, the line comes back to the console.
//
// The controller's command port 0x64 stays the kernel's (it can reset the
// CPU). TakeKeyboard uses it once at boot to turn on the keyboard's
// interrupt and scan-code translation (set 1, what the console and a libOS
// driver decode).

const (
	keyboardIRQ        = 1
	ps2Data            = 0x60
	ps2Command         = 0x64 // write: command; read: status
	ps2OutputFull      = 1 << 0
	ps2InputFull       = 1 << 1
	ps2FromAux         = 1 << 5 // the byte is the mouse's
	ps2ReadConfig      = 0x20
	ps2WriteConfig     = 0x60
	ps2ConfigKeyIRQ    = 1 << 0
	ps2ConfigTranslate = 1 << 6
	ps2Patience        = 100000 // status reads before giving up on the controller
)

// keyboardConsole is whether line 1 goes to the console when no process
// holds it (TakeKeyboard found a controller).
var keyboardConsole bool

// ps2Wait spins until the status has bit clear (clear true) or set, and
// reports false when the controller never gets there (none is present:
// the port reads 0xFF).
func ps2Wait(bit uint8, clear bool) bool {
	for i := 0; i < ps2Patience; i++ {
		set := amd64.InByte(ps2Command)&bit != 0
		if set != clear {
			return true
		}
	}
	return false
}

// TakeKeyboard sets the PS/2 controller up for the console and routes line
// 1 to it. It reports false when there is no controller or I/O APIC (USB
// keyboards without the firmware's PS/2 emulation, for example): the
// screen then has no scrollback keys. Boot only, after SetIOAPIC, with
// interrupts off.
func TakeKeyboard() bool {
	for i := 0; i < 32 && amd64.InByte(ps2Command)&ps2OutputFull != 0; i++ {
		amd64.InByte(ps2Data) // drop what the firmware left
	}
	if !ps2Wait(ps2InputFull, true) {
		return false
	}
	amd64.OutByte(ps2Command, ps2ReadConfig)
	if !ps2Wait(ps2OutputFull, false) {
		return false
	}
	config := amd64.InByte(ps2Data)
	config |= ps2ConfigKeyIRQ | ps2ConfigTranslate
	if !ps2Wait(ps2InputFull, true) {
		return false
	}
	amd64.OutByte(ps2Command, ps2WriteConfig)
	if !ps2Wait(ps2InputFull, true) {
		return false
	}
	amd64.OutByte(ps2Data, config)
	if !route(keyboardIRQ, false) {
		return false
	}
	keyboardConsole = true
	return true
}

// consoleHolds reports whether line irq goes to the console while no
// process holds it.
func consoleHolds(irq uint32) bool { return irq == keyboardIRQ && keyboardConsole }

// consoleKeyboard reads what the controller has for the console. Trap
// context.
func consoleKeyboard() {
	for i := 0; i < 16; i++ {
		status := amd64.InByte(ps2Command)
		if status&ps2OutputFull == 0 {
			return
		}
		b := amd64.InByte(ps2Data)
		if status&ps2FromAux == 0 {
			console.KeyboardByte(b)
		}
	}
}
