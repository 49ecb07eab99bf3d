package elfload

// A Go program's function table, found through its section headers, for
// reports by symbol (abi/symbols). Sections are not needed to run a
// program, so a file without them, or with ones that make no sense, is
// still run: Sections then reports nothing.

// Symbols locates the pclntab and the text in memory.
type Symbols struct {
	Pclntab, PclntabSize uint64 // the .gopclntab section's address and size
	Text                 uint64 // the .text section's address (runtime.text)
}

// ELF64 section header fields and limits.
const (
	offShoff     = 40
	offShentsize = 58
	offShnum     = 60
	offShstrndx  = 62
	sectionSize  = 64
	offShName    = 0
	offShAddr    = 16
	offShOffset  = 24
	offShSize    = 32
	maxSections  = 1024
)

// Sections finds the .gopclntab and .text sections of file, which Parse
// accepted with plan; ok is false when it has no such sections, or when
// the table does not lie inside one of plan's segments (where it is in
// memory once the program is loaded). It allocates nothing.
func Sections(file []byte, plan *Plan) (s Symbols, ok bool) {
	shoff, ok1 := le(file, offShoff, 8)
	entsize, ok2 := le(file, offShentsize, 2)
	count, ok3 := le(file, offShnum, 2)
	names, ok4 := le(file, offShstrndx, 2)
	if !ok1 || !ok2 || !ok3 || !ok4 || entsize != sectionSize || count == 0 || count > maxSections || names >= count {
		return Symbols{}, false
	}
	if shoff > uint64(len(file)) || (uint64(len(file))-shoff)/sectionSize < count {
		return Symbols{}, false
	}
	namesOffset, _ := le(file, shoff+names*sectionSize+offShOffset, 8)
	namesSize, _ := le(file, shoff+names*sectionSize+offShSize, 8)
	if namesOffset > uint64(len(file)) || namesSize > uint64(len(file))-namesOffset {
		return Symbols{}, false
	}
	found := 0
	for i := uint64(0); i < count; i++ {
		header := shoff + i*sectionSize
		name, _ := le(file, header+offShName, 4)
		address, _ := le(file, header+offShAddr, 8)
		size, _ := le(file, header+offShSize, 8)
		switch {
		case nameIs(file, namesOffset, namesSize, name, ".gopclntab"):
			s.Pclntab, s.PclntabSize = address, size
			found |= 1
		case nameIs(file, namesOffset, namesSize, name, ".text"):
			s.Text = address
			found |= 2
		}
	}
	if found != 3 || s.PclntabSize == 0 || !loaded(plan, s.Pclntab, s.PclntabSize) || !loaded(plan, s.Text, 1) {
		return Symbols{}, false
	}
	return s, true
}

// nameIs reports whether the NUL-terminated name at offset in the string
// table [start, start+size) of file (checked to lie in it) is want.
func nameIs(file []byte, start, size, offset uint64, want string) bool {
	if offset > size || size-offset < uint64(len(want))+1 {
		return false
	}
	at := int(start + offset)
	for i := 0; i < len(want); i++ {
		if byteAt(file, at+i) != want[i] {
			return false
		}
	}
	return byteAt(file, at+len(want)) == 0
}

// loaded reports whether [address, address+size) lies inside the file
// bytes of one of plan's segments.
func loaded(plan *Plan, address, size uint64) bool {
	if address+size < address {
		return false
	}
	for i := 0; i < plan.Count && i < MaxSegments; i++ {
		seg := segmentAt(plan, i)
		if address >= seg.Vaddr && address+size <= seg.Vaddr+seg.Filesz {
			return true
		}
	}
	return false
}
