package memtables

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"io"
	"maps"
	"math"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
)

// Engine names of the value engines, as written in their checkpoint
// preambles and in the manifest. Part of the on-disk format.
const (
	EngineLists = "lists"
	EngineSets  = "sets"
	EngineZSets = "zsets"
)

// valuesVersion is the checkpoint format version of the value engines
// (docs/format/checkpoint.md, "Engines lists, sets, zsets").
const valuesVersion = 1

// Value is what a value engine stores: *List, *Set or *ZSet.
type Value[V any] interface {
	*List | *Set | *ZSet
	Len() int
	// Clone returns a copy that shares nothing writable with the receiver:
	// the copy-on-write step before the first write to a value that an
	// active snapshot still reads.
	Clone() V
	// snapshotClone returns the copy a writer continues with when an
	// active snapshot of generation gen still reads the receiver: it may
	// share storage with the receiver copy-on-write, and the receiver is
	// never written again.
	snapshotClone(gen uint64) V
	// eachElem calls fn for every element in the value's canonical order
	// (list order, set iteration order, zset rank order) until fn returns
	// false; score is 0 for lists and sets.
	eachElem(fn func(m []byte, score float64) bool)
	// addElem adds an element read from a checkpoint (append for lists).
	// It fails on what the value cannot hold (a duplicate member, NaN).
	addElem(m []byte, score float64) error
	// encFlags are the encoding flags a checkpoint keeps (bit 0: the
	// "big" encoding: hashtable for sets, skiplist for zsets).
	encFlags() byte
	setEncFlags(f byte)
	// MemoryBytes is the heap the value holds, in O(1).
	MemoryBytes() int64
}

// valueShards is the number of independently copied key maps per
// database. A writer's first write to a shard during a snapshot copies that
// shard's map (1/valueShards of the database's keys), never the whole
// database's.
const valueShards = 64

var valueSeed = maphash.MakeSeed()

// Values is one in-memory value engine — lists, sets or sorted sets: per
// physical database, the values by key.
//
// Physical databases (Keyspace.PhysDB) key the engine, so SWAPDB needs no
// op here and FLUSHDB is one Drop.
//
// # Concurrency and snapshots
//
// Like Keyspace, Values relies on the caller's RWMutex: writers (Put,
// Mutable, Delete, Drop, Snapshot, EndSnapshot) hold it exclusively,
// readers (Get, Len) shared. Snapshot captures the engine in O(databases ×
// valueShards) under the write lock; the snapshot is then written with no
// lock held while writers go on. Writers copy before they write: a shard's
// key map the first time it changes after the snapshot (maps.Clone of
// 1/valueShards of that database), and a value the first time Mutable
// hands it out (Clone). The extra memory of a checkpoint is therefore what
// writers touched during it, and the longest pause a writer sees is one
// shard copy plus one value copy.
type Values[V Value[V]] struct {
	name     string
	newValue func() V
	scored   bool // elements carry a score (zsets)
	dbs      map[uint32]*valueDB[V]
	cow      cowState
	memo     valueMemo[V]
	// bytes is the memory of the engine's data: its values' MemoryBytes
	// and their keys' (valueKeyBytes), the sum of the databases' bytes;
	// read without the lock (Bytes). The value Mutable last handed out
	// (open) may have changed since: Settle counts it.
	bytes atomic.Int64
	open  openValue[V]
}

// openValue is the value Mutable last handed out for writing, its
// MemoryBytes as counted, and its database.
type openValue[V any] struct {
	v      V
	ok     bool
	before int64
	d      *valueDB[V]
}

// valueKeyBytes is what a key costs besides its value: its bytes and its
// entry in a shard's map (string header, cell, and the map's share).
func valueKeyBytes(key []byte) int64 { return int64(len(key)) + 48 }

// Bytes is the memory of the engine's data as of the last Settle (or
// write): its values and their keys. Safe without the lock.
func (e *Values[V]) Bytes() int64 { return e.bytes.Load() }

// Settle counts the change of the value Mutable last handed out, which
// its writer may have grown or shrunk since. Writers call it (under the
// exclusive lock) after a write, so that Bytes is current.
func (e *Values[V]) Settle() {
	o := &e.open
	if !o.ok {
		return
	}
	if n := o.v.MemoryBytes(); n != o.before {
		o.d.bytes += n - o.before
		e.bytes.Add(n - o.before)
		o.before = n
	}
}

