package segment_test

import (
	"encoding/binary"
	"syscall"
	"testing"
	"unsafe"

	"exogo/kernel/paging"
	"exogo/kernel/physmem"
	"exogo/kernel/segment"
)

// The architectural bits of an entry, written out independently of the
// packages under test.
const (
	bitPresent  = 1 << 0
	bitWritable = 1 << 1
	bitUser     = 1 << 2
	bitHuge     = 1 << 7
	bitNX       = 1 << 63
	addressBits = (1<<52 - 1) &^ (1<<12 - 1)
)

const (
	ramSize = 32 << 20
	tableAt = 0x1000
	mib     = 1 << 20
	gib     = 1 << 30
	// Process IDs used by the tests.
	procA = 1
	procB = 2
	procC = 3
)

// machine is simulated physical memory with a frame table, a segment table
// and one address space per process.
type machine struct {
	ram    []byte
	base   uintptr
	frames *physmem.Table
	mem    segment.Memory
	seg    *segment.Table
	spaces map[uint16]paging.Space
}

func newMachine(t testing.TB) *machine {
	t.Helper()
	return newMachineWith(t, ramSize)
}

// newMachineWith is newMachine with ramSize bytes of RAM.
func newMachineWith(t testing.TB, ramSize int) *machine {
	t.Helper()
	// Memory from mmap, not the Go heap (see rawmem's precondition).
	ram, err := syscall.Mmap(-1, 0, ramSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap simulated RAM: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Munmap(ram) })
	for i := range ram {
		ram[i] = 0xdb // dirty, so that tables must be zeroed to work
	}
	m := &machine{ram: ram, base: uintptr(unsafe.Pointer(&ram[0])), frames: new(physmem.Table), seg: new(segment.Table), spaces: map[uint16]paging.Space{}}
	n := uint64(ramSize / physmem.FrameSize)
	m.frames.Init(m.base+tableAt, n, m.base)
	for owner := 1; owner <= 0xffff; owner++ {
		m.frames.SetLimit(uint16(owner), 1<<31) // no limit but the RAM (the limit tests set their own)
	}
	m.frames.SetRange(0x10000, uint64(ramSize), physmem.UseFree)
	m.frames.SetRange(tableAt, tableAt+physmem.TableBytes(n), physmem.UseKernel)
	m.mem = segment.Memory{Frames: m.frames, DirectMap: m.base}
	for _, p := range []uint16{procA, procB, procC} {
		s, ok := paging.NewSpace(m.frames, m.base)
		if !ok {
			t.Fatal("NewSpace failed")
		}
		m.spaces[p] = s
	}
	return m
}

func (m *machine) root(p uint16) uint64 { return m.spaces[p].Root }

// roots lists the PML4 of every simulated process.
func (m *machine) roots() []uint64 {
	var roots []uint64
	for _, s := range m.spaces {
		roots = append(roots, s.Root)
	}
	return roots
}

// withdraw is Withdraw over every simulated address space, for tests that
// only look at the status.
func (m *machine) withdraw(caller uint16, id segment.ID, grantee uint16) segment.Status {
	_, s := m.seg.Withdraw(m.mem, caller, id, grantee)
	return s
}

func (m *machine) pte(table uint64, i uintptr) uint64 {
	return binary.LittleEndian.Uint64(m.ram[table+uint64(i)*8:])
}

// access is the effect of a whole walk: what the CPU would allow.
type access struct {
	physical               uint64
	writable, user, noExec bool
}

// effective walks the tables of space p for virtual as the CPU does, and
// combines the permissions of every entry: Writable and User are ANDed,
// NoExecute is ORed. ok is false when the walk ends at a non-present entry.
func (m *machine) effective(p uint16, virtual uintptr) (a access, ok bool) {
	table := m.root(p)
	a.writable, a.user = true, true
	for level := 3; level >= 0; level-- {
		e := m.pte(table, (virtual>>(12+9*uint(level)))&511)
		if e&bitPresent == 0 {
			return access{}, false
		}
		a.writable = a.writable && e&bitWritable != 0
		a.user = a.user && e&bitUser != 0
		a.noExec = a.noExec || e&bitNX != 0
		if level == 0 {
			a.physical = e&addressBits | uint64(virtual)&0xfff
			return a, true
		}
		if level == 1 && e&bitHuge != 0 {
			a.physical = e&addressBits&^(2*mib-1) | uint64(virtual)&(2*mib-1)
			return a, true
		}
		table = e & addressBits
	}
	return access{}, false
}

// store writes data at virtual in space p (through paging.Space.Lookup),
// load reads it back.
func (m *machine) store(t *testing.T, p uint16, virtual uintptr, data string) {
	t.Helper()
	phys, _, status := m.spaces[p].Lookup(virtual)
	if status != paging.OK {
		t.Fatalf("store: Lookup(%#x) in %d: %v", virtual, p, status)
	}
	copy(m.ram[phys:], data)
}

func (m *machine) load(t *testing.T, p uint16, virtual uintptr, n int) string {
	t.Helper()
	phys, _, status := m.spaces[p].Lookup(virtual)
	if status != paging.OK {
		t.Fatalf("load: Lookup(%#x) in %d: %v", virtual, p, status)
	}
	return string(m.ram[phys : phys+uint64(n)])
}

func (m *machine) frameFor(t testing.TB, p uint16) uint64 {
	t.Helper()
	f, ok := m.frames.AllocateFor(p, physmem.UseProcess, true)
	if !ok {
		t.Fatal("AllocateFor failed")
	}
	return f
}

func (m *machine) create(t testing.TB, owner uint16, level segment.Level) segment.ID {
	t.Helper()
	id, status := m.seg.Create(m.mem, owner, level)
	if status != segment.OK {
		t.Fatalf("Create(%d, %d) = %v", owner, level, status)
	}
	return id
}

