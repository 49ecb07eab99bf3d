package main

import (
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// Roles 10 and 11: visible revocation. Each hoards frames until memory is
// low; the kernel then asks the largest holder for frames back.
//   10 answers: it frees what was asked and calls revoke_reply.
//   11 maps every frame it hoards into PT segments of its own, and ignores
//      the request: it only unmaps its last unmappedAtRequest frames. The
//      kernel takes those, then unmaps the rest of what it wants from the
//      segments, and tells it which (a second revocation upcall; the frames
//      appear free in the frame table and their slots empty).
// Memory runs low only on a small machine (make test boots one with
// 256 MiB); elsewhere the parent reports the checks as not exercised.

const (
	boxRevokeAsked  = 13 // 10: frames asked; 11: 1 if asked
	boxRevokeForced = 14 // 11: frames taken by force, or 1000000+ on a mismatch
	boxRevokeDone   = 15 // +1 per hoarder finished
	boxRevokeMapped = 18 // 11: mapped frames taken, or 1000000+ on a mismatch
	maxHoard        = 70000
	slotsPerSegment = 512

	// unmappedAtRequest is how many of its mapped frames hoarder 11 unmaps
	// when asked, fewer than the kernel asks for: the rest must come out
	// of its segments.
	unmappedAtRequest = 100
)

var (
	hoard        [maxHoard]uint64
	hoarded      int
	revokeAsked  uint64
	forcedTaken  uint64
	forcedFirst  uint64
	revokeIgnore bool
	// hoardSegments[i/slotsPerSegment] maps hoard[i] at slot
	// i%slotsPerSegment (hoarder 11 only).
	hoardSegments [maxHoard/slotsPerSegment + 1]uint64
)

func onRevocation(context uintptr, detail, detail2 uint64) {
	if detail > 0 { // a request: detail frames by the deadline detail2
		revokeAsked += detail
		if !revokeIgnore {
			freed := uint64(0)
			for freed < detail && hoarded > 0 {
				hoarded--
				exo.FrameFree(hoard[uint(hoarded)%maxHoard])
				freed++
			}
			exo.RevokeReply(freed)
		}
	} else { // frames taken by force: detail2 of them, listed at 200
		forcedTaken += detail2
		forcedFirst = *bare.Word(context + exo.ContextTakenFrames)
	}
	bare.Resume(context)
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
		if revokeIgnore && !mapHoarded(uint64(f)) {
			exo.FrameFree(uint64(f))
			break
		}
		hoard[uint(hoarded)%maxHoard] = uint64(f)
		hoarded++
	}
	if revokeIgnore && revokeAsked > 0 {
		mine := frameEntry(hoard[0]) >> 8 & 0xffff // before any is taken
		for i := max(hoarded-unmappedAtRequest, 0); i < hoarded; i++ {
			exo.SegmentUnmap(hoardSegments[uint(i/slotsPerSegment)%uint(len(hoardSegments))], uint64(i%slotsPerSegment))
		}
		deadline := exo.TimeNow() + 2_000_000_000
		for forcedTaken == 0 && exo.TimeNow() < deadline {
			exo.Yield()
		}
		// The frames taken by force are no longer mine: the frame table
		// says they are free (or someone else's).
		if forcedFirst != 0 && frameEntry(forcedFirst)&0xff == useProcess && frameEntry(forcedFirst)>>8&0xffff == mine {
			forcedTaken += 1000000
		}
		*mailbox(boxRevokeForced) = forcedTaken
		*mailbox(boxRevokeMapped) = takenFromSegments(mine)
	}
	*mailbox(boxRevokeAsked) = revokeAsked
	// Give back what is left (frames taken by force are refused: no
	// longer ours; destroying a segment drops its mappings first).
	for i := range hoardSegments {
		if hoardSegments[uint(i)%uint(len(hoardSegments))] != 0 {
			exo.SegmentDestroy(hoardSegments[uint(i)%uint(len(hoardSegments))])
		}
	}
	for hoarded > 0 {
		hoarded--
		exo.FrameFree(hoard[uint(hoarded)%maxHoard])
	}
	*mailbox(boxRevokeDone) += 1
}

// mapHoarded maps frame at the next hoard slot, creating a segment for
// every slotsPerSegment frames. false when the kernel refuses (memory is out).
func mapHoarded(frame uint64) bool {
	i := hoarded / slotsPerSegment
	if hoarded%slotsPerSegment == 0 {
		s := exo.SegmentCreate(exo.LevelPT)
		if s < 0 {
			return false
		}
		hoardSegments[uint(i)%uint(len(hoardSegments))] = uint64(s)
	}
	return exo.SegmentMapFrame(hoardSegments[uint(i)%uint(len(hoardSegments))], uint64(hoarded%slotsPerSegment), frame, exo.MapPermissionsWrite) == 0
}

// takenFromSegments counts the frames that were still mapped when the
// request came and are no longer owned by mine; each one's slot must be
// empty now (unmapping it again is refused). A slot that is not empty adds
// 1000000.
func takenFromSegments(mine uint64) uint64 {
	taken := uint64(0)
	for i := 0; i < hoarded-unmappedAtRequest; i++ {
		e := frameEntry(hoard[uint(i)%maxHoard])
		if e&0xff == useProcess && e>>8&0xffff == mine {
			continue
		}
		taken++
		if exo.SegmentUnmap(hoardSegments[uint(i/slotsPerSegment)%uint(len(hoardSegments))], uint64(i%slotsPerSegment)) != -exo.ErrNoSuchObject {
			taken += 1000000
		}
	}
	return taken
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
	taken, mapped := *mailbox(boxRevokeForced), *mailbox(boxRevokeMapped)
	bare.SayNumber("exo-test: frames taken by force from the hoarder that ignored its request: ", int64(taken%1000000))
	bare.SayNumber("exo-test: of which unmapped from its segments: ", int64(mapped%1000000))
	check("revocation: a hoarder that ignores the request loses frames by force and is told which",
		*mailbox(boxRevokeAsked) > 0 && taken > 0 && taken < 1000000)
	check("revocation: frames still mapped are taken out of the hoarder's segments, their slots left empty",
		mapped > 0 && mapped < 1000000 && mapped <= taken)
}
