package multiboot2

import "encoding/binary"

// infoBuilder assembles boot information blobs for tests, the way GRUB lays
// them out: an 8-byte fixed part, then 8-aligned tags.
type infoBuilder struct {
	buf []byte
}

func newInfoBuilder() *infoBuilder {
	return &infoBuilder{buf: make([]byte, 8)}
}

// tag appends a tag of the given type whose payload is the concatenation
// of parts, pads it to 8 bytes and returns the tag's offset.
func (b *infoBuilder) tag(tagType TagType, parts ...[]byte) int {
	var payload []byte
	for _, part := range parts {
		payload = append(payload, part...)
	}
	return b.rawTag(uint32(tagType), uint32(8+len(payload)), payload)
}

// rawTag appends a tag with an arbitrary size field (which need not match
// the payload) and returns its offset. The payload is padded to 8 bytes.
func (b *infoBuilder) rawTag(tagType, size uint32, payload []byte) int {
	offset := len(b.buf)
	b.buf = append(b.buf, u32(tagType, size)...)
	b.buf = append(b.buf, payload...)
	for len(b.buf)%8 != 0 {
		b.buf = append(b.buf, 0)
	}
	return offset
}

// finish appends the end tag, sets total_size and returns the blob.
func (b *infoBuilder) finish() []byte {
	b.rawTag(uint32(TagEnd), 8, nil)
	return b.withoutEnd()
}

// withoutEnd sets total_size to the current length and returns the blob,
// with no end tag added.
func (b *infoBuilder) withoutEnd() []byte {
	binary.LittleEndian.PutUint32(b.buf, uint32(len(b.buf)))
	return b.buf
}

func u16(values ...uint16) []byte {
	var out []byte
	for _, v := range values {
		out = binary.LittleEndian.AppendUint16(out, v)
	}
	return out
}

func u32(values ...uint32) []byte {
	var out []byte
	for _, v := range values {
		out = binary.LittleEndian.AppendUint32(out, v)
	}
	return out
}

func u64(values ...uint64) []byte {
	var out []byte
	for _, v := range values {
		out = binary.LittleEndian.AppendUint64(out, v)
	}
	return out
}

// cstring returns s followed by a NUL.
func cstring(s string) []byte {
	return append([]byte(s), 0)
}

// memoryMapPayload returns a memory map tag payload with 24-byte entries.
func memoryMapPayload(entries ...MemoryMapEntry) []byte {
	out := u32(24, 0)
	for _, e := range entries {
		out = append(out, u64(e.Base, e.Length)...)
		out = append(out, u32(e.Type, 0)...)
	}
	return out
}
