package linux

import (
	"sync/atomic"

	"unsafe"

	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/mem"
)

// The registers of a system call, as offsets in a context.
const (
	argument0 = exo.ContextRdi
	argument1 = exo.ContextRsi
	argument2 = exo.ContextRdx
	argument3 = exo.ContextR8 + 16 // R10
	argument4 = exo.ContextR8      // R8
	argument5 = exo.ContextR8 + 8  // R9
)

// atFdcwd is AT_FDCWD as a call's argument register holds it.
const atFdcwd = 1<<64 + abi.AtFdcwd

// unknownLogged has a bit per call number already reported as missing.
var unknownLogged abi.CallSet

// systemCall serves Linux call number for thread current, whose registers
// are at context, on vCPU v, and returns the verdict (dispatch.go).
// Results go in the context's RAX; a handler that blocks the thread leaves
// its result to the wake-up (uthread's WakeResult). The calls on the hot
// paths are served without the call lock; the others hold it (lockedCall).
func systemCall(context uintptr, v, current int, number uint64) int {
	vcpus[uint(v)%exo.VcpuMax].linuxCalls++
	if number < abi.SysMax {
		atomic.AddUint32(&callCounts[number], 1)
	}
	var result int64
	switch number {
	case abi.SysFutex:
		return sysFutex(context, v, current, get(context, argument0), get(context, argument1),
			get(context, argument2), get(context, argument3), get(context, argument5))
	case abi.SysSchedYield:
		put(context, exo.ContextRax, 0)
		return yield
	case abi.SysNanosleep:
		return sysNanosleep(context, v, current, get(context, argument0))
	case abi.SysGettid:
		result = int64(threads.At(current).ID)
	case abi.SysGetpid:
		result = int64(processID)
	default:
		lockCalls(v)
		var verdict int
		if vfork.active && vfork.thread == current {
			verdict = vforkCall(context, current, number) // a vfork child's (vfork.go)
		} else {
			verdict = lockedCall(context, current, number)
		}
		unlockCalls()
		return verdict
	}
	put(context, exo.ContextRax, uint64(result))
	return resume
}

