package multiboot2

// This file decodes the individual boot information tags. It is restricted
// Go: see the package comment. Every decoder receives the whole tag (its
// 8-byte type and size header included, its padding excluded) and the tag's
// offset in the boot information, checks the tag is long enough for the
// fields it reads, and records problems with i.report.

// decodeTag dispatches one tag to its decoder. len(tag) >= 8.
func (i *Info) decodeTag(tagType TagType, tag []byte, offset int) {
	switch tagType {
	case TagCommandLine:
		i.CommandLineSpan, i.HasCommandLine = i.decodeString(tagType, tag, offset, i.HasCommandLine)
	case TagBootLoaderName:
		i.BootLoaderNameSpan, i.HasBootLoaderName = i.decodeString(tagType, tag, offset, i.HasBootLoaderName)
	case TagModule:
		i.decodeModule(tag, offset)
	case TagBasicMemory:
		i.decodeBasicMemory(tag, offset)
	case TagBIOSBootDevice:
		i.decodeBIOSBootDevice(tag, offset)
	case TagMemoryMap:
		i.decodeMemoryMap(tag, offset)
	case TagFramebuffer:
		i.decodeFramebuffer(tag, offset)
	case TagELFSections:
		i.decodeELFSections(tag, offset)
	case TagEFI64SystemTable:
		i.decodeEFI64SystemTable(tag, offset)
	case TagACPIOldRSDP:
		// The ACPI 1.0 RSDP is 20 bytes.
		i.ACPIOldRSDP, i.HasACPIOldRSDP = i.decodeBlob(tagType, tag, offset, 20, i.HasACPIOldRSDP)
	case TagACPINewRSDP:
		// The ACPI 2.0 RSDP (XSDP) is 36 bytes.
		i.ACPINewRSDP, i.HasACPINewRSDP = i.decodeBlob(tagType, tag, offset, 36, i.HasACPINewRSDP)
	case TagEFIBootServicesNotTerminated:
		// The tag has no payload: its presence is the message.
		i.EFIBootServicesNotTerminated = true
	case TagImageLoadBase:
		i.decodeImageLoadBase(tag, offset)
	default:
		i.UnknownTags++
	}
}

// decodeString decodes a tag whose payload is a NUL-terminated string
// (command line, boot loader name). seen says whether a tag of this type
// was already decoded. It returns the string's span and whether it is valid.
func (i *Info) decodeString(tagType TagType, tag []byte, offset int, seen bool) (Span, bool) {
	if seen {
		i.report(StatusDuplicateTag, tagType, offset)
	}
	if len(tag) < 8 {
		return Span{}, false
	}
	length, ok := stringLength(tag[8:])
	if !ok {
		i.report(StatusStringNotTerminated, tagType, offset)
		return Span{}, false
	}
	return Span{Offset: uint32(offset + 8), Length: uint32(length)}, true
}

// decodeBlob decodes a tag whose payload is an opaque copy of a firmware
// structure at least minimum bytes long (the ACPI RSDP tags). It returns
// the payload's span and whether it is valid.
func (i *Info) decodeBlob(tagType TagType, tag []byte, offset int, minimum int, seen bool) (Span, bool) {
	if seen {
		i.report(StatusDuplicateTag, tagType, offset)
	}
	if len(tag) < 8+minimum {
		i.report(StatusTagTooShortForType, tagType, offset)
		return Span{}, false
	}
	return Span{Offset: uint32(offset + 8), Length: uint32(len(tag) - 8)}, true
}

// decodeModule decodes a module tag:
//
//	offset  8: mod_start u32   physical address of the first byte
//	offset 12: mod_end   u32   physical address one past the last byte
//	offset 16: string          NUL-terminated module command line
func (i *Info) decodeModule(tag []byte, offset int) {
	if len(tag) < 16 {
		i.report(StatusTagTooShortForType, TagModule, offset)
		return
	}
	module := Module{Start: le32(tag[8:]), End: le32(tag[12:])}
	if module.End < module.Start {
		i.report(StatusBadModule, TagModule, offset)
		return
	}
	if length, ok := stringLength(tag[16:]); ok {
		module.Name = Span{Offset: uint32(offset + 16), Length: uint32(length)}
	} else {
		// Keep the module: its bytes are valid even if its name is not.
		i.report(StatusStringNotTerminated, TagModule, offset)
	}
	index := i.ModuleCount
	if index < 0 || index >= len(i.Modules) {
		if i.ModulesDropped == 0 {
			i.report(StatusTooManyModules, TagModule, offset)
		}
		i.ModulesDropped++
		return
	}
	i.Modules[index] = module
	i.ModuleCount++
}

