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
	"exogo/arch/amd64"
	"exogo/kernel/layout"
	"exogo/kernel/memory"
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
)

// MaxProcesses bounds the process table.
const MaxProcesses = 64

// Process IDs are never reused: an ID is generation*MaxProcesses + slot + 1
// for a per-slot generation that grows each time the slot is taken, so a
// frame, segment or grant left in an old process's name can never pass to
// a new one. 0 names the kernel (for instance as the owner of a frame), and
// LastID + 1 (0xffff) the file system (segment.FilesOwner). A slot whose
// next ID would be past LastID is retired.

// LastID is the largest process ID.
const LastID = 0xfffe

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
	RightPowerOff                         // may power the machine off (as root)
)

// NameSize is the length of a process's name (process_set_name).
const NameSize = 16

// Inherited is the rights a process may pass to the processes it
// creates (those of them it holds and names: process_create): not the
// device right, which stays with the first process. The values are the
// ABI's (kernel/exo: ProcessRights).
const Inherited = RightCreateProcess | RightConsole | RightPowerOff

// RevokeListLength is how many of the frames taken by force a revocation
// upcall lists (kernel/exo/revoke.go).
const RevokeListLength = 6

// UpcallEntryCount is the number of entry points in an upcall table, one
// per event (kernel/exo/upcall.go).
const UpcallEntryCount = 16

// MaxVCPUs bounds a process's vCPUs.
const MaxVCPUs = 8

// VCPU is one of a process's virtual CPUs: a kernel thread that runs the
// process in user mode, with its own upcall stack and context slot (so
// that each vCPU takes upcalls on its own), its own alarm and its own
// share of the quantum protocol. The libOS decides which of its threads
// runs on each (scheduler activations).
type VCPU struct {
	// Thread is its thread in kernel/sched, -1 when it has none (not
	// started, or ended).
	Thread int32
	// UpcallStack and UpcallStackSize are its upcall stack (0 until
	// registered); the context slot is at its top.
	UpcallStack     uint64
	UpcallStackSize uint64
	// AlarmAt is the deadline of its alarm upcall (alarm_set), 0 when
	// none is armed.
	AlarmAt uint64
	// An epilogue is pending until the vCPU yields or its grace period
	// ends; StartPending asks for a start upcall when it next gets a CPU.
	EpiloguePending bool
	StartPending    bool
	// Woken is 1 for a wake (vcpu_wake) its next wait consumes, changed
	// only under the scheduler's lock (sched.WakeOrKeep, BlockUnless);
	// KickPending a kick (vcpu_kick) not yet delivered. Signal is set
	// (atomically) by whoever makes any other event for the vCPU's wait
	// (a kick; on vCPU 0 the process's events) before it wakes the
	// wait: wait runs without smp.Lock, and a wait that checked the
	// events just before does not block when Signal is set.
	Woken       uint32
	KickPending bool
	Signal      uint32
	// blocks caches the pages UserBlock reached for it (blockcache.go).
	blocks blockCache
}

