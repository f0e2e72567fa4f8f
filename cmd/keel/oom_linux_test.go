//go:build linux

package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestOOMScoreAdj: oom-score-adj sets the process's oom_score_adj to the
// first of oom-score-adj-values, as is (absolute) or added to the value
// it started with (yes, relative), from the command line and through
// CONFIG SET, and no puts the starting value back.
func TestOOMScoreAdj(t *testing.T) {
	self, err := os.ReadFile("/proc/self/oom_score_adj")
	if err != nil {
		t.Fatal(err)
	}
	base, _ := strconv.Atoi(strings.TrimSpace(string(self))) // the child starts with this test's value
	p := startServer(t, t.TempDir(), "--oom-score-adj", "absolute", "--oom-score-adj-values", "300", "400", "500")
	adj := func() int {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/oom_score_adj")
		if err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return n
	}
	if got := adj(); got != 300 {
		t.Fatalf("absolute 300 from the command line: oom_score_adj %d", got)
	}
	c := p.client(t)
	for _, step := range []struct {
		name, value string
		want        int
	}{
		{"oom-score-adj-values", "250 400 500", 250},
		{"oom-score-adj", "relative", min(base+250, 1000)},
		{"oom-score-adj-values", "2000 2000 2000", 1000}, // clamped
		{"oom-score-adj", "no", base},
		{"oom-score-adj-values", "100 200 300", base}, // no: left alone
		{"oom-score-adj", "yes", min(base+100, 1000)},
	} {
		if r := mustDo(t, c, "CONFIG", "SET", step.name, step.value); r != "OK" {
			t.Fatalf("CONFIG SET %s %s: %v", step.name, step.value, r)
		}
		if got := adj(); got != step.want {
			t.Fatalf("after CONFIG SET %s %q: oom_score_adj %d, want %d", step.name, step.value, got, step.want)
		}
	}
}
