package amd64

// The x86 I/O port space is a separate 16-bit address space reached only by
// the IN and OUT instructions. Legacy devices (the 16550 UART behind COM1, the
// 8254 PIT, the 8259 PICs, QEMU's isa-debug-exit) live there.

// InByte reads one byte from I/O port port.
//

func InByte(port uint16) uint8

// OutByte writes value to I/O port port.
//

func OutByte(port uint16, value uint8)

// InWord reads 16 bits from I/O port port.
func InWord(port uint16) uint16

// OutWord writes 16 bits to I/O port port.
func OutWord(port uint16, value uint16)

// InLong reads 32 bits from I/O port port.
func InLong(port uint16) uint32

// OutLong writes 32 bits to I/O port port.
func OutLong(port uint16, value uint32)
