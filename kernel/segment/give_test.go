package segment_test

import (
	"testing"

	"exogo/kernel/physmem"
	"exogo/kernel/segment"
)

// TestGiveMovesSegmentAndFrames: a parent fills a PT segment, links it into
// its child and gives it away; the child owns and is charged for the table
// and the frames, the parent can no longer change it, and the child's end
// frees all of it.
func TestGiveMovesSegmentAndFrames(t *testing.T) {
	m := newMachine(t)
	m.warm(t, procB, 4*mib, segment.Level1)
	free := m.frames.FreeFrames()
	heldA, heldB := m.frames.Held(procA), m.frames.Held(procB)
	id := m.create(t, procA, segment.Level1)
	var data []uint64
	for i := uint(0); i < 3; i++ {
		f := m.frameFor(t, procA)
		data = append(data, f)
		expect(t, "map", m.seg.MapFrame(m.mem, procA, id, i, f, segment.Write), segment.OK)
	}
	expect(t, "link into the child", m.seg.Link(m.mem, procA, m.root(procB), 4*mib, id, segment.Write), segment.OK)
	expect(t, "give", m.seg.Give(m.mem, procA, id, procB, m.root(procB)), segment.OK)

	if info, _ := m.seg.Info(id); info.Owner != procB {
		t.Errorf("owner after the give: %d, want %d", info.Owner, procB)
	}
	for _, f := range data {
		if o, _ := m.frames.Owner(f); o != procB {
			t.Errorf("frame %#x owned by %d after the give, want %d", f, o, procB)
		}
	}
	if got := m.frames.Held(procA); got != heldA {
		t.Errorf("the giver holds %d frames, want %d (as before)", got, heldA)
	}
	if got := m.frames.Held(procB); got != heldB+4 {
		t.Errorf("the child holds %d frames, want %d (3 pages and the table)", got, heldB+4)
	}
	expect(t, "the giver may not unmap", func() segment.Status { _, s := m.seg.Unmap(m.mem, procA, id, 0); return s }(), segment.NotOwner)
	expect(t, "the giver may not free a given frame", statusOf(m.frames.FreeOwned(data[0], procA)), segment.NotOwner)
	if a, ok := m.effective(procB, 4*mib+4096); !ok || a.physical != data[1] || !a.writable {
		t.Errorf("the child's view after the give: %+v, %v", a, ok)
	}

	m.end(t, procB)
	for _, f := range data {
		if m.frames.UseOf(f) != physmem.UseFree {
			t.Errorf("frame %#x not freed with the child", f)
		}
	}
	// procB's space tables were made before free was read; its end frees
	// them too, so count from what is left.
	if got := m.frames.FreeFrames(); got < free {
		t.Errorf("free frames %d after the child ended, want at least %d", got, free)
	}
	m.census(t, 0)
}

func statusOf(s physmem.OwnershipStatus) segment.Status {
	if s == physmem.NotOwner {
		return segment.NotOwner
	}
	return segment.OK
}

