package server

import (
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/keeldb/keel"
	"github.com/keeldb/keel/internal/offheap"
)

// GlobMatch matches Redis glob patterns (CONFIG GET, COMMAND LIST PATTERN);
// set to keel's implementation.
var GlobMatch = func(pattern, s string) bool { return keel.GlobMatch(pattern, s) }

// ---- CONFIG ----

func configCommand() *keel.Command {
	fl := keel.FlagAdmin | keel.FlagNoScript | keel.FlagLoading | keel.FlagStale | keel.FlagNoLock
	return &keel.Command{Name: "config", Arity: -2, Flags: keel.FlagNoLock, ACL: []string{"slow"}, Group: "server", Summary: "A container for server configuration commands.", Since: "2.0.0", Subs: map[string]*keel.Command{
		"get":       {Name: "config|get", Arity: -3, Flags: fl, ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Summary: "Returns the effective values of configuration parameters.", Since: "2.0.0", Handler: cmdConfigGet},
		"set":       {Name: "config|set", Arity: -4, Flags: fl, ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Summary: "Sets configuration parameters in-flight.", Since: "2.0.0", Handler: cmdConfigSet},
		"resetstat": {Name: "config|resetstat", Arity: 2, Flags: fl, ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Summary: "Resets the server's statistics.", Since: "2.0.0", Handler: cmdConfigResetStat},
		"rewrite":   {Name: "config|rewrite", Arity: 2, Flags: fl, ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Summary: "Persists the effective configuration to file.", Since: "2.8.0", Handler: cmdConfigRewrite},
		"help":      {Name: "config|help", Arity: 2, Flags: keel.FlagLoading | keel.FlagStale | keel.FlagNoLock, ACL: []string{"slow"}, Group: "server", Summary: "Returns helpful text about the different subcommands.", Since: "5.0.0", Handler: cmdConfigHelp},
	}}
}

func cmdConfigGet(c *keel.Ctx) {
	x := cl(c)
	seen := map[string]bool{}
	var out [][2]string
	for _, p := range c.Args[2:] {
		for _, kv := range x.srv.cfg.Match(strings.ToLower(string(p)), GlobMatch) {
			if !seen[kv[0]] {
				seen[kv[0]] = true
				out = append(out, kv)
			}
		}
	}
	c.R.Map(len(out))
	for _, kv := range out {
		c.R.BulkString(kv[0])
		c.R.BulkString(kv[1])
	}
}

func cmdConfigSet(c *keel.Ctx) {
	x := cl(c)
	if len(c.Args)%2 != 0 {
		// Arity (-4) rejected fewer than four arguments; an odd count
		// is a syntax error, as in Redis 7.0's configSetCommand.
		c.R.Error("ERR syntax error")
		return
	}
	// Validate all first so a failed multi-set changes nothing.
	seen := map[string]bool{}
	for i := 2; i < len(c.Args); i += 2 {
		name := strings.ToLower(string(c.Args[i]))
		p, ok := canonical(name)
		if !ok {
			c.R.Error(fmt.Sprintf("ERR Unknown option or number of arguments for CONFIG SET - '%s'", c.Args[i]))
			return
		}
		if seen[p.name] {
			c.R.Error(fmt.Sprintf("ERR CONFIG SET failed (possibly related to argument '%s') - duplicate parameter", name))
			return
		}
		seen[p.name] = true
		if p.protected && !x.srv.allowProtected("enable-protected-configs", c.S) {
			c.R.Error(fmt.Sprintf("ERR CONFIG SET failed (possibly related to argument '%s') - can't set protected config", name))
			return
		}
		if p.immutable {
			c.R.Error(fmt.Sprintf("ERR CONFIG SET failed (possibly related to argument '%s') - can't set immutable config", name))
			return
		}
		if _, err := p.parse(x.srv.cfg.Get(p.name), string(c.Args[i+1])); err != nil {
			c.R.Error(fmt.Sprintf("ERR CONFIG SET failed (possibly related to argument '%s') - %v", name, err))
			return
		}
	}
	for i := 2; i < len(c.Args); i += 2 {
		if err := x.srv.cfg.Set(string(c.Args[i]), string(c.Args[i+1]), false); err != nil {
			c.R.Error("ERR " + err.Error())
			return
		}
	}
	c.R.Simple("OK")
}

