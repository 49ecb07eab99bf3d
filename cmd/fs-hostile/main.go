// Command fs-hostile attacks the RAM file system as a hostile program
// would, and checks that each attack gets the errno Linux gives and
// leaves the file system consistent (the kernel's fs_check, after each
// part) and usable: opening without rights (as user 1000, in a child),
// writing through a read-only open, bad names passed straight to the
// kernel, filling the file system until ENOSPC, removing an open file,
// two processes renaming the same entries at once. It prints
// "fs-hostile: ok: ..." or "fs-hostile: FAIL: ...", and exits with the
// number of failures. test/qemu's TestFileSystemHostile runs it.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"exogo/libos/exo"
	_ "exogo/libos/linux"
	"exogo/libos/spawn"
)

var failures int

func check(what string, ok bool, detail ...any) {
	if ok {
		fmt.Printf("fs-hostile: ok: %s\n", what)
		return
	}
	failures++
	fmt.Printf("fs-hostile: FAIL: %s: %v\n", what, detail)
}

// consistent asks the kernel to check the whole file system.
func consistent(after string) {
	r := exo.FsCheck()
	check("the file system is consistent after "+after, r == 0, fmt.Sprintf("fs_check %#x", r))
}

const dir = "/tmp/hostile"

func main() {
	if len(os.Args) > 1 {
		os.Exit(child(os.Args[1:]))
	}
	os.RemoveAll(dir)
	must(os.Mkdir(dir, 0o755))
	must(os.WriteFile(dir+"/secret", []byte("secret"), 0o600))
	must(os.WriteFile(dir+"/public", []byte("public"), 0o644))

	status := run("user")
	check("a user's process gets EACCES and EPERM where it has no rights (its own checks above)", status == 0, "status", status)
	consistent("the user's attempts")

	readOnly()
	consistent("writes through read-only opens")

	badNames()
	consistent("bad names")

	removeOpen()
	consistent("removing an open file")

	fill()
	consistent("filling the file system")

	races()
	consistent("two processes renaming at once")

	must(os.RemoveAll(dir))
	consistent("removing everything")
	fmt.Printf("fs-hostile: %d failures\n", failures)
	os.Exit(failures)
}

func must(err error) {
	if err != nil {
		fmt.Printf("fs-hostile: FAIL: %v\n", err)
		os.Exit(100)
	}
}

// run starts this program with args in a child and waits for it.
func run(args ...string) int {
	pid, err := spawn.Start("/bin/fs-hostile", append([]string{"fs-hostile"}, args...), nil)
	if err != nil {
		check("start a child", false, err)
		return -1
	}
	status, err := spawn.Wait(pid)
	if err != nil {
		check("wait for a child", false, err)
		return -1
	}
	return status
}

func child(args []string) int {
	switch args[0] {
	case "user":
		return asUser()
	case "rename":
		return renamer(args[1])
	}
	return 99
}

// asUser runs as user 1000 and tries what it may not do.
func asUser() int {
	if err := syscall.Setuid(1000); err != nil {
		fmt.Printf("fs-hostile: FAIL: setuid(1000): %v\n", err)
		return 1
	}
	check("getuid after setuid(1000)", os.Getuid() == 1000, os.Getuid())
	_, err := os.Open(dir + "/secret")
	check("a user opens another's 0600 file: EACCES", errors.Is(err, syscall.EACCES), err)
	b, err := os.ReadFile(dir + "/public")
	check("a user reads a 0644 file", err == nil && string(b) == "public", err)
	_, err = os.OpenFile(dir+"/public", os.O_WRONLY, 0)
	check("a user opens it for writing: EACCES", errors.Is(err, syscall.EACCES), err)
	err = os.WriteFile(dir+"/mine", nil, 0o644)
	check("a user creates a file in root's 0755 directory: EACCES", errors.Is(err, syscall.EACCES), err)
	err = os.Remove(dir + "/public")
	check("a user removes root's file there: EACCES", errors.Is(err, syscall.EACCES), err)
	err = os.Rename(dir+"/public", "/tmp/stolen")
	check("a user renames it away: EACCES", errors.Is(err, syscall.EACCES), err)
	err = os.Chmod(dir+"/public", 0o666)
	check("a user chmods root's file: EPERM", errors.Is(err, syscall.EPERM), err)
	err = os.Chown(dir+"/public", 1000, 1000)
	check("a user chowns root's file: EPERM", errors.Is(err, syscall.EPERM), err)
	err = syscall.Setuid(0)
	check("a user becomes root again: EPERM", errors.Is(err, syscall.EPERM), err)
	err = os.WriteFile("/tmp/fs-hostile-user", []byte("x"), 0o600)
	check("a user writes in the sticky /tmp", err == nil, err)
	os.Remove("/tmp/fs-hostile-user")
	return failures
}

