// Package segment keeps the exokernel's segments: page-table subtrees with an
// owner, which processes link into their address spaces (Larkby-Lahet et
// al., "XOmB: an Exokernel for Modern 64-bit, Multicore Hardware", section
// 2.1, "A Case for Segmentation").
//
// # What a segment is
//
// On x86-64 a virtual address is translated by walking four tables (see
// kernel/paging): PML4 -> PDPT -> PD -> PT -> page. Every table is one 4 KiB
// frame of 512 entries, and every entry of a table covers a fixed span of
// the address space. So any single table, together with everything below
// it, is a self-contained map of a fixed-size block of memory:
//
//	Level1  a PT    512 entries x 4 KiB pages   =   2 MiB
//	Level2  a PD    512 entries x Level1 spans  =   1 GiB
//	Level3  a PDPT  512 entries x Level2 spans  = 512 GiB
//
// XOmB calls such a subtree a segment. The kernel hands out segments as it
// hands out frames: a process creates one (it becomes its owner), fills it
// (MapFrame puts one of its own frames at a slot of a Level1 segment,
// MapSegment puts a child segment one level down at a slot of a bigger one),
// and links it into an address space (Link writes a single entry, in the
// address space's own tables, that points at the segment's table). Linking
// costs one entry however large the segment is, and the same segment can be
// linked into many address spaces at once: they then share its memory, and a
// store through one is seen by loads through the others.
//
// # Permissions: the most restrictive entry wins
//
// The CPU combines the permission bits of every entry on a walk: an access
// may write only if every entry has Writable, may execute only if no entry
// has NoExecute, and may come from ring 3 only if every entry has User. That
// gives two places for permissions:
//
//   - at the link: the entry in the address space that points at the
//     segment. One bit there makes the whole segment read-only or
//     no-execute for that address space only. A process can link a segment
//     read-write while another links the same segment read-only.
//   - inside the segment: the leaf entries written by MapFrame. A page mapped
//     read-only stays read-only however the segment is linked.
//
// Read access is always implied (x86 has no "not readable" bit for present
// user pages): Rights are Read | Write | Execute, with Read always set.
//
// # Ownership and grants
//
// Only the owner changes a segment (MapFrame, MapSegment, Unmap, Grant,
// Withdraw, Destroy). The owner may link it with any rights; another process
// may link it (or map it as a child of its own segment) only with a grant,
// and only with rights the grant covers. Frames mapped into a segment must be
// held by the segment's owner (physmem.Table.Owner) with physmem.UseProcess,
// so a process can never map a page table, a segment's table or the kernel's
// memory, and cannot map another process's frame.
//
// Every entry that maps a frame counts as one reference on it
// (physmem.Table.AddReference), and a segment holds one reference on its own
// table frame while it exists, so physmem.Table.FreeOwned and FreeAllOwnedBy
// never free a frame that some segment still maps. A segment counts its
// links (entries in address spaces) and its parents (entries in bigger
// segments), and cannot be destroyed while either is non-zero; each of
// those entries also has a record (refs.go) that says where it is, so that
// taking them back costs what there is to take, not a walk of every
// address space.
//
// # Names
//
// A segment is named by an ID: its index in the kernel's fixed table in the
// low 16 bits and a generation in the high 16. Destroying a segment frees the
// index; the next segment created there gets a new generation, so a stale ID
// kept by a process fails (BadID) instead of naming the new segment. ID 0 is
// never valid. The generation wraps after 65 535 reuses of one index; an ID
// is a name, not a capability, so a stale ID that names a new segment
// still lets its holder do only what it owns or was granted.
//
// # What the caller must do
//
// This package edits page tables in memory only, and cannot invalidate TLB
// entries (Places says where a segment is linked): after Unmap and Unlink
// the caller must flush the
// affected range (Unmapped says which part of the segment) on every CPU that
// may run an address space linking it, before the owner frees or reuses a
// frame that was mapped. The system-call layer must also pass only address
// spaces the caller may edit to Link and Unlink (its own, or a child's).
//
// Tables that Link creates above the link point are page tables of the
// address space (physmem.UsePageTable) charged to the address space's
// owner, within its frame limit; they stay when the link goes and are freed
// with the address space. A segment's own table (physmem.UseSegment) is
// charged to the segment's owner. Neither is ever the process's to free or
// map as data (physmem's kinds of frames).
//
// # Limits and orphans
//
// A process owns at most SegmentLimit segments at once (the file system,
// FilesOwner, FileSegmentLimit), and the table holds all of those plus
// room for orphans, so no process can take the segments another needs. When a process ends, the segments it owned
// that others still link or map survive as orphans (no owner can change
// them any more); an orphan is destroyed, and its frames go back, as soon
// as its last link and parent mapping are gone.
//
// Restricted Go: the kernel keeps one Table (its zero value is ready, so it
// can live in a global); it holds only integers, is protected by a spin
// lock, and every operation is bounded (at most 512 entries and one scan of
// the segment table) and returns a Status.
package segment

