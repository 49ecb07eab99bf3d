// Command exo-fuzz is a standing hostile fuzzer of the exokernel, in the
// spirit of syzkaller, written for exogo and runtime-free (nothing here may
// allocate, panic or start goroutines). The kernel runs it as the first
// process (init=exo-fuzz); it is the coordinator and starts, as copies of
// itself:
//
//   - a canary (role 1), which keeps secret patterns in frames of its own
//     and checks them again and again: a changed word means some process
//     reached memory it was never given;
//   - Fuzzers fuzzers (roles 2...), each making random sequences of
//     exokernel calls from a seed of its own. Arguments mix valid objects
//     (its own frames, segments and links, frames it finds in the frame
//     table: page tables, segment tables, the canary's frames, the
//     kernel's) with hostile values (kernel addresses, non-canonical and
//     misaligned ones, the last page below the canonical hole, huge
//     numbers, other processes' ids, stale segment ids).
//
// Oracles, any of which fails the run:
//
//   - a kernel fault or hang (the kernel's fault report; the QEMU test's
//     time-out), or a fuzzer that stops making progress (the coordinator's
//     watchdog) or dies;
//   - the canary sees one of its words changed;
//   - a fuzzer sees a canary word in memory it can read (it scans the
//     pages of its own segments after every batch of calls);
//   - a call that must be refused succeeds: freeing or mapping a frame the
//     frame table says is not the fuzzer's own data, creating or driving
//     processes, binding ports or lines without the right, setting a
//     kernel address as TLS base, resuming a context in kernel memory;
//   - after every process has ended, the kernel's frame census does not
//     balance or an ended process still holds frames (the QEMU test reads
//     the census line), or the file system is inconsistent (fs_check;
//     the fuzzers make the fs_* calls in directories of their own:
//     fsfuzz.go).
//
// A run prints its seed first; each fuzzer's call sequence is a function
// of the seed and its index (the interleaving of processes is not), and a
// failing fuzzer prints its last calls. The seed and the number of calls
// in all are linked in (make fuzz FUZZ_SEED=... FUZZ_CALLS=...); by
// default the seed is the time and the run makes defaultCalls calls.
package main

import (
	"unsafe"

	"exogo/libos/bare"
	"exogo/libos/exo"
)

func main() {} // never called: the entry points are in start_amd64.s

func childStartAddress() uintptr

// rawCall makes exokernel call number with six arguments.
func rawCall(number, a0, a1, a2, a3, a4, a5 uint64) int64

// Set by the linker (-X main.fuzzSeed=... -X main.fuzzCalls=...).
var fuzzSeed, fuzzCalls string

const (
	// Fuzzers is how many fuzzing processes run at once.
	Fuzzers      = 3
	defaultCalls = 60000 // in all, shared by the fuzzers

	mailboxAddress = 0x1020_0000 // the mailbox segment (read-write in all)
	scratchAddress = 0x4000_0000 // where the coordinator fills a stack
	copyAddress    = 0x4020_0000 // the coordinator's copy window
	stackWindow    = 0x7f00_0000_0000
	stackPages     = 16
	pageSize       = bare.PageSize
)

// Mailbox words (8 bytes each).
const (
	boxSeed        = 1  // coordinator: the run's seed
	boxCalls       = 2  // coordinator: calls per fuzzer
	boxCanaryID    = 3  // canary: its process id (the frame table's owner of its frames)
	boxCanaryReady = 4  // canary: 1 once its pattern is written
	boxCanaryStop  = 5  // coordinator: 1 to end the canary
	boxCanaryBad   = 6  // canary: words found changed
	boxCanaryDone  = 7  // canary: checks made, + 1<<40 once it ended
	boxStop        = 8  // coordinator: 1 when a failure ends the run early
	boxProcesses   = 10 // coordinator: the ids of every process, for hostile arguments (10..19)
	boxFuzzer      = 20 // fuzzer i: progress at 20+4i, failures +1, done +2, ok calls +3
	boxFsCalls     = 40 // fuzzer i: file system calls made at 40+2i, and succeeded +1
)

func mailbox(i uintptr) *uint64 { return bare.Word(mailboxAddress + 8*i) }

func fuzzerBox(i int, field uintptr) *uint64 { return mailbox(boxFuzzer + uintptr(i)*4 + field) }

var (
	mailboxSegment uint64
	copier         = bare.Copier{Window: copyAddress}
)

// child runs a child's role; the result is its exit status.
func child(role uint64) uint64 {
	if role == 1 {
		return canary()
	}
	return fuzz(int(role - 2))
}

