package memtables

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"pgregory.net/rapid"
)

var inf = math.Inf(1)

// zmodel is the obviously correct sorted set: a slice kept in Redis order.
type zmodel struct{ es []ZEntry }

func zcmp(a, b ZEntry) int {
	if c := cmp.Compare(a.Score, b.Score); c != 0 {
		return c
	}
	return strings.Compare(a.Member, b.Member)
}

func (m *zmodel) find(member string) int {
	return slices.IndexFunc(m.es, func(e ZEntry) bool { return e.Member == member })
}

func (m *zmodel) add(member string, score float64) (added, changed bool) {
	i := m.find(member)
	if i >= 0 {
		if m.es[i].Score == score {
			return false, false
		}
		m.es[i].Score = score
		changed = true
	} else {
		m.es = append(m.es, ZEntry{member, score})
		added = true
	}
	slices.SortFunc(m.es, zcmp)
	return added, changed
}

func (m *zmodel) remove(member string) bool {
	i := m.find(member)
	if i < 0 {
		return false
	}
	m.es = slices.Delete(m.es, i, i+1)
	return true
}

func (m *zmodel) allEqualScores() bool {
	for _, e := range m.es {
		if e.Score != m.es[0].Score {
			return false
		}
	}
	return true
}

func inScore(r ScoreRange, s float64) bool {
	lo := s > r.Min || (!r.MinEx && s == r.Min)
	hi := s < r.Max || (!r.MaxEx && s == r.Max)
	return lo && hi
}

func inLex(r LexRange, m string) bool {
	lo := r.MinInf || m > string(r.Min) || (!r.MinEx && m == string(r.Min))
	hi := r.MaxInf || m < string(r.Max) || (!r.MaxEx && m == string(r.Max))
	return lo && hi
}

// window applies Redis's LIMIT offset count to matches.
func window(es []ZEntry, offset, count int) []ZEntry {
	if offset < 0 || count == 0 || offset >= len(es) {
		return nil
	}
	es = es[offset:]
	if count > 0 && count < len(es) {
		es = es[:count]
	}
	return es
}

func (m *zmodel) filter(reverse bool, in func(ZEntry) bool) []ZEntry {
	var out []ZEntry
	for _, e := range m.es {
		if in(e) {
			out = append(out, e)
		}
	}
	if reverse {
		slices.Reverse(out)
	}
	return out
}

// collect gathers a By* result; limit < 0 means all, else it stops after
// limit members by returning false from the callback.
func collect(limit int, f func(fn func(string, float64) bool)) []ZEntry {
	var out []ZEntry
	f(func(m string, s float64) bool {
		out = append(out, ZEntry{m, s})
		return limit < 0 || len(out) < limit
	})
	return out
}

func sameEntries(a, b []ZEntry) bool {
	return slices.EqualFunc(a, b, func(x, y ZEntry) bool {
		return x.Member == y.Member && math.Float64bits(x.Score) == math.Float64bits(y.Score)
	})
}

// checkZSet verifies the tree's invariants (checkTree) and that the
// member table holds exactly the tree's items, with their scores.
func checkZSet(t fataler, z *ZSet) {
	t.Helper()
	items := checkTree(t, &z.tree)
	if z.entries != len(items) {
		t.Fatalf("tree holds %d items, member table %d entries", len(items), z.entries)
	}
	for _, it := range items {
		_, pos, ok := z.lookup(it.member)
		if !ok {
			t.Fatalf("%q is in the tree but not in the member table", it.member)
		}
		if e := z.entry(pos); math.Float64bits(e.score) != math.Float64bits(it.score) || unsafe.StringData(e.member) != unsafe.StringData(it.member) {
			t.Fatalf("the member table's entry of %q (%v) is not its item (%v), or does not share its bytes", it.member, e.score, it.score)
		}
	}
}

var zscores = []float64{-inf, -2.5, -1, 0, math.Copysign(0, -1), 1, 1, 2, 3.5, inf}

func genScore(t *rapid.T, label string) float64 {
	if rapid.IntRange(0, 3).Draw(t, label+"Kind") == 0 {
		return rapid.Float64Range(-4, 4).Draw(t, label)
	}
	return rapid.SampledFrom(zscores).Draw(t, label)
}

func genMember(t *rapid.T, label string) string {
	return rapid.StringMatching(`[a-d]{0,3}`).Draw(t, label)
}

