package keel

// String commands (Redis t_string.c): GET SET SETNX SETEX PSETEX MGET MSET
// MSETNX GETSET GETDEL GETEX APPEND STRLEN INCR INCRBY INCRBYFLOAT DECR
// DECRBY GETRANGE SUBSTR SETRANGE LCS. The bit commands live in bits.go.
//
// A string is a keyspace entry (type, expiry, version, size) plus its value
// in the strings engine, with one exception, the inline integers below.
// Entry.Size equals the value's length, so STRLEN, APPEND and SETRANGE never
// read the value. Every change is logged as its effect (DESIGN invariant 2):
// relative expiries become absolute milliseconds, INCR and INCRBYFLOAT
// become a put of the resulting string, APPEND and SETRANGE become opSAppend
// and opSSetRange.
//
// Inline integers. A value Redis would encode as "int" (the canonical
// decimal of an int64, as INCR writes and tryObjectEncoding recognizes) is
// held by the keyspace alone: the entry's Enc is encInt and its Size is the
// integer itself, not a length. Invariant: a string key has a value in the
// strings engine if and only if its Enc is not encInt. So INCR on a counter
// neither reads nor writes the strings engine (it costs what a keyspace
// update costs), GET of a counter reads no segment, and the memory is that of
// the entry, which has the 8 bytes anyway. Every other value, of any length,
// lives on disk. What keeps the invariant:
//   - putStringEnc deletes the engine's value when a string becomes inline,
//     and writes it whole when an inline string becomes anything else;
//   - the in-place edits (APPEND, SETRANGE, SETBIT, BITFIELD) first write the
//     inline value to the engine (materializeInt), then edit it there;
//   - deleteKey, and COPY's value copier, skip the engine for inline values.
//
// A string's version is the LSN of its value's last write (a put, an edit,
// a copy, or the delete that made it inline): every op that writes the
// strings engine for a key goes with an opKSet of the record's LSN, and an
// opKSet without such a write keeps the version it had. Reads pass it to
// the engine (viewString), which then skips the layers of writes newer than
// it and reads the one file whose LSN range holds it, past every bloom
// filter (segments.Store.ViewHinted). Version 0 is a string whose last
// write nobody knows (written by a keel that kept the creation LSN there;
// see opKSetString): read as before.

import (
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/keeldb/keel/memtables"
)

// maxStringLen is Redis's proto-max-bulk-len default: no command may build a
// string longer than this (APPEND, SETRANGE, SETBIT, BITFIELD).
const maxStringLen = 512 << 20

