package physmem_test

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"

	"exogo/kernel/physmem"
)

// ownershipRAMSize is the simulated RAM of the ownership tests: 8 MiB, 2048
// frames, the table in frame 1 onwards, frames from 64 KiB free.
const ownershipRAMSize = 8 << 20

// newOwnedTable maps simulated RAM outside the Go heap (see simRAM) and sets
// up a frame table over it.
func newOwnedTable(t *testing.T) (table *physmem.Table, ram []byte) {
	t.Helper()
	ram, err := syscall.Mmap(-1, 0, ownershipRAMSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap simulated RAM: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Munmap(ram) })
	base := uintptr(unsafe.Pointer(&ram[0]))
	n := uint64(ownershipRAMSize / physmem.FrameSize)
	table = new(physmem.Table)
	table.Init(base+0x1000, n, base)
	for owner := 1; owner <= 0xffff; owner++ {
		table.SetLimit(uint16(owner), 1<<31) // no limit but the RAM (the limit tests set their own)
	}
	table.SetRange(0x10000, ownershipRAMSize, physmem.UseFree)
	table.SetRange(0x1000, 0x1000+physmem.TableBytes(n), physmem.UseKernel)
	return table, ram
}

func TestAllocateForSetsOwnerAndZeroes(t *testing.T) {
	table, ram := newOwnedTable(t)
	free := table.FreeFrames()
	for i := range ram[0x10000:] {
		ram[0x10000+i] = 0xa5
	}
	p, ok := table.AllocateFor(7, physmem.UseProcess, true)
	if !ok {
		t.Fatal("AllocateFor failed")
	}
	if owner, ok := table.Owner(p); !ok || owner != 7 {
		t.Errorf("Owner = %d, %v; want 7, true", owner, ok)
	}
	if use := table.UseOf(p); use != physmem.UseProcess {
		t.Errorf("use = %v, want process", physmem.UseName(use))
	}
	if r := table.References(p); r != 0 {
		t.Errorf("References = %d, want 0", r)
	}
	for _, b := range ram[p : p+physmem.FrameSize] {
		if b != 0 {
			t.Fatal("AllocateFor(zero) left a non-zero byte")
		}
	}
	if table.FreeFrames() != free-1 {
		t.Errorf("free = %d, want %d", table.FreeFrames(), free-1)
	}
	// The kernel's own allocations are owned by 0.
	k, _ := table.Allocate(physmem.UsePageTable, false)
	if owner, ok := table.Owner(k); !ok || owner != 0 {
		t.Errorf("Owner(kernel frame) = %d, %v; want 0, true", owner, ok)
	}
	for _, use := range []physmem.Use{physmem.UseFree, physmem.UseAbsent} {
		if _, ok := table.AllocateFor(1, use, false); ok {
			t.Errorf("AllocateFor(%v) succeeded", use)
		}
	}
	if table.FreeFrames() != free-2 {
		t.Errorf("refused AllocateFor changed the free count")
	}
}

func TestOwnerRefusals(t *testing.T) {
	table, _ := newOwnedTable(t)
	for _, p := range []uint64{0x10001, ownershipRAMSize, 1 << 62, 0x20000 /* free */, 0 /* absent */} {
		if _, ok := table.Owner(p); ok {
			t.Errorf("Owner(%#x) ok", p)
		}
		if table.AddReference(p) {
			t.Errorf("AddReference(%#x) ok", p)
		}
		if _, ok := table.DropReference(p); ok {
			t.Errorf("DropReference(%#x) ok", p)
		}
		if r := table.References(p); r != 0 {
			t.Errorf("References(%#x) = %d", p, r)
		}
	}
	if s := table.FreeOwned(0x10001, 1); s != physmem.NotAFrame {
		t.Errorf("FreeOwned(misaligned) = %v", s)
	}
	if s := table.FreeOwned(0x20000, 0); s != physmem.NotHeld {
		t.Errorf("FreeOwned(free frame) = %v", s)
	}
}