// readOnly writes through read-only opens and mappings.
func readOnly() {
	f, err := os.Open(dir + "/public")
	must(err)
	_, err = f.Write([]byte("x"))
	check("a write to a read-only descriptor: EBADF", errors.Is(err, syscall.EBADF), err)
	err = f.Truncate(0)
	check("ftruncate of a read-only descriptor: EINVAL", errors.Is(err, syscall.EINVAL), err)
	_, err = syscall.Mmap(int(f.Fd()), 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	check("a writable shared mapping of a read-only descriptor: EACCES", errors.Is(err, syscall.EACCES), err)
	f.Close()
	b, _ := os.ReadFile(dir + "/public")
	check("the file is unchanged", string(b) == "public", string(b))
}

// The kernel's calls made straight, with a link of the root directory at
// an address of this program's own.
const rootAt = 0x6000_0000_0000

func badNames() {
	if r := exo.FsRoot(rootAt); r < 0 {
		check("fs_root", false, r)
		return
	}
	defer exo.SegmentUnlink(rootAt, exo.LevelPD)
	var name [256]byte
	call := func(s string) int64 {
		clear(name[:])
		copy(name[:], s)
		return exo.FsOpen(rootAt, uintptr(unsafe.Pointer(&name[0])), exo.OpenFlagsCreate|exo.OpenFlagsWrite, 0o644, rootAt+1<<30)
	}
	for _, c := range []struct {
		name string
		want int64
	}{
		{"a/b", exo.ErrBadName}, {"..", exo.ErrBadName}, {".", exo.ErrBadName}, {"", exo.ErrBadName},
		{"/", exo.ErrBadName}, {strings.Repeat("n", 256), exo.ErrNameTooLong},
	} {
		r := call(c.name)
		check(fmt.Sprintf("fs_open of %q (%d bytes) is refused with error %d", c.name[:min(len(c.name), 8)], len(c.name), c.want), r == -c.want, r)
		if r >= 0 {
			exo.SegmentUnlink(rootAt+1<<30, exo.LevelPD)
		}
	}
	r := exo.FsOpen(rootAt, 0x1000_0000, exo.OpenFlagsCreate, 0o644, rootAt+1<<30)
	check("fs_open with a name at an unmapped address: EXO_BAD_ADDRESS", r == -exo.ErrBadAddress, r)
	r = exo.FsOpen(rootAt+4096, uintptr(unsafe.Pointer(&name[0])), 0, 0, rootAt+1<<30)
	check("fs_open in a directory named by a wrong address: EXO_MISALIGNED", r == -exo.ErrMisaligned, r)
	r = exo.FsOpen(0x6100_0000_0000, uintptr(unsafe.Pointer(&name[0])), 0, 0, rootAt+1<<30)
	check("fs_open in a directory that is not linked: EXO_NO_SUCH_OBJECT", r == -exo.ErrNoSuchObject, r)
	copy(name[:], "tmp\x00")
	r = exo.FsOpen(rootAt, uintptr(unsafe.Pointer(&name[0])), exo.OpenFlagsWrite, 0, rootAt+1<<30)
	check("fs_open of a directory for writing: EXO_IS_DIRECTORY", r == -exo.ErrIsDirectory, r)
	r = exo.FsResize(rootAt, 0, 0)
	check("fs_resize of the root linked read-only: EXO_NO_RIGHT", r == -exo.ErrNoRight, r)
	r = exo.FsResize(rootAt, 0, exo.ResizeFlagsGrow|exo.ResizeFlagsExtend)
	check("fs_resize with both Grow and Extend: EXO_BAD_ARGUMENT", r == -exo.ErrBadArgument, r)
	r = exo.FsResize(rootAt, 0, 4)
	check("fs_resize with an unknown flag: EXO_BAD_ARGUMENT", r == -exo.ErrBadArgument, r)
	r = exo.FsRemove(rootAt, uintptr(unsafe.Pointer(&name[0])), 0)
	check("fs_remove of a directory without the flag: EXO_IS_DIRECTORY", r == -exo.ErrIsDirectory, r)
	r = exo.FsFifoPeer(rootAt, rootAt+1<<30, 0)
	check("fs_fifo_peer of a directory: EXO_BAD_ARGUMENT", r == -exo.ErrBadArgument, r)
	r = exo.FsFifoPeer(0x6100_0000_0000, rootAt+1<<30, 0)
	check("fs_fifo_peer of nothing linked: EXO_NO_SUCH_OBJECT", r == -exo.ErrNoSuchObject, r)
	copy(name[:], "fifo\x00")
	r = exo.FsMake(rootAt, uintptr(unsafe.Pointer(&name[0])), 0o010644, 2<<20)
	check("fs_make of a FIFO longer than MaxPipeLength: EXO_TOO_BIG", r == -exo.ErrTooBig, r)
	r = exo.FsMake(rootAt, uintptr(unsafe.Pointer(&name[0])), 1<<20|0o010644, 4096)
	check("fs_make of a FIFO with a bit past its type: EXO_BAD_ARGUMENT", r == -exo.ErrBadArgument, r)
	_, err := os.Create(dir + "/" + strings.Repeat("x", 256))
	check("os.Create of a 256-byte name: ENAMETOOLONG", errors.Is(err, syscall.ENAMETOOLONG), err)
	_, err = os.Create(dir + "/a\x00b")
	check("a name with a NUL is refused", err != nil, err)
}

// removeOpen removes a file while it is open, and keeps using it.
func removeOpen() {
	f, err := os.Create(dir + "/open")
	must(err)
	_, err = f.Write(bytes.Repeat([]byte("o"), 10000))
	must(err)
	must(os.Remove(dir + "/open"))
	_, err = os.Stat(dir + "/open")
	check("a removed file's name is gone", errors.Is(err, os.ErrNotExist), err)
	_, err = f.WriteAt([]byte("p"), 20000)
	check("a removed file still takes writes", err == nil, err)
	b := make([]byte, 20001)
	n, err := f.ReadAt(b, 0)
	check("and reads", (err == nil || err == io.EOF) && n == 20001 && b[0] == 'o' && b[20000] == 'p', n, err)
	info, err := f.Stat()
	check("fstat of a removed file: no links", err == nil && info.Sys().(*syscall.Stat_t).Nlink == 0, err)
	f.Close()
}

// fill writes a file until the file system is full.
func fill() {
	f, err := os.Create(dir + "/fill")
	must(err)
	chunk := make([]byte, 1<<20)
	var total int64
	for {
		_, err = f.Write(chunk)
		if err != nil {
			break
		}
		total += int64(len(chunk))
	}
	check(fmt.Sprintf("filling the file system ends with ENOSPC (after %d MiB)", total>>20), errors.Is(err, syscall.ENOSPC), err)
	for err == nil || errors.Is(err, syscall.ENOSPC) && len(chunk) > 4096 {
		if err != nil {
			chunk = chunk[:len(chunk)/2] // the last frames, by smaller writes
		}
		_, err = f.Write(chunk)
	}
	err = os.WriteFile(dir+"/one-more", []byte("x"), 0o644)
	check("a new file in a full file system: ENOSPC", errors.Is(err, syscall.ENOSPC), err)
	f.Close()
	must(os.Remove(dir + "/fill"))
	err = os.WriteFile(dir+"/after", []byte("after"), 0o644)
	b, rerr := os.ReadFile(dir + "/after")
	check("after removing the big file, files can be made again", err == nil && rerr == nil && string(b) == "after", err, rerr)
}

// races has two children rename the same entries back and forth at once.
func races() {
	must(os.WriteFile(dir+"/race-a", []byte("racer"), 0o644))
	var pids []int
	for i := 0; i < 2; i++ {
		pid, err := spawn.Start("/bin/fs-hostile", []string{"fs-hostile", "rename", strconv.Itoa(i)}, nil)
		must(err)
		pids = append(pids, pid)
	}
	for _, pid := range pids {
		status, err := spawn.Wait(pid)
		check("a renamer saw only success or ENOENT", err == nil && status == 0, status, err)
	}
	a, aerr := os.ReadFile(dir + "/race-a")
	b, berr := os.ReadFile(dir + "/race-b")
	check("exactly one name is left, with the file's bytes", (aerr == nil) != (berr == nil) && string(a)+string(b) == "racer", aerr, berr)
}

// renamer renames race-a to race-b and back 300 times.
func renamer(which string) int {
	bad := 0
	for i := 0; i < 300; i++ {
		for _, p := range [][2]string{{"race-a", "race-b"}, {"race-b", "race-a"}} {
			if err := os.Rename(dir+"/"+p[0], dir+"/"+p[1]); err != nil && !errors.Is(err, os.ErrNotExist) {
				fmt.Printf("fs-hostile: renamer %s: %v\n", which, err)
				bad++
			}
		}
	}
	return bad
}
