package main

import (
	"bytes"
	"os"
	"testing"
)

const source = "terminus/Uni2-Terminus16.psf.gz"

// TestGeneratedTableIsCurrent fails when the font or the generator changed
// without go generate ./libos/console.
func TestGeneratedTableIsCurrent(t *testing.T) {
	f, err := os.Open("../../" + source)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	font, err := parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(font.glyphs) != 512 || font.height != 16 {
		t.Fatalf("%d glyphs of %d rows, want 512 of 16", len(font.glyphs), font.height)
	}
	for _, r := range []uint16{'A', 'z', 0xe9, 0xff, 0x2500, 0x256c, 0xfffd} {
		if _, ok := font.runes[r]; !ok {
			t.Errorf("the font has no glyph for U+%04X", r)
		}
	}
	want, err := render(font, source)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../font_table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("font_table.go is out of date: run go generate ./libos/console")
	}
}

func TestRefusesWhatIsNotAPSF1Font(t *testing.T) {
	var gz bytes.Buffer
	if _, err := parse(&gz); err == nil {
		t.Error("an empty file was accepted")
	}
}
