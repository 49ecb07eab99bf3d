package fs_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"exogo/kernel/fs"
	"exogo/kernel/paging"
	"exogo/kernel/segment"
)

func expect(t testing.TB, what string, got, want fs.Status) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: %v, want %v", what, got, want)
	}
}

func TestPermissions(t *testing.T) {
	m := newMachine(t, 64<<20)
	r := m.fs.Root()
	home := m.mkdir(t, root, r, "home", 0o755)
	if s := m.fs.Chown(m.mem, root, home, alice.UID, alice.GID, m.tick()); s != fs.OK {
		t.Fatal(s)
	}
	secret := m.create(t, alice, home, "secret", 0o600)
	shared := m.create(t, alice, home, "shared", 0o644)
	_ = secret
	open := func(c fs.Cred, name string, flags fs.OpenFlags) fs.Status {
		_, _, s := m.fs.Open(m.mem, c, home, []byte(name), flags, 0o644, m.tick())
		return s
	}
	expect(t, "bob reads secret", open(bob, "secret", 0), fs.NoAccess)
	expect(t, "bob reads shared", open(bob, "shared", 0), fs.OK)
	expect(t, "bob writes shared", open(bob, "shared", fs.OpenWrite), fs.NoAccess)
	expect(t, "bob truncates shared", open(bob, "shared", fs.OpenWrite|fs.OpenTruncate), fs.NoAccess)
	expect(t, "bob creates in alice's home", open(bob, "mine", fs.OpenWrite|fs.OpenCreate), fs.NoAccess)
	expect(t, "alice writes secret", open(alice, "secret", fs.OpenWrite), fs.OK)
	expect(t, "root reads secret", open(root, "secret", 0), fs.OK)
	expect(t, "bob removes shared", m.fs.Remove(m.mem, bob, home, []byte("shared"), false, m.tick()), fs.NoAccess)
	expect(t, "bob chmods shared", m.fs.Chmod(m.mem, bob, shared, 0o666, m.tick()), fs.NotPermitted)
	expect(t, "bob chowns shared", m.fs.Chown(m.mem, bob, shared, bob.UID, bob.GID, m.tick()), fs.NotPermitted)
	expect(t, "bob makes a device", func() fs.Status {
		_, s := m.fs.Make(m.mem, bob, home, []byte("dev"), fs.TypeChar|0o666, 0x103, nil, m.tick())
		return s
	}(), fs.NotPermitted)
	// Without search permission nothing below is reachable.
	expect(t, "alice closes her home", m.fs.Chmod(m.mem, alice, home, 0o700, m.tick()), fs.OK)
	expect(t, "bob reads shared through a closed directory", open(bob, "shared", 0), fs.NoAccess)
	if _, s := m.fs.Lookup(m.mem, bob, home, []byte("shared")); s != fs.NoAccess {
		t.Fatalf("bob looks up: %v", s)
	}
	// The sticky bit: in a world-writable /tmp, only the owner removes.
	tmp := m.mkdir(t, root, r, "tmp", 0o1777)
	m.create(t, alice, tmp, "a", 0o666)
	expect(t, "bob removes alice's file in /tmp", m.fs.Remove(m.mem, bob, tmp, []byte("a"), false, m.tick()), fs.NotPermitted)
	expect(t, "bob renames alice's file in /tmp", m.fs.Rename(m.mem, bob, tmp, []byte("a"), tmp, []byte("b"), 0, m.tick()), fs.NotPermitted)
	expect(t, "alice removes her file in /tmp", m.fs.Remove(m.mem, alice, tmp, []byte("a"), false, m.tick()), fs.OK)
	m.check(t)
}