func expect(t *testing.T, what string, got, want segment.Status) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestSharedSegmentReadWriteAndReadOnly(t *testing.T) {
	m := newMachine(t)
	id := m.create(t, procA, segment.Level1)
	frame := m.frameFor(t, procA)
	expect(t, "MapFrame", m.seg.MapFrame(m.mem, procA, id, 3, frame, segment.Write), segment.OK)
	expect(t, "Grant", m.seg.Grant(procA, id, procB, segment.Read), segment.OK)

	const atA, atB = uintptr(1 * gib), uintptr(6 * mib)
	expect(t, "Link A", m.seg.Link(m.mem, procA, m.root(procA), atA, id, segment.Read|segment.Write), segment.OK)
	expect(t, "Link B", m.seg.Link(m.mem, procB, m.root(procB), atB, id, segment.Read), segment.OK)

	m.store(t, procA, atA+3*4096+0x10, "hello, segment")
	if got := m.load(t, procB, atB+3*4096+0x10, 14); got != "hello, segment" {
		t.Errorf("B reads %q", got)
	}
	a, okA := m.effective(procA, atA+3*4096+0x10)
	b, okB := m.effective(procB, atB+3*4096+0x10)
	if !okA || !okB || a.physical != b.physical || a.physical != frame+0x10 {
		t.Fatalf("walks: %+v %v, %+v %v; frame %#x", a, okA, b, okB, frame)
	}
	if !a.writable || !a.user || !a.noExec {
		t.Errorf("A's access %+v, want user, writable, no-execute", a)
	}
	if b.writable || !b.user || !b.noExec {
		t.Errorf("B's access %+v, want user, read-only, no-execute", b)
	}
	// The leaf says writable: the read-only bit is only in B's link.
	_, leaf, _ := m.spaces[procB].Lookup(atB + 3*4096)
	if leaf&paging.Writable == 0 {
		t.Error("the leaf entry should be writable; only the link is read-only")
	}
	info, status := m.seg.Info(id)
	if status != segment.OK || info.Links != 2 || info.Owner != procA || info.Level != segment.Level1 || info.GrantCount != 1 {
		t.Errorf("Info = %+v, %v", info, status)
	}
	if m.frames.References(frame) != 1 {
		t.Errorf("frame references = %d, want 1 (one PTE, however often linked)", m.frames.References(frame))
	}
	// Unmapped slots stay unmapped in both views.
	if _, ok := m.effective(procB, atB+4*4096); ok {
		t.Error("slot 4 is mapped")
	}
}

func TestPagePermissionsOverrideLink(t *testing.T) {
	m := newMachine(t)
	id := m.create(t, procA, segment.Level1)
	ro, rw, rx := m.frameFor(t, procA), m.frameFor(t, procA), m.frameFor(t, procA)
	expect(t, "map ro", m.seg.MapFrame(m.mem, procA, id, 0, ro, segment.Read), segment.OK)
	expect(t, "map rw", m.seg.MapFrame(m.mem, procA, id, 1, rw, segment.Read|segment.Write), segment.OK)
	expect(t, "map rx", m.seg.MapFrame(m.mem, procA, id, 2, rx, segment.Execute), segment.OK)
	expect(t, "link rwx", m.seg.Link(m.mem, procA, m.root(procA), 4*mib, id, segment.Write|segment.Execute), segment.OK)
	expect(t, "link r", m.seg.Link(m.mem, procA, m.root(procA), 8*mib, id, segment.Read), segment.OK)

	cases := []struct {
		at               uintptr
		writable, noExec bool
		description      string
	}{
		{4*mib + 0*4096, false, true, "read-only page under a read-write link"},
		{4*mib + 1*4096, true, true, "read-write page under a read-write link"},
		{4*mib + 2*4096, false, false, "executable page under an executable link"},
		{8*mib + 1*4096, false, true, "read-write page under a read-only link"},
		{8*mib + 2*4096, false, true, "executable page under a no-execute link"},
	}
	for _, c := range cases {
		a, ok := m.effective(procA, c.at)
		if !ok || a.writable != c.writable || a.noExec != c.noExec || !a.user {
			t.Errorf("%s: %+v, %v", c.description, a, ok)
		}
	}
}

