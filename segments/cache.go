package segments

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// blockCache caches verified block payloads, bounded by bytes, with the
// CLOCK approximation of LRU. It is safe for concurrent use. Payloads are
// immutable once inserted; callers must not modify them.
//
// A hit takes no lock and writes nothing shared: each table holds a slot
// per block (table.blocks) pointing at the block's cache node while it is
// cached, and a hit loads that pointer and sets the node's referenced bit
// (only when it is clear). An LRU list needed its lock on every hit to
// move the block to the front, and a map lookup by (file, offset); at
// pipeline 16 the two were a tenth of a GET.
//
// Inserts and evictions take the lock of the block's shard. Each shard
// keeps its nodes in a ring swept by a clock hand: a referenced node loses
// its bit and is passed over, an unreferenced one is evicted (its table
// slot cleared). The slot is written only under the shard's lock, so an
// insert and an eviction of one block cannot interleave.
type cacheCore struct {
	shards []cacheShard
}

// BlockCache is a block cache that several stores share (Options.Cache):
// one byte budget for keel's on-disk engines, spent on whichever is read.
type BlockCache struct{ core *cacheCore }

// NewBlockCache returns a block cache of capacity bytes for Options.Cache.
func NewBlockCache(capacity int64) *BlockCache { return &BlockCache{newCacheCore(capacity)} }

// storeIDs numbers the stores sharing a cache, so that equal file numbers
// of two stores name different blocks.
var storeIDs atomic.Uint64

// blockCache is one store's view of a cache: it stamps the store's id on
// every key.
type blockCache struct {
	core  *cacheCore
	store uint64
}

// newBlockCache returns a cache of capacity bytes for one store alone.
func newBlockCache(capacity int64) *blockCache { return &blockCache{core: newCacheCore(capacity)} }

// Stats returns the bytes cached, the capacity, and the hits and misses
// since it was made, of every store using it.
func (c *BlockCache) Stats() (bytes, capacity, hits, misses int64) {
	bytes, hits, misses = c.core.stats()
	for i := range c.core.shards {
		capacity += c.core.shards[i].capacity
	}
	return bytes, capacity, hits, misses
}

// view returns a view of c for a new store.
func (c *BlockCache) view() *blockCache { return &blockCache{core: c.core, store: storeIDs.Add(1)} }

func (c *blockCache) get(slot *atomic.Pointer[cacheNode], spread uint64) (*cachedBlock, bool) {
	return c.core.get(slot, spread)
}

func (c *blockCache) put(slot *atomic.Pointer[cacheNode], k cacheKey, n *cacheNode) {
	k.store = c.store
	c.core.put(slot, k, n)
}

// evictFile drops every block of the store's deleted file.
func (c *blockCache) evictFile(file uint64) { c.core.evictFile(c.store, file) }

// stats are the whole cache's (shared by every store using it).
func (c *blockCache) stats() (bytes, hits, misses int64) { return c.core.stats() }

type cacheShard struct {
	capacity int64

	mu   sync.Mutex   // guards ring, hand and size, and every slot's writes
	ring []*cacheNode // the cached blocks, swept by hand
	hand int
	size int64

	hits, misses atomic.Int64
	_            [64]byte // keep the next shard's lock off this cache line
}

// Shards of a block cache: cacheShards when the capacity gives each at
// least minShardBytes, else one.
const (
	cacheShards   = 16
	minShardBytes = 1 << 20
)

// cacheKey names a block for shard selection and evictFile.
type cacheKey struct {
	file  uint64 // file number (unique within a store)
	off   uint64 // block offset
	store uint64 // the store's id (blockCache.store)
}

type cacheNode struct {
	// data is the block, in the node: a hit follows one pointer (the
	// table's slot) to the block's description, not two; each is a cache
	// miss on a large store.
	data cachedBlock
	ref  atomic.Bool                // used since the hand last passed
	slot *atomic.Pointer[cacheNode] // the table's slot for the block
	key  cacheKey
}

