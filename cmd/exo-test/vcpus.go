package main

import (
	"sync/atomic"

	"exogo/libos/bare"
	"exogo/libos/exo"
)

// Role 17: vCPUs. The child registers its upcalls and adds vCPU 1
// (vcpu_start), whose start upcall moves it onto a stack of its own, and
// then checks from vCPU 0:
//   - the refusals: no start entry point, a stack too small or unmapped, a
//     vCPU that does not exist;
//   - vCPU 1 begins with a start upcall whose detail 2 is its index and
//     whose context has nothing to resume (RIP 0);
//   - on a machine with two CPUs or more the two run at once: they pass a
//     word back and forth by spinning alone, without a call, 2000 times (on
//     one CPU each pass would wait for the other's time slice to end);
//   - no wake-up is lost: 1000 times vCPU 0 wakes vCPU 1, which counts the
//     ends of its waits, whether or not it was already waiting;
//   - a kick interrupts vCPU 1 in a call-free loop and comes to it while it
//     waits; a kick ends the wait of a vCPU inside an upcall once, without
//     making its later waits return at once;
//   - a process has at most 8 vCPUs.
//
// Then every vCPU but vCPU 0 spins or waits for ever and vCPU 0 exits with
// 100 + its failures: the kernel must end the others too, and only then
// can the parent reap that status.

const (
	vcpuUpcallStack0 = 0x2400_0000 // vCPU 0's upcall stack
	vcpuUpcallStack1 = 0x2420_0000 // vCPU 1's
	vcpuStack1       = 0x2440_0000 // vCPU 1's own stack, outside upcalls
	vcpuUpcallStacks = 0x2460_0000 // 2 pages each for vCPUs 2-7
	vcpuStackPages   = 4
	boxVCPUsDone     = 29 // role 17: 100 + failed checks, just before it exits
	boxVCPUsID       = 30 // role 17: its process id
	pingPongRounds   = 2000
	wakeRounds       = 1000
)

// What vCPU 1 does (vcpuPhase, set by vCPU 0).
const (
	phaseIdle     = iota // spin without calls
	phasePingPong        // answer each odd ball with the next even one
	phaseWait            // wait, count each end of a wait
	phaseWaitKick        // wait; the kick ends it
	phaseCalls           // make foreign calls back to back, counting them
)

var (
	vcpuPhase    uint64
	vcpu1Start   uint64 // 1 + detail 2 of vCPU 1's first start upcall
	vcpu1RIP     uint64 // the RIP of its start context
	ball         uint64
	waitEnds     uint64
	kicks        uint64
	extraStarted uint64 // vCPUs 2-7 that began
	extraWaits   uint64 // ends of their waits
	aboutToWait  uint64 // vCPU 1 is about to wait in phaseWaitKick
	calls        uint64 // vCPU 1's foreign calls in phaseCalls
	callUpcalls  uint64 // foreign upcalls for them
	callsAtKick  uint64 // calls when its last kick upcall came
)

func vcpuLoopAddress() uintptr

// onVCPUUpcall handles role 17's upcalls, on any vCPU.
func onVCPUUpcall(context uintptr, event, detail, detail2 uint64) {
	rip := bare.Word(context + exo.ContextRip)
	switch {
	case event == exo.UpcallStart && *rip == 0 && detail2 == 1:
		// A new vCPU 1: run vcpuLoop on its own stack, upcalls enabled.
		atomic.StoreUint64(&vcpu1RIP, *rip)
		*rip = uint64(vcpuLoopAddress())
		*bare.Word(context + exo.ContextRsp) = vcpuStack1 + vcpuStackPages*pageSize - 8
		atomic.StoreUint64(&vcpu1Start, 1+detail2)
	case event == exo.UpcallStart && *rip == 0:
		// vCPUs 2-7 wait in their start upcall for ever (upcalls
		// disabled), counting the ends of their waits.
		atomic.AddUint64(&extraStarted, 1)
		for {
			exo.Wait(0)
			atomic.AddUint64(&extraWaits, 1)
		}
	case event == exo.UpcallKick:
		atomic.StoreUint64(&callsAtKick, atomic.LoadUint64(&calls))
		atomic.AddUint64(&kicks, 1)
	}
	if event == exo.UpcallForeign && detail == 39 {
		// A foreign call (phaseCalls): answered by resuming it as it is.
		atomic.AddUint64(&callUpcalls, 1)
	}
	bare.Resume(context)
}

// vcpuLoop is vCPU 1's program.
func vcpuLoop() {
	for {
		switch atomic.LoadUint64(&vcpuPhase) {
		case phasePingPong:
			if b := atomic.LoadUint64(&ball); b%2 == 1 {
				atomic.StoreUint64(&ball, b+1)
			}
		case phaseWait:
			exo.Wait(0)
			atomic.AddUint64(&waitEnds, 1)
		case phaseWaitKick:
			if atomic.LoadUint64(&kicks) < 2 {
				atomic.StoreUint64(&aboutToWait, 1)
				exo.Wait(0)
				atomic.AddUint64(&waitEnds, 1)
			}
		case phaseCalls:
			linuxGetpid()
			atomic.AddUint64(&calls, 1)
		}
	}
}

