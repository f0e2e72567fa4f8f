package keel

// Generic key commands (Redis's "generic" group): DEL UNLINK EXISTS TYPE
// TOUCH, the EXPIRE and TTL families, PERSIST, RENAME RENAMENX COPY MOVE,
// KEYS SCAN RANDOMKEY, OBJECT, and CLUSTER KEYSLOT.
//
// A key lives in two engines: its metadata (type, expiry, version, size) in
// the keyspace, its value in the engine of its type. Commands that move or
// copy a value do it with that engine's own ops (invariant 2: an op reads
// only its own engine), chosen per type by valueCopier; deleting a value is
// deleteKey's job (command.go). Adding a type is one case in valueCopier,
// one in objectEncoding and one in dumpValue (dbcmds.go).

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"sync/atomic"

	"github.com/keeldb/keel/memtables"
	"github.com/keeldb/keel/slots"
)

const errSameObject = "ERR source and destination objects are the same"

// ---- lookups ----

// readKey is lookupRead (strings.go) returning the keyspace's pointer, for
// TOUCH and OBJECT: it counts keyspace_hits and keyspace_misses and, in a
// write context (inside EXEC), deletes an expired key as Redis does.
func (c *Ctx) readKey(key []byte) (*memtables.Entry, bool) {
	var e *memtables.Entry
	var ok bool
	if c.w != nil {
		e, ok = c.lookupWrite(key)
	} else {
		e, ok = c.lookup(key)
	}
	c.countLookup(key, ok)
	return e, ok
}

// readKeyNoTouch is readKey leaving the key's access clock or counter
// alone, for the readers Redis looks up with LOOKUP_NOTOUCH: EXISTS,
// TYPE and the TTL family.
func (c *Ctx) readKeyNoTouch(key []byte) (*memtables.Entry, bool) {
	c.noTouch = true
	e, ok := c.readKey(key)
	c.noTouch = false
	return e, ok
}

// countLookup counts a read lookup of key in INFO's keyspace_hits/misses
// and signals a miss (keymiss), as Redis's lookupKeyRead does; a nil key
// is a lookup that signals nothing (LOOKUP_NONOTIFY).
func (c *Ctx) countLookup(key []byte, hit bool) {
	if hit {
		c.DB.stats.KeyspaceHits.Inc(c.S.ID)
	} else {
		c.DB.stats.KeyspaceMiss.Inc(c.S.ID)
		if key != nil {
			c.notify(NotifyKeyMiss, "keymiss", key)
		}
	}
}

// lookupWriteIn is lookupWrite in database dbi, which need not be the
// session's (COPY ... DB, MOVE).
func (c *Ctx) lookupWriteIn(dbi int, key []byte) (*memtables.Entry, bool) {
	e, ok := c.DB.ks.Get(dbi, key)
	if !ok {
		return nil, false
	}
	if e.ExpireAt != 0 && e.ExpireAt <= c.Now {
		c.byServer = true
		c.deleteKey(dbi, key, e)
		c.byServer = false
		c.DB.stats.ExpiredKeys.Add(1)
		c.notifyIn(dbi, NotifyExpired, "expired", key)
		return nil, false
	}
	c.accessed(e)
	return e, true
}

// ---- copying values between keys ----

// copier emits the ops copying key src of physical db srcPhys, whose
// keyspace entry is e, to dst of dstPhys, which gets version dstVersion:
// ops that read only the value's own engine.
type copier func(c *Ctx, srcPhys uint32, src []byte, e memtables.Entry, dstPhys uint32, dst []byte, dstVersion uint64)

