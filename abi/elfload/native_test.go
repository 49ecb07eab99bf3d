package elfload

import "testing"

// withCode returns the valid hand-made file with code written at the
// file offset of address (inside its text segment, file offset = address -
// 0x400000).
func withCode(entry uint64, code string) []byte {
	file := put64(validELF(), offEntry, entry)
	copy(file[entry-0x400000:], code)
	return file
}

func TestNative(t *testing.T) {
	cases := []struct {
		name  string
		file  []byte
		want  bool
		entry uint64
	}{
		{"the marker at the entry", withCode(0x400100, NativeMarker), true, 0x400100},
		{"no marker", validELF(), false, 0x400100},
		{"the marker one byte off", withCode(0x400100, "\x00"+NativeMarker), false, 0x400100},
		{"a marker cut by the end of the segment's file bytes", withCode(0x401000-8, NativeMarker[:8]), false, 0x401000 - 8},
		{"the marker ending at the last file byte", withCode(0x401000-16, NativeMarker), true, 0x401000 - 16},
	}
	for _, c := range cases {
		var plan Plan
		if p := Parse(c.file, testLowest, testHighest, &plan); p != OK {
			t.Fatalf("%s: Parse: %v", c.name, p)
		}
		if plan.Entry != c.entry {
			t.Fatalf("%s: entry %#x", c.name, plan.Entry)
		}
		if got := Native(c.file, &plan); got != c.want {
			t.Errorf("%s: Native = %v, want %v", c.name, got, c.want)
		}
	}
	// An entry in the zero tail of a segment (past its file bytes) is not
	// native: there is no code there to carry the marker.
	file := makeELF(0x400100, 0x1100,
		phdr{typ: ptLoad, flags: rx, offset: 0, vaddr: 0x400000, filesz: 0x100, memsz: 0x1000})
	var plan Plan
	if p := Parse(file, testLowest, testHighest, &plan); p != OK {
		t.Fatalf("zero tail: Parse: %v", p)
	}
	if Native(file, &plan) {
		t.Error("an entry past the segment's file bytes counts as native")
	}
}

// A Go program built with plain go build (entered at the runtime's
// _rt0_amd64_linux) is not native.
func TestPlainGoProgramIsNotNative(t *testing.T) {
	file := mustRealBinary(t)
	var plan Plan
	if p := Parse(file, testLowest, testHighest, &plan); p != OK {
		t.Fatalf("Parse: %v", p)
	}
	if Native(file, &plan) {
		t.Error("a plain Go program counts as native")
	}
	if plan.Phdr == 0 {
		t.Error("a Go program's headers are not found in its first segment")
	}
}

// Only regions with file bytes are file-backed: a bss that runs on into
// further regions leaves those to be committed on demand.
func TestFileBacked(t *testing.T) {
	const mb2 = 2 << 20
	segments := []Segment{
		{Vaddr: 0x400000, Filesz: 0x1000, Memsz: 0x1000},
		{Vaddr: 0x600000 + 0x1f0000, Filesz: 0x20000, Memsz: 5 * mb2}, // crosses into the next region, then bss
		{Vaddr: 0x4000000, Filesz: 0, Memsz: mb2},                     // bss only
	}
	for _, c := range []struct {
		region uint64
		want   bool
	}{
		{0x400000, true}, {0x600000, true}, {0x800000, true}, {0xa00000, false},
		{0xe00000, false}, {0x4000000, false}, {0x200000, false},
	} {
		if got := FileBacked(segments, c.region); got != c.want {
			t.Errorf("region %#x: %v, want %v", c.region, got, c.want)
		}
	}
}

// LoadSegments reads back, from the table alone, the PT_LOADs Parse
// planned.
func TestLoadSegments(t *testing.T) {
	file := validELF()
	var plan Plan
	if p := Parse(file, testLowest, testHighest, &plan); p != OK {
		t.Fatal(p)
	}
	table := file[plan.Phoff : plan.Phoff+uint64(plan.Phnum)*phEntSize]
	var out [MaxSegments]Segment
	n := LoadSegments(table, out[:])
	if n != plan.Count {
		t.Fatalf("%d segments, Parse planned %d", n, plan.Count)
	}
	for i := 0; i < n; i++ {
		want := plan.Segments[i]
		want.Offset = 0 // not read from memory
		if out[i] != want {
			t.Errorf("segment %d: %+v, want %+v", i, out[i], want)
		}
	}
	if got := LoadSegments(table, out[:1]); got != 1 {
		t.Errorf("into room for one: %d", got)
	}
	if got := LoadSegments(table[:55], out[:]); got != 0 {
		t.Errorf("a cut table: %d", got)
	}
}
