// Command exo-test exercises the exokernel interface from user mode, without
// the Go runtime (nothing here may allocate, panic or start goroutines).
//
// The parent (the first process, init=exo-test) acts as a tiny libOS: it
// "forks" by copying its own loaded image into new segments linked into a
// child process, then starts the child at childStart with a role:
//
//	1 reader:   sees the parent's writes through a segment the parent
//	            links read-write and the child read-only; then writes to
//	            it and must fault (the kernel ends it)
//	2 writer:   links the same segment read-write: its writes are seen by
//	            the parent; a page mapped read-only inside it overrides the
//	            read-write link: writing there must fault
//	3 hostile:  calls with bad arguments, frames it does not own, kernel
//	            addresses, unknown numbers; exhausts its frames; each must
//	            fail with the right error; then reads kernel memory and must
//	            fault
//	4 spinner:  loops for ever without a call; the parent must keep
//	            running (timer preemption) and destroys it at the end
//
// Meanwhile the parent checks its own memory and keeps printing. Every check
// prints a line; the last line is "exo-test: all checks passed" or
// "exo-test: N checks failed", and the exit status is the failure count.
package main

import (
	"unsafe"

	"exogo/libos/exo"
)

func main() {} // never called: the entry points are in start_amd64.s

func childStartAddress() uintptr

// Addresses this program uses (all in the user half, 2 MiB aligned).
const (
	sharedAddress  = 0x1000_0000 // the shared segment S
	mailboxAddress = 0x1020_0000 // the mailbox segment M (read-write in all)
	scratchAddress = 0x4000_0000 // where the parent fills a child's stack
	copyAddress    = 0x4020_0000 // where the parent fills a child's frames
	stackWindow    = 0x7f00_0000_0000
	stackPages     = 16
	imageBase      = 0x40_0000 // Go links programs here; the ELF header is mapped
	pageSize       = 4096
	span           = 2 << 20
)

// Mailbox words (8 bytes each) at mailboxAddress.
const (
	boxReaderSaw     = 1 // reader: 1 when it saw both parent writes
	boxWriterWrote   = 2 // writer: 1 when it wrote into S
	boxHostileDone   = 3 // hostile: 100 + number of failed checks
	boxSpinnerRuns   = 4 // spinner: incremented for ever
	boxUpcallsDone   = 5 // upcalls: 100 + number of failed checks
	boxBadStackReady = 6 // bad-stack: 1 just before it faults
)

var failures uint64

func word(address uintptr) *uint64 { return (*uint64)(at(address)) }

// at turns an address into a pointer (the memory is mapped pages, not Go
// heap memory; the double conversion keeps vet quiet about it).
func at(address uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&address)) }

func mailbox(i uintptr) *uint64 { return word(mailboxAddress + 8*i) }

// say writes s to the kernel console.
func say(s string) {
	exo.DebugWrite(uintptr(unsafe.Pointer(unsafe.StringData(s))), uint64(len(s)))
}

// sayNumber writes s, a decimal number and a newline.
func sayNumber(s string, n int64) {
	var buffer [24]byte
	i := len(buffer)
	i--
	buffer[i] = '\n'
	negative := n < 0
	u := uint64(n)
	if negative {
		u = uint64(-n)
	}
	for {
		i--
		buffer[i] = byte('0' + u%10)
		u /= 10
		if u == 0 || i == 1 {
			break
		}
	}
	if negative && i > 0 {
		i--
		buffer[i] = '-'
	}
	say(s)
	exo.DebugWrite(uintptr(unsafe.Pointer(&buffer[i])), uint64(len(buffer)-i))
}

// check records and prints one result.
func check(name string, ok bool) {
	if ok {
		say("exo-test: ok: ")
	} else {
		say("exo-test: FAIL: ")
		failures++
	}
	say(name)
	say("\n")
}

// expect checks that a call failed with error code want.
func expect(name string, got int64, want int64) {
	if got != -want {
		say("exo-test: FAIL: ")
		say(name)
		sayNumber(": got ", got)
		failures++
		return
	}
	check(name, true)
}

// waitFor yields until *w == want or many rounds pass.
func waitFor(w *uint64, want uint64) bool {
	for i := 0; i < 200000; i++ {
		if *w == want {
			return true
		}
		exo.Yield()
	}
	return false
}

// waitAtLeast yields until *w >= least or many rounds pass.
func waitAtLeast(w *uint64, least uint64) {
	for i := 0; i < 200000 && *w < least; i++ {
		exo.Yield()
	}
}

// newSegment makes a Level1 segment with n zeroed frames at slots
// 0..n-1 (slot ro mapped read-only, or -1 for none).
func newSegment(n int, ro int) uint64 {
	id := exo.SegmentCreate(exo.LevelPT)
	if id < 0 {
		sayNumber("exo-test: segment_create failed: ", id)
		return 0
	}
	for i := 0; i < n; i++ {
		frame := exo.FrameAlloc()
		if frame < 0 {
			sayNumber("exo-test: frame_alloc failed: ", frame)
			return 0
		}
		permissions := exo.PermissionsWrite
		if i == ro {
			permissions = 0
		}
		if r := exo.SegmentMapFrame(uint64(id), uint64(i), uint64(frame), permissions); r != 0 {
			sayNumber("exo-test: segment_map_frame failed: ", r)
			return 0
		}
	}
	return uint64(id)
}

