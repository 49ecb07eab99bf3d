package physmem_test

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"exogo/kernel/physmem"
)

// ramSize is the size of the simulated physical memory.
const ramSize = 64 << 20

// tableAt is where the tests put the frame table in simulated RAM.
const tableAt = 0x1000

// simRAM maps size bytes of anonymous memory outside the Go heap to serve as
// physical memory: physical address p is byte p of the slice. (Memory from
// mmap satisfies rawmem's precondition that kernel addresses are not Go heap
// memory, so the tests also pass under -race, whose checkptr instrumentation
// rejects rawmem.Bytes over a Go heap object.) It is unmapped when the test
// ends.
func simRAM(t testing.TB, size int) (ram []byte, base uintptr) {
	t.Helper()
	ram, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap simulated RAM: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Munmap(ram) })
	base = uintptr(unsafe.Pointer(&ram[0]))
	if base%physmem.FrameSize != 0 {
		t.Fatalf("simulated RAM at %#x is not frame-aligned", base)
	}
	return ram, base
}

// region is one SetRange call of the test's memory map.
type region struct {
	start, end uint64
	use        physmem.Use
}

// memoryMap is a firmware-like map with holes and unaligned bounds. Later
// entries override earlier ones, as boot code does.
var memoryMap = []region{
	{0x22010, 0x9fc00, physmem.UseFree},                            // low RAM, both ends unaligned
	{0x100000, 0x2000000 - 0x123, physmem.UseFree},                 // end unaligned
	{0x2000001, ramSize, physmem.UseFree},                          // start unaligned
	{0x400123, 0x500001, physmem.UseKernel},                        // the kernel image, rounded outward
	{0x3000000, 0x3100000, physmem.UseAbsent},                      // an MMIO hole
	{0x3200800, 0x3201800, physmem.UseBootModule},                  // straddles two frames
	{0x3300010, 0x3300ff0, physmem.UseFree},                        // less than a frame: nothing
	{0x3400000, 0x3400000, physmem.UseKernel},                      // empty
	{ramSize - 0x2000, ramSize + 0x100000, physmem.UseKernelStack}, // runs past the table
	{tableAt, tableAt + ramSize/physmem.FrameSize*8, physmem.UseKernel},
}

// model computes, independently of the package, what the frame table should
// say after memoryMap.
func model(frames uint64) []physmem.Use {
	uses := make([]physmem.Use, frames)
	for _, r := range memoryMap {
		var first, last uint64 // frame indexes [first, last)
		if r.use == physmem.UseFree {
			first = (r.start + physmem.FrameSize - 1) &^ (physmem.FrameSize - 1) / physmem.FrameSize
			last = r.end &^ (physmem.FrameSize - 1) / physmem.FrameSize
		} else {
			first = r.start &^ (physmem.FrameSize - 1) / physmem.FrameSize
			last = (r.end + physmem.FrameSize - 1) &^ (physmem.FrameSize - 1) / physmem.FrameSize
		}
		for i := first; i < last && i < frames; i++ {
			uses[i] = r.use
		}
	}
	return uses
}

// fill sets every byte of b to v.
func fill(b []byte, v byte) {
	if len(b) == 0 {
		return
	}
	b[0] = v
	for n := 1; n < len(b); n *= 2 {
		copy(b[n:], b[:n])
	}
}

// allBytes reports whether every byte of b is v.
func allBytes(b []byte, v byte) bool {
	return len(b) == 0 || b[0] == v && bytes.Equal(b[1:], b[:len(b)-1])
}

func snapshot(table *physmem.Table) []physmem.Use {
	uses := make([]physmem.Use, table.Frames())
	for i := range uses {
		uses[i] = table.UseOf(uint64(i) * physmem.FrameSize)
	}
	return uses
}

func countOf(uses []physmem.Use, use physmem.Use) uint64 {
	n := uint64(0)
	for _, u := range uses {
		if u == use {
			n++
		}
	}
	return n
}

// checkCounts asserts that the free count agrees with the table itself and
// with the expected number of free frames.
func checkCounts(t *testing.T, table *physmem.Table, wantFree uint64) {
	t.Helper()
	free, counted := table.FreeFrames(), table.Count(physmem.UseFree)
	if free != counted || free != wantFree {
		t.Fatalf("FreeFrames() = %d, Count(UseFree) = %d, want both %d", free, counted, wantFree)
	}
}

