package fs_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"syscall"
	"testing"
	"unsafe"

	"exogo/kernel/fs"
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
	"exogo/kernel/segment"
)

// machine is simulated physical memory with a frame table, a segment table
// and a file system.
type machine struct {
	ram    []byte
	base   uintptr
	frames *physmem.Table
	mem    segment.Memory
	seg    *segment.Table
	fs     *fs.FS
	now    int64
}

const tableAt = 0x1000

var (
	root  = fs.Cred{}
	alice = fs.Cred{UID: 1000, GID: 1000}
	bob   = fs.Cred{UID: 1001, GID: 1001}
)

func newMachine(t testing.TB, ramSize int) *machine {
	t.Helper()
	ram, err := syscall.Mmap(-1, 0, ramSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap simulated RAM: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Munmap(ram) })
	m := &machine{ram: ram, base: uintptr(unsafe.Pointer(&ram[0])), frames: new(physmem.Table), seg: new(segment.Table), fs: new(fs.FS), now: 1e18}
	n := uint64(ramSize / physmem.FrameSize)
	m.frames.Init(m.base+tableAt, n, m.base)
	m.frames.SetLimit(segment.FilesOwner, 1<<31)
	m.frames.SetRange(0x10000+physmem.TableBytes(n), uint64(ramSize), physmem.UseFree)
	m.frames.SetRange(tableAt, tableAt+physmem.TableBytes(n), physmem.UseKernel)
	m.mem = segment.Memory{Frames: m.frames, DirectMap: m.base}
	m.fs.Segments = m.seg
	if s := m.fs.Init(m.mem, m.now); s != fs.OK {
		t.Fatalf("Init: %v", s)
	}
	return m
}

// check runs the file system's checker and the frame census.
func (m *machine) check(t testing.TB) {
	t.Helper()
	if problem, node := m.fs.Check(m.mem); problem != "" {
		t.Fatalf("Check: %s (node %#x)", problem, node)
	}
	if c := m.frames.TakeCensus(); !c.Balanced() {
		t.Fatalf("frame census not balanced: %+v", c)
	}
}

func (m *machine) tick() int64 { m.now += 1000; return m.now }

func (m *machine) mkdir(t testing.TB, c fs.Cred, dir uint32, name string, mode uint32) uint32 {
	t.Helper()
	id, s := m.fs.Make(m.mem, c, dir, []byte(name), fs.TypeDir|mode, 0, nil, m.tick())
	if s != fs.OK {
		t.Fatalf("mkdir %s: %v", name, s)
	}
	m.check(t)
	return id
}

func (m *machine) create(t testing.TB, c fs.Cred, dir uint32, name string, mode uint32) uint32 {
	t.Helper()
	id, _, s := m.fs.Open(m.mem, c, dir, []byte(name), fs.OpenWrite|fs.OpenCreate|fs.OpenExclusive, mode, m.tick())
	if s != fs.OK {
		t.Fatalf("create %s: %v", name, s)
	}
	m.check(t)
	return id
}

func (m *machine) write(t testing.TB, id uint32, offset uint64, data string) {
	t.Helper()
	if s := m.fs.WriteAt(m.mem, id, offset, []byte(data), m.tick()); s != fs.OK {
		t.Fatalf("WriteAt: %v", s)
	}
	m.check(t)
}

func (m *machine) read(t testing.TB, id uint32) string {
	t.Helper()
	buf := make([]byte, 1<<16)
	n, s := m.fs.ReadAt(m.mem, id, 0, buf)
	if s != fs.OK {
		t.Fatalf("ReadAt: %v", s)
	}
	return string(buf[:n])
}

// The reader below sees a node as a libOS does: through its segment's
// page tables and the on-segment layout, not through the package.

