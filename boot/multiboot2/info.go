package multiboot2

// This file defines the decoded form of the Multiboot2 boot information.
//
// Everything here is a plain value: integers and fixed-size arrays, no
// slices, strings or pointers. The kernel keeps an Info in a global variable
// before the Go runtime (and its garbage collector) exists, so Info must not
// contain anything the collector would need to trace. Strings and byte blobs
// inside the boot information are recorded as a Span (an offset and a length
// into the boot information bytes) and read back with the Info methods, which
// take the same byte slice that was given to Parse.

// BootloaderMagic is the value GRUB leaves in EAX when it enters a
// Multiboot2 kernel; EBX then holds the physical address of the boot
// information.
const BootloaderMagic = 0x36D76289

// Limits on how much of the boot information Info can hold. Anything beyond
// them is dropped and counted.
const (
	// MaxModules is the number of boot modules Info records.
	MaxModules = 16
	// MaxMemoryMapEntries is the number of memory map entries Info records.
	MaxMemoryMapEntries = 256
	// MaxProblems is the number of problems Info records in detail; the
	// rest are only counted.
	MaxProblems = 8
)

// TagType identifies a boot information tag.
type TagType uint32

// Boot information tag types decoded by Parse. Types not listed here are
// skipped and counted in Info.UnknownTags.
const (
	TagEnd                          TagType = 0
	TagCommandLine                  TagType = 1
	TagBootLoaderName               TagType = 2
	TagModule                       TagType = 3
	TagBasicMemory                  TagType = 4
	TagBIOSBootDevice               TagType = 5
	TagMemoryMap                    TagType = 6
	TagFramebuffer                  TagType = 8
	TagELFSections                  TagType = 9
	TagEFI64SystemTable             TagType = 12
	TagACPIOldRSDP                  TagType = 14
	TagACPINewRSDP                  TagType = 15
	TagEFIBootServicesNotTerminated TagType = 18
	TagImageLoadBase                TagType = 21
)

// Memory map entry types, as the firmware reports them.
const (
	MemoryAvailable       = 1
	MemoryReserved        = 2
	MemoryACPIReclaimable = 3
	MemoryNVS             = 4
	MemoryBad             = 5
)

// Framebuffer types.
const (
	FramebufferIndexed = 0
	FramebufferRGB     = 1
	FramebufferEGAText = 2
)

// Span locates a byte range inside the boot information: Offset is counted
// from the first byte of the boot information (the total_size field).
type Span struct {
	Offset uint32
	Length uint32
}

// Module is one boot module: a file GRUB loaded into memory next to the
// kernel. Start and End are physical addresses, End exclusive. Name is the
// module's command line (without its NUL), which may be empty.
type Module struct {
	Start uint32
	End   uint32
	Name  Span
}

// MemoryMapEntry is one entry of the firmware memory map: Length bytes of
// physical memory starting at Base, of the given Type (MemoryAvailable,
// MemoryReserved, ...). Entries may overlap and come in any order; see
// SanitizeMemoryMap.
type MemoryMapEntry struct {
	Base   uint64
	Length uint64
	Type   uint32
}

// BasicMemory is the legacy memory size report: KiB of memory below 1 MiB
// (LowerKiB, at most 640) and KiB from 1 MiB to the first hole (UpperKiB).
type BasicMemory struct {
	LowerKiB uint32
	UpperKiB uint32
}

// BIOSBootDevice says which BIOS disk and partition the image was loaded
// from. 0xFFFFFFFF in a partition field means "none".
type BIOSBootDevice struct {
	Drive        uint32
	Partition    uint32
	SubPartition uint32
}

// Framebuffer describes the video mode GRUB set up. Address is physical;
// Pitch is the number of bytes per line; for FramebufferEGAText, Width and
// Height count characters, otherwise pixels. The RGB fields are meaningful
// for FramebufferRGB only; Palette (a Span of PaletteColors three-byte
// red/green/blue entries) for FramebufferIndexed only.
type Framebuffer struct {
	Address       uint64
	Pitch         uint32
	Width         uint32
	Height        uint32
	BitsPerPixel  uint8
	Type          uint8
	RedPosition   uint8
	RedSize       uint8
	GreenPosition uint8
	GreenSize     uint8
	BluePosition  uint8
	BlueSize      uint8
	PaletteColors uint16
	Palette       Span
}

// ELFSections locates the kernel's ELF section header table, which GRUB
// copies into the boot information: Count headers of EntrySize bytes each,
// the section-name string table being header number StringTableIndex.
type ELFSections struct {
	Count            uint32
	EntrySize        uint32
	StringTableIndex uint32
	Headers          Span
}

// Problem records one thing Parse found wrong: what (Status), in which tag
// (Tag, meaningful only for tag-level problems) and where (Offset of the tag
// or field in the boot information).
type Problem struct {
	Status ParseStatus
	Tag    TagType
	Offset uint32
}