// Process is one entry of the process table.
type Process struct {
	State      State
	ID         uint16
	Parent     uint16
	Rights     Rights
	Space      paging.Space // CR3 = Space.Root
	ExitStatus uint64
	// UID and GID are the user and group the file system checks
	// (kernel/fs); a process starts as its parent's (the first as root,
	// 0), and a root parent may choose others for a child it has not
	// started yet (process_set_user).
	UID, GID uint32

	// VCPUs are its virtual CPUs; VCPUCount how many were started (their
	// slots, in order; a started vCPU whose thread ended has Thread -1).
	// Exiting is set when the process is being ended: each vCPU still
	// running ends itself at its next trap, and the last one gone
	// releases the process (ExitTell: with the child upcall to its parent).
	VCPUs     [MaxVCPUs]VCPU
	VCPUCount uint8
	Exiting   bool
	ExitTell  bool

	// Upcalls registered by the libOS (upcall_register), and their state
	// (kernel/exo/upcall.go): UpcallEntries is the kernel's copy of the
	// entry-point table (0: no entry for that event), shared by its vCPUs.
	// Whether a vCPU is inside an upcall is read from the process's own
	// memory and registers (exo.InUpcall). Aborts counts forced
	// deschedulings of any of its vCPUs.
	UpcallEntries [UpcallEntryCount]uint64
	// The copy range (fault_fixup): a page fault at an instruction in
	// [FixupStart, FixupEnd) that cannot be delivered resumes at
	// FixupLanding (kernel/exo: Fault); FixupEnd 0: none. Fixups counts
	// them.
	FixupStart, FixupEnd, FixupLanding uint64
	Fixups                             uint64

	// Revocation (kernel/exo/revoke.go): the kernel asked for RevokeWanted
	// frames back by RevokeDeadline; RevokeNotify asks for the upcall to
	// be delivered when the process next runs (RevokeTaken > 0: frames
	// were taken by force, and the upcall says so); RevokeAnswered is set
	// once the process has answered the pending request (revoke_reply),
	// so vCPU 0's wait stops returning for it.
	RevokePending   bool
	RevokeNotify    bool
	RevokeAnswered  bool
	RevokeWanted    uint64
	RevokeDeadline  uint64
	RevokeTaken     uint64
	RevokeTakenList [RevokeListLength]uint64

	// InterruptsPending marks bound interrupt lines that fired and are not
	// yet delivered (kernel/exo/irq.go).
	InterruptsPending uint32

	// HasPorts says the process was granted I/O ports: its bitmap
	// (IOBitmap) is loaded into the TSS of the CPU running it.
	HasPorts bool
	Aborts   uint64

	// Children (process_reap): Held keeps an exited process's slot, and
	// so its exit status, until its parent reaps it or ends itself. A
	// child's exit sets ChildPending, which asks for the child upcall
	// (cleared when delivered, or dropped without an entry point), and
	// ChildExited, which ends wait and stays until a process_reap(0)
	// finds no exited child: so wait cannot miss an exit, whether or not
	// the process takes the upcall.
	Held         bool
	ChildPending bool
	ChildExited  bool

	// Watched words (kernel/exo/words.go): Watches holds 1 + the index
	// of each of its watches in the kernel's table (0: a free entry);
	// a notify of one sets WordPending (1, atomically), which asks for
	// the word upcall and ends vCPU 0's wait (either one clears it).
	Watches     [WatchesPerProcess]uint16
	WordPending uint32

	// SignalsPending holds the signals other processes sent
	// (process_signal: bit N-1 for signal N, atomically), until the
	// signal upcall or signals_take takes them.
	SignalsPending uint64

	// Name is what process_set_name set (printable ASCII, NUL-padded):
	// what process_info shows of it.
	Name [NameSize]byte
}

// AtSlot returns the process in slot i of the table, or nil when the
// slot is free or out of range.
func AtSlot(i int) *Process {
	if i < 0 || i >= MaxProcesses || table[i%MaxProcesses].State == Free {
		return nil
	}
	return &table[i%MaxProcesses]
}

// WatchesPerProcess is how many words a process may watch at once
// (word_watch).
const WatchesPerProcess = 32

var (
	table       [MaxProcesses]Process
	generations [MaxProcesses]uint16
	// ioBitmaps holds each process slot's I/O permission bitmap, in the
	// TSS format: a clear bit opens the port.
	ioBitmaps [MaxProcesses][amd64.IOBitmapSize]byte
)

// IOBitmap returns p's I/O permission bitmap.
func IOBitmap(p *Process) *[amd64.IOBitmapSize]byte {
	return &ioBitmaps[uint(p.ID-1)%MaxProcesses]
}

// DefaultFrameLimit is how many frames a process may hold (256 MiB), of
// every kind: its data, the page tables of its address space and its
// segments' tables (physmem keeps the count and refuses beyond it).
// TODO(market): price memory in the CPU market's currency instead.
const DefaultFrameLimit = 65536

// Status is the result of a process operation.
type Status int

const (
	OK Status = iota
	NoSlot
	NoMemory
	NoSuchProcess
	NotYet // the process has not exited yet
)

// ByID returns the process with id (which may have exited), or nil when
// there is none.
func ByID(id uint16) *Process {
	if id == 0 {
		return nil
	}
	p := &table[uint(id-1)%MaxProcesses]
	if p.State == Free || p.ID != id {
		return nil
	}
	return p
}

// Create makes an empty process: an address space whose kernel half is
// shared with every other and whose user half is empty.
func Create(parent uint16, rights Rights) (*Process, Status) {
	var p *Process
	for i := range table {
		next := uint32(generations[i])*MaxProcesses + uint32(i) + 1
		if (table[i].State == Free || table[i].State == Exited && !table[i].Held) && next <= LastID {
			generations[i]++
			p = &table[i]
			*p = Process{ID: uint16(next)}
			for v := range p.VCPUs {
				p.VCPUs[v].Thread = -1
			}
			break
		}
	}
	if p == nil {
		return nil, NoSlot
	}
	memory.Frames.SetLimit(p.ID, DefaultFrameLimit)
	space, ok := paging.NewSpaceFor(&memory.Frames, layout.DirectMap, p.ID)
	if !ok {
		return nil, NoMemory
	}
	bitmap := IOBitmap(p)
	for i := range bitmap {
		bitmap[i] = 0xff
	}
	space.ShareKernelHalf(memory.Kernel)
	if !memory.LinkKernelViews(space) {
		memory.Frames.FreeAs(space.Root, p.ID, physmem.UsePageTable)
		return nil, NoMemory
	}
	p.Space = space
	p.Parent = parent
	p.Rights = rights
	p.State = Created
	return p, OK
}