// segPage returns the bytes of page k of the segment of node id.
func (m *machine) segPage(t testing.TB, id uint32, k uint64) []byte {
	t.Helper()
	seg, ok := m.fs.Segment(id)
	if !ok {
		t.Fatalf("no segment for node %#x", id)
	}
	info, _ := m.seg.Info(seg)
	pde := binary.LittleEndian.Uint64(m.ram[info.Table+k/512*8:])
	if pde&1 == 0 {
		t.Fatalf("node %#x: page %d has no page table", id, k)
	}
	pte := binary.LittleEndian.Uint64(m.ram[pde&paging.AddressMask+k%512*8:])
	if pte&1 == 0 {
		t.Fatalf("node %#x: page %d has no frame", id, k)
	}
	frame := pte & paging.AddressMask
	return m.ram[frame : frame+fs.PageSize]
}

func (m *machine) metaWord(t testing.TB, id uint32, field int) uint64 {
	return binary.LittleEndian.Uint64(m.segPage(t, id, 0)[field:])
}

type dirent struct {
	name string
	node uint32
	typ  uint8
}

// list reads directory id's entries from its pages.
func (m *machine) list(t testing.TB, id uint32) []dirent {
	t.Helper()
	var out []dirent
	entries := m.metaWord(t, id, fs.MetaEntries)
	for s := uint64(0); s < entries; s++ {
		page := m.segPage(t, id, 1+s/fs.EntriesPerPage)
		e := page[s%fs.EntriesPerPage*fs.EntrySize:][:fs.EntrySize]
		if seq := binary.LittleEndian.Uint32(e[fs.EntrySequence:]); seq%2 != 0 {
			t.Fatalf("entry %d left half written", s)
		}
		node := binary.LittleEndian.Uint32(e[fs.EntryNode:])
		if node == 0 {
			continue
		}
		name := e[fs.EntryName:][:e[fs.EntryNameLength]]
		if e[fs.EntryName+len(name)] != 0 {
			t.Fatalf("entry %d: name not NUL-terminated", s)
		}
		out = append(out, dirent{string(name), node, e[fs.EntryType]})
	}
	return out
}

func names(ents []dirent) string {
	var b bytes.Buffer
	for _, e := range ents {
		fmt.Fprintf(&b, "%s ", e.name)
	}
	return b.String()
}

func TestLayoutSizes(t *testing.T) {
	if fs.EntriesPerPage*fs.EntrySize > fs.PageSize || fs.EntryName+fs.NameMax+1 > fs.EntrySize {
		t.Fatal("entries do not fit their pages")
	}
	if fs.MaxLength != 1<<30-4096 || fs.MetaSize > fs.PageSize {
		t.Fatal("bad limits")
	}
}