// spawn starts a copy of this program with role, the mailbox linked.
func spawn(role uint64) int64 {
	links := [...]bare.Link{{Segment: mailboxSegment, Address: mailboxAddress, Permissions: exo.PermissionsWrite}}
	return copier.StartCopy(childStartAddress(), scratchAddress, stackWindow, stackPages, role, links[:], exo.ProcessRightsCreateProcess|exo.ProcessRightsConsole) // not the power right: a fuzzer's poweroff must fail
}

// coordinator is the first process; its result is the exit status (the
// number of failures).
func coordinator() uint64 {
	seed := parseDecimal(fuzzSeed)
	if seed == 0 {
		seed = uint64(exo.TimeNow())&0xffff_ffff | 1
	}
	calls := parseDecimal(fuzzCalls) / Fuzzers
	if calls == 0 {
		calls = defaultCalls / Fuzzers
	}
	var l line
	l.text("exo-fuzz: seed ").decimal(seed).text("; calls per fuzzer ").decimal(calls).text("; fuzzers ").decimal(Fuzzers).say()
	mailboxSegment = bare.NewSegment(1, -1)
	if mailboxSegment == 0 || exo.SegmentLink(mailboxSegment, mailboxAddress, exo.PermissionsWrite) != 0 || !copier.Init() {
		bare.Say("exo-fuzz: FAIL: cannot set up the mailbox and copy window\n")
		return 1
	}
	*mailbox(boxSeed), *mailbox(boxCalls) = seed, calls
	*mailbox(boxProcesses) = 1
	canaryID := spawn(1)
	if canaryID < 0 || !waitFor(mailbox(boxCanaryReady), 1, 10_000_000_000) {
		bare.Say("exo-fuzz: FAIL: the canary did not start\n")
		return 1
	}
	*mailbox(boxProcesses + 1) = uint64(canaryID)
	var ids [Fuzzers]int64
	for i := range ids {
		ids[i] = spawn(uint64(2 + i))
		*mailbox(boxProcesses + 2 + uintptr(i)) = uint64(ids[i])
		if ids[i] < 0 {
			bare.SayNumber("exo-fuzz: FAIL: cannot start a fuzzer: ", ids[i])
			return 1
		}
	}
	start := exo.TimeNow()
	failures := watch(ids[:])
	elapsed := uint64(exo.TimeNow() - start)

	*mailbox(boxCanaryStop) = 1
	if !waitFor(mailbox(boxCanaryDone), 0, 10_000_000_000) {
		bare.Say("exo-fuzz: FAIL: the canary did not finish its last check\n")
		failures++
	}
	checks := *mailbox(boxCanaryDone) & (1<<40 - 1)
	if bad := *mailbox(boxCanaryBad); bad != 0 {
		var l line
		l.text("exo-fuzz: FAIL: the canary found ").decimal(bad).text(" words changed (in ").decimal(checks).text(" checks)").say()
		failures++
	} else {
		var l line
		l.text("exo-fuzz: canary intact after ").decimal(checks).text(" checks of its pages").say()
	}
	destroy(canaryID)
	for _, id := range ids {
		destroy(id)
	}
	fsCalls, fsOK := uint64(0), uint64(0)
	for i := range ids {
		fsCalls += *mailbox(boxFsCalls + 2*uintptr(i))
		fsOK += *mailbox(boxFsCalls + 2*uintptr(i) + 1)
	}
	if r := exo.FsCheck(); r != 0 {
		var l line
		l.text("exo-fuzz: FAIL: the file system is inconsistent after the run (fs_check: ").decimal(uint64(r)).text("; the kernel's log says where)").say()
		failures++
	} else {
		var l line
		l.text("exo-fuzz: the file system checks out after the run (fs_check; ").decimal(fsCalls).text(" file system calls, ").decimal(fsOK).text(" succeeded)").say()
	}
	total, ok := uint64(0), uint64(0)
	for i := range ids {
		total += *fuzzerBox(i, 0)
		ok += *fuzzerBox(i, 3)
		failures += *fuzzerBox(i, 1)
	}
	rate := uint64(0)
	if elapsed > 0 {
		rate = total * 1_000_000_000 / elapsed
	}
	l = line{}
	l.text("exo-fuzz: seed ").decimal(seed).text(": ").decimal(total).text(" calls in ").decimal(elapsed / 1_000_000).
		text(" ms, ").decimal(rate).text(" calls per second; ").decimal(ok).text(" succeeded, ").decimal(total - ok).text(" refused").say()
	if failures == 0 {
		bare.Say("exo-fuzz: no isolation failure found\n")
	} else {
		l = line{}
		l.text("exo-fuzz: FAIL: ").decimal(failures).text(" failures; rerun with make fuzz FUZZ_SEED=").decimal(seed).say()
	}
	return failures
}

