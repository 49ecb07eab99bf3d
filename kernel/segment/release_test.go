package segment_test

import (
	"testing"

	"exogo/kernel/physmem"
	"exogo/kernel/segment"
)

// TestUnmapFrames checks segment_release's unmapping half: batches that
// stop when the list is full and go on where they stopped, empty slots
// skipped, references dropped, frames not freed, and the refusals.
func TestUnmapFrames(t *testing.T) {
	m := newMachine(t)
	id := m.create(t, procA, segment.Level1)
	l2 := m.create(t, procA, segment.Level2)
	mapped := map[uint]uint64{}
	for slot := uint(0); slot < 100; slot += 3 { // every third slot
		f := m.frameFor(t, procA)
		if s := m.seg.MapFrame(m.mem, procA, id, slot, f, segment.Write); s != segment.OK {
			t.Fatalf("MapFrame = %v", s)
		}
		mapped[slot] = f
	}
	var list [4]uint64
	refusals := []struct {
		caller     uint16
		id         segment.ID
		first, end uint
		want       segment.Status
	}{
		{procB, id, 0, 10, segment.NotOwner},
		{procA, l2, 0, 10, segment.BadLevel},
		{procA, id, 0, 513, segment.BadIndex},
		{procA, id, 10, 10, segment.BadIndex},
		{procA, id, 512, 513, segment.BadIndex},
		{procA, 0, 0, 1, segment.BadID},
	}
	for i, c := range refusals {
		if n, _, _, s := m.seg.UnmapFrames(m.mem, c.caller, c.id, c.first, c.end, list[:]); s != c.want || n != 0 {
			t.Errorf("case %d: UnmapFrames = %d, %v; want 0, %v", i, n, s, c.want)
		}
	}
	// Slots 10-40 hold frames at 12, 15, ..., 39: ten, in batches of four.
	var got []uint64
	for slot := uint(10); slot < 40; {
		n, next, span, s := m.seg.UnmapFrames(m.mem, procA, id, slot, 40, list[:])
		if s != segment.OK || n > len(list) || next <= slot || next > 40 {
			t.Fatalf("UnmapFrames(%d) = %d, next %d, %v", slot, n, next, s)
		}
		if span.Offset != uint64(slot)*4096 || span.Size != uint64(next-slot)*4096 {
			t.Errorf("span %+v for slots %d-%d", span, slot, next)
		}
		got = append(got, list[:n]...)
		slot = next
	}
	if len(got) != 10 {
		t.Fatalf("unmapped %d frames, want 10", len(got))
	}
	for i, f := range got {
		slot := uint(12 + 3*i)
		if f != mapped[slot] {
			t.Errorf("frame %d is %#x, want slot %d's %#x", i, f, slot, mapped[slot])
		}
		if r := m.frames.References(f); r != 0 {
			t.Errorf("frame %#x keeps %d references", f, r)
		}
		if s := m.frames.FreeOwned(f, procA); s != physmem.Done {
			t.Errorf("FreeOwned(%#x) = %v: UnmapFrames must leave the frame held", f, s)
		}
		if _, s := m.seg.Unmap(m.mem, procA, id, slot); s != segment.SlotEmpty {
			t.Errorf("slot %d after UnmapFrames: %v, want empty", slot, s)
		}
	}
	if _, s := m.seg.Unmap(m.mem, procA, id, 9); s != segment.OK {
		t.Errorf("slot 9, outside the range, was touched: %v", s)
	}
}
