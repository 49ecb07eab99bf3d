package linux

import (
	"sync/atomic"

	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/console"
	"exogo/libos/exo"
	"exogo/libos/uthread"
)

// The console as a terminal: the ioctls of a tty (termios, the window
// size, the bytes ready), epoll on it, and Ctrl-C as SIGINT. The settings
// live in the console's shared page (libos/console, termios.go), so all
// of the console's processes see one terminal, as on Linux; the line
// discipline in the input process acts on them.
//
// Ctrl-C (with ISIG) counts an interrupt in the shared page, and every
// process of the console watches that word: each takes SIGINT, as
// Linux's terminal signals its foreground process group. There is no job
// control: every process of the console is in the foreground (a shell
// catches SIGINT; the program it runs ends).

// sysIoctl serves ioctl: the terminal's requests on the console, and
// FIONBIO, FIOCLEX, FIONCLEX and FIONREAD on any descriptor that has
// them.
func sysIoctl(fd, request, argument uint64) int64 {
	f := fileAt(fd)
	if f == nil {
		return -abi.EBADF
	}
	switch request {
	case abi.FIOCLEX, abi.FIONCLEX:
		setCloexec(fd, request == abi.FIOCLEX)
		return 0
	case abi.FIONBIO:
		v, ok := getUser32(argument) // an int
		if !ok {
			return -abi.EFAULT
		}
		if v != 0 {
			f.flags |= abi.ONonblock
		} else {
			f.flags &^= abi.ONonblock
		}
		return 0
	}
	if f.kind == kindPipeRead && request == abi.FIONREAD {
		avail, _, _, _ := pipeState(f)
		return putInt32(argument, uint32(min(avail, pipeSize)))
	}
	if f.kind != kindConsole || cons.shared == 0 {
		return -abi.ENOTTY
	}
	return consoleIoctl(request, argument)
}

// consoleIoctl serves a terminal request on the console.
func consoleIoctl(request, argument uint64) int64 {
	sh := console.At(cons.shared)
	switch request {
	case abi.TCGETS:
		b, ok := userBytes(argument, console.TermiosSize, true)
		if !ok {
			return -abi.EFAULT
		}
		lockConsole(sh)
		sh.GetTermios(b)
		unlockConsole(sh)
	case abi.TCSETS, abi.TCSETSW, abi.TCSETSF:
		b, ok := userBytes(argument, console.TermiosSize, false)
		if !ok {
			return -abi.EFAULT
		}
		var t [console.TermiosSize]byte
		copy(t[:], b)
		lockConsole(sh)
		moved := sh.SetTermios(t[:], request == abi.TCSETSF)
		if moved {
			exo.WordNotify(sh.HeadAddress(), 64) // the line typed ahead is input now: other processes' readers
		}
		unlockConsole(sh)
		if moved {
			headMovedHere()
		}
	case abi.TCFLSH:
		if argument > 2 {
			return -abi.EINVAL
		}
		if argument != 1 { // TCIFLUSH, TCIOFLUSH: the input goes (output is never queued)
			lockConsole(sh)
			sh.Flush()
			unlockConsole(sh)
		}
	case abi.TIOCGWINSZ:
		b, ok := userBytes(argument, 8, true)
		if !ok {
			return -abi.EFAULT
		}
		rows, columns := uint32(24), uint32(80) // a serial terminal's, unknown: the usual
		if cons.screen.Kind != 0 && cons.screen.Rows != 0 && cons.screen.Columns != 0 {
			rows, columns = cons.screen.Rows, cons.screen.Columns
		}
		putWord(b, 0, uint64(rows&0xffff)|uint64(columns&0xffff)<<16)
	case abi.FIONREAD:
		lockConsole(sh)
		n := sh.Pending()
		unlockConsole(sh)
		return putInt32(argument, uint32(n))
	case abi.TIOCGPGRP, abi.TIOCSPGRP, abi.TIOCGSID:
		// Sessions and process groups are not built: the console is no
		// process's controlling terminal, which is Linux's ENOTTY. (So
		// a library that asks the terminal questions only of its
		// foreground, as termenv does, does not wait for answers a
		// terminal may never give.)
		return -abi.ENOTTY
	case abi.TIOCSWINSZ, abi.TIOCSCTTY, abi.TIOCNOTTY:
		// Accepted and changes nothing: the size is the screen's.
	default:
		return -abi.ENOTTY
	}
	return 0
}