func init() {
	rd := []string{"read", "string", "fast"}
	rs := []string{"read", "string", "slow"}
	wf := []string{"write", "string", "fast"}
	ws := []string{"write", "string", "slow"}
	Register(
		&Command{Name: "get", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rd, Group: "string", Summary: "Get the value of a key", Since: "1.0.0", Handler: cmdGet},
		&Command{Name: "set", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagShort, FirstKey: 1, LastKey: 1, Step: 1, ACL: ws, Group: "string", Summary: "Set the string value of a key", Since: "1.0.0", Handler: cmdSet},
		&Command{Name: "setnx", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "string", Summary: "Set the value of a key, only if the key does not exist", Since: "1.0.0", Handler: cmdSetNX},
		&Command{Name: "setex", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagShort, FirstKey: 1, LastKey: 1, Step: 1, ACL: ws, Group: "string", Summary: "Set the value and expiration of a key", Since: "2.0.0", Handler: cmdSetEX},
		&Command{Name: "psetex", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagShort, FirstKey: 1, LastKey: 1, Step: 1, ACL: ws, Group: "string", Summary: "Set the value and expiration in milliseconds of a key", Since: "2.6.0", Handler: cmdPSetEX},
		&Command{Name: "mget", Arity: -2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: -1, Step: 1, ACL: rd, Group: "string", Summary: "Get the values of all the given keys", Since: "1.0.0", Handler: cmdMGet},
		&Command{Name: "mset", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagShort, FirstKey: 1, LastKey: -1, Step: 2, ACL: ws, Group: "string", Summary: "Set multiple keys to multiple values", Since: "1.0.1", Handler: cmdMSet},
		&Command{Name: "msetnx", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagShort, FirstKey: 1, LastKey: -1, Step: 2, ACL: ws, Group: "string", Summary: "Set multiple keys to multiple values, only if none of the keys exist", Since: "1.0.1", Handler: cmdMSetNX},
		&Command{Name: "getset", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "string", Summary: "Set the string value of a key and return its old value", Since: "1.0.0", Handler: cmdGetSet},
		&Command{Name: "getdel", Arity: 2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "string", Summary: "Get the value of a key and delete the key", Since: "6.2.0", Handler: cmdGetDel},
		&Command{Name: "getex", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "string", Summary: "Get the value of a key and optionally set its expiration", Since: "6.2.0", Handler: cmdGetEX},
		&Command{Name: "append", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "string", Summary: "Append a value to a key", Since: "2.0.0", Handler: cmdAppend},
		&Command{Name: "strlen", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rd, Group: "string", Summary: "Get the length of the value stored in a key", Since: "2.2.0", Handler: cmdStrlen},
		&Command{Name: "incr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "string", Summary: "Increment the integer value of a key by one", Since: "1.0.0", Handler: cmdIncr},
		&Command{Name: "incrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "string", Summary: "Increment the integer value of a key by the given amount", Since: "1.0.0", Handler: cmdIncrBy},
		&Command{Name: "incrbyfloat", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "string", Summary: "Increment the float value of a key by the given amount", Since: "2.6.0", Handler: cmdIncrByFloat},
		&Command{Name: "decr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "string", Summary: "Decrement the integer value of a key by one", Since: "1.0.0", Handler: cmdDecr},
		&Command{Name: "decrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: "string", Summary: "Decrement the integer value of a key by the given number", Since: "1.0.0", Handler: cmdDecrBy},
		&Command{Name: "getrange", Arity: 4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: "string", Summary: "Get a substring of the string stored at a key", Since: "2.4.0", Handler: cmdGetRange},
		&Command{Name: "substr", Arity: 4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: "string", Summary: "Get a substring of the string stored at a key", Since: "1.0.0", Handler: cmdGetRange},
		&Command{Name: "setrange", Arity: 4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, ACL: ws, Group: "string", Summary: "Overwrite part of a string at key starting at the specified offset", Since: "2.2.0", Handler: cmdSetRange},
		&Command{Name: "lcs", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 2, Step: 1, ACL: rs, Group: "string", Summary: "Find longest common substring", Since: "7.0.0", Handler: cmdLCS},
	)
}

// ---- shared helpers (also used by bits.go) ----

// lookupRead looks key up the way Redis's lookupKeyRead does: it counts a
// keyspace hit or miss, and in a write context (a write command, or any
// command inside EXEC) it deletes an expired key as lookupWrite does. The
// entry is returned by value: later ops may change the keyspace's copy.
func (c *Ctx) lookupRead(key []byte) (memtables.Entry, bool) {
	e, ok := c.readKey(key)
	if !ok {
		return memtables.Entry{}, false
	}
	return e.Load(), true
}

// getString reads the value of key, a live string whose keyspace entry is
// e, from the strings engine. An engine error (corruption) or a value that
// disagrees with the keyspace is an error: bad data is never served.
func (c *Ctx) getString(key []byte, e *memtables.Entry) ([]byte, error) {
	var v []byte
	err := c.viewString(key, e, func(b []byte) { v = append(make([]byte, 0, len(b)), b...) })
	return v, err
}

// viewString is getString without the copy: fn gets the value, valid only
// during the call, and is not called when the engine disagrees with the
// keyspace (the error says how). The storage key is built in the
// session's scratch.
func (c *Ctx) viewString(key []byte, e *memtables.Entry, fn func(v []byte)) error {
	sc := &c.S.scratch
	if e.Enc == encInt {
		sc.num = strconv.AppendInt(sc.num[:0], e.Size, 10)
		fn(sc.num)
		return nil
	}
	sc.key = stringKeyIn(sc.key[:0], c.DB.ks.PhysDB(c.S.DB), c.slotOf(key), key)
	got := -1 // the engine's length when it differs from the keyspace's
	// The keyspace says the value is in the engine (ViewPresent), written
	// last at e.Version (0: unknown).
	ok, err := c.viewEngine(c.DB.strs, sc.key, true, e.Version, &c.S.strHints, func(v []byte) {
		if int64(len(v)) != e.Size {
			got = len(v)
			return
		}
		fn(v)
	})
	if cap(sc.key) > maxScratch {
		sc.key = nil
	}
	switch {
	case err != nil:
		return err
	case !ok && e.Size == 0:
		fn([]byte{})
	case !ok:
		return fmt.Errorf("keel: string %q is in the keyspace (%d bytes) but not in the strings engine", key, e.Size)
	case got >= 0:
		return fmt.Errorf("keel: string %q has %d bytes in the strings engine, the keyspace says %d", key, got, e.Size)
	}
	return nil
}

// readString looks key up for reading (lookupRead) and reads its value.
// found is false when the key is absent; ok is false when an error reply
// (wrong type, engine error) was written.
func (c *Ctx) readString(key []byte) (val []byte, found, ok bool) {
	e, found := c.lookupRead(key)
	if !found {
		return nil, false, true
	}
	if e.Type != memtables.TypeString {
		c.Error(errWrongType)
		return nil, true, false
	}
	v, err := c.getString(key, &e)
	if err != nil {
		c.Error("ERR " + err.Error())
		return nil, true, false
	}
	return v, true, true
}

// lookupStringWrite is lookupWrite plus the type check; ok is false when the
// WRONGTYPE error was replied.
func (c *Ctx) lookupStringWrite(key []byte) (e memtables.Entry, found, ok bool) {
	p, found := c.lookupWrite(key)
	if !found {
		return memtables.Entry{}, false, true
	}
	if p.Type != memtables.TypeString {
		c.Error(errWrongType)
		return p.Load(), true, false
	}
	return p.Load(), true, true
}

// readStringWrite is lookupStringWrite plus reading the value.
func (c *Ctx) readStringWrite(key []byte) (e memtables.Entry, val []byte, found, ok bool) {
	e, found, ok = c.lookupStringWrite(key)
	if !found || !ok {
		return e, nil, found, ok
	}
	v, err := c.getString(key, &e)
	if err != nil {
		c.Error("ERR " + err.Error())
		return e, nil, true, false
	}
	return e, v, true, true
}

// putString stores val at key as Redis's setKey does. prev is the key's live
// entry, nil when absent. A key of another type loses its value, but the
// key is overwritten, not deleted and added (no "new" event). The string's
// version is the record's LSN, its value's last write. The expiry is
// expireAt (0 = none) unless keepTTL keeps prev's.
func (c *Ctx) putString(key, val []byte, prev *memtables.Entry, expireAt int64, keepTTL bool) {
	c.putStringEnc(key, val, prev, expireAt, keepTTL, encAuto)
}

// String encoding hints kept in the keyspace (memtables.Entry.Enc) so that
// OBJECT ENCODING answers as Redis does, whose encoding depends on how the
// value was made, not only on its bytes. Part of the checkpoint and record
// formats.
const (
	encAuto   uint8 = 0 // tryObjectEncoding: int, embstr (<= 44 bytes) or raw
	encRaw    uint8 = 1 // edited in place (APPEND, SETRANGE, SETBIT, BITFIELD, BITOP)
	encEmbstr uint8 = 2 // createStringObject (INCRBYFLOAT): embstr if <= 44 bytes
	// encInt: an encAuto value that is an int64's canonical decimal, held
	// inline: Entry.Size is the integer and the strings engine has no
	// value for the key (see the file comment). OBJECT ENCODING: int.
	encInt uint8 = 3
)

// inlineInt reports whether a value stored with encoding hint enc is held
// inline, and the integer: enc is encAuto and v is the canonical decimal of
// an int64 (what Redis's string2l accepts: no sign but a leading '-', no
// leading zeros, no "-0", at most 20 bytes).
func inlineInt(v []byte, enc uint8) (int64, bool) {
	if enc != encAuto || len(v) == 0 || len(v) > 20 {
		return 0, false
	}
	n, ok := parseInt(v)
	if !ok {
		return 0, false
	}
	var buf [20]byte
	return n, string(strconv.AppendInt(buf[:0], n, 10)) == string(v)
}

// strLen is the length of the string value whose entry is e.
func strLen(e *memtables.Entry) int64 {
	if e.Enc == encInt {
		var buf [20]byte
		return int64(len(strconv.AppendInt(buf[:0], e.Size, 10)))
	}
	return e.Size
}

// materializeInt writes an inline integer's decimal to the strings engine
// and makes *e (key's live entry, updated in place) an ordinary string of
// that length, before an in-place edit of the value; a no-op for any other
// value. Part of the caller's record.
func (c *Ctx) materializeInt(key []byte, e *memtables.Entry) {
	if e.Enc != encInt {
		return
	}
	var buf [20]byte
	v := strconv.AppendInt(buf[:0], e.Size, 10)
	e.Enc, e.Size, e.Version = encRaw, int64(len(v)), c.w.lsn
	dbi := c.S.DB
	c.emit(&op{code: opKSet, db: dbi, key: key, typ: memtables.TypeString, enc: e.Enc, expireAt: e.ExpireAt, version: e.Version, size: e.Size})
	c.emit(&op{code: opSPut, phys: c.DB.ks.PhysDB(dbi), key: key, val: v})
}

// putStringEnc is putString with an explicit encoding hint.
func (c *Ctx) putStringEnc(key, val []byte, prev *memtables.Entry, expireAt int64, keepTTL bool, enc uint8) {
	dbi := c.S.DB
	version := c.w.lsn // the value's write (or, inline, its delete)
	inEngine := false  // the strings engine holds a value for key
	if prev != nil {
		p := *prev // prev may point into the keyspace, which the ops change
		if keepTTL {
			expireAt = p.ExpireAt
		}
		if p.Type == memtables.TypeString {
			inEngine = p.Enc != encInt
		} else {
			// Overwritten, not deleted (Redis's dbOverwrite): the key
			// is not new.
			c.dropValue(key, p.Type, p.Version, p.Enc)
		}
	}
	c.touchKey(dbi, key)
	if n, ok := inlineInt(val, enc); ok {
		c.emit(&op{code: opKSet, db: dbi, key: key, typ: memtables.TypeString, enc: encInt, expireAt: expireAt, version: version, size: n})
		if inEngine {
			c.emit(&op{code: opSDel, phys: c.DB.ks.PhysDB(dbi), key: key})
		}
		return
	}
	c.emit(&op{code: opKSet, db: dbi, key: key, typ: memtables.TypeString, enc: enc, expireAt: expireAt, version: version, size: int64(len(val))})
	c.emit(&op{code: opSPut, phys: c.DB.ks.PhysDB(dbi), key: key, val: val})
}

// writeStringRange logs a write of data at offset into key's value (zero
// padding up to offset) and the new size. prev is the existing string's
// entry (its expiry is kept), nil to create the key.
func (c *Ctx) writeStringRange(key []byte, prev *memtables.Entry, newSize, offset int64, data []byte) {
	dbi := c.S.DB
	version, expireAt := c.w.lsn, int64(0)
	if prev != nil {
		expireAt = prev.ExpireAt
	}
	c.touchKey(dbi, key)
	c.emit(&op{code: opKSet, db: dbi, key: key, typ: memtables.TypeString, enc: encRaw, expireAt: expireAt, version: version, size: newSize})
	c.emit(&op{code: opSSetRange, phys: c.DB.ks.PhysDB(dbi), key: key, offset: offset, val: data})
}

// checkStringLength is Redis's checkStringLength: size+add may not exceed
// proto-max-bulk-len.
func (c *Ctx) checkStringLength(size, add int64) bool {
	total := size + add
	if total > maxStringLen || total < size || total < add {
		c.Error(errStringTooBig)
		return false
	}
	return true
}

// ---- GET SET and friends ----

func cmdGet(c *Ctx) { c.replyString(c.Args[1]) }

// replyString replies key's string value, or nil when the key is absent.
// ok is false after an error reply (WRONGTYPE, engine error); found tells
// whether the key held a string.
func (c *Ctx) replyString(key []byte) (found, ok bool) {
	e, found := c.lookupRead(key)
	switch {
	case !found:
		c.R.Null()
		return false, true
	case e.Type != memtables.TypeString:
		c.Error(errWrongType)
		return false, false
	}
	// The value is replied from the store's memory, not copied first.
	if err := c.viewString(key, &e, c.R.Bulk); err != nil {
		c.Error("ERR " + err.Error())
		return false, false
	}
	return true, true
}

// expiry kinds of SET and GETEX.
const (
	expNone = iota
	expEX
	expPX
	expEXAT
	expPXAT
)

// setOpts are the parsed options of SET (forSet) or GETEX, as Redis's
// parseExtendedStringArgumentsOrReply accepts them: NX/XX exclusive,
// KEEPTTL/PERSIST exclusive with any expiry, the expiry kinds exclusive with
// each other but each repeatable (the last one wins).
type setOpts struct {
	nx, xx, get, keepTTL, persist bool
	exp                           int
	expArg                        []byte
}

func parseSetOpts(args [][]byte, forSet bool) (setOpts, bool) {
	var o setOpts
	for j := 0; j < len(args); j++ {
		a := args[j]
		next := j+1 < len(args)
		kind := expNone
		switch {
		case forSet && eqFold(a, "nx") && !o.xx:
			o.nx = true
			continue
		case forSet && eqFold(a, "xx") && !o.nx:
			o.xx = true
			continue
		case forSet && eqFold(a, "get"):
			o.get = true
			continue
		case forSet && eqFold(a, "keepttl") && o.exp == expNone:
			o.keepTTL = true
			continue
		case !forSet && eqFold(a, "persist") && o.exp == expNone:
			o.persist = true
			continue
		case eqFold(a, "ex"):
			kind = expEX
		case eqFold(a, "px"):
			kind = expPX
		case eqFold(a, "exat"):
			kind = expEXAT
		case eqFold(a, "pxat"):
			kind = expPXAT
		}
		if kind == expNone || o.keepTTL || o.persist || (o.exp != expNone && o.exp != kind) || !next {
			return o, false
		}
		o.exp = kind
		o.expArg = args[j+1]
		j++
	}
	return o, true
}

// expireAt converts o's expiry argument to an absolute unix time in ms as
// Redis's getExpireMillisecondsOrReply does (including its wrapping
// arithmetic: a sum past int64 is an invalid expire time). ok is false when
// an error was replied.
func (c *Ctx) expireAt(o *setOpts) (int64, bool) {
	n, ok := parseInt(o.expArg)
	if !ok {
		c.Error(errNotInt)
		return 0, false
	}
	secs := o.exp == expEX || o.exp == expEXAT
	if n <= 0 || (secs && n > math.MaxInt64/1000) {
		c.Error(fmt.Sprintf(errInvalidExp, c.Cmd.Name))
		return 0, false
	}
	if secs {
		n *= 1000
	}
	if o.exp == expEX || o.exp == expPX {
		n += c.Now
	}
	if n <= 0 {
		c.Error(fmt.Sprintf(errInvalidExp, c.Cmd.Name))
		return 0, false
	}
	return n, true
}

// setGeneric is Redis's setGenericCommand. intReply selects SETNX's :1/:0
// replies instead of +OK/nil.
func (c *Ctx) setGeneric(key, val []byte, o *setOpts, intReply bool) {
	var at int64
	if o.exp != expNone {
		var ok bool
		if at, ok = c.expireAt(o); !ok {
			return
		}
	}
	if o.get {
		if _, ok := c.replyString(key); !ok {
			return
		}
	}
	e, found := c.lookupWrite(key)
	if (o.nx && found) || (o.xx && !found) {
		if !o.get {
			if intReply {
				c.R.Int(0)
			} else {
				c.R.Null()
			}
		}
		return
	}
	c.putString(key, val, e, at, o.keepTTL)
	c.notify(NotifyString, "set", key)
	if o.exp != expNone {
		c.notify(NotifyGeneric, "expire", key)
	}
	if !o.get {
		if intReply {
			c.R.Int(1)
		} else {
			c.OK()
		}
	}
}

func cmdSet(c *Ctx) {
	o, ok := parseSetOpts(c.Args[3:], true)
	if !ok {
		c.Error(errSyntax)
		return
	}
	c.setGeneric(c.Args[1], c.Args[2], &o, false)
}

func cmdSetNX(c *Ctx) {
	c.setGeneric(c.Args[1], c.Args[2], &setOpts{nx: true}, true)
}

func cmdSetEX(c *Ctx) {
	c.setGeneric(c.Args[1], c.Args[3], &setOpts{exp: expEX, expArg: c.Args[2]}, false)
}

func cmdPSetEX(c *Ctx) {
	c.setGeneric(c.Args[1], c.Args[3], &setOpts{exp: expPX, expArg: c.Args[2]}, false)
}

func cmdMGet(c *Ctx) {
	// Read everything first: an engine error must not leave half an array.
	vals := make([][]byte, len(c.Args)-1)
	have := make([]bool, len(vals))
	for i, k := range c.Args[1:] {
		e, found := c.lookupRead(k)
		if !found || e.Type != memtables.TypeString {
			continue
		}
		v, err := c.getString(k, &e)
		if err != nil {
			c.Error("ERR " + err.Error())
			return
		}
		vals[i], have[i] = v, true
	}
	c.R.Array(len(vals))
	for i, v := range vals {
		if have[i] {
			c.R.Bulk(v)
		} else {
			c.R.Null()
		}
	}
}

func (c *Ctx) msetGeneric(nx bool) {
	if len(c.Args)%2 == 0 {
		c.Error(fmt.Sprintf("ERR wrong number of arguments for '%s' command", c.Cmd.Name))
		return
	}
	c.DB.prefetchMSet(c.S, c.Args)
	if nx {
		for j := 1; j < len(c.Args); j += 2 {
			if _, found := c.lookupWrite(c.Args[j]); found {
				c.R.Int(0)
				return
			}
		}
	}
	for j := 1; j < len(c.Args); j += 2 {
		e, _ := c.lookupWrite(c.Args[j])
		c.putString(c.Args[j], c.Args[j+1], e, 0, false)
		c.notify(NotifyString, "set", c.Args[j])
	}
	if nx {
		c.R.Int(1)
	} else {
		c.OK()
	}
}

func cmdMSet(c *Ctx)   { c.msetGeneric(false) }
func cmdMSetNX(c *Ctx) { c.msetGeneric(true) }

func cmdGetSet(c *Ctx) {
	key := c.Args[1]
	if _, ok := c.replyString(key); !ok {
		return
	}
	e, _ := c.lookupWrite(key)
	c.putString(key, c.Args[2], e, 0, false)
	c.notify(NotifyString, "set", key)
}

func cmdGetDel(c *Ctx) {
	key := c.Args[1]
	if found, ok := c.replyString(key); !ok || !found {
		return
	}
	if e, found := c.lookupWrite(key); found {
		c.deleteKey(c.S.DB, key, e)
		c.notify(NotifyGeneric, "del", key)
	}
}

func cmdGetEX(c *Ctx) {
	key := c.Args[1]
	o, ok := parseSetOpts(c.Args[2:], false)
	if !ok {
		c.Error(errSyntax)
		return
	}
	e, found := c.lookupRead(key)
	if !found {
		c.R.Null()
		return
	}
	if e.Type != memtables.TypeString {
		c.Error(errWrongType)
		return
	}
	var at int64
	if o.exp != expNone {
		if at, ok = c.expireAt(&o); !ok {
			return
		}
	}
	v, err := c.getString(key, &e)
	if err != nil {
		c.Error("ERR " + err.Error())
		return
	}
	c.R.Bulk(v)
	dbi := c.S.DB
	switch {
	case (o.exp == expEXAT || o.exp == expPXAT) && at <= c.Now:
		// An absolute time already past deletes the key (Redis propagates
		// a DEL).
		c.deleteKey(dbi, key, &e)
		c.notify(NotifyGeneric, "del", key)
	case o.exp != expNone:
		c.touchKey(dbi, key)
		c.emit(&op{code: opKExpire, db: dbi, key: key, expireAt: at})
		c.notify(NotifyGeneric, "expire", key)
	case o.persist && e.ExpireAt != 0:
		c.touchKey(dbi, key)
		c.emit(&op{code: opKExpire, db: dbi, key: key, expireAt: 0})
		c.notify(NotifyGeneric, "persist", key)
	}
}

func cmdAppend(c *Ctx) {
	key, add := c.Args[1], c.Args[2]
	e, found, ok := c.lookupStringWrite(key)
	if !ok {
		return
	}
	if !found {
		c.putString(key, add, nil, 0, false)
		c.notify(NotifyString, "append", key)
		c.R.Int(int64(len(add)))
		return
	}
	if !c.checkStringLength(strLen(&e), int64(len(add))) {
		return
	}
	c.materializeInt(key, &e)
	dbi := c.S.DB
	total := e.Size + int64(len(add))
	c.touchKey(dbi, key)
	version := e.Version // an empty append writes no value
	if len(add) > 0 {
		version = c.w.lsn
	}
	// Redis unshares the value even for an empty append: it becomes raw.
	c.emit(&op{code: opKSet, db: dbi, key: key, typ: memtables.TypeString, enc: encRaw, expireAt: e.ExpireAt, version: version, size: total})
	if len(add) > 0 {
		c.emit(&op{code: opSAppend, phys: c.DB.ks.PhysDB(dbi), key: key, val: add})
	}
	c.notify(NotifyString, "append", key)
	c.R.Int(total)
}

func cmdStrlen(c *Ctx) {
	e, found := c.lookupRead(c.Args[1])
	if !found {
		c.R.Int(0)
		return
	}
	if e.Type != memtables.TypeString {
		c.Error(errWrongType)
		return
	}
	c.R.Int(strLen(&e))
}

// ---- counters ----

// incrDecr is Redis's incrDecrCommand: the new value keeps the key's TTL and
// is logged as a put of its decimal form.
func (c *Ctx) incrDecr(incr int64) {
	key := c.Args[1]
	e, found, ok := c.lookupStringWrite(key)
	if !ok {
		return
	}
	var cur int64
	if found && e.Enc == encInt {
		cur = e.Size
	} else if found {
		// Parsed in place: the value is not copied out of the store.
		parsed := false
		if err := c.viewString(key, &e, func(v []byte) { cur, parsed = parseInt(v) }); err != nil {
			c.Error("ERR " + err.Error())
			return
		}
		if !parsed {
			c.Error(errNotInt)
			return
		}
	}
	if (incr < 0 && cur < 0 && incr < math.MinInt64-cur) ||
		(incr > 0 && cur > 0 && incr > math.MaxInt64-cur) {
		c.Error(errOverflow)
		return
	}
	n := cur + incr
	sc := &c.S.scratch
	sc.num = strconv.AppendInt(sc.num[:0], n, 10)
	s := sc.num
	if found {
		c.putString(key, s, &e, 0, true)
	} else {
		c.putString(key, s, nil, 0, false)
	}
	c.notify(NotifyString, "incrby", key)
	c.R.Int(n)
}

func cmdIncr(c *Ctx) { c.incrDecr(1) }
func cmdDecr(c *Ctx) { c.incrDecr(-1) }

func cmdIncrBy(c *Ctx) {
	n, ok := parseInt(c.Args[2])
	if !ok {
		c.Error(errNotInt)
		return
	}
	c.incrDecr(n)
}

func cmdDecrBy(c *Ctx) {
	n, ok := parseInt(c.Args[2])
	if !ok {
		c.Error(errNotInt)
		return
	}
	if n == math.MinInt64 {
		c.Error("ERR decrement would overflow")
		return
	}
	c.incrDecr(-n)
}

func cmdIncrByFloat(c *Ctx) {
	key := c.Args[1]
	e, v, found, ok := c.readStringWrite(key)
	if !ok {
		return
	}
	cur := new(big.Float).SetPrec(64)
	curInf := 0
	if found {
		if curInf, ok = parseLongDouble(v, cur); !ok {
			c.Error(errNotFloat)
			return
		}
	}
	incr := new(big.Float).SetPrec(64)
	incrInf, ok := parseLongDouble(c.Args[2], incr)
	if !ok {
		c.Error(errNotFloat)
		return
	}
	// Any infinite operand makes an infinite or NaN sum.
	if curInf != 0 || incrInf != 0 {
		c.Error("ERR increment would produce NaN or Infinity")
		return
	}
	sum := new(big.Float).SetPrec(64).SetMode(big.ToNearestEven).Add(cur, incr)
	if longDoubleOverflows(sum) {
		c.Error("ERR increment would produce NaN or Infinity")
		return
	}
	s := formatLongDouble(sum)
	if found {
		c.putStringEnc(key, s, &e, 0, true, encEmbstr)
	} else {
		c.putStringEnc(key, s, nil, 0, false, encEmbstr)
	}
	c.notify(NotifyString, "incrbyfloat", key)
	c.R.Bulk(s)
}

// x87 80-bit long double, which Redis's INCRBYFLOAT computes in on amd64:
// a 64-bit mantissa and a binary exponent such that every finite value is
// below 2^16384; the smallest subnormal is 2^-16445.
const (
	ldMaxExp    = 16384  // |x| < 2^ldMaxExp
	ldMinExp    = -16445 // smallest subnormal 2^ldMinExp
	ldMaxDigits = 5*1024 - 1
)

// longDoubleOverflows reports whether x (at 64-bit precision) is beyond the
// long double range, i.e. would be infinite.
func longDoubleOverflows(x *big.Float) bool {
	if x.IsInf() {
		return true
	}
	if x.Sign() == 0 {
		return false
	}
	return x.MantExp(nil) > ldMaxExp // 2^(exp-1) <= |x| < 2^exp
}

// parseLongDouble parses b as Redis's string2ld (strtold) does into z (64-bit
// precision, correctly rounded). inf is +1/-1 for an infinite value, whose
// value z does not hold. ok is false for what Redis rejects: empty or too
// long input, leading space, trailing garbage, NaN, and values that overflow
// or underflow to zero. The whole input must parse, so a NUL byte is
// trailing garbage.
func parseLongDouble(b []byte, z *big.Float) (inf int, ok bool) {
	if len(b) == 0 || len(b) > ldMaxDigits {
		return 0, false
	}
	i := 0
	neg := false
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		i++
	}
	rest := b[i:]
	if eqFold(rest, "inf") || eqFold(rest, "infinity") {
		if neg {
			return -1, true
		}
		return 1, true
	}
	var ok2 bool
	if len(rest) > 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X') {
		ok2 = parseHexFloat(rest[2:], z)
	} else {
		ok2 = parseDecFloat(rest, z)
	}
	if !ok2 {
		return 0, false
	}
	if neg {
		z.Neg(z)
	}
	if z.Sign() == 0 {
		return 0, true
	}
	e := z.MantExp(nil)
	if e > ldMaxExp || e <= ldMinExp-1 { // overflow, or below half the smallest subnormal
		return 0, false
	}
	return 0, true
}

// parseDecFloat parses digits[.digits][e[+-]digits] (at least one mantissa
// digit) exactly, rounding once to z's precision.
func parseDecFloat(s []byte, z *big.Float) bool {
	mant := make([]byte, 0, len(s))
	i, n := 0, len(s)
	intDigits, fracDigits := 0, 0
	for i < n && s[i] >= '0' && s[i] <= '9' {
		mant = append(mant, s[i])
		i++
		intDigits++
	}
	if i < n && s[i] == '.' {
		i++
		for i < n && s[i] >= '0' && s[i] <= '9' {
			mant = append(mant, s[i])
			i++
			fracDigits++
		}
	}
	if intDigits+fracDigits == 0 {
		return false
	}
	exp, ok := parseExponent(s, &i, 'e', 'E')
	if !ok || i != n {
		return false
	}
	// Strip leading zeros; all zeros is an exact zero whatever the exponent.
	k := 0
	for k < len(mant) && mant[k] == '0' {
		k++
	}
	if k == len(mant) {
		z.SetInt64(0)
		return true
	}
	digits := mant[k:]
	exp -= int64(fracDigits)
	// The value is in [10^(mag-1), 10^mag): reject what is certainly out of
	// range before doing exact arithmetic with 10^|exp|.
	mag := exp + int64(len(digits))
	if mag > 4934 {
		return false // >= 1e4933 > LDBL_MAX
	}
	if mag < -4952 {
		return false // < 1e-4952, rounds to zero
	}
	num, _ := new(big.Int).SetString(string(digits), 10)
	ten := big.NewInt(10)
	if exp >= 0 {
		num.Mul(num, new(big.Int).Exp(ten, big.NewInt(exp), nil))
		z.SetMode(big.ToNearestEven).SetInt(num)
		return true
	}
	den := new(big.Int).Exp(ten, big.NewInt(-exp), nil)
	a := new(big.Float).SetInt(num) // exact: precision = bit length
	d := new(big.Float).SetInt(den)
	z.SetMode(big.ToNearestEven).Quo(a, d)
	return true
}

// parseHexFloat parses hexdigits[.hexdigits][p[+-]digits] (after "0x").
func parseHexFloat(s []byte, z *big.Float) bool {
	mant := new(big.Int)
	i, n := 0, len(s)
	digits, frac := 0, 0
	hexVal := func(ch byte) int {
		switch {
		case ch >= '0' && ch <= '9':
			return int(ch - '0')
		case ch >= 'a' && ch <= 'f':
			return int(ch-'a') + 10
		case ch >= 'A' && ch <= 'F':
			return int(ch-'A') + 10
		}
		return -1
	}
	for i < n && hexVal(s[i]) >= 0 {
		mant.Lsh(mant, 4).Or(mant, big.NewInt(int64(hexVal(s[i]))))
		i++
		digits++
	}
	if i < n && s[i] == '.' {
		i++
		for i < n && hexVal(s[i]) >= 0 {
			mant.Lsh(mant, 4).Or(mant, big.NewInt(int64(hexVal(s[i]))))
			i++
			digits++
			frac++
		}
	}
	if digits == 0 {
		return false
	}
	exp, ok := parseExponent(s, &i, 'p', 'P')
	if !ok || i != n {
		return false
	}
	exp -= 4 * int64(frac)
	z.SetMode(big.ToNearestEven).SetInt(mant)
	if z.Sign() == 0 {
		return true
	}
	e := int64(z.MantExp(nil)) + exp
	if e > ldMaxExp+1 || e < ldMinExp-1 {
		return false // overflow, or underflow to zero (and SetMantExp's int would overflow)
	}
	z.SetMantExp(z, int(exp))
	return true
}

// formatLongDouble formats x as Redis's ld2string(LD_STR_HUMAN): "%.17Lf",
// trailing zeros and a trailing '.' removed, "-0" as "0".
func formatLongDouble(x *big.Float) []byte {
	b := x.Append(nil, 'f', 17)
	for j := 0; j < len(b); j++ {
		if b[j] != '.' {
			continue
		}
		for len(b) > 0 && b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		if b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
		break
	}
	if len(b) == 2 && b[0] == '-' && b[1] == '0' {
		b = b[1:]
	}
	return b
}

// ---- ranges ----

func cmdGetRange(c *Ctx) {
	start, ok := parseInt(c.Args[2])
	if !ok {
		c.Error(errNotInt)
		return
	}
	end, ok := parseInt(c.Args[3])
	if !ok {
		c.Error(errNotInt)
		return
	}
	v, found, ok := c.readString(c.Args[1])
	if !ok {
		return
	}
	if !found {
		c.R.Bulk([]byte{})
		return
	}
	n := int64(len(v))
	if start < 0 && end < 0 && start > end {
		c.R.Bulk([]byte{})
		return
	}
	start, end, empty := clampRange(start, end, n)
	if empty {
		c.R.Bulk([]byte{})
		return
	}
	c.R.Bulk(v[start : end+1])
}

func cmdSetRange(c *Ctx) {
	key, val := c.Args[1], c.Args[3]
	offset, ok := parseInt(c.Args[2])
	if !ok {
		c.Error(errNotInt)
		return
	}
	if offset < 0 {
		c.Error(errOffsetRange)
		return
	}
	e, found, ok := c.lookupStringWrite(key)
	if !ok {
		return
	}
	if !found {
		if len(val) == 0 {
			c.R.Int(0)
			return
		}
		if !c.checkStringLength(offset, int64(len(val))) {
			return
		}
		size := offset + int64(len(val))
		c.writeStringRange(key, nil, size, offset, val)
		c.notify(NotifyString, "setrange", key)
		c.R.Int(size)
		return
	}
	if len(val) == 0 {
		c.R.Int(strLen(&e))
		return
	}
	if !c.checkStringLength(offset, int64(len(val))) {
		return
	}
	c.materializeInt(key, &e)
	size := max(e.Size, offset+int64(len(val)))
	c.writeStringRange(key, &e, size, offset, val)
	c.notify(NotifyString, "setrange", key)
	c.R.Int(size)
}

// ---- LCS ----

func cmdLCS(c *Ctx) {
	ea, fa := c.lookupRead(c.Args[1])
	eb, fb := c.lookupRead(c.Args[2])
	if (fa && ea.Type != memtables.TypeString) || (fb && eb.Type != memtables.TypeString) {
		c.Error("ERR The specified keys must contain string values")
		return
	}
	a, b := []byte{}, []byte{}
	var err error
	if fa {
		if a, err = c.getString(c.Args[1], &ea); err != nil {
			c.Error("ERR " + err.Error())
			return
		}
	}
	if fb {
		if b, err = c.getString(c.Args[2], &eb); err != nil {
			c.Error("ERR " + err.Error())
			return
		}
	}
	var getLen, getIdx, withMatchLen bool
	var minMatchLen int64
	for j := 3; j < len(c.Args); j++ {
		opt := c.Args[j]
		more := len(c.Args) - 1 - j
		switch {
		case eqFold(opt, "idx"):
			getIdx = true
		case eqFold(opt, "len"):
			getLen = true
		case eqFold(opt, "withmatchlen"):
			withMatchLen = true
		case eqFold(opt, "minmatchlen") && more > 0:
			n, ok := parseInt(c.Args[j+1])
			if !ok {
				c.Error(errNotInt)
				return
			}
			minMatchLen = max(n, 0)
			j++
		default:
			c.Error(errSyntax)
			return
		}
	}
	if getIdx && getLen {
		c.Error("ERR If you want both the length and indexes, please just use IDX.")
		return
	}
	if int64(len(a)) >= math.MaxUint32-1 || int64(len(b)) >= math.MaxUint32-1 {
		c.Error("ERR String too long for LCS")
		return
	}
	alen, blen := len(a), len(b)
	cells := uint64(alen+1) * uint64(blen+1)
	if cells*4 > maxStringLen {
		c.Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
		return
	}
	// The dynamic programming table of Redis's lcsCommand, with its exact
	// backtracking, so that IDX reports the same matches.
	w := blen + 1
	lcs := make([]uint32, cells)
	for i := 1; i <= alen; i++ {
		row, prev := lcs[i*w:(i+1)*w], lcs[(i-1)*w:i*w]
		for j := 1; j <= blen; j++ {
			if a[i-1] == b[j-1] {
				row[j] = prev[j-1] + 1
			} else {
				row[j] = max(prev[j], row[j-1])
			}
		}
	}
	total := lcs[alen*w+blen]
	idx := total
	computeLCS := getIdx || !getLen
	var result []byte
	if computeLCS {
		result = make([]byte, idx)
	}
	type lcsMatch struct{ a0, a1, b0, b1, n uint32 }
	var matches []lcsMatch
	aStart, aEnd, bStart, bEnd := uint32(alen), uint32(0), uint32(0), uint32(0)
	i, j := uint32(alen), uint32(blen)
	for computeLCS && i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			result[idx-1] = a[i-1]
			if aStart == uint32(alen) {
				aStart, aEnd = i-1, i-1
				bStart, bEnd = j-1, j-1
			} else if aStart == i && bStart == j {
				aStart--
				bStart--
			} else {
				emit = true
			}
			if aStart == 0 || bStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if lcs[int(i-1)*w+int(j)] > lcs[int(i)*w+int(j-1)] {
				i--
			} else {
				j--
			}
			if aStart != uint32(alen) {
				emit = true
			}
		}
		matchLen := aEnd - aStart + 1
		if emit {
			if minMatchLen == 0 || int64(matchLen) >= minMatchLen {
				if getIdx {
					matches = append(matches, lcsMatch{aStart, aEnd, bStart, bEnd, matchLen})
				}
			}
			aStart = uint32(alen)
		}
	}
	switch {
	case getIdx:
		c.R.Map(2)
		c.R.BulkString("matches")
		c.R.Array(len(matches))
		for _, m := range matches {
			if withMatchLen {
				c.R.Array(3)
			} else {
				c.R.Array(2)
			}
			c.R.Array(2)
			c.R.Int(int64(m.a0))
			c.R.Int(int64(m.a1))
			c.R.Array(2)
			c.R.Int(int64(m.b0))
			c.R.Int(int64(m.b1))
			if withMatchLen {
				c.R.Int(int64(m.n))
			}
		}
		c.R.BulkString("len")
		c.R.Int(int64(total))
	case getLen:
		c.R.Int(int64(idx))
	default:
		c.R.Bulk(result)
	}
}

// parseExponent parses an optional exponent ("e-12", "P+3") at s[*i] as
// strtold does, advancing *i. The marker is lo or hi; the value saturates
// far beyond the long double range. ok is false for a marker without
// digits.
func parseExponent(s []byte, i *int, lo, hi byte) (exp int64, ok bool) {
	n := len(s)
	if *i >= n || (s[*i] != lo && s[*i] != hi) {
		return 0, true
	}
	*i++
	neg := false
	if *i < n && (s[*i] == '+' || s[*i] == '-') {
		neg = s[*i] == '-'
		*i++
	}
	if *i >= n {
		return 0, false
	}
	for *i < n && s[*i] >= '0' && s[*i] <= '9' {
		if exp < 1e9 {
			exp = exp*10 + int64(s[*i]-'0')
		}
		*i++
	}
	if neg {
		exp = -exp
	}
	return exp, true
}
