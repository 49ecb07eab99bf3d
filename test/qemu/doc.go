// Package qemu boots exogo images in QEMU and checks what they print.
//
// The non-test files are a small harness, shared with tools/bootbench: Start
// launches qemu-system-x86_64 on an image with BIOS (SeaBIOS) or UEFI (OVMF)
// firmware, from a CD-ROM or a USB stick; the Machine it returns records each
// line the guest writes to its first serial port, with the time since QEMU
// was started, can wait for a line matching a regular expression, and
// reports QEMU's exit status. The kernel ends a run through QEMU's
// isa-debug-exit device, so the exit status carries its verdict.
//
// The tests boot the self-test image built by `make test` in each supported
// way and expect the kernel's self tests to pass. A missing image fails the
// tests (run `make test`); set EXOGO_SKIP_QEMU=1 to skip them on purpose.
//
// Environment:
//
//	EXOGO_QEMU_TIMEOUT  time allowed for one boot, as a Go duration ("5m") or
//	                    seconds ("300"); default 180s. TCG is slow and CI
//	                    machines are shared.
//	EXOGO_KVM=1         use KVM when /dev/kvm exists; otherwise TCG.
//	EXOGO_SKIP_QEMU=1   skip the QEMU tests.
//	EXOGO_OVMF_CODE, EXOGO_OVMF_VARS
//	                    UEFI firmware and variable store template, when not
//	                    at the Debian ovmf package's paths.
package qemu

// Images and the strings that tie them to the Makefile and the kernel. The
// Makefile builds the images with tools/mkimage at these paths (relative to
// the repository root) and the kernel prints these lines.
const (
	// SelftestISO is the hybrid image booted as a CD-ROM, under both
	// firmwares: mkimage -format iso -cmdline selftest -out build/exogo-test.iso
	SelftestISO = "build/exogo-test.iso"
	// SelftestUSB is the same image written under the USB name and attached
	// as a USB mass-storage device:
	// mkimage -format usb -cmdline selftest -out build/exogo-usb-test.img
	SelftestUSB = "build/exogo-usb-test.img"
	// SelftestCmdline is the kernel command line that runs the self tests.
	SelftestCmdline = "selftest"

	// KernelMainLine is printed when Go's main.main starts in the kernel.
	KernelMainLine = "exogo: kernel main"
	// SelftestVerdictPattern matches the kernel's final self-test line:
	// "selftest: PASS" or "selftest: FAIL <name>". Per-test lines read
	// "selftest: <name> ok" or "selftest: <name> FAIL ...".
	SelftestVerdictPattern = `selftest: (PASS|FAIL \S+)\s*$`
	// SelftestPassLine is the verdict line of a passing run.
	SelftestPassLine = "selftest: PASS"
)
