// Package check verifies that the restricted code of a built Go binary keeps
// the rules of ring-0 Go: no allocation, no Go pointer stores (write
// barriers), no panics, no blocking, no calls it cannot see.
//
// It works on machine code, so it sees what the compiler really emitted
// (bounds checks, write barriers, escape-analysis allocations), not what the
// source seems to say. Starting from the root functions (every function of
// the restricted packages plus extra named functions, minus the exempted
// hosted-only ones) it decodes each function, resolves every direct call
// and tail jump, and:
//
//   - follows calls into ordinary Go code transitively, so that a helper in
//     another package is held to the same rules, and reports a violation
//     there with the chain of calls that reached it;
//   - judges calls into the runtime and its helper packages by name (see
//     Judge): forbidden functions and unknown ones are violations, listed
//     safe leaves are not;
//   - reports indirect calls (func values, interface methods), which cannot
//     be verified, unless the caller is listed as allowed to make them.
//
// Each function is scanned once; its violations carry the first (shortest)
// chain found from a root.
package check

import (
	"exogo/abi/elfload"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// Config selects the restricted code and its exemptions. Names are full
// symbol names as `go tool nm` prints them, e.g. "exogo/arch/amd64.(*CPU).Trap".
type Config struct {
	// Packages are import paths whose every function is a root.
	Packages []string
	// Functions are extra roots, for restricted functions in hosted packages.
	Functions []string
	// Hosted are functions inside restricted packages that only run above
	// the runtime; they (and their closures and wrappers) are not roots.
	// They are still checked if restricted code calls them.
	Hosted []string
	// IndirectOK are functions (with their closures) allowed to make
	// indirect calls, such as a trap dispatcher calling through a table.
	IndirectOK []string
	// StrictStack makes prologue calls to runtime.morestack violations.
	StrictStack bool
}

// Result is the outcome of a check.
type Result struct {
	Roots      int // restricted functions checked as roots
	Reached    int // other functions checked because roots reach them
	Violations []Violation
}

// Violation is one forbidden call site.
type Violation struct {
	Chain  []string // root first, the function containing the call last
	PC     uint64   // address of the call instruction
	File   string   // source position of the call
	Line   int
	Target string // called symbol, or a description of an indirect target
	Reason string
}

// Caller returns the function containing the call.
func (v Violation) Caller() string { return v.Chain[len(v.Chain)-1] }

// String formats the violation as one greppable line:
// "restrictcheck: root -> ... -> caller: file:line: calls target (reason)".
func (v Violation) String() string {
	return fmt.Sprintf("restrictcheck: %s: %s:%d: calls %s (%s)",
		strings.Join(v.Chain, " -> "), v.File, v.Line, v.Target, v.Reason)
}

// Summary returns the one-line summary of a result.
func (r *Result) Summary() string {
	return fmt.Sprintf("restrictcheck: %d restricted functions, %d reached, %d violations",
		r.Roots, r.Reached, len(r.Violations))
}

// node is a function queued for scanning with the chain that reached it.
type node struct {
	fn     *Func
	parent *node
}

func (n *node) chain() []string {
	var c []string
	for ; n != nil; n = n.parent {
		c = append(c, n.fn.Name)
	}
	for i, j := 0, len(c)-1; i < j; i, j = i+1, j-1 {
		c[i], c[j] = c[j], c[i]
	}
	return c
}

// Check runs the check over b.
func Check(b *Binary, cfg Config) (*Result, error) {
	roots, err := findRoots(b, cfg)
	if err != nil {
		return nil, err
	}
	c := &checker{
		bin:        b,
		cfg:        cfg,
		indirectOK: newNameSet(cfg.IndirectOK),
		seen:       make(map[*Func]bool),
		result:     &Result{Roots: len(roots)},
	}
	queue := make([]*node, 0, len(roots))
	for _, fn := range roots {
		c.seen[fn] = true
		queue = append(queue, &node{fn: fn})
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n.parent != nil {
			c.result.Reached++
		}
		callees, err := c.scan(n)
		if err != nil {
			return nil, err
		}
		for _, fn := range callees {
			queue = append(queue, &node{fn: fn, parent: n})
		}
	}
	// Group the report by root; within a root, keep discovery order
	// (shallow chains first).
	sort.SliceStable(c.result.Violations, func(i, j int) bool {
		return c.result.Violations[i].Chain[0] < c.result.Violations[j].Chain[0]
	})
	return c.result, nil
}

// findRoots returns the root functions sorted by name. A package or function
// that matches nothing is an error, so that a renamed symbol cannot silently
// drop code out of the check.
func findRoots(b *Binary, cfg Config) ([]*Func, error) {
	hosted := newNameSet(cfg.Hosted)
	pkgs := make(map[string]int)
	for _, p := range cfg.Packages {
		if p = strings.TrimSpace(p); p != "" {
			pkgs[p] = 0
		}
	}
	rootSet := make(map[*Func]bool)
	for _, fn := range b.Funcs() {
		pkg := PackageOf(fn.Name)
		if _, ok := pkgs[pkg]; !ok {
			continue
		}
		pkgs[pkg]++
		if !hosted.covers(fn.Name) && !isPackageInit(fn.Name) && !isCompilerWrapper(b, fn) {
			rootSet[fn] = true
		}
	}
	for p, n := range pkgs {
		if n == 0 {
			return nil, fmt.Errorf("restricted package %s has no functions in the binary", p)
		}
	}
	for _, name := range cfg.Functions {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		fn := b.Lookup(name)
		if fn == nil || fn.Size == 0 {
			return nil, fmt.Errorf("restricted function %s is not in the binary", name)
		}
		rootSet[fn] = true
	}
	roots := make([]*Func, 0, len(rootSet))
	for fn := range rootSet {
		roots = append(roots, fn)
	}
	sort.Slice(roots, func(i, j int) bool { return roots[i].Name < roots[j].Name })
	return roots, nil
}

// isCompilerWrapper reports whether fn is a method wrapper the compiler
// generated (file "<autogenerated>", such as (*T).String for a value
// method). Kernel code does not call them directly, so they are not roots;
// if restricted code does reach one, it is checked like any callee.
func isCompilerWrapper(b *Binary, fn *Func) bool {
	file, _ := b.Line(fn.Addr)
	return file == "<autogenerated>"
}

// isPackageInit reports whether symbol is a package initializer ("p.init",
// "p.init.0", "p.init.func1"): initializers run while the runtime starts,
// in hosted context, so they are never roots.
func isPackageInit(symbol string) bool {
	rest := strings.TrimPrefix(BaseName(symbol), PackageOf(symbol)+".")
	return rest == "init" || strings.HasPrefix(rest, "init.")
}

type checker struct {
	bin        *Binary
	cfg        Config
	indirectOK nameSet
	seen       map[*Func]bool
	result     *Result
}

// scan decodes one function, records its violations and returns the
// not-yet-seen functions it calls that must be followed.
func (c *checker) scan(n *node) ([]*Func, error) {
	fn := n.fn
	code, err := c.bin.Code(fn)
	if err != nil {
		return nil, err
	}
	var follow []*Func
	off := 0
	if strings.HasPrefix(string(code), elfload.NativeMarker) {
		off = len(elfload.NativeMarker) // a jump over text, not code
	}
	for off < len(code) {
		pc := fn.Addr + uint64(off)
		inst, err := x86asm.Decode(code[off:], 64)
		if err != nil {
			c.report(n, pc, fmt.Sprintf("% x", code[off:off+1]), ReasonUndecodable)
			off++
			continue
		}
		off += inst.Len
		next := fn.Addr + uint64(off)
		switch inst.Op {
		case x86asm.CALL, x86asm.JMP:
		default:
			if _, ok := inst.Args[0].(x86asm.Rel); !ok {
				continue // not a control transfer we must resolve
			}
		}
		switch arg := inst.Args[0].(type) {
		case x86asm.Rel:
			target := uint64(int64(next) + int64(arg))
			if target >= fn.Addr && target < fn.End() {
				continue // a branch inside the function
			}
			if callee := c.call(n, pc, target); callee != nil {
				follow = append(follow, callee)
			}
		case x86asm.Reg, x86asm.Mem:
			c.indirect(n, pc, inst)
		}
	}
	return follow, nil
}

// call judges a direct call (or tail jump) from n at pc to target and
// returns the callee if it must be followed.
func (c *checker) call(n *node, pc, target uint64) *Func {
	callee := c.bin.FuncAt(target)
	if callee == nil {
		c.report(n, pc, fmt.Sprintf("%#x", target), ReasonUnknown)
		return nil
	}
	if target != callee.Addr {
		c.report(n, pc, fmt.Sprintf("%s+%#x", callee.Name, target-callee.Addr), ReasonMidFunction)
		return nil
	}
	if IsJudged(callee.Name) && !c.seen[callee] {
		if v := Judge(callee.Name, c.cfg.StrictStack); !v.Allowed {
			c.report(n, pc, callee.Name, v.Reason)
		}
		return nil
	}
	if c.seen[callee] {
		return nil // already queued, as a root or through another chain
	}
	c.seen[callee] = true
	return callee
}

// indirect handles a CALL or JMP through a register or memory operand.
// Indirect calls are violations unless the caller is listed in IndirectOK.
// Indirect jumps in Go code are switch jump tables inside the function and
// are accepted; in assembly they are treated like indirect calls.
func (c *checker) indirect(n *node, pc uint64, inst x86asm.Inst) {
	if c.indirectOK.covers(n.fn.Name) {
		return
	}
	asm := x86asm.GoSyntax(inst, pc, nil)
	_, operand, _ := strings.Cut(asm, " ")
	target := "through " + operand
	if inst.Op == x86asm.JMP {
		if file, _ := c.bin.Line(pc); !strings.HasSuffix(file, ".s") {
			return
		}
		c.report(n, pc, target, ReasonIndirectJmp)
		return
	}
	c.report(n, pc, target, ReasonIndirect)
}

// TODO: for a call inside inlined code the chain ends at the outer function
// while file:line is inside the inlined one; decoding FUNCDATA_InlTree would
// let the chain name the inlined functions too. A mode reporting only the
// first violation of each followed (non-root) function would also shorten
// reports that reach deep into the standard library.
func (c *checker) report(n *node, pc uint64, target, reason string) {
	file, line := c.bin.Line(pc)
	c.result.Violations = append(c.result.Violations, Violation{
		Chain: n.chain(), PC: pc, File: file, Line: line,
		Target: target, Reason: reason,
	})
}