// yieldUntil yields until *w >= least or 5 s pass, and reports which.
func yieldUntil(w *uint64, least uint64) bool { return yieldWithin(w, least, 5_000_000_000) }

// yieldWithin yields until *w >= least or d nanoseconds pass, and reports
// which.
func yieldWithin(w *uint64, least uint64, d uint64) bool {
	for deadline := bare.Now() + d; atomic.LoadUint64(w) < least; {
		if bare.Now() > deadline {
			return false
		}
		exo.Yield()
	}
	return true
}

func vcpus() {
	*mailbox(boxVCPUsID) = bare.MyID()
	handler = handlerVCPUs
	expect("vcpus: start a vCPU without a start entry point", exo.VcpuStart(vcpuUpcallStack1, vcpuStackPages*pageSize), exo.ErrBadArgument)
	check("vcpus: register upcalls for vCPU 0", bare.UseUpcalls(&upcallTable, vcpuUpcallStack0, vcpuStackPages))
	expect("vcpus: start a vCPU whose upcall stack has no room for a context", exo.VcpuStart(vcpuUpcallStack1, 256), exo.ErrBadArgument)
	expect("vcpus: start a vCPU whose upcall stack is not mapped", exo.VcpuStart(vcpuUpcallStack1, vcpuStackPages*pageSize), exo.ErrBadAddress)
	expect("vcpus: wake a vCPU never started", exo.VcpuWake(1), exo.ErrNoSuchObject)
	expect("vcpus: kick a vCPU beyond the limit", exo.VcpuKick(8), exo.ErrBadArgument)
	stacks := bare.NewSegment(vcpuStackPages, -1)
	own := bare.NewSegment(vcpuStackPages, -1)
	extra := bare.NewSegment(2*6, -1)
	check("vcpus: link the stacks", exo.SegmentLink(stacks, vcpuUpcallStack1, exo.PermissionsWrite) == 0 &&
		exo.SegmentLink(own, vcpuStack1, exo.PermissionsWrite) == 0 &&
		exo.SegmentLink(extra, vcpuUpcallStacks, exo.PermissionsWrite) == 0)

	check("vcpus: vcpu_start gives vCPU 1", exo.VcpuStart(vcpuUpcallStack1, vcpuStackPages*pageSize) == 1)
	check("vcpus: vCPU 1 begins with a start upcall naming it, with nothing to resume",
		yieldUntil(&vcpu1Start, 2) && atomic.LoadUint64(&vcpu1Start) == 2 && atomic.LoadUint64(&vcpu1RIP) == 0)

	if bare.Info(exo.KernelInfoCpus) >= 2 {
		pingPong()
	} else {
		bare.Say("exo-test: vcpus: one CPU: the two vCPUs share it (running at once not checked)\n")
	}

	// Wakes: each must end exactly one wait, sent before or during it.
	atomic.StoreUint64(&vcpuPhase, phaseWait)
	lost := false
	for i := uint64(1); i <= wakeRounds && !lost; i++ {
		if exo.VcpuWake(1) != 0 || !yieldUntil(&waitEnds, i) {
			bare.SayNumber("exo-test: vcpus: no end of wait for wake ", int64(i))
			lost = true
		}
	}
	check("vcpus: 1000 wakes end 1000 waits (none lost, none extra)", !lost && atomic.LoadUint64(&waitEnds) == wakeRounds)
	atomic.StoreUint64(&vcpuPhase, phaseIdle)
	exo.VcpuWake(1) // out of its last wait
	exo.Wait(bare.Now() + 2_000_000)

	// Kicks: one in a call-free loop, one in a wait.
	check("vcpus: a kick interrupts vCPU 1 in a loop without calls", exo.VcpuKick(1) == 0 && yieldUntil(&kicks, 1))
	// A kick to a vCPU waiting in user mode comes as an upcall. (Whether
	// it ends the wait or lands just before it depends on timing: a wake
	// makes sure vCPU 1 leaves the wait either way. The ending of waits is
	// checked below, on vCPUs that surely wait.)
	ends := atomic.LoadUint64(&waitEnds)
	atomic.StoreUint64(&vcpuPhase, phaseWaitKick)
	yieldUntil(&aboutToWait, 1)
	exo.Wait(bare.Now() + 20_000_000) // let it wait
	kicked := exo.VcpuKick(1) == 0 && yieldUntil(&kicks, 2)
	atomic.StoreUint64(&vcpuPhase, phaseIdle)
	exo.VcpuWake(1)
	check("vcpus: a kick to a waiting vCPU comes as an upcall, and its wait ends", kicked && yieldUntil(&waitEnds, ends+1))
	// A kick to a vCPU that makes foreign calls back to back, which trap
	// into the foreign upcall at once: the kernel delivers the kick first,
	// at its next call, not when a timer tick happens to land in the few
	// instructions between its calls (hundreds of calls later).
	atomic.StoreUint64(&vcpuPhase, phaseCalls)
	yieldUntil(&calls, 100)
	kickSent := exo.VcpuKick(1) == 0
	sentAt := atomic.LoadUint64(&calls)
	kicked = kickSent && yieldUntil(&kicks, 3)
	late := atomic.LoadUint64(&callsAtKick) - sentAt // wraps when it came before sentAt was read: fine
	atomic.StoreUint64(&vcpuPhase, phaseIdle)
	exo.Wait(bare.Now() + 20_000_000) // vCPU 1's last call ends
	check("vcpus: a kick reaches vCPU 1 making foreign calls back to back at its next call", kicked && (late <= 3 || late > 1<<63))
	// The call the kick came before ran afterwards: one foreign upcall
	// per call, none lost.
	check("vcpus: the call a kick went before runs again: one foreign upcall per call",
		atomic.LoadUint64(&callUpcalls) == atomic.LoadUint64(&calls))
	if late <= 1<<63 {
		bare.SayNumber("exo-test: vcpus: calls between the kick and its upcall: ", int64(late))
	}

	// The limit: vCPUs 2-7 start (and wait in their start upcalls), the
	// ninth is refused.
	started := 0
	for i := uintptr(0); i < 6; i++ {
		if exo.VcpuStart(vcpuUpcallStacks+i*2*pageSize, 2*pageSize) == int64(i+2) {
			started++
		}
	}
	check("vcpus: vCPUs 2-7 start", started == 6 && yieldUntil(&extraStarted, 6))
	expect("vcpus: a ninth vCPU is over the limit", exo.VcpuStart(vcpuUpcallStacks, 2*pageSize), exo.ErrLimit)
	// vCPU 7 waits inside its start upcall: a kick ends that wait once,
	// then waits itself (it cannot be delivered there), without making
	// every later wait return at once.
	exo.Wait(bare.Now() + 20_000_000)
	before := atomic.LoadUint64(&extraWaits)
	ended := exo.VcpuKick(7) == 0 && yieldUntil(&extraWaits, before+1)
	exo.Wait(bare.Now() + 20_000_000)
	check("vcpus: a kick ends the wait of a vCPU inside an upcall once, and waits there", ended && atomic.LoadUint64(&extraWaits) == before+1)
	check("vcpus: wake a waiting vCPU of the eight", exo.VcpuWake(7) == 0 && yieldUntil(&extraWaits, before+2))

	*mailbox(boxVCPUsDone) = 100 + failures
	bare.Say("exo-test: vcpus: exiting while vCPU 1 spins and six more wait (the kernel must end them all)\n")
	exo.Exit(int64(100 + failures))
}

