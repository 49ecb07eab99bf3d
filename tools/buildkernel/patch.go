package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"

	"exogo/boot/kernelinfo"
	"exogo/boot/multiboot2"
)

// Header is the Multiboot2 header the kernel carries. It asks GRUB for the
// memory map, the command line, modules and the ACPI tables, says the kernel
// drives EGA text, and asks for page-aligned modules. It deliberately has no
// framebuffer tag: with one (even optional) GRUB 2.06 sets a graphics mode
// under BIOS too, while without it GRUB leaves BIOS machines in EGA text mode
// and still passes the firmware's framebuffer under UEFI, where text mode
// does not exist. The kernel's console drives both.
func Header() []byte {
	options := multiboot2.DefaultHeaderOptions()
	options.Framebuffer = false
	return multiboot2.BuildHeader(options)
}

// Patch writes the Multiboot2 header and the kernel information block into
// the ELF header page of the kernel at path. It refuses to overwrite anything
// that is not zero, so a linker change that fills the page is caught here
// rather than as a kernel that GRUB cannot load.
func Patch(path string, layout Layout) error {
	image, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	file, err := elf.NewFile(bytes.NewReader(image))
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	info, err := kernelInformation(file)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if err := writeZeroRegion(image, layout.Multiboot2HeaderOffset, Header(), "Multiboot2 header"); err != nil {
		return err
	}
	if err := writeZeroRegion(image, layout.KernelInfoOffset, info.Encode(), "kernel information block"); err != nil {
		return err
	}
	if err := setPhysicalAddresses(image, file, layout.VirtualBase); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return os.WriteFile(path, image, 0o755)
}

// setPhysicalAddresses writes p_paddr = p_vaddr - base in every program
// header: GRUB loads each segment at p_paddr (and enters at e_entry
// translated the same way), while the kernel runs at p_vaddr once its
// page tables map the image there.
func setPhysicalAddresses(image []byte, file *elf.File, base uint64) error {
	phoff := binary.LittleEndian.Uint64(image[0x20:])
	entrySize := uint64(binary.LittleEndian.Uint16(image[0x36:]))
	count := uint64(binary.LittleEndian.Uint16(image[0x38:]))
	if entrySize < 56 || phoff+entrySize*count > uint64(len(image)) {
		return fmt.Errorf("program headers out of the file")
	}
	for i := uint64(0); i < count; i++ {
		header := image[phoff+i*entrySize:]
		vaddr := binary.LittleEndian.Uint64(header[16:])
		if binary.LittleEndian.Uint32(header) == uint32(elf.PT_LOAD) && vaddr < base {
			return fmt.Errorf("segment at %#x is below KERNEL_VIRTUAL_BASE %#x", vaddr, base)
		}
		if vaddr >= base {
			binary.LittleEndian.PutUint64(header[24:], vaddr-base)
		}
	}
	return nil
}

func writeZeroRegion(image []byte, offset uint64, data []byte, what string) error {
	end := offset + uint64(len(data))
	if end > 0x1000 || end > uint64(len(image)) {
		return fmt.Errorf("the %s (%d bytes at %#x) does not fit in the ELF header page", what, len(data), offset)
	}
	region := image[offset:end]
	if !bytes.Equal(region, make([]byte, len(region))) && !bytes.Equal(region, data) {
		return fmt.Errorf("the ELF header page is not zero at %#x..%#x where the %s goes: has Go's linker changed its layout? See docs/boot.md", offset, end, what)
	}
	copy(region, data)
	return nil
}

// kernelInformation collects the kernel information block from the linked
// ELF's sections and symbols.
func kernelInformation(file *elf.File) (kernelinfo.Block, error) {
	block := kernelinfo.Block{Magic: kernelinfo.Magic, Version: kernelinfo.Version}
	pclntab := file.Section(".gopclntab")
	if pclntab == nil {
		return block, fmt.Errorf("no .gopclntab section")
	}
	block.PclntabAddress, block.PclntabSize = pclntab.Addr, pclntab.Size
	symbols, err := file.Symbols()
	if err != nil {
		return block, fmt.Errorf("reading symbols: %v", err)
	}
	want := map[string]*uint64{"runtime.text": &block.TextStart, "runtime.etext": &block.TextEnd, "runtime.end": &block.ImageEnd}
	for _, s := range symbols {
		if into, ok := want[s.Name]; ok {
			*into = s.Value
			delete(want, s.Name)
		}
	}
	for name := range want {
		return block, fmt.Errorf("symbol %s is missing", name)
	}
	return block, nil
}

