package main

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// The ABI besides the calls: numbers and memory layouts the kernel and
// every libOS share (upcall events, the saved context, the pages the
// kernel writes for processes to read). The table declares each once:
//
//	const  | <group> | <Name>=<number> ... | <meaning>
//	layout | <name> | <size> | <meaning>
//	field  | <layout> | <name> | <offset> | <size> | <meaning>
//
// and the generator writes them as Go constants for the kernel
// (dispatch_gen.go) and the libOS (calls_gen.go), as #defines for
// assembly (libos/exo/abi_amd64.h), and into the reference page.

// ABIHeaderFile is the assembly header, relative to the root.
const ABIHeaderFile = "libos/exo/abi_amd64.h"

// ConstGroup is a const declaration: named numbers.
type ConstGroup struct {
	Name    string // snake_case
	Values  []Value
	Meaning string
	Line    int
}

// Field is one field of a layout.
type Field struct {
	Name    string // snake_case
	Offset  uint64
	Size    uint64
	Meaning string
	Line    int
}

// Layout is a layout declaration with its fields.
type Layout struct {
	Name    string // snake_case
	Size    uint64
	Meaning string
	Fields  []Field
	Line    int
}

func (g *ConstGroup) goName(v Value) string { return camel(g.Name, true) + v.Name }
func (g *ConstGroup) asmName(v Value) string {
	return strings.ToUpper(g.Name) + "_" + upperSnake(v.Name)
}
func (l *Layout) goName() string             { return camel(l.Name, true) }
func (l *Layout) fieldGoName(f Field) string { return l.goName() + camel(f.Name, true) }
func (l *Layout) fieldAsmName(f Field) string {
	return strings.ToUpper(l.Name) + "_" + strings.ToUpper(f.Name)
}

