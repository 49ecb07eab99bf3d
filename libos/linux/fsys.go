package linux

import (
	"unsafe"

	"sync/atomic"

	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// The RAM file system, seen from a process (XOmB section 2.2; the kernel's
// side is kernel/fs): every file or directory the libOS opens is a segment
// the kernel links into a 1 GiB slot of the file window, read-only or
// writable. Its first page is the node's metadata, kept by the kernel; a
// file's bytes follow, so read and write are copies to and from memory
// and mmap hands out the file's own pages. A directory's pages hold its
// entries, which the libOS reads itself to walk a path one directory at a
// time; it keeps the directories it walked through linked (dirCache), so
// a walk through them costs no call, and a directory's change counter
// tells when an entry it relied on may have changed.
//
// The libOS's state here is under the call lock, like every descriptor.

const (
	// The file window: slots of 1 GiB in the libOS's part of the address
	// space, from above the screen segment to the loader's stack. The
	// kernel's read-only views (the frame table and its information page)
	// take two slots in the middle (viewSlot), which are never used.
	fileWindow = 0x7f00_0000_0000
	fileSlots  = 1020
	slotSpan   = 1 << 30

	pathMax  = 4096 // PATH_MAX
	nameMax  = exo.FsNameMax
	maxLinks = 40 // symbolic links followed in one walk (Linux's ELOOP limit)
)

// slotRefs counts, for each slot of the window, the users of the segment
// linked there (descriptions, the directory cache, mappings, a walk in
// progress); 0 for a free slot.
var slotRefs [fileSlots]uint32

func slotIndex(slot uintptr) (uint, bool) {
	if slot < fileWindow || slot >= fileWindow+fileSlots*slotSpan || slot%slotSpan != 0 || viewSlot(slot) {
		return 0, false
	}
	return uint((slot - fileWindow) / slotSpan), true
}

// viewSlot reports whether the slot at address slot holds one of the
// kernel's views.
func viewSlot(slot uintptr) bool {
	return slot == exo.AddressFrameTableView&^(slotSpan-1) || slot == exo.AddressKernelInfo&^(slotSpan-1)
}

// nextSlot is the slot after slot, past the kernel's views.
func nextSlot(slot uintptr) uintptr {
	slot += slotSpan
	for viewSlot(slot) {
		slot += slotSpan
	}
	return slot
}

// takeSlot reserves a free slot (one reference) for a read-only link
// (markWritable says otherwise).
func takeSlot() (uintptr, bool) {
	for k := uint(0); k < fileSlots; k++ {
		if slotRefs[k] == 0 && !viewSlot(fileWindow+uintptr(k)*slotSpan) {
			slotRefs[k] = 1
			slotWritable[k] = false
			return fileWindow + uintptr(k)*slotSpan, true
		}
	}
	return 0, false
}

// markWritable records that slot's link allows stores.
func markWritable(slot uintptr) {
	if k, ok := slotIndex(slot); ok {
		slotWritable[k%fileSlots] = true
	}
}

// holdSlot adds a reference to the segment linked at slot.
func holdSlot(slot uintptr) {
	if k, ok := slotIndex(slot); ok {
		slotRefs[k%fileSlots]++
	}
}

// releaseSlot drops a reference; the last one unlinks the segment (the
// kernel frees a removed file then).
func releaseSlot(slot uintptr) {
	k, ok := slotIndex(slot)
	if !ok || slotRefs[k%fileSlots] == 0 {
		return
	}
	slotRefs[k%fileSlots]--
	if slotRefs[k%fileSlots] == 0 {
		exo.SegmentUnlink(slot, exo.LevelPD)
	}
}

// freeUnlinked frees a slot whose link failed.
func freeUnlinked(slot uintptr) {
	if k, ok := slotIndex(slot); ok {
		slotRefs[k%fileSlots] = 0
	}
}

// metaWord reads field of the metadata page of the node linked at slot.
func metaWord(slot uintptr, field uintptr) uint64 {
	return atomic.LoadUint64((*uint64)(bare.At(slot + field)))
}

// nodeMeta is a consistent copy of a metadata page.
type nodeMeta struct {
	node, mode, uid, links, length, mtime, ctime, atime, change, entries, parent, device, pages uint64
}

// readMeta copies the metadata page at address (a linked node's slot, or
// a copy fs_stat made) under its sequence number.
func readMeta(address uintptr, m *nodeMeta) {
	for tries := 0; ; tries++ {
		before := metaWord(address, exo.FileMetaSequence)
		m.node = metaWord(address, exo.FileMetaNode)
		m.mode = metaWord(address, exo.FileMetaMode)
		m.uid = metaWord(address, exo.FileMetaUid)
		m.links = metaWord(address, exo.FileMetaLinks)
		m.length = metaWord(address, exo.FileMetaLength)
		m.mtime = metaWord(address, exo.FileMetaMtime)
		m.ctime = metaWord(address, exo.FileMetaCtime)
		m.atime = metaWord(address, exo.FileMetaAtime)
		m.change = metaWord(address, exo.FileMetaChange)
		m.entries = metaWord(address, exo.FileMetaEntries)
		m.parent = metaWord(address, exo.FileMetaParent)
		m.device = metaWord(address, exo.FileMetaDevice)
		m.pages = metaWord(address, exo.FileMetaPages)
		if before%2 == 0 && metaWord(address, exo.FileMetaSequence) == before || tries > 1000 {
			return
		}
	}
}

// The root directory, linked at the start (fsRoot), and the current
// directory (a reference held).
var (
	rootSlot, cwdSlot uintptr
	rootNode, cwdNode uint32
	fsReady           bool
)

// fsStart links the root directory: at the libOS's start, or at its first
// file call (the zero value serves).
func fsStart() bool {
	if fsReady {
		return true
	}
	slot, ok := takeSlot()
	if !ok {
		return false
	}
	id := exo.FsRoot(slot)
	if id < 0 {
		freeUnlinked(slot)
		return false
	}
	rootSlot, rootNode = slot, uint32(id)
	holdSlot(slot) // the current directory's reference
	cwdSlot, cwdNode = slot, uint32(id)
	fsReady = true
	if startCwd != 0 {
		// The parent's current directory (StartAuxCwd), if it is still
		// there.
		var w walkResult
		t := execPath(startCwd) // a string on the start stack, or none
		startCwd = 0
		if t.Length > 0 && walkString(bare.StringAt(t.Address, t.Length), &w) == 0 {
			if fd := openWalked(&w, abi.ODirectory, 0); fd >= 0 {
				sysFchdir(uint64(fd))
				closeFD(uint64(fd))
			}
			w.release()
		}
	}
	return true
}

// startCwd is the address of the parent's current directory's path on
// the start stack (StartAuxCwd), until fsStart has walked it.
var startCwd uint64

// The directory cache: directories linked for walks, by node, reused
// round-robin. Each holds a reference on its slot.
const dirCacheSize = 32

var dirCache [dirCacheSize]struct {
	node uint32
	slot uintptr
}
var dirCacheNext uint

func cachedDir(node uint32) (uintptr, bool) {
	if node == rootNode && rootSlot != 0 {
		return rootSlot, true
	}
	for k := range dirCache {
		if dirCache[k].slot != 0 && dirCache[k].node == node {
			return dirCache[k].slot, true
		}
	}
	return 0, false
}

// cacheDir keeps the directory node linked at slot (taking a reference).
func cacheDir(node uint32, slot uintptr) {
	k := dirCacheNext % dirCacheSize
	dirCacheNext++
	old := dirCache[k].slot
	dirCache[k].node, dirCache[k].slot = node, slot
	holdSlot(slot)
	if old != 0 {
		releaseSlot(old)
	}
}

// dropCachedDir unlinks directory node from the cache (it was removed, or
// replaced by a rename), so the kernel can free it.
func dropCachedDir(node uint32) {
	for k := range dirCache {
		if slot := dirCache[k].slot; slot != 0 && dirCache[k].node == node {
			dirCache[k].slot, dirCache[k].node = 0, 0
			releaseSlot(slot)
		}
	}
}

// dropCaches unlinks every cached directory and kept file: after a change
// of user, whose rights the cached links no longer show.
func dropCaches() {
	for k := range dirCache {
		if slot := dirCache[k].slot; slot != 0 {
			dirCache[k].slot, dirCache[k].node = 0, 0
			releaseSlot(slot)
		}
	}
	for i := range fileCache {
		if slot := fileCache[i].slot; slot != 0 {
			fileCache[i].slot, fileCache[i].node = 0, 0
			releaseSlot(slot)
		}
	}
}

// errnoOf turns an exokernel error into Linux's errno.
func errnoOf(result int64) int64 {
	switch -result {
	case exo.ErrNotFound:
		return -abi.ENOENT
	case exo.ErrExists:
		return -abi.EEXIST
	case exo.ErrNotDirectory:
		return -abi.ENOTDIR
	case exo.ErrIsDirectory:
		return -abi.EISDIR
	case exo.ErrNotEmpty:
		return -abi.ENOTEMPTY
	case exo.ErrAccess:
		return -abi.EACCES
	case exo.ErrNoRight:
		return -abi.EPERM
	case exo.ErrBadName, exo.ErrBadArgument:
		return -abi.EINVAL
	case exo.ErrNameTooLong:
		return -abi.ENAMETOOLONG
	case exo.ErrNoSpace:
		return -abi.ENOSPC
	case exo.ErrTooBig:
		return -abi.EFBIG
	case exo.ErrSymlink:
		return -abi.ELOOP
	case exo.ErrBusy:
		return -abi.EBUSY
	case exo.ErrLimit:
		return -abi.EMFILE
	case exo.ErrNoMemory:
		return -abi.ENOMEM
	case exo.ErrBadAddress:
		return -abi.EFAULT
	}
	return -abi.EIO
}

// openDirAt links directory node, named name in the directory linked at
// parent, for a walk (from the cache when it is there).
func openDirAt(parent uintptr, name []byte, node uint32) (uintptr, int64) {
	if slot, ok := cachedDir(node); ok {
		return slot, 0
	}
	slot, ok := takeSlot()
	if !ok {
		return 0, -abi.EMFILE
	}
	id := exo.FsOpen(parent, nameArg(name), exo.OpenFlagsDirectory, 0, slot)
	if id < 0 {
		freeUnlinked(slot)
		return 0, errnoOf(id)
	}
	cacheDir(uint32(id), slot)
	releaseSlot(slot) // the cache's reference stays
	return slot, 0
}

// openParent links the parent of the directory linked at dir.
func openParent(dir uintptr) (uintptr, uint32, int64) {
	var m nodeMeta
	readMeta(dir, &m)
	if slot, ok := cachedDir(uint32(m.parent)); ok {
		return slot, uint32(m.parent), 0
	}
	slot, ok := takeSlot()
	if !ok {
		return 0, 0, -abi.EMFILE
	}
	id := exo.FsOpenParent(dir, slot)
	if id < 0 {
		freeUnlinked(slot)
		return 0, 0, errnoOf(id)
	}
	cacheDir(uint32(id), slot)
	releaseSlot(slot)
	return slot, uint32(id), 0
}

// nameBuffers hold NUL-terminated names for the kernel's calls.
var nameBuffers [2][nameMax + 1]byte
var nameBufferNext uint

// nameArg copies name into a buffer with a NUL and returns its address.
func nameArg(name []byte) uintptr {
	b := &nameBuffers[nameBufferNext%2]
	nameBufferNext++
	n := copy(b[:nameMax], name)
	b[uint(n)%uint(len(b))] = 0
	return uintptr(unsafe.Pointer(&b[0]))
}

// entryAddress is the address of entry slot s of the directory at dir.
func entryAddress(dir uintptr, s uint64) uintptr {
	return dir + exo.FsDataOffset + uintptr(s/exo.FsEntriesPerPage)*4096 + uintptr(s%exo.FsEntriesPerPage)*exo.DirEntrySize
}

// dirEntry is a consistent copy of one directory entry.
type dirEntry struct {
	node  uint32
	dtype uint8
	name  [nameMax]byte
	n     int
}

// readEntry copies entry slot s of the directory linked at dir (node 0:
// free) under its sequence number.
func readEntry(dir uintptr, s uint64, e *dirEntry) {
	at := entryAddress(dir, s)
	seq := (*uint32)(bare.At(at + exo.DirEntrySequence))
	for tries := 0; ; tries++ {
		before := atomic.LoadUint32(seq)
		e.node = atomic.LoadUint32((*uint32)(bare.At(at + exo.DirEntryNode)))
		e.dtype = *(*uint8)(bare.At(at + exo.DirEntryType))
		e.n = int(*(*uint8)(bare.At(at + exo.DirEntryNameLength)))
		copy(e.name[:], bare.Bytes(at+exo.DirEntryName, uintptr(e.n)))
		if before%2 == 0 && atomic.LoadUint32(seq) == before || tries > 1000 {
			return
		}
	}
}

func (e *dirEntry) nameBytes() []byte { return e.name[:uint(e.n)%(nameMax+1)] }

// lookupEntry finds name in the directory linked at dir. It compares in
// place, and copies only the entry that matches (under its sequence
// number).
func lookupEntry(dir uintptr, name []byte, e *dirEntry) bool {
	entries := metaWord(dir, exo.FileMetaEntries)
	for s := uint64(0); s < entries; s++ {
		at := entryAddress(dir, s)
		if int(*(*uint8)(bare.At(at + exo.DirEntryNameLength))) != len(name) ||
			atomic.LoadUint32((*uint32)(bare.At(at+exo.DirEntryNode))) == 0 ||
			!sameBytes(bare.Bytes(at+exo.DirEntryName, uintptr(len(name))), name) {
			continue
		}
		readEntry(dir, s, e) // a consistent copy; it may have changed since
		if e.node != 0 && sameBytes(e.nameBytes(), name) {
			return true
		}
	}
	return false
}

func sameBytes(a, b []byte) bool {
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
