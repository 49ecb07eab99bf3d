package physmem_test

import (
	"testing"

	"exogo/kernel/physmem"
)

// TestFreeAfterShootdown checks that a frame freed after the shootdown is
// no longer its owner's at once but stays out of the free pool until
// ReleasePending, and that it refuses what FreeAs refuses.
func TestFreeAfterShootdown(t *testing.T) {
	table, _ := newOwnedTable(t)
	f, _ := table.AllocateFor(5, physmem.UseSegment, false)
	mapped, _ := table.AllocateFor(5, physmem.UseSegment, false)
	table.AddReference(mapped)
	free, held := table.FreeFrames(), table.Held(5)
	if got := table.FreeAfterShootdown(f, 6, physmem.UseSegment); got != physmem.NotOwner {
		t.Errorf("FreeAfterShootdown by another owner = %v", got)
	}
	if got := table.FreeAfterShootdown(f, 5, physmem.UseProcess); got != physmem.WrongUse {
		t.Errorf("FreeAfterShootdown with the wrong use = %v", got)
	}
	if got := table.FreeAfterShootdown(mapped, 5, physmem.UseSegment); got != physmem.StillReferenced {
		t.Errorf("FreeAfterShootdown of a mapped frame = %v", got)
	}
	if got := table.FreeAfterShootdown(f, 5, physmem.UseSegment); got != physmem.Done {
		t.Fatalf("FreeAfterShootdown = %v", got)
	}
	if table.FreeFrames() != free || table.Held(5) != held-1 {
		t.Errorf("before ReleasePending: %d free (want %d), %d held (want %d)", table.FreeFrames(), free, table.Held(5), held-1)
	}
	if n := table.ReleasePending(); n != 1 || table.FreeFrames() != free+1 {
		t.Errorf("ReleasePending released %d, %d free (want 1, %d)", n, table.FreeFrames(), free+1)
	}
	if c := table.TakeCensus(); !c.Balanced() {
		t.Errorf("census %+v not balanced", c)
	}
}
