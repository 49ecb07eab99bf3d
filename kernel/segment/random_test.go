package segment_test

import (
	"math/rand/v2"
	"testing"

	"exogo/kernel/physmem"
	"exogo/kernel/segment"
)

// The random test keeps its own model of segments, links and frame
// references, predicts the status of every operation from it, and checks
// after every few steps that the kernel's state and the page tables in
// simulated RAM agree with it.

type modelSlot struct {
	frame     uint64     // Level1: the mapped frame, 0 if empty
	child     segment.ID // Level2/3: the mapped child, 0 if empty
	authority uint16     // whose grant the child's mapping rests on (0: its owner's own)
}

type modelSegment struct {
	owner   uint16
	level   segment.Level
	links   int
	parents int
	slots   [segment.Entries]modelSlot
	grants  map[uint16]segment.Rights
}

type linkKey struct {
	process uint16
	virtual uintptr
	level   segment.Level
}

type model struct {
	segments map[segment.ID]*modelSegment
	dead     []segment.ID           // destroyed IDs, to try stale use
	links    map[linkKey]segment.ID // what is linked where
	linkedOn map[linkKey]uint16     // whose grant each link rests on (0: the owner's own)
	frames   map[uint64]uint16      // process frames and their owners
	refs     map[uint64]int         // frame -> PTEs mapping it
}

// linkAddress returns the k-th link address for a level. The three levels
// use disjoint regions, so no link is ever inside another.
func linkAddress(level segment.Level, k int) uintptr {
	switch level {
	case segment.Level1:
		return 1<<30 + uintptr(k)*(2<<20) // within 1..2 GiB
	case segment.Level2:
		return 1<<39 + uintptr(k)*(1<<30) // within PML4 slot 1
	}
	return uintptr(2+k) << 39 // PML4 slots 2..
}

func (md *model) allows(s *modelSegment, caller uint16, r segment.Rights) segment.Status {
	if caller == s.owner {
		return segment.OK
	}
	g, ok := s.grants[caller]
	if !ok {
		return segment.NoAccess
	}
	if (r|segment.Read)&^g != 0 {
		return segment.RightsExceeded
	}
	return segment.OK
}