// parent is the first process. Its result is the exit status.
func parent() uint64 {
	say("exo-test: parent starting\n")
	shared := newSegment(2, 1) // slot 1 read-only inside the segment
	mailboxSegment = newSegment(1, -1)
	check("link the shared segment read-write", exo.SegmentLink(shared, sharedAddress, exo.PermissionsWrite) == 0)
	check("link the mailbox", exo.SegmentLink(mailboxSegment, mailboxAddress, exo.PermissionsWrite) == 0)
	copySegment = newSegment(0, -1)
	check("link the copy window", exo.SegmentLink(copySegment, copyAddress, exo.PermissionsWrite) == 0)
	*word(sharedAddress) = 42

	reader := spawn(1, shared, 0)
	writer := spawn(2, shared, exo.PermissionsWrite)
	hostile := spawn(3, 0, 0)
	check("start three children", reader > 0 && writer > 0 && hostile > 0)

	*word(sharedAddress + 8) = 43 // the reader waits for this live write
	check("reader saw the parent's writes through its read-only link", waitFor(mailbox(boxReaderSaw), 1))
	check("writer's write is seen by the parent", waitFor(mailbox(boxWriterWrote), 1) && *word(sharedAddress + 16) == 44)
	waitAtLeast(mailbox(boxHostileDone), 100)
	check("hostile child's checks all passed", *mailbox(boxHostileDone) == 100)

	upcaller := spawn(5, 0, 0)
	check("start the upcall child", upcaller > 0)
	waitAtLeast(mailbox(boxUpcallsDone), 100)
	check("upcall child's checks all passed", *mailbox(boxUpcallsDone) == 100)
	badStack := spawn(6, 0, 0)
	check("start the bad-upcall-stack child", badStack > 0 && waitFor(mailbox(boxBadStackReady), 1))

	// A child that never yields: the timer must still give the parent
	// the CPU.
	spinner := spawn(4, 0, 0)
	check("start a spinner", spinner > 0)
	before := *mailbox(boxSpinnerRuns)
	for i := 0; i < 50; i++ {
		exo.Yield()
	}
	check("the spinner runs and the parent still gets the CPU", *mailbox(boxSpinnerRuns) != before)
	check("the parent's memory is intact", *word(sharedAddress) == 42 && *word(sharedAddress + 8) == 43)
	check("destroy the spinner", exo.ProcessDestroy(uint64(spinner)) == 0)
	expect("destroying it again: no such process", exo.ProcessDestroy(uint64(spinner)), exo.ErrNoSuchObject)

	check("unlink the shared segment", exo.SegmentUnlink(sharedAddress, exo.LevelPT) == 0)
	expect("unlink it again: nothing linked there", exo.SegmentUnlink(sharedAddress, exo.LevelPT), exo.ErrNoSuchObject)
	if failures == 0 {
		say("exo-test: all checks passed\n")
	} else {
		sayNumber("exo-test: checks failed: ", int64(failures))
	}
	return failures
}

// spawn creates a child running a copy of this program with role, with
// the shared segment linked at sharedAddress with permissions (when
// shared != 0) and the mailbox read-write, and starts it. It returns the
// child's process id, or a negative error.
func spawn(role uint64, shared uint64, permissions exo.Permissions) int64 {
	child := exo.ProcessCreate()
	if child < 0 {
		return child
	}
	if !copyImageInto(uint64(child)) {
		return -1
	}
	if shared != 0 && exo.ProcessLinkSegment(uint64(child), shared, sharedAddress, permissions) != 0 {
		return -2
	}
	if exo.ProcessLinkSegment(uint64(child), mailboxSegment, mailboxAddress, exo.PermissionsWrite) != 0 {
		return -3
	}
	stack := newSegment(stackPages, -1)
	if stack == 0 || exo.SegmentLink(stack, scratchAddress, exo.PermissionsWrite) != 0 {
		return -4
	}
	top := uintptr(scratchAddress + stackPages*pageSize - 16)
	*word(top) = role
	exo.SegmentUnlink(scratchAddress, exo.LevelPT)
	if exo.ProcessLinkSegment(uint64(child), stack, stackWindow, exo.PermissionsWrite) != 0 {
		return -5
	}
	if r := exo.ProcessStart(uint64(child), childStartAddress(), stackWindow+stackPages*pageSize-16); r != 0 {
		return r
	}
	return child
}

// The parent's mailbox segment, and the segment through which it copies
// pages into a child's frames (one page at slot 0 at a time).
var mailboxSegment, copySegment uint64