func TestBadNames(t *testing.T) {
	m := newMachine(t, 64<<20)
	r := m.fs.Root()
	for _, c := range []struct {
		name string
		want fs.Status
	}{
		{"", fs.BadName}, {".", fs.BadName}, {"..", fs.BadName}, {"a/b", fs.BadName}, {"/", fs.BadName},
		{"a\x00b", fs.BadName}, {strings.Repeat("n", 256), fs.NameTooLong}, {strings.Repeat("n", 4096), fs.NameTooLong},
	} {
		_, _, s := m.fs.Open(m.mem, root, r, []byte(c.name), fs.OpenCreate|fs.OpenWrite, 0o644, m.tick())
		expect(t, "create "+c.name[:min(len(c.name), 10)], s, c.want)
		_, s = m.fs.Make(m.mem, root, r, []byte(c.name), fs.TypeDir|0o755, 0, nil, m.tick())
		expect(t, "mkdir "+c.name[:min(len(c.name), 10)], s, c.want)
		expect(t, "rename to "+c.name[:min(len(c.name), 10)], m.fs.Rename(m.mem, root, r, []byte("x"), r, []byte(c.name), 0, m.tick()), c.want)
	}
	m.check(t)
	if m.fs.Live() != 1 {
		t.Fatalf("%d nodes after refused names", m.fs.Live())
	}
	// Stale and wrong nodes.
	f := m.create(t, root, r, "f", 0o644)
	_, _, s := m.fs.Open(m.mem, root, f, []byte("x"), 0, 0, m.tick())
	expect(t, "open in a file", s, fs.NotDir)
	expect(t, "remove f", m.fs.Remove(m.mem, root, r, []byte("f"), false, m.tick()), fs.OK)
	_, _, s = m.fs.Open(m.mem, root, f, []byte("x"), 0, 0, m.tick())
	expect(t, "open in a stale node", s, fs.BadNode)
	_, _, s = m.fs.Open(m.mem, root, 0xdead_0001, []byte("x"), 0, 0, m.tick())
	expect(t, "open in a made-up node", s, fs.BadNode)
	_, _, s = m.fs.Open(m.mem, root, r, []byte("x"), 1<<20, 0, m.tick())
	expect(t, "unknown flags", s, fs.Invalid)
}

