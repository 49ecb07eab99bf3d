package bare

import _ "unsafe" // for go:linkname

// Start is the entry point of a program without the Go runtime: it gives Go
// code a stand-in g (UseStandInG), calls the program's main and, when main
// returns, exits with status 0 (a program ends with another status through
// exo.Exit). Nothing in the Go runtime has run, so main must follow the
// restricted-Go rules (docs/restricted-go.md): no allocation, no maps, no
// goroutines, no fmt, no package-level variables that need code to
// initialise them.
//
// Programs whose directory has a start_amd64.s of their own (exo-test,
// exo-bench, exo-fuzz) are entered there instead; the Makefile's programs
// target chooses.
func Start()

// programMain is the program's main.main: the linker binds the name, as the
// Go runtime's own start-up does.
//
//go:linkname programMain main.main
func programMain()

// runMain is called by Start (assembly calls Go through this wrapper).
func runMain() { programMain() }

// CustomStart is the entry point of a runtime-free program with an
// assembly entry of its own, main.start (exo-test, exo-bench, exo-fuzz):
// it carries the native marker (abi/elfload.Native) and jumps there.
func CustomStart()

func startAddress() uintptr
