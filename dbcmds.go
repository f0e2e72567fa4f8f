package keel

// Database-wide commands: DBSIZE FLUSHDB FLUSHALL SWAPDB SELECT TIME, and
// DEBUG DIGEST / DIGEST-VALUE / SLEEP / SET-ACTIVE-EXPIRE /
// SET-SKIP-CHECKSUM-VALIDATION.
//
// FLUSHDB does not delete keys one by one: the keyspace gives the logical
// database a fresh physical id (opKFlushDB) and the strings engine drops
// the old id's whole key range (opSDrop), so a flush is O(1) in the log and
// in memory, and the old values become garbage for compaction. Physical ids
// are never reused.

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/keeldb/keel/memtables"
)

func cmdDBSize(c *Ctx) { c.R.Int(int64(c.DB.ks.Len(c.S.DB))) }

// flushArgs parses FLUSHDB/FLUSHALL's optional SYNC|ASYNC. Both mean the
// same in keel: a flush is O(1) either way.
func flushArgs(c *Ctx) bool {
	if len(c.Args) == 1 || (len(c.Args) == 2 && (eqFold(c.Args[1], "sync") || eqFold(c.Args[1], "async"))) {
		return true
	}
	c.Error(errSyntax)
	return false
}

// flushDB logs and applies the flush of logical database dbi, giving it
// physical id newPhys. An empty database is left alone (nothing to log).
func (c *Ctx) flushDB(dbi int, newPhys uint32) {
	ks := c.DB.ks
	if ks.Len(dbi) == 0 {
		return
	}
	c.DB.touchDB(dbi) // before the flush: it touches the keys that exist
	old := ks.PhysDB(dbi)
	c.emit(&op{code: opKFlushDB, db: dbi, phys: newPhys})
	// Blocked clients see their keys go: an XREADGROUP is unblocked with
	// an error, as Redis 7.0.15 does (list and zset pops keep waiting).
	c.DB.signalDB(dbi)
	c.emit(&op{code: opSDrop, phys: old})
	c.emit(&op{code: opHDrop, phys: old})
	c.emit(&op{code: opXDrop, phys: old})
	if c.DB.lists.HasDB(old) {
		c.emit(&op{code: opLDrop, phys: old})
	}
	if c.DB.sets.HasDB(old) {
		c.emit(&op{code: opTDrop, phys: old})
	}
	if c.DB.zsets.HasDB(old) {
		c.emit(&op{code: opZDrop, phys: old})
	}
}

func cmdFlushDB(c *Ctx) {
	if !flushArgs(c) {
		return
	}
	c.flushDB(c.S.DB, c.DB.ks.NextPhys())
	c.trackFlushed() // even of an empty database, as Redis's signalFlushedDb
	c.OK()
}

func cmdFlushAll(c *Ctx) {
	if !flushArgs(c) {
		return
	}
	// Each flushed database takes the next unused id; FlushDB advances
	// NextPhys past it, so reading it again per database is NextPhys()+i
	// over the databases actually flushed.
	for dbi := 0; dbi < c.DB.opts.Databases; dbi++ {
		c.flushDB(dbi, c.DB.ks.NextPhys())
	}
	c.trackFlushed()
	c.OK()
}

func cmdSwapDB(c *Ctx) {
	a, msg := intArg(c.Args[1], "invalid first DB index")
	if msg != "" {
		c.Error(msg)
		return
	}
	b, msg := intArg(c.Args[2], "invalid second DB index")
	if msg != "" {
		c.Error(msg)
		return
	}
	n := c.DB.opts.Databases
	if a < 0 || a >= n || b < 0 || b >= n {
		c.Error(errDBIndex)
		return
	}
	if a != b {
		// Redis touches a watched key of either database that exists in
		// either one; touchDB checks only its own database, so touch both
		// before and after the swap.
		c.DB.touchDB(a)
		c.DB.touchDB(b)
		c.emit(&op{code: opKSwapDB, db: a, db2: b})
		c.DB.touchDB(a)
		c.DB.touchDB(b)
		// Clients blocked on a key of either database may now find it
		// (Redis's scanDatabaseForReadyKeys).
		c.DB.signalDB(a)
		c.DB.signalDB(b)
	}
	c.OK()
}

