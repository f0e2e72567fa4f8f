package server

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/keeldb/keel"
)

// LATENCY DOCTOR, GRAPH, HELP, HISTOGRAM, HISTORY, LATEST and RESET, as
// Redis 7.0's latency.c answers them, from keel's latency monitor and
// command histograms (keel's latency.go); and INFO latencystats.

func latencyCommand() *keel.Command {
	sub := func(name string, arity int, h func(*keel.Ctx)) *keel.Command {
		return &keel.Command{Name: "latency|" + name, Arity: arity, Flags: keel.FlagAdmin | keel.FlagNoScript | keel.FlagLoading | keel.FlagStale | keel.FlagNoLock,
			ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Since: "2.8.13", Handler: h}
	}
	subs := map[string]*keel.Command{
		"doctor":    sub("doctor", 2, cmdLatencyDoctor),
		"graph":     sub("graph", 3, cmdLatencyGraph),
		"histogram": sub("histogram", -2, cmdLatencyHistogram),
		"history":   sub("history", 3, cmdLatencyHistory),
		"latest":    sub("latest", 2, cmdLatencyLatest),
		"reset":     sub("reset", -2, cmdLatencyReset),
		"help": {Name: "latency|help", Arity: 2, Flags: keel.FlagLoading | keel.FlagStale | keel.FlagNoLock, ACL: []string{"slow"}, Group: "server",
			Since: "2.8.13", Summary: "Returns helpful text about the different subcommands.", Handler: cmdLatencyHelp},
	}
	subs["doctor"].Summary = "Returns a human-readable latency analysis report."
	subs["graph"].Summary = "Returns a latency graph for an event."
	subs["histogram"].Summary = "Returns the cumulative distribution of latencies of a subset or all commands."
	subs["histogram"].Since = "7.0.0"
	subs["history"].Summary = "Returns timestamp-latency samples for an event."
	subs["latest"].Summary = "Returns the latest latency samples for all events."
	subs["reset"].Summary = "Resets the latency data for one or more events."
	return &keel.Command{Name: "latency", Arity: -2, Flags: keel.FlagNoLock, ACL: []string{"slow"}, Group: "server",
		Summary: "A container for latency diagnostics commands.", Since: "2.8.13", Subs: subs}
}

func cmdLatencyLatest(c *keel.Ctx) {
	evs := c.DB.LatencyLatestNow()
	c.R.Array(len(evs))
	for _, e := range evs {
		c.R.Array(4)
		c.R.BulkString(e.Event)
		c.R.Int(e.Time)
		c.R.Int(e.Latency)
		c.R.Int(e.Max)
	}
}

func cmdLatencyHistory(c *keel.Ctx) {
	h := c.DB.LatencyHistory(string(c.Args[2]))
	c.R.Array(len(h))
	for _, s := range h {
		c.R.Array(2)
		c.R.Int(s[0])
		c.R.Int(s[1])
	}
}

func cmdLatencyReset(c *keel.Ctx) {
	names := make([]string, 0, len(c.Args)-2)
	for _, a := range c.Args[2:] {
		names = append(names, string(a))
	}
	if len(names) == 0 {
		c.R.Int(int64(c.DB.LatencyReset()))
		return
	}
	n := 0
	for _, name := range names { // each name resets what it matches, as Redis counts
		n += c.DB.LatencyReset(name)
	}
	c.R.Int(int64(n))
}

func cmdLatencyGraph(c *keel.Ctx) {
	g, ok := c.DB.LatencyGraph(string(c.Args[2]))
	if !ok {
		c.R.Error(fmt.Sprintf("ERR No samples available for event '%s'", c.Args[2]))
		return
	}
	c.R.Verbatim(g)
}

func cmdLatencyHistogram(c *keel.Ctx) {
	names := make([]string, 0, len(c.Args)-2)
	for _, a := range c.Args[2:] {
		names = append(names, string(a))
	}
	hs := c.DB.CommandHistograms(names...)
	c.R.Map(len(hs))
	for _, h := range hs {
		c.R.BulkString(h.Name)
		c.R.Map(2)
		c.R.BulkString("calls")
		c.R.Int(h.Calls)
		c.R.BulkString("histogram_usec")
		c.R.Map(len(h.Buckets))
		for _, b := range h.Buckets {
			c.R.Int(b[0])
			c.R.Int(b[1])
		}
	}
}

func cmdLatencyHelp(c *keel.Ctx) {
	lines := []string{
		"DOCTOR",
		"    Return a human readable latency analysis report.",
		"GRAPH <event>",
		"    Return an ASCII latency graph for the <event> class.",
		"HISTORY <event>",
		"    Return time-latency samples for the <event> class.",
		"LATEST",
		"    Return the latest latency samples for all events.",
		"RESET [<event> ...]",
		"    Reset latency data of one or more <event> classes.",
		"    (default: reset all data for all event classes)",
		"HISTOGRAM [COMMAND ...]",
		"    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
		"    If no commands are specified then all histograms are replied.",
	}
	keel.ReplyHelp(c, "LATENCY", lines)
}

