package trap

import (
	"unsafe"

	"exogo/arch/amd64"
	"exogo/kernel/cpu"
)

// InitCPU prepares CPU index: GS base, descriptor tables with the IST stack
// istTop (all traps) and the double-fault stack doubleFaultTop, the IDT,
// and the SYSCALL MSRs. Precondition: interrupts disabled; the stacks are
// mapped, 16-byte aligned, with guard pages below.
func InitCPU(index int, istTop, doubleFaultTop uintptr) *cpu.CPU {
	c := cpu.ByIndex(index)
	c.Self = uintptr(unsafe.Pointer(c))
	c.Index = uintptr(index)
	c.KernelFS = cpu.KernelTLSBase()
	amd64.WriteMSR(amd64.MSRGSBase, uint64(c.Self))
	tss := amd64.TaskStateOf(index)
	tss.SetIST(istTrap, istTop)
	tss.SetIST(istDoubleFault, doubleFaultTop)
	amd64.LoadDescriptorTables(index)
	loadIDT()
	// SYSCALL: STAR[47:32] is the kernel CS (SS = CS+8); STAR[63:48]+16 is
	// the user CS for SYSRET. LSTAR is the entry. FMASK clears IF (so
	// kernel code runs with interrupts off), TF, DF and AC on entry.
	amd64.WriteMSR(amd64.MSRSyscallSegments, uint64(amd64.KernelCodeSelector)<<32|uint64(amd64.KernelDataSelector|3)<<48)
	amd64.WriteMSR(amd64.MSRSyscallEntry, uint64(syscallEntryAddress()))
	amd64.WriteMSR(amd64.MSRSyscallFlagsMask, 1<<9|1<<8|1<<10|1<<18)
	// RDFSBASE and friends, where the CPU has them: a libOS then switches
	// its threads' FS bases in user mode, without a kernel call. The
	// entry code reads the bases user mode may have changed into each
	// frame (entry_amd64.s, savedSSE).
	if maxLeaf, _, _, _ := amd64.CPUID(0, 0); maxLeaf >= 7 {
		if _, ebx, _, _ := amd64.CPUID(7, 0); ebx&1 != 0 {
			amd64.WriteCR4(amd64.ReadCR4() | amd64.CR4FSGSBase)
			c.EnableUserBases()
		}
	}
	return c
}

func syscallEntryAddress() uintptr
func idleLoopAddress() uintptr
func vectorStubTableAddress() uintptr
func enterFrame(frame uintptr)
func haltForever()

// IdleLoopAddress is where a CPU's idle frame starts.
func IdleLoopAddress() uintptr { return idleLoopAddress() }

// Enter leaves boot code and runs the thread whose frame is at frame, on a
// CPU whose kernel stack top has been set. It does not return.
func Enter(frame uintptr) { enterFrame(frame) }
