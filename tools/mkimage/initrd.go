package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/u-root/u-root/pkg/cpio"
)

// WriteInitrd writes a newc cpio archive of the tree under dir to w and
// returns the number of records written, not counting the trailer.
//
// The archive is reproducible: records appear in lexical path order (parent
// directories before their contents), every mtime, uid and gid is zero, inode
// numbers count up from 1, and permissions are normalised to 0755 for
// directories and executables and 0644 for other files, so the same tree
// gives the same bytes on any checkout. Names are relative to dir, without
// a leading slash. Regular files, directories and symbolic links are packed;
// anything else is an error.
//
// A missing dir or an empty dir gives an archive holding only the trailer:
// the kernel always gets a boot module to parse.
//
// Each extra adds the file at its Path under its Name (such as bin/x or
// etc/rc), replacing a record of the tree with that name, after the
// tree's records; directories above it are added when the tree has none.
func WriteInitrd(w io.Writer, dir string, extras ...Extra) (int, error) {
	records, err := initrdRecords(dir)
	if err != nil {
		return 0, err
	}
	if records, err = addExtras(records, extras); err != nil {
		return 0, err
	}
	rw := cpio.Newc.Writer(w)
	if err := cpio.WriteRecords(rw, records); err != nil {
		return 0, err
	}
	if err := cpio.WriteTrailer(rw); err != nil {
		return 0, err
	}
	return len(records), nil
}

// initrdRecords collects the records for the tree under dir in the order
// they are archived.
func initrdRecords(dir string) ([]cpio.Record, error) {
	if dir == "" {
		return nil, nil
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	var records []cpio.Record
	// WalkDir visits entries in lexical order, parents first.
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == dir {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		rec, err := initrdRecord(path, name, info)
		if err != nil {
			return err
		}
		rec.Ino = uint64(len(records) + 1)
		records = append(records, rec)
		return nil
	})
	return records, err
}

// initrdRecord builds the record for the file at path, named name in the
// archive.
func initrdRecord(path, name string, info fs.FileInfo) (cpio.Record, error) {
	switch mode := info.Mode(); {
	case mode.IsDir():
		rec := cpio.Directory(name, 0o755)
		rec.NLink = 2
		return rec, nil
	case mode.IsRegular():
		contents, err := os.ReadFile(path)
		if err != nil {
			return cpio.Record{}, err
		}
		perm := uint64(0o644)
		if mode.Perm()&0o111 != 0 {
			perm = 0o755
		}
		rec := cpio.StaticRecord(contents, cpio.Info{Name: name, Mode: cpio.S_IFREG | perm})
		rec.NLink = 1
		return rec, nil
	case mode&fs.ModeSymlink != 0:
		target, err := os.Readlink(path)
		if err != nil {
			return cpio.Record{}, err
		}
		rec := cpio.Symlink(name, target)
		rec.NLink = 1
		return rec, nil
	default:
		return cpio.Record{}, fmt.Errorf("%s: cannot pack %v into the boot module (only files, directories and symlinks)", path, mode.Type())
	}
}

// Extra is a file added to the boot module beside the tree: make's
// EXTRA_BIN (bin/NAME), RC (etc/rc) and each file and symbolic link of
// EXTRA_TREE (TreeExtras).
type Extra struct {
	Name string // its name in the archive, relative, with slashes
	Path string // the file on the host
	Tree bool   // from EXTRA_TREE: a directory is allowed (kept even when empty)
}

// addExtras adds the extras' records to records, replacing same-named
// ones, with the directories they need.
func addExtras(records []cpio.Record, extras []Extra) ([]cpio.Record, error) {
	have := map[string]int{}
	for i, r := range records {
		have[r.Name] = i
	}
	for _, e := range extras {
		name := path.Clean(strings.TrimPrefix(filepath.ToSlash(e.Name), "/"))
		if name == "." || strings.HasPrefix(name, "../") {
			return nil, fmt.Errorf("%s: %q is not a name inside the boot module", e.Path, e.Name)
		}
		info, err := os.Lstat(e.Path)
		if err != nil {
			return nil, err
		}
		if !info.Mode().IsRegular() && info.Mode()&fs.ModeSymlink == 0 && !(e.Tree && info.IsDir()) {
			return nil, fmt.Errorf("%s: not a regular file or a symbolic link (only those can be added to the boot module)", e.Path)
		}
		for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
			if _, ok := have[dir]; !ok {
				rec := cpio.Directory(dir, 0o755)
				rec.NLink = 2
				rec.Ino = uint64(len(records) + 1)
				have[dir] = len(records)
				records = append(records, rec)
			}
		}
		rec, err := initrdRecord(e.Path, name, info)
		if err != nil {
			return nil, err
		}
		if i, ok := have[name]; ok {
			rec.Ino = records[i].Ino
			records[i] = rec
			continue
		}
		rec.Ino = uint64(len(records) + 1)
		have[name] = len(records)
		records = append(records, rec)
	}
	return records, nil
}

// TreeExtras returns an extra for every directory, file and symbolic link
// under the host directory dir, named dest (a directory of the boot module, "" for
// its root) and its path below dir: make's EXTRA_TREE.
func TreeExtras(dir, dest string) ([]Extra, error) {
	var extras []Extra
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		extras = append(extras, Extra{Name: path.Join(dest, filepath.ToSlash(rel)), Path: p, Tree: true})
		return nil
	})
	return extras, err
}
