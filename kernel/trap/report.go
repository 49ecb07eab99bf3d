package trap

import (
	"exogo/abi/symbols"
	"exogo/arch/amd64"
	"exogo/kernel/console"
	"exogo/kernel/cpu"
	"exogo/kernel/disasm"
	"exogo/kernel/memory"
	"exogo/kernel/paging"
	"exogo/kernel/rawmem"
)

// The fatal report: what a person (or a grader's script) needs to find a
// kernel bug from the serial log alone. It is printed with restricted Go
// only (no allocation: the heap may be what broke), then the machine stops:
// under QEMU it exits with status FatalExitCode*2+1 through isa-debug-exit.

// FatalExitCode is written to the isa-debug-exit port on a kernel fault
// (QEMU then exits with status 37).
const FatalExitCode = 0x12

var reporting uint32

func fatal(f *cpu.Frame, reason string) {
	if reporting != 0 {
		console.ForceUnlockForPanic()
		console.WriteString("\nexogo: fault while reporting a fault; halted\n")
		powerOff(FatalExitCode)
	}
	reporting = 1
	console.ForceUnlockForPanic()
	console.ReclaimSerial() // a process with the console right may have reprogrammed COM1
	console.ReclaimScreen() // and a process may have taken the screen
	console.WriteString("\nexogo: KERNEL FAULT: ")
	console.WriteString(VectorName(f.Vector))
	console.WriteString(" (vector ")
	console.WriteDecimal(f.Vector)
	console.WriteString("), ")
	console.WriteString(reason)
	console.WriteString("\n  error code ")
	console.WriteHexShort(f.ErrorCode)
	if f.Vector == VectorPageFault {
		console.WriteString("  CR2 ")
		console.WriteHex(amd64.ReadCR2())
		console.WriteString(pageFaultCause(f.ErrorCode))
	}
	console.WriteString("\n")
	printRegisters(f)
	printInstruction(f.RIP)
	console.WriteString("  backtrace:\n")
	printLocation(f.RIP, false)
	printBacktrace(f.RBP)
	console.WriteString("exogo: halted\n")
	powerOff(FatalExitCode)
}

func pageFaultCause(code uint64) string {
	switch {
	case code&0x10 != 0:
		return " (instruction fetch)"
	case code&1 == 0 && code&2 != 0:
		return " (write to an unmapped page)"
	case code&1 == 0:
		return " (read of an unmapped page)"
	case code&2 != 0:
		return " (write to a read-only page)"
	}
	return " (protection violation)"
}

func printRegisters(f *cpu.Frame) {
	names := [...]string{"RIP", "RSP", "RFLAGS", "RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15", "CS", "SS", "FS base"}
	values := [...]uint64{f.RIP, f.RSP, f.RFLAGS, f.RAX, f.RBX, f.RCX, f.RDX, f.RSI, f.RDI, f.RBP, f.R8, f.R9, f.R10, f.R11, f.R12, f.R13, f.R14, f.R15, f.CS, f.SS, f.FSBase}
	for i := range names {
		if i%3 == 0 {
			console.WriteString("  ")
		}
		console.WriteString(names[i])
		for pad := len(names[i]); pad < 8; pad++ {
			console.WriteString(" ")
		}
		console.WriteHex(values[i])
		if i%3 == 2 || i == len(names)-1 {
			console.WriteString("\n")
		} else {
			console.WriteString("  ")
		}
	}
}

// readable reports whether the kernel can read length bytes at address
// without faulting.
func readable(address, length uintptr) bool {
	if memory.Kernel.Root == 0 {
		// Still on the boot page tables: the first 4 GiB identity-mapped,
		// the first GiB also at the kernel's virtual base.
		const base = 0xffff_ffff_8000_0000
		return (address+length < 4<<30 && address >= 4096) || (address >= base && address+length < base+1<<30)
	}
	for page := address &^ 4095; page < address+length; page += 4096 {
		if _, _, status := memory.Kernel.Lookup(page); status != paging.OK {
			return false
		}
	}
	return true
}

func printInstruction(rip uint64) {
	console.WriteString("  instruction: ")
	length := uintptr(15)
	if !readable(uintptr(rip), length) {
		length = 4096 - uintptr(rip)&4095
		if length > 15 || !readable(uintptr(rip), length) {
			console.WriteString("(not readable)\n")
			return
		}
	}
	code := rawmem.Bytes(uintptr(rip), length)
	var text [96]byte
	n, decoded, ok := disasm.Format(code, rip, text[:])
	console.Write(decoded)
	if !ok {
		n = int(length)
		if n > 8 {
			n = 8
		}
	}
	console.WriteString("   [")
	for i := 0; i < n && i < len(code); i++ {
		if i > 0 {
			console.WriteString(" ")
		}
		writeHexByte(code[i])
	}
	console.WriteString("]\n")
}

func writeHexByte(b byte) {
	const digits = "0123456789abcdef"
	var out [2]byte
	out[0], out[1] = digits[b>>4], digits[b&15]
	console.Write(out[:])
}

// printLocation prints "    pc function file:line". For return addresses
// the call instruction is the byte before pc.
func printLocation(pc uint64, returnAddress bool) {
	console.WriteString("    ")
	console.WriteHex(pc)
	lookup := uintptr(pc)
	if returnAddress {
		lookup--
	}
	found, function := symbols.Lookup(lookup)
	if !found {
		console.WriteString(" ?\n")
		return
	}
	console.WriteString(" ")
	console.Write(symbols.FunctionName(function))
	file, line := symbols.FileLine(function, lookup)
	console.WriteString("\n        ")
	console.Write(file)
	console.WriteString(":")
	console.WriteDecimal(uint64(line))
	console.WriteString("\n")
}

// printBacktrace follows the frame-pointer chain: Go on amd64 keeps the
// caller's RBP at [RBP] and the return address at [RBP+8].
func printBacktrace(rbp uint64) {
	for depth := 0; depth < 32; depth++ {
		if rbp == 0 || rbp%8 != 0 || !readable(uintptr(rbp), 16) {
			return
		}
		next := *rawmem.Uint64(uintptr(rbp))
		returnAddress := *rawmem.Uint64(uintptr(rbp) + 8)
		if returnAddress == 0 {
			return
		}
		printLocation(returnAddress, true)
		if next <= rbp {
			return // the chain must go up the stack
		}
		rbp = next
	}
}

func powerOff(code uint8) {
	amd64.OutByte(0xf4, code)
	amd64.HaltForever()
}
