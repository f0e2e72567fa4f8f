package segments

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestModelAppended is TestModel over keys written mostly in ascending
// order, whose files hold disjoint runs that compactions copy block by
// block (blockcopy.go), among overwrites, deletes and range deletes that
// must stop a block from being copied.
func TestModelAppended(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	copied := int64(0)
	for cfg := range 3 {
		opts := Options{BufferSize: int64(2<<10) << (2 * cfg), BlockSize: 256 << cfg, CacheSize: 32 << 10, RestartInterval: 1 + 3*cfg}
		t.Run(fmt.Sprintf("cfg%d", cfg), func(t *testing.T) {
			h := runModel(t, rng, opts, 3000, appendedKeys(rng))
			n := h.copied + h.s.Stats().CopiedBlocks
			t.Logf("%d blocks copied", n)
			copied += n
		})
	}
	if copied == 0 {
		t.Fatal("no compaction copied a block")
	}
}

// slotOfKey is a test Slot function: the key's first digit after "k".
func slotOfKey(k []byte) uint16 { return uint16(k[1] - '0') }

// TestCompactionCopiesAppendedBlocks compacts files of disjoint key runs:
// the output's blocks are the inputs' blocks copied, and it reads back
// the same (through its bloom filter, block index and slot bitmap) after
// a reopen.
func TestCompactionCopiesAppendedBlocks(t *testing.T) {
	h := newHarness(t, Options{BufferSize: 1 << 20, BlockSize: 512, Slot: slotOfKey})
	const runs, per = 5, 400
	for r := range runs {
		for i := range per {
			n := r*per + i
			h.put(fmt.Sprintf("k%d%05d", n/per, n), fmt.Sprintf("v%d", n))
		}
		h.flush()
	}
	if err := h.s.Compact(); err != nil {
		t.Fatal(err)
	}
	copied := h.s.Stats().CopiedBlocks // counted since Open
	h.reopen()
	st := h.s.Stats()
	out := h.files()
	if st.Files != 1 || len(out) != 1 {
		t.Fatalf("%d files after Compact, want 1", st.Files)
	}
	blocks := int64(len(out[0].index))
	// Each compaction (background ones included) copies every block but
	// those it took over from a half-filled builder.
	if copied < blocks-runs {
		t.Fatalf("%d blocks copied, the output has %d", copied, blocks)
	}
	for n := range runs * per {
		h.expect(fmt.Sprintf("k%d%05d", n/per, n), fmt.Sprintf("v%d", n), true)
		h.expect(fmt.Sprintf("k%d%05dx", n/per, n), "", false)
	}
	if got := len(h.scan("", "")); got != runs*per {
		t.Fatalf("scan: %d keys, want %d", got, runs*per)
	}
	want := roaring.BitmapOf(0, 1, 2, 3, 4)
	if !out[0].slots.Equals(want) {
		t.Fatalf("slots %v, want %v", out[0].slots.ToArray(), want.ToArray())
	}
	if st.Entries != runs*per {
		t.Fatalf("props count %d entries, want %d", st.Entries, runs*per)
	}
}

// TestCompactionCopyRules checks each rule that keeps a block from being
// copied: another input's key in its range, a newer range tombstone over
// it, a point tombstone a full compaction drops.
func TestCompactionCopyRules(t *testing.T) {
	key := func(i int) string { return fmt.Sprintf("k%05d", i) }
	for _, c := range []struct {
		name  string
		write func(h *harness)
		want  []string // keys left, in order
	}{{
		// Even keys in one file, odd in the next: every block of each
		// spans keys of the other.
		name: "interleaved",
		write: func(h *harness) {
			for parity := range 2 {
				for i := parity; i < 400; i += 2 {
					h.put(key(i), "v")
				}
				h.flush()
			}
		},
		want: keyRange(key, 0, 400),
	}, {
		// A newer file deletes a range of an older file's blocks.
		name: "range tombstone",
		write: func(h *harness) {
			for i := range 400 {
				h.put(key(i), "v")
			}
			h.flush()
			h.put(key(1000), "v")
			h.delRange(key(100), key(300))
			h.flush()
		},
		want: append(append(keyRange(key, 0, 100), keyRange(key, 300, 400)...), key(1000)),
	}, {
		// Deletes of keys no file holds, in blocks of their own: a full
		// compaction drops them.
		name: "tombstones",
		write: func(h *harness) {
			for i := range 400 {
				h.put(key(i), "v")
			}
			h.flush()
			for i := 500; i < 900; i++ {
				h.del(key(i))
			}
			h.flush()
		},
		want: keyRange(key, 0, 400),
	}} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, Options{BufferSize: 1 << 20, BlockSize: 256})
			c.write(h)
			before := h.s.Stats().CopiedBlocks
			if err := h.s.Compact(); err != nil {
				t.Fatal(err)
			}
			copied := h.s.Stats().CopiedBlocks - before
			h.reopen()
			var got []string
			for _, kv := range h.scan("", "") {
				got = append(got, kv[:len(kv)-2])
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("after Compact: %d keys %v…, want %d", len(got), got[:min(5, len(got))], len(c.want))
			}
			st := h.s.Stats()
			if st.Tombstones != 0 || st.RangeDels != 0 {
				t.Fatalf("tombstones survived a full compaction: %+v", st)
			}
			if c.name == "interleaved" && copied != 0 {
				t.Fatalf("%d blocks of interleaved files copied", copied)
			}
		})
	}
}

func keyRange(key func(int) string, lo, hi int) []string {
	var ks []string
	for i := lo; i < hi; i++ {
		ks = append(ks, key(i))
	}
	return ks
}

// files returns the store's live files (newest first).
func (h *harness) files() []*table {
	h.s.mu.RLock()
	defer h.s.mu.RUnlock()
	return slices.Clone(h.s.current.files)
}
