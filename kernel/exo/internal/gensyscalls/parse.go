package main

import (
	"fmt"
	"go/token"
	"math/bits"
	"strconv"
	"strings"
)

// Parse reads a table. file names it in error messages, which have the
// form "file:line: message".
func Parse(file, text string) (*Table, error) {
	p := parser{file: file, t: &Table{}, types: map[string]*ValueType{},
		rights: map[string]Right{}, callNumbers: map[int]int{}, callNames: map[string]int{},
		errCodes: map[int]int{}, errNames: map[string]int{}, names: map[string]int{}}
	var calls [][]string
	var callLines []int
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "|")
		for j := range fields {
			fields[j] = strings.TrimSpace(fields[j])
		}
		var err error
		switch fields[0] {
		case "error":
			err = p.errorEntry(n, fields)
		case "enum", "flags":
			err = p.typeEntry(n, fields)
		case "right":
			err = p.rightEntry(n, fields)
		case "const":
			err = p.constEntry(n, fields)
		case "layout":
			err = p.layoutEntry(n, fields)
		case "field":
			err = p.fieldEntry(n, fields)
		case "call":
			// Calls may name types and rights declared after them, so they
			// are parsed when every declaration has been read.
			calls = append(calls, fields)
			callLines = append(callLines, n)
		default:
			err = fmt.Errorf("unknown entry %q (want error, enum, flags, right, call, const, layout or field)", fields[0])
		}
		if err != nil {
			return nil, p.at(n, err)
		}
	}
	for i, fields := range calls {
		if err := p.callEntry(callLines[i], fields); err != nil {
			return nil, p.at(callLines[i], err)
		}
	}
	for _, name := range errorsUsedByDispatch {
		if _, ok := p.errNames[name]; !ok {
			return nil, fmt.Errorf("%s: error code %s is missing (the generated dispatch returns it)", file, name)
		}
	}
	if len(p.t.Calls) == 0 {
		return nil, fmt.Errorf("%s: no calls", file)
	}
	if err := p.t.checkGoNames(); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	return p.t, nil
}

type parser struct {
	file        string
	t           *Table
	types       map[string]*ValueType
	rights      map[string]Right
	callNumbers map[int]int    // n -> line
	callNames   map[string]int // name -> line
	errCodes    map[int]int
	errNames    map[string]int
	names       map[string]int // const groups and layouts -> line
}

func (p *parser) at(line int, err error) error {
	return fmt.Errorf("%s:%d: %v", p.file, line, err)
}

func wantFields(fields []string, n int, form string) error {
	if len(fields) != n {
		return fmt.Errorf("%s entry has %d fields, want %d: %s", fields[0], len(fields), n, form)
	}
	return nil
}

func (p *parser) errorEntry(line int, f []string) error {
	if err := wantFields(f, 4, "error | <code> | EXO_<NAME> | <meaning>"); err != nil {
		return err
	}
	code, err := strconv.Atoi(f[1])
	if err != nil || code < 1 || code >= CallBase {
		return fmt.Errorf("error code %q is not a number in 1..%d", f[1], CallBase-1)
	}
	name := f[2]
	if !strings.HasPrefix(name, "EXO_") || !isUpperSnake(name[4:]) {
		return fmt.Errorf("error name %q is not EXO_ followed by UPPER_SNAKE_CASE", name)
	}
	if prev, ok := p.errCodes[code]; ok {
		return fmt.Errorf("duplicate error code %d (first on line %d)", code, prev)
	}
	if prev, ok := p.errNames[name]; ok {
		return fmt.Errorf("duplicate error name %s (first on line %d)", name, prev)
	}
	if f[3] == "" {
		return fmt.Errorf("error %s has no meaning", name)
	}
	p.errCodes[code] = line
	p.errNames[name] = line
	p.t.Errors = append(p.t.Errors, ErrorCode{Code: code, Name: name, Meaning: f[3], Line: line})
	return nil
}

func (p *parser) typeEntry(line int, f []string) error {
	if err := wantFields(f, 4, f[0]+" | <type> | <Value>=<number> ... | <meaning>"); err != nil {
		return err
	}
	name := f[1]
	if !isSnake(name) {
		return fmt.Errorf("type name %q is not snake_case", name)
	}
	if _, ok := p.types[name]; ok || isBuiltinKind(name) {
		return fmt.Errorf("duplicate type %s", name)
	}
	vt := &ValueType{Name: name, Flags: f[0] == "flags", Meaning: f[3], Line: line}
	seenName := map[string]bool{}
	seenNumber := map[uint64]bool{}
	var all uint64
	for _, v := range strings.Fields(f[2]) {
		vname, num, ok := strings.Cut(v, "=")
		if !ok || !token.IsIdentifier(vname) || vname[0] < 'A' || vname[0] > 'Z' {
			return fmt.Errorf("value %q of %s is not <Name>=<number> with Name an identifier starting with an upper-case letter", v, name)
		}
		n, err := strconv.ParseUint(num, 0, 64)
		if err != nil {
			return fmt.Errorf("value %q of %s: %q is not a number", v, name, num)
		}
		if seenName[vname] || seenNumber[n] {
			return fmt.Errorf("value %q of %s repeats a name or a number", v, name)
		}
		if vt.Flags && (n == 0 || bits.OnesCount64(n) != 1) {
			return fmt.Errorf("flag %q of %s is not a single bit", v, name)
		}
		seenName[vname], seenNumber[n] = true, true
		all |= n
		vt.Values = append(vt.Values, Value{Name: vname, Number: n})
	}
	if len(vt.Values) == 0 {
		return fmt.Errorf("type %s has no values", name)
	}
	p.types[name] = vt
	p.t.Types = append(p.t.Types, vt)
	return nil
}

