package elfload

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The bounds the libOS passes: 4 MiB up to its reserved areas.
const (
	testLowest  = 4 << 20
	testHighest = 1 << 40
)

// A program header for the hand-made files.
type phdr struct {
	typ, flags                   uint32
	offset, vaddr, filesz, memsz uint64
}

// makeELF builds a minimal ELF64 x86-64 executable: the header, the
// program headers right after it, and zero bytes up to size.
func makeELF(entry uint64, size int, headers ...phdr) []byte {
	if end := headerSize + phEntSize*len(headers); size < end {
		size = end
	}
	b := make([]byte, size)
	copy(b, "\x7fELF")
	b[4], b[5], b[6] = classELF64, dataLSB, versionOne
	le := binary.LittleEndian
	le.PutUint16(b[offType:], typeExec)
	le.PutUint16(b[offMachine:], machineAMD)
	le.PutUint32(b[offVersion:], versionOne)
	le.PutUint64(b[offEntry:], entry)
	le.PutUint64(b[offPhoff:], headerSize)
	le.PutUint16(b[52:], headerSize)
	le.PutUint16(b[offPhentsz:], phEntSize)
	le.PutUint16(b[offPhnum:], uint16(len(headers)))
	for i, h := range headers {
		p := b[headerSize+phEntSize*i:]
		le.PutUint32(p[offPType:], h.typ)
		le.PutUint32(p[offPFlags:], h.flags)
		le.PutUint64(p[offPOffset:], h.offset)
		le.PutUint64(p[offPVaddr:], h.vaddr)
		le.PutUint64(p[24:], h.vaddr) // p_paddr
		le.PutUint64(p[offPFilesz:], h.filesz)
		le.PutUint64(p[offPMemsz:], h.memsz)
		le.PutUint64(p[48:], pageSize) // p_align
	}
	return b
}

// Segment flags as p_flags.
const (
	rx = pfExecute | 4 // PF_R is 4
	r  = 4
	rw = pfWrite | 4
)

// validHeaders is a small valid program: text (with the headers), and
// data with bss.
var validHeaders = []phdr{
	{typ: ptLoad, flags: rx, offset: 0, vaddr: 0x400000, filesz: 0x1000, memsz: 0x1000},
	{typ: ptLoad, flags: rw, offset: 0x1000, vaddr: 0x401000, filesz: 0x100, memsz: 0x2000},
	{typ: 4 /* PT_NOTE */, flags: r, offset: 0x200, vaddr: 0x400200, filesz: 0x10, memsz: 0x10},
}

func validELF() []byte { return makeELF(0x400100, 0x1100, validHeaders...) }

// Field writers for editing copies of the valid file.
func put16(b []byte, off int, v uint16) []byte { binary.LittleEndian.PutUint16(b[off:], v); return b }
func put32(b []byte, off int, v uint32) []byte { binary.LittleEndian.PutUint32(b[off:], v); return b }
func put64(b []byte, off int, v uint64) []byte { binary.LittleEndian.PutUint64(b[off:], v); return b }

// ph returns the file offset of field off of program header i.
func ph(i, off int) int { return headerSize + phEntSize*i + off }

