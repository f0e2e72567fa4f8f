package server

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/keeldb/keel"
)

// MEMORY: Redis's subcommands and replies, with keel's figures.
//
//   - USAGE is keel's estimate (keel.Ctx.MemoryUsage): the bytes a key
//     takes where keel keeps it, in memory or in segment files.
//   - STATS has Redis 7.0's fields in its order. What keel has no part of
//     (replication backlog, replica and cluster buffers, the AOF buffer)
//     is 0; the allocator's figures are the Go runtime's: allocated is
//     the live heap, active the heap spans in use, resident what the
//     runtime holds from the OS; total.allocated is INFO's used_memory
//     (live heap plus keel's off-heap buffers).
//   - DOCTOR runs Redis's checks on those figures, with its texts.
//   - MALLOC-STATS reports the Go runtime's memory statistics.
//   - PURGE returns freed heap pages to the OS (debug.FreeOSMemory).

func memoryCommand() *keel.Command {
	sub := func(name string, arity int, flags keel.Flags, summary, since string, h func(*keel.Ctx)) *keel.Command {
		return &keel.Command{Name: "memory|" + name, Arity: arity, Flags: flags, ACL: []string{"slow"}, Group: "server", Summary: summary, Since: since, Handler: h}
	}
	return &keel.Command{Name: "memory", Arity: -2, ACL: []string{"slow"}, Group: "server", Summary: "A container for memory diagnostics commands.", Since: "4.0.0", Subs: map[string]*keel.Command{
		"usage": {Name: "memory|usage", Arity: -3, Flags: keel.FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, ACL: []string{"read", "slow"}, Group: "server",
			Summary: "Estimates the memory usage of a key.", Since: "4.0.0", Handler: cmdMemoryUsage},
		"stats":        sub("stats", 2, 0, "Returns details about memory usage.", "4.0.0", cmdMemoryStats),
		"doctor":       sub("doctor", 2, 0, "Outputs a memory problems report.", "4.0.0", cmdMemoryDoctor),
		"malloc-stats": sub("malloc-stats", 2, keel.FlagNoLock, "Returns the allocator statistics.", "4.0.0", cmdMemoryMallocStats),
		"purge":        sub("purge", 2, keel.FlagNoLock, "Asks the allocator to release memory.", "4.0.0", cmdMemoryPurge),
		"help":         sub("help", 2, keel.FlagLoading|keel.FlagStale|keel.FlagNoLock, "Returns helpful text about the different subcommands.", "4.0.0", cmdMemoryHelp),
	}}
}

func cmdMemoryHelp(c *keel.Ctx) {
	lines := []string{
		"DOCTOR", "    Return memory problems reports.",
		"MALLOC-STATS", "    Return internal statistics report from the memory allocator.",
		"PURGE", "    Attempt to purge dirty pages for reclamation by the allocator.",
		"STATS", "    Return information about the memory usage of the server.",
		"USAGE <key> [SAMPLES <count>]", "    Return memory in bytes used by <key> and its value. Nested values are",
		"    sampled up to <count> times (default: 5, 0 means sample all).",
	}
	keel.ReplyHelp(c, "MEMORY", lines)
}

// cmdMemoryUsage: options as Redis's memoryCommand parses them (SAMPLES
// must be followed by an integer >= 0; anything else is a syntax error).
func cmdMemoryUsage(c *keel.Ctx) {
	samples := int64(5) // OBJ_COMPUTE_SIZE_DEF_SAMPLES
	for j := 3; j < len(c.Args); j++ {
		if !strings.EqualFold(string(c.Args[j]), "samples") || j+1 >= len(c.Args) {
			c.R.Error(keel.ErrSyntax)
			return
		}
		n, err := strconv.ParseInt(string(c.Args[j+1]), 10, 64)
		if err != nil {
			c.R.Error("ERR value is not an integer or out of range")
			return
		}
		if n < 0 {
			c.R.Error(keel.ErrSyntax)
			return
		}
		samples = n // 0: all
		j++
	}
	n, found, err := c.MemoryUsage(c.Args[2], samples)
	switch {
	case err != nil:
		c.R.Error("ERR " + err.Error())
	case !found:
		c.R.Null()
	default:
		c.R.Int(n)
	}
}