// cachedBlock is a verified block payload split into its entries and its
// restart list, so that a point read binary-searches the restart points
// instead of decoding the block's prefix-compressed entries one by one.
// Immutable once cached.
//
// A block in the cache also has a fingerprint index (buildIndex): for
// each entry, in order, 16 bits of its key's bloom hash and the offset of
// the restart point it follows. A point read scans those 4-byte cells (a
// few cache lines) for its own fingerprint and decodes only the restart
// interval of a match: an absent key costs no decoding at all, a present
// one no binary search of restart keys, each of whose probes was a cache
// miss into the payload (with the entry scans, a third of HGET's CPU at
// pipeline 16). The cell holds the restart's offset, not its number: the
// number cost one more miss, into the restart list, on every hit (55% of
// findHashed's own time in a GET profile at pipeline 16). A match is
// verified by decoding, so a fingerprint collision costs a scan, never a
// wrong answer.
//
// It also has fences (buildIndex), as a table has over its blocks: for
// each restart point, the 16 bytes of its key past the prefix all restart
// keys share (fencePrefix, which lies in the payload), as two words
// (blockFence). A seek (the first key at or past a bound: a scan's start,
// HGETALL of a small hash) binary-searches the fences, a few adjacent
// cache lines, and decodes a restart key only where fences tie: each
// probe of the restart keys' binary search was a cache miss into the
// payload (restartKey was a quarter of the CPU of HGETALL of 3-field
// hashes at pipeline 16 among 1M of them).
type cachedBlock struct {
	payload     []byte
	entries     []byte       // payload without the restart list
	restarts    []byte       // uint32 offsets into entries, little endian
	fps         []uint32     // by entry: fingerprint | restart offset << 16; nil: not built
	fences      []blockFence // by restart point; nil: not built
	fencePrefix []byte       // the prefix every restart key shares (fences)
}

func (b *cachedBlock) cost() int64 {
	return int64(cap(b.payload)) + 4*int64(cap(b.fps)) + 16*int64(cap(b.fences))
}

// blockFence is a restart key's fence in a cached block: fenceOf the 8
// bytes past the block's shared prefix, and of the 8 after those. A block
// of small hashes shares only its slot: the first word holds the key's
// length and its first bytes, which many of the block's keys share, the
// second tells them apart (one word left ties for a fifth of the seeks of
// HGETALL of 3-field hashes, each resolved by decoding restart keys).
type blockFence struct{ hi, lo uint64 }

// fenceAt is the fence of key past its first p bytes. Fences compare as
// fenceOf does: a fence below another means a key below the other's (a
// key that ends in the first word has a zero second one, and is a prefix
// of any key that ties with it there).
func fenceAt(key []byte, p int) blockFence {
	return blockFence{fenceOf(key[p:]), fenceOf(key[min(len(key), p+8):])}
}

func (f blockFence) cmp(g blockFence) int {
	if c := cmp.Compare(f.hi, g.hi); c != 0 {
		return c
	}
	return cmp.Compare(f.lo, g.lo)
}

// buildFences fills fences and fencePrefix from the restart keys, which
// buildIndex has checked.
func (b *cachedBlock) buildFences() {
	nr := len(b.restarts) / 4
	if nr == 0 {
		return
	}
	first, ok1 := b.restartKey(0)
	last, ok2 := b.restartKey(nr - 1)
	if !ok1 || !ok2 {
		return // a seek then searches the keys, and reports the damage
	}
	cp := sharedPrefix(first, last)
	fences := make([]blockFence, nr)
	for i := range fences {
		k, ok := b.restartKey(i)
		if !ok {
			return
		}
		fences[i] = fenceAt(k, cp)
	}
	b.fences, b.fencePrefix = fences, first[:cp:cp]
}

// fingerprint is the 16 bits of a key's bloom hash the index keeps.
func fingerprint(h uint64) uint32 { return uint32(h & 0xffff) }

// buildIndex decodes every entry once and fills fps, for a block about to
// be cached; a malformed block is an error, the block's. A block whose
// entries 16 bits cannot address (one holding a value of tens of KiB: few
// entries) is checked but keeps no index, and find binary-searches it.
func (b *cachedBlock) buildIndex() error {
	nr := len(b.restarts) / 4
	fps := make([]uint32, 0, 4*nr)
	it := blockIter{data: b.entries}
	r := 0 // the restart the entries belong to; restart r+1 is next
	var e blockEntry
	for {
		start := it.pos
		if !it.next(&e) {
			break
		}
		if r+1 < nr && b.restart(r+1) <= start {
			// Restarts are entry starts whose entries share nothing
			// (decodeBlock's checks, which scanFrom relies on).
			if b.restart(r+1) < start {
				return fmt.Errorf("restart %d at offset %d inside an entry: %w", r+1, b.restart(r+1), ErrMalformed)
			}
			if shared, _ := binary.Uvarint(b.entries[start:]); shared != 0 {
				return fmt.Errorf("restart entry at %d shares a prefix: %w", start, ErrMalformed)
			}
			r++
		}
		fps = append(fps, fingerprint(bloomHash(e.key))|uint32(b.restart(r))<<16)
	}
	if it.err != nil {
		return it.err
	}
	if r+1 < nr {
		return fmt.Errorf("restart %d at offset %d past the last entry: %w", r+1, b.restart(r+1), ErrMalformed)
	}
	b.buildFences()
	if len(b.entries) > 1<<16 {
		return nil
	}
	b.fps = fps
	return nil
}

func newCachedBlock(p []byte) (*cachedBlock, error) {
	b := new(cachedBlock)
	if err := b.init(p); err != nil {
		return nil, err
	}
	return b, nil
}

