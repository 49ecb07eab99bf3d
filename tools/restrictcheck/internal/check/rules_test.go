package check

import "testing"

func TestIsJudged(t *testing.T) {
	for sym, want := range map[string]bool{
		"runtime.mallocgc":                 true,
		"runtime.morestack_noctxt.abi0":    true,
		"internal/runtime/maps.(*Map).Put": true,
		"internal/bytealg.IndexByte":       true,
		"sync.(*Mutex).Lock":               true,
		"sync/atomic.(*Int64).Add":         true,
		"runtimex.F":                       false,
		"fmt.Sprintf":                      false,
		"strconv.Itoa":                     false,
		"exogo/kernel/runtime.F":           false,
	} {
		if got := IsJudged(sym); got != want {
			t.Errorf("IsJudged(%q) = %v, want %v", sym, got, want)
		}
	}
}

func TestJudge(t *testing.T) {
	cases := []struct {
		sym     string
		allowed bool
		reason  string
	}{
		{"runtime.mallocgc", false, ReasonAlloc},
		{"runtime.newobject", false, ReasonAlloc},
		{"runtime.growslice", false, ReasonAlloc},
		{"runtime.mapassign_fast64", false, ReasonAlloc},
		{"runtime.convT64", false, ReasonAlloc},
		{"runtime.gcWriteBarrier2", false, ReasonBarrier},
		{"runtime.typedmemmove", false, ReasonBarrier},
		{"runtime.panicBounds", false, ReasonPanic},
		{"runtime.panicIndexU", false, ReasonPanic},
		{"runtime.goPanicSlice3Alen", false, ReasonPanic},
		{"runtime.panicdivide", false, ReasonPanic},
		{"runtime.throw", false, ReasonPanic},
		{"runtime.chansend1", false, ReasonBlock},
		{"runtime.selectgo", false, ReasonBlock},
		{"sync.(*Mutex).Lock", false, ReasonBlock},
		{"runtime.nanotime1", false, ReasonNotAllowed},
		{"runtime.memmove", true, ""},
		{"runtime.memclrNoHeapPointers", true, ""},
		{"runtime.memequal64", true, ""},
		{"internal/bytealg.IndexByteString.abi0", true, ""},
		{"sync/atomic.(*Uint32).Add", true, ""},
		{"internal/runtime/atomic.Cas64", true, ""},
		{"runtime.morestack_noctxt.abi0", true, ""},
	}
	for _, c := range cases {
		v := Judge(c.sym, false)
		if v.Allowed != c.allowed || (!c.allowed && v.Reason != c.reason) {
			t.Errorf("Judge(%q) = %+v, want allowed=%v reason=%q", c.sym, v, c.allowed, c.reason)
		}
	}
	if v := Judge("runtime.morestack_noctxt.abi0", true); v.Allowed || v.Reason != ReasonStack {
		t.Errorf("Judge(morestack, strict) = %+v, want a stack growth violation", v)
	}
}
