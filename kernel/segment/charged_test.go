package segment_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"exogo/kernel/physmem"
	"exogo/kernel/segment"
)

// chargeMapped is frame_alloc_map's frame half: a zeroed frame charged to
// p with its mapping's reference counted.
func (m *machine) chargeMapped(t testing.TB, p uint16) uint64 {
	t.Helper()
	f, status := m.frames.ChargeMapped(p, physmem.UseProcess, true)
	if status != physmem.Done {
		t.Fatalf("ChargeMapped = %v", status)
	}
	return f
}

// TestMapCharged checks frame_alloc_map's mapping half: MapFrame's checks
// of the segment and the slot, no second reference, and a refused mapping
// leaving the frame for CancelMapped.
func TestMapCharged(t *testing.T) {
	m := newMachine(t)
	id := m.create(t, procA, segment.Level1)
	l2 := m.create(t, procA, segment.Level2)
	m.seg.Link(m.mem, procA, m.root(procA), 4*mib, id, segment.Write) // its tables first: free counts frames
	free := m.frames.FreeFrames()
	f := m.chargeMapped(t, procA)
	refused := []struct {
		caller uint16
		id     segment.ID
		index  uint
		rights segment.Rights
		want   segment.Status
	}{
		{procB, id, 0, segment.Read, segment.NotOwner},
		{procA, id, 512, segment.Read, segment.BadIndex},
		{procA, id, 0, 0x80, segment.BadRights},
		{procA, l2, 0, segment.Read, segment.BadLevel},
		{procA, 0, 0, segment.Read, segment.BadID},
	}
	for i, c := range refused {
		if got := m.seg.MapCharged(m.mem, c.caller, c.id, c.index, f, c.rights); got != c.want {
			t.Errorf("case %d: MapCharged = %v, want %v", i, got, c.want)
		}
	}
	if got := m.seg.MapCharged(m.mem, procA, id, 3, f+8, segment.Read); got != segment.Misaligned {
		t.Errorf("MapCharged of a misaligned address = %v", got)
	}
	if r := m.frames.References(f); r != 1 {
		t.Fatalf("refusals changed the references: %d", r)
	}
	if got := m.seg.MapCharged(m.mem, procA, id, 3, f, segment.Write); got != segment.OK {
		t.Fatalf("MapCharged = %v", got)
	}
	if r := m.frames.References(f); r != 1 {
		t.Errorf("references after MapCharged = %d, want 1 (the one ChargeMapped counted)", r)
	}
	if a, ok := m.effective(procA, 4*mib+3*4096); !ok || a.physical != f || !a.writable {
		t.Errorf("the slot maps %+v (%v), want frame %#x writable", a, ok, f)
	}
	// The slot is in use: the second frame is refused and cancelled.
	g := m.chargeMapped(t, procA)
	if got := m.seg.MapCharged(m.mem, procA, id, 3, g, segment.Read); got != segment.SlotInUse {
		t.Errorf("MapCharged over a mapped slot = %v", got)
	}
	if got := m.frames.CancelMapped(g, procA, physmem.UseProcess); got != physmem.Done {
		t.Errorf("CancelMapped = %v", got)
	}
	m.seg.Unlink(m.mem, m.root(procA), 4*mib, segment.Level1)
	if _, s := m.seg.Unmap(m.mem, procA, id, 3); s != segment.OK {
		t.Errorf("Unmap = %v", s)
	}
	if s := m.frames.FreeOwned(f, procA); s != physmem.Done {
		t.Errorf("FreeOwned after Unmap = %v", s)
	}
	if m.frames.FreeFrames() != free {
		t.Errorf("%d frames missing", free-m.frames.FreeFrames())
	}
}

