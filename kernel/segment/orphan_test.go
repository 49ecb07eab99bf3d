package segment_test

import (
	"testing"

	"exogo/kernel/paging"
	"exogo/kernel/physmem"
	"exogo/kernel/segment"
)

// end does what the kernel does when process p ends (kernel/exo's
// release): its links go, its grants end, its segments are destroyed or
// orphaned, and its frames are freed or orphaned.
func (m *machine) end(t *testing.T, p uint16) (surviving int) {
	t.Helper()
	m.seg.UnlinkAll(m.mem, m.root(p))
	m.seg.ForgetGrantee(m.mem, p)
	_, surviving, _ = m.seg.DestroyOwnedBy(m.mem, p)
	m.frames.FreeAllOwnedBy(p)
	m.frames.ReleasePending() // after the kernel's TLB shootdown
	return surviving
}

// warm links and unlinks a segment of p's at address, so that p's space has
// the tables a link there needs (they stay with the space), before a test
// counts free frames.
func (m *machine) warm(t *testing.T, p uint16, address uintptr, level segment.Level) {
	t.Helper()
	id := m.create(t, p, level)
	expect(t, "warm-up link", m.seg.Link(m.mem, p, m.root(p), address, id, segment.Read), segment.OK)
	m.seg.Unlink(m.mem, m.root(p), address, level)
	expect(t, "warm-up destroy", m.seg.Destroy(m.mem, p, id), segment.OK)
}

// spaceOf makes an address space whose tables owner owns (and is charged
// for).
func (m *machine) spaceOf(t *testing.T, owner uint16) paging.Space {
	t.Helper()
	space, ok := paging.NewSpaceFor(m.frames, m.base, owner)
	if !ok {
		t.Fatal("NewSpaceFor failed")
	}
	return space
}

// allGone checks that no segment is left, no orphan frame, and that free
// frames are back to free.
func (m *machine) allGone(t *testing.T, free uint64) {
	t.Helper()
	if m.seg.Live() != 0 {
		t.Errorf("%d segments live after every process ended", m.seg.Live())
	}
	m.census(t, 0)
	if got := m.frames.FreeFrames(); got != free {
		t.Errorf("free frames %d, want %d", got, free)
	}
}

// census checks that every frame is counted once and that no frame of an
// ended process is left but orphans.
func (m *machine) census(t *testing.T, orphans uint64) {
	t.Helper()
	c := m.frames.TakeCensus()
	if !c.Balanced() || c.Orphans != orphans {
		t.Errorf("census %+v, want balanced with %d orphans", c, orphans)
	}
}

