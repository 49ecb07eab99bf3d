package exo

import (
	"strings"
	"testing"

	"exogo/kernel/internal/asmdefines"
	"exogo/kernel/layout"
	"exogo/kernel/process"
)

// Addresses around the edges of the user half.
const (
	kernelHalf   = 0xFFFF_8000_0000_0000
	nonCanonical = 0x0000_9000_0000_0000
	lastUserPage = UserEnd - 4096
)

func dispatch(number uint64, args ...uint64) int64 {
	var a [6]uint64
	copy(a[:], args)
	var c Caller
	return Dispatch(&c, number, a[0], a[1], a[2], a[3], a[4], a[5])
}

func expect(t *testing.T, what string, got int64, code int64) {
	t.Helper()
	if got != -code {
		t.Errorf("%s = %d (%s), want %d (%s)", what, got, ErrorName(got), -code, ErrorName(-code))
	}
}

func TestUnknownCall(t *testing.T) {
	last := uint64(CallBase)
	for n := uint64(CallBase); n < CallBase+0x1000; n++ {
		if CallName(n) != "" {
			last = n
		}
	}
	for _, n := range []uint64{0, 1, 60, 231, CallBase - 1, last + 1, CallBase + 0xFFF, 0x2000, CallBase | 1<<32, ^uint64(0)} {
		expect(t, "Dispatch("+hex(n)+")", dispatch(n, 1, 2, 3, 4, 5, 6), ErrUnknownCall)
	}
}

func TestNullReachesHandler(t *testing.T) {
	if got := dispatch(CallNull, ^uint64(0), 0, kernelHalf, 1, 2, 3); got != 0 {
		t.Errorf("Dispatch(CallNull) = %d (%s), want 0 from sysNull", got, ErrorName(got))
	}
}

func TestBadAddress(t *testing.T) {
	for _, a := range []uint64{0, 4096, UserMin - 1, UserEnd, nonCanonical, kernelHalf, kernelHalf + 0x1000, ^uint64(0)} {
		expect(t, "debug_write("+hex(a)+", 1)", dispatch(CallDebugWrite, a, 1), ErrBadAddress)
		expect(t, "debug_write("+hex(a)+", 0)", dispatch(CallDebugWrite, a, 0), ErrBadAddress)
		expect(t, "segment_link(0, "+hex(a)+", 0)", dispatch(CallSegmentLink, 0, a, 0), ErrBadAddress)
		expect(t, "process_start(1, entry "+hex(a)+")", dispatch(CallProcessStart, 1, a, UserMin), ErrBadAddress)
		expect(t, "process_start(1, stack "+hex(a)+")", dispatch(CallProcessStart, 1, UserMin, a), ErrBadAddress)
	}
	// Ranges that start in the user half but leave it or wrap around.
	expect(t, "debug_write past the end", dispatch(CallDebugWrite, UserEnd-16, 17), ErrBadAddress)
	expect(t, "debug_write wrapping", dispatch(CallDebugWrite, UserMin, ^uint64(0)), ErrBadAddress)
	expect(t, "debug_write wrapping to 0", dispatch(CallDebugWrite, UserMin, ^uint64(UserMin-1)), ErrBadAddress)
	// Constant lengths: the upcall table is 64 bytes, the context 256.
	expect(t, "upcall_register table past the end", dispatch(CallUpcallRegister, UserEnd-63, UserMin, 4096), ErrBadAddress)
	expect(t, "upcall_resume context past the end", dispatch(CallUpcallResume, UserEnd-255), ErrBadAddress)
	// The stack range is tied to stack_size (the third argument).
	expect(t, "upcall_register stack past the end", dispatch(CallUpcallRegister, UserMin, lastUserPage, 4097), ErrBadAddress)
}

