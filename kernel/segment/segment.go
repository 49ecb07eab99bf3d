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
// A process owns at most SegmentLimit segments at once, and the table holds
// MaxProcesses*SegmentLimit plus room for orphans, so no process can take
// the segments another needs. When a process ends, the segments it owned
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
	// MaxSegments is how many segments exist at once: every process's
	// limit, and room for 4096 orphans.
	MaxSegments = MaxProcesses*SegmentLimit + 4096
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

// The reverse map: from a table frame to the segment whose table it is, an
// open-addressing hash table with linear probing, at most half full.
const (
	reverseBits = 16 // at least log2(2*MaxSegments)
	reverseSize = 1 << reverseBits
)

type reverseEntry struct {
	key   uint64 // frame number + 1; 0 means empty
	index uint16
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

// reverseHome is the first slot probed for a key.
func reverseHome(key uint64) uint {
	return uint((key * 0x9e37_79b9_7f4a_7c15) >> (64 - reverseBits))
}

func (t *Table) reverseInsert(table uint64, index uint16) {
	key := table/physmem.FrameSize + 1
	for i, n := reverseHome(key), 0; n < reverseSize; i, n = (i+1)%reverseSize, n+1 {
		r := &t.reverse[i%reverseSize]
		if r.key == 0 {
			r.key, r.index = key, index
			return
		}
	}
}

// reverseFind returns the slot of table in the reverse map.
func (t *Table) reverseFind(table uint64) (slot uint, ok bool) {
	key := table/physmem.FrameSize + 1
	for i, n := reverseHome(key), 0; n < reverseSize; i, n = (i+1)%reverseSize, n+1 {
		r := &t.reverse[i%reverseSize]
		if r.key == key {
			return i, true
		}
		if r.key == 0 {
			return 0, false
		}
	}
	return 0, false
}

// segmentAt returns the index of the segment whose table is at physical
// table.
func (t *Table) segmentAt(table uint64) (index uint, ok bool) {
	slot, ok := t.reverseFind(table)
	if !ok {
		return 0, false
	}
	return uint(t.reverse[slot%reverseSize].index), true
}

// reverseRemove deletes table from the reverse map, shifting later entries of
// the probe sequence back so that no tombstones are needed.
func (t *Table) reverseRemove(table uint64) {
	hole, ok := t.reverseFind(table)
	if !ok {
		return
	}
	t.reverse[hole%reverseSize] = reverseEntry{}
	for j, n := (hole+1)%reverseSize, 0; n < reverseSize; j, n = (j+1)%reverseSize, n+1 {
		r := t.reverse[j%reverseSize]
		if r.key == 0 {
			return
		}
		home := reverseHome(r.key)
		// r may stay at j if its home lies cyclically in (hole, j].
		var stays bool
		if hole <= j {
			stays = hole < home && home <= j
		} else {
			stays = hole < home || home <= j
		}
		if stays {
			continue
		}
		t.reverse[hole%reverseSize] = r
		t.reverse[j%reverseSize] = reverseEntry{}
		hole = j
	}
}

// Create makes an empty segment of level owned by owner: a zeroed table
// frame (physmem.UseSegment, owned by owner, one reference held by the
// segment).
func (t *Table) Create(mem Memory, owner uint16, level Level) (ID, Status) {
	if level < Level1 || level > Level3 {
		return 0, BadLevel
	}
	if mem.Frames == nil {
		return 0, NoMemory
	}
	t.acquire()
	id, status := t.create(mem, owner, level)
	t.release()
	return id, status
}

func (t *Table) create(mem Memory, owner uint16, level Level) (ID, Status) {
	if owner != 0 && t.owned[owner] >= SegmentLimit {
		return 0, OverLimit
	}
	if t.live >= MaxSegments {
		return 0, TableFull
	}
	index := uint(t.hint % MaxSegments)
	for n := 0; n < MaxSegments && t.entries[index%MaxSegments].used; n++ {
		index = (index + 1) % MaxSegments
	}
	d := &t.entries[index%MaxSegments]
	if d.used {
		return 0, TableFull
	}
	table, charged := mem.Frames.Charge(owner, physmem.UseSegment, true)
	if charged != physmem.Done {
		return 0, chargeStatus(charged)
	}
	if !mem.Frames.AddReference(table) {
		mem.Frames.FreeAs(table, owner, physmem.UseSegment)
		return 0, NoMemory
	}
	d.generation++
	if d.generation == 0 {
		d.generation = 1
	}
	d.table, d.owner, d.level, d.used, d.device = table, owner, level, true, false
	d.refHead, d.orphan = 0, false
	d.links, d.parents, d.grantCount = 0, 0, 0
	t.reverseInsert(table, uint16(index))
	t.live++
	t.owned[owner]++
	t.hint = uint32(index+1) % MaxSegments
	return makeID(index, d.generation), OK
}

// Destroy removes a segment. Only the owner may, and only while the segment
// is neither linked into an address space nor mapped in a parent segment.
// Every entry is cleared first: mapped frames lose a reference (they stay
// their owner's, to free with physmem.Table.FreeOwned), child segments lose
// a parent. Then the table frame is freed.
func (t *Table) Destroy(mem Memory, caller uint16, id ID) Status {
	if mem.Frames == nil {
		return NoMemory
	}
	t.acquire()
	status := t.destroy(mem, caller, id)
	t.release()
	return status
}

func (t *Table) destroy(mem Memory, caller uint16, id ID) Status {
	d, _, status := t.lookup(id)
	if status != OK {
		return status
	}
	if d.owner != caller || d.orphan {
		return NotOwner
	}
	if d.links != 0 || d.parents != 0 {
		return StillLinked
	}
	t.remove(mem, d)
	return OK
}

// chargeStatus turns physmem's refusal to charge a frame into a Status.
func chargeStatus(s physmem.OwnershipStatus) Status {
	if s == physmem.OverLimit {
		return OverLimit
	}
	return NoMemory
}

// remove clears every entry of d (mapped frames lose a reference, child
// segments a parent: an orphan child may go with it) and frees d and its
// table. The caller holds the lock and has checked that nothing links or
// maps d.
func (t *Table) remove(mem Memory, d *descriptor) {
	if d.orphan {
		t.orphanSegments -= min(t.orphanSegments, 1)
		t.orphanFrames -= min(t.orphanFrames, framesOf(mem, d))
	}
	for i := uint(0); i < Entries; i++ {
		e := entry(mem, d.table, i)
		if !present(*e) {
			continue
		}
		// A PT device segment's slots past 0 are device memory, which
		// holds no references; a PD device segment's are its children.
		if !d.device || d.level != Level1 || i == 0 {
			t.dropEntry(mem, d.level, e)
		}
		*e = 0
	}
	t.reverseRemove(d.table)
	// An orphan's table is an orphan frame too: its last reference
	// frees it.
	if remaining, _ := mem.Frames.DropReference(d.table); remaining == 0 && !d.orphan {
		mem.Frames.FreeAs(d.table, d.owner, physmem.UseSegment)
	}
	if !d.orphan && t.owned[d.owner] > 0 {
		t.owned[d.owner]--
	}
	d.used, d.table, d.links, d.parents, d.grantCount, d.orphan = false, 0, 0, 0, 0, false
	for _, g := range d.grants {
		if g.Process != 0 && t.grantsHeld[g.Process] > 0 {
			t.grantsHeld[g.Process]--
		}
	}
	d.grants = [MaxGrants]Grant{}
	t.live--
}

// reap destroys d if it is an orphan nothing uses any more: no link and no
// parent mapping. Grants do not keep it, as they do not keep a segment
// whose owner ends (DestroyOwnedBy): nobody can change it any more, and a
// grantee that let go of it has nothing of it left to lose. Every
// operation that takes a link or a mapping away calls it, so an orphan
// never outlives its last user. The caller holds the lock.
func (t *Table) reap(mem Memory, d *descriptor) {
	if d.used && d.orphan && d.links == 0 && d.parents == 0 {
		t.remove(mem, d)
	}
}

// dropEntry clears the present entry e of a level-l segment and undoes what
// it held: a frame reference (Level1), or a child's parent count and the
// record of the mapping (an orphan child may go with it).
func (t *Table) dropEntry(mem Memory, l Level, e *uint64) ID {
	target := *e & paging.AddressMask
	*e = 0
	if l == Level1 {
		mem.Frames.DropReference(target)
		return 0
	}
	t.removeRef(entryPhysical(mem, e))
	child, ok := t.segmentAt(target)
	if !ok {
		return 0
	}
	c := &t.entries[child%MaxSegments]
	if c.parents > 0 {
		c.parents--
	}
	id := makeID(child, c.generation)
	t.reap(mem, c)
	return id
}

// MapFrame maps the frame at physical at slot index of the Level1 segment
// id, with permissions r. The caller must own the segment and the frame (a
// physmem.UseProcess frame), and the slot must be empty. The frame gains a
// reference.
func (t *Table) MapFrame(mem Memory, caller uint16, id ID, index uint, physical uint64, r Rights) Status {
	if mem.Frames == nil {
		return NoMemory
	}
	t.acquire()
	status := t.mapFrame(mem, caller, id, index, physical, r)
	t.release()
	return status
}

// slotToChange looks up segment id for caller to change its slot index
// with rights r, checking in order: the caller owns it, it is not a device
// segment (whose slots are the kernel's), its level is level (0: any), the
// index is in range and the rights are valid. It returns the rights
// normalized. The caller holds the table's lock.
func (t *Table) slotToChange(caller uint16, id ID, level Level, index uint, r Rights) (*descriptor, Rights, Status) {
	d, _, status := t.lookup(id)
	if status != OK {
		return nil, 0, status
	}
	if d.owner != caller {
		return nil, 0, NotOwner
	}
	if d.device {
		return nil, 0, DeviceSegment
	}
	if level != 0 && d.level != level {
		return nil, 0, BadLevel
	}
	if index >= Entries {
		return nil, 0, BadIndex
	}
	r, ok := validRights(r)
	if !ok {
		return nil, 0, BadRights
	}
	return d, r, OK
}

func (t *Table) mapFrame(mem Memory, caller uint16, id ID, index uint, physical uint64, r Rights) Status {
	d, r, status := t.slotToChange(caller, id, Level1, index, r)
	if status != OK {
		return status
	}
	if physical%physmem.FrameSize != 0 {
		return Misaligned
	}
	if physical&^uint64(paging.AddressMask) != 0 {
		return FrameNotMappable
	}
	e := entry(mem, d.table, index)
	if present(*e) {
		return SlotInUse
	}
	switch mem.Frames.AddReferenceAs(physical, caller, physmem.UseProcess) {
	case physmem.Done:
	case physmem.NotOwner:
		return FrameNotOwned
	case physmem.TooManyReferences:
		return TooManyReferences
	default:
		return FrameNotMappable
	}
	*e = encode(physical, r)
	return OK
}

// MapSegment maps the segment child at slot index of the segment id, with
// permissions r, so that child's span appears at index*child.Span() inside
// id. The caller must own id, and own child or hold a grant for it that
// covers r; child must be exactly one level below id.
func (t *Table) MapSegment(mem Memory, caller uint16, id ID, index uint, child ID, r Rights) Status {
	if mem.Frames == nil {
		return NoMemory
	}
	t.acquire()
	status := t.mapSegment(mem, caller, id, index, child, r)
	t.release()
	return status
}

func (t *Table) mapSegment(mem Memory, caller uint16, id ID, index uint, child ID, r Rights) Status {
	d, r, status := t.slotToChange(caller, id, 0, index, r)
	if status != OK {
		return status
	}
	c, _, status := t.lookup(child)
	if status != OK {
		return status
	}
	if c.level+1 != d.level {
		return LevelMismatch
	}
	if status := c.allows(caller, r); status != OK {
		return status
	}
	e := entry(mem, d.table, index)
	if present(*e) {
		return SlotInUse
	}
	if c.parents == ^uint32(0) {
		return TooManyReferences
	}
	if status := t.addRef(c, entryPhysical(mem, e), 0, caller); status != OK {
		return status
	}
	*e = encode(c.table, r) | c.authority(caller)
	c.parents++
	return OK
}

// Unmap clears slot index of segment id (owner only): a mapped frame loses a
// reference, a mapped child loses a parent. The caller must then flush the
// TLB for the range Unmapped describes, in every address space reaching the
// segment, before the frame is freed or reused.
func (t *Table) Unmap(mem Memory, caller uint16, id ID, index uint) (Unmapped, Status) {
	if mem.Frames == nil {
		return Unmapped{}, NoMemory
	}
	t.acquire()
	u, status := t.unmap(mem, caller, id, index)
	t.release()
	return u, status
}

func (t *Table) unmap(mem Memory, caller uint16, id ID, index uint) (Unmapped, Status) {
	d, _, status := t.slotToChange(caller, id, 0, index, Read)
	if status != OK {
		return Unmapped{}, status
	}
	e := entry(mem, d.table, index)
	if !present(*e) {
		return Unmapped{}, SlotEmpty
	}
	target := *e & paging.AddressMask
	u := Unmapped{Offset: uint64(index) * slotSpan(d.level), Size: slotSpan(d.level), Links: d.links, Parents: d.parents}
	u.Child = t.dropEntry(mem, d.level, e)
	if d.level == Level1 {
		u.Frame = target
	}
	return u, OK
}

// Grant lets grantee use segment id with rights r (Read is implied; GrantOn
// lets it grant on in turn).
//
// The owner may grant anything, and granting again replaces the rights.
// A grantee holding GrantOn may grant rights it holds itself (RightsExceeded
// otherwise); its grant only ever adds to what the grantee already has, so
// that one grantee cannot take rights from another. Grants are one flat
// list per segment: Withdraw (owner only, withdraw.go) ends one process's
// grant, with the links and mappings made on it, not the grants that
// process passed on (each is a grant of its own).
//
// Lowering a grant does not change links already made (they keep the
// permissions they were made with); withdrawing it removes them.
func (t *Table) Grant(caller uint16, id ID, grantee uint16, r Rights) Status {
	t.acquire()
	status := t.grant(caller, id, grantee, r)
	t.release()
	return status
}

func (t *Table) grant(caller uint16, id ID, grantee uint16, r Rights) Status {
	d, _, status := t.lookup(id)
	if status != OK {
		return status
	}
	owner := d.owner == caller
	held, _ := d.grantOf(caller)
	if !owner && held&GrantOn == 0 {
		return NotOwner
	}
	r |= Read
	if r&^grantRights != 0 {
		return BadRights
	}
	if !owner && r&^held != 0 {
		return RightsExceeded
	}
	if grantee == 0 || grantee == d.owner || grantee == caller {
		return BadGrantee
	}
	if i, ok := d.grantSlot(grantee); ok {
		if owner {
			d.grants[i%MaxGrants].Rights = r
		} else {
			d.grants[i%MaxGrants].Rights |= r
		}
		return OK
	}
	free, ok := d.grantSlot(0)
	if !ok {
		return TooManyGrants
	}
	d.grants[free%MaxGrants] = Grant{Process: grantee, Rights: r}
	d.grantCount++
	t.grantsHeld[grantee]++
	return OK
}

// grantSlot returns the index of process's grant in d.grants (process 0:
// the first free slot). A grant keeps its slot while it lasts: the links
// and mappings made on it carry the slot's number (authority).
func (d *descriptor) grantSlot(process uint16) (uint, bool) {
	for i := range d.grants {
		if d.grants[i].Process == process {
			return uint(i), true
		}
	}
	return 0, false
}

// grantOf returns the rights process holds through a grant on d.
func (d *descriptor) grantOf(process uint16) (Rights, bool) {
	if process == 0 {
		return 0, false
	}
	i, ok := d.grantSlot(process)
	if !ok {
		return 0, false
	}
	return d.grants[i%MaxGrants].Rights, true
}

// The authority of a link or of a child's mapping: on whose right it was
// made, kept in bits the CPU ignores in an entry that points at a table
// (bits 52-55), so that withdrawing a grant finds what rested on it.
// 0 is the owner's own; n is the grant in slot n-1.
const (
	authorityShift = 52
	authorityMask  = 0xf << authorityShift
)

// authority returns the authority bits for caller acting on d, which
// d.allows has accepted: 0 for the owner, else its grant's slot + 1.
func (d *descriptor) authority(caller uint16) uint64 {
	if caller == d.owner {
		return 0
	}
	i, _ := d.grantSlot(caller)
	return uint64(i%MaxGrants+1) << authorityShift
}

// checkAddress validates a link address for a segment of level l.
func (t *Table) checkAddress(virtual uintptr, l Level) Status {
	if !paging.Canonical(virtual) {
		return NotCanonical
	}
	if virtual >= layout.UserEnd || virtual < t.userStart() {
		return NotUserAddress
	}
	if uint64(virtual)&(l.Span()-1) != 0 {
		return Misaligned
	}
	if uint64(virtual)+l.Span() > uint64(layout.UserMapEnd) {
		return NotUserAddress // the span covers the last page below the canonical hole
	}
	return OK
}

// checkRoot validates the physical address of a PML4.
func checkRoot(mem Memory, root uint64) Status {
	if root%physmem.FrameSize != 0 || mem.Frames.UseOf(root) != physmem.UsePageTable {
		return BadRoot
	}
	return OK
}

// walk returns the entry at which a segment of level l is linked at virtual
// in the address space with PML4 root: the PML4 entry for Level3, a PDPT
// entry for Level2, a PD entry for Level1. With create, missing tables above
// are allocated (kernel-owned, Present|Writable|User). It refuses to pass
// through a huge page, a table without User (the kernel's) or a segment's
// table (which only its owner changes, through MapSegment).
func (t *Table) walk(mem Memory, root uint64, virtual uintptr, l Level, create bool) (*uint64, Status) {
	table := root
	for level := uint(3); level > uint(l); level-- {
		e := entry(mem, table, uint(virtual>>(12+9*level))&(Entries-1))
		if !present(*e) {
			if !create {
				return nil, SlotEmpty
			}
			// The new table is charged to whoever owns the address space.
			owner, _ := mem.Frames.Owner(root)
			next, charged := mem.Frames.Charge(owner, physmem.UsePageTable, true)
			if charged != physmem.Done {
				return nil, chargeStatus(charged)
			}
			*e = next | uint64(paging.Present|paging.Writable|paging.User)
		} else if paging.Flags(*e)&paging.Huge != 0 || paging.Flags(*e)&paging.User == 0 {
			return nil, InTheWay
		} else if _, isSegment := t.segmentAt(*e & paging.AddressMask); isSegment {
			return nil, InTheWay
		} else if mem.Frames.UseOf(*e&paging.AddressMask) != physmem.UsePageTable {
			// Only tables made for address spaces may be edited: not the
			// kernel's shared ones (the frame-table view).
			return nil, InTheWay
		}
		table = *e & paging.AddressMask
	}
	return entry(mem, table, uint(virtual>>(12+9*uint(l)))&(Entries-1)), OK
}

// Link links segment id into the address space whose PML4 is at physical
// root, at virtual, with permissions r. virtual must be aligned to the
// segment's span and the whole span must lie in the user half, at or above
// UserStart. The caller must own the segment or hold a grant covering r.
// The slot must be empty; tables above it are created as needed.
//
// The caller (the system-call layer) decides whose address space root is:
// the caller's own, or a child's it may edit.
func (t *Table) Link(mem Memory, caller uint16, root uint64, virtual uintptr, id ID, r Rights) Status {
	if mem.Frames == nil {
		return NoMemory
	}
	t.acquire()
	status := t.link(mem, caller, root, virtual, id, r)
	t.release()
	return status
}

func (t *Table) link(mem Memory, caller uint16, root uint64, virtual uintptr, id ID, r Rights) Status {
	d, _, status := t.lookup(id)
	if status != OK {
		return status
	}
	r, ok := validRights(r)
	if !ok {
		return BadRights
	}
	if status := d.allows(caller, r); status != OK {
		return status
	}
	if status := t.checkAddress(virtual, d.level); status != OK {
		return status
	}
	if status := checkRoot(mem, root); status != OK {
		return status
	}
	if d.links == ^uint32(0) {
		return TooManyReferences
	}
	e, status := t.walk(mem, root, virtual, d.level, true)
	if status != OK {
		return status
	}
	if present(*e) {
		return SlotInUse
	}
	// The record is charged to the address space's owner, as its tables
	// are.
	owner, _ := mem.Frames.Owner(root)
	if status := t.addRef(d, entryPhysical(mem, e), encodePlace(root, virtual), owner); status != OK {
		return status
	}
	*e = encode(d.table, r) | d.authority(caller)
	d.links++
	return OK
}

// Unlink removes the segment of level l linked at virtual in the address
// space whose PML4 is at root, and returns its ID. It refuses an entry that
// does not link a segment of that level (a page table the kernel made, say).
// The caller must flush the TLB for the segment's span at virtual on every
// CPU that may run the address space. Any process may unlink from an
// address space it may edit; no right on the segment is needed.
func (t *Table) Unlink(mem Memory, root uint64, virtual uintptr, l Level) (ID, Status) {
	if l < Level1 || l > Level3 {
		return 0, BadLevel
	}
	if mem.Frames == nil {
		return 0, NoMemory
	}
	t.acquire()
	id, status := t.unlink(mem, root, virtual, l)
	t.release()
	return id, status
}

func (t *Table) unlink(mem Memory, root uint64, virtual uintptr, l Level) (ID, Status) {
	if status := t.checkAddress(virtual, l); status != OK {
		return 0, status
	}
	if status := checkRoot(mem, root); status != OK {
		return 0, status
	}
	e, status := t.walk(mem, root, virtual, l, false)
	if status != OK {
		return 0, status
	}
	if !present(*e) {
		return 0, SlotEmpty
	}
	if paging.Flags(*e)&paging.Huge != 0 {
		return 0, NotASegment
	}
	index, ok := t.segmentAt(*e & paging.AddressMask)
	if !ok {
		return 0, NotASegment
	}
	d := &t.entries[index%MaxSegments]
	if !d.used || d.level != l || d.links == 0 {
		return 0, NotASegment
	}
	t.removeRef(entryPhysical(mem, e))
	*e = 0
	d.links--
	id := makeID(index, d.generation)
	t.reap(mem, d)
	return id, OK
}

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