// checkPlan checks what Parse promises of a plan it accepted.
func checkPlan(t *testing.T, file []byte, lowest, highest uint64, plan *Plan) {
	t.Helper()
	if plan.Count < 1 || plan.Count > MaxSegments {
		t.Fatalf("Count %d", plan.Count)
	}
	if plan.Phnum < 1 || plan.Phnum > maxHeaders || plan.Phoff+uint64(plan.Phnum)*phEntSize > uint64(len(file)) {
		t.Fatalf("program headers %d at %#x outside a file of %d bytes", plan.Phnum, plan.Phoff, len(file))
	}
	if plan.Low%pageSize != 0 || plan.High%pageSize != 0 || plan.Low >= plan.High || plan.Low < lowest || plan.High > highest {
		t.Fatalf("[Low, High) = [%#x, %#x) with bounds [%#x, %#x)", plan.Low, plan.High, lowest, highest)
	}
	total, entry := uint64(0), false
	for i, s := range plan.Segments[:plan.Count] {
		end := s.Vaddr + s.Memsz
		if s.Memsz == 0 || s.Filesz > s.Memsz || end < s.Vaddr || end > lastPageEnd {
			t.Fatalf("segment %d: %+v", i, s)
		}
		if s.Offset > uint64(len(file)) || uint64(len(file))-s.Offset < s.Filesz {
			t.Fatalf("segment %d: bytes [%#x, +%#x) outside a file of %d bytes", i, s.Offset, s.Filesz, len(file))
		}
		if s.Vaddr%pageSize != s.Offset%pageSize {
			t.Fatalf("segment %d: vaddr %#x and offset %#x incongruent", i, s.Vaddr, s.Offset)
		}
		if pageDown(s.Vaddr) < plan.Low || pageUp(end) > plan.High {
			t.Fatalf("segment %d [%#x, %#x) outside [Low, High) = [%#x, %#x)", i, s.Vaddr, end, plan.Low, plan.High)
		}
		if i > 0 {
			prev := plan.Segments[i-1]
			prevEnd := prev.Vaddr + prev.Memsz
			if s.Vaddr < prevEnd {
				t.Fatalf("segment %d at %#x overlaps or precedes the one ending at %#x", i, s.Vaddr, prevEnd)
			}
			if pageDown(s.Vaddr) < pageDown(prevEnd-1) {
				t.Fatalf("segment %d shares more than the boundary page", i)
			}
		}
		total += s.Memsz
		if s.Execute && plan.Entry >= s.Vaddr && plan.Entry < end {
			entry = true
		}
	}
	if plan.Low != pageDown(plan.Segments[0].Vaddr) {
		t.Fatalf("Low %#x is not the first segment's page", plan.Low)
	}
	if total > MaxBytes || !entry {
		t.Fatalf("total %d, entry %#x inside an executable segment: %v", total, plan.Entry, entry)
	}
}

func TestValidHandMade(t *testing.T) {
	file := validELF()
	var plan Plan
	if p := Parse(file, testLowest, testHighest, &plan); p != OK {
		t.Fatalf("Parse: %v", p)
	}
	checkPlan(t, file, testLowest, testHighest, &plan)
	want := Plan{Entry: 0x400100, Count: 2, Phoff: headerSize, Phnum: 3, Phdr: 0x400000 + headerSize, Low: 0x400000, High: 0x403000}
	want.Segments[0] = Segment{Vaddr: 0x400000, Memsz: 0x1000, Offset: 0, Filesz: 0x1000, Execute: true}
	want.Segments[1] = Segment{Vaddr: 0x401000, Memsz: 0x2000, Offset: 0x1000, Filesz: 0x100, Write: true}
	if plan != want {
		t.Fatalf("plan\n%+v\nwant\n%+v", plan, want)
	}
}

// Segments out of order are sorted; a page shared at the boundary, with
// adjacent file offsets (as Go's linker makes them), is accepted; empty
// PT_LOADs are left out; the limits themselves are accepted.
func TestAcceptedEdges(t *testing.T) {
	var plan Plan
	shared := makeELF(0x400010, 0x2000,
		phdr{typ: ptLoad, flags: rw, offset: 0x1800, vaddr: 0x401800, filesz: 0x100, memsz: 0x100},
		phdr{typ: ptLoad, flags: rx, offset: 0, vaddr: 0x400000, filesz: 0x1800, memsz: 0x1800},
		phdr{typ: ptLoad, flags: r, offset: 0x1000, vaddr: 0x405000, filesz: 0, memsz: 0},
	)
	if p := Parse(shared, testLowest, 0x402000, &plan); p != OK {
		t.Fatalf("shared page: %v", p)
	}
	checkPlan(t, shared, testLowest, 0x402000, &plan)
	if plan.Count != 2 || plan.Segments[0].Vaddr != 0x400000 || plan.High != 0x402000 {
		t.Fatalf("shared page: %+v", plan)
	}

	var many []phdr
	for i := uint64(0); i < MaxSegments; i++ {
		filesz := uint64(1)
		if i == 0 {
			filesz = pageSize // the program headers, at offset 64
		}
		many = append(many, phdr{typ: ptLoad, flags: rx, offset: i * pageSize, vaddr: 0x400000 + i*pageSize, filesz: filesz, memsz: pageSize})
	}
	file := makeELF(0x400000, 0x10000, many...)
	if p := Parse(file, testLowest, testHighest, &plan); p != OK || plan.Count != MaxSegments {
		t.Fatalf("%d segments: %v, count %d", MaxSegments, p, plan.Count)
	}
	big := makeELF(0x400000, 0x1000, phdr{typ: ptLoad, flags: rx, vaddr: 0x400000, filesz: 0x1000, memsz: MaxBytes})
	if p := Parse(big, testLowest, testHighest, &plan); p != OK {
		t.Fatalf("MaxBytes: %v", p)
	}
}