func TestFilesAndDirectoriesOnTheirSegments(t *testing.T) {
	m := newMachine(t, 64<<20)
	r := m.fs.Root()
	if got := m.metaWord(t, r, fs.MetaMode); got != fs.TypeDir|0o755 {
		t.Fatalf("root mode %o", got)
	}
	if got := m.metaWord(t, r, fs.MetaParent); got != uint64(r) {
		t.Fatalf("root's parent %#x, want itself %#x", got, r)
	}
	etc := m.mkdir(t, root, r, "etc", 0o755)
	hosts := m.create(t, root, etc, "hosts", 0o644)
	m.write(t, hosts, 0, "127.0.0.1 localhost\n")
	if got := m.read(t, hosts); got != "127.0.0.1 localhost\n" {
		t.Fatalf("read %q", got)
	}
	// The bytes are in the segment, from DataOffset on.
	if got := string(m.segPage(t, hosts, 1)[:9]); got != "127.0.0.1" {
		t.Fatalf("segment page 1 holds %q", got)
	}
	if got := m.metaWord(t, hosts, fs.MetaLength); got != 20 {
		t.Fatalf("meta length %d", got)
	}
	if got := m.metaWord(t, hosts, fs.MetaMode); got != fs.TypeFile|0o644 {
		t.Fatalf("meta mode %o", got)
	}
	if got := m.metaWord(t, etc, fs.MetaParent); got != uint64(r) {
		t.Fatalf("etc's parent %#x", got)
	}
	if got := m.metaWord(t, r, fs.MetaLinks); got != 3 {
		t.Fatalf("root links %d, want 3 (., .. and etc's ..)", got)
	}
	ents := m.list(t, etc)
	if len(ents) != 1 || ents[0].name != "hosts" || ents[0].node != hosts || ents[0].typ != 8 {
		t.Fatalf("etc lists %+v", ents)
	}
	if ents := m.list(t, r); len(ents) != 1 || ents[0].name != "etc" || ents[0].typ != 4 {
		t.Fatalf("root lists %+v", ents)
	}
	// Every change bumps the change counter.
	before := m.metaWord(t, etc, fs.MetaChange)
	m.create(t, root, etc, "passwd", 0o644)
	if after := m.metaWord(t, etc, fs.MetaChange); after <= before {
		t.Fatalf("change counter %d -> %d", before, after)
	}
	// Many entries span pages; removed slots are reused.
	var ids []uint32
	for k := 0; k < 40; k++ {
		ids = append(ids, m.create(t, root, etc, fmt.Sprintf("f%02d", k), 0o600))
	}
	if got := len(m.list(t, etc)); got != 42 {
		t.Fatalf("etc holds %d entries", got)
	}
	if s := m.fs.Remove(m.mem, root, etc, []byte("f05"), false, m.tick()); s != fs.OK {
		t.Fatalf("remove: %v", s)
	}
	m.check(t)
	entries := m.metaWord(t, etc, fs.MetaEntries)
	m.create(t, root, etc, "reuse", 0o600)
	if got := m.metaWord(t, etc, fs.MetaEntries); got != entries {
		t.Fatalf("entries %d -> %d: the free slot was not reused", entries, got)
	}
	long := string(bytes.Repeat([]byte("x"), fs.NameMax))
	m.create(t, root, etc, long, 0o600)
	if _, err := m.fs.Lookup(m.mem, root, etc, []byte(long)); err != fs.OK {
		t.Fatalf("lookup of a %d-byte name: %v", len(long), err)
	}
	if !bytes.Contains([]byte(names(m.list(t, etc))), []byte(long)) {
		t.Fatal("the longest name is not listed whole")
	}
}

func TestLengthsAndZeroes(t *testing.T) {
	m := newMachine(t, 64<<20)
	f := m.create(t, root, m.fs.Root(), "f", 0o644)
	m.write(t, f, 0, "0123456789")
	// Shrink to 4 and grow again: the bytes past 4 read as zeros.
	if _, s := m.fs.Resize(m.mem, f, 4, m.tick()); s != fs.OK {
		t.Fatal(s)
	}
	if _, s := m.fs.Resize(m.mem, f, 8, m.tick()); s != fs.OK {
		t.Fatal(s)
	}
	if got := m.read(t, f); got != "0123\x00\x00\x00\x00" {
		t.Fatalf("read %q", got)
	}
	// Across pages and PT segments: 3 MiB, then back to one page.
	free := m.frames.FreeFrames()
	m.write(t, f, 3<<20-1, "z")
	if got := m.metaWord(t, f, fs.MetaPages); got != 768 {
		t.Fatalf("pages %d, want 768", got)
	}
	flush, s := m.fs.Resize(m.mem, f, 100, m.tick())
	if s != fs.OK || flush.Size != 767*4096 || flush.Offset != fs.DataOffset+4096 {
		t.Fatalf("shrink: %v, flush %+v", s, flush)
	}
	m.frames.ReleasePending()
	m.check(t)
	// One PT segment's table stays (TODO in data.go): one frame more.
	if got := m.frames.FreeFrames(); got != free-1 {
		t.Fatalf("free frames %d, want %d", got, free-1)
	}
	if _, s := m.fs.Resize(m.mem, f, fs.MaxLength+1, m.tick()); s != fs.TooBig {
		t.Fatalf("past the limit: %v", s)
	}
	if s := m.fs.WriteAt(m.mem, f, fs.MaxLength, []byte("x"), m.tick()); s != fs.TooBig {
		t.Fatalf("write past the limit: %v", s)
	}
}