// count adds n to database d's bytes and the engine's.
func (e *Values[V]) count(d *valueDB[V], n int64) {
	d.bytes += n
	e.bytes.Add(n)
}

// close settles the open value and forgets it.
func (e *Values[V]) close() {
	e.Settle()
	e.open = openValue[V]{}
}

// valueMemo remembers the key Mutable last handed out, so that the
// lookups one write command makes of its key (the handler's Get, the
// apply's Mutable and DeleteIfEmpty, the handler's Get of the result)
// hash and probe the maps once, not four or five times. Only writers set
// it, under the exclusive lock; readers (Get under the shared lock) only
// read it. It always equals the key's cell in its shard map: every
// change of a cell (Mutable) refreshes it, every other change (Put,
// Delete, Drop) clears it.
type valueMemo[V any] struct {
	ok   bool
	phys uint32
	key  []byte // a copy, reused
	cell valueCell[V]
}

// clear forgets the memo, and the value with it (a deleted value must not
// stay reachable from here).
func (m *valueMemo[V]) clear() { *m = valueMemo[V]{key: m.key[:0]} }

// hit reports whether the memo holds key of physical db phys.
func (m *valueMemo[V]) hit(phys uint32, key []byte) bool {
	return m.ok && m.phys == phys && string(m.key) == string(key)
}

type valueDB[V any] struct {
	shards [valueShards]valueShard[V]
	n      int   // keys
	peak   int   // the most keys since the maps were last dropped
	bytes  int64 // the memory of its keys and values (Values.bytes)
}

// keptMapsPeak is the most keys a database may have held for its maps to
// stay when its last key goes: maps that held more are dropped (a map
// does not shrink as keys leave it), smaller ones stay for the next key.
// A queue emptied by every pop (BLPOP/LPUSH ping-pong) made a new map for
// each push, two per round trip, a fifth of the bytes it allocated.
const keptMapsPeak = 4 * valueShards

// added counts a new key of d.
func (d *valueDB[V]) added() {
	if d.n++; d.n > d.peak {
		d.peak = d.n
	}
}

type valueShard[V any] struct {
	gen uint64 // snapshot generation the map was created or copied in
	m   map[string]valueCell[V]
}

type valueCell[V any] struct {
	v   V
	gen uint64 // snapshot generation the value was created or copied in
}

// NewLists returns an empty lists engine.
func NewLists() *Values[*List] { return newValues(EngineLists, NewList, false) }

// NewSets returns an empty sets engine.
func NewSets() *Values[*Set] { return newValues(EngineSets, NewSet, false) }

// NewZSets returns an empty sorted sets engine.
func NewZSets() *Values[*ZSet] { return newValues(EngineZSets, NewZSet, true) }

func newValues[V Value[V]](name string, newValue func() V, scored bool) *Values[V] {
	return &Values[V]{name: name, newValue: newValue, scored: scored, dbs: map[uint32]*valueDB[V]{}}
}

// Name is the engine's name (EngineLists, ...).
func (e *Values[V]) Name() string { return e.name }

func (e *Values[V]) shard(phys uint32, key string, create bool) *valueShard[V] {
	d := e.dbs[phys]
	if d == nil {
		if !create {
			return nil
		}
		d = &valueDB[V]{}
		e.dbs[phys] = d
	}
	return &d.shards[maphash.String(valueSeed, key)%valueShards]
}

// Get returns the value of key in physical database phys. The value may
// be read, not written: writers use Mutable.
func (e *Values[V]) Get(phys uint32, key []byte) (V, bool) {
	if e.memo.hit(phys, key) {
		return e.memo.cell.v, true
	}
	sh := e.shard(phys, string(key), false) // no allocation: see maphash.String
	if sh == nil {
		return nil, false
	}
	c, ok := sh.m[string(key)]
	return c.v, ok
}

// own makes sh's map private to the live engine.
func (e *Values[V]) own(sh *valueShard[V]) {
	if sh.m == nil {
		sh.m = map[string]valueCell[V]{}
		sh.gen = e.cow.gen
		return
	}
	if e.cow.active && sh.gen < e.cow.gen {
		sh.m = maps.Clone(sh.m)
		sh.gen = e.cow.gen
	}
}

