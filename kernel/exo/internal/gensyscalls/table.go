package main

// The parsed table: what syscalls.conf declares, as parse.go reads it and
// render.go writes it out.

// CallBase is the number of exokernel call 0; numbers below it are foreign
// (Linux) system calls.
const CallBase = 0x1000

// maxArgs is the number of argument registers of the ABI (RDI, RSI, RDX,
// R10, R8, R9).
const maxArgs = 6

// Kind is what an argument is, which decides the dispatch's check.
type Kind int

const (
	KindUint64   Kind = iota // anything
	KindInt64                // anything, signed
	KindID                   // an object number < 2^32
	KindIndex                // 0 <= value < Bound
	KindAddress              // a user virtual address, optionally a range
	KindPhysical             // a 4 KiB aligned physical address < 2^52
	KindEnum                 // one of Type's values
	KindFlags                // a subset of Type's bits
)

// Arg is one argument of a call.
type Arg struct {
	Name string // snake_case, as in the table
	Kind Kind
	// Spec is the kind as written in the table, for the docs.
	Spec string
	// Bound is the exclusive upper bound of KindIndex.
	Bound uint64
	// For KindAddress with a length: LengthArg is the index of the length
	// argument, or -1 when the length is the constant LengthConst.
	HasLength   bool
	LengthArg   int
	LengthConst uint64
	// Type is the enum or flags type, for KindEnum and KindFlags.
	Type *ValueType
}

// Value is one named value of an enum or flags type.
type Value struct {
	Name   string
	Number uint64
}

// ValueType is an enum or flags declaration.
type ValueType struct {
	Name    string // snake_case
	Flags   bool
	Values  []Value
	Meaning string
	Line    int
}

// Right is a right declaration.
type Right struct {
	Word    string
	Param   string // the parameter's name in the declaration, "" if none
	Meaning string
}

// RightUse is a right as a call lists it.
type RightUse struct {
	Word string
	Arg  string // the argument it is checked against, "" if none
}

// ErrorCode is an error declaration.
type ErrorCode struct {
	Code    int
	Name    string // EXO_BAD_ADDRESS
	Meaning string
	Line    int
}

// Call is one system call.
type Call struct {
	N      int // offset from CallBase
	Name   string
	Args   []Arg
	Result string
	Rights []RightUse
	Doc    string
	Line   int
}

// Table is the whole parsed table.
type Table struct {
	Errors  []ErrorCode
	Types   []*ValueType
	Rights  []Right
	Calls   []Call
	Consts  []*ConstGroup // abi.go
	Layouts []*Layout
}

// errorsUsedByDispatch are the error codes the generated dispatch and the
// handlers_todo stubs return; the table must define them.
var errorsUsedByDispatch = []string{
	"EXO_UNKNOWN_CALL", "EXO_NOT_IMPLEMENTED", "EXO_BAD_ADDRESS",
	"EXO_MISALIGNED", "EXO_BAD_ARGUMENT", "EXO_NO_SUCH_OBJECT",
}
