package sched

import (
	"testing"

	"exogo/arch/amd64"
)

func TestPlacementLeastLoaded(t *testing.T) {
	var loads, same [amd64.MaxCPUs]int32
	loads[0], loads[1], loads[2], loads[3] = 5, 2, 1, 1
	if c := placement(&loads, &same, 0b1111); c != 2 {
		t.Fatalf("placed on %d, want 2 (least loaded, lowest on a tie)", c)
	}
	// CPUs that do not take threads are never chosen, however idle.
	if c := placement(&loads, &same, 0b0011); c != 1 {
		t.Fatalf("placed on %d, want 1", c)
	}
	if c := placement(&loads, &same, 0b0001); c != 0 {
		t.Fatalf("placed on %d, want 0 (only CPU 0 online)", c)
	}
	// CPU 0 missing from the set: still a valid CPU.
	loads = [amd64.MaxCPUs]int32{}
	if c := placement(&loads, &same, 0b1000); c != 3 {
		t.Fatalf("placed on %d, want 3", c)
	}
	if c := placement(&loads, &same, 1<<(amd64.MaxCPUs-1)); c != amd64.MaxCPUs-1 {
		t.Fatalf("placed on %d, want the last CPU", c)
	}
}

// Spreading: placing threads one after another, each adding to the load
// of the CPU it went to, fills the CPUs evenly.
func TestPlacementSpreads(t *testing.T) {
	var loads, same [amd64.MaxCPUs]int32
	loads[0] = 3 // the kernel runtime's threads
	for i := 0; i < 9; i++ {
		loads[placement(&loads, &same, 0b1111)]++
	}
	if loads[0] != 3 || loads[1] != 3 || loads[2] != 3 || loads[3] != 3 {
		t.Fatalf("loads %v", loads[:4])
	}
}

// A process's threads (its vCPUs) go to different CPUs before any CPU
// gets a second one, even when that means a busier CPU: they should run at
// the same time.
func TestPlacementSpreadsAProcess(t *testing.T) {
	var loads, same [amd64.MaxCPUs]int32
	loads[0] = 6 // the kernel runtime's threads, mostly blocked
	var placed []int
	for i := 0; i < 4; i++ {
		c := placement(&loads, &same, 0b11)
		placed = append(placed, c)
		loads[c]++
		same[c]++
	}
	if placed[0] != 1 || placed[1] != 0 || placed[2] != 1 || placed[3] != 0 {
		t.Fatalf("a process's threads placed on %v, want [1 0 1 0]", placed)
	}
	// Another process's threads do not count as the same.
	same = [amd64.MaxCPUs]int32{}
	if c := placement(&loads, &same, 0b11); c != 1 {
		t.Fatalf("placed on %d, want 1 (least loaded)", c)
	}
}

func TestRingRemoveKeepsOrder(t *testing.T) {
	var r ring
	for _, v := range []int32{1, 2, 3, 2, 4} {
		r.push(v)
	}
	r.remove(2)
	var got []int32
	for {
		v, ok := r.pop()
		if !ok {
			break
		}
		got = append(got, v)
	}
	if len(got) != 3 || got[0] != 1 || got[1] != 3 || got[2] != 4 {
		t.Fatalf("got %v", got)
	}
}
