package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckHybridImageRejectsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	writeFile(t, short, "not an image", 0o644)
	if err := CheckHybridImage(short); err == nil {
		t.Error("CheckHybridImage accepted a 12-byte file")
	}
	zeros := filepath.Join(dir, "zeros")
	writeFile(t, zeros, string(make([]byte, 64*1024)), 0o644)
	if err := CheckHybridImage(zeros); err == nil || !strings.Contains(err.Error(), "MBR") {
		t.Errorf("CheckHybridImage on zeros: %v, want a missing MBR error", err)
	}
}

func TestBuildRejectsUnknownFormat(t *testing.T) {
	err := Build(Options{Kernel: "k", Out: "o", Work: "w", Format: "floppy"})
	if err == nil || !strings.Contains(err.Error(), "floppy") {
		t.Errorf("Build with -format floppy: %v", err)
	}
}

// TestBuildImage runs grub-mkrescue on a stand-in kernel and checks the
// image boots as a CD and a disk (by its boot structures) and holds the
// staged files. It needs GRUB, xorriso and mtools; it is skipped without
// them.
func TestBuildImage(t *testing.T) {
	if err := CheckImageTools(); err != nil {
		t.Skipf("cannot build images here: %v", err)
	}
	dir := t.TempDir()
	kernel := filepath.Join(dir, "exogo.elf")
	kernelBytes := append([]byte("\x7fELF\x02\x01\x01"), bytes.Repeat([]byte{0x90}, 100000)...)
	writeFile(t, kernel, string(kernelBytes), 0o755)
	modules := filepath.Join(dir, "modules")
	writeFile(t, filepath.Join(modules, "bin/init"), "init program", 0o755)

	for _, format := range []string{FormatISO, FormatUSB} {
		out := filepath.Join(dir, "out", "exogo-"+format+".img")
		opts := Options{
			Kernel: kernel, Cmdline: "selftest x=$y", ModuleDir: modules,
			Out: out, Format: format, Work: filepath.Join(dir, "tree"),
		}
		if err := Build(opts); err != nil {
			t.Fatalf("Build(%+v): %v", opts, err)
		}
		st, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() < 1<<20 {
			t.Errorf("%s: image is only %d bytes", format, st.Size())
		}
		if err := CheckHybridImage(out); err != nil {
			t.Error(err)
		}
		if _, err := os.Stat(out + ".tmp"); err == nil {
			t.Errorf("%s: temporary image left behind", format)
		}

		got := extractFromISO(t, out, TreeKernel, TreeGRUBCfg, TreeInitrd)
		if !bytes.Equal(got[TreeKernel], kernelBytes) {
			t.Errorf("%s: kernel in the image differs from the input", format)
		}
		if !strings.Contains(string(got[TreeGRUBCfg]), "multiboot2 /boot/exogo.elf selftest 'x=$y'") {
			t.Errorf("%s: grub.cfg in the image lacks the command line:\n%s", format, got[TreeGRUBCfg])
		}
		files := readArchive(t, got[TreeInitrd])
		if len(files) != 2 || files[1].Name != "bin/init" || files[1].Contents != "init program" {
			t.Errorf("%s: boot module holds %+v, want bin and bin/init", format, files)
		}
	}
}

// extractFromISO copies files out of the ISO 9660 image with xorriso and
// returns their contents by path.
func extractFromISO(t *testing.T, image string, paths ...string) map[string][]byte {
	t.Helper()
	dst := t.TempDir()
	args := []string{"-osirrox", "on", "-indev", image}
	for _, p := range paths {
		args = append(args, "-extract", "/"+p, filepath.Join(dst, p))
	}
	if out, err := exec.Command("xorriso", args...).CombinedOutput(); err != nil {
		t.Fatalf("xorriso %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	files := make(map[string][]byte)
	for _, p := range paths {
		data, err := os.ReadFile(filepath.Join(dst, p))
		if err != nil {
			t.Fatalf("%s not in the image: %v", p, err)
		}
		files[p] = data
	}
	return files
}
