package qemu

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"exogo/abi/elfload"
)

// Programs that never heard of exogo: built with the pinned toolchain
// (tools/go, GOOS=linux, CGO_ENABLED=0, no exogo import), put in /bin
// with make iso's EXTRA_BIN and run from an /etc/rc given with RC, as a
// person would. The loader runs each beside the libOS's interpreter
// image (abi/elfload.Native).

// TestUnmodifiedPrograms runs, from /bin: a Go program built with plain
// go build (arguments, os.Executable, goroutines, a timer, a pipe, the GC,
// a call nothing implements, its exit status), the same stripped, a
// static program that is not Go (a few instructions making Linux's write
// and exit_group), and programs that must be refused or stopped with a
// clear message while init carries on: segments in the libOS's part of
// the address space, segments bigger than the loader allows, a program
// that touches more memory than the machine has, one that writes over the
// interpreter's text, which processes share read-only. Then the same program as
// the first process, loaded by the kernel beside the interpreter image.
func TestUnmodifiedPrograms(t *testing.T) {
	root := repoRoot(t)
	requireQEMU(t)
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	goCommand(t, root, root, "build", "-o", plain, "./test/qemu/testdata/plain")
	goCommand(t, root, root, "build", "-ldflags=-s -w", "-o", plain+"-stripped", "./test/qemu/testdata/plain")
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	bins := []string{plain, plain + "-stripped",
		write("tiny", tinyLinuxProgram(0x400000, 0, false)),
		write("overlap", tinyLinuxProgram(0x7e00_0000_0000, 0, false)),
		write("huge", tinyLinuxProgram(0x400000, 300<<20, false)),
		write("big", tinyLinuxProgram(0x400000, 255<<20, false)),
		write("bignative", tinyLinuxProgram(0x400000, 256<<20-4096, true)),
	}
	rc := []string{
		"/bin/plain one two exit=3 nosys",
		"/bin/plain-stripped",
		"/bin/tiny",
		"/bin/overlap",
		"/bin/huge",
		"/bin/big",
		"/bin/bignative",
		"/bin/plain hog",
		"/bin/plain scribble",
		"/bin/plain after",
		"poweroff",
	}
	iso := makeISO(t, root, "build/exogo-unmodified.iso", "init=init", bins, rc)
	out := bootAndRun(t, iso, BIOS, 2, "", "unmodified programs")
	expectLines(t, out,
		`init: /etc/rc:1: /bin/plain one two exit=3 nosys`,
		`plain: pid \d+, args \["one" "two" "exit=3" "nosys"\], executable "/bin/plain" \(<nil>\), GOMAXPROCS 2`,
		`libos: Linux system call not implemented \(returning ENOSYS\): 425`,
		`plain: io_uring_setup: function not implemented`,
		`plain: goroutines 10799967, slept at least 20ms true, pipe 1990 bytes in 100 lines \(<nil>\), gc cycles [1-9]`,
		`init: /bin/plain \(process \d+\) exited with status 3`,
		`plain: pid \d+, args \[\], executable "/bin/plain-stripped" \(<nil>\), GOMAXPROCS 2`,
		`init: /bin/plain-stripped \(process \d+\) exited with status 0`,
		`tiny: a static program that is not Go`,
		`init: /bin/tiny \(process \d+\) exited with status 7`,
		`libos: cannot run /bin/overlap: a segment is outside the addresses a program may use \(from 4 MiB up to the libOS's part at 0x7e0000000000\)`,
		`init: /etc/rc:4: spawn /bin/overlap: exec format error`,
		`libos: cannot run /bin/huge: segments too big \(over 256 MiB\)`,
		`init: /etc/rc:5: spawn /bin/huge: exec format error`,
		// 255 MiB of bss: beside the interpreter, committed on demand
		// (never, here); a native program's loader commits all of its
		// (almost) 256 MiB, which with its tables is over a process's
		// share.
		`init: /bin/big \(process \d+\) exited with status 7`,
		`libos: cannot run /bin/bignative: not enough memory for its segments and stack`,
		`init: /etc/rc:7: spawn /bin/bignative: cannot allocate memory`,
		`libos: the program was ended by signal 9 \(SIGKILL\): out of memory: the kernel gave no frame \(or page table\) for the page at 0x[0-9a-f]+ \(\d+ MiB in use by this process\)`,
		`init: /bin/plain \(process \d+\) exited with status 137`,
		// The interpreter's text is shared read-only between processes:
		// a write faults, and the next program runs unharmed.
		`plain: writing over the interpreter's shared text`,
		`unexpected fault address 0x7e0000001000`,
		`init: /bin/plain \(process \d+\) exited with status 2`,
		`plain: pid \d+, args \["after"\]`,
		`init: /bin/plain \(process \d+\) exited with status 0`,
		`init: powering off \(last status 0\)`,
	)

	// The kernel's loader follows the same rule for the first process.
	iso = makeISO(t, root, "build/exogo-unmodified-first.iso", "init=plain poweroff", bins, nil)
	out = bootAndRun(t, iso, UEFI, 1, "", "an unmodified first program")
	expectLines(t, out,
		`exogo: starting plain as process 1 with the libOS's interpreter image`,
		`plain: pid 1, args \[\], executable "/bin/plain" \(<nil>\), GOMAXPROCS 1`,
		`plain: goroutines 10799967, slept at least 20ms true, pipe 1990 bytes in 100 lines \(<nil>\), gc cycles [1-9]`,
		`exogo: plain \(process 1\) exited with status 0; left behind: 0 frames`,
	)

	// The kernel's loader leaves an unmodified program's bss to the
	// interpreter too.
	iso = makeISO(t, root, "build/exogo-unmodified-big.iso", "init=big poweroff", bins, nil)
	c, err := ConfigFromEnv(requireImage(t, iso), BIOS, CDROM)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Start(c)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.WaitLine(censusLine, c.Timeout); err != nil {
		t.Fatal(m.Report(fmt.Sprintf("the first program with 255 MiB of bss: %v", err)))
	}
	expectLines(t, m.Console.Transcript(),
		`exogo: starting big as process 1 with the libOS's interpreter image`,
		`tiny: a static program that is not Go`,
		`exogo: big \(process 1\) exited with status 7; left behind: 0 frames`,
		censusBalanced,
	)

	// A native first program the kernel cannot fill (almost 256 MiB of
	// bss: with its tables, over a process's share) is refused with a
	// message, and what it was given goes back.
	iso = makeISO(t, root, "build/exogo-unmodified-bignative.iso", "init=bignative poweroff", bins, nil)
	c, err = ConfigFromEnv(requireImage(t, iso), BIOS, CDROM)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := Start(c)
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	m = m2
	if _, err := m.WaitLine(censusLine, c.Timeout); err != nil {
		t.Fatal(m.Report(fmt.Sprintf("the refused first program: %v", err)))
	}
	if status, err := m.Wait(); err != nil || status != ExitFail {
		t.Errorf("the refused first program: exit status %d (%v), want %d", status, err, ExitFail)
	}
	expectLines(t, m.Console.Transcript(),
		`exogo: init: bignative: mapping 0x[0-9a-f]+: not enough memory: a process may hold 256 MiB \(EXO_LIMIT\)`,
		censusBalanced,
	)
}

