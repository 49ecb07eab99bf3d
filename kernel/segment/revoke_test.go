package segment_test

import (
	"testing"

	"exogo/kernel/physmem"
	"exogo/kernel/segment"
)

// TestUnmapFramesOf checks the first half of revocation by force: only
// frames the owner maps exactly once in its own segments are unmapped, the
// entries go away, the frames stay owned with no reference (the caller
// frees them after flushing TLBs), and nothing of another process is
// touched.
func TestUnmapFramesOf(t *testing.T) {
	m := newMachine(t)
	mine := m.create(t, procA, segment.Level1)
	theirs := m.create(t, procB, segment.Level1)
	once1, once2, once3 := m.frameFor(t, procA), m.frameFor(t, procA), m.frameFor(t, procA)
	twice := m.frameFor(t, procA)
	other := m.frameFor(t, procB)
	for i, f := range []uint64{once1, twice, once2, twice, once3} {
		if s := m.seg.MapFrame(m.mem, procA, mine, uint(i), f, segment.Read|segment.Write); s != segment.OK {
			t.Fatalf("MapFrame %d: %v", i, s)
		}
	}
	if s := m.seg.MapFrame(m.mem, procB, theirs, 0, other, segment.Read); s != segment.OK {
		t.Fatalf("MapFrame of B: %v", s)
	}

	if got, reachable := m.seg.UnmapFramesOf(m.mem, procA, 2); got != 2 || reachable {
		t.Fatalf("UnmapFramesOf(want 2) = %d, %v, want 2 from an unreachable segment", got, reachable)
	}
	// Asking for more than there is unmaps the one left mapped once.
	if got, _ := m.seg.UnmapFramesOf(m.mem, procA, 10); got != 1 {
		t.Fatalf("UnmapFramesOf(want 10) = %d, want 1", got)
	}
	for _, f := range []uint64{once1, once2, once3} {
		if o, ok := m.frames.Owner(f); !ok || o != procA || m.frames.References(f) != 0 {
			t.Errorf("frame %#x: owner %d (%v), references %d; want still A's, unreferenced", f, o, ok, m.frames.References(f))
		}
	}
	// The caller then frees them.
	list := make([]uint64, 1)
	if got := m.frames.TakeUnreferencedFrom(procA, 10, list); got != 3 || list[0] != once1 {
		t.Errorf("TakeUnreferencedFrom = %d, first %#x; want 3, %#x", got, list[0], once1)
	}
	for _, f := range []uint64{once1, once2, once3} {
		if u := m.frames.UseOf(f); u != physmem.UseFree {
			t.Errorf("frame %#x use = %v, want free", f, u)
		}
	}
	// The frame mapped twice stays, as do both its entries.
	if r := m.frames.References(twice); r != 2 {
		t.Errorf("references of the twice-mapped frame = %d, want 2", r)
	}
	for i, wantPresent := range []bool{false, true, false, true, false} {
		u, s := m.seg.Unmap(m.mem, procA, mine, uint(i))
		if wantPresent && (s != segment.OK || u.Frame != twice) {
			t.Errorf("slot %d: Unmap = %+v, %v, want the twice-mapped frame", i, u, s)
		}
		if !wantPresent && s != segment.SlotEmpty {
			t.Errorf("slot %d: Unmap = %v, want SlotEmpty", i, s)
		}
	}
	// Another process, a zero owner: nothing happens.
	if got, _ := m.seg.UnmapFramesOf(m.mem, procC, 10); got != 0 {
		t.Errorf("UnmapFramesOf(procC) = %d", got)
	}
	if got, _ := m.seg.UnmapFramesOf(m.mem, 0, 10); got != 0 {
		t.Errorf("UnmapFramesOf(0) = %d", got)
	}
	if r := m.frames.References(other); r != 1 {
		t.Errorf("B's frame references = %d, want 1", r)
	}
	if o, ok := m.frames.Owner(other); !ok || o != procB {
		t.Errorf("B's frame owner = %d, %v", o, ok)
	}
}

// TestUnmapFramesOfUnreachableFirst checks the order: frames of a segment
// no address space reaches go before frames of a linked one, and only
// taking from a linked one asks the caller for a TLB flush.
func TestUnmapFramesOfUnreachableFirst(t *testing.T) {
	m := newMachine(t)
	linked := m.create(t, procA, segment.Level1) // created first: first in table order
	aside := m.create(t, procA, segment.Level1)
	inUse, kept := m.frameFor(t, procA), m.frameFor(t, procA)
	expect(t, "map in linked", m.seg.MapFrame(m.mem, procA, linked, 0, inUse, segment.Read|segment.Write), segment.OK)
	expect(t, "map aside", m.seg.MapFrame(m.mem, procA, aside, 0, kept, segment.Read|segment.Write), segment.OK)
	expect(t, "link", m.seg.Link(m.mem, procA, m.root(procA), 4*mib, linked, segment.Read|segment.Write), segment.OK)
	m.store(t, procA, 4*mib, "in use")

	if got, reachable := m.seg.UnmapFramesOf(m.mem, procA, 1); got != 1 || reachable || m.frames.References(kept) != 0 {
		t.Fatalf("first UnmapFramesOf = %d, %v (kept has %d references); want 1, false, the unlinked segment's frame", got, reachable, m.frames.References(kept))
	}
	if got := m.load(t, procA, 4*mib, 6); got != "in use" {
		t.Errorf("linked page reads %q", got)
	}
	if got, reachable := m.seg.UnmapFramesOf(m.mem, procA, 1); got != 1 || !reachable || m.frames.References(inUse) != 0 {
		t.Fatalf("second UnmapFramesOf = %d, %v; want 1, true, the linked segment's frame", got, reachable)
	}
	if _, ok := m.effective(procA, 4*mib); ok {
		t.Error("the page taken by force is still reachable through the link")
	}
}
