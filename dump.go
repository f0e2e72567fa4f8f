package keel

// DUMP, RESTORE and RESTORE-ASKING: a key's value in Redis 7.0's
// serialization (the RDB encoding of one object, then RDB version 10 and
// a CRC64: internal/rdb, docs/format/dump.md), so that values move between
// keel and redis-server both ways: a payload keel dumps restores into
// Redis 7.0, and one Redis dumps restores into keel, old encodings
// included.
//
// DUMP writes the encodings Redis would have chosen for the value under
// the configured thresholds (hash-max-listpack-entries, ...,
// list-compress-depth, rdbcompression), from keel's engines: a hash's
// fields in keel's storage order, which is not its insertion order, so
// the bytes of a dump differ from Redis's where the order of the value's
// parts does. RESTORE reads the whole payload into memory before it writes
// anything (as Redis does) and writes the key as the commands that build
// such a value would, in one record: the same engines, encodings and
// limits, but one keyspace event, "restore". MIGRATE (server/migrate.go)
// sends these payloads to another server through DumpKey and deletes
// what it moved with DeleteMigrated.

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/keeldb/keel/internal/rdb"
	"github.com/keeldb/keel/memtables"
)

func init() {
	Register(
		&Command{Name: "dump", Arity: 2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"keyspace", "read", "slow"}, Group: "generic", Summary: "Returns a serialized representation of the value stored at a key.", Since: "2.6.0", Handler: cmdDump},
		&Command{Name: "restore", Arity: -4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"keyspace", "write", "slow", "dangerous"}, Group: "generic", Summary: "Creates a key from the serialized representation of a value.", Since: "2.6.0", Handler: cmdRestore},
		&Command{Name: "restore-asking", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagAsking, FirstKey: 1, LastKey: 1, Step: 1, ACL: []string{"keyspace", "write", "slow", "dangerous"}, Group: "server", Summary: "An internal command for migrating keys in a cluster.", Since: "3.0.0", Handler: cmdRestore},
	)
}

// dumpOptions are the thresholds DUMP chooses encodings by: the
// configured ones, as Redis's would be.
func (db *DB) dumpOptions() rdb.EncodeOptions {
	t := &db.tuning
	o := rdb.DefaultEncodeOptions()
	o.HashMaxListpackEntries = int(t.HashMaxListpackEntries.Load())
	o.HashMaxListpackValue = int(t.HashMaxListpackValue.Load())
	o.ZSetMaxListpackEntries = int(t.ZSetMaxListpackEntries.Load())
	o.ZSetMaxListpackValue = int(t.ZSetMaxListpackValue.Load())
	o.SetMaxIntsetEntries = int(t.SetMaxIntsetEntries.Load())
	o.ListMaxListpackSize = int(t.ListMaxListpackSize.Load())
	o.ListCompressDepth = int(t.ListCompressDepth.Load())
	o.StreamNodeMaxBytes = int(t.StreamNodeMaxBytes.Load())
	o.StreamNodeMaxEntries = int(t.StreamNodeMaxEntries.Load())
	o.Compression = t.RDBCompression.Load() != 0
	return o
}

// cmdDump is DUMP key: the payload, or nil when the key is absent.
func cmdDump(c *Ctx) {
	key := c.Args[1]
	p, found := c.readKey(key)
	if !found {
		c.R.Null()
		return
	}
	v, err := c.rdbValue(key, *p)
	if err != nil {
		c.Error("ERR " + err.Error())
		return
	}
	c.R.Bulk(rdb.Encode(v, c.DB.dumpOptions()))
}

