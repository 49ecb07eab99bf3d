package main

import (
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// The worst cases a hostile review built against the kernel's bounds: an
// address space of 20 000 page directories (made by linking and unlinking
// a segment once in each of 20 000 GiB: the tables stay, charged to this
// process), and beside it a process holding 64 grants, which then ends.
// Before the reverse map of references the kernel walked every live
// address space once per grant (seconds, with interrupts off); now each
// grant costs what it holds.

const (
	bigSpaceBase  = 0x1000_0000_0000 // 16 TiB: 20 000 GiB from here stay below the frame-table view
	bigSpaceGiB   = 20000
	heldGrants    = 64
	worstCaseRuns = 20
)

func measureWorstCases() {
	seg := bare.NewSegment(0, -1)
	directories := 0
	for i := uintptr(0); i < bigSpaceGiB; i++ {
		address := bigSpaceBase + i<<30
		if exo.SegmentLink(seg, address, 0) != 0 {
			break
		}
		exo.SegmentUnlink(address, exo.LevelPT)
		directories++
	}
	bare.SayNumber("bench: page directories in this address space: ", int64(directories))
	var granted [heldGrants]uint64
	for i := range granted {
		granted[i] = bare.NewSegment(0, -1)
	}
	measure("end of a process holding 64 grants, beside the 20 000-directory space (create + 64 grants + destroy)", worstCaseRuns, func() {
		p := exo.ProcessCreate(0)
		for _, s := range granted {
			exo.SegmentGrant(s, uint64(p), exo.RightsLink)
		}
		exo.ProcessDestroy(uint64(p))
	}, nil)
	p := exo.ProcessCreate(0)
	measure("segment_withdraw beside the 20 000-directory space (grant + withdraw)", 2000, func() {
		exo.SegmentGrant(granted[0], uint64(p), exo.RightsLink)
		exo.SegmentWithdraw(granted[0], uint64(p))
	}, nil)
	exo.ProcessDestroy(uint64(p))
	// A process at its limit of links (RefLimit), each in its own GiB
	// (a page directory each), ends: its links go through its records,
	// its tables with one walk of its own space.
	measure("end of a process with 1024 links, a page directory each (create + 1024 links + destroy)", 5, func() {
		p := exo.ProcessCreate(0)
		for i := uintptr(0); i < 1024; i++ {
			exo.ProcessLinkSegment(uint64(p), granted[0], bigSpaceBase+i<<30, 0)
		}
		exo.ProcessDestroy(uint64(p))
	}, nil)
	for _, s := range granted {
		exo.SegmentDestroy(s)
	}
	exo.SegmentDestroy(seg)
}
