package keel

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The latency monitor (LATENCY LATEST, HISTORY, RESET, GRAPH, DOCTOR) and
// the per-command latency histograms (LATENCY HISTOGRAM, INFO
// latencystats), as Redis 7.0's latency.c and its hdr_histogram use.
//
// Monitor: with latency-monitor-threshold > 0, every event that lasts at
// least that many milliseconds is a sample of its event's series: 160
// samples, one per second at most (a later one in the same second keeps
// the larger latency), and the event's all-time maximum. keel's events
// are "command" and "fast-command" (a command's execution; while the
// monitor is on every command is timed) and "expire-cycle" (a tick of the
// active expiry). Redis's disk events (aof-*, fork, rdb-*) have no
// counterpart: keel's log is written by its own goroutine, never by a
// command.
//
// Histograms: with latency-tracking yes (Redis's default), each command's
// timed calls are counted in an HDR histogram of nanoseconds, 1 ns to 1 s
// at 2 significant digits, laid out as hdr_histogram lays it out, so that
// LATENCY HISTOGRAM's buckets (1, 2, 4, 8, 16, 33, ... µs) and INFO's
// percentiles are computed as Redis computes them. Unlike Redis, which
// times every call, keel times one call in 16 of a connection's fast
// commands unless the slowlog or the monitor needs them all (cmdstats.go):
// each such timing counts 16 times, so that "calls" and the percentiles
// estimate all the calls.

// ---- the monitor ----

const latencySeriesLen = 160 // Redis's LATENCY_TS_LEN

type latencySample struct {
	time    int64 // unix seconds; 0: unused
	latency uint32
}

type latencySeries struct {
	samples [latencySeriesLen]latencySample
	idx     int
	max     uint32
}

// latencyMonitor is the DB's series by event name.
type latencyMonitor struct {
	threshold atomic.Int64 // latency-monitor-threshold, ms; 0: off
	mu        sync.Mutex
	events    map[string]*latencySeries
	order     []string // events in creation order (Redis: its dict's)
}

// SetLatencyThreshold sets latency-monitor-threshold (ms; 0: off).
func (db *DB) SetLatencyThreshold(ms int64) { db.latency.threshold.Store(ms) }

// LatencyThreshold returns latency-monitor-threshold.
func (db *DB) LatencyThreshold() int64 { return db.latency.threshold.Load() }

// LatencySample adds a sample of ms to event's series when the monitor is
// on and ms reaches its threshold (Redis's latencyAddSampleIfNeeded).
func (db *DB) LatencySample(event string, ms int64) {
	t := db.latency.threshold.Load()
	if t <= 0 || ms < t {
		return
	}
	db.latency.add(event, ms, time.Now().Unix())
}

func (m *latencyMonitor) add(event string, ms, now int64) {
	lat := uint32(min(ms, math.MaxUint32))
	m.mu.Lock()
	defer m.mu.Unlock()
	ts := m.events[event]
	if ts == nil {
		if m.events == nil {
			m.events = map[string]*latencySeries{}
		}
		ts = &latencySeries{}
		m.events[event] = ts
		m.order = append(m.order, event)
	}
	ts.max = max(ts.max, lat)
	prev := (ts.idx + latencySeriesLen - 1) % latencySeriesLen
	if ts.samples[prev].time == now {
		ts.samples[prev].latency = max(ts.samples[prev].latency, lat)
		return
	}
	ts.samples[ts.idx] = latencySample{time: now, latency: lat}
	ts.idx = (ts.idx + 1) % latencySeriesLen
}

// LatencyLatest is one event of LATENCY LATEST.
type LatencyLatest struct {
	Event        string
	Time         int64
	Latency, Max int64
}

// LatencyLatestNow returns each event's last sample and maximum.
func (db *DB) LatencyLatestNow() []LatencyLatest {
	m := &db.latency
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]LatencyLatest, 0, len(m.order))
	for _, ev := range m.order {
		ts := m.events[ev]
		last := ts.samples[(ts.idx+latencySeriesLen-1)%latencySeriesLen]
		out = append(out, LatencyLatest{Event: ev, Time: last.time, Latency: int64(last.latency), Max: int64(ts.max)})
	}
	return out
}

// LatencyHistory returns event's samples, oldest first, as (time,
// latency) pairs; nil when the event has none.
func (db *DB) LatencyHistory(event string) [][2]int64 {
	m := &db.latency
	m.mu.Lock()
	defer m.mu.Unlock()
	ts := m.events[event]
	if ts == nil {
		return nil
	}
	return ts.history()
}

