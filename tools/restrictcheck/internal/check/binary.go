package check

import (
	"debug/elf"
	"debug/gosym"
	"fmt"
	"sort"
)

// Func is one function of the binary, as the ELF symbol table names it.
// Assembly functions and ABI wrappers keep the ".abi0" suffix the Go linker
// gives their symbols.
type Func struct {
	Name string
	Addr uint64
	Size uint64
}

// End returns the first address after the function.
func (f *Func) End() uint64 { return f.Addr + f.Size }

// Binary is a loaded Go ELF executable: its functions, the bytes of its
// executable sections and its Go line table.
type Binary struct {
	funcs  []*Func          // sized functions, sorted by address
	byName map[string]*Func // every function symbol by name
	code   []codeRange      // executable section contents
	lines  *gosym.Table
}

// codeRange is the contents of one executable section.
type codeRange struct {
	addr uint64
	data []byte
}

// LoadBinary reads the symbols, code and line table of a Go ELF executable.
// The binary must keep its symbol table (no -ldflags=-s).
func LoadBinary(path string) (*Binary, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return newBinary(f)
}

func newBinary(f *elf.File) (*Binary, error) {
	syms, err := f.Symbols()
	if err != nil {
		return nil, fmt.Errorf("reading symbol table (was the binary stripped?): %w", err)
	}
	b := &Binary{byName: make(map[string]*Func)}
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC {
			continue
		}
		fn := &Func{Name: s.Name, Addr: s.Value, Size: s.Size}
		if _, dup := b.byName[fn.Name]; !dup {
			b.byName[fn.Name] = fn
		}
		if fn.Size > 0 {
			b.funcs = append(b.funcs, fn)
		}
	}
	sort.Slice(b.funcs, func(i, j int) bool { return b.funcs[i].Addr < b.funcs[j].Addr })

	for _, sec := range f.Sections {
		if sec.Type != elf.SHT_PROGBITS || sec.Flags&elf.SHF_EXECINSTR == 0 {
			continue
		}
		data, err := sec.Data()
		if err != nil {
			return nil, fmt.Errorf("reading section %s: %w", sec.Name, err)
		}
		b.code = append(b.code, codeRange{addr: sec.Addr, data: data})
	}

	pcln := f.Section(".gopclntab")
	text := f.Section(".text")
	if pcln == nil || text == nil {
		return nil, fmt.Errorf("no .gopclntab or .text section: not a Go binary?")
	}
	pclnData, err := pcln.Data()
	if err != nil {
		return nil, fmt.Errorf("reading .gopclntab: %w", err)
	}
	b.lines, err = gosym.NewTable(nil, gosym.NewLineTable(pclnData, text.Addr))
	if err != nil {
		return nil, fmt.Errorf("parsing .gopclntab: %w", err)
	}
	return b, nil
}

// Funcs returns the sized functions in address order.
func (b *Binary) Funcs() []*Func { return b.funcs }

// Lookup returns the function symbol with the given name, or nil.
func (b *Binary) Lookup(name string) *Func { return b.byName[name] }

// FuncAt returns the function whose body contains addr, or nil.
func (b *Binary) FuncAt(addr uint64) *Func {
	i := sort.Search(len(b.funcs), func(i int) bool { return b.funcs[i].End() > addr })
	if i < len(b.funcs) && b.funcs[i].Addr <= addr {
		return b.funcs[i]
	}
	return nil
}

// Code returns the machine code of fn, or an error if it lies outside every
// executable section.
func (b *Binary) Code(fn *Func) ([]byte, error) {
	for _, r := range b.code {
		if fn.Addr >= r.addr && fn.End() <= r.addr+uint64(len(r.data)) {
			return r.data[fn.Addr-r.addr : fn.End()-r.addr], nil
		}
	}
	return nil, fmt.Errorf("%s at %#x: not inside an executable section", fn.Name, fn.Addr)
}

// Line returns the source position of the instruction at pc. For code the
// compiler inlined, it is the position inside the inlined function, which is
// the statement that caused the call. It returns "?", 0 when unknown.
func (b *Binary) Line(pc uint64) (file string, line int) {
	file, line, fn := b.lines.PCToLine(pc)
	if fn == nil || file == "" {
		return "?", 0
	}
	return file, line
}
