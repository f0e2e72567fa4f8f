package segments

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
)

// blockCache is an LRU cache of verified block payloads, bounded by bytes.
// It is safe for concurrent use. Payloads are immutable once inserted;
// callers must not modify them.
//
// It is split into shards by block, each an LRU with its own lock, share
// of the capacity and counters: every block read takes the lock to move
// the block to the front, and one lock (and one pair of hit/miss
// counters) written by every core on every read was a cache line the
// cores passed back and forth.
type blockCache struct {
	shards []cacheShard
}

type cacheShard struct {
	capacity int64

	mu    sync.Mutex // guards items, the LRU list (head) and size
	items map[cacheKey]*cacheNode
	head  cacheNode // sentinel: head.next is the most recently used
	size  int64

	hits, misses atomic.Int64
	_            [64]byte // keep the next shard's lock off this cache line
}

// Shards of a block cache: cacheShards when the capacity gives each at
// least minShardBytes, else one.
const (
	cacheShards   = 16
	minShardBytes = 1 << 20
)

type cacheKey struct {
	file uint64 // file number (unique within a store)
	off  uint64 // block offset
}

type cacheNode struct {
	key        cacheKey
	data       *cachedBlock
	prev, next *cacheNode
}

// cachedBlock is a verified block payload split into its entries and its
// restart list, so that a point read binary-searches the restart points
// instead of decoding the block's prefix-compressed entries one by one.
// Immutable once cached.
type cachedBlock struct {
	payload  []byte
	entries  []byte // payload without the restart list
	restarts []byte // uint32 offsets into entries, little endian
}

func (b *cachedBlock) cost() int64 { return int64(cap(b.payload)) }

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
	off := int(binary.LittleEndian.Uint32(b.restarts[4*i:]))
	d := b.entries[off:]
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
	n := len(b.restarts) / 4
	lo, hi := 0, n // the last restart whose key is <= key is lo-1 at the end
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		rk, ok := b.restartKey(mid)
		if !ok {
			return 0, false, fmt.Errorf("restart %d: bad entry: %w", mid, ErrMalformed)
		}
		if bytes.Compare(rk, key) <= 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return 0, false, nil
	}
	return int(binary.LittleEndian.Uint32(b.restarts[4*(lo-1):])), true, nil
}

// find looks key up: binary search of the restart keys, then a scan of at
// most one restart interval.
func (b *cachedBlock) find(key []byte) (blockEntry, bool, error) {
	off, ok, err := b.restartBefore(key)
	if !ok {
		return blockEntry{}, false, err // nil: key sorts before the block's first key
	}
	var kbuf [64]byte
	it := blockIter{data: b.entries[off:], key: kbuf[:0]}
	for {
		e, ok := it.next()
		if !ok {
			return blockEntry{}, false, it.err
		}
		if c := bytes.Compare(e.key, key); c >= 0 {
			return e, c == 0, nil
		}
	}
}

const cacheNodeOverhead = 96 // map entry + node, roughly

func newBlockCache(capacity int64) *blockCache {
	n := 1
	if capacity/cacheShards >= minShardBytes {
		n = cacheShards
	}
	c := &blockCache{shards: make([]cacheShard, n)}
	for i := range c.shards {
		sh := &c.shards[i]
		sh.capacity = capacity / int64(n)
		sh.items = make(map[cacheKey]*cacheNode)
		sh.head.next, sh.head.prev = &sh.head, &sh.head
	}
	return c
}

// shard returns the shard of block k: blocks of one file spread over all
// shards (by offset), so a scan of one file uses the whole capacity.
func (c *blockCache) shard(k cacheKey) *cacheShard {
	if len(c.shards) == 1 {
		return &c.shards[0]
	}
	h := (k.file*0x9E3779B97F4A7C15 ^ k.off*0xC2B2AE3D27D4EB4F) >> 32
	return &c.shards[h%uint64(len(c.shards))]
}

func (c *blockCache) get(k cacheKey) (*cachedBlock, bool) {
	sh := c.shard(k)
	sh.mu.Lock()
	n, ok := sh.items[k]
	if ok {
		sh.unlink(n)
		sh.pushFront(n)
	}
	sh.mu.Unlock()
	if !ok {
		sh.misses.Add(1)
		return nil, false
	}
	sh.hits.Add(1)
	return n.data, true
}

func (c *blockCache) put(k cacheKey, data *cachedBlock) {
	sh := c.shard(k)
	cost := data.cost() + cacheNodeOverhead
	if cost > sh.capacity/4 {
		return // a block this large would flush the cache; serve it uncached
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if n, ok := sh.items[k]; ok {
		sh.unlink(n)
		sh.pushFront(n)
		return
	}
	n := &cacheNode{key: k, data: data}
	sh.items[k] = n
	sh.pushFront(n)
	sh.size += cost
	for sh.size > sh.capacity {
		old := sh.head.prev
		sh.unlink(old)
		delete(sh.items, old.key)
		sh.size -= old.data.cost() + cacheNodeOverhead
	}
}

// evictFile drops every block of a deleted file.
func (c *blockCache) evictFile(file uint64) {
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		for k, n := range sh.items {
			if k.file == file {
				sh.unlink(n)
				delete(sh.items, k)
				sh.size -= n.data.cost() + cacheNodeOverhead
			}
		}
		sh.mu.Unlock()
	}
}

// stats returns the bytes cached and the hits and misses so far.
func (c *blockCache) stats() (bytes, hits, misses int64) {
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

func (c *cacheShard) unlink(n *cacheNode) {
	n.prev.next = n.next
	n.next.prev = n.prev
}

func (c *cacheShard) pushFront(n *cacheNode) {
	n.next = c.head.next
	n.prev = &c.head
	c.head.next.prev = n
	c.head.next = n
}