func (ts *latencySeries) history() [][2]int64 {
	var out [][2]int64
	for j := range latencySeriesLen {
		s := ts.samples[(ts.idx+j)%latencySeriesLen]
		if s.time != 0 {
			out = append(out, [2]int64{s.time, int64(s.latency)})
		}
	}
	return out
}

// LatencyReset forgets the named events (case-insensitive; every event
// when none is named) and returns how many there were.
func (db *DB) LatencyReset(events ...string) int {
	m := &db.latency
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	m.order = slices.DeleteFunc(m.order, func(ev string) bool {
		hit := len(events) == 0 || slices.ContainsFunc(events, func(e string) bool { return strings.EqualFold(e, ev) })
		if hit {
			delete(m.events, ev)
			n++
		}
		return hit
	})
	return n
}

// LatencyGraph renders event's samples as LATENCY GRAPH does (Redis's
// latencyCommandGenSparkeline and sparkline.c); ok is false when the
// event has no samples.
func (db *DB) LatencyGraph(event string) (graph string, ok bool) {
	m := &db.latency
	m.mu.Lock()
	defer m.mu.Unlock()
	ts := m.events[event]
	if ts == nil {
		return "", false
	}
	now := time.Now().Unix()
	var seq sparkSeq
	var lo, hi uint32
	for i, s := range ts.history() {
		lat := uint32(s[1])
		if i == 0 {
			lo, hi = lat, lat
		} else {
			lo, hi = min(lo, lat), max(hi, lat)
		}
		elapsed := now - s[0]
		var label string
		switch {
		case elapsed < 60:
			label = fmt.Sprintf("%ds", elapsed)
		case elapsed < 3600:
			label = fmt.Sprintf("%dm", elapsed/60)
		case elapsed < 3600*24:
			label = fmt.Sprintf("%dh", elapsed/3600)
		default:
			label = fmt.Sprintf("%dd", elapsed/(3600*24))
		}
		seq.add(float64(lat), label)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s - high %d ms, low %d ms (all time high %d ms)\n", event, hi, lo, ts.max)
	b.WriteString(strings.Repeat("-", 80) + "\n")
	seq.render(&b, 80, 4)
	return b.String(), true
}

// sparkSeq is sparkline.c's sequence, rendered with SPARKLINE_FILL.
type sparkSeq struct {
	values   []float64
	labels   []string
	nlabels  int
	min, max float64
}

func (s *sparkSeq) add(v float64, label string) {
	if len(s.values) == 0 {
		s.min, s.max = v, v
	} else if v < s.min {
		s.min = v
	} else if v > s.max {
		s.max = v
	}
	s.values = append(s.values, v)
	s.labels = append(s.labels, label)
	if label != "" {
		s.nlabels++
	}
}

func (s *sparkSeq) render(b *strings.Builder, columns, rows int) {
	for j := 0; j < len(s.values); j += columns {
		if j != 0 {
			b.WriteByte('\n')
		}
		s.renderRange(b, rows, j, min(len(s.values)-j, columns))
	}
}

// renderRange is sparklineRenderRange, C's integer arithmetic kept.
func (s *sparkSeq) renderRange(b *strings.Builder, rows, offset, n int) {
	const charsetFill = "_o#"
	const charsetLen, labelMarginTop = 3, 1
	relmax := s.max - s.min
	if relmax == 0 {
		relmax = 1
	}
	steps := charsetLen * rows
	chars := make([]byte, n)
	for row := 0; ; row++ {
		loop := false
		for j := range chars {
			chars[j] = ' '
		}
		for j := 0; j < n; j++ {
			relval := s.values[j+offset] - s.min
			step := int(float64(int(relval*float64(steps))) / relmax)
			step = max(step, 0)
			if step >= steps {
				step = steps - 1
			}
			if row < rows {
				loop = true
				charidx := step - (rows-row-1)*charsetLen
				if charidx >= 0 && charidx < charsetLen {
					chars[j] = charsetFill[charidx]
				} else if charidx >= charsetLen {
					chars[j] = '|'
				}
				continue
			}
			if s.nlabels > 0 && row-rows < labelMarginTop {
				loop = true
				break
			}
			if label := s.labels[j+offset]; label != "" {
				if c := row - rows - labelMarginTop; len(label) > c {
					loop = true
					chars[j] = label[c]
				}
			}
		}
		if !loop {
			return
		}
		b.Write(chars)
		b.WriteByte('\n')
	}
}

// LatencyEventStats is one event as LATENCY DOCTOR analyses it (Redis's
// analyzeLatencyForEvent).
type LatencyEventStats struct {
	Event              string
	Samples            int
	Avg, MAD, Min, Max uint64
	Period             int64 // seconds from the oldest sample to now (at least 1)
	AllTimeHigh        uint64
}

// LatencyAnalysis returns each event's statistics, in LATENCY LATEST's
// order.
func (db *DB) LatencyAnalysis() []LatencyEventStats {
	m := &db.latency
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now().Unix()
	var out []LatencyEventStats
	for _, ev := range m.order {
		ts := m.events[ev]
		ls := LatencyEventStats{Event: ev, AllTimeHigh: uint64(ts.max)}
		var sum uint64
		for _, s := range ts.samples {
			if s.time == 0 {
				continue
			}
			ls.Samples++
			lat := uint64(s.latency)
			if ls.Samples == 1 {
				ls.Min, ls.Max = lat, lat
			} else {
				ls.Min, ls.Max = min(ls.Min, lat), max(ls.Max, lat)
			}
			sum += lat
			if ls.Period == 0 || s.time < ls.Period {
				ls.Period = s.time
			}
		}
		if ls.Samples > 0 {
			ls.Avg = sum / uint64(ls.Samples)
			ls.Period = now - ls.Period
			if ls.Period == 0 {
				ls.Period = 1
			}
			sum = 0
			for _, s := range ts.samples {
				if s.time == 0 {
					continue
				}
				d := int64(ls.Avg) - int64(s.latency)
				if d < 0 {
					d = -d
				}
				sum += uint64(d)
			}
			ls.MAD = sum / uint64(ls.Samples)
		}
		out = append(out, ls)
	}
	return out
}

// ---- the histograms ----

// hdr_histogram's layout for Redis's command histograms: values 1 ns to
// 1 s (LATENCY_HISTOGRAM_MIN_VALUE, _MAX_VALUE), 2 significant digits:
// 256 sub-buckets (the lower half of each bucket but the first shared
// with the previous), 23 buckets, 3072 counts.
const (
	hdrSubBucketCount     = 256
	hdrSubBucketHalfCount = 128
	hdrSubBucketHalfMag   = 7
	hdrSubBucketMask      = hdrSubBucketCount - 1
	hdrBucketCount        = 23
	hdrCountsLen          = (hdrBucketCount + 1) * hdrSubBucketHalfCount
	hdrMaxValue           = 1_000_000_000
)

// latencyHist is one command's histogram.
type latencyHist struct {
	counts [hdrCountsLen]atomic.Int64
}

func hdrBucketIndex(v int64) int {
	pow2ceiling := 64 - bits.LeadingZeros64(uint64(v|hdrSubBucketMask))
	return pow2ceiling - (hdrSubBucketHalfMag + 1)
}

func hdrCountsIndex(v int64) int {
	b := hdrBucketIndex(v)
	sub := int(v >> b)
	return ((b + 1) << hdrSubBucketHalfMag) + (sub - hdrSubBucketHalfCount)
}

// hdrValueAtIndex is the lowest value of counts index i.
func hdrValueAtIndex(i int) int64 {
	b := (i >> hdrSubBucketHalfMag) - 1
	sub := (i & (hdrSubBucketHalfCount - 1)) + hdrSubBucketHalfCount
	if b < 0 {
		sub -= hdrSubBucketHalfCount
		b = 0
	}
	return int64(sub) << b
}

// hdrHighestEquivalent is the highest value counted with v.
func hdrHighestEquivalent(v int64) int64 {
	b := hdrBucketIndex(v)
	sub := v >> b
	size := int64(1) << b
	if sub >= hdrSubBucketCount {
		size <<= 1
	}
	return (sub << b) + size - 1
}

func (h *latencyHist) record(nanos, weight int64) {
	nanos = min(max(nanos, 1), hdrMaxValue)
	h.counts[hdrCountsIndex(nanos)].Add(weight)
}

// snapshot returns the counts and their total.
func (h *latencyHist) snapshot() (counts []int64, total int64) {
	counts = make([]int64, hdrCountsLen)
	for i := range counts {
		counts[i] = h.counts[i].Load()
		total += counts[i]
	}
	return counts, total
}

// SetLatencyTracking sets latency-tracking.
func (db *DB) SetLatencyTracking(on bool) { db.latencyTracking.Store(on) }

// recordLatency follows a timed call of cmd (weight: the calls it stands
// for): its histogram, and the monitor's command events.
func (db *DB) recordLatency(cmd *Command, nanos, weight int64) {
	if db.latencyTracking.Load() {
		h := db.latencyHists[cmd.idx].Load()
		if h == nil {
			h = &latencyHist{}
			if !db.latencyHists[cmd.idx].CompareAndSwap(nil, h) {
				h = db.latencyHists[cmd.idx].Load()
			}
		}
		h.record(nanos, weight)
	}
	if db.latency.threshold.Load() > 0 {
		ev := "command"
		if cmd.Flags&FlagFast != 0 {
			ev = "fast-command"
		}
		db.LatencySample(ev, nanos/1_000_000)
	}
}

// latencyWeight is the calls a timing of cmd stands for.
func (db *DB) latencyWeight(cmd *Command) int64 {
	if cmd.Flags&FlagFast == 0 || db.timesEveryCall() {
		return 1
	}
	return fastTimingEvery
}

// CommandHistogram is one command's LATENCY HISTOGRAM entry: its calls and
// the cumulative count at each bucket (µs), as Redis's fillCommandCDF
// iterates an hdr_histogram logarithmically from 1024 ns by 2.
type CommandHistogram struct {
	Name    string
	Calls   int64
	Buckets [][2]int64 // (µs, cumulative calls), the empty ones left out
}

// CommandHistograms returns the histograms of the commands named (each
// command and its subcommands; unknown names skipped), or of every
// command with one when names is empty.
func (db *DB) CommandHistograms(names ...string) []CommandHistogram {
	var cmds []*Command
	if len(names) == 0 {
		eachCommand(func(c *Command) { cmds = append(cmds, c) })
	} else {
		for _, n := range names {
			c := LookupFull(n)
			if c == nil {
				continue
			}
			cmds = append(cmds, c)
			if c.Parent == nil {
				cmds = append(cmds, sortedSubs(c)...)
			}
		}
	}
	var out []CommandHistogram
	for _, c := range cmds {
		h := db.latencyHists[c.idx].Load()
		if h == nil {
			continue
		}
		counts, total := h.snapshot()
		ch := CommandHistogram{Name: c.Name, Calls: total}
		level := int64(1024)
		cum, prev, i := int64(0), int64(0), -1
		for level <= hdrValueAtIndex(hdrCountsLen-1) {
			for i+1 < hdrCountsLen && hdrValueAtIndex(i+1) <= level {
				i++
				cum += counts[i]
			}
			if cum > prev {
				ch.Buckets = append(ch.Buckets, [2]int64{hdrHighestEquivalent(level) / 1000, cum})
			}
			prev = cum
			level *= 2
		}
		out = append(out, ch)
	}
	return out
}

// CommandPercentiles returns, for every command with a histogram, its
// latency in µs at each percentile (hdr_value_at_percentile), for INFO
// latencystats.
func (db *DB) CommandPercentiles(percentiles []float64) []CommandPercentile {
	var out []CommandPercentile
	eachCommand(func(c *Command) {
		h := db.latencyHists[c.idx].Load()
		if h == nil {
			return
		}
		counts, total := h.snapshot()
		cp := CommandPercentile{Name: c.Name}
		for _, p := range percentiles {
			cp.Usec = append(cp.Usec, float64(hdrValueAtPercentile(counts, total, p))/1000)
		}
		out = append(out, cp)
	})
	return out
}

// CommandPercentile is one line of INFO latencystats.
type CommandPercentile struct {
	Name string
	Usec []float64
}

func hdrValueAtPercentile(counts []int64, total int64, p float64) int64 {
	p = min(p, 100)
	at := max(int64(p/100*float64(total)+0.5), 1)
	var sum int64
	for i, n := range counts {
		sum += n
		if sum >= at {
			v := hdrValueAtIndex(i)
			if p == 0 {
				return v
			}
			return hdrHighestEquivalent(v)
		}
	}
	return 0
}

// ResetLatencyHistograms forgets every command's histogram (CONFIG
// RESETSTAT).
func (db *DB) ResetLatencyHistograms() {
	for i := range db.latencyHists {
		db.latencyHists[i].Store(nil)
	}
}

// LookupFull finds a command by its full name: "get", or "client|list"
// for a subcommand (Redis's lookupCommandBySds), case-insensitively.
func LookupFull(name string) *Command {
	parent, sub, isSub := strings.Cut(name, "|")
	c := Lookup([]byte(parent))
	if c == nil || !isSub {
		return c
	}
	if c.Subs == nil {
		return nil
	}
	return c.Subs[strings.ToLower(sub)]
}

// sortedSubs returns c's subcommands by name.
func sortedSubs(c *Command) []*Command {
	out := make([]*Command, 0, len(c.Subs))
	for _, s := range c.Subs {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *Command) int { return strings.Compare(a.Name, b.Name) })
	return out
}
