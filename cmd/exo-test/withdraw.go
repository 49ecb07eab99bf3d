package main

import (
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// Withdrawing a grant (segment_withdraw). The parent grants a segment to
// role 14, which links it and reads it; the parent withdraws the grant;
// the child reads again and must fault, since the kernel took the link
// made on the grant out of its address space. The mailbox the parent
// linked into the child on its own authority stays.

const (
	withdrawAddress       = 0x3000_0000 // where role 14 links the granted segment
	parentWithdrawAddress = 0x5000_0000 // where the parent fills it
	withdrawMarker        = 0x5eed_5eed
	boxWithdrawSegment    = 21 // parent: the segment it granted
	boxWithdrawSeen       = 22 // role 14: 1 once it read the marker through its link
	boxWithdrawn          = 23 // parent: 1 once it withdrew the grant
	boxWithdrawReading    = 24 // role 14: 1 just before it reads again
)

func checkWithdraw() {
	segment := bare.NewSegment(1, -1)
	if exo.SegmentLink(segment, parentWithdrawAddress, exo.PermissionsWrite) == 0 {
		*bare.Word(parentWithdrawAddress) = withdrawMarker
		exo.SegmentUnlink(parentWithdrawAddress, exo.LevelPT)
	}
	child := spawn(14, 0, 0)
	check("withdraw: start a child and grant it a segment", child > 0 && segment != 0 &&
		exo.SegmentGrant(segment, uint64(child), exo.RightsLink) == 0)
	*mailbox(boxWithdrawSegment) = segment
	check("withdraw: the child linked the segment and read it", waitFor(mailbox(boxWithdrawSeen), 1))
	expect("withdraw: a grant that was never made", exo.SegmentWithdraw(segment, 1), exo.ErrNoRight)
	expect("withdraw: a segment I do not own", exo.SegmentWithdraw(0xfff0fff, uint64(child)), exo.ErrNoSuchObject)
	check("withdraw: take the grant back; the child's link goes with it", exo.SegmentWithdraw(segment, uint64(child)) == 1)
	expect("withdraw: the grant is gone", exo.SegmentWithdraw(segment, uint64(child)), exo.ErrNoRight)
	*mailbox(boxWithdrawn) = 1
	// Let the child make its read (and be ended) before cleaning up.
	waitFor(mailbox(boxWithdrawReading), 1)
	for i := 0; i < 100; i++ {
		exo.Yield()
	}
	for i := 0; i < 1000 && exo.ProcessDestroy(uint64(child)) == -exo.ErrBusy; i++ {
		exo.Yield()
	}
	exo.SegmentDestroy(segment)
}

// withdrawn is role 14.
func withdrawn() {
	waitAtLeast(mailbox(boxWithdrawSegment), 1)
	segment := *mailbox(boxWithdrawSegment)
	expect("withdrawn: withdraw a grant on a segment I do not own", exo.SegmentWithdraw(segment, 0), exo.ErrNotOwner)
	if exo.SegmentLink(segment, withdrawAddress, 0) == 0 && *bare.Word(withdrawAddress) == withdrawMarker {
		*mailbox(boxWithdrawSeen) = 1
	}
	waitFor(mailbox(boxWithdrawn), 1)
	bare.Say("exo-test: withdrawn: reading the segment after its grant was withdrawn (the kernel must stop me)\n")
	*mailbox(boxWithdrawReading) = 1
	_ = *bare.Word(withdrawAddress)
	bare.Say("exo-test: FAIL: withdrawn: the segment is still linked\n")
}
