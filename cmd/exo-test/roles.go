package main

import (
	"unsafe"

	"exogo/libos/bare"
	"exogo/libos/exo"
)

// child runs a child's role; its result is the exit status (most roles end
// by a fault the kernel turns into the end of the process).
func child(role uint64) uint64 {
	failures = 0 // the copy of the parent's data carries the parent's count
	handler = handlerMain
	switch role {
	case 1:
		reader()
	case 2:
		writer()
	case 3:
		hostile()
	case 4:
		spinner()
	case 5:
		upcalls()
	case 6:
		badUpcallStack()
	case 7, 8:
		quanta(role)
	case 9:
		noPorts()
	case 10, 11:
		hoarder(role)
	case 12:
		grantedPort()
	case 13:
		faultInHandler()
	case 14:
		withdrawn()
	case 15:
		attacker()
	case 16:
		orphanOwner()
	case 17:
		vcpus()
	case 18:
		wordsChild()
	}
	return 0
}

func reader() {
	if *bare.Word(sharedAddress) == 42 && waitFor(bare.Word(sharedAddress+8), 43) {
		*mailbox(boxReaderSaw) = 1
	}
	// The parent granted this segment read-only (before its write of 43).
	expect("reader: link the granted segment writable (more than granted)", exo.SegmentLink(sharedSegment, 0x3000_0000, exo.PermissionsWrite), exo.ErrNoRight)
	check("reader: link the granted segment read-only", exo.SegmentLink(sharedSegment, 0x3000_0000, 0) == 0)
	expect("reader: grant on a segment granted without the grant right", exo.SegmentGrant(sharedSegment, 0xfffe, exo.RightsLink), exo.ErrNotOwner)
	bare.Say("exo-test: reader: writing through my read-only link (the kernel must stop me)\n")
	*bare.Word(sharedAddress) = 666
	bare.Say("exo-test: FAIL: reader: the write went through\n")
}

func writer() {
	*bare.Word(sharedAddress + 16) = 44
	*mailbox(boxWriterWrote) = 1
	bare.Say("exo-test: writer: writing a page mapped read-only inside my read-write link (the kernel must stop me)\n")
	*bare.Word(sharedAddress + pageSize) = 666
	bare.Say("exo-test: FAIL: writer: the write went through\n")
}

func spinner() {
	for {
		// Pop, then push: with one x87 state for all threads this would
		// replace another thread's ST0 with 999.
		x87Store()
		x87Load(999)
		*mailbox(boxSpinnerRuns)++
	}
}

