package multiboot2

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBuildHeaderDefault(t *testing.T) {
	header := BuildHeader(DefaultHeaderOptions())

	// Written out by hand from the format in header.go.
	var want []byte
	want = append(want, u32(HeaderMagic, 0, 104, 0x100000000-(HeaderMagic+104))...)
	want = append(want, u16(1, 1)...) // information request, optional
	want = append(want, u32(8+4*6, 1, 3, 6, 8, 14, 15)...)
	want = append(want, u16(4, 1)...) // console flags, optional
	want = append(want, u32(12, 2, 0)...)
	want = append(want, u16(5, 1)...) // framebuffer, optional, no preference
	want = append(want, u32(20, 0, 0, 0, 0)...)
	want = append(want, u16(6, 1)...) // module alignment, optional
	want = append(want, u32(8)...)
	want = append(want, u16(0, 0)...) // end
	want = append(want, u32(8)...)
	if diff := cmp.Diff(want, header); diff != "" {
		t.Errorf("header bytes (-want +got):\n%s", diff)
	}
	if err := ValidateHeader(header); err != nil {
		t.Errorf("ValidateHeader: %v", err)
	}
}

func TestBuildHeaderVariants(t *testing.T) {
	tests := []struct {
		name       string
		opts       HeaderOptions
		wantLength int
	}{
		{name: "minimal: default request only", opts: HeaderOptions{}, wantLength: 16 + 32 + 8},
		{name: "no information request", opts: HeaderOptions{RequestedTags: []TagType{}}, wantLength: 16 + 8},
		{name: "odd number of requested tags is padded", opts: HeaderOptions{RequestedTags: []TagType{TagMemoryMap}}, wantLength: 16 + 16 + 8},
		{name: "framebuffer preference", opts: HeaderOptions{Framebuffer: true, FramebufferWidth: 1024, FramebufferHeight: 768, FramebufferDepth: 32}, wantLength: 16 + 32 + 24 + 8},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			header := BuildHeader(test.opts)
			if len(header) != test.wantLength {
				t.Errorf("length %d, want %d", len(header), test.wantLength)
			}
			if err := ValidateHeader(header); err != nil {
				t.Errorf("ValidateHeader: %v", err)
			}
			le := binary.LittleEndian
			var sum uint32
			for offset := 0; offset < 16; offset += 4 {
				sum += le.Uint32(header[offset:])
			}
			if sum != 0 || le.Uint32(header[8:]) != uint32(len(header)) {
				t.Errorf("checksum sum %#x, header_length %d", sum, le.Uint32(header[8:]))
			}
		})
	}
}

// imageWithHeader returns a fake kernel image of size bytes, filled with a
// pattern, with header copied in at offset.
func imageWithHeader(size, offset int, header []byte) []byte {
	image := make([]byte, size)
	for index := range image {
		image[index] = byte(index*7 + 3)
	}
	copy(image[offset:], header)
	return image
}

func TestFindHeader(t *testing.T) {
	header := BuildHeader(DefaultHeaderOptions())
	corrupted := append([]byte{}, header...)
	corrupted[12] ^= 1

	tests := []struct {
		name       string
		image      []byte
		wantOffset int
		wantOK     bool
	}{
		{name: "in the header page gap", image: imageWithHeader(64*kib, 0x190, header), wantOffset: 0x190, wantOK: true},
		{name: "at the start", image: imageWithHeader(64*kib, 0, header), wantOffset: 0, wantOK: true},
		{name: "last place that fits", image: imageWithHeader(64*kib, HeaderSearchLimit-len(header), header),
			wantOffset: HeaderSearchLimit - len(header), wantOK: true},
		{name: "straddling 32 KiB", image: imageWithHeader(64*kib, HeaderSearchLimit-len(header)+8, header)},
		{name: "beyond 32 KiB", image: imageWithHeader(64*kib, 40*kib, header)},
		{name: "not 8-aligned", image: imageWithHeader(64*kib, 0x194, header)},
		{name: "corrupted checksum", image: imageWithHeader(64*kib, 0x190, corrupted)},
		{name: "image shorter than the header", image: header[:20]},
		{name: "empty image", image: nil},
		{
			name: "a bad copy before a good one",
			image: func() []byte {
				image := imageWithHeader(64*kib, 0x100, corrupted)
				copy(image[0x1000:], header)
				return image
			}(),
			wantOffset: 0x1000, wantOK: true,
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			offset, ok := FindHeader(test.image)
			if ok != test.wantOK || (ok && offset != test.wantOffset) {
				t.Errorf("FindHeader = %#x, %v; want %#x, %v", offset, ok, test.wantOffset, test.wantOK)
			}
			if ok {
				if err := ValidateHeader(test.image[offset:]); err != nil {
					t.Errorf("ValidateHeader on found header: %v", err)
				}
			}
		})
	}
}