// Info is the decoded boot information. Each HasX flag says whether the
// corresponding tag was present and valid; the fields it guards are zero
// otherwise.
type Info struct {
	// TotalSize is the boot information's own total_size field.
	TotalSize uint32

	HasCommandLine  bool
	CommandLineSpan Span

	HasBootLoaderName  bool
	BootLoaderNameSpan Span

	// Modules[:ModuleCount] are the valid modules in tag order;
	// ModulesDropped counts modules beyond MaxModules.
	Modules        [MaxModules]Module
	ModuleCount    int
	ModulesDropped int

	HasBasicMemory bool
	BasicMemory    BasicMemory

	HasBIOSBootDevice bool
	BIOSBootDevice    BIOSBootDevice

	// MemoryMap[:MemoryMapCount] are the memory map entries in the order
	// the firmware gave them; MemoryMapDropped counts entries beyond
	// MaxMemoryMapEntries.
	HasMemoryMap          bool
	MemoryMapEntryVersion uint32
	MemoryMap             [MaxMemoryMapEntries]MemoryMapEntry
	MemoryMapCount        int
	MemoryMapDropped      int

	HasFramebuffer bool
	Framebuffer    Framebuffer

	HasELFSections bool
	ELFSections    ELFSections

	HasEFI64SystemTable bool
	EFI64SystemTable    uint64

	// ACPIOldRSDP and ACPINewRSDP locate GRUB's copies of the ACPI 1.0
	// RSDP and the ACPI 2.0+ RSDP/XSDP inside the boot information; see
	// the RSDP method.
	HasACPIOldRSDP bool
	ACPIOldRSDP    Span
	HasACPINewRSDP bool
	ACPINewRSDP    Span

	// EFIBootServicesNotTerminated is set when GRUB left the UEFI boot
	// services running (the kernel asked for it and must call
	// ExitBootServices itself).
	EFIBootServicesNotTerminated bool

	HasImageLoadBase bool
	ImageLoadBase    uint32

	// UnknownTags counts tags of types this package does not decode.
	UnknownTags int

	// Problems[:min(ProblemCount, MaxProblems)] are the first problems
	// found, in the order found; ProblemCount counts them all.
	Problems     [MaxProblems]Problem
	ProblemCount int
}

// Bytes returns info[s.Offset : s.Offset+s.Length], or nil when the span
// does not lie inside info. info must be the slice that was passed to Parse;
// the result aliases it.
func (s Span) Bytes(info []byte) []byte {
	start := uint64(s.Offset)
	end := start + uint64(s.Length)
	if end > uint64(len(info)) {
		return nil
	}
	return info[start:end]
}

// CommandLine returns the kernel command line (without its terminating NUL)
// as a sub-slice of info, or nil if there was none. info must be the slice
// passed to Parse.
func (i *Info) CommandLine(info []byte) []byte {
	if !i.HasCommandLine {
		return nil
	}
	return i.CommandLineSpan.Bytes(info)
}

// BootLoaderName returns the boot loader's name (without its terminating
// NUL) as a sub-slice of info, or nil if there was none. info must be the
// slice passed to Parse.
func (i *Info) BootLoaderName(info []byte) []byte {
	if !i.HasBootLoaderName {
		return nil
	}
	return i.BootLoaderNameSpan.Bytes(info)
}

// ModuleName returns the command line of module number index (without its
// terminating NUL) as a sub-slice of info, or nil if index is out of range.
// info must be the slice passed to Parse.
func (i *Info) ModuleName(info []byte, index int) []byte {
	if index < 0 || index >= i.ModuleCount || index >= len(i.Modules) {
		return nil
	}
	return i.Modules[index].Name.Bytes(info)
}

// MemoryMapEntries returns the recorded memory map entries, a sub-slice of
// i.MemoryMap.
func (i *Info) MemoryMapEntries() []MemoryMapEntry {
	count := i.MemoryMapCount
	if count < 0 {
		count = 0
	}
	if count > len(i.MemoryMap) {
		count = len(i.MemoryMap)
	}
	return i.MemoryMap[:count]
}

// RSDP returns where the ACPI root pointer copy lies in the boot
// information, preferring the ACPI 2.0+ copy (version 2) over the ACPI 1.0
// one (version 1). ok is false when neither tag was present. The physical
// address of the copy is the boot information's physical address plus
// span.Offset.
func (i *Info) RSDP() (span Span, version int, ok bool) {
	if i.HasACPINewRSDP {
		return i.ACPINewRSDP, 2, true
	}
	if i.HasACPIOldRSDP {
		return i.ACPIOldRSDP, 1, true
	}
	return Span{}, 0, false
}
