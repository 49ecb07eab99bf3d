package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"syscall"

	"exogo/libos/exo"
	"exogo/libos/linux"
	"exogo/libos/mem"
	"exogo/libos/spawn"
)

// checkPool checks the libOS's pool of free frames: munmap keeps what it
// unmapped (up to mem.PoolSize frames), zeroed by the kernel; faults map
// those frames again, and they read as zeros; and, when this is the first
// process, that a revocation request reaching it while it idles (in
// wait4) is answered from the pool before the deadline. A child (hello
// press=) takes memory until the machine is just below the kernel's
// watermark, while this process holds more than the child does, so the
// kernel asks this one.
func checkPool() {
	// The heap of the earlier checks goes back first: this process then
	// holds little, and its frame limit leaves room for the check below.
	debug.FreeOSMemory()
	const size = mem.PoolSize * 4096
	b := mapped(size)
	for i := range b {
		b[i] = 0x5a // what a reused frame must not show
	}
	syscall.Munmap(b)
	before := linux.ReadCounters()
	// (The runtime's other threads may fault meanwhile and take a frame
	// or two from the pool: the counts allow for that.)
	check("munmap keeps what it unmapped in the pool, up to its size", before.Pooled > mem.PoolSize-64,
		fmt.Sprintf("%d in the pool, want %d", before.Pooled, mem.PoolSize))
	b = mapped(size)
	dirty := 0
	for i := 0; i < size; i += 8 {
		if b[i] != 0 || b[i+7] != 0 {
			dirty++
		}
	}
	after := linux.ReadCounters()
	check("pages mapped from the pool read as zeros", dirty == 0 && after.Reused-before.Reused >= before.Pooled,
		fmt.Sprintf("%d dirty words, %d faults served from the pool (of %d)", dirty, after.Reused-before.Reused, before.Pooled))
	if os.Getpid() != 1 {
		syscall.Munmap(b)
		return
	}
	// Hold about half of what is free above the watermark, so that this
	// process holds more than the child will when memory gets low.
	free := int(linux.FreeFrames())
	if free < exo.RevokeWatermark+4*exo.RevokeAmount {
		check("enough memory for the revocation check", false, fmt.Sprintf("%d frames free", free))
		syscall.Munmap(b)
		return
	}
	hold := mapped(((free-exo.RevokeWatermark)/2 + 4*exo.RevokeAmount) * 4096)
	for i := 0; i < len(hold); i += 4096 {
		hold[i] = 1
	}
	syscall.Munmap(b) // the pool is full again
	given := linux.ReadCounters().GivenBack
	// The child goes 1024 frames below the watermark: other processes (a
	// Go runtime's scavenger) may free a few hundred meanwhile, and the
	// pool given back (2048) must lift it above the watermark again, or
	// the kernel asks a second time.
	pid, err := spawn.Start("/bin/hello", []string{"hello", "press=1024"}, nil)
	status, werr := spawn.Wait(pid)
	given = linux.ReadCounters().GivenBack - given
	check("a revocation request reaching an idle process is answered from its pool of free frames",
		err == nil && werr == nil && status == 0 && given >= exo.RevokeAmount,
		fmt.Sprintf("%s%s status %d, %d frames given back", errString(err), errString(werr), status, given))
	syscall.Munmap(hold)
}

// checkRegions touches one page in each of 220 2 MiB regions, more than
// the 192 segments the kernel gives a process (each region needs one):
// the first 100 are emptied (MADV_DONTNEED) before the next 120 are
// touched, so the libOS must give their segments back to make new ones
// (libos/mem's reclaimRegions); then the 120 go (munmap) and the first
// 100 are touched again, each getting a segment anew.
func checkRegions() {
	const region = 2 << 20
	a := mapped(100 * region)
	for i := 0; i < len(a); i += region {
		a[i] = 1
	}
	syscall.Madvise(a, 4 /* MADV_DONTNEED */)
	before := linux.ReadCounters().Reclaimed
	b := mapped(120 * region)
	wrong := 0
	for i := 0; i < len(b); i += region {
		b[i] = 2
	}
	for i := 0; i < len(b); i += region {
		if b[i] != 2 {
			wrong++
		}
	}
	syscall.Munmap(b)
	for i := 0; i < len(a); i += region {
		if a[i] != 0 {
			wrong++
		}
		a[i] = 3
	}
	for i := 0; i < len(a); i += region {
		if a[i] != 3 {
			wrong++
		}
	}
	reclaimed := linux.ReadCounters().Reclaimed - before
	check("touching 220 regions reuses the segments of emptied ones", reclaimed >= 100 && wrong == 0,
		fmt.Sprintf("%d segments given back, %d pages wrong", reclaimed, wrong))
	syscall.Munmap(a)
}

// mapped returns size bytes of fresh anonymous memory, or stops the test.
func mapped(size int) []byte {
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		fmt.Println("libos-test: FAIL: mmap:", err)
		os.Exit(1)
	}
	return b
}
