package segments

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestRowCacheModel: with every read's answer put in the row cache (and
// a cache small enough that keys share slots), point reads answer as a
// model does through writes, deletes, range deletes, flushes,
// compactions and recoveries in any order: an entry made from one version
// of the files never answers a read of another, and a key written since
// is answered by the buffer that holds it. Reads that the cache answered
// are counted, so the test cannot pass with the cache bypassed.
func TestRowCacheModel(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 7))
	h := newHarness(t, Options{BufferSize: 8 << 10, BlockSize: 256, RowCacheSize: 64 * rowMaxBytes})
	admitAll := func() { h.s.rows.admit = 1 }
	admitAll()
	model := map[string]string{}
	key := func() string { return fmt.Sprintf("k%03d", rng.IntN(200)) }
	var hits int64 // the row cache's answers, summed over the stores
	for step := range 40_000 {
		switch r := rng.IntN(1000); {
		case r < 50:
			k, v := key(), fmt.Sprintf("v%d", step)
			h.put(k, v)
			model[k] = v
		case r < 60:
			k := key()
			h.del(k)
			delete(model, k)
		case r < 63:
			lo, hi := key(), key()
			if lo > hi {
				lo, hi = hi, lo
			}
			h.delRange(lo, hi)
			deleteRange(model, lo, hi)
		case r < 90:
			h.flush()
		case r < 95:
			if err := h.s.Compact(); err != nil {
				t.Fatalf("seed %d step %d: Compact: %v", seed, step, err)
			}
		case r < 97:
			hits += h.s.Stats().RowHits
			h.recover() // reopened, the WAL past the checkpoint replayed
			admitAll()
		default:
			k := key()
			v, ok := model[k]
			h.expect(k, v, ok)
		}
	}
	if hits += h.s.Stats().RowHits; hits < 1000 {
		t.Fatalf("seed %d: the row cache answered %d reads: not in use", seed, hits)
	}
}

// TestRowCacheAdmits: a key read again and again gets into the row cache
// at the default admission odds, and its reads are answered there; a
// read of a key no file holds is too (an absent answer).
func TestRowCacheAdmits(t *testing.T) {
	h := newHarness(t, Options{})
	for i := range 100 {
		h.put(fmt.Sprintf("key%03d", i), fmt.Sprintf("value-%d", i))
	}
	h.flush()
	for range 2000 {
		h.expect("key042", "value-42", true)
		h.expect("nokey", "", false)
	}
	if st := h.s.Stats(); st.RowHits < 3000 {
		t.Fatalf("4000 reads of two keys: %d answered by the row cache, %d missed", st.RowHits, st.RowMisses)
	}
	// No row cache: nothing is counted.
	h2 := newHarness(t, Options{RowCacheSize: -1})
	h2.put("k", "v")
	h2.flush()
	for range 100 {
		h2.expect("k", "v", true)
	}
	if st := h2.s.Stats(); st.RowHits != 0 || st.RowMisses != 0 {
		t.Fatalf("no row cache: %d hits, %d misses", st.RowHits, st.RowMisses)
	}
}

// TestViewForWrite: reads for a write answer as View does and leave the
// row cache alone: they neither ask it nor fill it, so a read after them
// still misses, and one after a View hits.
func TestViewForWrite(t *testing.T) {
	h := newHarness(t, Options{})
	h.s.rows.admit = 1
	h.put("a", "1")
	h.put("b", "2")
	h.del("b")
	h.flush()
	var hints ReadHints
	for _, c := range []struct {
		key, want string
		found     bool
	}{{"a", "1", true}, {"b", "", false}, {"c", "", false}} {
		for range 3 {
			var got string
			found, err := h.s.ViewForWrite([]byte(c.key), false, 0, &hints, func(v []byte) { got = string(v) })
			if err != nil || found != c.found || got != c.want {
				t.Fatalf("ViewForWrite(%q) = %q %v %v, want %q %v", c.key, got, found, err, c.want, c.found)
			}
		}
	}
	if st := h.s.Stats(); st.RowHits != 0 || st.RowMisses != 0 {
		t.Fatalf("reads for writes counted %d row cache hits, %d misses", st.RowHits, st.RowMisses)
	}
	h.expect("a", "1", true) // a miss, admitted
	h.expect("a", "1", true) // a hit
	if st := h.s.Stats(); st.RowHits != 1 || st.RowMisses != 1 {
		t.Fatalf("two reads: %d hits, %d misses; want 1 and 1", st.RowHits, st.RowMisses)
	}
}
