// Command policies shows the libOS's thread-scheduling policy at work.
// The Makefile links it twice: /bin/policies with the default policy,
// round-robin, and /bin/policies-fifo with -X
// exogo/libos/linux.SchedulingPolicy=fifo (docs/libos.md, "Two policies
// side by side").
//
//	policies
//
// It runs three busy goroutines, each on a P of its own, on more threads
// than the machine has CPUs, and says when each ran: under round-robin the
// libOS's time slices interleave them, under fifo each runs to its end
// before the next begins. Started together (an /etc/rc line
// "/bin/policies-fifo &" before "/bin/policies"), the two builds run at
// the same time, each in its own process under its own policy.
package main

import (
	"fmt"
	"runtime"
	"sort"
	"time"

	"exogo/libos/linux"
)

const workers = 3

// span is when a worker ran, in milliseconds since the workers began.
type span struct {
	id         int
	start, end float64
}

func main() {
	name := "policies(" + linux.Policy() + ")"
	fmt.Printf("%s: %d busy goroutines on %d CPUs (GOMAXPROCS %d)\n", name, workers, runtime.NumCPU(), workers+runtime.NumCPU())
	runtime.GOMAXPROCS(workers + runtime.NumCPU())
	begin := time.Now()
	spans := make(chan span)
	for w := 0; w < workers; w++ {
		go func() {
			s := span{id: w, start: ms(begin)}
			x := uint64(w)
			for i := 0; i < 15_000_000; i++ {
				x = x*6364136223846793005 + 1442695040888963407
			}
			s.end = ms(begin)
			if x == 42 {
				s.id = -1
			}
			spans <- s
		}()
	}
	var all []span
	for w := 0; w < workers; w++ {
		all = append(all, <-spans)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].start < all[j].start })
	for _, s := range all {
		fmt.Printf("%s: worker %d ran from %.0f ms to %.0f ms\n", name, s.id, s.start, s.end)
	}
	fmt.Printf("%s: the workers ran %s\n", name, verdict(all))
}

func ms(since time.Time) float64 { return float64(time.Since(since).Microseconds()) / 1e3 }

// verdict says how the spans (sorted by start) lie: all begun before the
// first ended (interleaved), or each begun after the one before ended.
func verdict(all []span) string {
	firstEnd := all[0].end
	for _, s := range all {
		firstEnd = min(firstEnd, s.end)
	}
	interleaved, sequential := true, true
	for i, s := range all {
		if s.start >= firstEnd {
			interleaved = false
		}
		if i > 0 && s.start < all[i-1].end {
			sequential = false
		}
	}
	switch {
	case interleaved:
		return "side by side, interleaved by time slices"
	case sequential:
		return "one after another, each to its end"
	}
	return "partly overlapping"
}
