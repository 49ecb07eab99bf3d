package disasm

// operand turns one operand form into a decoded operand, consuming
// immediate bytes. rm is the decoded ModRM r/m operand and reg the ModRM
// reg field with REX.R; operandBits is the instruction's operand size.
func (d *decoder) operand(k kind, opcode byte, reg int, rm operand, operandBits int, p prefixes) operand {
	rex := p.rex != 0
	wideBits := 32 // y forms: dword, or qword with REX.W
	if p.rex&8 != 0 {
		wideBits = 64
	}
	opcodeRegister := int(opcode&7) | int(p.rex&1)<<3
	switch k {
	case aEb:
		return sized(rm, 8, rex, classNone)
	case aEw:
		return sized(rm, 16, rex, classNone)
	case aEd:
		return sized(rm, 32, rex, classNone)
	case aEv:
		return sized(rm, operandBits, rex, classNone)
	case aEy:
		return sized(rm, wideBits, rex, classNone)
	case aM:
		return sized(rm, 0, rex, classNone)
	case aMq:
		return sized(rm, 64, rex, classNone)
	case aRq:
		return sized(rm, 64, rex, classNone)
	case aWx:
		return sized(rm, 128, rex, classXMM)
	case aWq:
		return sized(rm, 64, rex, classXMM)
	case aWd:
		return sized(rm, 32, rex, classXMM)
	case aUx:
		return sized(rm, 128, rex, classXMM)
	case aGb:
		return registerOperand(generalRegister(reg, 8, rex))
	case aGw:
		return registerOperand(generalRegister(reg, 16, rex))
	case aGd:
		return registerOperand(generalRegister(reg, 32, rex))
	case aGv:
		return registerOperand(generalRegister(reg, operandBits, rex))
	case aGy:
		return registerOperand(generalRegister(reg, wideBits, rex))
	case aCd:
		return registerOperand(classControl | register(reg))
	case aVx:
		return registerOperand(classXMM | register(reg))
	case aZb:
		return registerOperand(generalRegister(opcodeRegister, 8, rex))
	case aZv:
		return registerOperand(generalRegister(opcodeRegister, operandBits, rex))
	case aAL:
		return registerOperand(generalRegister(0, 8, rex))
	case aCL:
		return registerOperand(generalRegister(1, 8, rex))
	case aDX:
		return registerOperand(generalRegister(2, 16, rex))
	case aAcc:
		return registerOperand(generalRegister(0, operandBits, rex))
	case aOne:
		return operand{class: operandImmediate, value: 1, bits: 8}
	case aIb:
		return immediate(uint64(d.little(1)), 8)
	case aIbs:
		return immediate(uint64(d.little(1)), operandBits)
	case aIw:
		return immediate(uint64(d.little(2)), 16)
	case aIz:
		if operandBits == 16 {
			return immediate(uint64(d.little(2)), 16)
		}
		return immediate(uint64(d.little(4)), operandBits)
	case aIv:
		return immediate(uint64(d.little(operandBits/8)), operandBits)
	case aJb:
		return operand{class: operandTarget, value: uint64(d.little(1))}
	case aJz:
		return operand{class: operandTarget, value: uint64(d.little(4))}
	}
	return operand{}
}

// sized completes a ModRM r/m operand: a register operand gets its name
// (class registerClass, or the general register of size bits), a memory
// operand its size in bytes.
func sized(rm operand, bits int, rex bool, registerClass register) operand {
	if rm.class == operandRegister {
		if registerClass != classNone {
			rm.register = registerClass | register(rm.register.number())
		} else {
			rm.register = generalRegister(rm.register.number(), bits, rex)
		}
		return rm
	}
	rm.size = uint8(bits / 8)
	return rm
}

func registerOperand(r register) operand {
	return operand{class: operandRegister, register: r}
}

// immediate makes an immediate shown as a bits-wide unsigned number.
func immediate(value uint64, bits int) operand {
	if bits < 64 {
		value &= 1<<uint(bits) - 1
	}
	return operand{class: operandImmediate, value: value, bits: uint8(bits)}
}
