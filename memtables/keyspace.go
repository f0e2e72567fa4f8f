package memtables

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/keeldb/keel/internal/prefetch"
)

// Entry is a key's metadata in the keyspace engine.
//
// Fields are ordered for size (32 bytes, not the 40 the natural order takes):
// memory per key is the keyspace's main cost.
type Entry struct {
	ExpireAt int64 // unix ms; 0 = no expiry
	// Version is the LSN that created this incarnation of the key; for a
	// string, the LSN of its value's last write (0: not known), which
	// keel's reads of the strings engine start from.
	Version LSN
	Size    int64 // caller-defined length hint (string length etc.); persisted
	// Access is the LRU clock in seconds for OBJECT IDLETIME, set by the
	// caller on access (atomically under the read lock). Not persisted: it is
	// not in the WAL, and a checkpoint holds only what the WAL implies; it is
	// 0 after ReadCheckpoint.
	Access uint32
	Type   Type
	// Enc is the command layer's encoding hint for OBJECT ENCODING (for
	// strings: derived from the value, raw after an in-place edit, embstr
	// after INCRBYFLOAT). Persisted; 0 means "derive from the value".
	Enc uint8
}

// Load returns a copy of e, which concurrent readers may be touching:
// Access, the one field they write, is read atomically (a plain copy of
// the struct raced with their stores; found by the race detector with two
// event loops running reads at once).
func (e *Entry) Load() Entry {
	c := Entry{ExpireAt: e.ExpireAt, Version: e.Version, Size: e.Size, Type: e.Type, Enc: e.Enc}
	c.Access = atomic.LoadUint32(&e.Access)
	return c
}

// Keyspace is the keyspace engine: per logical database, a hash table from
// key to Entry, plus the logical-to-physical database id map.
//
// Not safe for concurrent writes: see the package doc for the contract
// (writes under the caller's write lock, reads concurrently under its read
// lock).
type Keyspace struct {
	dbs      []*table // by logical index; SwapDB swaps the pointers
	nextPhys uint32   // next unused physical id; never decreases
	cow      *cowState
	seed     maphash.Seed
	// counted is the sum of the tables' counted bytes (Recount).
	counted int64
}

// NewKeyspace returns an empty keyspace with the given number of logical
// databases; database i starts with physical id i.
func NewKeyspace(databases int) *Keyspace {
	if databases < 1 || databases > 1<<20 {
		panic(fmt.Sprintf("memtables: invalid number of databases %d", databases))
	}
	k := &Keyspace{dbs: make([]*table, databases), nextPhys: uint32(databases), seed: maphash.MakeSeed(), cow: &cowState{}}
	for i := range k.dbs {
		k.dbs[i] = &table{phys: uint32(i), cow: k.cow}
	}
	return k
}

// hash is seeded per process, so colliding keys cannot be chosen by clients.
func (k *Keyspace) hash(key []byte) uint32 { return uint32(maphash.Bytes(k.seed, key)) }

func (k *Keyspace) hashString(key string) uint32 { return uint32(maphash.String(k.seed, key)) }

// Databases returns the number of logical databases.
func (k *Keyspace) Databases() int { return len(k.dbs) }

// Get returns key's entry. The pointer is valid until the next write (see
// the package doc). It does not allocate.
func (k *Keyspace) Get(db int, key []byte) (*Entry, bool) {
	t := k.dbs[db]
	_, pos, ok := lookup(t, k.hash(key), key)
	if !ok {
		return nil, false
	}
	return &t.at(pos).e, true
}

// PrefetchMax is the most keys one Prefetch call warms.
const PrefetchMax = 16

// Prefetch loads into the processor's caches what looking up keys in
// database db will read first (the index cell of each key's home bucket,
// then the slot it names), for the first PrefetchMax keys. It is a hint:
// nothing changes. A lookup's two dependent cache misses (cell, slot) were
// a fifth of GET's CPU at pipeline 16 on 600k keys; here the loads of all
// the keys are independent of one another, so the processor overlaps them,
// and the lookups of the pipelined commands that follow find them cached.
// The cells are loaded (the slots' positions are in them); the slots are
// prefetched (internal/prefetch), so that nothing waits for them until a
// lookup reads one. Reads, as Get.
func (k *Keyspace) Prefetch(db int, keys [][]byte) {
	t := k.dbs[db]
	if len(t.index) == 0 {
		return
	}
	n := min(len(keys), PrefetchMax)
	var hs, cells [PrefetchMax]uint32
	mask := uint32(len(t.index) - 1)
	for i := range n {
		hs[i] = k.hash(keys[i])
		cells[i] = t.index[hs[i]&mask]
	}
	for i := range n {
		if v := cells[i]; v != 0 && cellMayHold(v, hs[i], mask) {
			prefetch.Line(unsafe.Pointer(t.at(cellPos(v, mask))))
		}
	}
}

