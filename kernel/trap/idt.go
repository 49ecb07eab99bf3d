package trap

import (
	"unsafe"

	"exogo/arch/amd64"
	"exogo/kernel/rawmem"
)

// The interrupt descriptor table (IDT) has one 16-byte gate per vector
// (0-255). Vectors 0-31 are CPU exceptions; exogo puts the LAPIC timer at
// TimerVector and leaves the rest for devices. Every gate is an interrupt
// gate (the CPU clears IF on entry) and names IST1, so every trap starts on
// the CPU's trap stack whatever the stack was; the double fault (which can
// come from a broken stack) has its own, IST2.

// IST slots in the TSS.
const (
	istTrap        = 1
	istDoubleFault = 2
)

// Exception vectors the kernel treats specially.
const (
	VectorDivideError       = 0
	VectorDebug             = 1
	VectorNMI               = 2
	VectorBreakpoint        = 3
	VectorInvalidOpcode     = 6
	VectorDoubleFault       = 8
	VectorGeneralProtection = 13
	VectorPageFault         = 14
	VectorSIMDException     = 19

	// TimerVector is the LAPIC timer's vector.
	TimerVector = 32
	// SpuriousVector is the LAPIC's spurious-interrupt vector.
	SpuriousVector = 255
)

var (
	idt      [256][2]uint64
	idtBuilt bool
)

// loadIDT fills the IDT (once) and loads it on this CPU.
func loadIDT() {
	if !idtBuilt {
		table := vectorStubTableAddress()
		for v := 0; v < 256; v++ {
			stub := *(*uintptr)(rawmem.Pointer(table + uintptr(v)*8))
			ist := uint8(istTrap)
			if v == VectorDoubleFault {
				ist = istDoubleFault
			}
			idt[v][0], idt[v][1] = amd64.InterruptGate(stub, ist, 0)
		}
		idtBuilt = true
	}
	amd64.LoadIDT(uintptr(unsafe.Pointer(&idt)), uint16(len(idt)*16-1))
}

var exceptionNames = [32]string{
	"divide error", "debug", "non-maskable interrupt", "breakpoint",
	"overflow", "bound range exceeded", "invalid opcode", "device not available",
	"double fault", "coprocessor segment overrun", "invalid TSS", "segment not present",
	"stack-segment fault", "general protection fault", "page fault", "reserved (15)",
	"x87 floating-point error", "alignment check", "machine check", "SIMD floating-point error",
	"virtualization exception", "control protection", "reserved (22)", "reserved (23)",
	"reserved (24)", "reserved (25)", "reserved (26)", "reserved (27)",
	"hypervisor injection", "VMM communication", "security exception", "reserved (31)",
}

// VectorName names an exception vector, or says "interrupt".
func VectorName(vector uint64) string {
	if vector < 32 {
		return exceptionNames[vector]
	}
	if vector == 256 {
		return "system call"
	}
	return "interrupt"
}