func TestRefusals(t *testing.T) {
	valid := validELF()
	edit := func(f func(b []byte) []byte) []byte {
		return f(append([]byte(nil), valid...))
	}
	one := func(entry uint64, h ...phdr) []byte { return makeELF(entry, 0x3000, h...) }
	text := phdr{typ: ptLoad, flags: rx, offset: 0, vaddr: 0x400000, filesz: 0x1000, memsz: 0x1000}
	seventeen := make([]phdr, MaxSegments+1)
	for i := range seventeen {
		seventeen[i] = phdr{typ: ptLoad, flags: rx, offset: 0, vaddr: 0x400000 + uint64(i)*0x10000, filesz: 0x100, memsz: 0x100}
	}
	cases := []struct {
		name string
		file []byte
		low  uint64 // bounds; 0 means the usual
		high uint64
		want Problem
	}{
		{name: "empty", file: nil, want: TooShort},
		{name: "shorter than a header", file: valid[:headerSize-1], want: TooShort},
		{name: "wrong magic", file: edit(func(b []byte) []byte { b[1] = 'e'; return b }), want: NotELF},
		{name: "32-bit class", file: edit(func(b []byte) []byte { b[4] = 1; return b }), want: Not64Bit},
		{name: "big-endian", file: edit(func(b []byte) []byte { b[5] = 2; return b }), want: Not64Bit},
		{name: "ident version 0", file: edit(func(b []byte) []byte { b[6] = 0; return b }), want: Not64Bit},
		{name: "e_version 2", file: edit(func(b []byte) []byte { return put32(b, offVersion, 2) }), want: Not64Bit},
		{name: "wrong machine", file: edit(func(b []byte) []byte { return put16(b, offMachine, 183) }), want: NotX86_64},
		{name: "ET_DYN", file: edit(func(b []byte) []byte { return put16(b, offType, typeDyn) }), want: NotExecutable},
		{name: "ET_REL", file: edit(func(b []byte) []byte { return put16(b, offType, 1) }), want: NotExecutable},
		{name: "phentsize 32", file: edit(func(b []byte) []byte { return put16(b, offPhentsz, 32) }), want: BadHeaders},
		{name: "phnum 0", file: edit(func(b []byte) []byte { return put16(b, offPhnum, 0) }), want: BadHeaders},
		{name: "phnum 65", file: edit(func(b []byte) []byte { return put16(b, offPhnum, 65) }), want: BadHeaders},
		// e_phnum is 16 bits: 65535 (PN_XNUM) is its largest value.
		{name: "phnum 65535", file: edit(func(b []byte) []byte { return put16(b, offPhnum, 0xffff) }), want: BadHeaders},
		{name: "phoff past the end", file: edit(func(b []byte) []byte { return put64(b, offPhoff, uint64(len(b))) }), want: TooShort},
		{name: "headers run past the end", file: edit(func(b []byte) []byte { return put64(b, offPhoff, uint64(len(b))-100) }), want: TooShort},
		{name: "phoff overflowing", file: edit(func(b []byte) []byte { return put64(b, offPhoff, ^uint64(0)-8) }), want: BadHeaders},
		{name: "PT_INTERP", file: edit(func(b []byte) []byte { return put32(b, ph(2, offPType), ptInterp) }), want: Dynamic},
		{name: "PT_DYNAMIC", file: edit(func(b []byte) []byte { return put32(b, ph(2, offPType), ptDynamic) }), want: Dynamic},
		{name: "no PT_LOAD", file: one(0x400000, phdr{typ: 4}), want: NoSegments},
		{name: "only empty PT_LOADs", file: one(0x400000, phdr{typ: ptLoad, flags: rx, vaddr: 0x400000}), want: NoSegments},
		{name: "17 PT_LOADs", file: one(0x400000, seventeen...), want: TooManySegments},
		{name: "filesz > memsz", file: edit(func(b []byte) []byte { return put64(b, ph(1, offPFilesz), 0x2001) }), want: BadSegment},
		{name: "offset+filesz past the end", file: edit(func(b []byte) []byte { return put64(b, ph(1, offPFilesz), 0x101) }), want: BadSegment},
		{name: "offset past the end", file: edit(func(b []byte) []byte { return put64(b, ph(1, offPOffset), 0x10000) }), want: BadSegment},
		{name: "offset+filesz overflowing", file: edit(func(b []byte) []byte { return put64(b, ph(1, offPOffset), ^uint64(0)-0xfff) }), want: BadSegment},
		{name: "vaddr+memsz wrapping", file: edit(func(b []byte) []byte { return put64(b, ph(1, offPVaddr), ^uint64(0)-0xfff) }), want: BadSegment},
		{name: "memsz wrapping alone", file: edit(func(b []byte) []byte { return put64(b, ph(1, offPMemsz), ^uint64(0)) }), want: BadSegment},
		{name: "last page past 2^64", file: one(^uint64(0)-0xfff, phdr{typ: ptLoad, flags: rx, vaddr: ^uint64(0) - 0xfff, filesz: 0x10, memsz: 0x10}), high: ^uint64(0), want: BadSegment},
		{name: "incongruent vaddr/offset", file: edit(func(b []byte) []byte { return put64(b, ph(1, offPVaddr), 0x401800) }), want: BadSegment},
		{name: "below lowest", file: valid, low: 0x401000, want: OutOfRange},
		{name: "past highest", file: valid, high: 0x402fff, want: OutOfRange},
		{name: "overlapping", file: one(0x400000, text, phdr{typ: ptLoad, flags: rw, offset: 0x1800, vaddr: 0x400800, filesz: 0x100, memsz: 0x1000}), want: Overlap},
		{name: "overlapping in the shared page", file: one(0x400000,
			phdr{typ: ptLoad, flags: rx, vaddr: 0x400000, filesz: 0x1800, memsz: 0x1900},
			phdr{typ: ptLoad, flags: rw, offset: 0x1800, vaddr: 0x401800, filesz: 0x100, memsz: 0x100}), want: Overlap},
		{name: "identical", file: one(0x400000, text, text), want: Overlap},
		{name: "memsz 300 MiB", file: one(0x400000, phdr{typ: ptLoad, flags: rx, vaddr: 0x400000, filesz: 0x1000, memsz: 300 << 20}), want: TooBig},
		{name: "total over MaxBytes", file: one(0x400000,
			phdr{typ: ptLoad, flags: rx, vaddr: 0x400000, filesz: 0x1000, memsz: 200 << 20},
			phdr{typ: ptLoad, flags: rw, vaddr: 0x40000000, memsz: 100 << 20}), want: TooBig},
		{name: "entry in data", file: edit(func(b []byte) []byte { return put64(b, offEntry, 0x401010) }), want: BadEntry},
		{name: "entry in no segment", file: edit(func(b []byte) []byte { return put64(b, offEntry, 0x500000) }), want: BadEntry},
		{name: "entry at the end of text", file: edit(func(b []byte) []byte { return put64(b, offEntry, 0x401000) }), want: BadEntry},
		{name: "headers past the text's file bytes", file: one(0x400000, phdr{typ: ptLoad, flags: rx, offset: 0, vaddr: 0x400000, filesz: 0x40, memsz: 0x1000}), want: HeadersNotLoaded},
		{name: "headers in no segment", file: one(0x401000, phdr{typ: ptLoad, flags: rx, offset: 0x1000, vaddr: 0x401000, filesz: 0x1000, memsz: 0x1000}), want: HeadersNotLoaded},
	}
	for _, c := range cases {
		low, high := uint64(testLowest), uint64(testHighest)
		if c.low != 0 {
			low = c.low
		}
		if c.high != 0 {
			high = c.high
		}
		var plan Plan
		if got := Parse(c.file, low, high, &plan); got != c.want {
			t.Errorf("%s: got %v (%d), want %v (%d)", c.name, got, got, c.want, c.want)
		}
	}
}

