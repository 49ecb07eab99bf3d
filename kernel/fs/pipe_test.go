package fs_test

import (
	"fmt"
	"testing"

	"exogo/kernel/fs"
	"exogo/kernel/paging"
	"exogo/kernel/segment"
)

// TestPipeWriters makes a pipe node, links it writable and read-only in
// two address spaces, and checks the count of writers in its metadata
// page, the words NextChanged gives, the checker, and that the node and its
// frames go with its last link.
func TestPipeWriters(t *testing.T) {
	m := newMachine(t, 64<<20)
	var told []uint64
	take := func() {
		for w, ok := m.fs.NextChanged(); ok; w, ok = m.fs.NextChanged() {
			told = append(told, w)
		}
	}
	held := m.frames.Held(segment.FilesOwner)
	if _, s := m.fs.MakePipe(m.mem, alice, fs.MaxPipeLength+1, m.tick()); s != fs.TooBig {
		t.Fatalf("MakePipe past the limit: %v", s)
	}
	p, s := m.fs.MakePipe(m.mem, alice, 3*4096, m.tick())
	expect(t, "MakePipe", s, fs.OK)
	if mode := m.metaWord(t, p, fs.MetaMode); mode != fs.TypeFifo|0o600 {
		t.Fatalf("mode %#o", mode)
	}
	if got := m.metaWord(t, p, fs.MetaLength); got != 3*4096 {
		t.Fatalf("length %d", got)
	}
	seg, _ := m.fs.Segment(p)
	spaces := twoSpaces(t, m)
	link := func(k int, at uintptr, r segment.Rights) {
		t.Helper()
		if s := m.seg.Link(m.mem, segment.FilesOwner, spaces[k], at, seg, r); s != segment.OK {
			t.Fatalf("link: %v", s)
		}
		m.fs.Recount(m.mem, p)
		take()
	}
	unlink := func(k int, at uintptr) {
		t.Helper()
		if _, s := m.seg.Unlink(m.mem, spaces[k], at, segment.Level2); s != segment.OK {
			t.Fatalf("unlink: %v", s)
		}
		m.fs.Collect(m.mem)
		take()
	}
	writers := func(want uint64) {
		t.Helper()
		if got := m.metaWord(t, p, fs.MetaWriters); got != want {
			t.Fatalf("%d writers, want %d", got, want)
		}
		m.check(t)
	}
	link(0, 1<<30, segment.Read|segment.Write)
	writers(1)
	link(1, 1<<30, segment.Read)
	writers(1)
	link(1, 2<<30, segment.Read|segment.Write)
	writers(2)
	if len(told) != 2 {
		t.Fatalf("NextChanged gave %d words, want 2 (one per change)", len(told))
	}
	unlink(0, 1<<30)
	writers(1)
	unlink(1, 2<<30)
	writers(0)
	if len(told) != 4 || told[3] != told[0] {
		t.Fatalf("NextChanged gave %#x", told)
	}
	unlink(1, 1<<30)
	if m.fs.Live() != 1 {
		t.Fatalf("%d nodes left, want the root", m.fs.Live())
	}
	m.check(t)
	if got := m.frames.Held(segment.FilesOwner); got != held {
		t.Fatalf("the file system holds %d frames, want %d", got, held)
	}
}

// twoSpaces makes two address spaces to link nodes into.
func twoSpaces(t *testing.T, m *machine) [2]uint64 {
	t.Helper()
	var spaces [2]uint64
	for k := range spaces {
		space, ok := paging.NewSpace(m.frames, m.base)
		if !ok {
			t.Fatal("NewSpace")
		}
		spaces[k] = space.Root
	}
	return spaces
}