// Set inserts key or replaces its entry.
func (k *Keyspace) Set(db int, key []byte, e Entry) {
	t := k.dbs[db]
	h := k.hash(key)
	if _, pos, ok := lookup(t, h, key); ok {
		t.setEntry(pos, e)
		return
	}
	t.insert(key, h, e)
}

// SetKeepAccess is Set, but a key that exists keeps its Access (e's is
// used only for a new key): under an LFU policy an overwrite keeps the
// frequency counter, as Redis's dbOverwrite keeps the old object's lru.
func (k *Keyspace) SetKeepAccess(db int, key []byte, e Entry) {
	t := k.dbs[db]
	h := k.hash(key)
	if _, pos, ok := lookup(t, h, key); ok {
		e.Access = atomic.LoadUint32(&t.at(pos).e.Access)
		t.setEntry(pos, e)
		return
	}
	t.insert(key, h, e)
}

// Delete removes key and reports whether it existed.
func (k *Keyspace) Delete(db int, key []byte) bool {
	t := k.dbs[db]
	c, pos, ok := lookup(t, k.hash(key), key)
	if ok {
		t.remove(c, pos)
	}
	return ok
}

// SetExpire sets key's expiry (unix ms; 0 removes it, like PERSIST) and
// reports whether the key exists.
func (k *Keyspace) SetExpire(db int, key []byte, at int64) bool {
	t := k.dbs[db]
	_, pos, ok := lookup(t, k.hash(key), key)
	if ok {
		t.ownPos(pos)
		t.at(pos).e.ExpireAt = at
		t.syncExpire(pos)
	}
	return ok
}

// Len returns the number of keys in db, expired or not (DBSIZE).
func (k *Keyspace) Len(db int) int { return k.dbs[db].n }

// Bytes is the memory the keyspace holds, on and off the heap: every
// database's slots, indexes, expiry lists and long keys. O(databases).
func (k *Keyspace) Bytes() int64 {
	var n int64
	for _, t := range k.dbs {
		n += t.bytes()
	}
	return n
}

// Recount counts database db's memory as it is now into the running
// total, and returns the total: the keyspace's memory as of each
// database's last Recount (or RecountAll). A writer that recounts every
// database it changes keeps the total current at O(1) a write, whatever
// the number of databases.
func (k *Keyspace) Recount(db int) int64 {
	t := k.dbs[db]
	n := t.bytes()
	k.counted += n - t.counted
	t.counted = n
	return k.counted
}

// Counted is the total as of the last recounts (see Recount).
func (k *Keyspace) Counted() int64 { return k.counted }

// RecountAll recounts every database and returns the total.
func (k *Keyspace) RecountAll() int64 {
	k.counted = 0
	for _, t := range k.dbs {
		t.counted = t.bytes()
		k.counted += t.counted
	}
	return k.counted
}

// ExpiresCount returns the number of keys in db with an expiry (INFO
// keyspace "expires=").
func (k *Keyspace) ExpiresCount(db int) int { return len(k.dbs[db].expires) }

// PhysDB returns the physical id of logical database db: the id the on-disk
// engines key its values by.
func (k *Keyspace) PhysDB(db int) uint32 { return k.dbs[db].phys }

// NextPhys returns the next unused physical id. A FLUSHDB record carries the
// value read here, so replay assigns the same id.
func (k *Keyspace) NextPhys() uint32 { return k.nextPhys }

// FlushDB empties db and gives it physical id newPhys, so the old id's data
// on disk becomes garbage for the on-disk engines to collect. newPhys must
// be unused (>= NextPhys()); NextPhys advances past it. Physical ids are
// never reused, so it panics otherwise: reuse would resurrect old values.
func (k *Keyspace) FlushDB(db int, newPhys uint32) {
	if newPhys < k.nextPhys {
		panic(fmt.Sprintf("memtables: FlushDB(%d, %d): physical id already used (next is %d)", db, newPhys, k.nextPhys))
	}
	k.dbs[db].release()
	k.counted -= k.dbs[db].counted
	k.dbs[db] = &table{phys: newPhys, cow: k.cow}
	k.nextPhys = newPhys + 1
}

