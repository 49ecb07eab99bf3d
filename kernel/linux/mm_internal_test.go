package linux

import (
	"bytes"
	abi "exogo/abi/linuxabi"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"exogo/kernel/layout"
	"exogo/kernel/memory"
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
)

const (
	page       = paging.PageSize
	simRAMSize = 16 << 20
)

// simRAM is the simulated physical memory of the current test.
var simRAM []byte

// setUpMM gives the package fresh range bookkeeping and a kernel address
// space over simulated RAM (memory from mmap, outside the Go heap, as
// rawmem requires), and restores the globals when the test ends.
func setUpMM(t *testing.T) {
	t.Helper()
	ram, err := syscall.Mmap(-1, 0, simRAMSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap simulated RAM: %v", err)
	}
	oldFrames, oldKernel := memory.Frames, memory.Kernel
	oldRanges, oldCount, oldNext, oldCommitted := ranges, rangeCount, heapNext, CommittedPages
	t.Cleanup(func() {
		memory.Frames, memory.Kernel = oldFrames, oldKernel
		ranges, rangeCount, heapNext, CommittedPages = oldRanges, oldCount, oldNext, oldCommitted
		simRAM = nil
		_ = syscall.Munmap(ram)
	})
	simRAM = ram
	base := uintptr(unsafe.Pointer(&ram[0]))
	frames := uint64(simRAMSize / page)
	memory.Frames = physmem.Table{}
	memory.Frames.Init(base+page, frames, base)
	memory.Frames.SetRange(0x10000, simRAMSize, physmem.UseFree)
	var ok bool
	memory.Kernel, ok = paging.NewSpace(&memory.Frames, base)
	if !ok {
		t.Fatal("NewSpace failed")
	}
	ranges, rangeCount, heapNext, CommittedPages = [maxRanges]addressRange{}, 0, layout.KernelHeap, 0
}

// span is a range as the tests write it: pages from the heap's start.
type span [2]uintptr

func heapPage(n uintptr) uintptr { return layout.KernelHeap + n*page }

// current returns the range table in pages from the heap's start.
func current() []span {
	out := []span{}
	for _, r := range ranges[:rangeCount] {
		out = append(out, span{(r.start - layout.KernelHeap) / page, (r.end - layout.KernelHeap) / page})
	}
	return out
}

// checkInvariants asserts the range table is sorted, non-overlapping,
// non-adjacent and free of empty ranges.
func checkInvariants(t *testing.T) {
	t.Helper()
	if rangeCount < 0 || rangeCount > maxRanges {
		t.Fatalf("rangeCount = %d", rangeCount)
	}
	for i, r := range ranges[:rangeCount] {
		if r.start >= r.end {
			t.Fatalf("range %d [%#x, %#x) is empty or inverted; table %v", i, r.start, r.end, current())
		}
		if i > 0 && ranges[i-1].end >= r.start {
			t.Fatalf("ranges %d and %d overlap or touch; table %v", i-1, i, current())
		}
	}
}