// TestPipeLimits checks that pipe nodes stop at MaxPipeNodes (files can
// still be made), that a pipe cannot be named or resized, and that
// nothing is left once Collect frees the unlinked ones.
func TestPipeLimits(t *testing.T) {
	m := newMachine(t, 64<<20)
	held := m.frames.Held(segment.FilesOwner)
	var first uint32
	for k := 0; k < fs.MaxPipeNodes; k++ {
		p, s := m.fs.MakePipe(m.mem, alice, 0, m.tick())
		expect(t, fmt.Sprintf("pipe %d", k), s, fs.OK)
		if k == 0 {
			first = p
		}
	}
	_, s := m.fs.MakePipe(m.mem, alice, 0, m.tick())
	expect(t, "a pipe past MaxPipeNodes", s, fs.NoSpace)
	_, _, s = m.fs.Open(m.mem, root, m.fs.Root(), []byte("still"), fs.OpenWrite|fs.OpenCreate, 0o644, m.tick())
	expect(t, "a file with every pipe made", s, fs.OK)
	expect(t, "name a pipe", m.fs.Link(m.mem, root, first, m.fs.Root(), []byte("p"), m.tick()), fs.NotFound)
	if _, s := m.fs.Resize(m.mem, first, 4096, m.tick()); s == fs.OK {
		t.Fatal("a pipe was resized")
	}
	if n := m.fs.Collect(m.mem); n != fs.MaxPipeNodes {
		t.Fatalf("Collect freed %d pipes nothing links, want %d", n, fs.MaxPipeNodes)
	}
	if _, s := m.fs.MakePipe(m.mem, alice, 0, m.tick()); s != fs.OK {
		t.Fatalf("no pipe after the others went: %v", s)
	}
	m.fs.Collect(m.mem)
	expect(t, "remove the file", m.fs.Remove(m.mem, root, m.fs.Root(), []byte("still"), false, m.tick()), fs.OK)
	m.check(t)
	// The root keeps the page of entries "still" was in (a directory's
	// pages stay).
	if got := m.frames.Held(segment.FilesOwner); got != held+1 {
		t.Fatalf("the file system holds %d frames, want %d", got, held+1)
	}
}

// TestNamedFifo makes named FIFOs (Make with TypeFifo): the named node
// and its peer, their writers counted apart, the checker content at every
// step; a name removed while both are linked leaves them to the last
// unlink, and one removed with nothing linked frees both at once.
func TestNamedFifo(t *testing.T) {
	m := newMachine(t, 64<<20)
	held := m.frames.Held(segment.FilesOwner)
	r := m.fs.Root()
	if _, s := m.fs.Make(m.mem, root, r, []byte("big"), fs.TypeFifo|0o644, fs.MaxPipeLength+1, nil, m.tick()); s != fs.TooBig {
		t.Fatalf("a FIFO past MaxPipeLength: %v", s)
	}
	m.check(t)
	p, s := m.fs.Make(m.mem, root, r, []byte("p"), fs.TypeFifo|0o640, 3*4096, nil, m.tick())
	expect(t, "make p", s, fs.OK)
	m.check(t)
	peer, s := m.fs.Peer(p)
	expect(t, "Peer", s, fs.OK)
	if m.metaWord(t, p, fs.MetaMode) != fs.TypeFifo|0o640 || m.metaWord(t, p, fs.MetaLength) != 3*4096 ||
		m.metaWord(t, peer, fs.MetaMode) != fs.TypeFifo|0o600 || m.metaWord(t, peer, fs.MetaLength) != fs.PeerLength {
		t.Fatal("the FIFO's or its peer's mode or length is wrong")
	}
	if _, s := m.fs.Peer(peer); s != fs.Invalid {
		t.Fatalf("Peer of a peer: %v", s)
	}
	expect(t, "name the peer", m.fs.Link(m.mem, root, peer, r, []byte("q"), m.tick()), fs.NotFound)
	spaces := twoSpaces(t, m)
	link := func(id uint32, k int, at uintptr, rights segment.Rights) {
		t.Helper()
		seg, _ := m.fs.Segment(id)
		if s := m.seg.Link(m.mem, segment.FilesOwner, spaces[k], at, seg, rights); s != segment.OK {
			t.Fatalf("link: %v", s)
		}
		m.fs.Recount(m.mem, id)
		m.check(t)
	}
	unlink := func(k int, at uintptr) {
		t.Helper()
		if _, s := m.seg.Unlink(m.mem, spaces[k], at, segment.Level2); s != segment.OK {
			t.Fatalf("unlink: %v", s)
		}
		m.fs.Collect(m.mem)
		m.check(t)
	}
	// A writer (the FIFO writable, its peer read-only) and a reader.
	link(p, 0, 1<<30, segment.Read|segment.Write)
	link(peer, 0, 2<<30, segment.Read)
	link(p, 1, 1<<30, segment.Read)
	link(peer, 1, 2<<30, segment.Read|segment.Write)
	if m.metaWord(t, p, fs.MetaWriters) != 1 || m.metaWord(t, peer, fs.MetaWriters) != 1 {
		t.Fatal("one writer and one reader are not counted apart")
	}
	// The writer goes while the FIFO has its name: Collect counts it.
	unlink(0, 1<<30)
	if m.metaWord(t, p, fs.MetaWriters) != 0 {
		t.Fatal("a named FIFO's writer that went is still counted")
	}
	expect(t, "remove p while linked", m.fs.Remove(m.mem, root, r, []byte("p"), false, m.tick()), fs.OK)
	m.check(t)
	unlink(1, 1<<30) // the FIFO goes; its peer stays while linked
	if m.fs.Live() != 2 {
		t.Fatalf("%d nodes, want the root and the linked peer", m.fs.Live())
	}
	unlink(0, 2<<30)
	unlink(1, 2<<30)
	if m.fs.Live() != 1 {
		t.Fatalf("%d nodes left, want the root", m.fs.Live())
	}
	if _, s := m.fs.Make(m.mem, root, r, []byte("q"), fs.TypeFifo|0o600, 4096, nil, m.tick()); s != fs.OK {
		t.Fatal(s)
	}
	expect(t, "remove q, never linked", m.fs.Remove(m.mem, root, r, []byte("q"), false, m.tick()), fs.OK)
	m.check(t)
	if m.fs.Live() != 1 {
		t.Fatalf("%d nodes left after removing q, want the root", m.fs.Live())
	}
	// The root keeps its page of entries.
	if got := m.frames.Held(segment.FilesOwner); got != held+1 && got != held {
		t.Fatalf("the file system holds %d frames, want %d", got, held)
	}
}

