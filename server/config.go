package server

import (
	"github.com/keeldb/keel"

	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/keeldb/keel/wal"
)

// Config holds every setting keel has, by its redis.conf name. Settings are
// parsed from command-line flags (--port 7000), a config file (port 7000)
// and CONFIG SET, all through the same table, so the three always agree.
//
// Config is safe for concurrent use.
type Config struct {
	mu   sync.RWMutex      // guards vals; serializes Set
	vals map[string]string // canonical name -> value as CONFIG GET shows it
	// given is the value last set as it was given, where what CONFIG GET
	// shows says less (notify-keyspace-events: "A" hides "n").
	given map[string]string
	// snap is an immutable copy of vals (and their integer values) that
	// Get and Int read without a lock: connections read settings on every
	// batch, and a shared RWMutex's counter bounced between cores.
	snap atomic.Pointer[configSnap]

	// onSet is called after a runtime CONFIG SET of a mutable setting.
	// given is the value as the client gave it (see Config.given).
	onSet func(name, value, given string) error
}

// param describes one setting.
type param struct {
	name      string
	def       string
	immutable bool // only at startup (CONFIG SET refuses)
	// protected: CONFIG SET refuses it unless enable-protected-configs
	// allows the client (Redis's PROTECTED_CONFIG: dir, dbfilename)
	protected bool
	check     func(v string) (string, error)
	// update, when set, replaces check: the new value from the current
	// one (client-output-buffer-limit sets the classes it names).
	update func(cur, v string) (string, error)
	alias  string // canonical name when this entry is an alias
}

// redisText is an error whose text is Redis's word for word (capitalized,
// with its full stop), as CONFIG SET and the config file loader reply it.
type redisText string

func (e redisText) Error() string { return string(e) }

// parse validates v as p's new value, given its current one, and
// returns it as CONFIG GET will show it.
func (p *param) parse(cur, v string) (string, error) {
	if p.update != nil {
		return p.update(cur, v)
	}
	return p.check(v)
}

func boolParam(v string) (string, error) {
	switch strings.ToLower(v) {
	case "yes", "no":
		return strings.ToLower(v), nil
	}
	return "", fmt.Errorf("argument must be 'yes' or 'no'")
}

func intParam(min, max int64) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := parseMemory(v)
		if err != nil {
			return "", fmt.Errorf("argument couldn't be parsed into an integer")
		}
		if n < min || n > max {
			return "", fmt.Errorf("argument must be between %d and %d inclusive", min, max)
		}
		return strconv.FormatInt(n, 10), nil
	}
}

// shutdownSigParam is shutdown-on-sigint's and shutdown-on-sigterm's
// value, as Redis reads it: default, or any of save, nosave, now and force
// (not save with nosave), shown in that order.
func shutdownSigParam(v string) (string, error) {
	words := strings.Fields(strings.ToLower(v))
	set := map[string]bool{}
	for _, w := range words {
		switch w {
		case "default", "save", "nosave", "now", "force":
			set[w] = true
		default:
			return "", fmt.Errorf("argument(s) must be one of the following: default, save, nosave, now, force")
		}
	}
	if len(words) == 0 {
		return "", fmt.Errorf("argument(s) must be one of the following: default, save, nosave, now, force")
	}
	if set["save"] && set["nosave"] {
		return "", fmt.Errorf("shutdown options SAVE and NOSAVE can't be used simultaneously")
	}
	var out []string
	for _, w := range []string{"save", "nosave", "now", "force"} {
		if set[w] {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return "default", nil
	}
	return strings.Join(out, " "), nil
}

// octalParam is an OCTAL_CONFIG setting (unixsocketperm): an octal
// number from 0 to max, shown in octal.
func octalParam(max int64) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.ParseInt(v, 8, 64)
		if err != nil {
			return "", fmt.Errorf("argument couldn't be parsed as an octal number")
		}
		if n < 0 || n > max {
			return "", fmt.Errorf("argument must be between 0 and %o inclusive", max)
		}
		return strconv.FormatInt(n, 8), nil
	}
}

// memParam is a MEMORY_CONFIG setting: a byte count with an optional
// unit (1kb, 2mb, ...), never negative.
func memParam(min, max int64) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := parseMemory(v)
		if err != nil || n < 0 {
			return "", fmt.Errorf("argument must be a memory value")
		}
		if n < min || n > max {
			return "", fmt.Errorf("argument must be between %d and %d inclusive", min, max)
		}
		return strconv.FormatInt(n, 10), nil
	}
}

