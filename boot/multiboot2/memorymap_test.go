package multiboot2

import (
	"math/rand"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	kib = 1 << 10
	mib = 1 << 20
	gib = 1 << 30
)

// available, reserved and typed are shorthands for memory map entries
// given by [start, end).
func available(start, end uint64) MemoryMapEntry {
	return MemoryMapEntry{Base: start, Length: end - start, Type: MemoryAvailable}
}

func reserved(start, end uint64) MemoryMapEntry {
	return typed(start, end, MemoryReserved)
}

func typed(start, end uint64, memoryType uint32) MemoryMapEntry {
	return MemoryMapEntry{Base: start, Length: end - start, Type: memoryType}
}

// qemuLayout returns the memory map SeaBIOS reports for a QEMU pc machine
// with memoryBytes of RAM: low memory up to the EBDA, the BIOS area, RAM from
// 1 MiB up to at most 3 GiB (QEMU's default below-4G split for large
// machines), reserved firmware ranges below 4 GiB, and the rest of the RAM
// above 4 GiB.
func qemuLayout(memoryBytes uint64) []MemoryMapEntry {
	below := min(memoryBytes, 3*gib)
	entries := []MemoryMapEntry{
		available(0, 0x9fc00),
		reserved(0x9fc00, 0xa0000),
		reserved(0xf0000, 0x100000),
		available(0x100000, below-0x20000),
		reserved(below-0x20000, below),
		reserved(0xfeffc000, 0xff000000),
		reserved(0xfffc0000, 4*gib),
	}
	if memoryBytes > below {
		entries = append(entries, available(4*gib, 4*gib+memoryBytes-below))
	}
	return entries
}

