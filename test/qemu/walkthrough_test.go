package qemu

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseWalkthrough(t *testing.T) {
	md := "text\n```go file=cmd/x/main.go\npackage main\n```\n" +
		"```sh\nnot run\n```\n" +
		"```conf append=t.conf\nline\n```\n" +
		"```console\n$ make a\n...\nfirst\n\nsecond\n$ make b\n```\n"
	steps, err := ParseWalkthrough(md)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 3 {
		t.Fatalf("got %d steps, want 3: %+v", len(steps), steps)
	}
	if s := steps[0]; s.Kind != StepWriteFile || s.Path != "cmd/x/main.go" || s.Text != "package main\n" || s.Line != 2 {
		t.Errorf("file step: %+v", s)
	}
	if s := steps[1]; s.Kind != StepAppendFile || s.Path != "t.conf" || s.Text != "line\n" {
		t.Errorf("append step: %+v", s)
	}
	s := steps[2]
	if s.Kind != StepCommands || len(s.Commands) != 2 || s.Commands[0].Shell != "make a" ||
		strings.Join(s.Commands[0].Expect, "|") != "first|second" || len(s.Commands[1].Expect) != 0 {
		t.Errorf("console step: %+v", s)
	}
	for _, bad := range []string{
		"```console\noutput first\n```\n",
		"```console\n```\n",
		"```go file=../x.go\n```\n",
		"```go file=/etc/passwd\n```\n",
		"```console\n$ true\n",
	} {
		if _, err := ParseWalkthrough(bad); err == nil {
			t.Errorf("ParseWalkthrough(%q) accepted it", bad)
		}
	}
}

func TestMissingOutput(t *testing.T) {
	out := "a one\r\nb two\nc three\n"
	if m := MissingOutput(out, []string{"one", "three"}); m != "" {
		t.Errorf("missing %q", m)
	}
	if m := MissingOutput(out, []string{"three", "one"}); m != "one" {
		t.Errorf("order not checked: missing %q", m)
	}
	if m := MissingOutput(out, []string{"one", "one"}); m != "one" {
		t.Errorf("one line matched twice: missing %q", m)
	}
}

// TestWalkthroughs follows every docs/walkthrough-*.md in a fresh copy of
// the repository (its build cache shared), writing the files and running
// the commands it shows, and checks that each command prints what the page
// says it does.
func TestWalkthroughs(t *testing.T) {
	if os.Getenv("EXOGO_SKIP_QEMU") == "1" {
		t.Skip("EXOGO_SKIP_QEMU=1")
	}
	root := repoRoot(t)
	pages, err := filepath.Glob(filepath.Join(root, "docs", "walkthrough-*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no docs/walkthrough-*.md (%v)", err)
	}
	for _, page := range pages {
		name := filepath.Base(page)
		t.Run(strings.TrimSuffix(name, ".md"), func(t *testing.T) {
			text, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			steps, err := ParseWalkthrough(string(text))
			if err != nil {
				t.Fatalf("docs/%s: %v", name, err)
			}
			dir := t.TempDir()
			copyTree(t, root, dir)
			for _, step := range steps {
				where := "docs/" + name + ":" + strconv.Itoa(step.Line)
				switch step.Kind {
				case StepWriteFile, StepAppendFile:
					path := filepath.Join(dir, step.Path)
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
					if step.Kind == StepAppendFile {
						flags = os.O_WRONLY | os.O_APPEND
					}
					f, err := os.OpenFile(path, flags, 0o644)
					if err != nil {
						t.Fatalf("%s: %v", where, err)
					}
					_, err = f.WriteString(step.Text)
					if cerr := f.Close(); err == nil {
						err = cerr
					}
					if err != nil {
						t.Fatalf("%s: %v", where, err)
					}
				case StepCommands:
					for _, c := range step.Commands {
						t.Logf("%s: $ %s", where, c.Shell)
						out := runShell(t, dir, c.Shell)
						if missing := MissingOutput(out, c.Expect); missing != "" {
							t.Fatalf("%s: `%s` did not print %q (in order after the lines before it); its last lines:\n%s",
								where, c.Shell, missing, tail(out, 40))
						}
					}
				}
			}
		})
	}
}

// runShell runs one command of a walkthrough and returns what it printed.
func runShell(t *testing.T, dir, shell string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", shell)
	cmd.Dir = dir // stdin is /dev/null
	// The walkthrough is run as a newcomer runs it: no make variables or
	// Go settings from the make that runs this test.
	cmd.Env = filterEnv(os.Environ(), "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "GOFLAGS", "GO")
	out, _ := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("`%s` did not finish within 15 minutes; its last lines:\n%s", shell, tail(string(out), 40))
	}
	return string(out)
}

func filterEnv(env []string, drop ...string) []string {
	var kept []string
next:
	for _, kv := range env {
		for _, d := range drop {
			if strings.HasPrefix(kv, d+"=") {
				continue next
			}
		}
		kept = append(kept, kv)
	}
	return kept
}

// copyTree copies the repository's files (not .git or build) into dir.
func copyTree(t *testing.T, root, dir string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() && (rel == ".git" || rel == "build") {
			return filepath.SkipDir
		}
		target := filepath.Join(dir, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		default:
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, info.Mode().Perm())
		}
	})
	if err != nil {
		t.Fatalf("copying the repository: %v", err)
	}
}
