// Package process keeps the exokernel's processes: an address space (its
// own page tables for the user half, the kernel half shared with every other
// address space), the rights it was given, its registered upcalls and its
// threads of execution. The kernel creates processes empty; what runs in
// them is loaded by the parent's libOS by mapping segments (the kernel loads
// only the first program, kernel/main.go).
//
// Restricted Go: a fixed table of plain structs, used from trap context.
package process

import (
	"exogo/kernel/layout"
	"exogo/kernel/memory"
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
)

// MaxProcesses bounds the process table. Process IDs are 1..MaxProcesses
// (0 names the kernel, for instance as the owner of a frame).
const MaxProcesses = 64

// State is a process's life-cycle state.
type State uint8

const (
	Free    State = iota // the slot is unused
	Created              // exists, not started
	Running              // started; its thread runs or waits to
	Exited               // exited; resources returned, slot not yet reused
)

// Rights a process holds, checked by the calls that need them.
type Rights uint32

const (
	RightCreateProcess Rights = 1 << iota // may create and start processes
	RightConsole                          // may write the kernel console (debug_write)
	RightDevices                          // may bind I/O ports and interrupts
)

// Process is one entry of the process table.
type Process struct {
	State      State
	ID         uint16
	Parent     uint16
	Rights     Rights
	Space      paging.Space // CR3 = Space.Root
	ExitStatus uint64
	Thread     int32 // its thread in kernel/sched, -1 when none

	// Upcalls registered by the libOS (upcall_register).
	UpcallTable     uint64
	UpcallStack     uint64
	UpcallStackSize uint64
}

var table [MaxProcesses]Process

// Status is the result of a process operation.
type Status int

const (
	OK Status = iota
	NoSlot
	NoMemory
	NoSuchProcess
)

// ByID returns the process with id, or nil when id is not a live process.
func ByID(id uint16) *Process {
	if id == 0 || id > MaxProcesses {
		return nil
	}
	p := &table[(id-1)%MaxProcesses]
	if p.State == Free {
		return nil
	}
	return p
}

// Create makes an empty process: an address space whose kernel half is
// shared with every other and whose user half is empty.
func Create(parent uint16, rights Rights) (*Process, Status) {
	var p *Process
	for i := range table {
		if table[i].State == Free || table[i].State == Exited {
			p = &table[i]
			*p = Process{ID: uint16(i + 1), Thread: -1}
			break
		}
	}
	if p == nil {
		return nil, NoSlot
	}
	space, ok := paging.NewSpace(&memory.Frames, layout.DirectMap)
	if !ok {
		return nil, NoMemory
	}
	space.ShareKernelHalf(memory.Kernel)
	p.Space = space
	p.Parent = parent
	p.Rights = rights
	p.State = Created
	return p, OK
}

// ReleaseSpace frees the page tables of p's user half that the kernel made
// (the tables of linked segments belong to their segments and must have
// been unlinked first): the PML4 and every table below a user-half entry.
// Leaf frames are
// not touched: their owner frees them. The caller has switched away from
// p's address space on every CPU.
func ReleaseSpace(p *Process) {
	s := p.Space
	if s.Root == 0 {
		return
	}
	for i := uintptr(0); i < 256; i++ {
		e := *s.Entry(s.Root, i)
		if paging.Flags(e)&paging.Present == 0 {
			continue
		}
		releaseTable(s, e&paging.AddressMask, 3)
	}
	memory.Frames.Free(s.Root)
	p.Space.Root = 0
}

// releaseTable frees the table at physical address table, at level (3 =
// PDPT, 2 = PD, 1 = PT), and the kernel-made tables below it.
func releaseTable(s paging.Space, table uint64, level int) {
	if memory.Frames.UseOf(table) != physmem.UsePageTable {
		return // a segment's table: not ours to free
	}
	if level > 1 {
		for i := uintptr(0); i < 512; i++ {
			e := *s.Entry(table, i)
			if paging.Flags(e)&paging.Present == 0 || paging.Flags(e)&paging.Huge != 0 {
				continue
			}
			releaseTable(s, e&paging.AddressMask, level-1)
		}
	}
	memory.Frames.Free(table)
}

// Table returns slot i of the process table (for reports and tests).
func Table(i int) *Process { return &table[uint(i)%MaxProcesses] }

// Release returns everything p holds: the page tables the kernel made for
// its address space, then every frame it owns. The caller has switched away
// from p's address space on every CPU (sched.Exit does, on this one).
// TODO(segments): unlink and destroy the segments p owns first.
func Release(p *Process) {
	ReleaseSpace(p)
	memory.Frames.FreeAllOwnedBy(p.ID)
	p.Thread = -1
	p.State = Exited
}