func TestProblemStrings(t *testing.T) {
	seen := map[string]Problem{}
	for p := OK; p <= HeadersNotLoaded; p++ {
		s := p.String()
		if s == "" || s == "unknown problem" {
			t.Errorf("problem %d has no phrase", p)
		}
		if q, ok := seen[s]; ok {
			t.Errorf("problems %d and %d share %q", q, p, s)
		}
		seen[s] = p
	}
	if s := (HeadersNotLoaded + 1).String(); s != "unknown problem" {
		t.Errorf("out of range: %q", s)
	}
	for p, want := range map[Problem]string{
		NotExecutable: "position-independent (ET_DYN): build with -buildmode=exe",
		Dynamic:       "dynamically linked: build with CGO_ENABLED=0",
	} {
		if !strings.Contains(p.String(), want) {
			t.Errorf("%d: %q does not say %q", p, p.String(), want)
		}
	}
}

// realBinary builds a tiny static Go program with the pinned toolchain,
// once; it returns nil when that fails.
var realBinary = sync.OnceValues(func() ([]byte, error) {
	root, err := filepath.Abs("../..")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "elfload")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	program := "package main\n\nfunc main() { println(\"hello\") }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(program), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module tiny\n\ngo 1.26\n"), 0o644); err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "tiny")
	cmd := exec.Command(filepath.Join(root, "tools/go"), "build", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=")
	if output, err := cmd.CombinedOutput(); err != nil {
		return nil, &buildError{err, string(output)}
	}
	return os.ReadFile(out)
})