// KernelImageLimit bounds the image: the 32-bit entry code maps the first
// GiB of physical memory at KERNEL_VIRTUAL_BASE.
const KernelImageLimit = 1 << 30

// The scratch stack of the 32-bit entry code, as file offsets in the ELF
// header page (EARLY_CALL_STACK in arch/amd64/boot32_amd64.s is load base +
// EarlyCallStackTop).
const (
	EarlyCallStackBottom = 0xe00
	EarlyCallStackTop    = 0xf00
)

// Check verifies the built kernel against the layout: what GRUB needs
// (a valid Multiboot2 header 8-aligned in the first 32 KiB), and what
// linker.ld promises (entry symbol and address, load base, text address).
func Check(path string, layout Layout) error {
	image, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	file, err := elf.NewFile(bytes.NewReader(image))
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	limit := min(len(image), 32*1024)
	offset, ok := multiboot2.FindHeader(image[:limit])
	if !ok {
		return fmt.Errorf("%s: no valid Multiboot2 header (magic 0xE85250D6, 8-aligned, valid checksum) in the first 32 KiB: GRUB would refuse it", path)
	}
	if uint64(offset) != layout.Multiboot2HeaderOffset {
		return fmt.Errorf("%s: Multiboot2 header at %#x, linker.ld says %#x", path, offset, layout.Multiboot2HeaderOffset)
	}
	if err := multiboot2.ValidateHeader(image[offset:limit]); err != nil {
		return fmt.Errorf("%s: Multiboot2 header: %v", path, err)
	}
	// The 32-bit entry code (arch/amd64/boot32_amd64.s) uses the bytes
	// below EarlyCallStack as its first stack: they must hold nothing.
	if !bytes.Equal(image[EarlyCallStackBottom:EarlyCallStackTop], make([]byte, EarlyCallStackTop-EarlyCallStackBottom)) {
		return fmt.Errorf("%s: the early call stack area %#x..%#x of the ELF header page is not zero", path, EarlyCallStackBottom, EarlyCallStackTop)
	}
	info, ok := kernelinfo.Decode(image[layout.KernelInfoOffset:])
	if !ok {
		return fmt.Errorf("%s: no kernel information block at %#x", path, layout.KernelInfoOffset)
	}
	// The boot page tables map the first GiB above KERNEL_VIRTUAL_BASE:
	// the whole image must lie there.
	if info.ImageEnd-layout.VirtualBase > KernelImageLimit {
		return fmt.Errorf("%s: the kernel image ends at %#x, more than %#x above KERNEL_VIRTUAL_BASE: the boot page tables do not map it", path, info.ImageEnd, uint64(KernelImageLimit))
	}
	if file.Machine != elf.EM_X86_64 || file.Class != elf.ELFCLASS64 {
		return fmt.Errorf("%s: not an x86-64 ELF64", path)
	}
	var first *elf.Prog
	for _, p := range file.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		if p.Paddr != p.Vaddr-layout.VirtualBase {
			return fmt.Errorf("%s: segment at %#x has p_paddr %#x, want p_vaddr - KERNEL_VIRTUAL_BASE", path, p.Vaddr, p.Paddr)
		}
		if first == nil {
			first = p
		}
	}
	if first == nil || first.Off != 0 || first.Vaddr != layout.LoadBase {
		return fmt.Errorf("%s: the first loadable segment must start at file offset 0 (the header page) and address %#x", path, layout.LoadBase)
	}
	if first.Flags&elf.PF_X == 0 {
		return fmt.Errorf("%s: the first loadable segment is not the text segment", path)
	}
	text := file.Section(".text")
	if text == nil || text.Addr != layout.TextAddress {
		return fmt.Errorf("%s: .text is not at %#x as linker.ld says", path, layout.TextAddress)
	}
	symbols, err := file.Symbols()
	if err != nil {
		return err
	}
	for _, s := range symbols {
		if s.Name == layout.Entry {
			if s.Value != file.Entry {
				return fmt.Errorf("%s: entry point %#x is not %s (%#x)", path, file.Entry, layout.Entry, s.Value)
			}
			// GRUB enters in 32-bit mode with paging off, at the entry's
			// physical address: it must be below 4 GiB and inside the
			// text segment.
			if file.Entry-layout.VirtualBase >= 1<<32 || file.Entry < first.Vaddr || file.Entry >= first.Vaddr+first.Memsz {
				return fmt.Errorf("%s: entry point %#x is not reachable from 32-bit mode inside the text segment", path, file.Entry)
			}
			return nil
		}
	}
	return fmt.Errorf("%s: entry symbol %s not found", path, layout.Entry)
}
