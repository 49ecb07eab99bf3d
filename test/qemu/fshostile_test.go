package qemu

import (
	"testing"
)

// TestFileSystemHostile runs cmd/fs-hostile, which attacks the file
// system (opening without rights as user 1000, writing through read-only
// opens, bad names straight to the kernel, filling it until ENOSPC,
// removing an open file, two processes renaming the same entries at
// once) and has the kernel check the whole file system after each part
// (fs_check). Every attack gets its errno, nothing is inconsistent, and
// nothing leaks: the frame census balances at the end.
func TestFileSystemHostile(t *testing.T) {
	root := repoRoot(t)
	requireQEMU(t)
	iso := makeISO(t, root, "build/exogo-fshostile.iso", "init=init", nil, []string{"fs-hostile", "poweroff"})
	out := bootAndRun(t, iso, BIOS, 2, "", "fs-hostile")
	expectLines(t, out,
		`fs-hostile: ok: a user opens another's 0600 file: EACCES`,
		`fs-hostile: ok: a user's process gets EACCES and EPERM where it has no rights`,
		`fs-hostile: ok: a write to a read-only descriptor: EBADF`,
		`fs-hostile: ok: fs_open of "a/b" \(3 bytes\) is refused with error 18`,
		`fs-hostile: ok: filling the file system ends with ENOSPC \(after \d+ MiB\)`,
		`fs-hostile: ok: a new file in a full file system: ENOSPC`,
		`fs-hostile: ok: a removed file still takes writes`,
		`fs-hostile: ok: exactly one name is left, with the file's bytes`,
		`fs-hostile: ok: the file system is consistent after two processes renaming at once`,
		`fs-hostile: 0 failures`,
		`init: /bin/fs-hostile \(process \d+\) exited with status 0`,
		censusBalanced)
}