// newTable builds a table over fresh simulated RAM following memoryMap.
func newTable(t *testing.T) (table *physmem.Table, ram []byte, base uintptr) {
	t.Helper()
	ram, base = simRAM(t, ramSize)
	frames := uint64(ramSize / physmem.FrameSize)
	// Dirty the whole RAM so that Init must really write every entry.
	fill(ram, 0xa5)
	table = new(physmem.Table)
	table.Init(base+tableAt, frames, base)
	for owner := 1; owner <= 0xffff; owner++ {
		table.SetLimit(uint16(owner), 1<<31) // no limit but the RAM (the limit tests set their own)
	}
	if got := table.Frames(); got != frames {
		t.Fatalf("Frames() = %d after Init, want %d", got, frames)
	}
	if got := table.Count(physmem.UseAbsent); got != frames {
		t.Fatalf("Count(UseAbsent) = %d after Init, want every frame (%d)", got, frames)
	}
	checkCounts(t, table, 0)
	for _, r := range memoryMap {
		table.SetRange(r.start, r.end, r.use)
	}
	return table, ram, base
}

func TestInitAndSetRange(t *testing.T) {
	table, ram, _ := newTable(t)
	want := model(table.Frames())
	if diff := cmp.Diff(want, snapshot(table)); diff != "" {
		t.Fatalf("frame uses after the memory map (-want +got):\n%s", diff)
	}
	// Spot checks of the rounding, so the model is not the only judge.
	for _, c := range []struct {
		physical uint64
		want     physmem.Use
	}{
		{0x21000, physmem.UseAbsent}, // 0x22010 rounds up to 0x23000
		{0x22000, physmem.UseAbsent},
		{0x23000, physmem.UseFree},
		{0x9e000, physmem.UseFree},
		{0x9f000, physmem.UseAbsent}, // 0x9fc00 rounds down to 0x9f000
		{0x1ffe000, physmem.UseFree},
		{0x1fff000, physmem.UseAbsent},
		{0x2000000, physmem.UseAbsent},
		{0x2001000, physmem.UseFree},
		{0x3ff000, physmem.UseFree},
		{0x400000, physmem.UseKernel}, // 0x400123 rounds down
		{0x500000, physmem.UseKernel}, // 0x500001 rounds up to 0x501000
		{0x501000, physmem.UseFree},
		{0x3200000, physmem.UseBootModule},
		{0x3201000, physmem.UseBootModule},
		{0x3202000, physmem.UseFree},
		{0x3300000, physmem.UseFree}, // the sub-frame free range changed nothing
		{0x3400000, physmem.UseFree}, // the empty range changed nothing
		{ramSize - 0x1000, physmem.UseKernelStack},
		{ramSize, physmem.UseAbsent}, // past the table
		{math.MaxUint64, physmem.UseAbsent},
		{tableAt, physmem.UseKernel},
	} {
		if got := table.UseOf(c.physical); got != c.want {
			t.Errorf("UseOf(%#x) = %v, want %v", c.physical, got, c.want)
		}
	}
	// SetRange past the end of the table must not write past the entries.
	end := tableAt + int(physmem.TableBytes(table.Frames()))
	for i := end; i < end+64; i++ {
		if ram[i] != 0xa5 {
			t.Fatalf("byte %#x just past the frame table changed to %#x", i, ram[i])
		}
	}
	checkCounts(t, table, countOf(want, physmem.UseFree))

	// Marking free frames free again must not count them twice.
	before := table.FreeFrames()
	table.SetRange(0x100000, 0x200000, physmem.UseFree)
	checkCounts(t, table, before)
	// Taking frames out of the pool lowers the count.
	table.SetRange(0x100000, 0x100001, physmem.UseKernelHeap)
	checkCounts(t, table, before-1)
	if got := table.UseOf(0x100fff); got != physmem.UseKernelHeap {
		t.Errorf("UseOf(0x100fff) = %v, want kernel heap", got)
	}
	// And putting an absent range in raises it.
	table.SetRange(0x3000000, 0x3002000, physmem.UseFree)
	checkCounts(t, table, before+1)
}

