package keel

import (
	"math"

	"github.com/keeldb/keel/memtables"
)

// Helpers shared by the command files of the in-memory value types
// (lists.go, sets.go, zsets.go, sort.go).
//
// A list, set or zset key is two things: its keyspace entry (type, expiry,
// version) and its value in the type's engine, keyed by physical database.
// Writes keep them in step within one record:
//
//   - a write to an absent key calls createKey (keyspace entry) before
//     emitting the engine op that creates the value;
//   - an engine op that empties a value removes it from the engine
//     (apply, DeleteIfEmpty); the command then calls dropIfEmpty, which
//     deletes the keyspace entry, so no key ever holds an empty value;
//   - replacing a key of any type (…STORE destinations) goes through
//     replaceKey, which drops the old value and overwrites the entry.
//
// Every write touches WATCH (createKey, dropIfEmpty and touch do).
//
// Keyspace notifications follow Redis's notifyKeyspaceEvent calls: a
// command signals its event after emitting the change it announces, then
// dropIfEmpty signals del when the key went; createKey's emit signals new.

// phys is the physical id of the session's database.
func (c *Ctx) phys() uint32 { return c.DB.ks.PhysDB(c.S.DB) }

// readValue looks key up for a read command and checks its type: found is
// false when the key is absent; ok is false when WRONGTYPE was replied.
func (c *Ctx) readValue(key []byte, typ memtables.Type) (found, ok bool) {
	e, found := c.readKey(key)
	if !found {
		return false, true
	}
	if e.Type != typ {
		c.Error(errWrongType)
		return true, false
	}
	return true, true
}

// writeValue is readValue for write commands (an expired key is deleted
// and the delete logged; no hit/miss counting).
func (c *Ctx) writeValue(key []byte, typ memtables.Type) (found, ok bool) {
	e, found := c.lookupWrite(key)
	if !found {
		return false, true
	}
	if e.Type != typ {
		c.Error(errWrongType)
		return true, false
	}
	return true, true
}

// valueIn returns key's value in engine e after look (readValue or
// writeValue) found it with type typ.
func valueIn[V memtables.Value[V]](c *Ctx, e *memtables.Values[V], key []byte, typ memtables.Type,
	look func([]byte, memtables.Type) (bool, bool)) (v V, found, ok bool) {
	if found, ok = look(key, typ); found && ok {
		v, _ = e.Get(c.phys(), key)
	}
	return v, found, ok
}

// readList returns key's list for a read; see readValue.
func (c *Ctx) readList(key []byte) (*memtables.List, bool, bool) {
	return valueIn(c, c.DB.lists, key, memtables.TypeList, c.readValue)
}

// writeList returns key's list for a write command; see writeValue. The
// list must not be changed directly: emit ops.
func (c *Ctx) writeList(key []byte) (*memtables.List, bool, bool) {
	return valueIn(c, c.DB.lists, key, memtables.TypeList, c.writeValue)
}

// readSet returns key's set for a read; see readValue.
func (c *Ctx) readSet(key []byte) (*memtables.Set, bool, bool) {
	return valueIn(c, c.DB.sets, key, memtables.TypeSet, c.readValue)
}

// writeSet returns key's set for a write command; see writeValue.
func (c *Ctx) writeSet(key []byte) (*memtables.Set, bool, bool) {
	return valueIn(c, c.DB.sets, key, memtables.TypeSet, c.writeValue)
}

// readZSet returns key's sorted set for a read; see readValue.
func (c *Ctx) readZSet(key []byte) (*memtables.ZSet, bool, bool) {
	return valueIn(c, c.DB.zsets, key, memtables.TypeZSet, c.readValue)
}

// writeZSet returns key's sorted set for a write command; see writeValue.
func (c *Ctx) writeZSet(key []byte) (*memtables.ZSet, bool, bool) {
	return valueIn(c, c.DB.zsets, key, memtables.TypeZSet, c.writeValue)
}

// holds reports, replying nothing, whether key (looked up for a write)
// holds a value of type typ: a blocked waiter served from a key that now
// holds another type keeps waiting instead of getting WRONGTYPE.
func (c *Ctx) holds(key []byte, typ memtables.Type) bool {
	e, found := c.lookupWrite(key)
	return found && e.Type == typ
}