func TestAllowMergesAndDisallowSplits(t *testing.T) {
	type op struct {
		allow      bool
		start, end uintptr // pages
	}
	for _, c := range []struct {
		name string
		ops  []op
		want []span
	}{
		{"one", []op{{true, 2, 4}}, []span{{2, 4}}},
		{"adjacent after", []op{{true, 2, 4}, {true, 4, 6}}, []span{{2, 6}}},
		{"adjacent before", []op{{true, 4, 6}, {true, 2, 4}}, []span{{2, 6}}},
		{"bridge", []op{{true, 2, 4}, {true, 6, 8}, {true, 4, 6}}, []span{{2, 8}}},
		{"separate", []op{{true, 6, 8}, {true, 2, 4}}, []span{{2, 4}, {6, 8}}},
		{"overlap", []op{{true, 2, 6}, {true, 4, 9}}, []span{{2, 9}}},
		{"cover several", []op{{true, 2, 3}, {true, 5, 6}, {true, 8, 9}, {true, 1, 10}}, []span{{1, 10}}},
		{"inside", []op{{true, 2, 10}, {true, 4, 5}}, []span{{2, 10}}},
		{"split", []op{{true, 2, 10}, {false, 4, 6}}, []span{{2, 4}, {6, 10}}},
		{"cut start", []op{{true, 2, 10}, {false, 0, 4}}, []span{{4, 10}}},
		{"cut end", []op{{true, 2, 10}, {false, 8, 12}}, []span{{2, 8}}},
		{"drop whole", []op{{true, 2, 4}, {true, 6, 8}, {false, 2, 4}}, []span{{6, 8}}},
		{"drop across", []op{{true, 2, 4}, {true, 6, 8}, {true, 10, 12}, {false, 3, 11}}, []span{{2, 3}, {11, 12}}},
		{"disallow nothing", []op{{true, 2, 4}, {false, 4, 6}, {false, 0, 2}}, []span{{2, 4}}},
		{"refill a split", []op{{true, 2, 10}, {false, 4, 6}, {true, 4, 6}}, []span{{2, 10}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			setUpMM(t)
			for _, o := range c.ops {
				if o.allow {
					if !allow(heapPage(o.start), heapPage(o.end)) {
						t.Fatalf("allow(%d, %d) failed", o.start, o.end)
					}
				} else {
					disallow(heapPage(o.start), heapPage(o.end))
				}
				checkInvariants(t)
			}
			if diff := cmp.Diff(c.want, current()); diff != "" {
				t.Errorf("ranges in pages (-want +got):\n%s", diff)
			}
			for p := uintptr(0); p < 14; p++ {
				want := false
				for _, s := range c.want {
					want = want || s[0] <= p && p < s[1]
				}
				for _, a := range []uintptr{heapPage(p), heapPage(p) + 1, heapPage(p+1) - 1} {
					if got := accessible(a); got != want {
						t.Errorf("accessible(page %d + %#x) = %v, want %v", p, a-heapPage(p), got, want)
					}
				}
			}
		})
	}
}

// TestRangesAgainstModel runs random allow/disallow over a small window and
// compares every page with a brute-force model.
func TestRangesAgainstModel(t *testing.T) {
	setUpMM(t)
	// Give the window a page table (map and unmap a page directly, without
	// the TLB flush release would do), so release walks it page by page
	// rather than skipping a missing subtree.
	const window = 96
	if status := memory.Kernel.Map(&memory.Frames, heapPage(3), 0x5000, memory.KernelData); status != paging.OK {
		t.Fatalf("Map = %v", status)
	}
	if _, status := memory.Kernel.Unmap(&memory.Frames, heapPage(3)); status != paging.OK {
		t.Fatalf("Unmap = %v", status)
	}
	if _, missing := memory.Kernel.MissingSubtree(heapPage(3)); missing {
		t.Fatal("the window has no page table")
	}
	free := memory.Frames.FreeFrames()
	var model [window + 2]bool // one page of margin on each side
	rng := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 2000; i++ {
		start := uintptr(1 + rng.IntN(window))
		end := start + uintptr(1+rng.IntN(12))
		if end > window+1 {
			end = window + 1
		}
		grant := rng.IntN(2) == 0
		if grant {
			if !allow(heapPage(start), heapPage(end)) {
				t.Fatalf("op %d: allow(%d, %d) failed with %d ranges", i, start, end, rangeCount)
			}
		} else {
			disallow(heapPage(start), heapPage(end))
		}
		for p := start; p < end; p++ {
			model[p] = grant
		}
		checkInvariants(t)
		for p := range model {
			a := heapPage(uintptr(p))
			if accessible(a) != model[p] || accessible(a+page-1) != model[p] {
				t.Fatalf("op %d (%v %d-%d): page %d accessible = %v, model %v; ranges %v", i, grant, start, end, p, accessible(a), model[p], current())
			}
		}
	}
	if accessible(layout.KernelHeap-1) || accessible(0) || accessible(^uintptr(0)) {
		t.Error("addresses outside the window are accessible")
	}
	if memory.Frames.FreeFrames() != free || CommittedPages != 0 {
		t.Errorf("free frames %d -> %d, CommittedPages %d: release over uncommitted pages changed frames", free, memory.Frames.FreeFrames(), CommittedPages)
	}
}

