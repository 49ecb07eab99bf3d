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
	*mailbox(boxCanaryID) = bare.MyID()
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

// The frame table (libos/bare), read without a call.
const (
	frameTableView = exo.AddressFrameTableView
	useProcess     = exo.FrameUseProcess
	// tableFrames is how many entries the fuzzers read: 240 MiB of
	// physical memory, inside the table on every machine the tests boot.
	tableFrames = 240 << 20 >> 12
)

// frameEntry reads the entry of physical, kept inside what is read.
func frameEntry(physical uint64) uint64 { return bare.FrameEntry(physical % (tableFrames * 4096)) }