// valueCopier returns the copier of type t, or nil when keel has no engine
// for t yet.
func valueCopier(t memtables.Type) copier {
	switch t {
	case memtables.TypeString:
		return func(c *Ctx, srcPhys uint32, src []byte, e memtables.Entry, dstPhys uint32, dst []byte, _ uint64) {
			if e.Enc != encInt { // an inline integer is copied with the entry
				c.emit(&op{code: opSCopy, phys: srcPhys, key: src, phys2: dstPhys, key2: dst})
			}
		}
	case memtables.TypeList:
		return copierOf(opLCopy)
	case memtables.TypeSet:
		return copierOf(opTCopy)
	case memtables.TypeZSet:
		return copierOf(opZCopy)
	case memtables.TypeHash:
		// Fields live under the version: the copy reads the source's
		// incarnation and writes the destination's.
		return func(c *Ctx, srcPhys uint32, src []byte, e memtables.Entry, dstPhys uint32, dst []byte, dstVersion uint64) {
			c.emit(&op{code: opHCopy, phys: srcPhys, key: src, version: e.Version, phys2: dstPhys, key2: dst, version2: dstVersion})
		}
	case memtables.TypeStream:
		return func(c *Ctx, srcPhys uint32, src []byte, e memtables.Entry, dstPhys uint32, dst []byte, dstVersion uint64) {
			c.emit(&op{code: opXCopy, phys: srcPhys, key: src, version: e.Version, phys2: dstPhys, key2: dst, version2: dstVersion})
		}
	}
	return nil
}

// copierOf is the copier of an engine whose copy op is code.
func copierOf(code opCode) copier {
	return func(c *Ctx, srcPhys uint32, src []byte, _ memtables.Entry, dstPhys uint32, dst []byte, _ uint64) {
		c.emit(&op{code: code, phys: srcPhys, key: src, phys2: dstPhys, key2: dst})
	}
}

// errNoCopier is the reply when a key's type has no copier: a bug (a type
// was added without its case in valueCopier), reported rather than
// silently losing the value.
func errNoCopier(t memtables.Type) string {
	return "ERR keel: no value copier for type " + t.String()
}

// copyKey creates dst in dstDB as a copy of src (entry e) in srcDB: the
// value first, then the keyspace entry with the same type, expiry and size
// and a new version (the record's LSN: a new incarnation). The caller has
// deleted any previous dst and checked that e's type has a copier. The
// source is left alone.
func (c *Ctx) copyKey(e memtables.Entry, srcDB int, src []byte, dstDB int, dst []byte) {
	ver := c.w.lsn
	cp := valueCopier(e.Type)
	cp(c, c.DB.ks.PhysDB(srcDB), src, e, c.DB.ks.PhysDB(dstDB), dst, ver)
	c.emit(&op{code: opKSet, db: dstDB, key: dst, typ: e.Type, enc: e.Enc, expireAt: e.ExpireAt, version: ver, size: e.Size})
	c.touchKey(dstDB, dst)
}

// ---- DEL UNLINK EXISTS TYPE TOUCH ----

// cmdDel is DEL and UNLINK: keel frees nothing synchronously either way
// (engines reclaim space in their own compaction).
func cmdDel(c *Ctx) {
	var n int64
	for _, k := range c.Args[1:] {
		if e, ok := c.lookupWrite(k); ok {
			c.deleteKey(c.S.DB, k, e)
			c.notify(NotifyGeneric, "del", k)
			n++
		}
	}
	c.R.Int(n)
}

func cmdExists(c *Ctx) {
	var n int64
	for _, k := range c.Args[1:] {
		if _, ok := c.readKeyNoTouch(k); ok {
			n++
		}
	}
	c.R.Int(n)
}

func cmdType(c *Ctx) {
	e, ok := c.readKeyNoTouch(c.Args[1])
	if !ok {
		c.R.Simple("none")
		return
	}
	c.R.Simple(e.Type.String())
}

// cmdTouch counts the existing keys, whose lookup refreshed their LRU
// clock or LFU counter.
func cmdTouch(c *Ctx) {
	var n int64
	for _, k := range c.Args[1:] {
		if _, ok := c.readKey(k); ok {
			n++
		}
	}
	c.R.Int(n)
}

// ---- EXPIRE family ----

const (
	expNX = 1 << iota
	expXX
	expGT
	expLT
)

// parseExpireFlags parses EXPIRE's NX|XX|GT|LT options (args from index 3)
// as Redis's parseExtendedExpireArgumentsOrReply does; errMsg is non-empty
// on error.
func parseExpireFlags(args [][]byte) (flags int, errMsg string) {
	for _, a := range args {
		switch {
		case eqFold(a, "nx"):
			flags |= expNX
		case eqFold(a, "xx"):
			flags |= expXX
		case eqFold(a, "gt"):
			flags |= expGT
		case eqFold(a, "lt"):
			flags |= expLT
		default:
			return 0, "ERR Unsupported option " + string(a)
		}
	}
	if flags&expNX != 0 && flags&(expXX|expGT|expLT) != 0 {
		return 0, "ERR NX and XX, GT or LT options at the same time are not compatible"
	}
	if flags&expGT != 0 && flags&expLT != 0 {
		return 0, "ERR GT and LT options at the same time are not compatible"
	}
	return flags, ""
}

