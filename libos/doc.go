// Package libos will hold exogo's library operating systems: the code linked
// into user programs that does what the exokernel leaves out (memory
// management over physical frames and segments, the RAM filesystem, the
// console driver, the M:N thread scheduler driven by upcalls, and the Linux
// personality that lets unmodified Go programs run).
//
// What is here today is the layer such libOSes start from, used by the
// runtime-free programs in cmd/: libos/exo, the exokernel call stubs
// generated from kernel/exo/syscalls.conf; libos/bare, helpers for programs
// without the Go runtime (console output, segments, copying a program into
// a child, upcall entry and resume); and libos/fault, probes that fault on
// purpose. The libOS proper (the M:N scheduler and the Linux personality
// first) is the next work: see docs/README.md.
package libos