func (p *parser) rightEntry(line int, f []string) error {
	if err := wantFields(f, 3, "right | <word> or <word>(<object>) | <meaning>"); err != nil {
		return err
	}
	word, param, err := splitRight(f[1])
	if err != nil {
		return err
	}
	if _, ok := p.rights[word]; ok {
		return fmt.Errorf("duplicate right %s", word)
	}
	if f[2] == "" {
		return fmt.Errorf("right %s has no meaning", word)
	}
	r := Right{Word: word, Param: param, Meaning: f[2]}
	p.rights[word] = r
	p.t.Rights = append(p.t.Rights, r)
	return nil
}

// splitRight splits "owner(segment)" into "owner" and "segment".
func splitRight(s string) (word, param string, err error) {
	word = s
	if i := strings.IndexByte(s, '('); i >= 0 {
		if !strings.HasSuffix(s, ")") {
			return "", "", fmt.Errorf("right %q: missing ')'", s)
		}
		word, param = s[:i], s[i+1:len(s)-1]
		if !isSnake(param) {
			return "", "", fmt.Errorf("right %q: %q is not a snake_case name", s, param)
		}
	}
	if !isRightWord(word) {
		return "", "", fmt.Errorf("right %q: %q is not a lower-case word (letters and '-')", s, word)
	}
	return word, param, nil
}

func (p *parser) callEntry(line int, f []string) error {
	if err := wantFields(f, 7, "call | <n> | <name> | <arguments> | <result> | <rights> | <doc>"); err != nil {
		return err
	}
	n, err := strconv.Atoi(f[1])
	if err != nil || n < 0 || n >= CallBase {
		return fmt.Errorf("call number %q is not a number in 0..%d", f[1], CallBase-1)
	}
	name := f[2]
	if !isSnake(name) {
		return fmt.Errorf("call name %q is not snake_case", name)
	}
	if prev, ok := p.callNumbers[n]; ok {
		return fmt.Errorf("duplicate call number %d (first on line %d)", n, prev)
	}
	if prev, ok := p.callNames[name]; ok {
		return fmt.Errorf("duplicate call name %s (first on line %d)", name, prev)
	}
	c := Call{N: n, Name: name, Result: f[4], Doc: f[6], Line: line}
	if c.Result == "" || c.Doc == "" {
		return fmt.Errorf("call %s needs a result and a doc", name)
	}
	if f[3] != "" {
		parts := strings.Split(f[3], ",")
		if len(parts) > maxArgs {
			return fmt.Errorf("call %s has %d arguments; the ABI passes at most %d", name, len(parts), maxArgs)
		}
		seen := map[string]bool{}
		for _, part := range parts {
			a, err := p.arg(strings.TrimSpace(part))
			if err != nil {
				return fmt.Errorf("call %s: %v", name, err)
			}
			if seen[a.Name] {
				return fmt.Errorf("call %s: duplicate argument %s", name, a.Name)
			}
			seen[a.Name] = true
			c.Args = append(c.Args, a)
		}
	}
	// Tie each address range to its length argument.
	for i := range c.Args {
		a := &c.Args[i]
		if a.Kind != KindAddress || !a.HasLength || a.LengthArg != -2 {
			continue
		}
		lengthName := a.Spec[len("address(") : len(a.Spec)-1]
		a.LengthArg = -1
		for j, b := range c.Args {
			if b.Name == lengthName {
				if j == i || (b.Kind != KindUint64 && b.Kind != KindIndex) {
					return fmt.Errorf("call %s: length %s of %s must be another uint64 or index argument", name, lengthName, a.Name)
				}
				a.LengthArg = j
			}
		}
		if a.LengthArg < 0 {
			return fmt.Errorf("call %s: length %s of %s is not an argument", name, lengthName, a.Name)
		}
	}
	if f[5] == "" {
		return fmt.Errorf("call %s names no right (write none if it checks none)", name)
	}
	for _, r := range strings.Fields(f[5]) {
		word, arg, err := splitRight(r)
		if err != nil {
			return fmt.Errorf("call %s: %v", name, err)
		}
		decl, ok := p.rights[word]
		if !ok {
			return fmt.Errorf("call %s: unknown right %q (declare it with a right entry)", name, word)
		}
		if (decl.Param == "") != (arg == "") {
			if decl.Param == "" {
				return fmt.Errorf("call %s: right %s takes no argument", name, word)
			}
			return fmt.Errorf("call %s: right %s needs an argument: %s(<argument>)", name, word, word)
		}
		if arg != "" && !hasArg(c.Args, arg) {
			return fmt.Errorf("call %s: right %s names %q, which is not an argument", name, r, arg)
		}
		c.Rights = append(c.Rights, RightUse{Word: word, Arg: arg})
	}
	p.callNumbers[n] = line
	p.callNames[name] = line
	p.t.Calls = append(p.t.Calls, c)
	return nil
}

