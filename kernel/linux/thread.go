package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/arch/amd64"
	"exogo/kernel/console"
	"exogo/kernel/cpu"
	"exogo/kernel/memory"
	"exogo/kernel/rawmem"
	"exogo/kernel/sched"
	"exogo/kernel/smp"
	"exogo/kernel/timer"
)

// KernelStackSize is the size of each thread's kernel stack: trap frames
// and restricted kernel code only.
const KernelStackSize = 32 << 10

// clone flags the runtime passes (and the only shape supported: a thread in
// the same address space).
const ()

// sysCloneThread creates a thread that resumes from the same SYSCALL with
// RAX = 0 on stack newStack and, with CLONE_SETTLS, FS base tls (the Go
// runtime passes its new M's TLS block this way). The parent gets the
// child's thread ID.
func sysCloneThread(parent *cpu.Frame, flags, newStack, parentTID, childTID, tls uint64) int64 {
	if flags&(abi.CloneVM|abi.CloneThread) != abi.CloneVM|abi.CloneThread {
		return -abi.EINVAL // no processes here: only threads of the one runtime
	}
	top, slot, ok := memory.AllocateStack(KernelStackSize)
	if !ok {
		return -abi.ENOMEM
	}
	t, index := sched.Create(top, slot)
	if t == nil {
		memory.FreeStack(slot)
		return -abi.EAGAIN
	}
	child := t.Frame()
	*child = *parent
	child.RAX = 0
	child.RSP = newStack
	if flags&abi.CloneSetTLS != 0 {
		child.FSBase = tls
	}
	if flags&abi.CloneParentSetTID != 0 && userRange(parentTID, 4) {
		putUint32(uintptr(parentTID), uint32(t.ID))
	}
	if flags&abi.CloneChildSetTID != 0 && userRange(childTID, 4) {
		putUint32(uintptr(childTID), uint32(t.ID))
	}
	if flags&abi.CloneChildClearTID != 0 {
		t.ClearChildTID = uintptr(childTID)
	}
	if current := sched.Current(); current != nil {
		t.SignalMask = current.SignalMask
	}
	sched.Start(index)
	return int64(t.ID)
}

func sysExitThread(status uint64, now uint64) uintptr {
	if t := sched.Current(); t != nil && t.ClearChildTID != 0 {
		putUint32(t.ClearChildTID, 0)
		sched.Wake(t.ClearChildTID, 1<<30, 0)
	}
	return sched.Exit(now)
}

// exitStatusPort is QEMU's isa-debug-exit device (see PowerOff).
var exitStatusPort uint16 = 0xf4

// sysExitGroupCall ends everything when the runtime exits the whole program
// (the kernel's main returned, or a fatal Go error). It does not return.
func sysExitGroupCall(status uint64) {
	console.WriteString("exogo: the kernel's Go runtime exited with status ")
	console.WriteDecimal(status)
	console.WriteString("; halting\n")
	PowerOff(uint8(status))
}

// PowerOff stops the machine: under QEMU through the isa-debug-exit device
// (QEMU exits with status code*2+1), otherwise by halting every CPU.
func PowerOff(code uint8) {
	smp.ReportUserTime()
	amd64.OutByte(exitStatusPort, code)
	amd64.HaltForever()
}

const (
	archSetFS = 0x1002
	archGetFS = 0x1003
)

func sysArchPrctlCall(f *cpu.Frame, code, address uint64) int64 {
	switch code {
	case archSetFS:
		f.FSBase = address
		return 0
	case archGetFS:
		if !userRange(address, 8) {
			return -abi.EFAULT
		}
		putUint64(uintptr(address), f.FSBase)
		return 0
	}
	return -abi.EINVAL
}

// Futex operations (the low 7 bits; 128 is FUTEX_PRIVATE_FLAG).
const (
	futexWait = 0
	futexWake = 1
)

func sysFutexCall(f *cpu.Frame, address, op, value, timeout uint64, now uint64) uintptr {
	if address%4 != 0 || !userRange(address, 4) {
		f.RAX = negative(abi.EFAULT)
		return deliverPending(f)
	}
	switch op & 0x7f {
	case futexWait:
		if getUint32(uintptr(address)) != uint32(value) {
			f.RAX = negative(abi.EAGAIN)
			return deliverPending(f)
		}
		deadline := uint64(0)
		if timeout != 0 {
			ns, ok := readTimespec(timeout)
			if !ok {
				f.RAX = negative(abi.EFAULT)
				return deliverPending(f)
			}
			deadline = now + ns
			if deadline == 0 {
				deadline = 1
			}
		}
		return sched.Block(uintptr(address), deadline, -abi.ETIMEDOUT, now)
	case futexWake:
		f.RAX = uint64(sched.Wake(uintptr(address), int(value&0x7fffffff), 0))
		return deliverPending(f)
	}
	f.RAX = negative(abi.ENOSYS)
	return deliverPending(f)
}

