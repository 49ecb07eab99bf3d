package main

import "exogo/libos/bare"

// The fuzzer's random choices: numbers, addresses (hostile ones among
// them), and arguments that mostly name what the fuzzer holds.

func random() uint64 {
	rng ^= rng >> 12
	rng ^= rng << 25
	rng ^= rng >> 27
	return rng * 0x2545_f491_4f6c_dd1d
}

func below(n uint64) uint64 {
	if n == 0 {
		return 0
	}
	return random() % n
}

func chance(percent uint64) bool { return below(100) < percent }

// hostileAddresses are addresses no call may accept for user memory.
var hostileAddresses = [...]uint64{
	0, 0x1000, 0x20_0000, // below 4 MiB
	0xffff_ffff_8010_0000, 0xffff_8000_0000_0000, 0xffff_ffff_ffff_f000, // the kernel half
	0x0000_8000_0000_0000, 0x0000_9000_0000_0000, 0x8000_0000_0000_0000, // non-canonical
	0x7fff_ffff_f000, 0x7fff_ffe0_0000, 0x7fff_c000_0000, // the last page below the hole, and spans over it
	frameTableView,                // the frame table's view
	arenaPT + 0x1000, arenaPD + 8, // misaligned
	^uint64(0), 1 << 52,
}

func hostileAddress() uint64 {
	return hostileAddresses[below(uint64(len(hostileAddresses)))%uint64(len(hostileAddresses))]
}

// frameFromTable finds a held frame in the frame table that is not this
// fuzzer's own data: a page table, a segment's table, the kernel's, the
// canary's, another fuzzer's.
func frameFromTable(wantOwner uint64) uint64 {
	for try := 0; try < 256; try++ {
		f := below(tableFrames) * 4096
		e := frameEntry(f)
		if bare.EntryUse(e) <= 1 { // absent or free
			continue
		}
		if wantOwner != 0 && bare.EntryOwner(e) != wantOwner {
			continue
		}
		if bare.EntryOwner(e) == me && bare.EntryUse(e) == useProcess {
			continue
		}
		return f
	}
	return 0x10_0000 // the kernel image
}

func pickFrame() uint64 {
	switch r := below(10); {
	case r < 4 && nframes > 0:
		return frames[below(uint64(nframes))%frameQuota]
	case r < 6:
		return frameFromTable(0)
	case r < 8:
		return frameFromTable(*mailbox(boxCanaryID))
	case r < 9:
		return frameFromTable(me) // my page tables and segment tables
	}
	return hostileAddress() | below(2)*8
}

func pickSegment() uint64 {
	switch r := below(10); {
	case r < 6 && nsegs > 0:
		return segs[below(uint64(nsegs))%maxSegs].id
	case r < 8 && nsegs > 0:
		return segs[below(uint64(nsegs))%maxSegs].id ^ (1+below(3))<<16 // a stale generation
	case r < 9:
		return below(0x1_0000) // anybody's, perhaps
	}
	return [...]uint64{0, 0xffff_ffff, 1 << 32, ^uint64(0)}[below(4)%4]
}

func pickProcess() uint64 {
	if chance(80) {
		return *mailbox(boxProcesses + uintptr(below(2+Fuzzers)))
	}
	return [...]uint64{0, me, 0xffff, 1 << 16, ^uint64(0)}[below(5)%5]
}

func pickLevel() uint64 {
	if chance(90) {
		return 1 + below(3)
	}
	return [...]uint64{0, 4, 7, 1 << 40}[below(4)%4]
}

func arenaAddress(level uint64) uint64 {
	switch level {
	case 1:
		return arenaPT + below(64)<<21
	case 2:
		return arenaPD + below(8)<<30
	case 3:
		return arenaPDPT + below(4)<<39
	}
	return hostileAddress()
}

func pickAddress(level uint64) uint64 {
	if chance(70) {
		return arenaAddress(level)
	}
	return hostileAddress()
}

func pickSlot() uint64 {
	if chance(95) {
		return below(512)
	}
	return [...]uint64{512, 1 << 32, ^uint64(0)}[below(3)%3]
}

func pickPermissions() uint64 {
	if chance(95) {
		return below(4)
	}
	return [...]uint64{4, 0xff, ^uint64(0)}[below(3)%3]
}
