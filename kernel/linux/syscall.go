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
// anything else is logged once and fails with abi.ENOSYS. This is restricted Go:
// it runs in trap context with interrupts disabled.
//
// A system call, for grep: trap.dispatch -> Syscall -> sys<Name>.
package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/kernel/console"
	"exogo/kernel/cpu"
	"exogo/kernel/sched"
	"exogo/kernel/timer"
)

// Error numbers (negated in RAX, as the Linux ABI returns them).
const ()

// System call numbers (x86-64).
const ()

// Counters for tests and the boot report.
var (
	SyscallCount  uint64
	unknownLogged abi.CallSet
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
	case abi.SysRead:
		result = sysReadFile(a0, a1, a2)
	case abi.SysWrite:
		result = sysWriteFile(a0, a1, a2)
	case abi.SysClose:
		result = sysCloseFile(a0)
	case abi.SysMmap:
		result = sysMmap(a0, a1, a2, a3, a4, a5)
	case abi.SysMprotect:
		result = sysMprotect(a0, a1, a2)
	case abi.SysMunmap:
		result = sysMunmap(a0, a1)
	case abi.SysMadvise:
		result = sysMadvise(a0, a1, a2)
	case abi.SysRtSigaction:
		result = sysSigaction(a0, a1, a2, a3)
	case abi.SysRtSigprocmask:
		result = sysSigprocmask(a0, a1, a2, a3)
	case abi.SysRtSigreturn:
		return sysSigreturn(f)
	case abi.SysSigaltstack:
		result = sysSigaltstack(a0, a1)
	case abi.SysSchedYield:
		f.RAX = 0
		return sched.Yield(now)
	case abi.SysNanosleep:
		return sysNanosleepCall(f, a0, now)
	case abi.SysClone:
		result = sysCloneThread(f, a0, a1, a2, a3, a4)
	case abi.SysExit:
		return sysExitThread(a0, now)
	case abi.SysExitGroup:
		sysExitGroupCall(a0)
	case abi.SysFutex:
		return sysFutexCall(f, a0, a1, a2, a3, now)
	case abi.SysArchPrctl:
		result = sysArchPrctlCall(f, a0, a1)
	case abi.SysGettid:
		if t := sched.Current(); t != nil {
			result = int64(t.ID)
		}
	case abi.SysGetpid:
		result = 1
	case abi.SysGetppid, abi.SysGetuid, abi.SysGetgid, abi.SysGeteuid, abi.SysGetegid:
		result = 0
	case abi.SysTgkill:
		result = sysTgkillCall(a0, a1, a2)
	case abi.SysClockGettime:
		result = sysClockGettimeCall(a0, a1)
	case abi.SysClockGetres:
		result = sysClockGetresCall(a1)
	case abi.SysGettimeofday:
		result = sysGettimeofdayCall(a0)
	case abi.SysSchedGetaffinity:
		result = sysSchedGetaffinityCall(a1, a2)
	case abi.SysGetrandom:
		result = sysGetrandomCall(a0, a1)
	case abi.SysUname:
		result = sysUnameCall(a0)
	case abi.SysEventfd2:
		result = sysEventfd(a0, a1)
	case abi.SysEpollCreate1:
		result = sysEpollCreate(a0)
	case abi.SysEpollCtl:
		result = sysEpollControl(a0, a1, a2, a3)
	case abi.SysEpollPwait:
		return sysEpollWait(f, a0, a1, a2, a3, now)
	case abi.SysOpenat:
		result = -abi.ENOENT // no files in the kernel's own personality
	case abi.SysFcntl:
		result = sysFcntlCall(a0, a1, a2)
	case abi.SysPrctl, abi.SysPrlimit64, abi.SysRseq, abi.SysPipe2:
		result = -abi.ENOSYS
	case crashTestNumber:
		crashNow()
	default:
		logUnknownOnce(f.RAX)
		result = -abi.ENOSYS
	}
	f.RAX = uint64(result)
	return deliverPending(f)
}

// logUnknownOnce reports the first use of each unimplemented call number.
func logUnknownOnce(number uint64) {
	if unknownLogged.Add(number) {
		console.WriteString("linux: system call ")
		console.WriteDecimal(number)
		console.WriteString(" is not implemented; returning ENOSYS\n")
	}
}