// decodeBasicMemory decodes a basic memory information tag:
//
//	offset  8: mem_lower u32   KiB
//	offset 12: mem_upper u32   KiB
func (i *Info) decodeBasicMemory(tag []byte, offset int) {
	if len(tag) < 16 {
		i.report(StatusTagTooShortForType, TagBasicMemory, offset)
		return
	}
	if i.HasBasicMemory {
		i.report(StatusDuplicateTag, TagBasicMemory, offset)
	}
	i.BasicMemory = BasicMemory{LowerKiB: le32(tag[8:]), UpperKiB: le32(tag[12:])}
	i.HasBasicMemory = true
}

// decodeBIOSBootDevice decodes a BIOS boot device tag:
//
//	offset  8: biosdev       u32
//	offset 12: partition     u32
//	offset 16: sub_partition u32
func (i *Info) decodeBIOSBootDevice(tag []byte, offset int) {
	if len(tag) < 20 {
		i.report(StatusTagTooShortForType, TagBIOSBootDevice, offset)
		return
	}
	if i.HasBIOSBootDevice {
		i.report(StatusDuplicateTag, TagBIOSBootDevice, offset)
	}
	i.BIOSBootDevice = BIOSBootDevice{
		Drive:        le32(tag[8:]),
		Partition:    le32(tag[12:]),
		SubPartition: le32(tag[16:]),
	}
	i.HasBIOSBootDevice = true
}

// decodeMemoryMap decodes a memory map tag:
//
//	offset  8: entry_size    u32   bytes per entry, at least 24
//	offset 12: entry_version u32   0 so far
//	offset 16: entries, each:
//	           +0 base_addr u64
//	           +8 length    u64
//	          +16 type      u32
//	          +20 reserved  u32
//	          +24 any fields a later version adds, skipped
//
// A later memory map tag replaces an earlier one.
func (i *Info) decodeMemoryMap(tag []byte, offset int) {
	if len(tag) < 16 {
		i.report(StatusTagTooShortForType, TagMemoryMap, offset)
		return
	}
	entrySize := int(le32(tag[8:]))
	if entrySize < 24 {
		i.report(StatusBadMemoryMapEntrySize, TagMemoryMap, offset)
		return
	}
	if i.HasMemoryMap {
		i.report(StatusDuplicateTag, TagMemoryMap, offset)
	}
	i.HasMemoryMap = true
	i.MemoryMapEntryVersion = le32(tag[12:])
	i.MemoryMapCount = 0
	i.MemoryMapDropped = 0

	entries := tag[16:]
	if len(entries)%entrySize != 0 {
		i.report(StatusMemoryMapNotDivisible, TagMemoryMap, offset)
	}
	for len(entries) >= entrySize {
		entry := entries[:entrySize]
		entries = entries[entrySize:]
		index := i.MemoryMapCount
		if index < 0 || index >= len(i.MemoryMap) {
			if i.MemoryMapDropped == 0 {
				i.report(StatusTooManyMemoryMapEntries, TagMemoryMap, offset)
			}
			i.MemoryMapDropped++
			continue
		}
		i.MemoryMap[index] = MemoryMapEntry{
			Base:   le64(entry),
			Length: le64(entry[8:]),
			Type:   le32(entry[16:]),
		}
		i.MemoryMapCount++
	}
}

