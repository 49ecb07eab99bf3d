package timer

import (
	"exogo/arch/amd64"
	"exogo/kernel/layout"
	"exogo/kernel/rawmem"
)

// The local APIC is each CPU's interrupt controller, a page of 32-bit
// registers at a physical address given by the IA32_APIC_BASE MSR (normally
// 0xFEE00000), reached here through the direct map. Its timer counts down
// from an initial count at the bus clock divided by a configurable divisor
// and raises an interrupt at zero; in periodic mode it reloads and repeats.
// The legacy 8259 PICs are masked so that only the APIC delivers interrupts.

const (
	apicID             = 0x020
	apicEndOfInterrupt = 0x0b0
	apicICRLow         = 0x300 // interrupt command: vector, delivery mode, level, status (bit 12)
	apicICRHigh        = 0x310 // interrupt command: destination APIC ID in bits 24-31
	apicSpurious       = 0x0f0 // bit 8: APIC software enable
	apicTimerLVT       = 0x320 // vector, bit 16 mask, bit 17 periodic
	apicInitialCount   = 0x380
	apicCurrentCount   = 0x390
	apicDivide         = 0x3e0 // 0x3: divide by 16
)

var apicBase uintptr

func apicRead(register uintptr) uint32 { return *rawmem.Uint32(apicBase + register) }
func apicWrite(register uintptr, v uint32) {
	*rawmem.Uint32(apicBase + register) = v
}

// TickPeriod is the timer interrupt period in nanoseconds.
const TickPeriod = 1_000_000

var apicTicksPerPeriod uint32

// StartLAPICTimer masks the 8259 PICs, enables this CPU's local APIC with
// spurious vector spurious, measures its timer against the TSC (once, on
// the first CPU) and starts it in periodic mode at vector, every
// TickPeriod. Precondition: CalibrateTSC has run; interrupts disabled.
// The first CPU calls it before any other (the 8259s and the measurement
// are done by it alone); each application processor then calls it once.
func StartLAPICTimer(vector, spurious uint8) {
	if apicTicksPerPeriod == 0 {
		maskLegacyPICs()
	}
	base := amd64.ReadMSR(amd64.MSRAPICBase)
	amd64.WriteMSR(amd64.MSRAPICBase, base|1<<11) // global enable
	apicBase = layout.Physical(base &^ 0xfff)
	apicWrite(apicSpurious, 0x100|uint32(spurious))
	apicWrite(apicDivide, 0x3)

	if apicTicksPerPeriod == 0 {
		measureLAPICTimer()
	}
	apicWrite(apicTimerLVT, uint32(vector)|1<<17)
	apicWrite(apicInitialCount, apicTicksPerPeriod)
}

// maskLegacyPICs masks the two 8259 interrupt controllers.
func maskLegacyPICs() {
	// Remap the 8259s to vectors 0x20-0x2f (so a stray interrupt is not
	// mistaken for an exception), then mask every line.
	amd64.OutByte(0x20, 0x11)
	amd64.OutByte(0xa0, 0x11)
	amd64.OutByte(0x21, 0x20)
	amd64.OutByte(0xa1, 0x28)
	amd64.OutByte(0x21, 0x04)
	amd64.OutByte(0xa1, 0x02)
	amd64.OutByte(0x21, 0x01)
	amd64.OutByte(0xa1, 0x01)
	amd64.OutByte(0x21, 0xff)
	amd64.OutByte(0xa1, 0xff)
}

// measureLAPICTimer counts the APIC timer down from its maximum for 10 ms
// of TSC time and sets apicTicksPerPeriod.
func measureLAPICTimer() {
	apicWrite(apicTimerLVT, 1<<16) // masked, one-shot
	apicWrite(apicInitialCount, 0xffffffff)
	start := Nanotime()
	for Nanotime()-start < 10_000_000 {
	}
	elapsed := 0xffffffff - apicRead(apicCurrentCount)
	apicWrite(apicInitialCount, 0)
	perPeriod := uint64(elapsed) * TickPeriod / 10_000_000
	if perPeriod == 0 {
		perPeriod = 1000
	}
	apicTicksPerPeriod = uint32(perPeriod)
}

// EndOfInterrupt acknowledges the interrupt being handled to the local APIC.
func EndOfInterrupt() { apicWrite(apicEndOfInterrupt, 0) }

// APICTicksPerPeriod reports the measured APIC timer count per tick.
func APICTicksPerPeriod() uint32 { return apicTicksPerPeriod }

// LocalAPICID returns the calling CPU's local APIC ID (xAPIC mode: bits
// 24-31 of the ID register). Precondition: StartLAPICTimer has run on
// some CPU (the register page is mapped).
func LocalAPICID() uint32 { return apicRead(apicID) >> 24 }

// Interrupt-command fields (Intel SDM vol. 3, 11.6.1).
const (
	IPIFixed    = 0 << 8 // deliver the vector
	IPIInit     = 5 << 8 // INIT: the target resets and waits for a SIPI
	IPIStartup  = 6 << 8 // start-up (SIPI): run real-mode code at vector * 4 KiB
	IPIAssert   = 1 << 14
	IPILevel    = 1 << 15
	ipiPending  = 1 << 12 // delivery status: the APIC has not sent it yet
	ipiMaxPolls = 1 << 20
)

// SendIPI sends an inter-processor interrupt to the CPU whose local APIC ID
// is destination: command holds the vector and the delivery mode (IPIFixed,
// IPIInit, IPIStartup, with IPIAssert/IPILevel as the mode needs). It waits
// until the local APIC has sent it and reports false when it never did.
// Interrupts must be disabled (the two ICR writes must not be split by an
// interrupt handler that sends an IPI too).
func SendIPI(destination uint32, command uint32) bool {
	for i := 0; i < ipiMaxPolls && apicRead(apicICRLow)&ipiPending != 0; i++ {
		amd64.Pause()
	}
	apicWrite(apicICRHigh, destination<<24)
	apicWrite(apicICRLow, command)
	for i := 0; i < ipiMaxPolls; i++ {
		if apicRead(apicICRLow)&ipiPending == 0 {
			return true
		}
		amd64.Pause()
	}
	return false
}
