package gowrapper

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pinned reads the toolchain go.mod pins.
func pinned(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^toolchain (go\S+)$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("go.mod has no toolchain line")
	}
	return string(m[1])
}

// fakeGo is a go command of release version: it answers "env GOVERSION",
// and "mod download -json MODULE" by making a toolchain tree for MODULE
// (read-only, without execute bits, as the module cache keeps it) whose
// bin/go is a fake of the module's release; every download is logged.
const fakeGo = `#!/bin/bash
if [[ "$1" == env && "$2" == GOVERSION ]]; then echo "@VERSION@"; exit 0; fi
if [[ "$1" == env && "$2" == GOPROXY ]]; then echo "fake-proxy"; exit 0; fi
if [[ "$1" == mod && "$2" == download ]]; then
	echo "$4" >> "@LOG@"
	[[ -e "@FAIL@" ]] && { echo "fake: network down" >&2; exit 1; }
	release="${4#golang.org/toolchain@v0.0.1-}"; release="${release%.linux-*}"
	dir="@CACHE@/$4"
	mkdir -p "$dir/bin" "$dir/pkg/tool/linux_amd64"
	placeholder='@VER''SION@' # not written whole: installGo replaces that
	sed -e "s/$placeholder/$release/" "@SELF@" > "$dir/bin/go"
	echo tool > "$dir/pkg/tool/linux_amd64/compile"
	chmod 0444 "$dir/bin/go" "$dir/pkg/tool/linux_amd64/compile"
	printf '{\n\t"Path": "golang.org/toolchain",\n\t"Dir": "%s",\n\t"Sum": "x"\n}\n' "$dir"
	exit 0
fi
echo "ran @VERSION@: $*"
`

type world struct {
	t      *testing.T
	dir    string // everything lives here
	bin    string // the only directory on PATH
	cache  string // EXOGO_TOOLCHAIN_CACHE
	log    string // downloads made
	fail   string // exists: downloads fail
	script string // the fake go's source, for copies
}

