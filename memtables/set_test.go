package memtables

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// Members: integers (canonical or not) and short strings, so operations hit
// existing members and the intset rules; sometimes a member big enough for
// a block of its own.
var genSetMember = rapid.Custom(func(t *rapid.T) string {
	switch rapid.IntRange(0, 9).Draw(t, "kind") {
	case 0:
		return rapid.SampledFrom([]string{"007", "-0", "+1", " 1", "", "9223372036854775807",
			"-9223372036854775808", "9223372036854775808", "a"}).Draw(t, "odd")
	case 1:
		return strings.Repeat("m", rapid.IntRange(setBlockMax/4, setBlockMax).Draw(t, "bigLen"))
	case 2, 3:
		return rapid.StringMatching(`[a-c]{1,2}`).Draw(t, "str")
	default:
		return strconv.Itoa(rapid.IntRange(-20, 20).Draw(t, "int"))
	}
})

// TestSetModel runs random operations against Set and a map, including the
// intset -> hashtable conversion (a non-integer member, or more than
// intsetMaxEntries integers) and the reset of an emptied set. Failures
// print a replayable seed (-rapid.seed=N).
func TestSetModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := NewSet()
		m := map[string]bool{}
		hashed := false // the model of the encoding
		bulk := 0
		t.Repeat(map[string]func(*rapid.T){
			"Add": func(t *rapid.T) {
				v := genSetMember.Draw(t, "m")
				if got, want := s.Add([]byte(v)), !m[v]; got != want {
					t.Fatalf("Add(%q) = %v, want %v", v, got, want)
				}
				m[v] = true
				if _, ok := canonicalInt([]byte(v)); !ok || len(m) > intsetMaxEntries {
					hashed = true
				}
			},
			"AddInts": func(t *rapid.T) {
				n := rapid.IntRange(1, 600).Draw(t, "n")
				for range n {
					v := strconv.Itoa(1000 + bulk%700)
					bulk++
					s.Add([]byte(v))
					m[v] = true
					if len(m) > intsetMaxEntries {
						hashed = true
					}
				}
			},
			"AddStrings": func(t *rapid.T) {
				n := rapid.IntRange(1, 1500).Draw(t, "n")
				for range n {
					v := fmt.Sprintf("s:%d", bulk%4000)
					bulk++
					s.Add([]byte(v))
					m[v] = true
					hashed = true
				}
			},
			"Snapshot": func(t *rapid.T) {
				// The set goes on as a copy-on-write clone (pages copied
				// before their first write); the old one is the
				// snapshot's, never written again.
				s = s.snapshotClone(s.gen + 1)
			},
			"Clone": func(t *rapid.T) { s = s.Clone() },
			"Remove": func(t *rapid.T) {
				v := genSetMember.Draw(t, "m")
				if got, want := s.Remove([]byte(v)), m[v]; got != want {
					t.Fatalf("Remove(%q) = %v, want %v", v, got, want)
				}
				delete(m, v)
				if len(m) == 0 {
					hashed = false
				}
			},
			"RemoveMany": func(t *rapid.T) {
				keep := rapid.IntRange(0, 100).Draw(t, "keepPercent")
				for _, v := range slices.Sorted(maps.Keys(m)) {
					if len(v) > 3 && int(setHash([]byte(v))%100) >= keep {
						if !s.Remove([]byte(v)) {
							t.Fatalf("Remove(%q) = false", v)
						}
						delete(m, v)
					}
				}
				if len(m) == 0 {
					hashed = false
				}
			},
			"Has": func(t *rapid.T) {
				v := genSetMember.Draw(t, "m")
				if got := s.Has([]byte(v)); got != m[v] {
					t.Fatalf("Has(%q) = %v, want %v", v, got, m[v])
				}
			},
			"Random": func(t *rapid.T) {
				seed := rapid.Uint64().Draw(t, "seed")
				r := rand.New(rand.NewPCG(seed, seed))
				v, ok := s.Random(func(n int) int { return r.IntN(n) })
				if ok != (len(m) > 0) || ok && !m[string(v)] {
					t.Fatalf("Random = %q, %v", v, ok)
				}
			},
			"": func(t *rapid.T) {
				if s.Len() != len(m) {
					t.Fatalf("Len = %d, want %d", s.Len(), len(m))
				}
				if s.IsIntSet() == hashed {
					t.Fatalf("IsIntSet = %v with %d members, model hashed %v", s.IsIntSet(), len(m), hashed)
				}
				var got []string
				for _, v := range s.Members() {
					got = append(got, string(v))
				}
				slices.Sort(got)
				if want := slices.Sorted(maps.Keys(m)); !slices.Equal(got, want) {
					t.Fatalf("Members differ: %d, want %d", len(got), len(want))
				}
				checkSetInvariants(t, s)
			},
		})
	})
}

