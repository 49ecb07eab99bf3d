package segment_test

import (
	"math/rand/v2"
	"testing"

	"exogo/kernel/segment"
)

// TestRefLimit: links and mappings a process holds are limited, and the
// limit is its own.
func TestRefLimit(t *testing.T) {
	m := newMachine(t)
	const owner = 41
	space := m.spaceOf(t, owner)
	id := m.create(t, owner, segment.Level1)
	var status segment.Status
	n := 0
	for ; n < segment.RefLimit+10; n++ {
		// 2 MiB apart in one PD: the tables are made once.
		if status = m.seg.Link(m.mem, owner, space.Root, uintptr(1<<30+n*2*mib), id, segment.Read); status != segment.OK {
			break
		}
	}
	if n != segment.RefLimit || status != segment.OverLimit {
		t.Errorf("%d links, then %v; want %d, then over the limit", n, status, segment.RefLimit)
	}
	if m.seg.RefsOf(owner) != segment.RefLimit {
		t.Errorf("RefsOf = %d", m.seg.RefsOf(owner))
	}
	// Another process is not affected.
	other := m.create(t, procA, segment.Level1)
	expect(t, "another process links", m.seg.Link(m.mem, procA, m.root(procA), 4*mib, other, segment.Read), segment.OK)
	if removed := m.seg.UnlinkAll(m.mem, space.Root); removed != segment.RefLimit || m.seg.RefsOf(owner) != 0 {
		t.Errorf("UnlinkAll removed %d, %d records left", removed, m.seg.RefsOf(owner))
	}
}

// TestRefsUnderChurn links one segment at many places in three address
// spaces, on the owner's authority and on grants, maps it into parents,
// and unlinks, unmaps and withdraws at random, checking against a model
// that the records stay exact: Info's counts, Places, and what each
// withdrawal removes.
func TestRefsUnderChurn(t *testing.T) {
	m := newMachine(t)
	rng := rand.New(rand.NewPCG(7, 8))
	id := m.create(t, procA, segment.Level1)
	expect(t, "map a page", m.seg.MapFrame(m.mem, procA, id, 0, m.frameFor(t, procA), segment.Write), segment.OK)
	type link struct {
		p       uint16
		address uintptr
	}
	links := map[link]uint16{} // -> the process whose right it was made on
	procs := []uint16{procA, procB, procC}
	var parents []segment.ID
	parentBy := map[segment.ID]uint16{}
	for _, p := range procs {
		for i := 0; i < 4; i++ {
			parent := m.create(t, p, segment.Level2)
			parents = append(parents, parent)
			parentBy[parent] = p
		}
	}
	mapped := map[[2]uint64]uint16{} // parent, slot -> the mapper
	granted := map[uint16]bool{}
	writable := map[link]bool{}
	for step := 0; step < 20000; step++ {
		p := procs[rng.IntN(len(procs))]
		switch rng.IntN(6) {
		case 0, 1: // link
			if p != procA && !granted[p] {
				expect(t, "grant", m.seg.Grant(procA, id, p, segment.Read), segment.OK)
				granted[p] = true
			}
			l := link{p, uintptr(4*mib + rng.IntN(300)*2*mib)}
			r := segment.Read
			if p == procA && rng.IntN(2) == 0 {
				r |= segment.Write // the owner's writable links: WritableLinks counts them
			}
			s := m.seg.Link(m.mem, p, m.root(p), l.address, id, r)
			_, exists := links[l]
			if exists != (s == segment.SlotInUse) || (!exists && s != segment.OK) {
				t.Fatalf("step %d: Link(%d, %#x) = %v with exists %v", step, p, l.address, s, exists)
			}
			if !exists {
				writable[l] = r&segment.Write != 0
			}
			links[l] = p
		case 2: // unlink
			l := link{p, uintptr(4*mib + rng.IntN(300)*2*mib)}
			_, s := m.seg.Unlink(m.mem, m.root(p), l.address, segment.Level1)
			if _, exists := links[l]; exists != (s == segment.OK) {
				t.Fatalf("step %d: Unlink = %v with exists %v", step, s, exists)
			}
			delete(links, l)
		case 3: // map into a parent
			parent := parents[rng.IntN(len(parents))]
			q := parentBy[parent]
			if q != procA && !granted[q] {
				break
			}
			slot := uint64(rng.IntN(20))
			s := m.seg.MapSegment(m.mem, q, parent, uint(slot), id, segment.Read)
			key := [2]uint64{uint64(parent), slot}
			if _, exists := mapped[key]; exists != (s == segment.SlotInUse) || (!exists && s != segment.OK) {
				t.Fatalf("step %d: MapSegment = %v", step, s)
			}
			mapped[key] = q
		case 4: // unmap
			parent := parents[rng.IntN(len(parents))]
			slot := uint64(rng.IntN(20))
			_, s := m.seg.Unmap(m.mem, parentBy[parent], parent, uint(slot))
			key := [2]uint64{uint64(parent), slot}
			if _, exists := mapped[key]; exists != (s == segment.OK) {
				t.Fatalf("step %d: Unmap = %v with exists %v", step, s, exists)
			}
			delete(mapped, key)
		case 5: // withdraw a grant, now and then
			if rng.IntN(20) != 0 || p == procA || !granted[p] {
				break
			}
			want := 0
			for l, by := range links {
				if by == p {
					want++
					delete(links, l)
				}
			}
			for k, by := range mapped {
				if by == p {
					want++
					delete(mapped, k)
				}
			}
			removed, s := m.seg.Withdraw(m.mem, procA, id, p)
			if s != segment.OK || removed != want {
				t.Fatalf("step %d: Withdraw(%d) = %d, %v; want %d", step, p, removed, s, want)
			}
			granted[p] = false
		}
		info, _ := m.seg.Info(id)
		if int(info.Links) != len(links) || int(info.Parents) != len(mapped) {
			t.Fatalf("step %d: %d links, %d parents; model %d, %d", step, info.Links, info.Parents, len(links), len(mapped))
		}
		wantWritable := 0
		for l := range links {
			if writable[l] {
				wantWritable++
			}
		}
		if got := m.seg.WritableLinks(m.mem, id); int(got) != wantWritable {
			t.Fatalf("step %d: WritableLinks = %d; model %d", step, got, wantWritable)
		}
		complete := len(links) <= segment.MaxPlaces && len(mapped) == 0
		want := 0
		if complete {
			want = len(links) // none when incomplete: the caller flushes everything
		}
		if places, n, got := m.seg.Places(id); got != complete || n != want {
			t.Fatalf("step %d: Places = %v, %d, %v with %d links", step, places, n, complete, len(links))
		} else {
			for _, pl := range places[:n] {
				found := false
				for l := range links {
					found = found || (m.root(l.p) == pl.Root && l.address == pl.Address)
				}
				if !found {
					t.Fatalf("step %d: place %+v is not a link", step, pl)
				}
			}
		}
	}
	total := m.seg.RefsOf(0) // links in the test's spaces, which the kernel owns
	for _, p := range procs {
		total += m.seg.RefsOf(p)
	}
	if total != len(links)+len(mapped) {
		t.Errorf("%d records, model %d", total, len(links)+len(mapped))
	}
}
