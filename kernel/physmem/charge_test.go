package physmem_test

import (
	"sync"
	"testing"

	"exogo/kernel/physmem"
)

// TestChargeMapped checks that a frame charged for a mapping starts with
// that mapping's reference, so revocation by force cannot take it, and
// that CancelMapped frees only such a frame.
func TestChargeMapped(t *testing.T) {
	table, ram := newOwnedTable(t)
	free, held := table.FreeFrames(), table.Held(5)
	f, status := table.ChargeMapped(5, physmem.UseProcess, true)
	if status != physmem.Done {
		t.Fatalf("ChargeMapped = %v", status)
	}
	if table.References(f) != 1 || table.Held(5) != held+1 || table.FreeFrames() != free-1 {
		t.Fatalf("after ChargeMapped: %d references, %d held, %d free", table.References(f), table.Held(5), table.FreeFrames())
	}
	for _, b := range ram[f : f+physmem.FrameSize] {
		if b != 0 {
			t.Fatal("ChargeMapped did not zero the frame")
		}
	}
	if taken := table.TakeUnreferencedFrom(5, 10, nil); taken != 0 {
		t.Errorf("revocation by force took %d frames charged for a mapping", taken)
	}
	// Until its mapping is stored, nobody else may map, free or give it.
	if got := table.AddReferenceAs(f, 5, physmem.UseProcess); got != physmem.NotHeld {
		t.Errorf("AddReferenceAs of a frame charged for a mapping = %v, want NotHeld", got)
	}
	if got := table.FreeOwned(f, 5); got != physmem.NotHeld {
		t.Errorf("FreeOwned of a frame charged for a mapping = %v, want NotHeld", got)
	}
	if got := table.Transfer(f, 5, 6, physmem.UseProcess); got != physmem.NotHeld {
		t.Errorf("Transfer of a frame charged for a mapping = %v, want NotHeld", got)
	}
	cases := []struct {
		physical uint64
		owner    uint16
		use      physmem.Use
		want     physmem.OwnershipStatus
	}{
		{f + 8, 5, physmem.UseProcess, physmem.NotAFrame},
		{f, 6, physmem.UseProcess, physmem.NotOwner},
		{f, 5, physmem.UseSegment, physmem.WrongUse},
		{0x20000, 5, physmem.UseProcess, physmem.NotHeld},
	}
	for _, c := range cases {
		if got := table.CancelMapped(c.physical, c.owner, c.use); got != c.want {
			t.Errorf("CancelMapped(%#x, %d, %v) = %v, want %v", c.physical, c.owner, c.use, got, c.want)
		}
	}
	table.AddReference(f) // mapped a second time: no longer the caller's alone to cancel
	if got := table.CancelMapped(f, 5, physmem.UseProcess); got != physmem.StillReferenced {
		t.Errorf("CancelMapped with two references = %v", got)
	}
	table.DropReference(f)
	if got := table.CancelMapped(f, 5, physmem.UseProcess); got != physmem.Done {
		t.Errorf("CancelMapped = %v", got)
	}
	if table.FreeFrames() != free || table.Held(5) != held {
		t.Errorf("after CancelMapped: %d free (want %d), %d held (want %d)", table.FreeFrames(), free, table.Held(5), held)
	}
	if got := table.CancelMapped(f, 5, physmem.UseProcess); got != physmem.NotHeld {
		t.Errorf("CancelMapped twice = %v", got)
	}
	table.SetLimit(7, 0)
	if _, status := table.ChargeMapped(7, physmem.UseProcess, false); status != physmem.OverLimit {
		t.Errorf("ChargeMapped over the limit = %v", status)
	}
	if _, status := table.ChargeMapped(5, physmem.UseFree, false); status != physmem.WrongUse {
		t.Errorf("ChargeMapped(UseFree) = %v", status)
	}
}