func checkSetInvariants(t interface{ Fatalf(string, ...any) }, s *Set) {
	if got, want := s.MemoryBytes(), s.memoryBytesSlow(); got != want {
		t.Fatalf("MemoryBytes %d, summed over the pages and blocks %d", got, want)
	}
	if !s.hashed {
		if !slices.IsSorted(s.ints) || len(s.ints) > intsetMaxEntries {
			t.Fatalf("intset of %d not sorted or too long", len(s.ints))
		}
		return
	}
	if s.n*maxLoadDen > len(s.index)*maxLoadNum {
		t.Fatalf("%d members in %d index cells", s.n, len(s.index))
	}
	live := 0
	for i := range s.n {
		sl := s.at(i)
		live += int(sl.n)
		if _, pos, ok := s.lookup(sl.hash, s.member(sl)); !ok || pos != i {
			t.Fatalf("member at %d not found by lookup (pos %d, %v)", i, pos, ok)
		}
	}
	if live+s.garbage != s.arena {
		t.Fatalf("arena %d bytes, live %d + garbage %d", s.arena, live, s.garbage)
	}
}

func TestCanonicalInt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"-1", -1, true},
		{"123", 123, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"99999999999999999999", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"-0", 0, false},
		{"01", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1a", 0, false},
		{"1.0", 0, false},
	} {
		got, ok := canonicalInt([]byte(tc.in))
		if ok != tc.ok || got != tc.want {
			t.Errorf("canonicalInt(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSetEncoding(t *testing.T) {
	s := NewSet()
	for i := range intsetMaxEntries {
		s.Add([]byte(strconv.Itoa(i)))
	}
	if !s.IsIntSet() {
		t.Fatalf("%d integers: not an intset", s.Len())
	}
	if !s.Add([]byte("01")) { // not canonical: a new string member, which converts
		t.Fatal("Add(\"01\") = false")
	}
	if s.IsIntSet() || !s.Has([]byte("01")) || !s.Has([]byte("7")) || s.Has([]byte("007")) {
		t.Fatalf("after adding \"01\": intset %v", s.IsIntSet())
	}
	s.Remove([]byte("01"))
	if s.IsIntSet() {
		t.Fatal("a hashtable set went back to intset (Redis does not)")
	}
	s2 := NewSet()
	for i := range intsetMaxEntries + 1 {
		s2.Add([]byte(strconv.Itoa(-i)))
	}
	if s2.IsIntSet() || s2.Len() != intsetMaxEntries+1 {
		t.Fatalf("%d integers: intset %v", s2.Len(), s2.IsIntSet())
	}
	for _, v := range s2.Members() {
		s2.Remove(v)
	}
	if !s2.IsIntSet() || s2.Len() != 0 || s2.MemoryBytes() <= 0 {
		t.Fatalf("emptied set: intset %v, len %d", s2.IsIntSet(), s2.Len())
	}
	if _, ok := s2.Random(func(int) int { return 0 }); ok {
		t.Fatal("Random on an empty set")
	}
}

// TestSetMembersSurviveCompaction checks the documented property that
// member slices handed out stay valid and unchanged after later writes,
// including the arena compaction that removes trigger.
func TestSetMembersSurviveCompaction(t *testing.T) {
	s := NewSet()
	for i := range 5000 {
		s.Add([]byte(fmt.Sprintf("member:%d", i)))
	}
	kept := s.Members()
	want := make([]string, len(kept))
	for i, m := range kept {
		want[i] = string(m)
	}
	for i := range 4900 {
		s.Remove([]byte(fmt.Sprintf("member:%d", i)))
	}
	for i := range 5000 {
		s.Add([]byte(fmt.Sprintf("other:%d", i)))
	}
	if s.arena >= 5000*len("member:0000") {
		t.Fatalf("arena %d bytes: no compaction happened", s.arena)
	}
	for i, m := range kept {
		if string(m) != want[i] {
			t.Fatalf("member %d changed from %q to %q", i, want[i], m)
		}
	}
	checkSetInvariants(t, s)
}

func TestSetForEachStops(t *testing.T) {
	for _, members := range [][]string{{"1", "2", "3"}, {"a", "b", "c"}} {
		s := NewSet()
		for _, m := range members {
			s.Add([]byte(m))
		}
		calls := 0
		s.ForEach(func([]byte) bool { calls++; return false })
		if calls != 1 {
			t.Errorf("intset %v: ForEach called fn %d times after it returned false", s.IsIntSet(), calls)
		}
	}
}

// TestSetRandomUniform checks Random's distribution over a hash table set
// after removals (which move slots) with a chi-squared bound.
func TestSetRandomUniform(t *testing.T) {
	s := NewSet()
	for i := range 200 {
		s.Add([]byte(fmt.Sprintf("m%d", i)))
	}
	for i := 0; i < 200; i += 2 {
		s.Remove([]byte(fmt.Sprintf("m%d", i)))
	}
	r := rand.New(rand.NewPCG(1, 2))
	counts := map[string]int{}
	const draws = 100_000
	for range draws {
		v, _ := s.Random(func(n int) int { return r.IntN(n) })
		counts[string(v)]++
	}
	exp := float64(draws) / float64(s.Len())
	chi := 0.0
	for _, c := range counts {
		chi += (float64(c) - exp) * (float64(c) - exp) / exp
	}
	// 99 degrees of freedom: p = 0.001 at about 148.
	if len(counts) != s.Len() || chi > 148 {
		t.Fatalf("%d distinct of %d, chi-squared %.1f", len(counts), s.Len(), chi)
	}
}

func TestSetMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocates ~50 MB; skipped in -short and -race")
	}
	const n = 1_000_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := NewSet()
	buf := []byte("mem:")
	for i := range n {
		s.Add(fmt.Appendf(buf[:4], "%06d", i)) // 10 bytes
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	total := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("%d members of 10 bytes: %.1f heap bytes/member (%.1f beyond the member bytes), "+
		"MemoryBytes %.1f/member (index %d cells, %d pages, %d blocks)",
		n, total, total-10, float64(s.MemoryBytes())/n, len(s.index), len(s.pages), len(s.blocks))
	if total-10 > 40 {
		t.Errorf("%.1f bytes/member of overhead, budget 40", total-10)
	}
	runtime.KeepAlive(s)
}

func benchSetMembers(n int) [][]byte {
	ms := make([][]byte, n)
	for i := range ms {
		ms[i] = []byte("member:" + strconv.Itoa(i))
	}
	return ms
}

func BenchmarkSetAdd(b *testing.B) {
	ms := benchSetMembers(1 << 16)
	s := NewSet()
	i := 0
	for b.Loop() {
		s.Add(ms[i&(len(ms)-1)])
		i++
	}
}

func BenchmarkSetAddRemove(b *testing.B) {
	ms := benchSetMembers(1 << 16)
	s := NewSet()
	for _, m := range ms[:1<<15] {
		s.Add(m)
	}
	i := 0
	for b.Loop() {
		s.Add(ms[(i+1<<15)&(len(ms)-1)])
		s.Remove(ms[i&(len(ms)-1)])
		i++
	}
}

func BenchmarkSetHas1M(b *testing.B) {
	ms := benchSetMembers(1 << 20)
	s := NewSet()
	for _, m := range ms {
		s.Add(m)
	}
	i := 0
	for b.Loop() {
		s.Has(ms[(i*7919)&(len(ms)-1)])
		i++
	}
}

func BenchmarkSetHasIntset(b *testing.B) {
	s := NewSet()
	for i := range intsetMaxEntries {
		s.Add([]byte(strconv.Itoa(i * 3)))
	}
	ms := benchSetMembers(0)
	for i := range 1024 {
		ms = append(ms, []byte(strconv.Itoa(i)))
	}
	i := 0
	for b.Loop() {
		s.Has(ms[i&1023])
		i++
	}
}
