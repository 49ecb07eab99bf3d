package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// buildProg builds the check package's test program into a temporary
// directory and returns the binary's path.
func buildProg(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "prog")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = filepath.Join("internal", "check", "testdata", "prog")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building test program: %v\n%s", err, msg)
	}
	return out
}

func runCmd(args ...string) (status int, stdout, stderr string) {
	var o, e bytes.Buffer
	status = run(args, &o, &e)
	return status, o.String(), e.String()
}

func TestCommand(t *testing.T) {
	prog := buildProg(t)

	status, out, errOut := runCmd("-packages", "restrictprog/clean", prog)
	if status != 0 || out != "restrictcheck: 2 restricted functions, 1 reached, 0 violations\n" {
		t.Errorf("clean: status %d, stdout %q, stderr %q", status, out, errOut)
	}

	status, out, errOut = runCmd("-packages", "restrictprog/clean",
		"-packages", "restrictprog/dirty", "-hosted", "restrictprog/dirty.HostedOnly", prog)
	if status != 1 {
		t.Errorf("dirty: status %d, want 1", status)
	}
	line := regexp.MustCompile(`^restrictcheck: [^ :]+[^:]*: \S+\.go:\d+: calls \S+.* \([^)]+\)$`)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, l := range lines {
		if !line.MatchString(l) {
			t.Errorf("violation line not in the documented format: %q", l)
		}
	}
	wantIndex := "restrictcheck: restrictprog/dirty.Index: "
	if !strings.Contains(out, wantIndex) || !strings.Contains(out, "dirty/dirty.go:") {
		t.Errorf("dirty: output lacks %q:\n%s", wantIndex, out)
	}
	if !strings.Contains(errOut, "violations") {
		t.Errorf("dirty: no summary on stderr: %q", errOut)
	}

	if status, _, _ := runCmd(prog); status != 2 {
		t.Errorf("no -packages: status %d, want 2", status)
	}
	if status, _, _ := runCmd("-packages", "restrictprog/nosuch", prog); status != 2 {
		t.Errorf("unknown package: status %d, want 2", status)
	}
	if status, _, _ := runCmd("-packages", "restrictprog/clean", filepath.Join(t.TempDir(), "missing")); status != 2 {
		t.Errorf("missing binary: status %d, want 2", status)
	}
}