// expireGeneric is Redis's expireGenericCommand. base is added to the
// argument (now for EXPIRE/PEXPIRE, 0 for the *AT forms); seconds says the
// argument is in seconds. The record holds the absolute time (invariant 2);
// a time already past deletes the key, logged as a delete.
func expireGeneric(c *Ctx, base int64, seconds bool) {
	flags, msg := parseExpireFlags(c.Args[3:])
	if msg != "" {
		c.Error(msg)
		return
	}
	when, ok := parseInt(c.Args[2])
	if !ok {
		c.Error(errNotInt)
		return
	}
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.Error(fmt.Sprintf(errInvalidExp, c.Cmd.Name))
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-base {
		c.Error(fmt.Sprintf(errInvalidExp, c.Cmd.Name))
		return
	}
	when += base
	key := c.Args[1]
	e, ok := c.lookupWrite(key)
	if !ok {
		c.R.Int(0)
		return
	}
	if flags != 0 {
		cur := e.ExpireAt // 0: none, an infinite TTL for GT and LT
		switch {
		case flags&expNX != 0 && cur != 0,
			flags&expXX != 0 && cur == 0,
			flags&expGT != 0 && (cur == 0 || when <= cur),
			flags&expLT != 0 && cur != 0 && when >= cur:
			c.R.Int(0)
			return
		}
	}
	if when <= c.Now {
		c.deleteKey(c.S.DB, key, e)
		c.notify(NotifyGeneric, "del", key)
		c.R.Int(1)
		return
	}
	c.emit(&op{code: opKExpire, db: c.S.DB, key: key, expireAt: when})
	c.touchKey(c.S.DB, key)
	c.notify(NotifyGeneric, "expire", key)
	c.R.Int(1)
}

func cmdExpire(c *Ctx)    { expireGeneric(c, c.Now, true) }
func cmdPExpire(c *Ctx)   { expireGeneric(c, c.Now, false) }
func cmdExpireAt(c *Ctx)  { expireGeneric(c, 0, true) }
func cmdPExpireAt(c *Ctx) { expireGeneric(c, 0, false) }

// msToSeconds rounds a non-negative millisecond count to the nearest
// second as Redis's (ms+500)/1000 does, without overflowing near MaxInt64.
func msToSeconds(ms int64) int64 { return ms/1000 + (ms%1000+500)/1000 }

// ttlGeneric serves TTL, PTTL (abs false) and EXPIRETIME, PEXPIRETIME
// (abs true): -2 for a missing key, -1 for a key without expiry.
func ttlGeneric(c *Ctx, ms, abs bool) {
	e, ok := c.readKeyNoTouch(c.Args[1])
	if !ok {
		c.R.Int(-2)
		return
	}
	if e.ExpireAt == 0 {
		c.R.Int(-1)
		return
	}
	v := e.ExpireAt
	if !abs {
		v = max(v-c.Now, 0)
	}
	if !ms {
		v = msToSeconds(v)
	}
	c.R.Int(v)
}

func cmdTTL(c *Ctx)         { ttlGeneric(c, false, false) }
func cmdPTTL(c *Ctx)        { ttlGeneric(c, true, false) }
func cmdExpireTime(c *Ctx)  { ttlGeneric(c, false, true) }
func cmdPExpireTime(c *Ctx) { ttlGeneric(c, true, true) }

func cmdPersist(c *Ctx) {
	key := c.Args[1]
	e, ok := c.lookupWrite(key)
	if !ok || e.ExpireAt == 0 {
		c.R.Int(0)
		return
	}
	c.emit(&op{code: opKExpire, db: c.S.DB, key: key, expireAt: 0})
	c.touchKey(c.S.DB, key)
	c.notify(NotifyGeneric, "persist", key)
	c.R.Int(1)
}

// ---- RENAME RENAMENX COPY MOVE ----