func TestReferencesBoundedAndFreeOwned(t *testing.T) {
	table, _ := newOwnedTable(t)
	p, _ := table.AllocateFor(3, physmem.UseProcess, false)
	free := table.FreeFrames()
	for i := 0; i < 0xffff; i++ {
		if !table.AddReference(p) {
			t.Fatalf("AddReference refused at %d", i)
		}
	}
	if table.AddReference(p) {
		t.Fatal("AddReference beyond 0xffff succeeded")
	}
	if r := table.References(p); r != 0xffff {
		t.Fatalf("References = %#x", r)
	}
	// The count must not have spilled into the owner or use.
	if owner, _ := table.Owner(p); owner != 3 || table.UseOf(p) != physmem.UseProcess {
		t.Fatalf("owner/use corrupted: %d %v", owner, table.UseOf(p))
	}
	if s := table.FreeOwned(p, 4); s != physmem.NotOwner {
		t.Errorf("FreeOwned by another owner = %v", s)
	}
	if s := table.FreeOwned(p, 3); s != physmem.StillReferenced {
		t.Errorf("FreeOwned while referenced = %v", s)
	}
	for i := 0xffff - 1; i >= 0; i-- {
		r, ok := table.DropReference(p)
		if !ok || int(r) != i {
			t.Fatalf("DropReference = %d, %v; want %d", r, ok, i)
		}
	}
	if _, ok := table.DropReference(p); ok {
		t.Fatal("DropReference below 0 succeeded")
	}
	if table.FreeFrames() != free {
		t.Fatal("reference counting changed the free count")
	}
	if s := table.FreeOwned(p, 3); s != physmem.Done {
		t.Fatalf("FreeOwned = %v", s)
	}
	if table.FreeFrames() != free+1 || table.UseOf(p) != physmem.UseFree {
		t.Fatal("FreeOwned did not free")
	}
	if s := table.FreeOwned(p, 3); s != physmem.NotHeld {
		t.Errorf("second FreeOwned = %v", s)
	}
	// A freed frame comes back with no owner and no references.
	for {
		q, ok := table.Allocate(physmem.UseKernelHeap, false)
		if !ok {
			t.Fatal("did not get the frame back")
		}
		if q == p {
			break
		}
	}
	if owner, _ := table.Owner(p); owner != 0 || table.References(p) != 0 {
		t.Error("reallocated frame kept owner or references")
	}
}

func TestFreeAllOwnedBy(t *testing.T) {
	table, _ := newOwnedTable(t)
	free := table.FreeFrames()
	var mine []uint64
	for i := 0; i < 50; i++ {
		p, ok := table.AllocateFor(9, physmem.Use(physmem.UseProcess+physmem.Use(i%2)), i%3 == 0)
		if !ok {
			t.Fatal("AllocateFor failed")
		}
		mine = append(mine, p)
		if _, ok := table.AllocateFor(10, physmem.UseProcess, false); !ok {
			t.Fatal("AllocateFor failed")
		}
	}
	table.AddReference(mine[4])
	table.AddReference(mine[4])
	table.AddReference(mine[17])
	if n := table.CountOwnedBy(9); n != 50 {
		t.Errorf("CountOwnedBy(9) = %d", n)
	}
	if n := table.CountOwnedBy(10); n != 50 {
		t.Errorf("CountOwnedBy(10) = %d", n)
	}
	kernel := table.CountOwnedBy(0)
	if f, r := table.FreeAllOwnedBy(0); f != 0 || r != 0 || table.CountOwnedBy(0) != kernel {
		t.Errorf("FreeAllOwnedBy(0) = %d, %d: the kernel must never be swept", f, r)
	}
	f, r := table.FreeAllOwnedBy(9)
	if f != 48 || r != 2 {
		t.Errorf("FreeAllOwnedBy = %d freed, %d referenced; want 48, 2", f, r)
	}
	if n := table.CountOwnedBy(9); n != 0 {
		t.Errorf("after sweep CountOwnedBy(9) = %d, want 0 (the two still mapped are orphans)", n)
	}
	if c := table.TakeCensus(); c.Orphans != 2 || !c.Balanced() {
		t.Errorf("census after the sweep: %+v, want 2 orphans and balanced", c)
	}
	if s := table.FreeOwned(mine[17], 9); s != physmem.NotHeld {
		t.Errorf("FreeOwned of an orphan = %v, want frame not held", s)
	}
	if r, ok := table.DropReference(mine[17]); !ok || r != 0 || table.UseOf(mine[17]) == physmem.UseFree {
		t.Errorf("dropping an orphan's last reference: %d, %v, use %v; want it held until ReleasePending", r, ok, table.UseOf(mine[17]))
	}
	if n := table.ReleasePending(); n != 1 || table.UseOf(mine[17]) != physmem.UseFree {
		t.Errorf("ReleasePending freed %d, use %v; want the orphan free", n, table.UseOf(mine[17]))
	}
	if r, ok := table.DropReference(mine[4]); !ok || r != 1 || table.UseOf(mine[4]) == physmem.UseFree {
		t.Errorf("dropping one of an orphan's two references: %d, %v; want it kept", r, ok)
	}
	table.DropReference(mine[4])
	table.ReleasePending()
	if c := table.TakeCensus(); c.Orphans != 0 || !c.Balanced() {
		t.Errorf("census after the orphans' last references went: %+v", c)
	}
	if n := table.CountOwnedBy(10); n != 50 {
		t.Errorf("sweep touched another owner: %d", n)
	}
	if table.FreeFrames() != free-50 {
		t.Errorf("free = %d, want %d", table.FreeFrames(), free-50)
	}
	if table.FreeFrames() != table.Count(physmem.UseFree) {
		t.Error("free count disagrees with the table")
	}
}

