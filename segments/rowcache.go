package segments

import (
	"math/bits"
	"math/rand/v2"
	"sync/atomic"
	"unsafe"

	"github.com/keeldb/keel/internal/prefetch"
)

// Row cache: the answers of recent point reads that reached the files.
//
// A point read of a key no buffer holds searches the files newest first:
// for each, a bloom filter probe, a search of its block index, a block
// cache lookup and a search of the block, about half of an HGET's CPU at
// pipeline 16 even when every block is cached. Applications read some
// keys far more than others, and Redis answers those from memory in one
// hash lookup; so does the row cache, for the keys read again and again.
//
// Validity. An entry holds what a read found in the files of one version
// (a value, or that the key is absent or deleted there), tagged with the
// version's id, and answers only reads of that same version. That is
// exact, with no invalidation on writes: a read consults the row cache
// only after the buffers (active and frozen) lack the key, and a key
// written since the entry was made is in a buffer until a flush moves it
// into a file, which makes a new version. A compaction makes a new
// version too; its entries are then refilled by the reads that follow.
// An entry made from an older version, even one put after a newer
// version was installed, answers nothing.
//
// Admission. A read that misses puts its answer with probability
// 1/rowAdmitOdds: a key read often gets in after a few reads, and a
// store read at random (a million keys, each read once in a while) does
// not copy a key and value for every read only to overwrite them.
//
// Memory. The cache is direct-mapped: one entry per slot, by the key's
// bloom hash, replaced by the next admitted key of the slot. Entries hold
// at most rowMaxBytes of key and value, so the cache holds at most
// slots × (rowMaxBytes + entry overhead) bytes; Options.RowCacheSize sets
// the number of slots at one per rowMaxBytes.
//
// Concurrency: slots are atomic pointers to immutable entries; readers
// and writers take no lock.
type rowCache struct {
	slots        []atomic.Pointer[row]
	shift        uint   // slot of hash h: h >> shift
	admit        uint32 // a miss puts its answer with probability 1/admit (rowAdmitOdds; tests: 1)
	hits, misses atomic.Int64
}

// row is one entry of a rowCache; immutable once published.
type row struct {
	// h is the key's bloom hash, compared first: a slot holding another
	// key costs no load of that key's bytes (a cache miss per read on a
	// store read at random, 9% of GET's CPU at pipeline 16).
	h     uint64
	key   string
	value []byte // the value when found
	ver   uint64 // id of the version whose files gave the answer
	found bool   // the key is live (else absent or deleted)
}

const (
	rowMaxBytes  = 512
	rowAdmitOdds = 32
)

// newRowCache returns a row cache of about size bytes, nil (no cache,
// which every method accepts) for a size below one slot.
func newRowCache(size int64) *rowCache {
	n := size / rowMaxBytes
	if n < 1 {
		return nil
	}
	b := bits.Len64(uint64(n)) - 1 // 2^b slots, at most n
	if b < 1 {
		b = 1
	}
	return &rowCache{slots: make([]atomic.Pointer[row], 1<<b), shift: uint(64 - b), admit: rowAdmitOdds}
}

// get returns the entry for key (bloom hash h) made from version ver,
// nil when there is none.
func (c *rowCache) get(h uint64, key []byte, ver uint64) *row {
	if c == nil {
		return nil
	}
	r := c.slots[h>>c.shift].Load()
	if r == nil || r.h != h || r.ver != ver || r.key != string(key) {
		c.misses.Add(1)
		return nil
	}
	c.hits.Add(1)
	return r
}

// put records, with probability 1/c.admit, what a read of key (bloom
// hash h) found in the files of version ver: value when found.
func (c *rowCache) put(h uint64, key []byte, ver uint64, value []byte, found bool) {
	if c == nil || len(key)+len(value) > rowMaxBytes || rand.Uint32()%c.admit != 0 {
		return
	}
	// Key and value in one allocation, the row in another.
	data := make([]byte, len(key)+len(value))
	copy(data, key)
	copy(data[len(key):], value)
	r := &row{h: h, ver: ver, found: found}
	if len(key) > 0 {
		r.key = unsafe.String(&data[0], len(key))
	}
	if found {
		r.value = data[len(key):]
	}
	c.slots[h>>c.shift].Store(r)
}

// touch loads the slots of the keys whose bloom hashes are hs, and
// prefetches the entries they hold, for Prefetch: a read's lookup is
// otherwise a cache miss or two before its files are searched.
func (c *rowCache) touch(hs []uint64) {
	if c == nil {
		return
	}
	var rs [PrefetchMax]*row
	for i, h := range hs {
		rs[i] = c.slots[h>>c.shift].Load()
	}
	for _, r := range rs[:len(hs)] {
		if r != nil {
			prefetch.Line(unsafe.Pointer(r))
		}
	}
}

// stats returns the cache's hits and misses.
func (c *rowCache) stats() (hits, misses int64) {
	if c == nil {
		return 0, 0
	}
	return c.hits.Load(), c.misses.Load()
}
