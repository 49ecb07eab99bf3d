package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/libos/exo"
	"exogo/libos/uthread"
)

// eventfds and epoll: what the runtime's network poller uses (its timers,
// netpollBreak) and watches (eventfds, pipes: pipes.go).

// polls holds, for each descriptor an epoll instance watches, what it
// watches for, its data, the instance, and (pipes) the events not
// reported yet (edge-triggered: pipes.go). Per descriptor, not per
// description: two descriptors of one pipe end are watched apart.
var polls [maxFiles]pollState

type pollState struct {
	events  uint32
	pending uint32
	data    uint64
	stamp   uint64 // a pipe's counters when its events were last marked
	epfd    int32  // +1; 0: none
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

func sysEpollCreate(flags uint64) int64 { return allocateFD(kindEpoll) }

func sysEpollControl(epfd, op, fd, event uint64) int64 {
	e, f := fileAt(epfd), fileAt(fd)
	if e == nil || f == nil {
		return -abi.EBADF
	}
	if e.kind != kindEpoll || epfd == fd {
		return -abi.EINVAL
	}
	if f.kind != kindEventfd && f.kind != kindPipeRead && f.kind != kindPipeWrite {
		return -abi.EPERM // consoles and regular files are not pollable here
	}
	switch op {
	case abi.EpollCtlAdd, abi.EpollCtlMod:
		if (op == abi.EpollCtlAdd) == interested(e, fd) {
			if op == abi.EpollCtlAdd {
				return -abi.EEXIST
			}
			return -abi.ENOENT
		}
		b, ok := userBytes(event, abi.EpollEventSize, false)
		if !ok {
			return -abi.EFAULT
		}
		w := &polls[fd%maxFiles]
		w.events = uint32(word(b, 0))
		w.data = word(b, abi.EpollEventData)
		w.epfd = int32(epfd + 1)
		w.pending = pipeReady(f) // what holds now is reported once
		if f.kind == kindPipeRead || f.kind == kindPipeWrite {
			w.stamp = pipeStamp(f) // changes from here on are reported
		}
		setInterest(e, fd, true)
	case abi.EpollCtlDel:
		if !interested(e, fd) {
			return -abi.ENOENT
		}
		setInterest(e, fd, false)
	default:
		return -abi.EINVAL
	}
	return 0
}

// interested reports whether epoll instance e watches descriptor fd.
func interested(e *file, fd uint64) bool {
	return e.interest[fd/64%uint64(len(e.interest))]&(1<<(fd%64)) != 0
}

// setInterest adds fd to e's interest list, or takes it off.
func setInterest(e *file, fd uint64, on bool) {
	w := &e.interest[fd/64%uint64(len(e.interest))]
	if on {
		*w |= 1 << (fd % 64)
	} else {
		*w &^= 1 << (fd % 64)
	}
}

// epollKey is the wait address of threads blocked in epoll_pwait on epfd:
// below the lowest user address, so never a futex word.
func epollKey(epfd uint64) uintptr { return uintptr(0x1000 + epfd) }

// readyEvents writes the ready events of epoll instance e (up to capacity)
// at address and returns how many.
func readyEvents(e *file, address, capacity uint64) int64 {
	n := uint64(0)
	for fd := uint64(0); fd < maxFiles && n < capacity; fd++ {
		if !interested(e, fd) {
			continue
		}
		f := fileAt(fd)
		if f == nil {
			continue
		}
		ready := uint32(0)
		switch f.kind {
		case kindEventfd:
			if f.count != 0 {
				ready = abi.EpollIn & polls[fd%maxFiles].events
			}
		case kindPipeRead, kindPipeWrite:
			ready = polls[fd%maxFiles].pending & (polls[fd%maxFiles].events | abi.EpollErr | abi.EpollHup)
		}
		if ready == 0 {
			continue
		}
		b, ok := userBytes(address+n*abi.EpollEventSize, abi.EpollEventSize, true)
		if !ok {
			return -abi.EFAULT
		}
		polls[fd%maxFiles].pending = 0
		putWord(b, abi.EpollEventData, polls[fd%maxFiles].data)
		putWord32(b, abi.EpollEventEvents, ready)
		n++
	}
	return int64(n)
}

// sysEpollWait returns the ready events, or blocks until an eventfd on the
// list is written (the call then runs again) or the timeout passes (it
// returns 0).
func sysEpollWait(context uintptr, current int, epfd, events, capacity, timeoutMillis uint64) int {
	e := fileAt(epfd)
	result := int64(0)
	switch {
	case e == nil:
		result = -abi.EBADF
	case e.kind != kindEpoll || int64(capacity) <= 0:
		result = -abi.EINVAL
	default:
		result = readyEvents(e, events, capacity)
	}
	if result != 0 || int32(timeoutMillis) == 0 {
		put(context, exo.ContextRax, uint64(result))
		return resume
	}
	deadline := uint64(0)
	if int32(timeoutMillis) > 0 {
		deadline = nowNanos() + uint64(int32(timeoutMillis))*1e6
	}
	// Pipes change in other processes too: their next change must reach
	// this one (a word event) before it sleeps.
	if armPolledPipes(e) {
		pipeActivity()
		if result = readyEvents(e, events, capacity); result != 0 {
			put(context, exo.ContextRax, uint64(result))
			return resume
		}
	}
	// A wake-up runs the call again (to collect the events); the
	// deadline returns 0 events.
	threads.Block(current, epollKey(epfd), deadline, 0, restartCall(context))
	return block
}

// notifyEpoll wakes the threads waiting on the epoll instance watching fd.
func notifyEpoll(fd uint64) {
	f := fileAt(fd)
	if f == nil || polls[fd%maxFiles].epfd == 0 {
		return
	}
	epfd := uint64(polls[fd%maxFiles].epfd - 1)
	if e := fileAt(epfd); e != nil && interested(e, fd) {
		threads.Wake(epollKey(epfd), uthread.MaxThreads, callsHolder)
	}
}

// armPolledPipes arms the pipe ends epoll instance e watches (pipes.go)
// and reports whether one moved meanwhile.
func armPolledPipes(e *file) (moved bool) {
	for fd := uint64(0); fd < maxFiles; fd++ {
		if !interested(e, fd) {
			continue
		}
		if f := fileAt(fd); f != nil && (f.kind == kindPipeRead || f.kind == kindPipeWrite) && armPipe(f) {
			moved = true
		}
	}
	return moved
}
