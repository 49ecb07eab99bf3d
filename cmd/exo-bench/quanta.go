package main

import (
	"exogo/arch/amd64"
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// The epilogue and start upcalls come with quanta, not on request, so they
// are timed from inside: this process spins, writing the time-stamp counter
// to spinTSC on every turn, while another process (the yielder) waits for
// the CPU. When the quantum ends the kernel delivers the epilogue upcall;
// its handler reads the counter at once, so the difference is the time from
// the timer interrupt to the libOS's handler. The handler ignores the
// epilogue, so after the grace period the kernel takes the CPU by force,
// runs the yielder, which gives it straight back, and delivers the start
// upcall: from the last spin to the start handler is a forced switch away,
// the yielder's yield, a switch back and the upcall. For scale, a gap in
// the spinning that no upcall explains is a plain tick: the kernel's 1 ms
// timer interrupt, taken in user mode and returned from.

// readTSC reads the time-stamp counter: ring 3 may (the kernel leaves
// CR4.TSD clear).
func readTSC() uint64 { return amd64.ReadTSC() }

const quantumSamples = 41

var (
	spinTSC           uint64 // the counter on the spinner's last turn
	timingQuanta      bool   // onUpcall records epilogue and start upcalls
	epilogueTicks     [quantumSamples]uint64
	startTicks        [quantumSamples]uint64
	plainTicks        [quantumSamples]uint64
	epilogues, starts int
)

// quantumUpcall records an epilogue (event 1) or start (event 0) upcall
// while timingQuanta is set.
func quantumUpcall(event uint64) {
	now := readTSC()
	switch {
	case event == exo.UpcallEpilogue && epilogues < quantumSamples:
		epilogueTicks[uint(epilogues)%quantumSamples] = now - spinTSC
		epilogues++
	case event == exo.UpcallStart && starts < quantumSamples && starts < epilogues:
		startTicks[uint(starts)%quantumSamples] = now - spinTSC
		starts++
	}
}

// measureQuantumUpcalls spins through quantumSamples quanta (about 12 ms
// each: a 10 ms quantum and the 2 ms grace period) while the yielder waits,
// and prints the median latency of each upcall.
func measureQuantumUpcalls() {
	// Ticks per microsecond, against the kernel's clock, over 20 ms.
	tsc0, ns0 := readTSC(), exo.TimeNow()
	for exo.TimeNow()-ns0 < 20_000_000 {
	}
	elapsed := uint64(exo.TimeNow() - ns0)
	if elapsed == 0 {
		return
	}
	ticksPerMicrosecond := (readTSC() - tsc0) * 1000 / elapsed
	if ticksPerMicrosecond == 0 {
		return
	}
	limit := readTSC() + 5_000_000*ticksPerMicrosecond // give up after 5 s
	timingQuanta = true
	ticks, upcalls := 0, 0
	for starts < quantumSamples && spinTSC < limit {
		now := readTSC()
		// A gap over 2 us with no upcall in it: a tick (the loop's own
		// turn takes a small fraction of a microsecond).
		if now-spinTSC > 2*ticksPerMicrosecond && epilogues+starts == upcalls && ticks < quantumSamples && spinTSC != 0 {
			plainTicks[uint(ticks)%quantumSamples] = now - spinTSC
			ticks++
		}
		upcalls = epilogues + starts
		spinTSC = now
	}
	timingQuanta = false
	if starts < quantumSamples {
		bare.SayNumber("bench: not measured: epilogue and start upcalls; quanta seen: ", int64(starts))
		return
	}
	if ticks == quantumSamples {
		report("timer tick taken in user mode and back, no upcall (for scale)", &plainTicks, ticksPerMicrosecond)
	}
	report("epilogue upcall (timer interrupt at the end of a quantum to the libOS's handler)", &epilogueTicks, ticksPerMicrosecond)
	report("start upcall after a forced descheduling (switch away, the other process yields, switch back, upcall)", &startTicks, ticksPerMicrosecond)
}

// report prints the median of samples (in TSC ticks, one per quantum) in
// microseconds, with the fastest and slowest.
func report(what string, samples *[quantumSamples]uint64, ticksPerMicrosecond uint64) {
	var hundredths [quantumSamples]int64
	if ticksPerMicrosecond == 0 {
		return
	}
	for i, ticks := range samples {
		hundredths[i] = int64(ticks * 100 / ticksPerMicrosecond)
	}
	sayMedian(what, hundredths[:], " (fastest ")
}
