package console

// The kernel log writes every byte to the serial port and to at most one
// screen. Which screen, if any, is chosen once during boot from what GRUB
// reported: UseVGAText after a BIOS boot, UseFramebuffer after a UEFI boot.
//
// All output goes through outputLock, so concurrent writers produce whole
// Write calls, never interleaved bytes. The lock is not recursive: code that
// can run while the same CPU is inside a Write (an interrupt handler, say)
// must not log unless interrupts are disabled around every Write on that
// CPU, and the fatal-report path uses ForceUnlockForPanic.

// Which screen the log is drawn on.
const (
	screenNone        = 0
	screenVGAText     = 1
	screenFramebuffer = 2
)

// The console state: plain integers only, see the package comment.
var (
	activeScreen uint32 // one of the screen* constants
	vgaText      vgaTextScreen
	framebuffer  framebufferScreen
)

// UseVGAText makes the VGA text screen whose cells are mapped at
// baseVirtual the log's screen, clearing it. When it already is the
// screen, only the mapping changes: what is on it stays.
//
// Preconditions: baseVirtual maps the 4000 bytes of VGA text memory
// (physical VGATextPhysical) writable; the display is in 80x25 text mode;
// ring 0 (the hardware cursor is moved through I/O ports).
func UseVGAText(baseVirtual uintptr) {
	useVGAText(baseVirtual, true)
}

// useVGAText is UseVGAText with the hardware cursor optional, so that host
// tests can run it without I/O ports.
func useVGAText(baseVirtual uintptr, driveHardwareCursor bool) {
	outputLock.lock()
	if activeScreen == screenVGAText {
		// The same screen at a new mapping: keep what is on it.
		vgaText.base = baseVirtual
	} else {
		vgaText.configure(baseVirtual, driveHardwareCursor)
		scrollback.reset()
		activeScreen = screenVGAText
	}
	outputLock.unlock()
}

// UseFramebuffer makes the framebuffer described by info the log's screen,
// showing what the VGA text screen showed before it (or clearing it). It
// returns FramebufferOK, or one of the other Framebuffer* error codes when
// the framebuffer cannot be used; the previous screen then stays in use.
//
// Preconditions: info.BaseVirtual maps info.Height*info.Pitch writable bytes
// of the framebuffer.
func UseFramebuffer(info FramebufferInfo) (errorCode int) {
	outputLock.lock()
	errorCode = framebuffer.configure(info)
	if errorCode == FramebufferOK {
		if activeScreen == screenVGAText && framebuffer.rows >= vgaRows && framebuffer.columns >= vgaColumns {
			// The log so far (the VGA text screen's, which UEFI
			// machines may not even display) carries over, with its
			// scrollback.
			framebuffer.column, framebuffer.row = vgaText.column, vgaText.row
			scrollback.back = 0
			framebuffer.redraw()
		} else {
			scrollback.reset()
		}
		activeScreen = screenFramebuffer
	}
	outputLock.unlock()
	return errorCode
}

// UseNoScreen stops drawing the log on any screen; serial output continues.
// Use it before unmapping the screen's memory.
func UseNoScreen() {
	outputLock.lock()
	activeScreen = screenNone
	outputLock.unlock()
}

// writeByteLocked sends b to the serial port and the active screen. The
// caller holds outputLock.
func writeByteLocked(b byte) {
	SerialWriteByte(b)
	liveLocked()
	switch activeScreen {
	case screenVGAText:
		vgaText.writeByte(b)
	case screenFramebuffer:
		framebuffer.writeByte(b)
	}
}

// finishWriteLocked does the per-Write work that is too slow to do per byte.
// The caller holds outputLock.
func finishWriteLocked() {
	if activeScreen == screenVGAText {
		vgaText.updateHardwareCursor()
	}
}

// Write logs b. The caller must not hold the output lock (see the note at
// the top of console.go about interrupt handlers).
func Write(b []byte) {
	outputLock.lock()
	for i := 0; i < len(b); i++ {
		writeByteLocked(b[i])
	}
	finishWriteLocked()
	outputLock.unlock()
}

// WriteString logs s. The caller must not hold the output lock.
func WriteString(s string) {
	outputLock.lock()
	for i := 0; i < len(s); i++ {
		writeByteLocked(s[i])
	}
	finishWriteLocked()
	outputLock.unlock()
}

// HandOverScreen stops drawing the log on the screen, which a process now
// draws on, and returns where the log's cursor was (text cells, 8x16
// pixels each on a framebuffer), so the process can go on below it; ok is
// false when no screen was in use. Serial output continues.
func HandOverScreen() (column, row uint32, ok bool) {
	outputLock.lock()
	switch activeScreen {
	case screenVGAText:
		column, row, ok = vgaText.column, vgaText.row, true
	case screenFramebuffer:
		column, row, ok = framebuffer.column, framebuffer.row, true
	}
	handedOver = activeScreen
	activeScreen = screenNone
	outputLock.unlock()
	return column, row, ok
}

// handedOver is the screen HandOverScreen gave away (screen*), which
// ReclaimScreen takes back.
var handedOver uint32

// ReclaimScreen takes back the screen HandOverScreen gave a process, for
// a fault report, which must be seen on a machine with no serial line: the
// report is drawn from the bottom row up (what the process drew above it
// stays). It does nothing when the screen was never handed over.
//
// Preconditions: as for ReclaimSerial (the report forces the lock).
func ReclaimScreen() {
	if activeScreen != screenNone || handedOver == screenNone {
		return
	}
	activeScreen = handedOver
	switch activeScreen {
	case screenVGAText:
		vgaText.column, vgaText.row = 0, vgaRows-1
	case screenFramebuffer:
		framebuffer.column, framebuffer.row = 0, 0
		if framebuffer.rows > 0 {
			framebuffer.row = framebuffer.rows - 1
		}
	}
}
