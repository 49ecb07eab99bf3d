package main

import (
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// checkKernelInfo reads the kernel information page (exo.AddressKernelInfo)
// without a call, reads the clock from it as a libOS's vDSO will, and
// tries to link segments over it and over the frame-table view.
func checkKernelInfo() {
	check("kernel info: the page is filled (version 1)", bare.InfoVersion() == 1)
	check("kernel info: a TSC frequency above 1 MHz", bare.Info(exo.KernelInfoTscHz) > 1_000_000)
	check("kernel info: at least one CPU, the 1 ms tick",
		bare.Info(exo.KernelInfoCpus) >= 1 && bare.Info(exo.KernelInfoTickNs) == 1_000_000)
	check("kernel info: a wall clock after 2020", int64(bare.Info(exo.KernelInfoWallClockBoot)) > 1_577_836_800*1_000_000_000)
	// The clock read from the page agrees with time_now: between two
	// calls, every time.
	agree := true
	for i := 0; i < 1000 && agree; i++ {
		before := uint64(exo.TimeNow())
		now := bare.Now()
		after := uint64(exo.TimeNow())
		agree = before <= now && now <= after
	}
	check("kernel info: the clock read from the page lies between two time_now calls (1000 times)", agree)

	// Both views are the kernel's: no segment may be linked over them or
	// into the empty slots of their shared tables.
	pd := exo.SegmentCreate(exo.LevelPD)
	pt := exo.SegmentCreate(exo.LevelPT)
	check("kernel info: make a PD and a PT segment", pd > 0 && pt > 0)
	refused := func(r int64) bool { return r < 0 }
	check("kernel info: no segment linked over the information page's gigabyte",
		refused(exo.SegmentLink(uint64(pd), exo.AddressKernelInfo, 0)))
	check("kernel info: no segment linked into the information page's shared directory",
		refused(exo.SegmentLink(uint64(pt), exo.AddressKernelInfo+2<<20, 0)))
	check("kernel info: no segment linked into the frame-table view's shared directory",
		refused(exo.SegmentLink(uint64(pt), exo.AddressFrameTableView+1020<<20, 0)))
	exo.SegmentDestroy(uint64(pd))
	exo.SegmentDestroy(uint64(pt))
}