func TestBadIndex(t *testing.T) {
	expect(t, "segment_unmap(0, 512)", dispatch(CallSegmentUnmap, 0, 512), ErrBadArgument)
	expect(t, "segment_unmap(0, 1<<32)", dispatch(CallSegmentUnmap, 0, 1<<32), ErrBadArgument)
	expect(t, "frame_alloc_map(0, 512, 0)", dispatch(CallFrameAllocMap, 0, 512, 0), ErrBadArgument)
	expect(t, "frame_alloc_map(0, 0, 4)", dispatch(CallFrameAllocMap, 0, 0, 4), ErrBadArgument)
	expect(t, "segment_map_frame(0, 512, ...)", dispatch(CallSegmentMapFrame, 0, 512, 0x1000, 0), ErrBadArgument)
	expect(t, "segment_map_segment(0, ^0, ...)", dispatch(CallSegmentMapSegment, 0, ^uint64(0), 1, 0), ErrBadArgument)
	expect(t, "irq_bind(16)", dispatch(CallIrqBind, 16), ErrBadArgument)
	expect(t, "ioport_bind(65536, 1)", dispatch(CallIoportBind, 65536, 1), ErrBadArgument)
}

func TestBadPhysical(t *testing.T) {
	for _, a := range []uint64{1, 0x1001, 0x1234_5678, 0xFFF, PhysicalEnd + 8} {
		expect(t, "frame_free("+hex(a)+")", dispatch(CallFrameFree, a), ErrMisaligned)
		expect(t, "segment_map_frame(0, 0, "+hex(a)+", 0)", dispatch(CallSegmentMapFrame, 0, 0, a, 0), ErrMisaligned)
	}
	for _, a := range []uint64{PhysicalEnd, PhysicalEnd + 0x1000, 0xFFFF_F000_0000_0000, ^uint64(0xFFF)} {
		expect(t, "frame_free("+hex(a)+")", dispatch(CallFrameFree, a), ErrBadAddress)
	}
}

func TestBadIDEnumFlags(t *testing.T) {
	expect(t, "segment_destroy(1<<32)", dispatch(CallSegmentDestroy, 1<<32), ErrNoSuchObject)
	expect(t, "process_destroy(^0)", dispatch(CallProcessDestroy, ^uint64(0)), ErrNoSuchObject)
	expect(t, "device_grant(0, 1<<40)", dispatch(CallDeviceGrant, 0, 1<<40), ErrNoSuchObject)
	for _, level := range []uint64{0, 4, 1 << 32, ^uint64(0)} {
		expect(t, "segment_create("+hex(level)+")", dispatch(CallSegmentCreate, level), ErrBadArgument)
		expect(t, "segment_unlink(UserMin, "+hex(level)+")", dispatch(CallSegmentUnlink, UserMin, level), ErrBadArgument)
	}
	expect(t, "segment_link(0, UserMin, 4)", dispatch(CallSegmentLink, 0, UserMin, 4), ErrBadArgument)
	expect(t, "segment_link(0, UserMin, 1<<63)", dispatch(CallSegmentLink, 0, UserMin, 1<<63), ErrBadArgument)
	expect(t, "segment_grant(0, 1, 16)", dispatch(CallSegmentGrant, 0, 1, 16), ErrBadArgument)
}

// TestCheckOrder checks that arguments are checked in order: the first bad
// one decides the error.
func TestCheckOrder(t *testing.T) {
	expect(t, "segment_map_frame(bad id, bad index, misaligned, bad flags)",
		dispatch(CallSegmentMapFrame, 1<<32, 512, 1, 8), ErrNoSuchObject)
	expect(t, "segment_map_frame(0, bad index, misaligned, bad flags)",
		dispatch(CallSegmentMapFrame, 0, 512, 1, 8), ErrBadArgument)
	expect(t, "segment_map_frame(0, 0, misaligned, bad flags)",
		dispatch(CallSegmentMapFrame, 0, 0, 1, 8), ErrMisaligned)
	expect(t, "process_link_segment(0, 0, kernel address, bad flags)",
		dispatch(CallProcessLinkSegment, 0, 0, kernelHalf, 8), ErrBadAddress)
}