func genScoreRange(t *rapid.T) ScoreRange {
	return ScoreRange{
		Min: genScore(t, "min"), Max: genScore(t, "max"),
		MinEx: rapid.Bool().Draw(t, "minEx"), MaxEx: rapid.Bool().Draw(t, "maxEx"),
	}
}

func genLexRange(t *rapid.T) LexRange {
	return LexRange{
		Min: []byte(genMember(t, "lmin")), Max: []byte(genMember(t, "lmax")),
		MinInf: rapid.IntRange(0, 4).Draw(t, "minInf") == 0, MaxInf: rapid.IntRange(0, 4).Draw(t, "maxInf") == 0,
		MinEx: rapid.Bool().Draw(t, "lminEx"), MaxEx: rapid.Bool().Draw(t, "lmaxEx"),
	}
}

// TestZSetModel runs random operations against ZSet and zmodel. In lex
// mode every score is 0, so the lex methods have defined results; otherwise
// they are only required not to crash or corrupt the structure.
func TestZSetModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		z := NewZSet()
		var m zmodel
		lexMode := rapid.Bool().Draw(t, "lexMode")
		score := func(label string) float64 {
			if lexMode {
				return 0
			}
			return genScore(t, label)
		}
		ranks := func() (int, int, bool) {
			if len(m.es) == 0 {
				return 0, 0, false
			}
			a := rapid.IntRange(0, len(m.es)-1).Draw(t, "start")
			b := rapid.IntRange(a, len(m.es)-1).Draw(t, "stop")
			return a, b, true
		}
		lexDefined := func() bool { return m.allEqualScores() }
		t.Repeat(map[string]func(*rapid.T){
			"Add": func(t *rapid.T) {
				mem, s := genMember(t, "member"), score("score")
				ga, gc := z.Add(mem, s)
				wa, wc := m.add(mem, s)
				if ga != wa || gc != wc {
					t.Fatalf("Add(%q, %v) = %v, %v; want %v, %v", mem, s, ga, gc, wa, wc)
				}
			},
			"AddMany": func(t *rapid.T) {
				for i := range rapid.IntRange(1, 40).Draw(t, "n") {
					mem := fmt.Sprintf("m%03d", rapid.IntRange(0, 200).Draw(t, "k"))
					s := score("score")
					if lexMode {
						s = 0
					} else if i%2 == 0 {
						s = float64(rapid.IntRange(-3, 3).Draw(t, "small"))
					}
					z.Add(mem, s)
					m.add(mem, s)
				}
			},
			"Remove": func(t *rapid.T) {
				mem := genMember(t, "member")
				if len(m.es) > 0 && rapid.Bool().Draw(t, "existing") {
					mem = rapid.SampledFrom(m.es).Draw(t, "e").Member
				}
				if g, w := z.Remove(mem), m.remove(mem); g != w {
					t.Fatalf("Remove(%q) = %v, want %v", mem, g, w)
				}
			},
			"ScoreRank": func(t *rapid.T) {
				mem := genMember(t, "member")
				if len(m.es) > 0 && rapid.Bool().Draw(t, "existing") {
					mem = rapid.SampledFrom(m.es).Draw(t, "e").Member
				}
				i := m.find(mem)
				s, ok := z.Score(mem)
				if ok != (i >= 0) || (ok && math.Float64bits(s) != math.Float64bits(m.es[i].Score)) {
					t.Fatalf("Score(%q) = %v, %v", mem, s, ok)
				}
				for _, rev := range []bool{false, true} {
					r, ok := z.Rank(mem, rev)
					want := i
					if rev && i >= 0 {
						want = len(m.es) - 1 - i
					}
					if ok != (i >= 0) || (ok && r != want) {
						t.Fatalf("Rank(%q, %v) = %d, %v; want %d", mem, rev, r, ok, want)
					}
				}
			},
			"ByRank": func(t *rapid.T) {
				a, b, ok := ranks()
				if !ok {
					return
				}
				rev := rapid.Bool().Draw(t, "reverse")
				limit := rapid.IntRange(-1, 5).Draw(t, "limit")
				got := collect(limit, func(fn func(string, float64) bool) { z.ByRank(a, b, rev, fn) })
				want := slices.Clone(m.es)
				if rev {
					slices.Reverse(want)
				}
				want = want[a : b+1]
				if limit >= 0 {
					want = want[:min(len(want), max(limit, 1))]
				}
				if !sameEntries(got, want) {
					t.Fatalf("ByRank(%d, %d, %v) = %v, want %v", a, b, rev, got, want)
				}
			},
			"ByScore": func(t *rapid.T) {
				r := genScoreRange(t)
				rev := rapid.Bool().Draw(t, "reverse")
				off := rapid.IntRange(-1, 6).Draw(t, "offset")
				cnt := rapid.IntRange(-1, 6).Draw(t, "count")
				got := collect(-1, func(fn func(string, float64) bool) { z.ByScore(r, rev, off, cnt, fn) })
				matches := m.filter(rev, func(e ZEntry) bool { return inScore(r, e.Score) })
				if want := window(matches, off, cnt); !sameEntries(got, want) {
					t.Fatalf("ByScore(%+v, %v, %d, %d) = %v, want %v", r, rev, off, cnt, got, want)
				}
				if g := z.CountScore(r); g != len(matches) {
					t.Fatalf("CountScore(%+v) = %d, want %d", r, g, len(matches))
				}
			},
			"ByLex": func(t *rapid.T) {
				r := genLexRange(t)
				rev := rapid.Bool().Draw(t, "reverse")
				off := rapid.IntRange(-1, 6).Draw(t, "offset")
				cnt := rapid.IntRange(-1, 6).Draw(t, "count")
				got := collect(-1, func(fn func(string, float64) bool) { z.ByLex(r, rev, off, cnt, fn) })
				n := z.CountLex(r)
				if !lexDefined() {
					return
				}
				matches := m.filter(rev, func(e ZEntry) bool { return inLex(r, e.Member) })
				if want := window(matches, off, cnt); !sameEntries(got, want) {
					t.Fatalf("ByLex(%+v, %v, %d, %d) = %v, want %v", r, rev, off, cnt, got, want)
				}
				if n != len(matches) {
					t.Fatalf("CountLex(%+v) = %d, want %d", r, n, len(matches))
				}
			},
			"RemoveRangeByRank": func(t *rapid.T) {
				a, b, ok := ranks()
				if !ok {
					return
				}
				if g := z.RemoveRangeByRank(a, b); g != b-a+1 {
					t.Fatalf("RemoveRangeByRank(%d, %d) = %d", a, b, g)
				}
				m.es = slices.Delete(m.es, a, b+1)
			},
			"RemoveRangeByScore": func(t *rapid.T) {
				r := genScoreRange(t)
				g := z.RemoveRangeByScore(r)
				w := len(m.es)
				m.es = slices.DeleteFunc(m.es, func(e ZEntry) bool { return inScore(r, e.Score) })
				if w -= len(m.es); g != w {
					t.Fatalf("RemoveRangeByScore(%+v) = %d, want %d", r, g, w)
				}
			},
			"RemoveRangeByLex": func(t *rapid.T) {
				r := genLexRange(t)
				defined := lexDefined()
				g := z.RemoveRangeByLex(r)
				if !defined {
					// Resync the model from the set: which members went is unspecified.
					m.es = collect(-1, z.ForEach)
					return
				}
				w := len(m.es)
				m.es = slices.DeleteFunc(m.es, func(e ZEntry) bool { return inLex(r, e.Member) })
				if w -= len(m.es); g != w {
					t.Fatalf("RemoveRangeByLex(%+v) = %d, want %d", r, g, w)
				}
			},
			"Pop": func(t *rapid.T) {
				n := rapid.IntRange(-1, 5).Draw(t, "n")
				if rapid.Bool().Draw(t, "max") {
					got := z.PopMax(n)
					want := slices.Clone(m.es[max(0, len(m.es)-max(n, 0)):])
					slices.Reverse(want)
					m.es = m.es[:len(m.es)-len(want)]
					if !sameEntries(got, want) {
						t.Fatalf("PopMax(%d) = %v, want %v", n, got, want)
					}
					return
				}
				got := z.PopMin(n)
				want := slices.Clone(m.es[:min(len(m.es), max(n, 0))])
				m.es = m.es[len(want):]
				if !sameEntries(got, want) {
					t.Fatalf("PopMin(%d) = %v, want %v", n, got, want)
				}
			},
			"": func(t *rapid.T) {
				checkZSet(t, z)
				if z.Len() != len(m.es) {
					t.Fatalf("Len %d, want %d", z.Len(), len(m.es))
				}
				if got := collect(-1, z.ForEach); !sameEntries(got, m.es) {
					t.Fatalf("ForEach = %v, want %v", got, m.es)
				}
			},
		})
	})
}