func TestSetRangeToTopOfAddressSpace(t *testing.T) {
	table, _, _ := newTable(t)
	before := snapshot(table)
	var bugs []string
	// A free range at the very top of the address space has no whole
	// frame in the table: nothing may change.
	table.SetRange(math.MaxUint64-10, math.MaxUint64, physmem.UseFree)
	if diff := cmp.Diff(before, snapshot(table)); diff != "" {
		bugs = append(bugs, "SetRange(MaxUint64-10, MaxUint64, UseFree) changed the table: rounding start up (start + FrameSize - 1) overflows to frame 0, so every frame, the kernel's too, becomes free")
	}
	// "Everything from here up" with an end of MaxUint64 must still reach
	// the frames in the table.
	table, _, _ = newTable(t)
	table.SetRange(ramSize-0x4000, math.MaxUint64, physmem.UseKernel)
	if got := table.UseOf(ramSize - 0x4000); got != physmem.UseKernel {
		bugs = append(bugs, fmt.Sprintf("SetRange(%#x, MaxUint64, UseKernel) left the frame %v: rounding end up (end + FrameSize - 1) overflows to 0", ramSize-0x4000, got))
	}
	if len(bugs) > 0 {
		t.Fatalf("SetRange near the top of the address space:\n%s", strings.Join(bugs, "\n"))
	}
}

