// Package amd64 is the only place in exogo that speaks x86-64 directly: port
// and model-specific-register access, control registers, the descriptor
// tables, the 32-bit Multiboot2 entry trampoline, and the assembly stubs that
// every trap, interrupt and system call enters through.
//
// Everything here is restricted Go (see docs/restricted-go.md): it runs in trap
// context or before the Go runtime exists, so it never allocates, never
// panics and never stores Go pointers. Functions declared without a body are
// implemented in the .s file of the same name; each documents its
// preconditions.
package amd64