func TestValidateHeaderRejects(t *testing.T) {
	good := BuildHeader(DefaultHeaderOptions())
	le := binary.LittleEndian

	// resum recomputes the checksum after a change to the fixed part.
	resum := func(b []byte) []byte {
		le.PutUint32(b[12:], headerChecksum(le.Uint32(b[4:]), le.Uint32(b[8:])))
		return b
	}
	mutate := func(change func(b []byte) []byte) []byte {
		return change(append([]byte{}, good...))
	}

	tests := []struct {
		name   string
		header []byte
		want   error
	}{
		{name: "too short", header: good[:12], want: ErrHeaderLength},
		{name: "bad magic", header: mutate(func(b []byte) []byte { b[0] ^= 0xff; return b }), want: ErrHeaderMagic},
		{name: "MIPS architecture", header: mutate(func(b []byte) []byte { le.PutUint32(b[4:], 4); return resum(b) }), want: ErrHeaderMagic},
		{name: "corrupted checksum", header: mutate(func(b []byte) []byte { b[12]++; return b }), want: ErrHeaderChecksum},
		{name: "length past the buffer", header: good[:len(good)-8], want: ErrHeaderLength},
		{name: "length not a multiple of 8", header: mutate(func(b []byte) []byte { le.PutUint32(b[8:], 100); return resum(b) }), want: ErrHeaderLength},
		{name: "length below the minimum", header: mutate(func(b []byte) []byte { le.PutUint32(b[8:], 16); return resum(b) }), want: ErrHeaderLength},
		{name: "end tag missing", header: mutate(func(b []byte) []byte { le.PutUint32(b[8:], 96); return resum(b) }), want: ErrHeaderTag},
		{name: "tag size below 8", header: mutate(func(b []byte) []byte { le.PutUint32(b[20:], 4); return b }), want: ErrHeaderTag},
		{name: "tag running past header_length", header: mutate(func(b []byte) []byte { le.PutUint32(b[20:], 200); return b }), want: ErrHeaderTag},
		{name: "information request of odd size", header: mutate(func(b []byte) []byte { le.PutUint32(b[20:], 30); return b }), want: ErrHeaderTag},
		{name: "framebuffer tag of wrong size", header: mutate(func(b []byte) []byte { le.PutUint32(b[68:], 16); return b }), want: ErrHeaderTag},
		{name: "end tag with flags", header: mutate(func(b []byte) []byte { le.PutUint16(b[98:], 1); return b }), want: ErrHeaderTag},
		{
			name: "end tag before header_length",
			header: mutate(func(b []byte) []byte {
				b = append(b, make([]byte, 8)...)
				le.PutUint32(b[8:], uint32(len(b)))
				return resum(b)
			}),
			want: ErrHeaderTag,
		},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			err := ValidateHeader(test.header)
			if !errors.Is(err, test.want) {
				t.Errorf("ValidateHeader = %v, want %v", err, test.want)
			}
		})
	}
}
