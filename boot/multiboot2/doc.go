// Package multiboot2 reads and writes the two data structures of the
// Multiboot2 boot protocol that exogo depends on.
//
// GRUB loads the kernel ELF because the kernel image carries a Multiboot2
// header in its first 32 KiB; GRUB then jumps to the kernel's entry point with
// the magic value 0x36D76289 in EAX and, in EBX, the physical address of the
// boot information: a list of tagged records that describe the memory map,
// the framebuffer, the command line, the boot modules, the ACPI root pointer
// and more.
//
// The package has two halves that run in very different worlds:
//
//   - info.go, status.go, parse.go, tags.go and memorymap.go are restricted
//     Go (verified with -gcflags=-m and -d=ssa/check_bce). The kernel calls
//     Parse and SanitizeMemoryMap before the Go runtime exists, on a small
//     fixed stack with a stand-in g. They never allocate, never store Go
//     pointers in global state, never panic (every index is proven in bounds
//     by an explicit check so the compiler emits no bounds-check panics) and
//     never block. All results go into caller-provided structures whose
//     fields are plain integers and fixed-size arrays. Malformed input is
//     reported as a ParseStatus naming the problem and the offending tag, and
//     whatever was valid is kept.
//
//   - header.go is ordinary hosted Go used by the build tool: BuildHeader
//     produces the Multiboot2 header bytes that are patched into the kernel
//     image, and FindHeader and ValidateHeader check an image the way GRUB
//     would before trying to boot it. Restricted code must not call them.
//
// All multi-byte fields in both structures are little-endian.
package multiboot2
