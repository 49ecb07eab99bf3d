package elfload

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"testing"
)

// Sections finds what debug/elf finds in a real Go program.
func TestSectionsOfARealGoProgram(t *testing.T) {
	file := mustRealBinary(t)
	var plan Plan
	if p := Parse(file, testLowest, testHighest, &plan); p != OK {
		t.Fatalf("Parse: %v", p)
	}
	s, ok := Sections(file, &plan)
	if !ok {
		t.Fatal("no sections found")
	}
	f, err := elf.NewFile(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	pclntab, text := f.Section(".gopclntab"), f.Section(".text")
	if s.Pclntab != pclntab.Addr || s.PclntabSize != pclntab.Size || s.Text != text.Addr {
		t.Errorf("found %+v; debug/elf: pclntab %#x+%#x, text %#x", s, pclntab.Addr, pclntab.Size, text.Addr)
	}
	if n := testing.AllocsPerRun(10, func() { Sections(file, &plan) }); n != 0 {
		t.Errorf("Sections allocates %v times", n)
	}
}

// Broken section headers give nothing, never a panic.
func TestSectionsRefusesBrokenHeaders(t *testing.T) {
	good := mustRealBinary(t)
	var plan Plan
	if p := Parse(good, testLowest, testHighest, &plan); p != OK {
		t.Fatalf("Parse: %v", p)
	}
	shoff := binary.LittleEndian.Uint64(good[offShoff:])
	edits := []struct {
		name string
		edit func(b []byte)
	}{
		{"no section headers", func(b []byte) { binary.LittleEndian.PutUint16(b[offShnum:], 0) }},
		{"headers past the end", func(b []byte) { binary.LittleEndian.PutUint64(b[offShoff:], uint64(len(b))-10) }},
		{"wrong entry size", func(b []byte) { binary.LittleEndian.PutUint16(b[offShentsize:], 40) }},
		{"name table out of range", func(b []byte) { binary.LittleEndian.PutUint16(b[offShstrndx:], 0xffff) }},
		{"pclntab outside every segment", func(b []byte) {
			for i := uint64(0); i < uint64(binary.LittleEndian.Uint16(b[offShnum:])); i++ {
				binary.LittleEndian.PutUint64(b[shoff+i*sectionSize+offShAddr:], 0x10)
			}
		}},
	}
	for _, e := range edits {
		b := bytes.Clone(good)
		e.edit(b)
		if s, ok := Sections(b, &plan); ok {
			t.Errorf("%s: found %+v", e.name, s)
		}
	}
	for n := 0; n < len(good); n += len(good)/97 + 1 {
		Sections(good[:n], &plan) // truncations: no panic
	}
}
