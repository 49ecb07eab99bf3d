package qemu

import (
	"path/filepath"
	"testing"
)

// TestExec runs testdata/exectest, an ordinary Go program built for
// Linux, which starts itself through os/exec: output through a pipe,
// stdin from a pipe, exit statuses, a directory and an environment, a
// missing program, a pipeline of two children, inherited descriptors
// (ExtraFiles, stdout to a file), kill, signals between processes,
// /proc/self/cmdline and fd, reboot
// refused to a process that is not root, words that are not aligned, and
// 40 children one after another. The libOS's vfork child mode, spawn and pipe nodes shared
// between processes (libos/linux: vfork.go, inherit.go, pipes.go).
func TestExec(t *testing.T) {
	root := repoRoot(t)
	requireQEMU(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "exectest")
	goCommand(t, root, root, "build", "-o", bin, "./test/qemu/testdata/exectest")
	iso := makeISO(t, root, "build/exogo-exec.iso", "init=init", []string{bin}, []string{"exectest", "poweroff"})
	out := bootAndRun(t, iso, BIOS, 2, "", "the exec program")
	expectLines(t, out,
		`exectest: output: ok`,
		`exectest: stdin: ok`,
		`exectest: exit status: ok`,
		`exectest: dir and env: ok`,
		`exectest: not found: ok`,
		`exectest: pipeline: ok`,
		`exectest: extra files and stdout to a file: ok`,
		`exectest: kill: ok`,
		`exectest: cmdline: ok`,
		`exectest: reboot refused: ok`,
		`exectest: proc self fd: ok`,
		`exectest: signals between processes: ok`,
		`exectest: credential: ok`,
		`exectest: unaligned words: ok`,
		`exectest: shared offset: ok`,
		`exectest: read while another process truncates: ok`,
		`exectest: named pipe: ok`,
		`exectest: many children: ok`,
		`exectest: all ok`,
		`init: /bin/exectest \(process \d+\) exited with status 0`,
		censusBalanced)
}
