package physmem_test

import (
	"testing"

	"exogo/kernel/physmem"
)

// TestReleaseUse frees a boot module's frames, the partial ones at its
// ends included, and nothing of another use.
func TestReleaseUse(t *testing.T) {
	tab, _, _ := newTable(t)
	const at = 40 << 20 // free RAM in memoryMap
	if tab.UseOf(at) != physmem.UseFree {
		t.Fatalf("%#x is not free RAM in the test's map", at)
	}
	F := uint64(physmem.FrameSize)
	tab.SetRange(at+100, at+4*F-100, physmem.UseBootModule) // partial frames at both ends: 4 frames
	tab.SetRange(at+4*F, at+5*F, physmem.UseKernel)
	free := tab.FreeFrames()
	if got := tab.ReleaseUse(at+100, at+5*F, physmem.UseBootModule); got != 4 {
		t.Fatalf("released %d frames, want 4", got)
	}
	if tab.FreeFrames() != free+4 || tab.UseOf(at+4*F) != physmem.UseKernel || tab.UseOf(at) != physmem.UseFree {
		t.Fatalf("after release: %d free, the kernel's frame %v, the first %v", tab.FreeFrames(), tab.UseOf(at+4*F), tab.UseOf(at))
	}
}
