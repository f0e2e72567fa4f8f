package keel

// Hash commands (Redis t_hash.c): HSET HSETNX HMSET HGET HMGET HDEL HLEN
// HSTRLEN HEXISTS HGETALL HKEYS HVALS HINCRBY HINCRBYFLOAT HRANDFIELD
// HSCAN.
//
// A hash is a keyspace entry — type, expiry, version, Size = the number of
// fields, Enc = Redis's encoding — plus one entry per field in the hashes
// engine (segments), keyed by hashKey under the hash's version. A write
// logs the fields it sets or deletes (opHSet, opHDel) and the keyspace
// entry with the new field count (opKSet), so HLEN never reads the disk
// and the two engines stay independent (invariant 2). Deleting a hash of
// any size is one range tombstone (opHDropKey): O(1) for the client;
// compaction discards the fields.

import (
	"bytes"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"

	"github.com/keeldb/keel/memtables"
)

// encHashtable is the hash's Enc bit for Redis's hashtable encoding (it
// never goes back to listpack). Part of the record and checkpoint formats.
const encHashtable uint8 = 1

func init() {
	wf := []string{"write", "hash", "fast"}
	rf := []string{"read", "hash", "fast"}
	rs := []string{"read", "hash", "slow"}
	const g = "hash"
	Register(
		&Command{Name: "hset", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: g, Summary: "Set the string value of a hash field", Since: "2.0.0", Handler: cmdHSet},
		&Command{Name: "hmset", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: g, Summary: "Set multiple hash fields to multiple values", Since: "2.0.0", Handler: cmdHMSet},
		&Command{Name: "hsetnx", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: g, Summary: "Set the value of a hash field, only if the field does not exist", Since: "2.0.0", Handler: cmdHSetNX},
		&Command{Name: "hget", Arity: 3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: g, Summary: "Get the value of a hash field", Since: "2.0.0", Handler: cmdHGet},
		&Command{Name: "hmget", Arity: -3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: g, Summary: "Get the values of all the given hash fields", Since: "2.0.0", Handler: cmdHMGet},
		&Command{Name: "hdel", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: g, Summary: "Delete one or more hash fields", Since: "2.0.0", Handler: cmdHDel},
		&Command{Name: "hlen", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: g, Summary: "Get the number of fields in a hash", Since: "2.0.0", Handler: cmdHLen},
		&Command{Name: "hstrlen", Arity: 3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: g, Summary: "Get the length of the value of a hash field", Since: "3.2.0", Handler: cmdHStrLen},
		&Command{Name: "hexists", Arity: 3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: g, Summary: "Determine if a hash field exists", Since: "2.0.0", Handler: cmdHExists},
		&Command{Name: "hgetall", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: g, Summary: "Get all the fields and values in a hash", Since: "2.0.0", Handler: cmdHGetAll},
		&Command{Name: "hkeys", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: g, Summary: "Get all the fields in a hash", Since: "2.0.0", Handler: cmdHKeys},
		&Command{Name: "hvals", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: g, Summary: "Get all the values in a hash", Since: "2.0.0", Handler: cmdHVals},
		&Command{Name: "hincrby", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: g, Summary: "Increment the integer value of a hash field by the given number", Since: "2.0.0", Handler: cmdHIncrBy},
		&Command{Name: "hincrbyfloat", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: g, Summary: "Increment the float value of a hash field by the given amount", Since: "2.6.0", Handler: cmdHIncrByFloat},
		&Command{Name: "hrandfield", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: g, Summary: "Get one or multiple random fields from a hash", Since: "6.2.0", Handler: cmdHRandField},
		&Command{Name: "hscan", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: g, Summary: "Incrementally iterate hash fields and associated values", Since: "2.8.0", Handler: cmdHScan},
	)
}

// ---- lookups and the write path ----

// readHash looks key up for a read: its entry (a copy) when it is a
// hash; found false when absent; ok false when WRONGTYPE was replied.
func (c *Ctx) readHash(key []byte) (e memtables.Entry, found, ok bool) {
	p, found := c.readKey(key)
	return c.hashEntry(p, found)
}

// writeHash is readHash for write commands (lookupWrite).
func (c *Ctx) writeHash(key []byte) (e memtables.Entry, found, ok bool) {
	p, found := c.lookupWrite(key)
	return c.hashEntry(p, found)
}

