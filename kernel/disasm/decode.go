package disasm

// This file decodes one instruction into an instruction value: prefixes,
// opcode, ModRM, SIB, displacement and immediates, in that byte order.
//
// ModRM is mod(2 bits) reg(3) rm(3). mod 3 names a register in rm; other
// mods address memory: rm 4 means a SIB byte follows (scale(2) index(3)
// base(3); index 4 means none; base 5 with mod 0 means disp32 and no base),
// rm 5 with mod 0 means rip+disp32, mod 1 adds disp8 and mod 2 disp32.
// REX (0x40-0x4f) supplies a fourth bit for reg (R), index (X) and
// rm/base/opcode register (B), and W selects 64-bit operands.

// maxInstructionLength is the architectural limit.
const maxInstructionLength = 15

// Operand classes.
const (
	operandNone = iota
	operandRegister
	operandMemory
	operandImmediate
	operandTarget // branch target address
)

// operand is one decoded operand; plain integers only.
type operand struct {
	class    uint8
	register register // operandRegister
	// operandMemory: segment:[base+index*scale+displacement], size in
	// bytes (0 = not shown).
	segment      register
	base         register
	index        register
	scale        uint8
	displacement int64
	size         uint8
	// operandImmediate (shown in bits bits) and operandTarget.
	value uint64
	bits  uint8
}

// instruction is one decoded instruction.
type instruction struct {
	length   int
	form     *entry // points into the static table, never to the heap
	opcode   byte   // the opcode byte (after 0x0f for the two-byte map)
	lock     bool
	repeat   byte // 0xf3, 0xf2 or 0 on string instructions
	wide     bool // REX.W
	operands [3]operand
}

// decoder walks the instruction bytes.
type decoder struct {
	code     []byte
	position int
	failed   bool
}

// next returns the next byte, or marks the decoder failed at the end of
// the code or past the architectural length limit.
func (d *decoder) next() byte {
	if d.position < 0 || d.position >= len(d.code) || d.position >= maxInstructionLength {
		d.failed = true
		return 0
	}
	c := d.code[d.position]
	d.position++
	return c
}

// peek returns the next byte without consuming it.
func (d *decoder) peek() (byte, bool) {
	if d.position < 0 || d.position >= len(d.code) || d.position >= maxInstructionLength {
		return 0, false
	}
	return d.code[d.position], true
}

// little reads an n-byte little-endian value, sign-extended to 64 bits.
func (d *decoder) little(n int) int64 {
	var v uint64
	for i := 0; i < n; i++ {
		v |= uint64(d.next()) << (8 * uint(i))
	}
	shift := uint(64 - 8*n)
	return int64(v<<shift) >> shift
}

// prefixes records the legacy and REX prefixes seen.
type prefixes struct {
	operandSize bool // 0x66
	addressSize bool // 0x67
	lock        bool // 0xf0
	repeat      byte // last of 0xf2/0xf3, or 0
	segment     register
	rex         byte // 0 or 0x40-0x4f
}

// decode decodes the instruction at the start of code. It reports ok=false
// for unknown or truncated instructions.
func decode(code []byte, pc uint64) (inst instruction, ok bool) {
	d := decoder{code: code}
	var p prefixes
	var opcode byte
	for {
		c := d.next()
		if d.failed {
			return inst, false
		}
		if isLegacyPrefix(c) {
			if p.rex != 0 {
				// A REX prefix must come right before the opcode;
				// the CPU would ignore it, but it is far more likely
				// that these bytes are not code.
				return inst, false
			}
			p.apply(c)
			continue
		}
		if c >= 0x40 && c <= 0x4f {
			if p.rex != 0 {
				return inst, false // two REX prefixes in a row
			}
			p.rex = c
			continue
		}
		opcode = c
		break
	}
	twoByte := opcode == 0x0f
	if twoByte {
		opcode = d.next()
		if d.failed || opcode == 0x38 || opcode == 0x3a {
			return inst, false
		}
	}
	modrm, hasModRMByte := d.peek()
	form := match(twoByte, opcode, p, modrm, hasModRMByte)
	if form == nil {
		return inst, false
	}
	inst.form = form
	inst.opcode = opcode
	inst.lock = p.lock
	inst.wide = p.rex&8 != 0
	if form.flags&fString != 0 {
		inst.repeat = p.repeat
	}

	// Operand size: REX.W, then 0x66 (unless it is this form's mandatory
	// prefix), then the form's default.
	operandBits := 32
	switch {
	case inst.wide:
		operandBits = 64
	case p.operandSize && form.prefix != 0x66:
		operandBits = 16
	case form.flags&fDefault64 != 0:
		operandBits = 64
	}

	var rm operand // the ModRM r/m operand, decoded once
	reg := 0
	if needsModRM(form) {
		d.next()
		reg = int(modrm>>3&7) | int(p.rex&4)<<1
		rm = d.modrmOperand(modrm, p)
	}
	for i, k := range form.args {
		if i >= len(inst.operands) {
			break
		}
		inst.operands[i] = d.operand(k, opcode, reg, rm, operandBits, p)
	}
	if d.failed {
		return inst, false
	}
	inst.length = d.position
	// Relative targets count from the end of the instruction.
	for i := range inst.operands {
		if inst.operands[i].class == operandTarget {
			inst.operands[i].value += pc + uint64(inst.length)
		}
	}
	return inst, true
}