// cmdSelect changes only the session: no lock, no record.
func cmdSelect(c *Ctx) {
	n, msg := intArg(c.Args[1], "")
	if msg != "" {
		c.Error(msg)
		return
	}
	if n < 0 || n >= c.DB.opts.Databases {
		c.Error(errDBIndex)
		return
	}
	c.S.DB = n
	c.OK()
}

func cmdTime(c *Ctx) {
	now := time.Now()
	c.R.Array(2)
	c.R.BulkString(strconv.FormatInt(now.Unix(), 10))
	c.R.BulkString(strconv.FormatInt(int64(now.Nanosecond()/1000), 10))
}

// ---- DEBUG ----

// ActiveExpireEnabled reports whether the background expiry sweep runs
// (DEBUG SET-ACTIVE-EXPIRE; on by default). expireLoop consults it.
func (db *DB) ActiveExpireEnabled() bool { return !db.activeExpireOff.Load() }

func (db *DB) setActiveExpire(on bool) { db.activeExpireOff.Store(!on) }

func debugSyntax(c *Ctx) {
	c.Error(fmt.Sprintf("ERR unknown subcommand or wrong number of arguments for '%s'. Try DEBUG HELP.", truncArg(c.Args[1])))
}

// cmdDebug implements the DEBUG subcommands keel has. Redis registers DEBUG
// as one command (no subcommand table), so arity errors come from here.
func cmdDebug(c *Ctx) {
	sub, n := c.Args[1], len(c.Args)
	switch {
	case eqFold(sub, "help") && n == 2:
		ReplyHelp(c, "DEBUG", []string{
			"DIGEST",
			"    Output a hex signature representing the current DB content.",
			"DIGEST-VALUE <key> [<key> ...]",
			"    Output a hex signature of the values of all the specified keys.",
			"SET-ACTIVE-EXPIRE <0|1>",
			"    Setting it to 0 disables expiring keys in background when they are not",
			"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
			"    default.",
			"SET-SKIP-CHECKSUM-VALIDATION <0|1>",
			"    Enables or disables checksum checks for RDB files and RESTORE's payload.",
			"SLEEP <seconds>",
			"    Stop the server for <seconds>. Decimals allowed.",
		})
	case eqFold(sub, "digest") && n == 2:
		d, err := c.DB.digest()
		if err != nil {
			c.Error("ERR " + err.Error())
			return
		}
		c.R.Simple(d)
	case eqFold(sub, "digest-value") && n >= 2:
		out := make([]string, 0, n-2)
		for _, k := range c.Args[2:] {
			d, err := c.DB.digestValue(c.S.DB, k)
			if err != nil {
				c.Error("ERR " + err.Error())
				return
			}
			out = append(out, d)
		}
		c.R.Array(len(out))
		for _, d := range out {
			c.R.Simple(d)
		}
	case eqFold(sub, "sleep") && n == 3:
		// strtod's prefix semantics: what does not parse sleeps 0. The
		// sleep holds the read lock, stalling writers as Redis stalls all.
		if f, ok := parseFloat(c.Args[2]); ok && f > 0 && f < math.MaxInt64/float64(time.Second) {
			time.Sleep(time.Duration(f * float64(time.Second)))
		}
		c.OK()
	case eqFold(sub, "set-active-expire") && n == 3:
		c.DB.setActiveExpire(atoi(c.Args[2]) != 0)
		c.OK()
	case eqFold(sub, "set-skip-checksum-validation") && n == 3:
		// RESTORE skips the payload's CRC64 (dump.go), as Redis's.
		c.DB.skipDumpChecksum.Store(atoi(c.Args[2]) != 0)
		c.OK()
	default:
		debugSyntax(c)
	}
}

// digestLen is the length of a digest in hex, Redis's (SHA1, 20 bytes).
const digestLen = 40

// zeroDigest is the digest of an empty dataset and of a missing key.
var zeroDigest = strings.Repeat("0", digestLen)

