package mem

import (
	"sync/atomic"

	"exogo/libos/exo"
)

// The memory lock: every use of this package from several vCPUs (the
// map, the regions, committing and freeing) holds it, and nothing else,
// so a page fault is resolved without the libOS's big lock
// (libos/linux's dispatch takes only this one for it). Code that holds
// the big lock takes this one inside it, never the other way round.
var lockWord uint32

// Lock takes the memory lock, yielding the CPU now and then (its holder
// may be a vCPU the kernel preempted on this very CPU).
func Lock() {
	for spins := 1; !atomic.CompareAndSwapUint32(&lockWord, 0, 1); spins++ {
		if spins%1024 == 0 {
			exo.Yield()
		}
	}
}

// Unlock lets the memory lock go.
func Unlock() { atomic.StoreUint32(&lockWord, 0) }