// watch waits for every fuzzer to finish, and fails one that stops making
// progress for watchdogNanoseconds or ends without finishing. It returns
// the failures it saw.
func watch(ids []int64) uint64 {
	const watchdogNanoseconds = 30_000_000_000
	var last [Fuzzers]uint64
	var since [Fuzzers]int64
	now := exo.TimeNow()
	for i := range since {
		since[i] = now
	}
	failures := uint64(0)
	for {
		running := 0
		now = exo.TimeNow()
		for i := range ids {
			if i >= Fuzzers || *fuzzerBox(i, 2) != 0 {
				continue
			}
			running++
			progress := *fuzzerBox(i, 0)
			if k := uint(i) % Fuzzers; progress != last[k] {
				last[k], since[k] = progress, now
				continue
			}
			// device_grant names its target first: for a process that has
			// ended it says so, and changes nothing for a live one (I hold
			// no line 15 to give).
			// It may have finished and ended since done was read above.
			if exo.DeviceGrant(15, uint64(ids[i])) == -exo.ErrNoSuchObject && *fuzzerBox(i, 2) == 0 {
				var l line
				l.text("exo-fuzz: FAIL: fuzzer ").decimal(uint64(i)).text(" ended after ").decimal(progress).text(" calls without finishing (the kernel ended it: see its report above)").say()
				*fuzzerBox(i, 2) = 1
				failures++
				continue
			}
			if now-since[uint(i)%Fuzzers] > watchdogNanoseconds {
				var l line
				l.text("exo-fuzz: FAIL: fuzzer ").decimal(uint64(i)).text(" made no progress for 30 s after ").decimal(progress).text(" calls (hang)").say()
				*mailbox(boxStop) = 1
				*fuzzerBox(i, 2) = 1
				failures++
			}
		}
		if *mailbox(boxCanaryBad) != 0 && *mailbox(boxStop) == 0 {
			bare.Say("exo-fuzz: FAIL: the canary was changed: stopping every fuzzer\n")
			*mailbox(boxStop) = 1
		}
		if running == 0 {
			return failures
		}
		exo.Yield()
	}
}

// destroy ends process id, retrying while it runs on another CPU.
func destroy(id int64) {
	for i := 0; i < 10000 && exo.ProcessDestroy(uint64(id)) == -exo.ErrBusy; i++ {
		exo.Yield()
	}
}

// waitFor yields until *w == want (want 0: until bit 40 is set) or the
// deadline passes.
func waitFor(w *uint64, want uint64, nanoseconds int64) bool {
	deadline := exo.TimeNow() + nanoseconds
	for exo.TimeNow() < deadline {
		if (want == 0 && *w&(1<<40) != 0) || (want != 0 && *w == want) {
			return true
		}
		exo.Yield()
	}
	return false
}

// parseDecimal reads a decimal number (0 for none or junk).
func parseDecimal(s string) uint64 {
	n := uint64(0)
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
		n = n*10 + uint64(s[i]-'0')
	}
	return n
}

// line builds one console line without allocating.
type line struct {
	buffer [240]byte
	n      int
}

func (l *line) text(s string) *line {
	for i := 0; i < len(s) && l.n < len(l.buffer)-1; i++ {
		l.buffer[uint(l.n)%uint(len(l.buffer))] = s[i]
		l.n++
	}
	return l
}

func (l *line) decimal(v uint64) *line {
	var digits [20]byte
	i := len(digits)
	for {
		i--
		digits[uint(i)%uint(len(digits))] = byte('0' + v%10)
		v /= 10
		if v == 0 || i == 0 {
			break
		}
	}
	for ; i < len(digits) && l.n < len(l.buffer)-1; i++ {
		l.buffer[uint(l.n)%uint(len(l.buffer))] = digits[uint(i)%uint(len(digits))]
		l.n++
	}
	return l
}

func (l *line) hex(v uint64) *line {
	l.text("0x")
	started := false
	for shift := 60; shift >= 0; shift -= 4 {
		d := v >> uint(shift) & 0xf
		if d == 0 && !started && shift != 0 {
			continue
		}
		started = true
		l.text("0123456789abcdef"[d : d+1])
	}
	return l
}

// say writes the line and a newline with one call (so that another CPU's
// output never splits it).
func (l *line) say() {
	l.buffer[uint(l.n)%uint(len(l.buffer))] = '\n'
	exo.DebugWrite(uintptr(unsafe.Pointer(&l.buffer[0])), uint64(l.n+1))
}