// formatDigest left-pads a 64-bit hash to Redis's digest length.
func formatDigest(h uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], h)
	return strings.Repeat("0", digestLen-16) + hex.EncodeToString(b[:])
}

// digest is DEBUG DIGEST: keel's own hash, not Redis's (Redis XORs SHA1
// mixes of each key; the two never agree). It is xxhash64 over a canonical
// dump: for every non-empty database in index order, its index and key
// count, then each key in byte order with its type, absolute expiry and
// value (dumpValue). Keys present but past their expiry are included, as
// Redis includes them: the digest is a function of the state alone, not of
// the clock, so recovered state digests equal to the state before.
// Physical database ids and versions are not part of it. The empty dataset
// digests to 40 zeros, as in Redis. Caller holds db.mu (shared suffices).
func (db *DB) digest() (string, error) {
	h := xxhash.New()
	var buf []byte
	nonEmpty := false
	for dbi := 0; dbi < db.opts.Databases; dbi++ {
		if db.ks.Len(dbi) == 0 {
			continue
		}
		type item struct {
			key string
			e   memtables.Entry
		}
		items := make([]item, 0, db.ks.Len(dbi))
		db.ks.ForEach(dbi, func(k string, e *memtables.Entry) bool {
			items = append(items, item{k, e.Load()})
			return true
		})
		sort.Slice(items, func(i, j int) bool { return items[i].key < items[j].key })
		nonEmpty = true
		buf = binary.AppendUvarint(buf[:0], uint64(dbi))
		buf = binary.AppendUvarint(buf, uint64(len(items)))
		h.Write(buf)
		phys := db.ks.PhysDB(dbi)
		for _, it := range items {
			buf = appendBytes(buf[:0], []byte(it.key))
			buf = append(buf, byte(it.e.Type))
			buf = binary.AppendVarint(buf, it.e.ExpireAt)
			var err error
			if buf, err = db.dumpValue(buf, &it.e, phys, []byte(it.key)); err != nil {
				return "", err
			}
			h.Write(buf)
		}
	}
	if !nonEmpty {
		return zeroDigest, nil
	}
	return formatDigest(h.Sum64()), nil
}

// digestValue is DEBUG DIGEST-VALUE for one key: xxhash64 of its type and
// value (not its name or expiry); 40 zeros when it does not exist.
func (db *DB) digestValue(dbi int, key []byte) (string, error) {
	e, ok := db.ks.Get(dbi, key)
	if !ok {
		return zeroDigest, nil
	}
	buf, err := db.dumpValue([]byte{byte(e.Type)}, e, db.ks.PhysDB(dbi), key)
	if err != nil {
		return "", err
	}
	return formatDigest(xxhash.Sum64(buf)), nil
}

// dumpValue appends the canonical encoding of key's value (entry e) in
// physical database phys, for the digests: one case per type.
func (db *DB) dumpValue(dst []byte, e *memtables.Entry, phys uint32, key []byte) ([]byte, error) {
	version := e.Version
	switch e.Type {
	case memtables.TypeStream:
		// Every record of the incarnation in storage order: entries,
		// nodes, groups, consumers and pending entries, all logged.
		err := db.streamScan(phys, key, version, nil, nil, func(sub, v []byte) bool {
			dst = appendBytes(appendBytes(dst, sub), v)
			return true
		})
		return dst, err
	case memtables.TypeHash:
		// Fields in storage order (by field hash): deterministic, and the
		// same on every replay.
		err := db.hashScan(phys, key, version, func(f, v []byte) bool {
			dst = appendBytes(appendBytes(dst, f), v)
			return true
		})
		return dst, err
	case memtables.TypeString:
		if e.Enc == encInt {
			return appendBytes(dst, strconv.AppendInt(nil, e.Size, 10)), nil
		}
		v, _, err := db.strs.Get(stringKey(nil, phys, key))
		if err != nil {
			return dst, err
		}
		return appendBytes(dst, v), nil
	case memtables.TypeList:
		if l, ok := db.lists.Get(phys, key); ok {
			l.Range(0, l.Len()-1, func(v []byte) bool {
				dst = appendBytes(dst, v)
				return true
			})
		}
		return dst, nil
	case memtables.TypeSet:
		// Members in byte order: the digest must not depend on the
		// in-memory layout.
		if t, ok := db.sets.Get(phys, key); ok {
			ms := t.Members()
			slices.SortFunc(ms, bytes.Compare)
			for _, m := range ms {
				dst = appendBytes(dst, m)
			}
		}
		return dst, nil
	case memtables.TypeZSet:
		if z, ok := db.zsets.Get(phys, key); ok {
			z.ForEach(func(m string, score float64) bool {
				dst = appendBytes(dst, []byte(m))
				return true
			})
			z.ForEach(func(m string, score float64) bool {
				dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(score))
				return true
			})
		}
		return dst, nil
	}
	return dst, fmt.Errorf("keel: DEBUG DIGEST has no dump for type %s", e.Type)
}

