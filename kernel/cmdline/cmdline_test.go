package cmdline

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParse(t *testing.T) {
	tests := []struct {
		line string
		want Options
	}{
		{"", Options{}},
		{"selftest", Options{SelfTest: true}},
		{"  selftest   poweroff ", Options{SelfTest: true, PowerOff: true}},
		{"GODEBUG=gctrace=1 GOMAXPROCS=4", Options{Environment: []string{"GODEBUG=gctrace=1", "GOMAXPROCS=4"}}},
		{`A=\"quoted\"`, Options{Environment: []string{`A="quoted"`}}},
		{"crashtest=kernel", Options{CrashKernel: true}},
		{"init=exo-hello poweroff", Options{Init: "exo-hello", PowerOff: true}},
		{"init=exo-test console=serial", Options{Init: "exo-test", SerialConsole: true}},
		{"console=vga", Options{Problems: []string{`unknown console "console=vga" ignored (known: console=serial)`}}},
	}
	for _, test := range tests {
		got := Parse(test.line)
		if diff := cmp.Diff(test.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):\n%s", test.line, diff)
		}
	}
}

func TestParseReportsMalformedWords(t *testing.T) {
	for _, line := range []string{"selftset", "=value", "9KEY=v", "crashtest=user", "bad\x01word", "K-Y=1", "init=", "init=../x"} {
		got := Parse("selftest " + line)
		if !got.SelfTest {
			t.Errorf("Parse(%q): a bad word stopped the good one before it", line)
		}
		if len(got.Problems) != 1 || len(got.Environment) != 0 {
			t.Errorf("Parse(%q) = %+v, want exactly one problem and no environment", line, got)
		}
	}
}
