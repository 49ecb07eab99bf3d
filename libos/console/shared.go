package console

import (
	"unsafe"

	"exogo/libos/bare"
)

// SharedMagic marks an initialised shared page ("xoc" and layout version 2).
const SharedMagic = 0x3263_6f78

const (
	// RingSize is the input ring's size in bytes (a power of two).
	RingSize = 2048
	// LineMax bounds the line being edited in canonical mode.
	LineMax = 256
	// maxParams bounds the parameters of an escape sequence.
	maxParams = 8
)

// The terminal's modes (Shared.Mode), a small part of termios.
const (
	ModeCanonical = 1 // input is edited a line at a time (ICANON)
	ModeEcho      = 2 // typed bytes are echoed (ECHO)
	ModeSignals   = 4 // Ctrl-C interrupts the console's processes (ISIG)
	ModeCRNL      = 8 // Enter's carriage return is read as a newline (ICRNL)
)

// Parser states (Shared.Escape).
const (
	escNone  = iota
	escStart // ESC seen
	escCSI   // ESC [ seen: parameters, then a final byte
)

// Shared is the page every process of a console maps. Each field is a
// plain word so that any process may read it with a load; the lock word
// serialises changes (the caller's: see the package comment).
type Shared struct {
	Magic    uint32
	Lock     uint32 // 0 when free, else 1 + the holder's process id
	LockedAt uint64 // when the holder took it, nanoseconds since boot

	// Output: the cursor (Column may equal the number of columns: the
	// next character wraps first), colours as VGA numbers (0-15) and
	// attributes, the escape sequence and the UTF-8 sequence being read.
	Column, Row            uint32
	Foreground, Background uint32
	Bold, Reverse          uint32
	Escape                 uint32
	Params                 [maxParams]uint32
	NParams                uint32
	Rune, Need             uint32
	// A framebuffer's cursor, drawn (1) at CursorColumn, CursorRow.
	CursorShown, CursorColumn, CursorRow uint32

	// Input: Head counts the bytes put in Ring (readers watch this word),
	// Tail those taken; Line holds the line being edited.
	Mode       uint32
	Head, Tail uint32
	LineLength uint32
	Line       [LineMax]byte
	Ring       [RingSize]byte

	// Interrupts counts the Ctrl-Cs and Ctrl-\s typed with ModeSignals,
	// and Quits the Ctrl-\s among them: every process of the console
	// watches Interrupts and takes SIGINT or SIGQUIT when it moves.
	Interrupts uint32
	Quits      uint32
	// Termios is struct termios as a program last set it (termios.go).
	Termios [TermiosSize]byte
}

// SharedSize is the bytes of Shared, which fits in one page.
const SharedSize = unsafe.Sizeof(Shared{})

// At returns the shared page at address (a mapped, writable page).
func At(address uintptr) *Shared { return (*Shared)(bare.At(address)) }

// Init makes a fresh console: the cursor home, grey on black, canonical
// mode with echo, signals and CR to NL, nothing typed.
func (s *Shared) Init() {
	*s = Shared{Magic: SharedMagic, Foreground: 7}
	defaultTermios(&s.Termios)
	s.Mode = modeOf(s.Termios[:])
}

// InterruptsAddress returns the address of the word every process of
// the console watches for Ctrl-C.
func (s *Shared) InterruptsAddress() uintptr { return uintptr(unsafe.Pointer(&s.Interrupts)) }

// HeadAddress returns the address of the word readers watch.
func (s *Shared) HeadAddress() uintptr { return uintptr(unsafe.Pointer(&s.Head)) }
