package linux

import (
	"testing"

	"exogo/libos/exo"
	"exogo/libos/mem"
)

// TestFileWindow checks the file window's slots against the rest of the
// libOS's part of the address space: every slot but the two the kernel's
// views hold is usable, none overlaps the screen segment, the views or
// the loader's stack, and nextSlot steps over the views.
func TestFileWindow(t *testing.T) {
	type span struct {
		name       string
		start, end uintptr
	}
	fixed := []span{
		{"screen segment", mem.ScreenBase, mem.ScreenBase + slotSpan},
		{"loader's stack", exo.StartStackTop - mem.RegionSize, exo.StartStackTop},
	}
	views, usable := 0, 0
	for k := uintptr(0); k < fileSlots; k++ {
		slot := fileWindow + k*slotSpan
		i, ok := slotIndex(slot)
		if viewSlot(slot) {
			views++
			if ok {
				t.Errorf("slot %#x holds a kernel view but slotIndex takes it", slot)
			}
			continue
		}
		usable++
		if !ok || uintptr(i) != k {
			t.Errorf("slotIndex(%#x) = %d, %v; want %d", slot, i, ok, k)
		}
		for _, f := range fixed {
			if slot < f.end && f.start < slot+slotSpan {
				t.Errorf("slot %d [%#x, %#x) overlaps the %s", k, slot, slot+slotSpan, f.name)
			}
		}
		for _, v := range []uintptr{exo.AddressFrameTableView, exo.AddressKernelInfo} {
			if v >= slot && v < slot+slotSpan {
				t.Errorf("slot %d [%#x, %#x) holds the kernel view at %#x", k, slot, slot+slotSpan, v)
			}
		}
	}
	if views != 2 || usable != fileSlots-2 {
		t.Errorf("%d view slots and %d usable, want 2 and %d", views, usable, fileSlots-2)
	}
	for slot := uintptr(fileWindow); slot < fileWindow+fileSlots*slotSpan; slot = nextSlot(slot) {
		if viewSlot(slot) {
			t.Fatalf("nextSlot stopped at the kernel view at %#x", slot)
		}
	}
}
