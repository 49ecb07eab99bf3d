// Package acpi reads the ACPI tables the firmware leaves in memory, as far
// as the kernel needs them: from the root pointer (RSDP) through the root
// table (RSDT for ACPI 1.0, XSDT for 2.0+) to the Multiple APIC Description
// Table (MADT, signature "APIC"), whose entries name every processor's
// local APIC. Nothing else is interpreted (no AML).
//
// Every table is validated before it is believed: its length must be
// plausible and lie inside the physical memory the caller says it can read,
// and its bytes must sum to zero (the ACPI checksum). A bad table is a
// Status, never a fault: the caller then runs on one CPU.
//
// Restricted Go (docs/restricted-go.md): it runs in earlyMain, before the
// Go runtime, over physical memory reached through a window (the direct map
// in the kernel, a buffer in host tests). No allocation, no panics.
package acpi

import (
	"exogo/arch/amd64"
	"exogo/kernel/rawmem"
)

// Memory is a window on physical memory: physical address p (< Limit) is
// readable at virtual address Base + p.
type Memory struct {
	Base  uintptr
	Limit uint64
}

// bytes returns the length bytes at physical address p, or ok = false
// when any of them lies outside the window.
func (m Memory) bytes(p uint64, length uint64) ([]byte, bool) {
	if length == 0 || length > MaxTableLength || p >= m.Limit || length > m.Limit-p {
		return nil, false
	}
	return rawmem.Bytes(m.Base+uintptr(p), uintptr(length)), true
}

// MaxTableLength bounds the length of one table the parser believes.
const MaxTableLength = 1 << 20

// Status is the outcome of FindCPUs.
type Status int

const (
	OK                 Status = iota
	BadRSDP                   // the root pointer is short, unsigned or fails its checksum
	BadRootTable              // the RSDT/XSDT is outside memory, too short or fails its checksum
	NoMADT                    // no valid "APIC" table is listed
	BadMADT                   // the MADT is too short or an entry overruns it
	NoProcessorEntries        // the MADT lists no enabled processor
)

var statusNames = [...]string{
	"ok",
	"bad RSDP (signature, length or checksum)",
	"bad RSDT/XSDT (outside memory, too short or bad checksum)",
	"no valid MADT (APIC table)",
	"malformed MADT (an entry overruns the table)",
	"the MADT lists no enabled processor",
}

func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown status"
}

// CPU is one processor the MADT lists as enabled.
type CPU struct {
	APICID       uint32 // local APIC ID (the target of IPIs)
	ProcessorUID uint32 // ACPI processor UID
	X2APIC       bool   // listed by an x2APIC entry (type 9)
}

// Result is what FindCPUs learned.
type Result struct {
	Revision         int    // ACPI revision of the RSDP (0: 1.0, 2+: 2.0+)
	UsedXSDT         bool   // the XSDT (64-bit pointers) was walked
	MADTAddress      uint64 // physical address of the MADT
	LocalAPICAddress uint64 // local APIC base the MADT gives (with any override)
	CPUs             [amd64.MaxCPUs]CPU
	Count            int // entries of CPUs filled
	Disabled         int // processors listed but not enabled
	Dropped          int // enabled processors beyond amd64.MaxCPUs
	Duplicate        int // entries repeating an APIC ID already seen

	// The first I/O APIC (MADT entry type 1), which routes the legacy ISA
	// interrupt lines, and the interrupt source overrides (type 2) for
	// ISA lines 0-15: line i arrives at global system interrupt
	// Overrides[i].GSI with the polarity and trigger of its flags.
	IOAPICAddress uint64
	IOAPICGSIBase uint32
	IOAPICFound   bool
	Overrides     [16]Override
}

// Override is an ISA interrupt source override.
type Override struct {
	Present bool
	GSI     uint32
	Flags   uint16 // bits 0-1 polarity (3: active low), 2-3 trigger (3: level)
}

// Table header (every system description table).
const (
	headerLength   = 36
	offsetLength   = 4
	madtFirstEntry = 44
	madtLocalAPIC  = 36
	entryLocalAPIC = 0
	entryIOAPIC    = 1
	entryOverride  = 2
	entryAPICAddr  = 5
	entryX2APIC    = 9
	flagEnabled    = 1
)