func (c *Ctx) hashEntry(p *memtables.Entry, found bool) (memtables.Entry, bool, bool) {
	if !found {
		return memtables.Entry{}, false, true
	}
	if p.Type != memtables.TypeHash {
		c.Error(errWrongType)
		return p.Load(), true, false
	}
	return p.Load(), true, true
}

// hashGet reads one field of the hash key whose entry is e: a copy of
// its value. An engine error (corruption) is replied and ok is false: bad
// data is never served.
func (c *Ctx) hashGet(key []byte, e *memtables.Entry, field []byte) (v []byte, exists, ok bool) {
	exists, ok = c.hashView(key, e, field, func(b []byte) { v = append(make([]byte, 0, len(b)), b...) })
	return v, exists, ok
}

// hashView is hashGet without the copy: fn gets the value, valid only
// during the call (HGET replies it, HSET only needs to know it exists).
// The storage key is built in the session's scratch.
func (c *Ctx) hashView(key []byte, e *memtables.Entry, field []byte, fn func(v []byte)) (exists, ok bool) {
	sc := &c.S.scratch
	sc.key = hashKeyIn(sc.key[:0], c.phys(), c.slotOf(key), key, e.Version, field)
	exists, err := c.viewEngine(c.DB.hashes, sc.key, false, 0, &c.S.hashHints, fn)
	if cap(sc.key) > maxScratch {
		sc.key = nil
	}
	if err != nil {
		c.Error("ERR " + err.Error())
		return false, false
	}
	return exists, true
}

// hashExists reports whether the hash key (entry e) has field; ok as
// hashGet's.
func (c *Ctx) hashExists(key []byte, e *memtables.Entry, field []byte) (exists, ok bool) {
	return c.hashView(key, e, field, func([]byte) {})
}

// hashSet logs the setting of pairs (field, value, ...; a later duplicate
// wins) in key, creating the hash when e is nil, with added new fields,
// and touches the key.
func (c *Ctx) hashSet(key []byte, e *memtables.Entry, pairs [][]byte, added int) {
	var ent memtables.Entry
	if e != nil {
		ent = *e
	} else {
		ent = memtables.Entry{Type: memtables.TypeHash, Version: c.w.lsn}
	}
	ent.Size += int64(added)
	if ent.Size > c.DB.tuning.HashMaxListpackEntries.Load() || !c.listpackValues(pairs) {
		ent.Enc |= encHashtable
	}
	c.touch(key)
	c.emit(&op{code: opKSet, db: c.S.DB, key: key, typ: memtables.TypeHash, enc: ent.Enc,
		expireAt: ent.ExpireAt, version: ent.Version, size: ent.Size})
	c.emit(&op{code: opHSet, phys: c.phys(), key: key, version: ent.Version, vals: pairs})
}

// listpackValues reports whether every field and value fits
// hash-max-listpack-value (Redis's hashTypeTryConversion).
func (c *Ctx) listpackValues(items [][]byte) bool {
	limit := c.DB.tuning.HashMaxListpackValue.Load()
	for _, b := range items {
		if int64(len(b)) > limit {
			return false
		}
	}
	return true
}

// newFields counts the distinct fields of pairs that key (entry e, nil
// when absent) does not hold; ok is false when an engine error was
// replied.
func (c *Ctx) newFields(key []byte, e *memtables.Entry, pairs [][]byte) (n int, ok bool) {
	fields := make([][]byte, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		fields = append(fields, pairs[i])
	}
	ok = true
	added := distinct(fields, func(f []byte) bool {
		if e == nil || !ok {
			return ok
		}
		exists, got := c.hashExists(key, e, f)
		ok = got
		return got && !exists
	})
	return len(added), ok
}

// ---- HSET HMSET HSETNX ----

func cmdHSet(c *Ctx)  { hsetCommand(c, false) }
func cmdHMSet(c *Ctx) { hsetCommand(c, true) }

// hsetCommand is HSET (replies the number of new fields) and HMSET (OK).
func hsetCommand(c *Ctx, hmset bool) {
	if len(c.Args)%2 != 0 {
		c.Error("ERR wrong number of arguments for '" + c.Cmd.Name + "' command")
		return
	}
	key, pairs := c.Args[1], c.Args[2:]
	e, found, ok := c.writeHash(key)
	if !ok {
		return
	}
	var ep *memtables.Entry
	if found {
		ep = &e
	}
	added, ok := c.newFields(key, ep, pairs)
	if !ok {
		return
	}
	c.hashSet(key, ep, pairs, added)
	// Signalled whether or not a field was new: every value was set.
	c.notify(NotifyHash, "hset", key)
	if hmset {
		c.OK()
		return
	}
	c.R.Int(int64(added))
}

