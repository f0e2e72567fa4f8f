package segments

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"pgregory.net/rapid"
)

// TestPointReadPaths checks table.get's two shortcuts against the obvious
// answers: findBlock's fence search (sort.Search over the index's last
// keys) and cachedBlock.find's in-place suffix comparison (a decode of the
// whole block). The keys come in families with long shared prefixes (the
// fields of one hash: fences tie), short and empty suffixes (a key that
// is a prefix of the next), and probes include keys between, before and
// after the file's keys and outside its shared prefix. In some files
// every key shares a long prefix (one big hash: the file's prefix absorbs
// it); in others, families of keys with long prefixes of their own share
// the file (big hashes beside others: their fences tie in long runs, one
// family inside another's prefix; "user:NNN:..." keys: short ties), and
// probes also fall between the families.
func TestPointReadPaths(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	families := [][]byte{[]byte("a-big-hash-key:version:"), []byte("a-big-hash-key:version:nested-long-field-prefix:"),
		[]byte("another-big-hash:version:"), []byte("b")}
	for round := range 9 {
		prefix := []byte("\x00\x00\x00\x01\x12\x34")
		if round%3 == 1 {
			prefix = append(prefix, "one-big-hash-key:version:"...) // every fence ties
		}
		set := map[string]bool{}
		for range 3000 {
			k := slices.Clone(prefix)
			if round%3 == 2 {
				if r.IntN(2) == 0 {
					// Short ties: the first 8 bytes are "user:NNN".
					set[string(fmt.Appendf(k, "user:%03d:%d", r.IntN(300), r.IntN(1000)))] = true
					continue
				}
				k = append(k, families[r.IntN(len(families))]...)
			}
			switch r.IntN(4) {
			case 0:
				k = fmt.Appendf(k, "f%d", r.IntN(5000))
			case 1:
				k = fmt.Appendf(k, "field:%0*d", r.IntN(12), r.IntN(100000))
			case 2:
				k = append(k, byte(r.IntN(256)))
			default:
				k = fmt.Appendf(k, "f%d\x00%d", r.IntN(50), r.IntN(50))
			}
			set[string(k)] = true
		}
		keys := make([][]byte, 0, len(set))
		for k := range set {
			keys = append(keys, []byte(k))
		}
		slices.SortFunc(keys, bytes.Compare)
		// Many blocks; restart intervals from every entry to the default.
		opts := Options{BlockSize: 128 + 200*(round/3), RestartInterval: []int{1, 4, 16}[round/3]}
		opts.applyDefaults()
		dir := t.TempDir()
		tw, err := newTableWriter(dir, 1, uint64(len(keys)), &opts)
		if err != nil {
			t.Fatal(err)
		}
		value := func(k []byte) []byte { return fmt.Appendf(nil, "v:%x", k) }
		for _, k := range keys {
			tw.add(k, value(k), kindValue)
		}
		if _, err := tw.finish(nil, 1, 1, 1, uint64(len(keys)), 0); err != nil {
			t.Fatal(err)
		}
		tb, err := openTable(filepath.Join(dir, segName(1)), 1, -1, newBlockCache(64<<20))
		if err != nil {
			t.Fatal(err)
		}
		if len(tb.index) < 20 {
			t.Fatalf("round %d: only %d blocks", round, len(tb.index))
		}
		probes := slices.Clone(keys)
		for _, k := range keys[:500] {
			probes = append(probes, append(slices.Clone(k), 0), k[:len(k)-1], append(slices.Clone(k), 0xff))
		}
		probes = append(probes, nil, []byte{0}, prefix[:3], []byte("\xff\xff"), append(slices.Clone(prefix), 0xff, 0xff))
		for _, f := range families { // between and around the families
			fk := append(slices.Clone(prefix), f...)
			probes = append(probes, fk, fk[:len(fk)-1], append(slices.Clone(fk), 0), append(slices.Clone(fk), 0xff),
				append(fk[:len(fk)-1:len(fk)-1], fk[len(fk)-1]+1), append(fk[:len(fk)-1:len(fk)-1], fk[len(fk)-1]-1, 0xff))
		}
		if round%3 == 2 {
			short := 0
			for i := 0; i < len(tb.fences); {
				n := tieLen(tb.fences[i:])
				if n > 1 && n < minRunBlocks {
					short++
				}
				i += n
			}
			if len(tb.runs) < 2 || short == 0 || tb.fences2 == nil {
				t.Fatalf("round %d: %d long runs of tied fences (want the two families'), %d short", round, len(tb.runs), short)
			}
		}
		for _, p := range probes {
			want := sort.Search(len(tb.index), func(i int) bool { return bytes.Compare(tb.index[i].last, p) >= 0 })
			if got := tb.findBlock(p); got != want {
				t.Fatalf("round %d: findBlock(%q) = %d, want %d", round, p, got, want)
			}
			// With and without the bloom filter (noBloom: the caller
			// believes the key is here; a wrong belief reads a block and
			// finds nothing).
			for _, noBloom := range []bool{false, true} {
				kind, v, found, _, err := tb.get(&probe{key: p, noBloom: noBloom})
				if err != nil {
					t.Fatalf("round %d: get(%q): %v", round, p, err)
				}
				if found != set[string(p)] || (found && (kind != kindValue || !bytes.Equal(v, value(p)))) {
					t.Fatalf("round %d: get(%q, noBloom %v) = %v %q, want present=%v", round, p, noBloom, found, v, set[string(p)])
				}
			}
		}
		tb.unref()
	}
}

