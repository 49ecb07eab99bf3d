package smp

import (
	"sync/atomic"

	"exogo/arch/amd64"
	"exogo/kernel/console"
	"exogo/kernel/cpu"
	"exogo/kernel/paging"
	"exogo/kernel/timer"
)

// TLB shootdown. Each CPU caches translations in its TLB, and a CPU only
// drops them for itself (INVLPG, a CR3 write). So when a mapping is removed
// or weakened, every other CPU that may hold it must be told, and must have
// done it before the initiator goes on: otherwise a frame freed after an
// unmap could still be written through a stale entry elsewhere.
//
// Protocol: one request at a time (shootdownLock). The initiator fills in
// request, sets the target CPUs' bits in pending (an atomic store after the
// request's fields, so a target that sees its bit sees the request), sends
// each target an IPI at ShootdownVector and spins until pending is zero.
// A target, in the interrupt handler (Service), does the invalidation and
// clears its bit. A CPU that spins on a lock with interrupts disabled
// cannot take the IPI, so every spin loop that may wait for an initiator
// (the shootdown lock itself, and Lock) calls Service while it spins.
//
// Which CPUs: for a user address of the address space rooted at root, only
// CPUs whose AddressSpace is root (a CPU that switches to root later loads
// CR3 afterwards, which drops stale entries; the lock's atomic operation
// orders the caller's page-table write before the read of AddressSpace).
// For kernel addresses (upper half, global pages) every online CPU.

// ShootdownVector is the interrupt vector of TLB shootdown IPIs.
const ShootdownVector = 0xf1

const (
	kindPage       = 1 // INVLPG request.address in request.root (0: any)
	kindFlushSpace = 2 // reload CR3 if it is request.root (0: any)
	kindFlushAll   = 3 // drop everything, global entries included
	kindKernel     = 4 // INVLPG each page of [request.address, request.end)
	kindRange      = 5 // INVLPG each page of [request.address, request.end) in request.root
)

// maxInvalidatePages bounds a kernel-range request; longer ranges flush
// everything.
const maxInvalidatePages = 64

var (
	shootdownLock uint32
	pending       uint32
	request       struct {
		kind    int
		root    uint64
		address uintptr
		end     uintptr
	}
	// shootdowns counts completed requests that needed other CPUs, and
	// shootdownTime adds up their durations (nanoseconds).
	shootdowns    uint64
	shootdownTime uint64
	// maxSpins bounds the wait for acknowledgements; a CPU that never
	// answers is a kernel bug, reported once.
	stuckReported uint32
)

const maxSpins = 1 << 31

// InvalidatePage makes every CPU drop its TLB entry for the page holding
// address in the address space whose PML4 is at physical address root (0:
// a kernel address, on every CPU). Call it after changing or removing the
// page-table entry and before freeing or reusing what it mapped. When it
// returns, no CPU can reach the old mapping. Interrupts must be disabled
// (trap context or boot code).
func InvalidatePage(root uint64, address uintptr) {
	shootdown(kindPage, root, address, 0)
}

// FlushSpace makes every CPU that runs the address space rooted at root
// drop all its non-global TLB entries (user mappings are never global):
// for a change to many pages or to a whole subtree (a segment unlink).
func FlushSpace(root uint64) {
	shootdown(kindFlushSpace, root, 0, 0)
}

// FlushAll makes every CPU drop all its TLB entries, global (kernel) ones
// included.
func FlushAll() {
	shootdown(kindFlushAll, 0, 0, 0)
}

// InvalidateKernelRange makes every CPU drop its TLB entries for the kernel
// pages in [start, end) (kernel mappings are global: a CR3 write keeps
// them).
func InvalidateKernelRange(start, end uintptr) {
	rangeShootdown(kindKernel, kindFlushAll, 0, start, end)
}

// InvalidateRange is InvalidatePage for every page of [start, end) in the
// address space rooted at root, in one request: one round of IPIs for a
// whole range (a segment_release), or a flush of the space when the range
// is longer than maxInvalidatePages pages.
func InvalidateRange(root uint64, start, end uintptr) {
	rangeShootdown(kindRange, kindFlushSpace, root, start, end)
}

// rangeShootdown sends a request of kind for the pages of [start, end)
// (root's, for a user range), or of whole when there are more than
// maxInvalidatePages of them.
func rangeShootdown(kind, whole int, root uint64, start, end uintptr) {
	start &^= paging.PageSize - 1
	if end <= start {
		return
	}
	if (end-start)/paging.PageSize > maxInvalidatePages {
		shootdown(whole, root, 0, 0)
		return
	}
	shootdown(kind, root, start, end)
}

// Shootdowns returns how many shootdowns needed another CPU, and their
// total duration in nanoseconds (initiator's view: from the first IPI to
// the last acknowledgement).
func Shootdowns() (count, nanoseconds uint64) {
	return atomic.LoadUint64(&shootdowns), atomic.LoadUint64(&shootdownTime)
}

