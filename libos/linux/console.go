package linux

import (
	"sync/atomic"

	abi "exogo/abi/linuxabi"
	"exogo/arch/amd64"
	"exogo/libos/bare"
	"exogo/libos/console"
	"exogo/libos/exo"
	"exogo/libos/mem"
	"exogo/libos/uthread"
)

// The console driver's devices (libos/console has the terminal itself).
// File descriptors 0, 1 and 2 are the console: writes go to the serial
// port (COM1, whose ports the process holds) and to the screen segment;
// reads take typed lines from the shared page's input ring.
//
// The first process (it holds the devices) makes the shared page, links
// the screen, opens COM1 and the VGA cursor registers, and binds COM1's
// and the keyboard's interrupt lines: it is the input process, which
// runs the line discipline on each interrupt and notifies the ring's
// Head word. Its children get the page and the screen linked at the same
// addresses and the ports granted (grantConsole, at spawn), and pass them
// on to theirs. A reader with nothing to read blocks its thread; the
// input process wakes its own readers, others watch the Head word
// (word_watch) and get a word event when it moves.
//
// A process without a console (none was handed to it and it holds no
// devices) writes through the kernel's log (debug_write) and reads an
// end of file.

const (
	com1            = 0x3f8
	com1Ports       = 8
	com1Interrupt   = 1 // + com1: interrupt enable
	com1FIFO        = 2 // + com1: FIFO control
	com1Modem       = 4 // + com1: modem control
	com1Status      = 5 // + com1: line status
	com1DataReady   = 0x01
	com1SendReady   = 0x20
	vgaCursorPorts  = 0x3d4 // CRTC index, then data: the hardware cursor
	keyboardData    = 0x60
	lineKeyboard    = 1
	lineCOM1        = 4
	portsCOM1       = 1 // exo.StartAuxConsolePorts bits
	portsVGA        = 2
	maxConsoleWrite = 4096 // bytes written per call (the rest in the next)
	// consoleLockBreak is how long a process waits for the console's lock
	// before taking it: its holder may have been ended while holding it.
	consoleLockBreak = 200_000_000
	// consoleKey is the key of threads blocked reading the console.
	consoleKey = uintptr(0x10)
	// consolePoll is how often an idle process looks at the input ring
	// when the kernel could not watch it (word_watch refused).
	consolePoll = 10_000_000
	// drainLimit bounds the bytes taken from the UART per interrupt.
	drainLimit = 4096
	// showChunk is the bytes shown between two stamps of the lock.
	showChunk = 64
	// sendSpinLimit bounds the wait for the UART to take a byte.
	sendSpinLimit = 1 << 16
)

var cons struct {
	shared        uintptr // the shared page; 0: no console
	segment       uint64  // the shared page's segment
	screen        console.Screen
	screenSegment uint64
	ports         uint64 // portsCOM1 | portsVGA: the ports this process holds
	input         bool   // this process holds the input devices
	keyboard      console.Keyboard
	// Readers are blocked (waiting) until Head moves from seen; watching
	// says the kernel watches Head for this process.
	waiting  bool
	seen     uint32
	watching bool
	// Counters, for the report.
	brokenLocks, interrupts, typed uint64
}

