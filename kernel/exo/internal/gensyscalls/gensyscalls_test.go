package main

import (
	goparser "go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// base declares what every test table needs: the errors the dispatch
// returns, a type and some rights.
const base = `# comment
error | 1 | EXO_UNKNOWN_CALL | unknown
error | 2 | EXO_NOT_IMPLEMENTED | not yet
error | 3 | EXO_BAD_ADDRESS | bad address
error | 4 | EXO_MISALIGNED | misaligned
error | 5 | EXO_BAD_ARGUMENT | bad argument
error | 6 | EXO_NO_SUCH_OBJECT | no such object
enum | level | PT=1 PD=2 | a level
flags | perm | Write=1 Execute=2 | permissions
right | none | nothing
right | owner(object) | owns it
`

// baseLines is the number of lines of base: a call appended to it is on
// line baseLines+1.
var baseLines = strings.Count(base, "\n")

func TestParseGood(t *testing.T) {
	text := base + `
call | 0 | null | | 0 | none | nothing
call | 7 | map | seg id, slot index<512>, frame physical, p perm, buf address(size), size uint64 | 0 | owner(seg) none | map it
call | 2 | resume | ctx address(8*32), l level | does not return | none | resume
`
	tab, err := Parse("t.conf", text)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Calls) != 3 || len(tab.Errors) != 6 || len(tab.Types) != 2 || len(tab.Rights) != 2 {
		t.Fatalf("parsed %d calls, %d errors, %d types, %d rights", len(tab.Calls), len(tab.Errors), len(tab.Types), len(tab.Rights))
	}
	m := tab.Calls[1]
	if m.N != 7 || m.Name != "map" || len(m.Args) != 6 || m.Line != baseLines+3 {
		t.Fatalf("call map parsed as %+v", m)
	}
	wantKinds := []Kind{KindID, KindIndex, KindPhysical, KindFlags, KindAddress, KindUint64}
	for i, k := range wantKinds {
		if m.Args[i].Kind != k {
			t.Errorf("argument %d (%s): kind %d, want %d", i, m.Args[i].Name, m.Args[i].Kind, k)
		}
	}
	if m.Args[1].Bound != 512 {
		t.Errorf("index bound %d, want 512", m.Args[1].Bound)
	}
	if buf := m.Args[4]; !buf.HasLength || buf.LengthArg != 5 {
		t.Errorf("buf's length: %+v, want argument 5", buf)
	}
	if ctx := tab.Calls[2].Args[0]; !ctx.HasLength || ctx.LengthArg != -1 || ctx.LengthConst != 256 {
		t.Errorf("ctx's length: %+v, want the constant 256", ctx)
	}
	if tab.Calls[2].Args[1].Kind != KindEnum || tab.Calls[2].Args[1].Type.Name != "level" {
		t.Errorf("l: %+v, want the enum level", tab.Calls[2].Args[1])
	}
	if got := m.rightsText(); got != "owner(seg) none" {
		t.Errorf("rights %q", got)
	}
	if got := m.handlerSignature(); got != "sysMap(caller *Caller, seg uint32, slot uint32, frame uint64, p Perm, buf uintptr, size uint64) int64" {
		t.Errorf("handler signature %q", got)
	}
}

// TestParseRealTable parses the committed table, which must be valid.
func TestParseRealTable(t *testing.T) {
	text, err := os.ReadFile("../../syscalls.conf")
	if err != nil {
		t.Fatal(err)
	}
	tab, err := Parse(TableFile, string(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Calls) < 24 || tab.Calls[0].Name != "null" || tab.Calls[0].N != 0 {
		t.Errorf("real table: %d calls, first %+v", len(tab.Calls), tab.Calls[0])
	}
}

func TestParseErrors(t *testing.T) {
	call := baseLines + 1 // the line of the first appended entry
	for _, c := range []struct {
		name, text string
		line       int
		want       string
	}{
		{"duplicate number", "call | 1 | a | | 0 | none | a\ncall | 1 | b | | 0 | none | b", call + 1, "duplicate call number 1 (first on line " + itoa(call) + ")"},
		{"duplicate name", "call | 1 | a | | 0 | none | a\ncall | 2 | a | | 0 | none | b", call + 1, "duplicate call name a"},
		{"unknown kind", "call | 1 | a | x float | 0 | none | a", call, `unknown kind "float"`},
		{"unknown kind in brackets", "call | 1 | a | x index[4] | 0 | none | a", call, `unknown kind "index[4]"`},
		{"seven arguments", "call | 1 | a | a uint64, b uint64, c uint64, d uint64, e uint64, f uint64, g uint64 | 0 | none | a", call, "7 arguments; the ABI passes at most 6"},
		{"duplicate argument", "call | 1 | a | x uint64, x uint64 | 0 | none | a", call, "duplicate argument x"},
		{"argument without kind", "call | 1 | a | x | 0 | none | a", call, `argument "x" is not`},
		{"keyword argument", "call | 1 | a | type uint64 | 0 | none | a", call, "Go keyword"},
		{"missing length", "call | 1 | a | buf address(n) | 0 | none | a", call, "length n of buf is not an argument"},
		{"length of wrong kind", "call | 1 | a | buf address(n), n address | 0 | none | a", call, "must be another uint64 or index argument"},
		{"zero index bound", "call | 1 | a | i index<0> | 0 | none | a", call, "bound"},
		{"number too big", "call | 4096 | a | | 0 | none | a", call, "not a number in 0..4095"},
		{"bad name", "call | 1 | MapFrame | | 0 | none | a", call, "not snake_case"},
		{"too few fields", "call | 1 | a | | 0 | none", call, "has 6 fields, want 7"},
		{"unknown right", "call | 1 | a | | 0 | root | a", call, `unknown right "root"`},
		{"right without its argument", "call | 1 | a | x id | 0 | owner | a", call, "right owner needs an argument"},
		{"right on a missing argument", "call | 1 | a | x id | 0 | owner(y) | a", call, `"y", which is not an argument`},
		{"no right", "call | 1 | a | | 0 | | a", call, "names no right"},
		{"unknown entry", "syscall | 1 | a", call, `unknown entry "syscall"`},
		{"duplicate error code", "error | 3 | EXO_OTHER | x", call, "duplicate error code 3"},
		{"duplicate error name", "error | 30 | EXO_BAD_ADDRESS | x", call, "duplicate error name EXO_BAD_ADDRESS"},
		{"error without prefix", "error | 30 | BAD | x", call, "not EXO_"},
		{"flag that is not a bit", "flags | f | A=3 | x", call, "not a single bit"},
		{"duplicate value", "enum | e | A=1 A=2 | x", call, "repeats"},
		{"duplicate type", "enum | level | X=1 | x", call, "duplicate type level"},
	} {
		_, err := Parse("t.conf", base+c.text+"\n")
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		prefix := "t.conf:" + itoa(c.line) + ": "
		if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want %q and %q", c.name, err, prefix, c.want)
		}
	}
}

