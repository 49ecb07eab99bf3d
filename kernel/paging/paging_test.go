package paging_test

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"exogo/kernel/paging"
	"exogo/kernel/physmem"
)

// The architectural layout of an x86-64 page-table entry, written out here
// independently of the package's constants.
const (
	bitPresent  = 1 << 0
	bitWritable = 1 << 1
	bitUser     = 1 << 2
	bitHuge     = 1 << 7
	bitGlobal   = 1 << 8
	bitNX       = 1 << 63
	addressBits = (1<<52 - 1) &^ (1<<12 - 1) // bits 12-51
)

const (
	ramSize = 16 << 20
	tableAt = 0x1000
	upper   = uintptr(0xffff_8000_0000_0000)
)

// machine is a simulated physical memory with a frame table and an empty
// address space.
type machine struct {
	ram    []byte
	base   uintptr
	frames *physmem.Table
	space  paging.Space
}

func fill(b []byte, v byte) {
	b[0] = v
	for n := 1; n < len(b); n *= 2 {
		copy(b[n:], b[:n])
	}
}

func newMachine(t *testing.T) *machine {
	t.Helper()
	// Memory from mmap, not the Go heap: kernel addresses must not point
	// into Go-managed memory (see rawmem).
	ram, err := syscall.Mmap(-1, 0, ramSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap simulated RAM: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Munmap(ram) })
	// Dirty the RAM so that page tables must be zeroed to work.
	fill(ram, 0xdb)
	m := &machine{ram: ram, base: uintptr(unsafe.Pointer(&ram[0])), frames: new(physmem.Table)}
	n := uint64(ramSize / physmem.FrameSize)
	m.frames.Init(m.base+tableAt, n, m.base)
	for owner := 1; owner <= 0xffff; owner++ {
		m.frames.SetLimit(uint16(owner), 1<<31) // no limit but the RAM (the limit tests set their own)
	}
	m.frames.SetRange(0x10000, ramSize, physmem.UseFree)
	m.frames.SetRange(tableAt, tableAt+physmem.TableBytes(n), physmem.UseKernel)
	space, ok := paging.NewSpace(m.frames, m.base)
	if !ok {
		t.Fatal("NewSpace failed")
	}
	if space.DirectMap != m.base {
		t.Fatalf("NewSpace DirectMap = %#x, want %#x", space.DirectMap, m.base)
	}
	if use := m.frames.UseOf(space.Root); use != physmem.UsePageTable || space.Root%4096 != 0 {
		t.Fatalf("root %#x has use %v, want an aligned page-table frame", space.Root, use)
	}
	if got := m.frames.Count(physmem.UsePageTable); got != 1 {
		t.Fatalf("NewSpace used %d page-table frames, want 1", got)
	}
	if !bytes.Equal(ram[space.Root:space.Root+4096], make([]byte, 4096)) {
		t.Fatal("NewSpace root table is not zeroed")
	}
	m.space = space
	return m
}

// entry reads the i'th entry of the table at physical address table.
func (m *machine) entry(table uint64, i uint64) uint64 {
	return binary.LittleEndian.Uint64(m.ram[table+i*8:])
}

// handWalk translates virtual by reading the tables in RAM, returning the
// entries on the way (PML4 first) and whether a leaf was found.
func (m *machine) handWalk(virtual uintptr) (path []uint64, physical uint64, found bool) {
	table := m.space.Root
	v := uint64(virtual)
	for level := 3; level >= 0; level-- {
		shift := 12 + 9*uint(level)
		e := m.entry(table, v>>shift&0x1ff)
		path = append(path, e)
		if e&bitPresent == 0 {
			return path, 0, false
		}
		if level == 0 || level == 1 && e&bitHuge != 0 {
			size := uint64(1) << shift
			return path, e&addressBits&^(size-1) | v&(size-1), true
		}
		table = e & addressBits
	}
	panic("unreachable")
}

// leaf is a mapping found by enumerating the tables.
type leaf struct {
	Physical uint64
	Flags    uint64 // the entry's bits outside 12-51
	Huge     bool
}

