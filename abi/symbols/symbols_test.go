package symbols

import (
	"debug/elf"
	"debug/gosym"
	"math/rand"
	"os"
	"reflect"
	"runtime"
	"testing"
	"unsafe"
)

// testImage is the test binary's own function table, read from its ELF
// file, and the gosym reference decoding of it.
type testImage struct {
	pclntab   []byte // a heap copy of .gopclntab
	textStart uintptr
	section   *elf.Section // .gopclntab as mapped by the loader
	fileType  elf.Type
	reference *gosym.Table
}

var loadedImage *testImage

func loadImage(t *testing.T) *testImage {
	t.Helper()
	if loadedImage != nil {
		return loadedImage
	}
	path, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	file, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	section := file.Section(".gopclntab")
	text := file.Section(".text")
	if section == nil || text == nil {
		t.Fatal("test binary has no .gopclntab or .text section")
	}
	data, err := section.Data()
	if err != nil {
		t.Fatal(err)
	}
	reference, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		t.Fatal(err)
	}
	loadedImage = &testImage{
		pclntab:   data,
		textStart: uintptr(text.Addr),
		section:   section,
		fileType:  file.Type,
		reference: reference,
	}
	return loadedImage
}

// tableOf returns a Table over b. b must stay alive while the Table is used.
func tableOf(b []byte, textStart uintptr) Table {
	if len(b) == 0 {
		return NewTable(0, 0, textStart)
	}
	return NewTable(uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), textStart)
}

// samplePCs returns pcs spread over a function: its entry, a few inside,
// its last byte; every pc for one function in dense.
func samplePCs(function gosym.Func, dense ...bool) []uint64 {
	size := function.End - function.Entry
	if len(dense) > 0 && dense[0] {
		var pcs []uint64
		for pc := function.Entry; pc < function.End; pc++ {
			pcs = append(pcs, pc)
		}
		return pcs
	}
	pcs := []uint64{function.Entry}
	for _, fraction := range []uint64{7, 3, 2} {
		pcs = append(pcs, function.Entry+size/fraction)
	}
	return append(pcs, function.End-1)
}

func TestMatchesGosym(t *testing.T) {
	image := loadImage(t)
	table := tableOf(image.pclntab, image.textStart)
	if !table.Valid() {
		t.Fatal("header of the test binary's pclntab rejected")
	}
	if len(image.reference.Funcs) < 1000 {
		t.Fatalf("only %d functions in the reference table", len(image.reference.Funcs))
	}
	checked, uncovered := 0, 0
	for i, function := range image.reference.Funcs {
		for _, pc := range samplePCs(function, i%16 == 0) {
			found, info := table.Lookup(uintptr(pc))
			if !found {
				t.Fatalf("pc %#x in %s: not found", pc, function.Name)
			}
			if info.Entry != uintptr(function.Entry) || info.End != uintptr(function.End) {
				t.Fatalf("pc %#x: function [%#x,%#x), want [%#x,%#x)", pc, info.Entry, info.End, function.Entry, function.End)
			}
			if name := string(table.FunctionName(info)); name != function.Name {
				t.Fatalf("pc %#x: name %q, want %q", pc, name, function.Name)
			}
			wantFile, wantLine, _ := image.reference.PCToLine(pc)
			file, line := table.FileLine(info, uintptr(pc))
			if wantFile == "" && wantLine < 0 {
				// The pc is in alignment padding after the function's
				// last instruction, which the line table does not
				// cover, or the function (a linker marker such as
				// go:textfipsstart) has no line table at all: gosym
				// then says "" and a negative line, this package "?"
				// and 0.
				wantFile, wantLine = "?", 0
				uncovered++
			}
			if string(file) != wantFile || int(line) != wantLine {
				t.Fatalf("pc %#x in %s: %s:%d, want %s:%d", pc, function.Name, file, line, wantFile, wantLine)
			}
			checked++
		}
	}
	t.Logf("checked %d pcs in %d functions (%d in padding)", checked, len(image.reference.Funcs), uncovered)
	if uncovered > checked/4 {
		t.Errorf("%d of %d pcs not covered by line tables", uncovered, checked)
	}
	runtime.KeepAlive(image.pclntab)
}

