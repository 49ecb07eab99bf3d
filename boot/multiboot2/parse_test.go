package multiboot2

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// allTagsInfo builds a blob with one of every tag Parse decodes (plus an
// unknown one) and the Info that Parse must produce for it.
func allTagsInfo() ([]byte, Info) {
	b := newInfoBuilder()
	var want Info

	commandLine := b.tag(TagCommandLine, cstring("console=serial quiet"))
	want.HasCommandLine = true
	want.CommandLineSpan = Span{Offset: uint32(commandLine + 8), Length: 20}

	loader := b.tag(TagBootLoaderName, cstring("GRUB 2.06"))
	want.HasBootLoaderName = true
	want.BootLoaderNameSpan = Span{Offset: uint32(loader + 8), Length: 9}

	module0 := b.tag(TagModule, u32(0x200000, 0x280000), cstring("initrd.cpio"))
	module1 := b.tag(TagModule, u32(0x281000, 0x281000), cstring(""))
	want.Modules[0] = Module{Start: 0x200000, End: 0x280000, Name: Span{Offset: uint32(module0 + 16), Length: 11}}
	want.Modules[1] = Module{Start: 0x281000, End: 0x281000, Name: Span{Offset: uint32(module1 + 16), Length: 0}}
	want.ModuleCount = 2

	b.tag(TagBasicMemory, u32(639, 130048))
	want.HasBasicMemory = true
	want.BasicMemory = BasicMemory{LowerKiB: 639, UpperKiB: 130048}

	b.tag(TagBIOSBootDevice, u32(0x80, 0, 0xFFFFFFFF))
	want.HasBIOSBootDevice = true
	want.BIOSBootDevice = BIOSBootDevice{Drive: 0x80, Partition: 0, SubPartition: 0xFFFFFFFF}

	entries := []MemoryMapEntry{
		{Base: 0, Length: 0x9fc00, Type: MemoryAvailable},
		{Base: 0x9fc00, Length: 0x400, Type: MemoryReserved},
		{Base: 0x100000, Length: 0x7ee0000, Type: MemoryAvailable},
		{Base: 0x7fe0000, Length: 0x20000, Type: MemoryACPIReclaimable},
	}
	b.tag(TagMemoryMap, memoryMapPayload(entries...))
	want.HasMemoryMap = true
	copy(want.MemoryMap[:], entries)
	want.MemoryMapCount = len(entries)

	b.tag(TagFramebuffer, u64(0xfd000000), u32(4096, 1024, 768), []byte{32, FramebufferRGB}, u16(0),
		[]byte{16, 8, 8, 8, 0, 8})
	want.HasFramebuffer = true
	want.Framebuffer = Framebuffer{
		Address: 0xfd000000, Pitch: 4096, Width: 1024, Height: 768, BitsPerPixel: 32, Type: FramebufferRGB,
		RedPosition: 16, RedSize: 8, GreenPosition: 8, GreenSize: 8, BluePosition: 0, BlueSize: 8,
	}

	elf := b.tag(TagELFSections, u32(3, 64, 2), make([]byte, 3*64))
	want.HasELFSections = true
	want.ELFSections = ELFSections{Count: 3, EntrySize: 64, StringTableIndex: 2,
		Headers: Span{Offset: uint32(elf + 20), Length: 192}}

	b.tag(TagEFI64SystemTable, u64(0x7f9e018))
	want.HasEFI64SystemTable = true
	want.EFI64SystemTable = 0x7f9e018

	rsdp1 := []byte("RSD PTR \x00BOCHS \x00\x00\x00\x00\x00\x00")[:20]
	old := b.tag(TagACPIOldRSDP, rsdp1)
	want.HasACPIOldRSDP = true
	want.ACPIOldRSDP = Span{Offset: uint32(old + 8), Length: 20}

	rsdp2 := append(append([]byte{}, rsdp1...), make([]byte, 16)...)
	rsdp2[15] = 2
	newer := b.tag(TagACPINewRSDP, rsdp2)
	want.HasACPINewRSDP = true
	want.ACPINewRSDP = Span{Offset: uint32(newer + 8), Length: 36}

	b.tag(TagEFIBootServicesNotTerminated)
	want.EFIBootServicesNotTerminated = true

	b.tag(TagImageLoadBase, u32(0x100000))
	want.HasImageLoadBase = true
	want.ImageLoadBase = 0x100000

	b.tag(TagType(10), u16(1, 2, 3)) // APM table: not decoded
	b.tag(TagType(99), nil)          // a type from the future
	want.UnknownTags = 2

	info := b.finish()
	want.TotalSize = uint32(len(info))
	return info, want
}