// enumerate lists every present leaf of the tree by reading RAM, keyed by
// virtual address, and counts the tables reachable from the root.
func (m *machine) enumerate() (leaves map[uintptr]leaf, tables int) {
	leaves = map[uintptr]leaf{}
	var walk func(table uint64, level int, prefix uint64)
	walk = func(table uint64, level int, prefix uint64) {
		tables++
		for i := uint64(0); i < 512; i++ {
			e := m.entry(table, i)
			if e&bitPresent == 0 {
				continue
			}
			shift := 12 + 9*uint(level)
			v := prefix | i<<shift
			if level == 3 && i >= 256 {
				v |= 0xffff << 48 // sign extension
			}
			switch {
			case level == 0:
				leaves[uintptr(v)] = leaf{e & addressBits, e &^ addressBits, false}
			case level == 1 && e&bitHuge != 0:
				leaves[uintptr(v)] = leaf{e & addressBits, e &^ addressBits, true}
			default:
				walk(e&addressBits, level-1, v)
			}
		}
	}
	walk(m.space.Root, 3, 0)
	return leaves, tables
}

func (m *machine) tableFrames() uint64 { return m.frames.Count(physmem.UsePageTable) }

func TestFlagConstants(t *testing.T) {
	got := []uint64{uint64(paging.Present), uint64(paging.Writable), uint64(paging.User), uint64(paging.Huge), uint64(paging.Global), uint64(paging.NoExecute), paging.AddressMask}
	want := []uint64{bitPresent, bitWritable, bitUser, bitHuge, bitGlobal, bitNX, addressBits}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("flag bits (-architectural +package):\n%s", diff)
	}
}

func TestCanonical(t *testing.T) {
	for _, c := range []struct {
		virtual uintptr
		want    bool
	}{
		{0, true},
		{0x0000_7fff_ffff_ffff, true},
		{0x0000_8000_0000_0000, false},
		{0x0001_0000_0000_0000, false},
		{0x8000_0000_0000_0000, false},
		{0xffff_7fff_ffff_ffff, false},
		{0xffff_8000_0000_0000, true},
		{0xffff_ffff_ffff_ffff, true},
		{0xfffe_ffff_ffff_f000, false},
	} {
		if got := paging.Canonical(c.virtual); got != c.want {
			t.Errorf("Canonical(%#x) = %v, want %v", c.virtual, got, c.want)
		}
	}
}

func TestMapLookupAndBitLayout(t *testing.T) {
	m := newMachine(t)
	cases := []struct {
		virtual  uintptr
		physical uint64
		flags    paging.Flags
	}{
		{0x40_0000, 0x12_3000, paging.Writable},
		{0x40_1000, 0x12_3000, 0}, // two pages may share a frame
		{0x7fff_ffff_f000, 0x5000, paging.User | paging.NoExecute},
		{upper + 0x1234_5000, 0x000f_ffff_ffff_f000, paging.Writable | paging.NoExecute | paging.Global},
		{0xffff_ffff_ffff_f000, 0xabc_d000, paging.Writable | paging.User},
		{upper + 0x20_0000, 0, paging.Global},
	}
	for _, c := range cases {
		if status := m.space.Map(m.frames, c.virtual, c.physical, c.flags); status != paging.OK {
			t.Fatalf("Map(%#x, %#x, %#x) = %v", c.virtual, c.physical, c.flags, status)
		}
	}
	for _, c := range cases {
		for _, offset := range []uintptr{0, 1, 0x800, 0xfff} {
			physical, flags, status := m.space.Lookup(c.virtual + offset)
			if status != paging.OK || physical != c.physical+uint64(offset) || flags != c.flags|paging.Present {
				t.Errorf("Lookup(%#x) = %#x, %#x, %v; want %#x, %#x, ok", c.virtual+offset, physical, flags, status, c.physical+uint64(offset), c.flags|paging.Present)
			}
		}
		// The raw leaf entry: address in bits 12-51, NX in bit 63.
		path, physical, found := m.handWalk(c.virtual + 0x10)
		if !found || physical != c.physical+0x10 {
			t.Errorf("hand walk of %#x: found %v, physical %#x; want %#x", c.virtual+0x10, found, physical, c.physical+0x10)
			continue
		}
		raw := path[3]
		want := c.physical | uint64(c.flags) | bitPresent
		if raw != want {
			t.Errorf("raw leaf entry for %#x = %#016x, want %#016x", c.virtual, raw, want)
		}
		if nx := raw&bitNX != 0; nx != (c.flags&paging.NoExecute != 0) {
			t.Errorf("leaf for %#x: bit 63 = %v, want NX %v", c.virtual, nx, c.flags&paging.NoExecute != 0)
		}
		// Intermediate entries: present and writable, User only when a
		// User leaf lies below, never NX or Global (leaves decide those).
		for level, e := range path[:3] {
			wantBits := uint64(bitPresent | bitWritable)
			if c.flags&paging.User != 0 {
				wantBits |= bitUser
			}
			if e&^addressBits != wantBits {
				t.Errorf("level-%d entry on the walk to %#x = %#016x, want flags %#x", 3-level, c.virtual, e, wantBits)
			}
			if use := m.frames.UseOf(e & addressBits); use != physmem.UsePageTable {
				t.Errorf("level-%d entry on the walk to %#x points at %#x, a %v frame", 3-level, c.virtual, e&addressBits, use)
			}
		}
	}
	// Nothing else is mapped.
	leaves, tables := m.enumerate()
	want := map[uintptr]leaf{}
	for _, c := range cases {
		want[c.virtual] = leaf{c.physical, uint64(c.flags | paging.Present), false}
	}
	if diff := cmp.Diff(want, leaves); diff != "" {
		t.Errorf("leaves found in RAM (-mapped +found):\n%s", diff)
	}
	if uint64(tables) != m.tableFrames() {
		t.Errorf("%d tables reachable from the root, %d frames marked page table", tables, m.tableFrames())
	}
	// Unmapped neighbours are not mapped.
	for _, v := range []uintptr{0x3f_f000, 0x40_2000, 0x7fff_ffff_e000, upper, upper + 0x1234_4000, 0xffff_ffff_ffff_e000} {
		if _, _, status := m.space.Lookup(v); status != paging.NotMapped {
			t.Errorf("Lookup(%#x) = %v, want not mapped", v, status)
		}
	}
}