func TestLinkNeedsOwnershipOrGrant(t *testing.T) {
	m := newMachine(t)
	id := m.create(t, procA, segment.Level1)
	root := m.root(procB)
	expect(t, "link without grant", m.seg.Link(m.mem, procB, root, 4*mib, id, segment.Read), segment.NoAccess)
	expect(t, "grant by non-owner", m.seg.Grant(procB, id, procB, segment.Write), segment.NotOwner)
	expect(t, "grant read", m.seg.Grant(procA, id, procB, segment.Read), segment.OK)
	expect(t, "link writable with a read grant", m.seg.Link(m.mem, procB, root, 4*mib, id, segment.Write), segment.RightsExceeded)
	expect(t, "link executable with a read grant", m.seg.Link(m.mem, procB, root, 4*mib, id, segment.Execute), segment.RightsExceeded)
	expect(t, "link read", m.seg.Link(m.mem, procB, root, 4*mib, id, 0), segment.OK)
	expect(t, "upgrade grant", m.seg.Grant(procA, id, procB, segment.Write), segment.OK)
	expect(t, "link writable", m.seg.Link(m.mem, procB, root, 6*mib, id, segment.Write), segment.OK)
	expect(t, "link executable with a write grant", m.seg.Link(m.mem, procB, root, 8*mib, id, segment.Execute), segment.RightsExceeded)
	info, _ := m.seg.Info(id)
	if info.GrantCount != 1 || info.Grants[0] != (segment.Grant{Process: procB, Rights: segment.Read | segment.Write}) {
		t.Errorf("granting again should update: %+v", info)
	}
	expect(t, "third party", m.seg.Link(m.mem, procC, m.root(procC), 4*mib, id, segment.Read), segment.NoAccess)
	if removed, s := m.seg.Withdraw(m.mem, procA, id, procB); s != segment.OK || removed != 2 {
		t.Errorf("withdraw = %d, %v; want B's 2 links removed", removed, s)
	}
	expect(t, "withdraw twice", m.withdraw(procA, id, procB), segment.NotGranted)
	expect(t, "link after withdraw", m.seg.Link(m.mem, procB, root, 8*mib, id, segment.Read), segment.NoAccess)
	// The links made on the grant went with it.
	if info, _ := m.seg.Info(id); info.Links != 0 || info.GrantCount != 0 {
		t.Errorf("after withdraw: %+v", info)
	}
	if _, s := m.seg.Unlink(m.mem, root, 4*mib, segment.Level1); s != segment.SlotEmpty {
		t.Errorf("Unlink after withdraw = %v, want SlotEmpty", s)
	}

	// Grant limits and checks.
	expect(t, "grant to the owner", m.seg.Grant(procA, id, procA, segment.Read), segment.BadGrantee)
	expect(t, "grant bad rights", m.seg.Grant(procA, id, procB, 16), segment.BadRights)
	for p := uint16(10); p < 10+segment.MaxGrants; p++ {
		expect(t, "grant", m.seg.Grant(procA, id, p, segment.Read), segment.OK)
	}
	expect(t, "one grant too many", m.seg.Grant(procA, id, 99, segment.Read), segment.TooManyGrants)
	expect(t, "update at the limit", m.seg.Grant(procA, id, 12, segment.Write), segment.OK)
	expect(t, "withdraw one", m.withdraw(procA, id, 11), segment.OK)
	expect(t, "grant after withdraw", m.seg.Grant(procA, id, 99, segment.Read), segment.OK)
	expect(t, "grant to process 0", m.seg.Grant(procA, id, 0, segment.Read), segment.BadGrantee)
	info, _ = m.seg.Info(id)
	seen := map[uint16]segment.Rights{}
	for _, g := range info.Grants {
		if g.Process != 0 {
			seen[g.Process] = g.Rights
		}
	}
	if len(seen) != segment.MaxGrants || seen[12] != segment.Read|segment.Write || seen[99] != segment.Read {
		t.Errorf("grants: %v", seen)
	}
	if _, revoked := seen[11]; revoked {
		t.Error("revoked grant still listed")
	}
	// The owner links with any rights; bad rights bits are refused.
	expect(t, "owner rwx", m.seg.Link(m.mem, procA, m.root(procA), 4*mib, id, segment.Write|segment.Execute), segment.OK)
	expect(t, "bad rights", m.seg.Link(m.mem, procA, m.root(procA), 6*mib, id, 0x10), segment.BadRights)
}

func TestLinkAddresses(t *testing.T) {
	m := newMachine(t)
	l1 := m.create(t, procA, segment.Level1)
	l2 := m.create(t, procA, segment.Level2)
	l3 := m.create(t, procA, segment.Level3)
	root := m.root(procA)
	cases := []struct {
		id      segment.ID
		virtual uintptr
		want    segment.Status
	}{
		{l1, 4*mib + 4096, segment.Misaligned},
		{l1, 5 * mib, segment.Misaligned},
		{l1, 2 * mib, segment.NotUserAddress},
		{l1, 0, segment.NotUserAddress},
		{l1, 0xffff_8000_0000_0000, segment.NotUserAddress},
		{l1, 0xffff_ffff_ffe0_0000, segment.NotUserAddress},
		{l1, 0x0000_8000_0000_0000, segment.NotCanonical},
		{l1, 0x0001_0000_0000_0000, segment.NotCanonical},
		{l1, 0xf000_0000_0000_0000, segment.NotCanonical},
		{l1, 0x0000_7fff_ffe0_0000, segment.NotUserAddress}, // the last 2 MiB: holds the last page below the hole
		{l1, 0x0000_7fff_ffc0_0000, segment.OK},             // the 2 MiB below them
		{l2, 2 * gib, segment.OK},
		{l2, 3*gib + 2*mib, segment.Misaligned},
		{l2, 0, segment.NotUserAddress},
		{l3, 0, segment.NotUserAddress},
		{l3, 512 * gib, segment.OK},
		{l3, 1024*gib + gib, segment.Misaligned},
		{l3, 0x0000_7f80_0000_0000, segment.NotUserAddress}, // the last 512 GiB: holds the last page
		{l3, 0x0000_7f00_0000_0000, segment.OK},
	}
	for _, c := range cases {
		if got := m.seg.Link(m.mem, procA, root, c.virtual, c.id, segment.Read); got != c.want {
			t.Errorf("Link(%#x) = %v, want %v", c.virtual, got, c.want)
		}
	}
	// A custom UserStart.
	custom := newMachine(t)
	custom.seg.UserStart = 1 * gib
	id := custom.create(t, procA, segment.Level1)
	expect(t, "below custom UserStart", custom.seg.Link(custom.mem, procA, custom.root(procA), 4*mib, id, segment.Read), segment.NotUserAddress)
	expect(t, "at custom UserStart", custom.seg.Link(custom.mem, procA, custom.root(procA), 1*gib, id, segment.Read), segment.OK)
}