// TestReleaseSkipsMissingSubtrees disallows the whole 1 TiB heap. With one
// page table in it, release must skip the missing 2 MiB, 1 GiB and 512 GiB
// subtrees rather than try 2^28 pages (which would not finish in time).
func TestReleaseSkipsMissingSubtrees(t *testing.T) {
	setUpMM(t)
	v := layout.KernelHeap + 300<<30 + 7<<21
	if status := memory.Kernel.Map(&memory.Frames, v, 0x5000, memory.KernelData); status != paging.OK {
		t.Fatalf("Map = %v", status)
	}
	if _, status := memory.Kernel.Unmap(&memory.Frames, v); status != paging.OK {
		t.Fatalf("Unmap = %v", status)
	}
	free := memory.Frames.FreeFrames()
	tables := memory.Frames.Count(physmem.UsePageTable)
	if !allow(layout.KernelHeap, layout.KernelHeap+layout.KernelHeapSize) {
		t.Fatal("allow of the whole heap failed")
	}
	disallow(layout.KernelHeap, layout.KernelHeap+layout.KernelHeapSize)
	if rangeCount != 0 {
		t.Errorf("ranges left after disallowing the whole heap: %v", current())
	}
	if memory.Frames.FreeFrames() != free || memory.Frames.Count(physmem.UsePageTable) != tables {
		t.Error("release over an uncommitted heap changed the frame table")
	}
}

func TestRangeTableFull(t *testing.T) {
	setUpMM(t)
	// Ranges [2i, 2i+1) in pages, i < maxRanges.
	for i := uintptr(0); i < maxRanges; i++ {
		if !allow(heapPage(2*i), heapPage(2*i+1)) {
			t.Fatalf("allow #%d failed", i)
		}
	}
	if rangeCount != maxRanges {
		t.Fatalf("rangeCount = %d, want %d", rangeCount, maxRanges)
	}
	before := current()
	// A range needing a new slot is refused and changes nothing.
	if allow(heapPage(2*maxRanges+5), heapPage(2*maxRanges+6)) {
		t.Fatal("allow of a new range succeeded with the table full")
	}
	if diff := cmp.Diff(before, current()); diff != "" {
		t.Fatalf("refused allow changed the table (-before +after):\n%s", diff)
	}
	// Growing a range needs no slot.
	if !allow(heapPage(2*maxRanges-1), heapPage(2*maxRanges+3)) {
		t.Error("allow adjacent to the last range failed with the table full")
	}
	// Bridging two ranges frees a slot...
	if !allow(heapPage(1), heapPage(2)) {
		t.Fatal("allow bridging two ranges failed with the table full")
	}
	checkInvariants(t)
	if rangeCount != maxRanges-1 {
		t.Fatalf("rangeCount = %d after a bridge, want %d", rangeCount, maxRanges-1)
	}
	// ...which a new range can take.
	if !allow(heapPage(2*maxRanges+10), heapPage(2*maxRanges+11)) {
		t.Fatal("allow into the freed slot failed")
	}
	checkInvariants(t)
	want := append([]span{{0, 3}}, before[2:]...)
	want[len(want)-1] = span{2*maxRanges - 2, 2*maxRanges + 3}
	want = append(want, span{2*maxRanges + 10, 2*maxRanges + 11})
	if diff := cmp.Diff(want, current()); diff != "" {
		t.Fatalf("table after growing and bridging (-want +got):\n%s", diff)
	}
	// Disallowing whole ranges and range ends works when full.
	disallow(heapPage(4), heapPage(5))
	if !allow(heapPage(2*maxRanges+20), heapPage(2*maxRanges+21)) {
		t.Fatal("allow after dropping a range failed")
	}
	disallow(heapPage(2), heapPage(3)) // the end of [0, 3)
	checkInvariants(t)
	for p, want := range map[uintptr]bool{0: true, 1: true, 2: false, 4: false, 6: true, 2*maxRanges + 20: true, 2*maxRanges + 21: false} {
		if got := accessible(heapPage(p)); got != want {
			t.Errorf("accessible(page %d) = %v, want %v", p, got, want)
		}
	}
	if rangeCount != maxRanges {
		t.Fatalf("rangeCount = %d, want full", rangeCount)
	}
	// Splitting needs a slot. With none, disallow drops the tail too (as
	// its comment says: the runtime then faults on it, visibly, rather than
	// the table lying); the head stays and the table stays consistent.
	last := ranges[rangeCount-3] // the multi-page range [2*maxRanges-2, 2*maxRanges+3)
	if last.start != heapPage(2*maxRanges-2) || last.end != heapPage(2*maxRanges+3) {
		t.Fatalf("unexpected table tail %v", current()[rangeCount-3:])
	}
	mid := last.start + 2*page
	disallow(mid, mid+page)
	checkInvariants(t)
	if rangeCount != maxRanges {
		t.Errorf("rangeCount = %d after a split with no room, want %d", rangeCount, maxRanges)
	}
	for a, want := range map[uintptr]bool{last.start: true, mid - 1: true, mid: false, mid + page: false, last.end - 1: false, last.end: false} {
		if got := accessible(a); got != want {
			t.Errorf("accessible(%#x) = %v after a split with no room, want %v", a, got, want)
		}
	}
	// The other ranges are untouched.
	if got := current()[rangeCount-2:]; !cmp.Equal(got, []span{{2*maxRanges + 10, 2*maxRanges + 11}, {2*maxRanges + 20, 2*maxRanges + 21}}) {
		t.Errorf("ranges after the split: %v", got)
	}
}