func shootdown(kind int, root uint64, address, end uintptr) {
	// First of all: software caches of translations (kernel/process's
	// block cache) made before this are stale from now on. A CPU that
	// still uses one it looked up earlier is inside the kernel with
	// interrupts off, so this waits for it below, as for its TLB.
	paging.InvalidationBegins()
	invalidateHere(kind, root, address, end)
	if OnlineCount() <= 1 {
		return
	}
	self := int(cpu.This().Index)
	for !atomic.CompareAndSwapUint32(&shootdownLock, 0, 1) {
		Service()
		amd64.Pause()
	}
	request.kind, request.root, request.address, request.end = kind, root, address, end
	targets := uint32(0)
	mask := OnlineMask()
	for i := 0; i < amd64.MaxCPUs; i++ {
		if i == self || mask&(1<<uint(i)) == 0 {
			continue
		}
		if kind == kindPage || kind == kindFlushSpace || kind == kindRange {
			if root != 0 && !mayHold(i, root) {
				continue
			}
		}
		targets |= 1 << uint(i)
	}
	if targets != 0 {
		start := timer.Nanotime()
		atomic.StoreUint32(&pending, targets)
		for i := 0; i < amd64.MaxCPUs; i++ {
			if targets&(1<<uint(i)) != 0 {
				timer.SendIPI(APICID(i), timer.IPIFixed|ShootdownVector)
			}
		}
		for spins := 0; atomic.LoadUint32(&pending) != 0; spins++ {
			if spins == maxSpins && atomic.SwapUint32(&stuckReported, 1) == 0 {
				console.WriteString("exogo: BUG: a CPU does not acknowledge TLB shootdowns\n")
			}
			amd64.Pause()
		}
		atomic.AddUint64(&shootdowns, 1)
		atomic.AddUint64(&shootdownTime, timer.Nanotime()-start)
	}
	atomic.StoreUint32(&shootdownLock, 0)
}

// mayHold reports whether CPU i may hold translations of the address space
// rooted at root: it has it loaded (or has not recorded a space yet).
func mayHold(i int, root uint64) bool {
	loaded := atomic.LoadUint64(&cpu.ByIndex(i).AddressSpace)
	return loaded == 0 || loaded == root
}

// Service carries out a pending shootdown request addressed to the calling
// CPU, if any, and acknowledges it. The ShootdownVector handler calls it,
// and so does every spin loop that may wait for a shootdown's initiator.
func Service() {
	bit := uint32(1) << (uint(cpu.This().Index) % amd64.MaxCPUs)
	if atomic.LoadUint32(&pending)&bit == 0 {
		return
	}
	invalidateHere(request.kind, request.root, request.address, request.end)
	for {
		old := atomic.LoadUint32(&pending)
		if atomic.CompareAndSwapUint32(&pending, old, old&^bit) {
			return
		}
	}
}

func invalidateHere(kind int, root uint64, address, end uintptr) {
	loaded := amd64.ReadCR3() & paging.AddressMask
	switch kind {
	case kindPage:
		if root == 0 || root == loaded {
			amd64.InvalidatePage(address)
		}
	case kindFlushSpace:
		if root == 0 || root == loaded {
			amd64.WriteCR3(amd64.ReadCR3())
		}
	case kindFlushAll:
		// Toggling CR4.PGE drops global entries too.
		cr4 := amd64.ReadCR4()
		amd64.WriteCR4(cr4 &^ (1 << 7))
		amd64.WriteCR4(cr4)
	case kindKernel, kindRange:
		if kind == kindKernel || root == 0 || root == loaded {
			for p := address; p < end; p += paging.PageSize {
				amd64.InvalidatePage(p)
			}
		}
	}
}

// Lock and Unlock are a spin lock for kernel state shared by all CPUs that
// has no finer lock yet (kernel/trap holds it around exokernel calls). Its
// spin loop services TLB shootdowns, so the holder may shoot down. It is
// not reentrant. Interrupts must be disabled.
//
// TODO(smp): replace it with locks per structure (process table, segment
// table) once those are designed for concurrency.
func Lock() {
	for !atomic.CompareAndSwapUint32(&bigLock, 0, 1) {
		Service()
		amd64.Pause()
	}
}

// Unlock releases Lock.
func Unlock() { atomic.StoreUint32(&bigLock, 0) }

var bigLock uint32

// KickVector is the interrupt vector of the IPI that makes another CPU
// trap at once (Kick), so that it looks at what is pending for the thread
// it runs (kernel/exo: a vCPU's kick upcall, or the end of its process).
const KickVector = 0xf2

// Kick interrupts CPU index (not the caller's, and only an online one)
// with an IPI at KickVector. The IPI carries nothing: its handler only
// acknowledges it and goes through the usual path back to user mode.
// Interrupts must be disabled.
func Kick(index int) {
	if index < 0 || index >= amd64.MaxCPUs || index == int(cpu.This().Index) || !IsOnline(index) {
		return
	}
	timer.SendIPI(APICID(index), timer.IPIFixed|KickVector)
}
