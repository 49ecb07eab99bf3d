// Package bootfs reads the boot module: a cpio archive in the "newc"
// format (magic "070701"), which the kernel maps read-only into a process
// and the process's library OS serves Linux open, read and stat on.
//
// A newc record is a 110-byte ASCII header - the magic and 13 fields of
// eight hex digits (ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
// devminor, rdevmajor, rdevminor, namesize, check) - then the name
// (namesize bytes, the last a NUL), padded so that it ends on a 4-byte
// boundary, then the file's data, padded to a 4-byte boundary. The archive
// ends at the record named "TRAILER!!!". Offsets here are from the start of
// the archive, which the padding is relative to.
//
// Names in the archive are relative ("bin/hello"); a leading "./" (or "/")
// and a trailing "/" are ignored, and a record named "." is the root (Name
// ""). Directories need no record of their own: Lookup reports a name under
// which some record lies as a directory implied by its contents.
//
// Nothing is copied: names are strings pointing into the archive, data is
// an offset and a size, which Next has checked lie inside the archive. The
// archive is not trusted: a malformed record ends the walk.
//
// Restricted Go (docs/restricted-go.md): it runs in the library OS's upcall
// handlers, so it allocates nothing, keeps no state, never panics (every
// index is checked just before it is used) and takes time bounded by the
// size of the archive (each record is at least 112 bytes long).
package bootfs

import "unsafe"

// Entry is one record of the archive.
//
// For an Entry from Next, archive[Data:Data+Size] is always inside the
// archive. Name also loses a leading "/" and a trailing "/", and is "" for
// a record named "."; names are not otherwise cleaned, so a record named
// "a//b" or "a/../b" is never found. An implied directory from Lookup has
// Next 0 and a made-up Ino above 2^32.
type Entry struct {
	Name string // the record's name, without a leading "./" (points into the archive: no copy)
	Mode uint32 // st_mode as stored (type bits 0o170000 and permission bits)
	Size uint64 // the file's size in bytes (0 for a directory)
	Data uint64 // offset of the file's first byte in the archive
	Ino  uint64 // the record's inode number as stored
	Next uint64 // offset of the next record's header
}

// sIFDIR is st_mode's type for a directory (S_IFMT is 0o170000; a regular
// file is S_IFREG 0o100000, a symbolic link S_IFLNK 0o120000, its target
// the record's data).
const sIFDIR = 0o040000

const (
	headerSize = 110 // magic and 13 fields of 8 hex digits
	magicSize  = 6
	fieldCount = 13

	// Indices of the header's fields.
	fieldIno      = 0
	fieldMode     = 1
	fieldFileSize = 6
	fieldNameSize = 11

	trailerName = "TRAILER!!!"

	// impliedMode is the st_mode of a directory that has no record.
	impliedMode = sIFDIR | 0o555

	// impliedIno is the base of the inode numbers Lookup makes up for
	// implied directories: above every 32-bit number the archive can hold.
	impliedIno = 1 << 32
)

// align4 rounds x up to a multiple of 4. Offsets inside an archive are far
// below 2^63, so it cannot overflow.
func align4(x uint64) uint64 { return (x + 3) &^ 3 }

// hexDigit returns the value of one hex digit (either case).
func hexDigit(c byte) (uint64, bool) {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0'), true
	case c >= 'a' && c <= 'f':
		return uint64(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return uint64(c-'A') + 10, true
	}
	return 0, false
}

// stringHeader is the layout of a string.
type stringHeader struct {
	data *byte
	size int
}

// makeString returns the n bytes at p as a string. It builds the string's
// header itself because unsafe.String checks that n is not negative and
// that the bytes do not wrap around the address space, with calls to a
// panic function that restrictcheck rejects; the callers pass bytes of a
// slice, which can do neither.
func makeString(p *byte, n int) string {
	h := stringHeader{data: p, size: n}
	return *(*string)(unsafe.Pointer(&h))
}

