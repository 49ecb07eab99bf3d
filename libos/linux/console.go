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
	// Readers blocked until Head moves from seen (seen+1; 0: none), and
	// whether the kernel watches Head for this process.
	seen     uint32
	watching bool
	// Counters, for the report.
	brokenLocks, interrupts, typed uint64
}

// setupConsole makes or joins the console at start; the values are the
// start protocol's auxiliary entries.
func setupConsole(screenSegment, screenKind, consoleSegment, ports uint64) {
	if consoleSegment != 0 {
		// A child: the parent linked the page and the screen.
		if console.At(mem.ConsoleBase).Magic != console.SharedMagic {
			bare.Say("libos: the console page my parent linked is not one; writing to the kernel's log\n")
			return
		}
		cons.shared, cons.segment, cons.ports = mem.ConsoleBase, consoleSegment, ports
		if screenKind != 0 && screenSegment != 0 {
			cons.screenSegment = screenSegment
			cons.screen.Configure(mem.ScreenBase, mem.ScreenBase)
		}
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

// grantConsole links the console's page and the screen into child and
// grants it the console's ports, before it starts. It returns the
// auxiliary entries that tell the child's libOS: the console's segment,
// the ports, the screen's segment and kind (0s when there is none).
func grantConsole(child uint64) (segment, ports, screenSegment, screenKind uint64) {
	if cons.shared == 0 {
		return 0, 0, 0, 0
	}
	const rights = exo.RightsLink | exo.RightsWrite | exo.RightsGrant
	if exo.SegmentGrant(cons.segment, child, rights) != 0 ||
		exo.ProcessLinkSegment(child, cons.segment, mem.ConsoleBase, exo.PermissionsWrite) != 0 {
		return 0, 0, 0, 0
	}
	if cons.screen.Kind != 0 && exo.SegmentGrant(cons.screenSegment, child, rights) == 0 &&
		exo.ProcessLinkSegment(child, cons.screenSegment, mem.ScreenBase, exo.PermissionsWrite) == 0 {
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
// lock (the order is always that one first).
func lockConsole(sh *console.Shared) {
	me := 1 + processID
	started := uint64(0)
	for spins := 1; !atomic.CompareAndSwapUint32(&sh.Lock, 0, me); spins++ {
		if spins%256 != 0 {
			continue
		}
		now := bare.Now()
		if started == 0 {
			started = now
		}
		if holder := atomic.LoadUint32(&sh.Lock); now-started > consoleLockBreak && holder != 0 &&
			atomic.CompareAndSwapUint32(&sh.Lock, holder, me) {
			cons.brokenLocks++ // its holder was ended while writing
			break
		}
		exo.Yield()
	}
	sh.LockedAt = bare.Now()
}

func unlockConsole(sh *console.Shared) { atomic.StoreUint32(&sh.Lock, 0) }

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
	if cons.ports&portsCOM1 != 0 {
		for _, c := range b {
			if c == '\n' {
				send('\r')
			}
			send(c)
		}
	} else if len(b) > 0 && address != 0 {
		exo.DebugWrite(address, uint64(len(b)))
	}
	console.Write(sh, &cons.screen, b)
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

// consoleRead reads typed bytes into b. When there are none it blocks the
// calling thread, and the call runs again once Head moves.
func consoleRead(context uintptr, current int, b []byte) int {
	if cons.shared == 0 {
		put(context, exo.ContextRax, 0) // no console: an end of file
		return resume
	}
	sh := console.At(cons.shared)
	for tries := 0; tries < 4; tries++ {
		lockConsole(sh)
		n, ok := console.Read(sh, b)
		head := atomic.LoadUint32(&sh.Head)
		unlockConsole(sh)
		if ok {
			put(context, exo.ContextRax, uint64(n))
			return resume
		}
		if cons.input {
			break // the interrupt wakes this process's readers
		}
		if cons.watching && cons.seen == head+1 {
			break
		}
		r := exo.WordWatch(sh.HeadAddress(), uint64(head))
		if r == 1 {
			continue // it moved meanwhile: read again
		}
		cons.watching = r == 0 // else checkConsole polls (see runNext)
		cons.seen = head + 1
		break
	}
	if cons.seen == 0 {
		cons.seen = atomic.LoadUint32(&sh.Head) + 1
	}
	threads.Block(current, consoleKey, 0, 0)
	restartOnWake(context, current)
	return block
}

// checkConsole wakes the threads blocked reading the console when Head
// has moved (a word event, or the idle loop's look before it waits). It
// reports whether the idle loop should poll: readers wait and no watch
// could be made.
func checkConsole() (poll bool) {
	if cons.seen == 0 || cons.shared == 0 {
		return false
	}
	if atomic.LoadUint32(&console.At(cons.shared).Head)+1 != cons.seen {
		threads.Wake(consoleKey, uthread.MaxThreads)
		cons.seen, cons.watching = 0, false
		return false
	}
	return !cons.watching && !cons.input
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
	if lines&(1<<lineCOM1) != 0 && cons.ports&portsCOM1 != 0 {
		for i := 0; i < 64 && amd64.InByte(com1+com1Status)&com1DataReady != 0; i++ {
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
	unlockConsole(sh)
	if wake {
		threads.Wake(consoleKey, uthread.MaxThreads)
		if cons.seen != 0 && atomic.LoadUint32(&sh.Head)+1 != cons.seen {
			cons.seen = 0
		}
		exo.WordNotify(sh.HeadAddress(), 64) // other processes' readers
	}
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
