package process

import (
	"exogo/kernel/layout"
	"exogo/kernel/paging"
	"exogo/kernel/rawmem"
)

// User memory, seen from the kernel. A process passes addresses in its own
// address space; the kernel never dereferences them directly (another CPU
// could unmap the page meanwhile, and a fault in kernel code is fatal).
// Instead it walks the process's page tables, checks that every level
// allows user access (and writes, for output), and reaches the frame
// through the direct map.

// translate returns the direct-map address of user address va in p's
// space, if every entry on the walk is present and user-accessible (and
// writable when write is set).
func translate(p *Process, va uintptr, write bool) (uintptr, bool) {
	if va < layout.UserStart || va >= layout.UserEnd {
		return 0, false
	}
	s := p.Space
	table := s.Root
	for level := 3; level >= 0; level-- {
		index := (va >> (12 + 9*uint(level))) & 511
		e := *s.Entry(table, index)
		f := paging.Flags(e)
		if f&paging.Present == 0 || f&paging.User == 0 || (write && f&paging.Writable == 0) {
			return 0, false
		}
		if level == 1 && f&paging.Huge != 0 {
			return layout.DirectMap + uintptr(e&paging.AddressMask&^(paging.HugePageSize-1)) + va&(paging.HugePageSize-1), true
		}
		if level == 0 {
			return layout.DirectMap + uintptr(e&paging.AddressMask) + va&(paging.PageSize-1), true
		}
		table = e & paging.AddressMask
	}
	return 0, false
}

// Physical returns the physical address that user address va of p maps
// to, if p may read it (and write it, with write): its physical name, by
// which processes that map the same frame at different addresses meet.
func Physical(p *Process, va uintptr, write bool) (uint64, bool) {
	direct, ok := translate(p, va, write)
	return uint64(direct - layout.DirectMap), ok
}

// CopyIn copies len(dst) bytes from user address va of p into dst. It
// reports false, having copied a prefix at most, when part of the range is
// not readable by the process.
func CopyIn(p *Process, dst []byte, va uintptr) bool {
	for rest := dst; len(rest) > 0; {
		src, ok := translate(p, va, false)
		if !ok {
			return false
		}
		n := int(paging.PageSize - va&(paging.PageSize-1)) // to the end of the page
		if n > len(rest) {
			n = len(rest)
		}
		copy(rest[:n], rawmem.Bytes(src, uintptr(n)))
		rest = rest[n:]
		va += uintptr(n)
	}
	return true
}

// CopyOut copies src to user address va of p; false when part of the range
// is not writable by the process.
func CopyOut(p *Process, va uintptr, src []byte) bool {
	for rest := src; len(rest) > 0; {
		dst, ok := translate(p, va, true)
		if !ok {
			return false
		}
		n := int(paging.PageSize - va&(paging.PageSize-1))
		if n > len(rest) {
			n = len(rest)
		}
		copy(rawmem.Bytes(dst, uintptr(n)), rest[:n])
		rest = rest[n:]
		va += uintptr(n)
	}
	return true
}

// A Block is BlockBytes of user memory aligned to BlockBytes, which
// therefore never crosses a page: an upcall context's header is one. The
// kernel reads and writes it in place, through the direct map, with one
// page walk and no copy.
const BlockBytes = 256

// Block is a user block seen as words.
type Block [BlockBytes / 8]uint64

// UserBlock returns the block at user address va of p, reached through the
// direct map, or nil when va is not BlockBytes-aligned or the page is not
// accessible to the process (writable, when write is set).
//
// Preconditions: the caller holds smp.Lock and uses the block before
// releasing it (an unmap, which takes the lock, could otherwise free the
// frame under it).
func UserBlock(p *Process, va uintptr, write bool) *Block {
	if va&(BlockBytes-1) != 0 {
		return nil
	}
	address, ok := translate(p, va, write)
	if !ok {
		return nil
	}
	return (*Block)(rawmem.Pointer(address))
}
