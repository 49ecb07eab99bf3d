package qemu

import (
	"fmt"
	"regexp"
	"testing"
)

// runToEnd waits until the first program (what, for messages) has exited
// and the kernel said what it left behind and took its frame census,
// checks that the census balances with nothing held by an ended process
// and that QEMU then exits with ExitPass, and returns the console
// transcript.
func runToEnd(t *testing.T, m *Machine, what string) string {
	t.Helper()
	if _, err := m.WaitLine(censusLine, m.Config.Timeout); err != nil {
		t.Fatal(m.Report(fmt.Sprintf("%s did not finish: %v", what, err)))
	}
	status, err := m.Wait()
	out := m.Console.Transcript()
	if err != nil || status != ExitPass {
		t.Fatal(m.Report(fmt.Sprintf("%s: exit status %d (%v), want %d", what, status, err, ExitPass)))
	}
	expectLines(t, out, censusBalanced)
	return out
}

// The kernel's frame census after the first program ended (kernel/main.go:
// frameCensus): every frame counted once, and none charged to an ended
// process.
var censusLine = regexp.MustCompile(`exogo: frame census:`)

const censusBalanced = `exogo: frame census: \d+ frames of RAM: \d+ free, \d+ kernel, \d+ held by \d+ live processes, \d+ by the file system, \d+ orphaned; balanced; ended processes hold 0 frames \(0 processes\)`

// HelloISO boots with init=exo-hello poweroff: the first user program.
const HelloISO = "build/exogo-hello.iso"

// TestFirstProgramRunsInRing3 boots the first user program, which makes raw
// exokernel calls (tls_set, null, debug_write, exit) from ring 3, and
// checks that it printed, exited with status 0 and left nothing behind.
func TestFirstProgramRunsInRing3(t *testing.T) {
	m := startBIOS(t, HelloISO)
	defer m.Close()
	out := runToEnd(t, m, "the first program")
	expectLines(t, out,
		`exogo: starting exo-hello as process 1`,
		`hello from ring 3`,
		`exogo: process 1 exited with status 0`,
		`left behind: 0 frames \(page tables included\), 0 kernel stacks`,
	)
}

// ExoTestISO boots with init=exo-test poweroff.
const ExoTestISO = "build/exogo-exotest.iso"

// ExoTestLargeScreenISO is the same, asking GRUB for a 1280x1024x32
// framebuffer under UEFI (5 MiB: the screen segment is a PD segment).
const ExoTestLargeScreenISO = "build/exogo-exotest-large-screen.iso"

// TestExokernelInterface boots cmd/exo-test, which exercises segments,
// grants, processes and hostile arguments from user mode (see its doc
// comment): every check passes, the children that must fault are ended by
// the kernel with a report, the kernel stays up, and when the first
// process exits nothing it held is left behind.
func TestExokernelInterface(t *testing.T) {
	out := exokernelInterface(t, 1, BIOS)
	expectLines(t, out,
		`exo-test: ok: kernel info: the clock read from the page lies between two time_now calls \(1000 times\)`,
		`exo-test: ok: kernel info: no segment linked into the information page's shared directory`,
	)
}

// TestExokernelInterfaceLowMemory runs it on a 256 MiB machine, where the
// hoarding children make memory run low: visible revocation is exercised.
func TestExokernelInterfaceLowMemory(t *testing.T) {
	out := exokernelInterfaceWith(t, 1, BIOS, "256M")
	expectLines(t, out,
		`exogo: memory is low: asking process \d+ to give back 1024 frames within 100 ms`,
		`exo-test: ok: revocation: a hoarder asked for frames gives them back in time`,
		`exogo: process \d+ did not give frames back in time: took 1024 by force`,
		`exo-test: ok: revocation: a hoarder that ignores the request loses frames by force and is told which`,
		`exo-test: ok: revocation: frames still mapped are taken out of the hoarder's segments, their slots left empty`,
	)
}

// TestExokernelInterfaceFourCPUs runs the same with four CPUs: children run
// on application processors, concurrently with the parent, and a process's
// vCPUs run at once.
func TestExokernelInterfaceFourCPUs(t *testing.T) {
	out := exokernelInterface(t, 4, BIOS)
	expectLines(t, out,
		`exo-test: vcpus: 2000 passes of a word between two vCPUs spinning at once, each \d+\.\d+ us`,
		`exo-test: ok: vcpus: two vCPUs run at once \(2000 passes of a word, no calls\)`,
	)
}

// TestExokernelInterfaceFSGSBase runs it on a CPU with FSGSBASE, where the
// hostile child writes its GS base in user mode.
func TestExokernelInterfaceFSGSBase(t *testing.T) {
	out := bootAndRunOn(t, ExoTestISO, BIOS, 2, "", "exo-test", FSGSBaseCPU)
	if regexp.MustCompile(`exo-test: FAIL`).MatchString(out) {
		t.Errorf("a check failed:\n%s", out)
	}
	expectLines(t, out,
		`exo-test: ok: hostile: GS based in the kernel's half \(WRGSBASE\): calls and a yield work, and the base is kept`,
		`exo-test: ok: hostile child's checks all passed`,
	)
}