// init makes b describe the verified payload p.
func (b *cachedBlock) init(p []byte) error {
	entries, restarts, err := splitBlock(p)
	if err != nil {
		return err
	}
	*b = cachedBlock{payload: p, entries: entries, restarts: restarts}
	return nil
}

// restartKey returns the key of the entry at restart i (which shares no
// prefix, so the key lies in the payload as is).
func (b *cachedBlock) restartKey(i int) ([]byte, bool) {
	d := b.entries[b.restart(i):]
	shared, n1 := binary.Uvarint(d)
	if n1 <= 0 || shared != 0 {
		return nil, false
	}
	unshared, n2 := binary.Uvarint(d[n1:])
	if n2 <= 0 {
		return nil, false
	}
	_, n3 := binary.Uvarint(d[n1+n2:])
	h := n1 + n2 + n3 + 1 // + kind
	if n3 <= 0 || h > len(d) || uint64(len(d)-h) < unshared {
		return nil, false
	}
	return d[h : h+int(unshared)], true
}

// restartBefore returns the offset in entries of the last restart point
// whose key is <= key, and false when key sorts before the block's first
// key: a binary search of the restart keys.
func (b *cachedBlock) restartBefore(key []byte) (int, bool, error) {
	n, err := b.restartsUpTo(key, false)
	if n == 0 {
		return 0, false, err
	}
	return b.restart(n - 1), true, nil
}

