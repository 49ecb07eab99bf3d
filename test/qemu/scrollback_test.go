package qemu

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestParseXP(t *testing.T) {
	out := "xp /4hx 0xb8000\r\n00000000000b8000: 0x0765 0x0778\r\n00000000000b8004: 0x076f 0x0767\r\n"
	got := parseXP(out)
	if fmt.Sprint(got) != "[1893 1912 1903 1895]" {
		t.Errorf("parseXP = %v", got)
	}
}

// TestScreenScrollback boots to the idle prompt on the VGA text screen,
// presses Shift+Page Up until the view stops at the start of the log
// ("exogo: booting" on the top row), then Shift+Page Down until the
// screen is as it was: the scrollback a person at a real PC uses.
func TestScreenScrollback(t *testing.T) {
	image := requireImage(t, IdleISO)
	c, err := ConfigFromEnv(image, BIOS, CDROM)
	if err != nil {
		t.Fatal(err)
	}
	m, socket := startWithMonitor(t, c)
	if _, err := m.WaitLine(regexp.MustCompile(`exogo: ready\.`), c.Timeout); err != nil {
		t.Fatal(m.Report(fmt.Sprintf("no idle prompt: %v", err)))
	}
	expectLines(t, m.Console.Transcript(), `exogo: keyboard: PS/2; Shift\+Page Up and Shift\+Page Down scroll the screen`)
	mo, err := DialMonitor(socket, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer mo.Close()
	live, err := mo.VGAText()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(live, ""), "exogo: ready.") || live[0] == "exogo: booting" {
		t.Fatalf("the live screen does not end with the idle prompt after scrolling:\n%s", strings.Join(live, "\n"))
	}
	// Every key press moves half a screen; the log is a few screens long.
	screenAfter := func(key string, presses int, done func([]string) bool) []string {
		for i := 0; i < presses; i++ {
			if _, err := mo.Command("sendkey " + key); err != nil {
				t.Fatal(err)
			}
		}
		var rows []string
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if rows, err = mo.VGAText(); err != nil {
				t.Fatal(err)
			}
			if done(rows) {
				return rows
			}
		}
		t.Fatalf("after %d × %s the screen is:\n%s\n%s", presses, key, strings.Join(rows, "\n"), m.Report("QEMU"))
		return nil
	}
	screenAfter("shift-pgup", 30, func(rows []string) bool { return rows[0] == "exogo: booting" })
	screenAfter("shift-pgdn", 30, func(rows []string) bool { return strings.Join(rows, "\n") == strings.Join(live, "\n") })
}