func TestPhysicalAddressCannotReachFlagBits(t *testing.T) {
	m := newMachine(t)
	// Bits of the physical address outside 12-51 must not land in the
	// entry's flag bits (NX, available bits, protection key).
	const virtual = 0x1000_0000
	if status := m.space.Map(m.frames, virtual, 1<<63|1<<55|0x7000, paging.Writable); status != paging.OK {
		t.Fatalf("Map = %v", status)
	}
	path, _, found := m.handWalk(virtual)
	if !found {
		t.Fatal("hand walk found no leaf")
	}
	if raw := path[3]; raw&^addressBits != bitPresent|bitWritable {
		t.Errorf("leaf = %#016x: high physical bits leaked into flags", raw)
	}
}

func TestRefusals(t *testing.T) {
	m := newMachine(t)
	if status := m.space.Map(m.frames, 0x20_0000, 0x30_0000, paging.Writable); status != paging.OK {
		t.Fatalf("Map = %v", status)
	}
	if status := m.space.MapHuge(m.frames, 0x4000_0000, 0x20_0000, paging.Writable); status != paging.OK {
		t.Fatalf("MapHuge = %v", status)
	}
	tables, free := m.tableFrames(), m.frames.FreeFrames()
	before, _ := m.enumerate()
	check := func(what string, got, want paging.Status) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	for _, v := range []uintptr{0x0000_8000_0000_0000, 0xffff_7fff_ffe0_0000, 0x0100_0000_0000_0000} {
		check("Map non-canonical", m.space.Map(m.frames, v, 0x1000, 0), paging.NotCanonical)
		check("MapHuge non-canonical", m.space.MapHuge(m.frames, v, 0x20_0000, 0), paging.NotCanonical)
		_, status := m.space.Unmap(m.frames, v)
		check("Unmap non-canonical", status, paging.NotCanonical)
		_, _, status = m.space.Lookup(v)
		check("Lookup non-canonical", status, paging.NotCanonical)
	}
	check("Map misaligned virtual", m.space.Map(m.frames, 0x50_0008, 0x1000, 0), paging.Misaligned)
	check("Map misaligned physical", m.space.Map(m.frames, 0x50_0000, 0x1800, 0), paging.Misaligned)
	check("MapHuge 4 KiB-aligned virtual", m.space.MapHuge(m.frames, 0x60_1000, 0x20_0000, 0), paging.Misaligned)
	check("MapHuge 4 KiB-aligned physical", m.space.MapHuge(m.frames, 0x60_0000, 0x20_1000, 0), paging.Misaligned)
	_, status := m.space.Unmap(m.frames, 0x20_0010)
	check("Unmap misaligned", status, paging.Misaligned)

	check("Map twice", m.space.Map(m.frames, 0x20_0000, 0x99_9000, paging.User), paging.AlreadyMapped)
	check("MapHuge over a page table", m.space.MapHuge(m.frames, 0x20_0000, 0x40_0000, 0), paging.AlreadyMapped)
	check("MapHuge twice", m.space.MapHuge(m.frames, 0x4000_0000, 0x40_0000, 0), paging.AlreadyMapped)
	check("Map under a huge page", m.space.Map(m.frames, 0x4000_0000, 0x1000, 0), paging.HugePageInTheWay)
	check("Map inside a huge page", m.space.Map(m.frames, 0x401f_f000, 0x1000, 0), paging.HugePageInTheWay)
	_, status = m.space.Unmap(m.frames, 0x4000_5000)
	check("Unmap inside a huge page", status, paging.HugePageInTheWay)
	_, status = m.space.Unmap(m.frames, 0x20_1000)
	check("Unmap unmapped page next to a mapped one", status, paging.NotMapped)
	_, status = m.space.Unmap(m.frames, upper+0x7000)
	check("Unmap in an empty subtree", status, paging.NotMapped)

	after, _ := m.enumerate()
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("refused operations changed the mappings (-before +after):\n%s", diff)
	}
	if m.tableFrames() != tables || m.frames.FreeFrames() != free {
		t.Errorf("refused operations used frames: page tables %d -> %d, free %d -> %d", tables, m.tableFrames(), free, m.frames.FreeFrames())
	}
	// Lookup inside the huge page.
	physical, flags, status := m.space.Lookup(0x4012_3456)
	if status != paging.OK || physical != 0x32_3456 || flags != paging.Writable|paging.Present|paging.Huge {
		t.Errorf("Lookup in huge page = %#x, %#x, %v; want 0x323456, Present|Writable|Huge", physical, flags, status)
	}
	if path, physical, found := m.handWalk(0x4012_3456); !found || physical != 0x32_3456 || len(path) != 3 || path[2] != 0x20_0000|bitHuge|bitWritable|bitPresent {
		t.Errorf("hand walk in huge page: path %#x, physical %#x, found %v", path, physical, found)
	}
	for _, s := range []paging.Status{paging.OK, paging.NoMemory, paging.Misaligned, paging.NotCanonical, paging.AlreadyMapped, paging.HugePageInTheWay, paging.NotMapped} {
		if s.String() == "unknown status" || s.String() == "" {
			t.Errorf("Status %d has no name", s)
		}
	}
	if paging.Status(-1).String() != "unknown status" || paging.Status(99).String() != "unknown status" {
		t.Error("out-of-range Status values are not reported as unknown")
	}
}

