package symbols

// The function table is sorted by entry address and holds functionCount+1
// pairs of uint32:
//
//	entry offset   the function's first instruction, relative to textStart
//	record offset  the function's record, relative to the function table
//
// The extra last pair's entry offset marks the end of the last function.
//
// A function record (the runtime's _func) starts with these uint32 fields,
// followed by fields and variable-length arrays this package does not use:
//
//	0   entry offset (same as in the table)
//	4   name offset into the function name table (int32)
//	8   argument size
//	12  deferreturn offset
//	16  offset of the pc-to-stack-pointer table in the pc-value tables
//	20  offset of the pc-to-file table in the pc-value tables
//	24  offset of the pc-to-line table in the pc-value tables
//	28  number of pcdata tables
//	32  offset of the function's compilation unit in the CU table
//	36  line of the func keyword (int32)

// Offsets of the record fields used here.
const (
	recordEntryOffset           = 0
	recordNameOffset            = 4
	recordSPTableOffset         = 16
	recordFileTableOffset       = 20
	recordLineTableOffset       = 24
	recordCompilationUnitOffset = 32
	recordSize                  = 40
)

// Lookup finds the function whose code contains pc.
//
// Preconditions: none; any pc is accepted. For a return address taken from
// a stack, pass the return address minus one, so that a call that is the
// last instruction of a function (for example a call to a function that
// never returns) is attributed to the caller and to the call's line, not
// to whatever follows. A faulting pc is passed as is.
//
// Lookup answers found=false if pc is outside the table's functions or the
// table is corrupt. It does not allocate and runs in O(log functions).
func (t *Table) Lookup(pc uintptr) (found bool, function FuncInfo) {
	if !t.valid || pc < t.textStart {
		return false, FuncInfo{}
	}
	offset := pc - t.textStart
	if offset > 0xffffffff {
		return false, FuncInfo{}
	}
	b := t.bytes()
	first, ok1 := t.entryOffset(b, 0)
	last, ok2 := t.entryOffset(b, t.functionCount)
	if !ok1 || !ok2 || uintptr(first) > offset || offset >= uintptr(last) {
		return false, FuncInfo{}
	}
	// Invariant: entry(low) <= offset < entry(high).
	low, high := uintptr(0), t.functionCount
	for high-low > 1 {
		middle := low + (high-low)/2
		entry, ok := t.entryOffset(b, middle)
		if !ok {
			return false, FuncInfo{}
		}
		if uintptr(entry) <= offset {
			low = middle
		} else {
			high = middle
		}
	}
	entry, ok1 := t.entryOffset(b, low)
	end, ok2 := t.entryOffset(b, low+1)
	relative, ok3 := readUint32(b, t.functionTableOffset+low*8+4)
	if !ok1 || !ok2 || !ok3 || entry > end {
		return false, FuncInfo{}
	}
	record := t.functionTableOffset + uintptr(relative)
	recordEntry, ok := readUint32(b, record+recordEntryOffset)
	if !ok || recordEntry != entry || record+recordSize > t.length {
		return false, FuncInfo{}
	}
	return true, FuncInfo{
		Entry:        t.textStart + uintptr(entry),
		End:          t.textStart + uintptr(end),
		recordOffset: record,
	}
}

// entryOffset returns the entry offset of the index'th pair of the function
// table; index may be functionCount (the end marker).
func (t *Table) entryOffset(b []byte, index uintptr) (uint32, bool) {
	if index > t.functionCount {
		return 0, false
	}
	return readUint32(b, t.functionTableOffset+index*8)
}

// recordField reads the uint32 at fieldOffset in function's record,
// checking that the record still describes function.
func (t *Table) recordField(b []byte, function FuncInfo, fieldOffset uintptr) (uint32, bool) {
	if !t.valid || function.recordOffset == 0 || function.Entry < t.textStart {
		return 0, false
	}
	entry, ok := readUint32(b, function.recordOffset+recordEntryOffset)
	if !ok || uintptr(entry) != function.Entry-t.textStart {
		return 0, false
	}
	return readUint32(b, function.recordOffset+fieldOffset)
}

// FunctionName returns the function's fully qualified name (for example
// "exogo/kernel/trap.Handle") as a sub-slice of the table's memory, or "?"
// if the name cannot be read.
//
// Preconditions: function came from Lookup on the same table (any other
// value gives "?"). The result aliases read-only memory: callers must not
// write to it. FunctionName does not allocate.
func (t *Table) FunctionName(function FuncInfo) []byte {
	b := t.bytes()
	nameOffset, ok := t.recordField(b, function, recordNameOffset)
	if !ok || int32(nameOffset) < 0 {
		return unknown()
	}
	names := prefix(b, t.compilationUnitsOffset)
	name, ok := cString(names, t.functionNamesOffset+uintptr(nameOffset))
	if !ok {
		return unknown()
	}
	return name
}
