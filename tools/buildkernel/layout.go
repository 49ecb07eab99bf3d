package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
)

// Layout is what linker.ld says about the kernel image. See linker.ld for the
// meaning of each field.
type Layout struct {
	Entry                  string // symbol GRUB jumps to, in 32-bit protected mode
	LoadBase               uint64 // address of the ELF header page
	TextAddress            uint64 // address of .text, passed to the linker's -T
	Multiboot2HeaderOffset uint64 // file offset of the Multiboot2 header
	KernelInfoOffset       uint64 // file offset of the kernel information block
	VirtualBase            uint64 // virtual address of physical address 0 for the image
}

var (
	entryPattern       = regexp.MustCompile(`(?m)^\s*ENTRY\(\s*"?([^")\s]+)"?\s*\)`)
	loadBasePattern    = regexp.MustCompile(`(?m)^\s*\.\s*=\s*(0x[0-9A-Fa-f]+)\s*;`)
	textPattern        = regexp.MustCompile(`(?m)^\s*\.text\s+(0x[0-9A-Fa-f]+)\s*:`)
	headerPattern      = regexp.MustCompile(`(?m)^\s*MULTIBOOT2_HEADER_OFFSET\s*=\s*(0x[0-9A-Fa-f]+)\s*;`)
	kernelInfoPattern  = regexp.MustCompile(`(?m)^\s*KERNEL_INFO_OFFSET\s*=\s*(0x[0-9A-Fa-f]+)\s*;`)
	virtualBasePattern = regexp.MustCompile(`(?m)^\s*KERNEL_VIRTUAL_BASE\s*=\s*(0x[0-9A-Fa-f]+)\s*;`)
)

// ReadLayout parses the linker script at path.
func ReadLayout(path string) (Layout, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return Layout{}, err
	}
	return ParseLayout(string(text))
}

// ParseLayout extracts the layout from the text of a linker script. Every
// value must be present exactly once; a missing one is an error naming it.
func ParseLayout(script string) (Layout, error) {
	var layout Layout
	m := entryPattern.FindAllStringSubmatch(script, -1)
	if len(m) != 1 {
		return layout, fmt.Errorf("linker.ld: want exactly one ENTRY(...) line, found %d", len(m))
	}
	layout.Entry = m[0][1]
	numbers := []struct {
		name    string
		pattern *regexp.Regexp
		into    *uint64
	}{
		{"the load base (`. = 0x...;`)", loadBasePattern, &layout.LoadBase},
		{"the .text address (`.text 0x... :`)", textPattern, &layout.TextAddress},
		{"MULTIBOOT2_HEADER_OFFSET", headerPattern, &layout.Multiboot2HeaderOffset},
		{"KERNEL_INFO_OFFSET", kernelInfoPattern, &layout.KernelInfoOffset},
		{"KERNEL_VIRTUAL_BASE", virtualBasePattern, &layout.VirtualBase},
	}
	for _, n := range numbers {
		m := n.pattern.FindAllStringSubmatch(script, -1)
		if len(m) != 1 {
			return layout, fmt.Errorf("linker.ld: want exactly one line giving %s, found %d", n.name, len(m))
		}
		v, err := strconv.ParseUint(m[0][1], 0, 64)
		if err != nil {
			return layout, fmt.Errorf("linker.ld: %s: %v", n.name, err)
		}
		*n.into = v
	}
	if layout.TextAddress != layout.LoadBase+0x1000 {
		return layout, fmt.Errorf("linker.ld: .text (%#x) must be one page above the load base (%#x): Go's linker puts the ELF header page just below -T", layout.TextAddress, layout.LoadBase)
	}
	if layout.LoadBase < layout.VirtualBase || layout.LoadBase-layout.VirtualBase >= 1<<30 {
		return layout, fmt.Errorf("linker.ld: the load base %#x must lie in the first GiB above KERNEL_VIRTUAL_BASE %#x (the boot page tables map 1 GiB there)", layout.LoadBase, layout.VirtualBase)
	}
	for _, off := range []uint64{layout.Multiboot2HeaderOffset, layout.KernelInfoOffset} {
		if off%8 != 0 || off < 0x200 || off >= 0x1000 {
			return layout, fmt.Errorf("linker.ld: header offsets must be 8-aligned and inside the ELF header page after the program headers (0x200..0xfff), got %#x", off)
		}
	}
	return layout, nil
}
