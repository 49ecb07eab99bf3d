package linux

import (
	"sync/atomic"

	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/mem"
	"exogo/libos/uthread"
)

// sysClone makes a thread: the only shape the Go runtime uses, a thread
// in the same address space (CLONE_VM|CLONE_THREAD). The child returns
// from the same SYSCALL with RAX = 0 on stack newStack, with FS base tls
// under CLONE_SETTLS; the parent gets the child's thread ID. (A process
// is fork+exec's vfork path: vfork.go. fork is not built.)
func sysClone(context uintptr, current int, flags, newStack, parentTID, childTID, tls uint64) int64 {
	if flags&(abi.CloneVM|abi.CloneThread) != abi.CloneVM|abi.CloneThread {
		return -abi.EINVAL
	}
	if flags&abi.CloneSetTLS != 0 && !memCheck(uintptr(tls)-8, 8, true) {
		return -abi.EFAULT // the runtime's g slot must be writable
	}
	i := threads.New(processID)
	if i == uthread.None {
		return -abi.EAGAIN
	}
	th := threads.At(i)
	if th.Context == 0 {
		if th.Context = memPrivate(contextSize); th.Context == 0 {
			threads.Release(i)
			return -abi.EAGAIN
		}
	}
	copyContext(th.Context, context)
	put(th.Context, exo.ContextRax, 0)
	put(th.Context, exo.ContextRsp, newStack)
	put(th.Context, contextSavedGValid, 0)
	if flags&abi.CloneSetTLS != 0 {
		put(th.Context, exo.ContextFsBase, tls)
	}
	parent := threads.At(current)
	th.SignalMask = parent.SignalMask
	if flags&abi.CloneParentSetTID != 0 {
		putUser32(parentTID, th.ID)
	}
	if flags&abi.CloneChildSetTID != 0 {
		putUser32(childTID, th.ID)
	}
	if flags&abi.CloneChildClearTID != 0 {
		th.ClearChildTID = uintptr(childTID)
	}
	threads.Ready(i, callsHolder)
	return int64(th.ID)
}

// sysExit ends the calling thread (the runtime's exitThread: its stack
// may already be reused, so nothing here touches it). The last thread's
// exit ends the process.
func sysExit(current int, status uint64) int {
	th := threads.At(current)
	if th.ClearChildTID != 0 && putUser32(uint64(th.ClearChildTID), 0) {
		threads.Wake(th.ClearChildTID, 1, callsHolder)
	}
	// Its vCPU runs it no more (tgkill must not kick that vCPU for a new
	// thread in its slot).
	atomic.StoreInt32(&vcpus[uint(callsHolder)%exo.VcpuMax].current, 0)
	threads.Release(current)
	if threads.Live() == 0 {
		exitProcess(status)
	}
	return exited
}

// sysFutex serves the private futex operations the runtime uses: wait
// (with an optional relative timeout; the bitset form with an absolute
// one) and wake, on vCPU v without the call lock. A bad address is
// EFAULT, one not 4-byte aligned EINVAL. The wait reads the word holding its futex list's lock, which a
// wake takes too, so a wake that follows a store to the word is never
// lost.
func sysFutex(context uintptr, v, current int, address, op, value, timeout, bitset uint64) int {
	if address&3 != 0 {
		errno := int64(-abi.EINVAL) // a futex word is 4-byte aligned, as on Linux
		put(context, exo.ContextRax, uint64(errno))
		return resume
	}
	command := op &^ (abi.FutexPrivateFlag | abi.FutexClockRealtime)
	result := int64(0)
	switch command {
	case abi.FutexWait, abi.FutexWaitBitset:
		deadline, timed := uint64(0), timeout != 0
		if timed {
			ns, ok := readTimespec(timeout)
			if !ok {
				result = -abi.EINVAL
				break
			}
			if command == abi.FutexWaitBitset {
				if boot := uint64(bare.Info(exo.KernelInfoWallClockBoot)); op&abi.FutexClockRealtime != 0 {
					ns = max(ns, boot) - boot // a time before boot is long past
				}
				deadline = max(ns, 1) // (0 would be no deadline; an absolute 0 has passed)
			} else {
				deadline = bare.Now() + ns
			}
		}
		l := threads.LockWord(uintptr(address))
		word, ok := getUser32(address)
		switch {
		case !ok:
			result = -abi.EFAULT
		case word != uint32(value):
			result = -abi.EAGAIN
		case timed && deadline <= bare.Now():
			result = -abi.ETIMEDOUT // as Linux: after the word's check
		}
		if result != 0 {
			threads.UnlockWord(l)
			break
		}
		threads.BlockLocked(l, current, uintptr(address), deadline, -abi.ETIMEDOUT, 0)
		interruptIfSignalled(v, current)
		return block
	case abi.FutexWake, abi.FutexWakeBitset:
		if address == 0 {
			result = -abi.EFAULT
			break
		}
		n := int(value)
		if value > uthread.MaxThreads {
			n = uthread.MaxThreads
		}
		result = int64(threads.Wake(uintptr(address), n, v))
	default:
		result = -abi.ENOSYS
	}
	put(context, exo.ContextRax, uint64(result))
	return resume
}

