package linux

import (
	"sync/atomic"

	"exogo/libos/bare"
	"exogo/libos/mem"
)

// The libOS's uses of libos/mem, each under the memory lock (mem.Lock):
// page faults take only that lock (dispatch's fast path), so everything
// else that reads or changes the map or commits pages takes it too. The
// loader's start-up, before a second vCPU exists, uses mem directly.

func memCheck(address, length uintptr, write bool) bool {
	mem.Lock()
	ok := mem.Check(address, length, write) || inFileMapping(address, length, write)
	mem.Unlock()
	return ok
}

// memWord reads the program's word of size 4 or 8 bytes at address, or
// with store writes value there, and reports false for a bad address. The
// access is made under the memory lock, shared when the page is ready
// (mem.CheckShared), alone when it must be committed first, so an munmap
// on another vCPU cannot take the page from under it. An aligned word is
// read or written at once (a futex word); Linux asks no alignment of
// other words (a sigset_t on a Go stack is 4-byte aligned), so one that
// is not aligned, which may even span two pages, is copied a byte at a
// time.
func memWord(address uint64, size uintptr, store bool, value uint64) (uint64, bool) {
	mem.RLock()
	result := mem.CheckShared(uintptr(address), size, store)
	if result == mem.Resolved {
		value = access(uintptr(address), size, store, value)
	}
	mem.RUnlock()
	if result != mem.NeedAlone {
		return value, result == mem.Resolved
	}
	mem.Lock()
	ok := mem.Check(uintptr(address), size, store)
	if ok {
		value = access(uintptr(address), size, store, value)
	}
	mem.Unlock()
	return value, ok
}

// access reads the word of size bytes at address, or writes value there
// (little-endian, as the CPU would).
func access(address, size uintptr, store bool, value uint64) uint64 {
	if address&(size-1) != 0 {
		b := bare.Bytes(address, size)
		if store {
			for i := range b {
				b[i] = byte(value >> (8 * i))
			}
			return value
		}
		value = 0
		for i := range b {
			value |= uint64(b[i]) << (8 * i)
		}
		return value
	}
	switch {
	case size == 4 && store:
		atomic.StoreUint32((*uint32)(bare.At(address)), uint32(value))
	case size == 4:
		return uint64(atomic.LoadUint32((*uint32)(bare.At(address))))
	case store:
		atomic.StoreUint64((*uint64)(bare.At(address)), value)
	default:
		return atomic.LoadUint64((*uint64)(bare.At(address)))
	}
	return value
}

func memPrivate(n uintptr) uintptr {
	mem.Lock()
	a := mem.Private(n)
	mem.Unlock()
	return a
}

// memFault resolves a page fault with the memory lock shared when it can
// (mem.FaultShared: two vCPUs faulting at once run in parallel), held
// alone when it must. It returns mem.Resolved, mem.Refused (a real
// fault) or mem.NoMemory (the kernel gave no frame for a page the
// program may touch).
func memFault(address uintptr, write, instruction, present bool) mem.FaultResult {
	mem.RLock()
	result := mem.FaultShared(address, write, instruction, present)
	mem.RUnlock()
	if result != mem.NeedAlone {
		return result
	}
	mem.Lock()
	result = mem.Fault(address, write, instruction, present)
	mem.Unlock()
	return result
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
