package main

import (
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// Roles 10 and 11: visible revocation. Each hoards frames until memory is
// low; the kernel then asks the largest holder for frames back.
//   10 answers: it frees what was asked and calls revoke_reply.
//   11 ignores the request: the kernel takes frames by force and tells it
//      which (a second revocation upcall; the frames appear free in the
//      frame table).
// Memory runs low only on a small machine (make test boots one with
// 256 MiB); elsewhere the parent reports the checks as not exercised.

const (
	boxRevokeAsked  = 13 // 10: frames asked; 11: 1 if asked
	boxRevokeForced = 14 // 11: frames taken by force, or 1000000+ on a mismatch
	boxRevokeDone   = 15 // +1 per hoarder finished
	maxHoard        = 70000
)

var (
	hoard        [maxHoard]uint64
	hoarded      int
	revokeAsked  uint64
	forcedTaken  uint64
	forcedFirst  uint64
	revokeIgnore bool
)

func onRevocation(context uintptr, detail, detail2 uint64) {
	if detail > 0 { // a request: detail frames by the deadline detail2
		revokeAsked += detail
		if !revokeIgnore {
			freed := uint64(0)
			for freed < detail && hoarded > 0 {
				hoarded--
				exo.FrameFree(hoard[hoarded])
				freed++
			}
			exo.RevokeReply(freed)
		}
	} else { // frames taken by force: detail2 of them, listed at 200
		forcedTaken += detail2
		forcedFirst = *bare.Word(context + 200)
	}
	exo.UpcallResume(context)
}

func hoarder(r uint64) {
	role = r
	revokeIgnore = r == 11
	bare.UseUpcalls(&upcallTable, upcallStack, upcallPages)
	for hoarded < maxHoard && revokeAsked == 0 {
		f := exo.FrameAlloc()
		if f < 0 {
			break
		}
		hoard[hoarded] = uint64(f)
		hoarded++
	}
	if revokeIgnore && revokeAsked > 0 {
		deadline := exo.TimeNow() + 2_000_000_000
		for forcedTaken == 0 && exo.TimeNow() < deadline {
			exo.Yield()
		}
		// The frames taken by force are no longer mine: the frame table
		// says they are free (or someone else's).
		if forcedFirst != 0 && frameEntry(forcedFirst)&0xff == useProcess && frameEntry(forcedFirst)>>8&0xffff == frameEntry(hoard[0])>>8&0xffff {
			forcedTaken += 1000000
		}
		*mailbox(boxRevokeForced) = forcedTaken
	}
	*mailbox(boxRevokeAsked) = revokeAsked
	// Give back what is left (frames taken by force are refused: no
	// longer ours).
	for hoarded > 0 {
		hoarded--
		exo.FrameFree(hoard[hoarded])
	}
	*mailbox(boxRevokeDone) += 1
}

// checkRevocation runs the two hoarders one after the other.
func checkRevocation() {
	if spawn(10, 0, 0) <= 0 {
		check("start the answering hoarder", false)
		return
	}
	deadline := exo.TimeNow() + 30_000_000_000
	for *mailbox(boxRevokeDone) < 1 && exo.TimeNow() < deadline {
		exo.Yield()
	}
	if *mailbox(boxRevokeAsked) == 0 {
		bare.Say("exo-test: not exercised: revocation (memory never ran low)\n")
		return
	}
	check("revocation: a hoarder asked for frames gives them back in time", *mailbox(boxRevokeAsked) > 0)
	*mailbox(boxRevokeAsked) = 0
	if spawn(11, 0, 0) <= 0 {
		check("start the ignoring hoarder", false)
		return
	}
	for *mailbox(boxRevokeDone) < 2 && exo.TimeNow() < deadline {
		exo.Yield()
	}
	taken := *mailbox(boxRevokeForced)
	bare.SayNumber("exo-test: frames taken by force from the hoarder that ignored its request: ", int64(taken%1000000))
	check("revocation: a hoarder that ignores the request loses frames by force and is told which",
		*mailbox(boxRevokeAsked) > 0 && taken > 0 && taken < 1000000)
}
