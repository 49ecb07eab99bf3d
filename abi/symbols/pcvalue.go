package symbols

// A pc-value table maps the pcs of one function to int32 values (a file
// index, a line number, a stack depth). It is a sequence of pairs of
// unsigned varints (LEB128), starting from value -1 at the function entry:
//
//	value delta  zigzag-encoded: even n means +n/2, odd n means -(n+1)/2
//	pc delta     in units of the instruction quantum
//
// Each pair says: the value changes by the value delta, and the new value
// holds for the next pc-delta bytes of code. A value delta of zero anywhere
// but in the first pair ends the table.
//
// The pc-to-file table yields an index into the function's compilation
// unit's slice of the CU table, whose uint32 entries are offsets of
// NUL-terminated names in the file name table (all ones means no file).
// The pc-to-line table yields the line number directly.

// pcValue returns the value that the pc-value table at tableOffset (into
// the pc-value tables) gives for the code offset target, for a function
// whose entry is at code offset entry. Corrupt tables give ok=false; the
// loop ends because every step consumes at least two bytes of a bounded
// region.
func (t *Table) pcValue(b []byte, tableOffset uint32, entry, target uintptr) (value int32, ok bool) {
	if tableOffset == 0 || target < entry {
		return 0, false
	}
	region := prefix(b, t.functionTableOffset)
	position := t.pcValueTablesOffset + uintptr(tableOffset)
	if position < t.pcValueTablesOffset {
		return 0, false
	}
	value = -1
	pc := entry
	for first := true; ; first = false {
		valueDelta, next, ok := readVarint(region, position)
		if !ok || (valueDelta == 0 && !first) {
			return 0, false
		}
		value += int32(-(valueDelta & 1) ^ (valueDelta >> 1))
		pcDelta, next, ok := readVarint(region, next)
		if !ok {
			return 0, false
		}
		position = next
		pc += uintptr(pcDelta) * t.instructionQuantum
		if target < pc {
			return value, true
		}
	}
}

// FileLine returns the source file and line of the instruction at pc in
// function. For code inlined into function, the position is that of the
// inlined source. On any inconsistency it returns "?" and line 0.
//
// Preconditions: function came from Lookup on the same table and pc lies
// in it; as for Lookup, pass a return address minus one. The file name
// aliases read-only memory: callers must not write to it. FileLine does not
// allocate.
func (t *Table) FileLine(function FuncInfo, pc uintptr) (file []byte, line int32) {
	file = unknown()
	if pc < function.Entry || pc >= function.End {
		return file, 0
	}
	b := t.bytes()
	entry := function.Entry - t.textStart
	target := pc - t.textStart
	if lineTable, ok := t.recordField(b, function, recordLineTableOffset); ok {
		if value, ok := t.pcValue(b, lineTable, entry, target); ok {
			line = value
		}
	}
	fileTable, ok1 := t.recordField(b, function, recordFileTableOffset)
	unit, ok2 := t.recordField(b, function, recordCompilationUnitOffset)
	if !ok1 || !ok2 {
		return file, line
	}
	index, ok := t.pcValue(b, fileTable, entry, target)
	if !ok || index < 0 {
		return file, line
	}
	units := prefix(b, t.fileNamesOffset)
	slot := t.compilationUnitsOffset + (uintptr(unit)+uintptr(index))*4
	nameOffset, ok := readUint32(units, slot)
	if !ok || nameOffset == ^uint32(0) {
		return file, line
	}
	names := prefix(b, t.pcValueTablesOffset)
	if name, ok := cString(names, t.fileNamesOffset+uintptr(nameOffset)); ok {
		file = name
	}
	return file, line
}

// SPDelta returns how far the stack pointer is below the function's
// entry value at pc (the frame the function has pushed so far; the return
// address is then at SP + delta): Go's own way to unwind, which needs no
// frame pointer (leaf functions have none). ok is false on any
// inconsistency. It does not allocate.
func (t *Table) SPDelta(function FuncInfo, pc uintptr) (delta int32, ok bool) {
	if pc < function.Entry || pc >= function.End {
		return 0, false
	}
	b := t.bytes()
	table, ok := t.recordField(b, function, recordSPTableOffset)
	if !ok {
		return 0, false
	}
	return t.pcValue(b, table, function.Entry-t.textStart, pc-t.textStart)
}