func TestRandomOperations(t *testing.T) {
	m := newMachine(t)
	md := &model{segments: map[segment.ID]*modelSegment{}, links: map[linkKey]segment.ID{}, linkedOn: map[linkKey]uint16{}, frames: map[uint64]uint16{}, refs: map[uint64]int{}}
	rng := rand.New(rand.NewPCG(7, 11))
	processes := []uint16{procA, procB, procC}
	freeAtStart := m.frames.FreeFrames()
	tablesAtStart := m.frames.Count(physmem.UsePageTable)

	// anyID returns a live ID most of the time, else a stale or bogus one.
	anyID := func() segment.ID {
		if len(md.segments) > 0 && rng.IntN(10) < 8 {
			n := rng.IntN(len(md.segments))
			for id := range md.segments {
				if n == 0 {
					return id
				}
				n--
			}
		}
		if len(md.dead) > 0 && rng.IntN(2) == 0 {
			return md.dead[rng.IntN(len(md.dead))]
		}
		return segment.ID(rng.Uint32())
	}
	anyFrame := func() uint64 {
		if len(md.frames) > 0 && rng.IntN(10) < 9 {
			n := rng.IntN(len(md.frames))
			for f := range md.frames {
				if n == 0 {
					return f
				}
				n--
			}
		}
		return uint64(rng.IntN(ramSize/4096)) * 4096
	}
	anyProcess := func() uint16 { return processes[rng.IntN(len(processes))] }
	// usually the owner, so that the interesting paths are reached
	ownerOr := func(id segment.ID, caller uint16) uint16 {
		if s := md.segments[id]; s != nil && rng.IntN(5) > 0 {
			return s.owner
		}
		return caller
	}
	framesOf := func(p uint16) uint64 {
		for f, o := range md.frames {
			if o == p && rng.IntN(3) == 0 {
				return f
			}
		}
		return anyFrame()
	}
	anyRights := func() segment.Rights {
		if rng.IntN(30) == 0 {
			return 8
		}
		return segment.Rights(rng.IntN(8))
	}
	slot := func() uint { return uint(rng.IntN(8)) * 61 } // few distinct slots, so collisions happen

	counts := map[string]int{}
	for step := 0; step < 30000; step++ {
		caller := anyProcess()
		switch op := rng.IntN(11); op {
		case 0: // create
			if len(md.segments) >= 200 {
				continue
			}
			level := segment.Level(1 + rng.IntN(3))
			id, s := m.seg.Create(m.mem, caller, level)
			if s != segment.OK {
				t.Fatalf("step %d: Create = %v", step, s)
			}
			if md.segments[id] != nil {
				t.Fatalf("step %d: Create returned live ID %#x", step, id)
			}
			md.segments[id] = &modelSegment{owner: caller, level: level, grants: map[uint16]segment.Rights{}}
			counts["create"]++
		case 1: // destroy
			if rng.IntN(2) == 0 {
				continue
			}
			id := anyID()
			want := segment.OK
			s := md.segments[id]
			switch {
			case s == nil:
				want = segment.BadID
			case s.owner != caller:
				want = segment.NotOwner
			case s.links > 0 || s.parents > 0:
				want = segment.StillLinked
			}
			if got := m.seg.Destroy(m.mem, caller, id); got != want {
				t.Fatalf("step %d: Destroy = %v, want %v", step, got, want)
			}
			if want == segment.OK {
				for i := range s.slots {
					if f := s.slots[i].frame; f != 0 {
						md.refs[f]--
					}
					if c := s.slots[i].child; c != 0 {
						md.segments[c].parents--
					}
				}
				delete(md.segments, id)
				md.dead = append(md.dead, id)
				counts["destroy"]++
			}
		case 2: // allocate a frame
			if len(md.frames) < 300 {
				f := m.frameFor(t, caller)
				md.frames[f] = caller
			}
		case 3: // free a frame
			f := anyFrame()
			owner, known := md.frames[f]
			want := physmem.Done
			switch {
			case !known:
				continue // a kernel or free frame: not this test's business
			case owner != caller:
				want = physmem.NotOwner
			case md.refs[f] > 0:
				want = physmem.StillReferenced
			}
			if got := m.frames.FreeOwned(f, caller); got != want {
				t.Fatalf("step %d: FreeOwned = %v, want %v", step, got, want)
			}
			if want == physmem.Done {
				delete(md.frames, f)
				delete(md.refs, f)
			}
		case 4: // map a frame
			id, index, r := anyID(), slot(), anyRights()
			caller = ownerOr(id, caller)
			f := anyFrame()
			if rng.IntN(4) > 0 {
				f = framesOf(caller)
			}
			s := md.segments[id]
			want := segment.OK
			owner, known := md.frames[f]
			switch {
			case s == nil:
				want = segment.BadID
			case s.owner != caller:
				want = segment.NotOwner
			case s.level != segment.Level1:
				want = segment.BadLevel
			case r&^7 != 0:
				want = segment.BadRights
			case s.slots[index].frame != 0:
				want = segment.SlotInUse
			case !known && m.frames.UseOf(f) == physmem.UseFree:
				want = segment.FrameNotMappable
			case !known:
				if o, _ := m.frames.Owner(f); o != caller {
					want = segment.FrameNotOwned
				} else {
					want = segment.FrameNotMappable // the caller's segment table
				}
			case owner != caller:
				want = segment.FrameNotOwned
			}
			if got := m.seg.MapFrame(m.mem, caller, id, index, f, r); got != want {
				t.Fatalf("step %d: MapFrame = %v, want %v", step, got, want)
			}
			if want == segment.OK {
				s.slots[index].frame = f
				md.refs[f]++
				counts["map frame"]++
			}
		case 5: // map a segment
			id, index, child, r := anyID(), slot(), anyID(), anyRights()
			caller = ownerOr(id, caller)
			s, c := md.segments[id], md.segments[child]
			want := segment.OK
			switch {
			case s == nil:
				want = segment.BadID
			case s.owner != caller:
				want = segment.NotOwner
			case r&^7 != 0:
				want = segment.BadRights
			case c == nil:
				want = segment.BadID
			case c.level+1 != s.level:
				want = segment.LevelMismatch
			case md.allows(c, caller, r) != segment.OK:
				want = md.allows(c, caller, r)
			case s.slots[index].child != 0:
				want = segment.SlotInUse
			}
			if got := m.seg.MapSegment(m.mem, caller, id, index, child, r); got != want {
				t.Fatalf("step %d: MapSegment = %v, want %v", step, got, want)
			}
			if want == segment.OK {
				s.slots[index].child = child
				if caller != c.owner {
					s.slots[index].authority = caller
				}
				c.parents++
				counts["map segment"]++
			}
		case 6: // unmap
			id, index := anyID(), slot()
			caller = ownerOr(id, caller)
			s := md.segments[id]
			want := segment.OK
			switch {
			case s == nil:
				want = segment.BadID
			case s.owner != caller:
				want = segment.NotOwner
			case s.slots[index] == modelSlot{}:
				want = segment.SlotEmpty
			}
			u, got := m.seg.Unmap(m.mem, caller, id, index)
			if got != want {
				t.Fatalf("step %d: Unmap = %v, want %v", step, got, want)
			}
			if want == segment.OK {
				sl := s.slots[index]
				if u.Frame != sl.frame || u.Child != sl.child {
					t.Fatalf("step %d: Unmap returned %+v, model %+v", step, u, sl)
				}
				if sl.frame != 0 {
					md.refs[sl.frame]--
				} else {
					md.segments[sl.child].parents--
				}
				s.slots[index] = modelSlot{}
				counts["unmap"]++
			}
		case 7: // grant
			// Rights with GrantOn (8) half the time, so grantees grant on.
			id, grantee, r := anyID(), uint16(1+rng.IntN(12)), segment.Rights(rng.IntN(16))
			if rng.IntN(3) > 0 {
				grantee = anyProcess() // mostly one that links, so withdrawing has work
			}
			if rng.IntN(30) == 0 {
				r = 16 // not a right
			}
			s := md.segments[id]
			if s != nil && rng.IntN(2) == 0 {
				// Half the time, act as a grantee that may grant on.
				for p, held := range s.grants {
					if held&segment.GrantOn != 0 {
						caller = p
						break
					}
				}
			}
			want := segment.OK
			switch {
			case s == nil:
				want = segment.BadID
			case s.owner != caller && s.grants[caller]&segment.GrantOn == 0:
				want = segment.NotOwner
			case r&^15 != 0:
				want = segment.BadRights
			case s.owner != caller && (r|segment.Read)&^s.grants[caller] != 0:
				want = segment.RightsExceeded
			case grantee == s.owner || grantee == caller:
				want = segment.BadGrantee
			case len(s.grants) >= segment.MaxGrants && s.grants[grantee] == 0:
				want = segment.TooManyGrants
			}
			if got := m.seg.Grant(caller, id, grantee, r); got != want {
				t.Fatalf("step %d: Grant = %v, want %v", step, got, want)
			}
			if want == segment.OK {
				if s.owner == caller {
					s.grants[grantee] = r | segment.Read
					counts["grant"]++
				} else {
					s.grants[grantee] |= r | segment.Read
					counts["grant on"]++
				}
			}
		case 8: // withdraw a grant (grantee 0: every grant)
			id, grantee := anyID(), uint16(1+rng.IntN(12))
			if rng.IntN(2) == 0 {
				for key, on := range md.linkedOn { // often a segment linked on a grant
					if on != 0 {
						id, grantee = md.links[key], on
						break
					}
				}
			}
			if rng.IntN(8) == 0 {
				grantee = 0
			}
			caller = ownerOr(id, caller)
			s := md.segments[id]
			if s != nil && grantee != 0 && s.grants[grantee] == 0 && len(s.grants) > 0 && rng.IntN(4) > 0 {
				for g := range s.grants { // mostly a grant that exists
					grantee = g
					break
				}
			}
			want := segment.OK
			switch {
			case s == nil:
				want = segment.BadID
			case s.owner != caller:
				want = segment.NotOwner
			case grantee != 0 && s.grants[grantee] == 0:
				want = segment.NotGranted
			}
			removed, got := m.seg.Withdraw(m.mem, caller, id, grantee)
			if got != want {
				t.Fatalf("step %d: Withdraw = %v, want %v", step, got, want)
			}
			if want != segment.OK {
				break
			}
			ended := func(authority uint16) bool {
				return authority != 0 && (grantee == 0 || authority == grantee)
			}
			wantRemoved := 0
			for key, linked := range md.links {
				if linked == id && ended(md.linkedOn[key]) {
					delete(md.links, key)
					delete(md.linkedOn, key)
					s.links--
					wantRemoved++
				}
			}
			for _, parent := range md.segments {
				for i := range parent.slots {
					if parent.slots[i].child == id && ended(parent.slots[i].authority) {
						parent.slots[i] = modelSlot{}
						s.parents--
						wantRemoved++
					}
				}
			}
			if removed != wantRemoved {
				t.Fatalf("step %d: Withdraw removed %d, model %d", step, removed, wantRemoved)
			}
			if grantee == 0 {
				s.grants = map[uint16]segment.Rights{}
			} else {
				delete(s.grants, grantee)
			}
			counts["withdraw"]++
			if removed > 0 {
				counts["withdraw removing"]++
			}
		case 9: // link into the caller's own space
			id, r := anyID(), anyRights()
			s := md.segments[id]
			if s != nil && rng.IntN(2) == 0 {
				for p := range s.grants { // half the time as a grantee, if one is a process here
					if p <= procC {
						caller = p
						break
					}
				}
			}
			level := segment.Level(1 + rng.IntN(3))
			if s != nil {
				level = s.level
			}
			key := linkKey{caller, linkAddress(level, rng.IntN(6)), level}
			want := segment.OK
			switch {
			case s == nil:
				want = segment.BadID
			case r&^7 != 0:
				want = segment.BadRights
			case md.allows(s, caller, r) != segment.OK:
				want = md.allows(s, caller, r)
			case md.links[key] != 0:
				want = segment.SlotInUse
			}
			if got := m.seg.Link(m.mem, caller, m.root(caller), key.virtual, id, r); got != want {
				t.Fatalf("step %d: Link = %v, want %v", step, got, want)
			}
			if want == segment.OK {
				md.links[key] = id
				md.linkedOn[key] = 0
				if caller != s.owner {
					md.linkedOn[key] = caller
				}
				s.links++
				counts["link"]++
			}
		case 10: // unlink from the caller's own space
			level := segment.Level(1 + rng.IntN(3))
			key := linkKey{caller, linkAddress(level, rng.IntN(6)), level}
			want, wantID := segment.SlotEmpty, md.links[key]
			if wantID != 0 {
				want = segment.OK
			}
			id, got := m.seg.Unlink(m.mem, m.root(caller), key.virtual, level)
			if got != want || id != wantID {
				t.Fatalf("step %d: Unlink = %#x, %v, want %#x, %v", step, id, got, wantID, want)
			}
			if want == segment.OK {
				delete(md.links, key)
				delete(md.linkedOn, key)
				md.segments[id].links--
				counts["unlink"]++
			}
		}
		if step%500 == 0 {
			checkInvariants(t, m, md)
		}
	}
	checkInvariants(t, m, md)
	for _, op := range []string{"create", "destroy", "map frame", "map segment", "unmap", "grant", "grant on", "link", "unlink", "withdraw", "withdraw removing"} {
		if counts[op] < 20 {
			t.Errorf("only %d successful %s operations: the test explores too little", counts[op], op)
		}
	}
	t.Logf("successful operations: %v", counts)

	// Tear everything down; only the tables Link created may remain.
	for key, id := range md.links {
		if got, s := m.seg.Unlink(m.mem, m.root(key.process), key.virtual, key.level); s != segment.OK || got != id {
			t.Fatalf("teardown Unlink = %v, %v", got, s)
		}
	}
	for len(md.segments) > 0 {
		progress := false
		for id, s := range md.segments {
			if s.parents > 0 {
				continue
			}
			if got := m.seg.Destroy(m.mem, s.owner, id); got != segment.OK {
				t.Fatalf("teardown Destroy = %v", got)
			}
			for i := range s.slots {
				if c := s.slots[i].child; c != 0 {
					md.segments[c].parents--
				}
			}
			delete(md.segments, id)
			progress = true
		}
		if !progress {
			t.Fatal("teardown stuck: a parent cycle?")
		}
	}
	for _, p := range processes {
		if _, r := m.frames.FreeAllOwnedBy(p); r != 0 {
			t.Errorf("process %d: %d frames still referenced after teardown", p, r)
		}
	}
	tables := m.frames.Count(physmem.UsePageTable) - tablesAtStart
	if got := m.frames.FreeFrames() + tables; got != freeAtStart {
		t.Errorf("free frames %d + %d link tables, want %d: something leaked", m.frames.FreeFrames(), tables, freeAtStart)
	}
	if m.seg.Live() != 0 || m.frames.Count(physmem.UseSegment) != 0 {
		t.Errorf("after teardown: %d live, %d segment frames", m.seg.Live(), m.frames.Count(physmem.UseSegment))
	}
}

