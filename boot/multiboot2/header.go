package multiboot2

// This file builds and checks the Multiboot2 header, the structure in the
// kernel image that tells GRUB the image is a Multiboot2 kernel and what it
// wants. It is hosted Go, used by the build tool, and may allocate.
//
// The header must lie 8-aligned within the first 32 KiB of the image:
//
//	offset  0: magic         u32   0xE85250D6
//	offset  4: architecture  u32   0 = 32-bit i386 protected mode
//	offset  8: header_length u32   bytes, tags included
//	offset 12: checksum      u32   magic+architecture+header_length+checksum = 0 (mod 2^32)
//	offset 16: tags
//
// Each header tag is
//
//	offset 0: type  u16
//	offset 2: flags u16   bit 0 = optional: GRUB may ignore a tag it cannot honour
//	offset 4: size  u32   bytes, this header included, padding excluded
//
// padded to a multiple of 8 bytes, and the list ends with a tag of type 0,
// flags 0, size 8. GRUB refuses to boot an image with a non-optional tag it
// does not understand or cannot satisfy, so everything but the end tag is
// marked optional here.

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// HeaderMagic is the first word of a Multiboot2 header.
const HeaderMagic = 0xE85250D6

// ArchitectureI386 is the architecture field for 32-bit protected mode, the
// state GRUB enters an x86 kernel in.
const ArchitectureI386 = 0

// HeaderSearchLimit is how far into the image GRUB looks for the header;
// the whole header must lie below it.
const HeaderSearchLimit = 32 * 1024

// Header tag types.
const (
	HeaderTagEnd                = 0
	HeaderTagInformationRequest = 1
	HeaderTagConsoleFlags       = 4
	HeaderTagFramebuffer        = 5
	HeaderTagModuleAlignment    = 6
)

// headerTagOptional is the flags bit that lets GRUB ignore a tag.
const headerTagOptional = 1

// Sizes of the header parts, and the console flags bit that says the
// kernel supports EGA text mode. (Bit 0 of the console flags would make the
// console a requirement; exogo never sets it, so GRUB never refuses.)
const (
	consoleEGATextSupported  = 1 << 1
	headerFixedSize          = 16
	headerTagHeaderSize      = 8
	framebufferTagSize       = 20
	consoleFlagsTagSize      = 12
	moduleAlignmentTagSize   = 8
	endTagSize               = 8
	informationRequestMinTag = 8
)

// DefaultRequestedTags are the boot information tags the kernel asks for:
// command line, modules, memory map, framebuffer and both ACPI RSDPs.
var DefaultRequestedTags = []TagType{
	TagCommandLine, TagModule, TagMemoryMap, TagFramebuffer, TagACPIOldRSDP, TagACPINewRSDP,
}

// HeaderOptions says what BuildHeader puts in the header.
type HeaderOptions struct {
	// RequestedTags are the boot information tag types listed in the
	// information request tag; nil means DefaultRequestedTags and an empty
	// non-nil slice omits the tag.
	RequestedTags []TagType

	// EGATextSupported adds a console flags tag saying the kernel can
	// drive an EGA text console.
	EGATextSupported bool

	// Framebuffer adds a framebuffer tag asking for a linear framebuffer
	// of FramebufferWidth x FramebufferHeight pixels at FramebufferDepth
	// bits per pixel; 0 in any of them means no preference.
	Framebuffer       bool
	FramebufferWidth  uint32
	FramebufferHeight uint32
	FramebufferDepth  uint32

	// PageAlignModules adds a module alignment tag asking GRUB to load
	// boot modules at page-aligned addresses.
	PageAlignModules bool
}

// DefaultHeaderOptions returns the header exogo's kernel uses: the default
// requested tags, EGA text supported, a framebuffer with no size
// preference, and page-aligned modules.
func DefaultHeaderOptions() HeaderOptions {
	return HeaderOptions{
		EGATextSupported: true,
		Framebuffer:      true,
		PageAlignModules: true,
	}
}