// lockedCall serves the calls that hold the call lock.
func lockedCall(context uintptr, current int, number uint64) int {
	a0, a1, a2 := get(context, argument0), get(context, argument1), get(context, argument2)
	a3, a4, a5 := get(context, argument3), get(context, argument4), get(context, argument5)
	var result int64
	switch number {
	case abi.SysRead:
		if f := fileAt(a0); f != nil && f.kind == kindConsole {
			b, ok := userBytes(a1, a2, true)
			if !ok {
				putErrno(context, abi.EFAULT)
				return resume
			}
			return consoleRead(context, current, f, b)
		}
		if f := fileAt(a0); f != nil && f.kind == kindPipeRead {
			return pipeCall(context, current, f, a1, a2, false)
		}
		result = sysRead(a0, a1, a2)
	case abi.SysWrite:
		if f := fileAt(a0); f != nil && f.kind == kindPipeWrite {
			return pipeCall(context, current, f, a1, a2, true)
		}
		result = sysWrite(a0, a1, a2)
	case abi.SysPipe2:
		result = sysPipe2(a0, a1)
	case abi.SysPipe:
		result = sysPipe2(a0, 0)
	case abi.SysClose:
		result = sysClose(a0)
	case abi.SysFstat:
		result = sysFstat(a0, a1)
	case abi.SysMmap:
		mem.Lock()
		result = sysMmap(a0, a1, a2, a3, a4, a5)
		mem.Unlock()
	case abi.SysMunmap:
		mem.Lock()
		result = sysMunmap(a0, a1)
		mem.Unlock()
	case abi.SysMprotect:
		mem.Lock()
		result = sysMprotect(a0, a1, a2)
		mem.Unlock()
	case abi.SysMadvise:
		mem.Lock()
		result = sysMadvise(a0, a1, a2)
		mem.Unlock()
	case abi.SysRtSigaction:
		result = sysSigaction(a0, a1, a2, a3)
	case abi.SysRtSigprocmask:
		result = sysSigprocmask(current, a0, a1, a2, a3)
	case abi.SysSigaltstack:
		result = sysSigaltstack(current, a0, a1)
	case abi.SysRtSigreturn:
		if !sysSigreturn(context, threads.At(current)) {
			bare.SayHex("libos: rt_sigreturn without a signal frame at ", get(context, exo.ContextRsp))
			killedBy(abi.SIGSEGV)
		}
		return resume
	case abi.SysClone:
		if a0&(abi.CloneVfork|abi.CloneVM|abi.CloneThread) == abi.CloneVfork|abi.CloneVM {
			var blocked bool
			if result, blocked = vforkBegin(context, current); blocked {
				return block
			}
			break
		}
		result = sysClone(context, current, a0, a1, a2, a3, a4)
	case abi.SysVfork:
		var blocked bool
		if result, blocked = vforkBegin(context, current); blocked {
			return block
		}
	case abi.SysExecve:
		return sysExecve(context, current, a0, a1, a2)
	case abi.SysPidfdOpen:
		result = -abi.ENOSYS // Go's os then uses pids and wait4
	case abi.SysSetsid, abi.SysGetpgrp, abi.SysGetpgid, abi.SysGetsid:
		result = int64(processID) // one session and group per process: job control is not built
	case abi.SysSetpgid:
		result = 0
	case abi.SysWaitid:
		return sysWaitid(context, current, a0, a1, a2, a3)
	case abi.SysExit:
		return sysExit(current, a0)
	case abi.SysExitGroup:
		exitProcess(a0)
	case abi.SysArchPrctl:
		result = sysArchPrctl(context, a0, a1)
	case abi.SysWait4:
		return sysWait4(context, current, a0, a1, a2)
	case abi.SysKill:
		result = sysKill(context, current, a0, a1)
	case SysSpawn:
		result = sysSpawn(a0, a1, a2)
	case abi.SysGetppid:
		result = parentPID()
	case abi.SysTgkill:
		result = sysTgkill(context, current, a0, a1, a2)
	case abi.SysClockGettime:
		result = sysClockGettime(a0, a1)
	case abi.SysGettimeofday:
		result = sysGettimeofday(a0)
	case abi.SysSchedGetaffinity:
		result = sysSchedGetaffinity(a1, a2)
	case abi.SysGetrandom:
		result = sysGetrandom(a0, a1)
	case abi.SysUname:
		result = sysUname(a0)
	case abi.SysFcntl:
		result = sysFcntl(a0, a1, a2)
	case abi.SysPrlimit64:
		result = sysPrlimit(a1, a2, a3)
	case abi.SysOpenat, abi.SysOpen:
		if number == abi.SysOpen {
			a0, a1, a2, a3 = atFdcwd, a0, a1, a2
		}
		openCaller.context, openCaller.current = context, current // a FIFO's open may wait (fifo.go)
		result = sysOpenat(a0, a1, a2, a3)
		openCaller.context = 0
		if openBlocked {
			openBlocked = false
			return block
		}
		dropPendingFifo(current) // an open that waited and ran again for something else
	case abi.SysPread64:
		result = sysPread(a0, a1, a2, a3)
	case abi.SysLseek:
		result = sysLseek(a0, a1, a2)
	case abi.SysReadlinkat:
		result = sysReadlinkat(a0, a1, a2, a3)
	case abi.SysReadlink:
		result = sysReadlinkat(atFdcwd, a0, a1, a2)
	case abi.SysNewfstatat:
		result = sysNewfstatat(a0, a1, a2, a3)
	case abi.SysGetdents64:
		result = sysGetdents64(a0, a1, a2)
	case abi.SysEventfd2:
		result = sysEventfd(a0, a1)
	case abi.SysEpollCreate1:
		result = sysEpollCreate(a0)
	case abi.SysEpollCtl:
		result = sysEpollControl(a0, a1, a2, a3)
	case abi.SysEpollPwait, abi.SysEpollWait:
		return sysEpollWait(context, current, a0, a1, a2, a3)
	case abi.SysPoll:
		timeout := int64(-1)
		if int32(a2) >= 0 {
			timeout = int64(int32(a2)) * 1e6
		}
		return sysPoll(context, current, a0, a1, timeout)
	case abi.SysPpoll:
		timeout := int64(-1)
		if a2 != 0 {
			ns, ok := readTimespec(a2)
			if !ok {
				result = -abi.EINVAL
				break
			}
			timeout = int64(ns)
		}
		return sysPoll(context, current, a0, a1, timeout)
	case abi.SysPselect6:
		return sysPselect6(context, current, a0, a1, a2, a3, a4)
	case abi.SysSetTidAddress:
		threads.At(current).ClearChildTID = uintptr(a0)
		result = int64(threads.At(current).ID)
	case abi.SysIoctl:
		result = sysIoctl(a0, a1, a2)
	case abi.SysPrctl:
		result = -abi.EINVAL
	case abi.SysRseq:
		result = -abi.ENOSYS // glibc registers it; the Go runtime does not
	default:
		var handled bool
		if result, handled = userCall(number, a0, a1, a2); handled {
			break
		}
		if result, handled = fileCall(number, a0, a1, a2, a3, a4); !handled {
			logUnknownOnce(number)
			result = -abi.ENOSYS
		}
	}
	put(context, exo.ContextRax, uint64(result))
	return resume
}

