package amd64

import (
	"math/bits"
	"testing"
)

// TestTSCNanos compares the split product with the full 128-bit one.
func TestTSCNanos(t *testing.T) {
	factor := uint64((1_000_000_000 << 32) / 2_688_000_000) // a 2.688 GHz TSC
	for _, count := range []uint64{0, 1, 2_688_000_000, 1 << 40, 1<<63 - 1, 12345678901234567} {
		high, low := bits.Mul64(count, factor)
		want := high<<32 | low>>32
		if got := TSCNanos(count, factor); got != want {
			t.Errorf("TSCNanos(%d) = %d, want %d", count, got, want)
		}
	}
	if got := TSCNanos(2_688_000_000, factor); got < 999_999_990 || got > 1_000_000_000 {
		t.Errorf("one second of counts = %d ns", got)
	}
}