// setupConsole makes or joins the console at start; the values are the
// start protocol's auxiliary entries.
func setupConsole(screenSegment, screenKind, consoleSegment, ports uint64) {
	if consoleSegment != 0 {
		// A child: the parent granted the page and the screen; linking
		// them here proves they exist (nothing is read before that).
		if exo.SegmentLink(consoleSegment, mem.ConsoleBase, exo.PermissionsWrite) != 0 ||
			console.At(mem.ConsoleBase).Magic != console.SharedMagic {
			bare.Say("libos: the console my parent gave cannot be linked or is not one; writing to the kernel's log\n")
			return
		}
		cons.shared, cons.segment, cons.ports = mem.ConsoleBase, consoleSegment, ports
		if screenKind != 0 && screenSegment != 0 && exo.SegmentLink(screenSegment, mem.ScreenBase, exo.PermissionsWrite) == 0 {
			cons.screenSegment = screenSegment
			cons.screen.Configure(mem.ScreenBase, mem.ScreenBase)
		}
		interruptsSeen = atomic.LoadUint32(&console.At(cons.shared).Interrupts)
		quitsSeen = atomic.LoadUint32(&console.At(cons.shared).Quits)
		watchInterrupts()
		return
	}
	if exo.IoportBind(com1, com1Ports) != 0 {
		return // no devices: the kernel's log
	}
	cons.ports = portsCOM1
	segment := exo.SegmentCreate(exo.LevelPT)
	if segment < 0 || exo.FrameAllocMap(uint64(segment), 0, exo.PermissionsWrite) < 0 ||
		exo.SegmentLink(uint64(segment), mem.ConsoleBase, exo.PermissionsWrite) != 0 {
		bare.Say("libos: no memory for the console's page; writing to the kernel's log\n")
		cons.ports = 0
		return
	}
	cons.segment = uint64(segment)
	sh := console.At(mem.ConsoleBase)
	sh.Init()
	cons.shared = mem.ConsoleBase
	if exo.IoportBind(vgaCursorPorts, 2) == 0 {
		cons.ports |= portsVGA
	}
	if screenKind != 0 && screenSegment != 0 && exo.SegmentLink(screenSegment, mem.ScreenBase, exo.PermissionsWrite) == 0 {
		cons.screenSegment = screenSegment
		if cons.screen.Configure(mem.ScreenBase, mem.ScreenBase) {
			// Go on below the kernel's boot log.
			row := uint32(*bare.Word(mem.ScreenBase + exo.ScreenCursorRow))
			if *bare.Word(mem.ScreenBase + exo.ScreenCursorColumn) != 0 {
				row++
			}
			sh.Row = row
			console.Write(sh, &cons.screen, nil)
		}
	}
	// The input devices: COM1's receive interrupt (the FIFO raises it at
	// each byte; OUT2 lets it out of the UART), the keyboard.
	if exo.IrqBind(lineCOM1) == 0 {
		amd64.OutByte(com1+com1FIFO, 0x07)
		amd64.OutByte(com1+com1Modem, 0x0b)
		amd64.OutByte(com1+com1Interrupt, 0x01)
		cons.input = true
	}
	if exo.IoportBind(keyboardData, 1) == 0 && exo.IrqBind(lineKeyboard) == 0 {
		cons.input = true
	}
}

// grantConsole grants child the console's page, the screen and the
// console's ports, before it starts; its libOS links the segments. It
// returns the auxiliary entries that tell it: the console's segment, the
// ports, the screen's segment and kind (0s when there is none).
func grantConsole(child uint64) (segment, ports, screenSegment, screenKind uint64) {
	if cons.shared == 0 {
		return 0, 0, 0, 0
	}
	const rights = exo.RightsLink | exo.RightsWrite | exo.RightsGrant
	if exo.SegmentGrant(cons.segment, child, rights) != 0 {
		return 0, 0, 0, 0
	}
	if cons.screen.Kind != 0 && exo.SegmentGrant(cons.screenSegment, child, rights) == 0 {
		screenSegment, screenKind = cons.screenSegment, cons.screen.Kind
	}
	if cons.ports&portsCOM1 != 0 && grantPorts(child, com1, com1Ports) {
		ports |= portsCOM1
	}
	if cons.ports&portsVGA != 0 && grantPorts(child, vgaCursorPorts, 2) {
		ports |= portsVGA
	}
	return cons.segment, ports, screenSegment, screenKind
}

func grantPorts(child uint64, first, count uint64) bool {
	for p := first; p < first+count; p++ {
		if exo.DeviceGrant(0x10000+p, child) != 0 {
			return false
		}
	}
	return true
}

