package process

import (
	"exogo/kernel/paging"
	"exogo/kernel/rawmem"
)

// A vCPU's block cache remembers where the last few user pages it reached
// through UserBlock are in the direct map: its context slot, which every
// upcall writes and every resume reads, and the contexts upcall_resume
// loads. A walk of the page tables costs about 130 instructions; a hit
// about 70 (counted in gdb).
//
// An entry is used only while the page-table generation it was made in
// is current (paging.Generation): every change that removes or weakens a
// user mapping is followed by a TLB shootdown, which begins a new
// generation before it waits for the CPUs running the address space, and
// only then is what the mapping held freed. So a cached page is always
// one the process still maps with the rights it was cached with. Entries
// also carry the address space, so a process that reuses the slot starts
// empty.
type blockCache struct {
	root       uint64
	generation uint64
	next       uint32
	// page holds a user page's address, with bit 0 set for a valid
	// entry and bit 1 when the page was writable; direct its address in
	// the direct map.
	page   [blockCacheEntries]uintptr
	direct [blockCacheEntries]uintptr
}

const (
	blockCacheEntries = 4
	cachedValid       = 1
	cachedWritable    = 2
)

// lookup returns the direct-map address of user address va (readable;
// writable too with write) if the cache knows its page in address space
// root and generation; it forgets everything first when either changed.
func (c *blockCache) lookup(root, generation uint64, va uintptr, write bool) (uintptr, bool) {
	if c.root != root || c.generation != generation {
		*c = blockCache{root: root, generation: generation}
		return 0, false
	}
	page := va &^ (paging.PageSize - 1)
	for i := 0; i < blockCacheEntries; i++ {
		e := c.page[i]
		if e&cachedValid != 0 && e&^(paging.PageSize-1) == page && (!write || e&cachedWritable != 0) {
			return c.direct[i] + va&(paging.PageSize-1), true
		}
	}
	return 0, false
}

// insert records that user address va of address space root maps to
// direct-map address direct, writable or not, in generation (the one read
// before the walk that found it).
func (c *blockCache) insert(root, generation uint64, va, direct uintptr, writable bool) {
	if c.root != root || c.generation != generation {
		return // the walk may be stale already: keep nothing
	}
	i := uint(c.next) % blockCacheEntries
	c.next++
	e := va&^(paging.PageSize-1) | cachedValid
	if writable {
		e |= cachedWritable
	}
	c.page[i], c.direct[i] = e, direct&^(paging.PageSize-1)
}

// UserBlock is process.UserBlock for the vCPU v of p that this CPU runs,
// through v's block cache: the same answer, usually without a walk.
//
// Preconditions: as UserBlock's, and no other CPU uses v meanwhile: v is
// the vCPU this CPU runs, or one not started yet (vcpu_start).
func (v *VCPU) UserBlock(p *Process, va uintptr, write bool) *Block {
	if va&(BlockBytes-1) != 0 {
		return nil
	}
	root, generation := p.Space.Root, paging.Generation()
	if direct, ok := v.blocks.lookup(root, generation, va, write); ok {
		return (*Block)(rawmem.Pointer(direct))
	}
	address, ok := translate(p, va, write)
	if !ok {
		return nil
	}
	v.blocks.insert(root, generation, va, address, write)
	return (*Block)(rawmem.Pointer(address))
}
