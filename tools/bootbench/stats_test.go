package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"exogo/test/qemu"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestSummarize(t *testing.T) {
	boots := []Boot{
		{FirstLine: ms(450), KernelMain: ms(850), Verdict: ms(1200)},
		{FirstLine: ms(440), KernelMain: ms(780), Verdict: ms(1100)},
		{FirstLine: ms(460), KernelMain: ms(810), Verdict: -1},
		{FirstLine: ms(470), KernelMain: ms(800), Verdict: ms(1300)},
		{FirstLine: ms(430), KernelMain: ms(820), Verdict: ms(1000)},
	}
	want := []string{
		"qemu start -> first serial line: median 0.45 s (min 0.43, max 0.47, 5 boots)",
		"qemu start -> kernel main: median 0.81 s (min 0.78, max 0.85, 5 boots)",
		"qemu start -> selftest verdict: median 1.15 s (min 1.00, max 1.30, 4 boots; missing in 1)",
	}
	if diff := cmp.Diff(want, Summarize(boots)); diff != "" {
		t.Errorf("Summarize mismatch (-want +got):\n%s", diff)
	}
}

func TestSummarizeNeverSeen(t *testing.T) {
	got := Summarize([]Boot{{FirstLine: -1, KernelMain: -1, Verdict: -1}})
	if got[1] != "qemu start -> kernel main: never seen (1 boots)" {
		t.Errorf("Summarize with no kernel main line: %q", got[1])
	}
}

func TestBootFromRun(t *testing.T) {
	run := qemu.SelftestRun{
		KernelMain: ms(800),
		Verdict:    qemu.Line{At: ms(900), Text: "selftest: PASS"},
		Status:     33,
		Lines:      []qemu.Line{{At: ms(450), Text: "SeaBIOS"}},
	}
	b := BootFromRun(run)
	if b.FirstLine != ms(450) || b.KernelMain != ms(800) || b.Verdict != ms(900) || b.Status != 33 {
		t.Errorf("BootFromRun = %+v", b)
	}
	if got, want := b.String(), `first serial line 0.45 s, kernel main 0.80 s, "selftest: PASS" 0.90 s, exit 33`; got != want {
		t.Errorf("Boot.String() = %s, want %s", got, want)
	}
	if got := BootFromRun(qemu.SelftestRun{KernelMain: -1, Verdict: qemu.Line{At: -1}, Status: -1}).String(); got != "first serial line -, kernel main -, no verdict, exit -1" {
		t.Errorf("Boot.String() of an empty run = %s", got)
	}
}
