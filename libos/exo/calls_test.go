package exo

import (
	"runtime"
	"testing"
)

func TestNames(t *testing.T) {
	if CallName(CallSegmentCreate) != "segment_create" || CallName(CallBase-1) != "" {
		t.Errorf("CallName: %q, %q", CallName(CallSegmentCreate), CallName(CallBase-1))
	}
	for code, want := range map[int64]string{
		-ErrBadAddress: "EXO_BAD_ADDRESS", ErrNotOwner: "EXO_NOT_OWNER", -ErrNotImplemented: "EXO_NOT_IMPLEMENTED",
		0: "", 1000: "", -1 << 63: "",
	} {
		if got := ErrorName(code); got != want {
			t.Errorf("ErrorName(%d) = %q, want %q", code, got, want)
		}
	}
	if LevelPT != 1 || LevelPD != 2 || LevelPDPT != 3 || PermissionsAll != PermissionsWrite|PermissionsExecute || MapPermissionsAll != MapPermissionsWrite|MapPermissionsExecute|MapPermissionsKept {
		t.Errorf("value constants differ from the table")
	}
}

// TestStubsExecuteSyscall runs stubs on the host. Linux has no system calls
// numbered 0x1000 and up, so each stub's SYSCALL must come back with a
// negative errno (ENOSYS, or EPERM under some seccomp filters) in RAX: this
// checks that the stubs reach SYSCALL and return RAX, not the exokernel.
func TestStubsExecuteSyscall(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs Linux")
	}
	const enosys, eperm = 38, 1
	for name, r := range map[string]int64{
		"Null":               Null(),
		"DebugWrite":         DebugWrite(0x400000, 5),
		"SegmentCreate":      SegmentCreate(LevelPT),
		"UpcallRegister":     UpcallRegister(1, 2, 3),
		"ProcessLinkSegment": ProcessLinkSegment(1, 2, 3, PermissionsWrite),
	} {
		if r != -enosys && r != -eperm {
			t.Errorf("%s() on Linux = %d, want -%d (ENOSYS) or -%d (EPERM)", name, r, enosys, eperm)
		}
	}
}
