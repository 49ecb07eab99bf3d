// Package linuxabi is the Linux x86-64 ABI as exogo's two Linux
// personalities see it: the kernel's own runtime personality (kernel/linux)
// and the library OS that serves a user program's runtime (libos/linux).
// It holds numbers (system calls, errno values, flags), byte layouts
// (sigaction, stack_t, the signal frame, ucontext, siginfo, stat,
// dirent64, epoll_event, timespec) and pure builders (the initial stack).
//
// It imports nothing from the kernel or the libOS, and neither of them
// imports the other: both import this package (test/deps checks the
// direction). Its layouts are host-tested against golang.org/x/sys/unix.
//
// Everything here is restricted Go (docs/restricted-go.md): no allocation,
// no panics, nothing that needs a running Go runtime; the builders write
// into memory the caller hands them.
package linuxabi
