package console

import (
	"strings"
	"testing"
)

// typeIn feeds text to the line discipline and returns the echo.
func typeIn(sh *Shared, text string) (echo string, wakes int) {
	for i := 0; i < len(text); i++ {
		var e [8]byte
		n, wake := Input(sh, text[i], e[:])
		echo += string(e[:n])
		if wake {
			wakes++
		}
	}
	return echo, wakes
}

func readAll(sh *Shared) []string {
	var reads []string
	for {
		var buf [64]byte
		n, ok := Read(sh, buf[:])
		if !ok {
			return reads
		}
		reads = append(reads, string(buf[:n]))
	}
}

func TestCanonicalLines(t *testing.T) {
	var sh Shared
	sh.Init()
	echo, wakes := typeIn(&sh, "lx\x7fs -l\r")
	if echo != "lx\b \bs -l\n" {
		t.Errorf("echo %q", echo)
	}
	if wakes != 1 {
		t.Errorf("%d wakes, want 1 (the line)", wakes)
	}
	if _, ok := Read(&Shared{Mode: ModeCanonical}, make([]byte, 4)); ok {
		t.Error("an empty ring had something to read")
	}
	typeIn(&sh, "two\nthree\x04\x04gone\x15")
	got := readAll(&sh)
	want := []string{"ls -l\n", "two\n", "three", ""}
	if len(got) != len(want) {
		t.Fatalf("reads %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("read %d = %q, want %q", i, got[i], want[i])
		}
	}
	if sh.LineLength != 0 {
		t.Errorf("Ctrl-U left %d bytes in the line", sh.LineLength)
	}
}

// TestInterruptFlushes checks that Ctrl-C, with ISIG, counts an
// interrupt and drops the line and the unread input (as Linux's
// terminal flushes its queues at SIGINT), and is data without ISIG.
func TestInterruptFlushes(t *testing.T) {
	var sh Shared
	sh.Init()
	echo, _ := typeIn(&sh, "unread\nhalf\x03")
	if sh.Interrupts != 1 || !strings.HasSuffix(echo, "^C\n") {
		t.Fatalf("Interrupts %d, echo %q", sh.Interrupts, echo)
	}
	if got := readAll(&sh); len(got) != 0 || sh.LineLength != 0 {
		t.Fatalf("reads %q and %d bytes in the line after Ctrl-C", got, sh.LineLength)
	}
	var raw [TermiosSize]byte
	sh.GetTermios(raw[:])
	raw[termiosLflag] = 0   // no ICANON, ECHO, ISIG
	raw[termiosIflag+1] = 0 // no ICRNL
	sh.SetTermios(raw[:], false)
	if sh.Mode != 0 {
		t.Fatalf("mode %#x after clearing ICANON, ECHO, ISIG and ICRNL", sh.Mode)
	}
	echo, wakes := typeIn(&sh, "a\x03\r")
	if echo != "" || wakes != 3 || sh.Interrupts != 1 {
		t.Fatalf("raw: echo %q, %d wakes, %d interrupts", echo, wakes, sh.Interrupts)
	}
	if got := readAll(&sh); len(got) != 1 || got[0] != "a\x03\r" {
		t.Fatalf("raw reads %q", got)
	}
	if n := sh.Pending(); n != 0 {
		t.Fatalf("Pending %d after reading all", n)
	}
	var back [TermiosSize]byte
	sh.GetTermios(back[:])
	if back != raw {
		t.Fatalf("TCGETS gave back %x, set %x", back, raw)
	}
	var cooked [TermiosSize]byte
	defaultTermios(&cooked)
	sh.SetTermios(cooked[:], false)
	typeIn(&sh, "x")
	if n := sh.Pending(); n != 0 {
		t.Fatalf("Pending %d with half a line typed", n)
	}
	typeIn(&sh, "y\r")
	if n := sh.Pending(); n != 3 {
		t.Fatalf("Pending %d, want the line's 3 bytes", n)
	}
}