func TestOutsideText(t *testing.T) {
	image := loadImage(t)
	table := tableOf(image.pclntab, image.textStart)
	functions := image.reference.Funcs
	last := functions[len(functions)-1]
	for _, pc := range []uintptr{0, 1, image.textStart - 1, uintptr(last.End), uintptr(last.End) + 4096, ^uintptr(0)} {
		if found, info := table.Lookup(pc); found {
			t.Errorf("pc %#x: found %+v, want not found", pc, info)
		}
	}
	// Queries with a FuncInfo that did not come from Lookup answer "?".
	bogus := FuncInfo{Entry: uintptr(functions[0].Entry), End: uintptr(functions[0].End), recordOffset: 12345}
	if name := string(table.FunctionName(bogus)); name != "?" {
		t.Errorf("bogus FuncInfo: name %q, want ?", name)
	}
	if file, line := table.FileLine(FuncInfo{}, image.textStart); string(file) != "?" || line != 0 {
		t.Errorf("zero FuncInfo: %s:%d, want ?:0", file, line)
	}
	// A pc outside the function gives "?".
	_, info := table.Lookup(uintptr(functions[1].Entry))
	if file, _ := table.FileLine(info, uintptr(functions[1].End)); string(file) != "?" {
		t.Errorf("pc past the function: file %q, want ?", file)
	}
	runtime.KeepAlive(image.pclntab)
}

// TestLiveKernelTable uses the package-level API on the pclntab as the
// loader mapped it, like the kernel does, and compares with the runtime.
func TestLiveKernelTable(t *testing.T) {
	image := loadImage(t)
	if image.fileType != elf.ET_EXEC {
		t.Skip("test binary is position independent; its sections are not at their link addresses")
	}
	if !Init(uintptr(image.section.Addr), uintptr(image.section.Size), image.textStart) {
		t.Fatal("Init rejected the mapped pclntab")
	}
	defer Init(0, 0, 0)
	pc := reflect.ValueOf(TestLiveKernelTable).Pointer()
	found, info := Lookup(pc + 1)
	if !found {
		t.Fatalf("own pc %#x not found", pc)
	}
	want := runtime.FuncForPC(pc)
	if name := string(FunctionName(info)); name != want.Name() {
		t.Errorf("name %q, want %q", name, want.Name())
	}
	// The line of a call site, found the way a backtrace would: return
	// address minus one.
	var pcs [1]uintptr
	runtime.Callers(1, pcs[:]) // the line below must stay next to this one
	_, wantLine := want.FileLine(pcs[0] - 1)
	found, info = Lookup(pcs[0] - 1)
	file, line := FileLine(info, pcs[0]-1)
	wantFile, _ := want.FileLine(pcs[0] - 1)
	if !found || string(file) != wantFile || int(line) != wantLine {
		t.Errorf("call site: %s:%d, want %s:%d", file, line, wantFile, wantLine)
	}
}

func TestNoAllocations(t *testing.T) {
	image := loadImage(t)
	table := tableOf(image.pclntab, image.textStart)
	function := image.reference.Funcs[len(image.reference.Funcs)/2]
	pc := uintptr(function.Entry + (function.End-function.Entry)/2)
	var nameLength, fileLength int
	allocations := testing.AllocsPerRun(100, func() {
		found, info := table.Lookup(pc)
		if !found {
			return
		}
		nameLength = len(table.FunctionName(info))
		file, _ := table.FileLine(info, pc)
		fileLength = len(file)
	})
	if allocations != 0 {
		t.Errorf("Lookup+FunctionName+FileLine: %v allocations, want 0", allocations)
	}
	if nameLength == 0 || fileLength == 0 {
		t.Errorf("empty results in the allocation test")
	}
	allocations = testing.AllocsPerRun(100, func() {
		_ = NewTable(uintptr(unsafe.Pointer(&image.pclntab[0])), uintptr(len(image.pclntab)), image.textStart)
	})
	if allocations != 0 {
		t.Errorf("NewTable: %v allocations, want 0", allocations)
	}
	runtime.KeepAlive(image.pclntab)
}