// lockConsole takes the shared page's lock. Called holding the libOS's
// lock (the order is always that one first). A holder stamps LockedAt as
// it goes (show); a waiter that sees the same holder and stamp for
// consoleLockBreak takes the lock: that holder was ended while writing.
func lockConsole(sh *console.Shared) {
	me := 1 + processID
	var holder uint32
	var stamp, since uint64
	for spins := 1; !atomic.CompareAndSwapUint32(&sh.Lock, 0, me); spins++ {
		if spins%256 != 0 {
			continue
		}
		now := bare.Now()
		h, at := atomic.LoadUint32(&sh.Lock), atomic.LoadUint64(&sh.LockedAt)
		if h != holder || at != stamp || since == 0 {
			holder, stamp, since = h, at, now // a new holder, or progress
		} else if h != 0 && now-since > consoleLockBreak && atomic.CompareAndSwapUint32(&sh.Lock, h, me) {
			cons.brokenLocks++
			break
		}
		exo.Yield()
	}
	atomic.StoreUint64(&sh.LockedAt, bare.Now())
}

// unlockConsole lets the lock go, if this process still holds it.
func unlockConsole(sh *console.Shared) { atomic.CompareAndSwapUint32(&sh.Lock, 1+processID, 0) }

// consoleWrite writes b (a user buffer already checked) to the console
// and returns how much it wrote.
func consoleWrite(address uintptr, b []byte) int64 {
	if len(b) > maxConsoleWrite {
		b = b[:maxConsoleWrite]
	}
	if cons.shared == 0 {
		if len(b) > 0 && exo.DebugWrite(address, uint64(len(b))) < 0 {
			return -abi.EIO
		}
		return int64(len(b))
	}
	sh := console.At(cons.shared)
	lockConsole(sh)
	show(sh, address, b)
	unlockConsole(sh)
	return int64(len(b))
}

// show sends b to the serial line and the screen. Called holding the
// console's lock.
func show(sh *console.Shared, address uintptr, b []byte) {
	if cons.ports&portsCOM1 == 0 && len(b) > 0 && address != 0 {
		exo.DebugWrite(address, uint64(len(b)))
	}
	for len(b) > 0 {
		n := min(len(b), showChunk)
		chunk := b[:n]
		b = b[n:]
		if cons.ports&portsCOM1 != 0 {
			for _, c := range chunk {
				if c == '\n' {
					send('\r')
				}
				send(c)
			}
		}
		console.Write(sh, &cons.screen, chunk)
		atomic.StoreUint64(&sh.LockedAt, bare.Now()) // progress: the lock is not to be broken
	}
	if cons.ports&portsVGA != 0 && cons.screen.Kind == exo.ScreenKindVgaText {
		cell := cons.screen.CursorCell(sh)
		amd64.OutByte(vgaCursorPorts, 0x0f)
		amd64.OutByte(vgaCursorPorts+1, uint8(cell))
		amd64.OutByte(vgaCursorPorts, 0x0e)
		amd64.OutByte(vgaCursorPorts+1, uint8(cell>>8))
	}
}

// send puts one byte on the serial line.
func send(c byte) {
	for i := 0; i < sendSpinLimit && amd64.InByte(com1+com1Status)&com1SendReady == 0; i++ {
	}
	amd64.OutByte(com1, c)
}

// consoleRead reads typed bytes into b (for fd, whose flags say whether
// it blocks). When there are none it blocks the calling thread, and the
// call runs again once Head moves.
func consoleRead(context uintptr, current int, f *file, b []byte) int {
	if cons.shared == 0 {
		put(context, exo.ContextRax, 0) // no console: an end of file
		return resume
	}
	sh := console.At(cons.shared)
	for tries := 0; ; tries++ {
		lockConsole(sh)
		n, ok := console.Read(sh, b)
		head := atomic.LoadUint32(&sh.Head)
		unlockConsole(sh)
		if ok {
			put(context, exo.ContextRax, uint64(n))
			return resume
		}
		if f.flags&abi.ONonblock != 0 {
			putErrno(context, abi.EAGAIN)
			return resume
		}
		// Nothing for this reader at head: wait for Head to move from
		// there. If it moved before the watch was made, look again
		// (a thread blocked without a watch would wait for the idle
		// loop's look, which a busy process may not reach).
		cons.waiting, cons.seen = true, head
		if cons.input || !watchHead(sh) || tries >= 64 {
			break
		}
	}
	threads.Block(current, consoleKey, 0, 0, restartCall(context))
	return block
}