// TestOwnershipRandom runs random ownership operations against a model.
func TestOwnershipRandom(t *testing.T) {
	table, _ := newOwnedTable(t)
	type frame struct {
		owner  uint16
		refs   int
		orphan bool // its owner was swept while it was mapped
	}
	model := map[uint64]*frame{}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func() (uint64, *frame) {
		for p, f := range model {
			return p, f
		}
		return 0, nil
	}
	for step := 0; step < 20000; step++ {
		switch rng.IntN(6) {
		case 0:
			owner := uint16(rng.IntN(4))
			p, ok := table.AllocateFor(owner, physmem.UseProcess, false)
			if ok {
				if model[p] != nil {
					t.Fatalf("frame %#x handed out twice", p)
				}
				model[p] = &frame{owner: owner}
			}
		case 1:
			if p, f := pick(); f != nil {
				ok := table.AddReference(p)
				if ok != (f.refs < 0xffff) {
					t.Fatalf("AddReference = %v with %d refs", ok, f.refs)
				}
				if ok {
					f.refs++
				}
			}
		case 2:
			if p, f := pick(); f != nil {
				r, ok := table.DropReference(p)
				if ok != (f.refs > 0) {
					t.Fatalf("DropReference ok = %v with %d refs", ok, f.refs)
				}
				if ok {
					f.refs--
					if int(r) != f.refs {
						t.Fatalf("remaining %d, want %d", r, f.refs)
					}
					if f.refs == 0 && f.orphan {
						if table.UseOf(p) == physmem.UseFree {
							t.Fatalf("orphan %#x freed before ReleasePending", p)
						}
						if table.ReleasePending() != 1 || table.UseOf(p) != physmem.UseFree {
							t.Fatalf("orphan %#x not freed by ReleasePending", p)
						}
						delete(model, p)
					}
				}
			}
		case 3:
			if p, f := pick(); f != nil {
				caller := uint16(rng.IntN(4))
				want := physmem.Done
				if f.orphan {
					want = physmem.NotHeld
				} else if caller != f.owner {
					want = physmem.NotOwner
				} else if f.refs > 0 {
					want = physmem.StillReferenced
				}
				if s := table.FreeOwned(p, caller); s != want {
					t.Fatalf("FreeOwned = %v, want %v", s, want)
				}
				if want == physmem.Done {
					delete(model, p)
				}
			}
		case 4:
			if rng.IntN(200) == 0 {
				owner := uint16(1 + rng.IntN(3))
				var wantF, wantR uint64
				for p, f := range model {
					if f.owner == owner && !f.orphan {
						if f.refs > 0 {
							wantR++
							f.orphan = true
						} else {
							wantF++
							delete(model, p)
						}
					}
				}
				if f, r := table.FreeAllOwnedBy(owner); f != wantF || r != wantR {
					t.Fatalf("FreeAllOwnedBy = %d, %d; want %d, %d", f, r, wantF, wantR)
				}
			}
		case 5:
			if p, f := pick(); f != nil {
				if o, ok := table.Owner(p); !ok || o != f.owner || int(table.References(p)) != f.refs {
					t.Fatalf("frame %#x: owner %d refs %d, model %+v", p, o, table.References(p), *f)
				}
			}
		}
	}
	for owner := uint16(0); owner < 4; owner++ {
		want := uint64(0)
		for _, f := range model {
			if f.owner == owner && !f.orphan {
				want++
			}
		}
		if owner == 0 {
			want += table.Count(physmem.UseKernel)
		}
		if got := table.CountOwnedBy(owner); got != want {
			t.Errorf("CountOwnedBy(%d) = %d, want %d", owner, got, want)
		}
	}
	if table.FreeFrames() != table.Count(physmem.UseFree) {
		t.Error("free count disagrees with the table")
	}
	orphans := uint64(0)
	for _, f := range model {
		if f.orphan {
			orphans++
		}
	}
	if c := table.TakeCensus(); !c.Balanced() || c.Orphans != orphans {
		t.Errorf("census %+v, want balanced with %d orphans", c, orphans)
	}
}

