package segment_test

import (
	"testing"

	"exogo/kernel/paging"
	"exogo/kernel/segment"
)

// A device's memory, outside the simulated RAM (device slots hold no
// references, so the frame table never sees it).
const deviceMemory = 0xfd00_0000

// TestDeviceSegments makes a small (PT) and a large (PD) device segment,
// links them, and checks what each page reaches, that nobody changes their
// slots, and that tearing the owner down leaves nothing behind.
func TestDeviceSegments(t *testing.T) {
	for _, c := range []struct {
		name     string
		pages    int
		level    segment.Level
		at       uintptr
		readOnly bool // made without paging.Writable (the boot module)
	}{
		{"PT", 480, segment.Level1, 4 * mib, false},
		{"PD", 1500, segment.Level2, 1 * gib, false},
		{"read-only PD", 1500, segment.Level2, 1 * gib, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(t)
			metadata := m.frameFor(t, procA)
			freeBefore := m.frames.FreeFrames()
			flags := paging.Writable
			if c.readOnly {
				flags = 0
			}
			id, status := m.seg.CreateDevice(m.mem, procA, metadata, deviceMemory, c.pages, flags)
			if status != segment.OK {
				t.Fatalf("CreateDevice(%d pages) = %v", c.pages, status)
			}
			info, _ := m.seg.Info(id)
			if info.Level != c.level {
				t.Fatalf("level = %d, want %d", info.Level, c.level)
			}
			expect(t, "link", m.seg.Link(m.mem, procA, m.root(procA), c.at, id, segment.Read|segment.Write), segment.OK)

			a, ok := m.effective(procA, c.at)
			if !ok || a.physical != metadata || a.writable || !a.user || !a.noExec {
				t.Errorf("page 0 = %+v, %v; want the metadata frame %#x, read-only, no-execute", a, ok, metadata)
			}
			for _, page := range []int{1, 200, 511, 512, 513, c.pages} {
				if page > c.pages {
					continue
				}
				a, ok := m.effective(procA, c.at+uintptr(page)*4096)
				want := uint64(deviceMemory + (page-1)*4096)
				if !ok || a.physical != want || a.writable == c.readOnly || !a.noExec {
					t.Errorf("page %d = %+v, %v; want %#x, writable %v, no-execute", page, a, ok, want, !c.readOnly)
				}
			}
			if _, ok := m.effective(procA, c.at+uintptr(c.pages+1)*4096); ok {
				t.Errorf("page %d, past the device, is mapped", c.pages+1)
			}

			expect(t, "map a frame into it", m.seg.MapFrame(m.mem, procA, id, 0, m.frameFor(t, procA), segment.Read), segment.DeviceSegment)
			other := m.create(t, procA, segment.Level1)
			if c.level == segment.Level2 {
				expect(t, "map a segment into it", m.seg.MapSegment(m.mem, procA, id, 100, other, segment.Read), segment.DeviceSegment)
			}
			if _, s := m.seg.Unmap(m.mem, procA, id, 1); s != segment.DeviceSegment {
				t.Errorf("Unmap = %v, want DeviceSegment", s)
			}

			m.seg.UnlinkAll(m.mem, m.root(procA))
			if destroyed, surviving, _ := m.seg.DestroyOwnedBy(m.mem, procA); surviving != 0 || destroyed < 2 {
				t.Errorf("DestroyOwnedBy = %d destroyed, %d surviving", destroyed, surviving)
			}
			if live := m.seg.Live(); live != 0 {
				t.Errorf("%d segments live after teardown", live)
			}
			if r := m.frames.References(metadata); r != 0 {
				t.Errorf("metadata frame references = %d after teardown", r)
			}
			// Everything the segments took comes back, but the frames the
			// test took itself (the other segment's data frame and
			// the tables Link made stay with the address space).
			if free := m.frames.FreeFrames(); free+8 < freeBefore {
				t.Errorf("free frames %d after teardown, %d before", free, freeBefore)
			}
		})
	}
}

func TestDeviceSegmentLimits(t *testing.T) {
	m := newMachine(t)
	metadata := m.frameFor(t, procA)
	for _, pages := range []int{0, segment.MaxDevicePages + 1} {
		if _, s := m.seg.CreateDevice(m.mem, procA, metadata, deviceMemory, pages, 0); s != segment.BadIndex {
			t.Errorf("CreateDevice(%d pages) = %v, want BadIndex", pages, s)
		}
	}
	if _, s := m.seg.CreateDevice(m.mem, procA, metadata+8, deviceMemory, 4, 0); s != segment.BadIndex {
		t.Errorf("CreateDevice with unaligned metadata = %v", s)
	}
	theirs := m.frameFor(t, procB)
	if _, s := m.seg.CreateDevice(m.mem, procA, theirs, deviceMemory, 600, 0); s != segment.FrameNotOwned {
		t.Errorf("CreateDevice with another's metadata frame = %v, want FrameNotOwned", s)
	}
	if live := m.seg.Live(); live != 0 {
		t.Errorf("%d segments left by a failed CreateDevice", live)
	}
}