// Mutable returns key's value for writing, creating an empty one when
// absent (created reports that). A value an active snapshot shares is
// copied first.
func (e *Values[V]) Mutable(phys uint32, key []byte) (v V, created bool) {
	if e.memo.hit(phys, key) && (!e.cow.active || e.memo.cell.gen >= e.cow.gen) {
		// Open already (a write's second Mutable, or the next write of
		// the same key: its writer settled the last), or opened now.
		if !e.open.ok || e.open.v != e.memo.cell.v {
			e.Settle()
			e.open = openValue[V]{v: e.memo.cell.v, ok: true, before: e.memo.cell.v.MemoryBytes(), d: e.dbs[phys]}
		}
		return e.memo.cell.v, false
	}
	e.Settle()
	sh := e.shard(phys, string(key), true)
	c, ok := sh.m[string(key)]
	d := e.dbs[phys]
	before := int64(0) // a new value's bytes are all counted by Settle
	if ok {
		before = c.v.MemoryBytes()
	}
	if !ok || e.cow.active && c.gen < e.cow.gen {
		e.own(sh)
		if ok {
			// The copy is counted from what the shared one counted.
			c = valueCell[V]{v: c.v.snapshotClone(e.cow.gen), gen: e.cow.gen}
		} else {
			c = valueCell[V]{v: e.newValue(), gen: e.cow.gen}
			d.added()
			e.count(d, valueKeyBytes(key))
		}
		sh.m[string(key)] = c
	}
	e.open = openValue[V]{v: c.v, ok: true, before: before, d: d}
	e.Settle()
	e.memo = valueMemo[V]{ok: true, phys: phys, key: append(e.memo.key[:0], key...), cell: c}
	return c.v, !ok
}

// Put stores v as key's value, replacing any; v must not be shared with
// another key or a snapshot.
func (e *Values[V]) Put(phys uint32, key []byte, v V) {
	e.memo.clear()
	e.close()
	sh := e.shard(phys, string(key), true)
	e.own(sh)
	d := e.dbs[phys]
	if old, ok := sh.m[string(key)]; ok {
		e.count(d, -old.v.MemoryBytes())
	} else {
		d.added()
		e.count(d, valueKeyBytes(key))
	}
	e.count(d, v.MemoryBytes())
	sh.m[string(key)] = valueCell[V]{v: v, gen: e.cow.gen}
}

// Delete removes key; false if absent.
func (e *Values[V]) Delete(phys uint32, key []byte) bool {
	sh := e.shard(phys, string(key), false)
	if sh == nil {
		return false
	}
	old, ok := sh.m[string(key)]
	if !ok {
		return false
	}
	e.memo.clear()
	e.close()
	e.own(sh)
	delete(sh.m, string(key))
	d := e.dbs[phys]
	e.count(d, -valueKeyBytes(key)-old.v.MemoryBytes())
	if d.n--; d.n == 0 && d.peak > keptMapsPeak {
		// The database's last key of this type, after many: its maps go
		// (keptMapsPeak); the database stays for the next key.
		d.shards, d.peak = [valueShards]valueShard[V]{}, 0
	}
	return true
}

// DeleteIfEmpty removes key if its value has no elements (after a pop or
// remove): a key never holds an empty value, as in Redis.
func (e *Values[V]) DeleteIfEmpty(phys uint32, key []byte) {
	if v, ok := e.Get(phys, key); ok && v.Len() == 0 {
		e.Delete(phys, key)
	}
}

// Drop removes every value of physical database phys (FLUSHDB, FLUSHALL).
func (e *Values[V]) Drop(phys uint32) {
	e.memo.clear()
	e.close()
	if d := e.dbs[phys]; d != nil {
		e.bytes.Add(-d.bytes)
	}
	delete(e.dbs, phys)
}

// HasDB reports whether physical database phys has any key here.
func (e *Values[V]) HasDB(phys uint32) bool {
	d := e.dbs[phys]
	return d != nil && d.n > 0
}

// Keys returns the number of keys in all databases.
func (e *Values[V]) Keys() int {
	n := 0
	for _, d := range e.dbs {
		n += d.n
	}
	return n
}

// ValuesSnapshot is a consistent image of a value engine, written by
// WriteTo while the engine keeps changing (see Values).
type ValuesSnapshot[V Value[V]] struct {
	e   *Values[V]
	dbs []snapValueDB[V]
}

type snapValueDB[V any] struct {
	phys   uint32
	shards [valueShards]map[string]valueCell[V]
}

