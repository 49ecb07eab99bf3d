// Command mkimage turns a built exogo kernel ELF into a bootable image.
//
// It stages an image tree (-work) holding
//
//	boot/exogo.elf       the kernel, copied from -kernel
//	boot/initrd.cpio     the boot module: a newc cpio archive of -module-dir
//	boot/grub/grub.cfg   boots the kernel with Multiboot2, passing -cmdline
//
// and runs grub-mkrescue on it. The result is a hybrid image that boots from
// BIOS (El Torito no-emulation boot of GRUB's i386-pc core image) and from
// UEFI (an El Torito EFI entry pointing at a FAT EFI system partition image
// holding GRUB's x86_64-efi binary as EFI/BOOT/BOOTX64.EFI).
//
// -format usb writes that same image under the USB output name. A USB stick
// needs no different image: grub-mkrescue (through xorriso) also writes an MBR
// with boot code and a partition table in the first sector, and lists the EFI
// system partition image as a partition, so a BIOS booting the stick as a hard
// disk runs GRUB through the MBR, and UEFI firmware finds the EFI system
// partition and its removable-media boot file. Write it with
// `dd if=build/exogo-usb.img of=/dev/sdX bs=4M conv=fsync`.
//
// Usage:
//
//	mkimage -kernel build/exogo.elf -cmdline 'selftest' -module-dir build/modules \
//	        -work build/image-tree -format iso -out build/exogo.iso
//
// grub-mkrescue needs xorriso and mtools (mformat); tools/install-deps.sh
// installs them.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	kernel := flag.String("kernel", "build/exogo.elf", "kernel ELF to boot")
	cmdline := flag.String("cmdline", "", "kernel command line, baked into grub.cfg")
	moduleDir := flag.String("module-dir", "", "directory packed into the boot module boot/initrd.cpio (may be absent or empty)")
	moduleFile := flag.String("module-file", "", "use this file verbatim as the boot module instead of packing -module-dir")
	out := flag.String("out", "build/exogo.iso", "image to write")
	format := flag.String("format", "iso", "image format: iso (CD-ROM) or usb (disk image for dd); both are the same hybrid image")
	work := flag.String("work", "build/image-tree", "directory the image tree is staged in (its contents are replaced)")
	extraBin := flag.String("extra-bin", "", "space-separated files added to the boot module's bin/ (make's EXTRA_BIN)")
	extraTree := flag.String("extra-tree", "", "space-separated host directories copied into the boot module, each DIR (into its root) or DIR:DEST (into DEST) (make's EXTRA_TREE)")
	rc := flag.String("rc", "", "file added to the boot module as etc/rc, the script init runs (make's RC)")
	efiMode := flag.String("efi-mode", "", "graphics mode to ask for under UEFI, WIDTHxHEIGHT[xDEPTH] (e.g. 1920x1080x32); default: the firmware's")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: mkimage [flags]\n\nBuilds a hybrid BIOS+UEFI GRUB boot image for an exogo kernel.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}

	opts := Options{
		Kernel:     *kernel,
		Cmdline:    *cmdline,
		ModuleDir:  *moduleDir,
		ModuleFile: *moduleFile,
		Out:        *out,
		Format:     *format,
		Work:       *work,
		EFIMode:    *efiMode,
	}
	for _, f := range strings.Fields(*extraBin) {
		opts.Extras = append(opts.Extras, Extra{Name: "bin/" + filepath.Base(f), Path: f})
	}
	for _, t := range strings.Fields(*extraTree) {
		dir, dest, _ := strings.Cut(t, ":")
		extras, err := TreeExtras(dir, dest)
		if err != nil {
			fmt.Fprintf(os.Stderr, "mkimage: -extra-tree %s: %v\n", t, err)
			os.Exit(1)
		}
		opts.Extras = append(opts.Extras, extras...)
	}
	if *rc != "" {
		opts.Extras = append(opts.Extras, Extra{Name: "etc/rc", Path: *rc})
	}
	if opts.EFIMode != "" && !ValidEFIMode(opts.EFIMode) {
		fmt.Fprintf(os.Stderr, "mkimage: -efi-mode %q: want WIDTHxHEIGHT or WIDTHxHEIGHTxDEPTH, such as 1920x1080x32\n", opts.EFIMode)
		os.Exit(2)
	}
	if err := Build(opts); err != nil {
		fmt.Fprintf(os.Stderr, "mkimage: %v\n", err)
		os.Exit(1)
	}
}
