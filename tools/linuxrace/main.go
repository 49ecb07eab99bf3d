// Command linuxrace runs cmd/gobench, an ordinary Go program that imports
// nothing of exogo, on exogo and on Debian's Linux kernel in the same
// QEMU (machine type, CPU model, memory and CPUs alike), and prints the
// two side by side with their ratio: make bench's race with Linux
// (docs/libos.md, "The race with Linux").
//
// On exogo, gobench is the first process (init=gobench poweroff), loaded
// by the kernel beside the libOS's interpreter image. On Linux it is the
// /init of an initramfs this tool writes with u-root's cpio package, with
// /dev/console; the kernel is the vmlinuz that tools/install-deps.sh
// --linux-kernel unpacks from the package linux-image-amd64 names.
//
//	linuxrace -exogo build/exogo-gobench.iso -gobench build/modules/bin/gobench \
//	          -kernel ~/.cache/exogo/linux/vmlinuz-... [-smp 1,2] [-runs 2]
//
// Each boot runs gobench's rounds (5); a figure is the median of every
// round of every boot on that system, and the boots alternate between the
// systems, so that a slow spell of the host falls on both.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	iso := flag.String("exogo", "build/exogo-gobench.iso", "exogo image booting init=gobench poweroff")
	gobench := flag.String("gobench", "build/modules/bin/gobench", "the gobench binary, for Linux's initramfs")
	kernel := flag.String("kernel", "", "Linux's vmlinuz (tools/install-deps.sh --linux-kernel prints its path)")
	cpu := flag.String("cpu", "qemu64", "QEMU's CPU model")
	memory := flag.String("mem", "512M", "QEMU's memory")
	smps := flag.String("smp", "1,2", "the CPU counts to race on, comma-separated")
	runs := flag.Int("runs", 2, "boots of each system for each CPU count")
	timeout := flag.Duration("timeout", 10*time.Minute, "the longest one boot may take")
	flag.Parse()
	if *kernel == "" {
		fail("no -kernel: run tools/install-deps.sh --linux-kernel, which fetches Debian's kernel and prints its path")
	}
	work, err := os.MkdirTemp("", "linuxrace")
	if err != nil {
		fail(err.Error())
	}
	defer os.RemoveAll(work)
	initramfs := filepath.Join(work, "initramfs.cpio")
	if err := writeInitramfs(initramfs, *gobench); err != nil {
		fail(err.Error())
	}
	results := map[int]*race{}
	var order []int
	for _, field := range strings.Split(*smps, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 1 {
			fail(fmt.Sprintf("-smp %q: not a list of CPU counts", *smps))
		}
		order = append(order, n)
		r := &race{cpus: n, exogo: samples{}, linux: samples{}}
		results[n] = r
		base := []string{"-machine", "q35", "-accel", "tcg", "-cpu", *cpu, "-m", *memory, "-smp", strconv.Itoa(n),
			"-no-reboot", "-display", "none", "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"}
		for run := 1; run <= *runs; run++ {
			for _, system := range []string{"exogo", "linux"} {
				args := append([]string{}, base...)
				if system == "exogo" {
					args = append(args, "-cdrom", *iso)
				} else {
					args = append(args, "-kernel", *kernel, "-initrd", initramfs, "-append", "console=ttyS0 quiet panic=-1")
				}
				fmt.Printf("linuxrace: %s, -smp %d, boot %d of %d\n", system, n, run, *runs)
				out, err := boot(args, *timeout)
				got, perr := parse(out)
				if err == nil {
					err = perr
				}
				if err != nil {
					fail(fmt.Sprintf("%s -smp %d: %v\n%s", system, n, err, tail(out, 30)))
				}
				target := r.exogo
				if system == "linux" {
					target = r.linux
				}
				target.add(got)
			}
		}
	}
	for _, n := range order {
		fmt.Print(results[n].table())
	}
	if r1, r2 := results[1], results[2]; r1 != nil && r2 != nil {
		fmt.Print(scaling(r1, r2))
	}
}

// boot runs QEMU with args until it exits (the system powered off) and
// returns what it wrote on the serial line.
func boot(args []string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "qemu-system-x86_64", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		return out.String(), fmt.Errorf("no power-off within %v", timeout)
	}
	if exit, ok := err.(*exec.ExitError); ok && exit.ExitCode() == 33 {
		err = nil // exogo's power-off after a pass (isa-debug-exit)
	}
	return strings.ReplaceAll(out.String(), "\r", ""), err
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func fail(why string) {
	fmt.Fprintln(os.Stderr, "linuxrace:", why)
	os.Exit(1)
}
