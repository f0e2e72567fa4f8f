package segments

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// TestSortNodes checks the flush's sort of a frozen buffer against a
// comparison sort, on key sets made to stress it: long shared prefixes
// (deep ties), keys that are prefixes of others, zero bytes next to zero
// padding, the empty key, and sizes on both sides of the radix and small
// sort thresholds.
func TestSortNodes(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 1))
	gens := map[string]func() []byte{
		// Few symbols, short: many ties, prefixes and zero bytes.
		"tiny_alphabet": func() []byte {
			k := make([]byte, rng.IntN(20))
			for i := range k {
				k[i] = []byte{0, 1, 'a', 0xff}[rng.IntN(4)]
			}
			return k
		},
		// Keys that differ only in how many zero bytes end them: equal
		// to each other with zero padding, in runs longer than smallSort.
		"zero_tails": func() []byte {
			return append([]byte("xy")[:rng.IntN(3)], make([]byte, rng.IntN(60))...)
		},
		// A long common prefix, then a varying tail.
		"shared_prefix": func() []byte {
			k := []byte("\x00\x00\x00\x01\x12\x34some/long/user/key/with/a/shared/prefix:")
			return fmt.Appendf(k, "%d", rng.IntN(1_000_000))
		},
		// The engines' keys: phys, slot, user key.
		"engine": func() []byte {
			k := []byte{0, 0, 0, byte(rng.IntN(2)), byte(rng.IntN(64)), byte(rng.IntN(256))}
			return fmt.Appendf(k, "key:%0*d", rng.IntN(12), rng.IntN(100_000))
		},
		// Random bytes of random lengths, up to 40.
		"random": func() []byte {
			k := make([]byte, rng.IntN(41))
			for i := range k {
				k[i] = byte(rng.Uint32())
			}
			return k
		},
	}
	for name, gen := range gens {
		for _, n := range []int{0, 1, 2, smallSort, smallSort + 1, insertionMax, insertionMax + 1, 100, radixMin, radixMin + 1, 5000, 60_000} {
			seen := map[string]bool{}
			var ns []*node
			for tries := 0; len(ns) < n && tries < 20*n; tries++ {
				k := gen()
				if seen[string(k)] {
					continue
				}
				seen[string(k)] = true
				ns = append(ns, &node{key: k})
			}
			want := slices.Clone(ns)
			slices.SortFunc(want, byKey)
			// From the start, and past the prefix all the keys share (as
			// a buffer's flush sorts them).
			shared := 0
			for i, n := range ns {
				if i == 0 {
					shared = len(n.key)
				}
				shared = min(shared, sharedPrefix(ns[0].key, n.key))
			}
			for _, depth := range []int{0, shared} {
				got := sortNodes(slices.Clone(ns), depth)
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%s, %d keys, sorted from byte %d (seed %d): position %d holds %q, want %q", name, len(ns), depth, seed, i, got[i].key, want[i].key)
					}
				}
			}
		}
	}
}

// TestSortAdded checks the sort of nodes in the order they were added
// against a comparison sort: a stream's records (a meta key, entries in id
// order with a node record every ~100, the ids' milliseconds and sequence
// numbers wide enough to tie in their first bytes), the same with a few
// entries out of order (a bucket sorted by sortNodes), keys in order,
// keys at random (the fallback), and the key that is the shared prefix
// itself.
func TestSortAdded(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 2))
	prefix := []byte("\x00\x00\x00\x00\x30\x39stream:key\x00\x00\x00\x01")
	rec := func(sub byte, ms, seq uint64) []byte {
		k := append(slices.Clone(prefix), sub)
		k = binary.BigEndian.AppendUint64(k, ms)
		return binary.BigEndian.AppendUint64(k, seq)
	}
	streamOrder := func(n int) [][]byte {
		keys := [][]byte{append(slices.Clone(prefix), 'm')}
		ms, seq := uint64(1_700_000_000_000), uint64(0)
		for i := range n {
			if rng.IntN(3) == 0 {
				ms, seq = ms+1+uint64(rng.IntN(2)), 0
			} else {
				seq++
			}
			if i%100 == 0 {
				keys = append(keys, rec('n', ms, seq))
			}
			keys = append(keys, rec('e', ms, seq))
		}
		return keys
	}
	cases := map[string][][]byte{
		"stream":      streamOrder(20_000),
		"sorted":      nil,
		"random":      nil,
		"swapped":     streamOrder(5_000),
		"prefix_key":  append([][]byte{slices.Clone(prefix)}, streamOrder(300)...),
		"one":         {[]byte("k")},
		"empty":       {},
		"descending3": {[]byte("c"), []byte("b"), []byte("a")},
	}
	for i := range 1000 {
		cases["sorted"] = append(cases["sorted"], fmt.Appendf(nil, "key:%06d", i))
	}
	for i := range 3000 {
		cases["random"] = append(cases["random"], fmt.Appendf(nil, "key:%06d:%d", rng.IntN(1_000_000), i))
	}
	sw := cases["swapped"]
	for range 5 {
		i := 1 + rng.IntN(len(sw)-2)
		sw[i], sw[i+1] = sw[i+1], sw[i]
	}
	for name, keys := range cases {
		ns := make([]*node, len(keys))
		shared := -1
		for i, k := range keys {
			ns[i] = &node{key: k}
			if shared < 0 {
				shared = len(k)
			}
			shared = min(shared, sharedPrefix(keys[0], k))
		}
		shared = max(shared, 0)
		want := slices.Clone(ns)
		slices.SortFunc(want, byKey)
		got := sortAdded(slices.Clone(ns), shared)
		if len(got) != len(want) {
			t.Fatalf("%s (seed %d): %d nodes out of %d", name, seed, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s (seed %d), sorted from byte %d: position %d holds %q, want %q", name, seed, shared, i, got[i].key, want[i].key)
			}
		}
	}
}

