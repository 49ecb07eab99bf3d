package smp

// The application-processor trampoline. A start-up IPI (SIPI) with vector
// v starts its target in 16-bit real mode at CS:IP = (v << 8):0000, that is
// at physical address v * 4 KiB, below 1 MiB. Go's assembler cannot emit
// 16- or 32-bit code, so the code is written here as bytes, one
// instruction per line, with the encoding and its meaning. Four absolute
// addresses depend on where the page is (base); WriteTrampoline patches
// them. TestTrampolineDecodes disassembles each part in its own mode with
// golang.org/x/arch/x86/x86asm and checks every instruction, so an edit
// that breaks the encoding fails the host tests.
//
// Page layout (offsets from base):
//
//	0x000  code: 16-bit real mode, then 32-bit protected mode, then
//	       64-bit long mode
//	0x100  GDT: null, 0x08 64-bit code, 0x10 data, 0x18 32-bit code
//	0x120  GDT pseudo-descriptor for LGDT (limit, 32-bit base)
//	0x130  CR3 (32 bits): the kernel's PML4, which must lie below 4 GiB
//	0x138  64-bit entry point (kernel text)
//	0x140  stack pointer for the entry
//	0x148  first argument (RDI) for the entry
//	0x150  second argument (RSI) for the entry
//	0x158  "alive" byte: the AP writes 1 as its first store
//
// The page must be identity-mapped (virtual = physical) in the page tables
// CR3 names, executable and writable, while an AP runs it: the 64-bit part
// executes at its physical address before it jumps to kernel text.

// Offsets in the trampoline page.
const (
	trampolineGDT     = 0x100
	trampolineGDTR    = 0x120
	trampolineCR3     = 0x130
	trampolineEntry   = 0x138
	trampolineStack   = 0x140
	trampolineArg0    = 0x148
	trampolineArg1    = 0x150
	trampolineAlive   = 0x158
	TrampolineSize    = 0x160
	protectedModeCode = 0x23 // first 32-bit instruction
	longModeCode      = 0x65 // first 64-bit instruction
	trampolineCodeEnd = 0x87
)

// Selectors of the trampoline's GDT.
const (
	trampolineCode64 = 0x08 // the same as the kernel's code selector
	trampolineData   = 0x10
	trampolineCode32 = 0x18
)

// Where WriteTrampoline patches absolute addresses (offset of the 32-bit
// field in the code, the page offset it must point to).
var trampolineFixups = [...][2]uint16{
	{0x1d, protectedModeCode}, // far jump to 32-bit code
	{0x39, trampolineCR3},     // mov eax, [CR3 field]
	{0x5f, longModeCode},      // far jump to 64-bit code
	{0x69, trampolineStack},   // mov rsp, [stack]
	{0x71, trampolineArg0},    // mov rdi, [arg0]
	{0x79, trampolineArg1},    // mov rsi, [arg1]
	{0x81, trampolineEntry},   // mov rax, [entry]
}

