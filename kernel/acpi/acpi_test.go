package acpi

import (
	"runtime"
	"testing"
	"unsafe"
)

// A synthetic physical memory: a buffer whose offsets are physical
// addresses, with tables written at fixed places.
type fakeMemory struct {
	buf []byte
}

func newFakeMemory() *fakeMemory { return &fakeMemory{buf: make([]byte, 64<<10)} }

func (f *fakeMemory) window() Memory {
	return Memory{Base: uintptr(unsafe.Pointer(&f.buf[0])), Limit: uint64(len(f.buf))}
}

func put32(b []byte, i int, v uint32) {
	b[i], b[i+1], b[i+2], b[i+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func put64(b []byte, i int, v uint64) {
	put32(b, i, uint32(v))
	put32(b, i+4, uint32(v>>32))
}

// fix sets the checksum byte at i so that b sums to zero.
func fix(b []byte, i int) {
	b[i] = 0
	sum := byte(0)
	for _, c := range b {
		sum += c
	}
	b[i] = -sum
}

// table writes a system description table (header + body) at p.
func (f *fakeMemory) table(p int, sig string, body []byte) {
	length := headerLength + len(body)
	t := f.buf[p : p+length]
	copy(t, sig)
	put32(t, 4, uint32(length))
	t[8] = 1
	copy(t[10:], "EXOGO ")
	copy(t[headerLength:], body)
	fix(t, 9)
}

func rsdpV1(rsdt uint32) []byte {
	b := make([]byte, 20)
	copy(b, "RSD PTR ")
	copy(b[9:], "EXOGO ")
	put32(b, 16, rsdt)
	fix(b, 8)
	return b
}

func rsdpV2(rsdt uint32, xsdt uint64) []byte {
	b := make([]byte, 36)
	copy(b, "RSD PTR ")
	copy(b[9:], "EXOGO ")
	b[15] = 2
	put32(b, 16, rsdt)
	put32(b, 20, 36)
	put64(b, 24, xsdt)
	fix(b[:20], 8)
	fix(b, 32)
	return b
}

type entry []byte

func localAPIC(uid, id byte, flags uint32) entry {
	e := entry{0, 8, uid, id, 0, 0, 0, 0}
	put32(e, 4, flags)
	return e
}

func x2APIC(id, uid, flags uint32) entry {
	e := make(entry, 16)
	e[0], e[1] = 9, 16
	put32(e, 4, id)
	put32(e, 8, flags)
	put32(e, 12, uid)
	return e
}

func madtBody(entries ...entry) []byte {
	b := make([]byte, 8)
	put32(b, 0, 0xfee00000)
	put32(b, 4, 1) // PCAT_COMPAT
	for _, e := range entries {
		b = append(b, e...)
	}
	return b
}

func (f *fakeMemory) find(rsdp []byte) (Result, Status) {
	var r Result
	s := FindCPUs(rsdp, f.window(), &r)
	runtime.KeepAlive(f)
	return r, s
}

// qemuLike builds an RSDT listing a FACP-like table and the MADT.
func qemuLike(entries ...entry) (*fakeMemory, []byte) {
	f := newFakeMemory()
	f.table(0x2000, "FACP", make([]byte, 80))
	f.table(0x3000, "APIC", madtBody(entries...))
	rsdt := make([]byte, 8)
	put32(rsdt, 0, 0x2000)
	put32(rsdt, 4, 0x3000)
	f.table(0x1000, "RSDT", rsdt)
	return f, rsdpV1(0x1000)
}

func TestRSDTWithTwoCPUs(t *testing.T) {
	f, rsdp := qemuLike(localAPIC(0, 0, 1), localAPIC(1, 1, 1))
	r, s := f.find(rsdp)
	if s != OK || r.Count != 2 || r.CPUs[0].APICID != 0 || r.CPUs[1].APICID != 1 {
		t.Fatalf("status %v, result %+v", s, r)
	}
	if r.LocalAPICAddress != 0xfee00000 || r.MADTAddress != 0x3000 || r.UsedXSDT {
		t.Fatalf("result %+v", r)
	}
}

func TestXSDTAndX2APICAndOverride(t *testing.T) {
	f := newFakeMemory()
	override := make(entry, 12)
	override[0], override[1] = 5, 12
	put64(override, 4, 0xfed00000)
	f.table(0x3000, "APIC", madtBody(localAPIC(0, 0, 1), x2APIC(300, 7, 1), override, localAPIC(2, 2, 0)))
	xsdt := make([]byte, 8)
	put64(xsdt, 0, 0x3000)
	f.table(0x1800, "XSDT", xsdt)
	r, s := f.find(rsdpV2(0x9999_0000, 0x1800)) // the RSDT pointer is bad: unused
	if s != OK || !r.UsedXSDT || r.Count != 2 || r.CPUs[1].APICID != 300 || !r.CPUs[1].X2APIC || r.CPUs[1].ProcessorUID != 7 {
		t.Fatalf("status %v, result %+v", s, r)
	}
	if r.Disabled != 1 || r.LocalAPICAddress != 0xfed00000 || r.Revision != 2 {
		t.Fatalf("result %+v", r)
	}
}

func TestDisabledAndDuplicateCPUs(t *testing.T) {
	f, rsdp := qemuLike(localAPIC(0, 0, 1), localAPIC(1, 1, 0), localAPIC(2, 2, 2), localAPIC(3, 0, 1), localAPIC(4, 4, 1))
	r, s := f.find(rsdp)
	if s != OK || r.Count != 2 || r.CPUs[1].APICID != 4 || r.Disabled != 2 || r.Duplicate != 1 {
		t.Fatalf("status %v, result %+v", s, r)
	}
}

func TestTooManyCPUsAreDropped(t *testing.T) {
	var entries []entry
	for i := 0; i < 20; i++ {
		entries = append(entries, localAPIC(byte(i), byte(i), 1))
	}
	f, rsdp := qemuLike(entries...)
	r, s := f.find(rsdp)
	if s != OK || r.Count != len(r.CPUs) || r.Dropped != 20-len(r.CPUs) {
		t.Fatalf("status %v, count %d dropped %d", s, r.Count, r.Dropped)
	}
}

func TestBadTables(t *testing.T) {
	t.Run("RSDP checksum", func(t *testing.T) {
		f, rsdp := qemuLike(localAPIC(0, 0, 1))
		rsdp[8]++
		if _, s := f.find(rsdp); s != BadRSDP {
			t.Fatal(s)
		}
	})
	t.Run("RSDP signature", func(t *testing.T) {
		f, rsdp := qemuLike(localAPIC(0, 0, 1))
		rsdp[0] = 'X'
		fix(rsdp, 8)
		if _, s := f.find(rsdp); s != BadRSDP {
			t.Fatal(s)
		}
	})
	t.Run("RSDP short", func(t *testing.T) {
		f, rsdp := qemuLike(localAPIC(0, 0, 1))
		if _, s := f.find(rsdp[:19]); s != BadRSDP {
			t.Fatal(s)
		}
	})
	t.Run("extended checksum", func(t *testing.T) {
		f, _ := qemuLike(localAPIC(0, 0, 1))
		rsdp := rsdpV2(0x1000, 0x1000)
		rsdp[33]++
		if _, s := f.find(rsdp); s != BadRSDP {
			t.Fatal(s)
		}
	})
	t.Run("RSDT checksum", func(t *testing.T) {
		f, rsdp := qemuLike(localAPIC(0, 0, 1))
		f.buf[0x1000+headerLength]++
		if _, s := f.find(rsdp); s != BadRootTable {
			t.Fatal(s)
		}
	})
	t.Run("RSDT outside memory", func(t *testing.T) {
		f, _ := qemuLike(localAPIC(0, 0, 1))
		if _, s := f.find(rsdpV1(0xfffff000)); s != BadRootTable {
			t.Fatal(s)
		}
	})
	t.Run("RSDT length past the end of memory", func(t *testing.T) {
		f, _ := qemuLike(localAPIC(0, 0, 1))
		end := len(f.buf) - 40
		f.table(end, "RSDT", make([]byte, 4))
		put32(f.buf[end:], 4, 0xffffff00)
		if _, s := f.find(rsdpV1(uint32(end))); s != BadRootTable {
			t.Fatal(s)
		}
	})
	t.Run("RSDT length shorter than a header", func(t *testing.T) {
		f, rsdp := qemuLike(localAPIC(0, 0, 1))
		put32(f.buf[0x1000:], 4, 20)
		if _, s := f.find(rsdp); s != BadRootTable {
			t.Fatal(s)
		}
	})
	t.Run("MADT checksum", func(t *testing.T) {
		f, rsdp := qemuLike(localAPIC(0, 0, 1))
		f.buf[0x3000+headerLength+8+3]++ // the APIC ID
		if _, s := f.find(rsdp); s != NoMADT {
			t.Fatal(s)
		}
	})
	t.Run("MADT entry overruns the table", func(t *testing.T) {
		e := localAPIC(0, 0, 1)
		e[1] = 40
		f, rsdp := qemuLike(localAPIC(1, 1, 1), e)
		if _, s := f.find(rsdp); s != BadMADT {
			t.Fatal(s)
		}
	})
	t.Run("MADT entry of length zero", func(t *testing.T) {
		f, rsdp := qemuLike(localAPIC(0, 0, 1), entry{0, 0})
		if _, s := f.find(rsdp); s != BadMADT {
			t.Fatal(s)
		}
	})
	t.Run("MADT truncated header", func(t *testing.T) {
		f := newFakeMemory()
		f.table(0x3000, "APIC", []byte{1, 2, 3})
		rsdt := make([]byte, 4)
		put32(rsdt, 0, 0x3000)
		f.table(0x1000, "RSDT", rsdt)
		if _, s := f.find(rsdpV1(0x1000)); s != BadMADT {
			t.Fatal(s)
		}
	})
	t.Run("no MADT", func(t *testing.T) {
		f := newFakeMemory()
		f.table(0x2000, "FACP", make([]byte, 80))
		rsdt := make([]byte, 4)
		put32(rsdt, 0, 0x2000)
		f.table(0x1000, "RSDT", rsdt)
		if _, s := f.find(rsdpV1(0x1000)); s != NoMADT {
			t.Fatal(s)
		}
	})
	t.Run("no enabled CPU", func(t *testing.T) {
		f, rsdp := qemuLike(localAPIC(0, 0, 0))
		if _, s := f.find(rsdp); s != NoProcessorEntries {
			t.Fatal(s)
		}
	})
}

func TestFindCPUsDoesNotAllocate(t *testing.T) {
	f, rsdp := qemuLike(localAPIC(0, 0, 1), localAPIC(1, 1, 1))
	w := f.window()
	var r Result
	if n := testing.AllocsPerRun(100, func() { FindCPUs(rsdp, w, &r) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
	runtime.KeepAlive(f)
}