func TestUnmap(t *testing.T) {
	m := newMachine(t)
	const v = upper + 0x5555_5000
	if status := m.space.Map(m.frames, v, 0xbee_f000, paging.Writable|paging.NoExecute); status != paging.OK {
		t.Fatalf("Map = %v", status)
	}
	tables := m.tableFrames()
	physical, status := m.space.Unmap(m.frames, v)
	if status != paging.OK || physical != 0xbee_f000 {
		t.Fatalf("Unmap = %#x, %v; want 0xbeef000, ok", physical, status)
	}
	if _, _, status := m.space.Lookup(v); status != paging.NotMapped {
		t.Errorf("Lookup after Unmap = %v, want not mapped", status)
	}
	if path, _, found := m.handWalk(v); found || path[3] != 0 {
		t.Errorf("leaf entry after Unmap = %#x, want 0", path[3])
	}
	if _, status := m.space.Unmap(m.frames, v); status != paging.NotMapped {
		t.Errorf("second Unmap = %v, want not mapped", status)
	}
	// The frame was not freed by Unmap (the caller decides) and the tables
	// stay for reuse.
	if m.tableFrames() != tables {
		t.Errorf("page-table frames %d -> %d after Unmap", tables, m.tableFrames())
	}
	if status := m.space.Map(m.frames, v, 0x1000, 0); status != paging.OK || m.tableFrames() != tables {
		t.Errorf("remap after Unmap = %v with %d new tables", status, m.tableFrames()-tables)
	}
}

