// Package kernelinfo defines the kernel information block: a few numbers
// about the built kernel image that the kernel needs at boot but cannot know
// when it is compiled, such as where the linker put the Go symbol table
// (.gopclntab) that the fault reporter uses to name functions.
//
// tools/buildkernel writes the block after linking, into the zero-filled
// remainder of the ELF header page (at KERNEL_INFO_OFFSET in linker.ld); the
// header page is loaded with the text segment, so the kernel reads the block
// from memory at load base + offset. The block is plain little-endian 64-bit
// words so that restricted Go can read it before the runtime exists.
package kernelinfo

import "encoding/binary"

// Magic is "EXOGOKIB" read as a little-endian 64-bit word.
const Magic = 0x4249_4b4f_474f_5845

// Version is bumped whenever the layout of Block changes.
const Version = 1

// Block is the kernel information block. All addresses are virtual (equal to
// physical for the kernel image).
type Block struct {
	Magic          uint64
	Version        uint64
	PclntabAddress uint64 // start of .gopclntab
	PclntabSize    uint64
	TextStart      uint64 // runtime.text: first instruction of .text
	TextEnd        uint64 // runtime.etext
	ImageEnd       uint64 // runtime.end: first byte after .bss/.noptrbss
}

// Size is the encoded size of a Block in bytes.
const Size = 7 * 8

// Encode returns the block's bytes as the kernel reads them.
func (b Block) Encode() []byte {
	out := make([]byte, Size)
	for i, v := range []uint64{b.Magic, b.Version, b.PclntabAddress, b.PclntabSize, b.TextStart, b.TextEnd, b.ImageEnd} {
		binary.LittleEndian.PutUint64(out[i*8:], v)
	}
	return out
}

// Decode reads a block from its encoded bytes; ok is false when b is too
// short or the magic or version does not match.
func Decode(b []byte) (block Block, ok bool) {
	if len(b) < Size {
		return Block{}, false
	}
	words := [7]uint64{}
	for i := range words {
		words[i] = binary.LittleEndian.Uint64(b[i*8:])
	}
	block = Block{words[0], words[1], words[2], words[3], words[4], words[5], words[6]}
	return block, block.Magic == Magic && block.Version == Version
}
