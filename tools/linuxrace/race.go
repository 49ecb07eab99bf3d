package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/u-root/u-root/pkg/cpio"
)

// A measurement's values from every round (gobench's lines
// "gobench: NAME VALUE UNIT"), with its unit.
type series struct {
	unit   string
	values []float64
}

// samples maps a measurement's name to its series, in gobench's order.
type samples map[string]*series

// parse reads gobench's output; it fails unless the run said done.
func parse(out string) (samples, error) {
	got := samples{}
	done := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		rest, ok := strings.CutPrefix(line, "gobench: ")
		if !ok {
			continue
		}
		if rest == "done" {
			done = true
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 3 {
			continue // "round N", the header
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			continue
		}
		s := got[f[0]]
		if s == nil {
			s = &series{unit: f[2]}
			got[f[0]] = s
		}
		s.values = append(s.values, v)
	}
	if !done {
		return got, fmt.Errorf("gobench did not finish (no \"gobench: done\")")
	}
	if len(got) == 0 {
		return got, fmt.Errorf("gobench printed no figures")
	}
	return got, nil
}

// add appends other's values to s.
func (s samples) add(other samples) {
	for name, o := range other {
		if s[name] == nil {
			s[name] = &series{unit: o.unit}
		}
		s[name].values = append(s[name].values, o.values...)
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	c := append([]float64(nil), v...)
	sort.Float64s(c)
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}

// goal is what a line asks of exogo/Linux (the median ratio) on two
// CPUs: at most max; 0 for a line that is only reported.
type goal struct {
	max  float64
	text string
}

// goals are issue 8's aims for the race (docs/linux-personality.md): lines where the
// OS is not involved within 2% of Linux, lines where threads sleep and
// wake through the OS and the memory lines at least 3x faster, clock
// reads and the GC-heavy run no slower.
var goals = map[string]goal{
	"sha256-16mib":         {1.02, "within 2%"},
	"sha256-16mib-split-2": {1.02, "within 2%"},
	"pingpong-1p":          {1.02, "within 2%"},
	"mutex-uncontended":    {1.02, "within 2%"},
	"pingpong-2p":          {1.0 / 3, "3x faster"},
	"spawn-idle-2p":        {1.0 / 3, "3x faster"},
	"thread-create-exit":   {1.0 / 3, "3x faster"},
	"mmap-touch-munmap":    {1.0 / 3, "3x faster"},
	"page-fault-64mib":     {1.0 / 3, "3x faster"},
	"time-now":             {1.0, "no slower"},
	"gc-heavy":             {1.0, "no slower"},
	// Issue 9's: reading through read() at least 2x faster, through the
	// mapped file at least as fast.
	"read-16mib":   {0.5, "2x faster"},
	"mapped-16mib": {1.0, "no slower"},
}

// order is gobench's order of lines.
var order = []string{"pingpong-1p", "pingpong-2p", "mutex-uncontended", "mutex-handoff-2p", "spawn-idle-2p",
	"thread-create-exit", "mmap-touch-munmap", "page-fault-64mib", "time-now", "getpid",
	"sleep-1ms-overshoot", "gc-heavy", "sha256-16mib", "sha256-16mib-split-2",
	"pread-1k", "pwrite-1k", "open-close", "stat", "read-16mib", "mapped-16mib", "create-remove-1000"}

// race is one CPU count's figures from both systems.
type race struct {
	cpus         int
	exogo, linux samples
}

// table prints the medians side by side with exogo/Linux and, on two
// CPUs, each goal and whether it was met.
func (r *race) table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nbench: race with Linux, -smp %d (medians of %d rounds on exogo, %d on Linux; exogo/Linux < 1: exogo faster)\n",
		r.cpus, rounds(r.exogo), rounds(r.linux))
	fmt.Fprintf(&b, "bench: %-22s %14s %14s %8s  %s\n", "line", "exogo", "Linux", "ratio", "goal (-smp 2)")
	for _, name := range order {
		e, l := r.exogo[name], r.linux[name]
		if e == nil || l == nil {
			continue
		}
		em, lm := median(e.values), median(l.values)
		ratio := 0.0
		if lm > 0 {
			ratio = em / lm
		}
		verdict := ""
		if g, ok := goals[name]; ok && r.cpus == 2 {
			verdict = g.text + ": met"
			if ratio > g.max || lm == 0 {
				verdict = g.text + ": MISSED"
			}
		}
		fmt.Fprintf(&b, "bench: %-22s %10.1f %-3s %10.1f %-3s %8.3f  %s\n", name, em, short(e.unit), lm, short(l.unit), ratio, verdict)
	}
	return b.String()
}

// scaling compares the split sha256 on one CPU and on two, per system
// (the goal: at least 1.7x faster on two).
func scaling(one, two *race) string {
	var b strings.Builder
	b.WriteString("\nbench: sha256 over 16 MiB split over 2 goroutines, -smp 1 over -smp 2 (goal: at least 1.7x)\n")
	for _, s := range []struct {
		name     string
		one, two samples
	}{{"exogo", one.exogo, two.exogo}, {"Linux", one.linux, two.linux}} {
		a, c := s.one["sha256-16mib-split-2"], s.two["sha256-16mib-split-2"]
		if a == nil || c == nil {
			continue
		}
		speedup := median(a.values) / median(c.values)
		verdict := "met"
		if speedup < 1.7 {
			verdict = "MISSED"
		}
		fmt.Fprintf(&b, "bench: %-6s %.2fx  %s\n", s.name, speedup, verdict)
	}
	return b.String()
}

// rounds is how many rounds s holds (of its first line).
func rounds(s samples) int {
	for _, name := range order {
		if v := s[name]; v != nil {
			return len(v.values)
		}
	}
	return 0
}

// short gives a unit its table form.
func short(unit string) string {
	switch unit {
	case "ns/op", "ns/page":
		return "ns"
	case "us":
		return "us"
	}
	return unit
}

// writeInitramfs writes Linux's initramfs: gobench as /init, and
// /dev/console for its output.
func writeInitramfs(path, gobench string) error {
	program, err := os.ReadFile(gobench)
	if err != nil {
		return fmt.Errorf("the gobench binary: %v (make programs builds it)", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	init := cpio.StaticFile("init", string(program), 0o755)
	records := []cpio.Record{cpio.Directory("dev", 0o755), cpio.CharDev("dev/console", 0o600, 5, 1), init}
	w := cpio.Newc.Writer(f)
	if err := cpio.WriteRecords(w, records); err != nil {
		return err
	}
	if err := cpio.WriteTrailer(w); err != nil {
		return err
	}
	return f.Close()
}
