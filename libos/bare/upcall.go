package bare

import (
	"unsafe"

	"exogo/libos/exo"
)

// Upcalls for runtime-free programs: register UpcallEntryAddress for every
// event (UseUpcalls does), define the handler, and each upcall calls it
// with the saved context's address, the event and its details, then
// resumes that context (which the handler may have edited; it may also
// resume a context itself with Resume, and then does not return). The entry point
// saves the SSE state in the context and the resume functions restore it,
// so Handler is free to use it (kernel/exo/upcall.go explains why the
// kernel leaves that to the libOS).
//
// Resume continues a context in user mode, without a system call;
// ResumeThroughKernel uses upcall_resume, which can also change the FS and
// GS bases and checks what it loads.

// handleUpcall handles an upcall. A program that uses upcalls defines it,
// in its package main:
//
//	//go:linkname handleUpcall exogo/libos/bare.handleUpcall
//	func handleUpcall(context uintptr, event, detail, detail2 uint64) { ... }
//
// (a direct call, where a func variable would be a Go pointer in global
// state and an indirect call: restricted Go allows neither). A program
// that never registers upcalls need not define it.
func handleUpcall(context uintptr, event, detail, detail2 uint64)

func upcallEntry()

// UpcallEntryAddress returns the address of the upcall entry point.
func UpcallEntryAddress() uintptr

func resumeInUserMode(context, slot uintptr)

func resumeThroughKernel(context uintptr, call uint64) int64

// Resume continues context, the one the Handler was given (perhaps
// edited), in user mode, with the FS and GS bases it has now, and enables
// upcalls again by clearing its disabled word. It does not return. Only
// call it from a Handler. Each vCPU has its own context slot, so several
// vCPUs may be in their Handlers at once.
func Resume(context uintptr) {
	resumeInUserMode(context, context)
}

// ResumeThroughKernel continues context with upcall_resume, which also
// loads its FS and GS bases. It returns the kernel's error only when the
// kernel refuses the context.
func ResumeThroughKernel(context uintptr) int64 {
	return resumeThroughKernel(context, exo.CallUpcallResume)
}

func dispatchUpcall(context uintptr, event, detail, detail2 uint64) {
	handleUpcall(context, event, detail, detail2)
	Resume(context)
}

// UseUpcalls registers the entry point for every event, with an upcall
// stack of pages fresh pages linked at stack (2 MiB aligned, unused). The
// table must stay where it is (a global). It reports whether the kernel
// accepted it.
func UseUpcalls(table *[exo.UpcallTableEntries]uint64, stack uintptr, pages int) bool {
	for i := range table {
		table[i] = uint64(UpcallEntryAddress())
	}
	segment := NewSegment(pages, -1)
	return segment != 0 && exo.SegmentLink(segment, stack, exo.PermissionsWrite) == 0 &&
		exo.UpcallRegister(uintptr(unsafe.Pointer(table)), stack, uint64(pages*PageSize)) == 0
}