func TestLinkWalkRefusals(t *testing.T) {
	m := newMachine(t)
	root := m.root(procA)
	l1 := m.create(t, procA, segment.Level1)
	l1b := m.create(t, procA, segment.Level1)
	l2 := m.create(t, procA, segment.Level2)
	expect(t, "link", m.seg.Link(m.mem, procA, root, 4*mib, l1, segment.Read), segment.OK)
	expect(t, "same slot", m.seg.Link(m.mem, procA, root, 4*mib, l1b, segment.Read), segment.SlotInUse)
	expect(t, "same segment twice in one space", m.seg.Link(m.mem, procA, root, 6*mib, l1, segment.Read), segment.OK)
	// A Level2 link over the PD that holds the Level1 links: the slot is the
	// kernel-made PD's entry.
	expect(t, "over a kernel-made table", m.seg.Link(m.mem, procA, root, 0, l2, segment.Read), segment.NotUserAddress)
	expect(t, "l2", m.seg.Link(m.mem, procA, root, 4*gib, l2, segment.Read), segment.OK)
	// A Level1 link inside the linked Level2 would write into the segment.
	expect(t, "inside a segment", m.seg.Link(m.mem, procA, root, 4*gib+2*mib, l1b, segment.Read), segment.InTheWay)
	if _, s := m.seg.Unlink(m.mem, root, 4*gib+2*mib, segment.Level1); s != segment.InTheWay {
		t.Errorf("Unlink inside a segment = %v", s)
	}
	// A kernel mapping (no User bit on the tables) in the lower half.
	space := m.spaces[procA]
	if s := space.Map(m.frames, 8*gib, m.frameFor(t, 0), paging.Writable); s != paging.OK {
		t.Fatal(s)
	}
	expect(t, "through a kernel table", m.seg.Link(m.mem, procA, root, 8*gib+2*mib, l1b, segment.Read), segment.InTheWay)
	// A huge page in the slot.
	if s := space.MapHuge(m.frames, 16*gib, 0x200000, paging.User); s != paging.OK {
		t.Fatal(s)
	}
	expect(t, "huge page in the slot", m.seg.Link(m.mem, procA, root, 16*gib, l1b, segment.Read), segment.SlotInUse)
	// A user page table where a Level1 segment would go.
	if s := space.Map(m.frames, 32*gib, m.frameFor(t, procA), paging.User); s != paging.OK {
		t.Fatal(s)
	}
	expect(t, "page table in the slot", m.seg.Link(m.mem, procA, root, 32*gib, l1b, segment.Read), segment.SlotInUse)
	if _, s := m.seg.Unlink(m.mem, root, 32*gib, segment.Level1); s != segment.NotASegment {
		t.Errorf("Unlink of a plain page table = %v", s)
	}
	if _, s := m.seg.Unlink(m.mem, root, 16*gib, segment.Level1); s != segment.NotASegment {
		t.Errorf("Unlink of a huge page = %v", s)
	}
	// Bad roots.
	expect(t, "root is a data frame", m.seg.Link(m.mem, procA, m.frameFor(t, procA), 4*mib, l1b, segment.Read), segment.BadRoot)
	expect(t, "root misaligned", m.seg.Link(m.mem, procA, root+8, 4*mib, l1b, segment.Read), segment.BadRoot)
	info, _ := m.seg.Info(l1)
	expect(t, "root is a segment table", m.seg.Link(m.mem, procA, info.Table, 4*mib, l1b, segment.Read), segment.BadRoot)
	expect(t, "root beyond RAM", m.seg.Link(m.mem, procA, 1<<40, 4*mib, l1b, segment.Read), segment.BadRoot)
	// Unlink: wrong level, empty.
	if _, s := m.seg.Unlink(m.mem, root, 4*gib, segment.Level3); s != segment.Misaligned {
		t.Errorf("Unlink misaligned = %v", s)
	}
	if _, s := m.seg.Unlink(m.mem, root, 0, segment.Level2); s != segment.NotUserAddress {
		t.Errorf("Unlink at 0 = %v", s)
	}
	if _, s := m.seg.Unlink(m.mem, root, 10*mib, segment.Level1); s != segment.SlotEmpty {
		t.Errorf("Unlink empty = %v", s)
	}
	if _, s := m.seg.Unlink(m.mem, root, 100*gib, segment.Level1); s != segment.SlotEmpty {
		t.Errorf("Unlink with no tables = %v", s)
	}
	if _, s := m.seg.Unlink(m.mem, root, 4*mib, 4); s != segment.BadLevel {
		t.Errorf("Unlink bad level = %v", s)
	}
	if got, s := m.seg.Unlink(m.mem, root, 4*gib, segment.Level2); s != segment.OK || got != l2 {
		t.Errorf("Unlink l2 = %v, %v", got, s)
	}
	if got, s := m.seg.Unlink(m.mem, root, 4*mib, segment.Level1); s != segment.OK || got != l1 {
		t.Errorf("Unlink l1 = %v, %v", got, s)
	}
	if _, s := m.seg.Unlink(m.mem, root, 4*mib, segment.Level1); s != segment.SlotEmpty {
		t.Errorf("Unlink twice = %v", s)
	}
	if info, _ := m.seg.Info(l1); info.Links != 1 {
		t.Errorf("l1 links = %d, want 1", info.Links)
	}
}

