package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/libos/exo"
	"exogo/libos/uthread"
)

// eventfds and epoll: what the runtime's network poller uses (its timers,
// netpollBreak) and watches (eventfds, pipes: pipes.go), and what other
// programs poll (the console: tty.go).

// A registration is one descriptor on one epoll instance's interest list:
// what it watches for, its data and (pipes) the events not reported yet
// (edge-triggered: pipes.go). One descriptor may be on several instances
// (a program's own epoll beside the runtime's), each with its own data.
// Per descriptor, not per description: two descriptors of one pipe end
// are watched apart, as on Linux.
type registration struct {
	epoll   uint16 // the epoll description's index + 1; 0: a free entry
	fd      uint16
	events  uint32
	pending uint32
	data    uint64
	stamp   uint64 // a pipe's counters when its events were last marked
}

// maxRegistrations bounds the registrations of all instances together.
const maxRegistrations = 512

var registrations [maxRegistrations]registration

// registered returns the registration of fd on epoll description e, or
// nil.
func registered(e uint, fd uint64) *registration {
	for i := range registrations {
		if r := &registrations[i]; r.epoll == uint16(e)+1 && uint64(r.fd) == fd {
			return r
		}
	}
	return nil
}

// freeRegistration returns a free entry, or nil.
func freeRegistration() *registration {
	for i := range registrations {
		if r := &registrations[i]; r.epoll == 0 {
			return r
		}
	}
	return nil
}

// forgetRegistrations takes descriptor fd off every interest list (its
// close), or every registration of epoll description e (e's close) when
// fd is maxFiles.
func forgetRegistrations(fd uint64, e uint) {
	for i := range registrations {
		r := &registrations[i]
		if r.epoll != 0 && (uint64(r.fd) == fd || (fd == maxFiles && r.epoll == uint16(e)+1)) {
			*r = registration{}
		}
	}
}

func sysEventfd(initial, flags uint64) int64 {
	fd := allocateFD(kindEventfd)
	if fd >= 0 {
		f := fileAt(uint64(fd))
		f.count = initial & 0xffff_ffff
		f.flags = uint32(flags) & abi.ONonblock
	}
	return fd
}

func sysEpollCreate(flags uint64) int64 { return allocateFDFlags(kindEpoll, flags) }

// pollable reports whether a description of kind can be on an interest
// list.
func pollable(kind uint32) bool {
	switch kind {
	case kindEventfd, kindPipeRead, kindPipeWrite, kindConsole:
		return true
	}
	return false // regular files and directories are not pollable (as on Linux)
}

func sysEpollControl(epfd, op, fd, event uint64) int64 {
	e, f := fileAt(epfd), fileAt(fd)
	if e == nil || f == nil {
		return -abi.EBADF
	}
	if e.kind != kindEpoll || epfd == fd {
		return -abi.EINVAL
	}
	if !pollable(f.kind) {
		return -abi.EPERM
	}
	d, _ := descOf(epfd)
	r := registered(d, fd)
	switch op {
	case abi.EpollCtlAdd, abi.EpollCtlMod:
		if (op == abi.EpollCtlAdd) == (r != nil) {
			if op == abi.EpollCtlAdd {
				return -abi.EEXIST
			}
			return -abi.ENOENT
		}
		b, ok := userBytes(event, abi.EpollEventSize, false)
		if !ok {
			return -abi.EFAULT
		}
		if r == nil {
			if r = freeRegistration(); r == nil {
				return -abi.ENOSPC
			}
		}
		*r = registration{epoll: uint16(d) + 1, fd: uint16(fd), events: uint32(word(b, 0)), data: word(b, abi.EpollEventData)}
		if f.kind == kindPipeRead || f.kind == kindPipeWrite {
			r.stamp = pipeStamp(f) // changes from here on are reported (read first: one during the look below is a change too)
		}
		r.pending = pipeReady(f) // what holds now is reported once
	case abi.EpollCtlDel:
		if r == nil {
			return -abi.ENOENT
		}
		*r = registration{}
	default:
		return -abi.EINVAL
	}
	return 0
}