// restartsUpTo returns how many of the block's restart points have a key
// <= key (below key with strict): a binary search of the restart keys.
func (b *cachedBlock) restartsUpTo(key []byte, strict bool) (int, error) {
	lo, hi := 0, len(b.restarts)/4
	if b.fences != nil {
		// Restart keys all begin with fencePrefix: a key that does not
		// sorts below or above them all; one that does has its fence
		// ordered among theirs, and only the restarts of an equal fence
		// (few: the tie is stepped over) are searched by their keys.
		p := b.fencePrefix
		if len(key) < len(p) || string(key[:len(p)]) != string(p) {
			if bytes.Compare(key, p) < 0 {
				return 0, nil
			}
			return hi, nil
		}
		w := fenceAt(key, len(p))
		f := b.fences
		lo, _ = slices.BinarySearchFunc(f, w, blockFence.cmp) // fences below w
		for hi = lo; hi < len(f) && f[hi] == w; hi++ {
		}
	}
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		rk, ok := b.restartKey(mid)
		if !ok {
			return 0, fmt.Errorf("restart %d: bad entry: %w", mid, ErrMalformed)
		}
		if c := bytes.Compare(rk, key); c < 0 || c == 0 && !strict {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// restart returns the offset in entries of restart point i.
func (b *cachedBlock) restart(i int) int { return int(binary.LittleEndian.Uint32(b.restarts[4*i:])) }

// interval returns the entries of restart interval i: from restart point i
// to the next one, or to the end of the entries.
func (b *cachedBlock) interval(i int) []byte {
	end := len(b.entries)
	if i+1 < len(b.restarts)/4 {
		end = b.restart(i + 1)
	}
	return b.entries[b.restart(i):end]
}

// find looks key up: binary search of the restart keys, then a scan of at
// most one restart interval that compares key with each entry's suffix in
// place, without rebuilding the entry's whole key. The invariant of the
// scan: every entry passed sorts before key, and matched is the length of
// the common prefix of the last one and key. An entry sharing more than
// matched bytes with its predecessor agrees with it past matched, so it
// too sorts before key; one sharing at most matched bytes starts with
// key[:shared], and its suffix decides.
func (b *cachedBlock) find(key []byte) (blockEntry, bool, error) {
	off, ok, err := b.restartBefore(key)
	if !ok {
		return blockEntry{}, false, err // nil: key sorts before the block's first key
	}
	return b.scanFrom(off, key)
}

// findHashed is find for a key whose bloom hash is h, through the
// fingerprint index when the block has one.
func (b *cachedBlock) findHashed(key []byte, h uint64) (blockEntry, bool, error) {
	if b.fps == nil {
		return b.find(key)
	}
	fp, last := fingerprint(h), -1
	for _, c := range b.fps {
		if c&0xffff != fp {
			continue
		}
		off := int(c >> 16)
		if off == last {
			continue // this interval was scanned for an earlier match
		}
		last = off
		e, found, err := b.scanFrom(off, key)
		if err != nil || found {
			return e, found, err
		}
	}
	return blockEntry{}, false, nil
}

// scanFrom scans for key from the restart point at offset off of entries,
// until an entry sorts after it (see find).
func (b *cachedBlock) scanFrom(off int, key []byte) (blockEntry, bool, error) {
	d := b.entries
	matched, prevLen := 0, 0
	for first := true; off < len(d); first = false {
		shared, unshared, vlen, kind, h, bad := decodeEntryHeader(d[off:])
		if bad == "" && (shared > uint64(prevLen) || (first && shared != 0)) {
			bad = "entry lengths"
		}
		if bad != "" {
			return blockEntry{}, false, fmt.Errorf("block entry at payload offset %d: bad %s: %w", off, bad, ErrMalformed)
		}
		sh := int(shared)
		suffix := d[off+h : off+h+int(unshared)]
		prevLen = sh + len(suffix)
		vstart := off + h + len(suffix)
		off = vstart + int(vlen)
		if sh > matched {
			continue
		}
		rest := key[sh:]
		switch c := bytes.Compare(suffix, rest); {
		case c == 0:
			return blockEntry{key: key, value: d[vstart:off:off], kind: kind}, true, nil
		case c > 0:
			return blockEntry{}, false, nil
		}
		matched = sh + sharedPrefix(suffix, rest)
	}
	return blockEntry{}, false, nil
}

const cacheNodeOverhead = 64 // node, ring and slot, roughly

func newCacheCore(capacity int64) *cacheCore {
	n := 1
	if capacity/cacheShards >= minShardBytes {
		n = cacheShards
	}
	c := &cacheCore{shards: make([]cacheShard, n)}
	for i := range c.shards {
		c.shards[i].capacity = capacity / int64(n)
	}
	return c
}

// shard returns the shard of block k: blocks of one file spread over all
// shards (by offset), so a scan of one file uses the whole capacity.
func (c *cacheCore) shard(k cacheKey) *cacheShard {
	if len(c.shards) == 1 {
		return &c.shards[0]
	}
	h := ((k.file+k.store<<32)*0x9E3779B97F4A7C15 ^ k.off*0xC2B2AE3D27D4EB4F) >> 32
	return &c.shards[h%uint64(len(c.shards))]
}

// get returns the block cached in slot. spread picks the shard whose
// counters record the hit or miss: any will do, the counters are summed,
// and naming the block's own shard would take its offset, from the
// table's index (a cache miss of its own on a large file, on every read).
func (c *cacheCore) get(slot *atomic.Pointer[cacheNode], spread uint64) (*cachedBlock, bool) {
	sh := &c.shards[spread%uint64(len(c.shards))]
	n := slot.Load()
	if n == nil {
		sh.misses.Add(1)
		return nil, false
	}
	if !n.ref.Load() {
		n.ref.Store(true)
	}
	sh.hits.Add(1)
	return &n.data, true
}

// put caches n (its data set, the rest zero) as block k, whose table slot
// is slot.
func (c *cacheCore) put(slot *atomic.Pointer[cacheNode], k cacheKey, n *cacheNode) {
	sh := c.shard(k)
	cost := n.data.cost() + cacheNodeOverhead
	if cost > sh.capacity/4 {
		return // a block this large would flush the cache; serve it uncached
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if slot.Load() != nil {
		return // another reader cached it meanwhile
	}
	for sh.size+cost > sh.capacity && len(sh.ring) > 0 {
		sh.evictOne()
	}
	n.key, n.slot = k, slot
	sh.ring = append(sh.ring, n)
	sh.size += cost
	slot.Store(n)
}

// evictOne advances the hand to the first unreferenced node, clearing the
// bits it passes, and evicts it. Caller holds mu; the ring is not empty.
func (sh *cacheShard) evictOne() {
	for {
		if sh.hand >= len(sh.ring) {
			sh.hand = 0
		}
		n := sh.ring[sh.hand]
		if n.ref.Load() {
			n.ref.Store(false)
			sh.hand++
			continue
		}
		sh.remove(sh.hand)
		return
	}
}

// remove evicts ring[i]: the last node takes its place (the ring's order
// is only approximately the insertion order; CLOCK does not need more).
func (sh *cacheShard) remove(i int) {
	n := sh.ring[i]
	n.slot.CompareAndSwap(n, nil)
	sh.size -= n.data.cost() + cacheNodeOverhead
	last := len(sh.ring) - 1
	sh.ring[i] = sh.ring[last]
	sh.ring[last] = nil
	sh.ring = sh.ring[:last]
}

// evictFile drops every block of a deleted file of a store.
func (c *cacheCore) evictFile(store, file uint64) {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		for j := 0; j < len(sh.ring); {
			if k := sh.ring[j].key; k.file == file && k.store == store {
				sh.remove(j)
			} else {
				j++
			}
		}
		sh.mu.Unlock()
	}
}

// stats returns the bytes cached and the hits and misses so far.
func (c *cacheCore) stats() (bytes, hits, misses int64) {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		bytes += sh.size
		sh.mu.Unlock()
		hits += sh.hits.Load()
		misses += sh.misses.Load()
	}
	return bytes, hits, misses
}