func enumParam(vals ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		for _, x := range vals {
			if strings.EqualFold(v, x) {
				return x, nil
			}
		}
		return "", fmt.Errorf("argument(s) must be one of the following: %s", strings.Join(vals, ", "))
	}
}

func anyParam(v string) (string, error) { return v, nil }

// parseMemory parses "100", "1k", "1kb", "1mb", "1gb" like redis.conf.
func parseMemory(v string) (int64, error) {
	s := strings.ToLower(v)
	mul := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"g", 1e9}, {"m", 1e6}, {"k", 1e3}, {"b", 1}} {
		if strings.HasSuffix(s, u.suf) {
			s, mul = strings.TrimSuffix(s, u.suf), u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	return n * mul, nil
}

var params = []param{
	// networking and process
	{name: "port", def: "6379", immutable: true, check: intParam(0, 65535)},
	{name: "bind", def: "127.0.0.1", immutable: true, check: anyParam},
	// a Unix socket to listen on besides TCP (none: ""), and its file's
	// permissions (octal; 0: the umask's)
	{name: "unixsocket", def: "", immutable: true, check: anyParam},
	{name: "unixsocketperm", def: "0", immutable: true, check: octalParam(0o777)},
	{name: "protected-mode", def: "yes", check: boolParam},
	{name: "timeout", def: "0", check: intParam(0, 1<<31-1)},
	{name: "tcp-keepalive", def: "300", check: intParam(0, 1<<31-1)},
	// tcp-backlog is the listen(2) backlog, capped by the kernel's
	// somaxconn (Listen warns, as Redis does).
	{name: "tcp-backlog", def: "511", immutable: true, check: intParam(0, 1<<31-1)},
	{name: "maxclients", def: "10000", check: intParam(1, 1<<31-1)},
	{name: "databases", def: "16", immutable: true, check: intParam(1, 1<<20)},
	// dir is protected, as in Redis, and immutable in keel besides: the
	// WAL, segments and checkpoints stay where they are while it runs.
	{name: "dir", def: "./data", immutable: true, protected: true, check: anyParam},
	{name: "requirepass", def: "", check: anyParam},
	{name: "daemonize", def: "no", immutable: true, check: boolParam},
	// how keel tells a supervisor it is ready (cmd/keel/supervised.go)
	{name: "supervised", def: "no", immutable: true, check: enumParam("upstart", "systemd", "auto", "no")},
	{name: "pidfile", def: "", immutable: true, check: anyParam},
	{name: "loglevel", def: "notice", check: enumParam("debug", "verbose", "notice", "warning")},
	{name: "logfile", def: "", immutable: true, check: anyParam},
	{name: "hz", def: "10", check: intParam(1, 500)},
	// what SIGINT and SIGTERM do besides stopping (cmd/keel): default or
	// save checkpoint first, as SHUTDOWN does, nosave does not; now and
	// force change nothing (no replicas to wait for; a failed checkpoint
	// never keeps keel running). shutdown-timeout waits for replicas in
	// Redis: keel has none.
	{name: "shutdown-on-sigint", def: "default", check: shutdownSigParam},
	{name: "shutdown-on-sigterm", def: "default", check: shutdownSigParam},
	{name: "shutdown-timeout", def: "10", check: intParam(0, math.MaxInt32)},
	// how hard the active expiry sweeps, 1 to 10 (keel's expireParamsAt)
	{name: "active-expire-effort", def: "1", check: intParam(1, 10)},
	{name: "proto-max-bulk-len", def: "536870912", check: intParam(1<<20, 1<<62)},
	{name: "client-query-buffer-limit", def: "1073741824", check: intParam(1<<20, 1<<62)},
	// client-output-buffer-limit <class> <hard> <soft> <soft seconds>...:
	// a normal client whose pending replies reach hard bytes, or stay at
	// soft bytes or more for longer than soft seconds, is disconnected
	// (obuflimit.go). keel has no replicas and no Pub/Sub clients: their
	// classes are accepted and reported.
	{name: "client-output-buffer-limit", def: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", update: updateObufLimits},
	// oom-score-adj (no, yes = relative, absolute) sets the process's
	// /proc/self/oom_score_adj to oom-score-adj-values' first value (the
	// master's; keel is never a replica and forks no child), relative to
	// the value it had at startup or as is; no puts that value back
	// (oomscore_linux.go).
	{name: "oom-score-adj", def: "no", check: oomScoreAdjParam},
	{name: "oom-score-adj-values", def: "0 200 800", check: oomScoreAdjValuesParam},
	// persistence: keel always logs; these are accepted so tools keep working
	{name: "appendonly", def: "yes", check: boolParam},
	{name: "appendfsync", def: "everysec", check: enumParam("everysec", "always", "no")},
	{name: "appendfilename", def: "appendonly.aof", immutable: true, check: anyParam},
	{name: "save", def: "", check: anyParam},
	{name: "dbfilename", def: "dump.rdb", protected: true, check: anyParam},
	{name: "stop-writes-on-bgsave-error", def: "yes", check: boolParam},
	{name: "rdbcompression", def: "yes", check: boolParam},
	{name: "rdbchecksum", def: "yes", check: boolParam},
	// aof-load-truncated no: a torn tail of the WAL (a record cut short
	// by a crash) stops the start instead of being cut off with a warning.
	{name: "aof-load-truncated", def: "yes", check: boolParam},
	// memory: over maxmemory, keys are evicted by the policy, or writes
	// refused under noeviction (keel's maxmemory.go and evict.go)
	{name: "maxmemory", def: "0", check: intParam(0, 1<<62)},
	// the clients' memory limit, bytes or a percentage of maxmemory
	// (clienteviction.go)
	{name: "maxmemory-clients", def: "0", check: memOrPercentParam},
	// (in Redis's order, which its error lists)
	{name: "maxmemory-policy", def: "noeviction", check: enumParam("volatile-lru", "volatile-lfu", "volatile-random",
		"volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction")},
	{name: "maxmemory-samples", def: "5", check: intParam(1, math.MaxInt32)},
	{name: "maxmemory-eviction-tenacity", def: "10", check: intParam(0, 100)},
	{name: "lfu-log-factor", def: "10", check: intParam(0, math.MaxInt32)},
	{name: "lfu-decay-time", def: "1", check: intParam(0, math.MaxInt32)},
	{name: "lazyfree-lazy-user-del", def: "no", check: boolParam},
	{name: "lazyfree-lazy-user-flush", def: "no", check: boolParam},
	// encoding tuning: accepted and reported so tools written for Redis work
	// Redis 7.0's compiled defaults and ranges (config.c), which are what
	// redis-server has without a config file: hash entries 512.
	{name: "hash-max-listpack-entries", def: "512", check: intParam(0, math.MaxInt64)},
	{name: "hash-max-listpack-value", def: "64", check: memParam(0, math.MaxInt64)},
	{name: "hash-max-ziplist-entries", alias: "hash-max-listpack-entries"},
	{name: "hash-max-ziplist-value", alias: "hash-max-listpack-value"},
	{name: "zset-max-listpack-entries", def: "128", check: intParam(0, math.MaxInt64)},
	{name: "zset-max-listpack-value", def: "64", check: memParam(0, math.MaxInt64)},
	{name: "zset-max-ziplist-entries", alias: "zset-max-listpack-entries"},
	{name: "zset-max-ziplist-value", alias: "zset-max-listpack-value"},
	{name: "list-max-listpack-size", def: "-2", check: intParam(-5, 1<<31-1)},
	{name: "list-max-ziplist-size", alias: "list-max-listpack-size"},
	{name: "list-compress-depth", def: "0", check: intParam(0, 1<<31-1)},
	{name: "set-max-intset-entries", def: "512", check: intParam(0, math.MaxInt64)},
	{name: "stream-node-max-bytes", def: "4096", check: memParam(0, math.MaxInt64)},
	{name: "stream-node-max-entries", def: "100", check: intParam(0, math.MaxInt64)},
	{name: "activerehashing", def: "yes", check: boolParam},
	{name: "slowlog-log-slower-than", def: "10000", check: intParam(-1, 1<<62)},
	{name: "slowlog-max-len", def: "128", check: intParam(0, 1<<62)},
	{name: "latency-monitor-threshold", def: "0", check: intParam(0, 1<<62)},
	// Per-command latency histograms (LATENCY HISTOGRAM, INFO
	// latencystats; server/latency.go).
	{name: "latency-tracking", def: "yes", check: boolParam},
	{name: "latency-tracking-info-percentiles", def: "50 99 99.9", check: percentilesParam},
	{name: "notify-keyspace-events", def: "", check: notifyParam},
	{name: "lua-time-limit", def: "5000", check: intParam(0, 1<<62)},
	{name: "busy-reply-threshold", alias: "lua-time-limit"},
	// Client-side caching: past this many keys in the tracking table,
	// keys leave it, their clients told as if they had changed; 0: no
	// limit (keel's tracking.go).
	{name: "tracking-table-max-keys", def: "1000000", check: intParam(0, math.MaxInt64)},
	{name: "cluster-enabled", def: "no", immutable: true, check: boolParam},
	// MODULE LOAD, LOADEX and UNLOAD: refused (no), allowed (yes) or
	// allowed from loopback clients (local); keel loads no modules either
	// way (server/module.go).
	{name: "enable-module-command", def: "no", immutable: true, check: enumParam("no", "yes", "local")},
	// DEBUG (DEBUG DIGEST, the tests' dataset hash, included), and CONFIG
	// SET of the protected settings (dir, dbfilename): refused (no, as
	// Redis 7.0 by default), allowed (yes) or allowed from loopback
	// clients (local).
	{name: "enable-debug-command", def: "no", immutable: true, check: enumParam("no", "yes", "local")},
	{name: "enable-protected-configs", def: "no", immutable: true, check: enumParam("no", "yes", "local")},
	// RESTORE's payload checks: keel checks every payload whole whatever
	// this says (Redis's yes), so a corrupt one is refused, never loaded
	// (dump.go).
	{name: "sanitize-dump-payload", def: "no", check: enumParam("no", "yes", "clients")},
	// The rest of Redis 7.0's stock redis.conf, accepted and reported by
	// CONFIG GET (Redis's defaults, ranges and errors) so that a Redis
	// configuration file starts keel; none changes keel (README, "Redis
	// directives keel accepts", gives each one's reason). AOF rewriting and
	// RDB: keel's log is truncated by checkpoints (checkpoint-wal-bytes,
	// checkpoint-interval), whose files are always written with paced
	// writeback, and it never forks.
	{name: "appenddirname", def: "appendonlydir", immutable: true, check: anyParam},
	{name: "aof-use-rdb-preamble", def: "yes", check: boolParam},
	{name: "aof-timestamp-enabled", def: "no", check: boolParam},
	{name: "aof-rewrite-incremental-fsync", def: "yes", check: boolParam},
	{name: "rdb-save-incremental-fsync", def: "yes", check: boolParam},
	{name: "rdb-del-sync-files", def: "no", check: boolParam},
	{name: "auto-aof-rewrite-percentage", def: "100", check: intParam(0, 1<<31-1)},
	{name: "auto-aof-rewrite-min-size", def: "67108864", check: memParam(0, math.MaxInt64)},
	{name: "no-appendfsync-on-rewrite", def: "no", check: boolParam},
	{name: "disable-thp", def: "yes", immutable: true, check: boolParam},
	// Deletes and flushes are O(1) in keel (a new version; the old one is
	// compaction's garbage), so lazy freeing has nothing to defer.
	{name: "lazyfree-lazy-eviction", def: "no", check: boolParam},
	{name: "lazyfree-lazy-expire", def: "no", check: boolParam},
	{name: "lazyfree-lazy-server-del", def: "no", check: boolParam},
	// Replication (keel serves no replicas and replicates from no master).
	{name: "replica-read-only", def: "yes", check: boolParam},
	{name: "slave-read-only", alias: "replica-read-only"},
	{name: "replica-serve-stale-data", def: "yes", check: boolParam},
	{name: "slave-serve-stale-data", alias: "replica-serve-stale-data"},
	{name: "replica-lazy-flush", def: "no", check: boolParam},
	{name: "slave-lazy-flush", alias: "replica-lazy-flush"},
	{name: "replica-priority", def: "100", check: intParam(0, 1<<31-1)},
	{name: "slave-priority", alias: "replica-priority"},
	{name: "repl-diskless-sync", def: "yes", check: boolParam},
	{name: "repl-diskless-sync-delay", def: "5", check: intParam(0, 1<<31-1)},
	{name: "repl-diskless-sync-max-replicas", def: "0", check: intParam(0, 1<<31-1)},
	{name: "repl-diskless-load", def: "disabled", check: enumParam("disabled", "on-empty-db", "swapdb")},
	{name: "repl-disable-tcp-nodelay", def: "no", check: boolParam},
	// Process and allocator: keel logs no logo, leaves its process title,
	// and Go's allocator has no background thread to start.
	{name: "always-show-logo", def: "no", immutable: true, check: boolParam},
	{name: "set-proc-title", def: "yes", immutable: true, check: boolParam},
	{name: "proc-title-template", def: "{title} {listen-addr} {server-mode}", check: procTitleTemplateParam},
	{name: "jemalloc-bg-thread", def: "yes", check: boolParam},
	{name: "dynamic-hz", def: "yes", check: boolParam},
	// Commands keel does not have: ACL LOG, and the HyperLogLog family.
	{name: "acllog-max-len", def: "128", check: intParam(0, math.MaxInt64)},
	{name: "hll-sparse-max-bytes", def: "3000", check: memParam(0, math.MaxInt64)},
	// keel's own settings
	{name: "wal-segment-size", def: "4194304", immutable: true, check: intParam(1<<20, 1<<40)},
	{name: "checkpoint-wal-bytes", def: "268435456", immutable: true, check: intParam(1<<20, 1<<50)},
	{name: "checkpoint-interval", def: "300", immutable: true, check: intParam(1, 1<<31-1)},
	// Each on-disk engine's write buffer: buffered writes before a flush
	// to a segment file (hashes read before they write, so theirs is
	// larger; keel.go).
	{name: "strings-buffer-size", def: "8388608", immutable: true, check: intParam(1<<16, 1<<40)},
	{name: "hashes-buffer-size", def: "67108864", immutable: true, check: intParam(1<<16, 1<<40)},
	{name: "streams-buffer-size", def: "8388608", immutable: true, check: intParam(1<<16, 1<<40)},
	// event-loops: connections are served by this many epoll loops
	// (loop_linux.go); 0 serves each by a goroutine of its own. Default:
	// half the processors (at least one), the rest being for the WAL
	// writer, flushes, compactions and checkpoints.
	{name: "event-loops", def: strconv.Itoa(max(1, runtime.GOMAXPROCS(0)/2)), immutable: true, check: intParam(0, 64)},
	// block-cache-size is the block cache the on-disk engines (strings,
	// hashes, streams) share: what keeps hot blocks of a
	// larger-than-memory dataset.
	{name: "block-cache-size", def: "201326592", immutable: true, check: memParam(1<<16, 1<<40)},
	// row-cache-size is each on-disk engine's row cache: the answers of
	// recent point reads of keys read again and again (segments'
	// rowcache.go). 0: none.
	{name: "row-cache-size", def: "8388608", immutable: true, check: memParam(0, 1<<40)},
	// compaction-nice is how much nicer than the process the on-disk
	// engines' compactor threads run (Linux): compactions take the CPU
	// the requests leave (segments' priority_linux.go). 0: the same.
	{name: "compaction-nice", def: "10", immutable: true, check: intParam(0, 19)},
}

var paramByName = func() map[string]*param {
	m := map[string]*param{}
	for i := range params {
		m[params[i].name] = &params[i]
	}
	return m
}()

func canonical(name string) (*param, bool) {
	p, ok := paramByName[strings.ToLower(name)]
	if !ok {
		return nil, false
	}
	if p.alias != "" {
		p = paramByName[p.alias]
	}
	return p, true
}

type configSnap struct {
	vals map[string]string
	ints map[string]int64
	// Settings read on every request or batch, copied out of the maps
	// (a map lookup per bulk argument showed in pipelined profiles).
	timeout, protoMaxBulkLen, queryBufLimit int64
	obufNormal, obufPubSub                  obufLimit // client-output-buffer-limit's normal and pubsub classes
}

// publish refreshes the lock-free snapshot. Caller holds c.mu.
func (c *Config) publish() {
	sn := &configSnap{vals: make(map[string]string, len(c.vals)), ints: map[string]int64{}}
	for k, v := range c.vals {
		sn.vals[k] = v
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			sn.ints[k] = n
		}
	}
	sn.timeout = sn.ints["timeout"]
	sn.protoMaxBulkLen = sn.ints["proto-max-bulk-len"]
	sn.queryBufLimit = sn.ints["client-query-buffer-limit"]
	lims := parseObufLimits(sn.vals["client-output-buffer-limit"])
	sn.obufNormal, sn.obufPubSub = lims[0], lims[2]
	c.snap.Store(sn)
}

// NewConfig returns the defaults.
func NewConfig() *Config {
	c := &Config{vals: map[string]string{}, given: map[string]string{}}
	for _, p := range params {
		if p.alias == "" {
			c.vals[p.name] = p.def
		}
	}
	c.publish()
	return c
}

// Get returns a setting's value.
func (c *Config) Get(name string) string { return c.snap.Load().vals[name] }

// timeout, protoMaxBulkLen and queryBufLimit are Int of those settings
// without a map lookup.
func (c *Config) timeout() int64         { return c.snap.Load().timeout }
func (c *Config) protoMaxBulkLen() int64 { return c.snap.Load().protoMaxBulkLen }
func (c *Config) queryBufLimit() int64   { return c.snap.Load().queryBufLimit }
func (c *Config) obufPubSub() obufLimit  { return c.snap.Load().obufPubSub }

// obufFor is the output buffer limits of x's class: pubsub while it is
// subscribed (Redis's getClientType), else normal.
func (c *Config) obufFor(x *client) obufLimit {
	if x.sess.PubSub {
		return c.snap.Load().obufPubSub
	}
	return c.snap.Load().obufNormal
}

// Given returns a setting as it was last given (its value if never set).
func (c *Config) Given(name string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if v, ok := c.given[name]; ok {
		return v
	}
	return c.vals[name]
}

// Int returns a numeric setting (0 if it is not a number).
func (c *Config) Int(name string) int64 { return c.snap.Load().ints[name] }

// Set validates and stores a setting. startup allows immutable settings.
func (c *Config) Set(name, value string, startup bool) error {
	p, ok := canonical(name)
	if !ok {
		return fmt.Errorf("unknown option or number of arguments for CONFIG SET - '%s'", name)
	}
	if p.immutable && !startup {
		return fmt.Errorf("CONFIG SET failed (possibly related to argument '%s') - can't set immutable config", strings.ToLower(name))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.vals[p.name]
	v, err := p.parse(old, value)
	if err != nil {
		return fmt.Errorf("CONFIG SET failed (possibly related to argument '%s') - %v", strings.ToLower(name), err)
	}
	c.vals[p.name] = v
	oldGiven, hadGiven := c.given[p.name]
	c.given[p.name] = value
	c.publish()
	if !startup && c.onSet != nil {
		// Applied under mu, so that two CONFIG SETs apply in the order
		// they stored; a failed apply puts the old value back, as
		// Redis's rollback does.
		if err := c.onSet(p.name, v, value); err != nil {
			c.vals[p.name] = old
			if hadGiven {
				c.given[p.name] = oldGiven
			} else {
				delete(c.given, p.name)
			}
			c.publish()
			return fmt.Errorf("CONFIG SET failed (possibly related to argument '%s') - %v", strings.ToLower(name), err)
		}
	}
	return nil
}

// Match returns name/value pairs whose names match the glob pattern,
// sorted, aliases included like Redis.
func (c *Config) Match(pattern string, match func(pattern, name string) bool) [][2]string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out [][2]string
	seen := map[string]bool{}
	for _, p := range params {
		if seen[p.name] || !match(pattern, p.name) {
			continue
		}
		seen[p.name] = true
		canon := p.name
		if p.alias != "" {
			canon = p.alias
		}
		out = append(out, [2]string{p.name, c.vals[canon]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// FsyncPolicy is appendfsync as a wal policy.
func (c *Config) FsyncPolicy() wal.FsyncPolicy {
	p, _ := wal.ParseFsyncPolicy(c.Get("appendfsync"))
	return p
}

// LoadFile reads redis.conf-style directives ("name value...", '#'
// comments, quoted values) from r.
func (c *Config) LoadFile(r io.Reader, path string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	ln := 0
	for sc.Scan() {
		ln++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		words, err := splitArgs(line)
		if err != nil || len(words) == 0 {
			return fmt.Errorf("%s:%d: %v", path, ln, err)
		}
		name := strings.ToLower(words[0])
		if name == "include" {
			if len(words) != 2 {
				return fmt.Errorf("%s:%d: include needs one file", path, ln)
			}
			if err := c.LoadPath(words[1]); err != nil {
				return err
			}
			continue
		}
		if err := c.Set(name, strings.Join(words[1:], " "), true); err != nil {
			return fmt.Errorf("%s:%d: %v", path, ln, err)
		}
	}
	return sc.Err()
}

// LoadPath reads a config file.
func (c *Config) LoadPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return c.LoadFile(f, path)
}

// ParseArgs applies `[config-file] [--name value...]` like redis-server.
func (c *Config) ParseArgs(args []string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "--") {
		if err := c.LoadPath(args[0]); err != nil {
			return err
		}
		args = args[1:]
	}
	for i := 0; i < len(args); {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			return fmt.Errorf("unexpected argument %q (settings are --name value)", a)
		}
		name := strings.TrimPrefix(a, "--")
		var vals []string
		i++
		for i < len(args) && !strings.HasPrefix(args[i], "--") {
			vals = append(vals, args[i])
			i++
		}
		if err := c.Set(name, strings.Join(vals, " "), true); err != nil {
			return err
		}
	}
	return nil
}

// splitArgs splits a config line as Redis does, with sdssplitargs (the
// request reader's inline splitting): words, "double quoted" with escapes
// (\xHH \n \r \t \a \b), 'single quoted'.
func splitArgs(line string) ([]string, error) {
	var rd requestReader
	if !rd.splitArgs([]byte(line)) {
		return nil, redisText("Unbalanced quotes in configuration line")
	}
	out := make([]string, len(rd.args))
	for i, a := range rd.args {
		out[i] = string(a)
	}
	return out, nil
}

// oomScoreAdjParam is Redis 7.0's oom-score-adj enum, where yes is
// relative and reads back as yes.
func oomScoreAdjParam(v string) (string, error) {
	switch strings.ToLower(v) {
	case "no":
		return "no", nil
	case "yes", "relative":
		return "yes", nil
	case "absolute":
		return "absolute", nil
	}
	return "", fmt.Errorf("argument(s) must be one of the following: no, yes, relative, absolute")
}

// oomScoreAdjValuesParam is three integers in [-2000, 2000]: the master's,
// a replica's and a background child's adjustment.
func oomScoreAdjValuesParam(v string) (string, error) {
	f := strings.Fields(v)
	if len(f) != 3 {
		return "", fmt.Errorf("wrong number of arguments")
	}
	for i, x := range f {
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil || n < -2000 || n > 2000 {
			return "", redisText("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
		}
		f[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(f, " "), nil
}

// procTitleTemplateParam validates a proc-title-template as Redis's
// validateProcTitleTemplate: every {variable} known ({{ is a literal
// brace), and not blank once expanded with an empty title.
func procTitleTemplateParam(v string) (string, error) {
	bad := fmt.Errorf("template format is invalid or contains unknown variables")
	vars := map[string]string{"title": "", "listen-addr": "127.0.0.1:6379", "server-mode": "",
		"port": "6379", "tls-port": "0", "unixsocket": "", "config-file": ""}
	var out strings.Builder
	for p := v; p != ""; {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			out.WriteString(p)
			break
		}
		out.WriteString(p[:i])
		p = p[i+1:]
		switch {
		case p == "":
			return "", bad
		case p[0] == '{':
			out.WriteByte('{')
			p = p[1:]
			continue
		}
		j := strings.IndexByte(p, '}')
		if j < 0 {
			return "", bad
		}
		val, ok := vars[p[:j]]
		if !ok {
			return "", bad
		}
		out.WriteString(val)
		p = p[j+1:]
	}
	if strings.Trim(out.String(), " ") == "" {
		return "", bad
	}
	return v, nil
}

// notifyParam checks notify-keyspace-events and shows it as Redis does
// (keyspaceEventsFlagsToString: "KEA" reads back "AKE").
func notifyParam(v string) (string, error) {
	f, ok := keel.ParseNotifyClasses(v)
	if !ok {
		return "", redisText("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
	}
	return f.String(), nil
}
