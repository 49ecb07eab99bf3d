package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/libos/exo"
	"exogo/libos/uthread"
)

// poll, ppoll and pselect6: a program's own waits on descriptors (a
// terminal library waiting for the terminal's answer with a timeout).
// Readiness is epoll's (the console is readable with input, a pipe as
// pipes.go says, eventfds with a count; files and devices always are).
// A waiting thread arms the console and its pipes as epoll_pwait does and
// blocks on selectKey, which every change of the console and the pipes
// wakes; its call then runs again.

// selectKey is the wait address of threads blocked in poll or select.
const selectKey = uintptr(0x3900)

// The poll events (the same bits as epoll's).
const (
	pollIn   = 0x1
	pollOut  = 0x4
	pollErr  = 0x8
	pollHup  = 0x10
	pollNval = 0x20
)

// fdReady is what descriptor fd is ready for now (poll's bits).
func fdReady(fd uint64) uint32 {
	f := fileAt(fd)
	if f == nil {
		return pollNval
	}
	switch f.kind {
	case kindConsole:
		return consoleReady() | pollOut
	case kindPipeRead, kindPipeWrite:
		return pipeReady(f)
	case kindEventfd:
		if f.count != 0 {
			return pollIn | pollOut
		}
		return pollOut
	case kindEpoll:
		return 0
	}
	return pollIn | pollOut
}

// armFD makes descriptor fd's next change reach this process (the
// console's, a pipe's); it reports whether it moved meanwhile.
func armFD(fd uint64) bool {
	f := fileAt(fd)
	switch {
	case f == nil:
	case f.kind == kindConsole:
		return armPolledConsole()
	case f.kind == kindPipeRead || f.kind == kindPipeWrite:
		// The stamp is read before the look, and kept only when the
		// look finds f cannot go (see blockOnPipe): a change after it
		// wakes the waiter; one before it is what the look saw.
		stamp := pipeStamp(f)
		moved := armPipe(f)
		if !moved {
			f.stamp = stamp
		}
		return moved
	}
	return false
}

// waits holds, per thread, the deadline of the wait it blocked in: a
// wake runs the call again, which must keep the deadline it began with
// (poll, ppoll, pselect6, epoll_wait: callDeadline).
var waits [uthread.MaxThreads]struct {
	number   uint64 // the call + 1; 0: none
	timeout  int64
	deadline uint64
}

// callDeadline is the deadline of thread current's wait of timeout
// nanoseconds (negative: none; 0 for none) in call number: the one saved
// when the same call blocked and now runs again, else now + timeout. It
// reports expired when that deadline has passed (the call returns at
// once). callDone forgets it when the call returns.
func callDeadline(current int, number uint64, timeout int64) (deadline uint64, expired bool) {
	w := &waits[uint(current)%uthread.MaxThreads]
	if timeout < 0 {
		w.number = 0
		return 0, false
	}
	now := nowNanos()
	if w.number != number+1 || w.timeout != timeout {
		w.number, w.timeout, w.deadline = number+1, timeout, now+uint64(timeout)
	}
	return w.deadline, now >= w.deadline
}

// callDone forgets thread current's saved deadline: its call returns.
func callDone(current int) { waits[uint(current)%uthread.MaxThreads].number = 0 }

// armRounds bounds the looks of a poll or select whose descriptors keep
// moving while they are armed (after that it waits, and the idle loop's
// look finds the change).
const armRounds = 64

// waitReady blocks the calling thread until something waited for may
// have changed or deadline (0: none) passes (the call then returns 0).
func waitReady(context uintptr, current int, deadline uint64) int {
	threads.Block(current, selectKey, deadline, 0, restartCall(context))
	return block
}

