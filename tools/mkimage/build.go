package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Options are everything one image build needs; the flags in main map onto
// them one to one.
type Options struct {
	Kernel     string  // kernel ELF
	Cmdline    string  // kernel command line
	ModuleDir  string  // packed into the boot module; "" or a missing directory gives an empty archive
	ModuleFile string  // if set, used verbatim as the boot module instead
	Out        string  // image file to write
	Format     string  // "iso" or "usb"
	Work       string  // staging directory for the image tree
	EFIMode    string  // graphics mode under UEFI (see BootEntry.EFIMode); "" lets GRUB choose
	Extras     []Extra // files added to the boot module beside ModuleDir's (make's EXTRA_BIN and RC)
}

// Image formats. Both produce grub-mkrescue's hybrid image; see the command
// documentation for why that is also what a USB stick needs.
const (
	FormatISO = "iso"
	FormatUSB = "usb"
)

// USBMenuTimeout is how long, in seconds, a USB stick's GRUB menu shows
// before it boots the first entry.
const USBMenuTimeout = 3

// mkrescueTimeout bounds one grub-mkrescue run; it normally takes well under
// a second.
const mkrescueTimeout = 2 * time.Minute

// Build stages the image tree for opts and runs grub-mkrescue on it.
func Build(opts Options) error {
	switch opts.Format {
	case FormatISO, FormatUSB:
	default:
		return fmt.Errorf("unknown -format %q: want %q or %q", opts.Format, FormatISO, FormatUSB)
	}
	if opts.Out == "" || opts.Work == "" || opts.Kernel == "" {
		return fmt.Errorf("-kernel, -out and -work must not be empty")
	}
	if err := CheckImageTools(); err != nil {
		return err
	}
	// A USB stick boots real PCs: show the menu (normal, self-test, serial
	// console) for a few seconds. The ISO boots QEMU, for make run and the
	// tests: at once.
	menuTimeout := 0
	if opts.Format == FormatUSB {
		menuTimeout = USBMenuTimeout
	}
	if err := StageTree(opts.Work, opts.Kernel, opts.ModuleDir, opts.ModuleFile, opts.Cmdline, opts.EFIMode, menuTimeout, opts.Extras...); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(opts.Out), 0o755); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), mkrescueTimeout)
	defer cancel()
	return RunMkrescue(ctx, opts.Out, opts.Work)
}
