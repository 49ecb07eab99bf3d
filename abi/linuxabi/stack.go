package linuxabi

// The initial stack of a Linux process, as the kernel leaves it at the
// program's entry (System V x86-64 ABI, 3.4.1): at RSP, argc; then argv
// pointers and a zero; envp pointers and a zero; the auxiliary vector as
// (key, value) pairs ending with AT_NULL; and above them the strings and
// the 16 random bytes AT_RANDOM points at. RSP is 16-byte aligned.

import "unsafe"

// AuxEntry is one (key, value) pair of the auxiliary vector.
type AuxEntry struct{ Key, Value uint64 }

// InitialStack builds that stack in memory: stack is the memory just
// below top (its last byte is at address top-1), execfn the path of the
// program (placed highest, and named by an AT_EXECFN entry added after
// aux; none when empty), args and env are the strings (without NULs; they
// are copied), aux the vector without its AT_NULL (an AT_RANDOM entry's
// value is replaced by the address of the random bytes, which are copied
// from random). It returns the stack pointer, or 0 when stack is too
// small. It allocates nothing.
func InitialStack(stack []byte, top uintptr, execfn string, args, env []string, aux []AuxEntry, random [16]byte) uintptr {
	base := top - uintptr(len(stack))
	strings := top
	// set writes one byte at address a (inside stack: the callers check);
	// the explicit test keeps the function free of bounds panics.
	set := func(a uintptr, v byte) {
		if i := a - base; i < uintptr(len(stack)) {
			stack[i] = v
		}
	}
	// put copies s (and a NUL) below strings; it reports false when the
	// stack is too small.
	put := func(s string) bool {
		need := uintptr(len(s)) + 1
		if strings-base < need {
			return false
		}
		strings -= need
		for i := 0; i < len(s); i++ {
			set(strings+uintptr(i), s[i])
		}
		set(strings+uintptr(len(s)), 0)
		return true
	}
	execfnAt := uintptr(0)
	if execfn != "" {
		if !put(execfn) {
			return 0
		}
		execfnAt = strings
	}
	if strings-base < 16 {
		return 0
	}
	strings -= 16
	randomAt := strings
	for i, b := range random {
		set(randomAt+uintptr(i), b)
	}
	// Strings go in reverse so that argv[0] ends lowest; the pointer words
	// are written after, from the addresses recorded in a second pass.
	for i := len(env) - 1; i >= 0; i-- {
		if !put(env[i]) {
			return 0
		}
	}
	for i := len(args) - 1; i >= 0; i-- {
		if !put(args[i]) {
			return 0
		}
	}
	words := uintptr(1+len(args)+1+len(env)+1+2*len(aux)+2+2) * 8
	if strings-base < words+16 {
		return 0
	}
	sp := (strings - words) &^ 15
	w := sp
	word := func(v uint64) {
		for i := uintptr(0); i < 8; i++ {
			set(w+i, byte(v>>(8*i)))
		}
		w += 8
	}
	word(uint64(len(args)))
	at := strings
	for _, s := range args {
		word(uint64(at))
		at += uintptr(len(s)) + 1
	}
	word(0)
	for _, s := range env {
		word(uint64(at))
		at += uintptr(len(s)) + 1
	}
	word(0)
	for _, e := range aux {
		word(e.Key)
		if e.Key == AtRandom {
			word(uint64(randomAt))
		} else {
			word(e.Value)
		}
	}
	if execfnAt != 0 {
		word(AtExecfn)
		word(uint64(execfnAt))
	}
	word(AtNull)
	word(0)
	return sp
}

// Text is a string of an initial stack: Length bytes at Address (in the
// stack's address space; the NUL after them not counted).
type Text struct {
	Address uintptr
	Length  int
}

// ReadInitialStack reads back an initial stack in that layout: stack is
// the memory just below top, sp the stack pointer at the program's entry.
// It fills args and env with where the strings are (they stay in stack:
// nothing is copied, and no Go pointer is stored, so restricted code can
// call it) and aux with the auxiliary vector up to AT_NULL, and returns
// how many of each it found. ok is false when sp or any pointer or string
// lies outside stack, a string has no NUL, or a list has more entries
// than its slice holds. It allocates nothing.
func ReadInitialStack(stack []byte, top, sp uintptr, args, env []Text, aux []AuxEntry) (nargs, nenv, naux int, ok bool) {
	base := top - uintptr(len(stack))
	size := uintptr(len(stack))
	if size == 0 {
		return 0, 0, 0, false
	}
	first := unsafe.Pointer(unsafe.SliceData(stack))
	// byteAt and word read stack at an offset the caller has checked.
	byteAt := func(i uintptr) byte { return *(*byte)(unsafe.Add(first, i)) }
	word := func(a uintptr) (uint64, bool) {
		i := a - base
		if a < base || i > size || size-i < 8 {
			return 0, false
		}
		v := uint64(0)
		for k := uintptr(0); k < 8; k++ {
			v |= uint64(byteAt(i+k)) << (8 * k)
		}
		return v, true
	}
	text := func(a uint64) (Text, bool) {
		if a < uint64(base) || a >= uint64(top) {
			return Text{}, false
		}
		start := uintptr(a) - base
		for i := start; i < size; i++ {
			if byteAt(i) == 0 {
				return Text{Address: uintptr(a), Length: int(i - start)}, true
			}
		}
		return Text{}, false
	}
	// list reads a NULL-terminated list of string pointers from a into
	// out, and returns how many and the address after the NULL.
	list := func(a uintptr, out []Text) (int, uintptr, bool) {
		for n := uint(0); ; n++ {
			p, ok := word(a)
			if !ok {
				return 0, 0, false
			}
			a += 8
			if p == 0 {
				return int(n), a, true
			}
			if n >= uint(len(out)) {
				return 0, 0, false
			}
			if out[n], ok = text(p); !ok {
				return 0, 0, false
			}
		}
	}
	argc, ok := word(sp)
	if !ok || argc > uint64(len(args)) {
		return 0, 0, 0, false
	}
	nargs, a, ok := list(sp+8, args)
	if !ok || uint64(nargs) != argc {
		return 0, 0, 0, false
	}
	if nenv, a, ok = list(a, env); !ok {
		return 0, 0, 0, false
	}
	for n := uint(0); ; n++ {
		key, ok1 := word(a)
		value, ok2 := word(a + 8)
		if !ok1 || !ok2 {
			return 0, 0, 0, false
		}
		a += 16
		if key == AtNull {
			return nargs, nenv, int(n), true
		}
		if n >= uint(len(aux)) {
			return 0, 0, 0, false
		}
		aux[n] = AuxEntry{Key: key, Value: value}
	}
}