func le32(b []byte, i int) uint32 {
	if i < 0 || i >= len(b) {
		return 0
	}
	b = b[i:]
	if len(b) < 4 {
		return 0
	}
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func le64(b []byte, i int) uint64 {
	return uint64(le32(b, i)) | uint64(le32(b, i+4))<<32
}

// Checksum reports whether b's bytes sum to zero modulo 256.
func Checksum(b []byte) bool {
	sum := byte(0)
	for _, c := range b {
		sum += c
	}
	return sum == 0
}

// table returns the whole system description table at p after checking
// that its header is readable, its length at least the header's and
// inside the window, and its checksum.
func (m Memory) table(p uint64) ([]byte, bool) {
	header, ok := m.bytes(p, headerLength)
	if !ok {
		return nil, false
	}
	length := uint64(le32(header, offsetLength))
	if length < headerLength {
		return nil, false
	}
	t, ok := m.bytes(p, length)
	if !ok || !Checksum(t) {
		return nil, false
	}
	return t, true
}

func signature(b []byte, s string) bool {
	if len(b) < 4 || len(s) != 4 {
		return false
	}
	return b[0] == s[0] && b[1] == s[1] && b[2] == s[2] && b[3] == s[3]
}

// FindCPUs walks from the RSDP (its bytes, as the boot loader copied them)
// to the MADT and fills r with the processors it lists.
func FindCPUs(rsdp []byte, m Memory, r *Result) Status {
	*r = Result{}
	if len(rsdp) < 20 || !signature(rsdp, "RSD ") || !signature(rsdp[4:], "PTR ") || !Checksum(rsdp[:20]) {
		return BadRSDP
	}
	r.Revision = int(rsdp[15])
	root := uint64(le32(rsdp, 16))
	pointerSize := 4
	if r.Revision >= 2 && len(rsdp) >= 36 {
		length := int(le32(rsdp, 20))
		if length < 36 || length > len(rsdp) || !Checksum(rsdp[:length]) {
			return BadRSDP
		}
		if x := le64(rsdp, 24); x != 0 {
			root, pointerSize, r.UsedXSDT = x, 8, true
		}
	}
	rootTable, ok := m.table(root)
	wantSignature := "RSDT"
	if r.UsedXSDT {
		wantSignature = "XSDT"
	}
	if !ok || !signature(rootTable, wantSignature) {
		return BadRootTable
	}
	madt := []byte(nil)
	for i := headerLength; i+pointerSize <= len(rootTable); i += pointerSize {
		p := uint64(le32(rootTable, i))
		if pointerSize == 8 {
			p = le64(rootTable, i)
		}
		header, ok := m.bytes(p, headerLength)
		if !ok || !signature(header, "APIC") {
			continue
		}
		if t, ok := m.table(p); ok {
			madt, r.MADTAddress = t, p
			break
		}
	}
	if madt == nil {
		return NoMADT
	}
	return parseMADT(madt, r)
}

// parseMADT reads the MADT's entries: processor local APICs (type 0),
// processor local x2APICs (type 9) and the local APIC address override
// (type 5).
func parseMADT(madt []byte, r *Result) Status {
	if len(madt) < madtFirstEntry {
		return BadMADT
	}
	r.LocalAPICAddress = uint64(le32(madt, madtLocalAPIC))
	for rest := madt[madtFirstEntry:]; len(rest) > 0; {
		if len(rest) < 2 {
			return BadMADT
		}
		kind, length := rest[0], int(rest[1])
		if length < 2 || length > len(rest) {
			return BadMADT
		}
		entry := rest[:length]
		rest = rest[length:]
		switch kind {
		case entryLocalAPIC:
			if len(entry) < 8 {
				return BadMADT
			}
			r.add(uint32(entry[3]), uint32(entry[2]), le32(entry, 4), false)
		case entryX2APIC:
			if len(entry) < 16 {
				return BadMADT
			}
			r.add(le32(entry, 4), le32(entry, 12), le32(entry, 8), true)
		case entryAPICAddr:
			if len(entry) < 12 {
				return BadMADT
			}
			r.LocalAPICAddress = le64(entry, 4)
		case entryIOAPIC:
			if len(entry) < 12 {
				return BadMADT
			}
			if !r.IOAPICFound {
				r.IOAPICAddress, r.IOAPICGSIBase, r.IOAPICFound = uint64(le32(entry, 4)), le32(entry, 8), true
			}
		case entryOverride:
			if len(entry) < 10 {
				return BadMADT
			}
			if source := entry[3]; entry[2] == 0 && source < 16 {
				r.Overrides[source%16] = Override{Present: true, GSI: le32(entry, 4), Flags: uint16(entry[8]) | uint16(entry[9])<<8}
			}
		}
	}
	if r.Count == 0 {
		return NoProcessorEntries
	}
	return OK
}

func (r *Result) add(apicID, uid, flags uint32, x2apic bool) {
	// Online-capable but not enabled processors are hot-plug slots, not
	// running processors: they are not started.
	if flags&flagEnabled == 0 {
		r.Disabled++
		return
	}
	for i := 0; i < r.Count && i < len(r.CPUs); i++ {
		if r.CPUs[i].APICID == apicID {
			r.Duplicate++
			return
		}
	}
	if r.Count >= len(r.CPUs) {
		r.Dropped++
		return
	}
	r.CPUs[uint(r.Count)%amd64.MaxCPUs] = CPU{APICID: apicID, ProcessorUID: uid, X2APIC: x2apic}
	r.Count++
}
