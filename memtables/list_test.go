package memtables

import (
	"bytes"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"pgregory.net/rapid"
)

// listContents returns the list's elements through Range.
func listContents(l *List) []string {
	out := []string{}
	l.Range(0, l.Len()-1, func(v []byte) bool {
		out = append(out, string(v))
		return true
	})
	return out
}

// checkListInvariants verifies the chunk index against the chunks.
func checkListInvariants(t interface{ Fatalf(string, ...any) }, l *List) {
	sum := 0
	for i := range l.nchunks() {
		c := l.chunk(i)
		if c.n <= 0 || c.n > listChunkElems {
			t.Fatalf("chunk %d has %d elements", i, c.n)
		}
		if l.ns[l.lo+i] != c.n {
			t.Fatalf("chunk %d: index count %d, chunk count %d", i, l.ns[l.lo+i], c.n)
		}
		if c.pos[c.first] != c.lo {
			t.Fatalf("chunk %d: first offset %d, lo %d", i, c.pos[c.first], c.lo)
		}
		if c.n > 1 && c.size() > listChunkBytes {
			t.Fatalf("chunk %d: %d elements in %d bytes", i, c.n, c.size())
		}
		sum += int(c.n)
	}
	if sum != l.n {
		t.Fatalf("chunks hold %d elements, Len %d", sum, l.n)
	}
	if got, want := l.MemoryBytes(), l.memoryBytesSlow(); got != want {
		t.Fatalf("MemoryBytes %d, summed over the chunks %d", got, want)
	}
}

// Mostly short values from a small alphabet (so Insert, Remove and Pos
// hit), sometimes large ones that close chunks by bytes.
var genListValue = rapid.Custom(func(t *rapid.T) string {
	if rapid.IntRange(0, 20).Draw(t, "big") == 0 {
		return strings.Repeat("x", rapid.IntRange(2000, 9000).Draw(t, "bigLen"))
	}
	return rapid.StringMatching(`[ab]{0,2}`).Draw(t, "v")
})