func TestUseString(t *testing.T) {
	want := []string{"absent", "free", "kernel", "page table", "kernel heap", "kernel stack", "boot module", "unknown"}
	var got []string
	for u := physmem.UseAbsent; u <= physmem.UseBootModule+1; u++ {
		got = append(got, u.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Use names (-want +got):\n%s", diff)
	}
}

func TestAllocateUntilExhaustion(t *testing.T) {
	table, ram, _ := newTable(t)
	want := model(table.Frames())
	free := countOf(want, physmem.UseFree)
	// Dirty every free frame so zeroing is observable.
	for i, u := range want {
		if u == physmem.UseFree {
			fill(ram[i*physmem.FrameSize:(i+1)*physmem.FrameSize], 0xee)
		}
	}
	got := map[uint64]bool{}
	uses := []physmem.Use{physmem.UseKernelHeap, physmem.UsePageTable, physmem.UseKernelStack}
	for n := uint64(0); n < free; n++ {
		use := uses[n%uint64(len(uses))]
		zero := n%2 == 0
		p, ok := table.Allocate(use, zero)
		if !ok {
			t.Fatalf("Allocate #%d failed with %d frames still free", n, table.FreeFrames())
		}
		if p%physmem.FrameSize != 0 {
			t.Fatalf("Allocate returned unaligned %#x", p)
		}
		if p >= ramSize || want[p/physmem.FrameSize] != physmem.UseFree {
			t.Fatalf("Allocate returned %#x, which is not in a free region", p)
		}
		if got[p] {
			t.Fatalf("Allocate returned %#x twice", p)
		}
		got[p] = true
		if u := table.UseOf(p); u != use {
			t.Fatalf("UseOf(%#x) = %v after Allocate(%v), want %v", p, u, use, use)
		}
		if zero && !allBytes(ram[p:p+physmem.FrameSize], 0) {
			t.Fatalf("Allocate(zero) returned %#x with non-zero contents", p)
		}
		want[p/physmem.FrameSize] = use
		if n%512 == 0 {
			checkCounts(t, table, free-n-1)
		}
	}
	checkCounts(t, table, 0)
	before := snapshot(table)
	if diff := cmp.Diff(want, before); diff != "" {
		t.Fatalf("table after exhaustion (-want +got):\n%s", diff)
	}
	if p, ok := table.Allocate(physmem.UseKernel, true); ok {
		t.Fatalf("Allocate on an exhausted table returned %#x", p)
	}
	if diff := cmp.Diff(before, snapshot(table)); diff != "" {
		t.Fatalf("failed Allocate changed the table (-before +after):\n%s", diff)
	}

	// Free a scattered few and get exactly those back.
	freed := map[uint64]bool{}
	for _, p := range []uint64{0x23000, 0x9e000, 0x501000, 0x1ffe000, 0x2001000, ramSize - 0x3000} {
		if !table.Free(p) {
			t.Fatalf("Free(%#x) of an allocated frame refused", p)
		}
		if table.UseOf(p) != physmem.UseFree {
			t.Fatalf("UseOf(%#x) = %v after Free", p, table.UseOf(p))
		}
		freed[p] = true
		checkCounts(t, table, uint64(len(freed)))
		if table.Free(p) {
			t.Fatalf("double Free(%#x) accepted", p)
		}
		checkCounts(t, table, uint64(len(freed)))
	}
	again := map[uint64]bool{}
	for range freed {
		p, ok := table.Allocate(physmem.UseKernelHeap, false)
		if !ok {
			t.Fatalf("Allocate failed with %d frames free", table.FreeFrames())
		}
		again[p] = true
	}
	if diff := cmp.Diff(freed, again); diff != "" {
		t.Fatalf("reallocated frames differ from the freed ones (-freed +reallocated):\n%s", diff)
	}
	checkCounts(t, table, 0)
}

func TestFreeRefusals(t *testing.T) {
	table, _, _ := newTable(t)
	freeCount := table.FreeFrames()
	before := snapshot(table)
	for _, c := range []struct {
		name     string
		physical uint64
	}{
		{"absent frame 0", 0},
		{"absent frame in a hole", 0x3000000},
		{"absent frame below 1 MiB", 0x9f000},
		{"free frame", 0x100000},
		{"unaligned address of an allocated frame", 0x400010},
		{"unaligned address of a free frame", 0x100800},
		{"first frame past the table", ramSize},
		{"far past the table", 1 << 52},
		{"top of the address space", math.MaxUint64 &^ (physmem.FrameSize - 1)},
	} {
		if table.Free(c.physical) {
			t.Errorf("Free(%#x) (%s) accepted", c.physical, c.name)
		}
	}
	checkCounts(t, table, freeCount)
	if diff := cmp.Diff(before, snapshot(table)); diff != "" {
		t.Fatalf("refused Frees changed the table (-before +after):\n%s", diff)
	}
	// A frame with any other use can be freed.
	if !table.Free(0x400000) {
		t.Fatalf("Free of a kernel frame refused")
	}
	checkCounts(t, table, freeCount+1)
}

func TestRebase(t *testing.T) {
	table, ram, base := newTable(t)
	// Move the entries to another place in RAM (a second view of the same
	// table, as the boot code gets when it switches to the direct map) and
	// physical memory to a second buffer.
	frames := table.Frames()
	tableBytes := int(physmem.TableBytes(frames))
	const newTableAt = 0x3100000 // in the MMIO hole: nothing else uses it
	copy(ram[newTableAt:newTableAt+tableBytes], ram[tableAt:tableAt+tableBytes])
	ram2, base2 := simRAM(t, ramSize)
	fill(ram2, 0x77)
	want := snapshot(table)
	table.Rebase(base+newTableAt, base2)
	// Scribble over the old entries: the table must no longer read them.
	for i := tableAt; i < tableAt+tableBytes; i++ {
		ram[i] = 0xff
	}
	if diff := cmp.Diff(want, snapshot(table)); diff != "" {
		t.Fatalf("table read after Rebase (-want +got):\n%s", diff)
	}
	p, ok := table.Allocate(physmem.UseKernelHeap, true)
	if !ok {
		t.Fatal("Allocate after Rebase failed")
	}
	entry := *(*uint64)(unsafe.Pointer(&ram[newTableAt+int(p/physmem.FrameSize)*8]))
	if physmem.Use(entry&0xff) != physmem.UseKernelHeap {
		t.Errorf("entry of %#x at the new place = %#x, want use kernel heap", p, entry)
	}
	if !allBytes(ram2[p:p+physmem.FrameSize], 0) {
		t.Errorf("Allocate(zero) after Rebase did not zero frame %#x through the new direct map", p)
	}
	if !allBytes(ram[p:p+physmem.FrameSize], 0xa5) {
		t.Errorf("Allocate(zero) after Rebase wrote frame %#x through the old direct map", p)
	}
}

func TestConcurrentAllocateFree(t *testing.T) {
	// A small table, so that the goroutines keep running it dry and fight
	// over the same frames.
	const frames = 128
	_, base := simRAM(t, frames*physmem.FrameSize)
	table := new(physmem.Table)
	table.Init(base, frames, base)
	table.SetRange(0, frames*physmem.FrameSize, physmem.UseFree)
	table.SetRange(0, physmem.TableBytes(frames), physmem.UseKernel)
	const initial = frames - 1
	checkCounts(t, table, initial)
	owners := make([]atomic.Int32, table.Frames())
	var failures atomic.Int32
	var wg sync.WaitGroup
	const workers, rounds, hold = 8, 2000, 20
	for w := int32(1); w <= workers; w++ {
		wg.Go(func() {
			var held []uint64
			for r := 0; r < rounds; r++ {
				for len(held) < hold {
					p, ok := table.Allocate(physmem.UseKernelHeap, r%3 == 0)
					if !ok {
						break // the others hold them all: free ours
					}
					if p%physmem.FrameSize != 0 || p >= frames*physmem.FrameSize || p == 0 {
						t.Errorf("worker %d: Allocate returned bad address %#x", w, p)
						failures.Add(1)
						return
					}
					if prev := owners[p/physmem.FrameSize].Swap(w); prev != 0 {
						t.Errorf("worker %d: frame %#x handed out while worker %d holds it", w, p, prev)
						failures.Add(1)
						return
					}
					held = append(held, p)
				}
				// Free half (or all, if the pool ran dry).
				n := (len(held) + 1) / 2
				for _, p := range held[:n] {
					if owners[p/physmem.FrameSize].Swap(0) != w {
						t.Errorf("worker %d: frame %#x changed owner while held", w, p)
						failures.Add(1)
						return
					}
					if !table.Free(p) {
						t.Errorf("worker %d: Free(%#x) of a held frame refused", w, p)
						failures.Add(1)
						return
					}
				}
				held = append(held[:0], held[n:]...)
			}
			for _, p := range held {
				owners[p/physmem.FrameSize].Store(0)
				if !table.Free(p) {
					t.Errorf("worker %d: final Free(%#x) refused", w, p)
				}
			}
		})
	}
	wg.Wait()
	if failures.Load() != 0 {
		t.FailNow()
	}
	checkCounts(t, table, initial)
	if got := table.Count(physmem.UseKernelHeap); got != 0 {
		t.Errorf("%d frames still marked kernel heap after every worker freed its frames", got)
	}
}

// FreeFrames is documented as a cheap read (it loads atomically) that
// monitors may call while other CPUs allocate. Under the race detector this
// shows whether the writers of the count cooperate.
func TestFreeFramesWhileAllocating(t *testing.T) {
	const frames = 64
	_, base := simRAM(t, frames*physmem.FrameSize)
	table := new(physmem.Table)
	table.Init(base, frames, base)
	table.SetRange(physmem.FrameSize, frames*physmem.FrameSize, physmem.UseFree)
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		for !stop.Load() {
			if p, ok := table.Allocate(physmem.UseKernelHeap, false); ok {
				table.Free(p)
			}
		}
	})
	for i := 0; i < 10000; i++ {
		if n := table.FreeFrames(); n != frames-1 && n != frames-2 {
			t.Errorf("FreeFrames() = %d while one frame at most is held, want %d or %d", n, frames-1, frames-2)
			break
		}
	}
	stop.Store(true)
	wg.Wait()
}