// TestOrphanGoesWithItsLastUser: a segment whose owner ended lives while
// another process links it, and is destroyed, with its frames, when that
// process unlinks it.
func TestOrphanGoesWithItsLastUser(t *testing.T) {
	m := newMachine(t)
	m.warm(t, procB, 4*mib, segment.Level1)
	free := m.frames.FreeFrames()
	id := m.create(t, procA, segment.Level1)
	var data []uint64
	for i := uint(0); i < 5; i++ {
		f := m.frameFor(t, procA)
		data = append(data, f)
		expect(t, "map", m.seg.MapFrame(m.mem, procA, id, i, f, segment.Write), segment.OK)
	}
	expect(t, "grant", m.seg.Grant(procA, id, procB, segment.Read), segment.OK)
	expect(t, "link by the grantee", m.seg.Link(m.mem, procB, m.root(procB), 4*mib, id, segment.Read), segment.OK)
	spare := m.create(t, procA, segment.Level1) // unused: goes with its owner
	expect(t, "grant the spare", m.seg.Grant(procA, spare, procB, segment.Read), segment.OK)

	if n := m.end(t, procA); n != 1 {
		t.Fatalf("%d segments survive their owner, want 1", n)
	}
	if info, s := m.seg.Info(id); s != segment.OK || !info.Orphan {
		t.Fatalf("the linked segment after its owner ended: %+v, %v; want an orphan", info, s)
	}
	if _, s := m.seg.Info(spare); s != segment.BadID {
		t.Errorf("a segment only granted, never linked, outlived its owner: %v", s)
	}
	m.census(t, 6) // five pages and the table
	if a, ok := m.effective(procB, 4*mib+3*4096); !ok || a.physical != data[3] {
		t.Error("the grantee lost its view of the orphan")
	}
	expect(t, "nobody may change an orphan", m.seg.Destroy(m.mem, procA, id), segment.NotOwner)

	if _, s := m.seg.Unlink(m.mem, m.root(procB), 4*mib, segment.Level1); s != segment.OK {
		t.Fatal(s)
	}
	if _, s := m.seg.Info(id); s != segment.BadID {
		t.Errorf("the orphan outlived its last link: %v", s)
	}
	// Its frames wait for the caller's TLB shootdown.
	for _, f := range data {
		if m.frames.UseOf(f) == physmem.UseFree {
			t.Errorf("frame %#x of the orphan freed before the TLB shootdown", f)
		}
	}
	if n := m.frames.ReleasePending(); n != 6 {
		t.Errorf("ReleasePending freed %d frames, want 6 (five pages and the table)", n)
	}
	for _, f := range data {
		if m.frames.UseOf(f) != physmem.UseFree {
			t.Errorf("frame %#x of the orphan not freed", f)
		}
	}
	m.census(t, 0)
	if got := m.frames.FreeFrames(); got != free {
		t.Errorf("free frames %d, want %d", got, free)
	}
}

// TestOrphanTreeAndGrants: a PD orphan holding PT orphans goes, the whole
// tree, when the grantee that linked it ends.
func TestOrphanTreeAndGrants(t *testing.T) {
	m := newMachine(t)
	// Let procB's space make the tables a link at 1 GiB needs (they stay
	// with the space) before counting free frames.
	m.warm(t, procB, 1<<30, segment.Level2)
	free := m.frames.FreeFrames()
	top := m.create(t, procA, segment.Level2)
	for slot := uint(0); slot < 3; slot++ {
		child := m.create(t, procA, segment.Level1)
		expect(t, "map a page", m.seg.MapFrame(m.mem, procA, child, 7, m.frameFor(t, procA), segment.Write), segment.OK)
		expect(t, "map the child", m.seg.MapSegment(m.mem, procA, top, slot, child, segment.Write), segment.OK)
	}
	expect(t, "grant", m.seg.Grant(procA, top, procB, segment.Read|segment.Write), segment.OK)
	expect(t, "link", m.seg.Link(m.mem, procB, m.root(procB), 1<<30, top, segment.Read), segment.OK)
	if n := m.end(t, procA); n != 4 {
		t.Fatalf("%d segments survive, want 4", n)
	}
	m.census(t, 4+3) // four tables, three pages
	// The grantee ends: its link and its grant go, and the whole tree
	// with them.
	m.end(t, procB)
	m.allGone(t, free)
}

// TestLinkTablesAreCharged: the page tables a link needs are charged to the
// address space's owner, within its limit, and are never its to free.
func TestLinkTablesAreCharged(t *testing.T) {
	m := newMachine(t)
	const owner = 40
	space := m.spaceOf(t, owner)
	id := m.create(t, owner, segment.Level1)
	m.frames.SetLimit(owner, uint32(m.frames.Held(owner))+5)
	linked := 0
	var status segment.Status
	for i := 0; i < 100; i++ {
		// Each address is in its own 512 GiB: a PDPT and a PD each.
		status = m.seg.Link(m.mem, owner, space.Root, uintptr(i+1)<<39, id, segment.Read)
		if status != segment.OK {
			break
		}
		linked++
	}
	if status != segment.OverLimit || linked != 2 {
		t.Errorf("links until the limit: %d, then %v; want 2, then over the limit", linked, status)
	}
	if m.frames.Held(owner) != uint64(m.frames.Limit(owner)) {
		t.Errorf("held %d, limit %d", m.frames.Held(owner), m.frames.Limit(owner))
	}
	// Its page tables are not its to free.
	pdpt := *space.Entry(space.Root, 1) & paging.AddressMask
	if s := m.frames.FreeOwned(pdpt, owner); s != physmem.WrongUse {
		t.Errorf("frame_free of a page table of my own space = %v, want wrong use", s)
	}
	if s := m.frames.FreeOwned(space.Root, owner); s != physmem.WrongUse {
		t.Errorf("frame_free of my PML4 = %v, want wrong use", s)
	}
	if _, s := m.seg.Create(m.mem, owner, segment.Level1); s != segment.OverLimit {
		t.Errorf("a segment beyond the frame limit = %v, want over the limit", s)
	}
}

