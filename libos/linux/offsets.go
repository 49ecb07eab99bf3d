package linux

import (
	"sync/atomic"

	abi "exogo/abi/linuxabi"
	"exogo/libos/exo"
)

// A file's offset, shared between processes as Linux shares it. An open
// file description that a child inherits (inherit.go) is one description
// in both processes: a shell's `for ...; do cmd; done > out` has each
// command write where the last one stopped. Its offset then moves from
// the description (offset) to the first word of a small node of the file
// system that both processes link writable, shared: a pipe node (the
// kernel's fs_pipe: nameless, freed once nothing links it), made the
// first time the description is passed on.
//
// Every read, write and seek moves the offset by compare-and-swap on that
// word: the range a read or write takes is reserved first, then copied,
// so two processes that read one description at once read different
// bytes, as on Linux (where f_pos_lock orders them); a write past the
// end grows the file with fs_resize's Grow, never cutting off a peer's
// bytes, and an O_APPEND write takes its place at the end with Extend
// (fileAppend), which no other append can take. A peer process
// stores what it likes in the word; it is only an offset, which every
// copy checks against the file's length as any offset, and a word that
// keeps changing under a caller is taken as it is after offsetTries
// tries.
//
// Directories' offsets (getdents) and the flags (O_APPEND, O_NONBLOCK)
// are still copied, not shared; so is the offset when no slot or pipe
// node is left to share it in (writeInherited).

// sharedOffsetSize is the shared node's length: its one word, in a page.
const sharedOffsetSize = 4096

// offsetTries bounds a caller's compare-and-swap tries.
const offsetTries = 64

// offsetWord is the word that holds f's offset: its own, or the shared
// node's.
func offsetWord(f *file) *uint64 {
	if f.shared != 0 {
		return word64(f.shared + exo.FsDataOffset)
	}
	return &f.offset
}

// fileOffset is f's offset now.
func fileOffset(f *file) uint64 { return atomic.LoadUint64(offsetWord(f)) }

// shareOffset moves f's offset into a node of its own, linked at a slot
// of this process, so that children can link it too; false when no slot
// or pipe node is left.
func shareOffset(f *file) bool {
	if f.shared != 0 {
		return true
	}
	s, ok := takeSlot()
	if !ok {
		return false
	}
	if exo.FsPipe(s, sharedOffsetSize) < 0 {
		freeUnlinked(s)
		return false
	}
	markWritable(s)
	atomic.StoreUint64(word64(s+exo.FsDataOffset), f.offset)
	f.shared = s
	return true
}

// readAtOffset reads file f at its offset into b and moves the offset on.
func readAtOffset(f *file, b []byte) int64 {
	w := offsetWord(f)
	for tries := 0; ; tries++ {
		at := atomic.LoadUint64(w)
		length := metaWord(f.slot, exo.FileMetaLength)
		if at >= length || len(b) == 0 {
			return 0
		}
		n := min(uint64(len(b)), length-at)
		if !atomic.CompareAndSwapUint64(w, at, at+n) {
			if tries < offsetTries {
				continue
			}
			atomic.StoreUint64(w, at+n)
		}
		got := fileRead(f, b[:n], at)
		if uint64(got) < n { // the file shrank meanwhile: give back what was not read
			atomic.CompareAndSwapUint64(w, at+n, at+uint64(max(got, 0)))
		}
		return got
	}
}

// writeAtOffset writes b into file f at its offset (at its end with
// O_APPEND) and moves the offset past what it wrote.
func writeAtOffset(f *file, b []byte, appending bool) int64 {
	w := offsetWord(f)
	if appending {
		before := atomic.LoadUint64(w)
		at, n := fileAppend(f, b)
		if n <= 0 || atomic.CompareAndSwapUint64(w, before, at+uint64(n)) {
			return n // past what it wrote, as Linux
		}
		// Another process moved it meanwhile, maybe by an append of its
		// own that ended later: only ever forward then.
		for tries := 0; tries < offsetTries; tries++ {
			old := atomic.LoadUint64(w)
			if old >= at+uint64(n) || atomic.CompareAndSwapUint64(w, old, at+uint64(n)) {
				break
			}
		}
		return n
	}
	n := uint64(len(b))
	at := atomic.AddUint64(w, n) - n
	got := fileWrite(f, b, at)
	if uint64(got) != n { // an error (EFBIG, ENOSPC): give the range back
		atomic.CompareAndSwapUint64(w, at+n, at+uint64(max(got, 0)))
	}
	return got
}

// seekOffset moves f's offset to position, or by it when relative: the
// new offset, or EINVAL for a negative one.
func seekOffset(f *file, position int64, relative bool) int64 {
	w := offsetWord(f)
	for tries := 0; ; tries++ {
		old := atomic.LoadUint64(w)
		to := position
		if relative {
			to += int64(old)
		}
		if to < 0 {
			return -abi.EINVAL
		}
		if atomic.CompareAndSwapUint64(w, old, uint64(to)) {
			return to
		}
		if tries >= offsetTries {
			atomic.StoreUint64(w, uint64(to))
			return to
		}
	}
}