func TestSanitizeMemoryMap(t *testing.T) {
	tests := []struct {
		name    string
		entries []MemoryMapEntry
		want    []Region
	}{
		{
			name:    "QEMU 128 MiB",
			entries: qemuLayout(128 * mib),
			want:    []Region{{0, 0x9f000}, {0x100000, 128*mib - 0x20000}},
		},
		{
			name:    "QEMU 16 GiB with RAM above 4 GiB",
			entries: qemuLayout(16 * gib),
			want:    []Region{{0, 0x9f000}, {0x100000, 3*gib - 0x20000}, {4 * gib, 17 * gib}},
		},
		{
			name:    "holes between available ranges",
			entries: []MemoryMapEntry{available(0, 64*kib), available(1*mib, 2*mib), available(8*mib, 9*mib)},
			want:    []Region{{0, 64 * kib}, {1 * mib, 2 * mib}, {8 * mib, 9 * mib}},
		},
		{
			name: "unsorted input",
			entries: []MemoryMapEntry{
				available(8*mib, 9*mib), reserved(0xf0000, 0x100000), available(1*mib, 2*mib), available(0, 64*kib),
			},
			want: []Region{{0, 64 * kib}, {1 * mib, 2 * mib}, {8 * mib, 9 * mib}},
		},
		{
			name: "overlapping entries of different types",
			entries: []MemoryMapEntry{
				available(0, 0x10000),
				reserved(0x8000, 0x20000),
				available(0x18000, 0x30000),
				typed(0x2c000, 0x2d000, MemoryACPIReclaimable),
			},
			want: []Region{{0, 0x8000}, {0x20000, 0x2c000}, {0x2d000, 0x30000}},
		},
		{
			name:    "available inside reserved",
			entries: []MemoryMapEntry{reserved(0, 1*mib), available(0x1000, 0x2000), available(2*mib, 3*mib)},
			want:    []Region{{2 * mib, 3 * mib}},
		},
		{
			name:    "reserved after available in the list still wins",
			entries: []MemoryMapEntry{available(0x1000, 0x2000), reserved(0, 1*mib)},
			want:    nil,
		},
		{
			name:    "every non-available type excludes",
			entries: []MemoryMapEntry{available(0, 16*mib), typed(1*mib, 2*mib, MemoryNVS), typed(3*mib, 4*mib, MemoryBad), typed(5*mib, 6*mib, 42)},
			want:    []Region{{0, 1 * mib}, {2 * mib, 3 * mib}, {4 * mib, 5 * mib}, {6 * mib, 16 * mib}},
		},
		{
			name:    "unaligned bounds are shrunk to whole pages",
			entries: []MemoryMapEntry{available(0x1234, 0x5678), available(0x10100, 0x10200), available(0x20000, 0x20fff)},
			want:    []Region{{0x2000, 0x5000}},
		},
		{
			name:    "adjacent and overlapping available ranges merge before aligning",
			entries: []MemoryMapEntry{available(0, 0x1800), available(0x1800, 0x3000), available(0x2000, 0x5000), available(0x4800, 0x6000)},
			want:    []Region{{0, 0x6000}},
		},
		{
			name:    "an available range bridging two others merges all three",
			entries: []MemoryMapEntry{available(0, 0x1000), available(0x3000, 0x4000), available(0x6000, 0x7000), available(0x800, 0x6800)},
			want:    []Region{{0, 0x7000}},
		},
		{
			name:    "zero-length entries are ignored",
			entries: []MemoryMapEntry{available(0, 0x4000), {Base: 0x2000, Length: 0, Type: MemoryReserved}, {Base: 0x10000, Length: 0, Type: 1}},
			want:    []Region{{0, 0x4000}},
		},
		{
			name:    "range reaching the top of the address space saturates",
			entries: []MemoryMapEntry{{Base: 0xffffffff_fff00000, Length: 0x200000, Type: MemoryAvailable}},
			want:    []Region{{0xffffffff_fff00000, 0xffffffff_fffff000}},
		},
		{
			name:    "no available memory",
			entries: []MemoryMapEntry{reserved(0, 1*mib)},
			want:    nil,
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			var out [MaxRegions]Region
			usable := SanitizeMemoryMap(test.entries, out[:])
			got := out[:usable.Count]
			if diff := cmp.Diff(test.want, got, cmpRegions); diff != "" {
				t.Errorf("regions (-want +got):\n%s", diff)
			}
			var total, top uint64
			for _, region := range test.want {
				total += region.Size()
				top = region.End
			}
			if usable.TotalBytes != total || usable.TopOfRAM != top || usable.Overflow {
				t.Errorf("total %#x top %#x overflow %v; want %#x %#x false",
					usable.TotalBytes, usable.TopOfRAM, usable.Overflow, total, top)
			}
		})
	}
}

// cmpRegions makes a nil and an empty region list compare equal.
var cmpRegions = cmp.Transformer("regions", func(regions []Region) []Region {
	if len(regions) == 0 {
		return nil
	}
	return regions
})

func TestSanitizeMemoryMapTotals(t *testing.T) {
	var out [MaxRegions]Region
	usable := SanitizeMemoryMap(qemuLayout(16*gib), out[:])
	if usable.TopOfRAM != 17*gib {
		t.Errorf("TopOfRAM = %#x, want %#x", usable.TopOfRAM, uint64(17*gib))
	}
	wantTotal := uint64(0x9f000) + (3*gib - 0x20000 - 0x100000) + 13*gib
	if usable.TotalBytes != wantTotal {
		t.Errorf("TotalBytes = %#x, want %#x", usable.TotalBytes, wantTotal)
	}
}

func TestSanitizeMemoryMapOverflow(t *testing.T) {
	entries := []MemoryMapEntry{available(0, 0x1000), available(0x4000, 0x5000), available(0x8000, 0x9000)}
	var out [2]Region
	usable := SanitizeMemoryMap(entries, out[:])
	if !usable.Overflow || usable.Count != 2 {
		t.Fatalf("usable = %+v, want overflow with 2 regions", usable)
	}
	// Whatever was kept must be genuinely available.
	for _, region := range out[:usable.Count] {
		if !usableByModel(entries, region.Start, region.End) {
			t.Errorf("region %+v is not available", region)
		}
	}
	if usable := SanitizeMemoryMap(entries, nil); !usable.Overflow || usable.Count != 0 {
		t.Errorf("with no room: %+v", usable)
	}
}

