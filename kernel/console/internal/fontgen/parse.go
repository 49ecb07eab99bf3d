package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The font geometry. These must agree with glyphWidth, glyphHeight,
// firstPrintable, lastPrintable and glyphCount in kernel/console/font.go; the
// generated file refers to those constants, so a mismatch fails to compile.
const (
	glyphWidth     = 8
	glyphHeight    = 16
	firstPrintable = 0x20
	lastPrintable  = 0x7E
	// replacementIndex is the table slot of the glyph drawn for bytes
	// outside firstPrintable..lastPrintable.
	replacementIndex = lastPrintable - firstPrintable + 1
	glyphCount       = replacementIndex + 1
)

// fontTable is one byte per glyph row; bit 7 is the leftmost pixel.
type fontTable [glyphCount][glyphHeight]uint8

// parseFont reads a glyph file (format described at the top of font.txt) and
// returns the table. Every printable ASCII code and the replacement glyph
// must be defined exactly once.
func parseFont(input io.Reader) (*fontTable, error) {
	var table fontTable
	var defined [glyphCount]bool

	scanner := bufio.NewScanner(input)
	lineNumber := 0
	nextLine := func() (string, bool) {
		if !scanner.Scan() {
			return "", false
		}
		lineNumber++
		return strings.TrimRight(scanner.Text(), " \t\r"), true
	}

	for {
		line, ok := nextLine()
		if !ok {
			break
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		index, err := parseHeader(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", lineNumber, err)
		}
		if defined[index] {
			return nil, fmt.Errorf("line %d: glyph %s defined twice", lineNumber, glyphName(index))
		}
		defined[index] = true

		for row := 0; row < glyphHeight; row++ {
			rowText, ok := nextLine()
			if !ok {
				return nil, fmt.Errorf("glyph %s: file ends after %d of %d rows", glyphName(index), row, glyphHeight)
			}
			bits, err := parseRow(rowText)
			if err != nil {
				return nil, fmt.Errorf("line %d (glyph %s row %d): %w", lineNumber, glyphName(index), row, err)
			}
			table[index][row] = bits
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, err
	}

	for index, ok := range defined {
		if !ok {
			return nil, fmt.Errorf("glyph %s is missing", glyphName(index))
		}
	}
	return &table, nil
}

// parseHeader decodes "glyph 0xNN ..." or "glyph replacement" into a table
// index.
func parseHeader(line string) (int, error) {
	fields := strings.Fields(line)
	if len(fields) < 2 || fields[0] != "glyph" {
		return 0, fmt.Errorf("expected a glyph header, got %q", line)
	}
	if fields[1] == "replacement" {
		return replacementIndex, nil
	}
	code, err := strconv.ParseUint(fields[1], 0, 8)
	if err != nil {
		return 0, fmt.Errorf("bad character code %q: %w", fields[1], err)
	}
	if code < firstPrintable || code > lastPrintable {
		return 0, fmt.Errorf("character code %#x is not printable ASCII", code)
	}
	return int(code - firstPrintable), nil
}

// parseRow turns one row of '#' (lit) and '.' (background) into a byte, the
// leftmost pixel in bit 7.
func parseRow(text string) (uint8, error) {
	if len(text) != glyphWidth {
		return 0, fmt.Errorf("row %q has %d pixels, want %d", text, len(text), glyphWidth)
	}
	var bits uint8
	for column := 0; column < glyphWidth; column++ {
		switch text[column] {
		case '#':
			bits |= 0x80 >> column
		case '.':
		default:
			return 0, fmt.Errorf("row %q: pixel %q is neither '#' nor '.'", text, text[column])
		}
	}
	return bits, nil
}

// glyphName names a table slot for error messages and comments.
func glyphName(index int) string {
	if index == replacementIndex {
		return "replacement"
	}
	return fmt.Sprintf("%#02x %q", firstPrintable+index, rune(firstPrintable+index))
}