// Snapshot captures the engine. Call it under the caller's write lock;
// write the snapshot with WriteTo without the lock and call EndSnapshot
// under the write lock afterwards. One snapshot at a time.
func (e *Values[V]) Snapshot() *ValuesSnapshot[V] {
	e.cow.gen++
	e.cow.active = true
	s := &ValuesSnapshot[V]{e: e, dbs: make([]snapValueDB[V], 0, len(e.dbs))}
	for phys, d := range e.dbs {
		sd := snapValueDB[V]{phys: phys}
		for i := range d.shards {
			sd.shards[i] = d.shards[i].m
		}
		s.dbs = append(s.dbs, sd)
	}
	return s
}

// EndSnapshot ends copy-on-write; call it under the write lock.
func (e *Values[V]) EndSnapshot() { e.cow.active = false }

// WriteTo writes the snapshot as a checkpoint at lsn
// (docs/format/checkpoint.md). It reads only what no writer changes.
// A value larger than a chunk is split into consecutive records with the
// same key.
func (s *ValuesSnapshot[V]) WriteTo(w io.Writer, lsn LSN) error {
	e := s.e
	cw := &ckptWriter{bw: bufio.NewWriterSize(w, 256<<10), file: xxhash.New()}
	pre := append([]byte(ckptMagic), 0, 0)
	binary.LittleEndian.PutUint16(pre[8:], valuesVersion)
	pre = append(pre, byte(len(e.name)))
	pre = append(pre, e.name...)
	cw.write(pre)
	cw.chunk(chunkMeta, binary.LittleEndian.AppendUint64(nil, lsn))

	var chunks, records uint64
	var head, recs, elems []byte
	count, nelems := 0, 0
	var flags byte
	flush := func(phys uint32) {
		head = binary.AppendUvarint(head[:0], uint64(phys))
		head = binary.AppendUvarint(head, uint64(count))
		cw.chunk(chunkEntries, head, recs)
		chunks++
		records += uint64(count)
		recs, count = recs[:0], 0
	}
	// endRecord closes the record of key holding the elements gathered.
	endRecord := func(key string) {
		recs = binary.AppendUvarint(recs, uint64(len(key)))
		recs = append(recs, key...)
		recs = append(recs, flags)
		recs = binary.AppendUvarint(recs, uint64(nelems))
		recs = append(recs, elems...)
		elems, nelems = elems[:0], 0
		count++
	}
	for _, d := range s.dbs {
		for _, m := range d.shards {
			for key, c := range m {
				flags = c.v.encFlags()
				c.v.eachElem(func(m []byte, score float64) bool {
					elems = binary.AppendUvarint(elems, uint64(len(m)))
					elems = append(elems, m...)
					if e.scored {
						elems = binary.LittleEndian.AppendUint64(elems, math.Float64bits(score))
					}
					if nelems++; len(elems)+len(recs) >= chunkTarget {
						endRecord(key)
						flush(d.phys)
					}
					return cw.err == nil
				})
				if nelems > 0 {
					endRecord(key)
				}
				if len(recs) >= chunkTarget {
					flush(d.phys)
				}
			}
		}
		if count > 0 {
			flush(d.phys)
		}
		if cw.err != nil {
			return cw.err
		}
	}
	tr := binary.LittleEndian.AppendUint64(nil, chunks)
	tr = binary.LittleEndian.AppendUint64(tr, records)
	tr = binary.LittleEndian.AppendUint64(tr, cw.file.Sum64())
	cw.chunk(chunkTrailer, tr)
	if cw.err != nil {
		return cw.err
	}
	if err := cw.bw.Flush(); err != nil {
		return fmt.Errorf("memtables: writing %s checkpoint: %w", e.name, err)
	}
	return nil
}

// ReadLists loads a lists checkpoint; see readValues.
func ReadLists(r io.Reader) (*Values[*List], LSN, error) { return readValues(r, NewLists()) }

// ReadSets loads a sets checkpoint; see readValues.
func ReadSets(r io.Reader) (*Values[*Set], LSN, error) { return readValues(r, NewSets()) }

// ReadZSets loads a zsets checkpoint; see readValues.
func ReadZSets(r io.Reader) (*Values[*ZSet], LSN, error) { return readValues(r, NewZSets()) }

