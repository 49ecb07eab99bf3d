package linux

import (
	"unsafe"

	"exogo/abi/symbols"
	"exogo/libos/bare"
	"exogo/libos/exo"
	"exogo/libos/mem"
)

// Reports of a fatal signal, by symbol: when a signal ends the program
// (a fault with no handler able to take it, a default action that ends
// the process), the libOS names the function and the source line where
// it happened, and those of up to maxCallers callers, from the program's
// own function table (its .gopclntab, which the loader found in the ELF
// section headers and passed in the start stack). The lines go to the
// console, like the program's own output.

// maxCallers bounds the callers a report names.
const maxCallers = 12

// symbolsOK says the program's function table is known and valid.
var symbolsOK bool

// useSymbols records where the program's function table is, once it is
// checked to lie in the program's image (a loader's word is not trusted:
// reading outside the map while upcalls are disabled would end the
// process with no report at all).
func useSymbols(pclntab, size, text uint64) {
	if pclntab == 0 || size == 0 || pclntab+size < pclntab {
		return
	}
	start, end := uintptr(pclntab), uintptr(pclntab+size)
	if !mem.Ranges.Covered(start, end) || mem.Ranges.Kinds(start, end) != 1<<mem.KindImage {
		bare.Say("libos: the function table the loader gave is not in my image; reports will name addresses\n")
		return
	}
	symbolsOK = symbols.Init(start, uintptr(size), uintptr(text))
}

// reportLine builds one line of a report without allocating.
type reportLine struct {
	b [240]byte
	n int
}

func (l *reportLine) add(c byte) {
	if uint(l.n) < uint(len(l.b)) {
		l.b[uint(l.n)] = c
		l.n++
	}
}

func (l *reportLine) str(s string) *reportLine {
	for i := 0; i < len(s); i++ {
		l.add(s[i])
	}
	return l
}

func (l *reportLine) bytes(b []byte) *reportLine {
	for _, c := range b {
		l.add(c)
	}
	return l
}

func (l *reportLine) dec(v uint64) *reportLine {
	var digits [20]byte
	i := len(digits)
	for {
		i--
		digits[uint(i)%20] = byte('0' + v%10)
		v /= 10
		if v == 0 || i == 0 {
			break
		}
	}
	for k := uint(i); k < uint(len(digits)); k++ {
		l.add(digits[k])
	}
	return l
}

func (l *reportLine) hex(v uint64) *reportLine {
	l.str("0x")
	for shift := 60; shift >= 0; shift -= 4 {
		l.add("0123456789abcdef"[(v>>uint(shift))&15])
	}
	return l
}

// say writes the line (with its newline) to the console.
func (l *reportLine) say() {
	l.add('\n')
	consoleWrite(uintptr(unsafe.Pointer(&l.b[0])), l.b[:uint(l.n)%(uint(len(l.b))+1)])
	l.n = 0
}

// where adds "FUNCTION (FILE:LINE)" for pc, or nothing when the table
// does not know it.
func (l *reportLine) where(pc uint64) *reportLine {
	if !symbolsOK {
		return l
	}
	found, f := symbols.Lookup(uintptr(pc))
	if !found {
		return l
	}
	file, line := symbols.FileLine(f, uintptr(pc))
	l.str(" in ").bytes(symbols.FunctionName(f)).str(" (").bytes(file).str(":").dec(uint64(line)).str(")")
	return l
}

// reportSignal reports that signal ends the program: what happened
// (why), where (the context's RIP, named), and its callers: unwound the
// way Go's runtime does, with each function's stack-pointer table (leaf
// functions have no frame pointer), or by the frame pointers when the
// table is unknown.
func reportSignal(context uintptr, signal uint64, why *reportLine) {
	var l reportLine
	l.str("libos: the program was ended by signal ").dec(signal).str(" (").str(signalName(signal)).str("): ")
	l.bytes(why.b[:uint(why.n)%(uint(len(why.b))+1)]).say()
	rip := get(context, exo.ContextRip)
	l.str("libos:   at ").hex(rip).where(rip).say()
	if symbolsOK {
		sp, pc := get(context, exo.ContextRsp), rip
		for i := 0; i < maxCallers; i++ {
			found, f := symbols.Lookup(uintptr(pc))
			if !found {
				return
			}
			delta, ok := symbols.SPDelta(f, uintptr(pc))
			at := sp + uint64(delta)
			if !ok || delta < 0 || at&7 != 0 || !memCheck(uintptr(at), 8, false) {
				return
			}
			ret := *bare.Word(uintptr(at))
			if ret == 0 {
				return
			}
			l.str("libos:   called from ").hex(ret).where(ret - 1).say()
			sp, pc = at+8, ret-1
		}
		return
	}
	frame := get(context, exo.ContextRbp)
	for i := 0; i < maxCallers; i++ {
		// A frame holds the caller's RBP and the return address; follow
		// only frames the libOS's map says are readable, upwards.
		if frame&7 != 0 || frame == 0 || !memCheck(uintptr(frame), 16, false) {
			break
		}
		next, ret := *bare.Word(uintptr(frame)), *bare.Word(uintptr(frame) + 8)
		if ret == 0 {
			break
		}
		l.str("libos:   called from ").hex(ret).where(ret - 1).say()
		if next <= frame {
			break
		}
		frame = next
	}
}

// signalName names the signals a report may give.
func signalName(signal uint64) string {
	switch signal {
	case 4:
		return "SIGILL"
	case 6:
		return "SIGABRT"
	case 7:
		return "SIGBUS"
	case 8:
		return "SIGFPE"
	case 9:
		return "SIGKILL"
	case 11:
		return "SIGSEGV"
	case 15:
		return "SIGTERM"
	}
	return "a signal"
}