// sysPoll serves poll (timeout in milliseconds, negative: none) and ppoll
// (a timespec, 0: none; its signal mask is not applied).
func sysPoll(context uintptr, current int, fds, nfds uint64, timeout int64) int {
	const pollfdSize = 8
	if nfds > maxFiles {
		putErrno(context, abi.EINVAL)
		return resume
	}
	b, ok := userBytes(fds, nfds*pollfdSize, true)
	if !ok && nfds > 0 {
		putErrno(context, abi.EFAULT)
		return resume
	}
	for round := 0; ; round++ {
		count, moved := int64(0), false
		for k := uint64(0); k < nfds; k++ {
			at := int(k * pollfdSize)
			entry := word(b, at)
			fd, events := int32(uint32(entry)), uint32(entry>>32)&0xffff
			revents := uint32(0)
			if fd >= 0 {
				revents = fdReady(uint64(fd)) & (events | pollErr | pollHup | pollNval)
				if revents == 0 && timeout != 0 && round < armRounds {
					moved = armFD(uint64(fd)) || moved
				}
			}
			putWord(b, at, entry&0x0000_ffff_ffff_ffff|uint64(revents)<<48)
			if revents != 0 {
				count++
			}
		}
		deadline, expired := callDeadline(current, abi.SysPoll, timeout)
		switch {
		case count > 0 || timeout == 0 || expired:
			callDone(current)
			put(context, exo.ContextRax, uint64(count))
			return resume
		case moved && round < armRounds:
			continue // a descriptor moved while its watch was set: look again (a watch the kernel did not make wakes nothing)
		}
		return waitReady(context, current, deadline)
	}
}

// sysPselect6 serves pselect6 (and select's wait) on the read and write
// sets; nothing is ever exceptional.
func sysPselect6(context uintptr, current int, nfds, readSet, writeSet, exceptSet, timeoutAddress uint64) int {
	if nfds > maxFiles {
		putErrno(context, abi.EINVAL)
		return resume
	}
	words := (nfds + 63) / 64
	var sets [3][]byte
	for i, address := range [3]uint64{readSet, writeSet, exceptSet} {
		if address == 0 {
			continue
		}
		s, ok := userBytes(address, words*8, true)
		if !ok {
			putErrno(context, abi.EFAULT)
			return resume
		}
		sets[i] = s
	}
	timeout := int64(-1)
	if timeoutAddress != 0 {
		ns, ok := readTimespec(timeoutAddress)
		if !ok {
			putErrno(context, abi.EINVAL)
			return resume
		}
		timeout = int64(ns)
	}
	var ready [2][maxFiles / 64]uint64
	for round := 0; ; round++ {
		count, moved := int64(0), false
		ready = [2][maxFiles / 64]uint64{}
		for fd := uint64(0); fd < nfds; fd++ {
			for i, want := range [2]uint32{pollIn | pollHup | pollErr, pollOut | pollErr} {
				if sets[i] == nil || word(sets[i], int(fd/64*8))&(1<<(fd%64)) == 0 {
					continue
				}
				r := fdReady(fd)
				if r&pollNval != 0 {
					putErrno(context, abi.EBADF)
					return resume
				}
				if r&want != 0 {
					ready[i][fd/64%(maxFiles/64)] |= 1 << (fd % 64)
					count++
				} else if timeout != 0 && round < armRounds {
					moved = armFD(fd) || moved
				}
			}
		}
		deadline, expired := callDeadline(current, abi.SysPselect6, timeout)
		switch {
		case count > 0 || timeout == 0 || expired:
			callDone(current)
			for i := range sets {
				for k := uint64(0); k < words && sets[i] != nil; k++ {
					v := uint64(0)
					if i < 2 {
						v = ready[i][k%(maxFiles/64)]
					}
					putWord(sets[i], int(k*8), v)
				}
			}
			put(context, exo.ContextRax, uint64(count))
			return resume
		case moved && round < armRounds:
			continue // a descriptor moved while its watch was set: look again (a watch the kernel did not make wakes nothing)
		}
		return waitReady(context, current, deadline)
	}
}