// TestGiveRefusals: everything that would let the giver (or anyone) keep a
// way to the memory, or break the receiver's limits, is refused, and a
// refusal changes nothing.
func TestGiveRefusals(t *testing.T) {
	m := newMachine(t)
	fill := func(owner uint16) (segment.ID, uint64) {
		id := m.create(t, owner, segment.Level1)
		f := m.frameFor(t, owner)
		expect(t, "map", m.seg.MapFrame(m.mem, owner, id, 0, f, segment.Write), segment.OK)
		return id, f
	}

	id, f := fill(procA)
	expect(t, "not the owner", m.seg.Give(m.mem, procC, id, procB, m.root(procB)), segment.NotOwner)
	expect(t, "to itself", m.seg.Give(m.mem, procA, id, procA, m.root(procA)), segment.BadGrantee)
	expect(t, "to the kernel", m.seg.Give(m.mem, procA, id, 0, m.root(procB)), segment.BadGrantee)
	expect(t, "a stale id", m.seg.Give(m.mem, procA, id+1<<16, procB, m.root(procB)), segment.BadID)

	// Linked in the giver's own space: it would keep a view.
	expect(t, "link in the giver", m.seg.Link(m.mem, procA, m.root(procA), 8*mib, id, segment.Write), segment.OK)
	expect(t, "linked in the giver", m.seg.Give(m.mem, procA, id, procB, m.root(procB)), segment.StillLinked)
	m.seg.Unlink(m.mem, m.root(procA), 8*mib, segment.Level1)

	// Granted: the grantee would keep its right.
	expect(t, "grant", m.seg.Grant(procA, id, procC, segment.Read), segment.OK)
	expect(t, "granted", m.seg.Give(m.mem, procA, id, procB, m.root(procB)), segment.StillLinked)
	if _, s := m.seg.Withdraw(m.mem, procA, id, 0); s != segment.OK {
		t.Fatal(s)
	}

	// A frame mapped twice: the other mapping would stay the giver's.
	other := m.create(t, procA, segment.Level1)
	expect(t, "map again", m.seg.MapFrame(m.mem, procA, other, 0, f, segment.Write), segment.OK)
	expect(t, "a frame mapped elsewhere too", m.seg.Give(m.mem, procA, id, procB, m.root(procB)), segment.TooManyReferences)
	if _, s := m.seg.Unmap(m.mem, procA, other, 0); s != segment.OK {
		t.Fatal(s)
	}

	// Mapped in a bigger segment.
	pd := m.create(t, procA, segment.Level2)
	expect(t, "map into a PD", m.seg.MapSegment(m.mem, procA, pd, 0, id, segment.Write), segment.OK)
	expect(t, "mapped in a parent", m.seg.Give(m.mem, procA, id, procB, m.root(procB)), segment.StillLinked)
	if _, s := m.seg.Unmap(m.mem, procA, pd, 0); s != segment.OK {
		t.Fatal(s)
	}
	expect(t, "a PD segment", m.seg.Give(m.mem, procA, pd, procB, m.root(procB)), segment.BadLevel)

	// The receiver at its frame limit.
	m.frames.SetLimit(procB, uint32(m.frames.Held(procB))+1)
	expect(t, "over the receiver's limit", m.seg.Give(m.mem, procA, id, procB, m.root(procB)), segment.OverLimit)
	m.frames.SetLimit(procB, 1<<20)

	if info, _ := m.seg.Info(id); info.Owner != procA {
		t.Fatalf("a refused give changed the owner to %d", info.Owner)
	}
	if o, _ := m.frames.Owner(f); o != procA {
		t.Fatalf("a refused give moved the frame to %d", o)
	}
	expect(t, "give at last", m.seg.Give(m.mem, procA, id, procB, m.root(procB)), segment.OK)
	expect(t, "give again (no longer the owner)", m.seg.Give(m.mem, procA, id, procB, m.root(procB)), segment.NotOwner)
}

// TestProtectKeepsTheFrame: Protect changes a mapped page's permissions in
// place; the frame stays mapped, and only the owner may.
func TestProtectKeepsTheFrame(t *testing.T) {
	m := newMachine(t)
	id := m.create(t, procA, segment.Level1)
	f := m.frameFor(t, procA)
	expect(t, "map", m.seg.MapFrame(m.mem, procA, id, 5, f, segment.Write|segment.Execute), segment.OK)
	expect(t, "link", m.seg.Link(m.mem, procA, m.root(procA), 4*mib, id, segment.Write|segment.Execute), segment.OK)
	if a, ok := m.effective(procA, 4*mib+5*4096); !ok || !a.writable || a.noExec {
		t.Fatalf("before: %+v %v", a, ok)
	}
	changed, s := m.seg.Protect(m.mem, procA, id, 5, segment.Execute)
	expect(t, "protect", s, segment.OK)
	if changed.Frame != f || changed.Offset != 5*4096 || changed.Size != 4096 || changed.Links != 1 {
		t.Errorf("Protect reported %+v", changed)
	}
	if a, ok := m.effective(procA, 4*mib+5*4096); !ok || a.writable || a.noExec || a.physical != f {
		t.Errorf("after read+execute: %+v %v", a, ok)
	}
	if _, s := m.seg.Protect(m.mem, procA, id, 5, segment.Write); s != segment.OK {
		t.Fatal(s)
	}
	if a, _ := m.effective(procA, 4*mib+5*4096); !a.writable || !a.noExec {
		t.Errorf("after read+write: %+v", a)
	}
	if m.frames.References(f) != 1 {
		t.Errorf("references %d after Protect, want 1", m.frames.References(f))
	}
	_, s = m.seg.Protect(m.mem, procB, id, 5, 0)
	expect(t, "not the owner", s, segment.NotOwner)
	_, s = m.seg.Protect(m.mem, procA, id, 6, 0)
	expect(t, "an empty slot", s, segment.SlotEmpty)
	_, s = m.seg.Protect(m.mem, procA, id, 512, 0)
	expect(t, "slot out of range", s, segment.BadIndex)
	_, s = m.seg.Protect(m.mem, procA, id, 5, 1<<6)
	expect(t, "bad rights", s, segment.BadRights)
}
