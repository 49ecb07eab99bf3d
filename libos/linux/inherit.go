package linux

import (
	abi "exogo/abi/linuxabi"
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// Descriptors a child inherits (fork+exec's, and spawn's): every
// descriptor without close-on-exec, as Linux passes them, up to
// inheritMax of them (any past that are not passed). The parent
// links what the child needs into the child's file window (fs_share: a
// file's node, a directory's, a pipe end's two nodes) at the child's
// first slots, and writes a table on the child's start stack
// (StartAuxFiles) that the child's libOS reads before anything else
// takes a slot (installInherited). Descriptors that named one
// description still name one in the child. A file's offset is shared
// with the child (offsets.go); its flags, and a directory's offset, are
// copied. Event fds and epoll instances are not passed (the runtime
// makes its own).
//
// The table: a count, then per descriptor inheritWords words:
//
//	0: fd << 32 | kind      1: the parent's description index (groups)
//	2: node << 32 | flags   3: offset
//	4: slot (the child's)   5: peer (the child's)
//	6: shared (the child's link of a file's offset node)

const (
	inheritMax   = 64
	inheritWords = 7
	inheritBytes = 8 + inheritMax*inheritWords*8
)

// inheritable reports whether a description of kind passes to children.
func inheritable(kind uint32) bool {
	switch kind {
	case kindConsole, kindPipeRead, kindPipeWrite, kindFile, kindDir, kindNull, kindZero, kindRandom:
		return true
	}
	return false
}

// writeInherited writes the table of this process's inheritable
// descriptors into table (the child's start stack, through the spawn
// window) and links their nodes into child. It reports false when a link
// failed (the child is then destroyed by the caller).
func writeInherited(child uint64, table []byte) bool {
	if uint(len(table)) < inheritBytes {
		return false
	}
	count := uint64(0)
	next := uintptr(fileWindow) // the child's next slot
	clear(childSlot[:])
	clear(childPeer[:])
	clear(childShared[:])
	for fd := uint64(0); fd < maxFiles && count < inheritMax; fd++ {
		d, open := descOf(fd)
		if !open || fdTable[fd]&fdCloexec != 0 {
			continue
		}
		f := &descs[d%maxOpen]
		if !inheritable(f.kind) {
			continue
		}
		if (f.kind == kindFile || f.kind == kindDir || f.kind == kindPipeRead || f.kind == kindPipeWrite) && childSlot[d%maxOpen] == 0 {
			var ok bool
			switch f.kind {
			case kindFile:
				childSlot[d%maxOpen], ok = shareInto(child, &next, f.slot, accessMode(f.flags) != abi.ORdonly)
				// Without a slot or pipe node left for the shared
				// offset, the child gets a copy of it, as before.
				if ok && shareOffset(f) {
					childShared[d%maxOpen], ok = shareInto(child, &next, f.shared, true)
				}
			case kindDir:
				childSlot[d%maxOpen], ok = shareInto(child, &next, f.slot, false)
			default:
				writer := f.kind == kindPipeWrite
				if childSlot[d%maxOpen], ok = shareInto(child, &next, f.slot, writer); ok {
					childPeer[d%maxOpen], ok = shareInto(child, &next, f.peer, !writer)
				}
			}
			if !ok {
				return false
			}
		}
		at := 8 + count*inheritWords*8
		putWord(table, int(at), fd<<32|uint64(f.kind))
		putWord(table, int(at+8), uint64(d))
		putWord(table, int(at+16), uint64(f.node)<<32|uint64(f.flags))
		putWord(table, int(at+24), fileOffset(f))
		putWord(table, int(at+32), uint64(childSlot[d%maxOpen]))
		putWord(table, int(at+40), uint64(childPeer[d%maxOpen]))
		putWord(table, int(at+48), uint64(childShared[d%maxOpen]))
		count++
	}
	putWord(table, 0, count)
	return true
}

// childSlot, childPeer and childShared are a description's links in the
// child being made, once made (writeInherited; under the call lock).
var childSlot, childPeer, childShared [maxOpen]uintptr

// shareInto links the node linked at slot into child at *next (writable
// with write) and moves *next on to the child's next slot.
func shareInto(child uint64, next *uintptr, slot uintptr, write bool) (uintptr, bool) {
	at := *next
	*next = nextSlot(at)
	permissions := exo.Permissions(0)
	if write {
		permissions = exo.PermissionsWrite
	}
	return at, exo.FsShare(slot, child, at, permissions) >= 0
}

// startFiles is the address of the inherited table on the start stack
// (StartAuxFiles), 0 when the parent passed none.
var startFiles uint64

// installInherited makes the descriptors the parent passed (at start,
// before any slot is taken). A parent that passed a table passed every
// descriptor it meant to: 0-2 missing from it are closed.
func installInherited() {
	if startFiles == 0 {
		return
	}
	table := bare.Bytes(uintptr(startFiles), inheritBytes)
	startFiles = 0
	count := word(table, 0)
	consoleClosed = [3]bool{true, true, true}
	var made [maxOpen]uint16 // the parent's description index -> ours + 1
	for k := uint64(0); k < count && k < inheritMax; k++ {
		at := int(8 + k*inheritWords*8)
		fd, kind := word(table, at)>>32, uint32(word(table, at))
		group := word(table, at+8) % maxOpen
		if fd >= maxFiles || !inheritable(kind) {
			continue
		}
		if kind == kindConsole {
			descs[0].kind = kindConsole
			setFD(fd, 0, false)
			continue
		}
		if made[group] == 0 {
			d, ok := newDesc(kind)
			if !ok { // (not with inheritMax entries) unlink what the parent linked
				for _, w := range [3]int{32, 40, 48} {
					if s := uintptr(word(table, at+w)); s != 0 {
						if _, ok := slotIndex(s); ok {
							exo.SegmentUnlink(s, exo.LevelPD)
						}
					}
				}
				continue
			}
			f := &descs[d%maxOpen]
			f.node, f.flags = uint32(word(table, at+16)>>32), uint32(word(table, at+16))
			f.offset = word(table, at+24)
			f.slot, f.peer = uintptr(word(table, at+32)), uintptr(word(table, at+40))
			if _, ok := slotIndex(uintptr(word(table, at+48))); ok && kind == kindFile {
				f.shared = uintptr(word(table, at+48))
				markWritable(f.shared)
			}
			for _, s := range [3]uintptr{f.slot, f.peer, f.shared} {
				if i, ok := slotIndex(s); ok {
					slotRefs[i%fileSlots] = 1
				}
			}
			switch {
			case kind == kindFile && accessMode(f.flags) != abi.ORdonly, kind == kindPipeWrite:
				markWritable(f.slot)
			case kind == kindPipeRead:
				markWritable(f.peer)
			}
			made[group] = uint16(d) + 1
		}
		setFD(fd, uint(made[group]-1), false)
	}
}
