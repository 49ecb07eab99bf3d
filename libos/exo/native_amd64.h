// NATIVE_MARKER begins the entry point of every program built for exogo
// (exogo/libos/linux.Start, exogo/libos/bare.Start and CustomStart): a
// short jump over 14 bytes of text. A loader that finds it enters the
// program itself; it loads any other executable beside the libOS's
// interpreter image (abi/elfload.NativeMarker and Native, which host
// tests check against these bytes).
#define NATIVE_MARKER \
	BYTE $0xeb; BYTE $0x0e; \
	BYTE $'e'; BYTE $'x'; BYTE $'o'; BYTE $'g'; BYTE $'o'; BYTE $'-'; BYTE $'n'; \
	BYTE $'a'; BYTE $'t'; BYTE $'i'; BYTE $'v'; BYTE $'e'; BYTE $'-'; BYTE $'1'
