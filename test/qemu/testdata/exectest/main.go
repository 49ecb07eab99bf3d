// Command exectest is an ordinary Go program built for Linux that starts
// processes the way Go programs do (os/exec: fork+exec, wait4, pipes,
// inherited descriptors) and checks what Linux would give. It runs
// itself as the child ("exectest child WHAT ...").
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	if len(os.Args) > 2 && os.Args[1] == "child" {
		child(os.Args[2], os.Args[3:])
		return
	}
	self := os.Args[0]
	failed := false
	only := map[string]bool{}
	for _, a := range os.Args[1:] {
		only[a] = true
	}
	check := func(name string, run func() error) {
		if len(only) > 0 && !only[strings.Fields(name)[0]] {
			return // not asked for: "exectest many kill" runs only those
		}
		err := run()
		if err != nil {
			failed = true
			fmt.Printf("exectest: %s: FAIL: %v\n", name, err)
			return
		}
		fmt.Printf("exectest: %s: ok\n", name)
	}
	check("output", func() error {
		out, err := exec.Command(self, "child", "echo", "hello", "world").Output()
		return expect(out, err, "hello world\n")
	})
	check("stdin", func() error {
		cmd := exec.Command(self, "child", "cat")
		cmd.Stdin = strings.NewReader(strings.Repeat("abc", 50000))
		out, err := cmd.Output()
		return expect(out, err, strings.Repeat("abc", 50000))
	})
	check("exit status", func() error {
		err := exec.Command(self, "child", "exit", "7").Run()
		var e *exec.ExitError
		if !errors.As(err, &e) || e.ExitCode() != 7 {
			return fmt.Errorf("got %v, want exit status 7", err)
		}
		return nil
	})
	check("dir and env", func() error {
		cmd := exec.Command(self, "child", "pwd")
		cmd.Dir = "/tmp"
		cmd.Env = []string{"EXECTEST=42"}
		out, err := cmd.Output()
		return expect(out, err, "/tmp 42\n")
	})
	check("not found", func() error {
		err := exec.Command("/bin/no-such-program").Run()
		if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("got %v, want ENOENT", err)
		}
		return nil
	})
	check("pipeline", func() error {
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		producer := exec.Command(self, "child", "count", "20000")
		producer.Stdout = w
		consumer := exec.Command(self, "child", "wc")
		consumer.Stdin = r
		var out bytes.Buffer
		consumer.Stdout = &out
		if err := producer.Start(); err != nil {
			return err
		}
		if err := consumer.Start(); err != nil {
			return err
		}
		w.Close()
		r.Close()
		if err := producer.Wait(); err != nil {
			return err
		}
		if err := consumer.Wait(); err != nil {
			return err
		}
		return expect(out.Bytes(), nil, "20000 lines\n")
	})
	check("extra files and stdout to a file", func() error {
		dir, err := os.MkdirTemp("", "exectest")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		in := filepath.Join(dir, "in")
		if err := os.WriteFile(in, []byte("from fd 3"), 0o644); err != nil {
			return err
		}
		f, err := os.Open(in)
		if err != nil {
			return err
		}
		defer f.Close()
		out, err := os.Create(filepath.Join(dir, "out"))
		if err != nil {
			return err
		}
		cmd := exec.Command(self, "child", "fd3")
		cmd.ExtraFiles = []*os.File{f}
		cmd.Stdout = out
		if err := cmd.Run(); err != nil {
			return err
		}
		out.Close()
		got, err := os.ReadFile(filepath.Join(dir, "out"))
		return expect(got, err, "from fd 3\n")
	})
	check("kill", func() error {
		cmd := exec.Command(self, "child", "sleep")
		if err := cmd.Start(); err != nil {
			return err
		}
		time.Sleep(50 * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			return err
		}
		err := cmd.Wait()
		var e *exec.ExitError
		if !errors.As(err, &e) {
			return fmt.Errorf("got %v, want a killed child", err)
		}
		if ws := e.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			return fmt.Errorf("got %v, want signal: killed", err)
		}
		return nil
	})
	check("cmdline", func() error {
		out, err := exec.Command(self, "child", "cmdline", "a b").Output()
		return expect(out, err, fmt.Sprintf("%q\n", self+"\x00child\x00cmdline\x00a b\x00"))
	})
	check("reboot refused", func() error {
		// Not root (a child that gave root up), or a bad magic number:
		// the machine stays on, and the errno is Linux's.
		out, err := exec.Command(self, "child", "reboot").Output()
		return expect(out, err, "bad magic: invalid argument\nas user 1000: operation not permitted\n")
	})
	check("proc self fd", func() error {
		// /proc/self/fd: a link per descriptor, to the path a file was
		// opened by, or to pipe:[N]; opening one opens the file again.
		dir, err := os.MkdirTemp("", "fdtest")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		name := filepath.Join(dir, "data")
		if err := os.WriteFile(name, []byte("through the link"), 0o644); err != nil {
			return err
		}
		if err := os.Chdir(dir); err != nil {
			return err
		}
		defer os.Chdir("/")
		if err := os.Mkdir("sub", 0o755); err != nil {
			return err
		}
		f, err := os.Open("./sub/../data") // relative to the current directory, with ..
		if err != nil {
			return err
		}
		defer f.Close()
		link := fmt.Sprintf("/proc/self/fd/%d", f.Fd())
		if target, err := os.Readlink(link); err != nil || target != name {
			return fmt.Errorf("readlink %s: %q, %v; want %q", link, target, err, name)
		}
		again, err := os.ReadFile(link)
		if err != nil || string(again) != "through the link" {
			return fmt.Errorf("reading %s: %q, %v", link, again, err)
		}
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		defer r.Close()
		defer w.Close()
		rt, _ := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", r.Fd()))
		wt, _ := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", w.Fd()))
		if !strings.HasPrefix(rt, "pipe:[") || rt != wt {
			return fmt.Errorf("a pipe's ends link to %q and %q, want one pipe:[N]", rt, wt)
		}
		entries, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			return err
		}
		listed := map[string]bool{}
		for _, e := range entries {
			listed[e.Name()] = e.Type()&os.ModeSymlink != 0
		}
		for _, fd := range []uintptr{0, 1, 2, f.Fd(), r.Fd(), w.Fd()} {
			if !listed[strconv.Itoa(int(fd))] {
				return fmt.Errorf("/proc/self/fd lists %v, not a link for %d", listed, fd)
			}
		}
		if _, err := os.ReadDir("/proc/1/fd"); !errors.Is(err, os.ErrPermission) {
			return fmt.Errorf("listing another process's descriptors: %v, want EACCES", err)
		}
		return nil
	})
	check("signals between processes", func() error {
		// A handled signal reaches the child's handler; an unhandled
		// one's default action kills it (WIFSIGNALED); kill checks the
		// user (root here; a child that gave root up may not signal
		// init) and that the process exists.
		cmd := exec.Command(self, "child", "sigterm")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return err
		}
		r := bufio.NewReader(stdout)
		ready, _ := r.ReadString('\n')
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			return fmt.Errorf("signal: %v", err)
		}
		rest, _ := io.ReadAll(r)
		if err := cmd.Wait(); err != nil || ready != "ready\n" || string(rest) != "got terminated\n" {
			return fmt.Errorf("a handled SIGTERM: %q then %q, %v", ready, rest, err)
		}
		sleeper := exec.Command(self, "child", "sleep")
		if err := sleeper.Start(); err != nil {
			return err
		}
		if err := sleeper.Process.Signal(syscall.SIGTERM); err != nil {
			return fmt.Errorf("signal: %v", err)
		}
		err = sleeper.Wait()
		var e *exec.ExitError
		if !errors.As(err, &e) || !e.Sys().(syscall.WaitStatus).Signaled() || e.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
			return fmt.Errorf("an unhandled SIGTERM: %v, want killed by SIGTERM", err)
		}
		if err := syscall.Kill(1, 0); err != nil {
			return fmt.Errorf("kill(1, 0) as root: %v", err)
		}
		if err := syscall.Kill(60000, 0); err != syscall.ESRCH {
			return fmt.Errorf("kill of no process: %v, want ESRCH", err)
		}
		out, err := exec.Command(self, "child", "killinit").Output()
		return expect(out, err, "operation not permitted\n")
	})
	check("credential", func() error {
		// The child runs as the user asked for; the parent, whose
		// thread made the child's setuid calls (vfork), stays root.
		cmd := exec.Command(self, "child", "uid")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 1000, Gid: 1000}}
		out, err := cmd.Output()
		if err := expect(out, err, "1000\n"); err != nil {
			return err
		}
		if os.Getuid() != 0 || syscall.Kill(1, 0) != nil {
			return fmt.Errorf("the parent lost root: uid %d, kill(1, 0) %v", os.Getuid(), syscall.Kill(1, 0))
		}
		return nil
	})
	check("unaligned words", func() error {
		// Linux asks no alignment of a call's words but a futex's: a
		// sigset on a Go stack may be 4-byte aligned (u-root's busybox
		// binary crashed at its start so).
		var buf [24]byte
		off := (12 - uintptr(unsafe.Pointer(&buf[0]))%8) % 8 // &buf[off] is 4 mod 8
		old := unsafe.Pointer(&buf[off])
		if _, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, 0, 0, uintptr(old), 8, 0, 0); errno != 0 {
			return fmt.Errorf("rt_sigprocmask into a set at %p: %v", old, errno)
		}
		odd := unsafe.Pointer(&buf[off+1])
		if _, _, errno := syscall.Syscall6(syscall.SYS_FUTEX, uintptr(odd), 1 /* FUTEX_WAKE */, 1, 0, 0, 0); errno != syscall.EINVAL {
			return fmt.Errorf("futex on a word at %p: %v, want EINVAL", odd, errno)
		}
		return nil
	})
	check("shared offset", func() error { return sharedOffset(self) })
	check("read while another process truncates", func() error { return readWhileTruncated(self) })
	check("named pipe", func() error { return namedPipe(self) })
	check("many children", func() error {
		for i := range 40 {
			out, err := exec.Command(self, "child", "echo", strconv.Itoa(i)).Output()
			if err := expect(out, err, strconv.Itoa(i)+"\n"); err != nil {
				return fmt.Errorf("child %d: %v", i, err)
			}
		}
		return nil
	})
	if failed {
		fmt.Println("exectest: FAILED")
		os.Exit(1)
	}
	fmt.Println("exectest: all ok")
}

