// Package timer keeps time and drives the timer interrupt.
//
// Time comes from the time-stamp counter (TSC), a 64-bit counter the CPU
// increments at a constant rate; its rate is measured at boot against the
// legacy 8254 programmable interval timer (PIT), whose input clock is a fixed
// 1.193182 MHz. The interrupt comes from the local APIC timer, a per-CPU
// down-counter whose rate is measured against the TSC. Wall-clock time is
// read once from the CMOS real-time clock. Restricted Go.
package timer

import (
	"sync/atomic"

	"exogo/arch/amd64"
)

const pitFrequency = 1_193_182

var (
	// tscHz is the measured TSC rate; bootTSC the counter at
	// calibration. Nanoseconds = (tsc - bootTSC) * nanosPerTSC >> 32.
	tscHz       uint64
	bootTSC     uint64
	nanosPerTSC uint64 // 32.32 fixed point
	// bootWallClock is Unix time in nanoseconds at bootTSC.
	bootWallClock int64
)

// CalibrateTSC measures the TSC rate over a 10 ms PIT one-shot, using PIT
// channel 2 (whose gate and output the keyboard controller's port 0x61
// exposes), and reads the wall clock. Precondition: interrupts disabled;
// runs once at boot.
func CalibrateTSC() {
	const ticks = pitFrequency / 100 // 10 ms
	// Port 0x61 bit 0 gates channel 2; bit 1 would route it to the
	// speaker (keep it off); bit 5 reads the channel's output.
	gate := amd64.InByte(0x61)
	amd64.OutByte(0x61, gate&^0x02|0x01)
	// Mode/command: channel 2, lobyte/hibyte, mode 0 (interrupt on terminal
	// count: output goes high when the count reaches zero), binary.
	amd64.OutByte(0x43, 0xb0)
	amd64.OutByte(0x42, ticks&0xff)
	amd64.OutByte(0x42, ticks>>8)
	// Restart the count by toggling the gate.
	g := amd64.InByte(0x61)
	amd64.OutByte(0x61, g&^0x01)
	amd64.OutByte(0x61, g|0x01)
	start := amd64.ReadTSC()
	for spins := 0; amd64.InByte(0x61)&0x20 == 0 && spins < 50_000_000; spins++ {
	}
	end := amd64.ReadTSC()
	amd64.OutByte(0x61, gate)
	hz := (end - start) * 100
	if hz < 1_000_000 {
		// No PIT (or a broken one): assume 1 GHz rather than divide by
		// zero; time then runs at the wrong speed, and boot says so.
		hz = 1_000_000_000
	}
	tscHz = hz
	nanosPerTSC = (1_000_000_000 << 32) / (hz | 1) // | 1: never zero, and off by one part in a billion at most
	bootTSC = amd64.ReadTSC()
	bootWallClock = readRealTimeClock() * 1_000_000_000
}

// TSCHz is the measured TSC frequency.
func TSCHz() uint64 { return tscHz }

// Clock returns what Nanotime and WallClock compute from, for processes
// that read the clock themselves (the kernel information page): the TSC at
// time 0, the 32.32 fixed-point nanoseconds per TSC count, and Unix time
// in nanoseconds at time 0.
func Clock() (bootCount, nanosPerCount uint64, wallAtBoot int64) {
	return bootTSC, nanosPerTSC, bootWallClock
}

// Nanotime returns nanoseconds since boot (monotonic).
func Nanotime() uint64 {
	return amd64.TSCNanos(amd64.ReadTSC()-bootTSC, nanosPerTSC)
}

// WallClock returns the current Unix time in nanoseconds.
func WallClock() int64 { return bootWallClock + int64(Nanotime()) }

var ticks uint64

// CountTick records a timer interrupt.
func CountTick() { atomic.AddUint64(&ticks, 1) }

// Ticks returns the number of timer interrupts so far.
func Ticks() uint64 { return atomic.LoadUint64(&ticks) }
