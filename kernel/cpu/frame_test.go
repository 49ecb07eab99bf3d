package cpu

import (
	"testing"
	"unsafe"

	"exogo/kernel/internal/asmdefines"
)

// The entry assembly (kernel/trap/entry_amd64.s) reaches these through
// fixed offsets: keep them in step.
func TestOffsetsMatchTheAssembly(t *testing.T) {
	var c CPU
	offsets := map[string][2]uintptr{
		"scratch":    {unsafe.Offsetof(c.scratch), OffsetScratch},
		"stackTop":   {unsafe.Offsetof(c.stackTop), OffsetStackTop},
		"KernelFS":   {unsafe.Offsetof(c.KernelFS), OffsetKernelFS},
		"inKernel":   {unsafe.Offsetof(c.inKernel), OffsetInKernel},
		"scratch2":   {unsafe.Offsetof(c.scratch2), OffsetScratch2},
		"entryFrame": {unsafe.Offsetof(c.entryFrame), OffsetEntry},
		"userBases":  {unsafe.Offsetof(c.userBases), OffsetUserBases},
	}
	for name, o := range offsets {
		if o[0] != o[1] {
			t.Errorf("CPU.%s is at %d, the assembly expects %d", name, o[0], o[1])
		}
	}
	var f Frame
	if unsafe.Offsetof(f.CS) != 672 || unsafe.Offsetof(f.FSBase) != 512 || unsafe.Sizeof(f) != FrameSize {
		t.Errorf("Frame layout changed: CS at %d, FSBase at %d, size %d", unsafe.Offsetof(f.CS), unsafe.Offsetof(f.FSBase), unsafe.Sizeof(f))
	}
}

// TestAssemblyDefines reads the entry assembly's #define lines and checks
// the frame offsets it hard-codes against the Go layout.
func TestAssemblyDefines(t *testing.T) {
	defines, err := asmdefines.Read("../trap/entry_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	var f Frame
	want := map[string]uint64{
		"FXSAVE_XMM_SKIPPED":      FXSaveXMMSkipped,
		"FRAME_VECTOR_FROM_START": uint64(unsafe.Offsetof(f.Vector)),
		"FRAME_CS_FROM_START":     uint64(unsafe.Offsetof(f.CS)),
		"FRAME_SIZE":              FrameSize,
		"SYSCALL_VECTOR":          SyscallVector,
		"CPU_ENTRY_FRAME":         OffsetEntry,
		"CPU_IN_KERNEL":           OffsetInKernel,
		"CPU_KERNEL_FS":           OffsetKernelFS,
		"CPU_USER_BASES":          OffsetUserBases,
		"FRAME_FS_BASE":           uint64(unsafe.Offsetof(f.FSBase)),
		"FRAME_GS_BASE":           uint64(unsafe.Offsetof(f.GSBase)),
	}
	for name, value := range want {
		got, ok := defines[name]
		if !ok {
			t.Errorf("entry_amd64.s defines no %s", name)
		} else if got != value {
			t.Errorf("entry_amd64.s: %s = %d, the Go layout says %d", name, got, value)
		}
	}
}