// countTogether runs two children at once that each write 300 lines in
// one write, to out1 and out2.
func countTogether(self string, out1, out2 *os.File) error {
	c1, c2 := exec.Command(self, "child", "count", "300"), exec.Command(self, "child", "count", "300")
	c1.Stdout, c2.Stdout = out1, out2
	if err := c1.Start(); err != nil {
		return err
	}
	if err := c2.Start(); err != nil {
		c1.Wait()
		return err
	}
	e1, e2 := c1.Wait(), c2.Wait()
	return errors.Join(e1, e2)
}

func expect(got []byte, err error, want string) error {
	if err != nil {
		var e *exec.ExitError
		if errors.As(err, &e) {
			return fmt.Errorf("%v (stderr %q)", err, e.Stderr)
		}
		return err
	}
	if string(got) != want {
		if len(got) > 80 {
			return fmt.Errorf("got %d bytes, want %d", len(got), len(want))
		}
		return fmt.Errorf("got %q, want %q", got, want)
	}
	return nil
}

// child is the program's other part, run by the tests above.
func child(what string, args []string) {
	switch what {
	case "echo":
		fmt.Println(strings.Join(args, " "))
	case "cat":
		io.Copy(os.Stdout, os.Stdin)
	case "exit":
		n, _ := strconv.Atoi(args[0])
		os.Exit(n)
	case "pwd":
		wd, err := os.Getwd()
		if err != nil {
			fmt.Println(err)
		}
		fmt.Println(wd, os.Getenv("EXECTEST"))
	case "count":
		n, _ := strconv.Atoi(args[0])
		var b bytes.Buffer
		for i := range n {
			fmt.Fprintf(&b, "line %d\n", i)
		}
		os.Stdout.Write(b.Bytes())
	case "wc":
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			fmt.Println(err)
		}
		fmt.Printf("%d lines\n", bytes.Count(b, []byte("\n")))
	case "fd3":
		b, err := io.ReadAll(os.NewFile(3, "fd3"))
		if err != nil {
			fmt.Println(err)
		}
		fmt.Println(string(b))
	case "reboot":
		_, _, errno := syscall.Syscall(syscall.SYS_REBOOT, 0xfee1dead, 1, syscall.LINUX_REBOOT_CMD_POWER_OFF)
		fmt.Printf("bad magic: %v\n", errno)
		if err := syscall.Setuid(1000); err != nil {
			fmt.Println(err)
		}
		fmt.Printf("as user 1000: %v\n", syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF))
	case "cmdline":
		b, err := os.ReadFile("/proc/self/cmdline")
		if err != nil {
			fmt.Println(err)
		}
		fmt.Printf("%q\n", b)
	case "sleep":
		time.Sleep(time.Hour)
	case "sigterm":
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		fmt.Println("ready")
		<-c
		fmt.Println("got terminated")
	case "shrink":
		// Shrink the file args[0] to a page and grow it back to 4 MiB,
		// args[1] times.
		n, _ := strconv.Atoi(args[1])
		for range n {
			if err := os.Truncate(args[0], 4096); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			if err := os.Truncate(args[0], 4<<20); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
	case "catfile":
		f, err := os.Open(args[0])
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		io.Copy(os.Stdout, f)
	case "rewind":
		if _, err := os.Stdout.Seek(0, io.SeekStart); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	case "read":
		n, _ := strconv.Atoi(args[0])
		if _, err := io.ReadFull(os.Stdin, make([]byte, n)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	case "uid":
		fmt.Println(os.Getuid())
	case "killinit":
		if err := syscall.Setuid(1000); err != nil {
			fmt.Println(err)
		}
		fmt.Println(syscall.Kill(1, syscall.SIGTERM))
	}
}
