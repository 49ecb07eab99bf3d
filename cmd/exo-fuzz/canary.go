package main

import (
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// The canary (role 1) fills canaryPages frames of its own with secret
// words and checks every word, over and over, until the coordinator says
// stop. Every canary word has canaryMarker in its high 32 bits, which no
// other process ever writes: a fuzzer that sees one has read the canary's
// memory.

const (
	canaryPages   = 16
	canaryAddress = 0x2000_0000
	canaryMarker  = 0xca11_a5ec
)

// canaryWord is the word at index i (over all pages) for seed.
func canaryWord(seed uint64, i uint64) uint64 {
	return canaryMarker<<32 | (mix(seed^i*0x9e37_79b9_7f4a_7c15) & 0xffff_ffff)
}

// mix is a 64-bit finalizer (splitmix64's).
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58_476d_1ce4_e5b9
	x ^= x >> 27
	x *= 0x94d0_49bb_1331_11eb
	return x ^ x>>31
}

func canary() uint64 {
	seed := *mailbox(boxSeed)
	segment := bare.NewSegment(canaryPages, -1)
	if segment == 0 || exo.SegmentLink(segment, canaryAddress, exo.PermissionsWrite) != 0 {
		bare.Say("exo-fuzz: FAIL: canary: cannot make its segment\n")
		return 1
	}
	const words = canaryPages * pageSize / 8
	for i := uint64(0); i < words; i++ {
		*bare.Word(canaryAddress + uintptr(i)*8) = canaryWord(seed, i)
	}
	*mailbox(boxCanaryID) = myID()
	*mailbox(boxCanaryReady) = 1
	checks := uint64(0)
	for {
		stop := *mailbox(boxCanaryStop) != 0
		bad := uint64(0)
		for i := uint64(0); i < words; i++ {
			if *bare.Word(canaryAddress + uintptr(i)*8) != canaryWord(seed, i) {
				bad++
			}
		}
		checks++
		if bad != 0 {
			*mailbox(boxCanaryBad) += bad
			var l line
			l.text("exo-fuzz: FAIL: canary: ").decimal(bad).text(" of my words changed").say()
			// Write them again, to see whether it goes on.
			for i := uint64(0); i < words; i++ {
				*bare.Word(canaryAddress + uintptr(i)*8) = canaryWord(seed, i)
			}
		}
		*mailbox(boxCanaryDone) = checks
		if stop {
			*mailbox(boxCanaryDone) = checks | 1<<40
			return 0
		}
		exo.Yield()
	}
}

// myID reads the caller's process id from the frame table: the owner of a
// frame it just allocated.
func myID() uint64 {
	f := exo.FrameAlloc()
	if f < 0 {
		return 0
	}
	id := entryOwner(frameEntry(uint64(f)))
	exo.FrameFree(uint64(f))
	return id
}

// The frame table, mapped read-only in every process (docs/exokernel.md):
// use in bits 0-7, owner 8-23, references 24-39, orphan 40.
const (
	frameTableView = 0x7f80_0000_0000
	useProcess     = 16
	// tableFrames is how many entries the fuzzers read: 240 MiB of
	// physical memory, inside the table on every machine the tests boot.
	tableFrames = 240 << 20 >> 12
)

func frameEntry(physical uint64) uint64 {
	return *bare.Word(frameTableView + uintptr(physical/4096%tableFrames)*8)
}

func entryUse(e uint64) uint64   { return e & 0xff }
func entryOwner(e uint64) uint64 { return e >> 8 & 0xffff }
