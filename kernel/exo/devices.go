package exo

import (
	"exogo/arch/amd64"
	"exogo/kernel/console"
	"exogo/kernel/cpu"
	"exogo/kernel/layout"
	"exogo/kernel/memory"
	"exogo/kernel/paging"
	"exogo/kernel/physmem"
	"exogo/kernel/process"
	"exogo/kernel/rawmem"
	"exogo/kernel/segment"
)

// Devices bound to processes. I/O ports: a process holding RightDevices may
// open ports to itself (ioport_bind); the CPU checks them against the I/O
// permission bitmap in the TSS, which BeforeResume loads with the running
// process's bitmap. The flags' IOPL stays 0 (XOmB set IOPL=3, which opens
// every port to the process). Ports the kernel drives itself are never
// granted. Interrupt lines are in irq.go; the screen, a device segment,
// is made below.

// The screen segment's metadata page and kinds (Screen*, ScreenKind*) are
// declared in syscalls.conf (layout screen), shared with the libOS.

// CreateScreenSegment makes the screen segment for process p: a device
// segment p owns whose first page is a read-only page holding describe (the
// metadata above) and whose following pages map the screen's memory at
// physical (length bytes), uncached. Up to 2 MiB (VGA text, small
// framebuffers) it is a PT segment; a larger framebuffer (1920x1080 at 32
// bits is 8 MiB) makes a PD segment, which the libOS links at a 1 GiB
// boundary. It returns the segment's id, or 0.
func CreateScreenSegment(p *process.Process, physical uint64, length uint64, describe *[ScreenSize]byte) uint64 {
	id, metadata := deviceSegment(p, physical, length, describe[:], ScreenSegmentLevel, paging.Writable|paging.DeviceMemory)
	if root, ok := segments.DeviceRoot(segment.ID(id)); id != 0 && ok {
		screen = screenHandOver{segment: id, root: root, metadata: metadata}
	}
	return id
}

// screenHandOver is the screen segment the kernel made, and whether a
// process has taken the screen.
type screenHandOver struct {
	segment  uint64
	root     uint64 // the physical address of its root table
	metadata uint64 // the physical address of its metadata page
	taken    bool
}

var screen screenHandOver

// linkedScreen is called after every successful link of a segment: the
// first writable link of the screen segment, into whichever process,
// hands the screen over. The kernel's log stops drawing there (a process
// and the kernel drawing at once would garble each other) and the
// metadata page says where its cursor was, so the process can go on
// below the boot log. The log goes on on the serial line.
//
// Preconditions: smp.Lock held.
func linkedScreen(p *process.Process, id uint64, permissions Permissions) {
	if screen.taken || id != screen.segment || id == 0 || permissions&PermissionsWrite == 0 {
		return
	}
	if root, ok := segments.DeviceRoot(segment.ID(id)); !ok || root != screen.root {
		// The screen segment was destroyed and its id names another
		// segment now: its metadata frame may be anyone's.
		return
	}
	screen.taken = true
	var line console.Line
	line.String("exogo: the screen is process ").Decimal(uint64(p.ID)).String("'s now; the kernel's log goes on on the serial line").Write()
	column, row, _ := console.HandOverScreen()
	meta := rawmem.Bytes(layout.Physical(screen.metadata), 4096)
	for i := 0; i < 8; i++ {
		meta[ScreenCursorColumn+i] = byte(uint64(column) >> (8 * i))
		meta[ScreenCursorRow+i] = byte(uint64(row) >> (8 * i))
	}
}

// deviceSegment makes a device segment p owns over length bytes of
// physical memory from physical (page-aligned), mapped with flags, after a
// metadata page holding describe, in which it writes the segment's level
// at levelAt. It returns the segment's id (0 when it could not be made)
// and the metadata page's physical address.
func deviceSegment(p *process.Process, physical, length uint64, describe []byte, levelAt int, flags paging.Flags) (uint64, uint64) {
	pages := int((length + 4095) / 4096)
	if pages < 1 || pages > segment.MaxDevicePages || len(describe) > 4096 || levelAt < 0 || levelAt+8 > len(describe) {
		return 0, 0
	}
	frame, ok := memory.Frames.AllocateFor(p.ID, physmem.UseProcess, true)
	if !ok {
		return 0, 0
	}
	level := uint64(segment.Level1)
	if pages >= segment.Entries {
		level = uint64(segment.Level2)
	}
	for i := 0; i < 8; i++ {
		if k := uint(levelAt + i); k < uint(len(describe)) {
			describe[k] = byte(level >> (8 * i))
		}
	}
	copy(rawmem.Bytes(layout.Physical(frame), 4096), describe)
	id, status := segments.CreateDevice(memoryAccess(), p.ID, frame, physical, pages, flags)
	if status != segment.OK {
		memory.Frames.Free(frame)
		return 0, 0
	}
	return uint64(id), frame
}

// LinkInto links segment id, which p owns, into p's own address space at
// address with permissions (the kernel's loader, for the first process).
func LinkInto(p *process.Process, id uint64, address uintptr, permissions Permissions) bool {
	return segments.Link(memoryAccess(), p.ID, p.Space.Root, address, segment.ID(id), pageRights(permissions)) == segment.OK
}