func sysNanosleepCall(f *cpu.Frame, request uint64, now uint64) uintptr {
	ns, ok := readTimespec(request)
	if !ok {
		f.RAX = negative(abi.EFAULT)
		return deliverPending(f)
	}
	if ns == 0 {
		f.RAX = 0
		return sched.Yield(now)
	}
	return sched.Block(0, now+ns, 0, now)
}

// readTimespec reads a struct timespec {seconds, nanoseconds int64} as
// nanoseconds; negative or malformed values count as zero.
func readTimespec(address uint64) (uint64, bool) {
	if !userRange(address, 16) {
		return 0, false
	}
	seconds := int64(getUint64(uintptr(address)))
	nanos := int64(getUint64(uintptr(address) + 8))
	if seconds < 0 || nanos < 0 || nanos >= 1_000_000_000 {
		return 0, true
	}
	if seconds > 1<<33 {
		seconds = 1 << 33 // a few centuries is for ever enough
	}
	return uint64(seconds)*1_000_000_000 + uint64(nanos), true
}

func writeTimespec(address uint64, ns int64) bool {
	if !userRange(address, 16) {
		return false
	}
	putUint64(uintptr(address), uint64(ns/1_000_000_000))
	putUint64(uintptr(address)+8, uint64(ns%1_000_000_000))
	return true
}

func negative(errno int64) uint64 { return uint64(-errno) }

func sysClockGettimeCall(clock, address uint64) int64 {
	ns := int64(timer.Nanotime())
	if abi.RealtimeClock(clock) {
		ns = timer.WallClock()
	}
	if !writeTimespec(address, ns) {
		return -abi.EFAULT
	}
	return 0
}

func sysClockGetresCall(address uint64) int64 {
	if address == 0 {
		return 0
	}
	if !writeTimespec(address, 1) {
		return -abi.EFAULT
	}
	return 0
}

func sysGettimeofdayCall(address uint64) int64 {
	if address == 0 {
		return 0
	}
	if !userRange(address, 16) {
		return -abi.EFAULT
	}
	ns := timer.WallClock()
	putUint64(uintptr(address), uint64(ns/1_000_000_000))
	putUint64(uintptr(address)+8, uint64(ns%1_000_000_000/1000))
	return 0
}

// OnlineCPUs is how many CPUs run kernel threads; sched_getaffinity
// reports them, and the runtime sizes GOMAXPROCS from it. It stays 1 on a
// machine with several CPUs: the threads of the kernel's own runtime run
// on CPU 0 only (kernel/sched), because this personality is not SMP-safe;
// the other CPUs run user processes. TODO(smp): raise it with
// smp.OnlineCount() once the personality is.
var OnlineCPUs = 1

func sysSchedGetaffinityCall(size, address uint64) int64 {
	if size < 8 || size%8 != 0 || !userRange(address, size) {
		return -abi.EINVAL
	}
	for i := uint64(0); i < size; i += 8 {
		putUint64(uintptr(address+i), 0)
	}
	putUint64(uintptr(address), (uint64(1)<<uint(OnlineCPUs))-1)
	return 8
}

var randomState uint64

// sysGetrandomCall fills the buffer from a xorshift generator seeded by the
// TSC. TODO(random): use RDRAND/RDSEED when CPUID has them; this is not a
// cryptographic source and must not be presented as one.
func sysGetrandomCall(address, length uint64) int64 {
	if length > 1<<20 {
		length = 1 << 20
	}
	if !userRange(address, length) {
		return -abi.EFAULT
	}
	for i := uint64(0); i < length; i++ {
		if randomState == 0 {
			randomState = amd64.ReadTSC() | 1
		}
		randomState ^= randomState << 13
		randomState ^= randomState >> 7
		randomState ^= randomState << 17
		*(*byte)(rawmem.Pointer(uintptr(address + i))) = byte(randomState >> 24)
	}
	return int64(length)
}

func sysUnameCall(address uint64) int64 {
	// struct utsname: six 65-byte fields.
	if !userRange(address, 6*65) {
		return -abi.EFAULT
	}
	fields := [6]string{"Linux", "exogo", "6.1.0-exogo", "exogo", "x86_64", "(none)"}
	for i, s := range fields {
		base := uintptr(address) + uintptr(i)*65
		for j := uintptr(0); j < 65; j++ {
			c := byte(0)
			if int(j) < len(s) {
				c = s[j]
			}
			*(*byte)(rawmem.Pointer(base + j)) = c
		}
	}
	return 0
}

func sysFcntlCall(fd, command, argument uint64) int64 {
	if !validFD(fd) {
		return -abi.EBADF
	}
	return 0
}

var _ = timer.Nanotime

// crashTestNumber is a system call only the kernel's own self-test uses:
// it faults in kernel code on purpose so the QEMU tests can check the fault
// report (kernel command line word crashtest=kernel).
const crashTestNumber = 0x7e0

var crashTarget uintptr = 8 // below the null guard: never mapped

// CrashTest makes the crash-test system call. It does not return.
func CrashTest() { rawSyscall(crashTestNumber) }

//go:noinline
func crashNow() {
	*rawmem.Uint64(crashTarget) = 1
}

func rawSyscall(number uintptr)
