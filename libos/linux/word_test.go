package linux

import "testing"

func TestWordsStayInRange(t *testing.T) {
	b := make([]byte, 12)
	putWord(b, 4, 0x1122334455667788)
	if word(b, 4) != 0x1122334455667788 || b[4] != 0x88 || b[11] != 0x11 {
		t.Fatalf("round trip: % x", b)
	}
	putWord(b, 5, 1)  // would run past the end: ignored
	putWord(b, -1, 1) // before the start: ignored
	putWord32(b, 9, 1)
	if word(b, 4) != 0x1122334455667788 || word(b, 5) != 0 || word(b, -8) != 0 {
		t.Fatalf("out-of-range access changed or read something: % x", b)
	}
	putWord32(b, 8, 0xaabbccdd)
	if word(b, 4) != 0xaabbccdd55667788 {
		t.Fatalf("putWord32: %#x", word(b, 4))
	}
	if word(nil, 0) != 0 {
		t.Fatal("read from an empty slice")
	}
}
