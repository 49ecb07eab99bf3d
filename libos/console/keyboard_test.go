package console

import "testing"

func typeScanCodes(k *Keyboard, codes ...byte) string {
	var s []byte
	for _, c := range codes {
		var out [4]byte
		n := k.Decode(c, out[:])
		s = append(s, out[:n]...)
	}
	return string(s)
}

func TestKeyboardDecodes(t *testing.T) {
	if len(unshifted) != 0x3a || len(shifted) != 0x3a {
		t.Fatalf("tables of %d and %d codes, want 0x3a", len(unshifted), len(shifted))
	}
	var k Keyboard
	cases := []struct {
		name  string
		codes []byte
		want  string
	}{
		{"letters and a release", []byte{0x23, 0xa3, 0x17, 0x97}, "hi"},
		{"shift", []byte{0x2a, 0x23, 0xaa, 0x17, 0x02, 0x2a, 0x02, 0xaa}, "Hi1!"},
		{"caps lock shifts letters only", []byte{0x3a, 0xba, 0x1e, 0x02, 0x3a, 0xba, 0x1e}, "A1a"},
		{"a held caps lock toggles once", []byte{0x3a, 0x3a, 0x3a, 0xba, 0x1e, 0x3a, 0xba}, "A"},
		{"ctrl", []byte{0x1d, 0x2e, 0x20, 0x9d, 0x2e}, "\x03\x04c"},
		{"enter, backspace, tab, space", []byte{0x1c, 0x0e, 0x0f, 0x39}, "\r\x7f\t "},
		{"arrows and delete", []byte{0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x4b, 0xe0, 0x53}, "\x1b[A\x1b[D\x1b[3~"},
		{"fake shift is ignored", []byte{0xe0, 0x2a, 0x1e}, "a"},
		{"unknown codes type nothing", []byte{0x3b, 0x58, 0x7f}, ""},
	}
	for _, c := range cases {
		if got := typeScanCodes(&k, c.codes...); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
