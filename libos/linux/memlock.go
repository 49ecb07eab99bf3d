package linux

import "exogo/libos/mem"

// The libOS's uses of libos/mem, each under the memory lock (mem.Lock):
// page faults take only that lock (dispatch's fast path), so everything
// else that reads or changes the map or commits pages takes it too. The
// loader's start-up, before a second vCPU exists, uses mem directly.

func memCheck(address, length uintptr, write bool) bool {
	mem.Lock()
	ok := mem.Check(address, length, write)
	mem.Unlock()
	return ok
}

func memPrivate(n uintptr) uintptr {
	mem.Lock()
	a := mem.Private(n)
	mem.Unlock()
	return a
}

// memFault resolves a page fault with the memory lock shared when it can
// (mem.FaultShared: two vCPUs faulting at once run in parallel), held
// alone when it must.
func memFault(address uintptr, write, instruction, present bool) bool {
	mem.RLock()
	result := mem.FaultShared(address, write, instruction, present)
	mem.RUnlock()
	if result != mem.NeedAlone {
		return result == mem.Resolved
	}
	mem.Lock()
	ok := mem.Fault(address, write, instruction, present)
	mem.Unlock()
	return ok
}

// memGiveBack answers a revocation request for wanted frames (0: as many
// as it has) from the pool of free frames and says so on the console.
func memGiveBack(wanted uint64) uint64 {
	mem.Lock()
	given := mem.GiveBack(wanted)
	left := mem.Pooled()
	mem.Unlock()
	var line reportLine
	line.str("libos: revocation: gave back ").dec(given).str(" frames")
	if wanted != 0 {
		line.str(" of the ").dec(wanted).str(" asked for")
	}
	line.str(" from the pool of free frames (").dec(left).str(" left)")
	line.say()
	return given
}

// memDropPool empties the pool of free frames when the kernel has taken
// frames by force (some of them may have been the pool's).
func memDropPool() {
	mem.Lock()
	mem.DropPool()
	mem.Unlock()
}