// newWorld makes a PATH holding only the tools the script needs (no go).
func newWorld(t *testing.T) *world {
	t.Helper()
	dir := t.TempDir()
	w := &world{t: t, dir: dir, bin: filepath.Join(dir, "bin"), cache: filepath.Join(dir, "cache"),
		log: filepath.Join(dir, "downloads"), fail: filepath.Join(dir, "fail"), script: filepath.Join(dir, "fakego")}
	if err := os.MkdirAll(w.bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"bash", "awk", "sed", "mktemp", "cp", "chmod", "mv", "rm", "mkdir", "uname", "dirname", "head", "id", "cat", "printf", "env"} {
		path, err := exec.LookPath(tool)
		if err != nil {
			t.Skipf("%s is not installed", tool)
		}
		if err := os.Symlink(path, filepath.Join(w.bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	source := strings.NewReplacer("@LOG@", w.log, "@FAIL@", w.fail, "@CACHE@", filepath.Join(dir, "modcache"), "@SELF@", w.script).Replace(fakeGo)
	if err := os.WriteFile(w.script, []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	// sudo runs its arguments; apt-get "installs golang-go": a go 1.19.
	w.write("sudo", "#!/bin/bash\nexec \"$@\"\n")
	w.write("apt-get", "#!/bin/bash\necho \"apt-get $*\" >> "+filepath.Join(dir, "apt")+"\nif [[ \"$1\" == install ]]; then sed -e s/@VERSION@/go1.19.8/ "+w.script+" > "+filepath.Join(w.bin, "go")+"; chmod +x "+filepath.Join(w.bin, "go")+"; fi\n")
	return w
}

func (w *world) write(name, content string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.bin, name), []byte(content), 0o755); err != nil {
		w.t.Fatal(err)
	}
}

// installGo puts a fake go of release version on PATH.
func (w *world) installGo(version string) {
	w.t.Helper()
	source, err := os.ReadFile(w.script)
	if err != nil {
		w.t.Fatal(err)
	}
	w.write("go", strings.ReplaceAll(string(source), "@VERSION@", version))
}

// run runs tools/go with args and returns its standard output and error.
func (w *world) run(args ...string) (string, string, error) {
	cmd := exec.Command(filepath.Join(w.bin, "bash"), append([]string{"../go"}, args...)...)
	cmd.Env = []string{"PATH=" + w.bin, "HOME=" + w.dir, "EXOGO_TOOLCHAIN_CACHE=" + w.cache}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

func (w *world) downloads() int {
	data, _ := os.ReadFile(w.log)
	return strings.Count(string(data), "\n")
}

func TestPinnedGoOnPathIsUsed(t *testing.T) {
	w := newWorld(t)
	want := pinned(t)
	w.installGo(want)
	out, errs, err := w.run("--which")
	if err != nil || strings.TrimSpace(out) != filepath.Join(w.bin, "go") {
		t.Fatalf("--which = %q, %v\n%s", out, err, errs)
	}
	out, _, err = w.run("build", "./x")
	if err != nil || !strings.Contains(out, "ran "+want+": build ./x") {
		t.Errorf("run = %q, %v", out, err)
	}
	if w.downloads() != 0 {
		t.Errorf("%d downloads with the pinned go on PATH", w.downloads())
	}
}

// Any other go that can download modules fetches the pinned one once;
// later runs use the cached copy.
func TestOtherGoFetchesThePinnedOnce(t *testing.T) {
	for _, other := range []string{"go1.19.8", "go1.27.0"} {
		t.Run(other, func(t *testing.T) {
			w := newWorld(t)
			want := pinned(t)
			w.installGo(other)
			cached := filepath.Join(w.cache, want, "bin", "go")
			out, errs, err := w.run("--which")
			if err != nil || strings.TrimSpace(out) != cached {
				t.Fatalf("--which = %q, %v\n%s", out, err, errs)
			}
			if info, err := os.Stat(cached); err != nil || info.Mode()&0o111 == 0 {
				t.Errorf("the fetched go is not executable: %v %v", info.Mode(), err)
			}
			tool := filepath.Join(w.cache, want, "pkg", "tool", "linux_amd64", "compile")
			if info, err := os.Stat(tool); err != nil || info.Mode()&0o111 == 0 {
				t.Errorf("the fetched tools are not executable: %v", err)
			}
			out, _, err = w.run("version")
			if err != nil || !strings.Contains(out, "ran "+want+": version") {
				t.Errorf("run = %q, %v", out, err)
			}
			if w.downloads() != 1 {
				t.Errorf("%d downloads, want 1 (then the cache)", w.downloads())
			}
			data, _ := os.ReadFile(w.log)
			if !strings.Contains(string(data), "golang.org/toolchain@v0.0.1-"+want+".linux-") {
				t.Errorf("downloaded %q", data)
			}
		})
	}
}

// With no go at all, or one too old to download modules, Debian's
// golang-go is installed to fetch with.
func TestNoGoInstallsABootstrap(t *testing.T) {
	for _, start := range []string{"", "go1.16"} {
		t.Run("go="+start, func(t *testing.T) {
			w := newWorld(t)
			if start != "" {
				w.installGo(start)
			}
			out, errs, err := w.run("--which")
			if err != nil || strings.TrimSpace(out) != filepath.Join(w.cache, pinned(t), "bin", "go") {
				t.Fatalf("--which = %q, %v\n%s", out, err, errs)
			}
			apt, _ := os.ReadFile(filepath.Join(w.dir, "apt"))
			if !strings.Contains(string(apt), "install -y --no-install-recommends golang-go") {
				t.Errorf("apt-get was not asked for golang-go: %q", apt)
			}
		})
	}
}

func TestDownloadFailureSaysWhatToDo(t *testing.T) {
	w := newWorld(t)
	w.installGo("go1.27.0")
	if err := os.WriteFile(w.fail, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, err := w.run("version")
	if err == nil {
		t.Fatalf("succeeded with the network down: %q", out)
	}
	if !strings.Contains(errs, "could not download golang.org/toolchain") || !strings.Contains(errs, "install "+pinned(t)+" yourself") {
		t.Errorf("message: %q", errs)
	}
	if _, err := os.Stat(filepath.Join(w.cache, pinned(t))); err == nil {
		t.Error("a failed fetch left a toolchain in the cache")
	}
}
