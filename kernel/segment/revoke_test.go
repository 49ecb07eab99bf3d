package segment_test

import (
	"testing"

	"exogo/kernel/physmem"
	"exogo/kernel/segment"
)

// TestUnmapFramesOf checks revocation by force: only frames the owner maps
// exactly once in its own segments are taken, the entries go away, the
// frames become free, and nothing of another process is touched.
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
	freeBefore := m.frames.FreeFrames()

	list := make([]uint64, 1)
	if got, reachable := m.seg.UnmapFramesOf(m.mem, procA, 2, list); got != 2 || reachable {
		t.Fatalf("UnmapFramesOf(want 2) = %d, %v, want 2 from an unreachable segment", got, reachable)
	}
	if list[0] != once1 {
		t.Errorf("first taken = %#x, want %#x", list[0], once1)
	}
	if got := m.frames.FreeFrames() - freeBefore; got != 2 {
		t.Errorf("frames freed = %d, want 2", got)
	}
	// Asking for more than there is takes the one left mapped once.
	if got, _ := m.seg.UnmapFramesOf(m.mem, procA, 10, nil); got != 1 {
		t.Fatalf("UnmapFramesOf(want 10) = %d, want 1", got)
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
	// Another process, a zero owner and no frame table: nothing happens.
	if got, _ := m.seg.UnmapFramesOf(m.mem, procC, 10, nil); got != 0 {
		t.Errorf("UnmapFramesOf(procC) = %d", got)
	}
	if got, _ := m.seg.UnmapFramesOf(m.mem, 0, 10, nil); got != 0 {
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

	list := make([]uint64, 2)
	if got, reachable := m.seg.UnmapFramesOf(m.mem, procA, 1, list); got != 1 || reachable || list[0] != kept {
		t.Fatalf("first UnmapFramesOf = %d, %v, %#x; want 1, false, %#x (the unlinked segment's)", got, reachable, list[0], kept)
	}
	if got := m.load(t, procA, 4*mib, 6); got != "in use" {
		t.Errorf("linked page reads %q", got)
	}
	if got, reachable := m.seg.UnmapFramesOf(m.mem, procA, 1, list); got != 1 || !reachable || list[0] != inUse {
		t.Fatalf("second UnmapFramesOf = %d, %v, %#x; want 1, true, %#x", got, reachable, list[0], inUse)
	}
	if _, ok := m.effective(procA, 4*mib); ok {
		t.Error("the page taken by force is still reachable through the link")
	}
}