// readValues loads a checkpoint written by ValuesSnapshot.WriteTo into the
// empty engine e. Validation follows docs/format/checkpoint.md; every
// failure is a *CorruptionError.
func readValues[V Value[V]](r io.Reader, e *Values[V]) (*Values[V], LSN, error) {
	cr := &ckptReader{r: bufio.NewReaderSize(r, 256<<10), file: xxhash.New()}
	if err := cr.preamble(valuesVersion, e.name); err != nil {
		return nil, 0, err
	}
	var (
		lsn             LSN
		haveMeta        bool
		chunks, records uint64
		last            struct {
			phys uint32
			key  string
			ok   bool
		}
	)
	for {
		off := cr.off
		fileSum := cr.file.Sum64()
		kind, p, err := cr.chunk()
		if err != nil {
			return nil, 0, err
		}
		body := off + chunkHeaderLen
		if !haveMeta && kind != chunkMeta {
			return nil, 0, corrupt(off, ErrMalformed, "chunk kind %#x before the meta chunk", kind)
		}
		switch kind {
		case chunkMeta:
			if haveMeta {
				return nil, 0, corrupt(off, ErrMalformed, "second meta chunk")
			}
			if len(p) != 8 {
				return nil, 0, corrupt(body, ErrMalformed, "meta chunk of %d bytes", len(p))
			}
			lsn, haveMeta = binary.LittleEndian.Uint64(p), true
		case chunkEntries:
			d := payloadDecoder{p: p, base: body}
			phys := uint32(d.uv())
			n := d.uv()
			if d.err == nil && n == 0 {
				return nil, 0, corrupt(body, ErrMalformed, "empty entries chunk")
			}
			for i := uint64(0); i < n && d.err == nil; i++ {
				recOff := d.offset()
				key := d.bytes()
				flags := d.byte1()
				ne := d.uv()
				if d.err != nil {
					break
				}
				if ne == 0 {
					return nil, 0, corrupt(recOff, ErrMalformed, "record without elements")
				}
				cont := last.ok && last.phys == phys && last.key == string(key)
				if !cont {
					if _, dup := e.Get(phys, key); dup {
						return nil, 0, corrupt(recOff, ErrMalformed, "duplicate key %q", key)
					}
				}
				v, _ := e.Mutable(phys, key)
				if !cont {
					v.setEncFlags(flags)
				}
				for j := uint64(0); j < ne && d.err == nil; j++ {
					elOff := d.offset()
					m := d.bytes()
					var score float64
					if e.scored {
						score = math.Float64frombits(d.u64())
					}
					if d.err != nil {
						break
					}
					if err := v.addElem(m, score); err != nil {
						return nil, 0, corrupt(elOff, ErrMalformed, "key %q: %v", key, err)
					}
				}
				last.phys, last.key, last.ok = phys, string(key), true
			}
			if d.err != nil {
				return nil, 0, d.err
			}
			if d.off != len(p) {
				return nil, 0, corrupt(d.offset(), ErrMalformed, "%d bytes after the last record", len(p)-d.off)
			}
			chunks++
			records += n
		case chunkTrailer:
			if err := cr.trailer(off, p, fileSum, chunks, records); err != nil {
				return nil, 0, err
			}
			e.close()
			return e, lsn, nil
		default:
			return nil, 0, corrupt(off, ErrMalformed, "unknown chunk kind %#x", kind)
		}
	}
}

// payloadDecoder reads varints and byte strings from a chunk payload that
// starts at file offset base; the first failure sticks as a
// *CorruptionError at the offending field's offset.
type payloadDecoder struct {
	p    []byte
	off  int
	base int64
	err  error
}

func (d *payloadDecoder) offset() int64 { return d.base + int64(d.off) }

func (d *payloadDecoder) fail(what string) {
	if d.err == nil {
		d.err = corrupt(d.offset(), ErrMalformed, "%s", what)
	}
}

func (d *payloadDecoder) uv() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.p[d.off:])
	if n <= 0 {
		d.fail("bad uvarint")
		return 0
	}
	d.off += n
	return v
}

func (d *payloadDecoder) byte1() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.p) {
		d.fail("short byte")
		return 0
	}
	b := d.p[d.off]
	d.off++
	return b
}

func (d *payloadDecoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.p)-d.off < 8 {
		d.fail("short fixed64")
		return 0
	}
	v := binary.LittleEndian.Uint64(d.p[d.off:])
	d.off += 8
	return v
}

func (d *payloadDecoder) bytes() []byte {
	n := d.uv()
	if d.err != nil {
		return nil
	}
	if uint64(len(d.p)-d.off) < n {
		d.fail("length past the chunk")
		return nil
	}
	b := d.p[d.off : d.off+int(n)]
	d.off += int(n)
	return b
}
