package check

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The test program in testdata/prog is its own module (restrictprog), so it
// is not part of ./... . It is built once per test run.
var (
	progOnce sync.Once
	progBin  *Binary
	progErr  error
)

func testBinary(t *testing.T) *Binary {
	t.Helper()
	progOnce.Do(func() {
		dir, err := os.MkdirTemp("", "restrictcheck-test")
		if err != nil {
			progErr = err
			return
		}
		defer os.RemoveAll(dir) // LoadBinary keeps everything it needs in memory
		out := filepath.Join(dir, "prog")
		cmd := exec.Command("go", "build", "-o", out, ".")
		cmd.Dir = filepath.Join("testdata", "prog")
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=")
		if msg, err := cmd.CombinedOutput(); err != nil {
			progErr = &buildError{err, string(msg)}
			return
		}
		progBin, progErr = LoadBinary(out)
	})
	if progErr != nil {
		t.Fatal(progErr)
	}
	return progBin
}

type buildError struct {
	err    error
	output string
}

func (e *buildError) Error() string {
	return "building testdata/prog: " + e.err.Error() + "\n" + e.output
}

// markerLine returns the line of the comment "// VIOLATION:<tag>" in the
// testdata file rel (relative to testdata/prog).
func markerLine(t *testing.T, rel, tag string) int {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "prog", rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.HasSuffix(sc.Text(), "// VIOLATION:"+tag) {
			return n
		}
	}
	t.Fatalf("no marker VIOLATION:%s in %s", tag, rel)
	return 0
}