// renameGeneric is Redis 7.0's renameGenericCommand. Renaming a key to
// itself checks only that it exists (RENAME: OK, RENAMENX: 0). Otherwise
// the record is: delete of an existing dst, the value copy, the new dst
// entry (same type, expiry, size; new version), the delete of src.
func renameGeneric(c *Ctx, nx bool) {
	src, dst := c.Args[1], c.Args[2]
	e, ok := c.lookupWrite(src)
	if !ok {
		c.Error(errNoSuchKey)
		return
	}
	if string(src) == string(dst) {
		if nx {
			c.R.Int(0)
		} else {
			c.OK()
		}
		return
	}
	ent := *e // e is invalidated by the first write below
	if valueCopier(ent.Type) == nil {
		c.Error(errNoCopier(ent.Type))
		return
	}
	dbi := c.S.DB
	if old, ok := c.lookupWrite(dst); ok {
		if nx {
			c.R.Int(0)
			return
		}
		c.deleteKey(dbi, dst, old)
	}
	c.copyKey(ent, dbi, src, dbi, dst)
	c.keepAccess(dbi, dst, ent.Access)
	c.deleteKey(dbi, src, &ent)
	c.notify(NotifyGeneric, "rename_from", src)
	c.notify(NotifyGeneric, "rename_to", dst)
	if nx {
		c.R.Int(1)
	} else {
		c.OK()
	}
}

// keepAccess gives key, which RENAME or MOVE just wrote, the access clock
// or counter of the key it came from: Redis moves the value object, and
// its lru field with it.
func (c *Ctx) keepAccess(dbi int, key []byte, at uint32) {
	if e, ok := c.DB.ks.Get(dbi, key); ok {
		atomic.StoreUint32(&e.Access, at)
	}
}

func cmdRename(c *Ctx)   { renameGeneric(c, false) }
func cmdRenameNX(c *Ctx) { renameGeneric(c, true) }

// cmdCopy is COPY source destination [DB destination-db] [REPLACE].
func cmdCopy(c *Ctx) {
	srcDB, dstDB := c.S.DB, c.S.DB
	replace := false
	for j := 3; j < len(c.Args); j++ {
		a := c.Args[j]
		switch {
		case eqFold(a, "replace"):
			replace = true
		case eqFold(a, "db") && j+1 < len(c.Args):
			n, msg := intArg(c.Args[j+1], "")
			if msg != "" {
				c.Error(msg)
				return
			}
			if n < 0 || n >= c.DB.opts.Databases {
				c.Error(errDBIndex)
				return
			}
			dstDB = n
			j++
		default:
			c.Error(errSyntax)
			return
		}
	}
	src, dst := c.Args[1], c.Args[2]
	if srcDB == dstDB && string(src) == string(dst) {
		c.Error(errSameObject)
		return
	}
	e, ok := c.lookupWrite(src)
	c.countLookup(src, ok) // Redis looks the source up as a read
	if !ok {
		c.R.Int(0)
		return
	}
	ent := *e
	if valueCopier(ent.Type) == nil {
		c.Error(errNoCopier(ent.Type))
		return
	}
	if old, ok := c.lookupWriteIn(dstDB, dst); ok {
		if !replace {
			c.R.Int(0)
			return
		}
		c.deleteKey(dstDB, dst, old)
	}
	c.copyKey(ent, srcDB, src, dstDB, dst)
	c.notifyIn(dstDB, NotifyGeneric, "copy_to", dst)
	c.R.Int(1)
}

// cmdMove is MOVE key db: a copy into the other database's physical id and
// a delete of the source, in one record.
func cmdMove(c *Ctx) {
	key := c.Args[1]
	dstDB, msg := intArg(c.Args[2], "")
	if msg != "" {
		c.Error(msg)
		return
	}
	if dstDB < 0 || dstDB >= c.DB.opts.Databases {
		c.Error(errDBIndex)
		return
	}
	srcDB := c.S.DB
	if srcDB == dstDB {
		c.Error(errSameObject)
		return
	}
	e, ok := c.lookupWrite(key)
	if !ok {
		c.R.Int(0)
		return
	}
	ent := *e
	if valueCopier(ent.Type) == nil {
		c.Error(errNoCopier(ent.Type))
		return
	}
	if _, ok := c.lookupWriteIn(dstDB, key); ok {
		c.R.Int(0)
		return
	}
	c.copyKey(ent, srcDB, key, dstDB, key)
	c.keepAccess(dstDB, key, ent.Access)
	c.deleteKey(srcDB, key, &ent)
	c.notifyIn(srcDB, NotifyGeneric, "move_from", key)
	c.notifyIn(dstDB, NotifyGeneric, "move_to", key)
	c.R.Int(1)
}