func TestMapFrameChecks(t *testing.T) {
	m := newMachine(t)
	id := m.create(t, procA, segment.Level1)
	l2 := m.create(t, procA, segment.Level2)
	mine, theirs := m.frameFor(t, procA), m.frameFor(t, procB)
	kernel, _ := m.frames.Allocate(physmem.UseKernelHeap, false)
	ownTable, _ := m.seg.Info(id)
	cases := []struct {
		caller   uint16
		id       segment.ID
		index    uint
		physical uint64
		rights   segment.Rights
		want     segment.Status
	}{
		{procB, id, 0, theirs, segment.Read, segment.NotOwner},
		{procA, id, 0, theirs, segment.Read, segment.FrameNotOwned},
		{procA, id, 0, kernel, segment.Read, segment.FrameNotOwned},
		{procA, id, 0, ownTable.Table, segment.Write, segment.FrameNotMappable},
		{procA, id, 0, mine + 8, segment.Read, segment.Misaligned},
		{procA, id, 0, 0x20000000000, segment.Read, segment.FrameNotMappable},
		{procA, id, 0, 1 << 60, segment.Read, segment.FrameNotMappable},
		{procA, id, 0, 0x2000, segment.Read, segment.FrameNotOwned}, // the frame table (kernel)
		{procA, id, 512, mine, segment.Read, segment.BadIndex},
		{procA, id, 0, mine, 0x80, segment.BadRights},
		{procA, l2, 0, mine, segment.Read, segment.BadLevel},
		{procA, 0, 0, mine, segment.Read, segment.BadID},
		{procA, id, 7, mine, segment.Read, segment.OK},
		{procA, id, 7, mine, segment.Read, segment.SlotInUse},
		{procA, id, 8, mine, segment.Read, segment.OK}, // the same frame twice is allowed
	}
	for i, c := range cases {
		if got := m.seg.MapFrame(m.mem, c.caller, c.id, c.index, c.physical, c.rights); got != c.want {
			t.Errorf("case %d: MapFrame = %v, want %v", i, got, c.want)
		}
	}
	if r := m.frames.References(mine); r != 2 {
		t.Errorf("references = %d, want 2", r)
	}
	if s := m.frames.FreeOwned(mine, procA); s != physmem.StillReferenced {
		t.Errorf("FreeOwned of a mapped frame = %v", s)
	}
	if _, s := m.seg.Unmap(m.mem, procB, id, 7); s != segment.NotOwner {
		t.Errorf("Unmap by non-owner = %v", s)
	}
	if _, s := m.seg.Unmap(m.mem, procA, id, 512); s != segment.BadIndex {
		t.Errorf("Unmap bad index = %v", s)
	}
	u, s := m.seg.Unmap(m.mem, procA, id, 7)
	if s != segment.OK || u.Frame != mine || u.Offset != 7*4096 || u.Size != 4096 || u.Child != 0 {
		t.Errorf("Unmap = %+v, %v", u, s)
	}
	if _, s := m.seg.Unmap(m.mem, procA, id, 7); s != segment.SlotEmpty {
		t.Errorf("Unmap twice = %v", s)
	}
	m.seg.Unmap(m.mem, procA, id, 8)
	if r := m.frames.References(mine); r != 0 {
		t.Errorf("references after unmap = %d", r)
	}
	if s := m.frames.FreeOwned(mine, procA); s != physmem.Done {
		t.Errorf("FreeOwned after unmap = %v", s)
	}
}

func TestHierarchy(t *testing.T) {
	m := newMachine(t)
	// A: Level3 > Level2 > Level1 > frame, linked at 512 GiB.
	l1 := m.create(t, procA, segment.Level1)
	l2 := m.create(t, procA, segment.Level2)
	l3 := m.create(t, procA, segment.Level3)
	frame := m.frameFor(t, procA)
	expect(t, "map frame", m.seg.MapFrame(m.mem, procA, l1, 9, frame, segment.Write), segment.OK)
	expect(t, "level mismatch", m.seg.MapSegment(m.mem, procA, l3, 0, l1, segment.Write), segment.LevelMismatch)
	expect(t, "level mismatch up", m.seg.MapSegment(m.mem, procA, l1, 0, l2, segment.Write), segment.LevelMismatch)
	expect(t, "self", m.seg.MapSegment(m.mem, procA, l2, 0, l2, segment.Write), segment.LevelMismatch)
	expect(t, "l1 in l2", m.seg.MapSegment(m.mem, procA, l2, 5, l1, segment.Write), segment.OK)
	expect(t, "slot in use", m.seg.MapSegment(m.mem, procA, l2, 5, l1, segment.Write), segment.SlotInUse)
	expect(t, "l2 in l3", m.seg.MapSegment(m.mem, procA, l3, 2, l2, segment.Write), segment.OK)
	expect(t, "link l3", m.seg.Link(m.mem, procA, m.root(procA), 512*gib, l3, segment.Write), segment.OK)
	va := uintptr(512*gib + 2*gib + 5*2*mib + 9*4096 + 0x123)
	a, ok := m.effective(procA, va)
	if !ok || a.physical != frame+0x123 || !a.writable || !a.user || !a.noExec {
		t.Errorf("walk through three segments: %+v, %v", a, ok)
	}

	// B builds its own Level2 holding A's Level1 through a read grant.
	b2 := m.create(t, procB, segment.Level2)
	expect(t, "no grant", m.seg.MapSegment(m.mem, procB, b2, 0, l1, segment.Read), segment.NoAccess)
	expect(t, "not the parent's owner", m.seg.MapSegment(m.mem, procA, b2, 0, l1, segment.Read), segment.NotOwner)
	m.seg.Grant(procA, l1, procB, segment.Read)
	expect(t, "beyond grant", m.seg.MapSegment(m.mem, procB, b2, 0, l1, segment.Write), segment.RightsExceeded)
	expect(t, "within grant", m.seg.MapSegment(m.mem, procB, b2, 0, l1, segment.Read), segment.OK)
	expect(t, "link b2", m.seg.Link(m.mem, procB, m.root(procB), 1*gib, b2, segment.Write), segment.OK)
	m.store(t, procA, va, "shared")
	if got := m.load(t, procB, 1*gib+9*4096+0x123, 6); got != "shared" {
		t.Errorf("B reads %q", got)
	}
	if b, _ := m.effective(procB, 1*gib+9*4096); b.writable {
		t.Error("B's read-only child mapping is writable")
	}
	if info, _ := m.seg.Info(l1); info.Parents != 2 || info.Links != 0 {
		t.Errorf("l1: %+v", info)
	}
	expect(t, "destroy a mapped child", m.seg.Destroy(m.mem, procA, l1), segment.StillLinked)
	u, s := m.seg.Unmap(m.mem, procA, l2, 5)
	if s != segment.OK || u.Child != l1 || u.Offset != 5*2*mib || u.Size != 2*mib || u.Frame != 0 || u.Parents != 1 {
		t.Errorf("Unmap child = %+v, %v", u, s)
	}
	// Destroying B's parent (after unlinking it) releases the child.
	expect(t, "destroy linked", m.seg.Destroy(m.mem, procB, b2), segment.StillLinked)
	if _, s := m.seg.Unlink(m.mem, m.root(procB), 1*gib, segment.Level2); s != segment.OK {
		t.Fatal(s)
	}
	expect(t, "destroy b2", m.seg.Destroy(m.mem, procB, b2), segment.OK)
	if info, _ := m.seg.Info(l1); info.Parents != 0 {
		t.Errorf("l1 parents after its parent died: %d", info.Parents)
	}
	expect(t, "destroy l1", m.seg.Destroy(m.mem, procA, l1), segment.OK)
	if m.frames.References(frame) != 0 {
		t.Error("destroying l1 kept the frame's reference")
	}
}