// epollKey is the wait address of threads blocked in epoll_pwait on epoll
// description e: below the lowest user address, so never a futex word.
func epollKey(e uint) uintptr { return uintptr(0x1000) + uintptr(e%maxOpen) }

// readyEvents writes the ready events of epoll description e (up to
// capacity) at address and returns how many.
func readyEvents(e uint, address, capacity uint64) int64 {
	n := uint64(0)
	for i := 0; i < maxRegistrations && n < capacity; i++ {
		r := &registrations[i]
		if r.epoll != uint16(e)+1 {
			continue
		}
		f := fileAt(uint64(r.fd))
		if f == nil {
			continue
		}
		ready := uint32(0)
		switch f.kind {
		case kindEventfd:
			if f.count != 0 {
				ready = abi.EpollIn & r.events
			}
		case kindPipeRead, kindPipeWrite:
			ready = r.pending & (r.events | abi.EpollErr | abi.EpollHup)
		case kindConsole:
			ready = consoleReady() & (r.events | abi.EpollHup) // level-triggered (tty.go)
		}
		if ready == 0 {
			continue
		}
		b, ok := userBytes(address+n*abi.EpollEventSize, abi.EpollEventSize, true)
		if !ok {
			return -abi.EFAULT
		}
		r.pending = 0
		putWord(b, abi.EpollEventData, r.data)
		putWord32(b, abi.EpollEventEvents, ready)
		n++
	}
	return int64(n)
}

// sysEpollWait returns the ready events, or blocks until an eventfd on the
// list is written (the call then runs again) or the timeout passes (it
// returns 0). (epoll_wait and epoll_pwait: the signal mask is not
// applied while it waits.)
func sysEpollWait(context uintptr, current int, epfd, events, capacity, timeoutMillis uint64) int {
	e := fileAt(epfd)
	d, _ := descOf(epfd)
	result := int64(0)
	switch {
	case e == nil:
		result = -abi.EBADF
	case e.kind != kindEpoll || int64(capacity) <= 0:
		result = -abi.EINVAL
	default:
		result = readyEvents(d, events, capacity)
	}
	timeout := int64(-1)
	if int32(timeoutMillis) >= 0 {
		timeout = int64(int32(timeoutMillis)) * 1e6
	}
	deadline, expired := callDeadline(current, abi.SysEpollPwait, timeout)
	if result != 0 || timeout == 0 || expired {
		callDone(current)
		put(context, exo.ContextRax, uint64(result))
		return resume
	}
	// Pipes and the console change in other processes too: their next
	// change must reach this one (a word event) before it sleeps.
	// One moved while its watch was set (the kernel then made none):
	// mark what changed and look again, until the watches hold.
	for round := 0; round < armRounds && armPolled(d); round++ {
		pipeActivity()
		if result = readyEvents(d, events, capacity); result != 0 {
			callDone(current)
			put(context, exo.ContextRax, uint64(result))
			return resume
		}
	}
	// A wake-up runs the call again (to collect the events); the
	// deadline returns 0 events.
	threads.Block(current, epollKey(d), deadline, 0, restartCall(context))
	return block
}

// wakePollers wakes the threads waiting on the epoll instances that watch
// fd; with ready non-zero it also marks those events pending (edge-
// triggered kinds).
func wakePollers(fd uint64, ready uint32) {
	threads.Wake(selectKey, uthread.MaxThreads, callsHolder) // poll and select look again (poll.go)
	for i := range registrations {
		if r := &registrations[i]; r.epoll != 0 && uint64(r.fd) == fd {
			r.pending |= ready
			threads.Wake(epollKey(uint(r.epoll-1)), uthread.MaxThreads, callsHolder)
		}
	}
}

// armPolled arms the pipe ends and the console that epoll description e
// watches (pipes.go, tty.go) and reports whether one moved meanwhile.
func armPolled(e uint) (moved bool) {
	for i := range registrations {
		r := &registrations[i]
		if r.epoll != uint16(e)+1 {
			continue
		}
		f := fileAt(uint64(r.fd))
		switch {
		case f == nil:
		case f.kind == kindPipeRead || f.kind == kindPipeWrite:
			moved = armPipe(f) || moved
		case f.kind == kindConsole:
			moved = armPolledConsole() || moved
		}
	}
	return moved
}