// usableByModel reports whether every byte of [start, end) is covered by an
// available entry and by no other entry: the rule SanitizeMemoryMap applies,
// evaluated the slow, obvious way on interval boundaries.
func usableByModel(entries []MemoryMapEntry, start, end uint64) bool {
	for address := start; address < end; {
		// Find the furthest point reachable from address under one
		// available entry, and fail if any other entry touches
		// [address, that point).
		next := address
		for _, entry := range entries {
			if entry.Type == MemoryAvailable && entry.Base <= address && entryEnd(entry) > address {
				next = max(next, entryEnd(entry))
			}
		}
		if next == address {
			return false
		}
		next = min(next, end)
		for _, entry := range entries {
			if entry.Type != MemoryAvailable && entry.Length != 0 &&
				entry.Base < next && entryEnd(entry) > address {
				return false
			}
		}
		address = next
	}
	return true
}

// TestSanitizeMemoryMapAgainstModel checks random small memory maps page by
// page against usableByModel: a page is in the output exactly when the
// model says all of it is usable, and the output is sorted with gaps
// between regions.
func TestSanitizeMemoryMapAgainstModel(t *testing.T) {
	random := rand.New(rand.NewSource(2))
	const pages = 64
	for trial := range 3000 {
		var entries []MemoryMapEntry
		for range 1 + random.Intn(10) {
			start := uint64(random.Intn(pages*PageSize/256)) * 256
			length := uint64(random.Intn(16*PageSize/256)) * 256
			memoryType := uint32(MemoryAvailable)
			if random.Intn(3) == 0 {
				memoryType = uint32(2 + random.Intn(4))
			}
			entries = append(entries, MemoryMapEntry{Base: start, Length: length, Type: memoryType})
		}
		var out [MaxRegions]Region
		usable := SanitizeMemoryMap(entries, out[:])
		regions := out[:usable.Count]

		for index, region := range regions {
			if region.Start%PageSize != 0 || region.End%PageSize != 0 || region.Start >= region.End {
				t.Fatalf("trial %d: bad region %+v", trial, region)
			}
			if index > 0 && regions[index-1].End >= region.Start {
				t.Fatalf("trial %d: regions %+v and %+v not sorted with a gap", trial, regions[index-1], region)
			}
		}
		for page := uint64(0); page < pages+16; page++ {
			start, end := page*PageSize, (page+1)*PageSize
			inOutput := false
			for _, region := range regions {
				if region.Start <= start && end <= region.End {
					inOutput = true
				}
			}
			if want := usableByModel(entries, start, end); inOutput != want {
				t.Fatalf("trial %d: page %#x in output = %v, model says %v\nentries %+v\nregions %+v",
					trial, start, inOutput, want, entries, regions)
			}
		}
	}
}

