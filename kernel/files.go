package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/u-root/u-root/pkg/cpio"

	"exogo/kernel/exo"
	"exogo/kernel/fs"
	"exogo/kernel/memory"
	"exogo/kernel/physmem"
	"exogo/kernel/timer"
)

// The RAM file system's first contents: a standard tree, the devices the
// libOS serves, and everything in the boot module's cpio archive (/bin,
// /etc, and what make iso EXTRA_TREE adds), copied into files.

// standardDirs are made first (the archive may hold them too: then its
// modes win).
var standardDirs = []struct {
	path     string
	mode     uint32
	uid, gid uint32
}{
	{"bin", 0o755, 0, 0}, {"dev", 0o755, 0, 0}, {"etc", 0o755, 0, 0}, {"home", 0o755, 0, 0},
	{"home/user", 0o755, 1000, 1000}, // the ordinary user of rootfs/etc/passwd
	{"lib", 0o755, 0, 0}, {"root", 0o700, 0, 0}, {"tmp", 0o1777, 0, 0}, {"usr/bin", 0o755, 0, 0},
	{"var/tmp", 0o1777, 0, 0}, {"proc", 0o555, 0, 0},
}

// devices are character devices the libOS serves (the kernel only names
// them): Linux's numbers, major << 8 | minor.
var devices = []struct {
	name   string
	number uint32
	mode   uint32
}{
	{"null", 1<<8 | 3, 0o666}, {"zero", 1<<8 | 5, 0o666}, {"random", 1<<8 | 8, 0o666},
	{"urandom", 1<<8 | 9, 0o666}, {"tty", 5<<8 | 0, 0o666}, {"console", 5<<8 | 1, 0o620},
}

// bootRecord is a record of a boot module's archive, and the module's
// bytes.
type bootRecord struct {
	cpio.Record
	module []byte
}

// contents returns the bytes of a regular file's record: where they are
// in the module, without a copy.
func (r bootRecord) contents() ([]byte, bool) {
	s, ok := r.ReaderAt.(*io.SectionReader)
	if !ok {
		return nil, false
	}
	_, offset, n := s.Outer()
	if offset < 0 || n < 0 || uint64(n) != r.FileSize || offset+n > int64(len(r.module)) {
		return nil, false
	}
	return r.module[offset : offset+n], true
}

// loadFiles makes the file system, which may hold half of the frames free
// now, and fills it. A file that does not fit is reported and skipped.
func loadFiles(records []bootRecord) {
	start := timer.Nanotime()
	budget := memory.Frames.FreeFrames() / 2
	if !exo.InitFiles(uint32(budget)) {
		fmt.Println("exogo: cannot make the file system's root directory: out of memory")
		return
	}
	f, mem, now := exo.Files(), exo.FilesMemory(), timer.WallClock()
	for _, d := range standardDirs {
		if id, err := mkdirAll(d.path, d.mode); err == nil && d.uid != 0 {
			f.Chown(mem, fs.Cred{}, id, d.uid, d.gid, now)
		}
	}
	if dev, err := mkdirAll("dev", 0o755); err == nil {
		for _, d := range devices {
			if _, s := f.Make(mem, fs.Cred{}, dev, []byte(d.name), fs.TypeChar|d.mode, d.number, nil, now); s != fs.OK {
				fmt.Printf("exogo: file system: cannot make /dev/%s: %v\n", d.name, s)
			}
		}
	}
	var count int
	var bytes uint64
	for _, r := range records {
		name := strings.Trim(r.Name, "/")
		name = strings.TrimPrefix(name, "./")
		if name == "" || name == "." || name == cpio.Trailer {
			continue
		}
		dirName, base := "", name
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			dirName, base = name[:i], name[i+1:]
		}
		dir, err := mkdirAll(dirName, 0o755)
		if err != nil {
			fmt.Printf("exogo: file system: cannot make /%s for /%s: %v\n", dirName, name, err)
			continue
		}
		perm := uint32(r.Mode) & fs.PermMask
		var id uint32
		var s fs.Status
		switch r.Mode & cpio.S_IFMT {
		case cpio.S_IFDIR:
			if id, s = f.Lookup(mem, fs.Cred{}, dir, []byte(base)); s == fs.OK {
				s = f.Chmod(mem, fs.Cred{}, id, perm, now)
			} else {
				id, s = f.Make(mem, fs.Cred{}, dir, []byte(base), fs.TypeDir|perm, 0, nil, now)
			}
		case cpio.S_IFLNK:
			target := make([]byte, r.FileSize)
			if _, err := r.ReadAt(target, 0); err != nil && err != io.EOF {
				fmt.Printf("exogo: file system: cannot read /%s: %v\n", name, err)
				continue
			}
			id, s = f.Make(mem, fs.Cred{}, dir, []byte(base), fs.TypeSymlink, 0, target, now)
		case cpio.S_IFREG:
			data, ok := r.contents()
			if !ok {
				fmt.Printf("exogo: file system: cannot find the bytes of /%s in the module\n", name)
				continue
			}
			id, _, s = f.Open(mem, fs.Cred{}, dir, []byte(base), fs.OpenWrite|fs.OpenCreate|fs.OpenTruncate, perm, now)
			if s == fs.OK {
				s = f.Load(mem, id, data, now)
			}
			bytes += r.FileSize
			count++
		default:
			continue // devices and pipes in an archive are not copied
		}
		if s == fs.OK {
			s = f.Chown(mem, fs.Cred{}, id, uint32(r.UID), uint32(r.GID), now)
		}
		if s == fs.OK && r.MTime != 0 {
			s = f.SetTimes(mem, fs.Cred{}, id, int64(r.MTime)*1e9, int64(r.MTime)*1e9, now)
		}
		if s != fs.OK {
			fmt.Printf("exogo: file system: cannot make /%s: %v\n", name, s)
		}
	}
	memory.Frames.ReleasePending() // what a file that did not fit held
	fmt.Printf("exogo: file system: %d files (%d KiB) from the boot module in %.1f ms; %d nodes, %d of %d frames used\n",
		count, bytes>>10, float64(timer.Nanotime()-start)/1e6, f.Live(), exo.FilesFrames(), budget)
}

// releaseModules gives the boot modules' frames back: the file system
// holds copies of their files, and nothing maps them.
func releaseModules() {
	var released uint64
	for i := 0; i < bootInfo.ModuleCount && i < len(bootInfo.Modules); i++ {
		m := bootInfo.Modules[i]
		released += memory.Frames.ReleaseUse(uint64(m.Start), uint64(m.End), physmem.UseBootModule)
	}
	if released > 0 {
		fmt.Printf("exogo: the boot module's %d KiB are free again\n", released*4)
	}
}

// mkdirAll returns the directory at path (relative to the root), making
// what is missing with mode.
func mkdirAll(path string, mode uint32) (uint32, error) {
	f, mem := exo.Files(), exo.FilesMemory()
	dir := f.Root()
	for _, part := range strings.Split(path, "/") {
		if part == "" || part == "." {
			continue
		}
		id, s := f.Lookup(mem, fs.Cred{}, dir, []byte(part))
		if s == fs.NotFound {
			id, s = f.Make(mem, fs.Cred{}, dir, []byte(part), fs.TypeDir|mode, 0, nil, timer.WallClock())
		}
		if s != fs.OK {
			return 0, fmt.Errorf("%s: %v", part, s)
		}
		if m, _, _ := f.Mode(id); m&fs.TypeMask != fs.TypeDir {
			return 0, fmt.Errorf("%s: not a directory", part)
		}
		dir = id
	}
	return dir, nil
}
