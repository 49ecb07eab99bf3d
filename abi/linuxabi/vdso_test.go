package linuxabi

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"testing"
)

// The vDSO as the Go runtime reads it (runtime/vdso_linux.go): the load
// offset from the PT_LOAD header, the dynamic section's tables, and the
// symbol __vdso_clock_gettime, versioned LINUX_2.6, at the function.
func TestVDSOLeadsToTheFunction(t *testing.T) {
	const base, function, size = 0x7e40_0000_1000, 0x4a_b000, 160
	image := make([]byte, VDSOSize)
	if !BuildVDSO(image, base, function, size) {
		t.Fatal("BuildVDSO refused a right-sized image")
	}
	f, err := elf.NewFile(bytes.NewReader(image))
	if err != nil {
		t.Fatalf("not an ELF object: %v", err)
	}
	if f.Type != elf.ET_DYN || f.Machine != elf.EM_X86_64 || len(f.Progs) != 2 {
		t.Fatalf("type %v machine %v, %d program headers", f.Type, f.Machine, len(f.Progs))
	}
	load, dynamic := f.Progs[0], f.Progs[1]
	if load.Type != elf.PT_LOAD || dynamic.Type != elf.PT_DYNAMIC || load.Memsz != size {
		t.Fatalf("program headers %v %v, span %d", load.Type, dynamic.Type, load.Memsz)
	}
	loadOffset := uint64(base) + load.Off - load.Vaddr
	// The dynamic section: its table addresses, relative to the load offset.
	tables := map[uint64]uint64{}
	for at := dynamic.Off; ; at += 16 {
		tag, value := binary.LittleEndian.Uint64(image[at:]), binary.LittleEndian.Uint64(image[at+8:])
		if tag == 0 {
			break
		}
		tables[tag] = value
	}
	offset := func(tag uint64) uint64 { return loadOffset + tables[tag] - base }
	strtab, symtab := offset(5), offset(6)
	name := func(at uint64) string {
		end := bytes.IndexByte(image[strtab+at:], 0)
		return string(image[strtab+at : strtab+at+uint64(end)])
	}
	sym := symtab + 24 // symbol 1
	if got := name(uint64(binary.LittleEndian.Uint32(image[sym:]))); got != "__vdso_clock_gettime" {
		t.Fatalf("symbol 1 is %q", got)
	}
	if address := loadOffset + binary.LittleEndian.Uint64(image[sym+8:]); address != function {
		t.Errorf("the symbol leads to %#x, not to the function at %#x", address, uint64(function))
	}
	versym := offset(0x6ffffff0)
	if v := binary.LittleEndian.Uint16(image[versym+2:]); v != 2 {
		t.Errorf("symbol 1 has version index %d", v)
	}
	verdef := offset(0x6ffffffc) + 28 // the second definition
	if got := name(uint64(binary.LittleEndian.Uint32(image[verdef+20:]))); got != "LINUX_2.6" {
		t.Errorf("version 2 is %q", got)
	}
	if BuildVDSO(make([]byte, 100), base, function, size) {
		t.Error("a short image was accepted")
	}
}