func TestTableFrameCost(t *testing.T) {
	m := newMachine(t)
	steps := []struct {
		what    string
		virtual uintptr
		huge    bool
		cost    uint64
	}{
		{"first page in an empty space", 0x1234_5000, false, 3},
		{"second page in the same 2 MiB", 0x1234_6000, false, 0},
		{"page in the next 2 MiB", 0x1244_0000, false, 1},
		{"page in another 1 GiB", 0x5000_0000, false, 2},
		{"page in another 512 GiB", upper + 0x1000, false, 3},
		{"huge page in an empty 512 GiB", 0xffff_ff80_0000_0000, true, 2},
		{"huge page next to a 4 KiB page table", 0x1260_0000, true, 0},
	}
	for _, s := range steps {
		tables, free := m.tableFrames(), m.frames.FreeFrames()
		var status paging.Status
		if s.huge {
			status = m.space.MapHuge(m.frames, s.virtual, 0x20_0000, 0)
		} else {
			status = m.space.Map(m.frames, s.virtual, 0x1000, 0)
		}
		if status != paging.OK {
			t.Fatalf("%s: map = %v", s.what, status)
		}
		if got := m.tableFrames() - tables; got != s.cost {
			t.Errorf("%s: used %d page-table frames, want %d", s.what, got, s.cost)
		}
		if got := free - m.frames.FreeFrames(); got != s.cost {
			t.Errorf("%s: took %d free frames, want %d", s.what, got, s.cost)
		}
	}
	// Every table is a zeroed-then-filled frame: entries not used are 0
	// even though the RAM was dirty.
	_, tables := m.enumerate()
	if uint64(tables) != m.tableFrames() {
		t.Errorf("%d tables reachable, %d frames marked page table", tables, m.tableFrames())
	}
}

func TestNoMemory(t *testing.T) {
	m := newMachine(t)
	for {
		if _, ok := m.frames.Allocate(physmem.UseKernelHeap, false); !ok {
			break
		}
	}
	if status := m.space.Map(m.frames, 0x1000, 0x1000, 0); status != paging.NoMemory {
		t.Errorf("Map with no free frames = %v, want no memory", status)
	}
	if status := m.space.MapHuge(m.frames, 0x20_0000, 0x20_0000, 0); status != paging.NoMemory {
		t.Errorf("MapHuge with no free frames = %v, want no memory", status)
	}
	if leaves, tables := m.enumerate(); len(leaves) != 0 || tables != 1 {
		t.Errorf("failed maps left %d leaves and %d tables", len(leaves), tables)
	}
	if _, ok := paging.NewSpace(m.frames, m.base); ok {
		t.Error("NewSpace succeeded with no free frames")
	}
	// With two frames a third level cannot be had: still NoMemory, and a
	// later map succeeds once frames come back.
	m.frames.SetRange(ramSize-0x3000, ramSize-0x1000, physmem.UseFree) // frames the loop above took
	if status := m.space.Map(m.frames, 0x1000, 0x1000, 0); status != paging.NoMemory {
		t.Errorf("Map with two free frames = %v, want no memory", status)
	}
	m.frames.SetRange(ramSize-0x1000, ramSize, physmem.UseFree)
	if status := m.space.Map(m.frames, 0x1000, 0x1000, 0); status != paging.OK {
		t.Errorf("Map after frames came back = %v", status)
	}
	if _, tables := m.enumerate(); uint64(tables) != m.tableFrames() || tables != 4 {
		t.Errorf("%d tables reachable, %d marked page table, want 4 (no table leaked)", tables, m.tableFrames())
	}
}