// hostile makes calls the kernel must refuse, and checks each error code.
func hostile() {
	var text [8]byte
	buffer := uintptr(unsafe.Pointer(&text[0]))
	expect("hostile: unknown call number", rawCall(exo.CallBase+0xfff), exo.ErrUnknownCall)
	loadGSSelector()
	check("hostile: a call after loading GS (its base is now 0) still works", exo.Null() == 0)
	hostileGSBase()
	expect("hostile: debug_write from kernel memory", exo.DebugWrite(0xffff_ffff_8010_0000, 8), exo.ErrBadAddress)
	expect("hostile: debug_write below 4 MiB", exo.DebugWrite(0x1000, 8), exo.ErrBadAddress)
	expect("hostile: debug_write from an unmapped address", exo.DebugWrite(0x2000_0000, 8), exo.ErrBadAddress)
	expect("hostile: debug_write with a length that wraps", exo.DebugWrite(buffer, ^uint64(0)-8), exo.ErrBadAddress)
	expect("hostile: debug_write from a non-canonical address", exo.DebugWrite(0x0000_9000_0000_0000, 8), exo.ErrBadAddress)
	expect("hostile: free a kernel frame", exo.FrameFree(0x10_0000), exo.ErrNotOwner)
	expect("hostile: free a misaligned frame", exo.FrameFree(0x10_0008), exo.ErrMisaligned)
	expect("hostile: free a frame beyond physical memory", exo.FrameFree(1<<60), exo.ErrBadAddress)
	id := exo.SegmentCreate(exo.LevelPT)
	check("hostile: create a segment", id > 0)
	expect("hostile: map a kernel frame", exo.SegmentMapFrame(uint64(id), 0, 0x10_0000, exo.MapPermissionsWrite), exo.ErrNotOwner)
	expect("hostile: map at slot 512", exo.SegmentMapFrame(uint64(id), 512, 0x10_0000, 0), exo.ErrBadArgument)
	expect("hostile: frame_alloc_map into the parent's segment", exo.FrameAllocMap(mailboxSegment, 100, exo.PermissionsWrite), exo.ErrNotOwner)
	expect("hostile: frame_alloc_map at slot 512", exo.FrameAllocMap(uint64(id), 512, 0), exo.ErrBadArgument)
	mapped := exo.FrameAllocMap(uint64(id), 3, exo.PermissionsWrite)
	check("hostile: frame_alloc_map gives a frame I own, mapped once", mapped > 0 && frameEntry(uint64(mapped))&0xff == useProcess && frameEntry(uint64(mapped))>>24&0xffff == 1)
	expect("hostile: frame_alloc_map over a mapped slot", exo.FrameAllocMap(uint64(id), 3, exo.PermissionsWrite), exo.ErrBusy)
	expect("hostile: link at a kernel address", exo.SegmentLink(uint64(id), 0xffff_8000_0000_0000, 0), exo.ErrBadAddress)
	expect("hostile: link misaligned", exo.SegmentLink(uint64(id), 0x3000_1000, 0), exo.ErrMisaligned)
	expect("hostile: link over the mailbox", exo.SegmentLink(uint64(id), mailboxAddress, 0), exo.ErrBusy)
	expect("hostile: link into the frame table view", exo.SegmentLink(uint64(id), frameTableView, exo.PermissionsWrite), exo.ErrBusy)
	expect("hostile: link over the last page below the canonical hole", exo.SegmentLink(uint64(id), 0x7fff_ffe0_0000, exo.PermissionsExecute), exo.ErrBadAddress)
	expect("hostile: link the parent's mailbox segment (no grant)", exo.SegmentLink(mailboxSegment, 0x3000_0000, exo.PermissionsWrite), exo.ErrNoRight)
	expect("hostile: destroy the parent's segment", exo.SegmentDestroy(mailboxSegment), exo.ErrNotOwner)
	expect("hostile: a segment id that never existed", exo.SegmentDestroy(0xfff0fff), exo.ErrNoSuchObject)
	expect("hostile: bad level", exo.SegmentCreate(7), exo.ErrBadArgument)
	// The right to create processes passes on, within 32 children each.
	var kids [33]int64
	children, refused := 0, int64(0)
	for i := range kids {
		k := exo.ProcessCreate(0)
		if k < 0 {
			refused = k
			break
		}
		kids[i] = k
		children++
	}
	check("hostile: creating processes stops at 32 children (or a full table) with EXO_LIMIT", children <= 32 && refused == -exo.ErrLimit)
	for _, k := range kids {
		if k > 0 {
			exo.ProcessDestroy(uint64(k))
		}
	}
	expect("hostile: start process 1 (not my child)", exo.ProcessStart(1, imageBase, stackWindow), exo.ErrNotOwner)
	// Rights pass on only as the parent gave them: this process was made
	// without the power right, and no bit names a right it lacks.
	expect("hostile: poweroff without the power right", exo.Poweroff(77), exo.ErrNoRight) // (77: a leak would fail the run)
	expect("hostile: process_create with a bit that is no right", exo.ProcessCreate(16), exo.ErrBadArgument)
	expect("hostile: process_signal with signal 65", exo.ProcessSignal(1, 65), exo.ErrBadArgument)
	expect("hostile: process_signal to no process", exo.ProcessSignal(0xfff0, 15), exo.ErrNoSuchObject)
	expect("hostile: process_signal SIGKILL to the first process does nothing", exo.ProcessSignal(1, 9), 0)
	if k := exo.ProcessCreate(exo.ProcessRightsPowerOff | exo.ProcessRightsDevices); k > 0 {
		// Rights it lacks are not passed on (kernel/exo:
		// sysProcessCreate); this child never runs.
		exo.ProcessDestroy(uint64(k))
	} else {
		expect("hostile: process_create asking for rights it lacks still creates", k, 0)
	}
	expect("hostile: destroy process 1", exo.ProcessDestroy(1), exo.ErrNotOwner)
	expect("hostile: register upcalls from kernel memory", exo.UpcallRegister(0xffff_ffff_8010_0000, buffer, 8), exo.ErrBadAddress)

	// Exhaust my frames: the kernel stops me at my limit (or when memory
	// runs low) and stays up; they go back when the kernel ends me.
	var got, freedOK int64
	first := exo.FrameAlloc()
	last := first
	for got = 1; ; got++ {
		f := exo.FrameAlloc()
		if f < 0 {
			check("hostile: frame exhaustion ends with a limit or no-memory error", f == -exo.ErrLimit || f == -exo.ErrNoMemory)
			break
		}
		last = f
	}
	bare.SayNumber("exo-test: hostile: frames allocated before the kernel said no: ", got)
	// Everything the kernel makes for me is charged to me: at my limit
	// there is no frame for a segment's table or a link's page tables.
	made := exo.SegmentCreate(exo.LevelPT)
	check("hostile: at my frame limit, segment_create is refused (its table is charged to me)", made == -exo.ErrLimit || made == -exo.ErrNoMemory)
	linked := exo.SegmentLink(uint64(id), 0x100_0000_0000, 0)
	check("hostile: at my frame limit, a link that needs new page tables is refused (they are charged to me)", linked == -exo.ErrLimit || linked == -exo.ErrNoMemory)
	expect("hostile: free a frame twice", exo.FrameFree(uint64(last))+exo.FrameFree(uint64(last)), exo.ErrNotOwner)
	freedOK = 1
	check("hostile: frames are named by physical address", first > 0 && freedOK == 1)
	*mailbox(boxHostileDone) = 100 + failures
	bare.Say("exo-test: hostile: reading kernel memory (the kernel must stop me)\n")
	_ = *bare.Word(0xffff_ffff_8010_0000)
	bare.Say("exo-test: FAIL: hostile: read kernel memory\n")
}

