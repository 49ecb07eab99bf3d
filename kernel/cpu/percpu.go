package cpu

import (
	"unsafe"

	"exogo/arch/amd64"
	"exogo/kernel/rawmem"
)

// CPU is the per-CPU block. The GS base of each CPU points at its block, so
// entry code reaches it as GS:offset without a free register; the first
// fields' offsets are the CPU_* constants of entry_amd64.s.
type CPU struct {
	Self     uintptr // 0: address of this block
	scratch  uintptr // 8: entry code's scratch word
	stackTop uintptr // 16: top of the current thread's kernel stack
	KernelFS uintptr // 24: FS base for kernel Go code
	Current  uintptr // 32: index of the running thread
	inKernel uintptr // 40: 1 while kernel code runs on this CPU
	scratch2 uintptr // 48
	Index    uintptr // 56: CPU number
	// entryFrame (64) is the frame the entry code saved: when dispatch
	// returns another one, the exit path moves the x87 state (see
	// entry_amd64.s).
	entryFrame uintptr
	// userBases (72) is 1 when CR4.FSGSBASE is set on this CPU: user
	// mode can change its FS and GS bases itself (WRFSBASE, WRGSBASE),
	// so the entry code reads both into every frame from user mode.
	userBases uintptr
	// IOPorts is the process whose I/O bitmap this CPU's TSS holds (0:
	// every port denied).
	IOPorts uint16
	// Process is the process of the running thread (0: a kernel thread or
	// the idle loop), set with Current, so that the exokernel's paths
	// find the caller without going through the thread table.
	Process uint16
	// VCPU is which of its process's vCPUs the running thread is.
	VCPU uint8

	IdleFrame    uintptr // address of this CPU's idle frame
	IdleStackTop uintptr // top of the idle loop's stack
	Ticks        uint64  // timer interrupts taken

	// UserTicks counts timer interrupts that arrived while user code ran
	// on this CPU, UserTraps every trap from user mode (system calls
	// included). Each CPU increments its own; others read them atomically.
	UserTicks uint64
	UserTraps uint64

	// AddressSpace is the root of the page tables this CPU has loaded (0
	// until the scheduler first switches; then the kernel's or a
	// process's), written atomically before CR3, so that a TLB shootdown
	// (kernel/smp) can skip CPUs that cannot hold a stale translation.
	AddressSpace uint64
}

var cpus [amd64.MaxCPUs]CPU

// The kernel's TLS block: kernel Go code finds its g at -8(FS), so the FS
// base for kernel code is &kernelTLS[1] and kernelTLS[0] holds the address
// of kernelG, a stand-in g whose stack bounds and guards are zero: the
// stack-check prologue of every Go function compares SP with the guard and
// never calls morestack. Kernel stacks are fixed and sit above guard pages
// instead. The runtime's real g is never used by kernel code, which must not
// allocate, block or panic (docs/restricted-go.md).
var (
	kernelG   [64]uintptr
	kernelTLS [2]uintptr
)

// KernelTLSBase returns the FS base for kernel Go code, setting up the
// stand-in g on first use. Before the Go runtime exists boot code also runs
// with this FS base.
func KernelTLSBase() uintptr {
	kernelTLS[0] = uintptr(unsafe.Pointer(&kernelG))
	return uintptr(unsafe.Pointer(&kernelTLS[1]))
}

// This returns the calling CPU's block. Only valid in kernel context
// after InitCPU.
func This() *CPU {
	return (*CPU)(rawmem.Pointer(self()))
}

// self returns CPU.Self of the running CPU through GS (this_amd64.s).
func self() uintptr

// ByIndex returns CPU i's block.
func ByIndex(i int) *CPU { return &cpus[uint(i)%amd64.MaxCPUs] }

// SetStackTop records the kernel stack of the thread that runs next on this
// CPU: its next trap frame is built below top.
func (c *CPU) SetStackTop(top uintptr) { c.stackTop = top }

// StackTop is the kernel stack top of the running thread.
func (c *CPU) StackTop() uintptr { return c.stackTop }

// Offsets the entry assembly uses (kernel/trap/entry_amd64.s). A test keeps
// them in step with the struct.
const (
	OffsetScratch   = 8
	OffsetStackTop  = 16
	OffsetKernelFS  = 24
	OffsetInKernel  = 40
	OffsetScratch2  = 48
	OffsetEntry     = 64
	OffsetUserBases = 72
)

// EnableUserBases records that this CPU has CR4.FSGSBASE set (see
// userBases).
func (c *CPU) EnableUserBases() { c.userBases = 1 }

// UserBases reports whether user mode may change its FS and GS bases on
// this CPU.
func (c *CPU) UserBases() bool { return c.userBases != 0 }

// SetInKernel marks whether this CPU runs kernel code. While it is set, any
// trap is treated as a kernel bug (the entry code reports it instead of
// switching stacks). Boot code sets it; resuming a thread clears it.
func (c *CPU) SetInKernel(in bool) {
	c.inKernel = 0
	if in {
		c.inKernel = 1
	}
}
