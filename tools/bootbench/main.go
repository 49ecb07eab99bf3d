// Command bootbench measures how long exogo takes to boot in QEMU.
//
// It boots a self-test image N times with the test/qemu harness and, for
// each boot, takes the time from QEMU's start to the first serial line, to
// the kernel's "exogo: kernel main" line (Go's main.main running) and to its
// self-test verdict. It prints one line per boot and then the median, minimum
// and maximum of each:
//
//	bootbench: qemu start -> kernel main: median 0.81 s (min 0.78, max 0.85, 5 boots)
//
// It exits with status 1 when a boot fails (no verdict, a FAIL verdict, or
// an exit status other than 33), after printing what it measured.
//
// Usage:
//
//	bootbench [-n 5] [-image build/exogo-test.iso] [-firmware bios|uefi] [-medium cdrom|usb]
//	bootbench -prompt -image build/exogo.iso [-n 5]
//
// With -prompt it boots make run's image instead and times QEMU's start to
// the kernel's main and to the shell's first prompt (gosh's "> ").
//
// EXOGO_QEMU_TIMEOUT and EXOGO_KVM apply as in the QEMU tests.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"exogo/test/qemu"
)

func main() {
	boots := flag.Int("n", 5, "number of boots")
	image := flag.String("image", qemu.SelftestISO, "self-test image to boot")
	firmware := flag.String("firmware", "bios", "firmware: bios (SeaBIOS) or uefi (OVMF)")
	medium := flag.String("medium", "cdrom", "boot medium: cdrom or usb")
	cpu := flag.String("cpu", qemu.DefaultCPU, "QEMU CPU model")
	memory := flag.String("m", qemu.DefaultMemory, "guest memory")
	smp := flag.Int("smp", qemu.DefaultSMP, "guest CPUs")
	verbose := flag.Bool("v", false, "copy the guest's serial output to standard error")
	prompt := flag.Bool("prompt", false, "boot make run's image (-image build/exogo.iso) and time QEMU's start to the shell's prompt")
	flag.Parse()
	if flag.NArg() != 0 || *boots < 1 {
		flag.Usage()
		os.Exit(2)
	}

	fw, err := qemu.ParseFirmware(*firmware)
	if err != nil {
		fail(err)
	}
	med, err := qemu.ParseMedium(*medium)
	if err != nil {
		fail(err)
	}
	c, err := qemu.ConfigFromEnv(*image, fw, med)
	if err != nil {
		fail(err)
	}
	c.CPU, c.Memory, c.SMP = *cpu, *memory, *smp
	if *verbose {
		c.SerialLog = os.Stderr
	}

	var ok bool
	if *prompt {
		ok = benchPrompt(os.Stdout, c, *boots)
	} else {
		ok = bench(os.Stdout, c, *boots)
	}
	if !ok {
		os.Exit(1)
	}
}

// bench boots c n times, printing a line per boot and the summary to w, and
// reports whether every boot passed.
func bench(w io.Writer, c qemu.Config, n int) bool {
	accel := "TCG"
	if c.KVM {
		accel = "KVM"
	}
	fmt.Fprintf(w, "bootbench: %s, %v/%v, cpu %s, %s, %d boots\n", c.Image, c.Firmware, c.Medium, c.CPU, accel, n)
	var runs []Boot
	allPassed := true
	for i := 1; i <= n; i++ {
		run, err := qemu.RunSelftest(c)
		boot := BootFromRun(run)
		runs = append(runs, boot)
		fmt.Fprintf(w, "bootbench: boot %d/%d: %s\n", i, n, boot)
		if err != nil || !run.Passed() {
			allPassed = false
			if err != nil {
				fmt.Fprintf(w, "bootbench: boot %d/%d: %v\n", i, n, err)
			}
			fmt.Fprintf(os.Stderr, "%s", run.Report(30))
		}
	}
	for _, line := range Summarize(runs) {
		fmt.Fprintf(w, "bootbench: %s\n", line)
	}
	return allPassed
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "bootbench: %v\n", err)
	os.Exit(2)
}
