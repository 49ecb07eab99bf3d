package linux

import (
	"sync/atomic"

	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/mem"
	"exogo/libos/uthread"
)

// The libOS's offsets in a context's FXSAVE area (bytes 464-511 are free
// for software; entry_amd64.s uses the same).
const (
	contextSavedG      = exo.ContextFxsave + 464
	contextSavedGValid = exo.ContextFxsave + 472
)

// A handler's verdict on the calling thread.
const (
	resume = iota // the result is in the context: continue the thread
	block         // the thread blocked (uthread.Block): run another
	yield         // the thread stays runnable but lets the others run first
	exited        // the thread is gone: run another
)

// Statistics, for the report and the benchmarks (changed under the call
// lock; the per-vCPU ones are in vcpu).
var (
	signalsDelivered, kickSent, interruptedCalls uint64
	callCounts                                   [abi.SysMax]uint32 // atomic
)

// dispatch handles one upcall on vCPU vcpuOf(context): context is its
// context slot, where the kernel saved the interrupted thread's registers
// (the thread is the vCPU's current one; a vCPU that just began has
// none). It serves the event, taking the call lock only for the calls and
// events that need it (vcpu.go), and ends by resuming a thread; it never
// returns. (A page fault it can resolve at once takes only the memory
// lock: fastFault.)
func dispatch(context uintptr, event, detail, detail2 uint64) {
	v := vcpuOf(context)
	me := &vcpus[uint(v)%exo.VcpuMax]
	current := int(atomic.LoadInt32(&me.current)) - 1 // only v changes it
	if event == exo.UpcallFault && detail == pageFaultVector && current >= 0 &&
		atomic.LoadUint64(&threads.At(current).PendingSignals) == 0 {
		// A page fault of the thread this vCPU runs, in memory the libOS
		// commits lazily: resolved under the memory lock alone, and the
		// thread goes on in user mode (the thread, its registers and the
		// CPU's FS stay as they are). A thread with a signal pending
		// takes the slow path, which delivers it.
		if fastFault(detail2, get(context, exo.ContextErrorCode)) {
			resumeInUserMode(context, context, 0)
		}
	}
	if event == exo.UpcallEpilogue {
		// The quantum ends and another process waits: give the CPU up,
		// then go on where it was.
		exo.Yield()
	}
	me.upcalls++
	me.fs, me.gs = get(context, exo.ContextFsBase), get(context, exo.ContextGsBase)
	if current < 0 {
		// A vCPU that just began (vcpu_start): nothing to resume.
		runNext(v, context)
	}
	verdict := resume
	switch event {
	case exo.UpcallForeign:
		verdict = systemCall(context, v, current, detail)
	case exo.UpcallFault:
		lockCalls(v)
		verdict = fault(context, current, detail, detail2, get(context, exo.ContextErrorCode))
		unlockCalls()
	case exo.UpcallStart:
		// The kernel took the CPU by force and gives it back: go on.
	case exo.UpcallKick:
		// Another vCPU has a signal for this one's thread: delivered
		// below.
		me.kicks++
	case exo.UpcallAlarm:
		// A time slice ended or a deadline passed (armAlarm).
		me.alarms++
		verdict = alarmDue(v, bare.Now())
	case exo.UpcallSignal:
		// Another process sent signals (detail: the mask taken).
		lockCalls(v)
		postSignals(detail)
		unlockCalls()
	case exo.UpcallChild, exo.UpcallInterrupt, exo.UpcallWord:
		// A child exited (collect it and wake its waiters), or the
		// console's input devices have something (an interrupt, or a
		// word this process watches moved).
		lockCalls(v)
		switch event {
		case exo.UpcallChild:
			reapChildren()
		case exo.UpcallInterrupt:
			consoleInterrupt(detail)
		default:
			checkConsole()
			checkPipes()
		}
		unlockCalls()
		if !fifo && threads.Waiting() > 0 {
			verdict = yield
		}
	case exo.UpcallRevocation:
		// The kernel asks for detail frames back by time detail2 (or,
		// with detail 0, says it took detail2 by force): the pool of free
		// frames goes back at once, which is all the libOS can give
		// without losing the program's data.
		// (Under the call lock: the report goes to the console.)
		lockCalls(v)
		if detail != 0 {
			exo.RevokeReply(memGiveBack(detail))
		} else {
			memDropPool()
		}
		unlockCalls()
	}
	now := uint64(0)
	if verdict == resume {
		// The alarm's time may have passed while this vCPU was inside
		// upcalls: the kernel delivers an alarm only at a trap with
		// upcalls enabled, and a thread that makes calls back to back
		// seldom traps any other way. Act on it here, as its upcall
		// would, and disarm it in the kernel too: a due alarm left there
		// would end this vCPU's next wait at once, should it idle.
		if now = bare.Now(); me.armed != 0 && now >= me.armed {
			me.alarmSets++
			exo.AlarmSet(0)
			me.alarmsPassed++
			verdict = alarmDue(v, now)
		}
	}
	if verdict == resume {
		withSignals(v, context, threads.At(current))
		armAlarm(v, now)
		continueThread(v, current, context, context)
	}
	// The thread leaves the CPU: keep its registers in its record. (A
	// thread that blocked may be woken already; no vCPU takes it before
	// this one leaves its TLS block.)
	if verdict != exited {
		copyContext(threads.At(current).Context, context)
		if verdict == yield {
			threads.Ready(current, v)
		}
	} else {
		// Its TLS block is no longer a thread's (Release), and the
		// runtime may reuse its memory: take the libOS's own.
		me.fsThread = 0
		leaveThreadTLS(v)
	}
	atomic.StoreInt32(&me.current, 0)
	runNext(v, context)
}

