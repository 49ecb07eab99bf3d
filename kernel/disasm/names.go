package disasm

// A register is a register class in the high byte and a register number
// in the low byte; zero means "no register".
type register uint16

// Register classes.
const (
	classNone        register = iota << 8
	classByte                 // al..r15b (spl..dil with a REX prefix)
	classByteHigh             // ah, ch, dh, bh (byte registers 4-7 without REX)
	classWord                 // ax..r15w
	classDouble               // eax..r15d
	classQuad                 // rax..r15
	classXMM                  // xmm0..xmm15
	classControl              // cr0..cr15
	classSegment              // es, cs, ss, ds, fs, gs
	classInstruction          // rip (number 0) or eip (number 1)
)

func (r register) class() register { return r & 0xff00 }
func (r register) number() int     { return int(r & 0xff) }

var quadNames = [16]string{"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"}
var doubleNames = [16]string{"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
	"r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"}
var wordNames = [16]string{"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
	"r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"}
var byteNames = [16]string{"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
	"r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"}
var byteHighNames = [4]string{"ah", "ch", "dh", "bh"}
var xmmNames = [16]string{"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"}
var controlNames = [16]string{"cr0", "cr1", "cr2", "cr3", "cr4", "cr5", "cr6", "cr7",
	"cr8", "cr9", "cr10", "cr11", "cr12", "cr13", "cr14", "cr15"}
var segmentNames = [8]string{"es", "cs", "ss", "ds", "fs", "gs", "?", "?"}
var instructionPointerNames = [2]string{"rip", "eip"}

// name returns the register's assembler name, or "?" for an impossible
// register. The result is a constant string: no allocation.
func (r register) name() string {
	n := r.number()
	switch r.class() {
	case classByte:
		if n < len(byteNames) {
			return byteNames[n]
		}
	case classByteHigh:
		if n < len(byteHighNames) {
			return byteHighNames[n]
		}
	case classWord:
		if n < len(wordNames) {
			return wordNames[n]
		}
	case classDouble:
		if n < len(doubleNames) {
			return doubleNames[n]
		}
	case classQuad:
		if n < len(quadNames) {
			return quadNames[n]
		}
	case classXMM:
		if n < len(xmmNames) {
			return xmmNames[n]
		}
	case classControl:
		if n < len(controlNames) {
			return controlNames[n]
		}
	case classSegment:
		if n < len(segmentNames) {
			return segmentNames[n]
		}
	case classInstruction:
		if n < len(instructionPointerNames) {
			return instructionPointerNames[n]
		}
	}
	return "?"
}

// generalRegister returns general register n (0-15) of the given size in
// bits. Byte registers 4-7 are ah..bh unless a REX prefix is present.
func generalRegister(n int, bits int, rex bool) register {
	switch bits {
	case 8:
		if !rex && n >= 4 && n < 8 {
			return classByteHigh | register(n-4)
		}
		return classByte | register(n)
	case 16:
		return classWord | register(n)
	case 32:
		return classDouble | register(n)
	}
	return classQuad | register(n)
}

// conditionNames are the condition-code suffixes of jcc, setcc and cmovcc,
// indexed by the low four opcode bits.
var conditionNames = [16]string{"o", "no", "b", "ae", "e", "ne", "be", "a",
	"s", "ns", "p", "np", "l", "ge", "le", "g"}

// sizeNames are the memory operand size keywords, indexed by log2(bytes).
var sizeNames = [5]string{"byte ptr ", "word ptr ", "dword ptr ", "qword ptr ", "xmmword ptr "}
