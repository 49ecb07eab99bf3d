package main

import (
	"unsafe"

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

// checkProcessInfo lists the process table with process_info and names
// itself with process_set_name, with bad arguments first.
func checkProcessInfo() {
	var record [exo.ProcessInfoSize / 8]uint64
	out := uintptr(unsafe.Pointer(&record[0]))
	expect("process info: a slot past the table", exo.ProcessInfo(64, out), exo.ErrBadArgument)
	expect("process info: into kernel memory", exo.ProcessInfo(0, 0xffff_8000_0000_0000), exo.ErrBadAddress)
	expect("process info: into an unmapped page", exo.ProcessInfo(0, 0x7000_0000_0000), exo.ErrBadAddress)
	expect("process name: from an unmapped page", exo.ProcessSetName(0x7000_0000_0000), exo.ErrBadAddress)
	name := [16]byte{'e', 'x', 'o', '\n', '-', 't', 'e', 's', 't', 'x', 'x', 'x', 'x', 'x', 'x', 'x'}
	check("process name: set (16 bytes, a control character in it)", exo.ProcessSetName(uintptr(unsafe.Pointer(&name[0]))) == 0)
	me, found := bare.MyID(), false
	for slot := uint64(0); slot < 64; slot++ {
		id := exo.ProcessInfo(slot, out)
		if id < 0 {
			if id != -exo.ErrNoSuchObject {
				check("process info: a free slot is EXO_NO_SUCH_OBJECT", false)
			}
			continue
		}
		if uint64(id) == me {
			found = true
			got := bare.Bytes(uintptr(unsafe.Pointer(&record[5])), 16)
			check("process info: my record: my id, running as root, some frames",
				uint32(record[0]) == uint32(me) && uint32(record[1]) == 2 && uint32(record[1]>>32) == 0 && record[3] > 0)
			check("process info: my name, the control character as '?', cut at 15 bytes",
				bare.String(got) == "exo?-testxxxxxx\x00")
		}
	}
	check("process info: the table lists me", found)
}