func TestDestroyAndNoLeak(t *testing.T) {
	m := newMachine(t)
	root := m.root(procA)
	// Warm up: create the intermediate tables of the link point once.
	warm := m.create(t, procA, segment.Level1)
	m.seg.Link(m.mem, procA, root, 4*mib, warm, segment.Read)
	m.seg.Unlink(m.mem, root, 4*mib, segment.Level1)
	m.seg.Destroy(m.mem, procA, warm)
	free := m.frames.FreeFrames()
	segments := m.frames.Count(physmem.UseSegment)

	id := m.create(t, procA, segment.Level1)
	info, _ := m.seg.Info(id)
	if m.frames.UseOf(info.Table) != physmem.UseSegment || m.frames.References(info.Table) != 1 {
		t.Fatalf("table frame %#x: %v, %d references", info.Table, physmem.UseName(m.frames.UseOf(info.Table)), m.frames.References(info.Table))
	}
	if owner, _ := m.frames.Owner(info.Table); owner != procA {
		t.Errorf("table frame owner %d", owner)
	}
	var data []uint64
	for i := uint(0); i < 10; i++ {
		f := m.frameFor(t, procA)
		data = append(data, f)
		expect(t, "map", m.seg.MapFrame(m.mem, procA, id, i*50, f, segment.Write), segment.OK)
	}
	expect(t, "link", m.seg.Link(m.mem, procA, root, 4*mib, id, segment.Write), segment.OK)
	expect(t, "destroy linked", m.seg.Destroy(m.mem, procA, id), segment.StillLinked)
	expect(t, "destroy by non-owner", m.seg.Destroy(m.mem, procB, id), segment.NotOwner)
	// The owner cannot free a frame a segment still maps, nor the
	// segment's table (the kernel's to free, though charged to it).
	if s := m.frames.FreeOwned(data[0], procA); s != physmem.StillReferenced {
		t.Errorf("FreeOwned of a mapped frame = %v, want still referenced", s)
	}
	if s := m.frames.FreeOwned(info.Table, procA); s != physmem.WrongUse {
		t.Errorf("FreeOwned of the segment's table = %v, want wrong use", s)
	}
	if _, s := m.seg.Unlink(m.mem, root, 4*mib, segment.Level1); s != segment.OK {
		t.Fatal(s)
	}
	expect(t, "destroy", m.seg.Destroy(m.mem, procA, id), segment.OK)
	if m.frames.UseOf(info.Table) != physmem.UseFree {
		t.Error("table frame not freed")
	}
	for _, f := range data {
		if m.frames.References(f) != 0 {
			t.Errorf("frame %#x still referenced", f)
		}
	}
	if f, r := m.frames.FreeAllOwnedBy(procA); f != 10 || r != 0 {
		t.Errorf("FreeAllOwnedBy = %d, %d; want 10, 0", f, r)
	}
	if got := m.frames.FreeFrames(); got != free {
		t.Errorf("free frames %d, want %d: something leaked", got, free)
	}
	if got := m.frames.Count(physmem.UseSegment); got != segments {
		t.Errorf("segment frames %d, want %d", got, segments)
	}
	if m.seg.Live() != 0 {
		t.Errorf("Live = %d", m.seg.Live())
	}
	expect(t, "destroy twice", m.seg.Destroy(m.mem, procA, id), segment.BadID)
}

func TestStaleIDs(t *testing.T) {
	m := newMachine(t)
	old := m.create(t, procA, segment.Level1)
	expect(t, "destroy", m.seg.Destroy(m.mem, procA, old), segment.OK)
	// Recreate until the same index comes back.
	var fresh segment.ID
	for i := 0; i < segment.MaxSegments+1; i++ {
		id := m.create(t, procA, segment.Level1)
		if id&0xffff == old&0xffff {
			fresh = id
			break
		}
		m.seg.Destroy(m.mem, procA, id)
	}
	if fresh == 0 || fresh == old {
		t.Fatalf("index not reused with a new generation: old %#x fresh %#x", old, fresh)
	}
	frame := m.frameFor(t, procA)
	expect(t, "MapFrame stale", m.seg.MapFrame(m.mem, procA, old, 0, frame, segment.Read), segment.BadID)
	expect(t, "Link stale", m.seg.Link(m.mem, procA, m.root(procA), 4*mib, old, segment.Read), segment.BadID)
	expect(t, "Grant stale", m.seg.Grant(procA, old, procB, segment.Read), segment.BadID)
	expect(t, "Destroy stale", m.seg.Destroy(m.mem, procA, old), segment.BadID)
	if _, s := m.seg.Info(old); s != segment.BadID {
		t.Errorf("Info stale = %v", s)
	}
	if _, s := m.seg.Unmap(m.mem, procA, old, 0); s != segment.BadID {
		t.Errorf("Unmap stale = %v", s)
	}
	if _, s := m.seg.Info(fresh); s != segment.OK {
		t.Errorf("Info fresh = %v", s)
	}
	for _, bad := range []segment.ID{0, 0xffff, segment.MaxSegments, 0xffff_ffff, fresh + 1<<16} {
		if _, s := m.seg.Info(bad); s != segment.BadID {
			t.Errorf("Info(%#x) = %v", bad, s)
		}
	}
	if _, s := m.seg.Create(m.mem, procA, 0); s != segment.BadLevel {
		t.Errorf("Create level 0 = %v", s)
	}
	if _, s := m.seg.Create(m.mem, procA, 4); s != segment.BadLevel {
		t.Errorf("Create level 4 = %v", s)
	}
	if _, s := m.seg.Create(segment.Memory{}, procA, segment.Level1); s != segment.NoMemory {
		t.Errorf("Create without memory = %v", s)
	}
}