func TestZSetEdgeCases(t *testing.T) {
	all := ScoreRange{Min: -inf, Max: inf}
	fill := func(z *ZSet) {
		for _, e := range []ZEntry{{"a", 1}, {"b", 1}, {"c", 2}, {"d", 3}, {"ninf", -inf}, {"pinf", inf}} {
			z.Add(e.Member, e.Score)
		}
	}
	members := func(es []ZEntry) string {
		ms := make([]string, len(es))
		for i, e := range es {
			ms[i] = e.Member
		}
		return strings.Join(ms, " ")
	}
	byScore := func(z *ZSet, r ScoreRange, rev bool, off, cnt int) string {
		return members(collect(-1, func(fn func(string, float64) bool) { z.ByScore(r, rev, off, cnt, fn) }))
	}
	byLex := func(z *ZSet, r LexRange, rev bool, off, cnt int) string {
		return members(collect(-1, func(fn func(string, float64) bool) { z.ByLex(r, rev, off, cnt, fn) }))
	}
	lexSet := func() *ZSet {
		z := NewZSet()
		for _, m := range []string{"", "a", "aa", "ab", "b", "c\x00", "c", "\xff"} {
			z.Add(m, 0)
		}
		return z
	}
	tests := []struct {
		name string
		run  func(z *ZSet) string
		want string
	}{
		{"empty_ranges", func(*ZSet) string {
			z := NewZSet()
			s := byScore(z, all, false, 0, -1) + byLex(z, LexRange{MinInf: true, MaxInf: true}, true, 0, -1)
			return fmt.Sprint(s, z.CountScore(all), z.RemoveRangeByScore(all), len(z.PopMin(3)), len(z.PopMax(3)), z.Len())
		}, "0 0 0 0 0"},
		{"equal_scores_by_member", func(z *ZSet) string { return byScore(z, all, false, 0, -1) }, "ninf a b c d pinf"},
		{"reverse", func(z *ZSet) string { return byScore(z, all, true, 0, -1) }, "pinf d c b a ninf"},
		{"exclusive_bounds", func(z *ZSet) string {
			return byScore(z, ScoreRange{Min: 1, Max: 3, MinEx: true, MaxEx: true}, false, 0, -1)
		}, "c"},
		{"inclusive_bounds", func(z *ZSet) string { return byScore(z, ScoreRange{Min: 1, Max: 3}, false, 0, -1) }, "a b c d"},
		{"inf_only", func(z *ZSet) string { return byScore(z, ScoreRange{Min: inf, Max: inf}, false, 0, -1) }, "pinf"},
		{"exclusive_inf_is_empty", func(z *ZSet) string {
			return fmt.Sprint(z.CountScore(ScoreRange{Min: -inf, Max: inf, MinEx: true, MaxEx: true}))
		}, "4"},
		{"min_above_max", func(z *ZSet) string { return fmt.Sprint(z.CountScore(ScoreRange{Min: 3, Max: 1})) }, "0"},
		{"point_exclusive", func(z *ZSet) string {
			return fmt.Sprint(z.CountScore(ScoreRange{Min: 1, Max: 1, MinEx: true}), z.CountScore(ScoreRange{Min: 1, Max: 1}))
		}, "0 2"},
		{"offset_count", func(z *ZSet) string { return byScore(z, all, false, 1, 2) }, "a b"},
		{"offset_count_reverse", func(z *ZSet) string { return byScore(z, all, true, 1, 2) }, "d c"},
		{"offset_past_end", func(z *ZSet) string { return byScore(z, all, false, 6, -1) + "|" }, "|"},
		{"negative_offset", func(z *ZSet) string { return byScore(z, all, false, -1, -1) + "|" }, "|"},
		{"zero_count", func(z *ZSet) string { return byScore(z, all, false, 0, 0) + "|" }, "|"},
		{"offset_leaves_range", func(z *ZSet) string { return byScore(z, ScoreRange{Min: 1, Max: 1}, false, 2, -1) + "|" }, "|"},
		{"rank_and_revrank", func(z *ZSet) string {
			r, _ := z.Rank("b", false)
			rr, _ := z.Rank("b", true)
			_, ok := z.Rank("zz", false)
			return fmt.Sprint(r, rr, ok)
		}, "2 3 false"},
		{"by_rank_reverse", func(z *ZSet) string {
			return members(collect(-1, func(fn func(string, float64) bool) { z.ByRank(1, 3, true, fn) }))
		}, "d c b"},
		{"update_in_place", func(z *ZSet) string {
			a, c := z.Add("c", 2.5)
			return fmt.Sprintf("%v %v %s", a, c, byScore(z, all, false, 0, -1))
		}, "false true ninf a b c d pinf"},
		{"update_moves", func(z *ZSet) string {
			z.Add("ninf", 2)
			z.Add("pinf", -5)
			checkZSet(t, z)
			return byScore(z, all, false, 0, -1)
		}, "pinf a b c ninf d"},
		{"same_score_readd", func(z *ZSet) string {
			a, c := z.Add("a", 1)
			return fmt.Sprint(a, c)
		}, "false false"},
		{"negative_zero_is_same", func(z *ZSet) string {
			z.Add("zero", 0)
			a, c := z.Add("zero", math.Copysign(0, -1))
			s, _ := z.Score("zero")
			return fmt.Sprint(a, c, math.Signbit(s))
		}, "false false false"},
		{"pop_min_max", func(z *ZSet) string {
			return members(z.PopMin(2)) + "|" + members(z.PopMax(2)) + "|" + members(z.PopMax(10)) + fmt.Sprint(z.Len())
		}, "ninf a|pinf d|c b0"},
		{"remove_range_by_rank_all", func(z *ZSet) string {
			n := z.RemoveRangeByRank(0, 5)
			return fmt.Sprint(n, z.Len(), z.tree.height)
		}, "6 0 0"},
		{"remove_range_by_score", func(z *ZSet) string {
			n := z.RemoveRangeByScore(ScoreRange{Min: 1, Max: 3, MaxEx: true})
			return fmt.Sprint(n, " ", byScore(z, all, false, 0, -1))
		}, "3 ninf d pinf"},
		{"lex_all", func(*ZSet) string { return byLex(lexSet(), LexRange{MinInf: true, MaxInf: true}, false, 0, -1) }, " a aa ab b c c\x00 \xff"},
		{"lex_bounds", func(*ZSet) string {
			return byLex(lexSet(), LexRange{Min: []byte("a"), Max: []byte("c"), MinEx: true}, false, 0, -1)
		}, "aa ab b c"},
		{"lex_reverse_limit", func(*ZSet) string {
			return byLex(lexSet(), LexRange{Min: []byte("a"), MaxInf: true, MaxEx: true}, true, 1, 3)
		}, "c\x00 c b"},
		{"lex_empty_member", func(*ZSet) string {
			return fmt.Sprint(lexSet().CountLex(LexRange{Min: []byte(""), Max: []byte("")}))
		}, "1"},
		{"lex_min_above_max", func(*ZSet) string {
			return fmt.Sprint(lexSet().CountLex(LexRange{Min: []byte("b"), Max: []byte("a")}))
		}, "0"},
		{"lex_remove", func(*ZSet) string {
			z := lexSet()
			n := z.RemoveRangeByLex(LexRange{Min: []byte("a"), Max: []byte("b"), MaxEx: true})
			checkZSet(t, z)
			return fmt.Sprint(n, z.CountLex(LexRange{MinInf: true, MaxInf: true}))
		}, "3 5"},
		{"lex_mixed_scores_no_crash", func(z *ZSet) string {
			r := LexRange{Min: []byte("b"), Max: []byte("c")}
			byLex(z, r, false, 0, -1)
			byLex(z, r, true, 1, 1)
			z.CountLex(r)
			z.RemoveRangeByLex(r)
			checkZSet(t, z)
			return "ok"
		}, "ok"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			z := NewZSet()
			fill(z)
			if got := tc.run(z); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			checkZSet(t, z)
		})
	}
}

func TestZSetAddNaNPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	NewZSet().Add("a", math.NaN())
}

// TestZSetLarge checks spans after many inserts, updates and removes, in a
// set tall enough to use several levels.
func TestZSetLarge(t *testing.T) {
	n := 20000
	if testing.Short() || raceEnabled {
		n = 3000
	}
	z := NewZSet()
	for i := range n {
		z.Add(fmt.Sprintf("m%06d", (i*7919)%n), float64(i%97))
	}
	for i := 0; i < n; i += 3 {
		z.Add(fmt.Sprintf("m%06d", i), float64(-i%13))
	}
	for i := 0; i < n; i += 5 {
		z.Remove(fmt.Sprintf("m%06d", i))
	}
	checkZSet(t, z)
	i := 0
	z.ForEach(func(m string, _ float64) bool {
		if r, _ := z.Rank(m, false); r != i {
			t.Fatalf("Rank(%q) = %d, want %d", m, r, i)
		}
		i++
		return true
	})
	if z.tree.height < 1 {
		t.Errorf("height %d for %d members", z.tree.height, z.Len())
	}
	if got := z.CountScore(ScoreRange{Min: 0, Max: 96}) + z.CountScore(ScoreRange{Min: -inf, Max: 0, MaxEx: true}); got != z.Len() {
		t.Errorf("counts sum to %d, want %d", got, z.Len())
	}
	z.RemoveRangeByRank(10, z.Len()/2)
	z.RemoveRangeByScore(ScoreRange{Min: 10, Max: 20})
	checkZSet(t, z)
	if mb := z.MemoryBytes(); mb < int64(z.Len())*80 || mb > int64(z.Len())*200 {
		t.Errorf("MemoryBytes %d for %d members", mb, z.Len())
	}
}

