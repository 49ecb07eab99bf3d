package fs

import (
	"exogo/kernel/paging"
	"exogo/kernel/rawmem"
	"exogo/kernel/segment"
)

// Check walks the whole file system and returns the first inconsistency it
// finds ("" when there is none) and the node it concerns: every entry
// names a live node that still has a name, under one name only per
// directory, with its d_type; every node's link count is its number of
// names (a directory's, 2 and its subdirectories); every directory's
// parent names it and every node is reachable from the root; every node's
// metadata page says what its record says. The tests run it after every
// operation, and kernel/exo's fs_check for the hostile tests in QEMU.
func (f *FS) Check(mem segment.Memory) (string, uint32) {
	if f.root == 0 {
		return "", 0
	}
	for i := range f.names {
		f.names[i], f.subdirs[i] = 0, 0
	}
	live := uint32(0)
	for i := uint32(1); i < MaxNodes; i++ {
		d := &f.nodes[i%MaxNodes]
		if !d.used {
			continue
		}
		live++
		if id, ok := f.NodeOf(d.seg); !ok || id != f.id(i) {
			return "a node's segment does not lead back to it", i
		}
		if problem := f.checkMeta(mem, i); problem != "" {
			return problem, i
		}
		if d.mode&TypeMask != TypeDir {
			continue
		}
		count := uint32(0)
		for s := uint32(0); s < d.entries; s++ {
			at, ok := f.entryAt(mem, d, s)
			if !ok {
				return "a directory slot has no page", i
			}
			id := *rawmem.Uint32(at + EntryNode)
			if id == 0 {
				continue
			}
			count++
			n, ci, ok := f.lookup(id)
			switch {
			case !ok:
				return "an entry names no node", i
			case n.doomed:
				return "an entry names a removed node", i
			case checkName(entryName(at)) != OK:
				return "an entry's name is not a valid name", i
			case rawmem.Bytes(at, EntrySize)[EntryType] != direntType(n.mode):
				return "an entry's type is not its node's", i
			case n.mode&TypeMask == TypeDir && n.parent != i:
				return "a directory's parent is not the directory that names it", ci
			}
			f.names[ci%MaxNodes]++
			if n.mode&TypeMask == TypeDir {
				f.subdirs[i%MaxNodes]++
			}
			if first, _, _ := f.find(mem, d, entryName(at)); first != s {
				return "a directory has two entries of one name", i
			}
		}
		if count != d.live {
			return "a directory's count of entries is wrong", i
		}
	}
	if live != f.live {
		return "the count of nodes is wrong", 0
	}
	doomed := uint32(0)
	for i := uint32(1); i < MaxNodes; i++ {
		n := &f.nodes[i%MaxNodes]
		if !n.used {
			continue
		}
		names := f.names[i%MaxNodes]
		switch {
		case n.doomed:
			doomed++
			if names != 0 || n.links != 0 {
				return "a removed node still has a name", i
			}
			if n.mode&TypeMask == TypeDir && n.live != 0 {
				return "a removed directory still has entries", i
			}
			if info, status := f.Segments.Info(n.seg); status != segment.OK || info.Links == 0 && info.Parents == 0 && !n.held {
				return "a removed node nothing links was not freed", i
			}
			if n.held && f.holders(i) != 1 {
				return "a named FIFO's peer is held by no FIFO, or by two", i
			}
		case i == f.root:
			if names != 0 || n.links != 2+f.subdirs[i%MaxNodes] {
				return "the root's link count is wrong", i
			}
		case n.mode&TypeMask == TypeDir:
			if names != 1 || n.links != 2+f.subdirs[i%MaxNodes] {
				return "a directory's link count is wrong", i
			}
			if !f.reachesRoot(i) {
				return "a directory is not below the root", i
			}
		default:
			if names == 0 || names != n.links {
				return "a node's link count is not its number of names", i
			}
		}
	}
	if doomed != f.doomed {
		return "the count of removed nodes is wrong", 0
	}
	pipes, named := uint32(0), uint32(0)
	for i := range f.nodes {
		n := &f.nodes[i]
		switch {
		case !n.used || n.mode&TypeMask != TypeFifo || n.isPeer:
		case n.named:
			named++
		default:
			pipes++
		}
	}
	if pipes != f.pipes || named != f.named {
		return "the count of pipes or of named FIFOs is wrong", 0
	}
	return "", 0
}