// checkInvariants compares the kernel's state with the model, and counts
// the entries in simulated RAM that map each frame.
func checkInvariants(t *testing.T, m *machine, md *model) {
	t.Helper()
	if m.seg.Live() != len(md.segments) || m.frames.Count(physmem.UseSegment) != uint64(len(md.segments)) {
		t.Fatalf("live %d, segment frames %d, model %d", m.seg.Live(), m.frames.Count(physmem.UseSegment), len(md.segments))
	}
	ptes := map[uint64]int{}
	byTable := map[uint64]segment.ID{}
	for id, s := range md.segments {
		info, status := m.seg.Info(id)
		if status != segment.OK || info.Owner != s.owner || info.Level != s.level || int(info.Links) != s.links || int(info.Parents) != s.parents || info.GrantCount != len(s.grants) {
			t.Fatalf("segment %#x: Info %+v %v, model owner %d level %d links %d parents %d grants %d", id, info, status, s.owner, s.level, s.links, s.parents, len(s.grants))
		}
		if m.frames.References(info.Table) != 1 {
			t.Fatalf("segment %#x: table frame has %d references", id, m.frames.References(info.Table))
		}
		byTable[info.Table] = id
	}
	for id, s := range md.segments {
		info, _ := m.seg.Info(id)
		for i := 0; i < segment.Entries; i++ {
			e := m.pte(info.Table, uintptr(i))
			want := s.slots[i]
			if e&bitPresent == 0 {
				if want != (modelSlot{}) {
					t.Fatalf("segment %#x slot %d empty, model %+v", id, i, want)
				}
				continue
			}
			if e&bitUser == 0 {
				t.Fatalf("segment %#x slot %d without User", id, i)
			}
			target := e & addressBits
			if s.level == segment.Level1 {
				ptes[target]++
				if target != want.frame {
					t.Fatalf("segment %#x slot %d maps %#x, model %+v", id, i, target, want)
				}
			} else if byTable[target] != want.child {
				t.Fatalf("segment %#x slot %d points at %#x, model %+v", id, i, target, want)
			}
		}
	}
	for f := range md.frames {
		if got := int(m.frames.References(f)); got != ptes[f] || got != md.refs[f] {
			t.Fatalf("frame %#x: %d references, %d PTEs, model %d", f, got, ptes[f], md.refs[f])
		}
	}
	// Every link translates through the segment's table.
	for key, id := range md.links {
		info, _ := m.seg.Info(id)
		table, level := m.root(key.process), 3
		for ; level > int(key.level); level-- {
			table = m.pte(table, (key.virtual>>(12+9*uint(level)))&511) & addressBits
		}
		if got := m.pte(table, (key.virtual>>(12+9*uint(level)))&511) & addressBits; got != info.Table {
			t.Fatalf("link %+v points at %#x, segment table %#x", key, got, info.Table)
		}
	}
}
