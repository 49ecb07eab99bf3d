// Package helper is an ordinary (hosted) package called by restricted code.
package helper

import "fmt"

// Add is clean.
//
//go:noinline
func Add(a, b uint64) uint64 { return a + b }

// Describe looks harmless but formats with fmt.
//
//go:noinline
func Describe(x int) string {
	return fmt.Sprintf("x=%d", x)
}

// Leaky is restricted code living in this hosted package (a -functions root).
//
//go:noinline
func Leaky(n int) []byte {
	return make([]byte, n) // VIOLATION:leaky
}
