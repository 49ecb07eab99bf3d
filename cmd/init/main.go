// Command init is the first program: an ordinary Go program on the libOS
// that runs /etc/rc and then the shell.
//
// With u-root's shell in the image (/bin/gosh, make iso's default),
// /etc/rc is a shell script: init runs it with gosh, on the console,
// waits for it and prints its status, so a line like
// "cd /src/regexp && regexp.test -test.short" works. A script may power
// the machine off with u-root's poweroff or shutdown (Linux's reboot
// call: the kernel ends every process and powers off with status 0; the
// power right is every process's that runs as root). When the script
// ends, init starts gosh on the console, and powers off with its status
// when it exits.
//
// An image without gosh (SHELL_TOOLS=no: the tests' small ones) gets
// init's own runner, which reads /etc/rc line by line: a line is a program
// path and its arguments (separated by spaces; # starts a comment), which
// init starts in its own process through the libOS's ELF loader, waits for
// and prints the exit status of. A line ending with "&" starts its program
// without waiting: init waits for such programs, and prints their
// statuses, when /etc/rc ends or before it powers off. A line "cd DIR"
// makes DIR the directory the programs that follow start in. A line
// "poweroff" powers the machine off with the last status (QEMU's exit
// status says whether it was 0). Such lines read the same to the shell,
// but for two things: the shell's poweroff (u-root's) powers off with
// status 0, and # starts a comment only at the start of a word. When it
// ends, init's own prompt takes the same lines from the console until a
// line "poweroff". (It is not a shell: no pipes, no variables, no
// scripts.)
//
// make iso RC=path replaces /etc/rc, make iso EXTRA_BIN='file ...' adds
// programs to /bin; make run boots into it.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"exogo/libos/exo"
	_ "exogo/libos/linux"
	"exogo/libos/spawn"
)

const (
	rcPath    = "/etc/rc"
	shellPath = "/bin/gosh"
)

var env = []string{"PATH=/bin", "HOME=/root", "TERM=linux", "USER=root"}

func main() {
	// Ctrl-C and Ctrl-\ interrupt the programs on the console, not init;
	// and, as Linux's init takes no signal it does not handle, a kill of
	// init does nothing (Go's runtime would take it and die).
	signal.Ignore(os.Interrupt, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGPIPE)
	rc, err := os.Open(rcPath)
	if err != nil {
		fmt.Printf("init: cannot read %s: %v (make iso RC=path puts a script there)\n", rcPath, err)
		os.Exit(1)
	}
	_, shellErr := os.Stat(shellPath)
	if shellErr != nil && !os.IsNotExist(shellErr) {
		fmt.Printf("init: %v; running %s without the shell\n", shellErr, rcPath)
	}
	last := 0
	if shellErr == nil {
		// A shell script, run by the shell.
		last = run([]string{shellPath, rcPath}, rcPath)
	} else {
		last = runLines(rc, func(number int) string { return fmt.Sprintf("%s:%d", rcPath, number) }, nil, 0)
	}
	rc.Close()
	fmt.Printf("init: %s done (last status %d)\n", rcPath, last)
	if shellErr == nil {
		// u-root's shell, on the console, until it exits.
		fmt.Printf("init: starting the shell, %s (type exit to power off)\n", shellPath)
		status := run([]string{shellPath}, "console")
		fmt.Printf("init: powering off (the shell's status %d)\n", status)
		poweroff(status)
	}
	if info, err := os.Stdin.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
		fmt.Println("init: type a program from /bin and its arguments to run it, or poweroff;")
		fmt.Printf("init: /bin holds %s\n", strings.Join(programs(), " "))
		last = runLines(os.Stdin, func(int) string { return "console" }, func() { fmt.Print("init> ") }, last)
		fmt.Println("init: end of input on the console")
	}
	os.Exit(last)
}

// runLines runs each line of r (see the package comment), naming it
// where(line number) in messages; prompt, if not nil, is shown before
// each line is read. It returns the last status (last if no line ran).
func runLines(r io.Reader, where func(int) string, prompt func(), last int) int {
	lines := bufio.NewScanner(r)
	for number := 1; ; number++ {
		if prompt != nil {
			prompt()
		}
		if !lines.Scan() {
			break
		}
		line := lines.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if fields[0] == "cd" && len(fields) == 2 {
			// The programs that follow start in that directory.
			fmt.Printf("init: %s: cd %s\n", where(number), fields[1])
			if err := os.Chdir(fields[1]); err != nil {
				fmt.Printf("init: %s: %v\n", where(number), err)
				last = 1
			}
			continue
		}
		if fields[0] == "poweroff" {
			last = waitBackground(last)
			fmt.Printf("init: powering off (last status %d)\n", last)
			poweroff(last)
		}
		last = run(fields, where(number))
	}
	if err := lines.Err(); err != nil {
		fmt.Printf("init: reading: %v\n", err)
	}
	return waitBackground(last)
}

// background is what the lines ending with "&" started.
var background []struct {
	path string
	pid  int
}

// waitBackground waits for every program started in the background and
// prints its status; it returns the last one's status (last if none).
func waitBackground(last int) int {
	for _, b := range background {
		status, err := spawn.Wait(b.pid)
		if err != nil {
			fmt.Printf("init: %v\n", err)
			status = 127
		}
		fmt.Printf("init: %s (process %d, in the background) exited with status %d\n", b.path, b.pid, status)
		last = status
	}
	background = nil
	return last
}

// run starts the program fields name in its own process and waits for it
// (not when the last field is "&").
func run(fields []string, where string) int {
	path := fields[0]
	if !strings.Contains(path, "/") {
		path = "/bin/" + path
	}
	fmt.Printf("init: %s: %s\n", where, strings.Join(fields, " "))
	inBackground := len(fields) > 1 && fields[len(fields)-1] == "&"
	if inBackground {
		fields = fields[:len(fields)-1]
	}
	pid, err := spawn.Start(path, fields, env)
	if err != nil {
		fmt.Printf("init: %s: %v\n", where, err)
		return 127
	}
	if inBackground {
		fmt.Printf("init: %s (process %d) runs in the background\n", path, pid)
		background = append(background, struct {
			path string
			pid  int
		}{path, pid})
		return 0
	}
	status, err := spawn.Wait(pid)
	if err != nil {
		fmt.Printf("init: %v\n", err)
		return 127
	}
	fmt.Printf("init: %s (process %d) exited with status %d\n", path, pid, status)
	return status
}

// programs lists /bin.
func programs() []string {
	entries, err := os.ReadDir("/bin")
	if err != nil {
		return []string{"(unreadable: " + err.Error() + ")"}
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// poweroff ends init and powers the machine off (the exokernel's poweroff
// call, which needs the power right and root, which init holds).
func poweroff(status int) {
	syscall.Syscall(exo.CallPoweroff, uintptr(status), 0, 0)
	fmt.Println("init: the kernel refused to power off")
	os.Exit(status)
}
