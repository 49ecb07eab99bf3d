package amd64

// Control registers, model-specific registers and single instructions.
// Each is a thin assembly wrapper (cpu_amd64.s); all must run at CPL 0.

// Model-specific registers the kernel uses.
const (
	MSRExtendedFeatures = 0xc000_0080 // EFER: SCE, LME, NXE
	MSRSyscallSegments  = 0xc000_0081 // STAR: code/stack selectors for SYSCALL/SYSRET
	MSRSyscallEntry     = 0xc000_0082 // LSTAR: 64-bit SYSCALL entry point
	MSRSyscallFlagsMask = 0xc000_0084 // FMASK: RFLAGS bits SYSCALL clears
	MSRFSBase           = 0xc000_0100 // FS segment base: Go's thread-local storage
	MSRGSBase           = 0xc000_0101 // GS segment base: the kernel's per-CPU block
	MSRKernelGSBase     = 0xc000_0102 // swapped with GS base by SWAPGS
	MSRAPICBase         = 0x0000_001b // local APIC physical base and enable bit
)

// CR4FSGSBase is CR4's bit that lets user mode use RDFSBASE, WRFSBASE,
// RDGSBASE and WRGSBASE (CPUID leaf 7, EBX bit 0, says the CPU has them).
const CR4FSGSBase = 1 << 16

// ReadCR0 returns CR0 (paging, protection, FPU control).
func ReadCR0() uint64

// WriteCR0 sets CR0.
func WriteCR0(value uint64)

// ReadCR2 returns CR2, the linear address of the last page fault.
func ReadCR2() uint64

// ReadCR3 returns CR3, the physical address of the current PML4.
func ReadCR3() uint64

// WriteCR3 switches address space (and flushes non-global TLB entries).
func WriteCR3(value uint64)

// ReadCR4 returns CR4 (architectural extensions).
func ReadCR4() uint64

// WriteCR4 sets CR4.
func WriteCR4(value uint64)

// ReadMSR returns the model-specific register msr.
func ReadMSR(msr uint32) uint64

// WriteMSR sets the model-specific register msr.
func WriteMSR(msr uint32, value uint64)

// InvalidatePage drops the TLB entry for the page containing address on
// this CPU.
func InvalidatePage(address uintptr)

// ReadTSC returns the time-stamp counter.
func ReadTSC() uint64

// CPUID executes CPUID with leaf in EAX and subleaf in ECX.
func CPUID(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

// Halt stops the CPU until the next interrupt. Interrupts must be enabled
// or it never wakes.
func Halt()

// EnableInterrupts sets RFLAGS.IF.
func EnableInterrupts()

// DisableInterrupts clears RFLAGS.IF.
func DisableInterrupts()

// InterruptsEnabled reports RFLAGS.IF.
func InterruptsEnabled() bool

// Pause hints to the CPU that it is in a spin-wait loop.
func Pause()

// HaltForever disables interrupts and halts, for good.
func HaltForever()

// TSCNanos converts count TSC counts to nanoseconds with a 32.32
// fixed-point factor (nanoseconds per count): the 128-bit product
// count*factor >> 32, computed without overflow for centuries of counts.
// The kernel's clock (kernel/timer) and a libOS reading the kernel
// information page use it alike, so both read the same time.
func TSCNanos(count, factor uint64) uint64 {
	high, low := count>>32, count&0xffffffff
	return high*factor + (low*factor)>>32
}
