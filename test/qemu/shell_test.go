package qemu

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// shellPrompt matches the line gosh's prompt leaves (bubbline's "> ",
// padded to the width), its escape sequences taken out (plainText); the
// lines it redraws while a command is typed have the command after the
// ">".
var shellPrompt = regexp.MustCompile(`^> *$`)

// escapeSequence matches a terminal's CSI and OSC sequences and the
// other ESC pairs.
var escapeSequence = regexp.MustCompile(`\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|.)`)

var lineErasure = regexp.MustCompile(`\x1b\[2K`)

// plainText is a line as a person sees it on a terminal that ran its
// escape sequences (colours, cursor moves, erasures): the text that
// follows the last erasure of the line.
func plainText(s string) string {
	if i := lineErasure.FindAllStringIndex(s, -1); len(i) > 0 {
		s = s[i[len(i)-1][1]:]
	}
	return escapeSequence.ReplaceAllString(s, "")
}

// TestShell boots the image make run boots (u-root's commands and gosh
// in /bin), types commands into the serial console as a person would,
// and checks what they print: a listing, a redirection, a pipeline
// between two processes, a line typed on the keyboard and shown on the
// VGA screen (BIOS), ps (the libOS's /proc), Ctrl-C of a sleep, and exit,
// which powers the machine off.
func TestShell(t *testing.T) {
	root := repoRoot(t)
	requireQEMU(t)
	iso := makeISO(t, root, "build/exogo-shell.iso", "init=init", nil, []string{"# the shell follows"}, "SHELL_TOOLS=yes")
	bin := map[string]bool{}
	for _, dir := range []string{"build/modules/bin", "build/uroot/bin"} {
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			bin[e.Name()] = true
		}
	}
	// BIOS with one CPU (make run's default), UEFI with two (two
	// vCPUs in every process, GOMAXPROCS 2: the shell's goroutines run
	// in parallel).
	for _, run := range []struct {
		fw   Firmware
		cpus int
	}{{BIOS, 1}, {UEFI, 2}} {
		t.Run(fmt.Sprintf("%v,%d_CPU", run.fw, run.cpus), func(t *testing.T) {
			// TODO(issue 9): with one CPU the shell hangs now and then
			// (about 1 boot in 10 in the last runs): after a Ctrl-C, the
			// prompt is drawn and the keys typed at it are never read.
			// A hang is reported and the machine booted once more, so
			// that the other checks still run; two hangs fail.
			for attempt := 1; ; attempt++ {
				report := shellSession(t, iso, run.fw, run.cpus, bin)
				switch {
				case report == "":
					return
				case attempt == 1:
					t.Logf("the shell hung (a known bug, see above); booting once more. The report:\n%s", report)
				default:
					t.Fatal(report)
				}
			}
		})
	}
}

