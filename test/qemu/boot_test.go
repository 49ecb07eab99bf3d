package qemu

import (
	"os"
	"path/filepath"
	"testing"
)

// repoRoot returns the repository root: the nearest directory above the
// test's working directory holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// requireImage returns the absolute path of the image at rel (relative to
// the repository root). A missing image fails the test: the QEMU tests are
// skipped only on request, with EXOGO_SKIP_QEMU=1.
func requireImage(t *testing.T, rel string) string {
	t.Helper()
	if os.Getenv("EXOGO_SKIP_QEMU") == "1" {
		t.Skip("EXOGO_SKIP_QEMU=1")
	}
	path := filepath.Join(repoRoot(t), rel)
	if !fileExists(path) {
		t.Fatalf("%s is missing: run `make test` (it builds the image, then runs these tests), or set EXOGO_SKIP_QEMU=1 to skip the QEMU tests", rel)
	}
	return path
}

// bootSelftest boots the self-test image and expects the kernel to reach
// main.main, print "selftest: PASS" and exit QEMU with status 33.
func bootSelftest(t *testing.T, rel string, fw Firmware, medium Medium) {
	image := requireImage(t, rel)
	c, err := ConfigFromEnv(image, fw, medium)
	if err != nil {
		t.Fatal(err)
	}
	run, err := RunSelftest(c)
	if err != nil {
		t.Fatalf("%v\n%s", err, run.Report(60))
	}
	if !run.Passed() {
		t.Fatalf("self tests did not pass\n%s", run.Report(60))
	}
	if run.KernelMain < 0 {
		t.Errorf("no %q line before the verdict\n%s", KernelMainLine, run.Report(60))
	}
	t.Logf("%v/%v: kernel main at %.2f s, %q at %.2f s, exit status %d",
		fw, medium, run.KernelMain.Seconds(), run.Verdict.Text, run.Verdict.At.Seconds(), run.Status)
}

func TestSelftestBIOSCDROM(t *testing.T) { bootSelftest(t, SelftestISO, BIOS, CDROM) }
func TestSelftestUEFICDROM(t *testing.T) { bootSelftest(t, SelftestISO, UEFI, CDROM) }
func TestSelftestBIOSUSB(t *testing.T)   { bootSelftest(t, SelftestUSB, BIOS, USBStick) }
func TestSelftestUEFIUSB(t *testing.T)   { bootSelftest(t, SelftestUSB, UEFI, USBStick) }
