package exo

import (
	"sync/atomic"

	"exogo/kernel/process"
)

// Signals between processes (process_signal, signals_take): the kernel
// keeps each process's pending signals, a mask, and tells its libOS with
// the signal upcall or, on vCPU 0, a return of its wait; what a signal
// does (a handler, the default action) is the libOS's. Only SIGKILL is
// the kernel's own: it ends the process at once, whatever its libOS
// does. A process may signal another when it runs as root or as that
// process's user, as on Linux; as on Linux, SIGKILL does not end the
// first process (init), whose libOS also drops the signals it has no
// handler for.

// sigKill and the other numbers are Linux's (entry.go).

// sysProcessSignal sends signal (0: none, a check) to process id.
func sysProcessSignal(caller *Caller, id, signal uint32) int64 {
	if id == 0 || id > 0xffff {
		return -ErrNoSuchObject
	}
	p := process.ByID(uint16(id))
	if p == nil || (p.State != process.Created && p.State != process.Running) || p.Exiting {
		return -ErrNoSuchObject // gone, or going
	}
	if caller.Process.UID != 0 && caller.Process.UID != p.UID {
		return -ErrNoRight
	}
	switch {
	case signal == 0:
	case signal == sigKill && p.Parent == 0:
		// The first process, as Linux's init, is not killed from
		// outside (its end would end the system's).
	case signal == sigKill && p == caller.Process:
		caller.Resume = Terminate(p, ExitSignaled|sigKill, caller.Now())
	case signal == sigKill:
		endProcess(p, ExitSignaled|sigKill, true) // its parent is told, as of any end it did not cause
		if caller.Process.Exiting {
			// p was an ancestor of the caller, whose end takes the
			// caller too: its own vCPU ends here (endProcess skips it).
			caller.Resume = endVCPU(caller.Process, caller.Now())
		}
	default:
		atomic.OrUint64(&p.SignalsPending, 1<<(signal-1))
		wakeWaiter(p) // vCPU 0's wait returns WaitSignals; a running vCPU takes the upcall at its next trap
	}
	return 0
}

// sysSignalsTake takes the caller's pending signals.
func sysSignalsTake(caller *Caller) int64 {
	return int64(atomic.SwapUint64(&caller.Process.SignalsPending, 0))
}

// signalUpcall reports whether p has signals for the signal upcall.
func signalUpcall(p *process.Process) bool {
	return atomic.LoadUint64(&p.SignalsPending) != 0 && p.UpcallEntries[UpcallSignal] != 0
}

// Signaled reports whether exit status says its process was killed by a
// signal (exit Signaled and a signal in the low 7 bits, nothing else: a
// program's exit(300) is not).
func Signaled(status uint64) bool { return status&^0x7f == ExitSignaled }