// trampolineCode is the code; each 0xAA byte is part of an absolute
// address WriteTrampoline fills in. Offsets are on the left.
var trampolineCode = [trampolineCodeEnd]byte{
	// 16-bit real mode. CS = base >> 4, IP = 0; interrupts may be on.
	0xfa,       // 00 cli
	0xfc,       // 01 cld
	0x8c, 0xc8, // 02 mov ax, cs
	0x8e, 0xd8, // 04 mov ds, ax            ; DS-relative offsets = page offsets
	0xc6, 0x06, 0x58, 0x01, 0x01, // 06 mov byte [0x158], 1 ; alive
	0x66, 0x0f, 0x01, 0x16, 0x20, 0x01, // 0b o32 lgdt [0x120] ; 32-bit base
	0x0f, 0x20, 0xc0, // 11 mov eax, cr0
	0x66, 0x83, 0xc8, 0x01, // 14 or eax, 1   ; PE: protected mode
	0x0f, 0x22, 0xc0, // 18 mov cr0, eax
	0x66, 0xea, 0xAA, 0xAA, 0xAA, 0xAA, trampolineCode32, 0x00, // 1b jmp dword 0x18:base+0x23
	// 32-bit protected mode, paging off.
	0x66, 0xb8, trampolineData, 0x00, // 23 mov ax, 0x10
	0x8e, 0xd8, // 27 mov ds, ax
	0x8e, 0xc0, // 29 mov es, ax
	0x8e, 0xd0, // 2b mov ss, ax
	0x0f, 0x20, 0xe0, // 2d mov eax, cr4
	0x0d, 0xa0, 0x06, 0x00, 0x00, // 30 or eax, 0x6a0 ; PAE, PGE, OSFXSR, OSXMMEXCPT (as boot32_amd64.s)
	0x0f, 0x22, 0xe0, // 35 mov cr4, eax
	0xa1, 0xAA, 0xAA, 0xAA, 0xAA, // 38 mov eax, [base+0x130] ; the kernel's PML4
	0x0f, 0x22, 0xd8, // 3d mov cr3, eax
	0xb9, 0x80, 0x00, 0x00, 0xc0, // 40 mov ecx, 0xc0000080 ; EFER
	0x0f, 0x32, // 45 rdmsr
	0x0d, 0x01, 0x09, 0x00, 0x00, // 47 or eax, 0x901 ; SCE, LME, NXE
	0x0f, 0x30, // 4c wrmsr
	0x0f, 0x20, 0xc0, // 4e mov eax, cr0
	0x0d, 0x22, 0x00, 0x01, 0x80, // 51 or eax, 0x80010022 ; PG, WP, NE, MP
	0x25, 0xfb, 0xff, 0xff, 0x9f, // 56 and eax, 0x9ffffffb ; clear CD, NW (caches on), EM
	0x0f, 0x22, 0xc0, // 5b mov cr0, eax ; paging on: long mode, compatibility submode
	0xea, 0xAA, 0xAA, 0xAA, 0xAA, trampolineCode64, 0x00, // 5e jmp 0x08:base+0x65
	// 64-bit long mode, on the kernel's page tables.
	0x48, 0x8b, 0x24, 0x25, 0xAA, 0xAA, 0xAA, 0xAA, // 65 mov rsp, [base+0x140]
	0x48, 0x8b, 0x3c, 0x25, 0xAA, 0xAA, 0xAA, 0xAA, // 6d mov rdi, [base+0x148]
	0x48, 0x8b, 0x34, 0x25, 0xAA, 0xAA, 0xAA, 0xAA, // 75 mov rsi, [base+0x150]
	0x48, 0x8b, 0x04, 0x25, 0xAA, 0xAA, 0xAA, 0xAA, // 7d mov rax, [base+0x138]
	0xff, 0xe0, // 85 jmp rax                 ; into kernel text
}

// The trampoline's GDT. The accessed bits are preset, so the CPU never
// writes the descriptors.
var trampolineDescriptors = [4]uint64{
	0,
	0x00af9b000000ffff, // 0x08: ring 0 code, 64-bit (L)
	0x00cf93000000ffff, // 0x10: ring 0 data, flat 4 GiB
	0x00cf9b000000ffff, // 0x18: ring 0 code, 32-bit, flat 4 GiB
}

func put16(b []byte, i int, v uint16) {
	if i < 0 || i >= len(b) {
		return
	}
	b = b[i:]
	if len(b) < 2 {
		return
	}
	b[0], b[1] = byte(v), byte(v>>8)
}

func put32(b []byte, i int, v uint32) {
	if i < 0 || i >= len(b) {
		return
	}
	b = b[i:]
	if len(b) < 4 {
		return
	}
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func put64(b []byte, i int, v uint64) {
	put32(b, i, uint32(v))
	put32(b, i+4, uint32(v>>32))
}

// WriteTrampoline writes the code, the GDT and its pseudo-descriptor into
// page (at least TrampolineSize bytes), which will be at physical address
// base: a multiple of 4 KiB below 1 MiB. It reports false otherwise.
func WriteTrampoline(page []byte, base uint32) bool {
	if len(page) < TrampolineSize || base%4096 != 0 || base >= 1<<20 || base == 0 {
		return false
	}
	for i := range page[:TrampolineSize] {
		page[i] = 0
	}
	copy(page, trampolineCode[:])
	for _, f := range trampolineFixups {
		put32(page, int(f[0]), base+uint32(f[1]))
	}
	for i, d := range trampolineDescriptors {
		put64(page, trampolineGDT+8*i, d)
	}
	put16(page, trampolineGDTR, uint16(8*len(trampolineDescriptors)-1))
	put32(page, trampolineGDTR+2, base+trampolineGDT)
	return true
}

// SetTrampolineParameters fills the per-start fields of a written
// trampoline: the page tables, where to jump in 64-bit mode, on which
// stack, with which two arguments (RDI, RSI), and clears the alive byte.
func SetTrampolineParameters(page []byte, cr3 uint32, entry, stack, arg0, arg1 uint64) {
	if len(page) < TrampolineSize {
		return
	}
	put32(page, trampolineCR3, cr3)
	put64(page, trampolineEntry, entry)
	put64(page, trampolineStack, stack)
	put64(page, trampolineArg0, arg0)
	put64(page, trampolineArg1, arg1)
	page[trampolineAlive] = 0
}

// TrampolineAlive reports whether an AP has executed the trampoline's
// first instructions since the parameters were set.
func TrampolineAlive(page []byte) bool {
	if len(page) < TrampolineSize {
		return false
	}
	return atomicLoadByte(&page[trampolineAlive]) != 0
}
