package qemu

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// ConsoleISO boots init with /etc/rc = testdata/console.rc: hello reads
// the console until Ctrl-D.
const ConsoleISO = "build/exogo-console.iso"

// TestConsoleInput types on the serial line and on the PS/2 keyboard
// (QEMU's sendkey) while hello, a child of init, reads its standard
// input: init's libOS holds the input devices and runs the line
// discipline in its interrupt upcall (echo, Backspace, Ctrl-U, Ctrl-D);
// hello's libOS reads the shared ring, woken by a word event. Under BIOS
// the lines are also on the VGA text screen, drawn by the libOS. Then
// /etc/rc ends and init runs the programs typed at its prompt, until
// poweroff.
func TestConsoleInput(t *testing.T) {
	for _, run := range libOSMachines {
		t.Run(run.name, func(t *testing.T) {
			c, err := ConfigFromEnv(requireImage(t, ConsoleISO), run.firmware, CDROM)
			if err != nil {
				t.Fatal(err)
			}
			c.SMP = run.cpus
			m, socket := startWithMonitor(t, c)
			step := func(what, pattern string) {
				t.Helper()
				if _, err := m.WaitLine(regexp.MustCompile(pattern), c.Timeout); err != nil {
					t.Fatal(m.Report(fmt.Sprintf("%s: no line %q: %v", what, pattern, err)))
				}
			}
			step("start", `hello: reading lines; end with Ctrl-D`)
			if err := m.Type("first line\r"); err != nil {
				t.Fatal(err)
			}
			step("a typed line", `hello: read 1: "first line"`)
			// Backspace twice (DEL), then Ctrl-U erases what is left.
			m.Type("secXY\x7f\x7fond\x15again\r")
			step("editing", `hello: read 2: "again"`)
			mo, err := DialMonitor(socket, 30*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer mo.Close()
			for _, key := range []string{"shift-k", "b", "ret"} {
				if _, err := mo.Command("sendkey " + key); err != nil {
					t.Fatal(err)
				}
			}
			step("the keyboard", `hello: read 3: "Kb"`)
			if run.firmware == BIOS {
				// The libOS writes a line to the serial port, then to the
				// screen: the screen may lag the line just seen. Look
				// again until it shows all, for a few seconds.
				wants := []string{`hello: read 1: "first line"`, `hello: read 3: "Kb"`, "\nKb\n"}
				var screen string
				var missing []string
				for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
					rows, err := mo.VGAText()
					if err != nil {
						t.Fatal(err)
					}
					screen, missing = strings.Join(rows, "\n"), nil
					for _, want := range wants {
						if !strings.Contains(screen, want) {
							missing = append(missing, want)
						}
					}
					if len(missing) == 0 || time.Now().After(deadline) {
						break
					}
				}
				for _, want := range missing {
					t.Errorf("the screen lacks %q after 10 s:\n%s", want, screen)
				}
			}
			m.Type("\x04")
			step("the end of input", `hello: end of input after 3 lines`)
			// /etc/rc has ended without powering off: init takes lines
			// from the console, after a prompt.
			step("init's prompt", `init: /bin holds .*\bhello\b`)
			m.Type("hello exit=4\r")
			step("a program run from the prompt", `init: /bin/hello \(process \d+\) exited with status 4`)
			m.Type("hello\r")
			step("another", `init: console: hello$`)
			m.Type("poweroff\r")
			out := runToEnd(t, m, "init")
			expectLines(t, out,
				`(?m)^(\[[ 0-9.]+\] )?first line$`, // the echo
				`init: /bin/hello \(process \d+\) exited with status 0`,
				`init: console: hello exit=4`,
				`init: powering off \(last status 0\)`,
				`exogo: the screen is process 1's now`,
			)
		})
	}
}

// startWithMonitor starts c with QEMU's monitor listening on a socket,
// and returns the machine and the socket's path; both go when the test
// ends. (The socket's directory is not t.TempDir: a subtest's name may
// hold characters QEMU's options cannot take, such as a comma.)
func startWithMonitor(t *testing.T, c Config) (*Machine, string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "exogo-monitor-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	socket := filepath.Join(dir, "monitor")
	c.ExtraArgs = append(c.ExtraArgs, MonitorArgs(socket)...)
	m, err := Start(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m, socket
}
