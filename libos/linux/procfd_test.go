package linux

import "testing"

// TestCleanPath checks the paths /proc/self/fd shows: absolute, without
// empty, "." or ".." names, and refused (0) when they do not fit.
func TestCleanPath(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/", "/"},
		{"//tmp//a/", "/tmp/a"},
		{"/tmp/./a/../b", "/tmp/b"},
		{"/../..", "/"},
		{"/a/b/../../..", "/"},
		{"/src/regexp/./testdata", "/src/regexp/testdata"},
	} {
		var out [32]byte
		n := cleanPath([]byte(c.in), out[:])
		if got := string(out[:n]); got != c.want {
			t.Errorf("cleanPath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	var small [8]byte
	if n := cleanPath([]byte("/a/longer/path"), small[:]); n != 0 {
		t.Errorf("a path longer than the buffer gave %d bytes, want 0", n)
	}
	// One byte stays free: a path as long as the buffer does not fit
	// (its length would read back as 0).
	if n := cleanPath([]byte("/abcdefg"), small[:]); n != 0 {
		t.Errorf("an 8-byte path in an 8-byte buffer gave %d bytes, want 0", n)
	}
	if n := cleanPath([]byte("/abcdef"), small[:]); n != 7 {
		t.Errorf("a 7-byte path in an 8-byte buffer gave %d bytes, want 7", n)
	}
}
