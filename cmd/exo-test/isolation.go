package main

import (
	"exogo/libos/bare"
	"exogo/libos/exo"
)

// Isolation: the holes a hostile review found (issue "Close the isolation
// holes"), each tried as the attacker did it, each of which the kernel
// must refuse.
//
//  1. freeing a page table of one's own address space, or a segment's
//     table, to get it back as data and write page-table entries (role 15);
//  2. freeing a frame the kernel's loader mapped into the first process
//     while it is still mapped (the parent, below);
//  3. a segment whose owner ended lives while another process links it,
//     and goes, with its frames, when that process unlinks it (role 16
//     owns it, the parent links it);
//  4. one process taking the whole segment table (role 15);
//  5. page tables made for links charged to nobody (role 3, hostile, once
//     it has exhausted its frames).

const (
	boxAttackerDone  = 25 // role 15: 100 + failed checks
	boxOrphanSegment = 26 // role 16: the segment it granted to process 1
	boxOrphanOwner   = 27 // role 16: its own process id
	boxOrphanLinked  = 28 // parent: 1 once it linked role 16's segment
)

// Frame-table uses and fields (libos/bare).
const (
	usePageTable = exo.FrameUsePageTable
	useSegment   = exo.FrameUseSegment
	useFree      = exo.FrameUseFree
	orphanBit    = bare.EntryOrphan
	// scanFrames is how many frame-table entries the tests read: 240 MiB
	// of physical memory, inside the table on every machine the tests
	// boot (256 MiB and more).
	scanFrames = 240 << 20 >> 12
)

// checkLoaderFrames (breach 2): every frame the kernel's loader mapped into
// the first process holds a reference, so the process cannot free one
// while it is mapped (and the next process's PML4 cannot land there).
func checkLoaderFrames() {
	me := bare.MyID()
	tried, refused := 0, 0
	for i := uint64(0); i < scanFrames && tried < 64; i++ {
		e := frameEntry(i * 4096)
		if bare.EntryOwner(e) != me || bare.EntryUse(e) != useProcess || bare.EntryRefs(e) == 0 {
			continue
		}
		tried++
		if exo.FrameFree(i*4096) == -exo.ErrBusy {
			refused++
		}
	}
	check("isolation: frames of my own image (mapped by the kernel's loader) are referenced and cannot be freed while mapped", tried >= 8 && refused == tried)
	// The code this program runs is one of them.
	code := uint64(0)
	if physical, ok := physicalOf(imageBase); ok {
		code = physical
	}
	check("isolation: the frame holding my code is mine, mapped once", code != 0 && bare.EntryOwner(frameEntry(code)) == me && bare.EntryRefs(frameEntry(code)) == 1)
	expect("isolation: free the frame holding my code", exo.FrameFree(code), exo.ErrBusy)
}

// physicalOf finds the frame mapped at virtual in my space by looking for
// the frame-table entry whose frame holds the same bytes: it compares a
// page's first 64 bytes, then checks a marker written through the mapping.
func physicalOf(virtual uintptr) (uint64, bool) {
	me := bare.MyID()
	for i := uint64(0); i < scanFrames; i++ {
		e := frameEntry(i * 4096)
		if bare.EntryOwner(e) != me || bare.EntryUse(e) != useProcess || bare.EntryRefs(e) != 1 {
			continue
		}
		// Map the candidate read-only in a scratch segment and compare.
		seg := exo.SegmentCreate(exo.LevelPT)
		if seg < 0 {
			return 0, false
		}
		same := false
		if exo.SegmentMapFrame(uint64(seg), 0, i*4096, 0) == 0 {
			if exo.SegmentLink(uint64(seg), probeAddress, 0) == 0 {
				same = true
				for w := uintptr(0); w < 64; w += 8 {
					if *bare.Word(probeAddress + w) != *bare.Word(virtual + w) {
						same = false
					}
				}
				exo.SegmentUnlink(probeAddress, exo.LevelPT)
			}
			exo.SegmentUnmap(uint64(seg), 0)
		}
		exo.SegmentDestroy(uint64(seg))
		if same {
			return i * 4096, true
		}
	}
	return 0, false
}

// probeAddress is where physicalOf links its scratch segment.
const probeAddress = 0x6000_0000

