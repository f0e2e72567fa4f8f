package segments

import (
	"sync"
	"sync/atomic"
	"testing"
)

func testBlock(n int) *cachedBlock { return &cachedBlock{payload: make([]byte, n)} }

// TestBlockCacheClock: the cache stays within its capacity, a block read
// since the hand last passed survives an eviction that an unread one does
// not, and evictFile forgets a file's blocks.
func TestBlockCacheClock(t *testing.T) {
	const blk = 1000
	c := newBlockCache(10 * (blk + cacheNodeOverhead)) // one shard, ten blocks
	slots := make([]atomic.Pointer[cacheNode], 30)
	key := func(i int) cacheKey { return cacheKey{file: uint64(1 + i/10), off: uint64(i % 10)} }
	for i := range 10 {
		c.put(&slots[i], key(i), testBlock(blk))
	}
	for i := range 10 {
		if _, ok := c.get(&slots[i], key(i)); !ok {
			t.Fatalf("block %d not cached", i)
		}
	}
	// Everything is referenced now; the hand clears the bits on its first
	// sweep and evicts in ring order. Touch block 0 again after that sweep:
	// it must outlive block 1.
	c.put(&slots[10], key(10), testBlock(blk)) // evicts block 0 (bits cleared, then the first)
	if slots[0].Load() != nil {
		t.Fatal("the first unreferenced block was not the one evicted")
	}
	c.get(&slots[2], key(2)) // referenced: passed over next time
	c.put(&slots[11], key(11), testBlock(blk))
	if slots[2].Load() == nil {
		t.Fatal("a block read since the last sweep was evicted")
	}
	bytes, _, _ := c.stats()
	if bytes > c.shards[0].capacity {
		t.Fatalf("cache holds %d bytes, capacity %d", bytes, c.shards[0].capacity)
	}
	c.evictFile(2) // blocks 10 and 11
	if slots[10].Load() != nil || slots[11].Load() != nil {
		t.Fatal("evictFile left a block of the file")
	}
	for _, n := range c.shards[0].ring {
		if n.key.file == 2 {
			t.Fatal("evictFile left a node in the ring")
		}
	}
	if bytes, _, _ := c.stats(); bytes != int64(len(c.shards[0].ring))*(blk+cacheNodeOverhead) {
		t.Fatalf("size %d for %d nodes", bytes, len(c.shards[0].ring))
	}
}

// TestBlockCacheConcurrent: readers, inserters and evictFile at once (run
// with -race); a hit always returns the block put in that slot.
func TestBlockCacheConcurrent(t *testing.T) {
	c := newBlockCache(cacheShards * minShardBytes)
	const files, perFile = 8, 512
	slots := make([][]atomic.Pointer[cacheNode], files)
	blocks := make([][]*cachedBlock, files)
	for f := range slots {
		slots[f] = make([]atomic.Pointer[cacheNode], perFile)
		blocks[f] = make([]*cachedBlock, perFile)
		for i := range blocks[f] {
			blocks[f][i] = testBlock(16 << 10)
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20000 {
				f, i := (j*7+g)%files, (j*13+g*31)%perFile
				k := cacheKey{uint64(f), uint64(i)}
				if b, ok := c.get(&slots[f][i], k); ok {
					if b != blocks[f][i] {
						t.Errorf("slot %d/%d returned another block", f, i)
						return
					}
					continue
				}
				c.put(&slots[f][i], k, blocks[f][i])
				if j%5000 == 0 {
					c.evictFile(uint64(f))
				}
			}
		}()
	}
	wg.Wait()
	bytes, hits, misses := c.stats()
	if hits == 0 || misses == 0 {
		t.Fatalf("hits %d, misses %d", hits, misses)
	}
	for i := range c.shards {
		if sh := &c.shards[i]; sh.size > sh.capacity {
			t.Fatalf("shard %d holds %d bytes, capacity %d", i, sh.size, sh.capacity)
		}
	}
	var inRing int64
	for i := range c.shards {
		for _, n := range c.shards[i].ring {
			if n.slot.Load() != n {
				t.Fatal("a node in the ring is not in its slot")
			}
			inRing += n.data.cost() + cacheNodeOverhead
		}
	}
	if inRing != bytes {
		t.Fatalf("ring holds %d bytes, size says %d", inRing, bytes)
	}
}