func TestAddReferenceAs(t *testing.T) {
	table, _ := newOwnedTable(t)
	p, _ := table.AllocateFor(5, physmem.UseProcess, false)
	s, _ := table.AllocateFor(5, physmem.UseSegment, false)
	cases := []struct {
		physical uint64
		owner    uint16
		want     physmem.OwnershipStatus
	}{
		{p + 8, 5, physmem.NotAFrame},
		{ownershipRAMSize, 5, physmem.NotAFrame},
		{0x20000, 5, physmem.NotHeld},
		{p, 6, physmem.NotOwner},
		{s, 5, physmem.WrongUse},
		{p, 5, physmem.Done},
	}
	for _, c := range cases {
		if got := table.AddReferenceAs(c.physical, c.owner, physmem.UseProcess); got != c.want {
			t.Errorf("AddReferenceAs(%#x, %d) = %v, want %v", c.physical, c.owner, got, c.want)
		}
	}
	if table.References(p) != 1 || table.References(s) != 0 {
		t.Fatal("AddReferenceAs counted wrongly")
	}
	for table.AddReference(p) {
	}
	if got := table.AddReferenceAs(p, 5, physmem.UseProcess); got != physmem.TooManyReferences {
		t.Errorf("AddReferenceAs at the maximum = %v", got)
	}
}

func TestOwnershipDoesNotAllocate(t *testing.T) {
	table, _ := newOwnedTable(t)
	allocs := testing.AllocsPerRun(100, func() {
		p, _ := table.AllocateFor(2, physmem.UseProcess, true)
		table.AddReference(p)
		table.AddReferenceAs(p, 2, physmem.UseProcess)
		table.DropReference(p)
		table.Owner(p)
		table.References(p)
		table.DropReference(p)
		table.FreeOwned(p, 2)
	})
	if allocs != 0 {
		t.Errorf("ownership operations allocate: %v per run", allocs)
	}
}

func TestOwnershipStatusAndUseNames(t *testing.T) {
	if physmem.StillReferenced.String() != "still referenced" || physmem.OwnershipStatus(200).String() != "unknown ownership status" {
		t.Error("OwnershipStatus.String")
	}
	if physmem.UseName(physmem.UseSegment) != "segment table" || physmem.UseName(physmem.UseProcess) != "process" || physmem.UseName(physmem.UseFree) != "free" {
		t.Error("UseName")
	}
}

// TestOnlyDataIsTheProcesss checks the kinds of frames: a page table or a
// segment's table charged to a process is never the process's to free
// (that would hand it page-table entries to write), only the kernel's,
// naming the use.
func TestOnlyDataIsTheProcesss(t *testing.T) {
	table, _ := newOwnedTable(t)
	for _, use := range []physmem.Use{physmem.UsePageTable, physmem.UseSegment, physmem.UseKernelStack} {
		frame, ok := table.AllocateFor(7, use, false)
		if !ok {
			t.Fatal("AllocateFor failed")
		}
		if s := table.FreeOwned(frame, 7); s != physmem.WrongUse {
			t.Errorf("FreeOwned of a %s charged to the process = %v, want wrong use", physmem.UseName(use), s)
		}
		if s := table.AddReferenceAs(frame, 7, physmem.UseProcess); s != physmem.WrongUse {
			t.Errorf("mapping a %s as process data = %v, want wrong use", physmem.UseName(use), s)
		}
		if s := table.FreeAs(frame, 7, physmem.UseProcess); s != physmem.WrongUse {
			t.Errorf("FreeAs with the wrong use = %v", s)
		}
		if s := table.FreeAs(frame, 7, use); s != physmem.Done {
			t.Errorf("FreeAs(%s) = %v, want done", physmem.UseName(use), s)
		}
	}
}