// watchHead asks the kernel for a word event when Head moves from seen;
// it reports whether Head has moved already.
func watchHead(sh *console.Shared) (moved bool) {
	r := exo.WordWatch(sh.HeadAddress(), uint64(cons.seen))
	cons.watching = r == 0 // else (refused) the idle loop polls
	return r == 1
}

// checkConsole wakes the threads blocked reading the console when Head
// has moved (a word event, or the idle loop's look before it waits). Any
// word event may have ended the kernel's watch, even one that did not
// move Head, so it watches again. It reports whether the idle loop must
// poll instead: readers wait and the kernel refused the watch.
func checkConsole() (poll bool) {
	checkInterrupts()
	if !cons.waiting || cons.shared == 0 {
		return false
	}
	sh := console.At(cons.shared)
	if atomic.LoadUint32(&sh.Head) == cons.seen && (cons.input || !watchHead(sh)) {
		return !cons.watching && !cons.input
	}
	threads.Wake(consoleKey, uthread.MaxThreads, callsHolder)
	cons.waiting, cons.watching = false, false
	consolePolled()
	return false
}

// consoleInterrupt serves the input devices' interrupt lines that fired
// (a bit mask): what was typed goes through the line discipline, is
// echoed, and wakes the readers.
func consoleInterrupt(lines uint64) {
	if !cons.input || cons.shared == 0 {
		return
	}
	cons.interrupts++
	sh := console.At(cons.shared)
	wake := false
	lockConsole(sh)
	interrupts := sh.Interrupts
	if lines&(1<<lineCOM1) != 0 && cons.ports&portsCOM1 != 0 {
		// All of it: the line is edge-triggered, and a UART left with
		// data would never raise it again.
		for i := 0; i < drainLimit && amd64.InByte(com1+com1Status)&com1DataReady != 0; i++ {
			wake = typed(sh, amd64.InByte(com1)) || wake
		}
	}
	if lines&(1<<lineKeyboard) != 0 {
		var bytes [4]byte
		n := cons.keyboard.Decode(amd64.InByte(keyboardData), bytes[:])
		for i := 0; i < n && i < len(bytes); i++ {
			wake = typed(sh, bytes[i]) || wake
		}
	}
	if wake {
		// Other processes' readers, before the lock goes: a reader that
		// takes the line and watches again meanwhile cannot have its new
		// watch ended by this notify.
		exo.WordNotify(sh.HeadAddress(), 64)
	}
	if sh.Interrupts != interrupts {
		exo.WordNotify(sh.InterruptsAddress(), ^uint64(0)) // Ctrl-C: every process of the console (tty.go)
	}
	unlockConsole(sh)
	if wake {
		headMovedHere()
	}
	checkInterrupts()
}

// headMovedHere wakes this process's console readers and pollers: the
// input ring's Head moved (other processes' were notified under the
// console's lock).
func headMovedHere() {
	if cons.waiting {
		threads.Wake(consoleKey, uthread.MaxThreads, callsHolder)
		cons.waiting = false
	}
	consolePolled()
}

// typed runs one typed byte through the line discipline and echoes it.
// Called holding the console's lock.
func typed(sh *console.Shared, c byte) bool {
	cons.typed++
	var echo [8]byte
	n, wake := console.Input(sh, c, echo[:])
	if n > 0 && n <= len(echo) {
		show(sh, 0, echo[:n])
	}
	return wake
}
