package exo

import (
	"sync/atomic"

	"exogo/kernel/layout"
	"exogo/kernel/process"
	"exogo/kernel/rawmem"
)

// Words in shared frames (word_watch, word_notify): how processes that
// share a frame wait for each other, for pipes and console input. A
// process watches a 4-byte word while it still holds the value it last
// read; a process that changed the word notifies its watchers, each of
// which gets a word event: the word upcall (when a vCPU next resumes with
// upcalls enabled) or, on vCPU 0, a return of its wait. A libOS blocks
// the thread that waits for the word and runs others; the vCPU is never
// blocked in the kernel for it (scheduler activations).
//
// Watches are keyed by physical name, the word's physical address, so
// processes that map the frame at different addresses meet. They live in
// one table of maxWatches entries, chained per bucket of a hash of the
// address: a notify costs a walk of one bucket, a watch a scan for a free
// entry (bounded by the table, not by processes). A process's watches are
// listed in its record, so its end forgets them without a scan.
//
// A watch is a hint, not a reference: it does not keep the frame. If the
// frame is freed and handed to another process, a notify there gives the
// watcher an event that means nothing, and it re-reads its words.

const (
	maxWatches   = process.MaxProcesses * process.WatchesPerProcess // every process's limit fits: no tree of processes can take another's watches
	watchBuckets = 256                                              // hash buckets over the words' physical addresses
)

// A watchEntry is one process's watch of one word; a free entry has word
// 0 (no watched word is at physical address 0: the first frame is never
// handed out). next is 1 + the index of the next entry of the same
// bucket, 0 at the end.
type watchEntry struct {
	word    uint64
	process uint16
	next    uint16
}

type watchTable struct {
	entries [maxWatches]watchEntry
	heads   [watchBuckets]uint16 // 1 + the index of each bucket's first entry
}

var watches watchTable

// bucketOf hashes a word's physical address (Fibonacci hashing of the
// word index: neighbouring words land in different buckets).
func bucketOf(word uint64) uint32 {
	return uint32(((word >> 2) * 0x9E3779B97F4A7C15) >> 56)
}

// add makes process's watch of word, recording it in list (the process's
// record), unless it already watches word. It returns 0, -ErrLimit when
// list is full or -ErrNoMemory when the kernel's table is.
func (t *watchTable) add(owner uint16, list *[process.WatchesPerProcess]uint16, word uint64) int64 {
	free := -1
	for k, e := range list {
		if e == 0 {
			if free < 0 {
				free = k
			}
			continue
		}
		if i := int(e - 1); i < maxWatches && t.entries[i].word == word {
			return 0 // one watch per word per process
		}
	}
	if free < 0 {
		return -ErrLimit
	}
	for i := range t.entries {
		if t.entries[i].word != 0 {
			continue
		}
		b := bucketOf(word) % watchBuckets
		t.entries[i] = watchEntry{word: word, process: owner, next: t.heads[b]}
		t.heads[b] = uint16(i + 1)
		list[uint(free)%process.WatchesPerProcess] = uint16(i + 1)
		return 0
	}
	return -ErrNoMemory
}

// remove takes entry i out of its bucket and frees it.
func (t *watchTable) remove(i int) {
	if i < 0 || i >= maxWatches || t.entries[i].word == 0 {
		return
	}
	b := bucketOf(t.entries[i].word) % watchBuckets
	link := &t.heads[b]
	for steps := 0; *link != 0 && steps < maxWatches; steps++ {
		k := int(*link - 1)
		if k >= maxWatches {
			break
		}
		if k == i {
			*link = t.entries[k].next
			break
		}
		link = &t.entries[k].next
	}
	t.entries[i] = watchEntry{}
}

// take removes one watch of word and returns the watching process and the
// entry's index (1 + index, as in a process's list); ok is false when
// nobody watches word.
func (t *watchTable) take(word uint64) (owner uint16, entry uint16, ok bool) {
	b := bucketOf(word) % watchBuckets
	for e, steps := t.heads[b], 0; e != 0 && steps < maxWatches; steps++ {
		i := int(e - 1)
		if i >= maxWatches {
			break
		}
		if t.entries[i].word == word {
			owner = t.entries[i].process
			t.remove(i)
			return owner, e, true
		}
		e = t.entries[i].next
	}
	return 0, 0, false
}

// drop removes the watch of word in list, if there is one.
func (t *watchTable) drop(list *[process.WatchesPerProcess]uint16, word uint64) {
	for k, e := range list {
		if i := uint(e) - 1; e != 0 && i < maxWatches && t.entries[i%maxWatches].word == word {
			t.remove(int(i))
			list[uint(k)%process.WatchesPerProcess] = 0
		}
	}
}

// forget removes every watch in list (a process's, at its end).
func (t *watchTable) forget(list *[process.WatchesPerProcess]uint16) {
	for k, e := range list {
		if e != 0 {
			t.remove(int(e - 1))
			list[k] = 0
		}
	}
}

// wordName returns the physical name of the caller's word at address
// (4-byte aligned, readable, and writable with write), or an error.
func wordName(caller *Caller, address uintptr, write bool) (uint64, int64) {
	if address&3 != 0 {
		return 0, -ErrMisaligned
	}
	word, ok := process.Physical(caller.Process, address, write)
	if !ok || word == 0 {
		return 0, -ErrBadAddress
	}
	return word, 0
}

// sysWordWatch watches the word at address while it holds value.
func sysWordWatch(caller *Caller, address uintptr, value uint64) int64 {
	word, err := wordName(caller, address, false)
	if err != 0 {
		return err
	}
	if value == WordUnwatch {
		watches.drop(&caller.Process.Watches, word)
		return 0
	}
	// The table is changed under smp.Lock, which every notify holds too:
	// a store to the word made before a notify is seen here, or the
	// notify comes after the watch exists.
	if atomic.LoadUint32(rawmem.Uint32(layout.DirectMap+uintptr(word))) != uint32(value) {
		return 1
	}
	return watches.add(caller.Process.ID, &caller.Process.Watches, word)
}

// sysWordNotify notifies up to count watchers of the word at address.
func sysWordNotify(caller *Caller, address uintptr, count uint64) int64 {
	word, err := wordName(caller, address, true)
	if err != 0 {
		return err
	}
	return notifyWord(word, count)
}

// notifyWord notifies up to count watchers of the word at physical
// address word (sysWordNotify's, and the file system's count of a pipe's
// writers: tellPipeWriters).
// Preconditions: smp.Lock held.
func notifyWord(word, count uint64) int64 {
	notified := int64(0)
	for uint64(notified) < count {
		owner, entry, found := watches.take(word)
		if !found {
			break
		}
		p := process.ByID(owner)
		if p == nil {
			continue // cannot happen: a process's end forgets its watches
		}
		for k := range p.Watches {
			if p.Watches[k] == entry {
				p.Watches[k] = 0
			}
		}
		// The upcall, or vCPU 0's wait, tells it; a wait this ends may
		// return once more for the same event (a word event is a hint).
		atomic.StoreUint32(&p.WordPending, 1)
		wakeWaiter(p)
		notified++
	}
	return notified
}

// wordUpcall reports whether p has a word event for the word upcall: one
// is pending and p takes it (else vCPU 0's wait takes it).
func wordUpcall(p *process.Process) bool {
	return atomic.LoadUint32(&p.WordPending) != 0 && p.UpcallEntries[UpcallWord] != 0
}