// putInt32 stores v at user address, or fails with EFAULT.
func putInt32(address uint64, v uint32) int64 {
	if !putUser32(address, v) {
		return -abi.EFAULT
	}
	return 0
}

// consoleReady is what epoll reports for the console now: readable when
// a read would take something.
func consoleReady() uint32 {
	if cons.shared == 0 {
		return abi.EpollIn | abi.EpollHup // an end of file
	}
	sh := console.At(cons.shared)
	lockConsole(sh)
	n := sh.Pending()
	unlockConsole(sh)
	if n > 0 {
		return abi.EpollIn
	}
	return 0
}

// consolePolled wakes the epoll_pwait of the instances that watch the
// console (input came, or the idle loop looked): it is level-triggered,
// so they find it readable.
func consolePolled() {
	if consoleReady() == 0 {
		return
	}
	threads.Wake(selectKey, uthread.MaxThreads, callsHolder) // poll and select look again (poll.go)
	for i := range registrations {
		r := &registrations[i]
		if r.epoll == 0 {
			continue
		}
		if f := fileAt(uint64(r.fd)); f != nil && f.kind == kindConsole {
			threads.Wake(epollKey(uint(r.epoll-1)), uthread.MaxThreads, callsHolder)
		}
	}
}

// armPolledConsole makes the console's next input reach this process
// (the readers' watch of Head); it reports whether input is there
// already.
func armPolledConsole() bool {
	if cons.shared == 0 || consoleReady() != 0 {
		return true
	}
	sh := console.At(cons.shared)
	cons.waiting, cons.seen = true, atomic.LoadUint32(&sh.Head)
	if !cons.input && watchHead(sh) {
		return true
	}
	// Input that came between the look above and the watch is watched
	// as seen already: look again.
	return consoleReady() != 0
}

// interruptsSeen is the console's count of Ctrl-Cs this process has
// taken.
var interruptsSeen, quitsSeen uint32

// watchInterrupts starts the watch of the console's Ctrl-C count (at
// start, and after each word event ends it).
func watchInterrupts() {
	if cons.shared == 0 {
		return
	}
	sh := console.At(cons.shared)
	for tries := 0; tries < 4; tries++ {
		seen := interruptsSeen
		if exo.WordWatch(sh.InterruptsAddress(), uint64(seen)) != 1 {
			return
		}
		checkInterrupts() // it moved meanwhile
	}
}

// checkInterrupts takes SIGINT for each Ctrl-C typed since the last look
// (one signal for several: they are not queued), and watches again.
func checkInterrupts() {
	if cons.shared == 0 {
		return
	}
	sh := console.At(cons.shared)
	n, q := atomic.LoadUint32(&sh.Interrupts), atomic.LoadUint32(&sh.Quits)
	if n == interruptsSeen {
		return
	}
	interrupts := (n - q) != (interruptsSeen - quitsSeen)
	quits := q != quitsSeen
	interruptsSeen, quitsSeen = n, q
	if quits {
		// The libOS's own view first, for a program too stuck to print
		// its goroutines.
		bare.SayNumber("libos: Ctrl-\\: process ", int64(processID))
		bare.SayNumber("libos:   running vCPUs ", int64(running()))
		sayThreads()
		postSignal(abi.SIGQUIT)
	}
	if interrupts {
		postSignal(abi.SIGINT)
	}
	watchInterrupts()
}

// postSignal sends signal to this process from outside (the terminal):
// the default action ends it, an ignored one is dropped, and a handled
// one goes to the main thread, as tgkill would send it.
func postSignal(signal uint64) {
	if signal == 0 || signal > abi.NumberOfSignals {
		return
	}
	a := actions[signal%uint64(len(actions))]
	switch {
	case a.handler == 1: // SIG_IGN
		return
	case a.handler == 0 && terminatesByDefault(signal):
		killedBy(signal)
	case a.handler == 0:
		return
	}
	i := threads.ByID(uint64(processID))
	if i == uthread.None {
		bare.Say("libos: no main thread to take a signal\n")
		return
	}
	signalThread(i, -1, signal)
}
