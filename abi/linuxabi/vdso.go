package linuxabi

// The vDSO ("virtual dynamic shared object") is how Linux lets programs read
// the clock without a system call: a tiny ELF shared object mapped into the
// process, its address in the auxiliary vector (AT_SYSINFO_EHDR); the Go
// runtime parses its dynamic symbol table and calls __vdso_clock_gettime
// directly. Both personalities build one: the kernel's for its own runtime
// (kernel/timer), the libOS's for the program (libos/linux).
//
// BuildVDSO writes the object: an ELF header, a PT_LOAD and a PT_DYNAMIC
// program header, the dynamic section, a symbol table with the one symbol,
// a SysV hash table, symbol versions (LINUX_2.6, which the runtime checks)
// and the string table. The code it names is the caller's: the load
// address is chosen so that the object's "load offset" is the function's
// address, and its PT_LOAD spans exactly the function (the runtime uses
// that span to recognize program counters inside the vDSO).

// VDSOSize is the size of the image BuildVDSO writes.
const VDSOSize = 512

// Offsets in the image.
const (
	vdsoProgramHeaders = 64
	vdsoDynamic        = 176
	vdsoSymbols        = 288
	vdsoHash           = 336
	vdsoVersions       = 356
	vdsoVersionDefs    = 360
	vdsoStrings        = 416
	// Offsets of the names in the string table.
	nameClockGettime = 1
	nameVersion      = 22
	nameLibrary      = 32
	vdsoStringTable  = "\x00__vdso_clock_gettime\x00LINUX_2.6\x00linux-vdso.so.1\x00"
)

// BuildVDSO writes the vDSO into image (VDSOSize bytes at address base),
// naming the clock_gettime function at function, functionSize bytes long.
// It reports false when image is not VDSOSize bytes.
func BuildVDSO(image []byte, base, function uintptr, functionSize uint64) bool {
	if len(image) != VDSOSize {
		return false
	}
	// Virtual addresses inside the object are offsets from the load
	// offset, which must equal function: an object byte at image offset x
	// has virtual address delta + x.
	delta := uint64(base - function)
	put := func(offset uintptr, v uint64, size uintptr) {
		for i := uintptr(0); i < size; i++ {
			if k := offset + i; k < uintptr(len(image)) {
				image[k] = byte(v >> (8 * i))
			}
		}
	}
	put8 := func(offset uintptr, v uint8) { put(offset, uint64(v), 1) }
	put16 := func(offset uintptr, v uint16) { put(offset, uint64(v), 2) }
	put32 := func(offset uintptr, v uint32) { put(offset, uint64(v), 4) }
	put64 := func(offset uintptr, v uint64) { put(offset, v, 8) }
	for i := range image {
		image[i] = 0
	}

	// ELF header: 64-bit, little-endian, shared object, x86-64.
	put32(0, 0x464c457f)
	put8(4, 2)
	put8(5, 1)
	put8(6, 1)
	put16(16, 3)
	put16(18, 62)
	put32(20, 1)
	put64(32, vdsoProgramHeaders)
	put16(52, 64)
	put16(54, 56)
	put16(56, 2)

	// PT_LOAD: virtual address delta maps the object; its span is the
	// function's.
	ph := uintptr(vdsoProgramHeaders)
	put32(ph, 1)
	put32(ph+4, 5) // read + execute
	put64(ph+8, 0)
	put64(ph+16, delta)
	put64(ph+24, delta)
	put64(ph+32, VDSOSize)
	put64(ph+40, functionSize)
	put64(ph+48, 8)
	// PT_DYNAMIC.
	ph += 56
	put32(ph, 2)
	put32(ph+4, 4)
	put64(ph+8, vdsoDynamic)
	put64(ph+16, delta+vdsoDynamic)
	put64(ph+24, delta+vdsoDynamic)
	put64(ph+32, 7*16)
	put64(ph+40, 7*16)
	put64(ph+48, 8)

	// Dynamic section: tag, value (an address relative to the load offset).
	entries := [7][2]uint64{
		{5, delta + vdsoStrings},              // DT_STRTAB
		{6, delta + vdsoSymbols},              // DT_SYMTAB
		{4, delta + vdsoHash},                 // DT_HASH
		{0x6ffffff0, delta + vdsoVersions},    // DT_VERSYM
		{0x6ffffffc, delta + vdsoVersionDefs}, // DT_VERDEF
		{0x6ffffffd, 2},                       // DT_VERDEFNUM
		{0, 0},                                // DT_NULL
	}
	for i, e := range entries {
		put64(vdsoDynamic+uintptr(i)*16, e[0])
		put64(vdsoDynamic+uintptr(i)*16+8, e[1])
	}

	// Symbol 1: __vdso_clock_gettime, a global function at the load offset.
	sym := uintptr(vdsoSymbols + 24)
	put32(sym, nameClockGettime)
	put8(sym+4, 0x12) // STB_GLOBAL, STT_FUNC
	put16(sym+6, 1)   // any defined section
	put64(sym+8, 0)
	put64(sym+16, functionSize)

	// Hash table: one bucket holding symbol 1; chain ends.
	put32(vdsoHash, 1)
	put32(vdsoHash+4, 2)
	put32(vdsoHash+8, 1)
	put32(vdsoHash+12, 0)
	put32(vdsoHash+16, 0)

	// Symbol versions: symbol 1 has version index 2 (LINUX_2.6).
	put16(vdsoVersions, 0)
	put16(vdsoVersions+2, 2)

	// Version definitions: the base (the library itself), then LINUX_2.6
	// with the ELF hash of its name, as the runtime expects.
	def := uintptr(vdsoVersionDefs)
	put16(def, 1)
	put16(def+2, 1) // VER_FLG_BASE
	put16(def+4, 1)
	put16(def+6, 1)
	put32(def+8, 0)
	put32(def+12, 20)
	put32(def+16, 28)
	put32(def+20, nameLibrary)
	def += 28
	put16(def, 1)
	put16(def+2, 0)
	put16(def+4, 2)
	put16(def+6, 1)
	put32(def+8, 0x3ae75f6)
	put32(def+12, 20)
	put32(def+16, 0)
	put32(def+20, nameVersion)

	for i := 0; i < len(vdsoStringTable); i++ {
		put8(vdsoStrings+uintptr(i), vdsoStringTable[i])
	}
	return true
}
