package console

import "sync/atomic"

// spinLock is a test-and-set lock that keeps two CPUs from interleaving
// bytes of their log lines. Taking it uncontended costs one locked
// compare-and-swap, and releasing it one store.
//
// It is not recursive: a CPU that already holds it and tries again (for
// example an interrupt handler that logs while the interrupted code was in
// the middle of a Write) spins for ever. The fatal-report path, which may
// have interrupted a holder, calls ForceUnlockForPanic first.
type spinLock struct {
	state atomic.Uint32 // 0 free, 1 held
}

// lock spins until it owns the lock. The caller must not already hold it.
func (l *spinLock) lock() {
	for !l.state.CompareAndSwap(0, 1) {
		// Wait with plain loads so the waiting CPU does not keep
		// claiming the cache line with locked operations.
		for l.state.Load() != 0 {
		}
	}
}

// unlock releases the lock. The caller must hold it.
func (l *spinLock) unlock() {
	l.state.Store(0)
}

// outputLock serialises every write to the serial port and the screen.
var outputLock spinLock

// ForceUnlockForPanic releases the output lock whoever holds it, so that a
// fatal report can be printed even when the failing CPU (or a CPU that will
// never run again) was interrupted in the middle of a Write.
//
// Preconditions: only the fatal-report path may call it, once it has decided
// the machine is going down; the interrupted writer's output may be cut short
// or interleaved with the report.
func ForceUnlockForPanic() {
	outputLock.unlock()
}

// tryLock takes the lock if it is free and reports whether it did. An
// interrupt handler uses it: the CPU it interrupted may hold the lock.
func (l *spinLock) tryLock() bool {
	return l.state.CompareAndSwap(0, 1)
}
