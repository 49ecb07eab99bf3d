package main

import (
	"bytes"
	"strings"
	"testing"
)

const abiTable = "call | 0 | null | | 0 | none | n\n" +
	"const | upcall | Start=0 Epilogue=1 RevokeTaken=5 | upcall events\n" +
	"layout | context | 64 | a saved context\n" +
	"field | context | rax | 0 | 8 | RAX\n" +
	"field | context | fs_base | 16 | 8 | the FS base\n" +
	"field | context | flag | 24 | 1 | a byte\n"

func TestABIRender(t *testing.T) {
	tab, err := Parse("t.conf", base+abiTable)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	tab.writeABI(&b)
	goText := b.String()
	for _, want := range []string{"UpcallStart = 0x0", "UpcallRevokeTaken = 0x5", "ContextSize = 64",
		"ContextRax = 0 //", "ContextFsBase = 16 //", "ContextFlag = 24 // 1 bytes"} {
		if !strings.Contains(goText, want) {
			t.Errorf("Go constants lack %q:\n%s", want, goText)
		}
	}
	header := string(tab.ABIHeader())
	for _, want := range []string{"#define UPCALL_START 0x0", "#define UPCALL_REVOKE_TAKEN 0x5",
		"#define CONTEXT_SIZE 64", "#define CONTEXT_RAX 0", "#define CONTEXT_FS_BASE 16"} {
		if !strings.Contains(header, want) {
			t.Errorf("assembly header lacks %q:\n%s", want, header)
		}
	}
	docs := string(tab.Docs())
	if !strings.Contains(docs, "| 16 | 8 | `fs_base` | `ContextFsBase` | the FS base |") {
		t.Errorf("docs lack the field row:\n%s", docs)
	}
}

func TestABIBadEntries(t *testing.T) {
	for _, tc := range []struct{ table, want string }{
		{"const | upcall | | x\n", "has no values"},
		{"const | upcall | start=0 | x\n", "CamelCase"},
		{"const | upcall | A=1 A=2 | x\n", "declared twice"},
		{"const | upcall | A=x | x\n", "invalid syntax"},
		{"layout | c | 0 | x\n", "positive number"},
		{"layout | c | 8 | x\nlayout | c | 8 | y\n", "declared twice"},
		{"field | c | a | 0 | 8 | x\n", "no such layout"},
		{"layout | c | 8 | x\nfield | c | a | 4 | 8 | x\n", "ends past"},
		{"layout | c | 16 | x\nfield | c | a | 4 | 8 | x\n", "not aligned"},
		{"layout | c | 16 | x\nfield | c | a | 0 | 8 | x\nfield | c | b | 4 | 4 | y\n", "overlaps a"},
		{"layout | c | 16 | x\nfield | c | a | 0 | 8 | x\nfield | c | a | 8 | 8 | y\n", "declared twice"},
		{"layout | c | 16 | x\nfield | c | a | 0 | 8 |\n", "needs a meaning"},
		{"layout | c | 16 | x\nfield | c | size | 0 | 8 | x\n", "both make the Go name CSize"},
		{"const | level | PT=9 | x\n", "both make the Go name LevelPT"},
	} {
		_, err := Parse("t.conf", base+"call | 0 | null | | 0 | none | n\n"+tc.table)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one containing %q", tc.table, err, tc.want)
		}
	}
}

func TestUpperSnake(t *testing.T) {
	for in, want := range map[string]string{"Start": "START", "BitsPerPixel": "BITS_PER_PIXEL", "FSBase": "FSBASE", "Vga2Text": "VGA2_TEXT"} {
		if got := upperSnake(in); got != want {
			t.Errorf("upperSnake(%q) = %q, want %q", in, got, want)
		}
	}
}