func TestUserPropagates(t *testing.T) {
	m := newMachine(t)
	const v = 0x7f00_0000_0000
	if status := m.space.Map(m.frames, v, 0x1000, paging.Writable); status != paging.OK {
		t.Fatalf("Map = %v", status)
	}
	path, _, _ := m.handWalk(v)
	for level, e := range path[:3] {
		if e&bitUser != 0 {
			t.Errorf("level-%d entry %#x has User before any User leaf", 3-level, e)
		}
	}
	if status := m.space.Map(m.frames, v+0x1000, 0x2000, paging.User); status != paging.OK {
		t.Fatalf("Map user = %v", status)
	}
	path, _, _ = m.handWalk(v + 0x1000)
	for level, e := range path[:3] {
		if e&bitUser == 0 {
			t.Errorf("level-%d entry %#x lacks User above a User leaf", 3-level, e)
		}
	}
	if path[3]&bitUser == 0 {
		t.Errorf("User leaf %#x lacks User", path[3])
	}
	path, _, _ = m.handWalk(v)
	if path[3]&bitUser != 0 {
		t.Errorf("supervisor leaf %#x gained User", path[3])
	}
	// MapHuge with User marks its PML4 and PDPT entries User too.
	if status := m.space.MapHuge(m.frames, upper+0x4000_0000, 0x20_0000, paging.User); status != paging.OK {
		t.Fatalf("MapHuge user = %v", status)
	}
	path, _, _ = m.handWalk(upper + 0x4000_0000)
	for level, e := range path {
		if e&bitUser == 0 {
			t.Errorf("level-%d entry %#x on the huge user walk lacks User", 3-level, e)
		}
	}
}

func TestMissingSubtree(t *testing.T) {
	m := newMachine(t)
	const gib, mib2, gib512 = 1 << 30, 2 << 20, 512 << 30
	// Empty: everything is a missing 512 GiB subtree.
	for _, c := range []struct{ virtual, end uintptr }{
		{0, gib512},
		{0x1234_5678, gib512},
		{gib512 - 1, gib512},
		{gib512, 2 * gib512},
		{upper + 0x1000, upper + gib512},
	} {
		if end, missing := m.space.MissingSubtree(c.virtual); !missing || end != c.end {
			t.Errorf("empty: MissingSubtree(%#x) = %#x, %v; want %#x, true", c.virtual, end, missing, c.end)
		}
	}
	const v = upper + 3*gib + 5*mib2 + 0x7000
	if status := m.space.Map(m.frames, v, 0x1000, 0); status != paging.OK {
		t.Fatalf("Map = %v", status)
	}
	if status := m.space.MapHuge(m.frames, upper+3*gib+9*mib2, 0x20_0000, 0); status != paging.OK {
		t.Fatalf("MapHuge = %v", status)
	}
	for _, c := range []struct {
		what         string
		virtual, end uintptr
		wantMissing  bool
	}{
		{"the mapped page", v, v, false},
		{"another page of its page table", v - 0x7000 + 0x1f_f000, v - 0x7000 + 0x1f_f000, false},
		{"next 2 MiB", upper + 3*gib + 6*mib2 + 0x3000, upper + 3*gib + 7*mib2, true},
		{"previous 2 MiB", upper + 3*gib + 4*mib2, upper + 3*gib + 5*mib2, true},
		{"the huge page", upper + 3*gib + 9*mib2 + 0x1000, upper + 3*gib + 10*mib2, true},
		{"next 1 GiB", upper + 4*gib + 0x5000, upper + 5*gib, true},
		{"previous 1 GiB", upper + 2*gib + 0x5000, upper + 3*gib, true},
		{"next 512 GiB", upper + gib512 + 0x1000, upper + 2*gib512, true},
		{"lower half", 0x1000, gib512, true},
	} {
		end, missing := m.space.MissingSubtree(c.virtual)
		if missing != c.wantMissing || end != c.end {
			t.Errorf("%s: MissingSubtree(%#x) = %#x, %v; want %#x, %v", c.what, c.virtual, end, missing, c.end, c.wantMissing)
		}
	}
}