// TestBufferShared: a buffer keeps the length of the prefix all its keys
// share, which the flush's sort starts from.
func TestBufferShared(t *testing.T) {
	b := testBuffer(t, 0, nil)
	for i, tc := range []struct {
		key  string
		want int
	}{
		{"\x00\x01key:000000123456", 18},
		{"\x00\x01key:000000123456", 18}, // an overwrite
		{"\x00\x01key:000000123999", 15},
		{"\x00\x01key:000001", 11},
		{"\x00\x01key:", 6},
		{"\x00\x02", 1},
		{"\x01", 0},
		{"\x00\x01key:000000123456", 0},
	} {
		b.add(LSN(i+1), uint64(i+1), kindValue, []byte(tc.key), []byte("v"))
		if b.shared != tc.want {
			t.Fatalf("after %q: shared %d, want %d", tc.key, b.shared, tc.want)
		}
	}
}

func TestKeyWord(t *testing.T) {
	for _, tc := range []struct {
		key   string
		depth int
		want  uint64
	}{
		{"", 0, 0},
		{"a", 0, 0x61 << 56},
		{"abcdefghij", 0, 0x6162636465666768},
		{"abcdefghij", 8, 0x696a << 48},
		{"abcdefghij", 16, 0},
		{"abcdefgh\x00", 8, 0},
	} {
		if got := keyWord([]byte(tc.key), tc.depth); got != tc.want {
			t.Errorf("keyWord(%q, %d) = %#x, want %#x", tc.key, tc.depth, got, tc.want)
		}
	}
}

func TestSharedPrefix(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10_000 {
		a := make([]byte, rng.IntN(40))
		for i := range a {
			a[i] = byte(rng.IntN(3))
		}
		// b: a prefix of a, then random bytes.
		b := slices.Clone(a[:rng.IntN(len(a)+1)])
		for range rng.IntN(20) {
			b = append(b, byte(rng.IntN(3)))
		}
		want := 0
		for want < min(len(a), len(b)) && a[want] == b[want] {
			want++
		}
		if got := sharedPrefix(a, b); got != want {
			t.Fatalf("sharedPrefix(%x, %x) = %d, want %d", a, b, got, want)
		}
	}
}

// TestBlockBuilderLengths round-trips entries whose lengths need one- and
// multi-byte uvarints (the builder's and the decoder's fast and slow
// paths).
func TestBlockBuilderLengths(t *testing.T) {
	var bb blockBuilder
	var want []blockEntry
	prefix := bytes.Repeat([]byte("p"), 300)
	for i, kl := range []int{1, 5, 126, 127, 128, 129, 200, 300} {
		for j, vl := range []int{0, 1, 127, 128, 1000} {
			key := append(append(fmt.Appendf(nil, "%02d%02d", i, j), prefix[:kl]...), byte(j))
			kind := kindValue
			if vl == 0 {
				kind = kindTombstone
			}
			e := blockEntry{key: key, value: bytes.Repeat([]byte{byte(vl)}, vl), kind: kind}
			bb.add(e.key, e.value, e.kind)
			want = append(want, e)
		}
	}
	bb.finish()
	got, err := decodeBlock(bb.buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i].key, want[i].key) || !bytes.Equal(got[i].value, want[i].value) || got[i].kind != want[i].kind {
			t.Fatalf("entry %d: %q=%d bytes (%d), want %q=%d bytes (%d)", i, got[i].key, len(got[i].value), got[i].kind,
				want[i].key, len(want[i].value), want[i].kind)
		}
	}
}