// TestNoLinkReachesTheCanonicalHole: no segment of any level may be linked
// over the last page below the canonical hole (a SYSCALL in its last two
// bytes would return to a non-canonical address).
func TestNoLinkReachesTheCanonicalHole(t *testing.T) {
	m := newMachine(t)
	const hole = 0x0000_8000_0000_0000
	for _, level := range []segment.Level{segment.Level1, segment.Level2, segment.Level3} {
		id := m.create(t, procA, level)
		top := uintptr(hole - level.Span())
		expect(t, "link the last span", m.seg.Link(m.mem, procA, m.root(procA), top, id, segment.Read), segment.NotUserAddress)
		expect(t, "link the span below it", m.seg.Link(m.mem, procA, m.root(procA), top-uintptr(level.Span()), id, segment.Read), segment.OK)
	}
}

// TestOrphanBudget: orphans are kept only within a budget. Process after
// process builds a PD segment holding 191 PT segments, grants it to B, B
// links it, and the process ends: its 192 segments survive as orphans
// until they would pass OrphanSegments; then the ending process's
// segments are taken from B (its link removed) and destroyed, so no
// amount of ended processes can fill the table.
func TestOrphanBudget(t *testing.T) {
	m := newMachineWith(t, 64<<20)
	m.warm(t, procB, gib, segment.Level2)
	free := m.frames.FreeFrames()
	kept := 0
	for k := 0; k < 25; k++ {
		owner := uint16(100 + k)
		top := m.create(t, owner, segment.Level2)
		for slot := uint(0); slot < segment.SegmentLimit-1; slot++ {
			child := m.create(t, owner, segment.Level1)
			expect(t, "map a child", m.seg.MapSegment(m.mem, owner, top, slot, child, segment.Read), segment.OK)
		}
		expect(t, "grant", m.seg.Grant(owner, top, procB, segment.Read), segment.OK)
		at := uintptr(k+1) * gib
		expect(t, "B links it", m.seg.Link(m.mem, procB, m.root(procB), at, top, segment.Read), segment.OK)
		m.seg.UnlinkAll(m.mem, m.root(owner))
		m.seg.ForgetGrantee(m.mem, owner)
		_, surviving, taken := m.seg.DestroyOwnedBy(m.mem, owner)
		m.frames.FreeAllOwnedBy(owner)
		m.frames.ReleasePending()
		fits := (kept+1)*segment.SegmentLimit <= segment.OrphanSegments
		if fits && (surviving != segment.SegmentLimit || taken != 0) {
			t.Fatalf("round %d: %d survive, %d taken; want all kept", k, surviving, taken)
		}
		if !fits {
			if surviving != 0 || taken != 1 {
				t.Fatalf("round %d, past the budget: %d survive, %d taken; want none kept and B's link taken", k, surviving, taken)
			}
			if _, ok := m.effective(procB, at); ok {
				t.Fatalf("round %d: B still reaches the segment taken from it", k)
			}
			continue
		}
		kept++
	}
	if m.seg.Live() != kept*segment.SegmentLimit {
		t.Errorf("%d segments live, want %d orphans", m.seg.Live(), kept*segment.SegmentLimit)
	}
	m.census(t, uint64(kept*segment.SegmentLimit))
	m.end(t, procB)
	m.allGone(t, free)
}
