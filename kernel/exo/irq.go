package exo

import (
	"sync/atomic"

	"exogo/kernel/acpi"
	"exogo/kernel/layout"
	"exogo/kernel/process"
	"exogo/kernel/rawmem"
	"exogo/kernel/timer"
)

// Interrupt lines bound to processes. The legacy ISA lines (the keyboard on
// 1, COM1 on 4, ...) reach the CPUs through the I/O APIC, whose redirection
// table the kernel programs: line i arrives as vector IRQVectorBase+i at
// the first CPU. A process holding the device right binds a line
// (irq_bind); when it fires the kernel marks it pending for that process
// and delivers an interrupt upcall (detail = the pending lines as a bit
// mask) when the process next resumes. The lines are edge-triggered: the
// device keeps its own state, which the process reads through its ports.

// IRQVectorBase is the vector of ISA line 0.
const IRQVectorBase = 0x30

// kernelIRQs are lines the kernel keeps: the PIT (0), the PIC cascade (2),
// the CMOS clock (8).
const kernelIRQs = 1<<0 | 1<<2 | 1<<8

// consoleIRQs are lines of the kernel's console (COM1's, 4): like its
// ports, only for a holder of the console right.
const consoleIRQs = 1 << 4

// irqAllowed reports whether p may hold line irq.
func irqAllowed(p *process.Process, irq uint32) bool {
	if irq >= 16 || kernelIRQs&(1<<irq) != 0 {
		return false
	}
	return consoleIRQs&(1<<irq) == 0 || p.Rights&process.RightConsole != 0
}

var (
	ioapicBase    uintptr // direct-map address of the I/O APIC; 0: none
	ioapicGSIBase uint32
	overrides     [16]acpi.Override
	boundTo       [16]uint16 // process bound to each line, 0: none
	firstCPU      uint32     // local APIC ID of the CPU the lines are routed to
)

// SetIOAPIC records the I/O APIC and the ISA overrides the ACPI MADT
// gives. Boot only.
func SetIOAPIC(address uint64, gsiBase uint32, o *[16]acpi.Override) {
	ioapicBase, ioapicGSIBase, overrides = layout.Physical(address), gsiBase, *o
	firstCPU = timer.LocalAPICID()
}

// The I/O APIC is reached through two registers: write a register number
// to IOREGSEL (offset 0), then read or write it at IOWIN (offset 0x10).
func ioapicWrite(register uint32, value uint32) {
	*rawmem.Uint32(ioapicBase) = register
	*rawmem.Uint32(ioapicBase + 0x10) = value
}

// route programs ISA line irq: vector IRQVectorBase+irq to the first CPU,
// masked or not.
func route(irq uint32, masked bool) bool {
	gsi, flags := irq, uint16(0)
	if o := overrides[irq%16]; o.Present {
		gsi, flags = o.GSI, o.Flags
	}
	if ioapicBase == 0 || gsi < ioapicGSIBase || gsi-ioapicGSIBase > 23 {
		return false
	}
	low := uint32(IRQVectorBase + irq)
	if flags&3 == 3 {
		low |= 1 << 13 // active low
	}
	if flags>>2&3 == 3 {
		low |= 1 << 15 // level-triggered
	}
	if masked {
		low |= 1 << 16
	}
	entry := 0x10 + 2*(gsi-ioapicGSIBase)
	ioapicWrite(entry+1, firstCPU<<24)
	ioapicWrite(entry, low)
	return true
}

func sysIrqBind(caller *Caller, irq uint32) int64 {
	p := caller.Process
	if p.Rights&process.RightDevices == 0 || !irqAllowed(p, irq) {
		return -ErrNoRight
	}
	if owner := process.ByID(boundTo[irq%16]); owner != nil && owner.State == process.Running && owner != p {
		return -ErrBusy
	}
	if !route(irq, false) {
		return -ErrNoSuchObject // no I/O APIC, or the line is not on it
	}
	boundTo[irq%16] = p.ID
	return 0
}

// Interrupt handles vector IRQVectorBase+irq: the line is marked pending
// for the process bound to it. Trap context, any CPU.
func Interrupt(irq uint32) {
	timer.EndOfInterrupt()
	p := process.ByID(boundTo[irq%16])
	if p == nil || p.State != process.Running {
		if consoleHolds(irq) {
			boundTo[irq] = 0
			consoleKeyboard() // the console's until a process binds it
			return
		}
		route(irq, true) // nobody to take it: mask the line
		return
	}
	atomic.OrUint32(&p.InterruptsPending, 1<<(irq%16))
	wakeWaiter(p)
}

// releaseIRQs masks and frees the lines p had bound.
func releaseIRQs(p *process.Process) {
	for irq := uint32(0); irq < 16; irq++ {
		if boundTo[irq] == p.ID {
			boundTo[irq] = 0
			route(irq, !consoleHolds(irq)) // masked, unless the console takes it back
		}
	}
	atomic.StoreUint32(&p.InterruptsPending, 0)
}