// queryAll runs every query on pcs spread over the text; it must not panic.
func queryAll(table *Table, image *testImage, step int) {
	for i := 0; i < len(image.reference.Funcs); i += step {
		for _, pc := range samplePCs(image.reference.Funcs[i]) {
			found, info := table.Lookup(uintptr(pc))
			_ = table.FunctionName(info)
			_, _ = table.FileLine(info, uintptr(pc))
			_ = found
		}
	}
}

func TestTruncatedTables(t *testing.T) {
	image := loadImage(t)
	full := image.pclntab
	lengths := []int{0, 1, 7, 8, 16, 40, 71, 72, 73, 100, len(full) / 4, len(full) / 2, len(full) - 100, len(full) - 1}
	for _, length := range lengths {
		copied := append([]byte(nil), full[:length]...)
		table := tableOf(copied, image.textStart)
		queryAll(&table, image, 7)
		if length < len(full)/2 && table.Valid() {
			t.Errorf("table truncated to %d of %d bytes accepted", length, len(full))
		}
		runtime.KeepAlive(copied)
	}
	magic := append([]byte(nil), full...)
	magic[0] = 0xf0
	if table := tableOf(magic, image.textStart); table.Valid() {
		t.Error("table with a wrong magic accepted")
	}
	runtime.KeepAlive(magic)
}

func TestCorruptTables(t *testing.T) {
	image := loadImage(t)
	random := rand.New(rand.NewSource(1))
	for round := 0; round < 40; round++ {
		corrupt := append([]byte(nil), image.pclntab...)
		// Flip random bytes everywhere except the header in most rounds, so
		// that the header stays valid and the damage reaches the tables.
		start := 72
		if round%8 == 0 {
			start = 0
		}
		for i := 0; i < 2000; i++ {
			corrupt[start+random.Intn(len(corrupt)-start)] = byte(random.Intn(256))
		}
		table := tableOf(corrupt, image.textStart)
		queryAll(&table, image, 13)
		runtime.KeepAlive(corrupt)
	}
	// Overwrite the whole pc-value region with 0xff (endless varints) and
	// the function name region with non-NUL bytes.
	corrupt := append([]byte(nil), image.pclntab...)
	for i := range corrupt[72:] {
		corrupt[72+i] = 0xff
	}
	table := tableOf(corrupt, image.textStart)
	queryAll(&table, image, 1)
	runtime.KeepAlive(corrupt)
}

// SPDelta is 0 at every function's entry (nothing pushed yet) and, where
// the table answers, a sane frame size elsewhere.
func TestSPDelta(t *testing.T) {
	image := loadImage(t)
	table := tableOf(image.pclntab, image.textStart)
	answered := 0
	for i, function := range image.reference.Funcs {
		found, info := table.Lookup(uintptr(function.Entry))
		if !found {
			t.Fatalf("%s not found", function.Name)
		}
		if delta, ok := table.SPDelta(info, uintptr(function.Entry)); ok && delta != 0 {
			t.Fatalf("%s: SP delta %d at its entry, want 0", function.Name, delta)
		}
		for _, pc := range samplePCs(function, i%16 == 0) {
			if delta, ok := table.SPDelta(info, uintptr(pc)); ok {
				answered++
				if delta < 0 || delta%8 != 0 {
					t.Fatalf("%s at %#x: SP delta %d", function.Name, pc, delta)
				}
			}
		}
	}
	if answered < 1000 {
		t.Errorf("only %d answers", answered)
	}
}