// shellSession boots iso under fw with cpus CPUs and types TestShell's
// commands. A line that never comes ends it with a report of where the
// machine is (the Go programs' goroutines, after Ctrl-\; the CPUs; the
// whole transcript), which it returns; "" when every line came.
func shellSession(t *testing.T, iso string, fw Firmware, cpus int, bin map[string]bool) (report string) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			h, ok := r.(shellHang)
			if !ok {
				panic(r)
			}
			report = string(h)
		}
	}()
	c, err := ConfigFromEnv(requireImage(t, iso), fw, CDROM)
	if err != nil {
		t.Fatal(err)
	}
	c.SMP = cpus
	m, socket := startWithMonitor(t, c)
	from := 0
	// find looks for a line matching re (its escape sequences
	// taken out) among those after the last one found.
	find := func(re *regexp.Regexp, timeout time.Duration) (string, bool) {
		for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			exited := m.Exited() // (then the lines are all there)
			lines := m.Console.Lines()
			for ; from < len(lines); from++ {
				if text := plainText(lines[from].Text); re.MatchString(text) {
					from++
					return text, true
				}
			}
			if exited {
				break
			}
		}
		return "", false
	}
	wait := func(what string, re *regexp.Regexp, timeout time.Duration) string {
		t.Helper()
		text, ok := find(re, timeout)
		if !ok {
			// The whole transcript, for what came before the
			// report's last lines, after a Ctrl-\: a Go program
			// that hangs prints its goroutines (SIGQUIT).
			where := ""
			if !m.Exited() {
				m.Type("\x1c")
				time.Sleep(10 * time.Second)
				// Where the CPUs are, for a machine that hangs.
				if mo, err := DialMonitor(socket, 10*time.Second); err == nil {
					mo.Command("sendkey ctrl-backslash") // the keyboard's line, for a serial line gone quiet
					time.Sleep(5 * time.Second)
					for cpu := 0; cpu < c.SMP; cpu++ {
						mo.Command(fmt.Sprintf("cpu %d", cpu))
						regs, _ := mo.Command("info registers")
						where += fmt.Sprintf("CPU %d: %s\n", cpu, regexp.MustCompile(`RIP=\S+|CR3=\S+|EFL=\S+`).FindAllString(regs, -1))
					}
					mo.Close()
				}
			}
			whole := filepath.Join(os.TempDir(), "exogo-shell-"+fw.String()+".log")
			_ = os.WriteFile(whole, []byte(m.Console.Transcript()), 0o644)
			report := m.Report(fmt.Sprintf("%s: no line matching %q (the whole serial transcript: %s)\n%s", what, re, whole, where))
			if !m.Exited() {
				m.cmd.Process.Kill() // (its cleanup waits for it)
			}
			panic(shellHang(report))
		}
		return text
	}
	// A command's lines come within a minute (well before the
	// boot timeout, so that a hang leaves time for Ctrl-\).
	const commandTimeout = time.Minute
	command := func(line string) {
		t.Helper()
		wait("the prompt before "+line, shellPrompt, commandTimeout)
		if err := m.Type(line + "\r"); err != nil {
			t.Fatal(err)
		}
	}
	wait("init starts the shell", regexp.MustCompile(`init: starting the shell, /bin/gosh`), c.Timeout)
	command("ls -l /bin")
	wait("ls -l lists the commands' binary", regexp.MustCompile(`^-rwxr-xr-x +root +root +\d+ .* bb$`), commandTimeout)
	wait("ls -l lists the shell, a link to it", regexp.MustCompile(`^[lL]\S+ +\d* *root +root +\d+ .* gosh -> bb$`), commandTimeout)
	command("echo hi > /tmp/a && cat /tmp/a")
	wait("a file written and read", regexp.MustCompile(`^hi$`), commandTimeout)
	command("ls /bin | wc -l")
	n, _ := strconv.Atoi(wait("a pipeline", regexp.MustCompile(`^\d+$`), commandTimeout))
	if n != len(bin) {
		t.Errorf("ls /bin | wc -l printed %d, want %d (the image's /bin)", n, len(bin))
	}
	if fw == BIOS {
		// The screen and the keyboard: a line typed on the PS/2
		// keyboard (QEMU's sendkey), and the prompt and the output on
		// the VGA text screen, which the libOS draws.
		wait("the prompt before a line on the keyboard", shellPrompt, commandTimeout)
		mo, err := DialMonitor(socket, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"e", "c", "h", "o", "spc", "k", "shift-b", "d", "ret"} {
			if _, err := mo.Command("sendkey " + key); err != nil {
				t.Fatal(err)
			}
		}
		wait("a line typed on the keyboard", regexp.MustCompile(`^kBd$`), commandTimeout)
		onScreen := regexp.MustCompile(`(?m)^> echo kBd *\n(.*\n)?kBd *$`)
		var screen string
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			rows, err := mo.VGAText()
			if err != nil {
				t.Fatal(err)
			}
			// (The libOS writes the serial line first: the screen may lag.)
			if screen = strings.Join(rows, "\n"); onScreen.MatchString(screen) || time.Now().After(deadline) {
				break
			}
		}
		if !onScreen.MatchString(screen) {
			t.Errorf("the screen does not show the line typed on the keyboard and its output:\n%s", screen)
		}
		mo.Close()
	}
	command("ps")
	wait("ps lists init", regexp.MustCompile(`^ *1 \? +\d\d:\d\d:\d\d init *$`), commandTimeout)
	wait("ps lists the shell", regexp.MustCompile(`^ *\d+ \? +\d\d:\d\d:\d\d gosh *$`), commandTimeout)
	command("sleep 100")
	// A Ctrl-C typed before the shell has given the terminal
	// back (while its line editor still reads keys) is the
	// editor's; a person presses it again, and so does this.
	interrupted := regexp.MustCompile(`error: exit status 130`)
	start := time.Now()
	for tries := 0; ; tries++ {
		time.Sleep(time.Second)
		m.Type("\x03")
		if tries == 9 {
			wait("Ctrl-C ends sleep", interrupted, 10*time.Second)
			break
		}
		if _, ok := find(interrupted, 2*time.Second); ok {
			break
		}
	}
	if d := time.Since(start); d > 60*time.Second {
		t.Errorf("sleep 100 ended %v after the first Ctrl-C", d)
	}
	command("exit")
	wait("exit powers off", regexp.MustCompile(`init: powering off \(the shell's status 0\)`), commandTimeout)
	if status, err := m.Wait(); err != nil || status != ExitPass {
		t.Errorf("QEMU exit status %d (%v), want %d", status, err, ExitPass)
	}
	return ""
}

