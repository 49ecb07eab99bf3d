package main

import (
	"unsafe"

	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/fault"
)

// Role 5: a tiny libOS using upcalls. It registers a fault and a foreign
// system call entry point, then:
//   - touches pages of a segment that has no frames: each page fault comes
//     to onUpcall, which maps a fresh frame there and resumes in user mode
//     (self-paging);
//   - makes a Linux getpid system call, which the foreign upcall answers,
//     resuming through the kernel (upcall_resume);
//   - divides by zero; the fault upcall resumes at a landing address;
//   - divides by zero again, and in the handler (upcalls disabled)
//     touches a page that is not there from a fault_fixup range: the
//     kernel resumes at the range's landing instead of ending it;
//   - tries upcall_resume with a kernel RIP and a kernel FS base (refused).
// Role 6 registers an upcall stack that does not exist and faults: the
// kernel cannot enter the upcall and must end it, with a report.

const (
	pagingAddress = 0x2000_0000 // a segment linked with no frames in it
	upcallStack   = 0x2020_0000 // the upcall stack: a segment of 4 pages
	upcallPages   = 4
	pagedPages    = 8
)

var (
	upcallTable  [exo.UpcallTableEntries]uint64
	pagingSeg    uint64
	pagedFaults  uint64
	foreignCalls uint64
	divideFaults uint64
	// fixupProbe asks the next divide fault's handler to Touch an absent
	// page; fixupTouched is what Touch returned there.
	fixupProbe   bool
	fixupTouched uint64
)

// absentPage is mapped by nothing.
const absentPage = 0x2100_0000

func linuxGetpid() int64

// onUpcall handles every upcall of role 5 and resumes the context.
func onUpcall(context uintptr, event, detail, detail2 uint64) {
	if role == 7 || role == 8 {
		onQuantaUpcall(context, event, detail)
	}
	if event == exo.UpcallRevocation {
		onRevocation(context, detail, detail2)
	}
	if event == exo.UpcallInterrupt { //: detail is the mask of lines that fired
		interruptsSeen++
		interruptMask |= detail
	}
	switch event {
	case exo.UpcallFault:
		switch {
		case detail == 14 && detail2 >= pagingAddress && detail2 < pagingAddress+span:
			if exo.FrameAllocMap(pagingSeg, (detail2-pagingAddress)/pageSize, exo.PermissionsWrite) > 0 {
				pagedFaults++
			}
		case detail == 0:
			divideFaults++
			if fixupProbe {
				fixupTouched = fault.Touch(absentPage)
			}
			*bare.Word(context + exo.ContextRip) = uint64(fault.LandingAddress())
		}
	case exo.UpcallForeign: // detail is the system call number
		foreignCalls++
		if detail == 39 {
			*bare.Word(context + exo.ContextRax) = 4242
		} else {
			*bare.Word(context + exo.ContextRax) = ^uint64(37) // -ENOSYS
		}
		bare.ResumeThroughKernel(context) // the other way back: upcall_resume
	}
	bare.Resume(context)
}

