package main

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"time"

	"exogo/test/qemu"
)

// promptLine matches the line gosh's prompt leaves on the serial line
// (bubbline's "> ", after the escape sequences that draw it).
var promptLine = regexp.MustCompile(`(^|\x1b\[2K|m)> *(\x1b\[[0-9;]*[A-Za-z])*$`)

// kernelMainLine is the kernel's first line from Go's main.main.
var kernelMainLine = regexp.MustCompile(`exogo: CPU: `)

// benchPrompt boots c (make run's image) n times and times QEMU's start
// to the kernel's main and to the shell's first prompt, then stops QEMU;
// it reports whether every boot reached the prompt.
func benchPrompt(w io.Writer, c qemu.Config, n int) bool {
	fmt.Fprintf(w, "bootbench: %s, %v/%v, cpu %s, %d boots to the shell's prompt\n", c.Image, c.Firmware, c.Medium, c.CPU, n)
	var mains, prompts []time.Duration
	allReached := true
	for i := 1; i <= n; i++ {
		m, err := qemu.Start(c)
		if err != nil {
			fail(err)
		}
		main, _, errMain := m.Console.WaitLine(kernelMainLine, 0, c.Timeout)
		prompt, _, err := m.Console.WaitLine(promptLine, 0, c.Timeout)
		m.Close()
		if errMain != nil || err != nil {
			fmt.Fprintf(w, "bootbench: boot %d/%d: no prompt: %v %v\n", i, n, errMain, err)
			allReached = false
			continue
		}
		mains, prompts = append(mains, main.At), append(prompts, prompt.At)
		fmt.Fprintf(w, "bootbench: boot %d/%d: kernel main %.2f s, prompt %.2f s\n", i, n, main.At.Seconds(), prompt.At.Seconds())
	}
	for _, s := range []struct {
		what string
		d    []time.Duration
	}{{"qemu start -> kernel main", mains}, {"qemu start -> shell prompt", prompts}} {
		if len(s.d) == 0 {
			continue
		}
		slices.Sort(s.d)
		fmt.Fprintf(w, "bootbench: %s: median %.2f s (min %.2f, max %.2f, %d boots)\n",
			s.what, s.d[len(s.d)/2].Seconds(), s.d[0].Seconds(), s.d[len(s.d)-1].Seconds(), len(s.d))
	}
	return allReached
}
