package check

import "testing"

func TestPackageOf(t *testing.T) {
	cases := map[string]string{
		"exogo/arch/amd64.Trap":                         "exogo/arch/amd64",
		"exogo/arch/amd64.(*CPU).Halt":                  "exogo/arch/amd64",
		"exogo/arch/amd64.Frame.PC":                     "exogo/arch/amd64",
		"exogo/arch/amd64.Trap.func1":                   "exogo/arch/amd64",
		"exogo/arch/amd64.entry.abi0":                   "exogo/arch/amd64",
		"exogo/kernel.Map[go.shape.uint64,go/ast.Node]": "exogo/kernel",
		"exogo/kernel.(*Set[go.shape.*uint8]).Add":      "exogo/kernel",
		"runtime.memmove":                               "runtime",
		"internal/runtime/atomic.Xadd64":                "internal/runtime/atomic",
		"golang.org/x/arch/x86/x86asm.Decode":           "golang.org/x/arch/x86/x86asm",
		"_rt0_amd64_linux":                              "",
	}
	for sym, want := range cases {
		if got := PackageOf(sym); got != want {
			t.Errorf("PackageOf(%q) = %q, want %q", sym, got, want)
		}
	}
}

func TestNameSetCoversDerivedSymbols(t *testing.T) {
	s := newNameSet([]string{"p/q.Boot", "p/q.(*T).Run", " p/q.Gen "})
	yes := []string{
		"p/q.Boot", "p/q.Boot.abi0", "p/q.Boot.func1", "p/q.Boot.func1.2",
		"p/q.Boot.gowrap1", "p/q.(*T).Run", "p/q.(*T).Run-fm", "p/q.(*T).Run.func3",
		"p/q.Gen[go.shape.int]", "p/q.Gen[go.shape.int].func1",
	}
	no := []string{
		"p/q.Booted", "p/q.Trap", "p/q.(*T).Stop", "p/q.T.Run", "p/q.Boot2.func1",
		"p/r.Boot", "p/q", "p/q.Gen2[go.shape.int]",
	}
	for _, sym := range yes {
		if !s.covers(sym) {
			t.Errorf("covers(%q) = false, want true", sym)
		}
	}
	for _, sym := range no {
		if s.covers(sym) {
			t.Errorf("covers(%q) = true, want false", sym)
		}
	}
}

func TestIsPackageInit(t *testing.T) {
	for sym, want := range map[string]bool{
		"p/q.init":          true,
		"p/q.init.0":        true,
		"p/q.init.func1":    true,
		"p/q.initTables":    false,
		"p/q.(*T).init":     false,
		"p/q.Boot.init.foo": false,
	} {
		if got := isPackageInit(sym); got != want {
			t.Errorf("isPackageInit(%q) = %v, want %v", sym, got, want)
		}
	}
}
