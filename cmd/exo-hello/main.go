// Command exo-hello is the smallest exogo user program: it runs in ring 3
// without the Go runtime (nothing here may allocate or start goroutines),
// talks to the exokernel through the raw calls of libos/exo, prints a
// greeting on the kernel console and exits. The kernel loads it as the
// first program when the command line says init=exo-hello.
//
// Build: go build -ldflags "-E main.start" (see the Makefile's programs
// target). start (start_amd64.s) gives Go code a stand-in g, as the kernel
// does for itself (docs/restricted-go.md), then calls run.
package main

import (
	"unsafe"

	"exogo/libos/exo"
)

func main() {} // never called: the entry point is start

var greeting = [...]byte{'h', 'e', 'l', 'l', 'o', ' ', 'f', 'r', 'o', 'm', ' ', 'r', 'i', 'n', 'g', ' ', '3', '\n'}

// run is called by start. Its result is the exit status.
func run() uint64 {
	if exo.Null() != 0 {
		return 1
	}
	n := exo.DebugWrite(uintptr(unsafe.Pointer(&greeting[0])), uint64(len(greeting)))
	if n != int64(len(greeting)) {
		return 2
	}
	return 0
}
