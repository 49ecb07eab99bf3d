package segment_test

import (
	"testing"

	"exogo/kernel/paging"
	"exogo/kernel/segment"
)

// TestWithdraw takes a grant back. A owns segment S and links it into its
// own space and its child E's; it grants S to B (with the right to grant
// on) and D. B links S into its own space twice, into its child C's space,
// and maps it into a PD segment of its own; B passes a grant on to C,
// which links S too. After Withdraw(B) everything made on B's grant is
// gone (a walk no longer reaches the frame) and everything else stays: A's
// links, D's, and C's (made on C's own grant). Withdraw(0) then ends every
// grant, and only A's own links are left.
func TestWithdraw(t *testing.T) {
	m := newMachine(t)
	const procD, procE = 4, 5
	for _, p := range []uint16{procD, procE} {
		space, ok := paging.NewSpace(m.frames, m.base)
		if !ok {
			t.Fatal("NewSpace failed")
		}
		m.spaces[p] = space
	}
	s := m.create(t, procA, segment.Level1)
	frame := m.frameFor(t, procA)
	expect(t, "map a frame", m.seg.MapFrame(m.mem, procA, s, 3, frame, segment.Write), segment.OK)
	expect(t, "grant B", m.seg.Grant(procA, s, procB, segment.Write|segment.GrantOn), segment.OK)
	expect(t, "grant D", m.seg.Grant(procA, s, procD, segment.Read), segment.OK)
	expect(t, "A links", m.seg.Link(m.mem, procA, m.root(procA), 1*gib, s, segment.Write), segment.OK)
	expect(t, "A links into its child E", m.seg.Link(m.mem, procA, m.root(procE), 1*gib, s, segment.Read), segment.OK)
	expect(t, "B links", m.seg.Link(m.mem, procB, m.root(procB), 1*gib, s, segment.Write), segment.OK)
	expect(t, "B links again", m.seg.Link(m.mem, procB, m.root(procB), 600*gib, s, segment.Read), segment.OK)
	expect(t, "B links into its child C", m.seg.Link(m.mem, procB, m.root(procC), 2*gib, s, segment.Read), segment.OK)
	pd := m.create(t, procB, segment.Level2)
	expect(t, "B maps S into its PD", m.seg.MapSegment(m.mem, procB, pd, 7, s, segment.Read), segment.OK)
	expect(t, "B links its PD", m.seg.Link(m.mem, procB, m.root(procB), 3*gib, pd, segment.Read), segment.OK)
	expect(t, "B grants C on", m.seg.Grant(procB, s, procC, segment.Read), segment.OK)
	expect(t, "C links", m.seg.Link(m.mem, procC, m.root(procC), 4*gib, s, segment.Read), segment.OK)
	expect(t, "D links", m.seg.Link(m.mem, procD, m.root(procD), 1*gib, s, segment.Read), segment.OK)

	type place struct {
		p  uint16
		at uintptr
	}
	reaches := func(p place) bool {
		a, ok := m.effective(p.p, p.at+3*4096)
		return ok && a.physical == frame
	}
	owners := []place{{procA, 1 * gib}, {procE, 1 * gib}}
	onB := []place{{procB, 1 * gib}, {procB, 600 * gib}, {procC, 2 * gib}, {procB, 3*gib + 7*2*mib}}
	others := []place{{procC, 4 * gib}, {procD, 1 * gib}}
	for _, p := range append(append(append([]place{}, owners...), onB...), others...) {
		if !reaches(p) {
			t.Fatalf("before: process %d does not reach the frame at %#x", p.p, p.at)
		}
	}

	if _, st := m.seg.Withdraw(m.mem, procB, s, procC); st != segment.NotOwner {
		t.Errorf("Withdraw by a grantee = %v, want NotOwner", st)
	}
	if _, st := m.seg.Withdraw(m.mem, procA, s, procE); st != segment.NotGranted {
		t.Errorf("Withdraw of a grant never made = %v, want NotGranted", st)
	}
	removed, st := m.seg.Withdraw(m.mem, procA, s, procB)
	if st != segment.OK || removed != 4 {
		t.Fatalf("Withdraw(B) = %d, %v; want 4 (three links and one mapping), OK", removed, st)
	}
	for _, p := range onB {
		if reaches(p) {
			t.Errorf("after Withdraw(B): process %d still reaches the frame at %#x", p.p, p.at)
		}
	}
	for _, p := range append(append([]place{}, owners...), others...) {
		if !reaches(p) {
			t.Errorf("after Withdraw(B): process %d lost the frame at %#x", p.p, p.at)
		}
	}
	if info, _ := m.seg.Info(s); info.Links != 4 || info.Parents != 0 || info.GrantCount != 2 {
		t.Errorf("after Withdraw(B): %+v, want 4 links (A, E, C, D), no parent, 2 grants (C, D)", info)
	}
	expect(t, "B links without its grant", m.seg.Link(m.mem, procB, m.root(procB), 1*gib, s, segment.Read), segment.NoAccess)
	if info, st := m.seg.Info(pd); st != segment.OK || info.Links != 1 {
		t.Errorf("B's PD (B's own, still linked): %+v, %v", info, st)
	}

	removed, st = m.seg.Withdraw(m.mem, procA, s, 0)
	if st != segment.OK || removed != 2 {
		t.Errorf("Withdraw(every grant) = %d, %v; want C's and D's links", removed, st)
	}
	for _, p := range others {
		if reaches(p) {
			t.Errorf("after Withdraw(0): process %d still reaches the frame at %#x", p.p, p.at)
		}
	}
	for _, p := range owners {
		if !reaches(p) {
			t.Errorf("after Withdraw(0): the owner's link in process %d at %#x is gone", p.p, p.at)
		}
	}
	// Only the owner's links are left; they unlink as usual, and then the
	// segment is destroyed with nothing left referenced.
	for _, p := range owners {
		if _, st := m.seg.Unlink(m.mem, m.root(p.p), p.at, segment.Level1); st != segment.OK {
			t.Fatal(st)
		}
	}
	expect(t, "destroy S", m.seg.Destroy(m.mem, procA, s), segment.OK)
	if m.frames.References(frame) != 0 {
		t.Error("the frame is still referenced")
	}
}

// TestForgetGranteeTakesWhatRestedOnTheGrant: when a grantee ends, the
// links it made into its child's space go with its grants.
func TestForgetGranteeTakesWhatRestedOnTheGrant(t *testing.T) {
	m := newMachine(t)
	s := m.create(t, procA, segment.Level1)
	expect(t, "grant B", m.seg.Grant(procA, s, procB, segment.Read), segment.OK)
	expect(t, "B links into its child C", m.seg.Link(m.mem, procB, m.root(procC), 2*gib, s, segment.Read), segment.OK)
	expect(t, "A links", m.seg.Link(m.mem, procA, m.root(procA), 2*gib, s, segment.Read), segment.OK)
	if removed := m.seg.ForgetGrantee(m.mem, procB); removed != 1 {
		t.Errorf("ForgetGrantee(B) removed %d, want 1", removed)
	}
	if info, _ := m.seg.Info(s); info.Links != 1 || info.GrantCount != 0 {
		t.Errorf("after ForgetGrantee(B): %+v, want A's link only, no grant", info)
	}
}
