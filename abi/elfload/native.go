package elfload

// Which way a program is loaded: the rule the kernel's first-program
// loader and a libOS's spawn share, decided from the file alone.
//
// A program built for exogo brings its own OS: it is linked with the libOS
// (entered at exogo/libos/linux.Start) or runs on the raw exokernel calls
// (exogo/libos/bare.Start, bare.CustomStart). Each of those entry points
// begins with NativeMarker. Any other executable (a Go program built with
// plain `go build` for Linux, a static C program) expects Linux: it is
// loaded beside the libOS's interpreter image (the file Interpreter in the
// boot module), which the loader enters first and which then starts the
// program as Linux would (docs/libos.md, "Two ways in").

// NativeMarker is the first 16 bytes of a native program's entry point: a
// short jump over the 14 bytes of text that follow it.
const NativeMarker = "\xeb\x0eexogo-native-1"

// Interpreter is the boot module's path of the libOS's interpreter image
// (built from libos/interp). It is linked in [exo.StartLibosBase,
// exo.StartInterpreterTop).
const Interpreter = "lib/exogo-libos"

// Native reports whether the program plan describes (Parse returned OK for
// file) begins at an entry point that carries NativeMarker.
func Native(file []byte, plan *Plan) bool {
	for i := 0; i < plan.Count && i < MaxSegments; i++ {
		s := segmentAt(plan, i)
		if plan.Entry < s.Vaddr || plan.Entry-s.Vaddr >= s.Filesz {
			continue
		}
		at := s.Offset + (plan.Entry - s.Vaddr)
		if s.Filesz-(plan.Entry-s.Vaddr) < uint64(len(NativeMarker)) || at > uint64(len(file)) || uint64(len(file))-at < uint64(len(NativeMarker)) {
			return false
		}
		code := file[at:]
		for j := 0; j < len(NativeMarker) && j < len(code); j++ {
			if code[j] != NativeMarker[j] {
				return false
			}
		}
		return true
	}
	return false
}

// FileBacked reports whether any of the segments has file bytes in the
// 2 MiB region at region (a multiple of 2 MiB). A loader that starts a
// program beside the interpreter image maps only such regions: the rest
// of a segment, zero-fill only (bss), is left for the interpreter to
// commit on demand, as Linux leaves bss, and the interpreter finds the
// same regions from the program headers (libos/linux, mapImage).
func FileBacked(segments []Segment, region uint64) bool {
	const regionSize = 2 << 20
	for i := range segments {
		s := &segments[i]
		if s.Filesz != 0 && s.Vaddr < region+regionSize && s.Vaddr+s.Filesz > region {
			return true
		}
	}
	return false
}

// LoadSegments reads the PT_LOAD entries of a program header table as it
// lies in memory (at AT_PHDR, table's length a multiple of 56 bytes) into
// out, in the table's order, and returns how many it read (at most
// len(out)). Only the fields a loaded program's libOS needs are read:
// where each segment lies, its file bytes' length and its permissions.
func LoadSegments(table []byte, out []Segment) int {
	rest := out
	for at := uint64(0); at+phEntSize <= uint64(len(table)) && len(rest) > 0; at += phEntSize {
		kind, _ := le(table, at+offPType, 4)
		if kind != ptLoad {
			continue
		}
		flags, _ := le(table, at+offPFlags, 4)
		vaddr, _ := le(table, at+offPVaddr, 8)
		filesz, _ := le(table, at+offPFilesz, 8)
		memsz, _ := le(table, at+offPMemsz, 8)
		rest[0] = Segment{Vaddr: vaddr, Filesz: filesz, Memsz: memsz,
			Write: flags&pfWrite != 0, Execute: flags&pfExecute != 0}
		rest = rest[1:]
	}
	return len(out) - len(rest)
}