// ---- KEYS SCAN RANDOMKEY ----

func cmdKeys(c *Ctx) {
	pat := c.Args[1]
	all := len(pat) == 1 && pat[0] == '*'
	var out []string
	c.DB.ks.ForEach(c.S.DB, func(k string, e *memtables.Entry) bool {
		if e.ExpireAt != 0 && e.ExpireAt <= c.Now {
			return true
		}
		if all || globMatch(pat, k) {
			out = append(out, k)
		}
		return true
	})
	c.R.Array(len(out))
	for _, k := range out {
		c.R.BulkString(k)
	}
}

// scanOptions parses SCAN's options from c.Args[from]: COUNT (default
// 10), MATCH (pat nil when absent or "*", which matches everything) and,
// with allowType, TYPE. ok is false when the error was replied.
func (c *Ctx) scanOptions(from int, allowType bool) (count int, pat, typ []byte, ok bool) {
	count = 10
	for i := from; i < len(c.Args); i += 2 {
		if i+1 >= len(c.Args) {
			c.Error(errSyntax)
			return 0, nil, nil, false
		}
		a, v := c.Args[i], c.Args[i+1]
		switch {
		case eqFold(a, "count"):
			n, ok := parseInt(v)
			if !ok {
				c.Error(errNotInt)
				return 0, nil, nil, false
			}
			if n < 1 {
				c.Error(errSyntax)
				return 0, nil, nil, false
			}
			count = int(min(n, math.MaxInt32))
		case eqFold(a, "match"):
			pat = v
			if len(v) == 1 && v[0] == '*' {
				pat = nil
			}
		case allowType && eqFold(a, "type"):
			typ = v
		default:
			c.Error(errSyntax)
			return 0, nil, nil, false
		}
	}
	return count, pat, typ, true
}

// cmdScan is SCAN cursor [MATCH pattern] [COUNT count] [TYPE type], with the
// keyspace's Redis-equivalent cursor guarantee. Like Redis, MATCH, TYPE and
// expiry filter the keys of the visited buckets, so a page may be empty
// while the cursor is not 0.
func cmdScan(c *Ctx) {
	cursor, ok := parseScanCursor(c.Args[1])
	if !ok {
		c.Error("ERR invalid cursor")
		return
	}
	count, pat, typ, ok := c.scanOptions(2, true)
	if !ok {
		return
	}
	usePat := pat != nil
	var out []string
	next := c.DB.ks.Scan(c.S.DB, cursor, count, func(k string, e *memtables.Entry) {
		if usePat && !globMatch(pat, k) {
			return
		}
		if e.ExpireAt != 0 && e.ExpireAt <= c.Now {
			// Redis's SCAN deletes the expired keys it meets
			// (expireIfNeeded), signalling each as expired. Not
			// expireLater, whose check for a key noted twice would
			// make a large COUNT quadratic: SCAN meets each key once.
			if c.DB.pausing() == PauseNone { // a CLIENT PAUSE holds them (pause.go)
				kb := []byte(k)
				c.expired = append(c.expired, kb)
				c.notify(NotifyExpired, "expired", kb)
			}
			return
		}
		if typ != nil && !eqFoldASCII(typ, e.Type.String()) {
			return
		}
		out = append(out, k)
	})
	c.R.Array(2)
	c.R.BulkString(strconv.FormatUint(next, 10))
	c.R.Array(len(out))
	for _, k := range out {
		c.R.BulkString(k)
	}
}

// eqFoldASCII is strcasecmp(a, b) == 0.
func eqFoldASCII(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if globLower(a[i]) != globLower(b[i]) {
			return false
		}
	}
	return true
}

// randomKeyTries bounds how often RANDOMKEY redraws when it hits expired
// keys (which a read command cannot delete) before it looks for any live
// key in order.
const randomKeyTries = 100

