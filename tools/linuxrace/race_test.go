package main

import (
	"regexp"
	"strings"
	"testing"
)

const exogoOut = `exogo: starting gobench as process 1 with the libOS's interpreter image
gobench: 2 CPUs, GOMAXPROCS 2, 3 rounds
gobench: round 1
gobench: pingpong-2p 100.0 ns/op
gobench: sha256-16mib 10.0 ms
gobench: sha256-16mib-split-2 5.0 ms
gobench: round 2
gobench: pingpong-2p 300.0 ns/op
gobench: sha256-16mib 10.5 ms
gobench: sha256-16mib-split-2 5.5 ms
gobench: round 3
gobench: pingpong-2p 200.0 ns/op
gobench: sha256-16mib 20.0 ms
gobench: sha256-16mib-split-2 6.0 ms
gobench: done
`

func TestParseAndMedians(t *testing.T) {
	got, err := parse(exogoOut)
	if err != nil {
		t.Fatal(err)
	}
	if s := got["pingpong-2p"]; s == nil || s.unit != "ns/op" || len(s.values) != 3 || median(s.values) != 200 {
		t.Fatalf("pingpong-2p: %+v", s)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median of an even count: %v", m)
	}
	if _, err := parse(strings.TrimSuffix(exogoOut, "gobench: done\n")); err == nil {
		t.Error("a run that did not finish was accepted")
	}
}

// The table gives each line exogo/Linux and, on two CPUs, its goal.
func TestTableRatiosAndGoals(t *testing.T) {
	e, _ := parse(exogoOut)
	l, _ := parse(exogoOut)
	l["pingpong-2p"].values = []float64{900, 900, 900} // exogo 200: 4.5x faster
	l["sha256-16mib"].values = []float64{10, 10, 10}   // exogo 10.5: 5% slower
	table := (&race{cpus: 2, exogo: e, linux: l}).table()
	for _, want := range []string{
		`pingpong-2p +200\.0 ns +900\.0 ns +0\.222  3x faster: met`,
		`sha256-16mib +10\.5 ms +10\.0 ms +1\.050  within 2%: MISSED`,
	} {
		if !regexp.MustCompile(want).MatchString(table) {
			t.Errorf("no line %q in\n%s", want, table)
		}
	}
	if one := (&race{cpus: 1, exogo: e, linux: l}).table(); strings.Contains(one, "met") {
		t.Errorf("goals judged on one CPU:\n%s", one)
	}
	two := &race{cpus: 2, exogo: e, linux: l}
	if s := scaling(&race{cpus: 1, exogo: samples{"sha256-16mib-split-2": {values: []float64{11}}}, linux: l}, two); !strings.Contains(s, "exogo  2.00x  met") {
		t.Errorf("scaling:\n%s", s)
	}
}
