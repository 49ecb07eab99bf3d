package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/libos/exo"
)

// The cache of closed files: close keeps a file's link (its slot) for a
// while instead of unlinking it, so opening the same file again costs no
// kernel call (open+close of one file was a link, an unlink and a TLB
// shootdown each time). Reusing a kept link checks what the kernel would:
// the walk found the node under that name just now, and its metadata
// page's permission bits (and the parent directory's search bit) allow the
// access to this process's user. A process could keep any link it was
// given open forever anyway, so the cache grants nothing the kernel did
// not. Removing a name drops the cache's link of its node, so the kernel
// frees a removed file at once; links the cache keeps of files other
// processes removed go when the cache passes them over.

const fileCacheSize = 16

var fileCache [fileCacheSize]struct {
	node uint32
	slot uintptr
}
var fileCacheNext uint

// keepClosed takes over the link of a closed file (the slot's reference
// of its description).
func keepClosed(node uint32, slot uintptr) {
	if metaWord(slot, exo.FileMetaLinks) == 0 {
		releaseSlot(slot) // removed: let the kernel free it
		return
	}
	i := fileCacheNext % fileCacheSize
	fileCacheNext++
	old := fileCache[i].slot
	fileCache[i].node, fileCache[i].slot = node, slot
	if old != 0 {
		releaseSlot(old)
	}
}

// reuseClosed returns a kept link of node that serves an open for
// writing (or not), taking it out of the cache, after the permission
// checks; 0 when there is none.
func reuseClosed(node uint32, parent uintptr, writing bool) (uintptr, int64) {
	for i := range fileCache {
		c := &fileCache[i]
		k, _ := slotIndex(c.slot)
		if c.slot == 0 || c.node != node || (writing && !slotWritable[k%fileSlots]) {
			continue
		}
		var m, d nodeMeta
		readMeta(c.slot, &m)
		readMeta(parent, &d)
		want := uint32(4)
		if writing {
			want |= 2
		}
		if !mayAccess(d.mode, d.uid, 1) ||
			!mayAccess(m.mode, m.uid, want) {
			return 0, -abi.EACCES
		}
		slot := c.slot
		c.slot, c.node = 0, 0
		return slot, 0
	}
	return 0, 0
}

// forgetClosed drops the cache's links of node (a name of it was
// removed).
func forgetClosed(node uint32) {
	for i := range fileCache {
		if c := &fileCache[i]; c.slot != 0 && c.node == node {
			slot := c.slot
			c.slot, c.node = 0, 0
			releaseSlot(slot)
		}
	}
}

// linkedNode returns a slot where node is linked now (an open file or
// directory, a kept link, a cached directory), to read its metadata page
// without a call.
func linkedNode(node uint32) (uintptr, bool) {
	if slot, ok := cachedDir(node); ok {
		return slot, true
	}
	for i := range fileCache {
		if c := &fileCache[i]; c.slot != 0 && c.node == node {
			return c.slot, true
		}
	}
	for d := uint(0); d < min(descHigh, maxOpen); d++ {
		if f := &descs[d]; (f.kind == kindFile || f.kind == kindDir) && f.node == node && f.slot != 0 {
			return f.slot, true
		}
	}
	return 0, false
}