// BuildHeader returns the bytes of a Multiboot2 header built from opts, its
// length a multiple of 8. Every tag except the end tag is optional.
func BuildHeader(opts HeaderOptions) []byte {
	header := make([]byte, headerFixedSize)
	le := binary.LittleEndian

	requested := opts.RequestedTags
	if requested == nil {
		requested = DefaultRequestedTags
	}
	if len(requested) > 0 {
		payload := make([]byte, 4*len(requested))
		for index, tagType := range requested {
			le.PutUint32(payload[4*index:], uint32(tagType))
		}
		header = appendHeaderTag(header, HeaderTagInformationRequest, headerTagOptional, payload)
	}
	if opts.EGATextSupported {
		payload := le.AppendUint32(nil, consoleEGATextSupported)
		header = appendHeaderTag(header, HeaderTagConsoleFlags, headerTagOptional, payload)
	}
	if opts.Framebuffer {
		var payload []byte
		payload = le.AppendUint32(payload, opts.FramebufferWidth)
		payload = le.AppendUint32(payload, opts.FramebufferHeight)
		payload = le.AppendUint32(payload, opts.FramebufferDepth)
		header = appendHeaderTag(header, HeaderTagFramebuffer, headerTagOptional, payload)
	}
	if opts.PageAlignModules {
		header = appendHeaderTag(header, HeaderTagModuleAlignment, headerTagOptional, nil)
	}
	header = appendHeaderTag(header, HeaderTagEnd, 0, nil)

	length := uint32(len(header))
	le.PutUint32(header[0:], HeaderMagic)
	le.PutUint32(header[4:], ArchitectureI386)
	le.PutUint32(header[8:], length)
	le.PutUint32(header[12:], headerChecksum(ArchitectureI386, length))
	return header
}

// appendHeaderTag appends a header tag with the given payload to header,
// padded to a multiple of 8 bytes. len(header) is a multiple of 8.
func appendHeaderTag(header []byte, tagType, flags uint16, payload []byte) []byte {
	le := binary.LittleEndian
	header = le.AppendUint16(header, tagType)
	header = le.AppendUint16(header, flags)
	header = le.AppendUint32(header, uint32(headerTagHeaderSize+len(payload)))
	header = append(header, payload...)
	for len(header)%8 != 0 {
		header = append(header, 0)
	}
	return header
}

// headerChecksum returns the checksum word that makes the first four
// header words sum to zero.
func headerChecksum(architecture, length uint32) uint32 {
	return -(uint32(HeaderMagic) + architecture + length)
}

// FindHeader returns the offset of the first Multiboot2 header in image
// the way GRUB finds it: at an 8-aligned offset, wholly within the first
// HeaderSearchLimit bytes, with the magic and a valid checksum. ok is false
// if there is none. FindHeader does not check the tags; see ValidateHeader.
func FindHeader(image []byte) (offset int, ok bool) {
	limit := min(len(image), HeaderSearchLimit)
	le := binary.LittleEndian
	for offset = 0; offset+headerFixedSize <= limit; offset += 8 {
		words := image[offset : offset+headerFixedSize]
		if le.Uint32(words) != HeaderMagic {
			continue
		}
		architecture := le.Uint32(words[4:])
		length := le.Uint32(words[8:])
		checksum := le.Uint32(words[12:])
		if uint32(HeaderMagic)+architecture+length+checksum != 0 {
			continue
		}
		if uint64(offset)+uint64(length) > uint64(limit) {
			continue
		}
		return offset, true
	}
	return 0, false
}

// Errors returned by ValidateHeader, wrapped with details.
var (
	ErrHeaderMagic    = errors.New("multiboot2 header: bad magic")
	ErrHeaderChecksum = errors.New("multiboot2 header: bad checksum")
	ErrHeaderLength   = errors.New("multiboot2 header: bad header_length")
	ErrHeaderTag      = errors.New("multiboot2 header: malformed tag")
)