// TestFreedFrameIsReusedFirst checks the search hint: a frame just freed
// is the next one allocated, whichever way it was freed, so an
// allocate-free loop keeps using one frame.
func TestFreedFrameIsReusedFirst(t *testing.T) {
	table, _, _ := newTable(t)
	first, ok := table.Allocate(physmem.UseKernelHeap, false)
	if !ok {
		t.Fatal("Allocate failed")
	}
	for i := 0; i < 10; i++ {
		if _, ok := table.Allocate(physmem.UseKernelHeap, false); !ok {
			t.Fatal("Allocate failed")
		}
	}
	if !table.Free(first) {
		t.Fatal("Free failed")
	}
	if again, _ := table.Allocate(physmem.UseKernelHeap, false); again != first {
		t.Errorf("after Free, Allocate = %#x, want the freed frame %#x", again, first)
	}
	owned, _ := table.AllocateFor(3, physmem.UseProcess, false)
	table.Allocate(physmem.UseKernelHeap, false)
	if s := table.FreeOwned(owned, 3); s != physmem.Done {
		t.Fatalf("FreeOwned = %v", s)
	}
	if again, _ := table.AllocateFor(4, physmem.UseProcess, false); again != owned {
		t.Errorf("after FreeOwned, AllocateFor = %#x, want the freed frame %#x", again, owned)
	}
}