// TestMapChargedAgainstRevocation runs frame_alloc_map's two halves for
// two processes at once, as vCPUs do without smp.Lock, while revocation
// by force (UnmapFramesOf, then TakeUnreferencedFrom, as CheckRevocations
// does) takes frames from one of them. Every frame must be accounted for:
// none freed while a slot maps it, none lost.
func TestMapChargedAgainstRevocation(t *testing.T) {
	m := newMachine(t)
	ids := map[uint16]segment.ID{procA: m.create(t, procA, segment.Level1), procB: m.create(t, procB, segment.Level1)}
	free := m.frames.FreeFrames()
	const rounds = 1500
	var wg sync.WaitGroup
	var tookSome atomic.Uint64
	errs := make(chan string, 2)
	for _, p := range []uint16{procA, procB} {
		wg.Add(1)
		go func(p uint16) {
			defer wg.Done()
			// Each slot keeps its frame for half a lap of the 512, so
			// that revocation finds mapped frames to take.
			var frames [512]uint64
			// unmap takes slot's frame back, as the libOS would; revocation
			// may have unmapped and taken it already: then the slot is
			// empty and the frame not held, which is what a libOS sees.
			unmap := func(slot uint) bool {
				_, s := m.seg.Unmap(m.mem, p, ids[p], slot)
				freed := m.frames.FreeOwned(frames[slot], p)
				if p == procB && (s != segment.OK || freed != physmem.Done) {
					errs <- "procB, which nothing revokes, lost a frame: " + s.String() + ", " + freed.String()
					return false
				}
				return true
			}
			// At least rounds, and on (for up to 2 s) until revocation
			// has taken something: the race must happen. Each slot keeps
			// its frame for half a lap of the 512, so that revocation
			// finds mapped frames to take.
			deadline := time.Now().Add(2 * time.Second)
			i := 0
			for ; i < rounds || (tookSome.Load() == 0 && time.Now().Before(deadline)); i++ {
				if i >= 256 && !unmap(uint(i+256)%512) {
					return
				}
				f, status := m.frames.ChargeMapped(p, physmem.UseProcess, false)
				if status != physmem.Done {
					errs <- "ChargeMapped: " + status.String()
					return
				}
				slot := uint(i % 512)
				if s := m.seg.MapCharged(m.mem, p, ids[p], slot, f, segment.Write); s != segment.OK {
					errs <- "MapCharged: " + s.String()
					return
				}
				frames[slot] = f
			}
			for k := max(i-256, 0); k < i; k++ {
				if !unmap(uint(k) % 512) {
					return
				}
			}
		}(p)
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	taken := uint64(0)
	for running := true; running; {
		select {
		case <-finished:
			running = false
		default:
		}
		unmapped, _ := m.seg.UnmapFramesOf(m.mem, procA, 8)
		taken += m.frames.TakeUnreferencedFrom(procA, unmapped, nil)
		tookSome.Store(taken)
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for _, p := range []uint16{procA, procB} {
		if m.seg.Destroy(m.mem, p, ids[p]) != segment.OK {
			t.Errorf("Destroy(%d) failed", p)
		}
	}
	// The two segments' tables were charged before free was read.
	if got := m.frames.FreeFrames(); got != free+2 || taken == 0 || m.frames.Held(procA) != 0 || m.frames.Held(procB) != 0 {
		t.Errorf("after the run: %d free, want %d; held %d and %d", got, free+2, m.frames.Held(procA), m.frames.Held(procB))
	}
	t.Logf("revocation by force took %d frames", taken)
}

// TestMapKeptFrame checks segment_map_frame with PermissionsKept: only a
// frame kept for the caller, once; an ordinary frame is refused.
func TestMapKeptFrame(t *testing.T) {
	m := newMachine(t)
	id := m.create(t, procA, segment.Level1)
	f := m.frameFor(t, procA)
	if s := m.seg.MapKeptFrame(m.mem, procA, id, 1, f, segment.Write); s != segment.FrameNotMappable {
		t.Errorf("MapKeptFrame of a frame not kept = %v", s)
	}
	m.frames.KeepZeroed(f, procA)
	if s := m.seg.MapKeptFrame(m.mem, procB, id, 1, f, segment.Write); s != segment.NotOwner {
		t.Errorf("MapKeptFrame into another's segment = %v", s)
	}
	if s := m.seg.MapKeptFrame(m.mem, procA, id, 1, f, segment.Write); s != segment.OK || m.frames.References(f) != 1 {
		t.Errorf("MapKeptFrame = %v, %d references", s, m.frames.References(f))
	}
	if s := m.seg.MapKeptFrame(m.mem, procA, id, 2, f, segment.Write); s != segment.FrameNotMappable {
		t.Errorf("MapKeptFrame of the same frame again = %v (a stale pool entry must not map it twice)", s)
	}
}