// ValidateHeader checks that b starts with a well-formed Multiboot2 header
// for x86: the magic, architecture 0, a header_length that is at least 24,
// a multiple of 8 and within b, a valid checksum, and tags that are each
// 8-aligned, at least 8 bytes, of the right size for the types this package
// knows, within header_length, and ending with an end tag exactly at
// header_length. b may extend past the header.
func ValidateHeader(b []byte) error {
	le := binary.LittleEndian
	if len(b) < headerFixedSize {
		return fmt.Errorf("%w: only %d bytes", ErrHeaderLength, len(b))
	}
	if magic := le.Uint32(b); magic != HeaderMagic {
		return fmt.Errorf("%w: %#x", ErrHeaderMagic, magic)
	}
	architecture := le.Uint32(b[4:])
	if architecture != ArchitectureI386 {
		return fmt.Errorf("%w: architecture %d is not i386", ErrHeaderMagic, architecture)
	}
	length := le.Uint32(b[8:])
	if length < headerFixedSize+endTagSize || length%8 != 0 || uint64(length) > uint64(len(b)) {
		return fmt.Errorf("%w: %d (have %d bytes)", ErrHeaderLength, length, len(b))
	}
	if checksum := le.Uint32(b[12:]); checksum != headerChecksum(architecture, length) {
		return fmt.Errorf("%w: %#x, want %#x", ErrHeaderChecksum, checksum, headerChecksum(architecture, length))
	}

	offset := headerFixedSize
	for {
		if offset+headerTagHeaderSize > int(length) {
			return fmt.Errorf("%w: no end tag before header_length %d", ErrHeaderTag, length)
		}
		tagType := le.Uint16(b[offset:])
		flags := le.Uint16(b[offset+2:])
		size := int(le.Uint32(b[offset+4:]))
		if size < headerTagHeaderSize || offset+size > int(length) {
			return fmt.Errorf("%w: tag type %d at offset %d has size %d", ErrHeaderTag, tagType, offset, size)
		}
		if err := checkHeaderTagSize(tagType, size); err != nil {
			return fmt.Errorf("%w: tag type %d at offset %d: %v", ErrHeaderTag, tagType, offset, err)
		}
		if tagType == HeaderTagEnd {
			if flags != 0 {
				return fmt.Errorf("%w: end tag at offset %d has flags %#x", ErrHeaderTag, offset, flags)
			}
			if offset+size != int(length) {
				return fmt.Errorf("%w: end tag at offset %d but header_length is %d", ErrHeaderTag, offset, length)
			}
			return nil
		}
		offset += (size + 7) &^ 7
	}
}

// checkHeaderTagSize checks size against what a header tag of tagType
// must be. Types this package does not build are accepted at any size.
func checkHeaderTagSize(tagType uint16, size int) error {
	switch tagType {
	case HeaderTagEnd:
		if size != endTagSize {
			return fmt.Errorf("end tag size %d, want %d", size, endTagSize)
		}
	case HeaderTagInformationRequest:
		if size < informationRequestMinTag || (size-headerTagHeaderSize)%4 != 0 {
			return fmt.Errorf("information request size %d is not 8 plus a multiple of 4", size)
		}
	case HeaderTagConsoleFlags:
		if size != consoleFlagsTagSize {
			return fmt.Errorf("console flags size %d, want %d", size, consoleFlagsTagSize)
		}
	case HeaderTagFramebuffer:
		if size != framebufferTagSize {
			return fmt.Errorf("framebuffer size %d, want %d", size, framebufferTagSize)
		}
	case HeaderTagModuleAlignment:
		if size != moduleAlignmentTagSize {
			return fmt.Errorf("module alignment size %d, want %d", size, moduleAlignmentTagSize)
		}
	}
	return nil
}
