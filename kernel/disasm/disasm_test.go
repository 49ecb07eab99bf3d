package disasm

import (
	"debug/elf"
	"encoding/hex"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

func TestFormatTable(t *testing.T) {
	tests := []struct {
		code string // hex bytes
		pc   uint64
		text string
		ok   bool
	}{
		{"488b4310", 0, "mov rax, qword ptr [rbx+0x10]", true},
		{"488d448b10", 0, "lea rax, [rbx+rcx*4+0x10]", true},
		{"488d0c24", 0, "lea rcx, [rsp]", true},
		{"8b04cd10000000", 0, "mov eax, dword ptr [rcx*8+0x10]", true},
		{"e800010000", 0x1000, "call 0x1105", true},
		{"e8f6ffffff", 0x1000, "call 0xffb", true},
		{"c3", 0, "ret", true},
		{"0f0b", 0, "ud2", true},
		{"55", 0, "push rbp", true},
		{"415f", 0, "pop r15", true},
		{"0f22d8", 0, "mov cr3, rax", true},
		{"410f20d9", 0, "mov r9, cr3", true}, // REX.B
		{"4c8b4df0", 0, "mov r9, qword ptr [rbp-0x10]", true},
		{"4d01c8", 0, "add r8, r9", true},
		{"40887c2408", 0, "mov byte ptr [rsp+0x8], dil", true},
		{"88e0", 0, "mov al, ah", true},
		{"48b80102030405060708", 0, "mov rax, 0x807060504030201", true},
		{"4883e0f0", 0, "and rax, 0xfffffffffffffff0", true},
		{"83e0f0", 0, "and eax, 0xfffffff0", true},
		{"66c740010100", 0, "mov word ptr [rax+0x1], 0x1", true},
		{"488b0510000000", 0x2000, "mov rax, qword ptr [rip+0x10] ; 0x2017", true},
		{"64488b0425f8ffffff", 0, "mov rax, qword ptr fs:[0xfffffffffffffff8]", true},
		{"74fe", 0x1000, "je 0x1000", true},
		{"0f8510000000", 0x1000, "jne 0x1016", true},
		{"f0480fb10a", 0, "lock cmpxchg qword ptr [rdx], rcx", true},
		{"f348ab", 0, "rep stosq", true},
		{"0f011524000000", 0, "lgdt [rip+0x24] ; 0x2b", true},
		{"450f57ff", 0, "xorps xmm15, xmm15", true},
		{"f20f104008", 0, "movsd xmm0, qword ptr [rax+0x8]", true},
		{"66480f6ec0", 0, "movq xmm0, rax", true},
		{"cc", 0, "int3", true},
		{"f4", 0, "hlt", true},
		{"48cf", 0, "iretq", true},
		{"0f05", 0, "syscall", true},
		{"0f01f8", 0, "swapgs", true},
		// Invalid or unsupported in 64-bit mode, and truncated forms.
		{"06", 0, "(bad)", false},
		{"", 0, "(bad)", false},
		{"48", 0, "(bad)", false},
		{"488b", 0, "(bad)", false},
		{"488b84", 0, "(bad)", false},
		{"e8000000", 0, "(bad)", false},
		{"6666666666666666666666666666666690", 0, "(bad)", false}, // longer than 15 bytes
		{"8dc0", 0, "(bad)", false},                               // lea needs a memory operand
		{"48480101", 0, "(bad)", false},                           // two REX prefixes
		{"c4e27df7c0", 0, "(bad)", false},                         // VEX: not supported
	}
	for _, test := range tests {
		code, err := hex.DecodeString(test.code)
		if err != nil {
			t.Fatal(err)
		}
		var out [96]byte
		length, text, ok := Format(code, test.pc, out[:])
		if string(text) != test.text || ok != test.ok {
			t.Errorf("%s: %q ok=%v, want %q ok=%v", test.code, text, ok, test.text, test.ok)
		}
		wantLength := 0
		if test.ok {
			wantLength = len(code)
		}
		if length != wantLength {
			t.Errorf("%s: length %d, want %d", test.code, length, wantLength)
		}
	}
}

func TestSmallBuffer(t *testing.T) {
	code := []byte{0x48, 0x8b, 0x43, 0x10}
	var out [7]byte
	length, text, ok := Format(code, 0, out[:])
	if length != 4 || !ok || string(text) != "mov rax" {
		t.Errorf("got %d %q %v, want 4 \"mov rax\" true", length, text, ok)
	}
	if length, text, ok := Format(code, 0, nil); length != 4 || !ok || len(text) != 0 {
		t.Errorf("nil buffer: got %d %q %v", length, text, ok)
	}
}

func TestNoAllocations(t *testing.T) {
	codes := [][]byte{
		{0x48, 0x8b, 0x43, 0x10},
		{0x48, 0x8d, 0x44, 0x8b, 0x10},
		{0xe8, 0x00, 0x01, 0x00, 0x00},
		{0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8},
		{0x48, 0x8b, 0x05, 0xf0, 0xff, 0xff, 0xff},
		{0x06},
	}
	var out [96]byte
	for _, code := range codes {
		allocations := testing.AllocsPerRun(100, func() {
			Format(code, 0x1000, out[:])
		})
		if allocations != 0 {
			t.Errorf("% x: %v allocations, want 0", code, allocations)
		}
	}
}

// TestRandomBytes feeds garbage: Format must not panic, and whenever it
// succeeds its length must agree with x86asm.
func TestRandomBytes(t *testing.T) {
	random := rand.New(rand.NewSource(1))
	var out [96]byte
	code := make([]byte, 16)
	for i := 0; i < 200000; i++ {
		random.Read(code)
		n := random.Intn(len(code) + 1)
		length, _, ok := Format(code[:n], uint64(random.Int63()), out[:])
		if !ok {
			continue
		}
		reference, err := x86asm.Decode(code[:n], 64)
		if err != nil {
			continue // x86asm rejects some forms the CPU accepts
		}
		if reference.Len != length {
			t.Fatalf("% x: length %d, x86asm %d (%v)", code[:n], length, reference.Len, reference)
		}
	}
}

// TestAgainstX86asm disassembles the test binary's own text with both this
// package and x86asm and compares the text of every instruction this
// package decodes; it also requires that almost all instructions decode.
func TestAgainstX86asm(t *testing.T) {
	path, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	file, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	section := file.Section(".text")
	if section == nil {
		t.Fatal("no .text section")
	}
	text, err := section.Data()
	if err != nil {
		t.Fatal(err)
	}
	var out [128]byte
	total, decoded, mismatches := 0, 0, 0
	unknown := map[string]int{}
	byMnemonic := map[x86asm.Op]int{}
	for offset := 0; offset < len(text); {
		pc := section.Addr + uint64(offset)
		reference, err := x86asm.Decode(text[offset:], 64)
		if err != nil {
			offset++
			continue
		}
		if isVEX(text[offset:]) {
			// VEX and EVEX (AVX) encodings are not supported.
			offset += reference.Len
			continue
		}
		total++
		length, got, ok := Format(text[offset:], pc, out[:])
		if ok {
			decoded++
			want := referenceText(reference, pc)
			if length != reference.Len || string(got) != want {
				mismatches++
				if mismatches <= 20 || byMnemonic[reference.Op] == 0 {
					byMnemonic[reference.Op]++
					t.Errorf("%#x % x: %q length %d, want %q length %d", pc, text[offset:offset+reference.Len], got, length, want, reference.Len)
				}
			}
		} else {
			unknown[strings.ToLower(reference.Op.String())]++
		}
		offset += reference.Len
	}
	coverage := float64(decoded) / float64(total)
	t.Logf("%d instructions, %d decoded (%.2f%%), %d mismatches; unknown: %v", total, decoded, 100*coverage, mismatches, unknown)
	if coverage < 0.995 {
		t.Errorf("only %.2f%% of instructions decoded", 100*coverage)
	}
}

// isVEX reports whether code starts with a VEX or EVEX prefix (after
// legacy prefixes).
func isVEX(code []byte) bool {
	for _, c := range code {
		switch c {
		case 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3:
			continue
		case 0xc4, 0xc5, 0x62:
			return true
		}
		return false
	}
	return false
}

// referenceText formats an x86asm instruction in this package's syntax.
func referenceText(inst x86asm.Inst, pc uint64) string {
	var b strings.Builder
	for _, p := range inst.Prefix {
		if p == 0 {
			break
		}
		switch p &^ (x86asm.PrefixImplicit | x86asm.PrefixIgnored | x86asm.PrefixInvalid) {
		case x86asm.PrefixLOCK:
			if p&x86asm.PrefixImplicit == 0 {
				b.WriteString("lock ")
			}
		}
	}
	if inst.Op == x86asm.INT && inst.Len == 1 {
		return "int3"
	}
	name := strings.ToLower(inst.Op.String())
	name = strings.TrimSuffix(name, "_xmm")
	stringOperation := false
	switch inst.Op {
	case x86asm.MOVSB, x86asm.MOVSD, x86asm.MOVSQ, x86asm.STOSB, x86asm.STOSD, x86asm.STOSQ:
		stringOperation = true
		for _, p := range inst.Prefix {
			switch p &^ (x86asm.PrefixImplicit | x86asm.PrefixIgnored | x86asm.PrefixInvalid) {
			case x86asm.PrefixREP:
				b.WriteString("rep ")
			case x86asm.PrefixREPN:
				b.WriteString("repne ")
			}
		}
	}
	b.WriteString(name)
	if stringOperation {
		return b.String()
	}
	suffix := ""
	for i, arg := range inst.Args {
		if arg == nil {
			break
		}
		if i == 0 {
			b.WriteString(" ")
		} else {
			b.WriteString(", ")
		}
		switch a := arg.(type) {
		case x86asm.Reg:
			b.WriteString(registerName(a))
		case x86asm.Imm:
			bits := 64
			if i > 0 {
				bits = operandBits(inst, inst.Args[0])
			} else {
				switch inst.Op {
				case x86asm.INT, x86asm.OUT:
					bits = 8
				case x86asm.RET:
					bits = 16
				}
			}
			v := uint64(a)
			if bits < 64 {
				v &= 1<<uint(bits) - 1
			}
			fmt.Fprintf(&b, "%#x", v)
		case x86asm.Rel:
			fmt.Fprintf(&b, "%#x", pc+uint64(inst.Len)+uint64(int64(a)))
		case x86asm.Mem:
			switch inst.Op {
			case x86asm.PREFETCHNTA, x86asm.PREFETCHT0, x86asm.PREFETCHT1, x86asm.PREFETCHT2,
				x86asm.LEA, x86asm.LGDT, x86asm.LIDT, x86asm.SGDT, x86asm.SIDT, x86asm.INVLPG, x86asm.FXSAVE, x86asm.FXRSTOR, x86asm.FXSAVE64, x86asm.FXRSTOR64:
			default:
				b.WriteString(map[int]string{1: "byte ptr ", 2: "word ptr ", 4: "dword ptr ", 8: "qword ptr ", 16: "xmmword ptr "}[inst.MemBytes])
			}
			if a.Segment == x86asm.FS || a.Segment == x86asm.GS {
				b.WriteString(registerName(a.Segment) + ":")
			}
			b.WriteString("[")
			parts := []string{}
			if a.Base != 0 {
				parts = append(parts, registerName(a.Base))
			}
			if a.Index != 0 {
				parts = append(parts, fmt.Sprintf("%s*%d", registerName(a.Index), a.Scale))
			}
			b.WriteString(strings.Join(parts, "+"))
			// x86asm keeps some disp32 values zero-extended; the CPU
			// sign-extends them.
			displacement := int64(int32(a.Disp))
			switch {
			case len(parts) == 0:
				fmt.Fprintf(&b, "%#x", uint64(displacement))
			case displacement < 0:
				fmt.Fprintf(&b, "-%#x", uint64(-displacement))
			case displacement > 0:
				fmt.Fprintf(&b, "+%#x", uint64(displacement))
			}
			b.WriteString("]")
			if a.Base == x86asm.RIP {
				suffix = fmt.Sprintf(" ; %#x", pc+uint64(inst.Len)+uint64(displacement))
			}
		}
	}
	return b.String() + suffix
}

// registerName maps x86asm's register names to Intel's.
func registerName(r x86asm.Reg) string {
	name := strings.ToLower(r.String())
	switch {
	case name == "spb" || name == "bpb" || name == "sib" || name == "dib":
		return name[:2] + "l"
	case strings.HasPrefix(name, "r") && strings.HasSuffix(name, "l") && len(name) <= 4:
		return name[:len(name)-1] + "d" // r8l -> r8d
	case strings.HasPrefix(name, "x") && len(name) <= 3:
		return "xmm" + name[1:]
	}
	return name
}

// operandBits is the width of operand arg of inst.
func operandBits(inst x86asm.Inst, arg x86asm.Arg) int {
	switch a := arg.(type) {
	case x86asm.Mem:
		return 8 * inst.MemBytes
	case x86asm.Reg:
		switch {
		case a >= x86asm.AL && a <= x86asm.R15B:
			return 8
		case a >= x86asm.AX && a <= x86asm.R15W:
			return 16
		case a >= x86asm.EAX && a <= x86asm.R15L:
			return 32
		}
	}
	return 64
}

// FuzzFormat checks that no input makes Format panic or claim more bytes
// than it was given.
func FuzzFormat(f *testing.F) {
	for _, seed := range []string{"488b4310", "f0480fb10a", "0f011524000000", "66480f6ec0", "06"} {
		code, _ := hex.DecodeString(seed)
		f.Add(code, uint64(0x1000))
	}
	f.Fuzz(func(t *testing.T, code []byte, pc uint64) {
		var out [64]byte
		length, text, ok := Format(code, pc, out[:])
		if ok && (length < 1 || length > len(code) || length > 15) {
			t.Errorf("% x: length %d", code, length)
		}
		if len(text) > len(out) {
			t.Errorf("text longer than the buffer")
		}
	})
}