func TestCanonicalErasesWholeUTF8Characters(t *testing.T) {
	var sh Shared
	sh.Init()
	typeIn(&sh, "a\u00e9\x7f\n")
	if got := readAll(&sh); len(got) != 1 || got[0] != "a\n" {
		t.Errorf("reads %q", got)
	}
}

func TestRawModeAndFullRing(t *testing.T) {
	var sh Shared
	sh.Init()
	sh.Mode = 0
	echo, wakes := typeIn(&sh, "ab\x01")
	if echo != "" || wakes != 3 {
		t.Errorf("raw without echo: echo %q, %d wakes", echo, wakes)
	}
	var buf [2]byte
	if n, ok := Read(&sh, buf[:]); !ok || n != 2 || string(buf[:]) != "ab" {
		t.Errorf("raw read %q, %v", buf[:n], ok)
	}
	// The ring never overflows: what does not fit is dropped.
	for i := 0; i < RingSize+10; i++ {
		var e [8]byte
		Input(&sh, 'x', e[:])
	}
	if used := sh.Head - sh.Tail; used != RingSize {
		t.Errorf("%d bytes in the ring", used)
	}
	// A line longer than the ring's room is dropped whole in canonical mode.
	sh.Mode = ModeCanonical
	if _, wakes := typeIn(&sh, "whole line\n"); wakes != 0 {
		t.Error("a line was committed into a full ring")
	}
}

func TestLongLineStopsAtTheLimit(t *testing.T) {
	var sh Shared
	sh.Init()
	for i := 0; i < LineMax+20; i++ {
		var e [8]byte
		Input(&sh, 'y', e[:])
	}
	typeIn(&sh, "\n")
	got := readAll(&sh)
	total := 0
	for _, r := range got {
		total += len(r)
	}
	if total != LineMax {
		t.Errorf("read %d bytes of an over-long line, want %d (the limit, with its newline)", total, LineMax)
	}
}

// Text ended by Ctrl-D that fills the reader's buffer exactly takes its
// mark along: the next read waits, as on Linux, rather than seeing an end
// of file.
func TestCtrlDAfterTextThatFillsTheBuffer(t *testing.T) {
	var sh Shared
	sh.Init()
	typeIn(&sh, "abc\x04")
	var buf [3]byte
	if n, ok := Read(&sh, buf[:]); !ok || n != 3 || string(buf[:]) != "abc" {
		t.Fatalf("read %q, %v", buf[:n], ok)
	}
	if n, ok := Read(&sh, buf[:]); ok {
		t.Errorf("a second read returned %d bytes, want nothing yet", n)
	}
}

// TestTypeAheadSurvivesModeChanges checks that a line half typed while
// the terminal is cooked becomes input when a program makes it raw (a
// shell's line editor starting while a person types), as Linux's line
// discipline does, and that raw input not yet read stays readable once
// the terminal is cooked again. (The shell test typed at the prompt and
// lost the start of its lines: they stayed in the line being edited.)
func TestTypeAheadSurvivesModeChanges(t *testing.T) {
	var sh Shared
	sh.Init()
	typeIn(&sh, "ls /b")
	var raw [TermiosSize]byte
	sh.GetTermios(raw[:])
	raw[termiosLflag] = 0
	raw[termiosIflag+1] = 0
	if !sh.SetTermios(raw[:], false) {
		t.Fatalf("making the terminal raw did not move Head with %q being edited", "ls /b")
	}
	typeIn(&sh, "in\r")
	if got := readAll(&sh); strings.Join(got, "") != "ls /bin\r" {
		t.Fatalf("raw reads %q, want the whole line typed across the change", got)
	}
	typeIn(&sh, "pw")
	var cooked [TermiosSize]byte
	defaultTermios(&cooked)
	if sh.SetTermios(cooked[:], false) {
		t.Fatalf("making the terminal cooked moved Head")
	}
	if got := readAll(&sh); strings.Join(got, "") != "pw" {
		t.Fatalf("cooked reads %q, want the raw bytes not read yet", got)
	}
	typeIn(&sh, "half")
	if sh.SetTermios(raw[:], true) || readAll(&sh) != nil || sh.LineLength != 0 {
		t.Fatalf("TCSETSF kept the line being edited")
	}
}
