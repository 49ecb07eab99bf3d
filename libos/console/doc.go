// Package console is the libOS's console driver: the terminal that a
// program's file descriptors 0, 1 and 2 are, drawn on the screen segment
// (VGA text cells, or a framebuffer with the Terminus Font glyphs in
// font_table.go) and fed by the serial line and the keyboard.
//
// Every process of a console shares one page of state (Shared): the
// cursor, the colours, the escape sequence being parsed, and the input:
// a ring of typed bytes, the line being edited and the terminal's mode.
// The first process makes the page and links it, with the screen, into
// each child (libos/linux, console.go), so their output lands in one
// place, line after line, and any of them can read what is typed. The
// process that holds the input devices (the first: their interrupt
// lines are bound to it) runs the line discipline in its interrupt
// upcall and notifies the ring's Head word; readers elsewhere watch that
// word (word_watch) and sleep meanwhile.
//
// The package is the part that needs no device: the terminal (Write),
// the line discipline (Input) and the reader's side of the ring (Read),
// over memory given as addresses. It is host-tested against plain byte
// arrays. The shared page's lock, the serial port and the hardware
// cursor are the caller's. Everything read from the shared page is
// bounded before use: another process may have written anything there,
// and the worst it can do is garble the screen.
//
// Restricted Go (docs/restricted-go.md): no allocation, no panics, no
// Go pointers in state, valid at the zero value.
package console
