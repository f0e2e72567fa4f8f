package keel

import (
	"slices"
	"testing"
)

// TestLatencyHistogramLayout checks the hdr_histogram arithmetic against
// values redis-server 7.0.15 reports: a 3 µs call is p50=3.007, and the
// logarithmic buckets are keyed 1, 2, 4, 8, 16, 33, 66, ... µs.
func TestLatencyHistogramLayout(t *testing.T) {
	if got := hdrHighestEquivalent(3000); got != 3007 {
		t.Errorf("highest equivalent of 3000 ns: %d, want 3007", got)
	}
	var keys []int64
	for level := int64(1024); level <= hdrValueAtIndex(hdrCountsLen-1); level *= 2 {
		keys = append(keys, hdrHighestEquivalent(level)/1000)
	}
	want := []int64{1, 2, 4, 8, 16, 33, 66, 132, 264, 528, 1056, 2113, 4227, 8454, 16908, 33816, 67633, 135266, 270532, 541065}
	if !slices.Equal(keys, want) {
		t.Errorf("bucket keys %v, want %v", keys, want)
	}
	for v := int64(1); v < hdrMaxValue; v = v*3 + 1 {
		i := hdrCountsIndex(v)
		if lo := hdrValueAtIndex(i); lo > v || hdrHighestEquivalent(v) < v || hdrHighestEquivalent(lo) != hdrHighestEquivalent(v) {
			t.Fatalf("value %d: index %d holds [%d, %d]", v, i, lo, hdrHighestEquivalent(v))
		}
	}

	db := newTestDB(t)
	ping := Lookup([]byte("get"))
	db.recordLatency(ping, 3000, 1)
	db.recordLatency(ping, 900, 1)
	db.recordLatency(ping, 70_000, 2)
	hs := db.CommandHistograms("get")
	if len(hs) != 1 || hs[0].Calls != 4 {
		t.Fatalf("histograms %+v", hs)
	}
	if got, want := hs[0].Buckets, [][2]int64{{1, 1}, {4, 2}, {132, 4}}; !slices.Equal(got, want) {
		t.Errorf("buckets %v, want %v", got, want)
	}
	ps := db.CommandPercentiles([]float64{0, 50, 100})
	if len(ps) != 1 || ps[0].Usec[0] != 0.9 || ps[0].Usec[1] != 3.007 || ps[0].Usec[2] != 70.143 {
		t.Errorf("percentiles %+v", ps)
	}
}

// TestLatencyMonitorSeries: a sample per second, the larger kept within
// one, and 160 at most.
func TestLatencyMonitorSeries(t *testing.T) {
	var m latencyMonitor
	m.add("command", 10, 100)
	m.add("command", 30, 100)
	m.add("command", 20, 100)
	m.add("command", 5, 101)
	if got := m.events["command"].history(); !slices.Equal(got, [][2]int64{{100, 30}, {101, 5}}) {
		t.Fatalf("history %v", got)
	}
	for s := int64(200); s < 400; s++ {
		m.add("command", s, s)
	}
	h := m.events["command"].history()
	if len(h) != latencySeriesLen || h[0][0] != 400-latencySeriesLen || h[len(h)-1][0] != 399 || m.events["command"].max != 399 {
		t.Fatalf("after 200 more seconds: %d samples, first %v, last %v", len(h), h[0], h[len(h)-1])
	}
}