func upcalls() {
	for i := range upcallTable {
		upcallTable[i] = uint64(bare.UpcallEntryAddress())
	}
	stack := bare.NewSegment(upcallPages, -1)
	pagingSeg = bare.NewSegment(0, -1)
	check("upcalls: link the upcall stack and an empty segment",
		exo.SegmentLink(stack, upcallStack, exo.PermissionsWrite) == 0 &&
			exo.SegmentLink(pagingSeg, pagingAddress, exo.PermissionsWrite) == 0)
	check("upcalls: register", exo.UpcallRegister(uintptr(unsafe.Pointer(&upcallTable[0])), upcallStack, upcallPages*pageSize) == 0)
	expect("upcalls: register a stack too small for a context", exo.UpcallRegister(uintptr(unsafe.Pointer(&upcallTable[0])), upcallStack, 64), exo.ErrBadArgument)
	upcallTable[exo.UpcallFault] = 0xffff_ffff_8010_0000
	expect("upcalls: register an entry point in kernel memory", exo.UpcallRegister(uintptr(unsafe.Pointer(&upcallTable[0])), upcallStack, upcallPages*pageSize), exo.ErrBadAddress)
	upcallTable[exo.UpcallFault] = uint64(bare.UpcallEntryAddress())
	exo.UpcallRegister(uintptr(unsafe.Pointer(&upcallTable[0])), upcallStack, upcallPages*pageSize)

	for i := uintptr(0); i < pagedPages; i++ {
		*bare.Word(pagingAddress + i*pageSize) = uint64(i + 1)
	}
	sum := uint64(0)
	for i := uintptr(0); i < pagedPages; i++ {
		sum += *bare.Word(pagingAddress + i*pageSize)
	}
	check("upcalls: self-paging: each first touch faulted once into the libOS, which mapped a frame", pagedFaults == pagedPages && sum == pagedPages*(pagedPages+1)/2)
	check("upcalls: a Linux system call is answered by the foreign upcall", linuxGetpid() == 4242 && foreignCalls == 1)
	check("upcalls: XMM0-15 survive a foreign call (the Linux ABI keeps them)", fault.XMMAfterCall(39) == fault.XMMPattern && foreignCalls == 2)
	check("upcalls: a divide error comes to the fault upcall, which resumes elsewhere (XMM0-15 kept)", fault.DivideByZero() == fault.Landed && divideFaults == 1)

	start, landing := fault.TouchAddresses()
	expect("fault_fixup: a range that ends before it starts", exo.FaultFixup(start+fault.TouchRange, start, landing), exo.ErrBadArgument)
	expect("fault_fixup: a landing inside the range", exo.FaultFixup(start, start+fault.TouchRange, start+1), exo.ErrBadArgument)
	expect("fault_fixup: a landing in kernel memory", exo.FaultFixup(start, start+fault.TouchRange, 0xffff_ffff_8010_0000), exo.ErrBadAddress)
	check("fault_fixup: set a range over Touch", exo.FaultFixup(start, start+fault.TouchRange, landing) == 0)
	fixupProbe = true
	fault.DivideByZero()
	fixupProbe = false
	check("fault_fixup: a page fault in the range inside an upcall resumes at the landing", fixupTouched == fault.TouchResumed && divideFaults == 2)
	check("fault_fixup: cleared (start = end)", exo.FaultFixup(start, start, landing) == 0)

	// A context the kernel must refuse: build one on the stack.
	var context [exo.ContextSize + 256]byte
	c := (uintptr(unsafe.Pointer(&context[0])) + 255) &^ 255
	expect("upcalls: resume a context not aligned to 256 bytes", exo.UpcallResume(c+64), exo.ErrMisaligned)
	*bare.Word(c + exo.ContextRip) = 0xffff_ffff_8010_0000
	expect("upcalls: resume at a kernel address", exo.UpcallResume(c), exo.ErrBadAddress)
	*bare.Word(c + exo.ContextRip) = imageBase
	*bare.Word(c + exo.ContextFsBase) = 0xffff_8000_0000_0000
	expect("upcalls: resume with a kernel FS base", exo.UpcallResume(c), exo.ErrBadAddress)
	expect("upcalls: resume from kernel memory", exo.UpcallResume(0xffff_ffff_8010_0000), exo.ErrBadAddress)
	*mailbox(boxUpcallsDone) = 100 + failures
}

// faultInHandler (role 13) takes a divide error whose upcall handler
// then faults itself: upcalls are disabled inside the handler (its stack
// pointer is in the upcall stack), so the kernel must end the process.
func faultInHandler() {
	handler = handlerNested
	bare.UseUpcalls(&upcallTable, upcallStack, upcallPages)
	fault.DivideByZero()
	bare.Say("exo-test: FAIL: nested: the handler returned\n")
}

func badUpcallStack() {
	for i := range upcallTable {
		upcallTable[i] = uint64(bare.UpcallEntryAddress())
	}
	exo.UpcallRegister(uintptr(unsafe.Pointer(&upcallTable[0])), 0x3000_0000, 16*pageSize)
	*mailbox(boxBadStackReady) = 1
	bare.Say("exo-test: bad-stack: faulting with an upcall stack that is not mapped (the kernel must end me)\n")
	_ = *bare.Word(0x3100_0000)
	bare.Say("exo-test: FAIL: bad-stack: still running\n")
}

// onNestedUpcall is role 13's handler: it faults.
func onNestedUpcall() {
	*mailbox(boxNestedReady) = 1
	bare.Say("exo-test: nested: faulting inside my upcall handler (the kernel must end me)\n")
	_ = *bare.Word(0x3100_0000)
	bare.Say("exo-test: FAIL: nested: still running\n")
}

// Which handler the upcalls go to (handleUpcall), chosen by each role.
const (
	handlerMain = iota
	handlerVCPUs
	handlerWords
	handlerNested
)

var handler uint64

// handleUpcall is libos/bare's upcall handler for this program.
//
//go:linkname handleUpcall exogo/libos/bare.handleUpcall
func handleUpcall(context uintptr, event, detail, detail2 uint64) {
	switch handler {
	case handlerVCPUs:
		onVCPUUpcall(context, event, detail, detail2)
	case handlerWords:
		onWordsUpcall(context, event, detail, detail2)
	case handlerNested:
		onNestedUpcall()
	default:
		onUpcall(context, event, detail, detail2)
	}
}
