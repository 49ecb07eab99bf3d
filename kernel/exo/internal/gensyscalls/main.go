// Command gensyscalls reads the exokernel's system-call table,
// kernel/exo/syscalls.conf (whose header comment documents the format), and
// writes everything that follows from it:
//
//	kernel/exo/dispatch_gen.go  call numbers, error codes, value types,
//	                            Dispatch (argument checks, then sys<Name>),
//	                            CallName, ErrorName, ArgCount
//	libos/exo/calls_gen.go      the same constants and types, and one Go
//	libos/exo/calls_amd64.s     stub per call that executes SYSCALL
//	libos/exo/abi_amd64.h       the shared numbers and layouts for assembly
//	docs/syscalls.md            the reference page
//
// Run it with `go generate ./kernel/exo` (or `go run
// ./kernel/exo/internal/gensyscalls` from anywhere in the module).
//
// Flags:
//
//	-root DIR    write the files under DIR instead of the module root (the
//	             directory holding go.mod, found upward from the working
//	             directory); kernel/exo's tests generate into a temporary
//	             directory and compare
//	-table FILE  read this table instead of ROOT/kernel/exo/syscalls.conf
//	             (with -root, the default is still the module's table)
//	-handlers    print, instead, a Go file with a stub handler for every
//	             call (returning -ErrNotImplemented), to start handlers from
//
// The generator does not read the kernel's handler files: Dispatch calls
// handlers by name, and a missing or mistyped handler is a compile error in
// package exo.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// Outputs, relative to the root.
const (
	DispatchFile = "kernel/exo/dispatch_gen.go"
	StubsFile    = "libos/exo/calls_gen.go"
	AsmFile      = "libos/exo/calls_amd64.s"
	DocsFile     = "docs/syscalls.md"
	TableFile    = "kernel/exo/syscalls.conf"
)

func main() {
	root := flag.String("root", "", "output root (default: the module root)")
	table := flag.String("table", "", "the table (default: <module root>/"+TableFile+")")
	handlers := flag.Bool("handlers", false, "print stub handlers instead of writing the files")
	flag.Parse()
	if err := run(*root, *table, *handlers); err != nil {
		fmt.Fprintln(os.Stderr, "gensyscalls:", err)
		os.Exit(1)
	}
}

func run(root, tablePath string, handlers bool) error {
	if root == "" || tablePath == "" {
		module, err := moduleRoot()
		if err != nil {
			return err
		}
		if root == "" {
			root = module
		}
		if tablePath == "" {
			tablePath = filepath.Join(module, TableFile)
		}
	}
	text, err := os.ReadFile(tablePath)
	if err != nil {
		return err
	}
	t, err := Parse(TableFile, string(text))
	if err != nil {
		return err
	}
	if handlers {
		out, err := t.HandlerStubs()
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(out)
		return err
	}
	files, err := t.Render()
	if err != nil {
		return err
	}
	for _, f := range files {
		path := filepath.Join(root, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// File is one generated file.
type File struct {
	Path string // slash-separated, relative to the root
	Data []byte
}

// Render generates every output file.
func (t *Table) Render() ([]File, error) {
	dispatch, err := t.Dispatch()
	if err != nil {
		return nil, err
	}
	stubs, err := t.Stubs()
	if err != nil {
		return nil, err
	}
	return []File{
		{DispatchFile, dispatch},
		{StubsFile, stubs},
		{AsmFile, t.Assembly()},
		{ABIHeaderFile, t.ABIHeader()},
		{DocsFile, t.Docs()},
	}, nil
}

// moduleRoot finds the directory holding go.mod, from the working directory
// upward.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in the working directory or above it; use -root and -table")
		}
		dir = parent
	}
}
