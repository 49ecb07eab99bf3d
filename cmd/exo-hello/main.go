// Command exo-hello is the smallest exogo user program: it runs in ring 3
// without the Go runtime (nothing here may allocate or start goroutines),
// talks to the exokernel through the raw calls of libos/exo, prints a
// greeting on the kernel console and exits. The kernel loads it as the
// first program when the command line says init=exo-hello.
//
// It has no entry of its own: the Makefile links it with
// -ldflags "-E exogo/libos/bare.Start", which gives Go code a stand-in g
// (docs/restricted-go.md), calls main, and exits with status 0 when main
// returns. A failure ends it early through exo.Exit.
package main

import (
	"exogo/libos/bare"
	"exogo/libos/exo"
)

func main() {
	if exo.Null() != 0 {
		exo.Exit(1)
	}
	bare.Say("hello from ring 3\n")
}
