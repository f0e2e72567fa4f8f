package segments

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// wrapped hides a file's iterator behind another type, so that a merge of
// wrapped files takes the general path (interface calls), not the one for
// files only.
type wrapped struct{ *tableIter }

// TestMergeFiles checks mergeIter over files against a model (the newest
// version of each key, hidden when a newer file's range tombstone covers
// it), on both of its paths: files only (tabs, bitmasks of ties and
// tombstones) and general (interface calls), and with more sources than
// the bitmasks track (maxTracked).
func TestMergeFiles(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 3))
	type entry struct {
		value []byte
		kind  byte
	}
	for _, nFiles := range []int{1, 2, 3, 5, maxTracked, maxTracked + 6} {
		t.Run(fmt.Sprint(nFiles), func(t *testing.T) {
			opts := Options{BlockSize: 256}
			opts.applyDefaults()
			dir := t.TempDir()
			cache := newBlockCache(1 << 20)
			files := make([]*table, nFiles) // newest first
			content := make([]map[string]entry, nFiles)
			spans := make([][]span, nFiles)
			for f := range nFiles {
				m := map[string]entry{}
				for range 1 + rng.IntN(300) {
					k := fmt.Sprintf("k%04d", rng.IntN(1000))
					kind := kindValue
					if rng.IntN(8) == 0 {
						kind = kindTombstone
					}
					m[k] = entry{fmt.Appendf(nil, "f%d:%s", f, k), kind}
				}
				var sp []span
				if rng.IntN(3) == 0 {
					lo := rng.IntN(1000)
					sp = []span{{fmt.Appendf(nil, "k%04d", lo), fmt.Appendf(nil, "k%04d", lo+1+rng.IntN(100))}}
					for k := range m { // a file holds no entry its own spans hide
						if spansCover(sp, []byte(k)) {
							delete(m, k)
						}
					}
				}
				keys := make([]string, 0, len(m))
				for k := range m {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				num := uint64(f + 1)
				tw, err := newTableWriter(dir, num, uint64(len(keys)), &opts)
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range keys {
					tw.add([]byte(k), m[k].value, m[k].kind)
				}
				if _, err := tw.finish(sp, 1, 1, num, num, 0); err != nil {
					t.Fatal(err)
				}
				tb, err := openTable(tw.path, num, -1, cache)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(tb.unref)
				files[nFiles-1-f], content[nFiles-1-f], spans[nFiles-1-f] = tb, m, sp
			}

			// The model: every key, its newest entry, hidden by newer spans.
			var want []string
			for i := range 1000 {
				k := fmt.Sprintf("k%04d", i)
				for f := range nFiles {
					e, ok := content[f][k]
					if !ok {
						continue
					}
					hidden := false
					for j := range f {
						hidden = hidden || spansCover(spans[j], []byte(k))
					}
					want = append(want, fmt.Sprintf("%s=%s/%d/%v", k, e.value, e.kind, hidden))
					break
				}
			}
			for _, general := range []bool{false, true} {
				srcs := make([]source, nFiles)
				for i, tb := range files {
					it := &tableIter{t: tb, noCache: true}
					srcs[i] = it
					if general {
						srcs[i] = wrapped{it}
					}
				}
				m := newMergeIter(srcs, nil, nil)
				if files := m.tabs != nil; files != (!general && nFiles <= maxTracked) {
					t.Fatalf("general=%v: files-only path %v with %d files", general, files, nFiles)
				}
				var got []string
				for ; m.ok; m.next() {
					got = append(got, fmt.Sprintf("%s=%s/%d/%v", m.key, m.value, m.kind, m.hidden))
				}
				if m.error != nil {
					t.Fatal(m.error)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("general=%v: merge differs from the model:\n got %d entries %q\nwant %d entries %q", general, len(got), first20(got), len(want), first20(want))
				}
			}
		})
	}
}

func first20(s []string) []string { return s[:min(len(s), 20)] }

// TestMergeKeepsOnlySourcesOfItsRange: a merge over [lo, hi) keeps the
// layers with a key in the range or a range tombstone over it, and drops
// the others (a file whose next key lies beyond hi, tombstones outside
// the range), so that a scan of one small hash does not compare each of
// its keys with every file. What the scans return is the model's.
func TestMergeKeepsOnlySourcesOfItsRange(t *testing.T) {
	h := newHarness(t, Options{BufferSize: 1 << 20})
	for i := range 100 {
		h.put(fmt.Sprintf("k%03d", i), "a")
	}
	h.flush() // file 1: k000..k099
	h.delRange("x0", "x5")
	h.put("y1", "b")
	h.flush() // file 2: y1, and a tombstone over [x0, x5)
	h.put("m1", "c")
	h.put("m2", "c") // the active buffer

	kept := func(lo, hi string) int {
		t.Helper()
		vw, err := h.s.acquire()
		if err != nil {
			t.Fatal(err)
		}
		defer vw.release()
		return len(vw.merge([]byte(lo), []byte(hi)).srcs)
	}
	for _, tc := range []struct {
		lo, hi string
		want   int
		keys   []string
	}{
		{"m0", "m9", 1, []string{"m1=c", "m2=c"}},               // the buffer; both files seek past m9
		{"k050", "k052", 1, []string{"k050=a", "k051=a"}},       // file 1 only
		{"k098", "m2", 2, []string{"k098=a", "k099=a", "m1=c"}}, // buffer and file 1
		{"x1", "x2", 1, nil},                                    // file 2's tombstone covers the range
		{"w0", "x1", 1, nil},                                    // ... overlaps it
		{"x5", "x9", 0, nil},                                    // ... ends at its lo: nothing
		{"n0", "n9", 0, nil},
	} {
		if got := kept(tc.lo, tc.hi); got != tc.want {
			t.Errorf("merge over [%s, %s) kept %d sources, want %d", tc.lo, tc.hi, got, tc.want)
		}
		if got := h.scan(tc.lo, tc.hi); !slices.Equal(got, tc.keys) {
			t.Errorf("Scan [%s, %s) = %q, want %q", tc.lo, tc.hi, got, tc.keys)
		}
	}
}

func TestSpansIn(t *testing.T) {
	sp := []span{{[]byte("b"), []byte("d")}, {[]byte("f"), []byte("h")}}
	for _, tc := range []struct {
		lo, hi string // "" is unbounded
		want   bool
	}{
		{"", "", true}, {"", "b", false}, {"", "b\x00", true}, {"a", "b", false},
		{"c", "c\x00", true}, {"d", "f", false}, {"d", "f\x00", true}, {"g", "", true},
		{"h", "", false}, {"h", "z", false}, {"a", "z", true}, {"d", "", true},
	} {
		b := func(s string) []byte {
			if s == "" {
				return nil
			}
			return []byte(s)
		}
		if got := spansIn(sp, b(tc.lo), b(tc.hi)); got != tc.want {
			t.Errorf("spansIn(%q, %q) = %v, want %v", tc.lo, tc.hi, got, tc.want)
		}
	}
	if spansIn(nil, nil, nil) {
		t.Error("spansIn of no spans")
	}
}