// TestSearchFences checks the interpolating search of the fences against
// sort.Search on even, skewed, clustered and tied fences, for probes at,
// between and beyond them.
func TestSearchFences(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	gens := map[string]func(n int) []uint64{
		"even": func(n int) []uint64 {
			fs := make([]uint64, n)
			for i := range fs {
				fs[i] = r.Uint64()
			}
			return fs
		},
		"skewed": func(n int) []uint64 {
			fs := make([]uint64, n)
			for i := range fs {
				fs[i] = uint64(math.Exp(r.Float64() * 43)) // most near 0, a few near 2^62
			}
			return fs
		},
		"clustered": func(n int) []uint64 {
			fs := make([]uint64, n)
			for i := range fs {
				fs[i] = uint64(r.IntN(4))<<60 | uint64(r.IntN(100))
			}
			return fs
		},
		"tied": func(n int) []uint64 {
			fs := make([]uint64, n)
			for i := range fs {
				fs[i] = 7 + uint64(r.IntN(2))*(math.MaxUint64-8)
			}
			return fs
		},
	}
	for name, gen := range gens {
		for _, n := range []int{0, 1, 2, 3, 10, 1000} {
			for range 20 {
				fs := gen(n)
				slices.Sort(fs)
				probes := []uint64{0, 1, math.MaxUint64, math.MaxUint64 - 1}
				for _, f := range fs {
					probes = append(probes, f, f-1, f+1)
				}
				for range 50 {
					probes = append(probes, r.Uint64())
				}
				for _, f := range probes {
					want := sort.Search(n, func(i int) bool { return fs[i] >= f })
					if got := searchFences(fs, f); got != want {
						t.Fatalf("%s, n=%d: searchFences(%d) = %d, want %d (fences %v)", name, n, f, got, want, fs)
					}
				}
			}
		}
	}
}

// TestTieLen checks tieLen against a count, on ascending runs of every
// length up to 40 followed by larger values or nothing.
func TestTieLen(t *testing.T) {
	for n := 1; n <= 40; n++ {
		for _, tail := range []int{0, 1, 5} {
			fs := make([]uint64, 0, n+tail)
			for range n {
				fs = append(fs, 7)
			}
			for i := range tail {
				fs = append(fs, uint64(8+i))
			}
			if got := tieLen(fs); got != n {
				t.Fatalf("tieLen of %d sevens then %d larger = %d", n, tail, got)
			}
		}
	}
}

// TestFindBlockProperty: on files of random keys drawn from random
// families (prefixes of random lengths, some nested in others, so that
// fences tie in short and long runs, on one word or two), at random block
// sizes, findBlock agrees with a binary search of the blocks' last keys
// for every key of the file and for probes beside them.
func TestFindBlockProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		alpha := rapid.SliceOfN(rapid.Byte(), 1, 3).Draw(rt, "alphabet")
		word := func(label string, lo, hi int) []byte {
			n := rapid.IntRange(lo, hi).Draw(rt, label)
			w := make([]byte, n)
			for i := range w {
				w[i] = alpha[rapid.IntRange(0, len(alpha)-1).Draw(rt, label+"-byte")]
			}
			return w
		}
		var families [][]byte
		for range rapid.IntRange(1, 5).Draw(rt, "families") {
			f := word("family", 0, 30)
			if len(families) > 0 && rapid.Bool().Draw(rt, "nested") {
				f = append(slices.Clone(families[rapid.IntRange(0, len(families)-1).Draw(rt, "parent")]), f...)
			}
			families = append(families, f)
		}
		set := map[string]bool{}
		for range rapid.IntRange(50, 2000).Draw(rt, "keys") {
			k := append(slices.Clone(families[rapid.IntRange(0, len(families)-1).Draw(rt, "of")]), word("suffix", 0, 12)...)
			set[string(k)] = true
		}
		keys := make([][]byte, 0, len(set))
		for k := range set {
			keys = append(keys, []byte(k))
		}
		slices.SortFunc(keys, bytes.Compare)
		opts := Options{BlockSize: rapid.IntRange(32, 1024).Draw(rt, "block"), RestartInterval: rapid.IntRange(1, 8).Draw(rt, "restart")}
		opts.applyDefaults()
		dir := t.TempDir()
		tw, err := newTableWriter(dir, 1, uint64(len(keys)), &opts)
		if err != nil {
			rt.Fatal(err)
		}
		for _, k := range keys {
			tw.add(k, []byte("v"), kindValue)
		}
		if _, err := tw.finish(nil, 1, 1, 1, uint64(len(keys)), 0); err != nil {
			rt.Fatal(err)
		}
		tb, err := openTable(filepath.Join(dir, segName(1)), 1, -1, newBlockCache(1<<20))
		if err != nil {
			rt.Fatal(err)
		}
		defer tb.unref()
		for _, k := range keys {
			for _, p := range [][]byte{k, k[:len(k)/2], append(slices.Clone(k), 0), append(slices.Clone(k), 0xff)} {
				want := sort.Search(len(tb.index), func(i int) bool { return bytes.Compare(tb.index[i].last, p) >= 0 })
				if got := tb.findBlock(p); got != want {
					rt.Fatalf("findBlock(%q) = %d, want %d (%d blocks, %d runs)", p, got, want, len(tb.index), len(tb.runs))
				}
			}
		}
	})
}
