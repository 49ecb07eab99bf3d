// Command interp is the libOS's interpreter image: the Linux personality
// (exogo/libos/linux) alone, with no program of its own. The Makefile
// links it at exo.StartLibosBase (-ldflags "-E exogo/libos/linux.Start
// -T 0x7e0000001000 -R 0x200000") into the boot module's
// lib/exogo-libos (abi/elfload.Interpreter). Its segments start on 2 MiB
// boundaries, so that its text and read-only data fill regions of their
// own, which a libOS's spawn builds once and links read-only into every
// child it loads the interpreter for.
//
// A loader maps it beside every executable that does not bring its own OS
// (abi/elfload.Native: a Go program built with plain go build, a static C
// program) and enters it first, as Linux enters an ELF interpreter. The
// libOS finds in its auxiliary vector that AT_ENTRY is not its own Start,
// sets itself up as for a program linked with it, and starts the program
// at AT_ENTRY with Linux's initial stack (docs/libos.md, "Two ways in").
//
// Its own Go runtime is never started: only the libOS's restricted Go
// runs, below the program's runtime. main is never called.
package main

import _ "exogo/libos/linux"

func main() {}
