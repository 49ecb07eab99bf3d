package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// imageTool is an external program or file grub-mkrescue needs to produce a
// hybrid BIOS+UEFI image, with the Debian package providing it.
type imageTool struct {
	program string // looked up in PATH, or
	dir     string // must exist
	pkg     string
	role    string
}

var imageTools = []imageTool{
	{program: "grub-mkrescue", pkg: "grub-common", role: "builds the image"},
	{program: "xorriso", pkg: "xorriso", role: "grub-mkrescue writes the ISO 9660 image with it"},
	{program: "mformat", pkg: "mtools", role: "grub-mkrescue formats the EFI system partition image with it"},
	{dir: "/usr/lib/grub/i386-pc", pkg: "grub-pc-bin", role: "GRUB for BIOS boot"},
	{dir: "/usr/lib/grub/x86_64-efi", pkg: "grub-efi-amd64-bin", role: "GRUB for UEFI boot"},
}

// CheckImageTools reports every missing piece grub-mkrescue needs, and how
// to install it. grub-mkrescue itself silently leaves out a platform whose
// GRUB modules are missing; this check makes that an error instead.
func CheckImageTools() error {
	var missing []string
	for _, t := range imageTools {
		if t.program != "" {
			if _, err := exec.LookPath(t.program); err != nil {
				missing = append(missing, fmt.Sprintf("%s (package %s; %s)", t.program, t.pkg, t.role))
			}
			continue
		}
		if st, err := os.Stat(t.dir); err != nil || !st.IsDir() {
			missing = append(missing, fmt.Sprintf("%s (package %s; %s)", t.dir, t.pkg, t.role))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing %s; run tools/install-deps.sh", strings.Join(missing, ", "))
	}
	return nil
}

// RunMkrescue runs grub-mkrescue to turn the image tree at tree into the
// hybrid image out, then checks the result. It writes to a temporary file
// next to out and renames it, so out is either the old image or a complete
// new one.
func RunMkrescue(ctx context.Context, out, tree string) error {
	tmp := out + ".tmp"
	defer os.Remove(tmp)
	cmd := exec.CommandContext(ctx, "grub-mkrescue", "-o", tmp, tree)
	output, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("grub-mkrescue -o %s %s: %v\n%s", tmp, tree, err, output)
	}
	if err := CheckHybridImage(tmp); err != nil {
		return fmt.Errorf("grub-mkrescue output: %w", err)
	}
	return os.Rename(tmp, out)
}

// Offsets of the boot structures a hybrid image must carry.
const (
	mbrSignatureOffset = 510       // 0x55 0xAA ends the MBR
	isoSectorSize      = 2048      // ISO 9660 logical sector
	bootRecordSector   = 17        // El Torito boot record volume descriptor
	primaryVDSector    = 16        // primary volume descriptor
	minImageSize       = 18 * 2048 // system area + the descriptors above
	elToritoSystemID   = "EL TORITO SPECIFICATION"
)

// CheckHybridImage checks that path looks like a hybrid BIOS+UEFI image: an
// MBR boot signature for booting as a disk, an ISO 9660 primary volume
// descriptor, and an El Torito boot record for booting as a CD.
func CheckHybridImage(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, minImageSize)
	if _, err := io.ReadFull(f, head); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: only a few bytes long, not a boot image", path)
		}
		return err
	}
	if head[mbrSignatureOffset] != 0x55 || head[mbrSignatureOffset+1] != 0xAA {
		return fmt.Errorf("%s: no MBR boot signature, cannot boot from a disk or USB stick", path)
	}
	pvd := head[primaryVDSector*isoSectorSize:]
	if pvd[0] != 1 || string(pvd[1:6]) != "CD001" {
		return fmt.Errorf("%s: no ISO 9660 primary volume descriptor", path)
	}
	br := head[bootRecordSector*isoSectorSize:]
	if br[0] != 0 || string(br[1:6]) != "CD001" || !bytes.HasPrefix(br[7:], []byte(elToritoSystemID)) {
		return fmt.Errorf("%s: no El Torito boot record, cannot boot as a CD", path)
	}
	return nil
}