func TestExcludeRange(t *testing.T) {
	base := []Region{{0x1000, 0x9000}, {0x10000, 0x20000}, {0x30000, 0x40000}}
	tests := []struct {
		name       string
		start, end uint64
		capacity   int
		want       []Region
		overflow   bool
	}{
		{name: "split a region", start: 0x14000, end: 0x15000, capacity: 8,
			want: []Region{{0x1000, 0x9000}, {0x10000, 0x14000}, {0x15000, 0x20000}, {0x30000, 0x40000}}},
		{name: "split the last region", start: 0x31000, end: 0x32000, capacity: 8,
			want: []Region{{0x1000, 0x9000}, {0x10000, 0x20000}, {0x30000, 0x31000}, {0x32000, 0x40000}}},
		{name: "split with no room drops the upper part", start: 0x14000, end: 0x15000, capacity: 3,
			want: []Region{{0x1000, 0x9000}, {0x10000, 0x14000}, {0x30000, 0x40000}}, overflow: true},
		{name: "trim the low end", start: 0x0, end: 0x2000, capacity: 3,
			want: []Region{{0x2000, 0x9000}, {0x10000, 0x20000}, {0x30000, 0x40000}}},
		{name: "trim the high end", start: 0x8000, end: 0xa000, capacity: 3,
			want: []Region{{0x1000, 0x8000}, {0x10000, 0x20000}, {0x30000, 0x40000}}},
		{name: "trim two regions, drop one between", start: 0x8000, end: 0x31000, capacity: 3,
			want: []Region{{0x1000, 0x8000}, {0x31000, 0x40000}}},
		{name: "drop everything", start: 0, end: 1 << 40, capacity: 3, want: nil},
		{name: "exact region", start: 0x10000, end: 0x20000, capacity: 3,
			want: []Region{{0x1000, 0x9000}, {0x30000, 0x40000}}},
		{name: "range in a hole", start: 0x9000, end: 0x10000, capacity: 3, want: base},
		{name: "empty range", start: 0x15000, end: 0x15000, capacity: 3, want: base},
		{name: "inverted range", start: 0x16000, end: 0x15000, capacity: 3, want: base},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			regions := make([]Region, test.capacity)
			count := copy(regions, base)
			newCount, overflow := ExcludeRange(regions, count, test.start, test.end)
			if diff := cmp.Diff(test.want, regions[:newCount], cmpRegions); diff != "" {
				t.Errorf("regions (-want +got):\n%s", diff)
			}
			if overflow != test.overflow {
				t.Errorf("overflow = %v, want %v", overflow, test.overflow)
			}
		})
	}
}

func TestExcludeRangeBadCounts(t *testing.T) {
	regions := []Region{{0x1000, 0x2000}, {0x3000, 0x4000}}
	if count, overflow := ExcludeRange(regions, 99, 0x1000, 0x2000); count != 1 || overflow || regions[0] != (Region{0x3000, 0x4000}) {
		t.Errorf("count above capacity: got %d, %v, %+v", count, overflow, regions)
	}
	if count, _ := ExcludeRange(regions, -5, 0, 1); count != 0 {
		t.Errorf("negative count: got %d", count)
	}
}

// TestExcludeKernelAndModules is the boot-time use: sanitize a QEMU map,
// then take out the kernel image, the boot information and a module.
func TestExcludeKernelAndModules(t *testing.T) {
	var out [MaxRegions]Region
	usable := SanitizeMemoryMap(qemuLayout(128*mib), out[:])
	count := usable.Count
	for _, reservedRange := range []Region{
		{0x100000, 0x400000}, // kernel image
		{0x401000, 0x402000}, // boot information
		{0x500000, 0x900000}, // initial RAM filesystem module
	} {
		var overflow bool
		count, overflow = ExcludeRange(out[:], count, reservedRange.Start, reservedRange.End)
		if overflow {
			t.Fatalf("overflow excluding %+v", reservedRange)
		}
	}
	want := []Region{{0, 0x9f000}, {0x400000, 0x401000}, {0x402000, 0x500000}, {0x900000, 128*mib - 0x20000}}
	if diff := cmp.Diff(want, out[:count]); diff != "" {
		t.Errorf("regions (-want +got):\n%s", diff)
	}
}

func TestSanitizeMemoryMapDoesNotAllocate(t *testing.T) {
	entries := qemuLayout(16 * gib)
	var out [MaxRegions]Region
	allocations := testing.AllocsPerRun(100, func() {
		usable := SanitizeMemoryMap(entries, out[:])
		ExcludeRange(out[:], usable.Count, 0x100000, 0x200000)
	})
	if allocations != 0 {
		t.Errorf("SanitizeMemoryMap and ExcludeRange allocate %v times per run", allocations)
	}
}