func TestRemoveAndRename(t *testing.T) {
	m := newMachine(t, 64<<20)
	r := m.fs.Root()
	a := m.mkdir(t, root, r, "a", 0o755)
	b := m.mkdir(t, root, a, "b", 0o755)
	f := m.create(t, root, b, "f", 0o644)
	m.write(t, f, 0, "data")
	rename := func(from uint32, fromName string, to uint32, toName string) fs.Status {
		s := m.fs.Rename(m.mem, root, from, []byte(fromName), to, []byte(toName), 0, m.tick())
		m.check(t)
		return s
	}
	remove := func(dir uint32, name string, dirs bool) fs.Status {
		s := m.fs.Remove(m.mem, root, dir, []byte(name), dirs, m.tick())
		m.check(t)
		return s
	}
	expect(t, "rmdir a non-empty directory", remove(a, "b", true), fs.NotEmpty)
	expect(t, "unlink a directory", remove(a, "b", false), fs.IsDir)
	expect(t, "rmdir a file", remove(b, "f", true), fs.NotDir)
	expect(t, "rename a under itself", rename(r, "a", b, "a2"), fs.Invalid)
	expect(t, "rename a onto itself below", rename(r, "a", a, "x"), fs.Invalid)
	expect(t, "rename a missing name", rename(r, "nothing", r, "x"), fs.NotFound)
	expect(t, "move b to the root", rename(a, "b", r, "b"), fs.OK)
	if got := m.metaWord(t, b, fs.MetaParent); got != uint64(r) {
		t.Fatalf("b's parent %#x after the move", got)
	}
	if got := m.metaWord(t, a, fs.MetaLinks); got != 2 {
		t.Fatalf("a has %d links after losing b", got)
	}
	if got := m.read(t, f); got != "data" {
		t.Fatalf("f holds %q after its directory moved", got)
	}
	// Replacing: a file over a file drops the old one; a directory over
	// an empty directory; never a file over a directory or the reverse.
	g := m.create(t, root, r, "g", 0o644)
	m.write(t, g, 0, "gg")
	expect(t, "file over directory", rename(r, "g", r, "a"), fs.IsDir)
	expect(t, "directory over file", rename(r, "a", b, "f"), fs.NotDir)
	expect(t, "no-replace", m.fs.Rename(m.mem, root, r, []byte("g"), b, []byte("f"), fs.RenameNoReplace, m.tick()), fs.Exists)
	live := m.fs.Live()
	expect(t, "g over f", rename(r, "g", b, "f"), fs.OK)
	if m.fs.Live() != live-1 {
		t.Fatalf("the replaced file was not freed: %d nodes, want %d", m.fs.Live(), live-1)
	}
	if id, s := m.fs.Lookup(m.mem, root, b, []byte("f")); s != fs.OK || id != g {
		t.Fatalf("f names %#x (%v), want g %#x", id, s, g)
	}
	expect(t, "b over the non-empty... no: a over b (b not empty)", rename(r, "a", r, "b"), fs.NotEmpty)
	expect(t, "empty b", remove(b, "f", false), fs.OK)
	expect(t, "a over the empty b", rename(r, "a", r, "b"), fs.OK)
	if got := m.metaWord(t, r, fs.MetaLinks); got != 3 {
		t.Fatalf("root has %d links", got)
	}
	expect(t, "rename the same name", rename(r, "b", r, "b"), fs.OK)
	// Two renames of one entry: the second finds nothing.
	m.create(t, root, r, "x", 0o644)
	expect(t, "first rename", rename(r, "x", r, "y"), fs.OK)
	expect(t, "second rename", rename(r, "x", r, "z"), fs.NotFound)
	// Hard links: two names, one node.
	y, _ := m.fs.Lookup(m.mem, root, r, []byte("y"))
	expect(t, "link", m.fs.Link(m.mem, root, y, r, []byte("y2"), m.tick()), fs.OK)
	m.check(t)
	if got := m.metaWord(t, y, fs.MetaLinks); got != 2 {
		t.Fatalf("y has %d links", got)
	}
	expect(t, "rename a name over its other name", rename(r, "y", r, "y2"), fs.OK)
	expect(t, "link a directory", m.fs.Link(m.mem, root, r, r, []byte("loop"), m.tick()), fs.NotPermitted)
	expect(t, "remove y", remove(r, "y", false), fs.OK)
	expect(t, "remove y2", remove(r, "y2", false), fs.OK)
	expect(t, "remove the root's entry", remove(r, "b", true), fs.OK)
}

func TestSymlinks(t *testing.T) {
	m := newMachine(t, 64<<20)
	r := m.fs.Root()
	l, s := m.fs.Make(m.mem, root, r, []byte("l"), fs.TypeSymlink, 0, []byte("/etc/hosts"), m.tick())
	expect(t, "symlink", s, fs.OK)
	m.check(t)
	buf := make([]byte, 64)
	n, s := m.fs.Readlink(m.mem, root, r, []byte("l"), buf)
	if s != fs.OK || string(buf[:n]) != "/etc/hosts" {
		t.Fatalf("readlink: %q %v", buf[:n], s)
	}
	if got := m.metaWord(t, l, fs.MetaMode); got != fs.TypeSymlink|0o777 {
		t.Fatalf("mode %o", got)
	}
	_, _, s = m.fs.Open(m.mem, root, r, []byte("l"), 0, 0, m.tick())
	expect(t, "open a symlink", s, fs.IsSymlink)
	_, s = m.fs.Make(m.mem, root, r, []byte("e"), fs.TypeSymlink, 0, nil, m.tick())
	expect(t, "empty target", s, fs.NotFound)
	_, s = m.fs.Make(m.mem, root, r, []byte("e"), fs.TypeSymlink, 0, make([]byte, 4096), m.tick())
	expect(t, "long target", s, fs.NameTooLong)
	m.create(t, root, r, "file", 0o644)
	_, s = m.fs.Readlink(m.mem, root, r, []byte("file"), buf)
	expect(t, "readlink a file", s, fs.Invalid)
}