func mustCheck(t *testing.T, cfg Config) *Result {
	t.Helper()
	res, err := Check(testBinary(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func dumpViolations(t *testing.T, res *Result) {
	t.Helper()
	for i, v := range res.Violations {
		if i == 40 {
			t.Logf("... %d more", len(res.Violations)-i)
			return
		}
		t.Log(v)
	}
}

func TestCleanPackageHasNoViolations(t *testing.T) {
	res := mustCheck(t, Config{Packages: []string{"restrictprog/clean"}})
	if len(res.Violations) != 0 {
		dumpViolations(t, res)
		t.Fatalf("clean package: got %d violations, want 0", len(res.Violations))
	}
	if res.Roots != 2 {
		t.Errorf("Roots = %d, want 2 (Checksum, Lookup)", res.Roots)
	}
	if res.Reached != 1 {
		t.Errorf("Reached = %d, want 1 (helper.Add)", res.Reached)
	}
	want := "restrictcheck: 2 restricted functions, 1 reached, 0 violations"
	if got := res.Summary(); got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
}

var dirtyConfig = Config{
	Packages:  []string{"restrictprog/dirty", "restrictprog/clean"},
	Functions: []string{"restrictprog/helper.Leaky"},
	Hosted:    []string{"restrictprog/dirty.HostedOnly"},
}

func TestEachViolationClassIsCaught(t *testing.T) {
	res := mustCheck(t, dirtyConfig)
	cases := []struct {
		tag    string
		file   string   // relative to testdata/prog
		chain  []string // expected chain, root first
		target string   // expected target prefix
		reason string
	}{
		{"append", "dirty/dirty.go", []string{"restrictprog/dirty.Append"}, "runtime.growslice", ReasonAlloc},
		{"new", "dirty/dirty.go", []string{"restrictprog/dirty.Escape"}, "runtime.newobject", ReasonAlloc},
		{"index", "dirty/dirty.go", []string{"restrictprog/dirty.Index"}, "runtime.panic", ReasonPanic},
		{"store", "dirty/dirty.go", []string{"restrictprog/dirty.StorePointer"}, "runtime.gcWriteBarrier", ReasonBarrier},
		{"map", "dirty/dirty.go", []string{"restrictprog/dirty.MapWrite"}, "runtime.mapassign", ReasonAlloc},
		{"indirect", "dirty/dirty.go", []string{"restrictprog/dirty.CallHook"}, "through ", ReasonIndirect},
		{"leaky", "helper/helper.go", []string{"restrictprog/helper.Leaky"}, "runtime.makeslice", ReasonAlloc},
	}
	for _, c := range cases {
		line := markerLine(t, c.file, c.tag)
		found := false
		for _, v := range res.Violations {
			if strings.Join(v.Chain, " -> ") == strings.Join(c.chain, " -> ") &&
				strings.HasSuffix(v.File, "/"+c.file) && v.Line == line &&
				strings.HasPrefix(v.Target, c.target) && v.Reason == c.reason {
				found = true
				break
			}
		}
		if !found {
			dumpViolations(t, res)
			t.Errorf("%s: no violation %s: %s:%d: calls %s* (%s)",
				c.tag, strings.Join(c.chain, " -> "), c.file, line, c.target, c.reason)
		}
	}
}

// The fmt.Sprintf call hides behind helper.Describe in a hosted package; the
// report must show the chain from the restricted root into fmt.
func TestTransitiveViolationShowsChain(t *testing.T) {
	res := mustCheck(t, dirtyConfig)
	root, helper := "restrictprog/dirty.ViaHelper", "restrictprog/helper.Describe"
	var direct, inFmt bool
	for _, v := range res.Violations {
		if len(v.Chain) < 2 || v.Chain[0] != root || v.Chain[1] != helper {
			continue
		}
		// Describe boxes its argument for Sprintf: an allocation on the
		// Sprintf line of helper.go.
		if len(v.Chain) == 2 && strings.HasSuffix(v.File, "/helper/helper.go") && v.Reason == ReasonAlloc {
			direct = true
		}
		if len(v.Chain) >= 3 && v.Chain[2] == "fmt.Sprintf" {
			inFmt = true
			if !strings.HasPrefix(v.String(), "restrictcheck: "+root+" -> "+helper+" -> fmt.Sprintf") {
				t.Errorf("violation line does not start with the chain: %s", v)
			}
		}
	}
	if !direct {
		dumpViolations(t, res)
		t.Errorf("no allocation reported in %s reached from %s", helper, root)
	}
	if !inFmt {
		dumpViolations(t, res)
		t.Errorf("no violation reported inside fmt.Sprintf with chain %s -> %s", root, helper)
	}
}

func callersOf(res *Result, caller string) []Violation {
	var vs []Violation
	for _, v := range res.Violations {
		if v.Caller() == caller {
			vs = append(vs, v)
		}
	}
	return vs
}

func TestHostedFunctionIsNotARoot(t *testing.T) {
	const hosted = "restrictprog/dirty.HostedOnly"
	if vs := callersOf(mustCheck(t, dirtyConfig), hosted); len(vs) != 0 {
		t.Errorf("exempted %s still reported: %v", hosted, vs)
	}
	cfg := dirtyConfig
	cfg.Hosted = nil
	if vs := callersOf(mustCheck(t, cfg), hosted); len(vs) == 0 {
		t.Errorf("without the exemption, %s (an append to a global) was not reported", hosted)
	}
}

func TestPackageInitIsNotARoot(t *testing.T) {
	// dirty's var block builds a map and a closure: its init allocates.
	if vs := callersOf(mustCheck(t, dirtyConfig), "restrictprog/dirty.init"); len(vs) != 0 {
		t.Errorf("package initializer reported: %v", vs)
	}
}

func TestIndirectOK(t *testing.T) {
	const caller = "restrictprog/dirty.CallHook"
	cfg := dirtyConfig
	cfg.IndirectOK = []string{caller}
	for _, v := range callersOf(mustCheck(t, cfg), caller) {
		if v.Reason == ReasonIndirect {
			t.Errorf("indirect call reported although %s is in IndirectOK: %s", caller, v)
		}
	}
}

func TestStrictStackReportsMorestack(t *testing.T) {
	res := mustCheck(t, Config{Packages: []string{"restrictprog/clean"}, StrictStack: true})
	var found bool
	for _, v := range res.Violations {
		if v.Caller() == "restrictprog/clean.Checksum" && v.Reason == ReasonStack &&
			strings.HasPrefix(v.Target, "runtime.morestack") {
			found = true
		}
		if v.Caller() == "restrictprog/clean.Lookup" {
			t.Errorf("leaf function Lookup has no stack check, got %s", v)
		}
	}
	if !found {
		dumpViolations(t, res)
		t.Error("StrictStack: no stack growth violation in clean.Checksum (which has a frame)")
	}
}

func TestUnknownNamesAreErrors(t *testing.T) {
	b := testBinary(t)
	if _, err := Check(b, Config{Packages: []string{"restrictprog/nosuch"}}); err == nil {
		t.Error("unknown package: no error")
	}
	if _, err := Check(b, Config{Functions: []string{"restrictprog/clean.NoSuch"}}); err == nil {
		t.Error("unknown function: no error")
	}
}

func TestViolationString(t *testing.T) {
	v := Violation{
		Chain: []string{"p.Root", "q.Helper"}, File: "/src/q/q.go", Line: 12,
		Target: "runtime.newobject", Reason: ReasonAlloc,
	}
	want := "restrictcheck: p.Root -> q.Helper: /src/q/q.go:12: calls runtime.newobject (allocates)"
	if got := v.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