func cmdHSetNX(c *Ctx) {
	key, field, val := c.Args[1], c.Args[2], c.Args[3]
	e, found, ok := c.writeHash(key)
	if !ok {
		return
	}
	var ep *memtables.Entry
	if found {
		ep = &e
		exists, ok := c.hashExists(key, ep, field)
		if !ok {
			return
		}
		if exists {
			c.R.Int(0)
			return
		}
	}
	c.hashSet(key, ep, [][]byte{field, val}, 1)
	c.notify(NotifyHash, "hset", key)
	c.R.Int(1)
}

// ---- HGET HMGET HSTRLEN HEXISTS HLEN ----

// readHashField reads one field for a read command (HGET, HSTRLEN,
// HEXISTS), calling fn with its value (valid only during the call):
// exists is false when the key or the field is absent; ok is false when
// an error (WRONGTYPE, engine) was replied.
func (c *Ctx) readHashField(key, field []byte, fn func(v []byte)) (exists, ok bool) {
	e, found, ok := c.readHash(key)
	if !ok || !found {
		return false, ok
	}
	return c.hashView(key, &e, field, fn)
}

func cmdHGet(c *Ctx) {
	// The value is replied from the store's memory, not copied first.
	if exists, ok := c.readHashField(c.Args[1], c.Args[2], c.R.Bulk); ok && !exists {
		c.R.Null()
	}
}

func cmdHMGet(c *Ctx) {
	key := c.Args[1]
	e, found, ok := c.readHash(key)
	if !ok {
		return
	}
	fields := c.Args[2:]
	vals := make([][]byte, len(fields))
	present := make([]bool, len(fields))
	if found {
		for i, f := range fields {
			if vals[i], present[i], ok = c.hashGet(key, &e, f); !ok {
				return
			}
		}
	}
	c.R.Array(len(fields))
	for i := range fields {
		if present[i] {
			c.R.Bulk(vals[i])
		} else {
			c.R.Null()
		}
	}
}

func cmdHStrLen(c *Ctx) {
	n := 0
	if _, ok := c.readHashField(c.Args[1], c.Args[2], func(v []byte) { n = len(v) }); ok {
		c.R.Int(int64(n))
	}
}

func cmdHExists(c *Ctx) {
	if exists, ok := c.readHashField(c.Args[1], c.Args[2], func([]byte) {}); ok {
		c.R.Int(setBit(exists))
	}
}

func cmdHLen(c *Ctx) {
	e, found, ok := c.readHash(c.Args[1])
	if ok {
		if !found {
			e.Size = 0
		}
		c.R.Int(e.Size)
	}
}

// ---- HDEL ----

func cmdHDel(c *Ctx) {
	key := c.Args[1]
	e, found, ok := c.writeHash(key)
	if !ok {
		return
	}
	if !found {
		c.R.Int(0)
		return
	}
	failed := false
	del := distinct(c.Args[2:], func(f []byte) bool {
		exists, ok := c.hashExists(key, &e, f)
		failed = failed || !ok
		return ok && exists
	})
	if failed {
		return
	}
	switch {
	case len(del) == 0:
	case int64(len(del)) >= e.Size:
		c.deleteKey(c.S.DB, key, &e) // the last fields: the key goes
		// Redis signals the fields' deletion, then the key's.
		c.notify(NotifyHash, "hdel", key)
		c.notify(NotifyGeneric, "del", key)
	default:
		e.Size -= int64(len(del))
		c.touch(key)
		c.emit(&op{code: opKSet, db: c.S.DB, key: key, typ: memtables.TypeHash, enc: e.Enc,
			expireAt: e.ExpireAt, version: e.Version, size: e.Size})
		c.emit(&op{code: opHDel, phys: c.phys(), key: key, version: e.Version, vals: del})
		c.notify(NotifyHash, "hdel", key)
	}
	c.R.Int(int64(len(del)))
}

// ---- HGETALL HKEYS HVALS ----