// stringAt returns the n bytes of b at offset i as a string pointing into
// b, or "" when n is 0 or the bytes are not all inside b.
func stringAt(b []byte, i, n uint64) string {
	size := uint64(len(b))
	if n == 0 || i >= size || n > size-i {
		return ""
	}
	return makeString(&b[i], int(n))
}

// Next reads the record whose header is at offset. ok is false at the
// trailer, at the end of the data, or for a malformed record (bad magic, a
// non-hex digit, a name or data running past the end, namesize 0, a name
// without its NUL).
//
// A name holding a NUL before its last byte is malformed too. When ok is
// true, [Data, Data+Size) lies inside archive and Next > offset, so a walk
// that follows Next ends after at most len(archive)/112 records.
func Next(archive []byte, offset uint64) (e Entry, ok bool) {
	size := uint64(len(archive))
	if offset > size || size-offset < headerSize {
		return Entry{}, false
	}
	rest := archive[offset:]
	if len(rest) < headerSize {
		return Entry{}, false
	}
	h := (*[headerSize]byte)(rest[:headerSize])
	if h[0] != '0' || h[1] != '7' || h[2] != '0' || h[3] != '7' || h[4] != '0' || h[5] != '1' {
		return Entry{}, false
	}
	var fields [fieldCount]uint64
	for i := 0; i < fieldCount; i++ {
		v := uint64(0)
		for j := 0; j < 8; j++ {
			d, ok := hexDigit(h[uint(magicSize+8*i+j)%headerSize])
			if !ok {
				return Entry{}, false
			}
			v = v<<4 | d
		}
		fields[i] = v
	}

	// The name: namesize bytes after the header, the last one its NUL.
	nameStart := offset + headerSize // <= size, checked above
	nameSize := fields[fieldNameSize]
	if nameSize == 0 || nameSize > size-nameStart {
		return Entry{}, false
	}
	nameEnd := nameStart + nameSize - 1 // the NUL
	if nameEnd >= size || archive[nameEnd] != 0 {
		return Entry{}, false
	}
	for i := nameStart; i < nameEnd && i < size; i++ {
		if archive[i] == 0 {
			return Entry{}, false
		}
	}
	if stringAt(archive, nameStart, nameEnd-nameStart) == trailerName {
		return Entry{}, false
	}

	// The data, after the name's padding.
	dataStart := align4(nameStart + nameSize)
	fileSize := fields[fieldFileSize]
	if dataStart > size || fileSize > size-dataStart {
		return Entry{}, false
	}

	start, end := trimName(archive, nameStart, nameEnd)
	return Entry{
		Name: stringAt(archive, start, end-start),
		Mode: uint32(fields[fieldMode]),
		Size: fileSize,
		Data: dataStart,
		Ino:  fields[fieldIno],
		Next: align4(dataStart + fileSize),
	}, true
}

// trimName returns the bounds of the name archive[start:end] without its
// leading "./" and "/" prefixes and trailing "/" ("." alone becomes "").
func trimName(archive []byte, start, end uint64) (uint64, uint64) {
	size := uint64(len(archive))
	if end > size || start > end {
		return start, start
	}
strip:
	for start < end {
		c := archive[start]
		switch {
		case c == '/':
			start++
		case c == '.' && end-start == 1:
			start++
		case c == '.' && start+1 < end && archive[start+1] == '/':
			start += 2
		default:
			break strip
		}
	}
	for end > start && end-1 < size && archive[end-1] == '/' {
		end--
	}
	return start, end
}

