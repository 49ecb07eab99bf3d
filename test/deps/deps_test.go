// Package deps checks the direction of imports between exogo's layers: the
// kernel and the libOS never import each other, and what they share (abi/,
// arch/, boot/'s formats) imports neither. A libOS that imported the
// kernel would link kernel code into ring 3 programs (and the other way
// round, user assumptions into the kernel); the shared ABI packages are
// the only meeting point.
package deps

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

type pkg struct {
	ImportPath string
	Deps       []string
}

// packages lists every package of the module with its transitive imports,
// as built for the target (linux/amd64).
func packages(t *testing.T) []pkg {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(goTool, "list", "-deps=false", "-json=ImportPath,Deps", "exogo/...")
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var all []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		all = append(all, p)
	}
	if len(all) < 10 {
		t.Fatalf("go list found only %d packages", len(all))
	}
	return all
}

func under(path, tree string) bool { return path == tree || strings.HasPrefix(path, tree+"/") }

func TestLayersDoNotImportEachOther(t *testing.T) {
	rules := []struct {
		from      string
		forbidden []string
	}{
		{"exogo/kernel", []string{"exogo/libos", "exogo/cmd"}},
		{"exogo/libos", []string{"exogo/kernel", "exogo/cmd"}},
		{"exogo/abi", []string{"exogo/kernel", "exogo/libos", "exogo/cmd"}},
		{"exogo/arch", []string{"exogo/kernel", "exogo/libos", "exogo/cmd"}},
		{"exogo/cmd", []string{"exogo/kernel"}},
	}
	checked := 0
	for _, p := range packages(t) {
		for _, rule := range rules {
			if !under(p.ImportPath, rule.from) {
				continue
			}
			checked++
			for _, dep := range p.Deps {
				for _, bad := range rule.forbidden {
					if under(dep, bad) {
						t.Errorf("%s imports %s (directly or through another package): %s must not depend on %s", p.ImportPath, dep, rule.from, bad)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no package was checked")
	}
}
