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
// and more roles, each in its own file (upcalls, quanta, revocation,
// devices, withdrawal, vCPUs, words: see child in roles.go).
//
// Meanwhile the parent checks its own memory and keeps printing. Every check
// prints a line; the last line is "exo-test: all checks passed" or
// "exo-test: N checks failed", and the exit status is the failure count.
package main

import (
	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/fault"
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
	imageBase      = bare.ImageBase
	pageSize       = bare.PageSize
	span           = bare.SegmentSpan
)

// Mailbox words (8 bytes each) at mailboxAddress.
const (
	boxReaderSaw     = 1  // reader: 1 when it saw both parent writes
	boxWriterWrote   = 2  // writer: 1 when it wrote into S
	boxHostileDone   = 3  // hostile: 100 + number of failed checks
	boxSpinnerRuns   = 4  // spinner: incremented for ever
	boxUpcallsDone   = 5  // upcalls: 100 + number of failed checks
	boxBadStackReady = 6  // bad-stack: 1 just before it faults
	boxNoPortsReady  = 12 // no-ports: 100 + failures just before it faults
	boxPortGranted   = 16 // 1 once the parent granted role 12 a port
	boxPortRead      = 17 // role 12: 100 + the byte it read
	boxGrantOnDone   = 19 // role 12: 100 + failed checks of granting on
	boxNestedReady   = 20 // role 13: 1 just before its handler faults
)

var failures uint64

func mailbox(i uintptr) *uint64 { return bare.Word(mailboxAddress + 8*i) }

// check records and prints one result (one line, one call).
func check(name string, ok bool) {
	if ok {
		bare.SayLine("exo-test: ok: ", name)
		return
	}
	bare.SayLine("exo-test: FAIL: ", name)
	failures++
}