func cmdRandomKey(c *Ctx) {
	ks := c.DB.ks
	for range randomKeyTries {
		k, ok := ks.RandomKey(c.S.DB, rand.IntN)
		if !ok {
			c.R.Null()
			return
		}
		if _, live := c.peek([]byte(k)); live {
			c.R.BulkString(k)
			return
		}
	}
	var found string
	ok := false
	ks.ForEach(c.S.DB, func(k string, e *memtables.Entry) bool {
		if e.ExpireAt == 0 || e.ExpireAt > c.Now {
			found, ok = k, true
			return false
		}
		return true
	})
	if !ok {
		c.R.Null()
		return
	}
	c.R.BulkString(found)
}

// ---- OBJECT ----

// sharedIntegers mirrors Redis's OBJ_SHARED_INTEGERS: values 0..9999 stored
// as integers share one object whose REFCOUNT is OBJ_SHARED_REFCOUNT.
const (
	sharedIntegers  = 10000
	sharedRefcount  = math.MaxInt32
	embstrSizeLimit = 44 // OBJ_ENCODING_EMBSTR_SIZE_LIMIT
)

// stringEncoding is the encoding Redis's tryObjectEncoding gives a string
// value set by SET: "int" for what string2l accepts in at most 20 bytes,
// "embstr" up to 44 bytes, else "raw". keel stores bytes, not objects, so
// values built by APPEND or SETRANGE (raw in Redis) report the same.
func stringEncoding(v []byte) (enc string, shared bool) {
	if len(v) <= 20 {
		if n, ok := parseInt(v); ok {
			return "int", n >= 0 && n < sharedIntegers
		}
	}
	if len(v) <= embstrSizeLimit {
		return "embstr", false
	}
	return "raw", false
}

// objectEncoding returns OBJECT ENCODING's answer and whether the value is
// a shared object (REFCOUNT). Types held in memory report the encoding
// Redis 7.0 uses for large values.
func (c *Ctx) objectEncoding(key []byte, e *memtables.Entry) (enc string, shared bool, err error) {
	switch e.Type {
	case memtables.TypeString:
		v, err := c.getString(key, e)
		if err != nil {
			return "", false, err
		}
		switch e.Enc {
		case encRaw:
			return "raw", false, nil
		case encEmbstr:
			if len(v) <= embstrSizeLimit {
				return "embstr", false, nil
			}
			return "raw", false, nil
		}
		enc, shared := stringEncoding(v)
		return enc, shared, nil
	case memtables.TypeList:
		return "quicklist", false, nil
	case memtables.TypeSet:
		if t, ok := c.DB.sets.Get(c.DB.ks.PhysDB(c.S.DB), key); ok && t.IsIntSet() {
			return "intset", false, nil
		}
		return "hashtable", false, nil
	case memtables.TypeHash:
		if e.Enc&encHashtable == 0 {
			return "listpack", false, nil
		}
		return "hashtable", false, nil
	case memtables.TypeZSet:
		if z, ok := c.DB.zsets.Get(c.DB.ks.PhysDB(c.S.DB), key); ok && !z.Big() {
			return "listpack", false, nil
		}
		return "skiplist", false, nil
	case memtables.TypeStream:
		return "stream", false, nil
	}
	return "unknown", false, nil
}

// objectKey looks up OBJECT's key: nil reply when missing.
func objectKey(c *Ctx) (*memtables.Entry, bool) {
	e, ok := c.peek(c.Args[2])
	c.countLookup(nil, ok) // LOOKUP_NONOTIFY: no keymiss
	if !ok {
		c.R.Null()
	}
	return e, ok
}

func cmdObjectEncoding(c *Ctx) {
	e, ok := objectKey(c)
	if !ok {
		return
	}
	enc, _, err := c.objectEncoding(c.Args[2], e)
	if err != nil {
		c.Error("ERR " + err.Error())
		return
	}
	c.R.BulkString(enc)
}

func cmdObjectRefcount(c *Ctx) {
	e, ok := objectKey(c)
	if !ok {
		return
	}
	_, shared, err := c.objectEncoding(c.Args[2], e)
	if err != nil {
		c.Error("ERR " + err.Error())
		return
	}
	if shared {
		c.R.Int(sharedRefcount)
	} else {
		c.R.Int(1)
	}
}