// TestChargeMappedAgainstRevocation runs frame_alloc_map's frame side on
// two goroutines while a third takes the owner's unreferenced frames by
// force, as CheckRevocations does under smp.Lock while other vCPUs run
// frame_alloc_map without it: the taker must never get a frame charged
// for a mapping, and every frame must be accounted for at the end.
func TestChargeMappedAgainstRevocation(t *testing.T) {
	table, _ := newOwnedTable(t)
	free := table.FreeFrames()
	const owner, rounds = 9, 2000
	var wg sync.WaitGroup
	errs := make(chan string, 3)
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				f, status := table.ChargeMapped(owner, physmem.UseProcess, false)
				if status != physmem.Done {
					errs <- "ChargeMapped: " + status.String()
					return
				}
				if table.References(f) != 1 {
					errs <- "a charged frame lost its reference"
					return
				}
				if got := table.CancelMapped(f, owner, physmem.UseProcess); got != physmem.Done {
					errs <- "CancelMapped: " + got.String()
					return
				}
			}
		}()
	}
	taken := make(chan uint64, 1)
	go func() {
		n := uint64(0)
		for {
			select {
			case <-stop:
				taken <- n
				return
			default:
				n += table.TakeUnreferencedFrom(owner, 4, nil)
			}
		}
	}()
	wg.Wait()
	close(stop)
	if n := <-taken; n != 0 {
		t.Errorf("revocation by force took %d frames, all of them charged for mappings", n)
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if table.FreeFrames() != free || table.Held(owner) != 0 {
		t.Errorf("after the run: %d free (want %d), owner holds %d", table.FreeFrames(), free, table.Held(owner))
	}
}

// TestPublish checks that a published frame is an ordinary one: it can be
// mapped again, and CancelMapped no longer frees it.
func TestPublish(t *testing.T) {
	table, _ := newOwnedTable(t)
	f, _ := table.ChargeMapped(5, physmem.UseProcess, false)
	table.Publish(f)
	if got := table.CancelMapped(f, 5, physmem.UseProcess); got != physmem.NotHeld {
		t.Errorf("CancelMapped of a published frame = %v, want NotHeld", got)
	}
	if got := table.AddReferenceAs(f, 5, physmem.UseProcess); got != physmem.Done || table.References(f) != 2 {
		t.Errorf("AddReferenceAs of a published frame = %v, %d references", got, table.References(f))
	}
	// Charge and KeepZeroed leave nothing fresh behind.
	g, _ := table.Charge(5, physmem.UseProcess, true)
	if got := table.KeepZeroed(g, 5); got != physmem.Done {
		t.Errorf("KeepZeroed = %v", got)
	}
	if got := table.FreeOwned(g, 5); got != physmem.Done {
		t.Errorf("FreeOwned after Charge and KeepZeroed = %v", got)
	}
}

// TestKeptFrames checks the life of a frame segment_release keeps: zeroed
// and UseKept, freed by FreeOwned, taken by force like unmapped data, and
// mapped again only through AdoptKept, once.
func TestKeptFrames(t *testing.T) {
	table, ram := newOwnedTable(t)
	f, _ := table.Charge(5, physmem.UseProcess, false)
	ram[f+100] = 0x77
	if got := table.KeepZeroed(f, 5); got != physmem.Done || table.UseOf(f) != physmem.UseKept || ram[f+100] != 0 {
		t.Fatalf("KeepZeroed = %v: use %v, byte %#x", got, table.UseOf(f), ram[f+100])
	}
	if got := table.AddReferenceAs(f, 5, physmem.UseProcess); got != physmem.WrongUse {
		t.Errorf("AddReferenceAs of a kept frame = %v, want WrongUse (only AdoptKept maps it)", got)
	}
	if got := table.AdoptKept(f, 6); got != physmem.NotOwner {
		t.Errorf("AdoptKept by another owner = %v", got)
	}
	if got := table.AdoptKept(f, 5); got != physmem.Done || table.UseOf(f) != physmem.UseProcess || table.References(f) != 1 {
		t.Fatalf("AdoptKept = %v: use %v, %d references", got, table.UseOf(f), table.References(f))
	}
	if got := table.AdoptKept(f, 5); got != physmem.WrongUse {
		t.Errorf("AdoptKept twice = %v, want WrongUse", got)
	}
	table.DropReference(f)
	g, _ := table.Charge(5, physmem.UseProcess, false)
	table.KeepZeroed(g, 5)
	if got := table.FreeOwned(g, 5); got != physmem.Done {
		t.Errorf("FreeOwned of a kept frame = %v", got)
	}
	h, _ := table.Charge(5, physmem.UseProcess, false)
	table.KeepZeroed(h, 5)
	if taken := table.TakeUnreferencedFrom(5, 2, nil); taken != 2 {
		t.Errorf("revocation by force took %d of an unmapped frame and a kept one", taken)
	}
}
