// Package exo is the exokernel interface of exogo: the system calls user
// processes (ring 3) make with SYSCALL numbers 0x1000 + n.
//
// The calls are defined once, in the table syscalls.conf. From it,
// internal/gensyscalls generates this package's dispatch_gen.go (call
// numbers, error codes, value types, and Dispatch, which checks each
// argument's kind before calling the handler sys<Name>), the libOS stubs in
// libos/exo, and docs/syscalls.md. To add, remove or change a call, edit the
// table, run `go generate ./kernel/exo`, and write or adjust the handler:
// the generated comment on each Call constant gives its signature. The
// handlers are ordinary files of this package; the generator never reads
// them. A call in the table without a handler yet answers
// EXO_NOT_IMPLEMENTED.
//
// This package is restricted Go (docs/restricted-go.md): Dispatch and the
// handlers run in trap context.
package exo

//go:generate go run ./internal/gensyscalls