func TestTableFullAndNoMemory(t *testing.T) {
	m := newMachineWith(t, (segment.MaxSegments+4096)*physmem.FrameSize)
	free := m.frames.FreeFrames()
	type made struct {
		owner uint16
		id    segment.ID
	}
	var ids []made
	// Every process may own SegmentLimit segments, and no more; the
	// table holds that many for every process.
	for owner := uint16(1); len(ids) < segment.MaxSegments; owner++ {
		for n := 0; ; n++ {
			id, s := m.seg.Create(m.mem, owner, segment.Level1)
			if s == segment.OK {
				ids = append(ids, made{owner, id})
				continue
			}
			if s == segment.TableFull && len(ids) == segment.MaxSegments {
				break
			}
			if s != segment.OverLimit || n != segment.SegmentLimit {
				t.Fatalf("owner %d: Create = %v after %d", owner, s, n)
			}
			break
		}
		if owner == segment.MaxProcesses && len(ids) != segment.MaxProcesses*segment.SegmentLimit {
			t.Fatalf("%d processes made %d segments", owner, len(ids))
		}
	}
	if m.seg.Live() != segment.MaxSegments {
		t.Fatalf("live %d", m.seg.Live())
	}
	if _, s := m.seg.Create(m.mem, 0xfff0, segment.Level1); s != segment.TableFull {
		t.Errorf("Create with the table full = %v", s)
	}
	for _, x := range ids {
		expect(t, "destroy", m.seg.Destroy(m.mem, x.owner, x.id), segment.OK)
	}
	if m.frames.FreeFrames() != free {
		t.Error("frames leaked")
	}
	// Exhaust memory: Create and Link report NoMemory.
	for {
		if _, ok := m.frames.Allocate(physmem.UseKernelHeap, false); !ok {
			break
		}
	}
	if _, s := m.seg.Create(m.mem, procA, segment.Level1); s != segment.NoMemory {
		t.Errorf("Create with no memory = %v", s)
	}
}

func TestLinkNoMemoryForTables(t *testing.T) {
	m := newMachine(t)
	id := m.create(t, procA, segment.Level1)
	for {
		if _, ok := m.frames.Allocate(physmem.UseKernelHeap, false); !ok {
			break
		}
	}
	expect(t, "link with no memory", m.seg.Link(m.mem, procA, m.root(procA), 4*mib, id, segment.Read), segment.NoMemory)
	if info, _ := m.seg.Info(id); info.Links != 0 {
		t.Error("failed link counted")
	}
}

func TestStatusString(t *testing.T) {
	if segment.OK.String() != "ok" || segment.NotGranted.String() != "not granted" || segment.Status(250).String() != "unknown status" {
		t.Error("Status.String")
	}
	if segment.Level1.Span() != 2*mib || segment.Level2.Span() != gib || segment.Level3.Span() != 512*gib || segment.Level(0).Span() != 0 || segment.Level(4).Span() != 0 {
		t.Error("Span")
	}
}

func TestOperationsDoNotAllocate(t *testing.T) {
	m := newMachine(t)
	root := m.root(procA)
	frame := m.frameFor(t, procA)
	allocs := testing.AllocsPerRun(50, func() {
		id, _ := m.seg.Create(m.mem, procA, segment.Level1)
		parent, _ := m.seg.Create(m.mem, procA, segment.Level2)
		m.seg.MapFrame(m.mem, procA, id, 1, frame, segment.Write)
		m.seg.Grant(procA, id, procB, segment.Read)
		m.seg.MapSegment(m.mem, procA, parent, 3, id, segment.Read)
		m.seg.Link(m.mem, procA, root, 4*mib, id, segment.Write)
		m.seg.Link(m.mem, procA, root, 2*gib, parent, segment.Write)
		m.seg.Info(id)
		m.seg.Unlink(m.mem, root, 4*mib, segment.Level1)
		m.seg.Unlink(m.mem, root, 2*gib, segment.Level2)
		m.seg.Unmap(m.mem, procA, parent, 3)
		m.seg.Withdraw(m.mem, procA, id, procB)
		m.seg.Grant(procA, id, procB, segment.Read)
		m.seg.Withdraw(m.mem, procA, id, 0)
		m.seg.Unmap(m.mem, procA, id, 1)
		m.seg.Destroy(m.mem, procA, parent)
		m.seg.Destroy(m.mem, procA, id)
	})
	if allocs != 0 {
		t.Errorf("segment operations allocate: %v per run", allocs)
	}
	if m.seg.Live() != 0 {
		t.Errorf("the sequence leaked %d segments", m.seg.Live())
	}
}