func TestReserve(t *testing.T) {
	setUpMM(t)
	a, ok := reserve(3 * page)
	if !ok || a != layout.KernelHeap {
		t.Fatalf("reserve = %#x, %v; want the heap start", a, ok)
	}
	b, ok := reserve(page)
	if !ok || b != layout.KernelHeap+3*page {
		t.Fatalf("second reserve = %#x, %v; want right after the first", b, ok)
	}
	for _, n := range []uintptr{0, layout.KernelHeapSize, layout.KernelHeapSize + page, ^uintptr(0) &^ (page - 1)} {
		if got, ok := reserve(n); ok {
			t.Errorf("reserve(%#x) = %#x, want refusal (only %#x left)", n, got, layout.KernelHeap+layout.KernelHeapSize-heapNext)
		}
	}
	rest := layout.KernelHeap + layout.KernelHeapSize - heapNext
	if got, ok := reserve(rest); !ok || got != b+page {
		t.Errorf("reserve of the rest = %#x, %v", got, ok)
	}
	if _, ok := reserve(page); ok {
		t.Error("reserve succeeded in a used-up heap")
	}
	if !inHeap(a, a+page) || inHeap(a-page, a) || inHeap(a+page, a) {
		t.Error("inHeap is wrong")
	}
}

func TestCommitPage(t *testing.T) {
	setUpMM(t)
	start, _ := reserve(4 * page)
	if !allow(start, start+2*page) {
		t.Fatal("allow failed")
	}
	free := memory.Frames.FreeFrames()
	if CommitPage(start + 2*page) {
		t.Error("CommitPage of an inaccessible heap page succeeded")
	}
	if CommitPage(0x1000) {
		t.Error("CommitPage of a user address succeeded")
	}
	if memory.Frames.FreeFrames() != free {
		t.Fatal("refused CommitPage took frames")
	}
	tables := memory.Frames.Count(physmem.UsePageTable)
	if !CommitPage(start + page + 0x123) {
		t.Fatal("CommitPage of an accessible page failed")
	}
	physical, flags, status := memory.Kernel.Lookup(start + page)
	if status != paging.OK {
		t.Fatalf("Lookup after CommitPage = %v", status)
	}
	if flags != memory.KernelData|paging.Present {
		t.Errorf("committed page flags = %#x, want %#x", flags, memory.KernelData|paging.Present)
	}
	if use := memory.Frames.UseOf(physical); use != physmem.UseKernelHeap {
		t.Errorf("committed frame use = %v, want kernel heap", use)
	}
	if !bytes.Equal(simRAM[physical:physical+page], make([]byte, page)) {
		t.Error("committed frame is not zeroed")
	}
	newTables := memory.Frames.Count(physmem.UsePageTable) - tables
	if CommittedPages != 1 || free-memory.Frames.FreeFrames() != 1+newTables {
		t.Errorf("CommittedPages = %d, frames taken %d (%d tables); want 1 page", CommittedPages, free-memory.Frames.FreeFrames(), newTables)
	}
	// A second fault on the page (another path got there first) is resolved
	// without a new frame.
	if !CommitPage(start+page) || CommittedPages != 1 {
		t.Errorf("second CommitPage: CommittedPages = %d", CommittedPages)
	}
	if p, _, _ := memory.Kernel.Lookup(start + page); p != physical {
		t.Errorf("second CommitPage remapped the page: %#x -> %#x", physical, p)
	}
	// commitRange: pages outside the heap are not its business; an
	// inaccessible heap page fails it.
	if !commitRange(start-page, 2*page) || CommittedPages != 2 {
		t.Errorf("commitRange over the heap start: CommittedPages = %d, want 2", CommittedPages)
	}
	if commitRange(start+page, 2*page) {
		t.Error("commitRange over an inaccessible page succeeded")
	}
	if commitRange(^uintptr(0)-page, 2*page) {
		t.Error("commitRange with a wrapping end succeeded")
	}
}