// rdbValue reads key's value (entry e) whole, for DUMP.
func (c *Ctx) rdbValue(key []byte, e memtables.Entry) (*rdb.Value, error) {
	phys := c.phys()
	switch e.Type {
	case memtables.TypeString:
		v, err := c.getString(key, &e)
		return &rdb.Value{Kind: rdb.KindString, Str: v}, err
	case memtables.TypeList:
		l, ok := c.DB.lists.Get(phys, key)
		if !ok {
			return nil, errMissingValue(key, e.Type)
		}
		v := &rdb.Value{Kind: rdb.KindList, Elems: make([][]byte, 0, l.Len())}
		l.Range(0, l.Len()-1, func(b []byte) bool {
			v.Elems = append(v.Elems, append([]byte(nil), b...))
			return true
		})
		return v, nil
	case memtables.TypeSet:
		t, ok := c.DB.sets.Get(phys, key)
		if !ok {
			return nil, errMissingValue(key, e.Type)
		}
		return &rdb.Value{Kind: rdb.KindSet, Elems: t.Members()}, nil
	case memtables.TypeZSet:
		z, ok := c.DB.zsets.Get(phys, key)
		if !ok {
			return nil, errMissingValue(key, e.Type)
		}
		v := &rdb.Value{Kind: rdb.KindZSet, ZSet: make([]rdb.ZMember, 0, z.Len())}
		z.ForEach(func(m string, s float64) bool {
			v.ZSet = append(v.ZSet, rdb.ZMember{Member: []byte(m), Score: s})
			return true
		})
		return v, nil
	case memtables.TypeHash:
		v := &rdb.Value{Kind: rdb.KindHash, Hash: make([]rdb.Field, 0, e.Size)}
		err := c.DB.hashScan(phys, key, e.Version, func(f, val []byte) bool {
			v.Hash = append(v.Hash, rdb.Field{Name: append([]byte(nil), f...), Value: append([]byte(nil), val...)})
			return true
		})
		return v, err
	case memtables.TypeStream:
		return c.dumpStream(key, e)
	}
	return nil, errors.New("keel: DUMP of a key of type " + e.Type.String())
}

func errMissingValue(key []byte, t memtables.Type) error {
	return errors.New("keel: " + t.String() + " " + strconv.Quote(string(key)) + " is in the keyspace but not in its engine")
}

// dumpStream reads a stream whole: its entries, its metadata and its
// consumer groups with their PELs and consumers.
func (c *Ctx) dumpStream(key []byte, e memtables.Entry) (*rdb.Value, error) {
	s, err := c.loadStream(key, &e)
	if err != nil {
		return nil, err
	}
	es, err := s.rangeEntries(minStreamID, maxStreamID, 0, false)
	if err != nil {
		return nil, err
	}
	groups, err := s.groupInfos(0)
	if err != nil {
		return nil, err
	}
	m := &s.meta
	st := &rdb.Stream{Length: m.length, LastID: rdbID(m.lastID), FirstID: rdbID(m.firstID),
		MaxDeletedID: rdbID(m.maxDeleted), EntriesAdded: m.entriesAdded}
	st.Entries = make([]rdb.StreamEntry, len(es))
	for i, x := range es {
		st.Entries[i] = rdb.StreamEntry{ID: rdbID(x.id), Fields: x.fields}
	}
	for _, gi := range groups {
		g := rdb.Group{Name: gi.name, LastID: rdbID(gi.g.lastID), EntriesRead: gi.g.entriesRead}
		for _, p := range gi.pel {
			g.PEL = append(g.PEL, rdb.PendingEntry{ID: rdbID(p.id), DeliveryTimeMs: p.deliveryTime, DeliveryCount: p.deliveryCount})
		}
		for _, ci := range gi.consumers {
			cons := rdb.Consumer{Name: ci.name, SeenTimeMs: ci.cs.seenTime}
			for _, p := range ci.pel {
				cons.PEL = append(cons.PEL, rdbID(p.id))
			}
			g.Consumers = append(g.Consumers, cons)
		}
		st.Groups = append(st.Groups, g)
	}
	return &rdb.Value{Kind: rdb.KindStream, Stream: st}, nil
}

// restoreMemoryMin is the least a RESTORE payload may decode to (see
// cmdRestore): 1 GiB, twice proto-max-bulk-len's default.
const restoreMemoryMin = 1 << 30

func rdbID(id streamID) rdb.StreamID { return rdb.StreamID{Ms: id.ms, Seq: id.seq} }

func keelID(id rdb.StreamID) streamID { return streamID{id.Ms, id.Seq} }