func TestParseAllTags(t *testing.T) {
	info, want := allTagsInfo()
	var got Info
	if status := Parse(info, &got); status != StatusOK {
		t.Fatalf("Parse = %v, problems %v", status, got.Problems[:got.ProblemCount])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}

	if got, want := string(got.CommandLine(info)), "console=serial quiet"; got != want {
		t.Errorf("CommandLine = %q, want %q", got, want)
	}
	if got, want := string(got.BootLoaderName(info)), "GRUB 2.06"; got != want {
		t.Errorf("BootLoaderName = %q, want %q", got, want)
	}
	if got, want := string(got.ModuleName(info, 0)), "initrd.cpio"; got != want {
		t.Errorf("ModuleName(0) = %q, want %q", got, want)
	}
	if name := got.ModuleName(info, 2); name != nil {
		t.Errorf("ModuleName(2) = %q, want nil", name)
	}
	if len(got.MemoryMapEntries()) != 4 {
		t.Errorf("MemoryMapEntries has %d entries, want 4", len(got.MemoryMapEntries()))
	}
	span, version, ok := got.RSDP()
	if !ok || version != 2 || span != want.ACPINewRSDP {
		t.Errorf("RSDP = %v, %d, %v; want the new RSDP, version 2", span, version, ok)
	}
	if rsdp := span.Bytes(info); !bytes.HasPrefix(rsdp, []byte("RSD PTR ")) || len(rsdp) != 36 {
		t.Errorf("RSDP bytes = %q", rsdp)
	}
}

func TestParseFramebufferKinds(t *testing.T) {
	tests := []struct {
		name    string
		payload [][]byte
		want    Framebuffer
	}{
		{
			name:    "EGA text",
			payload: [][]byte{u64(0xb8000), u32(160, 80, 25), []byte{16, FramebufferEGAText}, u16(0)},
			want:    Framebuffer{Address: 0xb8000, Pitch: 160, Width: 80, Height: 25, BitsPerPixel: 16, Type: FramebufferEGAText},
		},
		{
			name: "indexed",
			payload: [][]byte{u64(0xa0000), u32(320, 320, 200), []byte{8, FramebufferIndexed}, u16(0),
				u16(2), []byte{0, 0, 0, 255, 255, 255}},
			want: Framebuffer{Address: 0xa0000, Pitch: 320, Width: 320, Height: 200, BitsPerPixel: 8,
				Type: FramebufferIndexed, PaletteColors: 2, Palette: Span{Offset: 8 + 34, Length: 6}},
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			b := newInfoBuilder()
			b.tag(TagFramebuffer, test.payload...)
			info := b.finish()
			var got Info
			if status := Parse(info, &got); status != StatusOK {
				t.Fatalf("Parse = %v", status)
			}
			if diff := cmp.Diff(test.want, got.Framebuffer); diff != "" {
				t.Errorf("Framebuffer mismatch (-want +got):\n%s", diff)
			}
			if test.want.Type == FramebufferIndexed {
				palette := got.Framebuffer.Palette.Bytes(info)
				if !bytes.Equal(palette, []byte{0, 0, 0, 255, 255, 255}) {
					t.Errorf("palette = %v", palette)
				}
			}
		})
	}
}

func TestParseRSDPVersion1Only(t *testing.T) {
	b := newInfoBuilder()
	offset := b.tag(TagACPIOldRSDP, make([]byte, 20))
	var got Info
	Parse(b.finish(), &got)
	span, version, ok := got.RSDP()
	if !ok || version != 1 || span.Offset != uint32(offset+8) || span.Length != 20 {
		t.Errorf("RSDP = %v, %d, %v; want offset %d length 20 version 1", span, version, ok, offset+8)
	}
	var empty Info
	if _, _, ok := empty.RSDP(); ok {
		t.Errorf("RSDP on empty Info reports ok")
	}
}