// TestNamedFifoLimits checks that named FIFOs stop at MaxNamedFifos
// without taking the pipes' budget (fs_pipe still works), that a FIFO
// the file system has no room for leaves nothing behind, and that the
// checker's counts hold through both.
func TestNamedFifoLimits(t *testing.T) {
	m := newMachine(t, 256<<20)
	r := m.fs.Root()
	for k := 0; k < fs.MaxNamedFifos; k++ {
		if _, s := m.fs.Make(m.mem, root, r, []byte(fmt.Sprint("f", k)), fs.TypeFifo|0o600, 0, nil, m.tick()); s != fs.OK {
			t.Fatalf("FIFO %d: %v", k, s)
		}
	}
	_, s := m.fs.Make(m.mem, root, r, []byte("one-more"), fs.TypeFifo|0o600, 0, nil, m.tick())
	expect(t, "a FIFO past MaxNamedFifos", s, fs.NoSpace)
	m.check(t)
	if _, s := m.fs.MakePipe(m.mem, alice, 4096, m.tick()); s != fs.OK {
		t.Fatalf("a pipe with every named FIFO made: %v", s)
	}
	m.fs.Collect(m.mem)
	for k := 0; k < fs.MaxNamedFifos; k++ {
		expect(t, "remove a FIFO", m.fs.Remove(m.mem, root, r, []byte(fmt.Sprint("f", k)), false, m.tick()), fs.OK)
	}
	m.check(t)
	// No room for the FIFO's bytes: nothing is left, and the counts hold.
	live := m.fs.Live()
	held := m.frames.Held(segment.FilesOwner)
	m.frames.SetLimit(segment.FilesOwner, uint32(held)+8)
	for k := 0; k < 50; k++ {
		if _, s := m.fs.Make(m.mem, root, r, []byte("big"), fs.TypeFifo|0o600, fs.MaxPipeLength, nil, m.tick()); s != fs.NoSpace {
			t.Fatalf("a FIFO past the frame limit: %v", s)
		}
	}
	m.frames.ReleasePending()
	m.check(t)
	if m.fs.Live() != live {
		t.Fatalf("%d nodes after failed FIFOs, want %d", m.fs.Live(), live)
	}
	// Every point a small FIFO can fail at (its node, its page, its peer's
	// node, its peer's page): each leaves the counts right.
	failed := 0
	for extra := uint32(0); extra < 16; extra++ {
		m.frames.SetLimit(segment.FilesOwner, uint32(m.frames.Held(segment.FilesOwner))+extra)
		_, s := m.fs.Make(m.mem, root, r, []byte("small"), fs.TypeFifo|0o600, 4096, nil, m.tick())
		m.frames.ReleasePending()
		m.check(t)
		if s == fs.OK {
			expect(t, "remove small", m.fs.Remove(m.mem, root, r, []byte("small"), false, m.tick()), fs.OK)
			m.frames.ReleasePending()
			m.check(t)
		} else {
			failed++
		}
		if m.fs.Live() != live {
			t.Fatalf("with %d frames to spare: %d nodes, want %d", extra, m.fs.Live(), live)
		}
	}
	if failed == 0 {
		t.Fatal("no small FIFO failed: the failure paths were not reached")
	}
}