func TestParseMissingDispatchError(t *testing.T) {
	text := strings.Replace(base, "error | 4 | EXO_MISALIGNED | misaligned\n", "", 1) + "call | 0 | null | | 0 | none | n\n"
	_, err := Parse("t.conf", text)
	if err == nil || !strings.Contains(err.Error(), "EXO_MISALIGNED is missing") {
		t.Errorf("error %v, want EXO_MISALIGNED is missing", err)
	}
}

func TestRender(t *testing.T) {
	tab, err := Parse("t.conf", base+"call | 0 | null | | 0 | none | n\n"+
		"call | 5 | six | a uint64, b int64, c id, d index<16>, e address(a), f level | 0 | owner(c) | six arguments\n")
	if err != nil {
		t.Fatal(err)
	}
	files, err := tab.Render()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 5 {
		t.Fatalf("%d files", len(files))
	}
	byPath := map[string]string{}
	for _, f := range files {
		if !strings.HasPrefix(string(f.Data), Header) && !strings.HasPrefix(string(f.Data), "<!-- "+Header[3:]) {
			t.Errorf("%s does not start with the generated-code header", f.Path)
		}
		byPath[f.Path] = string(f.Data)
		if strings.HasSuffix(f.Path, ".go") {
			if _, err := goparser.ParseFile(token.NewFileSet(), f.Path, f.Data, 0); err != nil {
				t.Errorf("%s does not parse: %v", f.Path, err)
			}
		}
	}
	dispatch := byPath[DispatchFile]
	for _, want := range []string{
		"CallSix = CallBase + 5",
		"if a2 > 0xFFFF_FFFF {",
		"if a3 >= 16 {",
		"if !userRange(a4, a0) {",
		"if !validLevel(a5) {",
		"return sysSix(caller, a0, int64(a1), uint32(a2), uint32(a3), uintptr(a4), Level(a5))",
		"return sysNull(caller)",
		"return -ErrUnknownCall",
	} {
		if !strings.Contains(dispatch, want) {
			t.Errorf("dispatch lacks %q", want)
		}
	}
	asm := byPath[AsmFile]
	for _, want := range []string{
		"TEXT ·Six(SB), NOSPLIT|NOFRAME, $0-56\n\tMOVQ\ta+0(FP), DI\n\tMOVQ\tb+8(FP), SI\n\tMOVQ\tc+16(FP), DX\n\tMOVQ\td+24(FP), R10\n\tMOVQ\te+32(FP), R8\n\tMOVQ\tf+40(FP), R9\n\tMOVQ\t$0x1005, AX\n\tSYSCALL\n\tMOVQ\tAX, ret+48(FP)\n\tRET\n",
		"TEXT ·Null(SB), NOSPLIT|NOFRAME, $0-8\n\tMOVQ\t$0x1000, AX\n\tSYSCALL\n\tMOVQ\tAX, ret+0(FP)\n",
	} {
		if !strings.Contains(asm, want) {
			t.Errorf("assembly lacks %q", want)
		}
	}
	if !strings.Contains(byPath[StubsFile], "func Six(a uint64, b int64, c uint64, d uint64, e uintptr, f Level) int64") {
		t.Errorf("stubs lack Six's declaration")
	}
	if !strings.Contains(byPath[DocsFile], "### six") || !strings.Contains(byPath[DocsFile], "| `0x1005` |") {
		t.Errorf("docs lack six")
	}
}

func TestCamel(t *testing.T) {
	for in, want := range map[string][2]string{
		"segment_map_frame": {"SegmentMapFrame", "segmentMapFrame"},
		"null":              {"Null", "null"},
		"stack_size":        {"StackSize", "stackSize"},
		"BAD_ADDRESS":       {"BadAddress", "badAddress"},
	} {
		if got := camel(in, true); got != want[0] {
			t.Errorf("camel(%q, true) = %q, want %q", in, got, want[0])
		}
		if got := camel(in, false); got != want[1] {
			t.Errorf("camel(%q, false) = %q, want %q", in, got, want[1])
		}
	}
}

func itoa(n int) string {
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		n /= 10
		if n == 0 {
			return s
		}
	}
}