// checkOrphans (breach 3): role 16 makes a segment and grants it to me; I
// link it; role 16 ends. I still read the segment (an orphan), then unlink
// it: the orphan and its frames are gone.
func checkOrphans() {
	owner := spawn(16, 0, 0)
	waitAtLeast(mailbox(boxOrphanSegment), 1)
	segment := *mailbox(boxOrphanSegment)
	ownerID := *mailbox(boxOrphanOwner)
	linked := owner > 0 && segment != 0 && exo.SegmentLink(segment, orphanAddress, 0) == 0
	check("orphans: link a segment another process owns and granted me", linked)
	*mailbox(boxOrphanLinked) = 1
	// Wait for it to end by itself (its exit is the last thing it does):
	// device_grant names its target first, and says when it is gone; I
	// hold no line 15, so it changes nothing while the owner lives.
	for deadline := exo.TimeNow() + 5_000_000_000; exo.TimeNow() < deadline && exo.DeviceGrant(15, uint64(owner)) != -exo.ErrNoSuchObject; {
		exo.Yield()
	}
	if !linked {
		return
	}
	check("orphans: after its owner ended, its contents are still there", *bare.Word(orphanAddress) == 0x0e0e && *bare.Word(orphanAddress + 2*pageSize) == 0x0e0e+2)
	orphans, pages := 0, 0
	var frames [3]uint64
	for i := uint64(0); i < scanFrames; i++ {
		e := frameEntry(i * 4096)
		if e&orphanBit != 0 && bare.EntryOwner(e) == ownerID {
			if pages < len(frames) && bare.EntryUse(e) == useProcess {
				frames[uint(pages)%uint(len(frames))] = i * 4096
				pages++
			}
			orphans++
		}
	}
	check("orphans: the frame table shows its 3 pages and its table as orphans of the ended owner", orphans == 4)
	check("orphans: unlink it, its last link", exo.SegmentUnlink(orphanAddress, exo.LevelPT) == 0)
	gone := true
	for _, f := range frames {
		if e := frameEntry(f); f == 0 || (bare.EntryOwner(e) == ownerID && bare.EntryUse(e) != useFree) {
			gone = false
		}
	}
	check("orphans: with its last user gone, its frames are free again", gone)
	expect("orphans: the segment is gone", exo.SegmentLink(segment, orphanAddress, 0), exo.ErrNoSuchObject)
}

const orphanAddress = 0x6020_0000

// orphanOwner is role 16: it makes a segment of three pages, grants it to
// process 1 (the parent) and exits.
func orphanOwner() {
	segment := bare.NewSegment(3, -1)
	if segment == 0 || exo.SegmentLink(segment, orphanAddress, exo.PermissionsWrite) != 0 {
		bare.Say("exo-test: FAIL: orphan owner: cannot make its segment\n")
		exo.Exit(1)
	}
	for i := uintptr(0); i < 3; i++ {
		*bare.Word(orphanAddress + i*pageSize) = 0x0e0e + uint64(i)
	}
	exo.SegmentUnlink(orphanAddress, exo.LevelPT)
	exo.SegmentGrant(segment, 1, exo.RightsLink)
	*mailbox(boxOrphanOwner) = bare.MyID()
	*mailbox(boxOrphanSegment) = segment
	waitFor(mailbox(boxOrphanLinked), 1)
	exo.Exit(0)
}

// attacker is role 15.
func attacker() {
	me := bare.MyID()
	// Breach 1: every page table of my own address space (the PML4
	// included) and every segment table I am charged for.
	tables, refused, mapped := 0, 0, 0
	scratch := exo.SegmentCreate(exo.LevelPT)
	for i := uint64(0); i < scanFrames; i++ {
		e := frameEntry(i * 4096)
		if bare.EntryOwner(e) != me || (bare.EntryUse(e) != usePageTable && bare.EntryUse(e) != useSegment) {
			continue
		}
		tables++
		if exo.FrameFree(i*4096) == -exo.ErrNoRight {
			refused++
		}
		if exo.SegmentMapFrame(uint64(scratch), 0, i*4096, exo.MapPermissionsWrite) == 0 {
			mapped++
			exo.SegmentUnmap(uint64(scratch), 0)
		}
	}
	check("attacker: my address space's page tables and my segments' tables are in the frame table as mine", tables >= 3)
	check("attacker: frame_free refuses each (EXO_NO_RIGHT): they are the kernel's, charged to me", refused == tables)
	check("attacker: none of them can be mapped as data", mapped == 0)
	exo.SegmentDestroy(uint64(scratch))

	// Breach 4: segments per process are limited; the table is not mine
	// to fill.
	made := int64(0)
	var last int64
	for made < 100000 {
		last = exo.SegmentCreate(exo.LevelPT)
		if last < 0 {
			break
		}
		made++
	}
	bare.SayNumber("exo-test: attacker: segments created before the kernel said no: ", made)
	check("attacker: segment_create stops at my limit with EXO_LIMIT", last == -exo.ErrLimit && made >= 100 && made < 1000)
	*mailbox(boxAttackerDone) = 100 + failures
}

// checkAttacker runs role 15, and then checks that its segment spree
// left the table usable by others.
func checkAttacker() {
	attackerID := spawn(15, 0, 0)
	waitAtLeast(mailbox(boxAttackerDone), 100)
	check("isolation: the attacker's checks passed", attackerID > 0 && *mailbox(boxAttackerDone) == 100)
	id := exo.SegmentCreate(exo.LevelPT)
	check("isolation: with the attacker at its segment limit, I can still create a segment", id > 0)
	exo.SegmentDestroy(uint64(id))
	for i := 0; i < 1000 && exo.ProcessDestroy(uint64(attackerID)) == -exo.ErrBusy; i++ {
		exo.Yield()
	}
}
