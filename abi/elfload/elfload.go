// Package elfload is the pure part of a libOS's ELF loader: it parses and
// validates a static x86-64 executable (bytes from the read-only boot
// archive) and returns a Plan, the segments to map and the entry point.
// The caller allocates the frames, copies the bytes and maps the pages.
//
// Every corrupt or hostile file is refused with a Problem; Parse reads
// only inside the byte slice it is given and bounds every loop by header
// counts it has checked first.
//
// Restricted Go (docs/restricted-go.md): no allocation, no pointers in its
// state, no panics (every index follows an explicit check or is masked),
// no blocking. It runs in a libOS's upcall handlers.
package elfload

// Limits the loader enforces.
const (
	MaxSegments = 16        // PT_LOAD segments
	MaxBytes    = 256 << 20 // total memory of all PT_LOAD segments
)

// Segment is one PT_LOAD segment to map.
type Segment struct {
	Vaddr, Memsz   uint64 // where it goes and how much memory (the rest after Filesz is zero)
	Offset, Filesz uint64 // the bytes of the file that fill its start
	Write, Execute bool   // from p_flags PF_W, PF_X
}

// Plan is what to map and where to start. Segments[:Count] are sorted by
// Vaddr and do not overlap, but two neighbours may share one page: the end
// of one and the start of the next. Such a page needs the bytes of both
// (and the zeroes of the first's tail) and the union of their permissions.
// Segments with Memsz 0 are left out.
type Plan struct {
	Entry    uint64
	Segments [MaxSegments]Segment
	Count    int
	Phoff    uint64 // the program headers' file offset, Phnum of them
	Phnum    int
	// Phdr is where the program headers lie once loaded (Linux's
	// AT_PHDR): inside the file bytes of a segment (Parse refuses a file
	// where none holds them).
	Phdr uint64
	// Low and High bound every segment's pages: [Low, High), page-aligned.
	Low, High uint64
}

// Problem says why a file was refused (0: none). String() gives a short
// English phrase for a message such as "/bin/x: not an executable: <phrase>".
type Problem uint8

// The problems, in about the order Parse looks for them (BadSegment,
// OutOfRange and TooBig are checked segment by segment).
const (
	OK               Problem = iota
	TooShort                 // shorter than an ELF header, or the program headers run past the end of the file
	NotELF                   // no \x7fELF magic
	Not64Bit                 // not ELFCLASS64 little-endian, version 1
	NotX86_64                // e_machine != EM_X86_64 (62)
	NotExecutable            // e_type != ET_EXEC (2); ET_DYN (position-independent) too
	BadHeaders               // e_phentsize != 56, or e_phnum 0 or > 64, or the headers' offset overflows
	Dynamic                  // a PT_INTERP or PT_DYNAMIC header: a dynamically linked program
	NoSegments               // no PT_LOAD (with memory)
	TooManySegments          // more than MaxSegments PT_LOAD
	BadSegment               // p_filesz > p_memsz, p_offset+p_filesz past the end or overflowing, p_vaddr and p_offset not congruent modulo 4096, vaddr+memsz overflowing
	OutOfRange               // a segment's pages outside [lowest, highest) given to Parse
	Overlap                  // two PT_LOAD segments overlap (sharing the boundary page is allowed)
	TooBig                   // total Memsz > MaxBytes
	BadEntry                 // the entry point is not inside an executable segment
	HeadersNotLoaded         // no segment's file bytes hold the program headers (a loader passes them as AT_PHDR)
)

// String returns a short phrase; it allocates nothing.
func (p Problem) String() string {
	switch p {
	case OK:
		return "no problem"
	case TooShort:
		return "file too short (truncated)"
	case NotELF:
		return "not an ELF file"
	case Not64Bit:
		return "not a 64-bit little-endian ELF file (version 1)"
	case NotX86_64:
		return "not built for x86-64"
	case NotExecutable:
		// One Problem for ET_DYN, ET_REL and ET_CORE: the phrase names
		// the likely cause for a Go program.
		return "not a fixed-address executable (ET_EXEC); if position-independent (ET_DYN): build with -buildmode=exe"
	case BadHeaders:
		return "bad program headers"
	case Dynamic:
		return "dynamically linked: build with CGO_ENABLED=0"
	case NoSegments:
		return "no loadable segments"
	case TooManySegments:
		return "too many loadable segments"
	case BadSegment:
		return "bad segment (past the end of the file, file size above memory size, misaligned, or wrapping around)"
	case OutOfRange:
		return "a segment is outside the addresses a program may use (from 4 MiB up to the libOS's part at 0x7e0000000000)"
	case Overlap:
		return "segments overlap"
	case TooBig:
		return "segments too big (over 256 MiB)"
	case BadEntry:
		return "entry point not in an executable segment"
	case HeadersNotLoaded:
		return "its program headers are not in a loaded segment (AT_PHDR)"
	}
	return "unknown problem"
}

