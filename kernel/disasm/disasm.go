// Package disasm decodes one x86-64 instruction and writes it as text in
// Intel syntax, for the kernel's fault report ("the faulting instruction
// was mov rax, qword ptr [rbx+0x10]").
//
// It runs in trap context after the kernel itself faulted, so it must not
// allocate, panic or block. golang.org/x/arch/x86/x86asm cannot be used
// there: its Decode stores memory, immediate and relative operands in
// interface values, which allocates (measured: one allocation for
// "mov rax, [rbx+0x10]", "call rel32", "mov rax, imm64"), and its
// formatters build strings. This package is a small table-driven decoder
// instead (table.go) that writes into a caller's fixed buffer; its host
// tests check it against x86asm instruction by instruction.
//
// Output conventions: lower-case mnemonics and registers; operands in
// Intel order separated by ", "; memory as
// "qword ptr fs:[base+index*scale+displacement]" with the size keyword omitted where the size is not
// meaningful (lea, lgdt, fxsave); numbers in hex with 0x; immediates as
// unsigned numbers of the operand's width ("add eax, 0xffffffff");
// branch targets as absolute addresses; rip-relative memory operands are
// followed by "; 0x<address>" with the address they refer to.
package disasm

// Format decodes the instruction at the start of code, which is located at
// address pc, and writes its text into out.
//
// Preconditions: every byte of code must be readable; in a fault report,
// pass at most 15 bytes and stop at the end of the faulting page if the next
// page is not mapped. The bytes may be short, garbage or nil. pc is free (use
// 0 if the address is unknown: targets are then offsets from code[0]); out
// should have room for about 80 bytes, longer text is cut off. Format does
// not allocate, does not panic and keeps nothing.
//
// It returns the instruction's length in bytes, the text (a prefix of out)
// and ok=true; or, for bytes it does not understand (unknown or truncated
// instructions), length 0, the text "(bad)" and ok=false.
func Format(code []byte, pc uint64, out []byte) (instructionLength int, text []byte, ok bool) {
	w := writer{buffer: out}
	inst, ok := decode(code, pc)
	if !ok || inst.form == nil {
		w.string("(bad)")
		return 0, w.text(), false
	}
	write(&w, &inst, pc)
	return inst.length, w.text(), true
}

// write formats a decoded instruction.
func write(w *writer, inst *instruction, pc uint64) {
	form := inst.form
	if inst.lock {
		w.string("lock ")
	}
	switch inst.repeat {
	case 0xf3:
		w.string("rep ")
	case 0xf2:
		w.string("repne ")
	}
	if form.flags&fWideName != 0 && inst.wide {
		w.string(form.wideName)
	} else {
		w.string(form.name)
	}
	if form.flags&fCondition != 0 {
		w.string(conditionNames[inst.opcode&15])
	}
	var ripTarget uint64
	hasRIPTarget := false
	for i := range inst.operands {
		o := &inst.operands[i]
		if o.class == operandNone {
			break
		}
		if i == 0 {
			w.byte(' ')
		} else {
			w.string(", ")
		}
		switch o.class {
		case operandRegister:
			w.string(o.register.name())
		case operandImmediate, operandTarget:
			w.hex(o.value)
		case operandMemory:
			writeMemory(w, o)
			if o.base == classInstruction {
				ripTarget = pc + uint64(inst.length) + uint64(o.displacement)
				hasRIPTarget = true
			}
		}
	}
	if hasRIPTarget {
		w.string(" ; ")
		w.hex(ripTarget)
	}
}

// writeMemory writes a memory operand.
func writeMemory(w *writer, o *operand) {
	switch o.size {
	case 1:
		w.string(sizeNames[0])
	case 2:
		w.string(sizeNames[1])
	case 4:
		w.string(sizeNames[2])
	case 8:
		w.string(sizeNames[3])
	case 16:
		w.string(sizeNames[4])
	}
	if o.segment != classNone {
		w.string(o.segment.name())
		w.byte(':')
	}
	w.byte('[')
	wrote := false
	if o.base != classNone {
		w.string(o.base.name())
		wrote = true
	}
	if o.index != classNone {
		if wrote {
			w.byte('+')
		}
		w.string(o.index.name())
		w.byte('*')
		w.byte('0' + o.scale)
		wrote = true
	}
	switch {
	case !wrote:
		w.hex(uint64(o.displacement))
	case o.displacement != 0:
		w.signedHex(o.displacement)
	}
	w.byte(']')
}
