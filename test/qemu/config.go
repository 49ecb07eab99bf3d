package qemu

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// Firmware is what the virtual machine boots with.
type Firmware int

const (
	// BIOS is QEMU's default firmware, SeaBIOS: GRUB boots through the
	// image's El Torito entry (CD-ROM) or its MBR (USB stick).
	BIOS Firmware = iota
	// UEFI is OVMF: GRUB boots as BOOTX64.EFI from the image's EFI system
	// partition.
	UEFI
)

func (f Firmware) String() string {
	switch f {
	case BIOS:
		return "bios"
	case UEFI:
		return "uefi"
	}
	return fmt.Sprintf("Firmware(%d)", int(f))
}

// Medium is how the image is attached to the machine.
type Medium int

const (
	// CDROM attaches the image as the q35 machine's SATA CD-ROM.
	CDROM Medium = iota
	// USBStick attaches the image as a USB mass-storage device on an xHCI
	// controller, the first boot device.
	USBStick
)

func (m Medium) String() string {
	switch m {
	case CDROM:
		return "cdrom"
	case USBStick:
		return "usb"
	}
	return fmt.Sprintf("Medium(%d)", int(m))
}

// Defaults for a Config.
const (
	DefaultMachine = "q35"    // boots from CD-ROM and USB with SeaBIOS and OVMF
	DefaultCPU     = "qemu64" // fixed model: results do not depend on the host CPU
	DefaultMemory  = "512M"
	DefaultSMP     = 1
	DefaultTimeout = 180 * time.Second
)

// Config describes one boot.
type Config struct {
	Image    string   // the image file to boot (required)
	Firmware Firmware // BIOS or UEFI
	Medium   Medium   // CDROM or USBStick

	Machine string // QEMU -machine; DefaultMachine if empty
	CPU     string // QEMU -cpu; DefaultCPU if empty
	Memory  string // QEMU -m; DefaultMemory if empty
	SMP     int    // QEMU -smp; DefaultSMP if zero
	KVM     bool   // use -accel kvm instead of tcg

	// Timeout bounds the whole boot: Wait kills QEMU when it runs out.
	// DefaultTimeout if zero.
	Timeout time.Duration

	// OVMFCode and OVMFVars are the UEFI firmware and the template of its
	// variable store (copied, since the guest may write it). Found by
	// FindOVMF if empty.
	OVMFCode string
	OVMFVars string

	// SerialLog, if set, receives the guest's serial output as it arrives.
	SerialLog io.Writer
	// ExtraArgs are appended to QEMU's command line.
	ExtraArgs []string
}

// ConfigFromEnv returns a Config for image with the settings taken from the
// environment: EXOGO_QEMU_TIMEOUT and EXOGO_KVM (see the package
// documentation).
func ConfigFromEnv(image string, fw Firmware, medium Medium) (Config, error) {
	timeout, err := TimeoutFromEnv()
	if err != nil {
		return Config{}, err
	}
	return Config{
		Image:    image,
		Firmware: fw,
		Medium:   medium,
		Timeout:  timeout,
		KVM:      KVMFromEnv(),
	}, nil
}

// TimeoutFromEnv returns EXOGO_QEMU_TIMEOUT, given as a Go duration ("5m")
// or a number of seconds ("300"), or DefaultTimeout when it is unset.
func TimeoutFromEnv() (time.Duration, error) {
	return parseTimeout(os.Getenv("EXOGO_QEMU_TIMEOUT"))
}

func parseTimeout(s string) (time.Duration, error) {
	if s == "" {
		return DefaultTimeout, nil
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		if secs <= 0 {
			return 0, fmt.Errorf("EXOGO_QEMU_TIMEOUT=%q: must be positive", s)
		}
		return time.Duration(secs * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("EXOGO_QEMU_TIMEOUT=%q: want a positive duration like 300s or 5m, or seconds", s)
	}
	return d, nil
}

// KVMFromEnv reports whether EXOGO_KVM=1 asks for KVM and /dev/kvm exists.
func KVMFromEnv() bool {
	if os.Getenv("EXOGO_KVM") != "1" {
		return false
	}
	_, err := os.Stat("/dev/kvm")
	return err == nil
}

// withDefaults fills in the zero fields of c.
func (c Config) withDefaults() Config {
	if c.Machine == "" {
		c.Machine = DefaultMachine
	}
	if c.CPU == "" {
		c.CPU = DefaultCPU
	}
	if c.Memory == "" {
		c.Memory = DefaultMemory
	}
	if c.SMP == 0 {
		c.SMP = DefaultSMP
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

// ParseFirmware parses "bios" or "uefi".
func ParseFirmware(s string) (Firmware, error) {
	for _, f := range []Firmware{BIOS, UEFI} {
		if s == f.String() {
			return f, nil
		}
	}
	return 0, fmt.Errorf("unknown firmware %q: want bios or uefi", s)
}

// ParseMedium parses "cdrom" or "usb".
func ParseMedium(s string) (Medium, error) {
	for _, m := range []Medium{CDROM, USBStick} {
		if s == m.String() {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown medium %q: want cdrom or usb", s)
}