// TestExokernelInterfaceUEFI runs it under UEFI, where the screen segment
// is the firmware's framebuffer rather than VGA text.
func TestExokernelInterfaceUEFI(t *testing.T) { exokernelInterface(t, 1, UEFI) }

// TestExokernelInterfaceLargeScreen runs it under UEFI with a framebuffer
// over 2 MiB, which the first process gets as a PD segment.
func TestExokernelInterfaceLargeScreen(t *testing.T) {
	out := exokernelInterfaceOn(t, ExoTestLargeScreenISO, 1, UEFI, "")
	expectLines(t, out,
		`exogo: screen: framebuffer 1280x1024, 32 bpp`,
		`exo-test: screen segment level 2`,
		`exo-test: ok: screen: write the framebuffer's last byte from ring 3`,
		`exo-test: ok: screen: the segment's level suits its size`,
		`exo-test: ok: screen: unlink it`,
	)
}

func exokernelInterface(t *testing.T, cpus int, firmware Firmware) string {
	return exokernelInterfaceWith(t, cpus, firmware, "")
}

// exokernelInterfaceWith boots exo-test and checks the lines every
// configuration must print; it returns the transcript for more checks.
func exokernelInterfaceWith(t *testing.T, cpus int, firmware Firmware, memory string) string {
	return exokernelInterfaceOn(t, ExoTestISO, cpus, firmware, memory)
}

func exokernelInterfaceOn(t *testing.T, image string, cpus int, firmware Firmware, memory string) string {
	out := bootAndRun(t, image, firmware, cpus, memory, "exo-test")
	if regexp.MustCompile(`exo-test: FAIL`).MatchString(out) {
		t.Errorf("a check failed:\n%s", out)
	}
	expectLines(t, out,
		`exo-test: ok: frame table: mapping a frame counts a reference`,
		`exo-test: ok: frame table: a freed frame says free \(or already another holder's\)`,
		`exo-test: ok: hostile: link into the frame table view`,
		`exo-test: ok: ports: write and read back COM1's scratch register from ring 3`,
		`exo-test: ok: ports: a child without the device right cannot bind ports`,
		`exogo: process \d+: exception 13 at`,
		`exo-test: ok: screen: the metadata page describes it`,
		`exo-test: ok: screen: nobody maps frames into a device segment`,
		`exo-test: ok: interrupts: COM1's line fired and came to me as an interrupt upcall`,
		`exo-test: ok: interrupts: a child without the device right cannot bind a line`,
		`exo-test: ok: reader: link the granted segment writable \(more than granted\)`,
		`exo-test: ok: devices: the child reads the port it was granted`,
		`exo-test: ok: devices: the line is no longer mine to give`,
		`exo-test: ok: reader saw the parent's writes through its read-only link`,
		`exo-test: ok: vcpus: vCPU 1 begins with a start upcall naming it, with nothing to resume`,
		`exo-test: ok: vcpus: 1000 wakes end 1000 waits \(none lost, none extra\)`,
		`exo-test: ok: vcpus: a kick interrupts vCPU 1 in a loop without calls`,
		`exo-test: ok: vcpus: a kick to a waiting vCPU comes as an upcall, and its wait ends`,
		`exo-test: ok: vcpus: a kick reaches vCPU 1 making foreign calls back to back at its next call`,
		`exo-test: ok: vcpus: the call a kick went before runs again: one foreign upcall per call`,
		`exo-test: ok: vcpus: a kick ends the wait of a vCPU inside an upcall once, and waits there`,
		`exo-test: ok: vcpus: a ninth vCPU is over the limit`,
		`exo-test: ok: vcpus: exit ends every vCPU of the child: the parent reaps its status`,
		`exo-test: ok: writer's write is seen by the parent`,
		`exo-test: ok: hostile: link the parent's mailbox segment \(no grant\)`,
		`exo-test: ok: hostile: frame_alloc_map gives a frame I own, mapped once`,
		`exo-test: ok: hostile: frame_alloc_map over a mapped slot`,
		`exo-test: ok: hostile child's checks all passed`,
		// The three children that must fault: a write through a read-only
		// link, a write to a read-only page inside a read-write link, a
		// read of kernel memory.
		`exogo: process \d+: exception 14 at .*error code 0x7, address 0x0000000010000000`,
		`exogo: process \d+: exception 14 at .*error code 0x7, address 0x0000000010001000`,
		`exogo: process \d+: exception 14 at .*error code 0x5, address 0xffffffff80100000`,
		`exo-test: ok: upcalls: self-paging: each first touch faulted once into the libOS, which mapped a frame`,
		`exo-test: ok: upcalls: a Linux system call is answered by the foreign upcall`,
		`exo-test: ok: upcalls: a divide error comes to the fault upcall, which resumes elsewhere \(XMM0-15 kept\)`,
		`exo-test: ok: fault_fixup: a page fault in the range inside an upcall resumes at the landing`,
		`exo-test: ok: upcalls: XMM0-15 survive a foreign call \(the Linux ABI keeps them\)`,
		`exo-test: ok: upcalls: register an entry point in kernel memory`,
		`exo-test: ok: upcalls: resume a context not aligned to 256 bytes`,
		`exo-test: ok: upcall child's checks all passed`,
		`exo-test: ok: an exokernel call returns XMM0-15 zeroed`,
		`exo-test: ok: reader: grant on a segment granted without the grant right`,
		`exo-test: ok: grant on: the child passed on what it may, and no more`,
		`exogo: process \d+: took an exception and its upcall cannot be entered`,
		`exo-test: ok: start the child whose upcall handler faults`,
		`exo-test: ok: withdraw: take the grant back; the child's link goes with it`,
		`exo-test: ok: withdrawn: withdraw a grant on a segment I do not own`,
		`exogo: process \d+: exception 14 at .*error code 0x4, address 0x0000000030000000`,
		`exogo: process \d+: took an exception inside an upcall \(upcalls disabled\); ending it`,
		`exo-test: ok: x87 state survives switches to other processes`,
		`exo-test: ok: the spinner runs and the parent still gets the CPU`,
		`exo-test: all checks passed`,
		`exo-test \(process 1\) exited with status 0; left behind: 0 frames \(page tables included\), 0 kernel stacks`,
	)
	if firmware == BIOS {
		expectLines(t, out, `exo-test: screen kind 1`, `exo-test: ok: screen: write the VGA text buffer from ring 3`)
	} else {
		expectLines(t, out, `exo-test: screen kind 2`)
	}
	if cpus == 1 {
		// With one CPU the children compete, so quanta end for them.
		expectLines(t, out,
			`exo-test: ok: epilogue: a child that yields in its epilogue gets them and is never descheduled by force`,
			`exo-test: ok: abort protocol: a child that ignores its epilogues is descheduled by force, counted, and told by start upcalls`,
		)
	}
	return out
}