// TestUserRange checks the accepting side of the address checks, which the
// dispatch tests cannot reach without calling real handlers.
func TestUserRange(t *testing.T) {
	for _, c := range []struct {
		a, n uint64
		ok   bool
	}{
		{UserMin, 0, true},
		{UserMin, 1, true},
		{UserMin - 1, 1, false},
		{UserEnd - 1, 1, true},
		{UserEnd - 1, 2, false},
		{UserEnd - 4096, 4096, true},
		{UserEnd, 0, false},
		{UserMin, UserEnd - UserMin, true},
		{UserMin, UserEnd - UserMin + 1, false},
		{UserMin + 1, ^uint64(0), false},
		{kernelHalf, 0, false},
	} {
		if got := userRange(c.a, c.n); got != c.ok {
			t.Errorf("userRange(%s, %s) = %v, want %v", hex(c.a), hex(c.n), got, c.ok)
		}
	}
	for _, c := range []struct {
		a  uint64
		ok bool
	}{{UserMin, true}, {UserEnd - 1, true}, {UserMin - 1, false}, {UserEnd, false}, {nonCanonical, false}, {kernelHalf, false}, {0, false}} {
		if got := userAddress(c.a); got != c.ok {
			t.Errorf("userAddress(%s) = %v, want %v", hex(c.a), got, c.ok)
		}
	}
	for _, v := range []uint64{1, 2, 3} {
		if !validLevel(v) {
			t.Errorf("validLevel(%d) = false", v)
		}
	}
}

func TestNames(t *testing.T) {
	if CallName(CallSegmentMapFrame) != "segment_map_frame" || CallName(CallNull) != "null" {
		t.Errorf("CallName: %q, %q", CallName(CallSegmentMapFrame), CallName(CallNull))
	}
	if ErrorName(-ErrBadAddress) != "EXO_BAD_ADDRESS" || ErrorName(ErrUnknownCall) != "EXO_UNKNOWN_CALL" {
		t.Errorf("ErrorName: %q, %q", ErrorName(-ErrBadAddress), ErrorName(ErrUnknownCall))
	}
	if ErrorName(0) != "" || ErrorName(-1<<63) != "" || ErrorName(4095) != "" {
		t.Errorf("ErrorName of a non-code is not empty")
	}
	if ArgCount(CallSegmentMapFrame) != 4 || ArgCount(CallNull) != 0 || ArgCount(CallUpcallRegister) != 3 || ArgCount(0) != -1 {
		t.Errorf("ArgCount: %d %d %d %d", ArgCount(CallSegmentMapFrame), ArgCount(CallNull), ArgCount(CallUpcallRegister), ArgCount(0))
	}
	// CallName and ArgCount agree on which numbers are calls, and every
	// call's name is distinct.
	names := map[string]bool{}
	for n := uint64(0); n < 2*CallBase; n++ {
		name := CallName(n)
		if (name != "") != (ArgCount(n) >= 0) {
			t.Errorf("number %s: CallName %q but ArgCount %d", hex(n), name, ArgCount(n))
		}
		if name != "" {
			if names[name] || strings.ToLower(name) != name {
				t.Errorf("call name %q repeated or not lower case", name)
			}
			names[name] = true
		}
	}
	if len(names) < 24 {
		t.Errorf("only %d calls named", len(names))
	}
}

func TestDispatchDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		dispatch(CallNull)
		dispatch(0x2000)
		dispatch(CallDebugWrite, kernelHalf, 1)
		dispatch(CallFrameFree, 1)
		dispatch(CallSegmentMapFrame, 0, 512)
		_ = CallName(CallSegmentCreate)
		_ = ErrorName(-ErrBusy)
	})
	if allocs != 0 {
		t.Errorf("Dispatch allocates: %v allocations per run", allocs)
	}
}

func hex(v uint64) string {
	const digits = "0123456789abcdef"
	s := ""
	for {
		s = string(digits[v&15]) + s
		v >>= 4
		if v == 0 {
			return "0x" + s
		}
	}
}

// The entry assembly tells exokernel calls apart by number (to skip saving
// XMM0-15, except for upcall_resume): its numbers must be the table's.
func TestEntryAssemblyCallNumbers(t *testing.T) {
	defines, err := asmdefines.Read("../trap/entry_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint64{
		"EXO_CALL_BASE":          CallBase,
		"EXO_CALL_SPAN":          0x1000,
		"EXO_CALL_UPCALL_RESUME": CallUpcallResume - CallBase,
		"USER_ADDRESS_END":       uint64(layout.UserMapEnd),
	}
	for name, value := range want {
		if got, ok := defines[name]; !ok || got != value {
			t.Errorf("entry_amd64.s: %s = %#x (defined: %v), want %#x", name, got, ok, value)
		}
	}
}