// withSignals delivers a pending signal to thread th (whose registers are
// at context) before it resumes on vCPU v, under the call lock.
func withSignals(v int, context uintptr, th *uthread.Thread) {
	if atomic.LoadUint64(&th.PendingSignals) == 0 {
		return
	}
	lockCalls(v)
	deliverPending(context, th)
	unlockCalls()
}

// runNext picks the next thread to run on vCPU v and resumes it; when
// none is runnable it waits in the kernel for the earliest deadline or a
// wake from another vCPU.
func runNext(v int, slot uintptr) {
	me := &vcpus[uint(v)%exo.VcpuMax]
	idleSince := uint64(0)
	for {
		threads.Expire(bare.Now(), v)
		if i := threads.Take(v); i != uthread.None {
			if !threads.TryHold(i, v) {
				// The vCPU that ran it last is still on its TLS block:
				// wait for it, holding none (uthread's Hold).
				atomic.AddUint64(&threads.Holds, 1)
				leaveThreadTLS(v)
				hold(i, v)
			}
			me.switches++
			atomic.StoreInt32(&me.current, int32(i+1))
			th := threads.At(i)
			if th.InCall != 0 {
				if th.RestartCall != 0 && th.TimedOut == 0 {
					// Back to the SYSCALL instruction (2 bytes), to run
					// the call again now that it can make progress.
					put(th.Context, exo.ContextRip, get(th.Context, exo.ContextRip)-2)
					put(th.Context, exo.ContextRax, th.RestartCall-1)
				} else {
					put(th.Context, exo.ContextRax, uint64(th.WakeResult))
					callDone(i) // the call ends here (a deadline, a signal): its saved deadline goes
				}
				th.InCall, th.RestartCall = 0, 0
			}
			withSignals(v, th.Context, th)
			armAlarm(v, bare.Now())
			continueThread(v, i, th.Context, slot)
		}
		// The thread this vCPU ran last may run elsewhere from now on.
		leaveThreadTLS(v)
		// Nothing to run until a deadline passes or another vCPU makes
		// a thread runnable: give the CPU up until then (the kernel's
		// wait). With no deadline at all and no vCPU running a thread,
		// nothing in this process can make a thread runnable again; the
		// watchdog reports that once.
		// A child's end ends vCPU 0's wait too (its upcall cannot be
		// delivered in here): collect it before waiting, which also
		// tells the kernel it has been seen.
		// The same for console input, whose word event ends the wait
		// too.
		lockCalls(v)
		if threads.Live() == 0 {
			exo.Exit(0) // (sysExit ends the process with the status of the last thread's exit)
		}
		reapChildren()
		poll := checkConsole()
		poll = checkPipes() || poll
		unlockCalls()
		if threads.Waiting() > 0 {
			continue
		}
		me.idleRounds++
		if me.armed != 0 {
			// No thread runs, so there is no slice to end; and a due
			// alarm, which cannot be delivered in here, would end every
			// wait at once. armAlarm sets it again when a thread runs.
			me.armed = 0
			me.alarmSets++
			exo.AlarmSet(0)
		}
		now := bare.Now()
		if idleSince == 0 {
			idleSince = now
		}
		deadline := threads.Earliest()
		if deadline == 0 {
			if now-idleSince >= watchdogAfter && v == 0 && running() == 0 {
				lockCalls(v)
				watchdog()
				unlockCalls()
				idleSince = now
			}
			deadline = now + watchdogAfter
		}
		if poll && deadline > now+consolePoll {
			deadline = now + consolePoll // readers wait and the kernel watches nothing for them
		}
		atomic.StoreUint32(&me.idle, 1)
		if threads.Waiting() > 0 && atomic.CompareAndSwapUint32(&me.idle, 1, 0) {
			continue // made runnable since the look above (else a wake is on its way)
		}
		fired := exo.Wait(deadline)
		atomic.StoreUint32(&me.idle, 0)
		if fired > 0 && fired&0xffff != 0 {
			lockCalls(v)
			consoleInterrupt(uint64(fired) & 0xffff) // taken by the wait (vCPU 0)
			unlockCalls()
		}
		if fired > 0 && fired&exo.WaitSignals != 0 {
			// Signals from another process (their upcall cannot be
			// delivered in here).
			lockCalls(v)
			postSignals(uint64(exo.SignalsTake()))
			unlockCalls()
		}
		if fired > 0 && fired&exo.WaitRevocation != 0 {
			// Memory is low and the kernel asks this idle process for
			// frames: the pool of free frames, all of it (the amount is
			// in the upcall, which comes only when a thread resumes).
			lockCalls(v)
			exo.RevokeReply(memGiveBack(0))
			unlockCalls()
		}
	}
}