// TestRandomAgainstHandWalk maps and unmaps at random and compares the
// package's view with the tables read directly from RAM.
func TestRandomAgainstHandWalk(t *testing.T) {
	m := newMachine(t)
	rng := rand.New(rand.NewPCG(1, 2))
	// A few regions so that tables are shared and not.
	regions := []uintptr{0, 0x7f80_0000_0000, upper, upper + 0x4000_0000_0000, 0xffff_ff80_0000_0000}
	want := map[uintptr]leaf{}
	flagChoices := []paging.Flags{0, paging.Writable, paging.User, paging.NoExecute | paging.Writable, paging.Global | paging.NoExecute, paging.User | paging.Writable | paging.NoExecute}
	hugeRegions := map[uintptr]bool{} // 2 MiB regions holding a huge page or a page table
	for i := 0; i < 600; i++ {
		region := regions[rng.IntN(len(regions))]
		flags := flagChoices[rng.IntN(len(flagChoices))]
		physical := uint64(rng.Uint64N(1<<40)) &^ 0xfff
		if rng.IntN(10) == 0 {
			v := region + uintptr(rng.IntN(8))<<30 + uintptr(rng.IntN(16))<<21
			physical &^= 2<<20 - 1
			status := m.space.MapHuge(m.frames, v, physical, flags)
			wantStatus := paging.OK
			if hugeRegions[v] {
				wantStatus = paging.AlreadyMapped
			}
			if status != wantStatus {
				t.Fatalf("MapHuge(%#x) = %v, want %v", v, status, wantStatus)
			}
			if status == paging.OK {
				hugeRegions[v] = true
				want[v] = leaf{physical, uint64(flags | paging.Present | paging.Huge), true}
			}
			continue
		}
		v := region + uintptr(rng.IntN(8))<<30 + uintptr(rng.IntN(16))<<21 + uintptr(rng.IntN(64))<<12
		status := m.space.Map(m.frames, v, physical, flags)
		hugeRegion := v &^ (2<<20 - 1)
		_, mapped := want[v]
		wantStatus := paging.OK
		if l, ok := want[hugeRegion]; ok && l.Huge {
			wantStatus = paging.HugePageInTheWay
		} else if mapped {
			wantStatus = paging.AlreadyMapped
		}
		if status != wantStatus {
			t.Fatalf("Map(%#x) = %v, want %v", v, status, wantStatus)
		}
		if status == paging.OK {
			hugeRegions[hugeRegion] = true
			want[v] = leaf{physical, uint64(flags | paging.Present), false}
		}
	}
	compare := func(when string) {
		t.Helper()
		leaves, tables := m.enumerate()
		if diff := cmp.Diff(want, leaves); diff != "" {
			t.Fatalf("%s: leaves in RAM (-model +RAM):\n%s", when, diff)
		}
		if uint64(tables) != m.tableFrames() {
			t.Fatalf("%s: %d tables reachable, %d frames marked page table", when, tables, m.tableFrames())
		}
		for v, l := range want {
			offset := uintptr(rng.IntN(4096))
			physical, flags, status := m.space.Lookup(v + offset)
			_, handPhysical, found := m.handWalk(v + offset)
			if status != paging.OK || !found || physical != handPhysical || physical != l.Physical+uint64(offset) || uint64(flags) != l.Flags {
				t.Fatalf("%s: Lookup(%#x) = %#x, %#x, %v; hand walk %#x, %v; model %#x, %#x", when, v+offset, physical, flags, status, handPhysical, found, l.Physical+uint64(offset), l.Flags)
			}
		}
	}
	compare("after mapping")
	for v, l := range want {
		if l.Huge || rng.IntN(2) == 0 {
			continue
		}
		physical, status := m.space.Unmap(m.frames, v)
		if status != paging.OK || physical != l.Physical {
			t.Fatalf("Unmap(%#x) = %#x, %v; want %#x, ok", v, physical, status, l.Physical)
		}
		delete(want, v)
	}
	compare("after unmapping")
}

// In a 2 MiB entry bit 12 is PAT, not part of the address: Lookup must mask
// the address to 2 MiB.
func TestHugeLookupIgnoresPATBit(t *testing.T) {
	m := newMachine(t)
	const v = upper + 0x4000_0000
	if status := m.space.MapHuge(m.frames, v, 0x60_0000, paging.Writable); status != paging.OK {
		t.Fatalf("MapHuge = %v", status)
	}
	path, _, _ := m.handWalk(v)
	pd := path[1] & addressBits // the PDPT entry points at the PD
	i := uint64(v) >> 21 & 0x1ff
	binary.LittleEndian.PutUint64(m.ram[pd+i*8:], path[2]|1<<12)
	if physical, _, status := m.space.Lookup(v + 0x12345); status != paging.OK || physical != 0x61_2345 {
		t.Errorf("Lookup with the PAT bit set = %#x, %v; want 0x612345", physical, status)
	}
}
