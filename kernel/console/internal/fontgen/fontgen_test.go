package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestGeneratedTableIsCurrent fails when font.txt was edited without
// running go generate, so the kernel never ships a stale font.
func TestGeneratedTableIsCurrent(t *testing.T) {
	source, err := os.Open("../../font.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer source.Close()
	table, err := parseFont(source)
	if err != nil {
		t.Fatal(err)
	}
	want, err := renderTable(table)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../font_table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("font_table.go is out of date with font.txt: run go generate ./kernel/console")
	}
}

func TestParseRow(t *testing.T) {
	cases := []struct {
		text string
		want uint8
	}{
		{"........", 0x00},
		{"#.......", 0x80},
		{".......#", 0x01},
		{".#####..", 0x7c},
		{"########", 0xff},
	}
	for _, c := range cases {
		got, err := parseRow(c.text)
		if err != nil {
			t.Errorf("parseRow(%q): %v", c.text, err)
			continue
		}
		if got != c.want {
			t.Errorf("parseRow(%q) = %#02x, want %#02x", c.text, got, c.want)
		}
	}
	for _, bad := range []string{"", ".......", ".........", "...x...."} {
		if _, err := parseRow(bad); err == nil {
			t.Errorf("parseRow(%q) accepted a malformed row", bad)
		}
	}
}

// glyphText builds one glyph block whose rows are all row.
func glyphText(header, row string) string {
	return header + "\n" + strings.Repeat(row+"\n", glyphHeight)
}

func TestParseFontRejectsBadFiles(t *testing.T) {
	var complete strings.Builder
	for code := firstPrintable; code <= lastPrintable; code++ {
		complete.WriteString(glyphText("glyph "+hexCode(code), "#......."))
	}
	complete.WriteString(glyphText("glyph replacement", "########"))

	if _, err := parseFont(strings.NewReader(complete.String())); err != nil {
		t.Fatalf("complete font rejected: %v", err)
	}

	cases := map[string]string{
		"missing replacement": strings.Replace(complete.String(), glyphText("glyph replacement", "########"), "", 1),
		"duplicate glyph":     complete.String() + glyphText("glyph 0x41", "........"),
		"non-printable code":  complete.String() + glyphText("glyph 0x7F", "........"),
		"truncated glyph":     complete.String() + "glyph 0x41\n........\n",
		"not a header":        "hello\n" + complete.String(),
	}
	for name, text := range cases {
		if _, err := parseFont(strings.NewReader(text)); err == nil {
			t.Errorf("%s: parseFont accepted the file", name)
		}
	}
}

func TestRowsStartingWithHashArePixels(t *testing.T) {
	var text strings.Builder
	text.WriteString("# a comment line\n\n")
	for code := firstPrintable; code <= lastPrintable; code++ {
		text.WriteString(glyphText("glyph "+hexCode(code), "#.....#."))
	}
	text.WriteString(glyphText("glyph replacement", "........"))
	table, err := parseFont(strings.NewReader(text.String()))
	if err != nil {
		t.Fatal(err)
	}
	if got := table['A'-firstPrintable][0]; got != 0x82 {
		t.Fatalf("row of 'A' = %#02x, want 0x82", got)
	}
}

func hexCode(code int) string {
	const digits = "0123456789ABCDEF"
	return "0x" + string(digits[code>>4]) + string(digits[code&0xf])
}
