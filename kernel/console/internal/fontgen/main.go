// Command fontgen turns the console's human-readable glyph file (font.txt)
// into font_table.go, a Go source file holding the glyph bitmaps as one
// constant-initialised array. The kernel therefore only ever reads a table
// the linker placed in the data segment; no parsing happens at run time.
//
// It is run by `go generate ./kernel/console` (see the go:generate line in
// kernel/console/font.go) and is hosted Go: it allocates freely.
//
// Usage:
//
//	fontgen -in font.txt -out font_table.go
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	input := flag.String("in", "font.txt", "glyph file to read")
	output := flag.String("out", "font_table.go", "Go file to write")
	flag.Parse()

	if err := run(*input, *output); err != nil {
		fmt.Fprintln(os.Stderr, "fontgen:", err)
		os.Exit(1)
	}
}

// run reads the glyph file at inputPath and writes the generated Go source to
// outputPath, replacing any previous contents.
func run(inputPath, outputPath string) error {
	source, err := os.Open(inputPath)
	if err != nil {
		return err
	}
	defer source.Close()

	table, err := parseFont(source)
	if err != nil {
		return fmt.Errorf("%s: %w", inputPath, err)
	}
	generated, err := renderTable(table)
	if err != nil {
		return err
	}
	return os.WriteFile(outputPath, generated, 0o644)
}