// TestLockFreeCalls pins which calls skip smp.Lock: frame_alloc_map only
// while memory is not low (below the watermark it may start a
// revocation, which reads every process), and no call that changes
// another process's state.
func TestLockFreeCalls(t *testing.T) {
	always := map[uint64]bool{CallNull: true, CallTimeNow: true, CallTlsSet: true, CallAlarmSet: true, CallWait: true, CallVcpuWake: true, CallSegmentMapFrame: true}
	for n := uint64(CallBase); n < CallBase+0x100; n++ {
		if CallName(n) == "" {
			continue
		}
		plenty, low := lockFree(n, RevokeWatermark), lockFree(n, RevokeWatermark-1)
		switch {
		case n == CallFrameAllocMap:
			if !plenty || low {
				t.Errorf("frame_alloc_map lock-free with plenty of memory: %v, when low: %v; want true, false", plenty, low)
			}
		case plenty != always[n] || low != always[n]:
			t.Errorf("%s lock-free = %v/%v, want %v", CallName(n), plenty, low, always[n])
		}
	}
}

// TestKeptOnlyForSegmentMapFrame checks that MapPermissionsKept, which
// only segment_map_frame takes, is refused by every other call with
// permissions (before anything else is looked at).
func TestKeptOnlyForSegmentMapFrame(t *testing.T) {
	kept := uint64(MapPermissionsKept | MapPermissionsWrite)
	expect(t, "segment_map_segment with Kept", dispatch(CallSegmentMapSegment, 1, 0, 2, kept), ErrBadArgument)
	expect(t, "segment_link with Kept", dispatch(CallSegmentLink, 1, 8<<20, kept), ErrBadArgument)
	expect(t, "process_link_segment with Kept", dispatch(CallProcessLinkSegment, 2, 1, 8<<20, kept), ErrBadArgument)
	expect(t, "frame_alloc_map with Kept", dispatch(CallFrameAllocMap, 1, 0, kept), ErrBadArgument)
	expect(t, "segment_protect with Kept", dispatch(CallSegmentProtect, 1, 0, kept), ErrBadArgument)
}

// TestFaultFixupArguments checks fault_fixup's refusals and what it
// records: a range that ends before it starts, a landing inside the
// range, addresses outside the user half; start = end clears it.
func TestFaultFixupArguments(t *testing.T) {
	var p process.Process
	c := Caller{Process: &p}
	call := func(start, end, landing uint64) int64 {
		return Dispatch(&c, CallFaultFixup, start, end, landing, 0, 0, 0)
	}
	const start, end, landing = UserMin + 0x1000, UserMin + 0x1030, UserMin + 0x2000
	expect(t, "fault_fixup(end before start)", call(end, start, landing), ErrBadArgument)
	expect(t, "fault_fixup(landing inside)", call(start, end, start+4), ErrBadArgument)
	expect(t, "fault_fixup(landing at start)", call(start, end, start), ErrBadArgument)
	expect(t, "fault_fixup(kernel landing)", call(start, end, kernelHalf), ErrBadAddress)
	expect(t, "fault_fixup(kernel end)", call(start, kernelHalf, landing), ErrBadAddress)
	if p.FixupEnd != 0 {
		t.Fatalf("a refused fault_fixup set a range: %#x-%#x", p.FixupStart, p.FixupEnd)
	}
	if got := call(start, end, end); got != 0 || p.FixupStart != start || p.FixupEnd != end || p.FixupLanding != end {
		t.Fatalf("fault_fixup(start, end, end) = %d; range %#x-%#x landing %#x", got, p.FixupStart, p.FixupEnd, p.FixupLanding)
	}
	if got := call(landing, landing, landing); got != 0 || p.FixupEnd != 0 || p.FixupStart != 0 {
		t.Fatalf("fault_fixup(a, a, a) = %d did not clear the range: %#x-%#x", got, p.FixupStart, p.FixupEnd)
	}
}
