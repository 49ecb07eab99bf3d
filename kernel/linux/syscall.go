// Package linux is the Linux personality of the kernel's own Go runtime.
//
// The kernel is an ordinary Go program (GOOS=linux) running in ring 0. Its
// runtime makes Linux system calls with the SYSCALL instruction; the trap
// entry sends them here (Syscall), and this package does what Linux would,
// with the kernel's own resources: memory from the frame table, threads from
// kernel/sched, time from kernel/timer, the console for fds 1 and 2. Faults
// in runtime-hosted code become Linux signals delivered to the runtime's
// handlers, so the runtime turns them into ordinary Go panics.
//
// Only what the runtime and the standard library's start-up use is here;
// anything else is logged once and fails with ENOSYS. This is restricted Go:
// it runs in trap context with interrupts disabled.
//
// A system call, for grep: trap.dispatch -> Syscall -> sys<Name>.
package linux

import (
	"exogo/kernel/console"
	"exogo/kernel/cpu"
	"exogo/kernel/sched"
	"exogo/kernel/timer"
)

// Error numbers (negated in RAX, as the Linux ABI returns them).
const (
	EPERM     = 1
	ENOENT    = 2
	EINTR     = 4
	EBADF     = 9
	EAGAIN    = 11
	ENOMEM    = 12
	EFAULT    = 14
	ENODEV    = 19
	EINVAL    = 22
	EMFILE    = 24
	ENOSYS    = 38
	ETIMEDOUT = 110
)

// System call numbers (x86-64).
const (
	numberRead             = 0
	numberWrite            = 1
	numberClose            = 3
	numberMmap             = 9
	numberMprotect         = 10
	numberMunmap           = 11
	numberRtSigaction      = 13
	numberRtSigprocmask    = 14
	numberRtSigreturn      = 15
	numberSchedYield       = 24
	numberMadvise          = 28
	numberNanosleep        = 35
	numberGetpid           = 39
	numberClone            = 56
	numberExit             = 60
	numberUname            = 63
	numberFcntl            = 72
	numberGettimeofday     = 96
	numberGetuid           = 102
	numberGetgid           = 104
	numberGeteuid          = 107
	numberGetegid          = 108
	numberGetppid          = 110
	numberSigaltstack      = 131
	numberPrctl            = 157
	numberArchPrctl        = 158
	numberGettid           = 186
	numberFutex            = 202
	numberSchedGetaffinity = 204
	numberEpollCtl         = 233
	numberClockGettime     = 228
	numberClockGetres      = 229
	numberExitGroup        = 231
	numberTgkill           = 234
	numberOpenat           = 257
	numberEpollPwait       = 281
	numberEventfd2         = 290
	numberEpollCreate1     = 291
	numberPipe2            = 293
	numberPrlimit64        = 302
	numberGetrandom        = 318
	numberRseq             = 334
	numberMax              = 512
)

// Counters for tests and the boot report.
var (
	SyscallCount  uint64
	unknownLogged [numberMax / 64]uint64
)

// Syscall carries out the system call saved in frame f (number in RAX,
// arguments in RDI, RSI, RDX, R10, R8, R9) for the running thread and
// returns the frame to resume: f with the result in RAX, or another
// thread's frame when the call blocks or switches.
func Syscall(f *cpu.Frame) uintptr {
	SyscallCount++
	now := timer.Nanotime()
	a0, a1, a2, a3, a4, a5 := f.RDI, f.RSI, f.RDX, f.R10, f.R8, f.R9
	var result int64
	switch f.RAX {
	case numberRead:
		result = sysReadFile(a0, a1, a2)
	case numberWrite:
		result = sysWriteFile(a0, a1, a2)
	case numberClose:
		result = sysCloseFile(a0)
	case numberMmap:
		result = sysMmap(a0, a1, a2, a3, a4, a5)
	case numberMprotect:
		result = sysMprotect(a0, a1, a2)
	case numberMunmap:
		result = sysMunmap(a0, a1)
	case numberMadvise:
		result = sysMadvise(a0, a1, a2)
	case numberRtSigaction:
		result = sysSigaction(a0, a1, a2, a3)
	case numberRtSigprocmask:
		result = sysSigprocmask(a0, a1, a2, a3)
	case numberRtSigreturn:
		return sysSigreturn(f)
	case numberSigaltstack:
		result = sysSigaltstack(a0, a1)
	case numberSchedYield:
		f.RAX = 0
		return sched.Yield(now)
	case numberNanosleep:
		return sysNanosleepCall(f, a0, now)
	case numberClone:
		result = sysCloneThread(f, a0, a1, a2, a3, a4)
	case numberExit:
		return sysExitThread(a0, now)
	case numberExitGroup:
		sysExitGroupCall(a0)
	case numberFutex:
		return sysFutexCall(f, a0, a1, a2, a3, now)
	case numberArchPrctl:
		result = sysArchPrctlCall(f, a0, a1)
	case numberGettid:
		if t := sched.Current(); t != nil {
			result = int64(t.ID)
		}
	case numberGetpid:
		result = 1
	case numberGetppid, numberGetuid, numberGetgid, numberGeteuid, numberGetegid:
		result = 0
	case numberTgkill:
		result = sysTgkillCall(a0, a1, a2)
	case numberClockGettime:
		result = sysClockGettimeCall(a0, a1)
	case numberClockGetres:
		result = sysClockGetresCall(a1)
	case numberGettimeofday:
		result = sysGettimeofdayCall(a0)
	case numberSchedGetaffinity:
		result = sysSchedGetaffinityCall(a1, a2)
	case numberGetrandom:
		result = sysGetrandomCall(a0, a1)
	case numberUname:
		result = sysUnameCall(a0)
	case numberEventfd2:
		result = sysEventfd(a0, a1)
	case numberEpollCreate1:
		result = sysEpollCreate(a0)
	case numberEpollCtl:
		result = sysEpollControl(a0, a1, a2, a3)
	case numberEpollPwait:
		return sysEpollWait(f, a0, a1, a2, a3, now)
	case numberOpenat:
		result = -ENOENT // no files in the kernel's own personality
	case numberFcntl:
		result = sysFcntlCall(a0, a1, a2)
	case numberPrctl, numberPrlimit64, numberRseq, numberPipe2:
		result = -ENOSYS
	case crashTestNumber:
		crashNow()
	default:
		logUnknownOnce(f.RAX)
		result = -ENOSYS
	}
	f.RAX = uint64(result)
	return deliverPending(f)
}

// logUnknownOnce reports the first use of each unimplemented call number.
func logUnknownOnce(number uint64) {
	if number < numberMax {
		word, bit := (number/64)%uint64(len(unknownLogged)), uint64(1)<<(number%64)
		if unknownLogged[word]&bit != 0 {
			return
		}
		unknownLogged[word] |= bit
	}
	console.WriteString("linux: system call ")
	console.WriteDecimal(number)
	console.WriteString(" is not implemented; returning ENOSYS\n")
}
