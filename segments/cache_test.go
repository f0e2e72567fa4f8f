package segments

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

func testBlock(n int) *cacheNode { return &cacheNode{data: cachedBlock{payload: make([]byte, n)}} }

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
		if _, ok := c.get(&slots[i], uint64(i)); !ok {
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
	c.get(&slots[2], 2) // referenced: passed over next time
	c.put(&slots[11], key(11), testBlock(blk))
	if slots[2].Load() == nil {
		t.Fatal("a block read since the last sweep was evicted")
	}
	bytes, _, _ := c.stats()
	if bytes > c.core.shards[0].capacity {
		t.Fatalf("cache holds %d bytes, capacity %d", bytes, c.core.shards[0].capacity)
	}
	c.evictFile(2) // blocks 10 and 11
	if slots[10].Load() != nil || slots[11].Load() != nil {
		t.Fatal("evictFile left a block of the file")
	}
	for _, n := range c.core.shards[0].ring {
		if n.key.file == 2 {
			t.Fatal("evictFile left a node in the ring")
		}
	}
	if bytes, _, _ := c.stats(); bytes != int64(len(c.core.shards[0].ring))*(blk+cacheNodeOverhead) {
		t.Fatalf("size %d for %d nodes", bytes, len(c.core.shards[0].ring))
	}
}

