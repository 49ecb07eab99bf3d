package qemu

import (
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestArgsBIOSCDROM(t *testing.T) {
	got, err := Args(Config{Image: "build/x,y.iso"}, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"-machine", "q35", "-accel", "tcg", "-cpu", "qemu64", "-m", "512M", "-smp", "1",
		"-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
		"-drive", "if=none,id=cd,media=cdrom,readonly=on,format=raw,file=build/x,,y.iso",
		"-device", "ide-cd,drive=cd,bootindex=0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Args mismatch (-want +got):\n%s", diff)
	}
}

func TestArgsUEFIUSB(t *testing.T) {
	c := Config{
		Image: "stick.img", Firmware: UEFI, Medium: USBStick,
		OVMFCode: "/fw/CODE.fd", CPU: "Haswell", SMP: 2, Memory: "1G", KVM: true,
		ExtraArgs: []string{"-d", "int"},
	}
	got, err := Args(c, "/tmp/vars.fd")
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Join(got, " ")
	for _, want := range []string{
		"-accel kvm", "-cpu Haswell", "-m 1G", "-smp 2",
		"-drive if=pflash,format=raw,readonly=on,file=/fw/CODE.fd",
		"-drive if=pflash,format=raw,file=/tmp/vars.fd",
		"-device qemu-xhci,id=xhci",
		"-drive if=none,id=stick,format=raw,snapshot=on,file=stick.img",
		"-device usb-storage,bus=xhci.0,drive=stick,bootindex=0",
	} {
		if !strings.Contains(line, want) {
			t.Errorf("QEMU command line lacks %q:\n%s", want, line)
		}
	}
	if !strings.HasSuffix(line, " -d int") {
		t.Errorf("extra args not at the end: %s", line)
	}
	if strings.Contains(line, "media=cdrom") {
		t.Errorf("USB boot also attaches a CD-ROM: %s", line)
	}
}

func TestArgsUEFIWithoutFirmware(t *testing.T) {
	if _, err := Args(Config{Image: "a.iso", Firmware: UEFI}, ""); err == nil {
		t.Error("Args accepted a UEFI boot without OVMF firmware")
	}
	if _, err := Args(Config{}, ""); err == nil {
		t.Error("Args accepted a config without an image")
	}
}