// hashAll reads every field of key (entry e) in storage order; ok is false
// when an engine error was replied.
//
// The bytes go into one arena, and the arena and slices are the session's,
// reused by its next command (a copy per field and value made HGETALL of
// 100 fields mostly allocation and garbage collection). The results are
// valid until the session's next hashAll.
func (c *Ctx) hashAll(key []byte, e *memtables.Entry) (fields, vals [][]byte, ok bool) {
	sc := &c.S.scratch
	sc.arena, sc.ends = sc.arena[:0], sc.ends[:0]
	err := c.DB.hashScan(c.phys(), key, e.Version, func(f, v []byte) bool {
		sc.arena = append(sc.arena, f...)
		sc.ends = append(sc.ends, len(sc.arena))
		sc.arena = append(sc.arena, v...)
		sc.ends = append(sc.ends, len(sc.arena))
		return true
	})
	if err != nil {
		c.Error("ERR " + err.Error())
		return nil, nil, false
	}
	fields, vals = sc.fields[:0], sc.vals[:0]
	start := 0
	for i := 0; i < len(sc.ends); i += 2 {
		fields = append(fields, sc.arena[start:sc.ends[i]:sc.ends[i]])
		vals = append(vals, sc.arena[sc.ends[i]:sc.ends[i+1]:sc.ends[i+1]])
		start = sc.ends[i+1]
	}
	if cap(sc.arena) > maxScratch {
		// A huge hash's arena is not kept for the session's lifetime.
		*sc = scratch{}
	} else {
		sc.fields, sc.vals = fields, vals
	}
	return fields, vals, true
}

func cmdHGetAll(c *Ctx) { hashAllCommand(c, true, true) }
func cmdHKeys(c *Ctx)   { hashAllCommand(c, true, false) }
func cmdHVals(c *Ctx)   { hashAllCommand(c, false, true) }

// hashAllCommand is HGETALL (a map in RESP3), HKEYS and HVALS.
func hashAllCommand(c *Ctx, withFields, withVals bool) {
	key := c.Args[1]
	e, found, ok := c.readHash(key)
	if !ok {
		return
	}
	header := func(n int) {
		if withFields && withVals {
			c.R.Map(n)
		} else {
			c.R.Array(n)
		}
	}
	if rw, ok := c.R.(Rewinder); ok && found {
		// Streamed: the scan's fields go to the reply as it yields them,
		// under the count the keyspace keeps, instead of being copied
		// into the session's scratch first: 14–18% of HGETALL's CPU on a
		// hash of 100 fields (docs/bench.md).
		mark := rw.Mark()
		header(int(e.Size))
		var n int64
		err := c.DB.hashScanSized(c.phys(), key, e.Version, e.Size, func(f, v []byte) bool {
			if withFields {
				c.R.Bulk(f)
			}
			if withVals {
				c.R.Bulk(v)
			}
			n++
			return true
		})
		if err == nil && n == e.Size {
			return
		}
		// Taken back: the built reply below reports the error, or has the
		// fields the scan found.
		rw.Rewind(mark)
	}
	var fields, vals [][]byte
	if found {
		if fields, vals, ok = c.hashAll(key, &e); !ok {
			return
		}
	}
	header(len(fields))
	for i := range fields {
		if withFields {
			c.R.Bulk(fields[i])
		}
		if withVals {
			c.R.Bulk(vals[i])
		}
	}
}

// ---- HINCRBY HINCRBYFLOAT ----

func cmdHIncrBy(c *Ctx) {
	key, field := c.Args[1], c.Args[2]
	incr, ok := parseInt(c.Args[3])
	if !ok {
		c.Error(errNotInt)
		return
	}
	e, found, ok := c.writeHash(key)
	if !ok {
		return
	}
	var cur int64
	var exists bool
	var ep *memtables.Entry
	if found {
		ep = &e
		var v []byte
		if v, exists, ok = c.hashGet(key, ep, field); !ok {
			return
		}
		if exists {
			if cur, ok = parseInt(v); !ok {
				c.Error("ERR hash value is not an integer")
				return
			}
		}
	}
	if (incr < 0 && cur < 0 && incr < math.MinInt64-cur) || (incr > 0 && cur > 0 && incr > math.MaxInt64-cur) {
		c.Error(errOverflow)
		return
	}
	n := cur + incr
	c.hashSet(key, ep, [][]byte{field, strconv.AppendInt(nil, n, 10)}, addedIf(!exists))
	c.notify(NotifyHash, "hincrby", key)
	c.R.Int(n)
}