// TestListModel runs random operations against List and a []string,
// comparing every result and the full contents after each. Failures print
// a replayable seed (-rapid.seed=N).
func TestListModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := NewList()
		var m []string
		bulk := 0
		idx := func(t *rapid.T) int { return rapid.IntRange(-2, len(m)+1).Draw(t, "i") }
		t.Repeat(map[string]func(*rapid.T){
			"PushLeft": func(t *rapid.T) {
				v := genListValue.Draw(t, "v")
				l.PushLeft([]byte(v))
				m = append([]string{v}, m...)
			},
			"PushRight": func(t *rapid.T) {
				v := genListValue.Draw(t, "v")
				l.PushRight([]byte(v))
				m = append(m, v)
			},
			"PushMany": func(t *rapid.T) {
				n, left := rapid.IntRange(1, 400).Draw(t, "n"), rapid.Bool().Draw(t, "left")
				for range n {
					v := fmt.Sprint(bulk % 7)
					bulk++
					if left {
						l.PushLeft([]byte(v))
						m = append([]string{v}, m...)
					} else {
						l.PushRight([]byte(v))
						m = append(m, v)
					}
				}
			},
			"Snapshot": func(t *rapid.T) {
				// The list goes on as a copy-on-write clone (its chunks
				// copied before their first write: own); the old one is
				// the snapshot's, never written again.
				l = l.snapshotClone(l.gen + 1)
			},
			"PopLeft": func(t *rapid.T) {
				v, ok := l.PopLeft()
				if ok != (len(m) > 0) || ok && string(v) != m[0] {
					t.Fatalf("PopLeft = %q, %v; model %q", v, ok, m)
				}
				if ok {
					m = m[1:]
				}
			},
			"PopRight": func(t *rapid.T) {
				v, ok := l.PopRight()
				if ok != (len(m) > 0) || ok && string(v) != m[len(m)-1] {
					t.Fatalf("PopRight = %q, %v; model len %d", v, ok, len(m))
				}
				if ok {
					m = m[:len(m)-1]
				}
			},
			"Index": func(t *rapid.T) {
				i := idx(t)
				v, ok := l.Index(i)
				inRange := i >= 0 && i < len(m)
				if ok != inRange || ok && string(v) != m[i] {
					t.Fatalf("Index(%d) = %q, %v", i, v, ok)
				}
			},
			"Set": func(t *rapid.T) {
				i, v := idx(t), genListValue.Draw(t, "v")
				ok := l.Set(i, []byte(v))
				if inRange := i >= 0 && i < len(m); ok != inRange {
					t.Fatalf("Set(%d) = %v, len %d", i, ok, len(m))
				}
				if ok {
					m[i] = v
				}
			},
			"Range": func(t *rapid.T) {
				start, stop := idx(t), idx(t)
				limit := rapid.IntRange(0, 5).Draw(t, "limit") // 0: no limit
				var got []string
				l.Range(start, stop, func(v []byte) bool {
					got = append(got, string(v))
					return limit == 0 || len(got) < limit
				})
				var want []string
				for i := max(start, 0); i <= min(stop, len(m)-1); i++ {
					if limit > 0 && len(want) == limit {
						break
					}
					want = append(want, m[i])
				}
				if !slices.Equal(got, want) {
					t.Fatalf("Range(%d, %d) limit %d = %q, want %q", start, stop, limit, got, want)
				}
			},
			"Insert": func(t *rapid.T) {
				pivot, v := genListValue.Draw(t, "pivot"), genListValue.Draw(t, "v")
				before := rapid.Bool().Draw(t, "before")
				want := -1
				if i := slices.Index(m, pivot); i >= 0 {
					if !before {
						i++
					}
					m = slices.Insert(m, i, v)
					want = len(m)
				}
				if got := l.Insert([]byte(pivot), before, []byte(v)); got != want {
					t.Fatalf("Insert(%q, %v) = %d, want %d", pivot, before, got, want)
				}
			},
			"Remove": func(t *rapid.T) {
				count, v := rapid.IntRange(-3, 3).Draw(t, "count"), genListValue.Draw(t, "v")
				want := modelRemove(&m, count, v)
				if got := l.Remove(count, []byte(v)); got != want {
					t.Fatalf("Remove(%d, %q) = %d, want %d", count, v, got, want)
				}
			},
			"Trim": func(t *rapid.T) {
				start, stop := idx(t), idx(t)
				s, e := max(start, 0), min(stop, len(m)-1)
				if s > e {
					m = nil
				} else {
					m = m[s : e+1]
				}
				l.Trim(start, stop)
			},
			"Pos": func(t *rapid.T) {
				v := genListValue.Draw(t, "v")
				rank := rapid.SampledFrom([]int{1, 2, 3, -1, -2, -3}).Draw(t, "rank")
				count, maxlen := rapid.IntRange(0, 3).Draw(t, "count"), rapid.IntRange(0, len(m)+1).Draw(t, "maxlen")
				got, want := l.Pos([]byte(v), rank, count, maxlen), modelPos(m, v, rank, count, maxlen)
				if !slices.Equal(got, want) {
					t.Fatalf("Pos(%q, %d, %d, %d) = %v, want %v", v, rank, count, maxlen, got, want)
				}
			},
			"": func(t *rapid.T) {
				checkListInvariants(t, l)
				if l.Len() != len(m) {
					t.Fatalf("Len = %d, want %d", l.Len(), len(m))
				}
				if got := listContents(l); !slices.Equal(got, append([]string{}, m...)) {
					t.Fatalf("contents differ: got %d elements, want %d", len(got), len(m))
				}
				if l.MemoryBytes() <= 0 {
					t.Fatalf("MemoryBytes = %d", l.MemoryBytes())
				}
			},
		})
	})
}

// modelRemove is LREM on a slice.
func modelRemove(m *[]string, count int, v string) int {
	s := *m
	removed := 0
	keep := make([]bool, len(s))
	for i := range s {
		keep[i] = true
	}
	limit := max(count, -count)
	for k := range s {
		i := k
		if count < 0 {
			i = len(s) - 1 - k
		}
		if s[i] == v && (limit == 0 || removed < limit) {
			keep[i] = false
			removed++
		}
	}
	var out []string
	for i, e := range s {
		if keep[i] {
			out = append(out, e)
		}
	}
	*m = out
	return removed
}

// modelPos is LPOS on a slice.
func modelPos(m []string, v string, rank, count, maxlen int) []int {
	var out []int
	skip := max(rank, -rank) - 1
	for k := range m {
		if maxlen > 0 && k == maxlen {
			break
		}
		i := k
		if rank < 0 {
			i = len(m) - 1 - k
		}
		if m[i] != v {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, i)
		if count > 0 && len(out) == count {
			break
		}
	}
	return out
}