func cmdConfigResetStat(c *keel.Ctx) {
	c.DB.ResetStats()
	x := cl(c)
	x.srv.totalConns.Store(0)
	x.srv.rejectedConns.Store(0)
	x.srv.evictedClients.Store(0)
	x.srv.resetNetBytes()
	x.srv.errors.reset()
	c.R.Simple("OK")
}

func cmdConfigRewrite(c *keel.Ctx) {
	x := cl(c)
	if x.srv.ConfigFile == "" {
		c.R.Error("ERR The server is running without a config file")
		return
	}
	if err := x.srv.cfg.Rewrite(x.srv.ConfigFile); err != nil {
		c.R.Error("ERR Rewriting config file: " + err.Error())
		return
	}
	c.R.Simple("OK")
}

func cmdConfigHelp(c *keel.Ctx) {
	lines := []string{
		"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>", "    Set the configuration <directive> to <value>.",
		"RESETSTAT", "    Reset statistics reported by the INFO command.",
		"REWRITE", "    Rewrite the configuration file.",
		"HELP", "    Print this help.",
	}
	c.R.Array(len(lines))
	for _, l := range lines {
		c.R.Simple(l)
	}
}

// ---- COMMAND ----

func commandCommand() *keel.Command {
	fl := keel.FlagLoading | keel.FlagStale | keel.FlagNoLock
	acl := []string{"slow", "connection"}
	return &keel.Command{Name: "command", Arity: -1, Flags: fl, ACL: acl, Group: "server", Summary: "Returns detailed information about all commands.", Since: "2.8.13", Handler: cmdCommandAll, Subs: map[string]*keel.Command{
		"count":           {Name: "command|count", Arity: 2, Flags: fl, ACL: acl, Group: "server", Summary: "Returns a count of commands.", Since: "2.8.13", Handler: cmdCommandCount},
		"info":            {Name: "command|info", Arity: -2, Flags: fl, ACL: acl, Group: "server", Summary: "Returns information about one, multiple or all commands.", Since: "2.8.13", Handler: cmdCommandInfo},
		"docs":            {Name: "command|docs", Arity: -2, Flags: fl, ACL: acl, Group: "server", Summary: "Returns documentary information about one, multiple or all commands.", Since: "7.0.0", Handler: cmdCommandDocs},
		"list":            {Name: "command|list", Arity: -2, Flags: fl, ACL: acl, Group: "server", Summary: "Returns a list of command names.", Since: "7.0.0", Handler: cmdCommandList},
		"getkeys":         {Name: "command|getkeys", Arity: -4, Flags: fl, ACL: acl, Group: "server", Summary: "Extracts the key names from an arbitrary command.", Since: "2.8.13", Handler: cmdCommandGetKeys},
		"getkeysandflags": {Name: "command|getkeysandflags", Arity: -4, Flags: fl, ACL: acl, Group: "server", Summary: "Extracts the key names and access flags for an arbitrary command.", Since: "7.0.0", Handler: cmdCommandGetKeysAndFlags},
		"help":            {Name: "command|help", Arity: 2, Flags: fl, ACL: acl, Group: "server", Summary: "Returns helpful text about the different subcommands.", Since: "5.0.0", Handler: cmdCommandHelp},
	}}
}

