// The Multiboot2 entry: from 32-bit protected mode to 64-bit long mode.
//
// GRUB jumps to multibootEntry (the ELF entry point, see linker.ld) with the
// CPU in 32-bit protected mode, paging off, interrupts off, EAX = 0x36d76289
// (the Multiboot2 magic) and EBX = the physical address of the boot
// information. ESP is undefined. The kernel is linked in the top 2 GiB of
// the address space (KERNEL_VIRTUAL_BASE in linker.ld) but GRUB loaded it at
// its physical address and runs this code there. Long mode needs paging, so
// this code builds temporary page tables that map the first 4 GiB twice
// over: identically (where this code runs) and, for the first GiB, at
// KERNEL_VIRTUAL_BASE (where the kernel is linked); enables PAE, long mode
// (EFER.LME) and paging; loads a GDT with a 64-bit code segment and
// far-returns into it at the physical address of main.start64, which jumps
// up to the kernel's virtual addresses.
//
// The trick: Go's assembler only emits 64-bit code. The instructions below are
// chosen so that their bytes mean the same in 32-bit mode: no REX prefixes
// (only 32-bit register operations), and PUSH/POP/far-RET written as bytes.
// The assembler cannot encode an absolute address either: in 64-bit mode
// `LEAL sym(SB), AX` is RIP-relative, and in 32-bit mode the same bytes mean
// `lea eax, [disp32]` where disp32 = sym - (address after the LEAL). So the
// code learns where it runs with CALL/POP and adds. `objdump -d -m i386` on
// the built kernel shows the bytes as the CPU sees them here.
//
// Registers on the way out: ESI = Multiboot2 magic, EDI = boot information
// address (the upper halves are undefined after the mode switch; start64
// zero-extends them).

#include "textflag.h"

// A few bytes of stack for the CALL/POP pairs (ABSOLUTE) and pushes below,
// at the end of the ELF header page (physical load base 0x100000 + 0xF00). tools/buildkernel
// checks that the bytes under it are zero in the image, so nothing is lost.
#define EARLY_CALL_STACK 0x100f00

// Page-table entry bits.
#define PRESENT 0x1
#define WRITABLE 0x2
#define HUGE 0x80

// Room for the early page tables: 7 pages (PML4, PDPT, 4 page directories,
// the PDPT of the kernel's top 512 GiB) plus slack for aligning them.
GLOBL ·earlyPageTables(SB), NOPTR, $(8*4096)

// The early GDT: null, 0x08 = 64-bit kernel code, 0x10 = kernel data.
// Descriptors must be writable: the CPU sets their accessed bit.
DATA ·earlyGDT+0(SB)/8, $0
DATA ·earlyGDT+8(SB)/8, $0x00af9a000000ffff
DATA ·earlyGDT+16(SB)/8, $0x00cf92000000ffff
GLOBL ·earlyGDT(SB), NOPTR, $24

// The GDT pseudo-descriptor for LGDT: 16-bit limit, then the base.
GLOBL ·earlyGDTPointer(SB), NOPTR, $16

// ABSOLUTE(sym, reg) puts the address of sym as loaded (its physical
// address: this code runs where GRUB put it) into reg, using the early call
// stack. The CALL pushes the address of the POP; the POP (1 byte)
// and the LEAL (6 bytes, no REX prefix for AX..DI) put the end of the LEAL
// 7 bytes after that address. Clobbers BX.
#define ABSOLUTE(sym, reg) BYTE $0xe8; LONG $0; BYTE $0x5b; LEAL sym(SB), reg; ADDL BX, reg; ADDL $7, reg

TEXT ·multibootEntry(SB),NOSPLIT|NOFRAME,$0
	CLI
	MOVL AX, SI                     // keep the Multiboot2 magic
	MOVL BX, DI                     // and the boot information address
	MOVL $EARLY_CALL_STACK, SP

	// Align the page-table area up to 4 KiB and clear the 6 pages used.
	ABSOLUTE(·earlyPageTables, DX)
	ADDL $4095, DX
	ANDL $~4095, DX                 // DX = PML4
	BYTE $0x57                      // push edi: REP STOSL and the loop below use DI
	MOVL DX, DI
	MOVL $(7*4096/4), CX
	XORL AX, AX
	CLD
	REP; STOSL

	// PML4[0] -> PDPT (PML4 + 4 KiB).
	LEAL (4096+PRESENT+WRITABLE)(DX), AX
	MOVL AX, 0(DX)
	// PDPT[0..3] -> the four page directories after it.
	LEAL (2*4096+PRESENT+WRITABLE)(DX), AX
	MOVL AX, 4096(DX)
	ADDL $4096, AX
	MOVL AX, (4096+8)(DX)
	ADDL $4096, AX
	MOVL AX, (4096+16)(DX)
	ADDL $4096, AX
	MOVL AX, (4096+24)(DX)
	// PML4[511] -> the high PDPT (page 6), whose entry 510 -> the first
	// page directory: KERNEL_VIRTUAL_BASE (0xffffffff80000000) maps
	// physical 0-1 GiB.
	LEAL (6*4096+PRESENT+WRITABLE)(DX), AX
	MOVL AX, (511*8)(DX)
	LEAL (2*4096+PRESENT+WRITABLE)(DX), AX
	MOVL AX, (6*4096+510*8)(DX)
	// 2048 page-directory entries: entry i maps the 2 MiB at i * 2 MiB.
	LEAL (2*4096)(DX), DI
	MOVL $(PRESENT+WRITABLE+HUGE), AX
	MOVL $2048, CX
fillDirectories:
	MOVL AX, 0(DI)
	ADDL $0x200000, AX
	ADDL $8, DI
	DECL CX
	JNE  fillDirectories
	BYTE $0x5f                      // pop edi: the boot information address

	// CR4: PAE (bit 5), PGE (7), OSFXSR (9), OSXMMEXCPT (10). Long mode
	// needs PAE; Go code uses SSE from its first instruction, which needs
	// the two OS-support bits.
	MOVL CR4, AX
	ORL  $((1<<5)|(1<<7)|(1<<9)|(1<<10)), AX
	MOVL AX, CR4
	MOVL DX, CR3
	// EFER (MSR 0xC0000080): SCE (bit 0: SYSCALL), LME (8: long mode),
	// NXE (11: the no-execute page bit).
	MOVL $0xc0000080, CX
	RDMSR
	ORL  $((1<<0)|(1<<8)|(1<<11)), AX
	WRMSR
	// CR0: PG (31) activates long mode; WP (16) makes read-only pages
	// read-only for the kernel too; MP (1) set and EM (2) clear for SSE.
	MOVL CR0, AX
	ORL  $((1<<31)|(1<<16)|(1<<1)), AX
	ANDL $~(1<<2), AX
	MOVL AX, CR0

	// Now in compatibility mode: load the GDT (pseudo-descriptor: 16-bit
	// limit, 32-bit base) and far-return into its 64-bit code segment.
	ABSOLUTE(·earlyGDT, CX)
	ABSOLUTE(·earlyGDTPointer, DX)
	MOVW $23, 0(DX)
	MOVL CX, 2(DX)
	LGDT 0(DX)
	ABSOLUTE(main·start64, AX)
	BYTE $0x6a; BYTE $0x08          // push 0x08: the 64-bit code selector
	BYTE $0x50                      // push eax: the target
	BYTE $0xcb                      // far return: pops EIP, then CS
