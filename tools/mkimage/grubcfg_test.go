package main

import (
	"strings"
	"testing"
)

func TestQuoteGRUBWord(t *testing.T) {
	for in, want := range map[string]string{
		"selftest":        "selftest",
		"mem=512M":        "mem=512M",
		"/boot/exogo.elf": "/boot/exogo.elf",
		"":                "''",
		"a b":             "'a b'",
		"x$y":             "'x$y'",
		"${root}":         "'${root}'",
		`back\slash`:      `'back\slash'`,
		`say="hi"`:        `'say="hi"'`,
		"it's":            `'it'\''s'`,
		"a;reboot":        "'a;reboot'",
		"#comment":        "'#comment'",
	} {
		if got := QuoteGRUBWord(in); got != want {
			t.Errorf("QuoteGRUBWord(%q) = %s, want %s", in, got, want)
		}
	}
}

// menuentryLines returns the lines of cfg's menuentry body, trimmed.
func menuentryLines(t *testing.T, cfg string) []string {
	t.Helper()
	_, body, ok := strings.Cut(cfg, "menuentry \"exogo\" {\n")
	if !ok {
		t.Fatalf("no exogo menuentry in:\n%s", cfg)
	}
	body, _, ok = strings.Cut(body, "}\n")
	if !ok {
		t.Fatalf("menuentry not closed in:\n%s", cfg)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
		lines = append(lines, strings.TrimSpace(l))
	}
	return lines
}

func TestGRUBConfigMenuentry(t *testing.T) {
	cfg := GRUBConfig(BootEntry{
		Kernel:  "/boot/exogo.elf",
		Cmdline: "selftest  GODEBUG=gctrace=1 msg=it's $HOME\tpath=C:\\x",
		Initrd:  "/boot/initrd.cpio",
	})
	got := menuentryLines(t, cfg)
	want := []string{
		`multiboot2 /boot/exogo.elf selftest GODEBUG=gctrace=1 'msg=it'\''s' '$HOME' 'path=C:\x'`,
		"module2 /boot/initrd.cpio initrd",
		"boot",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("menuentry body:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestGRUBConfigEmptyCmdline(t *testing.T) {
	got := menuentryLines(t, GRUBConfig(BootEntry{Kernel: "/boot/exogo.elf", Initrd: "/boot/initrd.cpio"}))
	if got[0] != "multiboot2 /boot/exogo.elf" {
		t.Errorf("multiboot2 line with an empty command line = %q", got[0])
	}
}

func TestGRUBConfigConsoleAndTimeout(t *testing.T) {
	cfg := GRUBConfig(BootEntry{Kernel: "/k", Initrd: "/i"})
	lines := strings.Split(cfg, "\n")
	for _, want := range []string{
		"set timeout=0",
		"set default=0",
		"serial --unit=0 --speed=115200",
		"terminal_input serial console",
		"terminal_output serial console",
	} {
		if !containsLine(lines, want) {
			t.Errorf("grub.cfg lacks the line %q:\n%s", want, cfg)
		}
	}
	// The serial console must be set up before anything can print.
	if strings.Index(cfg, "serial --unit=0") > strings.Index(cfg, "menuentry") {
		t.Errorf("serial console configured after the menuentry:\n%s", cfg)
	}
}

func TestGRUBConfigPlatformBranches(t *testing.T) {
	cfg := GRUBConfig(BootEntry{Kernel: "/k", Initrd: "/i"})
	_, rest, ok := strings.Cut(cfg, "if [ \"$grub_platform\" = \"efi\" ]; then\n")
	if !ok {
		t.Fatalf("no branch on $grub_platform:\n%s", cfg)
	}
	efi, rest, ok := strings.Cut(rest, "else\n")
	if !ok {
		t.Fatalf("platform branch has no else:\n%s", cfg)
	}
	pc, _, ok := strings.Cut(rest, "fi\n")
	if !ok {
		t.Fatalf("platform branch not closed:\n%s", cfg)
	}
	for _, mod := range []string{"efi_gop", "efi_uga"} {
		if !strings.Contains(efi, "insmod "+mod) {
			t.Errorf("UEFI branch does not load %s:\n%s", mod, efi)
		}
	}
	if strings.Contains(efi, "gfxpayload=text") {
		t.Errorf("UEFI branch asks for text mode, which UEFI does not have:\n%s", efi)
	}
	if !strings.Contains(pc, "set gfxpayload=text") {
		t.Errorf("BIOS branch does not keep text mode:\n%s", pc)
	}
	if strings.Index(cfg, "fi\n") > strings.Index(cfg, "menuentry") {
		t.Errorf("video setup comes after the menuentry:\n%s", cfg)
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) == want {
			return true
		}
	}
	return false
}

func TestGRUBConfigEFIMode(t *testing.T) {
	if cfg := GRUBConfig(BootEntry{Kernel: "/k", Initrd: "/i"}); strings.Contains(cfg, "gfxpayload=") && !strings.Contains(cfg, "gfxpayload=text") {
		t.Errorf("a mode is asked for without EFIMode:\n%s", cfg)
	}
	cfg := GRUBConfig(BootEntry{Kernel: "/k", Initrd: "/i", EFIMode: "1920x1080x32"})
	_, rest, _ := strings.Cut(cfg, "if [ \"$grub_platform\" = \"efi\" ]; then\n")
	efi, pc, _ := strings.Cut(rest, "else\n")
	if !strings.Contains(efi, "set gfxpayload=1920x1080x32\n") {
		t.Errorf("UEFI branch does not ask for the mode:\n%s", efi)
	}
	if strings.Contains(pc[:strings.Index(pc, "fi\n")], "1920x1080") {
		t.Errorf("BIOS branch asks for the UEFI mode:\n%s", pc)
	}
	for mode, want := range map[string]bool{
		"1920x1080x32": true, "1280x1024": true, "1920": false, "1920x": false,
		"x1080": false, "1920x1080x32x8": false, "auto": false, "1920x1080;reboot": false, "999999x1": false,
	} {
		if got := ValidEFIMode(mode); got != want {
			t.Errorf("ValidEFIMode(%q) = %v, want %v", mode, got, want)
		}
	}
}

// TestGRUBConfigMenu: the menu offers the boot asked for, the self-test and
// the serial console, in that order; it shows for MenuTimeout seconds.
func TestGRUBConfigMenu(t *testing.T) {
	cfg := GRUBConfig(BootEntry{Kernel: "/k", Initrd: "/i", Cmdline: "init=exo-test", MenuTimeout: USBMenuTimeout})
	if !containsLine(strings.Split(cfg, "\n"), "set timeout=3") {
		t.Errorf("no 3 s menu:\n%s", cfg)
	}
	first := strings.Index(cfg, "menuentry \"exogo\" {\n\tmultiboot2 /k init=exo-test\n")
	selftest := strings.Index(cfg, "menuentry \""+SelfTestEntry+"\" {\n\tmultiboot2 /k selftest\n")
	serial := strings.Index(cfg, "menuentry \""+SerialEntry+"\" {\n\tmultiboot2 /k init=exo-test console=serial\n")
	if first < 0 || selftest < first || serial < selftest {
		t.Errorf("entries missing or out of order (%d, %d, %d):\n%s", first, selftest, serial, cfg)
	}
	if strings.Count(cfg, "module2 /i initrd") != 3 {
		t.Errorf("every entry must pass the boot module:\n%s", cfg)
	}
	if strings.Contains(cfg, "Ctrl-A") {
		t.Errorf("grub.cfg tells a PC user about QEMU's keys:\n%s", cfg)
	}
}