// pingPong checks that vCPUs 0 and 1 run at once: each pass of the ball
// needs the other to be running.
func pingPong() {
	atomic.StoreUint64(&vcpuPhase, phasePingPong)
	start := bare.Now()
	deadline := start + 10_000_000_000
	done := uint64(0)
	for i := uint64(0); i < pingPongRounds; i++ {
		atomic.StoreUint64(&ball, 2*i+1)
		for atomic.LoadUint64(&ball) != 2*i+2 && bare.Now() < deadline {
		}
		if atomic.LoadUint64(&ball) != 2*i+2 {
			break
		}
		done++
	}
	atomic.StoreUint64(&vcpuPhase, phaseIdle)
	if done == pingPongRounds {
		bare.SayFixed("exo-test: vcpus: 2000 passes of a word between two vCPUs spinning at once, each ", int64((bare.Now()-start)/pingPongRounds/10), " us\n")
	}
	check("vcpus: two vCPUs run at once (2000 passes of a word, no calls)", done == pingPongRounds)
}

// checkVCPUs (the parent) runs role 17 and reaps it: its status comes
// only once the kernel has ended all its vCPUs and released it.
func checkVCPUs() {
	id := spawn(17, 0, 0)
	check("start the vCPU child", id > 0)
	yieldWithin(mailbox(boxVCPUsDone), 100, 60_000_000_000)
	check("vCPU child's checks all passed", *mailbox(boxVCPUsDone) == 100)
	reaped := reapWithin(id)
	check("vcpus: exit ends every vCPU of the child: the parent reaps its status", reaped == id|100<<16)
}

// reapWithin reaps child id, yielding while it still runs, for up to 5 s;
// it returns process_reap's last answer.
func reapWithin(id int64) int64 {
	reaped := int64(-exo.ErrBusy)
	for deadline := bare.Now() + 5_000_000_000; reaped == -exo.ErrBusy && bare.Now() < deadline; {
		exo.Yield()
		reaped = exo.ProcessReap(uint64(id))
	}
	return reaped
}