// TestGrowAndExtend checks fs_resize's Grow and Extend: Grow never
// shortens (two writers past the end, resizing in either order, keep both
// ends), Extend returns the length before and refuses to pass MaxLength.
func TestGrowAndExtend(t *testing.T) {
	m := newMachine(t, 64<<20)
	f := m.create(t, root, m.fs.Root(), "f", 0o644)
	if _, s := m.fs.Grow(m.mem, f, 200, m.tick()); s != fs.OK {
		t.Fatal(s)
	}
	if _, s := m.fs.Grow(m.mem, f, 100, m.tick()); s != fs.OK {
		t.Fatal(s)
	}
	if got := m.metaWord(t, f, fs.MetaLength); got != 200 {
		t.Fatalf("length after growing to 200 then to 100: %d, want 200", got)
	}
	old, _, s := m.fs.Extend(m.mem, f, 10, m.tick())
	if s != fs.OK || old != 200 || m.metaWord(t, f, fs.MetaLength) != 210 {
		t.Fatalf("extend by 10: %v, before %d, length %d; want OK, 200, 210", s, old, m.metaWord(t, f, fs.MetaLength))
	}
	if _, _, s := m.fs.Extend(m.mem, f, fs.MaxLength-209, m.tick()); s != fs.TooBig {
		t.Fatalf("extend past the limit: %v", s)
	}
	if _, _, s := m.fs.Extend(m.mem, f, ^uint64(0), m.tick()); s != fs.TooBig {
		t.Fatalf("extend by 2^64-1: %v", s)
	}
	if m.metaWord(t, f, fs.MetaLength) != 210 {
		t.Fatal("a refused extend changed the length")
	}
	if _, s := m.fs.Grow(m.mem, m.fs.Root(), 10, m.tick()); s != fs.IsDir {
		t.Fatalf("grow a directory: %v", s)
	}
	m.check(t)
}

func TestNoSpaceUndoesTheGrowth(t *testing.T) {
	m := newMachine(t, 64<<20)
	f := m.create(t, root, m.fs.Root(), "f", 0o644)
	held := m.frames.Held(segment.FilesOwner)
	m.frames.SetLimit(segment.FilesOwner, uint32(held)+100)
	if _, s := m.fs.Resize(m.mem, f, 1<<20, m.tick()); s != fs.NoSpace {
		t.Fatalf("resize past the limit: %v", s)
	}
	m.frames.ReleasePending()
	m.check(t)
	if got := m.metaWord(t, f, fs.MetaLength); got != 0 {
		t.Fatalf("length %d after a failed growth", got)
	}
	if got := m.frames.Held(segment.FilesOwner); got != held {
		t.Fatalf("held %d, want %d", got, held)
	}
	// Nodes run out too, cleanly.
	m.frames.SetLimit(segment.FilesOwner, 1<<31)
	n := 0
	for ; ; n++ {
		_, _, s := m.fs.Open(m.mem, root, m.fs.Root(), []byte(fmt.Sprint("n", n)), fs.OpenCreate, 0o644, m.tick())
		if s == fs.NoSpace {
			break
		}
		if s != fs.OK {
			t.Fatalf("create %d: %v", n, s)
		}
	}
	m.check(t)
	if n < 1000 {
		t.Fatalf("only %d files", n)
	}
}

// TestGrowthToTheLimit makes a file of the full 1 GiB less the metadata
// page and writes its last byte.
func TestGrowthToTheLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("needs 1.1 GiB of simulated RAM")
	}
	m := newMachine(t, 1<<30+64<<20)
	f := m.create(t, root, m.fs.Root(), "big", 0o644)
	if s := m.fs.WriteAt(m.mem, f, fs.MaxLength-1, []byte("!"), m.tick()); s != fs.OK {
		t.Fatalf("write the last byte: %v", s)
	}
	m.check(t)
	if got := m.segPage(t, f, 511*512+511)[4095]; got != '!' {
		t.Fatalf("the last byte of the segment is %q", got)
	}
	if s := m.fs.WriteAt(m.mem, f, fs.MaxLength, []byte("!"), m.tick()); s != fs.TooBig {
		t.Fatalf("one byte more: %v", s)
	}
	flush, s := m.fs.Resize(m.mem, f, 0, m.tick())
	if s != fs.OK || flush.Size != fs.MaxLength {
		t.Fatalf("truncate: %v %+v", s, flush)
	}
	m.frames.ReleasePending()
	m.check(t)
}