// sysNanosleep blocks the thread until the time has passed.
func sysNanosleep(context uintptr, v, current int, request uint64) int {
	ns, ok := readTimespec(request)
	if !ok {
		errno := int64(-abi.EFAULT)
		put(context, exo.ContextRax, uint64(errno))
		return resume
	}
	if ns == 0 {
		put(context, exo.ContextRax, 0)
		return yield
	}
	threads.Block(current, 0, bare.Now()+ns, 0, 0)
	interruptIfSignalled(v, current)
	return block
}

// interruptIfSignalled ends the wait thread current (on vCPU v) has just
// begun, without the call lock, when a signal it does not block is
// pending: its call returns EINTR and the signal is delivered. A tgkill on
// another vCPU makes the signal pending and then interrupts the thread
// only if it is blocked already; the thread is blocked before this looks,
// so one of the two sees the other.
func interruptIfSignalled(v, current int) {
	th := threads.At(current)
	if atomic.LoadUint64(&th.PendingSignals)&^th.SignalMask != 0 {
		threads.Interrupt(current, -abi.EINTR, false, v)
	}
}

// sysArchPrctl sets or reads the FS base (the runtime's TLS). The new base
// must leave its -8 slot (the g word) writable: the upcall entry swaps it.
func sysArchPrctl(context uintptr, code, address uint64) int64 {
	switch code {
	case abi.ArchSetFS:
		if address < mem.UserStart+8 || !memCheck(uintptr(address)-8, 8, true) {
			return -abi.EPERM
		}
		put(context, exo.ContextFsBase, address)
		put(context, contextSavedGValid, 0) // the old block keeps the stand-in; the new one is the runtime's
		return 0
	case abi.ArchGetFS:
		if !putUser64(address, get(context, exo.ContextFsBase)) {
			return -abi.EFAULT
		}
		return 0
	}
	return -abi.EINVAL
}

// sysTgkill sends a signal to a thread of this process: it becomes
// pending and is delivered when the thread next resumes (the runtime's
// SIGURG for asynchronous preemption above all; a thread running on
// another vCPU is kicked, and gets it at once). A signal whose action is
// the default and ends the process ends it now, as on Linux. A thread
// blocked in a call, for a signal it does not block and handles, is
// interrupted as on Linux: its call returns EINTR, or, for a read or a
// wait4 and a handler installed with SA_RESTART, runs again after the
// handler (epoll_pwait, futex and nanosleep are never restarted).
func sysTgkill(context uintptr, current int, group, threadID, signal uint64) int64 {
	if signal == 0 || signal > abi.NumberOfSignals {
		return -abi.EINVAL
	}
	i := threads.ByID(threadID)
	if group != uint64(processID) || i == uthread.None {
		return -abi.ESRCH
	}
	if actions[signal%uint64(len(actions))].handler == 0 && terminatesByDefault(signal) {
		if dumpsCore(signal) {
			// A crash (the runtime's abort, a fault it passes on): say
			// where. An interrupt or a broken pipe ends it quietly, as on
			// Linux.
			var why reportLine
			why.str("sent by the program, whose action for it is the default")
			reportSignal(context, signal, &why)
		}
		killedBy(signal)
	}
	signalThread(i, current, signal)
	return 0
}

// signalThread makes signal pending for thread i (which has a handler
// for it), interrupts its blocking call, and kicks the vCPU that runs
// it, unless that is the caller's (current; -1 for none).
func signalThread(i, current int, signal uint64) {
	th := threads.At(i)
	atomic.OrUint64(&th.PendingSignals, abi.SignalBit(signal))
	if a := actions[signal%uint64(len(actions))]; th.State() == uthread.Blocked && th.SignalMask&abi.SignalBit(signal) == 0 && a.handler > 1 {
		restart := th.RestartCall != 0 && !neverRestarted(th.RestartCall-1) && a.flags&abi.SaRestart != 0
		if threads.Interrupt(i, -abi.EINTR, restart, callsHolder) {
			interruptedCalls++
		}
	}
	if k := runningOn(i); k >= 0 && i != current {
		kickSent++
		exo.VcpuKick(uint64(k)) // running on another vCPU: deliver it there now
	}
}

// neverRestarted reports whether a call a handler interrupts returns
// EINTR even with SA_RESTART, as Linux's waits for descriptors do.
func neverRestarted(number uint64) bool {
	switch number {
	case abi.SysEpollPwait, abi.SysEpollWait, abi.SysPoll, abi.SysPpoll, abi.SysPselect6:
		return true
	}
	return false
}

// dumpsCore reports whether a signal's default action is a core dump on
// Linux: a crash, which the libOS reports.
func dumpsCore(signal uint64) bool {
	switch signal {
	case abi.SIGQUIT, abi.SIGILL, abi.SIGTRAP, abi.SIGABRT, abi.SIGBUS, abi.SIGFPE, abi.SIGSEGV, 31:
		return true
	}
	return false
}

// terminatesByDefault reports whether a signal's default action ends the
// process (all but SIGCHLD, SIGURG, SIGWINCH and the stop signals).
func terminatesByDefault(signal uint64) bool {
	switch signal {
	case abi.SIGCHLD, abi.SIGURG, 28, abi.SIGSTOP, 18, 20, 21, 22:
		return false
	}
	return true
}