// SwapDB swaps the contents and the physical ids of databases a and b.
func (k *Keyspace) SwapDB(a, b int) { k.dbs[a], k.dbs[b] = k.dbs[b], k.dbs[a] }

// Scan implements SCAN's cursor for db: cursor 0 starts, a returned 0 ends.
// Every key present for the whole scan is passed to fn at least once, even if
// the table grows or shrinks between calls; a key may be passed more than
// once. fn receives every key of each visited bucket (expired ones too: the
// caller filters); buckets are visited until at least count keys were passed
// or 10*count buckets were visited (count <= 0 means 10). fn must not write.
func (k *Keyspace) Scan(db int, cursor uint64, count int, fn func(key string, e *Entry)) (next uint64) {
	return k.dbs[db].scan(cursor, count, fn)
}

// RandomKey returns a key of db chosen uniformly with rnd, which must return
// a value in [0, n) like math/rand's IntN. It is false if db is empty.
func (k *Keyspace) RandomKey(db int, rnd func(n int) int) (string, bool) {
	t := k.dbs[db]
	if t.n == 0 {
		return "", false
	}
	i := rnd(t.n)
	return t.pages[i>>pageShift].key(i & pageMask), true
}

// ForEach calls fn for every key of db until fn returns false. The order is
// unspecified but stable between writes. fn must not write.
func (k *Keyspace) ForEach(db int, fn func(key string, e *Entry) bool) {
	t := k.dbs[db]
	for pi := range t.pages {
		pg := &t.pages[pi]
		for i := range pg.slots {
			if !fn(pg.key(i), &pg.slots[i].e) {
				return
			}
		}
	}
}

// SampleKeys passes fn up to n distinct keys of db chosen at random, with
// their entries: all of them when there are at most n; only keys with an
// expiry when volatile. It is eviction's sample (Redis's dictGetSomeKeys
// over the main or the expires dictionary), O(n) whatever the size of db.
// fn must not write.
func (k *Keyspace) SampleKeys(db int, n int, volatile bool, fn func(key string, e *Entry)) {
	t := k.dbs[db]
	m := t.n
	if volatile {
		m = len(t.expires)
	}
	if m == 0 || n <= 0 {
		return
	}
	at := func(i int) {
		p := i
		if volatile {
			p = int(t.expires[i])
		}
		pg := &t.pages[p>>pageShift]
		fn(pg.key(p&pageMask), &pg.slots[p&pageMask].e)
	}
	var picked [64]int
	switch {
	case m <= n:
		for i := range m {
			at(i)
		}
	case n <= len(picked):
		pos := picked[:0]
		for len(pos) < n {
			if i := rand.IntN(m); !slices.Contains(pos, i) {
				pos = append(pos, i)
			}
		}
		for _, i := range pos {
			at(i)
		}
	default:
		// A large sample is a window from a random start, as Redis's
		// dictGetSomeKeys walks consecutive buckets.
		start := rand.IntN(m)
		for i := range n {
			at((start + i) % m)
		}
	}
}

// SampleExpired examines up to n keys of db that have an expiry and returns
// those with ExpireAt <= now: all of them when there are at most n, else n
// distinct ones at random. Each call costs O(n) whatever the size of db,
// and len(result)/n estimates the expired fraction, which is how Redis's
// activeExpireCycle decides whether to keep sweeping. The sample is drawn
// at random, not as a window moving round-robin as it was: deleting a key
// moves the last one into its place, so the keys not expired gathered in
// the window, which then read as if few keys had expired. The caller
// deletes the keys (and logs the deletes).
func (k *Keyspace) SampleExpired(db int, now int64, n int) []string {
	t := k.dbs[db]
	m := len(t.expires)
	if m == 0 || n <= 0 {
		return nil
	}
	var picked [32]int
	pos := picked[:0]
	if m <= n {
		for i := range m {
			pos = append(pos, i)
		}
	} else {
		for len(pos) < n {
			if i := rand.IntN(m); !slices.Contains(pos, i) {
				pos = append(pos, i)
			}
		}
	}
	var out []string
	for _, i := range pos {
		p := int(t.expires[i])
		pg := &t.pages[p>>pageShift]
		if at := pg.slots[p&pageMask].e.ExpireAt; at != 0 && at <= now {
			out = append(out, pg.key(p&pageMask))
		}
	}
	return out
}