// TestRemovedWhileLinked removes a file and a directory a process still
// links: they live on, nameless, until the last unlink, and then go with
// every frame.
func TestRemovedWhileLinked(t *testing.T) {
	m := newMachine(t, 64<<20)
	r := m.fs.Root()
	space, ok := paging.NewSpace(m.frames, m.base)
	if !ok {
		t.Fatal("NewSpace")
	}
	held := m.frames.Held(segment.FilesOwner)
	d := m.mkdir(t, root, r, "d", 0o755)
	f := m.create(t, root, d, "f", 0o644)
	m.write(t, f, 0, strings.Repeat("x", 10000))
	for k, id := range []uint32{d, f} {
		seg, _ := m.fs.Segment(id)
		if s := m.seg.Link(m.mem, segment.FilesOwner, space.Root, uintptr(k+1)<<30, seg, segment.Read); s != segment.OK {
			t.Fatalf("link: %v", s)
		}
	}
	expect(t, "unlink f", m.fs.Remove(m.mem, root, d, []byte("f"), false, m.tick()), fs.OK)
	expect(t, "rmdir d", m.fs.Remove(m.mem, root, r, []byte("d"), true, m.tick()), fs.OK)
	m.check(t)
	if m.fs.Live() != 3 {
		t.Fatalf("%d nodes, want the root and the two linked", m.fs.Live())
	}
	if got := m.metaWord(t, f, fs.MetaLinks); got != 0 {
		t.Fatalf("f has %d links", got)
	}
	if got := m.read(t, f); len(got) != 10000 {
		t.Fatalf("a removed file still reads: %d bytes", len(got))
	}
	_, _, s := m.fs.Open(m.mem, root, d, []byte("new"), fs.OpenCreate|fs.OpenWrite, 0o644, m.tick())
	expect(t, "create in a removed directory", s, fs.NotFound)
	if n := m.fs.Collect(m.mem); n != 0 {
		t.Fatalf("Collect freed %d linked nodes", n)
	}
	for k := range 2 {
		if _, s := m.seg.Unlink(m.mem, space.Root, uintptr(k+1)<<30, segment.Level2); s != segment.OK {
			t.Fatalf("unlink: %v", s)
		}
	}
	if n := m.fs.Collect(m.mem); n != 2 {
		t.Fatalf("Collect freed %d, want 2", n)
	}
	m.check(t)
	// The root keeps its first page of entries (a directory's pages
	// stay).
	if got := m.frames.Held(segment.FilesOwner); got != held+1 {
		t.Fatalf("the file system holds %d frames, want %d", got, held+1)
	}
}

