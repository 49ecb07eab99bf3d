package cpu

import (
	"testing"
	"unsafe"
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