func cmdLatencyDoctor(c *keel.Ctx) {
	c.R.Verbatim(cl(c).srv.latencyReport())
}

// latencyReport is Redis's createLatencyReport over keel's events: each
// event's statistics, then the advice its events call for (keel's events
// are command, fast-command and expire-cycle; the advice about disks and
// forks follows events keel does not have), and the huge pages check.
func (s *Server) latencyReport() string {
	evs := s.db.LatencyAnalysis()
	threshold := s.db.LatencyThreshold()
	if len(evs) == 0 && threshold == 0 {
		return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
	}
	var b strings.Builder
	var slowlogEnabled, slowlogTuning, slowlogInspect, scheduler, hz, largeObjects, thp bool
	advices := 0
	slower := s.cfg.Int("slowlog-log-slower-than")
	for i, ls := range evs {
		if i == 0 {
			b.WriteString("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n")
		}
		period := 0.0
		if ls.Samples > 0 {
			period = float64(ls.Period) / float64(ls.Samples)
		}
		fmt.Fprintf(&b, "%d. %s: %d latency spikes (average %dms, mean deviation %dms, period %.2f sec). Worst all time event %dms.",
			i+1, ls.Event, ls.Samples, ls.Avg, ls.MAD, period, ls.AllTimeHigh)
		switch strings.ToLower(ls.Event) {
		case "command":
			if slower < 0 {
				slowlogEnabled = true
				advices++
			} else if slower/1000 > threshold {
				slowlogTuning = true
				advices++
			}
			slowlogInspect, largeObjects = true, true
			advices += 2
		case "fast-command":
			scheduler = true
			advices++
		case "expire-cycle":
			hz, largeObjects = true, true
			advices += 2
		}
		b.WriteString("\n")
	}
	if anonHugePages() > 0 {
		thp = true
		advices++
	}
	switch {
	case len(evs) == 0 && advices == 0:
		b.WriteString("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n")
		return b.String()
	case len(evs) > 0 && advices == 0:
		b.WriteString("\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n")
		return b.String()
	}
	b.WriteString("\nI have a few advices for you:\n\n")
	if slowlogEnabled {
		fmt.Fprintf(&b, "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %d'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n", threshold*1000)
	}
	if slowlogTuning {
		fmt.Fprintf(&b, "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than %d'.\n", threshold*1000)
	}
	if slowlogInspect {
		b.WriteString("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n")
	}
	if scheduler {
		b.WriteString("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n" +
			"  1) Lower the system load.\n" +
			"  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
			"  3) Check if you have a \"noisy neighbour\" problem.\n" +
			"  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
			"  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n")
	}
	if hz && s.cfg.Int("hz") < 100 {
		b.WriteString("- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n")
	}
	if largeObjects {
		b.WriteString("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n")
	}
	if thp {
		b.WriteString("- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n")
	}
	return b.String()
}

// anonHugePages is the process's AnonHugePages in bytes (Redis's
// THPGetAnonHugePagesSize), 0 where /proc cannot tell.
func anonHugePages() int64 {
	f, err := os.Open("/proc/self/smaps_rollup")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "AnonHugePages:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// latencyStatsLines are INFO latencystats' lines: each command's
// latency at latency-tracking-info-percentiles.
func (s *Server) latencyStatsLines() []string {
	ps := parsePercentiles(s.cfg.Get("latency-tracking-info-percentiles"))
	var out []string
	for _, cp := range s.db.CommandPercentiles(ps) {
		parts := make([]string, len(ps))
		for i, p := range ps {
			parts[i] = fmt.Sprintf("p%s=%.3f", strconv.FormatFloat(p, 'f', -1, 64), cp.Usec[i])
		}
		out = append(out, "latency_percentiles_usec_"+cp.Name+":"+strings.Join(parts, ","))
	}
	return out
}

func parsePercentiles(v string) []float64 {
	var out []float64
	for _, f := range strings.Fields(v) {
		if p, err := strconv.ParseFloat(f, 64); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// percentilesParam checks latency-tracking-info-percentiles: numbers in
// [0, 100], shown as Redis shows them.
func percentilesParam(v string) (string, error) {
	fields := strings.Fields(v)
	out := make([]string, len(fields))
	for i, f := range fields {
		p, err := strconv.ParseFloat(f, 64)
		if err != nil {
			//lint:ignore ST1005 Redis's CONFIG SET text
			return "", errors.New("Invalid latency-tracking-info-percentiles parameters")
		}
		if p < 0 || p > 100 {
			return "", errors.New("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
		}
		out[i] = strconv.FormatFloat(p, 'f', -1, 64)
	}
	return strings.Join(out, " "), nil
}