// upperSnake turns a Go name into UPPER_SNAKE: a word starts at an upper
// case letter that follows a lower case letter or a digit ("FSBase" is
// FSBASE, "BitsPerPixel" BITS_PER_PIXEL).
func upperSnake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && unicode.IsUpper(r) {
			prev := rune(s[i-1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// constEntry parses "const | group | A=1 B=2 | meaning".
func (p *parser) constEntry(line int, f []string) error {
	if err := wantFields(f, 4, "const | <group> | <Name>=<number> ... | <meaning>"); err != nil {
		return err
	}
	if !isSnake(f[1]) {
		return fmt.Errorf("const group name %q must be snake_case", f[1])
	}
	if p.names[f[1]] != 0 {
		return fmt.Errorf("%q is declared twice (line %d)", f[1], p.names[f[1]])
	}
	g := &ConstGroup{Name: f[1], Meaning: f[3], Line: line}
	seen := map[string]bool{}
	for _, word := range strings.Fields(f[2]) {
		name, number, ok := strings.Cut(word, "=")
		if !ok || !isGoName(name) {
			return fmt.Errorf("const value %q: want Name=number with Name in CamelCase", word)
		}
		n, err := strconv.ParseUint(strings.ReplaceAll(number, "_", ""), 0, 64)
		if err != nil {
			return fmt.Errorf("const value %q: %v", word, err)
		}
		if seen[name] {
			return fmt.Errorf("const value %s is declared twice", name)
		}
		seen[name] = true
		g.Values = append(g.Values, Value{Name: name, Number: n})
	}
	if len(g.Values) == 0 {
		return fmt.Errorf("const %s has no values", f[1])
	}
	if f[3] == "" {
		return fmt.Errorf("const %s needs a meaning", f[1])
	}
	p.names[f[1]] = line
	p.t.Consts = append(p.t.Consts, g)
	return nil
}

// layoutEntry parses "layout | name | size | meaning".
func (p *parser) layoutEntry(line int, f []string) error {
	if err := wantFields(f, 4, "layout | <name> | <size> | <meaning>"); err != nil {
		return err
	}
	if !isSnake(f[1]) {
		return fmt.Errorf("layout name %q must be snake_case", f[1])
	}
	if p.names[f[1]] != 0 {
		return fmt.Errorf("%q is declared twice (line %d)", f[1], p.names[f[1]])
	}
	size, err := strconv.ParseUint(strings.ReplaceAll(f[2], "_", ""), 0, 64)
	if err != nil || size == 0 {
		return fmt.Errorf("layout %s: size %q must be a positive number", f[1], f[2])
	}
	if f[3] == "" {
		return fmt.Errorf("layout %s needs a meaning", f[1])
	}
	p.names[f[1]] = line
	p.t.Layouts = append(p.t.Layouts, &Layout{Name: f[1], Size: size, Meaning: f[3], Line: line})
	return nil
}

// fieldEntry parses "field | layout | name | offset | size | meaning"; the
// layout must be declared before its fields.
func (p *parser) fieldEntry(line int, f []string) error {
	if err := wantFields(f, 6, "field | <layout> | <name> | <offset> | <size> | <meaning>"); err != nil {
		return err
	}
	var l *Layout
	for _, candidate := range p.t.Layouts {
		if candidate.Name == f[1] {
			l = candidate
		}
	}
	if l == nil {
		return fmt.Errorf("field of %q: no such layout declared before it", f[1])
	}
	if !isSnake(f[2]) {
		return fmt.Errorf("field name %q must be snake_case", f[2])
	}
	offset, err := strconv.ParseUint(strings.ReplaceAll(f[3], "_", ""), 0, 64)
	if err != nil {
		return fmt.Errorf("field %s.%s: offset %q: %v", l.Name, f[2], f[3], err)
	}
	size, err := strconv.ParseUint(strings.ReplaceAll(f[4], "_", ""), 0, 64)
	if err != nil || size == 0 {
		return fmt.Errorf("field %s.%s: size %q must be a positive number", l.Name, f[2], f[4])
	}
	if offset+size > l.Size || offset+size < offset {
		return fmt.Errorf("field %s.%s [%d, %d) ends past the layout's %d bytes", l.Name, f[2], offset, offset+size, l.Size)
	}
	if (size == 2 || size == 4 || size == 8) && offset%size != 0 {
		return fmt.Errorf("field %s.%s at %d is not aligned to its %d bytes", l.Name, f[2], offset, size)
	}
	if f[5] == "" {
		return fmt.Errorf("field %s.%s needs a meaning", l.Name, f[2])
	}
	for _, other := range l.Fields {
		if other.Name == f[2] {
			return fmt.Errorf("field %s.%s is declared twice (line %d)", l.Name, f[2], other.Line)
		}
		if offset < other.Offset+other.Size && other.Offset < offset+size {
			return fmt.Errorf("field %s.%s [%d, %d) overlaps %s [%d, %d) (line %d)", l.Name, f[2], offset, offset+size,
				other.Name, other.Offset, other.Offset+other.Size, other.Line)
		}
	}
	l.Fields = append(l.Fields, Field{Name: f[2], Offset: offset, Size: size, Meaning: f[5], Line: line})
	return nil
}

// isGoName reports whether s is an exported Go identifier of letters and
// digits.
func isGoName(s string) bool {
	if s == "" || !unicode.IsUpper(rune(s[0])) {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// sortedFields returns l's fields by offset.
func (l *Layout) sortedFields() []Field {
	fields := append([]Field(nil), l.Fields...)
	sort.Slice(fields, func(i, j int) bool { return fields[i].Offset < fields[j].Offset })
	return fields
}

// writeABI writes the shared constants and layouts as Go.
func (t *Table) writeABI(b *bytes.Buffer) {
	for _, g := range t.Consts {
		fmt.Fprintf(b, "\n// %s: %s.\nconst (\n", camel(g.Name, true), g.Meaning)
		for _, v := range g.Values {
			fmt.Fprintf(b, "\t%s = %#x\n", g.goName(v), v.Number)
		}
		b.WriteString(")\n")
	}
	for _, l := range t.Layouts {
		fmt.Fprintf(b, "\n// %s: %s. %sSize is its size in bytes; the others are byte offsets.\nconst (\n", l.goName(), l.Meaning, l.goName())
		fmt.Fprintf(b, "\t%sSize = %d\n", l.goName(), l.Size)
		for _, f := range l.sortedFields() {
			fmt.Fprintf(b, "\t%s = %d // %d bytes: %s\n", l.fieldGoName(f), f.Offset, f.Size, f.Meaning)
		}
		b.WriteString(")\n")
	}
}

// ABIHeader renders libos/exo/abi_amd64.h, for assembly.
func (t *Table) ABIHeader() []byte {
	var b bytes.Buffer
	b.WriteString(Header + "\n\n")
	b.WriteString("// The ABI's numbers and layout offsets for assembly (#include \"abi_amd64.h\",\n")
	b.WriteString("// or a relative path to it from another package).\n")
	for _, g := range t.Consts {
		fmt.Fprintf(&b, "\n// %s: %s.\n", g.Name, g.Meaning)
		for _, v := range g.Values {
			fmt.Fprintf(&b, "#define %s %#x\n", g.asmName(v), v.Number)
		}
	}
	for _, l := range t.Layouts {
		fmt.Fprintf(&b, "\n// %s: %s.\n#define %s_SIZE %d\n", l.Name, l.Meaning, strings.ToUpper(l.Name), l.Size)
		for _, f := range l.sortedFields() {
			fmt.Fprintf(&b, "#define %s %d\n", l.fieldAsmName(f), f.Offset)
		}
	}
	return b.Bytes()
}

// abiDocs writes the reference page's section on the shared numbers and
// layouts.
func (t *Table) abiDocs(b *bytes.Buffer) {
	if len(t.Consts) == 0 && len(t.Layouts) == 0 {
		return
	}
	b.WriteString("\n## Shared numbers and layouts\n\n")
	b.WriteString("Declared once in the table (`const`, `layout`, `field`) and generated as Go\n")
	b.WriteString("constants for the kernel (`kernel/exo`) and the libOS (`libos/exo`), and as\n")
	fmt.Fprintf(b, "`#define`s for assembly (`%s`).\n", ABIHeaderFile)
	for _, g := range t.Consts {
		fmt.Fprintf(b, "\n### %s\n\n%s.\n\n| Go | assembly | value |\n|---|---|---|\n", g.Name, upperFirst(g.Meaning))
		for _, v := range g.Values {
			fmt.Fprintf(b, "| `%s` | `%s` | %d |\n", g.goName(v), g.asmName(v), v.Number)
		}
	}
	for _, l := range t.Layouts {
		fmt.Fprintf(b, "\n### %s (%d bytes)\n\n%s.\n\n| offset | size | field | Go | meaning |\n|---|---|---|---|---|\n",
			l.Name, l.Size, upperFirst(l.Meaning))
		for _, f := range l.sortedFields() {
			fmt.Fprintf(b, "| %d | %d | `%s` | `%s` | %s |\n", f.Offset, f.Size, f.Name, l.fieldGoName(f), f.Meaning)
		}
	}
}

// checkGoNames reports two declarations that would make the same Go name.
func (t *Table) checkGoNames() error {
	seen := map[string]string{}
	add := func(name, what string) error {
		if other, ok := seen[name]; ok {
			return fmt.Errorf("%s and %s both make the Go name %s", other, what, name)
		}
		seen[name] = what
		return nil
	}
	for _, vt := range t.Types {
		for _, v := range vt.Values {
			if err := add(vt.goName()+v.Name, "the value "+v.Name+" of "+vt.Name); err != nil {
				return err
			}
		}
	}
	for _, g := range t.Consts {
		for _, v := range g.Values {
			if err := add(g.goName(v), "the const "+v.Name+" of "+g.Name); err != nil {
				return err
			}
		}
	}
	for _, l := range t.Layouts {
		if err := add(l.goName()+"Size", "the size of layout "+l.Name); err != nil {
			return err
		}
		for _, f := range l.Fields {
			if err := add(l.fieldGoName(f), "the field "+f.Name+" of "+l.Name); err != nil {
				return err
			}
		}
	}
	return nil
}
