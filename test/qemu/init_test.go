package qemu

import (
	"regexp"
	"testing"
)

// InitISO boots with init=init, /etc/rc = testdata/init.rc, and two bad
// programs in /bin (a corrupt ELF, a text file).
const InitISO = "build/exogo-init.iso"

// TestInitRunsRC: cmd/init, an ordinary Go program, reads /etc/rc from the
// file system (filled from the boot module) and runs each line in its own process through the libOS's
// ELF loader (spawn), passing arguments and reporting exit statuses (0 and
// 3 from hello, 0 from the whole of libos-test run as a child); a missing
// program, a corrupt ELF and a text file are refused with a message and
// init carries on; a fault hello cannot take (SIGSEGV blocked) ends it
// with status 139 and a report naming the function and line; hello
// writing over its own libOS's memory dies alone; poweroff powers off with the last status; nothing is
// left behind by any of them.
func TestInitRunsRC(t *testing.T) {
	for _, run := range libOSMachines {
		t.Run(run.name, func(t *testing.T) {
			out := bootAndRun(t, InitISO, run.firmware, run.cpus, "", "init")
			if regexp.MustCompile(`libos-test: FAIL|hello: FAIL`).MatchString(out) {
				t.Errorf("a check of libos-test, run by init, failed:\n%s", out)
			}
			expectLines(t, out,
				`exogo: starting init as process 1`,
				`init: /etc/rc:3: hello one two`,
				`hello: process (\d+), arguments \["one" "two"\]`,
				`init: /bin/hello \(process \d+\) exited with status 0`,
				`init: /etc/rc:4: hello exit=3`,
				`init: /bin/hello \(process \d+\) exited with status 3`,
				`init: /etc/rc:5: /bin/libos-test`,
				`libos-test: ok: a child starts a process of its own`,
				`libos-test: 0 failures`,
				`init: /bin/libos-test \(process \d+\) exited with status 0`,
				`init: /etc/rc:6: spawn /bin/does-not-exist: no such file or directory`,
				`libos: cannot run /bin/corrupt-elf: `,
				`init: /etc/rc:7: spawn /bin/corrupt-elf: exec format error`,
				`libos: cannot run /bin/notes.txt: not an ELF file`,
				`init: /etc/rc:8: spawn /bin/notes.txt: exec format error`,
				// A fault the program cannot take: a report by symbol.
				`libos: the program was ended by signal 11 \(SIGSEGV\): a fault it does not handle: CPU exception 14 touching address 0x0000000000000000`,
				`libos:   at 0x[0-9a-f]{16} in main\.touchNil \(.*cmd/hello/main\.go:\d+\)`,
				`libos:   called from 0x[0-9a-f]{16} in main\.fault \(.*cmd/hello/main\.go:\d+\)`,
				`init: /bin/hello \(process \d+\) exited with status 139`,
				// A program that writes over its libOS's memory dies alone
				// (how depends on what it hit first) and init goes on.
				`(?s)init: /etc/rc:10: hello scribble\n.*?hello: writing over my libOS's private memory\n.*?init: /bin/hello \(process \d+\) exited with status [1-9]\d*\n`,
				`hello: process \d+, arguments \["after" "the" "failures"\]`,
				`init: powering off \(last status 0\)`,
				`exogo: init \(process 1\) exited with status 0; left behind: 0 frames`,
				`exogo: init asked to power off \(status 0\); powering off`,
			)
		})
	}
}
