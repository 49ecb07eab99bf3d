package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

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
func WriteInitrd(w io.Writer, dir string) (int, error) {
	records, err := initrdRecords(dir)
	if err != nil {
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
