package selftest

import (
	"errors"
	"fmt"
	"syscall"
	"unsafe"

	"exogo/arch/amd64"
	"exogo/kernel/linux"
	"exogo/kernel/memory"
	"exogo/kernel/physmem"
)

// withInterruptsOff runs f with interrupts disabled: the frame table's lock
// is also taken in trap context, so hosted code must not hold it while a
// timer interrupt could switch to a thread that faults.
func withInterruptsOff(f func()) {
	amd64.DisableInterrupts()
	defer amd64.EnableInterrupts()
	f()
}

func testFrameAllocator() error {
	// Nothing inside the interrupts-off part may allocate: a heap or stack
	// page the runtime commits meanwhile would take a frame too.
	const n = 1000
	var frames [n]uint64
	var uses [n]physmem.Use
	var freeBefore, freeDuring, freeAfter, committedBefore, committedDuring, committedAfter uint64
	failedAt, freeFailed, doubleFreeAccepted := -1, -1, false
	withInterruptsOff(func() {
		// A first touch of a stack page still faults (and takes a frame)
		// with interrupts off: count those commits and leave them out.
		committedBefore = linux.CommittedPages
		freeBefore = memory.Frames.FreeFrames()
		for i := range frames {
			f, ok := memory.Frames.Allocate(physmem.UseKernel, true)
			if !ok {
				failedAt = i
				return
			}
			frames[i], uses[i] = f, memory.Frames.UseOf(f)
		}
		freeDuring = memory.Frames.FreeFrames()
		committedDuring = linux.CommittedPages
		for i, f := range frames {
			if !memory.Frames.Free(f) && freeFailed < 0 {
				freeFailed = i
			}
		}
		doubleFreeAccepted = memory.Frames.Free(frames[0])
		freeAfter = memory.Frames.FreeFrames()
		committedAfter = linux.CommittedPages
	})
	switch {
	case failedAt >= 0:
		return fmt.Errorf("allocation %d of %d failed", failedAt, n)
	case freeFailed >= 0:
		return fmt.Errorf("freeing frame %d (%#x) failed", freeFailed, frames[freeFailed])
	case doubleFreeAccepted:
		return errors.New("a double free was accepted")
	case freeBefore-freeDuring-(committedDuring-committedBefore) != n || freeAfter-freeDuring+(committedAfter-committedDuring) != n:
		return fmt.Errorf("free frames %d -> %d -> %d (%d and %d committed by the runtime meanwhile), want a dip and a recovery of exactly %d",
			freeBefore, freeDuring, freeAfter, committedDuring-committedBefore, committedAfter-committedDuring, n)
	}
	seen := map[uint64]bool{}
	for i, f := range frames {
		if f%physmem.FrameSize != 0 || seen[f] || uses[i] != physmem.UseKernel {
			return fmt.Errorf("frame %#x: misaligned, handed out twice, or marked %v", f, uses[i])
		}
		seen[f] = true
	}
	return nil
}

// testLazyCommit maps 64 MiB and touches 10 pages: only those get frames.
func testLazyCommit() error {
	const size = 64 << 20
	region, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return fmt.Errorf("mmap: %v", err)
	}
	defer syscall.Munmap(region)
	// Pages mapped in the region itself, not the global count, which the
	// runtime's scavenger moves meanwhile (it once went down by 7).
	start := uintptr(unsafe.Pointer(&region[0]))
	mapped := func() int {
		var n int
		withInterruptsOff(func() { n = linux.MappedPages(start, size) })
		return n
	}
	if n := mapped(); n != 0 {
		return fmt.Errorf("mmap of 64 MiB mapped %d pages before any touch", n)
	}
	for i := 0; i < 10; i++ {
		region[i*(4<<20)] = byte(i + 1)
	}
	for i := 0; i < 10; i++ {
		if region[i*(4<<20)] != byte(i+1) || region[i*(4<<20)+1] != 0 {
			return fmt.Errorf("page %d does not hold what was written or is not zeroed", i)
		}
	}
	if n := mapped(); n != 10 {
		return fmt.Errorf("touching 10 pages mapped %d", n)
	}
	return nil
}

// testMunmap checks that munmap and madvise(MADV_DONTNEED) unmap exactly
// what they should. They free each frame as they unmap its page (mm.go:
// release), so a page no longer mapped is a frame given back. (Counting free
// frames instead would race with the runtime's scavenger, which returns
// memory concurrently.)
func testMunmap() error {
	const size, pages = 16 << 20, 4096
	region, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return fmt.Errorf("mmap: %v", err)
	}
	start := uintptr(unsafe.Pointer(&region[0]))
	mapped := func(offset, length uintptr) int {
		var n int
		withInterruptsOff(func() { n = linux.MappedPages(start+offset, length) })
		return n
	}
	if n := mapped(0, size); n != 0 {
		return fmt.Errorf("%d pages mapped before any touch", n)
	}
	for i := 0; i < size; i += 4096 {
		region[i] = 1
	}
	if n := mapped(0, size); n != pages {
		return fmt.Errorf("touching %d pages mapped %d", pages, n)
	}
	if err := syscall.Madvise(region[:size/2], 4 /* MADV_DONTNEED */); err != nil {
		return fmt.Errorf("madvise: %v", err)
	}
	if n, m := mapped(0, size/2), mapped(size/2, size/2); n != 0 || m != pages/2 {
		return fmt.Errorf("after MADV_DONTNEED of the first half: %d pages mapped there, %d in the second half (want 0 and %d)", n, m, pages/2)
	}
	if region[0] != 0 {
		return errors.New("a page read after MADV_DONTNEED is not zero")
	}
	if err := syscall.Munmap(region); err != nil {
		return fmt.Errorf("munmap: %v", err)
	}
	if n := mapped(0, size); n != 0 {
		return fmt.Errorf("%d pages still mapped after munmap", n)
	}
	return nil
}
