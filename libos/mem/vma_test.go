package mem

import (
	"math/rand"
	"testing"
)

// The map against a model: one protection (or none) per page of a small
// space, through random adds and removes.
func TestMapAgainstModel(t *testing.T) {
	const pages = 64
	const page = 4096
	rng := rand.New(rand.NewSource(1))
	var m Map
	var model [pages]int // -1 unmapped, else prot
	for i := range model {
		model[i] = -1
	}
	for step := 0; step < 20000; step++ {
		a, b := rng.Intn(pages), rng.Intn(pages+1)
		if a > b {
			a, b = b, a
		}
		start, end := uintptr(a)*page+page, uintptr(b)*page+page
		if rng.Intn(3) == 0 {
			if !m.Remove(start, end) {
				t.Fatal("remove failed")
			}
			for i := a; i < b; i++ {
				model[i] = -1
			}
		} else {
			prot := uint32(rng.Intn(3))
			if !m.Add(start, end, prot, KindAnonymous) {
				t.Fatal("add failed")
			}
			for i := a; i < b; i++ {
				model[i] = int(prot)
			}
		}
		// Compare page by page, and check order and merging.
		for i := 0; i < pages; i++ {
			addr := uintptr(i)*page + page
			j := m.Find(addr)
			got := -1
			if j >= 0 {
				got = int(m.At(j).Prot)
			}
			if got != model[i] {
				t.Fatalf("step %d: page %d has %d, model %d", step, i, got, model[i])
			}
		}
		for j := 0; j+1 < m.Count(); j++ {
			x, y := m.At(j), m.At(j+1)
			if x.Start >= x.End || x.End > y.Start {
				t.Fatalf("step %d: ranges %d and %d out of order: %+v %+v", step, j, j+1, x, y)
			}
			if x.End == y.Start && x.Prot == y.Prot && x.Kind == y.Kind {
				t.Fatalf("step %d: ranges %d and %d not merged", step, j, j+1)
			}
		}
		// Free, Covered and Gap agree with the model.
		free, covered := true, true
		for i := a; i < b; i++ {
			if model[i] >= 0 {
				free = false
			} else {
				covered = false
			}
		}
		if a < b && (m.Free(start, end) != free || m.Covered(start, end) != covered) {
			t.Fatalf("step %d: Free/Covered(%d,%d) = %v/%v, model %v/%v", step, a, b, m.Free(start, end), m.Covered(start, end), free, covered)
		}
		n := 1 + rng.Intn(4)
		g := m.Gap(page, page+pages*page, uintptr(n)*page)
		want := uintptr(0)
		for i := 0; i+n <= pages; i++ {
			ok := true
			for k := i; k < i+n; k++ {
				if model[k] >= 0 {
					ok = false
				}
			}
			if ok {
				want = uintptr(i)*page + page
				break
			}
		}
		if g != want {
			t.Fatalf("step %d: Gap(%d pages) = %#x, model %#x", step, n, g, want)
		}
	}
}

func TestMapFull(t *testing.T) {
	var m Map
	for i := 0; i < MaxRanges; i++ {
		if !m.Add(uintptr(2*i+1)<<12, uintptr(2*i+2)<<12, 3, KindAnonymous) {
			t.Fatalf("add %d failed", i)
		}
	}
	if m.Add(uintptr(2*MaxRanges+1)<<12, uintptr(2*MaxRanges+2)<<12, 3, KindAnonymous) {
		t.Error("a range beyond MaxRanges was accepted")
	}
	var k Map
	k.Add(1<<12, 3<<12, 3, KindAnonymous)
	k.Add(5<<12, 6<<12, 1, KindImage)
	if k.Kinds(0, 1<<12) != 0 || k.Kinds(2<<12, 5<<12) != 1<<KindAnonymous ||
		k.Kinds(2<<12, 6<<12) != 1<<KindAnonymous|1<<KindImage || k.Kinds(3<<12, 5<<12) != 0 {
		t.Error("Kinds")
	}
	// Splitting a full map's range is refused and changes nothing.
	var n Map
	n.Add(1<<12, 100<<12, 3, KindAnonymous)
	for i := 1; i < MaxRanges; i++ {
		n.Add(uintptr(200+2*i)<<12, uintptr(201+2*i)<<12, 3, KindAnonymous)
	}
	if n.Remove(10<<12, 11<<12) || n.Find(10<<12) < 0 {
		t.Error("a split beyond MaxRanges was not refused cleanly")
	}
}

func TestMapAllocatesNothing(t *testing.T) {
	var m Map
	if n := testing.AllocsPerRun(100, func() {
		m.Add(1<<20, 2<<20, 3, KindAnonymous)
		m.Remove(1<<20+4096, 1<<20+8192)
		m.Find(1 << 20)
		m.Gap(1<<20, 1<<30, 1<<20)
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