// logUnknownOnce reports the first use of each call number the libOS does
// not serve.
func logUnknownOnce(number uint64) {
	if unknownLogged.Add(number) {
		bare.SayNumber("libos: Linux system call not implemented (returning ENOSYS): ", int64(number))
	}
}

// exitProcess ends the process with status (exit_group).
func exitProcess(status uint64) {
	exo.Exit(int64(status & 0xff))
}

// signaled reports whether a child's status (process_reap's) says it was
// killed by a signal: exo.ExitSignaled and the signal, nothing else.
func signaled(status uint32) bool { return status&^0x7f == exo.ExitSignaled }

// killedBy ends the process as killed by signal (its default action):
// the kernel records it so (exo.ExitSignaled), and the parent's wait
// reports WIFSIGNALED, as Linux's.
func killedBy(signal uint64) {
	exo.Exit(int64(exo.ExitSignaled | signal&0x7f))
}

// userBytes returns the program's bytes [address, address+length) after
// mem.Check, or false (EFAULT).
func userBytes(address, length uint64, write bool) ([]byte, bool) {
	if length > 1<<40 || !memCheck(uintptr(address), uintptr(length), write) {
		return nil, false
	}
	if length == 0 {
		return nil, true
	}
	return bare.Bytes(uintptr(address), uintptr(length)), true
}

// userString reads the NUL-terminated string at address into buf and
// returns it (pointing into buf), or an errno: EFAULT for a bad pointer,
// ENAMETOOLONG for a string longer than buf.
func userString(address uint64, buf []byte) (string, int64) {
	for i := 0; i < len(buf); i++ {
		a := address + uint64(i)
		if i == 0 || a%mem.PageSize == 0 {
			if !memCheck(uintptr(a), 1, false) {
				return "", -abi.EFAULT
			}
		}
		c := *(*byte)(bare.At(uintptr(a)))
		if c == 0 {
			return bare.String(buf[:i]), 0
		}
		buf[i] = c
	}
	return "", -abi.ENAMETOOLONG
}

// userStrings reads a NULL-terminated array of C strings at address,
// copying the strings into buf, and records where each copy is in out;
// false when it does not fit or a pointer is bad. A NULL array is empty.
func userStrings(address uint64, out *[maxArgs]abi.Text, buf []byte) (int, bool) {
	if address == 0 {
		return 0, true
	}
	used := uint(0)
	for n := 0; n <= maxArgs; n++ {
		p, ok := getUser64(address + uint64(n)*8)
		if !ok {
			return 0, false
		}
		if p == 0 {
			return n, true
		}
		if n >= maxArgs || used >= uint(len(buf)) {
			return 0, false
		}
		s, errno := userString(p, buf[used:])
		if errno != 0 {
			return 0, false
		}
		out[n] = abi.Text{Address: uintptr(unsafe.Pointer(unsafe.SliceData(buf))) + uintptr(used), Length: len(s)}
		used += uint(len(s)) + 1
	}
	return 0, false
}

// putUser and getUser write and read a 64-bit or 32-bit word of program
// memory; they report false (EFAULT) for a bad address. The access is made
// under the memory lock (memWord): a call without the call lock (a futex)
// may use them while another vCPU unmaps.
func putUser64(address, v uint64) bool {
	_, ok := memWord(address, 8, true, v)
	return ok
}

func getUser64(address uint64) (uint64, bool) { return memWord(address, 8, false, 0) }

func putUser32(address uint64, v uint32) bool {
	_, ok := memWord(address, 4, true, uint64(v))
	return ok
}

func getUser32(address uint64) (uint32, bool) {
	v, ok := memWord(address, 4, false, 0)
	return uint32(v), ok
}

// readTimespec reads a timespec as nanoseconds; false for a bad pointer or
// value.
func readTimespec(address uint64) (uint64, bool) {
	sec, ok1 := getUser64(address + abi.TimespecSec)
	nsec, ok2 := getUser64(address + abi.TimespecNsec)
	if !ok1 || !ok2 || int64(sec) < 0 || nsec >= 1e9 {
		return 0, false
	}
	if sec > 1<<33 {
		sec = 1 << 33 // centuries: as good as forever
	}
	return sec*1e9 + nsec, true
}

func writeTimespec(address uint64, ns int64) bool {
	return putUser64(address+abi.TimespecSec, uint64(ns/1e9)) && putUser64(address+abi.TimespecNsec, uint64(ns%1e9))
}

