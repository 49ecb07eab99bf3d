// Package symbols maps program counters of the running program to function
// names and source positions: the kernel's fault report, and the libOS's
// report of a fatal signal in a user program (the Go linker's table is the
// toolchain's format, shared by both, so it lives beside the other ABIs).
//
// A report is printed from trap context, after the kernel itself faulted,
// or inside an upcall, so nothing here may allocate, panic, block or keep
// Go pointers in global state. The package reads the Go linker's function
// table (the pclntab, the ".gopclntab" section) directly from memory: the
// kernel records the table's address and size at build time, a program's
// loader finds them in its ELF section headers, and each hands them to
// Init. The package keeps
// only integers; every read turns (address, length) into a byte slice locally
// and checks every offset against the length, so a corrupted table yields
// "unknown" answers instead of a second fault.
//
// The table format (Go 1.20 and later, magic 0xfffffff1) is described in
// header.go (the header), functab.go (the sorted function table and the
// per-function records) and pcvalue.go (the compressed pc-to-value tables
// that give file and line).
//
// Inlining: a pc inside inlined code is reported as the outer (physical)
// function. The file and line are those of the inlined code, because the
// line table records them, but the inlined callee's name is not recovered.
// TODO(symbols): read FUNCDATA_InlTree to name inlined callees.
package symbols

// Table describes one pclntab in memory. It holds only integers, so a Table
// may live in global state and be copied freely. The zero Table is invalid:
// every query on it answers "not found" / "unknown".
type Table struct {
	// address and length locate the table's bytes.
	address uintptr
	length  uintptr
	// textStart is the address of the first instruction of the module's
	// text (the linker symbol runtime.text); function entries in the table
	// are offsets from it.
	textStart uintptr

	// Fields decoded from the header, all offsets relative to address.
	pointerSize            uintptr
	instructionQuantum     uintptr
	functionCount          uintptr
	functionNamesOffset    uintptr
	compilationUnitsOffset uintptr
	fileNamesOffset        uintptr
	pcValueTablesOffset    uintptr
	functionTableOffset    uintptr

	valid bool
}

// FuncInfo identifies one function found by Lookup. It holds only integers.
// The zero FuncInfo is "no function"; FunctionName and FileLine answer
// "?" for it.
type FuncInfo struct {
	// Entry is the address of the function's first instruction.
	Entry uintptr
	// End is the address just past the function's last instruction.
	End uintptr
	// recordOffset is the offset of the function's record (the runtime's
	// _func) from the start of the table; 0 means none.
	recordOffset uintptr
}

// ownTable is the running program's own table (the kernel's, or a user
// program's), set by Init.
var ownTable Table

// unknownName is returned for names that cannot be read. It is a fixed
// array, so returning a slice of it does not allocate. Callers must not
// write to the returned bytes.
var unknownName = [1]byte{'?'}

func unknown() []byte { return unknownName[:] }

// Init records where the running program's own pclntab lives and checks
// its header.
//
// Preconditions: address..address+length is mapped, readable and never
// changes afterwards (it is the program image's read-only data);
// textStart is the address of the program's runtime.text symbol (the start
// of the text segment's Go code). Init is called once, before any fault report, from
// hosted code; it does not allocate and may also be called again later.
// It reports whether the header was valid; if not, all later queries
// answer "not found".
func Init(address, length, textStart uintptr) bool {
	ownTable = NewTable(address, length, textStart)
	return ownTable.valid
}

// Lookup finds the function containing pc, using the table given to
// Init. See Table.Lookup.
func Lookup(pc uintptr) (found bool, function FuncInfo) {
	return ownTable.Lookup(pc)
}

// FunctionName returns the name of a function. See Table.FunctionName.
func FunctionName(function FuncInfo) []byte {
	return ownTable.FunctionName(function)
}

// FileLine returns the source position of pc in a function. See
// Table.FileLine.
func FileLine(function FuncInfo, pc uintptr) (file []byte, line int32) {
	return ownTable.FileLine(function, pc)
}

// SPDelta returns the stack pointer's offset at pc in a function. See
// Table.SPDelta.
func SPDelta(function FuncInfo, pc uintptr) (int32, bool) {
	return ownTable.SPDelta(function, pc)
}