func init() {
	Register(
		&Command{Name: "wait", Arity: 3, Flags: FlagNoScript | FlagExclusive, ACL: []string{"slow", "connection"}, Group: "generic", Summary: "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.", Since: "3.0.0", Handler: cmdWait},
		&Command{Name: "dbsize", Arity: 1, Flags: FlagReadonly | FlagFast, ACL: []string{"keyspace", "read", "fast"}, Group: "server", Summary: "Return the number of keys in the selected database", Since: "1.0.0", Handler: cmdDBSize},
		&Command{Name: "flushdb", Arity: -1, Flags: FlagWrite, ACL: []string{"keyspace", "write", "slow", "dangerous"}, Group: "server", Summary: "Remove all keys from the current database", Since: "1.0.0", Handler: cmdFlushDB},
		&Command{Name: "flushall", Arity: -1, Flags: FlagWrite, ACL: []string{"keyspace", "write", "slow", "dangerous"}, Group: "server", Summary: "Remove all keys from all databases", Since: "1.0.0", Handler: cmdFlushAll},
		&Command{Name: "swapdb", Arity: 3, Flags: FlagWrite | FlagFast, ACL: []string{"keyspace", "write", "fast", "dangerous"}, Group: "server", Summary: "Swaps two Redis databases", Since: "4.0.0", Handler: cmdSwapDB},
		&Command{Name: "select", Arity: 2, Flags: FlagLoading | FlagStale | FlagFast | FlagNoLock, ACL: []string{"fast", "connection"}, Group: "connection", Summary: "Change the selected database for the current connection", Since: "1.0.0", Handler: cmdSelect},
		&Command{Name: "time", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast | FlagNoLock, ACL: []string{"fast"}, Group: "server", Summary: "Return the current server time", Since: "2.6.0", Handler: cmdTime},
		&Command{Name: "debug", Arity: -2, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale | FlagProtected, ACL: []string{"admin", "slow", "dangerous"}, Group: "server", Summary: "A container for debugging commands", Since: "1.0.0", Handler: cmdDebug},
	)
}

// cmdWait is WAIT numreplicas timeout for a master without replicas, which
// keel is: no replica acknowledges anything, so it answers 0, at once when
// numreplicas is 0 or less or inside MULTI/EXEC, else once timeout (ms; 0:
// never) has passed or CLIENT UNBLOCK ends it, as Redis's waitCommand
// does. (FlagExclusive: the wait is registered under db.mu.)
func cmdWait(c *Ctx) {
	n, err := strconv.ParseInt(string(c.Args[1]), 10, 64)
	if err != nil {
		c.Error("ERR value is not an integer or out of range")
		return
	}
	ms, err := strconv.ParseInt(string(c.Args[2]), 10, 64)
	switch {
	case err != nil:
		c.Error("ERR timeout is not an integer or out of range")
		return
	case ms < 0:
		c.Error("ERR timeout is negative")
		return
	}
	if n <= 0 || !c.canBlock() {
		c.R.Int(0)
		return
	}
	var deadline time.Time // zero: no end, also for a timeout past 2262
	if ms > 0 && ms < math.MaxInt64/int64(time.Millisecond)-c.Now {
		deadline = time.UnixMilli(c.Now + ms)
	}
	c.block(nil, deadline, func(*Ctx, []byte) bool { return false }, func(r Reply) { r.Int(0) })
}