// TestRandomOperations runs random operations by three users and checks
// the whole file system after each, and that all goes back at the end.
func TestRandomOperations(t *testing.T) {
	m := newMachine(t, 64<<20)
	rng := rand.New(rand.NewSource(9))
	r := m.fs.Root()
	held := m.frames.Held(segment.FilesOwner)
	m.fs.Chmod(m.mem, root, r, 0o1777, m.tick())
	creds := []fs.Cred{root, alice, bob}
	names := []string{"a", "b", "c", "d", "e"}
	dirs := []uint32{r}
	pick := func() (uint32, []byte) { return dirs[rng.Intn(len(dirs))], []byte(names[rng.Intn(len(names))]) }
	for step := 0; step < 3000; step++ {
		c := creds[rng.Intn(len(creds))]
		dir, name := pick()
		switch rng.Intn(8) {
		case 0:
			if id, s := m.fs.Make(m.mem, c, dir, name, fs.TypeDir|uint32(rng.Intn(0o1000)), 0, nil, m.tick()); s == fs.OK {
				dirs = append(dirs, id)
			}
		case 1:
			if id, _, s := m.fs.Open(m.mem, c, dir, name, fs.OpenCreate|fs.OpenWrite, uint32(rng.Intn(0o1000)), m.tick()); s == fs.OK {
				m.fs.WriteAt(m.mem, id, uint64(rng.Intn(9000)), []byte("hello"), m.tick())
			}
		case 2:
			m.fs.Remove(m.mem, c, dir, name, rng.Intn(2) == 0, m.tick())
		case 3, 4:
			to, toName := pick()
			m.fs.Rename(m.mem, c, dir, name, to, toName, uint32(rng.Intn(2)), m.tick())
		case 5:
			if id, s := m.fs.Lookup(m.mem, c, dir, name); s == fs.OK {
				to, toName := pick()
				m.fs.Link(m.mem, c, id, to, toName, m.tick())
			}
		case 6:
			if id, s := m.fs.Lookup(m.mem, c, dir, name); s == fs.OK {
				m.fs.Chmod(m.mem, c, id, uint32(rng.Intn(0o10000)), m.tick())
			}
		case 7:
			if id, s := m.fs.Lookup(m.mem, c, dir, name); s == fs.OK {
				m.fs.Resize(m.mem, id, uint64(rng.Intn(20000)), m.tick())
				m.frames.ReleasePending()
			}
		}
		m.check(t)
	}
	// Remove everything, depth first, as root.
	var clear func(dir uint32)
	clear = func(dir uint32) {
		for _, e := range m.list(t, dir) {
			if e.typ == 4 {
				m.fs.Chmod(m.mem, root, e.node, 0o755, m.tick())
				clear(e.node)
			}
			if s := m.fs.Remove(m.mem, root, dir, []byte(e.name), e.typ == 4, m.tick()); s != fs.OK {
				t.Fatalf("remove %s: %v", e.name, s)
			}
		}
	}
	clear(r)
	m.check(t)
	if m.fs.Live() != 1 || m.frames.Held(segment.FilesOwner) != held+1 {
		t.Fatalf("after removing everything: %d nodes, %d frames held (want 1, %d: the root's page of entries)", m.fs.Live(), m.frames.Held(segment.FilesOwner), held+1)
	}
}

// TestReviewedCorners covers what a review found: a directory's length
// after its trailing slots were given up, times set by a writer who does
// not own the node, moving another's directory, hard links to another's
// file, and the checker's view of cycles and duplicate entries.
func TestReviewedCorners(t *testing.T) {
	m := newMachine(t, 64<<20)
	r := m.fs.Root()
	d := m.mkdir(t, root, r, "d", 0o777)
	for k := 0; k < 31; k++ {
		m.create(t, root, d, fmt.Sprint("e", k), 0o644)
	}
	for k := 0; k < 31; k++ {
		expect(t, "remove", m.fs.Remove(m.mem, root, d, []byte(fmt.Sprint("e", k)), false, m.tick()), fs.OK)
	}
	m.create(t, root, d, "again", 0o644) // m.check: the length is its 3 pages'
	if got := m.metaWord(t, d, fs.MetaLength); got != 3*fs.PageSize {
		t.Fatalf("directory length %d, want %d", got, 3*fs.PageSize)
	}

	shared := m.create(t, root, d, "shared", 0o666)
	expect(t, "a writer sets explicit times", m.fs.SetTimes(m.mem, alice, shared, 5, 5, m.tick()), fs.NotPermitted)
	expect(t, "a writer sets the current time", m.fs.SetTimes(m.mem, alice, shared, fs.TimeNow, fs.TimeNow, m.tick()), fs.OK)
	if got := m.metaWord(t, shared, fs.MetaMtime); got != uint64(m.now) {
		t.Fatalf("mtime %d, want now %d", got, m.now)
	}

	bobs := m.mkdir(t, bob, d, "bobs", 0o755)
	_ = bobs
	other := m.mkdir(t, root, r, "other", 0o777)
	expect(t, "alice moves bob's directory elsewhere", m.fs.Rename(m.mem, alice, d, []byte("bobs"), other, []byte("bobs"), 0, m.tick()), fs.NoAccess)
	expect(t, "alice renames it in place", m.fs.Rename(m.mem, alice, d, []byte("bobs"), d, []byte("bobs2"), 0, m.tick()), fs.OK)

	secret := m.create(t, root, r, "secret", 0o600)
	expect(t, "alice hard-links root's 0600 file", m.fs.Link(m.mem, alice, secret, d, []byte("mine"), m.tick()), fs.NotPermitted)
	m.check(t)
}