import (
	"sync/atomic"

	"exogo/kernel/layout"
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
	"exogo/kernel/rawmem"
)

// Level is the page-table level of a segment's table.
type Level uint8

const (
	Level1 Level = 1 // a page table: 2 MiB
	Level2 Level = 2 // a page directory: 1 GiB
	Level3 Level = 3 // a page-directory-pointer table: 512 GiB
)

// Span is the size of the address range a segment of level l maps (0 for an
// invalid level).
func (l Level) Span() uint64 {
	if l < Level1 || l > Level3 {
		return 0
	}
	return 1 << (12 + 9*uint(l))
}

// slotSpan is the size one entry of a level-l table covers.
func slotSpan(l Level) uint64 { return 1 << ((12 + 9*(uint(l)-1)) & 63) }

// Rights are what a process may do with a segment, and the permissions of a
// mapping or a link. Read is always implied.
type Rights uint8

const (
	Read    Rights = 1 << 0 // always implied
	Write   Rights = 1 << 1
	Execute Rights = 1 << 2
	// GrantOn, in a grant only, lets the grantee grant the segment to
	// others, with at most the rights it holds itself.
	GrantOn Rights = 1 << 3

	allRights   = Read | Write | Execute
	grantRights = allRights | GrantOn
)

// ID names a segment: generation << 16 | index.
type ID uint32

// Limits.
const (
	// SegmentLimit is how many segments one process may own at once.
	SegmentLimit = 192
	// MaxProcesses is how many processes may own segments at once (the
	// size of kernel/process's table).
	MaxProcesses = 64
	// FilesOwner owns the RAM file system's segments (kernel/fs): a
	// file is a segment tree that outlives the processes that open it.
	// kernel/process never gives a process this ID.
	FilesOwner = 0xffff
	// FileSegmentLimit is how many segments the file system may own (a
	// file or directory is a PD segment and a PT segment for each 2 MiB
	// of it that holds anything).
	FileSegmentLimit = 12288
	// MaxSegments is how many segments exist at once: every process's
	// limit, the file system's, and room for 4096 orphans.
	MaxSegments = MaxProcesses*SegmentLimit + FileSegmentLimit + 4096
	MaxGrants   = 8   // grants per segment
	Entries     = 512 // entries in a segment's table
)

// Status is the result of a segment operation.
type Status uint8

