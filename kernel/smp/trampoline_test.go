package smp

import (
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// TestTrampolineDecodes disassembles the trampoline, each part in the mode
// the CPU runs it in, and compares with the intended instructions.
func TestTrampolineDecodes(t *testing.T) {
	page := make([]byte, 4096)
	if !WriteTrampoline(page, 0x8000) {
		t.Fatal("WriteTrampoline refused 0x8000")
	}
	parts := []struct {
		mode       int
		start, end int
		want       []string
	}{
		{16, 0, protectedModeCode, []string{
			"CLI", "CLD", "MOV AX, CS", "MOV DS, AX",
			"MOV BYTE PTR [0x158], 0x1",
			"LGDT PTR [0x120]",
			"MOV EAX, CR0", "OR EAX, 0x1", "MOV CR0, EAX",
			"JMP FAR 0x8023, 0x18",
		}},
		{32, protectedModeCode, longModeCode, []string{
			"MOV AX, 0x10", "MOV DS, AX", "MOV ES, AX", "MOV SS, AX",
			"MOV EAX, CR4", "OR EAX, 0x6a0", "MOV CR4, EAX",
			"MOV EAX, DWORD PTR [0x8130]", "MOV CR3, EAX",
			"MOV ECX, 0xc0000080", "RDMSR", "OR EAX, 0x901", "WRMSR",
			"MOV EAX, CR0", "OR EAX, 0x80010022", "AND EAX, 0x9ffffffb", "MOV CR0, EAX",
			"JMP FAR 0x8065, 0x8",
		}},
		{64, longModeCode, trampolineCodeEnd, []string{
			"MOV RSP, QWORD PTR [0x8140]",
			"MOV RDI, QWORD PTR [0x8148]",
			"MOV RSI, QWORD PTR [0x8150]",
			"MOV RAX, QWORD PTR [0x8138]",
			"JMP RAX",
		}},
	}
	for _, part := range parts {
		var got []string
		for pc := part.start; pc < part.end; {
			inst, err := x86asm.Decode(page[pc:part.end], part.mode)
			if err != nil {
				t.Fatalf("%d-bit code at %#x: %v", part.mode, pc, err)
			}
			s := x86asm.IntelSyntax(inst, uint64(pc), nil)
			got = append(got, strings.ToUpper(s))
			pc += inst.Len
		}
		if len(got) != len(part.want) {
			t.Fatalf("%d-bit part: got %d instructions:\n%s", part.mode, len(got), strings.Join(got, "\n"))
		}
		for i := range got {
			if !strings.EqualFold(normalize(got[i]), normalize(part.want[i])) {
				t.Errorf("%d-bit instruction %d: got %q, want %q", part.mode, i, got[i], part.want[i])
			}
		}
	}
	// The GDT pseudo-descriptor points at the GDT.
	if limit := uint16(page[trampolineGDTR]) | uint16(page[trampolineGDTR+1])<<8; limit != 31 {
		t.Errorf("GDT limit %d", limit)
	}
	if base := uint32(page[trampolineGDTR+2]) | uint32(page[trampolineGDTR+3])<<8 | uint32(page[trampolineGDTR+4])<<16; base != 0x8100 {
		t.Errorf("GDT base %#x", base)
	}
}

func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestTrampolineParameters(t *testing.T) {
	page := make([]byte, 4096)
	WriteTrampoline(page, 0x8000)
	page[trampolineAlive] = 1
	SetTrampolineParameters(page, 0x1234000, 0xffffffff80101000, 0xffffe00000020000, 7, 9)
	if TrampolineAlive(page) {
		t.Error("alive not cleared")
	}
	if page[trampolineCR3+1] != 0x40 || page[trampolineEntry+7] != 0xff || page[trampolineArg1] != 9 {
		t.Error("parameters not where the code reads them")
	}
}

func TestTrampolineRefusesBadBases(t *testing.T) {
	page := make([]byte, 4096)
	for _, base := range []uint32{0, 0x8001, 0x100000} {
		if WriteTrampoline(page, base) {
			t.Errorf("accepted base %#x", base)
		}
	}
	if WriteTrampoline(page[:100], 0x8000) {
		t.Error("accepted a short page")
	}
}

func TestWriteTrampolineDoesNotAllocate(t *testing.T) {
	page := make([]byte, 4096)
	if n := testing.AllocsPerRun(100, func() { WriteTrampoline(page, 0x8000) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
