package qemu

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The standard library's own tests (go test -c binaries, unmodified), run
// on exogo with -test.short by init, each from its package's directory.

// stdTest is one package's test binary, with the -test.skip it needs and
// why (in a comment).
type stdTest struct{ pkg, skip string }

// stdTests need no files of their own.
var stdTests = []stdTest{
	{"sort", ""}, {"strings", ""}, {"strconv", ""}, {"bytes", ""},
	{"unicode/utf8", ""}, {"container/list", ""}, {"math", ""},
	{"math/rand", ""}, {"fmt", ""}, {"hash/crc32", ""},
	{"text/tabwriter", ""}, {"encoding/base64", ""},
}

// stdFileTests use the file system: their package's directory holds their
// testdata (and the sources some read), as in GOROOT, which the test
// copies into the image's /usr/local/go (the binaries' GOROOT).
var stdFileTests = []stdTest{
	{"io", ""}, {"io/fs", ""}, {"bufio", ""}, {"path/filepath", ""},
	{"regexp", ""}, {"compress/flate", ""}, {"time", ""},
	// TestMutexMisuse and TestIssue76126 run the test binary again as a
	// subprocess (os/exec). (ExampleOnceValues reads its own source,
	// example_test.go, from the package's directory.)
	{"sync", ""},
	{"os", strings.Join([]string{
		// Sockets are not built.
		"TestLargeCopyViaNetwork", "TestSpliceFile", "TestSendFile", "TestGetPollFDAndNetwork",
	}, "|")},
}

// stdSkip is the -test.skip pattern of s ("" for none).
func stdSkip(s stdTest) string {
	if s.skip == "" {
		return ""
	}
	return "^(" + s.skip + ")$"
}

// TestStandardLibraryTests runs the standard library's own tests, built
// with go test -c, with -test.short, on two CPUs: every one prints PASS
// and exits with status 0.
func TestStandardLibraryTests(t *testing.T) {
	runStdTests(t, "build/exogo-stdtests.iso", stdTests, false)
}

// TestStandardLibraryFileTests runs the tests of the packages that use
// files (io, io/fs, bufio, path/filepath, os, regexp, compress/flate,
// time) against the RAM file system, each in its package's directory
// with its testdata there.
func TestStandardLibraryFileTests(t *testing.T) {
	runStdTests(t, "build/exogo-stdfiletests.iso", stdFileTests, true)
}

func runStdTests(t *testing.T, iso string, tests []stdTest, withTree bool) {
	root := repoRoot(t)
	requireQEMU(t)
	dir := t.TempDir()
	var pkgs, bins, rc, vars []string
	goroot := goEnv(t, root, "GOROOT")
	for _, s := range tests {
		pkgs = append(pkgs, s.pkg)
		name := filepath.Base(s.pkg) + ".test"
		bins = append(bins, filepath.Join(dir, name))
		if withTree {
			rc = append(rc, "cd "+filepath.Join(goroot, "src", s.pkg))
		}
		line := "/bin/" + name + " -test.short"
		if skip := stdSkip(s); skip != "" {
			line += " -test.skip " + skip
		}
		rc = append(rc, line)
	}
	goCommand(t, root, dir, append([]string{"test", "-c", "-o", dir + "/"}, pkgs...)...)
	if withTree {
		tree := filepath.Join(dir, "tree")
		stageGoroot(t, goroot, filepath.Join(tree, goroot), pkgs)
		vars = append(vars, "EXTRA_TREE="+tree)
	}
	// u-root's pwd, for os's TestStartProcess (it runs pwd from $PATH):
	// its busybox binary and the link to it, without the shell (init
	// runs /etc/rc itself).
	cmd := exec.Command("make", "-s", "uroot")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make uroot: %v\n%s", err, out)
	}
	bins = append(bins, filepath.Join(root, "build/uroot/bin/bb"), filepath.Join(root, "build/uroot/bin/pwd"))
	image := makeISO(t, root, iso, "init=init", bins, append(rc, "poweroff"), vars...)
	out := bootAndRun(t, image, BIOS, 2, "", "the standard library's tests")
	expectLines(t, out, `init: powering off \(last status 0\)`)
	// Each binary's lines: its rc line, PASS, and its exit status 0.
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if _, text, ok := strings.Cut(l, "] "); ok {
			lines = append(lines, strings.TrimRight(text, "\r"))
		}
	}
	for _, s := range tests {
		name := filepath.Base(s.pkg) + ".test"
		started := regexp.MustCompile(`^init: /etc/rc:\d+: /bin/` + regexp.QuoteMeta(name) + ` -test.short`)
		ended := regexp.MustCompile(`^init: /bin/` + regexp.QuoteMeta(name) + ` \(process \d+\) exited with status (\d+)`)
		state := "never started"
		for _, l := range lines {
			switch {
			case started.MatchString(l):
				state = "started, no PASS"
			case l == "PASS" && state == "started, no PASS":
				state = "passed"
			case ended.MatchString(l):
				if status := ended.FindStringSubmatch(l)[1]; status != "0" || state != "passed" {
					state = "ended with status " + status + " after: " + state
				} else {
					state = "ok"
				}
			}
		}
		if state != "ok" {
			t.Errorf("%s (%s): %s", s.pkg, name, state)
		}
	}
}

// goEnv is the pinned toolchain's go env name.
func goEnv(t *testing.T, root, name string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(root, "tools/go"), "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// stageGoroot copies into dest what the packages' tests read of goroot:
// each package's directory (its files, and its subpackages' directories
// empty) with its testdata, and what some read beyond: src/testdata and
// src/compress/testdata (compress/flate), src/unicode (path/filepath's
// walk of it), lib/time/zoneinfo.zip (time).
func stageGoroot(t *testing.T, goroot, dest string, pkgs []string) {
	t.Helper()
	dirs := []string{"src/unicode", "src/unicode/utf8", "src/unicode/utf16"}
	for _, p := range pkgs {
		dirs = append(dirs, "src/"+p)
	}
	for _, d := range dirs {
		entries, err := os.ReadDir(filepath.Join(goroot, d))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			switch {
			case e.Type().IsRegular():
				copyFile(t, filepath.Join(goroot, d, e.Name()), filepath.Join(dest, d, e.Name()))
			case e.IsDir():
				// Subpackages' directories, empty (os's TestReadDir
				// looks for os/exec).
				if err := os.MkdirAll(filepath.Join(dest, d, e.Name()), 0o755); err != nil {
					t.Fatal(err)
				}
			}
		}
		copyDirTree(t, filepath.Join(goroot, d, "testdata"), filepath.Join(dest, d, "testdata"))
	}
	copyDirTree(t, filepath.Join(goroot, "src/testdata"), filepath.Join(dest, "src/testdata"))
	copyDirTree(t, filepath.Join(goroot, "src/compress/testdata"), filepath.Join(dest, "src/compress/testdata"))
	copyFile(t, filepath.Join(goroot, "lib/time/zoneinfo.zip"), filepath.Join(dest, "lib/time/zoneinfo.zip"))
}

// copyDirTree copies the directory tree from (if it exists) to to, with its
// symbolic links.
func copyDirTree(t *testing.T, from, to string) {
	t.Helper()
	if _, err := os.Stat(from); os.IsNotExist(err) {
		return
	}
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		target := filepath.Join(to, rel)
		switch {
		case info.IsDir():
			return os.MkdirAll(target, 0o755)
		case info.Mode()&os.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		}
		copyFile(t, p, target)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	info, _ := in.Stat()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, info.Mode().Perm())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