// cmdRestore is RESTORE (and RESTORE-ASKING) key ttl payload [REPLACE]
// [ABSTTL] [IDLETIME seconds] [FREQ frequency], checked in Redis's order:
// the options, the key's absence, the TTL, the payload's version and CRC,
// the payload itself.
func cmdRestore(c *Ctx) {
	var replace, absTTL bool
	idle, freq := int64(-1), int64(-1)
	for j := 4; j < len(c.Args); j++ {
		more := len(c.Args) - j - 1
		a := c.Args[j]
		switch {
		case eqFold(a, "replace"):
			replace = true
		case eqFold(a, "absttl"):
			absTTL = true
		case eqFold(a, "idletime") && more >= 1 && freq == -1:
			n, ok := parseInt(c.Args[j+1])
			if !ok {
				c.Error(errNotInt)
				return
			}
			if n < 0 {
				c.Error("ERR Invalid IDLETIME value, must be >= 0")
				return
			}
			idle = n
			j++
		case eqFold(a, "freq") && more >= 1 && idle == -1:
			n, ok := parseInt(c.Args[j+1])
			if !ok {
				c.Error(errNotInt)
				return
			}
			if n < 0 || n > 255 {
				c.Error("ERR Invalid FREQ value, must be >= 0 and <= 255")
				return
			}
			freq = n
			j++
		default:
			c.Error(errSyntax)
			return
		}
	}
	key := c.Args[1]
	prev, exists := c.lookupWrite(key)
	if exists && !replace {
		c.Error("BUSYKEY Target key name already exists.")
		return
	}
	ttl, ok := parseInt(c.Args[2])
	if !ok {
		c.Error(errNotInt)
		return
	}
	if ttl < 0 {
		c.Error("ERR Invalid TTL value, must be >= 0")
		return
	}
	// LZF may expand a string 88 times: what a payload may decode to is
	// bounded, where Redis has no bound.
	limit := max(restoreMemoryMin, 32*int64(len(c.Args[3])))
	v, err := rdb.DecodeWith(c.Args[3], rdb.DecodeOptions{MaxMemory: limit, SkipChecksum: c.DB.skipDumpChecksum.Load()})
	if err != nil {
		switch {
		case errors.Is(err, rdb.ErrVersionOrChecksum):
			c.Error("ERR DUMP payload version or checksum are wrong")
		case errors.Is(err, rdb.ErrTooLarge):
			c.Error(fmt.Sprintf("ERR keel: the DUMP payload decodes to more than %d bytes", limit))
		default:
			c.Error("ERR Bad data format")
		}
		return
	}
	if ttl > 0 && !absTTL {
		if ttl > math.MaxInt64-c.Now {
			// Redis's sum wraps to a time long past: OK, and no key.
			ttl = 1
		} else {
			ttl += c.Now
		}
	}
	if v.Kind == rdb.KindStream && !streamLoadable(v.Stream) {
		c.Error("ERR Bad data format")
		return
	}
	if exists {
		c.deleteKey(c.S.DB, key, prev)
	}
	if ttl > 0 && ttl <= c.Now {
		// Already expired: the key is only deleted (Redis then
		// propagates a DEL), and the reply is OK all the same.
		if exists {
			c.notify(NotifyGeneric, "del", key)
		}
		c.OK()
		return
	}
	if msg := c.restoreValue(key, v, ttl); msg != "" {
		c.Error(msg)
		return
	}
	// As Redis's objectSetLRUOrLFU: FREQ sets the LFU counter under an
	// LFU policy, IDLETIME the LRU clock under the others; each is
	// accepted and unused under the other kind.
	if e, ok := c.DB.ks.Get(c.S.DB, key); ok {
		switch lfu := c.DB.policy().lfu(); {
		case lfu && freq >= 0:
			atomic.StoreUint32(&e.Access, uint32(time.Now().Unix()/60)&0xffff<<8|uint32(freq))
		case !lfu && idle >= 0:
			now := c.DB.lruClock()
			at := uint32(1)
			if int64(now) > idle {
				at = now - uint32(idle)
			}
			atomic.StoreUint32(&e.Access, at)
		}
	}
	c.notify(NotifyGeneric, "restore", key)
	c.OK()
}

// restoreValue writes v as key (absent) with expiry expireAt (0: none):
// "" or the error reply.
func (c *Ctx) restoreValue(key []byte, v *rdb.Value, expireAt int64) string {
	switch v.Kind {
	case rdb.KindString:
		c.putString(key, v.Str, nil, expireAt, false)
		return ""
	case rdb.KindList:
		c.createKey(key, memtables.TypeList)
		c.emit(&op{code: opLPush, phys: c.phys(), key: key, side: sideOf(false), vals: v.Elems})
	case rdb.KindSet:
		c.createKey(key, memtables.TypeSet)
		c.emit(&op{code: opTAdd, phys: c.phys(), key: key, side: c.setAddFlags(nil, v.Elems), vals: v.Elems})
	case rdb.KindZSet:
		entries, maxValue := c.zsetLimits()
		big := len(v.ZSet) > entries
		vals := make([][]byte, len(v.ZSet))
		for i, m := range v.ZSet {
			vals[i] = m.Member
			big = big || len(m.Member) > maxValue
		}
		scores := make([]float64, len(v.ZSet))
		for i, m := range v.ZSet {
			scores[i] = zsetStored(m.Score, big)
		}
		c.createKey(key, memtables.TypeZSet)
		c.emit(&op{code: opZAdd, phys: c.phys(), key: key, side: zsetFlags(big), vals: vals, scores: scores})
	case rdb.KindHash:
		pairs := make([][]byte, 0, 2*len(v.Hash))
		for _, f := range v.Hash {
			pairs = append(pairs, f.Name, f.Value)
		}
		c.hashSet(key, nil, pairs, len(v.Hash))
	case rdb.KindStream:
		if msg := c.restoreStream(key, v.Stream); msg != "" {
			return msg
		}
	default:
		return "ERR Bad data format"
	}
	if expireAt > 0 {
		c.emit(&op{code: opKExpire, db: c.S.DB, key: key, expireAt: expireAt})
	}
	return ""
}