func TestListEdges(t *testing.T) {
	build := func(n int) *List {
		l := NewList()
		for i := range n {
			l.PushRight([]byte(fmt.Sprint(i % 3)))
		}
		return l
	}
	t.Run("empty", func(t *testing.T) {
		l := NewList()
		if _, ok := l.PopLeft(); ok {
			t.Fatal("PopLeft on empty")
		}
		if _, ok := l.PopRight(); ok {
			t.Fatal("PopRight on empty")
		}
		if _, ok := l.Index(0); ok {
			t.Fatal("Index(0) on empty")
		}
		if l.Set(0, []byte("x")) {
			t.Fatal("Set(0) on empty")
		}
		if got := l.Insert([]byte("x"), true, []byte("y")); got != -1 {
			t.Fatalf("Insert on empty = %d", got)
		}
		if got := l.Remove(0, []byte("x")); got != 0 {
			t.Fatalf("Remove on empty = %d", got)
		}
		if got := l.Pos([]byte("x"), -1, 0, 0); got != nil {
			t.Fatalf("Pos on empty = %v", got)
		}
		l.Trim(0, -1)
		l.Range(0, 10, func([]byte) bool { t.Fatal("Range on empty visited"); return false })
	})
	// Lengths around one and two full chunks.
	for _, n := range []int{1, listChunkElems - 1, listChunkElems, listChunkElems + 1, 2 * listChunkElems, 2*listChunkElems + 1} {
		t.Run(fmt.Sprintf("len%d", n), func(t *testing.T) {
			l := build(n)
			checkListInvariants(t, l)
			for _, i := range []int{0, n / 2, n - 1, listChunkElems - 1, listChunkElems} {
				if i >= n {
					continue
				}
				if v, ok := l.Index(i); !ok || string(v) != fmt.Sprint(i%3) {
					t.Fatalf("Index(%d) = %q, %v", i, v, ok)
				}
			}
			// Drain alternately from both ends.
			for i := 0; l.Len() > 0; i++ {
				if i%2 == 0 {
					l.PopLeft()
				} else {
					l.PopRight()
				}
				checkListInvariants(t, l)
			}
			if l.MemoryBytes() != int64(unsafe.Sizeof(List{})) {
				t.Fatalf("drained list holds %d bytes", l.MemoryBytes())
			}
		})
	}
	t.Run("pos_ranks", func(t *testing.T) {
		l := NewList()
		for _, v := range []string{"a", "b", "c", "1", "2", "3", "c", "c"} {
			l.PushRight([]byte(v))
		}
		for _, tc := range []struct {
			rank, count, maxlen int
			want                []int
		}{
			{1, 1, 0, []int{2}},
			{-1, 1, 0, []int{7}},
			{-1, 0, 0, []int{7, 6, 2}},
			{2, 0, 0, []int{6, 7}},
			{-2, 2, 0, []int{6, 2}},
			{1, 0, 3, []int{2}},
			{-1, 0, 1, []int{7}},
			{4, 0, 0, nil},
			{-3, 1, 0, []int{2}},
		} {
			if got := l.Pos([]byte("c"), tc.rank, tc.count, tc.maxlen); !slices.Equal(got, tc.want) {
				t.Errorf("Pos(c, rank %d, count %d, maxlen %d) = %v, want %v", tc.rank, tc.count, tc.maxlen, got, tc.want)
			}
		}
	})
	t.Run("remove_signs", func(t *testing.T) {
		for _, tc := range []struct {
			count int
			want  string
			n     int
		}{
			{2, "b,c,a,a", 2},    // from the head
			{-2, "a,b,a,c", 2},   // from the tail
			{0, "b,c", 4},        // all
			{10, "b,c", 4},       // more than present
			{-10, "b,c", 4},      // more than present, from the tail
			{1, "b,a,c,a,a", 1},  // first only
			{-1, "a,b,a,c,a", 1}, // last only
		} {
			l := NewList()
			for _, v := range strings.Split("a,b,a,c,a,a", ",") {
				l.PushRight([]byte(v))
			}
			if n := l.Remove(tc.count, []byte("a")); n != tc.n {
				t.Errorf("Remove(%d) = %d, want %d", tc.count, n, tc.n)
			}
			if got := strings.Join(listContents(l), ","); got != tc.want {
				t.Errorf("Remove(%d) left %s, want %s", tc.count, got, tc.want)
			}
		}
	})
	t.Run("remove_merges_chunks", func(t *testing.T) {
		l := build(10 * listChunkElems)
		l.Remove(0, []byte("0"))
		l.Remove(0, []byte("1"))
		checkListInvariants(t, l)
		if want := (l.Len() + listChunkElems - 1) / listChunkElems; l.nchunks() != want {
			t.Fatalf("%d elements in %d chunks, want %d", l.Len(), l.nchunks(), want)
		}
	})
	t.Run("index_shrinks", func(t *testing.T) {
		l := build(200 * listChunkElems)
		for l.Len() > listChunkElems {
			l.PopRight()
		}
		checkListInvariants(t, l)
		if len(l.cs) > 64 {
			t.Fatalf("chunk index of %d slots for %d chunks", len(l.cs), l.nchunks())
		}
	})
	t.Run("big_element", func(t *testing.T) {
		l := NewList()
		big := bytes.Repeat([]byte("z"), 3*listChunkBytes)
		l.PushRight([]byte("a"))
		l.PushRight(big)
		l.PushLeft(big)
		l.Insert([]byte("a"), false, big)
		checkListInvariants(t, l)
		if l.nchunks() != 4 {
			t.Fatalf("%d chunks, want 4 (one per big element, one for a)", l.nchunks())
		}
	})
	t.Run("values_are_copied", func(t *testing.T) {
		l := NewList()
		v := []byte("abc")
		l.PushRight(v)
		v[0] = 'X'
		got, _ := l.Index(0)
		got = append(got, 'd') // capped view: must not write into the chunk
		l.PushRight([]byte("zzz"))
		if s := strings.Join(listContents(l), ","); s != "abc,zzz" {
			t.Fatalf("contents %s", s)
		}
		_ = got
	})
}

func TestListMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocates ~30 MB; skipped in -short and -race")
	}
	const n = 1_000_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	l := NewList()
	buf := []byte("elem:")
	for i := range n {
		l.PushRight(fmt.Appendf(buf[:5], "%05d", i%100000)) // 10 bytes
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	total := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("%d elements of 10 bytes: %.1f heap bytes/element (%.1f beyond the payload), MemoryBytes %.1f/element, %d chunks",
		n, total, total-10, float64(l.MemoryBytes())/n, l.nchunks())
	if total-10 > 16 {
		t.Errorf("%.1f bytes/element of overhead, budget 16", total-10)
	}
	runtime.KeepAlive(l)
}

func BenchmarkListPushPop(b *testing.B) {
	l := NewList()
	v := []byte("0123456789")
	for range 1000 {
		l.PushRight(v)
	}
	for b.Loop() {
		l.PushRight(v)
		l.PopLeft()
	}
}

func BenchmarkListPushRight(b *testing.B) {
	v := []byte("0123456789")
	l := NewList()
	for b.Loop() {
		l.PushRight(v)
		if l.Len() == 1<<20 {
			l = NewList()
		}
	}
}

func BenchmarkListIndex1M(b *testing.B) {
	l := NewList()
	for i := range 1 << 20 {
		l.PushRight(fmt.Appendf(nil, "%010d", i))
	}
	i := 0
	for b.Loop() {
		l.Index((i * 7919) & (1<<20 - 1))
		i++
	}
}

// TestValuesEmptiedDatabase: a database whose last key of a type goes
// keeps its place (a queue emptied by every pop does not allocate a new
// one each time) but reports no keys: HasDB is false, Keys counts none, a
// checkpoint holds none; its next key is found, and a snapshot taken
// before the emptying still has the old key.
func TestValuesEmptiedDatabase(t *testing.T) {
	e := NewLists()
	key := []byte("q")
	push := func() {
		l, _ := e.Mutable(7, key)
		l.PushLeft([]byte("x"))
	}
	push()
	snap := e.Snapshot()
	e.Delete(7, key)
	e.EndSnapshot()
	if e.HasDB(7) || e.Keys() != 0 {
		t.Fatalf("emptied: HasDB %v, Keys %d", e.HasDB(7), e.Keys())
	}
	if _, ok := e.Get(7, key); ok {
		t.Fatal("the deleted key is still there")
	}
	var before, after bytes.Buffer
	if err := snap.WriteTo(&before, 1); err != nil {
		t.Fatal(err)
	}
	if err := e.Snapshot().WriteTo(&after, 2); err != nil {
		t.Fatal(err)
	}
	e.EndSnapshot()
	for _, c := range []struct {
		ckpt []byte
		keys int
	}{{before.Bytes(), 1}, {after.Bytes(), 0}} {
		got, _, err := ReadLists(bytes.NewReader(c.ckpt))
		if err != nil {
			t.Fatal(err)
		}
		if got.Keys() != c.keys || got.HasDB(7) != (c.keys > 0) {
			t.Fatalf("checkpoint: %d keys (HasDB %v), want %d", got.Keys(), got.HasDB(7), c.keys)
		}
	}
	push()
	if l, ok := e.Get(7, key); !ok || l.Len() != 1 || !e.HasDB(7) || e.Keys() != 1 {
		t.Fatalf("after a new push: found %v, Keys %d", ok, e.Keys())
	}
	if raceEnabled {
		return // the race detector's allocations
	}
	// The bytes a key created in the emptied database allocates: its
	// list, chunk and shard map, not the database's 64 shards (1 KiB).
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	const runs = 1000
	for range runs {
		e.Delete(7, key)
		push()
	}
	runtime.ReadMemStats(&m1)
	if per := (m1.TotalAlloc - m0.TotalAlloc) / runs; per >= 1024 {
		t.Errorf("a key created in an emptied database: %d bytes allocated", per)
	}
}
