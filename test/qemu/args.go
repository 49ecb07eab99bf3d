package qemu

import (
	"fmt"
	"strconv"
	"strings"
)

// QEMUBinary is the emulator the harness runs.
const QEMUBinary = "qemu-system-x86_64"

// Args returns QEMU's command line (without the program name) for c, with
// the guest's first serial port on QEMU's standard output. varStore is the
// writable copy of the UEFI variable store; it is used only for UEFI.
func Args(c Config, varStore string) ([]string, error) {
	c = c.withDefaults()
	if c.Image == "" {
		return nil, fmt.Errorf("no image to boot")
	}
	accel := "tcg"
	if c.KVM {
		accel = "kvm"
	}
	args := []string{
		"-machine", c.Machine,
		"-accel", accel,
		"-cpu", c.CPU,
		"-m", c.Memory,
		"-smp", strconv.Itoa(c.SMP),
		"-display", "none",
		"-monitor", "none",
		"-serial", "stdio",
		"-no-reboot",
		"-device", fmt.Sprintf("isa-debug-exit,iobase=%#x,iosize=0x04", DebugExitPort),
	}

	switch c.Firmware {
	case BIOS:
		// SeaBIOS is QEMU's default.
	case UEFI:
		if c.OVMFCode == "" || varStore == "" {
			return nil, fmt.Errorf("UEFI boot needs the OVMF firmware and a variable store")
		}
		args = append(args,
			"-drive", "if=pflash,format=raw,readonly=on,file="+optionValue(c.OVMFCode),
			"-drive", "if=pflash,format=raw,file="+optionValue(varStore),
		)
	default:
		return nil, fmt.Errorf("unknown firmware %v", c.Firmware)
	}

	switch c.Medium {
	case CDROM:
		args = append(args, "-drive", "if=none,id=cd,media=cdrom,readonly=on,format=raw,file="+optionValue(c.Image),
			"-device", "ide-cd,drive=cd,bootindex=0")
	case USBStick:
		// snapshot=on: the guest's writes to the stick go to a temporary
		// overlay, so the image stays as built.
		args = append(args,
			"-device", "qemu-xhci,id=xhci",
			"-drive", "if=none,id=stick,format=raw,snapshot=on,file="+optionValue(c.Image),
			"-device", "usb-storage,bus=xhci.0,drive=stick,bootindex=0",
		)
	default:
		return nil, fmt.Errorf("unknown medium %v", c.Medium)
	}
	return append(args, c.ExtraArgs...), nil
}

// optionValue escapes a value inside a QEMU -drive option list, where a
// comma separates options and ",," stands for a literal comma.
func optionValue(s string) string {
	return strings.ReplaceAll(s, ",", ",,")
}