// ReleaseSpace frees the page tables of p's user half that the kernel made
// for p (charged to it; the tables of linked segments belong to their
// segments and must have been unlinked first, and tables the kernel shares
// with every space, such as the frame-table view's, are the kernel's): the
// PML4 and every table below a user-half entry. Its cost is the tables p
// was charged for. The caller has switched away from p's address space on
// every CPU.
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
		releaseTable(s, p.ID, e&paging.AddressMask, 3)
	}
	memory.Frames.FreeAs(s.Root, p.ID, physmem.UsePageTable)
	p.Space.Root = 0
}

// releaseTable frees the table at physical address table, at level (3 =
// PDPT, 2 = PD, 1 = PT), and the tables below it, if it is a page table
// charged to owner.
func releaseTable(s paging.Space, owner uint16, table uint64, level int) {
	if o, _ := memory.Frames.Owner(table); memory.Frames.UseOf(table) != physmem.UsePageTable || o != owner {
		return // a segment's table, or one the kernel shares: not ours to free
	}
	if level > 1 {
		for i := uintptr(0); i < 512; i++ {
			e := *s.Entry(table, i)
			if paging.Flags(e)&paging.Present == 0 || paging.Flags(e)&paging.Huge != 0 {
				continue
			}
			releaseTable(s, owner, e&paging.AddressMask, level-1)
		}
	}
	memory.Frames.FreeAs(table, owner, physmem.UsePageTable)
}

// Table returns slot i of the process table (for reports and tests).
func Table(i int) *Process { return &table[uint(i)%MaxProcesses] }

// live reports whether p exists and has not exited.
func live(p *Process) bool {
	return p != nil && (p.State == Created || p.State == Running)
}

// Release returns everything p holds: the page tables the kernel made for
// its address space, then every frame it owns (those other processes still
// map become orphans, freed with their last reference), and its limit. The caller has switched away
// from p's address space on every CPU (sched.Exit does, on this one), and
// has dealt with its segments (kernel/exo's release unlinks them, ends its
// grants and destroys the segments it owned). With held, a parent that
// still runs keeps p's slot and status until it reaps p (Reap), and is
// told (ChildPending); without (the parent ended p itself), the slot is
// free at once.
func Release(p *Process, held bool) {
	ReleaseSpace(p)
	memory.Frames.FreeAllOwnedBy(p.ID)
	memory.Frames.SetLimit(p.ID, 0)
	p.HasPorts = false
	for v := range p.VCPUs {
		p.VCPUs[v] = VCPU{Thread: -1}
	}
	p.State = Exited
	p.Exiting = false
	p.ChildPending, p.ChildExited = false, false
	p.WordPending = 0
	// Its exited children no longer wait for it: their slots are free.
	for i := range table {
		if c := &table[i]; c.State == Exited && c.Held && c.Parent == p.ID {
			c.Held = false
		}
	}
	// A parent that still runs keeps p's status until it reaps p.
	if parent := ByID(p.Parent); held && live(parent) {
		p.Held = true
		parent.ChildPending, parent.ChildExited = true, true
	}
}

// Parent returns p's parent if it still runs, else nil.
func Parent(p *Process) *Process {
	if parent := ByID(p.Parent); live(parent) {
		return parent
	}
	return nil
}

// Reap frees the slot of an exited child of parent and returns its id and
// exit status. With id 0 it takes any exited child. It reports NoSuchProcess
// when parent has no such child, and NotYet when the child, or every child
// for id 0, still runs.
func Reap(parent *Process, id uint16) (child uint16, status uint64, result Status) {
	result = NoSuchProcess
	for i := range table {
		c := &table[i]
		if c.Parent != parent.ID || c.State == Free || (id != 0 && c.ID != id) {
			continue
		}
		if c.State == Exited && !c.Held {
			continue // reaped already, or its parent had ended
		}
		if c.State != Exited {
			result = NotYet
			continue
		}
		c.Held = false
		return c.ID, c.ExitStatus, OK
	}
	return 0, 0, result
}
