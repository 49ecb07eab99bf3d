// Package libos holds exogo's library operating systems: the code linked
// into user programs that does what the exokernel leaves out.
//
//   - libos/linux: the Linux personality. A Go program that imports it runs
//     its ordinary runtime in ring 3; the libOS serves the runtime's Linux
//     system calls (docs/libos.md).
//   - libos/uthread: its user-level threads (run queue, futex waits).
//   - libos/mem: its memory manager (the address-space map, lazy commits
//     over frames and segments, the checks before touching program memory).
//   - libos/exo: the exokernel call stubs, generated from
//     kernel/exo/syscalls.conf.
//   - libos/bare: helpers for programs without the Go runtime (console
//     output, segments, copying a program into a child, upcall entry and
//     resume), and libos/fault, probes that fault on purpose.
//
// What is not built yet: docs/libos.md, "Not built yet".
package libos