const (
	OK                Status = iota
	BadID                    // no such segment: never created, destroyed, or a stale generation
	BadLevel                 // the level is not 1-3, or the operation needs another level
	BadRights                // unknown rights bits
	BadIndex                 // slot index >= 512
	NotOwner                 // only the owner may do this
	NoAccess                 // the caller neither owns the segment nor holds a grant for it
	RightsExceeded           // the grant does not cover the rights asked for
	NoMemory                 // no free frame
	TableFull                // MaxSegments segments exist
	SlotInUse                // the entry is already present
	SlotEmpty                // nothing is there to unmap or unlink
	FrameNotOwned            // the frame belongs to another process
	FrameNotMappable         // not a frame, not held, or not a process frame (UseProcess)
	TooManyReferences        // a frame's reference count or a link count is at its maximum
	LevelMismatch            // a child must be exactly one level below its parent
	Misaligned               // an address is not aligned to the segment's span or a frame
	NotCanonical             // the virtual address is not canonical
	NotUserAddress           // the range is below UserStart or in the kernel half
	BadRoot                  // the root is not a page-table frame
	InTheWay                 // a huge page, a kernel table or another segment is on the walk
	NotASegment              // the entry does not link a segment of that level
	StillLinked              // the segment is still linked or mapped in a parent
	TooManyGrants            // MaxGrants grants exist
	BadGrantee               // the owner cannot be a grantee
	NotGranted               // no grant to revoke
	DeviceSegment            // a device segment's slots are the kernel's to fill
	OverLimit                // the process owns SegmentLimit segments, or holds its frame limit
)

var statusNames = [...]string{
	"ok", "no such segment", "bad level", "bad rights", "bad slot index", "not the owner",
	"no access", "rights exceed the grant", "no memory", "segment table full", "slot in use",
	"slot empty", "frame not owned", "frame not mappable", "too many references",
	"level mismatch", "misaligned", "non-canonical address", "not a user address", "bad root",
	"something in the way", "not a segment link", "still linked", "too many grants",
	"bad grantee", "not granted", "a device segment", "over the process's limit",
}

// String describes the status for logs.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown status"
}

// Memory is how the package reaches physical memory: the frame table and
// the virtual address of physical 0. It is passed to each operation (never
// stored).
type Memory struct {
	Frames    *physmem.Table
	DirectMap uintptr
}

// Grant is one process's right to use a segment.
type Grant struct {
	Process uint16
	Rights  Rights
}

// Info describes a segment (for tests and debugging).
type Info struct {
	Owner      uint16
	Level      Level
	Table      uint64 // physical address of the segment's table
	Links      uint32 // entries in address spaces pointing at it
	Parents    uint32 // entries in bigger segments pointing at it
	Orphan     bool   // its owner ended; it goes when its last user does
	GrantCount int
	Grants     [MaxGrants]Grant
}

// Unmapped says what Unmap removed, so the caller can flush TLBs: the range
// [Offset, Offset+Size) of the segment is gone in every address space that
// links the segment (Links of them, plus those reaching it through Parents).
type Unmapped struct {
	Frame   uint64 // the frame that was mapped (Level1), else 0
	Child   ID     // the child segment that was mapped (Level2, Level3), else 0
	Offset  uint64 // offset of the removed range in the segment
	Size    uint64 // size of the removed range
	Links   uint32
	Parents uint32
}

type descriptor struct {
	table      uint64
	links      uint32
	parents    uint32
	owner      uint16
	generation uint16
	level      Level
	used       bool
	grantCount uint8
	grants     [MaxGrants]Grant
	// refHead is the first of the records of the entries pointing at
	// the segment's table (refs.go), slot + 1; 0 when there is none.
	refHead uint32
	// device marks a segment the kernel made over device memory
	// (CreateDevice): slot 0 is an ordinary frame, the other present
	// slots device memory, which holds no references.
	device bool
	// orphan marks a segment whose owner ended while others used it.
	orphan bool
}

