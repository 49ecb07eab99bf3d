package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/u-root/u-root/pkg/cpio"
)

// archivedFile is what the tests compare of one cpio record.
type archivedFile struct {
	Name     string
	Mode     uint64
	Contents string
	MTime    uint64
}

// readArchive reads a newc archive with u-root's reader.
func readArchive(t *testing.T, data []byte) []archivedFile {
	t.Helper()
	records, err := cpio.ReadAllRecords(cpio.Newc.Reader(bytes.NewReader(data)))
	if err != nil {
		t.Fatalf("reading the archive back: %v", err)
	}
	var files []archivedFile
	for _, r := range records {
		var contents []byte
		if r.ReaderAt != nil {
			contents, err = io.ReadAll(io.NewSectionReader(r.ReaderAt, 0, int64(r.FileSize)))
			if err != nil {
				t.Fatalf("reading %s: %v", r.Name, err)
			}
		}
		files = append(files, archivedFile{Name: r.Name, Mode: r.Mode, Contents: string(contents), MTime: r.MTime})
	}
	return files
}

func writeFile(t *testing.T, path, contents string, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(contents), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

func TestWriteInitrdRoundTrip(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "bin/hello"), "\x7fELF program", 0o775)
	writeFile(t, filepath.Join(dir, "etc/motd"), "welcome to exogo\n", 0o600)
	writeFile(t, filepath.Join(dir, "a.txt"), "", 0o644)
	if err := os.Symlink("bin/hello", filepath.Join(dir, "init")); err != nil {
		t.Fatal(err)
	}
	// A modification time that must not leak into the archive.
	if err := os.Chtimes(filepath.Join(dir, "etc/motd"), time1, time1); err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	n, err := WriteInitrd(&buf, dir)
	if err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Errorf("WriteInitrd wrote %d records, want 6", n)
	}
	got := readArchive(t, buf.Bytes())
	want := []archivedFile{
		{Name: "a.txt", Mode: cpio.S_IFREG | 0o644},
		{Name: "bin", Mode: cpio.S_IFDIR | 0o755},
		{Name: "bin/hello", Mode: cpio.S_IFREG | 0o755, Contents: "\x7fELF program"},
		{Name: "etc", Mode: cpio.S_IFDIR | 0o755},
		{Name: "etc/motd", Mode: cpio.S_IFREG | 0o644, Contents: "welcome to exogo\n"},
		{Name: "init", Mode: cpio.S_IFLNK | 0o777, Contents: "bin/hello"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("archive mismatch (-want +got):\n%s", diff)
	}
	checkTrailer(t, buf.Bytes())

	var again bytes.Buffer
	if _, err := WriteInitrd(&again, dir); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("packing the same tree twice gave different archives")
	}
}

var time1 = mustTime("2001-02-03T04:05:06Z")

func TestWriteInitrdEmpty(t *testing.T) {
	for name, dir := range map[string]string{
		"empty dir":   t.TempDir(),
		"missing dir": filepath.Join(t.TempDir(), "absent"),
		"no dir":      "",
	} {
		var buf bytes.Buffer
		n, err := WriteInitrd(&buf, dir)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n != 0 {
			t.Errorf("%s: %d records, want 0", name, n)
		}
		if got := readArchive(t, buf.Bytes()); len(got) != 0 {
			t.Errorf("%s: archive holds %v, want no entries", name, got)
		}
		// newc header (110 bytes) + "TRAILER!!!\x00" padded to 4 bytes.
		if buf.Len() != 124 {
			t.Errorf("%s: empty archive is %d bytes, want 124", name, buf.Len())
		}
		checkTrailer(t, buf.Bytes())
	}
}

// checkTrailer checks that data is a newc archive ending with the trailer
// record, padded to 4 bytes.
func checkTrailer(t *testing.T, data []byte) {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("070701")) {
		t.Errorf("archive does not start with the newc magic: %q", data[:min(len(data), 6)])
	}
	trailer := []byte(cpio.Trailer + "\x00")
	i := bytes.LastIndex(data, trailer)
	if i < 0 || len(data)-(i+len(trailer)) > 3 || len(data)%4 != 0 {
		t.Errorf("archive does not end with a padded %s record", cpio.Trailer)
	}
}

func TestWriteInitrdRejectsSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink("x", filepath.Join(dir, "ok-link")); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "pipe")
	if err := mkfifo(fifo); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	if _, err := WriteInitrd(io.Discard, dir); err == nil {
		t.Error("WriteInitrd packed a FIFO")
	}
}

// TestWriteInitrdExtras: EXTRA_BIN and RC files join the tree's, replace a
// same-named record, bring the directories they need, and a name leaving
// the archive or a directory as an extra is refused.
func TestWriteInitrdExtras(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "bin/hello"), "old hello", 0o755)
	host := t.TempDir()
	writeFile(t, filepath.Join(host, "hello"), "new hello", 0o755)
	writeFile(t, filepath.Join(host, "x.test"), "a test binary", 0o755)
	writeFile(t, filepath.Join(host, "rc"), "/bin/hello\n", 0o644)

	var buf bytes.Buffer
	_, err := WriteInitrd(&buf, dir,
		Extra{Name: "bin/hello", Path: filepath.Join(host, "hello")},
		Extra{Name: "bin/x.test", Path: filepath.Join(host, "x.test")},
		Extra{Name: "etc/rc", Path: filepath.Join(host, "rc")})
	if err != nil {
		t.Fatal(err)
	}
	got := readArchive(t, buf.Bytes())
	want := []archivedFile{
		{Name: "bin", Mode: cpio.S_IFDIR | 0o755},
		{Name: "bin/hello", Mode: cpio.S_IFREG | 0o755, Contents: "new hello"},
		{Name: "bin/x.test", Mode: cpio.S_IFREG | 0o755, Contents: "a test binary"},
		{Name: "etc", Mode: cpio.S_IFDIR | 0o755},
		{Name: "etc/rc", Mode: cpio.S_IFREG | 0o644, Contents: "/bin/hello\n"},
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b archivedFile) bool { return a.Name < b.Name })); diff != "" {
		t.Errorf("archive mismatch (-want +got):\n%s", diff)
	}
	for _, bad := range []Extra{
		{Name: "../escape", Path: filepath.Join(host, "rc")},
		{Name: "bin/dir", Path: host},
		{Name: "bin/missing", Path: filepath.Join(host, "missing")},
	} {
		if _, err := WriteInitrd(io.Discard, dir, bad); err == nil {
			t.Errorf("extra %+v was accepted", bad)
		}
	}
}

// TestTreeExtras: EXTRA_TREE copies a host directory's files and symbolic
// links into the archive, at its root or below a destination.
func TestTreeExtras(t *testing.T) {
	host := t.TempDir()
	writeFile(t, filepath.Join(host, "testdata/basic.dat"), "data", 0o644)
	writeFile(t, filepath.Join(host, "example_test.go"), "package x", 0o644)
	if err := os.Mkdir(filepath.Join(host, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("basic.dat", filepath.Join(host, "testdata/link")); err != nil {
		t.Fatal(err)
	}
	extras, err := TreeExtras(host, "src/x")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := WriteInitrd(&buf, "", extras...); err != nil {
		t.Fatal(err)
	}
	got := readArchive(t, buf.Bytes())
	want := []archivedFile{
		{Name: "src", Mode: cpio.S_IFDIR | 0o755},
		{Name: "src/x", Mode: cpio.S_IFDIR | 0o755},
		{Name: "src/x/empty", Mode: cpio.S_IFDIR | 0o755},
		{Name: "src/x/example_test.go", Mode: cpio.S_IFREG | 0o644, Contents: "package x"},
		{Name: "src/x/testdata", Mode: cpio.S_IFDIR | 0o755},
		{Name: "src/x/testdata/basic.dat", Mode: cpio.S_IFREG | 0o644, Contents: "data"},
		{Name: "src/x/testdata/link", Mode: cpio.S_IFLNK | 0o777, Contents: "basic.dat"},
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b archivedFile) bool { return a.Name < b.Name })); diff != "" {
		t.Errorf("archive mismatch (-want +got):\n%s", diff)
	}
}
