package exo

import (
	"testing"
	"unsafe"

	"exogo/kernel/physmem"
)

// TestFrameEntryLayout reads raw frame-table entries that physmem wrote
// with the table's FrameEntry* constants, as a libOS does through the
// frame-table view.
func TestFrameEntryLayout(t *testing.T) {
	const frames = 64
	words := make([]uint64, frames)
	var table physmem.Table
	table.Init(uintptr(unsafe.Pointer(&words[0])), frames, 0)
	table.SetRange(0, frames*physmem.FrameSize, physmem.UseFree)
	table.SetLimit(7, 100)
	frame, ok := table.AllocateFor(7, physmem.UseProcess, false)
	if !ok {
		t.Fatal("no frame")
	}
	if !table.AddReference(frame) || !table.AddReference(frame) {
		t.Fatal("AddReference failed")
	}
	e := words[frame/physmem.FrameSize]
	if got := e & FrameEntryUseMask; got != FrameUseProcess {
		t.Errorf("use field = %d, want FrameUseProcess (%d); entry %#x", got, FrameUseProcess, e)
	}
	if got := e >> FrameEntryOwnerShift & FrameEntryOwnerMask; got != 7 {
		t.Errorf("owner field = %d, want 7; entry %#x", got, e)
	}
	if got := e >> FrameEntryRefsShift & FrameEntryRefsMask; got != 2 {
		t.Errorf("reference field = %d, want 2; entry %#x", got, e)
	}
	if e&FrameEntryOrphan != 0 {
		t.Errorf("orphan bit set on a live frame: %#x", e)
	}
	if e&FrameEntryFresh != 0 {
		t.Errorf("fresh bit set on a frame handed over: %#x", e)
	}
	charged, _ := table.ChargeMapped(7, physmem.UseProcess, false)
	if e := words[charged/physmem.FrameSize]; e&FrameEntryFresh == 0 {
		t.Errorf("a frame charged for a mapping not stored yet lacks the fresh bit: %#x", e)
	}
	table.Publish(charged)
	if e := words[charged/physmem.FrameSize]; e&FrameEntryFresh != 0 {
		t.Errorf("a published frame keeps the fresh bit: %#x", e)
	}
	table.FreeAllOwnedBy(7) // still referenced: it becomes an orphan
	if e := words[frame/physmem.FrameSize]; e&FrameEntryOrphan == 0 || e&FrameEntryUseMask != FrameUseProcess {
		t.Errorf("after its owner ended, entry %#x lacks the orphan bit or changed use", e)
	}
	free := words[(frame/physmem.FrameSize+1)%frames]
	if free&FrameEntryUseMask != FrameUseFree && free&FrameEntryUseMask != FrameUseProcess {
		t.Errorf("a free frame's entry %#x has use %d", free, free&FrameEntryUseMask)
	}
}

// TestContextHeader checks the context layout against what the kernel
// writes there: every register of the header inside the header, the
// disabled word last.
func TestContextHeader(t *testing.T) {
	if ContextFxsave != 256 || ContextSize != ContextFxsave+FxsaveSize {
		t.Errorf("context: header %d bytes, size %d; want a 256-byte header and room for a 512-byte FXSAVE image", ContextFxsave, ContextSize)
	}
	if ContextDisabled != ContextFxsave-8 {
		t.Errorf("the disabled word is at %d, want the header's last word (%d)", ContextDisabled, ContextFxsave-8)
	}
	if ContextR8+8*8 != ContextRip {
		t.Errorf("R8-R15 do not end where RIP starts")
	}
}
