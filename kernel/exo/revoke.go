package exo

import (
	"exogo/kernel/console"
	"exogo/kernel/cpu"
	"exogo/kernel/memory"
	"exogo/kernel/process"
	"exogo/kernel/smp"
)

// Visible revocation (Xok's and XOmB's answer to "how does an exokernel
// take memory back?"): the kernel asks a process to give frames back by a
// deadline, with a revocation upcall (event UpcallRevocation, detail = how
// many, detail 2 = the deadline in nanoseconds since boot). The libOS frees
// frames it chooses and answers with revoke_reply. A process that has not
// given back enough by the deadline loses frames by force: the kernel frees
// ones it does not map, then unmaps and frees ones it maps in its own
// segments, and tells it with another revocation
// upcall (detail 0, detail 2 = how many were taken, and up to seven of their
// physical addresses in the context at ContextTakenFrames).
//
// The trigger is memory pressure: when an allocation finds fewer than
// RevokeWatermark frames free, the kernel asks the process holding the most
// frames for RevokeAmount of them.
//
// Force takes frames the process does not map first, then frames it maps in
// its own segments (unmapping them; segments no address space reaches
// first, see segment.UnmapFramesOf). Frames mapped by several processes
// are never taken; a segment's owner takes a grant back with
// segment_withdraw (handlers_segment.go).

// RevokeWatermark (free frames below which the kernel revokes),
// RevokeAmount (frames asked for at a time) and RevokeGraceNs (the time to
// answer) are in the call table (const revoke), shared with the libOS.

// The context lists the frames taken at ContextTakenFrames (syscalls.conf),
// RevokeListLength words up to the disabled word.
var _ = [1]struct{}{}[ContextTakenFrames+process.RevokeListLength*8-ContextDisabled]

// revocationsPending counts processes with a pending request, so the timer
// path can skip the check.
var revocationsPending int

// maybeRevoke is called by frame_alloc: under memory pressure it asks the
// largest holder for frames back.
func maybeRevoke(now uint64) {
	if memory.Frames.FreeFrames() >= RevokeWatermark || revocationsPending > 0 {
		return
	}
	var largest *process.Process
	for i := 0; i < process.MaxProcesses; i++ {
		p := process.Table(i)
		if p.State == process.Running && memory.Frames.Held(p.ID) > RevokeAmount && (largest == nil || memory.Frames.Held(p.ID) > memory.Frames.Held(largest.ID)) {
			largest = p
		}
	}
	if largest == nil {
		return
	}
	largest.RevokePending, largest.RevokeNotify, largest.RevokeAnswered = true, true, false
	// RevokeTaken is kept: a process not told yet of frames taken by
	// force from an earlier request hears of them first
	// (deliverRevocation), then of this one.
	largest.RevokeWanted = RevokeAmount
	largest.RevokeDeadline = now + RevokeGraceNs
	revocationsPending++
	var line console.Line
	line.String("exogo: memory is low: asking process ").Decimal(uint64(largest.ID)).String(" to give back ").
		Decimal(RevokeAmount).String(" frames within 100 ms").Write()
	// An idle process hears of it too: its vCPU 0's wait returns
	// WaitRevocation (sysWait), so it answers before the deadline.
	wakeWaiter(largest)
}

func sysRevokeReply(caller *Caller, count uint64) int64 {
	p := caller.Process
	if !p.RevokePending {
		return 0
	}
	p.RevokeAnswered = true // its wait stops returning for the request
	if count >= p.RevokeWanted {
		p.RevokeWanted = 0
	} else {
		p.RevokeWanted -= count
	}
	if p.RevokeWanted == 0 {
		p.RevokePending = false
		p.RevokeNotify = p.RevokeTaken > 0 // no upcall for a request met, but one for frames taken not told yet
		revocationsPending--
	}
	return 0
}

// CheckRevocations takes frames by force from processes whose deadline has
// passed. Called from the timer path with the exokernel lock held.
func CheckRevocations(now uint64) {
	if revocationsPending == 0 {
		return
	}
	for i := 0; i < process.MaxProcesses; i++ {
		p := process.Table(i)
		if !p.RevokePending || now < p.RevokeDeadline {
			continue
		}
		if p.State != process.Running {
			p.RevokePending = false
			revocationsPending--
			continue
		}
		// The list goes on after the frames of a take not told yet.
		if p.RevokeTaken == 0 {
			p.RevokeTakenList = [process.RevokeListLength]uint64{}
		}
		listed := min(p.RevokeTaken, process.RevokeListLength)
		taken := memory.Frames.TakeUnreferencedFrom(p.ID, p.RevokeWanted, p.RevokeTakenList[listed:])
		if taken < p.RevokeWanted {
			// Then frames it maps: unmapped from its own segments. When
			// a segment was reachable, every CPU drops its user
			// translations before the frames, unreferenced now, are
			// freed and can be handed to anyone else.
			unmapped, reachable := segments.UnmapFramesOf(memoryAccess(), p.ID, p.RevokeWanted-taken)
			if reachable {
				smp.FlushSpace(0)
			}
			if unmapped > 0 {
				taken += memory.Frames.TakeUnreferencedFrom(p.ID, unmapped, p.RevokeTakenList[min(listed+taken, process.RevokeListLength):])
			}
		}
		p.RevokeTaken += taken // with any not told yet
		p.RevokeNotify = true
		p.RevokePending = false
		revocationsPending--
		var line console.Line
		line.String("exogo: process ").Decimal(uint64(p.ID)).String(" did not give frames back in time: took ").
			Decimal(taken).String(" by force").Write()
	}
}

// deliverRevocation is BeforeResume's part: tell p of a request or of
// frames taken, when it can take an upcall.
func deliverRevocation(p *process.Process, f *cpu.Frame) {
	if !p.RevokeNotify || InUpcall(p, f) {
		return
	}
	p.RevokeNotify = false
	if p.RevokeTaken > 0 {
		if h := deliver(p, thisVCPU(p), f, UpcallRevocation, 0, p.RevokeTaken); h != nil {
			// The list of taken frames, after the header fields.
			for i, frame := range p.RevokeTakenList {
				h[(ContextTakenFrames/8+i)%len(h)] = frame
			}
		}
		p.RevokeTaken = 0
		p.RevokeNotify = p.RevokePending // a request made since comes next
		return
	}
	Deliver(p, f, UpcallRevocation, p.RevokeWanted, p.RevokeDeadline)
}

// RevocationsPending reports (without the lock, as a hint) whether a
// revocation deadline may need checking.
func RevocationsPending() bool { return revocationsPending > 0 }
