package qemu

import (
	"path/filepath"
	"testing"
)

// TestFiles runs testdata/files, an ordinary Go program built for Linux,
// against the RAM file system (kernel/fs, libos/linux's fsys.go): files
// made, written, read, sought, truncated, renamed, linked and removed;
// directories listed and walked; symbolic links; the errors Linux gives;
// the devices. Afterwards the file system holds what it held before (the
// program removes its directory), and the frame census balances.
func TestFiles(t *testing.T) {
	root := repoRoot(t)
	requireQEMU(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "files")
	goCommand(t, root, root, "build", "-o", bin, "./test/qemu/testdata/files")
	iso := makeISO(t, root, "build/exogo-files.iso", "init=init", []string{bin}, []string{"files", "poweroff"})
	out := bootAndRun(t, iso, BIOS, 2, "", "the file system program")
	expectLines(t, out,
		`exogo: file system: \d+ files \(\d+ KiB\) from the boot module in [\d.]+ ms`,
		`files: walk, getwd, chdir: ok`,
		`files: trailing slashes: ok`,
		`files: all ok`,
		`init: /bin/files \(process \d+\) exited with status 0`,
		censusBalanced)
}
