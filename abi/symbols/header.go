package symbols

// The pclntab header (the runtime's pcHeader), Go 1.20 and later. Words are
// pointerSize bytes, little-endian on amd64; offsets are from the header's
// first byte:
//
//	0   uint32 magic 0xfffffff1
//	4   two zero bytes
//	6   uint8  instruction size quantum (1 on x86)
//	7   uint8  pointer size (8 on amd64)
//	8   word   number of functions
//	+1w word   number of files
//	+2w word   text start (no longer filled in; Init's textStart is used)
//	+3w word   offset of the function name table (NUL-terminated names)
//	+4w word   offset of the compilation unit table (uint32 file offsets)
//	+5w word   offset of the file name table (NUL-terminated names)
//	+6w word   offset of the pc-value tables
//	+7w word   offset of the function table
//
// The tables follow in that order and the function table runs to the end.

// magicGo120 marks the table layout this package understands.
const magicGo120 = 0xfffffff1

// NewTable decodes the header of the pclntab at address..address+length
// whose functions are relative to textStart. It returns a Table whose
// queries all answer "not found" if the header is not a well-formed Go 1.20+
// header. Preconditions: as for Init; NewTable does not allocate.
func NewTable(address, length, textStart uintptr) Table {
	t := Table{address: address, length: length, textStart: textStart}
	b := t.bytes()
	if len(b) < 8 {
		return Table{}
	}
	magic, ok := readUint32(b, 0)
	if !ok || magic != magicGo120 || b[4] != 0 || b[5] != 0 {
		return Table{}
	}
	t.instructionQuantum = uintptr(b[6])
	t.pointerSize = uintptr(b[7])
	if t.instructionQuantum == 0 || (t.pointerSize != 4 && t.pointerSize != 8) {
		return Table{}
	}
	var words [8]uintptr
	for i := range words {
		w, ok := readWord(b, 8+uintptr(i)*t.pointerSize, t.pointerSize)
		if !ok {
			return Table{}
		}
		words[i] = w
	}
	t.functionCount = words[0]
	t.functionNamesOffset = words[3]
	t.compilationUnitsOffset = words[4]
	t.fileNamesOffset = words[5]
	t.pcValueTablesOffset = words[6]
	t.functionTableOffset = words[7]

	// The sub-tables must lie inside the table, in order.
	if t.functionNamesOffset > t.compilationUnitsOffset ||
		t.compilationUnitsOffset > t.fileNamesOffset ||
		t.fileNamesOffset > t.pcValueTablesOffset ||
		t.pcValueTablesOffset > t.functionTableOffset ||
		t.functionTableOffset >= length {
		return Table{}
	}
	// The function table holds functionCount+1 pairs of uint32.
	pairs := (length - t.functionTableOffset) / 8
	if t.functionCount == 0 || pairs < 2 || t.functionCount > pairs-1 {
		return Table{}
	}
	t.valid = true
	return t
}

// Valid reports whether the table's header was well-formed.
func (t *Table) Valid() bool { return t.valid }
