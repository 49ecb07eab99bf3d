package mem

import (
	"sync/atomic"

	"exogo/libos/exo"
)

// The memory lock: every use of this package from several vCPUs (the
// map, the regions, committing and freeing) holds it, and nothing else,
// so a page fault is resolved without the libOS's call lock
// (libos/linux's dispatch takes only this one for it). Code that holds
// the call lock or a futex list's lock takes this one inside it, never the
// other way round.
//
// It is a readers-writer lock. Lock takes it alone, for anything that
// changes the map or the regions table; RLock shares it among page faults
// on pages whose region exists (FaultShared), which commit pages with
// atomic stores to their own frame words, so two vCPUs faulting at once
// are not serialized here nor, in the kernel, by frame_alloc_map. A
// writer waiting holds new readers off, so a stream of faults cannot
// starve an munmap.
var lockWord uint32

const (
	lockWriter  = 1 << 31 // held alone
	lockWaiting = 1 << 30 // a writer waits: no new readers
	lockReaders = lockWaiting - 1
)

// spin is one round of waiting for the lock: the CPU now and then goes to
// the kernel (the holder may be a vCPU preempted on this very CPU).
func spin(spins int) {
	if spins%1024 == 0 {
		exo.Yield()
	}
}

// Lock takes the memory lock alone.
func Lock() {
	for spins := 1; ; spins++ {
		v := atomic.LoadUint32(&lockWord)
		if v&^lockWaiting == 0 && atomic.CompareAndSwapUint32(&lockWord, v, lockWriter) {
			return
		}
		if v&lockWaiting == 0 {
			atomic.CompareAndSwapUint32(&lockWord, v, v|lockWaiting)
		}
		spin(spins)
	}
}

// Unlock lets the memory lock go (held alone).
func Unlock() { atomic.StoreUint32(&lockWord, 0) }

// RLock shares the memory lock with other readers.
func RLock() {
	for spins := 1; ; spins++ {
		v := atomic.LoadUint32(&lockWord)
		if v&(lockWriter|lockWaiting) == 0 && v&lockReaders != lockReaders && atomic.CompareAndSwapUint32(&lockWord, v, v+1) {
			return
		}
		spin(spins)
	}
}

// RUnlock lets a shared hold go.
func RUnlock() { atomic.AddUint32(&lockWord, ^uint32(0)) }
