// Package clean is restricted code that keeps every rule: fixed arrays,
// masked indices, calls only to a clean helper.
package clean

import "restrictprog/helper"

var table [16]uint64

// Checksum mixes the table with masked indices; no bounds check can fail.
//
//go:noinline
func Checksum(seed uint64) uint64 {
	sum := seed
	for i := uint64(0); i < 32; i++ {
		table[i&15] ^= sum
		sum = helper.Add(sum*31, table[(i*7)&15])
	}
	return sum
}

// Lookup checks the index explicitly instead of relying on a bounds check.
//
//go:noinline
func Lookup(i uint) uint64 {
	if i >= uint(len(table)) {
		return 0
	}
	return table[i]
}