// shellHang is a shell session's report of a line that never came.
type shellHang string

// TestRCScript boots an image with the shell, whose /etc/rc is a shell
// script that init hands to gosh: a && list in a directory copied in with
// EXTRA_TREE, a loop, a pipeline, a command substitution, exit statuses,
// commands that write one redirected file in turn (which must share its
// offset) and a named pipe, all written as a person writes sh. It ends with u-root's
// poweroff, unmodified (Linux's reboot): the kernel ends every process,
// init and the shell among them, and powers off with status 0, leaving
// nothing behind; the line after it never runs.
func TestRCScript(t *testing.T) {
	root := repoRoot(t)
	requireQEMU(t)
	tree := t.TempDir()
	if err := os.WriteFile(filepath.Join(tree, "data"), []byte("from the tree\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	iso := makeISO(t, root, "build/exogo-rcscript.iso", "init=init", nil, []string{
		"# a shell script",
		"cd /src/tree && cat data && pwd",
		`for n in 1 2 3; do echo "round $n"; done`,
		"ls /bin | grep -c '^hello$'",
		"hello exit=3; echo \"hello said $?\"",
		`where=$(cd /tmp && pwd); echo "subshell in $where"`,
		"# commands that write one redirected file share its offset",
		`{ echo first; cat data; cat data; echo last; } > /tmp/out; echo "lines: $(grep -c . < /tmp/out)"`,
		`for n in 1 2 3; do cat data; done > /tmp/loop; echo "loop: $(grep -c tree < /tmp/loop)"`,
		"# a named pipe: the writer's open waits for cat's",
		`mkfifo /tmp/fifo && { echo "through a fifo" > /tmp/fifo & cat /tmp/fifo; }`,
		"poweroff",
		"echo not reached",
	}, "SHELL_TOOLS=yes", "EXTRA_TREE="+tree+":/src/tree")
	out := bootAndRun(t, iso, BIOS, 2, "", "the /etc/rc script")
	expectLines(t, out,
		`init: /etc/rc: /bin/gosh /etc/rc`,
		`(?m)\] from the tree$`,
		`(?m)\] /src/tree$`,
		`(?m)\] round 1$`, `(?m)\] round 3$`,
		`(?m)\] 1$`,
		`(?m)\] hello said 3$`,
		`(?m)\] subshell in /tmp$`,
		`(?m)\] lines: 4$`,
		`(?m)\] loop: 3$`,
		`(?m)\] through a fifo$`,
		`exogo: process \d+ \(poweroff\) asked to power off \(status 0\); every process was ended; powering off`)
	if strings.Contains(out, "not reached") {
		t.Errorf("the line after poweroff ran:\n%s", out)
	}
}
