// Command exo-bench measures the exokernel's primitives from user mode,
// without the Go runtime, and prints one line per figure:
//
//	bench: <what>: <median> µs per operation (fastest round <a>, slowest <b>)
//
// `make bench` boots it (init=exo-bench poweroff) under QEMU. Times come
// from the kernel's monotonic clock (time_now) around many iterations.
package main

import (
	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/fault"
	_ "unsafe" // go:linkname
)

func main() {} // never called: the entry point is start

func linuxGetppid() int64

const (
	copyWindow    = 0x4020_0000
	scratchWindow = 0x4000_0000
	childStack    = 0x7f00_0000_0000
	upcallStack   = 0x2020_0000
	upcallPages   = 4
	pagingAddress = 0x2000_0000
	linkAddress   = 0x3000_0000
)

var (
	upcallTable [exo.UpcallTableEntries]uint64
	pagingSeg   uint64
)

// rounds is how many times measure times its loop: QEMU shares the host
// with other work, so one round can be slow; the median is the figure.
const rounds = 5

// measure runs op n times, rounds times over after one untimed round
// (which warms QEMU's translated code and software TLB, and makes the host
// back the guest memory the operation touches), and prints the median time
// per operation with the fastest and slowest round. after, if not nil,
// runs after each round, untimed (to undo what the round did).
func measure(what string, n int, op func(), after func()) {
	var perOp [rounds + 1]int64 // hundredths of a microsecond; [0] is the warm-up, not reported
	count := uint64(max(n, 1))
	for r := range perOp {
		start := exo.TimeNow()
		for i := 0; i < n; i++ {
			op()
		}
		if elapsed := uint64(exo.TimeNow() - start); count != 0 { // never 0: a check the compiler can see
			perOp[r] = int64(elapsed * 100 / 1000 / count)
		}
		if after != nil {
			after()
		}
	}
	sayMedian(what, perOp[1:], " (fastest round ")
}

// sayMedian sorts values (hundredths of a microsecond) and prints the
// line of a figure: what, the median, then the fastest (after fastest)
// and slowest value.
func sayMedian(what string, values []int64, fastest string) {
	if len(values) == 0 {
		return
	}
	for i := 1; i < len(values); i++ { // insertion sort
		for j := uint(i); j > 0 && j < uint(len(values)) && values[j] < values[j-1]; j-- {
			values[j], values[j-1] = values[j-1], values[j]
		}
	}
	var median, low, high int64
	for i, v := range values {
		if i == 0 {
			low = v
		}
		if i == len(values)/2 {
			median = v
		}
		high = v
	}
	bare.Say("bench: ")
	bare.Say(what)
	bare.SayFixed(": ", median, " µs per operation")
	bare.SayFixed(fastest, low, "")
	bare.SayFixed(", slowest ", high, ")\n")
}

func onUpcall(context uintptr, event, detail, detail2 uint64) {
	switch {
	case timingQuanta && event <= exo.UpcallEpilogue: // or UpcallStart
		quantumUpcall(event)
	case event == exo.UpcallFault && detail == 0:
		*bare.Word(context + exo.ContextRip) = uint64(fault.LandingAddress())
		if throughKernel {
			bare.ResumeThroughKernel(context)
		}
	case event == exo.UpcallFault && detail == 14:
		slot := (detail2 - pagingAddress) / bare.PageSize
		paged[slot%512] = uint64(exo.FrameAllocMap(pagingSeg, slot, exo.PermissionsWrite))
	case event == exo.UpcallForeign:
		*bare.Word(context + exo.ContextRax) = 1 // the answer to getppid
	}
}

func run() {
	bare.Say("bench: exokernel primitives, from user mode\n")
	pagingSeg = bare.NewSegment(0, -1)
	exo.SegmentLink(pagingSeg, pagingAddress, exo.PermissionsWrite)
	bare.UseUpcalls(&upcallTable, upcallStack, upcallPages)

	measure("null exokernel call", 100000, func() { exo.Null() }, nil)
	measure("clock: time_now call", 100000, func() { exo.TimeNow() }, nil)
	measure("clock: read from the kernel information page (no call)", 100000, func() { bare.Now() }, nil)

	seg := bare.NewSegment(0, -1)
	measure("frame alloc + map + unmap + free", 20000, func() {
		frame := exo.FrameAlloc()
		exo.SegmentMapFrame(seg, 0, uint64(frame), exo.MapPermissionsWrite)
		exo.SegmentUnmap(seg, 0)
		exo.FrameFree(uint64(frame))
	}, nil)

	linked := bare.NewSegment(1, -1)
	measure("segment link + unlink", 20000, func() {
		exo.SegmentLink(linked, linkAddress, exo.PermissionsWrite)
		exo.SegmentUnlink(linkAddress, exo.LevelPT)
	}, nil)

	measure("fault to libOS upcall and back (resume in user mode)", 20000, func() { fault.DivideByZero() }, nil)
	throughKernel = true
	measure("fault to libOS upcall and back (resume through upcall_resume)", 20000, func() { fault.DivideByZero() }, nil)
	throughKernel = false

	// Touch each page of an empty 2 MiB segment once; unmapping and
	// freeing the frames between rounds is not timed (as a Linux figure
	// for a page fault leaves out munmap).
	next := uintptr(0)
	measure("page fault resolved by the libOS (fault upcall + frame_alloc_map + resume in user mode)", 512, func() {
		*bare.Word(pagingAddress + next*bare.PageSize) = 1
		next++
	}, func() {
		for slot := range paged {
			exo.SegmentUnmap(pagingSeg, uint64(slot))
			exo.FrameFree(paged[slot])
		}
		next = 0
	})

	measure("foreign (Linux) system call answered by the libOS upcall", 20000, func() { linuxGetppid() }, nil)

	// Two processes on one CPU yielding to each other: each parent yield
	// runs the child until it yields back (two switches between address
	// spaces). The child is a copy of this program (bare.Copier).
	copier := bare.Copier{Window: copyWindow}
	if copier.Init() {
		child := copier.StartCopy(childStartAddress(), scratchWindow, childStack, 16, 0, nil, exo.ProcessRightsConsole)
		if child > 0 {
			for i := 0; i < 100; i++ {
				exo.Yield() // let it start
			}
			measure("yield to another process and back (two switches)", 20000, func() { exo.Yield() }, nil)
			measureQuantumUpcalls()
			for exo.ProcessDestroy(uint64(child)) == -exo.ErrBusy {
				exo.Yield()
			}
		}
	}

	measure("process create + destroy", 2000, func() {
		p := exo.ProcessCreate(0)
		exo.ProcessDestroy(uint64(p))
	}, nil)
	measureWorstCases()
	bare.Say("bench: done\n")
}

// paged holds the frame the fault upcall mapped at each slot of pagingSeg.
var paged [512]uint64

// throughKernel makes the divide-error handler resume with upcall_resume.
var throughKernel bool

func childStartAddress() uintptr

// yielder is the child of the switch benchmark: it gives the CPU back at
// once, for ever (the parent destroys it).
func yielder() {
	for {
		exo.Yield()
	}
}

// handleUpcall is libos/bare's upcall handler for this program.
//
//go:linkname handleUpcall exogo/libos/bare.handleUpcall
func handleUpcall(context uintptr, event, detail, detail2 uint64) {
	onUpcall(context, event, detail, detail2)
}
