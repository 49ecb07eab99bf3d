package linux

import (
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"exogo/libos/bare"
)

// The vDSO declares vdsoFunctionSize bytes from vdsoClockGettime as its
// code (the runtime recognizes PCs in the vDSO by that span): the whole
// function must fit. The test decodes the function in this test binary
// (the same assembly) up to the INT3 padding the linker puts after it.
func TestVDSOFunctionFitsItsSpan(t *testing.T) {
	start := vdsoFunctionAddress()
	code := bare.Bytes(start, 1024)
	size, rets := 0, 0
	for size < len(code) {
		if code[size] == 0xcc { // INT3: the padding after the function
			break
		}
		inst, err := x86asm.Decode(code[size:], 64)
		if err != nil {
			t.Fatalf("cannot decode at +%d: %v", size, err)
		}
		if inst.Op == x86asm.RET {
			rets++
		}
		size += inst.Len
	}
	if rets < 2 || size == 0 {
		t.Fatalf("decoded %d bytes with %d RETs: not the function", size, rets)
	}
	if size > vdsoFunctionSize {
		t.Errorf("vdsoClockGettime is %d bytes; the vDSO declares %d", size, vdsoFunctionSize)
	}
	t.Logf("vdsoClockGettime: %d bytes of %d", size, vdsoFunctionSize)
}
