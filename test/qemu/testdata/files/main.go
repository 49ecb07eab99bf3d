// Command files exercises the RAM file system through the os package, as
// an ordinary Go program built for Linux (no exogo import): each check
// prints "files: <what>: ok", or "files: FAIL <what>: <why>" and the
// program exits with status 1 at the end. test/qemu's TestFiles runs it.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"unsafe"
)

var failed bool

func check(what string, err error) {
	if err != nil {
		failed = true
		fmt.Printf("files: FAIL %s: %v\n", what, err)
		return
	}
	fmt.Printf("files: %s: ok\n", what)
}

func want(cond bool, format string, args ...any) error {
	if cond {
		return nil
	}
	return fmt.Errorf(format, args...)
}

func main() {
	check("read /etc/rc", func() error {
		b, err := os.ReadFile("/etc/rc")
		if err != nil {
			return err
		}
		return want(len(b) > 0, "empty")
	}())
	dir, err := os.MkdirTemp("", "files-")
	check("MkdirTemp", err)
	check("create, write, read back", func() error {
		name := filepath.Join(dir, "a")
		if err := os.WriteFile(name, []byte("hello, file\n"), 0o644); err != nil {
			return err
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		return want(string(b) == "hello, file\n", "read %q", b)
	}())
	check("seek, read at, append, truncate", func() error {
		f, err := os.OpenFile(filepath.Join(dir, "b"), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		big := bytes.Repeat([]byte("0123456789"), 1000) // across pages
		if _, err := f.Write(big); err != nil {
			return err
		}
		if _, err := f.Seek(5000, io.SeekStart); err != nil {
			return err
		}
		buf := make([]byte, 10)
		if _, err := io.ReadFull(f, buf); err != nil || string(buf) != "0123456789" {
			return fmt.Errorf("read after seek: %q %v", buf, err)
		}
		if _, err := f.ReadAt(buf, 9995); err != io.EOF || string(buf[:5]) != "56789" {
			return fmt.Errorf("ReadAt at the end: %q %v", buf, err)
		}
		if err := f.Truncate(3); err != nil {
			return err
		}
		if _, err := f.WriteAt([]byte("xy"), 10); err != nil {
			return err
		}
		b, _ := os.ReadFile(f.Name())
		if string(b) != "012\x00\x00\x00\x00\x00\x00\x00xy" {
			return fmt.Errorf("after truncate and write at 10: %q", b)
		}
		g, err := os.OpenFile(f.Name(), os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return err
		}
		g.WriteString("!")
		g.Close()
		info, err := os.Stat(f.Name())
		if err != nil {
			return err
		}
		return want(info.Size() == 13 && info.Mode().Perm() == 0o600, "stat: size %d mode %v", info.Size(), info.Mode())
	}())
	check("mkdir, readdir, rename, remove", func() error {
		sub := filepath.Join(dir, "sub")
		if err := os.MkdirAll(filepath.Join(sub, "deeper", "deepest"), 0o755); err != nil {
			return err
		}
		for _, n := range []string{"z", "y", "x"} {
			if err := os.WriteFile(filepath.Join(sub, n), nil, 0o644); err != nil {
				return err
			}
		}
		entries, err := os.ReadDir(sub)
		if err != nil {
			return err
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if strings.Join(names, " ") != "deeper x y z" {
			return fmt.Errorf("ReadDir: %v", names)
		}
		if err := os.Rename(filepath.Join(sub, "x"), filepath.Join(dir, "x-moved")); err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(sub, "x")); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("the old name: %v", err)
		}
		if err := os.Remove(sub); !errors.Is(err, syscall.ENOTEMPTY) {
			return fmt.Errorf("remove a full directory: %v", err)
		}
		return os.RemoveAll(sub)
	}())
	check("symlink, readlink, lstat, chmod", func() error {
		link := filepath.Join(dir, "link")
		if err := os.Symlink("a", link); err != nil {
			return err
		}
		target, err := os.Readlink(link)
		if err != nil || target != "a" {
			return fmt.Errorf("readlink: %q %v", target, err)
		}
		b, err := os.ReadFile(link)
		if err != nil || string(b) != "hello, file\n" {
			return fmt.Errorf("read through the link: %q %v", b, err)
		}
		info, err := os.Lstat(link)
		if err != nil || info.Mode()&fs.ModeSymlink == 0 {
			return fmt.Errorf("lstat: %v %v", info, err)
		}
		if err := os.Chmod(filepath.Join(dir, "a"), 0o400); err != nil {
			return err
		}
		info, err = os.Stat(link)
		return want(err == nil && info.Mode().Perm() == 0o400, "stat after chmod: %v %v", info, err)
	}())
	check("errors", func() error {
		if _, err := os.Open(filepath.Join(dir, "nothing")); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("open a missing file: %v", err)
		}
		if err := os.Mkdir(dir, 0o755); !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("mkdir an existing directory: %v", err)
		}
		if _, err := os.Open(filepath.Join(dir, "a", "b")); !errors.Is(err, syscall.ENOTDIR) {
			return fmt.Errorf("a file as a directory: %v", err)
		}
		if _, err := os.OpenFile(dir, os.O_WRONLY, 0); !errors.Is(err, syscall.EISDIR) {
			return fmt.Errorf("write a directory: %v", err)
		}
		if err := os.Symlink("loop", filepath.Join(dir, "loop")); err != nil {
			return err
		}
		if _, err := os.Open(filepath.Join(dir, "loop")); !errors.Is(err, syscall.ELOOP) {
			return fmt.Errorf("a link to itself: %v", err)
		}
		long := strings.Repeat("n", 256)
		if err := os.WriteFile(filepath.Join(dir, long), nil, 0o644); !errors.Is(err, syscall.ENAMETOOLONG) {
			return fmt.Errorf("a 256-byte name: %v", err)
		}
		return nil
	}())
	check("walk, getwd, chdir", func() error {
		var seen []string
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			seen = append(seen, rel)
			return nil
		})
		if err != nil {
			return err
		}
		sort.Strings(seen)
		if strings.Join(seen, " ") != ". a b link loop x-moved" {
			return fmt.Errorf("walk: %v", seen)
		}
		if err := os.Chdir(dir); err != nil {
			return err
		}
		wd, err := os.Getwd()
		if err != nil || wd != dir {
			return fmt.Errorf("getwd: %q %v, want %q", wd, err, dir)
		}
		b, err := os.ReadFile("x-moved")
		return want(err == nil && len(b) == 0, "a relative path: %q %v", b, err)
	}())
	check("devices", func() error {
		if n, err := io.Copy(io.Discard, io.LimitReader(must(os.Open("/dev/zero")), 1<<20)); n != 1<<20 || err != nil {
			return fmt.Errorf("/dev/zero: %d %v", n, err)
		}
		b := make([]byte, 16)
		if _, err := io.ReadFull(must(os.Open("/dev/urandom")), b); err != nil || bytes.Equal(b, make([]byte, 16)) {
			return fmt.Errorf("/dev/urandom: %x %v", b, err)
		}
		null := must(os.OpenFile("/dev/null", os.O_WRONLY, 0))
		if n, err := null.WriteString("gone"); n != 4 || err != nil {
			return fmt.Errorf("/dev/null: %d %v", n, err)
		}
		return nil
	}())
	check("mmap", func() error {
		name := filepath.Join(dir, "mapped")
		content := bytes.Repeat([]byte("mapped!"), 1000)
		if err := os.WriteFile(name, content, 0o644); err != nil {
			return err
		}
		f, err := os.OpenFile(name, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		shared, err := syscall.Mmap(int(f.Fd()), 0, len(content), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
		if err != nil {
			return fmt.Errorf("shared: %v", err)
		}
		if !bytes.Equal(shared, content) {
			return fmt.Errorf("the shared mapping holds %q...", shared[:16])
		}
		copy(shared, "MAPPED")
		if b, _ := os.ReadFile(name); string(b[:7]) != "MAPPED!" {
			return fmt.Errorf("a store through the mapping is not in the file: %q", b[:7])
		}
		// The mapping's bytes can be written elsewhere directly.
		if err := os.WriteFile(name+".copy", shared[:7], 0o644); err != nil {
			return fmt.Errorf("write from the mapping: %v", err)
		}
		private, err := syscall.Mmap(int(f.Fd()), 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
		if err != nil {
			return fmt.Errorf("private: %v", err)
		}
		copy(private, "privat")
		if b, _ := os.ReadFile(name); string(b[:6]) != "MAPPED" {
			return fmt.Errorf("a store to a private mapping reached the file: %q", b[:6])
		}
		for _, m := range [][]byte{shared, private} {
			if err := syscall.Munmap(m); err != nil {
				return err
			}
		}
		return nil
	}())
	check("trailing slashes", trailingSlashes(dir))
	check("CreateTemp and RemoveAll", func() error {
		f, err := os.CreateTemp(dir, "temp-*.txt")
		if err != nil {
			return err
		}
		f.Close()
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		_, err = os.Stat(dir)
		return want(errors.Is(err, fs.ErrNotExist), "after RemoveAll: %v", err)
	}())
	if failed {
		os.Exit(1)
	}
	fmt.Println("files: all ok")
}

func must(f *os.File, err error) *os.File {
	if err != nil {
		fmt.Printf("files: FAIL %v\n", err)
		os.Exit(1)
	}
	return f
}

// trailingSlashes checks what Linux does with a '/' after a path's last
// component, in a fresh tree for each call: a file f, a directory d, and
// symbolic links sd (to d), sf (to f) and dang (to nothing). A name to
// make or remove is not followed through a link even with the slash
// (rmdir("sd/") must not remove d); open with O_CREAT is EISDIR.
func trailingSlashes(parent string) error {
	const (
		ok     = syscall.Errno(0)
		exist  = syscall.EEXIST
		noent  = syscall.ENOENT
		notdir = syscall.ENOTDIR
		isdir  = syscall.EISDIR
	)
	ops := []struct {
		name string
		do   func(p string) error
		want [6]syscall.Errno // absent/ f/ d/ sd/ sf/ dang/
	}{
		{"creat", func(p string) error { return closeFD(syscall.Open(p, syscall.O_CREAT|syscall.O_WRONLY, 0o644)) },
			[6]syscall.Errno{isdir, isdir, isdir, isdir, isdir, isdir}},
		{"creat excl", func(p string) error {
			return closeFD(syscall.Open(p, syscall.O_CREAT|syscall.O_EXCL|syscall.O_WRONLY, 0o644))
		}, [6]syscall.Errno{isdir, isdir, isdir, isdir, isdir, isdir}},
		{"open", func(p string) error { return closeFD(syscall.Open(p, syscall.O_RDONLY, 0)) },
			[6]syscall.Errno{noent, notdir, ok, ok, notdir, noent}},
		{"mkdir", func(p string) error { return syscall.Mkdir(p, 0o755) },
			[6]syscall.Errno{ok, exist, exist, exist, exist, exist}},
		{"symlink", func(p string) error { return syscall.Symlink("x", p) },
			[6]syscall.Errno{noent, exist, exist, exist, exist, exist}},
		{"link", func(p string) error { return syscall.Link("f", p) },
			[6]syscall.Errno{noent, exist, exist, exist, exist, exist}},
		{"unlink", func(p string) error { return syscall.Unlink(p) },
			[6]syscall.Errno{noent, notdir, isdir, notdir, notdir, notdir}},
		{"rmdir", func(p string) error { return syscall.Rmdir(p) },
			[6]syscall.Errno{noent, notdir, ok, notdir, notdir, notdir}},
		{"lstat", func(p string) error { var st syscall.Stat_t; return syscall.Lstat(p, &st) },
			[6]syscall.Errno{noent, notdir, ok, ok, notdir, noent}},
		{"rename f to", func(p string) error { return syscall.Rename("f", p) },
			[6]syscall.Errno{notdir, notdir, notdir, notdir, notdir, notdir}},
		{"rename d to", func(p string) error { return syscall.Rename("d2", p) },
			[6]syscall.Errno{ok, notdir, ok, notdir, notdir, notdir}},
		{"rename f noreplace to", func(p string) error { return renameNoReplace("f", p) },
			[6]syscall.Errno{notdir, exist, exist, exist, exist, exist}},
	}
	tree := filepath.Join(parent, "slashes")
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	defer os.Chdir(wd)
	for _, op := range ops {
		for i, name := range []string{"absent", "f", "d", "sd", "sf", "dang"} {
			os.RemoveAll(tree)
			if err := os.Mkdir(tree, 0o755); err != nil {
				return err
			}
			if err := os.Chdir(tree); err != nil {
				return err
			}
			os.WriteFile("f", nil, 0o644)
			os.Mkdir("d", 0o755)
			os.Mkdir("d2", 0o755)
			os.Symlink("d", "sd")
			os.Symlink("f", "sf")
			os.Symlink("nothing", "dang")
			got := ok
			if err := op.do(name + "/"); err != nil && !errors.As(err, &got) {
				return fmt.Errorf("%s %s/: %v", op.name, name, err)
			}
			if got != op.want[i] {
				return fmt.Errorf("%s %s/: %v, want %v", op.name, name, errText(got), errText(op.want[i]))
			}
			if _, err := os.Stat("d"); err != nil && !(op.want[i] == ok && name == "d") {
				return fmt.Errorf("%s %s/: d is gone (%v)", op.name, name, err)
			}
		}
	}
	return os.RemoveAll(tree)
}

// renameNoReplace is renameat2 with RENAME_NOREPLACE.
func renameNoReplace(from, to string) error {
	f, err := syscall.BytePtrFromString(from)
	if err != nil {
		return err
	}
	t, err := syscall.BytePtrFromString(to)
	if err != nil {
		return err
	}
	const renameat2, atFdcwd, noReplace = 316, -100, 1
	fd := atFdcwd
	_, _, errno := syscall.Syscall6(renameat2, uintptr(fd), uintptr(unsafe.Pointer(f)), uintptr(fd), uintptr(unsafe.Pointer(t)), noReplace, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

func closeFD(fd int, err error) error {
	if err == nil {
		syscall.Close(fd)
	}
	return err
}

func errText(e syscall.Errno) string {
	if e == 0 {
		return "success"
	}
	return e.Error()
}
