package qemu

import "testing"

// GoHelloISO boots with init=hello poweroff: cmd/hello, an ordinary Go
// program on the libOS (libos/linux).
const GoHelloISO = "build/exogo-gohello.iso"

func bootGoProgram(t *testing.T, image string, firmware Firmware, cpus int, what string) string {
	t.Helper()
	c, err := ConfigFromEnv(requireImage(t, image), firmware, CDROM)
	if err != nil {
		t.Fatal(err)
	}
	c.SMP = cpus
	m, err := Start(c)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	return runToEnd(t, m, what)
}

// TestGoProgramOnTheLibOS runs cmd/hello: fmt, a map, goroutines and a
// channel, a garbage collection and a timer, all in ring 3, the runtime's
// Linux calls served by the libOS; it exits with status 0 and leaves
// nothing behind.
func TestGoProgramOnTheLibOS(t *testing.T) {
	for _, run := range []struct {
		name     string
		firmware Firmware
		cpus     int
	}{{"BIOS, 1 CPU", BIOS, 1}, {"UEFI, 2 CPUs", UEFI, 2}} {
		t.Run(run.name, func(t *testing.T) {
			out := bootGoProgram(t, GoHelloISO, run.firmware, run.cpus, "hello")
			expectLines(t, out,
				`exogo: starting hello as process 1`,
				`hello from Go on exogo`,
				`map: 9 words, "the" 3 times, first "brown"`,
				`goroutines: total 15005000`,
				`gc: cycles [1-9][0-9]* ok`,
				`sleep: at least 20ms: true`,
				`hello: done`,
				`exogo: hello \(process 1\) exited with status 0; left behind: 0 frames`,
			)
		})
	}
}
