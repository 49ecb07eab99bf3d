package exo

import (
	"exogo/arch/amd64"
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

// Screen kinds in a screen segment's metadata page.
const (
	ScreenVGAText     = 1
	ScreenFramebuffer = 2
)

// Offsets in the metadata page (slot 0 of a screen segment; the screen's
// memory starts at slot 1, offset 4096).
const (
	ScreenKind          = 0
	ScreenWidth         = 8  // columns, or pixels
	ScreenHeight        = 16 // rows, or pixels
	ScreenPitch         = 24 // bytes per row
	ScreenBitsPerPixel  = 32 // 16 for VGA text cells (character, attribute)
	ScreenColourLayout  = 40 // red position, size, green position, size, blue position, size (bytes)
	ScreenMemoryOffset  = 64 // where the screen's memory starts in the segment
	ScreenMemoryLength  = 72
	ScreenSegmentLevel  = 80 // 1: a PT segment (2 MiB), 2: a PD segment (1 GiB)
	ScreenMetadataBytes = 88
)

// CreateScreenSegment makes the screen segment for process p: a device
// segment p owns whose first page is a read-only page holding describe (the
// metadata above) and whose following pages map the screen's memory at
// physical (length bytes), uncached. Up to 2 MiB (VGA text, small
// framebuffers) it is a PT segment; a larger framebuffer (1920x1080 at 32
// bits is 8 MiB) makes a PD segment, which the libOS links at a 1 GiB
// boundary. It returns the segment's id, or 0.
func CreateScreenSegment(p *process.Process, physical uint64, length uint64, describe *[ScreenMetadataBytes]byte) uint64 {
	pages := int((length + 4095) / 4096)
	if pages < 1 || pages > segment.MaxDevicePages {
		return 0
	}
	frame, ok := memory.Frames.AllocateFor(p.ID, physmem.UseProcess, true)
	if !ok {
		return 0
	}
	level := uint64(segment.Level1)
	if pages >= segment.Entries {
		level = uint64(segment.Level2)
	}
	for i := 0; i < 8; i++ {
		describe[ScreenSegmentLevel+i] = byte(level >> (8 * i))
	}
	copy(rawmem.Bytes(layout.Physical(frame), ScreenMetadataBytes), describe[:])
	id, status := segments.CreateDevice(memoryAccess(), p.ID, frame, physical, pages, paging.DeviceMemory)
	if status != segment.OK {
		memory.Frames.Free(frame)
		return 0
	}
	return uint64(id)
}

// kernelPorts are the port ranges the kernel keeps: the 8259 PICs, the
// 8254 PIT, the PC speaker gate and keyboard controller status (used by the
// TSC calibration), the CMOS clock, and QEMU's exit device.
var kernelPorts = [...][2]uint32{
	{0x20, 0x21}, {0xa0, 0xa1}, {0x40, 0x43}, {0x61, 0x61}, {0x70, 0x71}, {0xf4, 0xf7},
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
	for _, r := range kernelPorts {
		if uint64(first) <= uint64(r[1]) && last >= uint64(r[0]) {
			return -ErrNoRight // the kernel drives these ports
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
		boundTo[device] = to.ID
		return 0
	case device >= DevicePortBase && device < DevicePortBase+65536:
		port := device - DevicePortBase
		index, bit := (port/8)%amd64.IOBitmapSize, byte(1)<<(port%8)
		if process.IOBitmap(caller.Process)[index]&bit != 0 {
			return -ErrNotOwner // the caller does not hold the port
		}
		process.IOBitmap(to)[index] &^= bit
		to.HasPorts = true
		return 0
	}
	return -ErrNoSuchObject
}
