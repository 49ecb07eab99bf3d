package disasm

// The opcode table. Each entry describes one instruction form the way the
// Intel manual's opcode maps do: an opcode byte (in the one-byte map or,
// after 0x0F, the two-byte map), optionally a required ModRM reg field
// ("/digit"), a required mandatory prefix (SSE forms), and up to three
// operands in Intel order, named by the manual's abbreviations:
//
//	E  ModRM r/m: register or memory        G  ModRM reg: general register
//	M  ModRM r/m, memory only               R  ModRM r/m, register only
//	C  ModRM reg: control register          V  ModRM reg: xmm register
//	W  ModRM r/m: xmm register or memory    Z  register in opcode bits 0-2
//	I  immediate                            J  relative branch target
//
// and sizes b (byte), w (word), d (dword), q (qword), v (operand size:
// 16, 32 or 64), z (16 or 32, sign-extended to a 64-bit operand size),
// y (32, or 64 with REX.W), x (128-bit xmm).
//
// The decoder takes the first entry that matches, so more specific entries
// (mandatory prefix, exact ModRM) come before general ones. The table is a
// statically initialized array: it is usable before package initialization
// runs and holds no heap pointers.
//
// The table covers the general-purpose instructions compilers and kernels
// emit, system instructions, and common SSE moves and arithmetic. It is not
// complete: x87, MMX, AVX and the 0x0F38/0x0F3A maps decode as unknown.
// TODO(disasm): add forms as fault reports show "(bad)" for real code.

// kind is an operand form.
type kind uint8

const (
	aNone kind = iota
	aEb        // r/m, byte
	aEw        // r/m, word
	aEd        // r/m, dword
	aEv        // r/m, operand size
	aEy        // r/m, dword or qword (REX.W)
	aM         // memory, size not shown (lea, lgdt, fxsave, invlpg)
	aMq        // memory, qword (cmpxchg8b)
	aRq        // r/m register, qword (mov to/from control registers)
	aGb        // reg, byte
	aGw        // reg, word
	aGd        // reg, dword
	aGv        // reg, operand size
	aGy        // reg, dword or qword (REX.W)
	aCd        // reg, control register
	aVx        // reg, xmm
	aWx        // r/m, xmm or 128-bit memory
	aWq        // r/m, xmm or 64-bit memory
	aWd        // r/m, xmm or 32-bit memory
	aUx        // r/m, xmm register only
	aZb        // opcode register, byte
	aZv        // opcode register, operand size
	aIb        // immediate byte, shown unsigned
	aIbs       // immediate byte sign-extended to the operand size
	aIw        // immediate word
	aIz        // immediate word or dword, sign-extended to the operand size
	aIv        // immediate of the operand size (mov r64, imm64)
	aJb        // 8-bit relative branch
	aJz        // 32-bit relative branch
	aAL        // al
	aCL        // cl
	aDX        // dx (port number)
	aAcc       // al/ax/eax/rax by operand size
	aOne       // the constant 1 (shift by one)
)

// Required ModRM reg field values: slash0 + n means "/n". Zero means any.
const slash0 = 1

// Entry flags.
const (
	fDefault64 = 1 << iota // operand size is 64 bits unless 0x66 (push, pop, branches)
	fCondition             // append conditionNames[opcode&15] to the mnemonic
	fNoPrefix              // SSE form without mandatory prefix: no 66/F2/F3 allowed
	fString                // string instruction: F3/F2 print as rep/repne
	fMemory                // ModRM must address memory
	fRegister              // ModRM must name a register
	fWideName              // with REX.W use wideName instead of name
	fModRM                 // has a ModRM byte even though no operand uses it
)

// entry is one instruction form; see the comment at the top of the file.
type entry struct {
	twoByte  bool   // opcode is in the 0x0F map
	op       byte   // opcode byte
	mask     byte   // opcode bits compared; 0 means all (0xff)
	reg      uint8  // slash0 + required ModRM reg field, or 0
	modrm    byte   // required whole ModRM byte, or 0
	prefix   byte   // mandatory prefix 0x66, 0xf2 or 0xf3, or 0
	flags    uint16 // fDefault64, ...
	name     string // mnemonic
	wideName string // mnemonic with REX.W (fWideName)
	args     [3]kind
}

