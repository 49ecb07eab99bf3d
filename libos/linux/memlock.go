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

func memFault(address uintptr, write, instruction bool) bool {
	mem.Lock()
	ok := mem.Fault(address, write, instruction)
	mem.Unlock()
	return ok
}
