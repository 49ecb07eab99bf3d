package check

import "strings"

// abi0Suffix marks the ELF symbol of an assembly function or of the ABI0
// wrapper of a Go function.
const abi0Suffix = ".abi0"

// PackageOf returns the import path of the package a Go function symbol
// belongs to, or "" if the name has no package part. It handles methods
// ("p/q.(*T).M", "p/q.T.M"), closures ("p/q.F.func1"), ABI wrappers
// ("p/q.F.abi0") and generic instances ("p/q.F[go.shape.int]", whose type
// arguments may contain dots and slashes).
func PackageOf(symbol string) string {
	name := symbol
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	slash := strings.LastIndexByte(name, '/')
	dot := strings.IndexByte(name[slash+1:], '.')
	if dot < 0 {
		return ""
	}
	return name[:slash+1+dot]
}

// BaseName returns symbol without the ".abi0" suffix, so that an assembly
// function or ABI wrapper matches the rules written for its Go name.
func BaseName(symbol string) string {
	return strings.TrimSuffix(symbol, abi0Suffix)
}

// nameSet is a set of function names as given on the command line. A name
// covers the function itself, its ABI0 wrapper, its closures ("F.func1",
// "F.func1.2"), its deferred and go wrappers ("F.deferwrap1", "F.gowrap1")
// and its method value wrapper ("T.M-fm"): everything the compiler derives
// from the one source function.
type nameSet map[string]bool

func newNameSet(names []string) nameSet {
	s := make(nameSet)
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			s[n] = true
		}
	}
	return s
}

// covers reports whether symbol is one of the names or derived from one.
func (s nameSet) covers(symbol string) bool {
	name := stripTypeArgs(BaseName(symbol))
	name = strings.TrimSuffix(name, "-fm")
	for {
		if s[name] {
			return true
		}
		// Strip one trailing ".component" (closure, wrapper) and retry, but
		// never strip into the package path.
		i := strings.LastIndexByte(name, '.')
		if i < 0 || i <= strings.LastIndexByte(name, '/') || name[:i] == PackageOf(name) {
			return false
		}
		name = name[:i]
	}
}

// stripTypeArgs removes the bracketed type arguments of generic instances:
// "p.F[go.shape.int].func1" becomes "p.F.func1".
func stripTypeArgs(name string) string {
	if !strings.Contains(name, "[") {
		return name
	}
	var b strings.Builder
	depth := 0
	for _, r := range name {
		switch {
		case r == '[':
			depth++
		case r == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}