// TestConcurrentProcesses runs three processes' worth of segment operations
// on one table at once (run with -race): the spin lock must keep the table,
// the reverse map and the frame references consistent.
func TestConcurrentProcesses(t *testing.T) {
	m := newMachine(t)
	free := m.frames.FreeFrames()
	// Warm up the link tables so that the frame count can be compared.
	for _, p := range []uint16{procA, procB, procC} {
		id := m.create(t, p, segment.Level1)
		m.seg.Link(m.mem, p, m.root(p), 4*mib, id, segment.Read)
		m.seg.Unlink(m.mem, m.root(p), 4*mib, segment.Level1)
		m.seg.Destroy(m.mem, p, id)
	}
	tables := free - m.frames.FreeFrames()
	done := make(chan string)
	for _, p := range []uint16{procA, procB, procC} {
		go func(p uint16) {
			for i := 0; i < 300; i++ {
				id, s := m.seg.Create(m.mem, p, segment.Level1)
				if s != segment.OK {
					done <- "Create: " + s.String()
					return
				}
				f, ok := m.frames.AllocateFor(p, physmem.UseProcess, false)
				if !ok {
					done <- "AllocateFor failed"
					return
				}
				steps := []segment.Status{
					m.seg.MapFrame(m.mem, p, id, uint(i%512), f, segment.Write),
					m.seg.Link(m.mem, p, m.root(p), 4*mib, id, segment.Write),
				}
				_, s1 := m.seg.Unlink(m.mem, m.root(p), 4*mib, segment.Level1)
				_, s2 := m.seg.Unmap(m.mem, p, id, uint(i%512))
				steps = append(steps, s1, s2, m.seg.Destroy(m.mem, p, id))
				for _, s := range steps {
					if s != segment.OK {
						done <- "step: " + s.String()
						return
					}
				}
				if m.frames.FreeOwned(f, p) != physmem.Done {
					done <- "FreeOwned failed"
					return
				}
			}
			done <- ""
		}(p)
	}
	for range 3 {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
	if m.seg.Live() != 0 || free-m.frames.FreeFrames() != tables {
		t.Errorf("after concurrent use: %d live, %d frames missing, want %d", m.seg.Live(), free-m.frames.FreeFrames(), tables)
	}
}

// TestGrantOn checks the right to grant on: a grantee holding GrantOn
// passes on at most what it holds, only ever adds to another grantee's
// rights, and the owner alone revokes.
func TestGrantOn(t *testing.T) {
	m := newMachine(t)
	id := m.create(t, procA, segment.Level1)
	const procD = 4
	expect(t, "B without a grant grants", m.seg.Grant(procB, id, procC, segment.Read), segment.NotOwner)
	expect(t, "A grants B read+write", m.seg.Grant(procA, id, procB, segment.Write), segment.OK)
	expect(t, "B without GrantOn grants", m.seg.Grant(procB, id, procC, segment.Read), segment.NotOwner)
	expect(t, "A grants B read+write+grant on", m.seg.Grant(procA, id, procB, segment.Write|segment.GrantOn), segment.OK)
	expect(t, "B grants C execute (more than it holds)", m.seg.Grant(procB, id, procC, segment.Execute), segment.RightsExceeded)
	expect(t, "B grants C an unknown right", m.seg.Grant(procB, id, procC, 16), segment.BadRights)
	expect(t, "B grants the owner", m.seg.Grant(procB, id, procA, segment.Read), segment.BadGrantee)
	expect(t, "B grants itself", m.seg.Grant(procB, id, procB, segment.Read), segment.BadGrantee)
	expect(t, "B grants C read", m.seg.Grant(procB, id, procC, segment.Read), segment.OK)
	expect(t, "C (no GrantOn) grants D", m.seg.Grant(procC, id, procD, segment.Read), segment.NotOwner)
	expect(t, "C links read-only", m.seg.Link(m.mem, procC, m.root(procC), 4*mib, id, segment.Read), segment.OK)
	expect(t, "C links writable elsewhere", m.seg.Link(m.mem, procC, m.root(procC), 6*mib, id, segment.Write), segment.RightsExceeded)
	expect(t, "B grants C write", m.seg.Grant(procB, id, procC, segment.Write), segment.OK)
	expect(t, "C links writable now", m.seg.Link(m.mem, procC, m.root(procC), 6*mib, id, segment.Write), segment.OK)
	// B granting C less does not take C's write right away.
	expect(t, "B grants C read again", m.seg.Grant(procB, id, procC, segment.Read), segment.OK)
	expect(t, "C still links writable", m.seg.Link(m.mem, procC, m.root(procC), 8*mib, id, segment.Write), segment.OK)
	expect(t, "B passes GrantOn to C", m.seg.Grant(procB, id, procC, segment.GrantOn), segment.OK)
	expect(t, "C grants D", m.seg.Grant(procC, id, procD, segment.Write), segment.OK)
	// Only the owner revokes, and the owner's grant replaces.
	expect(t, "B withdraws C's grant", m.withdraw(procB, id, procC), segment.NotOwner)
	expect(t, "A lowers C to read", m.seg.Grant(procA, id, procC, segment.Read), segment.OK)
	expect(t, "C links writable after A lowered it", m.seg.Link(m.mem, procC, m.root(procC), 10*mib, id, segment.Write), segment.RightsExceeded)
	expect(t, "C grants after losing GrantOn", m.seg.Grant(procC, id, procD, segment.Read), segment.NotOwner)
	expect(t, "A withdraws B's grant", m.withdraw(procA, id, procB), segment.OK)
	expect(t, "B grants after the withdrawal", m.seg.Grant(procB, id, procC, segment.Read), segment.NotOwner)
	// (D has no simulated address space; it links into C's, which the
	// segment table does not check: the system call passes the caller's.)
	expect(t, "D keeps what C passed on", m.seg.Link(m.mem, procD, m.root(procC), 12*mib, id, segment.Write), segment.OK)
}