// devicePorts is the allow-list of I/O ports a process may hold: the ports
// of known ISA devices a libOS may drive. Every other port is never
// bindable nor grantable, above all those that control the machine or that
// the kernel drives: PCI configuration space (0xcf8-0xcff, where 0xcf9 is
// also the reset control register; a device's configuration would let a
// process turn on bus mastering and reach all memory by DMA), the keyboard
// controller's command port (0x64: it can reset the CPU), the 8259 PICs,
// the 8254 PIT and the PC speaker gate, the CMOS clock and NMI mask, the
// ISA DMA controllers, port 0x92 (fast A20 and reset), ACPI's power
// management ports, and QEMU's exit device. An allow-list, not a deny-list:
// a port nobody thought of is closed. docs/exokernel.md lists them.
//
// TODO(pci): a PCI device's I/O BARs, once the kernel enumerates PCI and
// can hand a device (its BARs and its interrupt) to one process.
var devicePorts = [...]portRange{
	{0x60, 0x60, false},   // PS/2 keyboard and mouse data (not the command port 0x64)
	{0x170, 0x177, false}, // secondary ATA
	{0x1f0, 0x1f7, false}, // primary ATA
	{0x201, 0x201, false}, // game port
	{0x278, 0x27f, false}, // LPT2
	{0x2e8, 0x2ef, false}, // COM4
	{0x2f8, 0x2ff, false}, // COM2
	{0x376, 0x376, false}, // secondary ATA control
	{0x378, 0x37f, false}, // LPT1
	{0x3b0, 0x3df, false}, // VGA registers (the text cursor, modes)
	{0x3e8, 0x3ef, false}, // COM3
	{0x3f6, 0x3f6, false}, // primary ATA control
	{0x3f8, 0x3ff, true},  // COM1, the kernel's log: only with the console right
}

// portRange is one range of devicePorts; console ports go only to holders
// of the console right.
type portRange struct {
	first, last uint16
	console     bool
}

// portAllowed reports whether p may hold port.
func portAllowed(p *process.Process, port uint32) bool {
	for _, r := range devicePorts {
		if port >= uint32(r.first) && port <= uint32(r.last) {
			return !r.console || p.Rights&process.RightConsole != 0
		}
	}
	return false
}

func sysIoportBind(caller *Caller, first uint32, count uint64) int64 {
	p := caller.Process
	if p.Rights&process.RightDevices == 0 {
		return -ErrNoRight
	}
	if count == 0 || count > 65536 || uint64(first)+count > 65536 {
		return -ErrBadArgument
	}
	last := uint64(first) + count - 1
	for port := uint64(first); port <= last; port++ {
		if !portAllowed(p, uint32(port)) {
			return -ErrNoRight // not a device port (docs/exokernel.md, Devices)
		}
	}
	bitmap := process.IOBitmap(p)
	for port := uint64(first); port <= last; port++ {
		bitmap[(port/8)%amd64.IOBitmapSize] &^= 1 << (port % 8)
	}
	p.HasPorts = true
	cpu.This().IOPorts = 0 // reload on the way back (BeforeResume)
	return 0
}

// loadIOPorts makes the TSS of CPU c (the running one) hold the I/O bitmap
// of p (every port denied when p has none), copying only when it changes.
func loadIOPorts(c *cpu.CPU, p *process.Process) {
	want := uint16(0)
	if p.HasPorts {
		want = p.ID
	}
	if c.IOPorts == want {
		return
	}
	tss := amd64.TaskStateOf(int(c.Index)).IOBitmap()
	if want == 0 {
		for i := range tss {
			tss[i] = 0xff
		}
	} else {
		copy(tss, process.IOBitmap(p)[:])
	}
	c.IOPorts = want
}

// Device numbers for device_grant: interrupt lines are 0-15; I/O port n is
// DevicePortBase + n.
const DevicePortBase = 0x10000

func sysDeviceGrant(caller *Caller, device uint32, target uint32) int64 {
	if target == 0 || target > 0xffff {
		return -ErrNoSuchObject
	}
	to := process.ByID(uint16(target))
	if to == nil || to.State == process.Exited || to == caller.Process {
		return -ErrNoSuchObject
	}
	switch {
	case device < 16:
		if boundTo[device] != caller.Process.ID {
			return -ErrNotOwner
		}
		if !irqAllowed(to, device) {
			return -ErrNoRight
		}
		boundTo[device] = to.ID
		return 0
	case device >= DevicePortBase && device < DevicePortBase+65536:
		port := device - DevicePortBase
		index, bit := (port/8)%amd64.IOBitmapSize, byte(1)<<(port%8)
		if process.IOBitmap(caller.Process)[index]&bit != 0 {
			return -ErrNotOwner // the caller does not hold the port
		}
		if !portAllowed(to, port) {
			return -ErrNoRight // COM1 to a process without the console right
		}
		process.IOBitmap(to)[index] &^= bit
		to.HasPorts = true
		return 0
	}
	return -ErrNoSuchObject
}