// expect checks that a call failed with error code want.
func expect(name string, got int64, want int64) {
	if got != -want {
		bare.SayLine("exo-test: FAIL: ", name, ": got error ", exo.ErrorName(got))
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

// parent is the first process. Its result is the exit status.
func parent() uint64 {
	handler = handlerMain
	bare.Say("exo-test: parent starting\n")
	shared := bare.NewSegment(2, 1) // slot 1 read-only inside the segment
	sharedSegment = shared
	mailboxSegment = bare.NewSegment(1, -1)
	check("link the shared segment read-write", exo.SegmentLink(shared, sharedAddress, exo.PermissionsWrite) == 0)
	check("link the mailbox", exo.SegmentLink(mailboxSegment, mailboxAddress, exo.PermissionsWrite) == 0)
	check("link the copy window", copier.Init())
	checkLoaderFrames()
	*bare.Word(sharedAddress) = 42
	checkFrameTable()
	checkKernelInfo()
	checkProcessInfo()
	checkPorts()
	checkScreen()
	checkInterrupts()

	reader := spawn(1, shared, 0)
	writer := spawn(2, shared, exo.PermissionsWrite)
	hostile := spawn(3, 0, 0)
	check("start three children", reader > 0 && writer > 0 && hostile > 0)

	check("grant the shared segment to the reader, read-only", exo.SegmentGrant(shared, uint64(reader), exo.RightsLink) == 0)
	*bare.Word(sharedAddress + 8) = 43 // the reader waits for this live write
	check("reader saw the parent's writes through its read-only link", waitFor(mailbox(boxReaderSaw), 1))
	check("writer's write is seen by the parent", waitFor(mailbox(boxWriterWrote), 1) && *bare.Word(sharedAddress + 16) == 44)
	waitAtLeast(mailbox(boxHostileDone), 100)
	check("hostile child's checks all passed", *mailbox(boxHostileDone) == 100)
	// It still holds every frame it could get (on a small machine, nearly
	// all the free memory) until the kernel ends it for its read of
	// kernel memory: wait for that before starting more children.
	reaped := reapWithin(hostile)
	check("the kernel ended the hostile child (its frames are free again)", reaped > 0 && reaped&0xffff == hostile && reaped>>16 != 0)
	check("its status says the kernel killed it by SIGSEGV (exit Signaled)", reaped>>16 == exo.ExitSignaled|11)

	upcaller := spawn(5, 0, 0)
	check("start the upcall child", upcaller > 0)
	waitAtLeast(mailbox(boxUpcallsDone), 100)
	check("upcall child's checks all passed", *mailbox(boxUpcallsDone) == 100)
	badStack := spawn(6, 0, 0)
	check("start the bad-upcall-stack child", badStack > 0 && waitFor(mailbox(boxBadStackReady), 1))
	nested := spawn(13, 0, 0)
	check("start the child whose upcall handler faults", nested > 0 && waitFor(mailbox(boxNestedReady), 1))
	checkWithdraw()
	checkOrphans()
	checkAttacker()

	checkQuanta()
	checkVCPUs()
	checkWords()

	checkRevocation()

	granted := spawn(12, 0, 0)
	check("devices: grant COM1's scratch register to a child", granted > 0 && exo.DeviceGrant(0x10000+0x3ff, uint64(granted)) == 0)
	expect("devices: grant a port I do not hold", exo.DeviceGrant(0x10000+0x60, uint64(granted)), exo.ErrNotOwner)
	check("devices: give my interrupt line to the child", exo.DeviceGrant(4, uint64(granted)) == 0)
	expect("devices: the line is no longer mine to give", exo.DeviceGrant(4, uint64(granted)), exo.ErrNotOwner)
	check("grant a child the shared segment with the right to grant it on", exo.SegmentGrant(sharedSegment, uint64(granted), exo.RightsLink|exo.RightsGrant) == 0)
	outByte(0x3ff, 0x77)
	*mailbox(boxPortGranted) = 1
	waitAtLeast(mailbox(boxPortRead), 100)
	check("devices: the child reads the port it was granted", *mailbox(boxPortRead) == 100+0x77)
	waitAtLeast(mailbox(boxGrantOnDone), 100)
	check("grant on: the child passed on what it may, and no more", *mailbox(boxGrantOnDone) == 100)

	noPorts := spawn(9, 0, 0)
	waitAtLeast(mailbox(boxNoPortsReady), 100)
	check("the child without ports passed its checks", noPorts > 0 && *mailbox(boxNoPortsReady) == 100)

	// A child that never yields: the timer must still give the parent
	// the CPU.
	spinner := spawn(4, 0, 0)
	check("start a spinner", spinner > 0)
	// The spinner may run on this CPU (then the timer must take the CPU
	// from it for this loop to go on) or on another one.
	// The x87 state is per thread: the kernel moves it only when a CPU
	// switches threads. Keep a value in ST0 across many switches while the
	// spinner (which loads its own) runs.
	check("an exokernel call returns XMM0-15 zeroed (its ABI does not keep them; no kernel data leaks)", fault.XMMAfterCall(exo.CallBase) == 0)
	x87Load(1234)
	for i := 0; i < 200; i++ {
		exo.Yield()
	}
	check("x87 state survives switches to other processes", x87Store() == 1234)

	before := *mailbox(boxSpinnerRuns)
	deadline := exo.TimeNow() + 2_000_000_000
	for *mailbox(boxSpinnerRuns) == before && exo.TimeNow() < deadline {
		exo.Yield()
	}
	check("the spinner runs and the parent still gets the CPU", *mailbox(boxSpinnerRuns) != before)
	check("the parent's memory is intact", *bare.Word(sharedAddress) == 42 && *bare.Word(sharedAddress + 8) == 43)
	// On another CPU the spinner may be running right now: destroy ends
	// it there with an IPI, and answers at once.
	destroyed := exo.ProcessDestroy(uint64(spinner))
	if destroyed != 0 {
		bare.SayNumber("exo-test: destroying the spinner returned ", destroyed)
	}
	check("destroy the spinner", destroyed == 0)
	expect("destroying it again: no such process", exo.ProcessDestroy(uint64(spinner)), exo.ErrNoSuchObject)

	check("unlink the shared segment", exo.SegmentUnlink(sharedAddress, exo.LevelPT) == 0)
	expect("unlink it again: nothing linked there", exo.SegmentUnlink(sharedAddress, exo.LevelPT), exo.ErrNoSuchObject)
	if failures == 0 {
		bare.Say("exo-test: all checks passed\n")
	} else {
		bare.SayNumber("exo-test: checks failed: ", int64(failures))
	}
	return failures
}

// spawn creates a child running a copy of this program with role, with
// the shared segment linked at sharedAddress with permissions (when
// shared != 0) and the mailbox read-write, and starts it. It returns the
// child's process id, or a negative error.
func spawn(role uint64, shared uint64, permissions exo.Permissions) int64 {
	links := [...]bare.Link{
		{Segment: mailboxSegment, Address: mailboxAddress, Permissions: exo.PermissionsWrite},
		{Segment: shared, Address: sharedAddress, Permissions: permissions},
	}
	n := 1
	if shared != 0 {
		n = 2
	}
	return copier.StartCopy(childStartAddress(), scratchAddress, stackWindow, stackPages, role, links[:n], exo.ProcessRightsCreateProcess|exo.ProcessRightsConsole)
}

// The parent's mailbox segment, and how it copies its image into children.
var (
	sharedSegment  uint64
	mailboxSegment uint64
	copier         = bare.Copier{Window: copyAddress}
)

// The frame table (libos/bare: FrameTableView), read without a call.
const (
	frameTableView = exo.AddressFrameTableView
	useKernel      = exo.FrameUseKernel
	useProcess     = exo.FrameUseProcess
)

func frameEntry(physical uint64) uint64 { return bare.FrameEntry(physical) }

// checkFrameTable reads what the kernel says about frames, without a call.
func checkFrameTable() {
	frame := exo.FrameAlloc()
	other := exo.FrameAlloc()
	e, o := frameEntry(uint64(frame)), frameEntry(uint64(other))
	owner := e >> 8 & 0xffff
	check("frame table: my frames say process frame, same owner, no references",
		e&0xff == useProcess && owner != 0 && o>>8&0xffff == owner && e>>24&0xffff == 0)
	k := frameEntry(0x10_0000) // the kernel image's first frame
	check("frame table: the kernel's frames say kernel, owner 0", k&0xff == useKernel && k>>8&0xffff == 0)
	seg := bare.NewSegment(0, -1)
	exo.SegmentMapFrame(seg, 0, uint64(frame), exo.MapPermissionsWrite)
	check("frame table: mapping a frame counts a reference", frameEntry(uint64(frame))>>24&0xffff == 1)
	exo.SegmentUnmap(seg, 0)
	check("frame table: unmapping drops it", frameEntry(uint64(frame))>>24&0xffff == 0)
	exo.SegmentDestroy(seg)
	exo.FrameFree(uint64(frame))
	exo.FrameFree(uint64(other))
	// The allocator hands out the most recently freed frame first, so on
	// a machine with several CPUs the kernel (or another process) may have
	// taken it already: what must hold is that it is no longer mine.
	freed := frameEntry(uint64(frame))
	check("frame table: a freed frame says free (or already another holder's)",
		freed&0xff == 1 || freed&0xff != useProcess || freed>>8&0xffff != owner)
}

func outByte(port uint16, value uint8)
func inByte(port uint16) uint8

// checkPorts: the first process holds the right to devices. It opens
// COM1's scratch register (0x3ff, which a 16550 keeps for software) to
// itself through the I/O permission bitmap, writes and reads it back.
func checkPorts() {
	expect("ports: the PIT is the kernel's", exo.IoportBind(0x40, 4), exo.ErrNoRight)
	expect("ports: PCI configuration space controls the machine", exo.IoportBind(0xcf8, 8), exo.ErrNoRight)
	expect("ports: the reset control register controls the machine", exo.IoportBind(0xcf9, 1), exo.ErrNoRight)
	expect("ports: the keyboard controller's command port controls the machine", exo.IoportBind(0x64, 1), exo.ErrNoRight)
	expect("ports: a port of no known device (allow-list)", exo.IoportBind(0x5000, 1), exo.ErrNoRight)
	expect("ports: a device range that runs into a machine port", exo.IoportBind(0x60, 5), exo.ErrNoRight)
	expect("ports: a range past the last port", exo.IoportBind(0xfff0, 0x20), exo.ErrBadArgument)
	check("ports: bind COM1's scratch register", exo.IoportBind(0x3ff, 1) == 0)
	outByte(0x3ff, 0x5a)
	check("ports: write and read back COM1's scratch register from ring 3", inByte(0x3ff) == 0x5a)
}

// The screen, given to the first process as a device segment: RDI and RSI
// at the entry point hold its id and kind (start_amd64.s stores them).
var screenSegment, screenKind uint64

// screenAddress is 1 GiB aligned: a screen over 2 MiB is a PD segment.
const screenAddress = 0x8000_0000

// checkScreen links the screen segment, reads its metadata page, and under
// VGA text writes a word in the top-right corner and reads it back.
func checkScreen() {
	if screenKind == 0 {
		bare.Say("exo-test: not exercised: no screen segment\n")
		return
	}
	check("screen: link the screen segment", exo.SegmentLink(screenSegment, screenAddress, exo.PermissionsWrite) == 0)
	kind, width, height := *bare.Word(screenAddress), *bare.Word(screenAddress + 8), *bare.Word(screenAddress + 16)
	bare.SayNumber("exo-test: screen kind ", int64(kind))
	bare.SayNumber("exo-test: screen width ", int64(width))
	bare.SayNumber("exo-test: screen height ", int64(height))
	check("screen: the metadata page describes it", kind == screenKind && width > 0 && height > 0)
	expect("screen: nobody maps frames into a device segment", exo.SegmentMapFrame(screenSegment, 3, 0x10_0000, 0), exo.ErrNoRight)
	if kind == 1 {
		text := "exo-test"
		cells := (*[80 * 25]uint16)(bare.At(screenAddress + 4096))
		for i := 0; i < len(text); i++ {
			cells[80-len(text)+i] = uint16(text[i]) | 0x1f00 // white on blue
		}
		ok := true
		for i := 0; i < len(text); i++ {
			ok = ok && cells[80-len(text)+i] == uint16(text[i])|0x1f00
		}
		check("screen: write the VGA text buffer from ring 3", ok)
	}
	level := *bare.Word(screenAddress + 80)
	if kind == 2 {
		// The framebuffer's last byte, through the segment (a PD segment
		// past 2 MiB): write it and read it back.
		length := *bare.Word(screenAddress + 72)
		last := (*uint8)(bare.At(screenAddress + 4096 + uintptr(length) - 1))
		*last = 0x5a
		check("screen: write the framebuffer's last byte from ring 3", *last == 0x5a)
		bare.SayNumber("exo-test: screen segment level ", int64(level))
	}
	fits := *bare.Word(screenAddress + 72)+4096 <= 2<<20 // in one PT segment
	check("screen: the segment's level suits its size", (level == 1 && fits) || (level == 2 && !fits))
	check("screen: unlink it", exo.SegmentUnlink(screenAddress, exo.Level(level)) == 0)
}

var interruptsSeen, interruptMask uint64

// checkInterrupts binds COM1's interrupt line (4) and makes the UART raise
// it: with "transmitter holding register empty" enabled in its interrupt
// enable register (port 0x3f9), the line fires whenever the transmitter is
// idle. The kernel delivers it as an interrupt upcall.
func checkInterrupts() {
	expect("interrupts: the PIT's line is the kernel's", exo.IrqBind(0), exo.ErrNoRight)
	check("interrupts: register upcalls", bare.UseUpcalls(&upcallTable, upcallStack, upcallPages))
	check("interrupts: bind COM1's ports", exo.IoportBind(0x3f8, 8) == 0)
	if r := exo.IrqBind(4); r != 0 {
		bare.SayLine("exo-test: not exercised: interrupts (", exo.ErrorName(r), ")")
		return
	}
	outByte(0x3f9, 0x02)
	deadline := exo.TimeNow() + 2_000_000_000
	for interruptsSeen == 0 && exo.TimeNow() < deadline {
		exo.Yield()
	}
	outByte(0x3f9, 0x00)
	check("interrupts: COM1's line fired and came to me as an interrupt upcall", interruptsSeen > 0 && interruptMask&(1<<4) != 0)
}

func x87Load(value int32)
func x87Store() int32