// table lists the forms, one-byte map first.
var table = [...]entry{
	// 0x00-0x3f: the eight arithmetic operations in six forms each.
	{op: 0x00, name: "add", args: [3]kind{aEb, aGb}},
	{op: 0x01, name: "add", args: [3]kind{aEv, aGv}},
	{op: 0x02, name: "add", args: [3]kind{aGb, aEb}},
	{op: 0x03, name: "add", args: [3]kind{aGv, aEv}},
	{op: 0x04, name: "add", args: [3]kind{aAL, aIb}},
	{op: 0x05, name: "add", args: [3]kind{aAcc, aIz}},
	{op: 0x08, name: "or", args: [3]kind{aEb, aGb}},
	{op: 0x09, name: "or", args: [3]kind{aEv, aGv}},
	{op: 0x0a, name: "or", args: [3]kind{aGb, aEb}},
	{op: 0x0b, name: "or", args: [3]kind{aGv, aEv}},
	{op: 0x0c, name: "or", args: [3]kind{aAL, aIb}},
	{op: 0x0d, name: "or", args: [3]kind{aAcc, aIz}},
	{op: 0x10, name: "adc", args: [3]kind{aEb, aGb}},
	{op: 0x11, name: "adc", args: [3]kind{aEv, aGv}},
	{op: 0x12, name: "adc", args: [3]kind{aGb, aEb}},
	{op: 0x13, name: "adc", args: [3]kind{aGv, aEv}},
	{op: 0x14, name: "adc", args: [3]kind{aAL, aIb}},
	{op: 0x15, name: "adc", args: [3]kind{aAcc, aIz}},
	{op: 0x18, name: "sbb", args: [3]kind{aEb, aGb}},
	{op: 0x19, name: "sbb", args: [3]kind{aEv, aGv}},
	{op: 0x1a, name: "sbb", args: [3]kind{aGb, aEb}},
	{op: 0x1b, name: "sbb", args: [3]kind{aGv, aEv}},
	{op: 0x1c, name: "sbb", args: [3]kind{aAL, aIb}},
	{op: 0x1d, name: "sbb", args: [3]kind{aAcc, aIz}},
	{op: 0x20, name: "and", args: [3]kind{aEb, aGb}},
	{op: 0x21, name: "and", args: [3]kind{aEv, aGv}},
	{op: 0x22, name: "and", args: [3]kind{aGb, aEb}},
	{op: 0x23, name: "and", args: [3]kind{aGv, aEv}},
	{op: 0x24, name: "and", args: [3]kind{aAL, aIb}},
	{op: 0x25, name: "and", args: [3]kind{aAcc, aIz}},
	{op: 0x28, name: "sub", args: [3]kind{aEb, aGb}},
	{op: 0x29, name: "sub", args: [3]kind{aEv, aGv}},
	{op: 0x2a, name: "sub", args: [3]kind{aGb, aEb}},
	{op: 0x2b, name: "sub", args: [3]kind{aGv, aEv}},
	{op: 0x2c, name: "sub", args: [3]kind{aAL, aIb}},
	{op: 0x2d, name: "sub", args: [3]kind{aAcc, aIz}},
	{op: 0x30, name: "xor", args: [3]kind{aEb, aGb}},
	{op: 0x31, name: "xor", args: [3]kind{aEv, aGv}},
	{op: 0x32, name: "xor", args: [3]kind{aGb, aEb}},
	{op: 0x33, name: "xor", args: [3]kind{aGv, aEv}},
	{op: 0x34, name: "xor", args: [3]kind{aAL, aIb}},
	{op: 0x35, name: "xor", args: [3]kind{aAcc, aIz}},
	{op: 0x38, name: "cmp", args: [3]kind{aEb, aGb}},
	{op: 0x39, name: "cmp", args: [3]kind{aEv, aGv}},
	{op: 0x3a, name: "cmp", args: [3]kind{aGb, aEb}},
	{op: 0x3b, name: "cmp", args: [3]kind{aGv, aEv}},
	{op: 0x3c, name: "cmp", args: [3]kind{aAL, aIb}},
	{op: 0x3d, name: "cmp", args: [3]kind{aAcc, aIz}},

	// Immediate and shift groups: the ModRM reg field selects the operation.
	{op: 0x80, reg: slash0 + 0, name: "add", args: [3]kind{aEb, aIb}},
	{op: 0x81, reg: slash0 + 0, name: "add", args: [3]kind{aEv, aIz}},
	{op: 0x83, reg: slash0 + 0, name: "add", args: [3]kind{aEv, aIbs}},
	{op: 0x80, reg: slash0 + 1, name: "or", args: [3]kind{aEb, aIb}},
	{op: 0x81, reg: slash0 + 1, name: "or", args: [3]kind{aEv, aIz}},
	{op: 0x83, reg: slash0 + 1, name: "or", args: [3]kind{aEv, aIbs}},
	{op: 0x80, reg: slash0 + 2, name: "adc", args: [3]kind{aEb, aIb}},
	{op: 0x81, reg: slash0 + 2, name: "adc", args: [3]kind{aEv, aIz}},
	{op: 0x83, reg: slash0 + 2, name: "adc", args: [3]kind{aEv, aIbs}},
	{op: 0x80, reg: slash0 + 3, name: "sbb", args: [3]kind{aEb, aIb}},
	{op: 0x81, reg: slash0 + 3, name: "sbb", args: [3]kind{aEv, aIz}},
	{op: 0x83, reg: slash0 + 3, name: "sbb", args: [3]kind{aEv, aIbs}},
	{op: 0x80, reg: slash0 + 4, name: "and", args: [3]kind{aEb, aIb}},
	{op: 0x81, reg: slash0 + 4, name: "and", args: [3]kind{aEv, aIz}},
	{op: 0x83, reg: slash0 + 4, name: "and", args: [3]kind{aEv, aIbs}},
	{op: 0x80, reg: slash0 + 5, name: "sub", args: [3]kind{aEb, aIb}},
	{op: 0x81, reg: slash0 + 5, name: "sub", args: [3]kind{aEv, aIz}},
	{op: 0x83, reg: slash0 + 5, name: "sub", args: [3]kind{aEv, aIbs}},
	{op: 0x80, reg: slash0 + 6, name: "xor", args: [3]kind{aEb, aIb}},
	{op: 0x81, reg: slash0 + 6, name: "xor", args: [3]kind{aEv, aIz}},
	{op: 0x83, reg: slash0 + 6, name: "xor", args: [3]kind{aEv, aIbs}},
	{op: 0x80, reg: slash0 + 7, name: "cmp", args: [3]kind{aEb, aIb}},
	{op: 0x81, reg: slash0 + 7, name: "cmp", args: [3]kind{aEv, aIz}},
	{op: 0x83, reg: slash0 + 7, name: "cmp", args: [3]kind{aEv, aIbs}},
	{op: 0xc0, reg: slash0 + 0, name: "rol", args: [3]kind{aEb, aIb}},
	{op: 0xc1, reg: slash0 + 0, name: "rol", args: [3]kind{aEv, aIb}},
	{op: 0xd0, reg: slash0 + 0, name: "rol", args: [3]kind{aEb, aOne}},
	{op: 0xd1, reg: slash0 + 0, name: "rol", args: [3]kind{aEv, aOne}},
	{op: 0xd2, reg: slash0 + 0, name: "rol", args: [3]kind{aEb, aCL}},
	{op: 0xd3, reg: slash0 + 0, name: "rol", args: [3]kind{aEv, aCL}},
	{op: 0xc0, reg: slash0 + 1, name: "ror", args: [3]kind{aEb, aIb}},
	{op: 0xc1, reg: slash0 + 1, name: "ror", args: [3]kind{aEv, aIb}},
	{op: 0xd0, reg: slash0 + 1, name: "ror", args: [3]kind{aEb, aOne}},
	{op: 0xd1, reg: slash0 + 1, name: "ror", args: [3]kind{aEv, aOne}},
	{op: 0xd2, reg: slash0 + 1, name: "ror", args: [3]kind{aEb, aCL}},
	{op: 0xd3, reg: slash0 + 1, name: "ror", args: [3]kind{aEv, aCL}},
	{op: 0xc0, reg: slash0 + 2, name: "rcl", args: [3]kind{aEb, aIb}},
	{op: 0xc1, reg: slash0 + 2, name: "rcl", args: [3]kind{aEv, aIb}},
	{op: 0xd0, reg: slash0 + 2, name: "rcl", args: [3]kind{aEb, aOne}},
	{op: 0xd1, reg: slash0 + 2, name: "rcl", args: [3]kind{aEv, aOne}},
	{op: 0xd2, reg: slash0 + 2, name: "rcl", args: [3]kind{aEb, aCL}},
	{op: 0xd3, reg: slash0 + 2, name: "rcl", args: [3]kind{aEv, aCL}},
	{op: 0xc0, reg: slash0 + 3, name: "rcr", args: [3]kind{aEb, aIb}},
	{op: 0xc1, reg: slash0 + 3, name: "rcr", args: [3]kind{aEv, aIb}},
	{op: 0xd0, reg: slash0 + 3, name: "rcr", args: [3]kind{aEb, aOne}},
	{op: 0xd1, reg: slash0 + 3, name: "rcr", args: [3]kind{aEv, aOne}},
	{op: 0xd2, reg: slash0 + 3, name: "rcr", args: [3]kind{aEb, aCL}},
	{op: 0xd3, reg: slash0 + 3, name: "rcr", args: [3]kind{aEv, aCL}},
	{op: 0xc0, reg: slash0 + 4, name: "shl", args: [3]kind{aEb, aIb}},
	{op: 0xc1, reg: slash0 + 4, name: "shl", args: [3]kind{aEv, aIb}},
	{op: 0xd0, reg: slash0 + 4, name: "shl", args: [3]kind{aEb, aOne}},
	{op: 0xd1, reg: slash0 + 4, name: "shl", args: [3]kind{aEv, aOne}},
	{op: 0xd2, reg: slash0 + 4, name: "shl", args: [3]kind{aEb, aCL}},
	{op: 0xd3, reg: slash0 + 4, name: "shl", args: [3]kind{aEv, aCL}},
	{op: 0xc0, reg: slash0 + 5, name: "shr", args: [3]kind{aEb, aIb}},
	{op: 0xc1, reg: slash0 + 5, name: "shr", args: [3]kind{aEv, aIb}},
	{op: 0xd0, reg: slash0 + 5, name: "shr", args: [3]kind{aEb, aOne}},
	{op: 0xd1, reg: slash0 + 5, name: "shr", args: [3]kind{aEv, aOne}},
	{op: 0xd2, reg: slash0 + 5, name: "shr", args: [3]kind{aEb, aCL}},
	{op: 0xd3, reg: slash0 + 5, name: "shr", args: [3]kind{aEv, aCL}},
	{op: 0xc0, reg: slash0 + 7, name: "sar", args: [3]kind{aEb, aIb}},
	{op: 0xc1, reg: slash0 + 7, name: "sar", args: [3]kind{aEv, aIb}},
	{op: 0xd0, reg: slash0 + 7, name: "sar", args: [3]kind{aEb, aOne}},
	{op: 0xd1, reg: slash0 + 7, name: "sar", args: [3]kind{aEv, aOne}},
	{op: 0xd2, reg: slash0 + 7, name: "sar", args: [3]kind{aEb, aCL}},
	{op: 0xd3, reg: slash0 + 7, name: "sar", args: [3]kind{aEv, aCL}},

	// Other one-byte opcodes.
	{op: 0x50, mask: 0xf8, flags: fDefault64, name: "push", args: [3]kind{aZv}},
	{op: 0x58, mask: 0xf8, flags: fDefault64, name: "pop", args: [3]kind{aZv}},
	{op: 0x63, name: "movsxd", args: [3]kind{aGv, aEd}},
	{op: 0x68, flags: fDefault64, name: "push", args: [3]kind{aIz}},
	{op: 0x69, name: "imul", args: [3]kind{aGv, aEv, aIz}},
	{op: 0x6a, flags: fDefault64, name: "push", args: [3]kind{aIbs}},
	{op: 0x6b, name: "imul", args: [3]kind{aGv, aEv, aIbs}},
	{op: 0x70, mask: 0xf0, flags: fCondition | fDefault64, name: "j", args: [3]kind{aJb}},
	{op: 0x84, name: "test", args: [3]kind{aEb, aGb}},
	{op: 0x85, name: "test", args: [3]kind{aEv, aGv}},
	{op: 0x86, name: "xchg", args: [3]kind{aEb, aGb}},
	{op: 0x87, name: "xchg", args: [3]kind{aEv, aGv}},
	{op: 0x88, name: "mov", args: [3]kind{aEb, aGb}},
	{op: 0x89, name: "mov", args: [3]kind{aEv, aGv}},
	{op: 0x8a, name: "mov", args: [3]kind{aGb, aEb}},
	{op: 0x8b, name: "mov", args: [3]kind{aGv, aEv}},
	{op: 0x8d, flags: fMemory, name: "lea", args: [3]kind{aGv, aM}},
	{op: 0x8f, reg: slash0, flags: fDefault64, name: "pop", args: [3]kind{aEv}},
	{op: 0x90, prefix: 0xf3, name: "pause"},
	{op: 0x90, name: "nop"},
	{op: 0x90, mask: 0xf8, name: "xchg", args: [3]kind{aZv, aAcc}},
	{op: 0x98, flags: fWideName, name: "cwde", wideName: "cdqe"},
	{op: 0x99, flags: fWideName, name: "cdq", wideName: "cqo"},
	{op: 0x9c, flags: fDefault64, name: "pushfq"},
	{op: 0x9d, flags: fDefault64, name: "popfq"},
	{op: 0xa4, flags: fString, name: "movsb"},
	{op: 0xa5, flags: fString | fWideName, name: "movsd", wideName: "movsq"},
	{op: 0xa8, name: "test", args: [3]kind{aAL, aIb}},
	{op: 0xa9, name: "test", args: [3]kind{aAcc, aIz}},
	{op: 0xaa, flags: fString, name: "stosb"},
	{op: 0xab, flags: fString | fWideName, name: "stosd", wideName: "stosq"},
	{op: 0xb0, mask: 0xf8, name: "mov", args: [3]kind{aZb, aIb}},
	{op: 0xb8, mask: 0xf8, name: "mov", args: [3]kind{aZv, aIv}},
	{op: 0xc2, flags: fDefault64, name: "ret", args: [3]kind{aIw}},
	{op: 0xc3, flags: fDefault64, name: "ret"},
	{op: 0xc6, reg: slash0, name: "mov", args: [3]kind{aEb, aIb}},
	{op: 0xc7, reg: slash0, name: "mov", args: [3]kind{aEv, aIz}},
	{op: 0xc9, flags: fDefault64, name: "leave"},
	{op: 0xcc, name: "int3"},
	{op: 0xcd, name: "int", args: [3]kind{aIb}},
	{op: 0xcf, flags: fWideName, name: "iretd", wideName: "iretq"},
	{op: 0xe4, name: "in", args: [3]kind{aAL, aIb}},
	{op: 0xe6, name: "out", args: [3]kind{aIb, aAL}},
	{op: 0xe8, flags: fDefault64, name: "call", args: [3]kind{aJz}},
	{op: 0xe9, flags: fDefault64, name: "jmp", args: [3]kind{aJz}},
	{op: 0xeb, flags: fDefault64, name: "jmp", args: [3]kind{aJb}},
	{op: 0xec, name: "in", args: [3]kind{aAL, aDX}},
	{op: 0xed, name: "in", args: [3]kind{aAcc, aDX}},
	{op: 0xee, name: "out", args: [3]kind{aDX, aAL}},
	{op: 0xef, name: "out", args: [3]kind{aDX, aAcc}},
	{op: 0xf4, name: "hlt"},
	{op: 0xf6, reg: slash0, name: "test", args: [3]kind{aEb, aIb}},
	{op: 0xf6, reg: slash0 + 2, name: "not", args: [3]kind{aEb}},
	{op: 0xf6, reg: slash0 + 3, name: "neg", args: [3]kind{aEb}},
	{op: 0xf6, reg: slash0 + 4, name: "mul", args: [3]kind{aEb}},
	{op: 0xf6, reg: slash0 + 5, name: "imul", args: [3]kind{aEb}},
	{op: 0xf6, reg: slash0 + 6, name: "div", args: [3]kind{aEb}},
	{op: 0xf6, reg: slash0 + 7, name: "idiv", args: [3]kind{aEb}},
	{op: 0xf7, reg: slash0, name: "test", args: [3]kind{aEv, aIz}},
	{op: 0xf7, reg: slash0 + 2, name: "not", args: [3]kind{aEv}},
	{op: 0xf7, reg: slash0 + 3, name: "neg", args: [3]kind{aEv}},
	{op: 0xf7, reg: slash0 + 4, name: "mul", args: [3]kind{aEv}},
	{op: 0xf7, reg: slash0 + 5, name: "imul", args: [3]kind{aEv}},
	{op: 0xf7, reg: slash0 + 6, name: "div", args: [3]kind{aEv}},
	{op: 0xf7, reg: slash0 + 7, name: "idiv", args: [3]kind{aEv}},
	{op: 0xf5, name: "cmc"},
	{op: 0xf8, name: "clc"},
	{op: 0xf9, name: "stc"},
	{op: 0xfa, name: "cli"},
	{op: 0xfb, name: "sti"},
	{op: 0xfc, name: "cld"},
	{op: 0xfd, name: "std"},
	{op: 0xfe, reg: slash0, name: "inc", args: [3]kind{aEb}},
	{op: 0xfe, reg: slash0 + 1, name: "dec", args: [3]kind{aEb}},
	{op: 0xff, reg: slash0, name: "inc", args: [3]kind{aEv}},
	{op: 0xff, reg: slash0 + 1, name: "dec", args: [3]kind{aEv}},
	{op: 0xff, reg: slash0 + 2, flags: fDefault64, name: "call", args: [3]kind{aEv}},
	{op: 0xff, reg: slash0 + 4, flags: fDefault64, name: "jmp", args: [3]kind{aEv}},
	{op: 0xff, reg: slash0 + 6, flags: fDefault64, name: "push", args: [3]kind{aEv}},

	// The 0x0f map: system instructions.
	{twoByte: true, op: 0x01, modrm: 0xd0, name: "xgetbv"},
	{twoByte: true, op: 0x01, modrm: 0xd1, name: "xsetbv"},
	{twoByte: true, op: 0x01, modrm: 0xf8, name: "swapgs"},
	{twoByte: true, op: 0x01, modrm: 0xf9, name: "rdtscp"},
	{twoByte: true, op: 0x01, reg: slash0, flags: fMemory, name: "sgdt", args: [3]kind{aM}},
	{twoByte: true, op: 0x01, reg: slash0 + 1, flags: fMemory, name: "sidt", args: [3]kind{aM}},
	{twoByte: true, op: 0x01, reg: slash0 + 2, flags: fMemory, name: "lgdt", args: [3]kind{aM}},
	{twoByte: true, op: 0x01, reg: slash0 + 3, flags: fMemory, name: "lidt", args: [3]kind{aM}},
	{twoByte: true, op: 0x01, reg: slash0 + 7, flags: fMemory, name: "invlpg", args: [3]kind{aM}},
	{twoByte: true, op: 0x00, reg: slash0 + 3, name: "ltr", args: [3]kind{aEw}},
	{twoByte: true, op: 0x05, name: "syscall"},
	{twoByte: true, op: 0x06, name: "clts"},
	{twoByte: true, op: 0x07, flags: fWideName, name: "sysret", wideName: "sysretq"},
	{twoByte: true, op: 0x0b, name: "ud2"},
	{twoByte: true, op: 0x18, reg: slash0, flags: fMemory, name: "prefetchnta", args: [3]kind{aM}},
	{twoByte: true, op: 0x18, reg: slash0 + 1, flags: fMemory, name: "prefetcht0", args: [3]kind{aM}},
	{twoByte: true, op: 0x18, reg: slash0 + 2, flags: fMemory, name: "prefetcht1", args: [3]kind{aM}},
	{twoByte: true, op: 0x18, reg: slash0 + 3, flags: fMemory, name: "prefetcht2", args: [3]kind{aM}},
	{twoByte: true, op: 0x1f, name: "nop", args: [3]kind{aEv}},
	{twoByte: true, op: 0x20, flags: fRegister, name: "mov", args: [3]kind{aRq, aCd}},
	{twoByte: true, op: 0x22, flags: fRegister, name: "mov", args: [3]kind{aCd, aRq}},
	{twoByte: true, op: 0x30, name: "wrmsr"},
	{twoByte: true, op: 0x31, name: "rdtsc"},
	{twoByte: true, op: 0x32, name: "rdmsr"},
	{twoByte: true, op: 0xa2, name: "cpuid"},
	{twoByte: true, op: 0xae, modrm: 0xe8, name: "lfence"},
	{twoByte: true, op: 0xae, modrm: 0xf0, name: "mfence"},
	{twoByte: true, op: 0xae, modrm: 0xf8, name: "sfence"},
	{twoByte: true, op: 0xae, reg: slash0, flags: fMemory, name: "fxsave", args: [3]kind{aM}},
	{twoByte: true, op: 0xae, reg: slash0 + 1, flags: fMemory, name: "fxrstor", args: [3]kind{aM}},
	{twoByte: true, op: 0xae, reg: slash0 + 2, flags: fMemory, name: "ldmxcsr", args: [3]kind{aEd}},
	{twoByte: true, op: 0xae, reg: slash0 + 3, flags: fMemory, name: "stmxcsr", args: [3]kind{aEd}},

	// The 0x0f map: general-purpose instructions.
	{twoByte: true, op: 0x40, mask: 0xf0, flags: fCondition, name: "cmov", args: [3]kind{aGv, aEv}},
	{twoByte: true, op: 0x80, mask: 0xf0, flags: fCondition | fDefault64, name: "j", args: [3]kind{aJz}},
	{twoByte: true, op: 0x90, mask: 0xf0, flags: fCondition, name: "set", args: [3]kind{aEb}},
	{twoByte: true, op: 0xa3, name: "bt", args: [3]kind{aEv, aGv}},
	{twoByte: true, op: 0xab, name: "bts", args: [3]kind{aEv, aGv}},
	{twoByte: true, op: 0xaf, name: "imul", args: [3]kind{aGv, aEv}},
	{twoByte: true, op: 0xb0, name: "cmpxchg", args: [3]kind{aEb, aGb}},
	{twoByte: true, op: 0xb1, name: "cmpxchg", args: [3]kind{aEv, aGv}},
	{twoByte: true, op: 0xb3, name: "btr", args: [3]kind{aEv, aGv}},
	{twoByte: true, op: 0xb6, name: "movzx", args: [3]kind{aGv, aEb}},
	{twoByte: true, op: 0xb7, name: "movzx", args: [3]kind{aGv, aEw}},
	{twoByte: true, op: 0xba, reg: slash0 + 4, name: "bt", args: [3]kind{aEv, aIb}},
	{twoByte: true, op: 0xba, reg: slash0 + 5, name: "bts", args: [3]kind{aEv, aIb}},
	{twoByte: true, op: 0xba, reg: slash0 + 6, name: "btr", args: [3]kind{aEv, aIb}},
	{twoByte: true, op: 0xba, reg: slash0 + 7, name: "btc", args: [3]kind{aEv, aIb}},
	{twoByte: true, op: 0xbb, name: "btc", args: [3]kind{aEv, aGv}},
	{twoByte: true, op: 0xbc, prefix: 0xf3, name: "tzcnt", args: [3]kind{aGv, aEv}},
	{twoByte: true, op: 0xbc, name: "bsf", args: [3]kind{aGv, aEv}},
	{twoByte: true, op: 0xbd, prefix: 0xf3, name: "lzcnt", args: [3]kind{aGv, aEv}},
	{twoByte: true, op: 0xbd, name: "bsr", args: [3]kind{aGv, aEv}},
	{twoByte: true, op: 0xb8, prefix: 0xf3, name: "popcnt", args: [3]kind{aGv, aEv}},
	{twoByte: true, op: 0xbe, name: "movsx", args: [3]kind{aGv, aEb}},
	{twoByte: true, op: 0xbf, name: "movsx", args: [3]kind{aGv, aEw}},
	{twoByte: true, op: 0xc0, name: "xadd", args: [3]kind{aEb, aGb}},
	{twoByte: true, op: 0xc1, name: "xadd", args: [3]kind{aEv, aGv}},
	{twoByte: true, op: 0xc8, mask: 0xf8, name: "bswap", args: [3]kind{aZv}},

	// The 0x0f map: SSE. Prefixed forms first.
	{twoByte: true, op: 0x10, prefix: 0xf3, name: "movss", args: [3]kind{aVx, aWd}},
	{twoByte: true, op: 0x10, prefix: 0xf2, name: "movsd", args: [3]kind{aVx, aWq}},
	{twoByte: true, op: 0x10, prefix: 0x66, name: "movupd", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0x10, flags: fNoPrefix, name: "movups", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0x11, prefix: 0xf3, name: "movss", args: [3]kind{aWd, aVx}},
	{twoByte: true, op: 0x11, prefix: 0xf2, name: "movsd", args: [3]kind{aWq, aVx}},
	{twoByte: true, op: 0x11, prefix: 0x66, name: "movupd", args: [3]kind{aWx, aVx}},
	{twoByte: true, op: 0x11, flags: fNoPrefix, name: "movups", args: [3]kind{aWx, aVx}},
	{twoByte: true, op: 0x28, prefix: 0x66, name: "movapd", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0x28, flags: fNoPrefix, name: "movaps", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0x29, prefix: 0x66, name: "movapd", args: [3]kind{aWx, aVx}},
	{twoByte: true, op: 0x29, flags: fNoPrefix, name: "movaps", args: [3]kind{aWx, aVx}},
	{twoByte: true, op: 0x2a, prefix: 0xf2, name: "cvtsi2sd", args: [3]kind{aVx, aEy}},
	{twoByte: true, op: 0x2a, prefix: 0xf3, name: "cvtsi2ss", args: [3]kind{aVx, aEy}},
	{twoByte: true, op: 0x2c, prefix: 0xf2, name: "cvttsd2si", args: [3]kind{aGy, aWq}},
	{twoByte: true, op: 0x2c, prefix: 0xf3, name: "cvttss2si", args: [3]kind{aGy, aWd}},
	{twoByte: true, op: 0x2e, prefix: 0x66, name: "ucomisd", args: [3]kind{aVx, aWq}},
	{twoByte: true, op: 0x2e, flags: fNoPrefix, name: "ucomiss", args: [3]kind{aVx, aWd}},
	{twoByte: true, op: 0x2d, prefix: 0xf2, name: "cvtsd2si", args: [3]kind{aGy, aWq}},
	{twoByte: true, op: 0x2f, prefix: 0x66, name: "comisd", args: [3]kind{aVx, aWq}},
	{twoByte: true, op: 0x2f, flags: fNoPrefix, name: "comiss", args: [3]kind{aVx, aWd}},
	{twoByte: true, op: 0x51, prefix: 0xf2, name: "sqrtsd", args: [3]kind{aVx, aWq}},
	{twoByte: true, op: 0x54, prefix: 0x66, name: "andpd", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0x54, flags: fNoPrefix, name: "andps", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0x57, prefix: 0x66, name: "xorpd", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0x57, flags: fNoPrefix, name: "xorps", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0x58, prefix: 0xf2, name: "addsd", args: [3]kind{aVx, aWq}},
	{twoByte: true, op: 0x59, prefix: 0xf2, name: "mulsd", args: [3]kind{aVx, aWq}},
	{twoByte: true, op: 0x5a, prefix: 0xf2, name: "cvtsd2ss", args: [3]kind{aVx, aWq}},
	{twoByte: true, op: 0x5a, prefix: 0xf3, name: "cvtss2sd", args: [3]kind{aVx, aWd}},
	{twoByte: true, op: 0x5c, prefix: 0xf2, name: "subsd", args: [3]kind{aVx, aWq}},
	{twoByte: true, op: 0x5d, prefix: 0xf2, name: "minsd", args: [3]kind{aVx, aWq}},
	{twoByte: true, op: 0x5e, prefix: 0xf2, name: "divsd", args: [3]kind{aVx, aWq}},
	{twoByte: true, op: 0x5f, prefix: 0xf2, name: "maxsd", args: [3]kind{aVx, aWq}},
	{twoByte: true, op: 0x60, prefix: 0x66, name: "punpcklbw", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0x6e, prefix: 0x66, flags: fWideName, name: "movd", wideName: "movq", args: [3]kind{aVx, aEy}},
	{twoByte: true, op: 0x6f, prefix: 0x66, name: "movdqa", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0x6f, prefix: 0xf3, name: "movdqu", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0x70, prefix: 0x66, name: "pshufd", args: [3]kind{aVx, aWx, aIb}},
	{twoByte: true, op: 0x70, prefix: 0xf2, name: "pshuflw", args: [3]kind{aVx, aWx, aIb}},
	{twoByte: true, op: 0x70, prefix: 0xf3, name: "pshufhw", args: [3]kind{aVx, aWx, aIb}},
	{twoByte: true, op: 0x74, prefix: 0x66, name: "pcmpeqb", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0x7e, prefix: 0x66, flags: fWideName, name: "movd", wideName: "movq", args: [3]kind{aEy, aVx}},
	{twoByte: true, op: 0x7e, prefix: 0xf3, name: "movq", args: [3]kind{aVx, aWq}},
	{twoByte: true, op: 0x7f, prefix: 0x66, name: "movdqa", args: [3]kind{aWx, aVx}},
	{twoByte: true, op: 0x7f, prefix: 0xf3, name: "movdqu", args: [3]kind{aWx, aVx}},
	{twoByte: true, op: 0xc6, flags: fNoPrefix, name: "shufps", args: [3]kind{aVx, aWx, aIb}},
	{twoByte: true, op: 0xd4, prefix: 0x66, name: "paddq", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0xd6, prefix: 0x66, name: "movq", args: [3]kind{aWq, aVx}},
	{twoByte: true, op: 0xd7, prefix: 0x66, flags: fRegister, name: "pmovmskb", args: [3]kind{aGd, aUx}},
	{twoByte: true, op: 0xdb, prefix: 0x66, name: "pand", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0xeb, prefix: 0x66, name: "por", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0xef, prefix: 0x66, name: "pxor", args: [3]kind{aVx, aWx}},
	{twoByte: true, op: 0xfe, prefix: 0x66, name: "paddd", args: [3]kind{aVx, aWx}},
}
