package segments

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
)

// keysTable writes a file of keys (ascending), each with a 100-byte
// value, at the given tier.
func keysTable(t *testing.T, dir string, num uint64, tier uint32, keys [][]byte) *table {
	t.Helper()
	return spansTable(t, dir, num, tier, keys, nil)
}

// spansTable is keysTable with range tombstones sp (sorted, disjoint).
func spansTable(t *testing.T, dir string, num uint64, tier uint32, keys [][]byte, sp []span) *table {
	t.Helper()
	opts := Options{}
	opts.applyDefaults()
	tw, err := newTableWriter(dir, num, uint64(len(keys)), &opts)
	if err != nil {
		t.Fatal(err)
	}
	val := make([]byte, 100)
	for _, k := range keys {
		tw.add(k, val, kindValue)
	}
	if _, err := tw.finish(sp, LSN(num), LSN(num), num, num, tier); err != nil {
		t.Fatal(err)
	}
	tb, err := openTable(tw.path, num, -1, newBlockCache(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tb.unref)
	return tb
}

// policyKeys returns k%07d for i in [lo, hi), and after each, when
// between is set, the key k%07dx that sorts between it and the next.
func policyKeys(lo, hi int, plain, between bool) [][]byte {
	var ks [][]byte
	for i := lo; i < hi; i++ {
		if plain {
			ks = append(ks, fmt.Appendf(nil, "k%07d", i))
		}
		if between {
			ks = append(ks, fmt.Appendf(nil, "k%07dx", i))
		}
	}
	return ks
}

// TestShadowShare checks the overwrite estimate against files whose
// share of the base's keys is known.
func TestShadowShare(t *testing.T) {
	dir := t.TempDir()
	base := keysTable(t, dir, 1, 2, policyKeys(0, 40000, true, false))
	for i, c := range []struct {
		name     string
		keys     [][]byte
		min, max float64
	}{
		{"growth past the base", policyKeys(40000, 50000, true, false), 0, 0.05},
		{"growth among the base's keys", policyKeys(0, 20000, false, true), 0, 0.05},
		{"rewrite", policyKeys(10000, 20000, true, false), 1, 1},
		{"half rewrite", policyKeys(0, 20000, true, true), 0.4, 0.6},
	} {
		newer := keysTable(t, dir, uint64(2+i), 0, c.keys)
		got := shadowShare(newer, base)
		if got < c.min || got > c.max {
			t.Errorf("%s: shadowShare = %.3f, want within [%.2f, %.2f]", c.name, got, c.min, c.max)
		}
		if again := shadowShare(newer, base); again != got {
			t.Errorf("%s: cached share %.3f, computed %.3f", c.name, again, got)
		}
		if other := keysTable(t, dir, uint64(20+i), 0, policyKeys(90000, 91000, true, false)); shadowShare(newer, other) != 0 {
			t.Errorf("%s: the share cached against one base answered for another", c.name)
		}
	}
}

// TestPickCompactionGrowth: newer files that only add keys, together over
// half the base's size, leave the base alone until they reach its size;
// newer files as large that rewrite its keys merge it at once.
func TestPickCompactionGrowth(t *testing.T) {
	dir := t.TempDir()
	base := keysTable(t, dir, 1, 2, policyKeys(0, 40000, true, false))
	grow := []*table{ // newest first, tiers ascending
		keysTable(t, dir, 3, 0, policyKeys(0, 12000, false, true)),
		keysTable(t, dir, 2, 1, policyKeys(12000, 30000, false, true)),
	}
	var size int64
	for _, tb := range grow {
		size += tb.size
	}
	if 2*size < base.size || size >= base.size {
		t.Fatalf("newer files of %d bytes beside a base of %d: want between half and all of it", size, base.size)
	}
	if p := pickCompaction(append(grow, base)); p != nil && p.full {
		t.Errorf("growth of %d bytes over a base of %d: full compaction planned", size, base.size)
	}
	rewrite := []*table{
		keysTable(t, dir, 5, 0, policyKeys(0, 12000, true, false)),
		keysTable(t, dir, 4, 1, policyKeys(12000, 30000, true, false)),
	}
	if p := pickCompaction(append(rewrite, base)); p == nil || !p.full {
		t.Errorf("a rewrite of the base's keys: plan %+v, want a full compaction", p)
	}
}

// TestSpanGarbage: the base bytes a file's range tombstones overlap, found
// by binary search, are what comparing each tombstone with each base
// block counts; and kept per base.
func TestSpanGarbage(t *testing.T) {
	dir := t.TempDir()
	base := keysTable(t, dir, 1, 0, policyKeys(0, 20000, true, false))
	rng := rand.New(rand.NewPCG(5, 6))
	var sp []span
	for lo := 0; lo < 21000; lo += 1 + rng.IntN(400) {
		hi := lo + rng.IntN(300)
		sp = append(sp, span{fmt.Appendf(nil, "k%07d", lo), fmt.Appendf(nil, "k%07d", hi)})
		lo = hi
	}
	sp = append(sp, span{[]byte("a"), []byte("b")}, span{[]byte("z"), []byte("zz")}) // outside the base
	sp = mergeSpans(sp)
	newer := spansTable(t, dir, 2, 0, nil, sp)
	var want int64
	for _, s := range newer.spans {
		for _, h := range base.index {
			if string(h.first) < string(s.hi) && string(h.last) >= string(s.lo) {
				want += int64(h.length + blockTrailer)
			}
		}
	}
	if want == 0 {
		t.Fatal("no base block under the tombstones")
	}
	if got := spanGarbage(newer, base); got != want {
		t.Fatalf("spanGarbage = %d, want %d", got, want)
	}
	if again := spanGarbage(newer, base); again != want {
		t.Fatalf("spanGarbage again = %d, want %d", again, want)
	}
	other := keysTable(t, dir, 3, 0, policyKeys(90000, 91000, true, false))
	if got := spanGarbage(newer, other); got != 0 {
		t.Fatalf("spanGarbage over a base it does not overlap = %d", got)
	}
}

// TestTableIterCovers: a file iterator's covers, which walks the spans
// from the last key asked, answers as the file's covers does for keys
// that ascend by small and large steps, repeat, and now and then go back.
func TestTableIterCovers(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var sp []span
	for lo := 0; lo < 5000; lo += 1 + rng.IntN(40) {
		hi := lo + 1 + rng.IntN(20)
		sp = append(sp, span{fmt.Appendf(nil, "k%07d", lo), fmt.Appendf(nil, "k%07d", hi)})
		lo = hi
	}
	tb := spansTable(t, t.TempDir(), 1, 0, nil, mergeSpans(sp))
	it := &tableIter{t: tb}
	k := 0
	for range 20000 {
		switch r := rng.IntN(100); {
		case r < 60:
			k += rng.IntN(3)
		case r < 90:
			k += rng.IntN(200)
		default:
			k = max(0, k-rng.IntN(500))
		}
		key := fmt.Appendf(nil, "k%07d", k)
		if rng.IntN(5) == 0 {
			key = append(key, 'x') // between keys
		}
		if got, want := it.covers(key), tb.covers(key); got != want {
			t.Fatalf("covers(%s) = %v, want %v", key, got, want)
		}
	}
}

// TestCompactionReadAhead compacts files of many read-ahead runs (a
// compaction reads its inputs readAhead bytes at a time, seqReader) with
// some of their blocks in the block cache, so that blocks come from the
// cache, from the middle of a run and from both ends of one. Every key
// must keep its newest value. Then damage inside a run must fail the
// compaction with the offset of the block it is in, not the run's: a
// flipped byte (the run reads, the block's checksum fails) and a file
// cut short under the open store (the run's read fails, and block by
// block reads find where).
func TestCompactionReadAhead(t *testing.T) {
	const n = 24_000 // ~3 MB per file at 100-byte values: ~12 runs
	val := func(i, gen int) string { return fmt.Sprintf("%0100d", i*10+gen) }
	key := func(i int) string { return fmt.Sprintf("key%06d", i) }
	build := func(t *testing.T) *harness {
		h := newHarness(t, Options{BlockSize: 4096, BufferSize: 64 << 20})
		for i := range n {
			h.put(key(i), val(i, 0))
		}
		h.flush()
		for i := 0; i < n; i += 3 {
			h.put(key(i), val(i, 1))
		}
		for i := 1; i < n; i += 7 {
			h.del(key(i))
		}
		h.flush()
		if fs := h.files(); len(fs) != 2 || fs[1].size < 8*readAhead {
			t.Fatalf("want 2 files, the older above %d bytes: %d files", 8*readAhead, len(fs))
		}
		return h
	}
	t.Run("values", func(t *testing.T) {
		h := build(t)
		for i := 0; i < n; i += 997 { // scattered blocks of both files into the cache
			h.s.Get([]byte(key(i)))
		}
		if err := h.s.Compact(); err != nil {
			t.Fatal(err)
		}
		got := h.scan("", "")
		j := 0
		for i := range n {
			if i%7 == 1 {
				continue
			}
			want := key(i) + "=" + val(i, 0)
			if i%3 == 0 {
				want = key(i) + "=" + val(i, 1)
			}
			if j >= len(got) || got[j] != want {
				t.Fatalf("entry %d after compaction: got %.40q, want %.40q", j, got[min(j, len(got)-1)], want)
			}
			j++
		}
		if j != len(got) {
			t.Fatalf("%d entries after compaction, want %d", len(got), j)
		}
	})
	// midBlock returns the older file and a block of it past the middle
	// of its first run.
	midBlock := func(t *testing.T, h *harness) (*table, int) {
		base := h.files()[1]
		for i, e := range base.index {
			if e.off-base.index[0].off > readAhead/2 {
				return base, i
			}
		}
		t.Fatal("no block past the first run's middle")
		return nil, 0
	}
	t.Run("flipped_byte", func(t *testing.T) {
		h := build(t)
		base, blk := midBlock(t, h)
		path, off := base.path, int64(base.index[blk].off)
		h.reopen() // nothing of the file in the cache
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 1)
		f.ReadAt(b, off+7)
		b[0] ^= 0x40
		if _, err := f.WriteAt(b, off+7); err != nil {
			t.Fatal(err)
		}
		f.Close()
		checkCorruption(t, h.s.Compact(), path, "block", ErrChecksum, off)
	})
	t.Run("cut_short", func(t *testing.T) {
		h := build(t)
		h.reopen()
		base, blk := midBlock(t, h)
		off := int64(base.index[blk].off)
		if err := os.Truncate(base.path, off+10); err != nil {
			t.Fatal(err)
		}
		checkCorruption(t, h.s.Compact(), base.path, "block", ErrTruncated, off)
	})
}
