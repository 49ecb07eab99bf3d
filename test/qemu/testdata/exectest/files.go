package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// Checks of files shared between processes (main.go runs them).

// sharedOffset checks that a description a child inherits is one
// description: the child's writes, reads and seeks move the parent's
// offset, as a shell's `{ echo a; cmd; echo b; } > out` needs.
func sharedOffset(self string) error {
	name := filepath.Join(os.TempDir(), "exectest-offset")
	defer os.Remove(name)
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()
	run := func(stdin, stdout *os.File, args ...string) error {
		cmd := exec.Command(self, append([]string{"child"}, args...)...)
		cmd.Stdin, cmd.Stdout = stdin, stdout
		return cmd.Run()
	}
	f.WriteString("a\n")
	if err := run(nil, f, "echo", "one"); err != nil {
		return err
	}
	f.WriteString("b\n")
	if b, err := os.ReadFile(name); string(b) != "a\none\nb\n" {
		return fmt.Errorf("after a child's write: %q (%v), want %q", b, err, "a\none\nb\n")
	}
	if err := run(nil, f, "rewind"); err != nil {
		return err
	}
	f.WriteString("A")
	if b, err := os.ReadFile(name); string(b) != "A\none\nb\n" {
		return fmt.Errorf("after a child's seek: %q (%v), want %q", b, err, "A\none\nb\n")
	}
	// Two children write at once: each write takes its own range.
	f.Seek(0, io.SeekStart)
	f.Truncate(0)
	if err := countTogether(self, f, f); err != nil {
		return err
	}
	one := 0
	for i := range 300 {
		one += len(fmt.Sprintf("line %d\n", i))
	}
	b, _ := os.ReadFile(name)
	for i := range 300 { // each child's write is whole: its lines in order, nothing lost or zeroed
		line := []byte(fmt.Sprintf("line %d\n", i))
		if n := bytes.Count(b, line); n != 2 {
			return fmt.Errorf("two children's output (%d bytes, want %d): %q %d times, want 2", len(b), 2*one, line, n)
		}
	}
	if len(b) != 2*one {
		return fmt.Errorf("two children's output: %d bytes, want %d", len(b), 2*one)
	}
	// A child that reads moves the offset too.
	if err := os.WriteFile(name, []byte("0123456789"), 0o644); err != nil {
		return err
	}
	r, err := os.Open(name)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := run(r, nil, "read", "7"); err != nil {
		return err
	}
	rest, err := io.ReadAll(r)
	if err != nil || string(rest) != "789" {
		return fmt.Errorf("after a child read 7 bytes: %q (%v), want %q", rest, err, "789")
	}
	// Two children append at once (O_APPEND, each its own
	// description): neither overwrites the other.
	a, err := os.OpenFile(name, os.O_WRONLY|os.O_TRUNC|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	defer a.Close()
	a2, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	defer a2.Close()
	if err := countTogether(self, a, a2); err != nil {
		return err
	}
	if b, _ := os.ReadFile(name); len(b) != 2*one || bytes.Count(b, []byte("line 299\n")) != 2 {
		return fmt.Errorf("two appending children's output: %d bytes, want %d with two last lines", len(b), 2*one)
	}
	return nil
}

// readWhileTruncated reads a file while a child shrinks and regrows it:
// the reads come back short, never fault (the kernel's fault_fixup for
// the libOS's copy).
func readWhileTruncated(self string) error {
	// A read copies from the file's pages, which a truncation by
	// another process takes away: the read must come back short,
	// never fault (the kernel's fault_fixup for the libOS's copy).
	name := filepath.Join(os.TempDir(), "exectest-shrink")
	defer os.Remove(name)
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	if err := os.WriteFile(name, data, 0o644); err != nil {
		return err
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := exec.Command(self, "child", "shrink", name, "150")
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	buf := make([]byte, len(data))
	reads, short := 0, 0
	for {
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("the truncating child: %v", err)
			}
			if reads == 0 {
				return fmt.Errorf("no read finished while the child ran")
			}
			fmt.Printf("exectest: %d reads of 4 MiB while another process truncated the file, %d short\n", reads, short)
			return nil
		default:
		}
		n, err := f.ReadAt(buf, 0)
		if err != nil && err != io.EOF {
			return fmt.Errorf("read %d: %v", reads, err)
		}
		if k := min(n, 4096); !bytes.Equal(buf[:k], data[:k]) { // the first page the child keeps
			return fmt.Errorf("read %d: %d bytes that are not the file's", reads, n)
		}
		reads++
		if n < len(data) {
			short++
		}
	}
}

// namedPipe checks mkfifo and the opens that wait for the other side.
func namedPipe(self string) error {
	name := filepath.Join(os.TempDir(), "exectest-fifo")
	os.Remove(name)
	if err := syscall.Mkfifo(name, 0o600); err != nil {
		return err
	}
	defer os.Remove(name)
	if fi, err := os.Stat(name); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return fmt.Errorf("stat of the FIFO: %v, %v", fi, err)
	}
	// No reader: an open for writing that must not wait fails.
	if _, err := os.OpenFile(name, os.O_WRONLY|syscall.O_NONBLOCK, 0); !errors.Is(err, syscall.ENXIO) {
		return fmt.Errorf("open for writing without a reader: %v, want ENXIO", err)
	}
	// A child reads it (its open waits for a writer); this process
	// writes (its open waits for the child's).
	var out bytes.Buffer
	cmd := exec.Command(self, "child", "catfile", name)
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		return err
	}
	w, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	w.WriteString("through the fifo\n")
	w.Close()
	if err := cmd.Wait(); err != nil {
		return err
	}
	if err := expect(out.Bytes(), nil, "through the fifo\n"); err != nil {
		return err
	}
	// The reader went: a writer that must not wait fails again.
	if _, err := os.OpenFile(name, os.O_WRONLY|syscall.O_NONBLOCK, 0); !errors.Is(err, syscall.ENXIO) {
		return fmt.Errorf("open for writing after the reader went: %v, want ENXIO", err)
	}
	// A writer that opens and closes at once (sh's ": > fifo") ends
	// the reader's wait all the same: it reads the end of the file.
	for round := range 5 {
		out.Reset()
		cmd = exec.Command(self, "child", "catfile", name)
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			return err
		}
		time.Sleep(time.Duration(round) * 20 * time.Millisecond) // the reader's open waits, or not yet
		w, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		w.Close()
		if err := cmd.Wait(); err != nil || out.Len() != 0 {
			return fmt.Errorf("round %d: a reader after a writer that wrote nothing: %v, %q", round, err, out.Bytes())
		}
	}
	return nil
}