// restoreStream writes a stream: its entries as XADD appends them (the
// same listpack nodes), its metadata, then each group with its consumers
// and PEL, each PEL entry owned by the consumer whose PEL lists it.
func (c *Ctx) restoreStream(key []byte, st *rdb.Stream) string {
	s := c.createStream(key)
	for _, e := range st.Entries {
		if err := s.appendEntry(keelID(e.ID), e.Fields); err != nil {
			return "ERR " + err.Error()
		}
	}
	s.meta.length = st.Length
	s.meta.lastID = keelID(st.LastID)
	s.meta.firstID = keelID(st.FirstID)
	s.meta.maxDeleted = keelID(st.MaxDeletedID)
	s.meta.entriesAdded = st.EntriesAdded
	s.dirty = true
	for _, g := range st.Groups {
		gs := s.createGroup(g.Name, keelID(g.LastID), g.EntriesRead)
		owner := make(map[rdb.StreamID]*consumerState, len(g.PEL))
		for _, cons := range g.Consumers {
			cs, _, err := gs.consumer(cons.Name, true, false)
			if err != nil {
				return "ERR " + err.Error()
			}
			cs.cs.seenTime = cons.SeenTimeMs
			gs.touch(cs)
			for _, id := range cons.PEL {
				owner[id] = cs
			}
		}
		for _, p := range g.PEL {
			pe := pendingEntry{id: keelID(p.ID), deliveryTime: p.DeliveryTimeMs, deliveryCount: p.DeliveryCount}
			if err := gs.setPending(pe, owner[p.ID], nil); err != nil {
				return "ERR " + err.Error()
			}
		}
		gs.flush()
	}
	s.save()
	return ""
}

// streamLoadable reports whether st is what Redis's loading accepts and
// keel's stream relies on: the length is the entries', the last id is at
// or past them, each consumer's PEL entries are in its group's PEL, owned
// once, and every entry of the group's PEL has an owner.
func streamLoadable(st *rdb.Stream) bool {
	if st.Length != uint64(len(st.Entries)) || len(st.Entries) > 0 && keelID(st.Entries[len(st.Entries)-1].ID).cmp(keelID(st.LastID)) > 0 {
		return false
	}
	for _, g := range st.Groups {
		owned := make(map[rdb.StreamID]bool, len(g.PEL))
		inPEL := make(map[rdb.StreamID]bool, len(g.PEL))
		for _, p := range g.PEL {
			inPEL[p.ID] = true
		}
		for _, cons := range g.Consumers {
			for _, id := range cons.PEL {
				if !inPEL[id] || owned[id] {
					return false
				}
				owned[id] = true
			}
		}
		if len(owned) != len(inPEL) || len(inPEL) != len(g.PEL) {
			return false
		}
	}
	return true
}

// DumpKey is MIGRATE's read of key in the session's database: its DUMP
// payload and remaining TTL in ms (0: none; at least 1 while it lives),
// found false when it is absent or expired. The command must be a write
// (MIGRATE deletes what it moved, in the same record).
func (c *Ctx) DumpKey(key []byte) (payload []byte, ttl int64, found bool, err error) {
	p, ok := c.readKey(key)
	if !ok {
		return nil, 0, false, nil
	}
	e := *p
	if e.ExpireAt != 0 {
		ttl = max(e.ExpireAt-c.Now, 1)
	}
	v, err := c.rdbValue(key, e)
	if err != nil {
		return nil, 0, false, err
	}
	return rdb.Encode(v, c.DB.dumpOptions()), ttl, true, nil
}

// DeleteMigrated deletes key, which MIGRATE moved to another server, with
// Redis's "del" event. A key gone meanwhile is left alone.
func (c *Ctx) DeleteMigrated(key []byte) {
	if e, ok := c.lookupWrite(key); ok {
		c.deleteKey(c.S.DB, key, e)
		c.notify(NotifyGeneric, "del", key)
	}
}
