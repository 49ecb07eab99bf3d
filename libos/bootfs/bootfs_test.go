package bootfs

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"unsafe"

	"github.com/u-root/u-root/pkg/cpio"
)

// archiveOf writes records (as given: no parent directories are added)
// and the trailer as a newc archive.
func archiveOf(t testing.TB, records ...cpio.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := cpio.Newc.Writer(&buf)
	if err := cpio.WriteRecords(w, records); err != nil {
		t.Fatal(err)
	}
	if err := cpio.WriteTrailer(w); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// file is a record with an inode number, so that tests can check Ino.
func file(name, contents string, mode uint64, ino uint64) cpio.Record {
	return cpio.StaticRecord([]byte(contents), cpio.Info{Name: name, Mode: mode, Ino: ino})
}

// raw builds one newc record by hand, for names the u-root writer would
// normalise and for damaged archives.
func raw(name string, mode uint32, data string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
	b.WriteString(name)
	b.WriteByte(0)
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
	b.WriteString(data)
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

func rawArchive(records ...[]byte) []byte {
	records = append(records, raw(cpio.Trailer, 0, ""))
	return bytes.Join(records, nil)
}

// setField overwrites field i (0 = ino ... 12 = check) of the header at
// offset.
func setField(archive []byte, offset uint64, i int, v uint32) {
	copy(archive[offset+magicSize+8*uint64(i):], fmt.Sprintf("%08X", v))
}

// inside reports whether s's bytes lie in b.
func inside(b []byte, s string) bool {
	if len(s) == 0 || len(b) == 0 {
		return true
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	start := uintptr(unsafe.Pointer(&b[0]))
	return p >= start && p+uintptr(len(s)) <= start+uintptr(len(b))
}

// walk returns every entry Next finds, checking the invariants every
// entry must keep.
func walk(t *testing.T, archive []byte) []Entry {
	t.Helper()
	var entries []Entry
	for offset := uint64(0); ; {
		e, ok := Next(archive, offset)
		if !ok {
			return entries
		}
		if e.Next <= offset || e.Data < offset || e.Data+e.Size > uint64(len(archive)) || !inside(archive, e.Name) {
			t.Fatalf("entry at %d out of bounds: %+v (archive %d bytes)", offset, e, len(archive))
		}
		if len(entries) > len(archive)/112 {
			t.Fatalf("more than %d records in %d bytes", len(entries), len(archive))
		}
		entries = append(entries, e)
		offset = e.Next
	}
}

func tree() []cpio.Record {
	return []cpio.Record{
		file("bin/hello", "\x7fELF program", cpio.S_IFREG|0o755, 0),
		file("etc/rc", "echo hello\n", cpio.S_IFREG|0o644, 0),
		file("etc/empty", "", cpio.S_IFREG|0o600, 0),
		file("etc/three", "abc", cpio.S_IFREG|0o644, 0),
		cpio.Symlink("init", "bin/hello"),
		cpio.Directory("var/empty", 0o700),
	}
}

func treeArchive(t testing.TB) []byte {
	var buf bytes.Buffer
	w := cpio.Newc.Writer(&buf)
	if err := cpio.WriteRecordsAndDirs(w, tree()); err != nil {
		t.Fatal(err)
	}
	if err := cpio.WriteTrailer(w); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestNextFindsEveryRecord(t *testing.T) {
	archive := treeArchive(t)
	want, err := cpio.ReadAllRecords(cpio.Newc.Reader(bytes.NewReader(archive)))
	if err != nil {
		t.Fatal(err)
	}
	got := walk(t, archive)
	if len(got) != len(want) {
		t.Fatalf("Next found %d records, want %d", len(got), len(want))
	}
	names := map[string]bool{}
	for i, r := range want {
		e := got[i]
		contents, err := io.ReadAll(io.NewSectionReader(r.ReaderAt, 0, int64(r.FileSize)))
		if err != nil {
			t.Fatal(err)
		}
		data := archive[e.Data : e.Data+e.Size]
		wantName := r.Name
		if wantName == "." { // written for the parent of "init": the root
			wantName = ""
		}
		if e.Name != wantName || uint64(e.Mode) != r.Mode || e.Size != r.FileSize || e.Ino != r.Ino || !bytes.Equal(data, contents) {
			t.Errorf("record %d: got %q mode %o size %d ino %d data %q, want %q mode %o size %d ino %d data %q",
				i, e.Name, e.Mode, e.Size, e.Ino, data, r.Name, r.Mode, r.FileSize, r.Ino, contents)
		}
		if e.Data%4 != 0 || e.Next%4 != 0 {
			t.Errorf("record %q: Data %d, Next %d not aligned", e.Name, e.Data, e.Next)
		}
		names[e.Name] = true
	}
	for _, n := range []string{"", "bin", "bin/hello", "etc", "etc/rc", "etc/empty", "etc/three", "init", "var", "var/empty"} {
		if !names[n] {
			t.Errorf("no record %q in %v", n, names)
		}
	}
	if _, ok := Next(archive, got[len(got)-1].Next); ok {
		t.Error("Next read the trailer as a record")
	}
}

func TestLookup(t *testing.T) {
	archive := archiveOf(t,
		file("bin/a", "A", cpio.S_IFREG|0o755, 11),
		cpio.Directory("etc", 0o750),
		file("etc/rc", "run", cpio.S_IFREG|0o644, 12),
		file("usr/lib/x/y", "deep", cpio.S_IFREG|0o644, 13),
		cpio.Symlink("init", "bin/a"),
	)
	records := []struct {
		name string
		mode uint32
		data string
	}{
		{"bin/a", cpio.S_IFREG | 0o755, "A"},
		{"etc", cpio.S_IFDIR | 0o750, ""},
		{"etc/rc", cpio.S_IFREG | 0o644, "run"},
		{"usr/lib/x/y", cpio.S_IFREG | 0o644, "deep"},
		{"init", cpio.S_IFLNK | 0o777, "bin/a"},
	}
	for _, r := range records {
		e, ok := Lookup(archive, r.name)
		if !ok || e.Name != r.name || e.Mode != r.mode || e.Size != uint64(len(r.data)) ||
			string(archive[e.Data:e.Data+e.Size]) != r.data || e.Next == 0 || !inside(archive, e.Name) {
			t.Errorf("Lookup(%q) = %+v, %v; want mode %o data %q", r.name, e, ok, r.mode, r.data)
		}
	}
	inos := map[uint64]string{}
	for _, dir := range []string{"", "bin", "usr", "usr/lib", "usr/lib/x"} {
		e, ok := Lookup(archive, dir)
		if !ok || e.Name != dir || e.Mode != 0o040555 || e.Size != 0 || e.Data != 0 || !inside(archive, e.Name) {
			t.Errorf("Lookup(%q) = %+v, %v; want an implied directory", dir, e, ok)
		}
		if e.Ino < 1<<32 || inos[e.Ino] != "" {
			t.Errorf("Lookup(%q): Ino %#x is stored or used by %q", dir, e.Ino, inos[e.Ino])
		}
		inos[e.Ino] = dir
		if again, _ := Lookup(archive, dir); again != e {
			t.Errorf("Lookup(%q) changed: %+v then %+v", dir, e, again)
		}
	}
	for _, missing := range []string{"bi", "b", "bin/", "bin/a/b", "bin/ab", "et", "etc/r", "usr/li", "missing", "/bin", "init/x"} {
		if e, ok := Lookup(archive, missing); ok {
			t.Errorf("Lookup(%q) = %+v, want not found", missing, e)
		}
	}
	// The root exists even with no records at all.
	for _, empty := range [][]byte{nil, archiveOf(t), []byte("garbage")} {
		if e, ok := Lookup(empty, ""); !ok || e.Mode != 0o040555 || e.Name != "" {
			t.Errorf("Lookup(%q, root) = %+v, %v", empty, e, ok)
		}
		if _, ok := Lookup(empty, "bin"); ok {
			t.Errorf("Lookup(%q, bin) found something", empty)
		}
	}
}

func TestDotSlashNames(t *testing.T) {
	archive := rawArchive(
		raw(".", cpio.S_IFDIR|0o700, ""),
		raw("./bin", cpio.S_IFDIR|0o755, ""),
		raw("./bin/sh", cpio.S_IFREG|0o755, "shell"),
		raw("././etc/", cpio.S_IFDIR|0o755, ""),
		raw("/abs", cpio.S_IFREG|0o644, "x"),
	)
	var names []string
	for _, e := range walk(t, archive) {
		names = append(names, e.Name)
	}
	if fmt.Sprint(names) != fmt.Sprint([]string{"", "bin", "bin/sh", "etc", "abs"}) {
		t.Errorf("names %q", names)
	}
	if e, ok := Lookup(archive, "bin/sh"); !ok || string(archive[e.Data:e.Data+e.Size]) != "shell" {
		t.Errorf("Lookup(bin/sh) = %+v, %v", e, ok)
	}
	if e, ok := Lookup(archive, ""); !ok || e.Mode != cpio.S_IFDIR|0o700 {
		t.Errorf("Lookup(root) = %+v, %v; want the record \".\"", e, ok)
	}
	if e, ok := Lookup(archive, "etc"); !ok || e.Mode != cpio.S_IFDIR|0o755 || e.Next == 0 {
		t.Errorf("Lookup(etc) = %+v, %v", e, ok)
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		path, want string
		ok         bool
	}{
		{"/bin/hello", "bin/hello", true},
		{"bin/hello", "bin/hello", true},
		{"bin//x/", "bin/x", true},
		{"/../etc/./rc", "etc/rc", true},
		{"/", "", true},
		{"//", "", true},
		{".", "", true},
		{"./a", "a", true},
		{"a/b/../../..", "", true},
		{"a/b/c/../d", "a/b/d", true},
		{"a/b/c/../../d", "a/d", true},
		{"a/b/..", "a", true},
		{"../../x", "x", true},
		{"/...", "...", true},
		{"..x/.y", "..x/.y", true},
		{"/0123456789abcdef", "0123456789abcdef", true},
		{"", "", false},
		{"a\x00b", "", false},
		{"/\x00", "", false},
		{"/0123456789abcdefg", "", false},
		{"/0123456789/abcdef", "", false},
	}
	var buf [16]byte
	for _, tt := range tests {
		got, ok := Clean(buf[:], tt.path)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Clean(%q) = %q, %v; want %q, %v", tt.path, got, ok, tt.want, tt.ok)
		}
		if !inside(buf[:], got) {
			t.Errorf("Clean(%q) = %q does not point into buf", tt.path, got)
		}
	}
	if got, ok := Clean(nil, "/./"); got != "" || !ok {
		t.Errorf("Clean(nil, root) = %q, %v", got, ok)
	}
	if got, ok := Clean(nil, "a"); ok {
		t.Errorf("Clean(nil, a) = %q, %v", got, ok)
	}
}

func TestChild(t *testing.T) {
	tests := []struct {
		dir, name, component string
		direct, ok           bool
	}{
		{"", "bin", "bin", true, true},
		{"", "bin/hello", "bin", false, true},
		{"", "", "", false, false},
		{"bin", "bin/hello", "hello", true, true},
		{"bin", "bin/x/y", "x", false, true},
		{"bin", "bin/x/y/z", "x", false, true},
		{"bin", "bin", "", false, false},
		{"bin", "binary", "", false, false},
		{"bin", "bin/", "", false, false},
		{"bin", "etc/rc", "", false, false},
		{"bin", "bi", "", false, false},
		{"bin", "bin//x", "", false, false},
		{"a/b", "a/b/c", "c", true, true},
		{"a/b", "a/bc/d", "", false, false},
	}
	for _, tt := range tests {
		c, direct, ok := Child(tt.dir, Entry{Name: tt.name})
		if c != tt.component || direct != tt.direct || ok != tt.ok {
			t.Errorf("Child(%q, %q) = %q, %v, %v; want %q, %v, %v", tt.dir, tt.name, c, direct, ok, tt.component, tt.direct, tt.ok)
		}
	}
}

// checkLookups looks up every name of the full archive in archive (a
// damaged copy) and checks that what is found lies inside it and, for
// records, has the original's contents.
func checkLookups(t *testing.T, archive, full []byte, names []string) {
	t.Helper()
	for _, name := range names {
		e, ok := Lookup(archive, name)
		if !ok {
			continue
		}
		if e.Name != name || e.Data+e.Size > uint64(len(archive)) || e.Data+e.Size < e.Data {
			t.Fatalf("%d bytes: Lookup(%q) = %+v", len(archive), name, e)
		}
		if e.Next != 0 && !bytes.Equal(archive[e.Data:e.Data+e.Size], full[e.Data:e.Data+e.Size]) {
			t.Fatalf("%d bytes: Lookup(%q) data differs", len(archive), name)
		}
	}
}

func TestTruncated(t *testing.T) {
	full := treeArchive(t)
	fullEntries := walk(t, full)
	names := []string{"", "bin", "nothing"}
	for _, e := range fullEntries {
		names = append(names, e.Name)
	}
	for n := 0; n <= len(full); n++ {
		prefix := full[:n:n]
		entries := walk(t, prefix)
		for i, e := range entries {
			if e != fullEntries[i] {
				t.Fatalf("%d bytes: record %d is %+v, want %+v", n, i, e, fullEntries[i])
			}
		}
		checkLookups(t, prefix, full, names)
	}
}

func TestDamaged(t *testing.T) {
	good := rawArchive(raw("a", cpio.S_IFREG|0o644, "data"), raw("bin/b", cpio.S_IFREG|0o644, "more data"))
	second := uint64(len(raw("a", 0, "data")))
	if e, ok := Next(good, 0); !ok || e.Name != "a" || e.Next != second {
		t.Fatalf("Next(good) = %+v, %v", e, ok)
	}
	names := []string{"", "a", "bin", "bin/b"}
	damage := func(what string, change func(b []byte)) {
		t.Helper()
		b := bytes.Clone(good)
		change(b)
		if e, ok := Next(b, 0); ok {
			t.Errorf("%s: Next = %+v, want ok false", what, e)
		}
		if e, ok := Lookup(b, "a"); ok {
			t.Errorf("%s: Lookup(a) = %+v, want not found", what, e)
		}
		checkLookups(t, b, good, names)
	}
	for i := 0; i < headerSize; i++ {
		damage(fmt.Sprintf("byte %d is g", i), func(b []byte) { b[i] = 'g' })
	}
	damage("crc magic", func(b []byte) { b[5] = '2' })
	damage("namesize 0", func(b []byte) { setField(b, 0, fieldNameSize, 0) })
	damage("namesize past the end", func(b []byte) { setField(b, 0, fieldNameSize, uint32(len(b))) })
	damage("namesize huge", func(b []byte) { setField(b, 0, fieldNameSize, 0xffffffff) })
	damage("name without NUL", func(b []byte) { setField(b, 0, fieldNameSize, 1) })
	damage("NUL inside the name", func(b []byte) { setField(b, 0, fieldNameSize, 3) })
	damage("filesize past the end", func(b []byte) { setField(b, 0, fieldFileSize, uint32(len(b))) })
	damage("filesize huge", func(b []byte) { setField(b, 0, fieldFileSize, 0xffffffff) })

	// Damage to the second record leaves the first readable.
	b := bytes.Clone(good)
	setField(b, second, fieldFileSize, 0xffffffff)
	if _, ok := Next(b, second); ok {
		t.Error("Next read a record with filesize 0xffffffff")
	}
	if e, ok := Lookup(b, "a"); !ok || string(b[e.Data:e.Data+e.Size]) != "data" {
		t.Errorf("Lookup(a) = %+v, %v", e, ok)
	}
	if _, ok := Lookup(b, "bin"); ok {
		t.Error("Lookup(bin) found a directory implied by a damaged record")
	}

	// Lower-case hex digits are accepted.
	lower := bytes.Clone(good)
	copy(lower, bytes.ToLower(lower[:headerSize]))
	setField(lower, 0, fieldMode, 0)
	copy(lower[magicSize+8*fieldMode:], "000081a4")
	if e, ok := Next(lower, 0); !ok || e.Mode != cpio.S_IFREG|0o644 {
		t.Errorf("lower-case header: %+v, %v", e, ok)
	}

	for _, offset := range []uint64{1, 2, second - 1, uint64(len(good)), uint64(len(good)) + 1, 1 << 63, ^uint64(0)} {
		if e, ok := Next(good, offset); ok {
			t.Errorf("Next(good, %d) = %+v", offset, e)
		}
	}
}

func FuzzNext(f *testing.F) {
	f.Add(treeArchive(f))
	f.Add(rawArchive(raw("./x", cpio.S_IFREG, "y")))
	f.Fuzz(func(t *testing.T, archive []byte) {
		names := []string{""}
		for _, e := range walk(t, archive) {
			names = append(names, e.Name)
			if c, _, ok := Child("", e); ok {
				names = append(names, c)
			}
		}
		checkLookups(t, archive, archive, names)
	})
}

func TestNoAllocations(t *testing.T) {
	archive := treeArchive(t)
	var buf [64]byte
	var sink int
	allocs := testing.AllocsPerRun(100, func() {
		for offset := uint64(0); ; {
			e, ok := Next(archive, offset)
			if !ok {
				break
			}
			c, direct, _ := Child("etc", e)
			if direct {
				sink += len(c)
			}
			offset = e.Next
		}
		for _, path := range []string{"/etc/rc", "/etc/../bin", "/", "/missing", "/b"} {
			name, _ := Clean(buf[:], path)
			e, ok := Lookup(archive, name)
			if ok {
				sink += int(e.Size) + len(e.Name)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run, want 0", allocs)
	}
	if sink == 0 {
		t.Error("nothing found")
	}
}
