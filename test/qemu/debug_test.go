package qemu

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// TestDebugger does what `make debug` does (docs/debugging.md): QEMU halted
// with its gdb stub, gdb running tools/exogo.gdb. It checks that gdb shows
// the kernel's source lines with no setting typed by hand, that the Go
// runtime's helpers are loaded (info goroutines lists the kernel's
// goroutines), and that with EXOGO_PROGRAM it stops in the user program's
// main with the program's source and backtrace.
func TestDebugger(t *testing.T) {
	image := requireImage(t, HelloISO)
	if _, err := exec.LookPath("gdb"); err != nil {
		t.Fatal("gdb is not installed: run tools/install-deps.sh (make debug needs it)")
	}
	for _, tc := range []struct {
		name    string
		program string
		more    []string // gdb commands after continue, info source, list, bt
		want    []string
	}{
		// At earlyMain the runtime has no goroutines yet: run on to the
		// kernel's main.main for info goroutines.
		{"kernel", "", []string{"hbreak exogo/kernel/main.go:main.main", "continue", "info goroutines"}, []string{
			"exogo: stopped before boot. `continue` runs to earlyMain",
			"main.earlyMain",
			"Located in " + repoRoot(t) + "/kernel/early.go",
			"func earlyMain(",
			"main.main () at exogo/kernel/main.go",
			"* 1 running",
		}},
		{"program", "exo-hello", []string{"info goroutines"}, []string{
			"exogo: stopped before boot. `continue` runs to main.main of exo-hello",
			"main.main () at exogo/cmd/exo-hello/main.go",
			"Located in " + repoRoot(t) + "/cmd/exo-hello/main.go",
			"if exo.Null() != 0 {",
			"exogo/libos/bare.Start () at exogo/libos/bare/start_amd64.s",
			"runtime.gopark",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := freePort(t)
			c, err := ConfigFromEnv(image, BIOS, CDROM)
			if err != nil {
				t.Fatal(err)
			}
			c.ExtraArgs = append(c.ExtraArgs, "-gdb", "tcp:127.0.0.1:"+strconv.Itoa(port), "-S")
			m, err := Start(c)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			ctx, cancel := context.WithTimeout(context.Background(), c.Timeout)
			defer cancel()
			args := []string{"-q", "-batch", "-x", "tools/exogo.gdb"}
			for _, command := range append(append([]string{"continue", "info source", "list", "bt"}, tc.more...), "kill") {
				args = append(args, "-ex", command)
			}
			gdb := exec.CommandContext(ctx, "gdb", args...)
			gdb.Dir = repoRoot(t)
			gdb.Env = append(filterEnv(os.Environ(), "EXOGO_PROGRAM", "EXOGO_GDB_PORT"),
				"EXOGO_GDB_PORT="+strconv.Itoa(port), "EXOGO_PROGRAM="+tc.program)
			out, err := gdb.CombinedOutput()
			text := string(out)
			if ctx.Err() != nil {
				t.Fatalf("gdb did not finish within %v:\n%s", c.Timeout, tail(text, 40))
			}
			if err != nil {
				t.Logf("gdb: %v", err)
			}
			if missing := MissingOutput(text, tc.want); missing != "" {
				t.Fatalf("gdb did not print %q (in order); its output:\n%s\n%s", missing, tail(text, 60), m.Report("QEMU"))
			}
		})
	}
}

// freePort returns a TCP port on the loopback interface that was free a
// moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