func TestParseTimeout(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"":      DefaultTimeout,
		"300":   300 * time.Second,
		"2.5":   2500 * time.Millisecond,
		"5m":    5 * time.Minute,
		"90s":   90 * time.Second,
		"1m30s": 90 * time.Second,
	} {
		got, err := parseTimeout(in)
		if err != nil || got != want {
			t.Errorf("parseTimeout(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"soon", "0", "-5", "-1m"} {
		if _, err := parseTimeout(bad); err == nil {
			t.Errorf("parseTimeout(%q) succeeded", bad)
		}
	}
}

func TestExitStatuses(t *testing.T) {
	if ExitPass != 33 || ExitFail != 35 {
		t.Fatalf("ExitPass, ExitFail = %d, %d; the Makefile and kernel expect 33, 35", ExitPass, ExitFail)
	}
	if v, ok := DebugExitValue(33); !ok || v != KernelPassValue {
		t.Errorf("DebugExitValue(33) = %#x, %v", v, ok)
	}
	if _, ok := DebugExitValue(0); ok {
		t.Error("status 0 taken for an isa-debug-exit status")
	}
	for status, want := range map[int]string{33: "PASS", 35: "FAIL", 0: "triple fault", 1: "QEMU failed", 7: "wrote 0x3", -1: "signal"} {
		if got := DescribeExit(status); !strings.Contains(got, want) {
			t.Errorf("DescribeExit(%d) = %q, want it to mention %q", status, got, want)
		}
	}
}

func TestVerdictPattern(t *testing.T) {
	for line, want := range map[string]bool{
		"selftest: PASS":             true,
		"selftest: PASS\t":           true,
		"selftest: FAIL memory":      true,
		"selftest: memory ok":        false,
		"selftest: memory FAIL oops": false,
		"selftest: PASSED":           false,
		"selftest: FAIL":             false,
	} {
		if got := verdictRE.MatchString(line); got != want {
			t.Errorf("verdict pattern on %q = %v, want %v", line, got, want)
		}
	}
}

func TestConsoleRecordsLines(t *testing.T) {
	start := time.Now()
	c := NewConsole(start)
	var tee strings.Builder
	c.Record(strings.NewReader("\x1b[H  Booting `exogo'\r\n\r\rexogo: kernel main\r\nselftest: PASS\npartial"), &tee)
	var got []string
	for _, l := range c.Lines() {
		got = append(got, l.Text)
		if l.At < 0 || l.At > time.Since(start) {
			t.Errorf("line %q at %v, outside the recording", l.Text, l.At)
		}
	}
	want := []string{"\x1b[H  Booting `exogo'", "exogo: kernel main", "selftest: PASS", "partial"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines mismatch (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(tee.String(), "\x1b[H  Booting") || !strings.HasSuffix(tee.String(), "partial") {
		t.Errorf("tee got %q, want the raw output", tee.String())
	}
	if _, i, err := c.WaitLine(regexp.MustCompile("kernel main"), 0, time.Second); err != nil || i != 1 {
		t.Errorf("WaitLine = index %d, %v; want 1, nil", i, err)
	}
	if _, _, err := c.WaitLine(regexp.MustCompile("kernel main"), 2, time.Second); err == nil {
		t.Error("WaitLine found a line before its start index")
	}
}

func TestConsoleWaitLineWaitsAndTimesOut(t *testing.T) {
	c := NewConsole(time.Now())
	r, w := io.Pipe()
	go c.Record(r, nil)

	found := make(chan error, 1)
	go func() {
		_, _, err := c.WaitLine(regexp.MustCompile(`^selftest: PASS$`), 0, 10*time.Second)
		found <- err
	}()
	io.WriteString(w, "selftest: a ok\n")
	io.WriteString(w, "selftest: PA")
	io.WriteString(w, "SS\n")
	if err := <-found; err != nil {
		t.Errorf("WaitLine: %v", err)
	}

	begin := time.Now()
	if _, _, err := c.WaitLine(regexp.MustCompile("never"), 0, 50*time.Millisecond); err == nil {
		t.Error("WaitLine for a line that never comes succeeded")
	}
	if waited := time.Since(begin); waited < 50*time.Millisecond {
		t.Errorf("WaitLine gave up after %v, before its 50ms timeout", waited)
	}

	w.Close()
	if _, _, err := c.WaitLine(regexp.MustCompile("never"), 0, 10*time.Second); err == nil || !strings.Contains(err.Error(), "ended") {
		t.Errorf("WaitLine after the output ended: %v, want an 'output ended' error", err)
	}
}

func TestLineStringShowsControlCharacters(t *testing.T) {
	l := Line{At: 1500 * time.Millisecond, Text: "\x1b[H\tok\x7f"}
	if got, want := l.String(), "[   1.500] ^[[H\tok^?"; got != want {
		t.Errorf("Line.String() = %q, want %q", got, want)
	}
}

func TestParseFirmwareAndMedium(t *testing.T) {
	for _, f := range []Firmware{BIOS, UEFI} {
		if got, err := ParseFirmware(f.String()); err != nil || got != f {
			t.Errorf("ParseFirmware(%q) = %v, %v", f.String(), got, err)
		}
	}
	for _, m := range []Medium{CDROM, USBStick} {
		if got, err := ParseMedium(m.String()); err != nil || got != m {
			t.Errorf("ParseMedium(%q) = %v, %v", m.String(), got, err)
		}
	}
	if _, err := ParseFirmware("coreboot"); err == nil {
		t.Error("ParseFirmware accepted coreboot")
	}
	if _, err := ParseMedium("floppy"); err == nil {
		t.Error("ParseMedium accepted floppy")
	}
}

func TestOutcomeNamesHowARunEnded(t *testing.T) {
	cases := []struct {
		transcript string
		exited     bool
		status     int
		want       string
	}{
		{"exogo: booting\n\nexogo: KERNEL FAULT: page fault (vector 14)\n", true, 37, "kernel fault"},
		{"exogo: booting\nfatal error: all goroutines are asleep\n", true, 0, "fatal error of the kernel's Go runtime"},
		{"exo-test: ok: a\nexo-test: FAIL: b: got error EXO_BUSY\n", true, 35, "checks failed, first: exo-test: FAIL: b: got error EXO_BUSY"},
		{"exogo: booting\n", false, 0, "time-out"},
		{"exogo: booting\n", true, 1, "QEMU exited, status 1"},
	}
	for _, c := range cases {
		if got := Outcome(c.transcript, c.exited, c.status); !strings.HasPrefix(got, c.want) {
			t.Errorf("Outcome(%q) = %q, want it to start %q", c.transcript, got, c.want)
		}
	}
	long := strings.Repeat("line\n", 100) + "last\n"
	if got := tail(long, 3); !strings.HasPrefix(got, "serial (last 3 of 101 lines):\n") || !strings.HasSuffix(got, "line\nline\nlast\n") {
		t.Errorf("tail = %q", got)
	}
}