// BenchISO boots with init=exo-bench poweroff (make bench).
const BenchISO = "build/exogo-bench.iso"

// TestBenchmarkProgramRuns boots cmd/exo-bench, as make bench does, and
// checks that every measurement ran to its end and nothing was left
// behind. It asserts no timing (figures belong to make bench), but the
// program drives each primitive thousands of times: 240 000 faults resumed
// in user mode or through upcall_resume, 3 000 page faults, 120 000 yields,
// and 41 quanta each ending in an epilogue upcall, a forced descheduling
// and a start upcall.
func TestBenchmarkProgramRuns(t *testing.T) {
	m := startBIOS(t, BenchISO)
	defer m.Close()
	out := runToEnd(t, m, "exo-bench")
	number := `\d+\.\d\d µs per operation \(fastest round \d+\.\d\d, slowest \d+\.\d\d\)`
	latency := `\d+\.\d\d µs per operation \(fastest \d+\.\d\d, slowest \d+\.\d\d\)`
	expectLines(t, out,
		`bench: null exokernel call: `+number,
		`bench: clock: time_now call: `+number,
		`bench: clock: read from the kernel information page \(no call\): `+number,
		`bench: frame alloc \+ map \+ unmap \+ free: `+number,
		`bench: segment link \+ unlink: `+number,
		`bench: fault to libOS upcall and back \(resume in user mode\): `+number,
		`bench: fault to libOS upcall and back \(resume through upcall_resume\): `+number,
		`bench: page fault resolved by the libOS \(fault upcall \+ frame_alloc_map \+ resume in user mode\): `+number,
		`bench: foreign \(Linux\) system call answered by the libOS upcall: `+number,
		`bench: yield to another process and back \(two switches\): `+number,
		`bench: epilogue upcall \(timer interrupt at the end of a quantum to the libOS's handler\): `+latency,
		`bench: start upcall after a forced descheduling \(switch away, the other process yields, switch back, upcall\): `+latency,
		`bench: process create \+ destroy: `+number,
		`bench: page directories in this address space: 20000`,
		`bench: end of a process holding 64 grants, beside the 20 000-directory space \(create \+ 64 grants \+ destroy\): `+number,
		`bench: segment_withdraw beside the 20 000-directory space \(grant \+ withdraw\): `+number,
		`bench: end of a process with 1024 links, a page directory each \(create \+ 1024 links \+ destroy\): `+number,
		`bench: done`,
		`exo-bench \(process 1\) exited with status 0; left behind: 0 frames \(page tables included\), 0 kernel stacks`,
	)
}