// holders counts the named FIFOs whose peer is node i.
func (f *FS) holders(i uint32) int {
	count := 0
	for k := range f.nodes {
		if f.nodes[k].used && f.nodes[k].peer == i {
			count++
		}
	}
	return count
}

// reachesRoot reports whether the parents of directory i lead to the
// root through live directories, without a loop.
func (f *FS) reachesRoot(i uint32) bool {
	for k := 0; k < MaxNodes; k++ {
		if i == f.root {
			return true
		}
		n := &f.nodes[i%MaxNodes]
		if !n.used || n.mode&TypeMask != TypeDir {
			return false
		}
		i = n.parent
	}
	return false // a loop
}

// mappedPages counts the data pages node n's segment maps.
func (f *FS) mappedPages(mem segment.Memory, n *node) uint64 {
	count := uint64(0)
	for slot := uintptr(0); slot < segment.Entries; slot++ {
		e := *word(mem, n.pd, slot*8)
		if paging.Flags(e)&paging.Present == 0 {
			continue
		}
		for k := uintptr(0); k < segment.Entries; k++ {
			if paging.Flags(*word(mem, e&paging.AddressMask, k*8))&paging.Present != 0 && (slot != 0 || k != 0) {
				count++
			}
		}
	}
	return count
}

// checkMeta compares node i's metadata page with its record.
func (f *FS) checkMeta(mem segment.Memory, i uint32) string {
	n := &f.nodes[i%MaxNodes]
	parent := uint64(0)
	if n.mode&TypeMask == TypeDir {
		parent = uint64(f.id(n.parent))
	}
	switch {
	case *word(mem, n.meta, MetaSequence)&1 != 0:
		return "a metadata page is left half written"
	case *word(mem, n.meta, MetaNode) != uint64(f.id(i)):
		return "a metadata page names another node"
	case *word(mem, n.meta, MetaMode) != uint64(n.mode), *word(mem, n.meta, MetaLength) != n.length,
		*word(mem, n.meta, MetaLinks) != uint64(n.links), *word(mem, n.meta, MetaPages) != n.pages,
		*word(mem, n.meta, MetaUID) != uint64(n.uid)|uint64(n.gid)<<32, *word(mem, n.meta, MetaParent) != parent,
		*word(mem, n.meta, MetaEntries) != uint64(n.entries), *word(mem, n.meta, MetaDevice) != uint64(n.device),
		*word(mem, n.meta, MetaWriters) != uint64(n.writers):
		return "a metadata page disagrees with its node"
	case n.mode&TypeMask == TypeFifo && n.writers != f.Segments.WritableLinks(mem, n.seg):
		return "a pipe's count of writers is wrong"
	case n.mode&TypeMask == TypeFifo && !n.doomed && !n.named:
		return "a nameless pipe has a name"
	case n.named != (n.peer != 0):
		return "a named FIFO has no peer"
	case n.peer != 0 && (n.mode&TypeMask != TypeFifo || !f.nodes[n.peer%MaxNodes].used || !f.nodes[n.peer%MaxNodes].held ||
		f.nodes[n.peer%MaxNodes].mode&TypeMask != TypeFifo || f.nodes[n.peer%MaxNodes].peer != 0):
		return "a named FIFO's peer is not a held pipe"
	case n.isPeer && !n.doomed, n.held && !n.isPeer:
		return "a named FIFO's peer has a name, or a held node is no peer"
	case n.mode&TypeMask != TypeDir && pagesFor(n.length) != n.pages:
		return "a file's pages do not match its length"
	case n.mode&TypeMask == TypeDir && n.length != n.pages*PageSize:
		return "a directory's length is not its pages'"
	case f.mappedPages(mem, n) != n.pages:
		return "a node maps pages its count does not hold"
	}
	for p := uint64(0); p < n.pages; p++ {
		if _, ok := f.pageFrame(mem, n, p); !ok {
			return "a page below the length has no frame"
		}
	}
	return ""
}