// Clean turns path (absolute or relative to the root; the process's
// working directory is always "/" for now) into the archive's form: no
// leading "/", no "." components, ".." resolved (never above the root),
// repeated slashes collapsed, no trailing slash; the root itself is "". It
// writes into buf and returns the cleaned name as a string pointing into
// buf (no allocation). ok is false when path is empty, contains a NUL
// byte, or the result does not fit in buf.
//
// The name is built component by component, so a path whose ".." would
// bring it back within len(buf) bytes after going beyond fails too.
func Clean(buf []byte, path string) (name string, ok bool) {
	if len(path) == 0 {
		return "", false
	}
	w := 0 // bytes of buf in use
	for rest := path; len(rest) > 0; {
		if rest[0] == '/' {
			rest = rest[1:]
			continue
		}
		n := 0
		for n < len(rest) && rest[n] != '/' {
			if rest[n] == 0 {
				return "", false
			}
			n++
		}
		if n < 0 || n > len(rest) { // never: tells the compiler
			return "", false
		}
		component := rest[:n]
		rest = rest[n:]
		switch component {
		case ".":
		case "..":
			// Drop the last component and the slash before it.
			for w > 0 {
				w--
				if w < len(buf) && buf[w] == '/' {
					break
				}
			}
		default:
			if w < 0 || w > len(buf) {
				return "", false
			}
			out := buf[w:]
			if w > 0 {
				if len(out) == 0 {
					return "", false
				}
				out[0] = '/'
				out = out[1:]
				w++
			}
			if len(component) > len(out) {
				return "", false
			}
			w += copy(out, component)
		}
	}
	if w <= 0 || w > len(buf) {
		return "", w == 0
	}
	return makeString(&buf[0], w), true
}

// under reports whether name lies inside the directory dir (cleaned; ""
// for the root): whether it starts with dir+"/", or is any name but the
// root's when dir is "".
func under(dir, name string) bool {
	if dir == "" {
		return name != ""
	}
	return len(dir) < len(name) && name[len(dir)] == '/' && len(name)-len(dir) > 1 &&
		name[:len(dir)] == dir
}

// Lookup finds the cleaned name in the archive. A record with that name is
// returned as is. When no record has the name but some record's name
// starts with name+"/" (or name is "", the root), the name is a directory
// implied by its contents, and Lookup returns an Entry with that Name
// (pointing into the archive where possible, else the caller's string),
// Mode 0o040555, Size 0 and Data 0. ok is false when nothing matches.
//
// When several records have the name, the first is returned. An implied
// directory's Next is 0 and its Ino is a number above 2^32 (so it differs
// from every stored one) derived from where its name first occurs in the
// archive: the same directory gets the same number on every call. The
// root always exists, even in an empty or malformed archive.
func Lookup(archive []byte, name string) (e Entry, ok bool) {
	var implied Entry
	found := false
	if name == "" {
		implied = Entry{Mode: impliedMode, Ino: impliedIno}
		found = true
	}
	for offset := uint64(0); ; {
		r, ok := Next(archive, offset)
		if !ok {
			break
		}
		if r.Name == name {
			return r, true
		}
		if !found && under(name, r.Name) && len(name) < len(r.Name) {
			implied = Entry{
				Name: r.Name[:len(name)],
				Mode: impliedMode,
				Ino:  impliedIno + offset + headerSize + uint64(len(name)),
			}
			found = true
		}
		offset = r.Next
	}
	return implied, found
}

// Child reports, for a directory name (cleaned; "" for the root) and an
// entry e, whether e is directly inside that directory, and returns the
// entry's last component. For a name nested deeper (e.g. "bin/x/y" for
// directory "bin") it returns the first component below the directory
// ("x") and ok=true with direct=false, so that a caller listing a
// directory can report implied subdirectories.
//
// ok is false when e is not inside dir (including e being dir itself). The
// component points into e.Name. A caller listing a directory sees an
// implied subdirectory once per record below it, and possibly also as a
// record of its own (direct=true): it must report each component once.
func Child(dir string, e Entry) (component string, direct bool, ok bool) {
	if !under(dir, e.Name) || len(dir) >= len(e.Name) {
		return "", false, false
	}
	rest := e.Name
	if dir != "" {
		rest = e.Name[len(dir):]
		if len(rest) == 0 {
			return "", false, false
		}
		rest = rest[1:]
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] == '/' {
			if i == 0 {
				return "", false, false
			}
			return rest[:i], false, true
		}
	}
	if rest == "" {
		return "", false, false
	}
	return rest, true, true
}