// TestBlockCacheConcurrent: readers, inserters and evictFile at once (run
// with -race); a hit always returns the block put in that slot.
func TestBlockCacheConcurrent(t *testing.T) {
	c := newBlockCache(cacheShards * minShardBytes)
	const files, perFile = 8, 512
	slots := make([][]atomic.Pointer[cacheNode], files)
	blocks := make([][]*cacheNode, files)
	for f := range slots {
		slots[f] = make([]atomic.Pointer[cacheNode], perFile)
		blocks[f] = make([]*cacheNode, perFile)
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
				k := cacheKey{file: uint64(f), off: uint64(i)}
				if b, ok := c.get(&slots[f][i], k.off); ok {
					if b != &blocks[f][i].data {
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
	for i := range c.core.shards {
		if sh := &c.core.shards[i]; sh.size > sh.capacity {
			t.Fatalf("shard %d holds %d bytes, capacity %d", i, sh.size, sh.capacity)
		}
	}
	var inRing int64
	for i := range c.core.shards {
		for _, n := range c.core.shards[i].ring {
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

// TestSharedBlockCache: two stores sharing one cache (Options.Cache), whose
// files have the same numbers, each read their own blocks, through
// compactions that delete files of one of them, and the cache stays
// within its capacity.
func TestSharedBlockCache(t *testing.T) {
	cache := NewBlockCache(cacheShards * minShardBytes)
	var stores [2]*Store
	for i := range stores {
		s, err := Open(t.TempDir(), nil, 0, Options{BufferSize: 16 << 10, BlockSize: 1 << 10, Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	val := func(store, round, i int) []byte { return fmt.Appendf(nil, "store%d-round%d-%04d", store, round, i) }
	var lsn LSN
	for round := range 6 {
		for i := range 400 {
			for si, s := range stores {
				lsn++
				s.Put(lsn, fmt.Appendf(nil, "k%04d", i), val(si, round, i))
			}
		}
		for si, s := range stores {
			if err := s.Flush(true); err != nil {
				t.Fatal(err)
			}
			if round%2 == si { // compactions (and file deletions) of one store at a time
				if err := s.Compact(); err != nil {
					t.Fatal(err)
				}
			}
		}
		for si, s := range stores {
			for i := range 400 {
				v, ok, err := s.Get(fmt.Appendf(nil, "k%04d", i))
				if err != nil || !ok || !bytes.Equal(v, val(si, round, i)) {
					t.Fatalf("round %d: store %d key %d = %q %v %v, want %q", round, si, i, v, ok, err, val(si, round, i))
				}
			}
		}
	}
	bytes, capacity, hits, misses := cache.Stats()
	if bytes > capacity || hits == 0 || misses == 0 {
		t.Fatalf("cache: %d bytes of %d, %d hits, %d misses", bytes, capacity, hits, misses)
	}
	if a, b := stores[0].Stats(), stores[1].Stats(); a.CacheHits != b.CacheHits || a.CacheHits != hits {
		t.Fatalf("stores report %d and %d hits of the shared cache, which has %d", a.CacheHits, b.CacheHits, hits)
	}
}

// TestSharedCacheEvictFile: evicting a file of one store leaves the block
// of the other store's file with the same number.
func TestSharedCacheEvictFile(t *testing.T) {
	cache := NewBlockCache(1 << 20)
	a, b := cache.view(), cache.view()
	var sa, sb atomic.Pointer[cacheNode]
	a.put(&sa, cacheKey{file: 1}, testBlock(100))
	b.put(&sb, cacheKey{file: 1}, testBlock(100))
	a.evictFile(1)
	if _, ok := a.get(&sa, 1); ok {
		t.Fatal("store a's block survived its evictFile")
	}
	if _, ok := b.get(&sb, 1); !ok {
		t.Fatal("store b's block was evicted with store a's file")
	}
}

// TestCompactionWarmsCache: after a compaction, the keys readers had
// cached are cached again from the new file (nearly no misses when they
// are read again), the cache holds no more than before, and a store
// nobody read has nothing warmed.
func TestCompactionWarmsCache(t *testing.T) {
	for _, read := range []bool{true, false} {
		t.Run(fmt.Sprintf("read=%v", read), func(t *testing.T) {
			cache := NewBlockCache(cacheShards * minShardBytes)
			s, err := Open(t.TempDir(), nil, 0, Options{BufferSize: 1 << 20, BlockSize: 1 << 10, Cache: cache})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			const keys = 8000
			key := func(i int) []byte { return fmt.Appendf(nil, "k%05d", i) }
			var lsn LSN
			put := func(i int, round int) {
				lsn++
				s.Put(lsn, key(i), fmt.Appendf(nil, "value-%d-%040d", round, i))
			}
			for i := range keys {
				put(i, 0)
			}
			if err := s.Flush(true); err != nil {
				t.Fatal(err)
			}
			if err := s.Compact(); err != nil {
				t.Fatal(err)
			}
			readHalf := func() (misses int64) {
				_, _, _, m0 := cache.Stats()
				for i := range keys / 2 {
					if _, ok, err := s.Get(key(i)); err != nil || !ok {
						t.Fatalf("key %d: %v %v", i, ok, err)
					}
				}
				_, _, _, m1 := cache.Stats()
				return m1 - m0
			}
			if read {
				if m := readHalf(); m == 0 {
					t.Fatal("the first reads missed nothing")
				}
			}
			before, _, _, _ := cache.Stats()
			for i := 0; i < keys; i += 7 {
				put(i, 1)
			}
			if err := s.Flush(true); err != nil {
				t.Fatal(err)
			}
			if err := s.Compact(); err != nil {
				t.Fatal(err)
			}
			after, _, _, _ := cache.Stats()
			if !read {
				if after != 0 {
					t.Fatalf("nothing was read, and the compaction cached %d bytes", after)
				}
				return
			}
			if after > before+before/20 {
				t.Fatalf("the cache held %d bytes before the compaction and %d after", before, after)
			}
			blocks := int64(keys / 2 * 50 / (1 << 10))
			if m := readHalf(); m > blocks/20 {
				t.Fatalf("reading the warmed half again missed %d blocks of ~%d", m, blocks)
			}
		})
	}
}

// TestFindHashed: through the fingerprint index, every key of a block is
// found with its value, absent keys are not, and neither is fooled by a
// fingerprint collision: two present keys sharing one, and absent keys
// probed with a present key's hash.
func TestFindHashed(t *testing.T) {
	// Two keys with the same fingerprint, found by search.
	seen := map[uint32]string{}
	var twinA, twinB string
	for i := 0; twinA == ""; i++ {
		k := fmt.Sprintf("twin%06d", i)
		fp := fingerprint(bloomHash([]byte(k)))
		if o, ok := seen[fp]; ok {
			twinA, twinB = o, k
		}
		seen[fp] = k
	}
	for _, interval := range []int{1, 4, 16} {
		var keys []string
		for i := range 300 {
			keys = append(keys, fmt.Sprintf("k%05d", i*3))
		}
		keys = append(keys, twinA, twinB)
		slices.Sort(keys)
		bb := blockBuilder{interval: interval}
		for _, k := range keys {
			bb.add([]byte(k), []byte("v"+k), kindValue)
		}
		bb.finish()
		cb, err := newCachedBlock(bb.buf)
		if err != nil {
			t.Fatal(err)
		}
		if err := cb.buildIndex(); err != nil || len(cb.fps) != len(keys) {
			t.Fatalf("buildIndex: %v, %d cells for %d entries", err, len(cb.fps), len(keys))
		}
		for i, c := range cb.fps {
			if off := int(c >> 16); off != cb.restart(i/interval) {
				t.Fatalf("interval %d: cell %d names offset %d", interval, i, off)
			}
		}
		for _, k := range keys {
			e, found, err := cb.findHashed([]byte(k), bloomHash([]byte(k)))
			if err != nil || !found || string(e.value) != "v"+k {
				t.Fatalf("interval %d: findHashed(%q) = %q %v %v", interval, k, e.value, found, err)
			}
		}
		for i := range 300 {
			absent := []byte(fmt.Sprintf("k%05d", i*3+1))
			for _, h := range []uint64{bloomHash(absent), bloomHash([]byte(keys[i]))} {
				if _, found, err := cb.findHashed(absent, h); found || err != nil {
					t.Fatalf("interval %d: absent %q found (%v)", interval, absent, err)
				}
			}
		}
	}
}

// TestFindHashedLargeBlock: a block whose entries 16 bits cannot address
// is checked but keeps no index, and its keys are still found.
func TestFindHashedLargeBlock(t *testing.T) {
	bb := blockBuilder{interval: 4}
	big := bytes.Repeat([]byte("v"), 30<<10)
	for i := range 5 {
		bb.add([]byte(fmt.Sprintf("k%d", i)), big, kindValue)
	}
	bb.finish()
	cb, err := newCachedBlock(bb.buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := cb.buildIndex(); err != nil || cb.fps != nil {
		t.Fatalf("buildIndex: %v, %d cells", err, len(cb.fps))
	}
	for i := range 5 {
		k := []byte(fmt.Sprintf("k%d", i))
		if e, found, err := cb.findHashed(k, bloomHash(k)); err != nil || !found || !bytes.Equal(e.value, big) {
			t.Fatalf("findHashed(%s): %v %v", k, found, err)
		}
	}
	if _, found, _ := cb.findHashed([]byte("k9"), bloomHash([]byte("k9"))); found {
		t.Fatal("absent key found")
	}
}

// TestRestartFences: a cached block's seek through its fences
// (restartsUpTo) counts the restart keys below and up to a key as the
// binary search of the keys themselves does, on blocks whose keys share
// long prefixes, tie in their 8 bytes past the shared prefix, end inside
// those bytes or hold zero bytes, for probes at, between and around them.
func TestRestartFences(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 9))
	alphabet := []byte{0, 1, 'a', 'b', 0xff}
	word := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return b
	}
	for round := range 300 {
		prefix := word(rng.IntN(12))
		set := map[string]bool{}
		for range 1 + rng.IntN(80) {
			k := append(slices.Clone(prefix), word(rng.IntN(4))...) // ties and short keys
			if rng.IntN(2) == 0 {
				k = append(k, word(6+rng.IntN(6))...)
			}
			set[string(k)] = true
		}
		keys := slices.Sorted(maps.Keys(set))
		bb := blockBuilder{interval: 1 + rng.IntN(3)}
		for _, k := range keys {
			bb.add([]byte(k), nil, kindValue)
		}
		bb.finish()
		cb, err := newCachedBlock(bb.buf)
		if err != nil {
			t.Fatal(err)
		}
		plain := *cb // no fences: the keys' binary search
		if err := cb.buildIndex(); err != nil || cb.fences == nil {
			t.Fatalf("buildIndex: %v (fences %v)", err, cb.fences)
		}
		probes := [][]byte{nil, {}, {0xff, 0xff}, prefix, append(slices.Clone(prefix), 0xff)}
		for _, k := range keys {
			b := []byte(k)
			probes = append(probes, b, append(slices.Clone(b), 0))
			if n := len(b); n > 0 {
				probes = append(probes, b[:n-1], append(b[:n-1:n-1], b[n-1]+1))
			}
		}
		for range 20 {
			probes = append(probes, append(slices.Clone(prefix), word(rng.IntN(10))...), word(rng.IntN(10)))
		}
		for _, p := range probes {
			for _, strict := range []bool{false, true} {
				want, werr := plain.restartsUpTo(p, strict)
				got, gerr := cb.restartsUpTo(p, strict)
				if got != want || gerr != nil || werr != nil {
					t.Fatalf("round %d: restartsUpTo(%q, strict %v) = %d %v, want %d %v (keys %q)", round, p, strict, got, gerr, want, werr, keys)
				}
			}
		}
	}
}
