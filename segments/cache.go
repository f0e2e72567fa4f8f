package segments

import (
	"sync"
	"sync/atomic"
)

// blockCache is an LRU cache of verified block payloads, bounded by bytes.
// It is safe for concurrent use. Payloads are immutable once inserted;
// callers must not modify them.
type blockCache struct {
	capacity int64

	mu    sync.Mutex // guards items, the LRU list (head) and size
	items map[cacheKey]*cacheNode
	head  cacheNode // sentinel: head.next is the most recently used
	size  int64

	hits, misses atomic.Int64
}

type cacheKey struct {
	file uint64 // file number (unique within a store)
	off  uint64 // block offset
}

type cacheNode struct {
	key        cacheKey
	data       *cachedBlock
	prev, next *cacheNode
}

// cachedBlock is a verified block payload together with its decoded entry
// table, so that a point read binary-searches the block instead of
// decoding its prefix-compressed entries one by one.
type cachedBlock struct {
	payload []byte
	keys    [][]byte // full keys, strictly ascending (one backing array)
	vals    [][]byte // alias payload
	kinds   []byte
}

func (b *cachedBlock) cost() int64 {
	n := int64(len(b.payload)) + int64(len(b.keys))*(24+24+1)
	for _, k := range b.keys {
		n += int64(len(k))
	}
	return n
}

// decodeCachedBlock decodes every entry of a verified payload.
func decodeCachedBlock(p []byte) (*cachedBlock, error) {
	it := blockIter{data: p}
	var keybuf []byte
	var ends []int
	b := &cachedBlock{payload: p}
	for {
		e, ok := it.next()
		if !ok {
			break
		}
		keybuf = append(keybuf, e.key...)
		ends = append(ends, len(keybuf))
		b.vals = append(b.vals, e.value)
		b.kinds = append(b.kinds, e.kind)
	}
	if it.err != nil {
		return nil, it.err
	}
	b.keys = make([][]byte, len(ends))
	start := 0
	for i, end := range ends {
		b.keys[i] = keybuf[start:end:end]
		start = end
	}
	return b, nil
}

const cacheNodeOverhead = 96 // map entry + node, roughly

func newBlockCache(capacity int64) *blockCache {
	c := &blockCache{capacity: capacity, items: make(map[cacheKey]*cacheNode)}
	c.head.next, c.head.prev = &c.head, &c.head
	return c
}

func (c *blockCache) get(k cacheKey) (*cachedBlock, bool) {
	c.mu.Lock()
	n, ok := c.items[k]
	if ok {
		c.unlink(n)
		c.pushFront(n)
	}
	c.mu.Unlock()
	if !ok {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return n.data, true
}

func (c *blockCache) put(k cacheKey, data *cachedBlock) {
	cost := data.cost() + cacheNodeOverhead
	if cost > c.capacity/4 {
		return // a block this large would flush the cache; serve it uncached
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n, ok := c.items[k]; ok {
		c.unlink(n)
		c.pushFront(n)
		return
	}
	n := &cacheNode{key: k, data: data}
	c.items[k] = n
	c.pushFront(n)
	c.size += cost
	for c.size > c.capacity {
		old := c.head.prev
		c.unlink(old)
		delete(c.items, old.key)
		c.size -= old.data.cost() + cacheNodeOverhead
	}
}

// evictFile drops every block of a deleted file.
func (c *blockCache) evictFile(file uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, n := range c.items {
		if k.file == file {
			c.unlink(n)
			delete(c.items, k)
			c.size -= n.data.cost() + cacheNodeOverhead
		}
	}
}

func (c *blockCache) bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

func (c *blockCache) unlink(n *cacheNode) {
	n.prev.next = n.next
	n.next.prev = n.prev
}

func (c *blockCache) pushFront(n *cacheNode) {
	n.next = c.head.next
	n.prev = &c.head
	c.head.next.prev = n
	c.head.next = n
}