func subNames(cmd *keel.Command) []string {
	var names []string
	for n := range cmd.Subs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// writeCommandInfo writes one COMMAND INFO entry in Redis 7's layout:
// redis-server's own (commanddocs.go) when it has the command, else made
// from keel's table.
func writeCommandInfo(r keel.Reply, cmd *keel.Command) {
	if writeRedisCommandInfo(r, cmd) {
		return
	}
	r.Array(10)
	r.BulkString(cmd.Name)
	r.Int(int64(cmd.Arity))
	flags := cmd.Flags.Names()
	r.Set(len(flags))
	for _, f := range flags {
		r.Simple(f)
	}
	r.Int(int64(cmd.FirstKey))
	r.Int(int64(cmd.LastKey))
	r.Int(int64(cmd.Step))
	r.Set(len(cmd.ACL))
	for _, a := range cmd.ACL {
		r.Simple("@" + a)
	}
	r.Set(0) // tips
	specs := 0
	if cmd.FirstKey > 0 {
		specs++
	}
	if cmd.KeyNum > 0 {
		specs++
	}
	r.Array(specs)
	if cmd.FirstKey > 0 {
		writeKeySpec(r, cmd, cmd.FirstKey, func() {
			r.BulkString("range")
			r.BulkString("spec")
			r.Map(3)
			r.BulkString("lastkey")
			if cmd.LastKey < 0 {
				r.Int(int64(cmd.LastKey))
			} else {
				r.Int(int64(cmd.LastKey - cmd.FirstKey))
			}
			r.BulkString("keystep")
			r.Int(int64(cmd.Step))
			r.BulkString("limit")
			r.Int(0)
		})
	}
	if cmd.KeyNum > 0 {
		writeKeySpec(r, cmd, cmd.KeyNum, func() {
			r.BulkString("keynum")
			r.BulkString("spec")
			r.Map(3)
			r.BulkString("keynumidx")
			r.Int(0)
			r.BulkString("firstkey")
			r.Int(1)
			r.BulkString("keystep")
			r.Int(1)
		})
	}
	names := subNames(cmd)
	if len(names) == 0 {
		r.Set(0) // as redis-server 7.0 lists no subcommands
		return
	}
	r.Array(len(names))
	for _, n := range names {
		writeCommandInfo(r, cmd.Subs[n])
	}
}

// writeKeySpec writes one key specification: flags, begin_search by index
// at idx, and find_keys as written by findKeys (its type and spec).
func writeKeySpec(r keel.Reply, cmd *keel.Command, idx int, findKeys func()) {
	r.Map(3)
	r.BulkString("flags")
	r.Set(1)
	if cmd.Flags&keel.FlagWrite != 0 {
		r.Simple("RW")
	} else {
		r.Simple("RO")
	}
	r.BulkString("begin_search")
	r.Map(2)
	r.BulkString("type")
	r.BulkString("index")
	r.BulkString("spec")
	r.Map(1)
	r.BulkString("index")
	r.Int(int64(idx))
	r.BulkString("find_keys")
	r.Map(2)
	r.BulkString("type")
	findKeys()
}

func cmdCommandAll(c *keel.Ctx) {
	if len(c.Args) > 1 {
		c.R.Error(fmt.Sprintf("ERR unknown subcommand '%s'. Try COMMAND HELP.", c.Args[1]))
		return
	}
	cmds := keel.Commands()
	c.R.Array(len(cmds))
	for _, cmd := range cmds {
		writeCommandInfo(c.R, cmd)
	}
}

func cmdCommandCount(c *keel.Ctx) { c.R.Int(int64(len(keel.Commands()))) }

func cmdCommandInfo(c *keel.Ctx) {
	if len(c.Args) == 2 {
		cmdCommandAll(&keel.Ctx{DB: c.DB, S: c.S, Args: c.Args[:1], R: c.R})
		return
	}
	c.R.Array(len(c.Args) - 2)
	for _, a := range c.Args[2:] {
		if cmd := keel.LookupFull(string(a)); cmd != nil {
			writeCommandInfo(c.R, cmd)
		} else {
			c.R.NullArray()
		}
	}
}

func writeDocs(r keel.Reply, cmd *keel.Command) {
	n := 3
	if len(cmd.Subs) > 0 {
		n++
	}
	r.Map(n)
	r.BulkString("summary")
	r.BulkString(cmd.Summary)
	r.BulkString("since")
	r.BulkString(cmd.Since)
	r.BulkString("group")
	r.BulkString(cmd.Group)
	if len(cmd.Subs) > 0 {
		r.BulkString("subcommands")
		names := subNames(cmd)
		r.Map(len(names))
		for _, s := range names {
			r.BulkString(cmd.Subs[s].Name)
			writeDocs(r, cmd.Subs[s])
		}
	}
}

func cmdCommandDocs(c *keel.Ctx) {
	var cmds []*keel.Command
	if len(c.Args) == 2 {
		cmds = keel.Commands()
	} else {
		for _, a := range c.Args[2:] {
			if cmd := keel.LookupFull(string(a)); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.R.Map(len(cmds))
	for _, cmd := range cmds {
		c.R.BulkString(cmd.Name)
		writeCommandDocs(c.R, cmd)
	}
}

func cmdCommandList(c *keel.Ctx) {
	var filter func(*keel.Command) bool
	if len(c.Args) > 2 {
		if len(c.Args) != 5 || !strings.EqualFold(string(c.Args[2]), "filterby") {
			c.R.Error(keel.ErrSyntax)
			return
		}
		v := string(c.Args[4])
		switch strings.ToLower(string(c.Args[3])) {
		case "module":
			filter = func(*keel.Command) bool { return false }
		case "aclcat":
			filter = func(cmd *keel.Command) bool {
				for _, a := range cmd.ACL {
					if strings.EqualFold(a, v) {
						return true
					}
				}
				return false
			}
		case "pattern":
			filter = func(cmd *keel.Command) bool { return GlobMatch(strings.ToLower(v), cmd.Name) }
		default:
			c.R.Error(keel.ErrSyntax)
			return
		}
	}
	var names []string
	for _, cmd := range keel.Commands() {
		if filter == nil || filter(cmd) {
			names = append(names, cmd.Name)
		}
		for _, s := range subNames(cmd) {
			if filter != nil && filter(cmd.Subs[s]) {
				names = append(names, cmd.Subs[s].Name)
			} else if filter == nil {
				names = append(names, cmd.Subs[s].Name)
			}
		}
	}
	c.R.Array(len(names))
	for _, n := range names {
		c.R.BulkString(n)
	}
}

func cmdCommandHelp(c *keel.Ctx) {
	lines := []string{
		"(no subcommand)", "    Return details about all Redis commands.",
		"COUNT", "    Return the total number of commands in this Redis server.",
		"LIST", "    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>", "    Return the keys from a full Redis command.",
		"GETKEYSANDFLAGS <full-command>", "    Return the keys and the access flags from a full Redis command.",
	}
	keel.ReplyHelp(c, "COMMAND", lines)
}

// ---- INFO ----

// defaultSections are INFO's sections without an argument: Redis 7.0's
// default ones keel has, and keel's wal.
var defaultSections = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "errorstats", "cluster", "keyspace", "wal"}

func cmdInfo(c *keel.Ctx) {
	x := cl(c)
	want := map[string]bool{}
	if len(c.Args) == 1 {
		for _, s := range defaultSections {
			want[s] = true
		}
	}
	for _, a := range c.Args[1:] {
		s := strings.ToLower(string(a))
		switch s {
		case "all", "everything", "default":
			for _, d := range defaultSections {
				want[d] = true
			}
			want["commandstats"] = s != "default"
			want["latencystats"] = s != "default"
		default:
			want[s] = true
		}
	}
	var sb strings.Builder
	x.srv.writeInfo(&sb, want)
	c.R.Verbatim(sb.String())
}

func (s *Server) writeInfo(sb *strings.Builder, want map[string]bool) {
	section := func(name string) bool {
		if !want[strings.ToLower(name)] {
			return false
		}
		if sb.Len() > 0 {
			sb.WriteString("\r\n")
		}
		sb.WriteString("# " + name + "\r\n")
		return true
	}
	kv := func(k string, v any) { fmt.Fprintf(sb, "%s:%v\r\n", k, v) }
	up := time.Since(s.start)
	if section("Server") {
		kv("redis_version", Version)
		kv("keel_version", KeelVersion)
		kv("redis_mode", "standalone")
		kv("os", osName())
		kv("arch_bits", 64)
		kv("monotonic_clock", "POSIX clock_gettime") // Go's monotonic clock
		kv("multiplexing_api", multiplexingAPI)
		kv("go_version", runtime.Version())
		kv("process_id", pid)
		kv("process_supervised", "no")
		kv("run_id", s.runID)
		kv("tcp_port", s.port())
		kv("server_time_usec", time.Now().UnixMicro())
		kv("uptime_in_seconds", int64(up.Seconds()))
		kv("uptime_in_days", int64(up.Hours()/24))
		kv("hz", s.cfg.Get("hz"))
		kv("configured_hz", s.cfg.Get("hz"))
		kv("lru_clock", time.Now().Unix()&(1<<24-1)) // Redis's LRU_CLOCK_MAX, at its 1 s resolution
		kv("executable", executable())
		kv("config_file", s.ConfigFile)
		kv("io_threads_active", 0)
	}
	if section("Clients") {
		kv("connected_clients", s.numClients())
		kv("maxclients", s.cfg.Get("maxclients"))
		kv("blocked_clients", s.db.StatsSnapshot().BlockedClients+s.heldClients())
		kv("tracking_clients", s.db.TrackingStatsNow().Clients)
	}
	if section("Memory") {
		// What maxmemory counts (keel's maxmemory.go): the Go heap's
		// live objects and what lives off it (the keyspace's slots, the
		// on-disk engines' write buffers: internal/offheap).
		used := s.db.UsedMemorySample()
		kv("used_memory", used)
		kv("used_memory_human", human(used))
		kv("used_memory_rss", rss())
		kv("used_memory_rss_human", human(rss()))
		peak := s.db.PeakMemory()
		kv("used_memory_peak", peak)
		kv("used_memory_peak_human", human(peak))
		kv("used_memory_offheap", offheap.InUse())
		scripts, scriptBytes := s.db.ScriptStats()
		kv("used_memory_scripts_eval", scriptBytes)
		kv("number_of_cached_scripts", scripts)
		libs, funcs := s.db.FunctionStats()
		kv("number_of_functions", funcs)
		kv("number_of_libraries", libs)
		kv("total_system_memory", totalMemory())
		kv("total_system_memory_human", human(totalMemory()))
		kv("maxmemory", s.cfg.Get("maxmemory"))
		kv("maxmemory_human", human(s.cfg.Int("maxmemory")))
		kv("maxmemory_policy", s.cfg.Get("maxmemory-policy"))
		kv("mem_not_counted_for_evict", s.db.MemNotCounted())
		kv("mem_allocator", "go")
	}
	ci := s.db.CheckpointInfo()
	if section("Persistence") {
		kv("loading", 0)
		kv("async_loading", 0)
		kv("rdb_changes_since_last_save", ci.LastLSN-minLSN(ci.Engines))
		kv("rdb_bgsave_in_progress", b2i(ci.InProgress))
		kv("rdb_last_save_time", ci.LastSave)
		status := "ok"
		if ci.LastErr != nil {
			status = "err"
		}
		kv("rdb_last_bgsave_status", status)
		kv("aof_enabled", 1)
		kv("aof_rewrite_in_progress", 0)
		kv("aof_last_write_status", b2s(s.db.Err() == nil, "ok", "err"))
		kv("appendfsync", s.cfg.Get("appendfsync"))
		names := make([]string, 0, len(ci.Engines))
		for n := range ci.Engines {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			kv("checkpoint_lsn_"+n, ci.Engines[n])
		}
		kv("checkpoints", ci.Count)
		kv("wal_first_lsn", ci.FirstLSN)
		kv("wal_last_lsn", ci.LastLSN)
		kv("wal_size", ci.WALBytes)
	}
	st := s.db.StatsSnapshot()
	if section("Stats") {
		kv("total_connections_received", s.totalConns.Load())
		kv("total_commands_processed", st.Commands)
		kv("instantaneous_ops_per_sec", int64(s.inst.rate(0)))
		in, out := s.netBytes()
		kv("total_net_input_bytes", in)
		kv("total_net_output_bytes", out)
		kv("instantaneous_input_kbps", fmt.Sprintf("%.2f", s.inst.rate(1)/1024))
		kv("instantaneous_output_kbps", fmt.Sprintf("%.2f", s.inst.rate(2)/1024))
		kv("rejected_connections", s.rejectedConns.Load())
		kv("expired_keys", st.ExpiredKeys)
		kv("evicted_keys", st.EvictedKeys)
		kv("evicted_clients", s.evictedClients.Load())
		total, cur := s.db.EvictionExceededTime()
		kv("total_eviction_exceeded_time", total.Milliseconds())
		kv("current_eviction_exceeded_time", cur.Milliseconds())
		kv("keyspace_hits", st.KeyspaceHits)
		kv("keyspace_misses", st.KeyspaceMisses)
		kv("pubsub_channels", s.pubsub.count(subChannel))
		kv("pubsub_patterns", s.pubsub.count(subPattern))
		kv("pubsubshard_channels", s.pubsub.count(subShard))
		kv("migrate_cached_sockets", s.migrate.count())
		ts := s.db.TrackingStatsNow()
		kv("tracking_total_keys", ts.Keys)
		kv("tracking_total_items", ts.Items)
		kv("tracking_total_prefixes", ts.Prefixes)
		kv("total_error_replies", s.errors.total.Load())
		// keel's own: the event loops' rounds run without and with a
		// prefetch, and how often their gates changed (prefetchGate).
		off, on, switches := s.loopPrefetchStats()
		kv("prefetch_rounds_off", off)
		kv("prefetch_rounds_on", on)
		kv("prefetch_gate_switches", switches)
	}
	if section("Replication") {
		kv("role", "master")
		kv("connected_slaves", 0)
		kv("master_replid", s.runID)
		kv("master_repl_offset", ci.LastLSN)
	}
	if section("CPU") {
		u, sy := cpuTimes()
		kv("used_cpu_sys", fmt.Sprintf("%.6f", sy))
		kv("used_cpu_user", fmt.Sprintf("%.6f", u))
	}
	if section("WAL") {
		kv("wal_first_lsn", ci.FirstLSN)
		kv("wal_last_lsn", ci.LastLSN)
		kv("wal_durable_lsn", ci.DurableLSN)
		kv("wal_bytes", ci.WALBytes)
		kv("wal_segments", len(s.db.Log().Segments()))
		kv("wal_fsync", s.cfg.Get("appendfsync"))
	}
	if section("Segments") {
		// keel's own: each on-disk engine's files, buffers, flushes and
		// compactions (segments.Stats), and the block cache they share.
		for _, e := range s.db.SegmentStats() {
			tiers := make([]string, len(e.FilesPerTier))
			for i, n := range e.FilesPerTier {
				tiers[i] = strconv.Itoa(n)
			}
			fmt.Fprintf(sb, "%s:files=%d,tiers=%s,disk_bytes=%d,entries=%d,tombstones=%d,space_amp=%.2f,buffered_bytes=%d,frozen_buffers=%d,flushes=%d,compactions=%d,compacted_bytes=%d,copied_blocks=%d,row_hits=%d,row_misses=%d\r\n",
				e.Engine, e.Files, strings.Join(tiers, "/"), e.DiskBytes, e.Entries, e.Tombstones, e.SpaceAmp,
				e.BufferedBytes, e.FrozenBuffers, e.Flushes, e.Compactions, e.CompactedBytes, e.CopiedBlocks, e.RowHits, e.RowMisses)
		}
		bytes, capacity, hits, misses := s.db.BlockCacheStats()
		fmt.Fprintf(sb, "block_cache:bytes=%d,capacity=%d,hits=%d,misses=%d\r\n", bytes, capacity, hits, misses)
	}
	if section("Commandstats") {
		for _, cs := range s.db.CommandStats() {
			perCall := 0.0
			if cs.Calls > 0 {
				perCall = float64(cs.Usec) / float64(cs.Calls)
			}
			fmt.Fprintf(sb, "cmdstat_%s:calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d\r\n",
				cs.Name, cs.Calls, cs.Usec, perCall, cs.RejectedCalls, cs.FailedCalls)
		}
	}
	if section("Errorstats") {
		codes, counts := s.errors.counts()
		for i, code := range codes {
			fmt.Fprintf(sb, "errorstat_%s:count=%d\r\n", code, counts[i])
		}
	}
	if section("Latencystats") {
		for _, l := range s.latencyStatsLines() {
			sb.WriteString(l + "\r\n")
		}
	}
	if section("Cluster") {
		kv("cluster_enabled", 0)
	}
	if section("Keyspace") {
		for _, d := range s.db.KeyspaceInfo() {
			fmt.Fprintf(sb, "db%d:keys=%d,expires=%d,avg_ttl=0\r\n", d.DB, d.Keys, d.Expires)
		}
	}
}

func minLSN(m map[string]uint64) uint64 {
	first := true
	var v uint64
	for _, x := range m {
		if first || x < v {
			v, first = x, false
		}
	}
	return v
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func b2s(b bool, t, f string) string {
	if b {
		return t
	}
	return f
}

func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2fG", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.2fM", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.2fK", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%dB", n)
}
