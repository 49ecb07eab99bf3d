package exo

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedFilesAreCurrent runs the generator into a temporary
// directory and compares every file it writes with the committed one.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator with go run")
	}
	root := filepath.Join("..", "..") // the module root, from kernel/exo
	// The generator runs in a child process, whose reads go test does not
	// see: read its inputs here too, so that a cached result of this test
	// is never reused after the table or the generator changed.
	sources, err := filepath.Glob("internal/gensyscalls/*.go")
	if err != nil || len(sources) == 0 {
		t.Fatalf("the generator's sources: %v", err)
	}
	for _, input := range append(sources, "syscalls.conf") {
		if _, err := os.ReadFile(input); err != nil {
			t.Fatalf("reading the generator's input: %v", err)
		}
	}
	tmp := t.TempDir()
	cmd := exec.Command("go", "run", "./internal/gensyscalls", "-root", tmp, "-table", "syscalls.conf")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gensyscalls failed: %v\n%s", err, out)
	}
	count := 0
	err = filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(tmp, path)
		if err != nil {
			return err
		}
		count++
		want, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Errorf("%s: %v; run go generate ./kernel/exo", filepath.ToSlash(rel), err)
			return nil
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what kernel/exo/syscalls.conf generates; run go generate ./kernel/exo", filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count != 5 {
		t.Errorf("the generator wrote %d files, want 5 (dispatch, libOS stubs, assembly and ABI header, docs)", count)
	}
}