// cmdObjectIdletime reports seconds since the key's LRU clock was last set
// (by a write of the key or TOUCH).
func cmdObjectIdletime(c *Ctx) {
	e, ok := objectKey(c)
	if !ok {
		return
	}
	if c.DB.policy().lfu() {
		c.Error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		return
	}
	now, at := c.DB.lruClock(), atomic.LoadUint32(&e.Access)
	if at == 0 || at > now { // 0: not accessed since recovery
		c.R.Int(0)
		return
	}
	c.R.Int(int64(now - at))
}

// cmdObjectFreq is the key's LFU counter, decayed to now; without an LFU
// policy an error, as in Redis.
func cmdObjectFreq(c *Ctx) {
	e, ok := objectKey(c)
	if !ok {
		return
	}
	if c.DB.policy().lfu() {
		c.R.Int(c.DB.objectFreq(atomic.LoadUint32(&e.Access)))
		return
	}
	c.Error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
}

// ReplyHelp writes a help reply as Redis's addReplyHelp does: the
// "NAME <subcommand> ..." line, lines, then HELP and its line.
func ReplyHelp(c *Ctx, name string, lines []string) {
	c.R.Array(len(lines) + 3)
	c.R.Simple(name + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.R.Simple(l)
	}
	c.R.Simple("HELP")
	c.R.Simple("    Prints this help.")
}

func cmdObjectHelp(c *Ctx) {
	ReplyHelp(c, "OBJECT", []string{
		"ENCODING <key>",
		"    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>",
		"    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>",
		"    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>",
		"    Return the number of references of the value associated with the specified",
		"    <key>.",
	})
}

// ---- CLUSTER KEYSLOT ----

// cmdClusterKeyslot answers even though keel runs without cluster mode
// (Redis then refuses every CLUSTER subcommand): the slot is part of keel's
// storage format and clients use it to plan.
func cmdClusterKeyslot(c *Ctx) {
	c.R.Int(int64(slots.Of(c.Args[2])))
}