func TestMmapMunmapUncommitted(t *testing.T) {
	setUpMM(t)
	a := sysMmap(0, 3*page-5, protRead|protWrite, mapPrivate|mapAnonymous, ^uint64(0), 0)
	if uintptr(a) != layout.KernelHeap {
		t.Fatalf("mmap = %#x, want the heap start", a)
	}
	b := sysMmap(0, page, 0, mapPrivate|mapAnonymous, ^uint64(0), 0)
	if b != a+3*page {
		t.Fatalf("PROT_NONE mmap = %#x, want %#x", b, a+3*page)
	}
	if diff := cmp.Diff([]span{{0, 3}}, current()); diff != "" {
		t.Errorf("ranges (-want +got):\n%s", diff)
	}
	if got := sysMmap(0, page, protRead, mapPrivate, 3, 0); got != -abi.ENODEV {
		t.Errorf("file mmap = %d, want -abi.ENODEV", got)
	}
	if got := sysMmap(uint64(b)+1, page, protRead, mapPrivate|mapAnonymous|mapFixed, ^uint64(0), 0); got != -abi.EINVAL {
		t.Errorf("misaligned MAP_FIXED = %d, want -abi.EINVAL", got)
	}
	if got := sysMmap(uint64(b), 2*page, protRead, mapPrivate|mapAnonymous|mapFixed, ^uint64(0), 0); got != -abi.EINVAL {
		t.Errorf("MAP_FIXED past the reserved heap = %d, want -abi.EINVAL", got)
	}
	if got := sysMmap(uint64(b), page, protRead|protWrite, mapPrivate|mapAnonymous|mapFixed, ^uint64(0), 0); got != b {
		t.Errorf("MAP_FIXED = %#x, want %#x", got, b)
	}
	if diff := cmp.Diff([]span{{0, 4}}, current()); diff != "" {
		t.Errorf("ranges after MAP_FIXED (-want +got):\n%s", diff)
	}
	if got := sysMunmap(uint64(a)+page, page); got != 0 {
		t.Errorf("munmap = %d", got)
	}
	if got := sysMprotect(uint64(a)+3*page, page, 0); got != 0 {
		t.Errorf("mprotect(PROT_NONE) = %d", got)
	}
	if diff := cmp.Diff([]span{{0, 1}, {2, 3}}, current()); diff != "" {
		t.Errorf("ranges after munmap and mprotect (-want +got):\n%s", diff)
	}
	if got := sysMunmap(0x1000, page); got != -abi.EINVAL {
		t.Errorf("munmap outside the heap = %d, want -abi.EINVAL", got)
	}
	if got := sysMadvise(uint64(a), 4*page, madviseDontNeed); got != 0 {
		t.Errorf("madvise(DONTNEED) = %d", got)
	}
	if diff := cmp.Diff([]span{{0, 1}, {2, 3}}, current()); diff != "" {
		t.Errorf("madvise changed the ranges (-want +got):\n%s", diff)
	}
}

// TestMprotectKeepsContents checks that mprotect(PROT_READ|PROT_WRITE) over
// committed memory keeps it, as on Linux. The release path cannot run on the
// host (InvalidatePage is privileged), so the check runs in a child process:
// if it reaches InvalidatePage, it has thrown the committed page away.
func TestMprotectKeepsContents(t *testing.T) {
	if os.Getenv("EXOGO_MPROTECT_CHILD") == "1" {
		setUpMM(t)
		start, _ := reserve(2 * page)
		allow(start, start+2*page)
		if !CommitPage(start) {
			t.Fatal("CommitPage failed")
		}
		sysMprotect(uint64(start), 2*page, protRead|protWrite)
		if _, _, status := memory.Kernel.Lookup(start); status != paging.OK {
			t.Fatal("mprotect unmapped a committed page")
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMprotectKeepsContents$", "-test.v")
	cmd.Env = append(os.Environ(), "EXOGO_MPROTECT_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "amd64.InvalidatePage") && strings.Contains(string(out), "linux.release") {
			t.Fatalf("sysMprotect(PROT_READ|PROT_WRITE) over committed memory released (unmapped and freed) the committed pages:\n%s", out)
		}
		t.Fatalf("child failed: %v\n%s", err, out)
	}
}
