package qemu

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Line is one line of serial output.
type Line struct {
	At   time.Duration // since QEMU was started, when the line's newline arrived
	Text string        // without the line end; carriage returns removed
}

// String formats the line for logs: its time in seconds, then its text with
// control characters (such as GRUB's terminal escapes) shown as ^X.
func (l Line) String() string {
	return fmt.Sprintf("[%8.3f] %s", l.At.Seconds(), visible(l.Text))
}

// visible replaces control characters other than tab with caret notation.
func visible(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r >= 0x20 && r != 0x7f:
			b.WriteRune(r)
		case r == 0x7f:
			b.WriteString("^?")
		default:
			b.WriteByte('^')
			b.WriteRune(r + '@')
		}
	}
	return b.String()
}

// Console records the lines a guest writes to a serial port and lets
// callers wait for one. It is safe for concurrent use.
type Console struct {
	start time.Time

	mu     sync.Mutex
	lines  []Line
	closed bool          // the output has ended
	change chan struct{} // closed and replaced whenever lines or closed change
}

// NewConsole returns a Console whose line times count from start.
func NewConsole(start time.Time) *Console {
	return &Console{start: start, change: make(chan struct{})}
}

// Record reads r to its end, recording each line, and copies everything it
// reads to tee if tee is not nil. A last line without a newline is recorded
// at the end. Record then marks the console closed.
func (c *Console) Record(r io.Reader, tee io.Writer) {
	defer c.close()
	if tee != nil {
		r = io.TeeReader(r, tee)
	}
	br := bufio.NewReader(r)
	for {
		text, err := br.ReadString('\n')
		if text != "" {
			c.add(text)
		}
		if err != nil {
			return
		}
	}
}

func (c *Console) add(raw string) {
	at := time.Since(c.start)
	text := strings.ReplaceAll(strings.TrimSuffix(raw, "\n"), "\r", "")
	c.mu.Lock()
	c.lines = append(c.lines, Line{At: at, Text: text})
	c.notifyLocked()
	c.mu.Unlock()
}

func (c *Console) close() {
	c.mu.Lock()
	c.closed = true
	c.notifyLocked()
	c.mu.Unlock()
}

func (c *Console) notifyLocked() {
	close(c.change)
	c.change = make(chan struct{})
}

// Lines returns a copy of the lines recorded so far.
func (c *Console) Lines() []Line {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Line(nil), c.lines...)
}

// Transcript returns the recorded lines, one per line, with their times.
func (c *Console) Transcript() string {
	var b strings.Builder
	for _, l := range c.Lines() {
		b.WriteString(l.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// WaitLine waits up to timeout for a line matching re, looking at lines
// from index from on (0 for all lines seen so far), and returns it with its
// index. It fails when the timeout passes or the output ends first.
func (c *Console) WaitLine(re *regexp.Regexp, from int, timeout time.Duration) (Line, int, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		for i := from; i < len(c.lines); i++ {
			if re.MatchString(c.lines[i].Text) {
				l := c.lines[i]
				c.mu.Unlock()
				return l, i, nil
			}
		}
		from = max(from, len(c.lines))
		closed, change := c.closed, c.change
		c.mu.Unlock()
		if closed {
			return Line{}, -1, fmt.Errorf("serial output ended without a line matching %q", re)
		}
		select {
		case <-change:
		case <-deadline.C:
			return Line{}, -1, fmt.Errorf("no serial line matching %q within %v", re, timeout)
		}
	}
}