func init() {
	keyspaceRead := []string{"keyspace", "read", "fast"}
	keyspaceWriteFast := []string{"keyspace", "write", "fast"}
	one := func(name string, arity int, flags Flags, acl []string, summary, since string, h func(*Ctx)) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: 1, LastKey: 1, Step: 1, ACL: acl, Group: "generic", Summary: summary, Since: since, Handler: h}
	}
	all := func(name string, arity int, flags Flags, acl []string, summary, since string, h func(*Ctx)) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: 1, LastKey: -1, Step: 1, ACL: acl, Group: "generic", Summary: summary, Since: since, Handler: h}
	}
	two := func(name string, arity int, flags Flags, acl []string, summary, since string, h func(*Ctx)) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: 1, LastKey: 2, Step: 1, ACL: acl, Group: "generic", Summary: summary, Since: since, Handler: h}
	}
	objSub := func(name, summary string, h func(*Ctx)) *Command {
		return &Command{Name: name, Arity: 3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, ACL: []string{"keyspace", "read", "slow"}, Group: "generic", Summary: summary, Since: "2.2.3", Handler: h}
	}
	Register(
		all("del", -2, FlagWrite, []string{"keyspace", "write", "slow"}, "Delete a key", "1.0.0", cmdDel),
		all("unlink", -2, FlagWrite|FlagFast, keyspaceWriteFast, "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.", "4.0.0", cmdDel),
		all("exists", -2, FlagReadonly|FlagFast, keyspaceRead, "Determine if a key exists", "1.0.0", cmdExists),
		one("type", 2, FlagReadonly|FlagFast, keyspaceRead, "Determine the type stored at key", "1.0.0", cmdType),
		all("touch", -2, FlagReadonly|FlagFast, keyspaceRead, "Alters the last access time of a key(s). Returns the number of existing keys specified.", "3.2.1", cmdTouch),
		one("expire", -3, FlagWrite|FlagFast, keyspaceWriteFast, "Set a key's time to live in seconds", "1.0.0", cmdExpire),
		one("pexpire", -3, FlagWrite|FlagFast, keyspaceWriteFast, "Set a key's time to live in milliseconds", "2.6.0", cmdPExpire),
		one("expireat", -3, FlagWrite|FlagFast, keyspaceWriteFast, "Set the expiration for a key as a UNIX timestamp", "1.2.0", cmdExpireAt),
		one("pexpireat", -3, FlagWrite|FlagFast, keyspaceWriteFast, "Set the expiration for a key as a UNIX timestamp specified in milliseconds", "2.6.0", cmdPExpireAt),
		one("ttl", 2, FlagReadonly|FlagFast, keyspaceRead, "Get the time to live for a key in seconds", "1.0.0", cmdTTL),
		one("pttl", 2, FlagReadonly|FlagFast, keyspaceRead, "Get the time to live for a key in milliseconds", "2.6.0", cmdPTTL),
		one("expiretime", 2, FlagReadonly|FlagFast, keyspaceRead, "Get the expiration Unix timestamp for a key", "7.0.0", cmdExpireTime),
		one("pexpiretime", 2, FlagReadonly|FlagFast, keyspaceRead, "Get the expiration Unix timestamp for a key in milliseconds", "7.0.0", cmdPExpireTime),
		one("persist", 2, FlagWrite|FlagFast, keyspaceWriteFast, "Remove the expiration from a key", "2.2.0", cmdPersist),
		two("rename", 3, FlagWrite, []string{"keyspace", "write", "slow"}, "Rename a key", "1.0.0", cmdRename),
		two("renamenx", 3, FlagWrite|FlagFast, keyspaceWriteFast, "Rename a key, only if the new key does not exist", "1.0.0", cmdRenameNX),
		two("copy", -3, FlagWrite|FlagDenyOOM, []string{"keyspace", "write", "slow"}, "Copy a key", "6.2.0", cmdCopy),
		one("move", 3, FlagWrite|FlagFast, keyspaceWriteFast, "Move a key to another database", "1.0.0", cmdMove),
		&Command{Name: "keys", Arity: 2, Flags: FlagReadonly, ACL: []string{"keyspace", "read", "slow", "dangerous"}, Group: "generic", Summary: "Find all keys matching the given pattern", Since: "1.0.0", Handler: cmdKeys},
		&Command{Name: "scan", Arity: -2, Flags: FlagReadonly, ACL: []string{"keyspace", "read", "slow"}, Group: "generic", Summary: "Incrementally iterate the keys space", Since: "2.8.0", Handler: cmdScan},
		&Command{Name: "randomkey", Arity: 1, Flags: FlagReadonly, ACL: []string{"keyspace", "read", "slow"}, Group: "generic", Summary: "Return a random key from the keyspace", Since: "1.0.0", Handler: cmdRandomKey},
		&Command{Name: "object", Arity: -2, ACL: []string{"slow"}, Group: "generic", Summary: "A container for object introspection commands", Since: "2.2.3", Subs: map[string]*Command{
			"encoding": objSub("encoding", "Inspect the internal encoding of a Redis object", cmdObjectEncoding),
			"refcount": objSub("refcount", "Get the number of references to the value of the key", cmdObjectRefcount),
			"idletime": objSub("idletime", "Get the time since a Redis object was last accessed", cmdObjectIdletime),
			"freq": {Name: "freq", Arity: 3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1, ACL: []string{"keyspace", "read", "slow"}, Group: "generic",
				Summary: "Get the logarithmic access frequency counter of a Redis object", Since: "4.0.0", Handler: cmdObjectFreq},
			"help": {Name: "help", Arity: 2, Flags: FlagLoading | FlagStale | FlagNoLock, ACL: []string{"keyspace", "slow"}, Group: "generic",
				Summary: "Show helpful text about the different subcommands", Since: "6.2.0", Handler: cmdObjectHelp},
		}},
		&Command{Name: "cluster", Arity: -2, ACL: []string{"slow"}, Group: "cluster", Summary: "A container for cluster commands", Since: "3.0.0", Subs: map[string]*Command{
			"keyslot": {Name: "keyslot", Arity: 3, Flags: FlagStale | FlagNoLock, ACL: []string{"slow"}, Group: "cluster",
				Summary: "Returns the hash slot of the specified key", Since: "3.0.0", Handler: cmdClusterKeyslot},
		}},
	)
}
