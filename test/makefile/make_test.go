// Package makefile tests the Makefile's promises to a newcomer: make help
// lists every target, and a mistyped variable gets a message that says
// what to write before anything is built.
package makefile

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// internal targets that a person never types.
var internal = map[string]bool{"all": true, "check-vars": true, "debug-image": true}

func TestHelpListsEveryTarget(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	text, err := os.ReadFile(filepath.Join("..", "..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	phony := regexp.MustCompile(`(?m)^\.PHONY:(.*)$`).FindSubmatch(text)
	if phony == nil {
		t.Fatal("the Makefile has no .PHONY line")
	}
	targets := strings.Fields(string(phony[1]))
	if len(targets) < 10 {
		t.Fatalf(".PHONY lists only %d targets: %v", len(targets), targets)
	}
	// Every rule with a recipe is phony (a file target would be skipped
	// when a file of that name exists).
	rules := regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*):`).FindAllSubmatch(text, -1)
	for _, r := range rules {
		name := string(r[1])
		found := false
		for _, p := range targets {
			found = found || p == name
		}
		if !found {
			t.Errorf("target %q is not in .PHONY", name)
		}
	}
	cmd := exec.Command("make", "--no-print-directory", "-s", "help")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make help: %v\n%s", err, out)
	}
	help := string(out)
	for _, target := range targets {
		if internal[target] {
			continue
		}
		if !regexp.MustCompile(`(?m)(^make |, make |; make )` + regexp.QuoteMeta(target) + `\b`).MatchString(help) {
			t.Errorf("make help does not list %q:\n%s", target, help)
		}
	}
}

func TestMistypedVariables(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	for _, tc := range []struct{ arg, want string }{
		{"SMP=two", "SMP=two is not a number of CPUs; write e.g. SMP=2"},
		{"SMP=0", "SMP=0 is not a number of CPUs"},
		{"FIRMWARE=efi", "FIRMWARE=efi is not a firmware; write FIRMWARE=bios or FIRMWARE=uefi"},
		{"MEM=lots", "MEM=lots is not a size; write e.g. MEM=512M or MEM=2G"},
		{"MEM=512MM", "MEM=512MM is not a size"},
		{"QEMU_DISPLAY=window", "QEMU_DISPLAY=window is not a display; write none, gtk, sdl or curses"},
	} {
		cmd := exec.Command("make", "--no-print-directory", "check-vars", tc.arg)
		cmd.Dir = filepath.Join("..", "..")
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Errorf("make check-vars %s succeeded", tc.arg)
		}
		if !strings.Contains(string(out), tc.want) {
			t.Errorf("make check-vars %s said %q, want %q", tc.arg, out, tc.want)
		}
	}
	cmd := exec.Command("make", "--no-print-directory", "check-vars", "SMP=2", "FIRMWARE=uefi", "MEM=2G", "QEMU_DISPLAY=gtk")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("make check-vars with good values: %v\n%s", err, out)
	}
}
