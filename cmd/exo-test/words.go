package main

import (
	"sync/atomic"

	"exogo/libos/bare"
	"exogo/libos/exo"
)

// Words in shared frames (word_watch, word_notify). The parent checks the
// refusals and the per-process limit on itself, then runs role 18, which
// shares the mailbox: the parent stores 1..wordRounds in a mailbox word
// and notifies it through a second link of the mailbox at another
// address (so the watch and the notify meet only by physical name), and
// the child, which waits with no other way to learn of the stores, must
// see every value without its 10-second deadline passing (no lost
// wake-up). Then the child takes the word upcall in a call-free loop,
// and exits while it watches the word: the parent's notify then finds
// nobody (a process's end forgets its watches).

const (
	boxWord        = 31 // role 18: the watched word (its low 32 bits)
	boxWordAck     = 32 // role 18: the last value it saw
	boxWordReady   = 33 // role 18: 1 when it watches in its call-free loop
	boxWordsDone   = 34 // role 18: 100 + failed checks, just before it exits
	boxWordUpcalls = 35 // role 18: word upcalls taken in the loop
	boxWordLast    = 36 // role 18: 1 when it watches the word as it exits
	boxWordLimit   = 40 // the parent's words for the limit check (33 of them)
	watchLimit     = 32 // the kernel's watches per process
	wordRounds     = 200
	wordAlias      = 0x1040_0000 // the mailbox's second link in the parent
	wordWait       = 10_000_000_000
)

var wordUpcalls uint64

func wordAddress(base uintptr, box uintptr) uintptr { return base + 8*box }

// wordsChild is role 18.
func wordsChild() {
	word := wordAddress(mailboxAddress, boxWord)
	seen := uint64(0)
	for seen < wordRounds {
		if v := atomic.LoadUint64(mailbox(boxWord)); v != seen {
			seen = v
			atomic.StoreUint64(mailbox(boxWordAck), seen)
			continue
		}
		r := exo.WordWatch(word, seen)
		if r == 1 {
			continue // it changed since the load: no watch, read again
		}
		if r != 0 {
			check("words: watch a shared word", false)
			break
		}
		start := bare.Now()
		exo.Wait(start + wordWait)
		if bare.Now()-start >= wordWait {
			bare.SayNumber("exo-test: FAIL: words: a notify was lost; the child waited in vain at value ", int64(seen))
			failures++
			break
		}
	}
	// The word upcall, in a loop without calls.
	handler = handlerWords
	check("words: register upcalls", bare.UseUpcalls(&upcallTable, upcallStack, upcallPages))
	check("words: watch the word before the loop", exo.WordWatch(word, seen) == 0)
	atomic.StoreUint64(mailbox(boxWordReady), 1)
	for deadline := bare.Now() + wordWait; atomic.LoadUint64(&wordUpcalls) == 0 && bare.Now() < deadline; {
	}
	*mailbox(boxWordUpcalls) = atomic.LoadUint64(&wordUpcalls)
	check("words: exit while watching", exo.WordWatch(word, seen) == 0)
	*mailbox(boxWordLast) = 1
	*mailbox(boxWordsDone) = 100 + failures
	exo.Exit(int64(100 + failures))
}

func onWordsUpcall(context uintptr, event, detail, detail2 uint64) {
	if event == exo.UpcallWord {
		atomic.AddUint64(&wordUpcalls, 1)
	}
	bare.Resume(context)
}

// checkWords runs the parent's side.
func checkWords() {
	word := wordAddress(mailboxAddress, boxWord)
	expect("words: watch a misaligned word", exo.WordWatch(word+1, 0), exo.ErrMisaligned)
	expect("words: watch an unmapped word", exo.WordWatch(0x7000_0000_0000, 0), exo.ErrBadAddress)
	expect("words: watch a kernel word", exo.WordWatch(0xffff_8000_0000_0000, 0), exo.ErrBadAddress)
	expect("words: notify a word I cannot write (my code)", exo.WordNotify(childStartAddress()&^3, 1), exo.ErrBadAddress)
	*mailbox(boxWord) = 7
	check("words: a watch of a word that no longer holds the value is refused (1)", exo.WordWatch(word, 6) == 1)
	limitOK := true
	for k := uintptr(0); k < watchLimit; k++ {
		limitOK = limitOK && exo.WordWatch(wordAddress(mailboxAddress, boxWordLimit+k), 0) == 0
	}
	check("words: watch 32 words", limitOK)
	check("words: watching one of them again keeps one watch", exo.WordWatch(wordAddress(mailboxAddress, boxWordLimit), 0) == 0)
	expect("words: a 33rd watch", exo.WordWatch(wordAddress(mailboxAddress, boxWordLimit+watchLimit), 0), exo.ErrLimit)
	check("words: Unwatch ends one", exo.WordWatch(wordAddress(mailboxAddress, boxWordLimit), exo.WordUnwatch) == 0 &&
		exo.WordNotify(wordAddress(mailboxAddress, boxWordLimit), 5) == 0)
	check("words: then another watch is made", exo.WordWatch(wordAddress(mailboxAddress, boxWordLimit), 0) == 0)
	notified := int64(0)
	for k := uintptr(0); k < watchLimit; k++ {
		notified += exo.WordNotify(wordAddress(mailboxAddress, boxWordLimit+k), 5)
	}
	check("words: notifying the 32 words reaches my 32 watches once each", notified == watchLimit)
	check("words: then the 33rd watch is made", exo.WordWatch(wordAddress(mailboxAddress, boxWordLimit+watchLimit), 0) == 0)
	check("words: and one notify ends it", exo.WordNotify(wordAddress(mailboxAddress, boxWordLimit+watchLimit), 1) == 1 &&
		exo.WordNotify(wordAddress(mailboxAddress, boxWordLimit+watchLimit), 1) == 0)

	*mailbox(boxWord) = 0
	check("words: link the mailbox a second time", exo.SegmentLink(mailboxSegment, wordAlias, exo.PermissionsWrite) == 0)
	id := spawn(18, 0, 0)
	check("words: start the child", id > 0)
	alias := wordAddress(wordAlias, boxWord)
	reached, rounds := int64(0), uint64(0)
	for i := uint64(1); i <= wordRounds; i++ {
		atomic.StoreUint64(mailbox(boxWord), i)
		reached += exo.WordNotify(alias, 1)
		if !yieldWithin(mailbox(boxWordAck), i, 2*wordWait) {
			break
		}
		rounds = i
	}
	check("words: the child saw every store, woken by notifies through another address", rounds == wordRounds && reached > 0)
	bare.SayNumber("exo-test: words: notifies that found the child watching: ", reached)
	yieldWithin(mailbox(boxWordReady), 1, 2*wordWait)
	for i := 0; i < 1000 && exo.WordNotify(alias, 1) == 0; i++ {
		exo.Yield()
	}
	yieldWithin(mailbox(boxWordsDone), 100, 2*wordWait)
	check("words: the child took the word upcall in a call-free loop", *mailbox(boxWordUpcalls) >= 1)
	check("words: the child's checks passed", *mailbox(boxWordsDone) == 100)
	check("words: reap the child", reapWithin(id) == id|100<<16)
	check("words: its watch went with it: a notify finds nobody", *mailbox(boxWordLast) == 1 && exo.WordNotify(alias, 1) == 0)
	check("words: unlink the second link", exo.SegmentUnlink(wordAlias, exo.LevelPT) == 0)
}