// firstOfType returns the first of keys (looked up for a write, in order)
// that holds a value of type typ: the key LMPOP, ZMPOP and the blocking
// pops take from. A key of another type before it is an error: ok is
// false and WRONGTYPE was replied. found is false when none holds one
// (the key itself may be empty, even nil, so it cannot say so).
func (c *Ctx) firstOfType(keys [][]byte, typ memtables.Type) (key []byte, found, ok bool) {
	for _, k := range keys {
		found, ok := c.writeValue(k, typ)
		if !ok {
			return nil, false, false
		}
		if found {
			return k, true, true
		}
	}
	return nil, false, true
}

// distinct returns the distinct items of ms for which keep is true, in
// order (SADD's new members, SREM's, ZREM's and HDEL's present ones);
// keep is asked once per distinct item.
func distinct(ms [][]byte, keep func(m []byte) bool) [][]byte {
	if len(ms) == 1 { // SADD, SREM, ZREM of one member: no allocation
		if keep(ms[0]) {
			return ms[:1:1]
		}
		return nil
	}
	out := make([][]byte, 0, len(ms))
	var seen map[string]struct{}
	if len(ms) > 1 {
		seen = make(map[string]struct{}, len(ms))
	}
	for _, m := range ms {
		if seen != nil {
			if _, dup := seen[string(m)]; dup {
				continue
			}
			seen[string(m)] = struct{}{}
		}
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// randCountArgs parses ZRANDMEMBER's and HRANDFIELD's "count [with]"
// from c.Args[2:] (with is "withscores" or "withvalues"), in Redis's order
// of checks, before the key is looked up. ok is false when the error was
// replied.
func (c *Ctx) randCountArgs(with string) (count int64, withPairs, ok bool) {
	count, ok = parseInt(c.Args[2])
	if !ok {
		c.Error(errNotInt)
		return 0, false, false
	}
	if count == math.MinInt64 {
		c.Error(errRandCount)
		return 0, false, false
	}
	if len(c.Args) > 4 || len(c.Args) == 4 && !eqFold(c.Args[3], with) {
		c.Error(errSyntax)
		return 0, false, false
	}
	if len(c.Args) == 4 {
		// The reply holds two items per element: Redis bounds the count.
		if count < -math.MaxInt64/2 || count > math.MaxInt64/2 {
			c.Error(errRandRange)
			return 0, false, false
		}
		return count, true, true
	}
	return count, false, true
}

// mpopArgs parses the arguments of LMPOP and ZMPOP (and their blocking
// forms, whose timeout comes first) from numkeys at c.Args[at]: the keys,
// the end to pop from as parsed by end (LEFT|RIGHT, MIN|MAX) and the
// count (1 when not given), in Redis's order of checks. ok is false when
// the error was replied.
func (c *Ctx) mpopArgs(at int, end func(arg []byte) (bool, bool)) (keys [][]byte, first bool, count int, ok bool) {
	args := c.Args
	numkeys, okn := parseInt(args[at])
	if !okn || numkeys < 1 {
		c.Error("ERR numkeys should be greater than 0")
		return nil, false, 0, false
	}
	// The end argument follows the keys; numkeys may be huge.
	if numkeys > int64(len(args)-at-2) {
		c.Error(errSyntax)
		return nil, false, 0, false
	}
	where := at + int(numkeys) + 1
	if first, ok = end(args[where]); !ok {
		return nil, false, 0, false
	}
	count = -1
	for j := where + 1; j < len(args); j++ {
		if count == -1 && eqFold(args[j], "count") && j+1 < len(args) {
			j++
			n, okc := parseInt(args[j])
			if !okc || n < 1 {
				c.Error("ERR count should be greater than 0")
				return nil, false, 0, false
			}
			count = int(min(n, math.MaxInt32))
			continue
		}
		c.Error(errSyntax)
		return nil, false, 0, false
	}
	if count == -1 {
		count = 1
	}
	return args[at+1 : where], first, count, true
}

// createKey logs the keyspace entry of a new key of type typ (no expiry,
// version = this record's LSN). The caller has checked the key is absent
// (or deleted it) and emits the engine op that creates the value next.
func (c *Ctx) createKey(key []byte, typ memtables.Type) {
	c.touchKey(c.S.DB, key)
	c.emit(&op{code: opKSet, db: c.S.DB, key: key, typ: typ, version: c.w.lsn})
}

// replaceKey makes key a new key of type typ, whatever it held, as
// Redis's setKey does for a …STORE destination; the caller emits the op
// that writes the value next. The key is looked up for a write (an expired
// one is deleted and signalled as expired, and the key is then new); a
// live one is overwritten in place (dbOverwrite): its old value goes, its
// keyspace entry is replaced (no expiry, a new version) and it is not
// signalled as new.
func (c *Ctx) replaceKey(key []byte, typ memtables.Type) {
	if e, ok := c.lookupWrite(key); ok {
		c.dropValue(key, e.Type, e.Version, e.Enc)
	}
	c.createKey(key, typ)
}

// dropValue logs the removal of key's value (type typ, its entry's version
// and encoding) from its type's engine, leaving the keyspace entry to the
// caller, which overwrites it: what deleteKey (command.go) removes besides
// the entry.
func (c *Ctx) dropValue(key []byte, typ memtables.Type, version uint64, enc uint8) {
	c.dropValueIn(c.S.DB, key, typ, version, enc)
}

// dropValueIn is dropValue in database dbi (deleteKey's engine half).
func (c *Ctx) dropValueIn(dbi int, key []byte, typ memtables.Type, version uint64, enc uint8) {
	phys := c.DB.ks.PhysDB(dbi)
	switch typ {
	case memtables.TypeString:
		if enc != encInt { // an inline integer has nothing in the engine
			c.emit(&op{code: opSDel, phys: phys, key: key})
		}
	case memtables.TypeList:
		c.emit(&op{code: opLDel, phys: phys, key: key})
	case memtables.TypeSet:
		c.emit(&op{code: opTDel, phys: phys, key: key})
	case memtables.TypeZSet:
		c.emit(&op{code: opZDel, phys: phys, key: key})
	case memtables.TypeHash:
		c.emit(&op{code: opHDropKey, phys: phys, key: key, version: version})
	case memtables.TypeStream:
		c.emit(&op{code: opXDropKey, phys: phys, key: key, version: version})
	default:
		panic("keel: dropValue of type " + typ.String())
	}
}

// deleteIfExists deletes key (any type) if it is in the keyspace, even
// expired, as Redis's dbDelete does for a …STORE whose result is empty (an
// expired destination is deleted, not expired). It reports whether
// something was deleted; the caller signals del then.
func (c *Ctx) deleteIfExists(key []byte) bool {
	e, ok := c.DB.ks.Get(c.S.DB, key)
	if !ok {
		return false
	}
	p := *e
	c.deleteKey(c.S.DB, key, &p)
	return true
}

// touch marks key modified for WATCH.
func (c *Ctx) touch(key []byte) { c.touchKey(c.S.DB, key) }

// dropIfEmpty follows an engine op that removed elements from key: it
// deletes the keyspace entry when the op emptied (and so removed) the
// value, signalling del, and touches the key for WATCH either way. It
// reports whether the key is gone. The caller signals its own event
// first: Redis signals the removal, then the key's deletion.
func (c *Ctx) dropIfEmpty(key []byte, typ memtables.Type) bool {
	phys := c.phys()
	var present bool
	switch typ {
	case memtables.TypeList:
		_, present = c.DB.lists.Get(phys, key)
	case memtables.TypeSet:
		_, present = c.DB.sets.Get(phys, key)
	case memtables.TypeZSet:
		_, present = c.DB.zsets.Get(phys, key)
	default:
		panic("keel: dropIfEmpty of type " + typ.String())
	}
	if present {
		c.touch(key)
		return false
	}
	c.emit(&op{code: opKDel, db: c.S.DB, key: key})
	c.touch(key)
	c.notify(NotifyGeneric, "del", key)
	return true
}