// TestBlockKeyOrder: the decoder's order check, whose fast path looks only
// at the first byte after the shared prefix, accepts exactly the blocks
// whose keys strictly ascend, however the writer chose the shared length.
func TestBlockKeyOrder(t *testing.T) {
	// block of two entries: "abc", then shared bytes of it plus suffix.
	block := func(shared int, suffix string) []byte {
		b := []byte{0, 3, 0, kindValue, 'a', 'b', 'c'}
		b = append(b, byte(shared), byte(len(suffix)), 0, kindValue)
		b = append(b, suffix...)
		return append(b, 0, 0, 0, 0, 1, 0, 0, 0) // restart list: [0], count 1
	}
	for _, tc := range []struct {
		shared int
		suffix string
		ok     bool
	}{
		{2, "d", true},    // abd
		{2, "b", false},   // abb
		{2, "c", false},   // abc again
		{1, "bd", true},   // abd, sharing less than it could
		{1, "bc", false},  // abc again
		{1, "bb", false},  // abb
		{1, "c", true},    // ac
		{1, "a", false},   // aa
		{3, "", false},    // abc again
		{2, "", false},    // ab: a prefix sorts first
		{3, "\x00", true}, // abc\x00
		{0, "b", true},    // b
		{0, "abcd", true}, // abcd
		{0, "ab", false},  // ab
	} {
		_, err := decodeBlock(block(tc.shared, tc.suffix))
		if (err == nil) != tc.ok {
			t.Errorf("abc then shared %d + %q: err %v, want ok=%v", tc.shared, tc.suffix, err, tc.ok)
		}
	}
}

// TestOrderedAfterScans: a frozen buffer's order is right whether scans
// kept most of its keys in order while it was active (walked, with the
// rest folded in) or few (sorted whole), with overwrites of ordered keys.
func TestOrderedAfterScans(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 2))
	for _, tc := range []struct{ ordered, later int }{{0, 500}, {1000, 0}, {1000, 100}, {1000, 250}, {1000, 251}, {100, 5000}} {
		b := testBuffer(t, 0, nil)
		want := map[string]string{}
		seq := uint64(0)
		put := func(k string) {
			seq++
			v := fmt.Sprint(seq)
			b.add(LSN(seq), seq, kindValue, []byte(k), []byte(v))
			want[k] = v
		}
		for range tc.ordered {
			put(fmt.Sprintf("k%08d", rng.IntN(1e8)))
		}
		b.keySnapshot()
		for range tc.later {
			put(fmt.Sprintf("k%08d", rng.IntN(1e8)))
		}
		for k := range want { // overwrites, ordered keys among them
			if rng.IntN(3) == 0 {
				put(k)
			}
		}
		b.frozen.Store(true)
		got := b.ordered(nil, nil)
		keys := slices.Sorted(maps.Keys(want))
		if len(got) != len(keys) {
			t.Fatalf("%+v: %d versions, want %d", tc, len(got), len(keys))
		}
		for i, n := range got {
			if string(n.key) != keys[i] || string(n.value) != want[keys[i]] {
				t.Fatalf("%+v: position %d holds %q=%q, want %q=%q", tc, i, n.key, n.value, keys[i], want[keys[i]])
			}
		}
	}
}

// TestOrderedBesideKeySnapshot: a scan that took a buffer as the active one
// just before it froze folds its new keys into the key B-tree
// (keySnapshot, which sorts them in place) while another orders the
// frozen buffer from the same keys, added in order (sortAdded). Both see
// every key; under -race, a read of the keys outside keysMu is reported.
func TestOrderedBesideKeySnapshot(t *testing.T) {
	for round := range 50 {
		b := testBuffer(t, 0, nil)
		const n = 2000
		for i := range n {
			seq := uint64(i + 1)
			b.add(LSN(seq), seq, kindValue, fmt.Appendf(nil, "k%06d", i), []byte("v"))
		}
		b.frozen.Store(true)
		var wg sync.WaitGroup
		var snapLen int
		wg.Add(1)
		go func() {
			defer wg.Done()
			snapLen = b.keySnapshot().Len()
		}()
		got := b.ordered(nil, nil)
		wg.Wait()
		if len(got) != n || snapLen != n {
			t.Fatalf("round %d: ordered %d keys, snapshot %d, want %d", round, len(got), snapLen, n)
		}
		for i, nd := range got {
			if want := fmt.Sprintf("k%06d", i); string(nd.key) != want {
				t.Fatalf("round %d: position %d holds %q, want %q", round, i, nd.key, want)
			}
		}
	}
}