// hold waits until thread i can be vCPU v's. A holder lets go within
// microseconds of libOS code, or a little later when it waits for the call
// lock or the kernel preempts it; one that has not let go after holdGiveUp
// never will (a program wrote over the thread table), and the process
// ends with a report rather than hang.
func hold(i, v int) {
	start := bare.Now()
	for !threads.Hold(i, v, 1<<16) {
		if bare.Now()-start > holdGiveUp {
			fatal("a vCPU has not let go of a thread it ran for 60 s (the libOS's thread table is corrupt)")
		}
	}
}

// holdGiveUp is how long hold waits, in nanoseconds.
const holdGiveUp = 60_000_000_000

// watchdogAfter is how long the process may have nothing to run and no
// deadline before the watchdog reports.
const watchdogAfter = 5_000_000_000

// continueThread resumes thread i, whose registers are at context, on
// vCPU v: in user mode when its GS base is the one the CPU has and so is
// its FS base, or user mode may write the FS base (userBases); through
// the kernel otherwise. First it wakes idle vCPUs for the
// threads left runnable. The resume, in assembly, lets go of the thread
// whose TLS block v leaves.
func continueThread(v, i int, context, slot uintptr) {
	wakeIdle(v)
	me := &vcpus[uint(v)%exo.VcpuMax]
	release := releaseFor(v, i)
	fs, sameGS := get(context, exo.ContextFsBase), get(context, exo.ContextGsBase) == me.gs
	if fs == me.fs && sameGS {
		resumeInUserMode(context, slot, release)
	}
	if userBases && sameGS {
		me.fs = fs
		me.userSwitches++
		resumeSettingFS(context, slot, release)
	}
	me.kernelResumes++
	r := resumeThroughKernel(context, exo.CallUpcallResume, release)
	fatalNumber("upcall_resume refused a thread's context: ", r)
}

// watchdog prints every thread's state: nothing has been runnable, and no
// thread has a deadline, for watchdogAfter.
func watchdog() {
	bare.Say("libos: watchdog: no thread has been runnable for 5 s and none waits with a deadline; threads:\n")
	sayThreads()
}