// hostileGSBase, where the kernel lets user mode write its bases
// (FSGSBASE), points GS at the kernel's half, makes calls and yields to
// another process, and reads the base back: the kernel takes every entry's
// GS base from KERNEL_GS_BASE after SWAPGS, never from what user mode
// left, and keeps the value across traps and switches.
func hostileGSBase() {
	if bare.Info(exo.KernelInfoFeatures)&exo.CpuFeatureFsgsbase == 0 {
		bare.Say("exo-test: not exercised: the CPU has no FSGSBASE\n")
		return
	}
	const kernelHalf = 0xffff_8000_0000_0000
	setGSBase(kernelHalf)
	ok := exo.Null() == 0 && exo.Yield() == 0 && exo.Null() == 0
	for i := 0; i < 100000; i++ { // across some timer ticks too
		ok = ok && gsBase() == kernelHalf
	}
	kept := gsBase() == kernelHalf
	setGSBase(0)
	check("hostile: GS based in the kernel's half (WRGSBASE): calls and a yield work, and the base is kept", ok && kept)
}

func rawCall(number uint64) int64

func gsBase() uint64

func setGSBase(base uint64)

func loadGSSelector()

// noPorts (role 9) holds no right to devices: binding a port is refused,
// and reading a port it was not given must fault (the kernel ends it).
func noPorts() {
	expect("ports: a child without the device right cannot bind ports", exo.IoportBind(0x3ff, 1), exo.ErrNoRight)
	expect("interrupts: a child without the device right cannot bind a line", exo.IrqBind(4), exo.ErrNoRight)
	*mailbox(boxNoPortsReady) = 100 + failures
	bare.Say("exo-test: no-ports: reading COM1 without the right (the kernel must stop me)\n")
	inByte(0x3ff)
	bare.Say("exo-test: FAIL: no-ports: read a port I was not given\n")
}

// grantedPort (role 12) waits until its parent has granted it COM1's
// scratch register with device_grant, then reads it.
func grantedPort() {
	deadline := exo.TimeNow() + 2_000_000_000
	for *mailbox(boxPortGranted) == 0 && exo.TimeNow() < deadline {
		exo.Yield()
	}
	*mailbox(boxPortRead) = 100 + uint64(inByte(0x3ff))
	// The parent also granted the shared segment, with the right to grant
	// it on (to a process number nobody holds yet: any will do).
	const someone = 0xfffe
	expect("grant on: pass on more than I hold (write)", exo.SegmentGrant(sharedSegment, someone, exo.RightsLink|exo.RightsWrite), exo.ErrNoRight)
	check("grant on: pass on the link right I hold", exo.SegmentGrant(sharedSegment, someone, exo.RightsLink) == 0)
	*mailbox(boxGrantOnDone) = 100 + failures
}
