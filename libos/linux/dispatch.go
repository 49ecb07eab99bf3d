package linux

import (
	"sync/atomic"

	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
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

// Statistics, for the report and the benchmarks.
var (
	upcalls, foreignCalls, switches, idleSpins, signalsDelivered, alarms, alarmSets, kernelResumes, kicks, kickSent, interruptedCalls uint64
	callCounts                                                                                                                        [abi.SysMax]uint32
)

// dispatch handles one upcall on vCPU vcpuOf(context): context is its
// context slot, where the kernel saved the interrupted thread's registers
// (the thread is the vCPU's current one; a vCPU that just began has
// none). It takes the libOS's lock and ends by resuming a thread, which
// releases it; it never returns. (A page fault it can resolve at once
// takes only the memory lock: fastFault.)
func dispatch(context uintptr, event, detail, detail2 uint64) {
	v := vcpuOf(context)
	if cur := vcpus[uint(v)%exo.VcpuMax].current; event == exo.UpcallFault && detail == pageFaultVector && cur != 0 &&
		atomic.LoadUint64(&threads.At(int(cur-1)).PendingSignals) == 0 {
		// A page fault of the thread this vCPU runs (only this vCPU
		// changes its current), in memory the libOS commits lazily:
		// resolved under the memory lock alone, and the thread goes on
		// in user mode. The libOS's big lock, which another vCPU may
		// hold for long, is not needed (the thread, its registers and
		// the CPU's FS stay as they are). A thread with a signal
		// pending takes the slow path, which delivers it.
		if fastFault(detail2, get(context, exo.ContextErrorCode)) {
			resumeInUserMode(context, context)
		}
	}
	if event == exo.UpcallEpilogue {
		// The quantum ends and another process waits: give the CPU up
		// (not holding the lock), then go on where it was.
		exo.Yield()
	}
	lock()
	upcalls++
	me := &vcpus[uint(v)%exo.VcpuMax]
	me.fs = get(context, exo.ContextFsBase)
	current := int(me.current) - 1
	if current < 0 {
		// A vCPU that just began (vcpu_start): nothing to resume.
		runNext(v, context)
	}
	verdict := resume
	switch event {
	case exo.UpcallForeign:
		verdict = systemCall(context, current, detail)
	case exo.UpcallFault:
		verdict = fault(context, current, detail, detail2, get(context, exo.ContextErrorCode))
	case exo.UpcallStart:
		// The kernel took the CPU by force and gives it back: go on.
	case exo.UpcallKick:
		// Another vCPU has a signal for this one's thread: delivered
		// below.
		kicks++
	case exo.UpcallAlarm:
		// A time slice ended or a deadline passed (armAlarm): let the
		// threads whose deadlines passed and the others waiting run.
		alarms++
		me.armed = 0
		threads.Expire(bare.Now())
		if threads.Waiting() > 0 {
			verdict = yield
		}
	case exo.UpcallChild:
		// A child exited: collect it, and wake its waiters.
		reapChildren()
		if threads.Waiting() > 0 {
			verdict = yield
		}
	case exo.UpcallInterrupt:
		// What was typed: the console's input devices.
		consoleInterrupt(detail)
		if threads.Waiting() > 0 {
			verdict = yield
		}
	case exo.UpcallWord:
		// A word this process watches moved: the console's input.
		checkConsole()
		if threads.Waiting() > 0 {
			verdict = yield
		}
	case exo.UpcallRevocation:
		// The kernel asks for detail frames back by time detail2 (or,
		// with detail 0, says it took detail2 by force): the pool of free
		// frames goes back at once, which is all the libOS can give
		// without losing the program's data.
		if detail != 0 {
			exo.RevokeReply(memGiveBack(detail))
		} else {
			memDropPool()
		}
	}
	if verdict == resume {
		deliverPending(context, threads.At(current))
		armAlarm(v)
		continueThread(v, context, context)
	}
	// The thread leaves the CPU: keep its registers in its record.
	if verdict != exited {
		copyContext(threads.At(current).Context, context)
		if verdict == yield {
			threads.Ready(current)
		}
	}
	me.current = 0
	runNext(v, context)
}

// runNext picks the next thread to run on vCPU v and resumes it; when
// none is runnable it waits in the kernel (without the lock) for the
// earliest deadline or a wake from another vCPU. Called holding the lock.
func runNext(v int, slot uintptr) {
	me := &vcpus[uint(v)%exo.VcpuMax]
	idleSince := uint64(0)
	for {
		threads.Expire(bare.Now())
		if i := threads.Next(); i != uthread.None {
			switches++
			me.current = int32(i + 1)
			threads.Run(i)
			th := threads.At(i)
			if th.InCall != 0 {
				if th.RestartCall != 0 && th.TimedOut == 0 {
					// Back to the SYSCALL instruction (2 bytes), to run
					// the call again now that it can make progress.
					put(th.Context, exo.ContextRip, get(th.Context, exo.ContextRip)-2)
					put(th.Context, exo.ContextRax, th.RestartCall-1)
				} else {
					put(th.Context, exo.ContextRax, uint64(th.WakeResult))
				}
				th.InCall, th.RestartCall = 0, 0
			}
			deliverPending(th.Context, th)
			armAlarm(v)
			continueThread(v, th.Context, slot)
		}
		if threads.Live() == 0 {
			exo.Exit(0)
		}
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
		reapChildren()
		poll := checkConsole()
		if threads.Waiting() > 0 {
			continue
		}
		idleSpins++
		if me.armed != 0 {
			// No thread runs, so there is no slice to end; and a due
			// alarm, which cannot be delivered in here, would end every
			// wait at once. armAlarm sets it again when a thread runs.
			me.armed = 0
			alarmSets++
			exo.AlarmSet(0)
		}
		now := bare.Now()
		if idleSince == 0 {
			idleSince = now
		}
		deadline := threads.Earliest()
		if deadline == 0 {
			if now-idleSince >= watchdogAfter && v == 0 && running() == 0 {
				watchdog()
				idleSince = now
			}
			deadline = now + watchdogAfter
		}
		if poll && deadline > now+consolePoll {
			deadline = now + consolePoll // readers wait and the kernel watches nothing for them
		}
		if libosTLS := uint64(tlsBlockAddress()); me.fs != libosTLS {
			// The vCPU still has the FS of the thread it ran last,
			// whose g slot holds the stand-in only until another vCPU
			// resumes that thread: from then on the libOS's Go code
			// here would read the runtime's g. Take the libOS's own
			// TLS block before the lock lets the thread go.
			exo.TlsSet(uintptr(libosTLS))
			me.fs = libosTLS
		}
		me.idle = 1
		unlock()
		fired := exo.Wait(deadline)
		lock()
		me.idle = 0
		if fired > 0 && fired&0xffff != 0 {
			consoleInterrupt(uint64(fired) & 0xffff) // taken by the wait (vCPU 0)
		}
		if fired > 0 && fired&exo.WaitRevocation != 0 {
			// Memory is low and the kernel asks this idle process for
			// frames: the pool of free frames, all of it (the amount is
			// in the upcall, which comes only when a thread resumes).
			exo.RevokeReply(memGiveBack(0))
		}
	}
}

// slice is how long a thread runs while others wait, before the alarm
// hands the vCPU to the next.
const slice = 2_000_000

// armAlarm makes sure an alarm comes to vCPU v no later than the end of
// the running thread's slice (when others wait) and the earliest deadline
// of a blocked thread, so that a thread that makes no calls can neither
// starve the others nor delay a sleeper (the runtime's sysmon above all).
// It only ever brings the alarm forward: an alarm that comes early costs
// one upcall, which re-arms it, where moving it back and forth would cost
// a call at almost every switch.
func armAlarm(v int) {
	me := &vcpus[uint(v)%exo.VcpuMax]
	want := threads.Earliest()
	if threads.Waiting() > 0 {
		if end := bare.Now() + slice; want == 0 || end < want {
			want = end
		}
	}
	if want != 0 && (me.armed == 0 || want < me.armed) {
		me.armed = want
		alarmSets++
		exo.AlarmSet(want)
	}
}

// watchdogAfter is how long the process may have nothing to run and no
// deadline before the watchdog reports.
const watchdogAfter = 5_000_000_000

// continueThread resumes, on vCPU v, the thread whose registers are at
// context: in user mode when its FS base is the one the CPU has, through
// the kernel otherwise. First it wakes idle vCPUs for the threads left
// runnable, then it releases the lock: the thread is v's now, and no other
// vCPU touches its context.
func continueThread(v int, context, slot uintptr) {
	wakeIdle(v)
	if get(context, exo.ContextFsBase) == vcpus[uint(v)%exo.VcpuMax].fs {
		unlock()
		resumeInUserMode(context, slot)
	}
	kernelResumes++
	unlock()
	r := resumeThroughKernel(context, exo.CallUpcallResume)
	fatalNumber("upcall_resume refused a thread's context: ", r)
}

// copyContext copies a whole context (header and SSE state).
func copyContext(to, from uintptr) {
	for off := uintptr(0); off < exo.ContextSize; off += 8 {
		*(*uint64)(bare.At(to + off)) = *(*uint64)(bare.At(from + off))
	}
}

// watchdog prints every thread's state: nothing has been runnable, and no
// thread has a deadline, for watchdogAfter.
func watchdog() {
	bare.Say("libos: watchdog: no thread has been runnable for 5 s and none waits with a deadline; threads:\n")
	for i := 0; i < uthread.MaxThreads; i++ {
		th := threads.At(i)
		if th.State == uthread.Free {
			continue
		}
		bare.SayNumber("libos:   thread ", int64(th.ID))
		bare.SayNumber("libos:     state ", int64(th.State))
		bare.SayHex("libos:     waiting on ", uint64(th.WaitAddress))
		bare.SayNumber("libos:     deadline (ns since boot) ", int64(th.Deadline))
		bare.SayHex("libos:     at ", get(th.Context, exo.ContextRip))
	}
}

// pageFaultVector is the page fault's exception vector.
const pageFaultVector = 14

// fastFaults counts page faults resolved without the big lock.
var fastFaults uint64

// fastFault commits the page at address for the faulting access, under
// the memory lock only; false sends the fault down the slow path (a real
// fault, to become a signal). Pages are only ever added outside the big
// lock: the calls that remove them (munmap, MADV_DONTNEED, mprotect) hold
// it, which keeps the program's bytes that a call checked (memCheck)
// valid until it returns.
func fastFault(address, errorCode uint64) bool {
	ok := memFault(uintptr(address), errorCode&2 != 0, errorCode&16 != 0, errorCode&1 != 0)
	if ok {
		atomic.AddUint64(&fastFaults, 1)
	}
	return ok
}

// fault handles a CPU exception in the program: a page fault in memory
// the libOS commits lazily is resolved; anything else becomes the signal
// Linux would send (SIGSEGV, SIGBUS, SIGFPE, SIGILL) on the faulting
// thread, and when the thread has no handler for it (or blocks it), the
// process ends with status 128 + signal and a report.
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
	if vector == pageFault && memFault(uintptr(address), errorCode&2 != 0, errorCode&16 != 0, errorCode&1 != 0) {
		return resume
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
	exo.Exit(int64(128 + signal))
	return exited
}

// restartOnWake makes a blocked thread's call run again when it is woken
// (not when its deadline passes): the call's number, from its context.
func restartOnWake(context uintptr, current int) {
	threads.At(current).RestartCall = get(context, exo.ContextRax) + 1
}