// sayThreads lists the threads on the kernel's log: their states, what
// they wait on, where they are (the watchdog's, and Ctrl-\'s: tty.go).
func sayThreads() {
	for i := 0; i < uthread.MaxThreads; i++ {
		th := threads.At(i)
		if th.State() == uthread.Free {
			continue
		}
		bare.SayNumber("libos:   thread ", int64(th.ID))
		bare.SayNumber("libos:     state ", int64(th.State()))
		bare.SayHex("libos:     waiting on ", uint64(th.WaitAddress))
		bare.SayNumber("libos:     deadline (ns since boot) ", int64(th.Deadline()))
		bare.SayHex("libos:     at ", get(th.Context, exo.ContextRip))
	}
}

// pageFaultVector is the page fault's exception vector.
const pageFaultVector = 14

// fastFaults counts page faults resolved without the call lock.
var fastFaults uint64

// fastFault commits the page at address for the faulting access, under
// the memory lock only; false sends the fault down the slow path (a real
// fault, to become a signal). Pages are only ever added outside the big
// lock: the calls that remove them (munmap, MADV_DONTNEED, mprotect) hold
// it, which keeps the program's bytes that a call checked (memCheck)
// valid until it returns.
func fastFault(address, errorCode uint64) bool {
	ok := memFault(uintptr(address), errorCode&2 != 0, errorCode&16 != 0, errorCode&1 != 0) == mem.Resolved
	if ok {
		atomic.AddUint64(&fastFaults, 1)
	}
	return ok
}

// fault handles a CPU exception in the program: a page fault in memory
// the libOS commits lazily is resolved; anything else becomes the signal
// Linux would send (SIGSEGV, SIGBUS, SIGFPE, SIGILL) on the faulting
// thread, and when the thread has no handler for it (or blocks it), the
// process is killed by the signal (killedBy), with a report.
func fault(context uintptr, current int, vector, address, errorCode uint64) int {
	const (
		divideError        = 0
		invalidOpcode      = 6
		generalProtection  = 13
		pageFault          = 14
		floatingPointError = 16
		alignmentCheck     = 17
		simdError          = 19
	)
	result := mem.Refused
	if vector == pageFault {
		result = memFault(uintptr(address), errorCode&2 != 0, errorCode&16 != 0, errorCode&1 != 0)
	}
	if result == mem.Resolved {
		return resume
	}
	if result == mem.NoMemory {
		// No frame for a page the program may touch: the machine's
		// memory (or the process's share of it) is used up. Linux's
		// OOM killer would send SIGKILL; so does this, with a report.
		var why reportLine
		why.str("out of memory: the kernel gave no frame (or page table) for the page at ").hex(address).
			str(" (").dec((atomic.LoadUint64(&mem.Commits) - atomic.LoadUint64(&mem.Freed)) * mem.PageSize >> 20).str(" MiB in use by this process)")
		reportSignal(context, abi.SIGKILL, &why)
		killedBy(abi.SIGKILL)
		return exited
	}
	rip := get(context, exo.ContextRip)
	signal, code, at := uint64(abi.SIGSEGV), int64(abi.SiKernel), uint64(0)
	switch vector {
	case pageFault:
		code, at = abi.SegvMaperr, address
		if errorCode&1 != 0 {
			code = abi.SegvAccerr // the page is there: a protection fault
		}
	case divideError:
		signal, code, at = abi.SIGFPE, abi.FpeIntdiv, rip
	case floatingPointError, simdError:
		signal, code, at = abi.SIGFPE, 0, rip
	case invalidOpcode:
		signal, code, at = abi.SIGILL, abi.IllIllopn, rip
	case alignmentCheck:
		signal, code, at = abi.SIGBUS, abi.BusAdrerr, address
	case generalProtection:
	}
	if current >= 0 && deliver(context, threads.At(current), signal, code, at, vector, errorCode) {
		return resume
	}
	var why reportLine
	why.str("a fault it does not handle: CPU exception ").dec(vector)
	if vector == pageFault {
		why.str(" touching address ").hex(address)
	}
	reportSignal(context, signal, &why)
	killedBy(signal)
	return exited
}

// restartCall is what a blocked thread's record keeps so that a wake-up
// (not its deadline) runs its call again: the call's number, from its
// context, plus one (uthread.Block's restart).
func restartCall(context uintptr) uint64 { return get(context, exo.ContextRax) + 1 }