// The ELF64 format (System V gABI, x86-64 psABI).
const (
	pageSize = 4096

	headerSize  = 64 // Elf64_Ehdr
	phEntSize   = 56 // Elf64_Phdr
	maxHeaders  = 64 // e_phnum we accept
	classELF64  = 2
	dataLSB     = 1
	versionOne  = 1
	typeExec    = 2
	typeDyn     = 3
	machineAMD  = 62
	ptLoad      = 1
	ptDynamic   = 2
	ptInterp    = 3
	pfExecute   = 1
	pfWrite     = 2
	offType     = 16
	offMachine  = 18
	offVersion  = 20
	offEntry    = 24
	offPhoff    = 32
	offPhentsz  = 54
	offPhnum    = 56
	offPType    = 0
	offPFlags   = 4
	offPOffset  = 8
	offPVaddr   = 16
	offPFilesz  = 32
	offPMemsz   = 40
	maxAddress  = ^uint64(0)
	lastPageEnd = maxAddress - (pageSize - 1) // the highest end whose page can be rounded up
)

// le reads the n-byte (n <= 8) little-endian word at off in b; ok is false
// when it is not inside b.
func le(b []byte, off uint64, n int) (v uint64, ok bool) {
	if off > uint64(len(b)) || uint64(len(b))-off < uint64(n) {
		return 0, false
	}
	rest := b[off:]
	for i := n - 1; i >= 0; i-- {
		if i >= len(rest) {
			return 0, false
		}
		v = v<<8 | uint64(rest[i])
	}
	return v, true
}

// byteAt returns b[off], or 0 when off is outside b.
func byteAt(b []byte, off int) byte {
	if off < 0 || off >= len(b) {
		return 0
	}
	return b[off]
}

// pageDown and pageUp round an address to a page boundary; pageUp's
// argument must be at most lastPageEnd.
func pageDown(a uint64) uint64 { return a &^ (pageSize - 1) }
func pageUp(a uint64) uint64   { return (a + pageSize - 1) &^ (pageSize - 1) }

// segmentAt returns plan's segment i, masked so that no bounds check is
// needed (callers keep i below Count).
func segmentAt(plan *Plan, i int) *Segment { return &plan.Segments[uint(i)%MaxSegments] }

