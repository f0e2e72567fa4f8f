package server

import (
	"strings"
	"testing"
	"time"
)

// LATENCY against redis-server: the replies that do not depend on timing
// compared exactly, and the ones that do (events, histograms,
// percentiles) in shape.
func TestDiffLatency(t *testing.T) {
	p := newPair(t)
	runCases(t, p, []diffCase{
		dc("latency-static",
			"latency",
			"latency foo",
			"latency help",
			"latency help x",
			"latency doctor",
			"latency doctor x",
			"latency latest",
			"latency latest x",
			"latency history command",
			"latency history",
			"latency graph command",
			"latency graph",
			"latency reset",
			"latency reset command expire-cycle",
			"latency histogram nosuchcommand",
			"config set latency-tracking maybe",
			"config set latency-tracking-info-percentiles abc",
			"config set latency-tracking-info-percentiles 101",
			"config set latency-tracking-info-percentiles -1",
			"config set latency-tracking-info-percentiles \"50.5 99 0 100\"",
			"config get latency-tracking-info-percentiles",
			"config set latency-tracking-info-percentiles \"50 99 99.9\"",
			"config get latency-tracking",
			"config set latency-monitor-threshold 100000",
			"latency doctor",
			"config set latency-monitor-threshold 0",
		),
	})

	// Timing: a slow command makes a "command" event on both, with a
	// latency of at least its sleep, and every timed command a histogram.
	k, o := p.dial(t)
	for _, c := range []*respConn{k, o} {
		for _, args := range [][]string{
			{"LATENCY", "RESET"},
			{"CONFIG", "RESETSTAT"},
			{"CONFIG", "SET", "latency-monitor-threshold", "5"},
			{"DEBUG", "SLEEP", "0.02"},
			{"SET", "a", "1"},
			{"CONFIG", "SET", "latency-monitor-threshold", "0"},
		} {
			if v, err := c.Do(args...); err != nil || v.isErr() {
				t.Fatalf("%v: %v %v", args, v, err)
			}
		}
	}
	shape := func(c *respConn, args ...string) respValue {
		t.Helper()
		v, err := c.Do(args...)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for name, c := range map[string]*respConn{"keel": k, "redis": o} {
		latest := shape(c, "LATENCY", "LATEST")
		found := false
		for _, e := range latest.Elems {
			if len(e.Elems) == 4 && e.Elems[0].Str == "command" {
				found = true
				if e.Elems[2].Int < 20 || e.Elems[3].Int < 20 || time.Now().Unix()-e.Elems[1].Int > 60 {
					t.Errorf("%s: LATENCY LATEST command event %s", name, e)
				}
			}
		}
		if !found {
			t.Errorf("%s: LATENCY LATEST has no command event: %s", name, latest)
		}
		if h := shape(c, "LATENCY", "HISTORY", "command"); len(h.Elems) != 1 || len(h.Elems[0].Elems) != 2 || h.Elems[0].Elems[1].Int < 20 {
			t.Errorf("%s: LATENCY HISTORY command: %s", name, h)
		}
		g := shape(c, "LATENCY", "GRAPH", "command")
		if !strings.HasPrefix(g.Str, "command - high ") || !strings.Contains(g.Str, strings.Repeat("-", 80)) {
			t.Errorf("%s: LATENCY GRAPH command: %s", name, g)
		}
		d := shape(c, "LATENCY", "DOCTOR")
		if !strings.Contains(d.Str, "1. command: 1 latency spikes") || !strings.Contains(d.Str, "Check your Slow Log") {
			t.Errorf("%s: LATENCY DOCTOR: %s", name, d)
		}
		// DEBUG is not fast: timed on every call by both.
		h := shape(c, "LATENCY", "HISTOGRAM", "debug", "config")
		if len(h.Elems) < 4 || h.Elems[0].Str != "debug" && h.Elems[2].Str != "debug" {
			t.Fatalf("%s: LATENCY HISTOGRAM debug config: %s", name, h)
		}
		for i := 0; i+1 < len(h.Elems); i += 2 {
			e := h.Elems[i+1]
			if len(e.Elems) != 4 || e.Elems[0].Str != "calls" || e.Elems[2].Str != "histogram_usec" || len(e.Elems[3].Elems) == 0 {
				t.Errorf("%s: LATENCY HISTOGRAM entry %s: %s", name, h.Elems[i], e)
			}
			if h.Elems[i].Str == "debug" && e.Elems[1].Int != 1 {
				t.Errorf("%s: DEBUG calls %d, want 1", name, e.Elems[1].Int)
			}
		}
		info := shape(c, "INFO", "latencystats")
		if !strings.Contains(info.Str, "latency_percentiles_usec_debug:p50=") || !strings.Contains(info.Str, ",p99.9=") {
			t.Errorf("%s: INFO latencystats: %s", name, info.Str)
		}
		if all := shape(c, "INFO"); strings.Contains(all.Str, "Latencystats") {
			t.Errorf("%s: default INFO shows Latencystats", name)
		}
		if all := shape(c, "INFO", "everything"); !strings.Contains(all.Str, "# Latencystats") {
			t.Errorf("%s: INFO everything lacks Latencystats", name)
		}
		shape(c, "LATENCY", "RESET")
	}
}
