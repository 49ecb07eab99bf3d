package console

// Number formatting without fmt: each helper fills a fixed array on the
// caller's stack and hands the digits to Write, so nothing is allocated.

const hexDigits = "0123456789abcdef"

// Buffer sizes: "0x" and 16 hex digits; 20 decimal digits for the largest
// uint64 (18446744073709551615), one more for a minus sign.
const (
	hexBufferSize     = 2 + 16
	decimalBufferSize = 1 + 20
)

// The loops below index the buffers with explicit range checks written so
// that the compiler can see them; that removes its own bounds checks, which
// would otherwise compile in calls to runtime.panicIndex.

// formatHex writes "0x" and all 16 hex digits of value into buffer.
func formatHex(value uint64, buffer *[hexBufferSize]byte) []byte {
	buffer[0] = '0'
	buffer[1] = 'x'
	for i := hexBufferSize - 1; i >= 2; i-- {
		buffer[i] = hexDigit(value)
		value >>= 4
	}
	return buffer[:]
}

// hexDigit returns the hex digit for the low four bits of value.
func hexDigit(value uint64) byte {
	return hexDigits[value&0xF]
}

// formatHexShort writes "0x" and the hex digits of value without leading
// zeros (at least one digit) into the end of buffer, returning them.
func formatHexShort(value uint64, buffer *[hexBufferSize]byte) []byte {
	start := hexBufferSize
	for start > 2 {
		start--
		buffer[start] = hexDigit(value)
		value >>= 4
		if value == 0 {
			break
		}
	}
	if start < 2 || start > hexBufferSize {
		return buffer[:0] // unreachable: the loop stops at 2
	}
	buffer[start-1] = 'x'
	buffer[start-2] = '0'
	return buffer[start-2:]
}

// formatDecimal writes the decimal digits of value, preceded by '-' when
// negative is set, into the end of buffer, returning them.
func formatDecimal(value uint64, negative bool, buffer *[decimalBufferSize]byte) []byte {
	start := decimalBufferSize
	for start > 1 {
		start--
		buffer[start] = byte('0' + value%10)
		value /= 10
		if value == 0 {
			break
		}
	}
	if start < 1 || start > decimalBufferSize {
		return buffer[:0] // unreachable: the loop stops at 1
	}
	if negative {
		buffer[start-1] = '-'
		return buffer[start-1:]
	}
	return buffer[start:]
}

// WriteHex logs value as "0x" followed by exactly 16 lower-case hex digits.
// The caller must not hold the output lock.
func WriteHex(value uint64) {
	var buffer [hexBufferSize]byte
	Write(formatHex(value, &buffer))
}

// WriteHexShort logs value as "0x" followed by its hex digits without
// leading zeros ("0x0" for zero). The caller must not hold the output lock.
func WriteHexShort(value uint64) {
	var buffer [hexBufferSize]byte
	Write(formatHexShort(value, &buffer))
}

// WriteDecimal logs value in decimal. The caller must not hold the output
// lock.
func WriteDecimal(value uint64) {
	var buffer [decimalBufferSize]byte
	Write(formatDecimal(value, false, &buffer))
}

// WriteSignedDecimal logs value in decimal with a leading '-' when negative.
// The caller must not hold the output lock.
func WriteSignedDecimal(value int64) {
	magnitude := uint64(value)
	if value < 0 {
		// Two's complement negation, correct for math.MinInt64 too.
		magnitude = -magnitude
	}
	var buffer [decimalBufferSize]byte
	Write(formatDecimal(magnitude, value < 0, &buffer))
}