// memOverhead is Redis's redisMemOverhead, from keel's figures.
type memOverhead struct {
	peak, total, startup, clientsNormal, luaCaches, functionsCaches int64
	dbs                                                             []dbOverhead
	overheadTotal, keys, bytesPerKey, dataset                       int64
	datasetPerc, peakPerc                                           float64
	allocated, active, resident, rss                                int64
	clients                                                         int64
	scripts                                                         int64
}

type dbOverhead struct {
	id          int
	main, expir int64
}

// memoryOverhead gathers MEMORY STATS's and DOCTOR's figures (db.mu held:
// the keyspace counts).
func (s *Server) memoryOverhead(c *keel.Ctx) memOverhead {
	var m memOverhead
	m.total = s.db.UsedMemorySample()
	m.peak = max(s.db.PeakMemory(), m.total)
	m.startup = s.startupMemory
	for _, cl := range s.clientList() {
		v := cl.published()
		m.clientsNormal += v.qbuf + v.qbufFree + v.rbs + v.argvMem + v.multiMem + clientStructBytes
		m.clients++
	}
	m.scripts, m.luaCaches = s.db.ScriptStats()
	m.functionsCaches = c.DB.FunctionCodeBytes()
	m.overheadTotal = m.startup + m.clientsNormal + m.luaCaches + m.functionsCaches
	for _, d := range c.DB.KeyspaceInfo() {
		o := dbOverhead{id: d.DB, main: keel.KeyOverhead(d.Keys), expir: int64(d.Expires) * 8}
		m.dbs = append(m.dbs, o)
		m.overheadTotal += o.main + o.expir
		m.keys += int64(d.Keys)
	}
	m.dataset = max(0, m.total-m.overheadTotal)
	net := m.total - m.startup
	if m.keys > 0 {
		m.bytesPerKey = net / m.keys
	}
	if net > 0 {
		m.datasetPerc = float64(m.dataset) * 100 / float64(net)
	}
	if m.peak > 0 {
		m.peakPerc = float64(m.total) * 100 / float64(m.peak)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.allocated, m.active, m.resident = int64(ms.HeapAlloc), int64(ms.HeapInuse), int64(ms.Sys-ms.HeapReleased)
	m.rss = rss()
	return m
}

// clientStructBytes is a connection's fixed cost (its client, session
// and reader), for clients.normal.
const clientStructBytes = 2048

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func cmdMemoryStats(c *keel.Ctx) {
	m := cl(c).srv.memoryOverhead(c)
	c.R.Map(27 + len(m.dbs))
	kvInt := func(k string, v int64) { c.R.BulkString(k); c.R.Int(v) }
	kvDouble := func(k string, v float64) { c.R.BulkString(k); c.R.Double(v) }
	kvInt("peak.allocated", m.peak)
	kvInt("total.allocated", m.total)
	kvInt("startup.allocated", m.startup)
	kvInt("replication.backlog", 0)
	kvInt("clients.slaves", 0)
	kvInt("clients.normal", m.clientsNormal)
	kvInt("cluster.links", 0)
	kvInt("aof.buffer", 0)
	kvInt("lua.caches", m.luaCaches)
	kvInt("functions.caches", m.functionsCaches)
	for _, d := range m.dbs {
		c.R.BulkString("db." + strconv.Itoa(d.id))
		c.R.Map(3)
		kvInt("overhead.hashtable.main", d.main)
		kvInt("overhead.hashtable.expires", d.expir)
		kvInt("overhead.hashtable.slot-to-keys", 0)
	}
	kvInt("overhead.total", m.overheadTotal)
	kvInt("keys.count", m.keys)
	kvInt("keys.bytes-per-key", m.bytesPerKey)
	kvInt("dataset.bytes", m.dataset)
	kvDouble("dataset.percentage", m.datasetPerc)
	kvDouble("peak.percentage", m.peakPerc)
	kvInt("allocator.allocated", m.allocated)
	kvInt("allocator.active", m.active)
	kvInt("allocator.resident", m.resident)
	kvDouble("allocator-fragmentation.ratio", ratio(m.active, m.allocated))
	kvInt("allocator-fragmentation.bytes", m.active-m.allocated)
	kvDouble("allocator-rss.ratio", ratio(m.resident, m.active))
	kvInt("allocator-rss.bytes", m.resident-m.active)
	kvDouble("rss-overhead.ratio", ratio(m.rss, m.resident))
	kvInt("rss-overhead.bytes", m.rss-m.resident)
	kvDouble("fragmentation", ratio(m.rss, m.total))
	kvInt("fragmentation.bytes", m.rss-m.total)
}

// cmdMemoryDoctor is Redis's getMemoryDoctorReport on keel's figures.
func cmdMemoryDoctor(c *keel.Ctx) {
	m := cl(c).srv.memoryOverhead(c)
	const mb10 = 10 << 20
	var issues []string
	empty := m.total < 5<<20
	if !empty {
		if ratio(m.peak, m.total) > 1.5 {
			issues = append(issues, doctorPeak)
		}
		if ratio(m.rss, m.total) > 1.4 && m.rss-m.total > mb10 {
			issues = append(issues, doctorHighRSS)
		}
		if ratio(m.active, m.allocated) > 1.1 && m.active-m.allocated > mb10 {
			issues = append(issues, doctorAllocFrag)
		}
		if ratio(m.resident, m.active) > 1.1 && m.resident-m.active > mb10 {
			issues = append(issues, doctorAllocRSS)
		}
		if ratio(m.rss, m.resident) > 1.1 && m.rss-m.resident > mb10 {
			issues = append(issues, doctorProcRSS)
		}
		if m.clients > 0 && m.clientsNormal/m.clients > 200<<10 {
			issues = append(issues, doctorClients)
		}
		if m.scripts > 1000 {
			issues = append(issues, doctorScripts)
		}
	}
	var s string
	switch {
	case empty:
		s = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
	case len(issues) == 0:
		s = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
	default:
		s = "Sam, I detected a few issues in this Redis instance memory implants:\n\n" + strings.Join(issues, "") + "I'm here to keep you safe, Sam. I want to help you.\n"
	}
	c.R.Verbatim(s)
}

// Redis's MEMORY DOCTOR paragraphs (object.c), the allocator named as
// keel's.
const (
	doctorPeak      = " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n"
	doctorHighRSS   = " * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is \"go\".\n\n"
	doctorAllocFrag = " * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' config option.\n\n"
	doctorAllocRSS  = " * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). This problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), you can try the MEMORY PURGE command to reclaim it.\n\n"
	doctorProcRSS   = " * High process RSS overhead: This instance has non-allocator RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the Redis process is much larger than the RSS the allocator holds). This problem may be due to Lua scripts or Modules.\n\n"
	doctorClients   = " * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n"
	doctorScripts   = " * Many scripts: There seem to be many cached scripts in this instance (more than 1000). This may be because scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts' caches may end up consuming most of your memory.\n\n"
)

// cmdMemoryMallocStats reports the Go runtime's memory statistics: keel's
// allocator (Redis reports jemalloc's, or "Stats not supported for the
// current allocator" with libc's malloc).
func cmdMemoryMallocStats(c *keel.Ctx) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var b strings.Builder
	b.WriteString("___ Begin Go runtime memory statistics ___\n")
	fmt.Fprintf(&b, "Version: %s\n", runtime.Version())
	for _, f := range []struct {
		name string
		v    uint64
	}{
		{"heap_alloc", ms.HeapAlloc}, {"heap_inuse", ms.HeapInuse}, {"heap_idle", ms.HeapIdle},
		{"heap_released", ms.HeapReleased}, {"heap_objects", ms.HeapObjects}, {"stack_inuse", ms.StackInuse},
		{"sys", ms.Sys}, {"total_alloc", ms.TotalAlloc}, {"mallocs", ms.Mallocs}, {"frees", ms.Frees},
		{"gc_cycles", uint64(ms.NumGC)}, {"next_gc", ms.NextGC}, {"gc_cpu_fraction_ppm", uint64(ms.GCCPUFraction * 1e6)},
	} {
		fmt.Fprintf(&b, "%s: %d\n", f.name, f.v)
	}
	b.WriteString("--- End Go runtime memory statistics ---\n")
	c.R.Verbatim(b.String())
}

func cmdMemoryPurge(c *keel.Ctx) {
	debug.FreeOSMemory()
	c.R.Simple("OK")
}