// malformedCase is one broken boot information blob, the status Parse must
// return and the problems it must record, plus a check that whatever was
// valid was kept.
type malformedCase struct {
	name     string
	build    func() []byte
	status   ParseStatus
	problems []Problem
	check    func(t *testing.T, info []byte, got *Info)
}

func malformedCases() []malformedCase {
	keptCommandLine := func(t *testing.T, info []byte, got *Info) {
		t.Helper()
		if string(got.CommandLine(info)) != "keep" {
			t.Errorf("command line = %q, want %q", got.CommandLine(info), "keep")
		}
	}
	return []malformedCase{
		{
			name:     "empty",
			build:    func() []byte { return nil },
			status:   StatusTooShort,
			problems: []Problem{{Status: StatusTooShort}},
		},
		{
			name:     "shorter than fixed part",
			build:    func() []byte { return []byte{8, 0, 0, 0} },
			status:   StatusTooShort,
			problems: []Problem{{Status: StatusTooShort}},
		},
		{
			name:     "total size below 8",
			build:    func() []byte { return u32(4, 0, 0, 8) },
			status:   StatusTotalSizeTooSmall,
			problems: []Problem{{Status: StatusTotalSizeTooSmall}},
		},
		{
			name: "total size larger than slice",
			build: func() []byte {
				b := newInfoBuilder()
				b.tag(TagCommandLine, cstring("keep"))
				info := b.finish()
				info[0] += 64
				return info
			},
			status:   StatusTotalSizeTooLarge,
			problems: []Problem{{Status: StatusTotalSizeTooLarge}},
			check:    keptCommandLine,
		},
		{
			name: "tag size below 8",
			build: func() []byte {
				b := newInfoBuilder()
				b.tag(TagCommandLine, cstring("keep"))
				b.rawTag(uint32(TagMemoryMap), 4, nil)
				return b.finish()
			},
			status:   StatusTagTooSmall,
			problems: []Problem{{Status: StatusTagTooSmall, Tag: TagMemoryMap, Offset: 24}},
			check:    keptCommandLine,
		},
		{
			name: "tag runs past the end",
			build: func() []byte {
				b := newInfoBuilder()
				b.tag(TagCommandLine, cstring("keep"))
				b.rawTag(uint32(TagModule), 4096, u32(0, 0))
				return b.finish()
			},
			status:   StatusTagOverrun,
			problems: []Problem{{Status: StatusTagOverrun, Tag: TagModule, Offset: 24}},
			check:    keptCommandLine,
		},
		{
			name: "missing end tag",
			build: func() []byte {
				b := newInfoBuilder()
				b.tag(TagCommandLine, cstring("keep"))
				return b.withoutEnd()
			},
			status:   StatusMissingEndTag,
			problems: []Problem{{Status: StatusMissingEndTag, Offset: 24}},
			check:    keptCommandLine,
		},
		{
			name: "end tag of wrong size",
			build: func() []byte {
				b := newInfoBuilder()
				b.tag(TagCommandLine, cstring("keep"))
				b.rawTag(uint32(TagEnd), 16, make([]byte, 8))
				return b.withoutEnd()
			},
			status:   StatusBadEndTag,
			problems: []Problem{{Status: StatusBadEndTag, Offset: 24}},
			check:    keptCommandLine,
		},
		{
			name: "tags after the end tag are ignored",
			build: func() []byte {
				b := newInfoBuilder()
				b.tag(TagCommandLine, cstring("keep"))
				b.rawTag(uint32(TagEnd), 8, nil)
				b.tag(TagCommandLine, cstring("ignored"))
				return b.withoutEnd()
			},
			status: StatusOK,
			check:  keptCommandLine,
		},
		{
			name: "memory map entry size below 24",
			build: func() []byte {
				b := newInfoBuilder()
				b.tag(TagCommandLine, cstring("keep"))
				b.tag(TagMemoryMap, u32(16, 0), u64(0, 0x1000), u64(0x1000, 0x1000))
				return b.finish()
			},
			status:   StatusBadMemoryMapEntrySize,
			problems: []Problem{{Status: StatusBadMemoryMapEntrySize, Tag: TagMemoryMap, Offset: 24}},
			check: func(t *testing.T, info []byte, got *Info) {
				keptCommandLine(t, info, got)
				if got.HasMemoryMap || got.MemoryMapCount != 0 {
					t.Errorf("memory map recorded: has %v, %d entries", got.HasMemoryMap, got.MemoryMapCount)
				}
			},
		},
		{
			name: "memory map size not a multiple of entry size",
			build: func() []byte {
				b := newInfoBuilder()
				payload := memoryMapPayload(
					MemoryMapEntry{Base: 0, Length: 0x9fc00, Type: 1},
					MemoryMapEntry{Base: 0x100000, Length: 0x100000, Type: 1})
				b.tag(TagMemoryMap, payload, u64(0xdead))
				return b.finish()
			},
			status:   StatusMemoryMapNotDivisible,
			problems: []Problem{{Status: StatusMemoryMapNotDivisible, Tag: TagMemoryMap, Offset: 8}},
			check: func(t *testing.T, info []byte, got *Info) {
				want := []MemoryMapEntry{{Base: 0, Length: 0x9fc00, Type: 1}, {Base: 0x100000, Length: 0x100000, Type: 1}}
				if diff := cmp.Diff(want, got.MemoryMapEntries()); diff != "" {
					t.Errorf("entries (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "memory map entry size above 24 is honoured",
			build: func() []byte {
				b := newInfoBuilder()
				b.tag(TagMemoryMap, u32(32, 1),
					u64(0, 0x9fc00), u32(1, 0), u64(0xffffffffffffffff),
					u64(0x100000, 0x200000), u32(2, 0), u64(0xffffffffffffffff))
				return b.finish()
			},
			status: StatusOK,
			check: func(t *testing.T, info []byte, got *Info) {
				want := []MemoryMapEntry{{Base: 0, Length: 0x9fc00, Type: 1}, {Base: 0x100000, Length: 0x200000, Type: 2}}
				if diff := cmp.Diff(want, got.MemoryMapEntries()); diff != "" {
					t.Errorf("entries (-want +got):\n%s", diff)
				}
				if got.MemoryMapEntryVersion != 1 {
					t.Errorf("entry version = %d, want 1", got.MemoryMapEntryVersion)
				}
			},
		},
		{
			name: "too many memory map entries",
			build: func() []byte {
				b := newInfoBuilder()
				var entries []MemoryMapEntry
				for index := range 300 {
					entries = append(entries, MemoryMapEntry{Base: uint64(index) << 20, Length: 1 << 20, Type: 1})
				}
				b.tag(TagMemoryMap, memoryMapPayload(entries...))
				return b.finish()
			},
			status:   StatusTooManyMemoryMapEntries,
			problems: []Problem{{Status: StatusTooManyMemoryMapEntries, Tag: TagMemoryMap, Offset: 8}},
			check: func(t *testing.T, info []byte, got *Info) {
				if got.MemoryMapCount != MaxMemoryMapEntries || got.MemoryMapDropped != 300-MaxMemoryMapEntries {
					t.Errorf("kept %d, dropped %d; want %d, %d", got.MemoryMapCount, got.MemoryMapDropped,
						MaxMemoryMapEntries, 300-MaxMemoryMapEntries)
				}
				last := got.MemoryMap[MaxMemoryMapEntries-1]
				if last.Base != uint64(MaxMemoryMapEntries-1)<<20 {
					t.Errorf("last kept entry base = %#x", last.Base)
				}
			},
		},
		{
			name: "module end below start",
			build: func() []byte {
				b := newInfoBuilder()
				b.tag(TagModule, u32(0x300000, 0x200000), cstring("bad"))
				b.tag(TagModule, u32(0x400000, 0x500000), cstring("good"))
				return b.finish()
			},
			status:   StatusBadModule,
			problems: []Problem{{Status: StatusBadModule, Tag: TagModule, Offset: 8}},
			check: func(t *testing.T, info []byte, got *Info) {
				if got.ModuleCount != 1 || string(got.ModuleName(info, 0)) != "good" {
					t.Errorf("modules: count %d, first %q; want 1, %q", got.ModuleCount, got.ModuleName(info, 0), "good")
				}
			},
		},
		{
			name: "too many modules",
			build: func() []byte {
				b := newInfoBuilder()
				for index := range MaxModules + 2 {
					b.tag(TagModule, u32(uint32(index)<<20, uint32(index+1)<<20), cstring("m"))
				}
				return b.finish()
			},
			status:   StatusTooManyModules,
			problems: []Problem{{Status: StatusTooManyModules, Tag: TagModule, Offset: 8 + 24*MaxModules}},
			check: func(t *testing.T, info []byte, got *Info) {
				if got.ModuleCount != MaxModules || got.ModulesDropped != 2 {
					t.Errorf("kept %d, dropped %d", got.ModuleCount, got.ModulesDropped)
				}
			},
		},
		{
			name: "module name without NUL keeps the module",
			build: func() []byte {
				b := newInfoBuilder()
				b.rawTag(uint32(TagModule), 20, append(u32(0x1000, 0x2000), 'a', 'b', 'c', 'd'))
				return b.finish()
			},
			status:   StatusStringNotTerminated,
			problems: []Problem{{Status: StatusStringNotTerminated, Tag: TagModule, Offset: 8}},
			check: func(t *testing.T, info []byte, got *Info) {
				want := Module{Start: 0x1000, End: 0x2000}
				if got.ModuleCount != 1 || got.Modules[0] != want {
					t.Errorf("modules: count %d, first %+v; want 1, %+v", got.ModuleCount, got.Modules[0], want)
				}
			},
		},
		{
			name: "command line without NUL",
			build: func() []byte {
				b := newInfoBuilder()
				// The padding after the tag holds zero bytes, but
				// they are outside the tag and must not count.
				b.rawTag(uint32(TagCommandLine), 12, []byte("abcd"))
				b.tag(TagBootLoaderName, cstring("GRUB"))
				return b.finish()
			},
			status:   StatusStringNotTerminated,
			problems: []Problem{{Status: StatusStringNotTerminated, Tag: TagCommandLine, Offset: 8}},
			check: func(t *testing.T, info []byte, got *Info) {
				if got.HasCommandLine || got.CommandLine(info) != nil {
					t.Errorf("command line recorded: %q", got.CommandLine(info))
				}
				if string(got.BootLoaderName(info)) != "GRUB" {
					t.Errorf("boot loader name = %q", got.BootLoaderName(info))
				}
			},
		},
		{
			name: "tag too short for its type",
			build: func() []byte {
				b := newInfoBuilder()
				b.tag(TagBasicMemory, u32(639))
				b.tag(TagBIOSBootDevice, u32(0x80, 1))
				b.tag(TagModule, u32(0x1000))
				b.tag(TagMemoryMap, u32(24))
				b.tag(TagFramebuffer, u64(0xb8000), u32(160))
				b.tag(TagELFSections, u32(1, 64))
				b.tag(TagEFI64SystemTable, u32(1))
				b.tag(TagACPIOldRSDP, make([]byte, 19))
				b.tag(TagACPINewRSDP, make([]byte, 20))
				b.tag(TagImageLoadBase)
				b.tag(TagCommandLine, cstring("keep"))
				return b.finish()
			},
			status: StatusTagTooShortForType,
			problems: []Problem{
				{Status: StatusTagTooShortForType, Tag: TagBasicMemory, Offset: 8},
				{Status: StatusTagTooShortForType, Tag: TagBIOSBootDevice, Offset: 24},
				{Status: StatusTagTooShortForType, Tag: TagModule, Offset: 40},
				{Status: StatusTagTooShortForType, Tag: TagMemoryMap, Offset: 56},
				{Status: StatusTagTooShortForType, Tag: TagFramebuffer, Offset: 72},
				{Status: StatusTagTooShortForType, Tag: TagELFSections, Offset: 96},
				{Status: StatusTagTooShortForType, Tag: TagEFI64SystemTable, Offset: 112},
				{Status: StatusTagTooShortForType, Tag: TagACPIOldRSDP, Offset: 128},
				// The ninth and tenth are counted only.
			},
			check: func(t *testing.T, info []byte, got *Info) {
				keptCommandLine(t, info, got)
				if got.ProblemCount != 10 {
					t.Errorf("ProblemCount = %d, want 10", got.ProblemCount)
				}
				if got.HasBasicMemory || got.HasBIOSBootDevice || got.ModuleCount != 0 || got.HasMemoryMap ||
					got.HasFramebuffer || got.HasELFSections || got.HasEFI64SystemTable ||
					got.HasACPIOldRSDP || got.HasACPINewRSDP || got.HasImageLoadBase {
					t.Errorf("a short tag was recorded: %+v", got)
				}
			},
		},
		{
			name: "framebuffer colour information malformed",
			build: func() []byte {
				b := newInfoBuilder()
				// RGB without the six colour bytes.
				b.tag(TagFramebuffer, u64(0xfd000000), u32(4096, 1024, 768), []byte{32, FramebufferRGB}, u16(0))
				return b.finish()
			},
			status:   StatusBadFramebuffer,
			problems: []Problem{{Status: StatusBadFramebuffer, Tag: TagFramebuffer, Offset: 8}},
			check: func(t *testing.T, info []byte, got *Info) {
				want := Framebuffer{Address: 0xfd000000, Pitch: 4096, Width: 1024, Height: 768, BitsPerPixel: 32, Type: FramebufferRGB}
				if !got.HasFramebuffer || got.Framebuffer != want {
					t.Errorf("framebuffer = %+v, want %+v", got.Framebuffer, want)
				}
			},
		},
		{
			name: "framebuffer palette runs past the tag",
			build: func() []byte {
				b := newInfoBuilder()
				b.tag(TagFramebuffer, u64(0xa0000), u32(320, 320, 200), []byte{8, FramebufferIndexed}, u16(0),
					u16(256), []byte{1, 2, 3})
				return b.finish()
			},
			status:   StatusBadFramebuffer,
			problems: []Problem{{Status: StatusBadFramebuffer, Tag: TagFramebuffer, Offset: 8}},
			check: func(t *testing.T, info []byte, got *Info) {
				if got.Framebuffer.PaletteColors != 0 || got.Framebuffer.Palette != (Span{}) {
					t.Errorf("palette recorded: %+v", got.Framebuffer)
				}
			},
		},
		{
			name: "framebuffer of unknown type",
			build: func() []byte {
				b := newInfoBuilder()
				b.tag(TagFramebuffer, u64(0xa0000), u32(320, 320, 200), []byte{8, 7}, u16(0))
				return b.finish()
			},
			status:   StatusBadFramebuffer,
			problems: []Problem{{Status: StatusBadFramebuffer, Tag: TagFramebuffer, Offset: 8}},
		},
		{
			name: "ELF section headers do not fit",
			build: func() []byte {
				b := newInfoBuilder()
				b.tag(TagELFSections, u32(0xffffffff, 0xffffffff, 1), make([]byte, 64))
				return b.finish()
			},
			status:   StatusBadELFSections,
			problems: []Problem{{Status: StatusBadELFSections, Tag: TagELFSections, Offset: 8}},
			check: func(t *testing.T, info []byte, got *Info) {
				if got.HasELFSections {
					t.Errorf("ELF sections recorded: %+v", got.ELFSections)
				}
			},
		},
		{
			name: "duplicate tag: the later one wins",
			build: func() []byte {
				b := newInfoBuilder()
				b.tag(TagCommandLine, cstring("first"))
				b.tag(TagCommandLine, cstring("keep"))
				return b.finish()
			},
			status:   StatusDuplicateTag,
			problems: []Problem{{Status: StatusDuplicateTag, Tag: TagCommandLine, Offset: 24}},
			check:    keptCommandLine,
		},
	}
}

func TestParseMalformed(t *testing.T) {
	for _, test := range malformedCases() {
		t.Run(test.name, func(t *testing.T) {
			info := test.build()
			var got Info
			status := Parse(info, &got)
			if status != test.status {
				t.Errorf("Parse = %v, want %v", status, test.status)
			}
			recorded := got.Problems[:min(got.ProblemCount, MaxProblems)]
			if test.problems != nil {
				if diff := cmp.Diff(test.problems, recorded); diff != "" {
					t.Errorf("problems (-want +got):\n%s", diff)
				}
			} else if status == StatusOK && len(recorded) != 0 {
				t.Errorf("problems recorded for a valid blob: %v", recorded)
			}
			if test.check != nil {
				test.check(t, info, &got)
			}
			checkSpansInside(t, info, &got)
		})
	}
}

// checkSpansInside fails the test if any span Parse recorded as valid lies
// outside info.
func checkSpansInside(t *testing.T, info []byte, got *Info) {
	t.Helper()
	check := func(what string, valid bool, span Span) {
		if valid && uint64(span.Offset)+uint64(span.Length) > uint64(len(info)) {
			t.Errorf("%s span %+v outside %d-byte info", what, span, len(info))
		}
	}
	check("command line", got.HasCommandLine, got.CommandLineSpan)
	check("boot loader name", got.HasBootLoaderName, got.BootLoaderNameSpan)
	for index := range min(got.ModuleCount, MaxModules) {
		check("module name", true, got.Modules[index].Name)
	}
	check("palette", got.HasFramebuffer, got.Framebuffer.Palette)
	check("ELF sections", got.HasELFSections, got.ELFSections.Headers)
	check("old RSDP", got.HasACPIOldRSDP, got.ACPIOldRSDP)
	check("new RSDP", got.HasACPINewRSDP, got.ACPINewRSDP)
	if got.ModuleCount < 0 || got.ModuleCount > MaxModules {
		t.Errorf("ModuleCount = %d", got.ModuleCount)
	}
	if got.MemoryMapCount < 0 || got.MemoryMapCount > MaxMemoryMapEntries {
		t.Errorf("MemoryMapCount = %d", got.MemoryMapCount)
	}
}

func TestParseStatusString(t *testing.T) {
	seen := map[string]ParseStatus{}
	for status := StatusOK; status < statusLimit; status++ {
		name := status.String()
		if name == "" || name == "unknown status" {
			t.Errorf("status %d has no name", status)
		}
		if other, ok := seen[name]; ok {
			t.Errorf("statuses %d and %d share the name %q", other, status, name)
		}
		seen[name] = status
	}
	if got := ParseStatus(200).String(); got != "unknown status" {
		t.Errorf("ParseStatus(200).String() = %q", got)
	}
	if !StatusTooShort.Fatal() || StatusMissingEndTag.Fatal() {
		t.Errorf("Fatal misclassifies statuses")
	}
}

// TestParseTruncatedAndCorrupted feeds Parse every prefix of a valid blob
// and many randomly corrupted copies: it must never panic and every span it
// reports valid must lie inside the input.
func TestParseTruncatedAndCorrupted(t *testing.T) {
	info, _ := allTagsInfo()
	var got Info
	for length := 0; length <= len(info); length++ {
		prefix := info[:length:length]
		Parse(prefix, &got)
		checkSpansInside(t, prefix, &got)
		if length < len(info) && Parse(prefix, &got) == StatusOK {
			t.Errorf("prefix of %d bytes parsed without a problem", length)
		}
	}

	random := rand.New(rand.NewSource(1))
	corrupted := make([]byte, len(info))
	for range 20000 {
		copy(corrupted, info)
		for range 1 + random.Intn(4) {
			position := random.Intn(len(corrupted))
			corrupted[position] = byte(random.Intn(256))
		}
		Parse(corrupted, &got)
		checkSpansInside(t, corrupted, &got)
	}
}

func FuzzParse(f *testing.F) {
	info, _ := allTagsInfo()
	f.Add(info)
	for _, test := range malformedCases() {
		f.Add(test.build())
	}
	f.Fuzz(func(t *testing.T, info []byte) {
		var got Info
		Parse(info, &got)
		checkSpansInside(t, info, &got)
	})
}

func TestParseDoesNotAllocate(t *testing.T) {
	info, _ := allTagsInfo()
	var got Info
	allocations := testing.AllocsPerRun(100, func() { Parse(info, &got) })
	if allocations != 0 {
		t.Errorf("Parse allocates %v times per run", allocations)
	}
}