// Parse validates file and fills plan (which must not be nil). lowest and
// highest bound where segments may be mapped (the caller passes 4 MiB and
// the start of its own reserved areas): every segment's pages lie in
// [lowest, highest). It returns OK or the first problem; plan is only
// meaningful after OK. It allocates nothing.
func Parse(file []byte, lowest, highest uint64, plan *Plan) Problem {
	*plan = Plan{}
	size := uint64(len(file))
	// The magic first: a short text file is "not ELF", not "truncated".
	if size >= 4 && (byteAt(file, 0) != 0x7f || byteAt(file, 1) != 'E' || byteAt(file, 2) != 'L' || byteAt(file, 3) != 'F') {
		return NotELF
	}
	if size < headerSize {
		return TooShort
	}
	version, _ := le(file, offVersion, 4)
	if byteAt(file, 4) != classELF64 || byteAt(file, 5) != dataLSB || byteAt(file, 6) != versionOne || version != versionOne {
		return Not64Bit
	}
	if machine, _ := le(file, offMachine, 2); machine != machineAMD {
		return NotX86_64
	}
	if kind, _ := le(file, offType, 2); kind != typeExec {
		return NotExecutable
	}
	entry, _ := le(file, offEntry, 8)
	phoff, _ := le(file, offPhoff, 8)
	phentsize, _ := le(file, offPhentsz, 2)
	phnum, _ := le(file, offPhnum, 2)
	if phentsize != phEntSize || phnum == 0 || phnum > maxHeaders {
		return BadHeaders
	}
	tableSize := phnum * phEntSize
	if phoff > maxAddress-tableSize {
		return BadHeaders
	}
	if phoff+tableSize > size {
		return TooShort
	}

	// First pass: a dynamic program is refused before its segments are
	// looked at (its message is the useful one), and PT_LOADs are counted.
	loads := 0
	for i := uint64(0); i < phnum; i++ {
		kind, ok := le(file, phoff+i*phEntSize+offPType, 4)
		if !ok {
			return TooShort
		}
		switch kind {
		case ptInterp, ptDynamic:
			return Dynamic
		case ptLoad:
			loads++
		}
	}
	if loads == 0 {
		return NoSegments
	}
	if loads > MaxSegments {
		return TooManySegments
	}

	// Second pass: each PT_LOAD on its own, then the total.
	total := uint64(0)
	for i := uint64(0); i < phnum; i++ {
		at := phoff + i*phEntSize
		kind, ok1 := le(file, at+offPType, 4)
		flags, ok2 := le(file, at+offPFlags, 4)
		offset, ok3 := le(file, at+offPOffset, 8)
		vaddr, ok4 := le(file, at+offPVaddr, 8)
		filesz, ok5 := le(file, at+offPFilesz, 8)
		memsz, ok6 := le(file, at+offPMemsz, 8)
		if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
			return TooShort
		}
		if kind != ptLoad {
			continue
		}
		if filesz > memsz || offset > size || size-offset < filesz ||
			vaddr%pageSize != offset%pageSize || memsz > lastPageEnd || vaddr > lastPageEnd-memsz {
			return BadSegment
		}
		if memsz == 0 {
			continue // nothing to map
		}
		if pageDown(vaddr) < lowest || pageUp(vaddr+memsz) > highest {
			return OutOfRange
		}
		if memsz > MaxBytes-total {
			return TooBig
		}
		total += memsz
		if plan.Count < 0 || plan.Count >= MaxSegments {
			return TooManySegments // not reached: loads <= MaxSegments
		}
		*segmentAt(plan, plan.Count) = Segment{
			Vaddr: vaddr, Memsz: memsz, Offset: offset, Filesz: filesz,
			Write: flags&pfWrite != 0, Execute: flags&pfExecute != 0,
		}
		plan.Count++
	}
	if plan.Count == 0 {
		return NoSegments
	}
	sortSegments(plan)

	// Sorted by Vaddr, each must start at or after its predecessor's end;
	// then at most the predecessor's last page is shared.
	for i := 1; i < plan.Count && i < MaxSegments; i++ {
		prev, next := segmentAt(plan, i-1), segmentAt(plan, i)
		if next.Vaddr < prev.Vaddr+prev.Memsz {
			return Overlap
		}
	}
	inside := false
	for i := 0; i < plan.Count && i < MaxSegments; i++ {
		s := segmentAt(plan, i)
		if s.Execute && entry >= s.Vaddr && entry-s.Vaddr < s.Memsz {
			inside = true
		}
	}
	if !inside {
		return BadEntry
	}
	first, last := segmentAt(plan, 0), segmentAt(plan, plan.Count-1)
	plan.Entry = entry
	plan.Phoff = phoff
	plan.Phnum = int(phnum)
	plan.Low = pageDown(first.Vaddr)
	plan.High = pageUp(last.Vaddr + last.Memsz)
	for i := 0; i < plan.Count && i < MaxSegments; i++ {
		s := segmentAt(plan, i)
		if phoff >= s.Offset && phoff-s.Offset <= s.Filesz && s.Filesz-(phoff-s.Offset) >= tableSize {
			plan.Phdr = s.Vaddr + (phoff - s.Offset)
			return OK
		}
	}
	return HeadersNotLoaded
}

// sortSegments sorts plan's segments by Vaddr (insertion sort: at most
// MaxSegments of them).
func sortSegments(plan *Plan) {
	for i := 1; i < plan.Count && i < MaxSegments; i++ {
		s := *segmentAt(plan, i)
		j := i
		for ; j > 0 && segmentAt(plan, j-1).Vaddr > s.Vaddr; j-- {
			*segmentAt(plan, j) = *segmentAt(plan, j-1)
		}
		*segmentAt(plan, j) = s
	}
}