type buildError struct {
	err    error
	output string
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.output }

func mustRealBinary(t *testing.T) []byte {
	t.Helper()
	file, err := realBinary()
	if err != nil {
		t.Skipf("cannot build a Go program: %v", err)
	}
	return file
}

// The plan for a real Go executable agrees with debug/elf.
func TestRealGoProgram(t *testing.T) {
	file := mustRealBinary(t)
	var plan Plan
	if p := Parse(file, testLowest, testHighest, &plan); p != OK {
		t.Fatalf("Parse: %v", p)
	}
	checkPlan(t, file, testLowest, testHighest, &plan)
	f, err := elf.NewFile(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	var header elf.Header64
	if err := binary.Read(bytes.NewReader(file), binary.LittleEndian, &header); err != nil {
		t.Fatal(err)
	}
	if plan.Entry != f.Entry || plan.Phoff != header.Phoff || plan.Phnum != int(header.Phnum) || plan.Phnum != len(f.Progs) {
		t.Fatalf("entry %#x phoff %#x phnum %d; debug/elf: %#x %#x %d", plan.Entry, plan.Phoff, plan.Phnum, f.Entry, header.Phoff, len(f.Progs))
	}
	var loads []*elf.Prog
	for _, p := range f.Progs {
		if p.Type == elf.PT_PHDR && (p.Off != plan.Phoff || p.Vaddr != plan.Phdr) {
			t.Errorf("PT_PHDR at %#x (address %#x), Phoff %#x, Phdr %#x", p.Off, p.Vaddr, plan.Phoff, plan.Phdr)
		}
		if p.Type == elf.PT_LOAD && p.Memsz > 0 {
			loads = append(loads, p)
		}
	}
	if len(loads) != plan.Count {
		t.Fatalf("%d segments, debug/elf has %d", plan.Count, len(loads))
	}
	low, high := ^uint64(0), uint64(0)
	for i, p := range loads { // Go's linker writes them in address order
		want := Segment{Vaddr: p.Vaddr, Memsz: p.Memsz, Offset: p.Off, Filesz: p.Filesz,
			Write: p.Flags&elf.PF_W != 0, Execute: p.Flags&elf.PF_X != 0}
		if plan.Segments[i] != want {
			t.Errorf("segment %d: %+v, debug/elf %+v", i, plan.Segments[i], want)
		}
		low, high = min(low, p.Vaddr&^0xfff), max(high, (p.Vaddr+p.Memsz+0xfff)&^0xfff)
	}
	if plan.Low != low || plan.High != high {
		t.Errorf("[%#x, %#x), debug/elf [%#x, %#x)", plan.Low, plan.High, low, high)
	}
	t.Logf("%d segments in [%#x, %#x), entry %#x", plan.Count, plan.Low, plan.High, plan.Entry)
}

// Every truncation of the real binary's first 4096 bytes is refused,
// without a panic.
func TestTruncations(t *testing.T) {
	file := mustRealBinary(t)
	var plan Plan
	for n := 0; n <= 4096 && n < len(file); n++ {
		p := Parse(file[:n], testLowest, testHighest, &plan)
		if p == OK {
			t.Fatalf("%d bytes accepted", n)
		}
		if n < headerSize && p != TooShort {
			t.Fatalf("%d bytes: %v", n, p)
		}
	}
	// Cut inside the segments' bytes: refused; after them (in the
	// section headers): accepted.
	if p := Parse(file, testLowest, testHighest, &plan); p != OK {
		t.Fatalf("whole file: %v", p)
	}
	end := uint64(0)
	for _, s := range plan.Segments[:plan.Count] {
		end = max(end, s.Offset+s.Filesz)
	}
	for _, n := range []uint64{uint64(len(file)) / 2, end - 1, end} {
		p := Parse(file[:n], testLowest, testHighest, &plan)
		if (p == OK) != (n == end) {
			t.Fatalf("%d bytes (segments end at %d): %v", n, end, p)
		}
	}
	if p := Parse(shrink(file), testLowest, testHighest, &plan); p != OK {
		t.Fatalf("shrunk: %v", p)
	}
}

// Every byte of the hand-made file's headers, set to a few values: no
// panic, and an accepted file keeps Parse's promises.
func TestByteEdits(t *testing.T) {
	valid := validELF()
	var plan Plan
	for i := 0; i < headerSize+3*phEntSize; i++ {
		for _, v := range []byte{0, 1, 0x7f, 0x80, 0xff, valid[i] ^ 0x10} {
			b := append([]byte(nil), valid...)
			b[i] = v
			if Parse(b, testLowest, testHighest, &plan) == OK {
				checkPlan(t, b, testLowest, testHighest, &plan)
			}
		}
	}
}

func TestParseDoesNotAllocate(t *testing.T) {
	files := [][]byte{validELF(), validELF()[:100]}
	if real, err := realBinary(); err == nil {
		files = append(files, real)
	}
	var plan Plan
	for _, file := range files {
		if n := testing.AllocsPerRun(100, func() {
			_ = Parse(file, testLowest, testHighest, &plan)
			_ = plan.Count
		}); n != 0 {
			t.Errorf("Parse allocates %v times", n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = BadEntry.String() }); n != 0 {
		t.Errorf("String allocates %v times", n)
	}
}

// shrink returns a valid 4096-byte file made from a real one: its first
// page, with each PT_LOAD's file bytes cut to what is in that page (the
// whole real binary would make the fuzzer's minimization crawl).
func shrink(real []byte) []byte {
	b := append([]byte(nil), real[:pageSize]...)
	le := binary.LittleEndian
	phoff, phnum := le.Uint64(b[offPhoff:]), int(le.Uint16(b[offPhnum:]))
	for i := 0; i < phnum; i++ {
		h := b[phoff+uint64(i)*phEntSize:]
		if le.Uint32(h[offPType:]) != ptLoad {
			continue
		}
		offset, filesz := le.Uint64(h[offPOffset:]), le.Uint64(h[offPFilesz:])
		if offset >= pageSize {
			offset, filesz = offset%pageSize, 0
		}
		le.PutUint64(h[offPOffset:], offset)
		le.PutUint64(h[offPFilesz:], min(filesz, pageSize-offset))
	}
	return b
}

func FuzzParse(f *testing.F) {
	f.Add(validELF(), uint64(testLowest), uint64(testHighest))
	f.Add(makeELF(0x400010, 0x2000,
		phdr{typ: ptLoad, flags: rx, offset: 0, vaddr: 0x400000, filesz: 0x1800, memsz: 0x1800},
		phdr{typ: ptLoad, flags: rw, offset: 0x1800, vaddr: 0x401800, filesz: 0x100, memsz: 0x100},
	), uint64(testLowest), uint64(testHighest))
	if real, err := realBinary(); err == nil {
		f.Add(shrink(real), uint64(testLowest), uint64(testHighest))
		f.Add(real[:4096], uint64(testLowest), uint64(testHighest))
	}
	f.Fuzz(func(t *testing.T, file []byte, lowest, highest uint64) {
		var plan Plan
		if Parse(file, lowest, highest, &plan) == OK {
			checkPlan(t, file, lowest, highest, &plan)
		}
	})
}