// TestZSetMemoryPerMember measures heap bytes per member for 1,000,000
// members of 10 bytes ("m:00000000"). Run:
// go test -run ZSetMemoryPerMember -v ./memtables/
func TestZSetMemoryPerMember(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocates ~100 MB; skipped in -short and -race")
	}
	const n = 1_000_000
	members := make([]string, n) // built before measuring: the set shares their bytes
	for i := range members {
		members[i] = fmt.Sprintf("m:%08d", i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	z := NewZSet()
	x := uint64(1)
	for _, m := range members {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		z.Add(m, float64(x%1_000_000))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	const memberLen = 10
	structure := float64(after.HeapAlloc-before.HeapAlloc) / n
	total := structure + 16 // the member bytes, in the 16-byte size class
	t.Logf("%d members of %d bytes: %.1f heap bytes/member incl. member bytes (%.1f structure); "+
		"MemoryBytes estimate %.1f/member; tree height %d", n, memberLen, total, structure,
		float64(z.MemoryBytes())/n, z.tree.height)
	if total > 160 {
		t.Errorf("%.1f bytes/member, budget 160 (1.5x Redis's ~110)", total)
	}
	runtime.KeepAlive(z)
	runtime.KeepAlive(members)
}

var (
	benchZOnce sync.Once
	benchZ     *ZSet
	benchZMem  []string
)

// benchZSet is a shared set of 1M members with scores 0..999999 in a
// scrambled insertion order.
func benchZSet() (*ZSet, []string) {
	benchZOnce.Do(func() {
		const n = 1_000_000
		benchZ = NewZSet()
		benchZMem = make([]string, n)
		for i := range n {
			j := (i * 7919) % n
			benchZMem[i] = fmt.Sprintf("m:%08d", j)
			benchZ.Add(benchZMem[i], float64(j))
		}
	})
	return benchZ, benchZMem
}

func BenchmarkZSetAdd(b *testing.B) {
	const n = 1_000_000
	members := make([]string, n)
	for i := range members {
		members[i] = fmt.Sprintf("m:%08d", (i*7919)%n)
	}
	z := NewZSet()
	i := 0
	for b.Loop() {
		if i == n {
			b.StopTimer()
			z, i = NewZSet(), 0
			b.StartTimer()
		}
		z.Add(members[i], float64(i))
		i++
	}
}

func BenchmarkZSetRank(b *testing.B) {
	z, members := benchZSet()
	i := 0
	for b.Loop() {
		if _, ok := z.Rank(members[i%len(members)], false); !ok {
			b.Fatal("missing")
		}
		i += 7
	}
}

// BenchmarkZSetRangeByScore reads 10 members from a random score with
// LIMIT 0 10 and with LIMIT 1000 10 (the offset is skipped by spans).
func BenchmarkZSetRangeByScore(b *testing.B) {
	z, _ := benchZSet()
	for _, off := range []int{0, 1000} {
		b.Run(fmt.Sprintf("offset=%d", off), func(b *testing.B) {
			i, got := 0, 0
			for b.Loop() {
				lo := float64((i * 7919) % 990_000)
				z.ByScore(ScoreRange{Min: lo, Max: inf}, false, off, 10, func(string, float64) bool {
					got++
					return true
				})
				i++
			}
			if got == 0 {
				b.Fatal("no results")
			}
		})
	}
}