func addedIf(b bool) int {
	if b {
		return 1
	}
	return 0
}

func cmdHIncrByFloat(c *Ctx) {
	key, field := c.Args[1], c.Args[2]
	incr := new(big.Float).SetPrec(64)
	incrInf, ok := parseLongDouble(c.Args[3], incr)
	if !ok {
		c.Error(errNotFloat)
		return
	}
	if incrInf != 0 {
		c.Error("ERR value is NaN or Infinity")
		return
	}
	e, found, ok := c.writeHash(key)
	if !ok {
		return
	}
	cur := new(big.Float).SetPrec(64)
	var exists bool
	var ep *memtables.Entry
	if found {
		ep = &e
		var v []byte
		if v, exists, ok = c.hashGet(key, ep, field); !ok {
			return
		}
		if exists {
			if inf, ok := parseLongDouble(v, cur); !ok || inf != 0 {
				if !ok {
					c.Error("ERR hash value is not a float")
					return
				}
				c.Error("ERR increment would produce NaN or Infinity")
				return
			}
		}
	}
	sum := new(big.Float).SetPrec(64).SetMode(big.ToNearestEven).Add(cur, incr)
	if longDoubleOverflows(sum) {
		c.Error("ERR increment would produce NaN or Infinity")
		return
	}
	s := formatLongDouble(sum)
	c.hashSet(key, ep, [][]byte{field, s}, addedIf(!exists))
	c.notify(NotifyHash, "hincrbyfloat", key)
	c.R.Bulk(s)
}

// ---- HRANDFIELD ----

func cmdHRandField(c *Ctx) {
	key := c.Args[1]
	if len(c.Args) == 2 {
		e, found, ok := c.readHash(key)
		if !ok {
			return
		}
		if !found {
			c.R.Null()
			return
		}
		if f, ok := c.hashRandomField(key, &e); ok {
			c.R.Bulk(f)
		}
		return
	}
	l, withValues, ok := c.randCountArgs("withvalues")
	if !ok {
		return
	}
	e, found, ok := c.readHash(key)
	if !ok {
		return
	}
	if !found || l == 0 {
		c.R.Array(0)
		return
	}
	// A count small beside a large hash picks its fields one random seek
	// each (Redis's cases 1 and 4 of hrandfieldWithCountCommand, which
	// pick from the dict): reading the whole hash for them made
	// HRANDFIELD h 5 on a 63k-field hash run 33 times a second.
	n := l
	if n < 0 {
		n = -n
	}
	if e.Enc&encHashtable != 0 && n <= e.Size/3 {
		fields, vals, ok := c.hashRandomPairs(key, &e, int(n), l > 0, withValues)
		if ok {
			replyHashPairs(c, fields, vals, withValues)
		}
		return
	}
	fields, vals, ok := c.hashAll(key, &e)
	if !ok {
		return
	}
	// Indexes to reply: with repetition for a negative count, else
	// distinct, all of them when the count covers the hash.
	var idx []int
	switch {
	case l < 0 || l == 1:
		n := int(min(-l, math.MaxInt32))
		if l == 1 {
			n = 1
		}
		idx = make([]int, n)
		for i := range idx {
			idx[i] = rand.IntN(len(fields))
		}
	case l >= int64(len(fields)):
		idx = make([]int, len(fields))
		for i := range idx {
			idx[i] = i
		}
	default:
		idx = rand.Perm(len(fields))[:l]
	}
	picked := make([][]byte, len(idx))
	var pickedVals [][]byte
	if withValues {
		pickedVals = make([][]byte, len(idx))
	}
	for j, i := range idx {
		picked[j] = fields[i]
		if withValues {
			pickedVals[j] = vals[i]
		}
	}
	replyHashPairs(c, picked, pickedVals, withValues)
}

// replyHashPairs replies HRANDFIELD's fields, with their values when
// withValues (flat in RESP2, nested pairs in RESP3).
func replyHashPairs(c *Ctx, fields, vals [][]byte, withValues bool) {
	if withValues && c.R.Proto() == 2 {
		c.R.Array(2 * len(fields))
	} else {
		c.R.Array(len(fields))
	}
	for i, f := range fields {
		if withValues && c.R.Proto() > 2 {
			c.R.Array(2)
		}
		c.R.Bulk(f)
		if withValues {
			c.R.Bulk(vals[i])
		}
	}
}