func hasArg(args []Arg, name string) bool {
	for _, a := range args {
		if a.Name == name {
			return true
		}
	}
	return false
}

// arg parses "<name> <kind>".
func (p *parser) arg(s string) (Arg, error) {
	name, spec, ok := strings.Cut(s, " ")
	spec = strings.TrimSpace(spec)
	if !ok || spec == "" {
		return Arg{}, fmt.Errorf("argument %q is not \"<name> <kind>\"", s)
	}
	if !isSnake(name) {
		return Arg{}, fmt.Errorf("argument name %q is not snake_case", name)
	}
	if g := camel(name, false); token.IsKeyword(g) || predeclared[g] || g == "caller" {
		return Arg{}, fmt.Errorf("argument name %q is a Go keyword or predeclared name", name)
	}
	a := Arg{Name: name, Spec: spec}
	switch {
	case spec == "uint64":
		a.Kind = KindUint64
	case spec == "int64":
		a.Kind = KindInt64
	case spec == "id":
		a.Kind = KindID
	case spec == "physical":
		a.Kind = KindPhysical
	case spec == "address":
		a.Kind = KindAddress
	case strings.HasPrefix(spec, "address(") && strings.HasSuffix(spec, ")"):
		a.Kind, a.HasLength = KindAddress, true
		length := spec[len("address(") : len(spec)-1]
		if isSnake(length) {
			a.LengthArg = -2 // resolved when all arguments are known
		} else {
			n, err := product(length)
			if err != nil {
				return Arg{}, fmt.Errorf("argument %s: length %q is neither an argument name nor a constant", name, length)
			}
			a.LengthArg, a.LengthConst = -1, n
		}
	case strings.HasPrefix(spec, "index<") && strings.HasSuffix(spec, ">"):
		a.Kind = KindIndex
		n, err := product(spec[len("index<") : len(spec)-1])
		if err != nil || n == 0 || n > 1<<32 {
			return Arg{}, fmt.Errorf("argument %s: bound of %q is not a number in 1..2^32", name, spec)
		}
		a.Bound = n
	default:
		vt, ok := p.types[spec]
		if !ok {
			return Arg{}, fmt.Errorf("argument %s has unknown kind %q (want uint64, int64, id, index<N>, address, address(L), physical, or a declared enum or flags type)", name, spec)
		}
		a.Type = vt
		a.Kind = KindEnum
		if vt.Flags {
			a.Kind = KindFlags
		}
	}
	return a, nil
}

// product parses a positive number or a product of them ("8*8").
func product(s string) (uint64, error) {
	result := uint64(1)
	for _, f := range strings.Split(s, "*") {
		n, err := strconv.ParseUint(strings.TrimSpace(f), 0, 64)
		if err != nil || n == 0 {
			return 0, fmt.Errorf("%q is not a positive number", f)
		}
		hi, lo := bits.Mul64(result, n)
		if hi != 0 {
			return 0, fmt.Errorf("%q overflows", s)
		}
		result = lo
	}
	return result, nil
}

func isBuiltinKind(s string) bool {
	switch s {
	case "uint64", "int64", "id", "physical", "address", "index":
		return true
	}
	return false
}

var predeclared = map[string]bool{
	"bool": true, "byte": true, "int": true, "int64": true, "uint64": true, "uint32": true,
	"uintptr": true, "string": true, "len": true, "cap": true, "new": true, "make": true,
	"nil": true, "true": true, "false": true, "error": true, "copy": true, "append": true,
	"panic": true, "print": true, "println": true, "close": true, "delete": true,
	"min": true, "max": true, "clear": true,
}

func isSnake(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func isUpperSnake(s string) bool {
	return isSnake(strings.ToLower(s)) && strings.ToUpper(s) == s
}

func isRightWord(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}

// camel turns snake_case into CamelCase (upper) or camelCase.
func camel(s string, upper bool) string {
	var b strings.Builder
	for i, part := range strings.Split(strings.ToLower(s), "_") {
		if part == "" {
			continue
		}
		if i > 0 || upper {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		} else {
			b.WriteString(part)
		}
	}
	return b.String()
}