// apply records legacy prefix c.
func (p *prefixes) apply(c byte) {
	switch c {
	case 0x66:
		p.operandSize = true
	case 0x67:
		p.addressSize = true
	case 0xf0:
		p.lock = true
	case 0xf2, 0xf3:
		p.repeat = c
	case 0x64:
		p.segment = classSegment | 4
	case 0x65:
		p.segment = classSegment | 5
	}
	// 0x26, 0x2e, 0x36 and 0x3e (es, cs, ss, ds) do nothing in 64-bit
	// mode; they are accepted and not shown.
}

func isLegacyPrefix(c byte) bool {
	switch c {
	case 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3:
		return true
	}
	return false
}

// match returns the first table entry for the opcode, or nil.
func match(twoByte bool, opcode byte, p prefixes, modrm byte, hasModRM bool) *entry {
	for i := range table {
		e := &table[i]
		mask := e.mask
		if mask == 0 {
			mask = 0xff
		}
		if e.twoByte != twoByte || opcode&mask != e.op {
			continue
		}
		switch e.prefix {
		case 0:
			if e.flags&fNoPrefix != 0 && (p.operandSize || p.repeat != 0) {
				continue
			}
		case 0x66:
			if !p.operandSize {
				continue
			}
		default:
			if p.repeat != e.prefix {
				continue
			}
		}
		if !needsModRM(e) {
			return e
		}
		if !hasModRM {
			return nil
		}
		if e.modrm != 0 && modrm != e.modrm {
			continue
		}
		if e.reg != 0 && int(modrm>>3&7) != int(e.reg-slash0) {
			continue
		}
		if e.flags&fMemory != 0 && modrm>>6 == 3 {
			continue
		}
		if e.flags&fRegister != 0 && modrm>>6 != 3 {
			continue
		}
		return e
	}
	return nil
}

// needsModRM reports whether a form has a ModRM byte.
func needsModRM(e *entry) bool {
	if e.reg != 0 || e.modrm != 0 || e.flags&fModRM != 0 {
		return true
	}
	for _, k := range e.args {
		switch k {
		case aEb, aEw, aEd, aEv, aEy, aM, aMq, aRq, aGb, aGw, aGd, aGv, aGy, aCd, aVx, aWx, aWq, aWd, aUx:
			return true
		}
	}
	return false
}

// modrmOperand decodes the r/m half of ModRM (and SIB and displacement)
// into a register operand holding only the register number, or a memory
// operand with no size yet.
func (d *decoder) modrmOperand(modrm byte, p prefixes) operand {
	mod := modrm >> 6
	rm := int(modrm&7) | int(p.rex&1)<<3
	if mod == 3 {
		return operand{class: operandRegister, register: register(rm)}
	}
	addressBits := 64
	if p.addressSize {
		addressBits = 32
	}
	m := operand{class: operandMemory, segment: p.segment}
	switch {
	case modrm&7 == 4:
		sib := d.next()
		scale := sib >> 6
		index := int(sib>>3&7) | int(p.rex&2)<<2
		base := int(sib&7) | int(p.rex&1)<<3
		if index != 4 {
			m.index = generalRegister(index, addressBits, true)
			m.scale = 1 << scale
		}
		if sib&7 == 5 && mod == 0 {
			m.displacement = d.little(4)
			return m
		}
		m.base = generalRegister(base, addressBits, true)
	case modrm&7 == 5 && mod == 0:
		m.base = classInstruction
		if p.addressSize {
			m.base = classInstruction | 1
		}
		m.displacement = d.little(4)
		return m
	default:
		m.base = generalRegister(rm, addressBits, true)
	}
	switch mod {
	case 1:
		m.displacement = d.little(1)
	case 2:
		m.displacement = d.little(4)
	}
	return m
}
