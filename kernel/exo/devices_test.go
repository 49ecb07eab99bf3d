package exo

import (
	"testing"

	"exogo/kernel/process"
)

// machinePorts are ranges no process may ever hold: they control the
// machine, or the kernel drives them.
var machinePorts = []struct {
	first, last uint32
	what        string
}{
	{0x00, 0x1f, "ISA DMA controller 1"},
	{0x20, 0x21, "master PIC"},
	{0x40, 0x43, "PIT"},
	{0x61, 0x61, "PC speaker gate"},
	{0x64, 0x64, "keyboard controller command (CPU reset)"},
	{0x70, 0x71, "CMOS clock and NMI mask"},
	{0x80, 0x8f, "DMA page registers"},
	{0x92, 0x92, "fast A20 and reset"},
	{0xa0, 0xa1, "slave PIC"},
	{0xc0, 0xdf, "ISA DMA controller 2"},
	{0xf4, 0xf7, "QEMU's exit device"},
	{0x4d0, 0x4d1, "ELCR (interrupt trigger modes)"},
	{0x600, 0x67f, "ACPI power management (QEMU q35)"},
	{0xb000, 0xb07f, "ACPI power management (QEMU i440fx)"},
	{0xcf8, 0xcff, "PCI configuration space and reset control (0xcf9)"},
}

func TestPortsAllowList(t *testing.T) {
	withConsole := &process.Process{Rights: process.RightDevices | process.RightConsole}
	without := &process.Process{Rights: process.RightDevices}
	for _, r := range machinePorts {
		for port := r.first; port <= r.last; port++ {
			if portAllowed(withConsole, port) {
				t.Errorf("port %#x (%s) is bindable", port, r.what)
			}
		}
	}
	for _, port := range []uint32{0x60, 0x1f0, 0x3f6, 0x2f8, 0x3d4, 0x3d5, 0x378} {
		if !portAllowed(without, port) {
			t.Errorf("device port %#x is not bindable", port)
		}
	}
	for port := uint32(0x3f8); port <= 0x3ff; port++ {
		if portAllowed(without, port) {
			t.Errorf("COM1 port %#x (the kernel's log) bindable without the console right", port)
		}
		if !portAllowed(withConsole, port) {
			t.Errorf("COM1 port %#x not bindable with the console right", port)
		}
	}
	// The list is sorted and its ranges do not overlap (one range
	// decides each port).
	for i := 1; i < len(devicePorts); i++ {
		if devicePorts[i].first <= devicePorts[i-1].last {
			t.Errorf("devicePorts %d (%#x) overlaps or precedes %d (%#x)", i, devicePorts[i].first, i-1, devicePorts[i-1].last)
		}
	}
	allowed := 0
	for port := uint32(0); port < 65536; port++ {
		if portAllowed(withConsole, port) {
			allowed++
		}
	}
	if allowed > 128 {
		t.Errorf("%d ports bindable: the allow-list grew beyond known devices", allowed)
	}
}

func TestIRQAllowList(t *testing.T) {
	withConsole := &process.Process{Rights: process.RightDevices | process.RightConsole}
	without := &process.Process{Rights: process.RightDevices}
	for _, line := range []uint32{0, 2, 8, 16, 100} {
		if irqAllowed(withConsole, line) {
			t.Errorf("line %d is bindable", line)
		}
	}
	if irqAllowed(without, 4) || !irqAllowed(withConsole, 4) {
		t.Error("COM1's line 4 must need the console right")
	}
	if !irqAllowed(without, 1) || !irqAllowed(without, 3) {
		t.Error("the keyboard's and COM2's lines must be bindable")
	}
}
