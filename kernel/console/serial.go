package console

import "exogo/arch/amd64"

// The serial console is the first 16550-compatible UART, COM1, whose eight
// registers sit at I/O ports 0x3F8..0x3FF. Only the transmit side is used:
// InitSerial programs 115200 baud, 8 data bits, no parity, 1 stop bit (8N1),
// with the FIFOs on and all UART interrupts off, and SerialWriteByte polls
// the line-status register until the transmitter can take another byte.
//
// This is the one file of the package that touches I/O ports, which a host
// test process may not do; host tests never call InitSerial, so the UART
// stays marked absent and SerialWriteByte returns at once.
const (
	com1Base = 0x3F8

	// Register offsets from the base port. With the divisor-latch access
	// bit (DLAB) set in the line-control register, offsets 0 and 1 are the
	// low and high bytes of the baud-rate divisor instead.
	uartData            = 0 // transmit holding / receive buffer; divisor low
	uartInterruptEnable = 1 // interrupt enable; divisor high
	uartFIFOControl     = 2
	uartLineControl     = 3
	uartModemControl    = 4
	uartLineStatus      = 5

	// The UART divides its 1.8432 MHz clock by 16 and then by the divisor:
	// divisor 1 gives 115200 baud.
	baudDivisor = 1

	lineControlDivisorLatch = 0x80
	lineControl8N1          = 0x03 // 8 data bits, no parity, 1 stop bit

	// FIFO control: enable both FIFOs, clear them, receive trigger at 14
	// bytes (unused, the receive interrupt stays off).
	fifoEnableAndClear = 0xC7

	// Modem control: DTR and RTS asserted. OUT2, which gates the UART's
	// interrupt line on PC hardware, stays clear. Loopback routes the
	// transmitter back into the receiver, used to probe for the chip.
	modemControlReady    = 0x03
	modemControlLoopback = 0x10 | modemControlReady

	lineStatusDataReady     = 0x01
	lineStatusTransmitEmpty = 0x20 // transmit holding register empty

	// transmitSpinLimit bounds every wait on the UART. One byte takes about
	// 87 microseconds at 115200 baud and one port read at least a few
	// hundred nanoseconds, so this is many byte times: a UART that has not
	// become ready by then is missing or wedged.
	transmitSpinLimit = 1 << 18

	// probeByte is sent through the loopback path by InitSerial.
	probeByte = 0xA5
)

// serialFound is 1 when InitSerial found a UART at boot: ReclaimSerial
// may then take it back from a process that reprogrammed it.
var serialFound uint32

// ReclaimSerial puts COM1 back the way InitSerial set it (115200 8N1,
// FIFOs, interrupts off, no loopback) and resumes serial output, whatever a
// process holding the console right did to its registers through its ports:
// the kernel calls it before a fault report, which must reach the serial
// line. It does nothing when no UART was found at boot.
//
// Preconditions: ring 0; the caller owns the console output (a fault report
// forces the lock).
func ReclaimSerial() {
	if serialFound == 0 {
		return
	}
	programUART()
	amd64.OutByte(com1Base+uartModemControl, modemControlReady)
	serialPresent = 1
}

// programUART sets COM1 to 115200 8N1 with FIFOs on and interrupts off.
func programUART() {
	amd64.OutByte(com1Base+uartInterruptEnable, 0)
	amd64.OutByte(com1Base+uartLineControl, lineControlDivisorLatch)
	amd64.OutByte(com1Base+uartData, baudDivisor&0xFF)
	amd64.OutByte(com1Base+uartInterruptEnable, baudDivisor>>8)
	amd64.OutByte(com1Base+uartLineControl, lineControl8N1)
	amd64.OutByte(com1Base+uartFIFOControl, fifoEnableAndClear)
}

// serialPresent is 1 once InitSerial found a working UART, and drops back to
// 0 if the transmitter ever stops becoming ready. Accessed with the output
// lock held, or before other CPUs run.
var serialPresent uint32

// InitSerial programs COM1 for 115200 8N1 with FIFOs on and interrupts off,
// and checks through the loopback path that a UART answers. Without one, all
// later serial output is skipped.
//
// Preconditions: ring 0 (port I/O); no other CPU is writing to the console.
func InitSerial() {
	serialPresent = 0
	programUART()

	// Probe: in loopback mode a byte written comes straight back. With no
	// chip behind the ports, reads return 0xFF and the probe fails.
	amd64.OutByte(com1Base+uartModemControl, modemControlLoopback)
	amd64.OutByte(com1Base+uartData, probeByte)
	received := false
	for spin := 0; spin < transmitSpinLimit; spin++ {
		status := amd64.InByte(com1Base + uartLineStatus)
		if status != 0xFF && status&lineStatusDataReady != 0 {
			received = amd64.InByte(com1Base+uartData) == probeByte
			break
		}
	}
	amd64.OutByte(com1Base+uartModemControl, modemControlReady)

	if received {
		serialPresent, serialFound = 1, 1
	}
}

// SerialWriteByte sends one byte to COM1, sending "\r\n" for '\n' so that
// terminals return to the first column. It returns at once when no UART is
// present; when the transmitter does not become ready within a bounded spin
// it marks the UART absent and drops the byte.
//
// Preconditions: the caller holds the output lock (Write and friends do) or
// no other CPU is writing to the console.
func SerialWriteByte(b byte) {
	if b == '\n' {
		serialTransmit('\r')
	}
	serialTransmit(b)
}

// serialTransmit waits for the transmit holding register and writes b.
func serialTransmit(b byte) {
	if serialPresent == 0 {
		return
	}
	for spin := 0; spin < transmitSpinLimit; spin++ {
		if amd64.InByte(com1Base+uartLineStatus)&lineStatusTransmitEmpty != 0 {
			amd64.OutByte(com1Base+uartData, b)
			return
		}
	}
	serialPresent = 0
}
