package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Paths inside the image tree. grub.cfg refers to the kernel and the boot
// module by these names (as absolute paths on the boot medium).
const (
	TreeKernel  = "boot/exogo.elf"
	TreeInitrd  = "boot/initrd.cpio"
	TreeGRUBCfg = "boot/grub/grub.cfg"
)

// StageTree replaces the contents of dir with the image tree: the kernel,
// the boot module packed from moduleDir (or, when moduleFile is set, that
// file verbatim: tests use it to hand the kernel a corrupt module), and
// grub.cfg passing cmdline (and asking for efiMode under UEFI, if set),
// whose menu shows for menuTimeout seconds (0: boot at once).
func StageTree(dir, kernel, moduleDir, moduleFile, cmdline, efiMode string, menuTimeout int, extras ...Extra) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clearing image tree: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(TreeGRUBCfg)), 0o755); err != nil {
		return err
	}
	if err := copyFile(filepath.Join(dir, TreeKernel), kernel); err != nil {
		return fmt.Errorf("copying kernel: %w", err)
	}

	if moduleFile != "" {
		if err := copyFile(filepath.Join(dir, TreeInitrd), moduleFile); err != nil {
			return fmt.Errorf("copying boot module: %w", err)
		}
		return writeGRUBConfig(dir, cmdline, efiMode, menuTimeout)
	}
	initrd, err := os.Create(filepath.Join(dir, TreeInitrd))
	if err != nil {
		return err
	}
	if _, err := WriteInitrd(initrd, moduleDir, extras...); err != nil {
		initrd.Close()
		return fmt.Errorf("packing boot module from %s: %w", moduleDir, err)
	}
	if err := initrd.Close(); err != nil {
		return err
	}
	return writeGRUBConfig(dir, cmdline, efiMode, menuTimeout)
}

func writeGRUBConfig(dir, cmdline, efiMode string, menuTimeout int) error {
	cfg := GRUBConfig(BootEntry{
		Kernel:      "/" + TreeKernel,
		Cmdline:     cmdline,
		Initrd:      "/" + TreeInitrd,
		EFIMode:     efiMode,
		MenuTimeout: menuTimeout,
	})
	return os.WriteFile(filepath.Join(dir, TreeGRUBCfg), []byte(cfg), 0o644)
}

// copyFile copies the regular file src to dst.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
