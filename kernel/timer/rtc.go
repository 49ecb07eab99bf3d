package timer

import "exogo/arch/amd64"

// The CMOS real-time clock keeps the date while the machine is off. Its
// registers are read through index port 0x70 and data port 0x71: seconds 0,
// minutes 2, hours 4, day 7, month 8, year 9, status B 0x0B (bit 2 set =
// binary rather than BCD, bit 1 set = 24-hour). Status A bit 7 is set while
// an update is in progress; read around it.

func cmos(register uint8) uint8 {
	amd64.OutByte(0x70, register)
	return amd64.InByte(0x71)
}

// readRealTimeClock returns the RTC's time as Unix seconds (the RTC is
// assumed to run in UTC, as QEMU's does by default).
func readRealTimeClock() int64 {
	for spins := 0; cmos(0x0a)&0x80 != 0 && spins < 1_000_000; spins++ {
	}
	second, minute, hour := cmos(0x00), cmos(0x02), cmos(0x04)
	day, month, year := cmos(0x07), cmos(0x08), cmos(0x09)
	status := cmos(0x0b)
	if status&0x04 == 0 {
		second, minute, day, month, year = fromBCD(second), fromBCD(minute), fromBCD(day), fromBCD(month), fromBCD(year)
		hour = fromBCD(hour&0x7f) | hour&0x80
	}
	if status&0x02 == 0 && hour&0x80 != 0 {
		hour = (hour&0x7f)%12 + 12
	}
	return UnixSeconds(2000+int64(year), int64(month), int64(day), int64(hour), int64(minute), int64(second))
}

func fromBCD(v uint8) uint8 { return v&0x0f + (v>>4)*10 }

// UnixSeconds converts a UTC civil date and time to seconds since 1970
// (days-from-civil over the proleptic Gregorian calendar). Out-of-range
// months are clamped rather than trusted.
func UnixSeconds(year, month, day, hour, minute, second int64) int64 {
	if month < 1 || month > 12 {
		month = 1
	}
	if month <= 2 {
		year--
	}
	era := year / 400
	yearOfEra := year - era*400
	m := month + 9
	if month > 2 {
		m = month - 3
	}
	dayOfYear := (153*m+2)/5 + day - 1
	dayOfEra := yearOfEra*365 + yearOfEra/4 - yearOfEra/100 + dayOfYear
	days := era*146097 + dayOfEra - 719468
	return days*86400 + hour*3600 + minute*60 + second
}
