// Package cmdline parses the kernel command line that GRUB passes (the
// words after the kernel's path on the multiboot2 line, baked into the
// image by `make iso CMDLINE='...'`). Hosted Go: it runs in main, after the
// runtime is up.
//
// Words are separated by spaces. A word is one of:
//
//	selftest          run the in-kernel self-tests, then power off
//	init=NAME         load bin/NAME from the boot module as the first
//	                  process (with poweroff: power off when it exits)
//	poweroff          power off once boot is done (for benchmarks)
//	crashtest=kernel  fault on purpose in kernel trap code (tests the
//	                  fault report)
//	console=serial    from main on, the log goes to the serial line only,
//	                  not the screen (for a PC whose screen the kernel
//	                  cannot drive; GRUB's menu has an entry for it)
//	KEY=VALUE         an environment variable for the kernel's Go runtime
//	                  (GODEBUG, GOMAXPROCS, GOGC, ...); earlyMain passes
//	                  these in the initial stack
//
// Anything else is reported and ignored: a typo must not stop a boot.
package cmdline

import (
	"fmt"
	"strings"
)

// Options is what the command line asks for.
type Options struct {
	SelfTest    bool
	PowerOff    bool
	CrashKernel bool
	// SerialConsole asks for the log on the serial line only.
	SerialConsole bool
	Init          string   // program to start as the first process
	Environment   []string // KEY=VALUE words, in order
	// Problems describe words that were ignored, one sentence each.
	Problems []string
}

// Parse reads a command line. GRUB 2.06 escapes quotes and backslashes in
// the line it passes (`a="b"` arrives as `a=\"b\"`); Parse undoes that.
func Parse(line string) Options {
	var o Options
	for _, word := range strings.Fields(unescape(line)) {
		switch {
		case word == "selftest":
			o.SelfTest = true
		case word == "poweroff":
			o.PowerOff = true
		case word == "crashtest=kernel":
			o.CrashKernel = true
		case strings.HasPrefix(word, "init="):
			name := strings.TrimPrefix(word, "init=")
			if name == "" || strings.ContainsAny(name, "/\\") || !printable(name) {
				o.Problems = append(o.Problems, fmt.Sprintf("malformed word %q ignored (want init=NAME, a program in the boot module's bin/)", word))
				continue
			}
			o.Init = name
		case word == "console=serial":
			o.SerialConsole = true
		case strings.HasPrefix(word, "console="):
			o.Problems = append(o.Problems, fmt.Sprintf("unknown console %q ignored (known: console=serial)", word))
		case strings.HasPrefix(word, "crashtest="):
			o.Problems = append(o.Problems, fmt.Sprintf("unknown crash test %q ignored (known: crashtest=kernel)", word))
		case !printable(word):
			o.Problems = append(o.Problems, fmt.Sprintf("malformed word %q ignored (not printable ASCII)", word))
		case strings.Contains(word, "="):
			key, _, _ := strings.Cut(word, "=")
			if !validKey(key) {
				o.Problems = append(o.Problems, fmt.Sprintf("malformed word %q ignored (want KEY=VALUE with KEY of letters, digits and _)", word))
				continue
			}
			o.Environment = append(o.Environment, word)
		default:
			o.Problems = append(o.Problems, fmt.Sprintf("unknown word %q ignored (known: selftest, poweroff, init=NAME, console=serial, crashtest=kernel, KEY=VALUE)", word))
		}
	}
	return o
}

func unescape(line string) string {
	if !strings.Contains(line, `\`) {
		return line
	}
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		if line[i] == '\\' && i+1 < len(line) {
			i++
		}
		b.WriteByte(line[i])
	}
	return b.String()
}

func printable(word string) bool {
	for i := 0; i < len(word); i++ {
		if word[i] < 0x21 || word[i] > 0x7e {
			return false
		}
	}
	return true
}

func validKey(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