// TestLimitsCountEveryUse checks that an owner's limit counts every frame
// charged to it, data and tables alike, and that no owner but the kernel
// takes the reserve.
func TestLimitsCountEveryUse(t *testing.T) {
	table, _ := newOwnedTable(t)
	table.SetLimit(5, 3)
	uses := []physmem.Use{physmem.UseProcess, physmem.UsePageTable, physmem.UseSegment}
	var got []uint64
	for _, use := range uses {
		frame, status := table.Charge(5, use, false)
		if status != physmem.Done {
			t.Fatalf("Charge(%s) = %v within the limit", physmem.UseName(use), status)
		}
		got = append(got, frame)
	}
	for _, use := range uses {
		if _, status := table.Charge(5, use, false); status != physmem.OverLimit {
			t.Errorf("Charge(%s) at the limit = %v, want over the limit", physmem.UseName(use), status)
		}
	}
	if table.Held(5) != 3 {
		t.Errorf("Held = %d, want 3", table.Held(5))
	}
	if s := table.FreeOwned(got[0], 5); s != physmem.Done {
		t.Fatalf("FreeOwned = %v", s)
	}
	if _, status := table.Charge(5, physmem.UsePageTable, false); status != physmem.Done {
		t.Errorf("Charge after a free = %v", status)
	}
	if _, status := table.Charge(6, physmem.UseProcess, false); status != physmem.Done {
		t.Errorf("another owner's limit is its own: %v", status)
	}
	var unset physmem.Table
	if _, status := unset.Charge(9, physmem.UseProcess, false); status != physmem.OverLimit {
		t.Errorf("an owner whose limit was never set: %v, want over the limit", status)
	}

	table.SetReserve(table.FreeFrames() - 2)
	for i := 0; i < 2; i++ {
		if _, status := table.Charge(6, physmem.UseProcess, false); status != physmem.Done {
			t.Fatalf("Charge above the reserve = %v", status)
		}
	}
	if _, status := table.Charge(6, physmem.UseProcess, false); status != physmem.NoFreeFrame {
		t.Errorf("Charge into the reserve = %v, want no free frame", status)
	}
	if _, status := table.Charge(6, physmem.UseSegment, false); status != physmem.NoFreeFrame {
		t.Errorf("a table charged to a process into the reserve = %v, want no free frame", status)
	}
	if _, ok := table.Allocate(physmem.UseKernelHeap, false); !ok {
		t.Error("the kernel cannot take its reserve")
	}
	if c := table.TakeCensus(); !c.Balanced() {
		t.Errorf("census %+v not balanced", c)
	}
}

// TestReleasePendingBeyondItsList: more orphans than the pending list holds
// lose their last reference at once; ReleasePending still frees every one
// (the rest by a walk of the table), and none before it.
func TestReleasePendingBeyondItsList(t *testing.T) {
	table, _ := newOwnedTable(t)
	free := table.FreeFrames()
	var frames []uint64
	for i := 0; i < 1100; i++ {
		f, ok := table.AllocateFor(12, physmem.UseProcess, false)
		if !ok {
			t.Fatal("AllocateFor failed")
		}
		table.AddReference(f)
		frames = append(frames, f)
	}
	if freed, orphaned := table.FreeAllOwnedBy(12); freed != 0 || orphaned != 1100 {
		t.Fatalf("FreeAllOwnedBy = %d, %d", freed, orphaned)
	}
	for _, f := range frames {
		table.DropReference(f)
	}
	if table.FreeFrames() != free-1100 {
		t.Errorf("orphans freed before ReleasePending: %d free", table.FreeFrames())
	}
	if n := table.ReleasePending(); n != 1100 {
		t.Errorf("ReleasePending freed %d, want 1100", n)
	}
	if c := table.TakeCensus(); !c.Balanced() || c.Orphans != 0 || table.FreeFrames() != free {
		t.Errorf("census %+v, free %d (want %d)", c, table.FreeFrames(), free)
	}
	if n := table.ReleasePending(); n != 0 {
		t.Errorf("a second ReleasePending freed %d", n)
	}
}