// Counters are the libOS's counts since the program started, for
// benchmarks that explain their figures.
type Counters struct {
	Upcalls        uint64 // upcalls of every kind
	LinuxCalls     uint64 // Linux system calls served
	Switches       uint64 // thread switches
	KernelResumes  uint64 // threads resumed with upcall_resume (the others in user mode)
	UserSwitches   uint64 // threads resumed in user mode with another FS base (WRFSBASE, where the CPU has it)
	AlarmSets      uint64 // alarm_set calls
	Alarms         uint64 // alarm upcalls
	AlarmsPassed   uint64 // alarms whose time an upcall of another kind found passed, and acted on
	IdleRounds     uint64 // rounds of the idle loop
	VCPUs          uint64 // the vCPUs the process runs on
	Kicks          uint64 // kick upcalls taken (a signal from another vCPU)
	KicksSent      uint64 // vcpu_kick calls made
	LockSpins      uint64 // spins on the call lock held by another vCPU
	SchedulerSpins uint64 // spins in the scheduler: on a futex list's or the timer lock, or for a vCPU to leave a thread
	Holds          uint64 // threads taken while the vCPU that ran them last was still on their TLS block
	Steals         uint64 // threads a vCPU took from another's run queue
	Wakes          uint64 // vcpu_wake calls: idle vCPUs woken to take threads waiting in the queues
	Threads        uint64 // threads alive now
	Pooled         uint64 // frames in the pool of free frames now (libos/mem)
	Reused         uint64 // page faults served from that pool
	GivenBack      uint64 // frames given back on revocation requests
	Reclaimed      uint64 // segments of emptied regions given back (libos/mem)
}

// ReadCounters returns the counters.
func ReadCounters() Counters {
	c := Counters{Upcalls: atomic.LoadUint64(&fastFaults), VCPUs: uint64(vcpuCount), KicksSent: atomic.LoadUint64(&kickSent),
		LockSpins: atomic.LoadUint64(&lockSpins), SchedulerSpins: atomic.LoadUint64(&threads.Spins), Holds: atomic.LoadUint64(&threads.Holds), Steals: threads.Steals(-1), Threads: uint64(threads.Live()),
		Pooled: mem.Pooled(), Reused: atomic.LoadUint64(&mem.Reused), GivenBack: atomic.LoadUint64(&mem.GivenBack),
		Reclaimed: atomic.LoadUint64(&mem.Reclaimed)}
	for i := 0; i < vcpuCount && i < exo.VcpuMax; i++ {
		me := &vcpus[i]
		c.Upcalls += atomic.LoadUint64(&me.upcalls)
		c.LinuxCalls += atomic.LoadUint64(&me.linuxCalls)
		c.Switches += atomic.LoadUint64(&me.switches)
		c.KernelResumes += atomic.LoadUint64(&me.kernelResumes)
		c.UserSwitches += atomic.LoadUint64(&me.userSwitches)
		c.AlarmSets += atomic.LoadUint64(&me.alarmSets)
		c.Alarms += atomic.LoadUint64(&me.alarms)
		c.AlarmsPassed += atomic.LoadUint64(&me.alarmsPassed)
		c.IdleRounds += atomic.LoadUint64(&me.idleRounds)
		c.Kicks += atomic.LoadUint64(&me.kicks)
		c.Wakes += atomic.LoadUint64(&me.wakes)
	}
	return c
}

// VCPUCounters are one vCPU's share of some Counters.
type VCPUCounters struct {
	Upcalls, Switches, IdleRounds, Steals uint64
}

// ReadVCPUCounters returns vCPU v's counters (zero for a vCPU the
// process does not have): which vCPU did the work.
func ReadVCPUCounters(v int) VCPUCounters {
	if v < 0 || v >= vcpuCount || v >= exo.VcpuMax {
		return VCPUCounters{}
	}
	me := &vcpus[v]
	return VCPUCounters{atomic.LoadUint64(&me.upcalls), atomic.LoadUint64(&me.switches),
		atomic.LoadUint64(&me.idleRounds), threads.Steals(v)}
}

// FreeFrames counts the machine's free frames in the frame table, which
// every process may read (the kernel's view at exo.AddressFrameTableView):
// what a program can know of memory pressure.
func FreeFrames() uint64 {
	frames := bare.Info(exo.KernelInfoFrames)
	free := uint64(0)
	for i := uint64(0); i < frames; i++ {
		if bare.EntryUse(bare.FrameEntry(i*4096)) == exo.FrameUseFree {
			free++
		}
	}
	return free
}

// CallCount returns how many times the program has made Linux call
// number (0 for numbers at or above abi.SysMax). Programs may read it:
// libos-test checks with it that clock reads make no call.
func CallCount(number uint64) uint64 {
	if number >= abi.SysMax {
		return 0
	}
	return uint64(callCounts[number])
}
