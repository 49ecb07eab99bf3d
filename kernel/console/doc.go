// Package console is the kernel log: every message the kernel prints goes
// through here to the COM1 serial port and, when one is configured, to the
// screen.
//
// Two kinds of screen exist, depending on how GRUB started us:
//
//   - Under a BIOS boot the video card is left in VGA text mode, 80x25
//     character cells at physical 0xB8000. UseVGAText selects it.
//   - Under UEFI there is no text mode. GRUB hands over a linear framebuffer
//     described by the Multiboot2 framebuffer tag (type 1, direct RGB), and the
//     console draws characters into it with the 8x16 bitmap font authored in
//     font.txt. UseFramebuffer selects it.
//
// Either screen keeps its last 1024 rows (history.go): on a PC, Shift+Page
// Up and Shift+Page Down scroll back through them (keyboard.go; the PS/2
// keyboard is the console's until a process binds its interrupt line).
//
// The serial port is always written once InitSerial found a UART, so a
// headless machine or QEMU's -serial stdio sees the whole log either way.
//
// The package also provides the few formatting helpers the kernel needs
// everywhere (hexadecimal and decimal numbers), because fmt is not available
// where the log is written from.
//
// This package is restricted Go (see the design brief, section 3): it runs in
// trap and interrupt context and before the Go runtime exists. It never
// allocates, never panics, never blocks except on its own output spin lock,
// and keeps no Go pointers in global state: the screens are described by
// plain structs of integers and uintptr base addresses, and memory-mapped
// video memory is reached through unsafe.Pointer values made on the fly.
package console
