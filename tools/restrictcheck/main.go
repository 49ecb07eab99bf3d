// Command restrictcheck enforces the restricted-Go rules on the built kernel.
//
// Kernel code that runs in trap, interrupt or syscall context, or before the
// Go runtime exists, must not allocate, must not store Go pointers (write
// barriers), must not panic and must not block. restrictcheck checks this on
// the machine code of the kernel ELF, so it sees what the compiler emitted:
// implicit bounds checks, escape-analysis allocations, write barriers.
//
// Usage:
//
//	restrictcheck -packages exogo/arch/amd64,exogo/kernel/console \
//	    [-functions 'exogo/kernel.(*Thread).Trap,...'] \
//	    [-hosted 'exogo/kernel/console.Printf,...'] \
//	    [-indirect-ok 'exogo/arch/amd64.dispatch,...'] \
//	    [-strict-stack] kernel.elf
//
// Every list flag takes comma-separated full symbol names (as `go tool nm`
// prints them) or import paths and may be repeated.
//
// Roots: every function whose symbol belongs to a -packages package
// (functions, methods "pkg.(*T).M" and "pkg.T.M", closures "pkg.F.func1",
// assembly functions and ABI0 wrappers "pkg.F.abi0", generic instances),
// plus each -functions symbol (restricted code living in a hosted package).
// A -hosted name marks a function of a restricted package as running only
// above the runtime: it and everything derived from it (closures, ".abi0",
// "-fm" wrappers) are not roots. They are still checked when restricted code
// calls them, since then they run in restricted context.
//
// Each root is decoded with golang.org/x/arch/x86/x86asm. Every direct CALL,
// and every JMP or conditional jump leaving the function (a tail call), is
// resolved through the ELF symbol table:
//
//   - Calls into ordinary Go code (other packages, the standard library) are
//     followed transitively; a violation there is reported with the chain
//     root -> ... -> offender.
//   - Calls into the runtime and its helpers (runtime, internal/runtime/...,
//     internal/bytealg, internal/abi, internal/cpu, sync, sync/atomic, ...)
//     are judged by lists: forbidden ones (allocation such as mallocgc,
//     newobject, growslice, mapassign*, convT*; write barriers
//     gcWriteBarrier*, typedmemmove, wbZero; panics panicBounds*,
//     panicIndex*, panicdivide, throw; blocking chansend*, selectgo, lock*,
//     sync.*) are violations with their class as reason; safe leaves
//     (memmove, memclrNoHeapPointers, memequal*, cmpstring, bytealg,
//     atomics) are accepted; any other runtime function is a violation
//     "not on the allowed list", so the lists stay honest.
//   - Indirect calls (CALL through a register or memory: func values,
//     interface methods) cannot be verified and are violations unless the
//     caller is listed in -indirect-ok. Indirect JMPs are switch jump tables
//     in Go code and are accepted there; in assembly they count as indirect
//     calls.
//
// Stack growth: every function not marked //go:nosplit begins with a check
// of SP against g.stackguard0 whose slow path calls runtime.morestack_noctxt.
// Restricted code runs on fixed stacks with a fake g whose stack guards are
// 0, so the unsigned comparison never takes that path and the call is
// accepted. -strict-stack reports it as "stack growth", for code that must be
// entirely //go:nosplit (for example before the fake g is installed).
//
// Source positions come from .gopclntab (debug/gosym); for inlined code the
// position is inside the inlined function, at the offending statement. The
// binary must keep its symbol table (do not link with -s).
//
// Output: one line per violation,
//
//	restrictcheck: <root> -> ... -> <caller>: <file>:<line>: calls <target> (<reason>)
//
// and exit status 1; otherwise the summary line
// "restrictcheck: N restricted functions, M reached, 0 violations" and exit
// status 0. M counts the non-root functions checked because roots call them.
// Exit status 2 means a usage error or an unreadable binary, or a -packages
// or -functions name that matches nothing in the binary.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"exogo/tools/restrictcheck/internal/check"
)

// listFlag collects comma-separated values over repeated uses of a flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command without the process around it: it parses args, checks
// the binary and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	var cfg check.Config
	flags := flag.NewFlagSet("restrictcheck", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Var((*listFlag)(&cfg.Packages), "packages", "restricted packages (import paths); all their functions are roots")
	flags.Var((*listFlag)(&cfg.Functions), "functions", "extra root functions (full symbol names)")
	flags.Var((*listFlag)(&cfg.Hosted), "hosted", "hosted-only functions of restricted packages, not roots")
	flags.Var((*listFlag)(&cfg.IndirectOK), "indirect-ok", "functions allowed to make indirect calls")
	flags.BoolVar(&cfg.StrictStack, "strict-stack", false, "report prologue calls to runtime.morestack")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: restrictcheck -packages p1,p2 [-functions f,...] [-hosted f,...] [-indirect-ok f,...] [-strict-stack] kernel.elf\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() != 1 || len(cfg.Packages)+len(cfg.Functions) == 0 {
		flags.Usage()
		return 2
	}

	bin, err := check.LoadBinary(flags.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "restrictcheck: %v\n", err)
		return 2
	}
	res, err := check.Check(bin, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "restrictcheck: %v\n", err)
		return 2
	}
	for _, v := range res.Violations {
		fmt.Fprintln(stdout, v)
	}
	if len(res.Violations) > 0 {
		fmt.Fprintln(stderr, res.Summary())
		return 1
	}
	fmt.Fprintln(stdout, res.Summary())
	return 0
}
