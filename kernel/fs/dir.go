package fs

import (
	"exogo/kernel/rawmem"
	"exogo/kernel/segment"
)

// Directories: slots of EntrySize bytes in the directory's data pages,
// EntriesPerPage to a page. A removed entry's slot is reused by the next
// name added; trailing free slots are given up (entries shrinks), and the
// pages stay. Every change bumps the directory's change counter, so a
// libOS's cached lookups through it know to look again.

// checkName checks one path component passed by a process.
func checkName(name []byte) Status {
	switch {
	case len(name) == 0:
		return BadName
	case len(name) > NameMax:
		return NameTooLong
	case len(name) == 1 && name[0] == '.', len(name) == 2 && name[0] == '.' && name[1] == '.':
		return BadName
	}
	for _, c := range name {
		if c == '/' || c == 0 {
			return BadName
		}
	}
	return OK
}

// equal reports whether a and b hold the same bytes.
func equal(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}

// find looks name up in directory d and returns its slot and the index of
// the node it names.
func (f *FS) find(mem segment.Memory, d *node, name []byte) (slot, child uint32, found bool) {
	for s := uint32(0); s < d.entries; s++ {
		at, ok := f.entryAt(mem, d, s)
		if !ok {
			return 0, 0, false
		}
		id := *rawmem.Uint32(at + EntryNode)
		if id != 0 && equal(entryName(at), name) {
			return s, id & 0xffff, true
		}
	}
	return 0, 0, false
}

// addEntry names node child in directory di.
func (f *FS) addEntry(mem segment.Memory, di uint32, name []byte, child uint32, now int64) Status {
	d := &f.nodes[di%MaxNodes]
	slot := d.entries
	for s := uint32(0); s < d.entries; s++ {
		if at, ok := f.entryAt(mem, d, s); ok && *rawmem.Uint32(at + EntryNode) == 0 {
			slot = s
			break
		}
	}
	if slot >= MaxNodes {
		return NoSpace
	}
	if slot == d.entries {
		if slot%EntriesPerPage == 0 {
			if f.ensurePage(mem, di, uint64(slot/EntriesPerPage)) != OK {
				return NoSpace
			}
			d.length = d.pages * PageSize // its pages stay: it never shrinks
		}
		d.entries++
	}
	at, ok := f.entryAt(mem, d, slot)
	if !ok {
		return NoSpace
	}
	writeEntry(at, f.id(child), direntType(f.nodes[child%MaxNodes].mode), name)
	d.live++
	d.mtime, d.ctime = now, now
	f.writeMeta(mem, di)
	return OK
}

// setEntry makes slot of directory di name node child instead.
func (f *FS) setEntry(mem segment.Memory, di, slot, child uint32, name []byte, now int64) {
	d := &f.nodes[di%MaxNodes]
	if at, ok := f.entryAt(mem, d, slot); ok {
		writeEntry(at, f.id(child), direntType(f.nodes[child%MaxNodes].mode), name)
	}
	d.mtime, d.ctime = now, now
	f.writeMeta(mem, di)
}

// removeEntry frees slot of directory di.
func (f *FS) removeEntry(mem segment.Memory, di, slot uint32, now int64) {
	d := &f.nodes[di%MaxNodes]
	if at, ok := f.entryAt(mem, d, slot); ok {
		writeEntry(at, 0, 0, nil)
	}
	if d.live > 0 {
		d.live--
	}
	for d.entries > 0 {
		at, ok := f.entryAt(mem, d, d.entries-1)
		if ok && *rawmem.Uint32(at + EntryNode) != 0 {
			break
		}
		d.entries--
	}
	d.mtime, d.ctime = now, now
	f.writeMeta(mem, di)
}

// dirNode returns directory id, which must still have its name (a removed
// directory takes no new entries: NotFound, as on Linux).
func (f *FS) dirNode(id uint32) (*node, uint32, Status) {
	d, i, ok := f.lookup(id)
	switch {
	case !ok:
		return nil, 0, BadNode
	case d.mode&TypeMask != TypeDir:
		return nil, 0, NotDir
	case d.doomed:
		return nil, 0, NotFound
	}
	return d, i, OK
}

// dirFor returns directory dir for an operation on its entry name: the
// directory must have its name, the name must be valid, and c must be
// allowed want on the directory (1 to look in it, 3 to change it).
func (f *FS) dirFor(c Cred, dir uint32, name []byte, want uint32) (*node, uint32, Status) {
	d, di, status := f.dirNode(dir)
	if status != OK {
		return nil, 0, status
	}
	if status := checkName(name); status != OK {
		return nil, 0, status
	}
	if !may(c, d, want) {
		return nil, 0, NoAccess
	}
	return d, di, OK
}

// under reports whether directory a is d or below it.
func (f *FS) under(a, d uint32) bool {
	for k := 0; k < MaxNodes; k++ {
		if a == d {
			return true
		}
		if a == f.root {
			return false
		}
		a = f.nodes[a%MaxNodes].parent
	}
	return true // a loop, which Check reports: refuse
}