// Table is the kernel's table of segments. The zero value is an empty table
// with UserStart = layout.UserStart.
type Table struct {
	// UserStart is the lowest address Link accepts (0 means
	// layout.UserStart, 4 MiB). Set it before the table is used.
	UserStart uintptr

	lock    uint32
	live    uint32
	hint    uint32
	entries [MaxSegments]descriptor
	reverse [reverseSize]reverseEntry
	// refs records every entry that points at a segment's table
	// (refs.go); refCount is how many there are, refsOf[p] how many are
	// charged to process p.
	refs     [refSlots]ref
	refCount uint32
	refsOf   [1 << 16]uint16
	// The orphan budget in use (teardown.go), and the ended owners whose
	// records count in it.
	orphanSegments uint32
	orphanRefs     uint32
	orphanFrames   uint64
	dead           [1 << 16]bool
	// grantsHeld[p] is how many grants process p holds.
	grantsHeld [1 << 16]uint16
	// ownerHead[p] is the first record charged to process p, slot + 1.
	ownerHead [1 << 16]uint32
	// cursors are walks over lists of records in progress (slot + 1 of
	// the next record), kept right when a deletion moves a record:
	// endGrant's over a segment's, UnlinkAll's over a process's.
	cursors [2]uint32
	// owned[p] is how many segments process p owns (orphans not counted).
	owned [1 << 16]uint16
}

func (t *Table) acquire() {
	for !atomic.CompareAndSwapUint32(&t.lock, 0, 1) {
	}
}

func (t *Table) release() { atomic.StoreUint32(&t.lock, 0) }

// segmentLimit is how many segments owner may own at once (0, the
// kernel: no limit but the table's size).
func segmentLimit(owner uint16) uint16 {
	if owner == FilesOwner {
		return FileSegmentLimit
	}
	return SegmentLimit
}

func (t *Table) userStart() uintptr {
	if t.UserStart == 0 {
		return layout.UserStart
	}
	return t.UserStart
}

// Live is the number of segments in existence.
func (t *Table) Live() int { return int(atomic.LoadUint32(&t.live)) }

func makeID(index uint, generation uint16) ID { return ID(uint32(generation)<<16 | uint32(index)) }

// lookup returns the descriptor id names and its index.
func (t *Table) lookup(id ID) (*descriptor, uint, Status) {
	index := uint(id & 0xffff)
	if index >= MaxSegments {
		return nil, 0, BadID
	}
	d := &t.entries[index%MaxSegments]
	if !d.used || d.generation != uint16(id>>16) {
		return nil, 0, BadID
	}
	return d, index, OK
}

// validRights normalizes rights (adds Read) and reports whether they are
// known bits.
func validRights(r Rights) (Rights, bool) { return r | Read, r&^allRights == 0 }

// allows checks that caller may use d with rights r.
func (d *descriptor) allows(caller uint16, r Rights) Status {
	if caller == d.owner {
		return OK
	}
	held, ok := d.grantOf(caller)
	if !ok {
		return NoAccess
	}
	if r&^held != 0 {
		return RightsExceeded
	}
	return OK
}

// entry returns a pointer to entry i of the table at physical table.
func entry(mem Memory, table uint64, i uint) *uint64 {
	return rawmem.Uint64(mem.DirectMap + uintptr(table) + uintptr(i%Entries)*8)
}

// encode builds an entry pointing at physical with the permissions r.
func encode(physical uint64, r Rights) uint64 {
	e := physical&paging.AddressMask | uint64(paging.Present|paging.User)
	if r&Write != 0 {
		e |= uint64(paging.Writable)
	}
	if r&Execute == 0 {
		e |= uint64(paging.NoExecute)
	}
	return e
}

func present(e uint64) bool { return paging.Flags(e)&paging.Present != 0 }

// Info describes segment id.
func (t *Table) Info(id ID) (Info, Status) {
	t.acquire()
	d, _, status := t.lookup(id)
	if status != OK {
		t.release()
		return Info{}, status
	}
	info := Info{
		Owner: d.owner, Level: d.level, Table: d.table, Links: d.links, Parents: d.parents, Orphan: d.orphan,
		GrantCount: int(d.grantCount), Grants: d.grants,
	}
	t.release()
	return info, OK
}
