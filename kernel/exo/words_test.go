package exo

import (
	"testing"

	"exogo/kernel/process"
)

type watchList = [process.WatchesPerProcess]uint16

func TestWatchTableAddTakeForget(t *testing.T) {
	var table watchTable
	var a, b watchList
	const word = 0x5000
	if r := table.add(1, &a, word); r != 0 {
		t.Fatalf("add = %d, want 0", r)
	}
	if r := table.add(1, &a, word); r != 0 {
		t.Fatalf("second add of the same word = %d, want 0", r)
	}
	if n := countWatches(&a); n != 1 {
		t.Fatalf("watching one word twice made %d watches, want 1", n)
	}
	if r := table.add(2, &b, word); r != 0 {
		t.Fatalf("add by another process = %d", r)
	}
	seen := map[uint16]bool{}
	for i := 0; i < 2; i++ {
		owner, entry, ok := table.take(word)
		if !ok || entry == 0 {
			t.Fatalf("take %d found nothing", i)
		}
		seen[owner] = true
	}
	if !seen[1] || !seen[2] {
		t.Errorf("takes returned %v, want processes 1 and 2", seen)
	}
	if _, _, ok := table.take(word); ok {
		t.Error("a third take found a watch")
	}
	for i := range table.entries {
		if table.entries[i].word != 0 {
			t.Fatalf("entry %d still used after every take", i)
		}
	}
}

func TestWatchTableLimits(t *testing.T) {
	var table watchTable
	var lists [maxWatches/process.WatchesPerProcess + 1]watchList
	for k := 0; k < process.WatchesPerProcess; k++ {
		if r := table.add(1, &lists[0], uint64(0x1000+4*k)); r != 0 {
			t.Fatalf("watch %d refused: %d", k, r)
		}
	}
	if r := table.add(1, &lists[0], 0x9000); r != -ErrLimit {
		t.Fatalf("watch beyond the per-process limit = %d, want -ErrLimit", r)
	}
	// Fill the kernel's table from other processes.
	for p := 1; p < len(lists)-1; p++ {
		for k := 0; k < process.WatchesPerProcess; k++ {
			if r := table.add(uint16(p+1), &lists[p], uint64(0x100000*p+4*k)); r != 0 {
				t.Fatalf("process %d watch %d refused: %d", p+1, k, r)
			}
		}
	}
	if r := table.add(99, &lists[len(lists)-1], 0x77777000); r != -ErrNoMemory {
		t.Fatalf("watch in a full table = %d, want -ErrNoMemory", r)
	}
	// A process's end frees its entries for others.
	table.forget(&lists[0])
	if n := countWatches(&lists[0]); n != 0 {
		t.Fatalf("forget left %d watches listed", n)
	}
	if r := table.add(99, &lists[len(lists)-1], 0x77777000); r != 0 {
		t.Fatalf("watch after a forget = %d, want 0", r)
	}
	if _, _, ok := table.take(0x1000); ok {
		t.Error("a forgotten watch was still found")
	}
}

// TestWatchTableChains puts many words in one bucket and removes them
// from the middle, the head and the end of its chain.
func TestWatchTableChains(t *testing.T) {
	var table watchTable
	var lists [8]watchList
	var words []uint64
	for w := uint64(4); len(words) < len(lists); w += 4 {
		if bucketOf(w)%watchBuckets == bucketOf(4)%watchBuckets {
			words = append(words, w)
		}
	}
	for i, w := range words {
		if r := table.add(uint16(i+1), &lists[i], w); r != 0 {
			t.Fatal(r)
		}
	}
	for _, i := range []int{3, 0, 7, 5, 1, 2, 4, 6} {
		owner, _, ok := table.take(words[i])
		if !ok || owner != uint16(i+1) {
			t.Fatalf("take of word %d = %d, %v; want process %d", i, owner, ok, i+1)
		}
	}
	if table.heads[bucketOf(4)%watchBuckets] != 0 {
		t.Error("the bucket is not empty after every take")
	}
}

func countWatches(list *watchList) int {
	n := 0
	for _, e := range list {
		if e != 0 {
			n++
		}
	}
	return n
}

// TestWatchTableDrop checks that drop ends one process's watch of one
// word and leaves the rest.
func TestWatchTableDrop(t *testing.T) {
	var table watchTable
	var a, b watchList
	for _, w := range []uint64{0x5000, 0x6000} {
		if table.add(1, &a, w) != 0 || table.add(2, &b, w) != 0 {
			t.Fatal("add")
		}
	}
	table.drop(&a, 0x5000)
	table.drop(&a, 0x7000) // not watched: nothing happens
	if n := countWatches(&a); n != 1 {
		t.Fatalf("%d watches left in a, want 1", n)
	}
	owner, _, ok := table.take(0x5000)
	if !ok || owner != 2 {
		t.Fatalf("take = %d, %v; want process 2's watch", owner, ok)
	}
	if _, _, ok := table.take(0x5000); ok {
		t.Fatal("the dropped watch is still there")
	}
	if owner, _, ok := table.take(0x6000); !ok || (owner != 1 && owner != 2) {
		t.Fatal("the other word's watches went")
	}
}
