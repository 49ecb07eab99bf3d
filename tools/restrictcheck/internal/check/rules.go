package check

import "strings"

// The runtime and its low-level helper packages are not followed: their code
// legitimately allocates, locks and throws on behalf of hosted Go, so a call
// into them is judged by name instead. judgedPackages lists them; a path
// ending in "/" covers every package below it.
var judgedPackages = []string{
	"runtime",
	"runtime/",
	"internal/runtime/",
	"internal/abi",
	"internal/bytealg",
	"internal/cpu",
	"internal/race",
	"internal/sync",
	"sync",
	"sync/atomic",
}

// IsJudged reports whether calls into symbol are judged by the rule lists
// rather than followed into.
func IsJudged(symbol string) bool {
	pkg := PackageOf(symbol)
	for _, p := range judgedPackages {
		if pkg == p || strings.HasSuffix(p, "/") && strings.HasPrefix(pkg, p) {
			return true
		}
	}
	return false
}

// Verdict is the judgement on a call into a judged package.
type Verdict struct {
	Allowed bool
	Reason  string
}

// rule matches function names (without ".abi0"); a pattern ending in "*"
// matches every name with that prefix.
type rule struct {
	patterns []string
	verdict  Verdict
}

func forbid(reason string, patterns ...string) rule {
	return rule{patterns, Verdict{Allowed: false, Reason: reason}}
}

func allow(reason string, patterns ...string) rule {
	return rule{patterns, Verdict{Allowed: true, Reason: reason}}
}

// Reasons named in violations; tests and scripts may grep for them.
const (
	ReasonAlloc       = "allocates"
	ReasonBarrier     = "write barrier: stores a Go pointer"
	ReasonPanic       = "panics"
	ReasonBlock       = "blocks"
	ReasonStack       = "stack growth"
	ReasonNotAllowed  = "not on the allowed list"
	ReasonIndirect    = "indirect call, target cannot be verified"
	ReasonIndirectJmp = "indirect jump in assembly, target cannot be verified"
	ReasonUndecodable = "undecodable instruction"
	ReasonUnknown     = "target is not inside any function symbol"
	ReasonMidFunction = "target is inside another function, not at its entry"
)

// morestackRule is the verdict on the prologue's call to runtime.morestack.
// Every function not marked //go:nosplit starts by comparing SP with
// g.stackguard0 and calls runtime.morestack_noctxt (runtime.morestack for
// closures) when the stack is too small. Restricted code runs on fixed stacks
// with a fake g whose stack guards are 0, so the unsigned comparison never
// sends it there; the call is allowed unless strict mode is asked for.
var morestackRule = allow("prologue stack check, never taken with stackguard0 == 0",
	"runtime.morestack*")

// rules are checked in order; the first matching pattern decides.
var rules = []rule{
	forbid(ReasonAlloc,
		"runtime.mallocgc*", "runtime.newobject", "runtime.newarray",
		"runtime.makeslice*", "runtime.growslice", "runtime.makemap*",
		"runtime.mapassign*", "runtime.mapclone", "runtime.makechan*",
		"runtime.convT*", "runtime.concatstring*", "runtime.concatbyte*",
		"runtime.slicebytetostring", "runtime.slicerunetostring",
		"runtime.stringtoslice*", "runtime.intstring", "runtime.rawstring*",
		"runtime.rawbyteslice", "runtime.rawruneslice",
		"runtime.newproc*", "runtime.deferproc*", "runtime.deferprocStack",
		"runtime.mapiterinit", "runtime.mapIterStart"),
	forbid(ReasonBarrier,
		"runtime.gcWriteBarrier*", "runtime.wbZero", "runtime.wbMove",
		"runtime.bulkBarrierPreWrite*", "runtime.typedmemmove",
		"runtime.typedslicecopy", "runtime.typedmemclr",
		"runtime.memclrHasPointers"),
	forbid(ReasonPanic,
		"runtime.panicBounds*", "runtime.panicExtend*", "runtime.panicCheck*",
		"runtime.panicIndex*", "runtime.panicSlice*", "runtime.goPanicIndex*",
		"runtime.goPanicSlice*", "runtime.panicdivide", "runtime.panicshift",
		"runtime.panicmem*", "runtime.panicunsafe*", "runtime.gopanic",
		"runtime.panicwrap", "runtime.throw", "runtime.fatal",
		"runtime.panicnildottype", "runtime.panicdottype*",
		"runtime.panicrangestate", "runtime.sigpanic", "runtime.panicmakeslice*",
		"runtime.panicoverflow", "runtime.panicfloat"),
	forbid(ReasonBlock,
		"runtime.chansend*", "runtime.chanrecv*", "runtime.closechan",
		"runtime.selectgo", "runtime.selectnb*", "runtime.block",
		"runtime.gopark*", "runtime.goparkunlock", "runtime.gosched*",
		"runtime.Gosched", "runtime.lock*", "runtime.unlock*",
		"runtime.semacquire*", "runtime.semrelease*", "runtime.notesleep",
		"runtime.notetsleep*", "runtime.mcall", "runtime.systemstack*",
		"sync.*", "internal/sync.*"),
	allow("leaf without allocation, locking or panics",
		"runtime.memmove", "runtime.memclrNoHeapPointers", "runtime.memequal*",
		"runtime.cmpstring", "runtime.duffzero", "runtime.duffcopy",
		"runtime.decoderune", "runtime.encoderune", "runtime.countrunes",
		"runtime.procyield*", "internal/bytealg.*", "sync/atomic.*",
		"internal/runtime/atomic.*", "internal/runtime/sys.*"),
}

// Judge returns the verdict on a call to the judged function symbol. With
// strictStack, prologue calls to runtime.morestack are violations too (for
// code that must be //go:nosplit).
func Judge(symbol string, strictStack bool) Verdict {
	name := BaseName(symbol)
	if morestackRule.matches(name) {
		if strictStack {
			return Verdict{Allowed: false, Reason: ReasonStack}
		}
		return morestackRule.verdict
	}
	for _, r := range rules {
		if r.matches(name) {
			return r.verdict
		}
	}
	return Verdict{Allowed: false, Reason: ReasonNotAllowed}
}

func (r rule) matches(name string) bool {
	for _, p := range r.patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(name, prefix) {
				return true
			}
		} else if name == p {
			return true
		}
	}
	return false
}
