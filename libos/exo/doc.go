// Package exo is the libOS side of the exokernel interface: one Go function
// per exokernel call (exo.SegmentCreate, exo.FrameAlloc, ...), implemented
// in assembly (calls_amd64.s) as a SYSCALL with the call number in RAX and
// the arguments in RDI, RSI, RDX, R10, R8, R9, returning RAX: >= 0 is
// success, < 0 is -code (ErrorName names it).
//
// Everything here except this comment is generated from
// kernel/exo/syscalls.conf by `go generate ./kernel/exo`; docs/syscalls.md
// is the reference.
//
// The stubs are NOSPLIT and frameless and call nothing, so they work before
// the Go runtime starts (in a libOS entry, in upcall handlers). One
// condition: a Go caller (not an assembly one) reloads R14 from -8(FS) after
// the call, so FS must point at a TLS block whose slot -8 holds a readable
// address (a stand-in g, as the kernel does; docs/restricted-go.md).
package exo