// decodeFramebuffer decodes a framebuffer information tag:
//
//	offset  8: framebuffer_addr   u64
//	offset 16: framebuffer_pitch  u32
//	offset 20: framebuffer_width  u32
//	offset 24: framebuffer_height u32
//	offset 28: framebuffer_bpp    u8
//	offset 29: framebuffer_type   u8
//	offset 30: reserved           u16
//	offset 32: colour information, depending on framebuffer_type:
//	    indexed (0): num_colors u16, then num_colors {red, green, blue u8}
//	    RGB (1):     red position u8, red mask size u8, then the same
//	                 two bytes for green and for blue
//	    EGA text (2): nothing
//
// (The specification text gives reserved as one byte, but GRUB writes two,
// which also keeps the colour information 4-aligned; this follows GRUB.)
// When the colour information is missing or malformed, the common fields
// are still recorded.
func (i *Info) decodeFramebuffer(tag []byte, offset int) {
	if len(tag) < 30 {
		i.report(StatusTagTooShortForType, TagFramebuffer, offset)
		return
	}
	if i.HasFramebuffer {
		i.report(StatusDuplicateTag, TagFramebuffer, offset)
	}
	i.HasFramebuffer = true
	i.Framebuffer = Framebuffer{
		Address:      le64(tag[8:]),
		Pitch:        le32(tag[16:]),
		Width:        le32(tag[20:]),
		Height:       le32(tag[24:]),
		BitsPerPixel: tag[28],
		Type:         tag[29],
	}
	framebuffer := &i.Framebuffer
	switch framebuffer.Type {
	case FramebufferIndexed:
		if len(tag) < 34 {
			i.report(StatusBadFramebuffer, TagFramebuffer, offset)
			return
		}
		colors := int(le16(tag[32:]))
		if 3*colors > len(tag)-34 {
			i.report(StatusBadFramebuffer, TagFramebuffer, offset)
			return
		}
		framebuffer.PaletteColors = uint16(colors)
		framebuffer.Palette = Span{Offset: uint32(offset + 34), Length: uint32(3 * colors)}
	case FramebufferRGB:
		if len(tag) < 38 {
			i.report(StatusBadFramebuffer, TagFramebuffer, offset)
			return
		}
		framebuffer.RedPosition = tag[32]
		framebuffer.RedSize = tag[33]
		framebuffer.GreenPosition = tag[34]
		framebuffer.GreenSize = tag[35]
		framebuffer.BluePosition = tag[36]
		framebuffer.BlueSize = tag[37]
	case FramebufferEGAText:
	default:
		i.report(StatusBadFramebuffer, TagFramebuffer, offset)
	}
}

// decodeELFSections decodes an ELF sections tag, GRUB's copy of the
// kernel's section header table:
//
//	offset  8: num     u32   number of section headers
//	offset 12: entsize u32   bytes per section header
//	offset 16: shndx   u32   index of the section-name string table
//	offset 20: the section headers
func (i *Info) decodeELFSections(tag []byte, offset int) {
	if len(tag) < 20 {
		i.report(StatusTagTooShortForType, TagELFSections, offset)
		return
	}
	count := le32(tag[8:])
	entrySize := le32(tag[12:])
	length := uint64(count) * uint64(entrySize)
	if length > uint64(len(tag)-20) {
		i.report(StatusBadELFSections, TagELFSections, offset)
		return
	}
	if i.HasELFSections {
		i.report(StatusDuplicateTag, TagELFSections, offset)
	}
	i.HasELFSections = true
	i.ELFSections = ELFSections{
		Count:            count,
		EntrySize:        entrySize,
		StringTableIndex: le32(tag[16:]),
		Headers:          Span{Offset: uint32(offset + 20), Length: uint32(length)},
	}
}

// decodeEFI64SystemTable decodes the EFI 64-bit system table tag:
//
//	offset 8: pointer u64   physical address of the EFI system table
func (i *Info) decodeEFI64SystemTable(tag []byte, offset int) {
	if len(tag) < 16 {
		i.report(StatusTagTooShortForType, TagEFI64SystemTable, offset)
		return
	}
	if i.HasEFI64SystemTable {
		i.report(StatusDuplicateTag, TagEFI64SystemTable, offset)
	}
	i.EFI64SystemTable = le64(tag[8:])
	i.HasEFI64SystemTable = true
}

// decodeImageLoadBase decodes the image load base tag, present when GRUB
// relocated the kernel image:
//
//	offset 8: load_base_addr u32   physical address the image starts at
func (i *Info) decodeImageLoadBase(tag []byte, offset int) {
	if len(tag) < 12 {
		i.report(StatusTagTooShortForType, TagImageLoadBase, offset)
		return
	}
	if i.HasImageLoadBase {
		i.report(StatusDuplicateTag, TagImageLoadBase, offset)
	}
	i.ImageLoadBase = le32(tag[8:])
	i.HasImageLoadBase = true
}