// hashRandomPairs picks n fields (and their values when withValues) one
// random seek each, as hashRandomField does; distinct: no field twice,
// for which n must be well below the hash's size (a third at most).
func (c *Ctx) hashRandomPairs(key []byte, e *memtables.Entry, n int, distinct, withValues bool) (fields, vals [][]byte, ok bool) {
	var seen map[string]bool
	if distinct {
		seen = make(map[string]bool, n)
	}
	for len(fields) < n {
		f, v, err := c.randomPair(key, e, withValues)
		if err != nil {
			c.Error("ERR " + err.Error())
			return nil, nil, false
		}
		if f == nil { // not what the keyspace said: report it, not loop
			c.Error("ERR hash " + string(key) + " has no fields in its engine")
			return nil, nil, false
		}
		if distinct {
			if seen[string(f)] {
				continue
			}
			seen[string(f)] = true
		}
		fields = append(fields, f)
		if withValues {
			vals = append(vals, v)
		}
	}
	return fields, vals, true
}

// hashRandomField picks a field by seeking to a random field hash: the
// first field at or after it, wrapping around. O(log n) reads instead of
// reading the hash; fields after wide gaps in hash space are likelier, as
// with Redis's dictGetFairRandomKey's buckets, but every field can come.
func (c *Ctx) hashRandomField(key []byte, e *memtables.Entry) ([]byte, bool) {
	pick, _, err := c.randomPair(key, e, false)
	if err != nil {
		c.Error("ERR " + err.Error())
		return nil, false
	}
	return pick, true
}

// randomPair is hashRandomField's seek: a field (nil when the engine has
// none) and, when withValue, its value, both copied.
func (c *Ctx) randomPair(key []byte, e *memtables.Entry, withValue bool) (f, v []byte, err error) {
	take := func(_ uint64, field, value []byte) bool {
		f = bytes.Clone(field)
		if withValue {
			v = bytes.Clone(value)
		}
		return false
	}
	err = c.DB.hashScanFrom(c.phys(), key, e.Version, rand.Uint64(), take)
	if err == nil && f == nil {
		err = c.DB.hashScanFrom(c.phys(), key, e.Version, 0, take)
	}
	return f, v, err
}

// ---- HSCAN ----

// cmdHScan: a hash with Redis's listpack encoding is returned whole with
// cursor 0, as Redis does. A larger one is scanned in field-hash order
// (the engine's storage order, hashKey): the cursor is the field hash to
// resume at, so a field present for the whole scan is always returned
// (a field may come twice only if two fields share a 64-bit hash).
func cmdHScan(c *Ctx) {
	cursor, ok := parseScanCursor(c.Args[2])
	if !ok {
		c.Error("ERR invalid cursor")
		return
	}
	key := c.Args[1]
	e, found, ok := c.readHash(key)
	if !ok {
		return
	}
	if !found {
		c.R.Array(2)
		c.R.BulkString("0")
		c.R.Array(0)
		return
	}
	count, pat, _, ok := c.scanOptions(3, false)
	if !ok {
		return
	}
	whole := e.Enc&encHashtable == 0
	if whole {
		cursor = 0 // a listpack comes whole, whatever the cursor
	}
	var out [][]byte
	if !whole {
		out = make([][]byte, 0, 2*min(count, 1024))
	}
	// The fields and values are copied end to end into one buffer (the
	// slices taken from it stay valid when it grows): two allocations
	// per field, and the growth of out, were a fifth of HSCAN's CPU.
	var copied []byte
	next := uint64(0)
	visited := 0
	err := c.DB.hashScanFrom(c.phys(), key, e.Version, cursor, func(h uint64, f, v []byte) bool {
		if !whole && visited >= count {
			next = h
			return false
		}
		visited++
		if pat == nil || globMatch(pat, f) {
			at := len(copied)
			copied = append(append(copied, f...), v...)
			out = append(out, copied[at:at+len(f):at+len(f)], copied[at+len(f):len(copied):len(copied)])
		}
		return true
	})
	if err != nil {
		c.Error("ERR " + err.Error())
		return
	}
	c.R.Array(2)
	c.R.BulkString(strconv.FormatUint(next, 10))
	c.R.Array(len(out))
	for _, b := range out {
		c.R.Bulk(b)
	}
}
