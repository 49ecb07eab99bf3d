package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"exogo/test/qemu"
)

// Boot is what one boot measured; a negative duration means the line never
// appeared.
type Boot struct {
	FirstLine   time.Duration // first serial line (firmware or GRUB)
	KernelMain  time.Duration // "exogo: kernel main"
	Verdict     time.Duration // "selftest: PASS" or "selftest: FAIL <name>"
	VerdictText string
	Status      int // QEMU's exit status
}

// BootFromRun extracts the measurements of one self-test run.
func BootFromRun(r qemu.SelftestRun) Boot {
	b := Boot{FirstLine: -1, KernelMain: r.KernelMain, Verdict: r.Verdict.At, VerdictText: r.Verdict.Text, Status: r.Status}
	if len(r.Lines) > 0 {
		b.FirstLine = r.Lines[0].At
	}
	return b
}

func (b Boot) String() string {
	verdict := "no verdict"
	if b.Verdict >= 0 {
		verdict = fmt.Sprintf("%q %s", b.VerdictText, seconds(b.Verdict))
	}
	return fmt.Sprintf("first serial line %s, kernel main %s, %s, exit %d",
		seconds(b.FirstLine), seconds(b.KernelMain), verdict, b.Status)
}

// seconds formats d with two decimals, or "-" for a missing measurement.
func seconds(d time.Duration) string {
	if d < 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// Summarize returns one line per measured interval over boots:
//
//	qemu start -> kernel main: median 0.81 s (min 0.78, max 0.85, 5 boots)
//
// Boots where the line never appeared are left out and counted.
func Summarize(boots []Boot) []string {
	intervals := []struct {
		name string
		get  func(Boot) time.Duration
	}{
		{"qemu start -> first serial line", func(b Boot) time.Duration { return b.FirstLine }},
		{"qemu start -> kernel main", func(b Boot) time.Duration { return b.KernelMain }},
		{"qemu start -> selftest verdict", func(b Boot) time.Duration { return b.Verdict }},
	}
	var lines []string
	for _, iv := range intervals {
		var ds []time.Duration
		for _, b := range boots {
			if d := iv.get(b); d >= 0 {
				ds = append(ds, d)
			}
		}
		lines = append(lines, iv.name+": "+summarizeDurations(ds, len(boots)))
	}
	return lines
}

// summarizeDurations formats the median, minimum and maximum of ds, which
// were measured in ds of total boots.
func summarizeDurations(ds []time.Duration, total int) string {
	if len(ds) == 0 {
		return fmt.Sprintf("never seen (%d boots)", total)
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	var b strings.Builder
	fmt.Fprintf(&b, "median %.2f s (min %.2f, max %.2f, %d boots",
		median(sorted).Seconds(), sorted[0].Seconds(), sorted[len(sorted)-1].Seconds(), len(sorted))
	if missing := total - len(ds); missing > 0 {
		fmt.Fprintf(&b, "; missing in %d", missing)
	}
	b.WriteString(")")
	return b.String()
}

// median returns the middle of sorted durations, the mean of the two middle
// ones for an even count.
func median(sorted []time.Duration) time.Duration {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