// requireQEMU skips when the QEMU tests are switched off (before the slow
// builds a test makes).
func requireQEMU(t *testing.T) {
	t.Helper()
	if os.Getenv("EXOGO_SKIP_QEMU") == "1" {
		t.Skip("EXOGO_SKIP_QEMU=1")
	}
}

// goCommand runs tools/go (the pinned toolchain) in dir, building for
// Linux without cgo: what a person builds an ordinary program with.
func goCommand(t *testing.T, root, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(root, "tools/go"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// makeISO runs make iso with CMDLINE, EXTRA_BIN, RC (rc's lines; none:
// the default /etc/rc) and more make variables (such as EXTRA_TREE=dir)
// into rel, and returns rel. The image has no u-root commands and no
// shell unless vars say SHELL_TOOLS=yes, and every program of cmd/
// (IMAGE_PROGRAMS=all: /etc/rc lines run them).
func makeISO(t *testing.T, root, rel, cmdline string, extraBin, rc []string, vars ...string) string {
	t.Helper()
	args := append([]string{"-s", "iso", "ISO=" + rel, "CMDLINE=" + cmdline, "EXTRA_BIN=" + strings.Join(extraBin, " "), "SHELL_TOOLS=no", "IMAGE_PROGRAMS=all"}, vars...)
	if rc != nil {
		path := filepath.Join(t.TempDir(), "rc")
		if err := os.WriteFile(path, []byte(strings.Join(rc, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "RC="+path)
	}
	cmd := exec.Command("make", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return rel
}

// tinyLinuxProgram is a static x86-64 Linux executable that is not Go: one
// segment at base (read, write, execute; extra bytes of zeroes after its
// file bytes) whose code writes a line with write(2) and ends with
// exit_group(7), as a C program's start-up would without libc. With
// native, its entry carries exogo's native marker (abi/elfload), so a
// loader takes it as a program that brings its own OS.
func tinyLinuxProgram(base uint64, extra uint64, native bool) []byte {
	const headers = 64 + 56
	message := "tiny: a static program that is not Go\n"
	code := []byte{
		0xb8, 0x01, 0x00, 0x00, 0x00, // mov eax, 1 (write)
		0xbf, 0x01, 0x00, 0x00, 0x00, // mov edi, 1
		0x48, 0x8d, 0x35, 0x00, 0x00, 0x00, 0x00, // lea rsi, [rip+disp]: the message (disp below)
		0xba, byte(len(message)), 0x00, 0x00, 0x00, // mov edx, len
		0x0f, 0x05, // syscall
		0xb8, 0xe7, 0x00, 0x00, 0x00, // mov eax, 231 (exit_group)
		0xbf, 0x07, 0x00, 0x00, 0x00, // mov edi, 7
		0x0f, 0x05, // syscall
		0xeb, 0xfe, // jmp $
	}
	prefix := 0
	if native {
		code = append([]byte(elfload.NativeMarker), code...)
		prefix = len(elfload.NativeMarker)
	}
	code[prefix+13] = byte(len(code) - prefix - 17) // from the end of the lea to the message after the code
	file := make([]byte, headers, headers+len(code)+len(message))
	file = append(append(file, code...), message...)
	le := binary.LittleEndian
	copy(file, "\x7fELF\x02\x01\x01")
	le.PutUint16(file[16:], 2)  // ET_EXEC
	le.PutUint16(file[18:], 62) // EM_X86_64
	le.PutUint32(file[20:], 1)
	le.PutUint64(file[24:], base+headers) // the entry: the code
	le.PutUint64(file[32:], 64)           // e_phoff
	le.PutUint16(file[52:], 64)           // e_ehsize
	le.PutUint16(file[54:], 56)           // e_phentsize
	le.PutUint16(file[56:], 1)            // e_phnum
	p := file[64:]
	le.PutUint32(p[0:], 1) // PT_LOAD
	le.PutUint32(p[4:], 7) // PF_R|PF_W|PF_X
	le.PutUint64(p[16:], base)
	le.PutUint64(p[24:], base)
	le.PutUint64(p[32:], uint64(len(file)))
	le.PutUint64(p[40:], uint64(len(file))+extra)
	le.PutUint64(p[48:], 4096)
	return file
}
