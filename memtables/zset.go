package memtables

import (
	"bytes"
	"strings"
	"unsafe"
)

// ZSet is one sorted set: an order-statistic B+tree of (score, member)
// items (zset_tree.go) for the order and ranks, plus a member table
// (zset_dict.go) for O(1) score lookup. It is the data structure of the
// zsets engine; the command layer and WAL wiring live elsewhere.
//
// Order is Redis's: by score ascending, equal scores by member bytes
// ascending (memcmp, which is Go's string order). Scores are float64 and
// never NaN (Add panics on NaN: one NaN would break the order for every
// later operation); -inf and +inf are ordinary scores. Ranks are 0-based.
//
// Redis keeps a skiplist with spans (t_zset.c), and so did keel until
// its ZADD and ZRANK on large sets were bound by the skiplist's cache
// misses; the tree answers every query the spans did (rank, by rank, by
// score, by lex, counts, range removals) in O(log n) with a few misses
// per level instead of ~4 nodes per level (ztree's doc).
//
// # Concurrency contract
//
// A ZSet is not safe for concurrent writes. As with Keyspace, the caller
// holds its own RWMutex:
//
//  1. Writes (Add, Remove, RemoveRangeBy*, PopMin, PopMax) run under the
//     write lock, one at a time.
//  2. Reads (Len, Score, Rank, ByRank, ByScore, ByLex, CountScore,
//     CountLex, ForEach, MemoryBytes) change nothing and may run
//     concurrently with each other under the read lock.
//  3. Callbacks passed to the By* methods and ForEach must not write to the
//     ZSet.
//
// The tree is not copy-on-write; the member table beside it (zset_dict.go)
// is, and a checkpoint reads only that table.
type ZSet struct {
	tree  ztree
	bytes int64 // MemoryBytes share of the member bytes and table entries
	big   bool  // Redis's skiplist encoding rather than listpack (Big)

	// The member table (zset_dict.go): entries in dense pages, an index
	// of positions, and copy-on-write generations.
	pages   [][]zentry
	pageGen []uint64
	index   []uint32
	entries int
	gen     uint64
}

// ZEntry is a member with its score, as PopMin and PopMax return them.
type ZEntry struct {
	Member string
	Score  float64
}

// ScoreRange is a score interval, as ZRANGEBYSCORE parses it: Min and Max
// are inclusive unless MinEx/MaxEx ("(" in Redis syntax). -inf and +inf are
// plain float64 infinities. An interval with Min > Max, or Min == Max and
// either end exclusive, is empty.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// LexRange is a member interval, as ZRANGEBYLEX parses it: MinInf is "-" as
// the minimum and MaxInf is "+" as the maximum (MinEx/MaxEx and the byte
// slices are ignored for an infinite end). "+" as the minimum or "-" as the
// maximum cannot be expressed: the range is empty and the command layer
// answers it without calling the ZSet.
type LexRange struct {
	Min, Max       []byte
	MinInf, MaxInf bool
	MinEx, MaxEx   bool
}

// zsetMapEntryBytes estimates one member's share of the member table: a
// 32-byte entry and its index cells at a load of 3/8..3/4.
const zsetMapEntryBytes = 40

// zsetEntryBytes is the MemoryBytes share of one member besides its tree
// item: its bytes and its table entry.
func zsetEntryBytes(member string) int64 {
	return int64((len(member)+7)&^7) + zsetMapEntryBytes
}

// NewZSet returns an empty sorted set.
func NewZSet() *ZSet { return &ZSet{tree: newZTree()} }

// Len returns the number of members.
func (z *ZSet) Len() int { return z.tree.length }

// Score returns member's score.
func (z *ZSet) Score(member string) (float64, bool) {
	_, pos, ok := z.lookup(member)
	if !ok {
		return 0, false
	}
	return z.entry(pos).score, true
}

// MemoryBytes estimates the heap bytes the set holds: the tree, member
// bytes and table entries. O(n / ztreeCap): for tests and tools, not for
// every write.
func (z *ZSet) MemoryBytes() int64 {
	return int64(unsafe.Sizeof(*z)) + z.tree.bytes() + z.bytes
}

// Add inserts member with score, or updates its score. added reports a new
// member; changed reports that an existing member's score changed (by ==:
// 0 and -0 are the same score, and the stored one is kept, as in Redis).
// The set keeps a copy of member, never member itself: a caller may pass
// a view of bytes it reuses (the apply of a ZADD converts without
// allocating, and an update allocates nothing).
func (z *ZSet) Add(member string, score float64) (added, changed bool) {
	return z.add(member, score, false)
}

// AddBytes is Add of a member given as bytes, without converting them:
// Add never keeps the string it is passed, so a view of member is enough
// whatever its length (a non-escaping string(member) is free only up to
// 32 bytes).
func (z *ZSet) AddBytes(member []byte, score float64) (added, changed bool) {
	return z.Add(unsafe.String(unsafe.SliceData(member), len(member)), score)
}

// addOwned is Add of a member string the set may keep as is (immutable
// and not shared with a writer: a checkpoint's or another zset's).
func (z *ZSet) addOwned(member string, score float64) (added, changed bool) {
	return z.add(member, score, true)
}

// add is Add, keeping member itself when owned, else a copy of it.
func (z *ZSet) add(member string, score float64, owned bool) (added, changed bool) {
	if score != score {
		panic("memtables: ZSet.Add with a NaN score")
	}
	h := zsetHash(member)
	if _, pos, ok := z.lookupHash(member, h); ok {
		return false, z.setScore(pos, score)
	}
	if !owned {
		member = strings.Clone(member)
	}
	z.tree.insert(score, member)
	z.addEntry(member, score, h)
	z.bytes += zsetEntryBytes(member)
	return true, false
}

// setScore gives the member of entry pos a new score and reports whether
// it changed.
func (z *ZSet) setScore(pos int, score float64) bool {
	e := z.entry(pos)
	old := e.score
	if old == score {
		return false
	}
	if z.pageGen[pos>>pageShift] < z.gen {
		z.ownPage(pos >> pageShift)
		e = z.entry(pos)
	}
	e.score = score
	z.tree.setScore(old, e.member, score)
	return true
}

// Remove deletes member and reports whether it was there.
func (z *ZSet) Remove(member string) bool {
	c, pos, ok := z.lookup(member)
	if !ok {
		return false
	}
	e := z.entry(pos)
	z.tree.remove(e.score, e.member)
	z.bytes -= zsetEntryBytes(e.member)
	z.dropEntryAt(c, pos)
	return true
}

// Rank returns member's 0-based rank, counted from the highest score when
// reverse (ZREVRANK).
func (z *ZSet) Rank(member string, reverse bool) (int, bool) {
	_, pos, ok := z.lookup(member)
	if !ok {
		return 0, false
	}
	e := z.entry(pos)
	r := z.tree.rank(e.score, e.member)
	if reverse {
		r = z.tree.length - 1 - r
	}
	return r, true
}

// ByRank calls fn for the members of ranks start..stop inclusive (0 <=
// start <= stop < Len, already normalized by the caller), counted from the
// highest score when reverse, in that order, until fn returns false.
// O(log n + m).
func (z *ZSet) ByRank(start, stop int, reverse bool, fn func(member string, score float64) bool) {
	if start < 0 || stop >= z.tree.length || start > stop {
		return
	}
	m := stop - start + 1
	if !reverse {
		for c := z.tree.cursor(start); c.l != nil && m > 0; c.next() {
			if it := c.item(); !fn(it.member, it.score) {
				return
			}
			m--
		}
		return
	}
	for c := z.tree.cursor(z.tree.length - 1 - start); c.l != nil && m > 0; c.prev() {
		if it := c.item(); !fn(it.member, it.score) {
			return
		}
		m--
	}
}

// ForEach calls fn for every member in ascending order until fn returns
// false.
func (z *ZSet) ForEach(fn func(member string, score float64) bool) {
	for l := z.tree.first; l != nil; l = l.next {
		for i := range l.items {
			if !fn(l.items[i].member, l.items[i].score) {
				return
			}
		}
	}
}

// Score ranges (zslValueGteMin, zslValueLteMax).

func (r *ScoreRange) gteMin(v float64) bool {
	if r.MinEx {
		return v > r.Min
	}
	return v >= r.Min
}

func (r *ScoreRange) lteMax(v float64) bool {
	if r.MaxEx {
		return v < r.Max
	}
	return v <= r.Max
}

func (r *ScoreRange) empty() bool {
	return r.Min > r.Max || (r.Min == r.Max && (r.MinEx || r.MaxEx))
}

// Lex ranges (zslLexValueGteMin, zslLexValueLteMax). The string(...)
// conversions inside comparisons do not allocate.

func (r *LexRange) gteMin(m string) bool {
	switch {
	case r.MinInf:
		return true
	case r.MinEx:
		return m > string(r.Min)
	default:
		return m >= string(r.Min)
	}
}

func (r *LexRange) lteMax(m string) bool {
	switch {
	case r.MaxInf:
		return true
	case r.MaxEx:
		return m < string(r.Max)
	default:
		return m <= string(r.Max)
	}
}

func (r *LexRange) empty() bool {
	if r.MinInf || r.MaxInf {
		return false
	}
	c := bytes.Compare(r.Min, r.Max)
	return c > 0 || (c == 0 && (r.MinEx || r.MaxEx))
}

// zbounds is a ScoreRange or LexRange as predicates on an item's score
// and member: gteMin holds from some rank on and lteMax up to some rank
// (for a lex range, when the scores are equal: see ByLex); empty: the
// range matches nothing.
type zbounds struct {
	empty          bool
	gteMin, lteMax func(score float64, member string) bool
}

func (r *ScoreRange) bounds() zbounds {
	return zbounds{
		empty:  r.empty(),
		gteMin: func(s float64, _ string) bool { return r.gteMin(s) },
		lteMax: func(s float64, _ string) bool { return r.lteMax(s) },
	}
}

func (r *LexRange) bounds() zbounds {
	return zbounds{
		empty:  r.empty(),
		gteMin: func(_ float64, m string) bool { return r.gteMin(m) },
		lteMax: func(_ float64, m string) bool { return r.lteMax(m) },
	}
}

// before returns how many members sort below b's minimum.
func (z *ZSet) before(b zbounds) int {
	return z.tree.countBelow(func(s float64, m string) bool { return !b.gteMin(s, m) })
}

// first returns the 0-based rank of the first member in b, or -1.
func (z *ZSet) first(b zbounds) int {
	if b.empty {
		return -1
	}
	rank := z.before(b)
	if rank == z.tree.length {
		return -1
	}
	if l, i := z.tree.at(rank); !b.lteMax(l.items[i].score, l.items[i].member) {
		return -1
	}
	return rank
}

// last returns the 0-based rank of the last member in b, or -1.
func (z *ZSet) last(b zbounds) int {
	if b.empty {
		return -1
	}
	rank := z.tree.countBelow(b.lteMax) - 1
	if rank < 0 {
		return -1
	}
	if l, i := z.tree.at(rank); !b.gteMin(l.items[i].score, l.items[i].member) {
		return -1
	}
	return rank
}

// byRange implements ByScore and ByLex: from the first member in b
// (ascending) or the last (descending), skip offset members by rank in
// O(log n), then call fn while members are in b, for at most count of
// them (count < 0: all).
func (z *ZSet) byRange(b zbounds, reverse bool, offset, count int, fn func(member string, score float64) bool) {
	if offset < 0 || count == 0 {
		return
	}
	var start int
	if reverse {
		if start = z.last(b); start < 0 {
			return
		}
		start -= offset
	} else {
		if start = z.first(b); start < 0 {
			return
		}
		start += offset
	}
	for c := z.tree.cursor(start); c.l != nil && count != 0; {
		it := c.item()
		if !b.gteMin(it.score, it.member) || !b.lteMax(it.score, it.member) || !fn(it.member, it.score) {
			return
		}
		count--
		if reverse {
			c.prev()
		} else {
			c.next()
		}
	}
}

// count returns the number of members in b, in O(log n) from the ranks of
// the first and last.
func (z *ZSet) count(b zbounds) int {
	fr := z.first(b)
	if fr < 0 {
		return 0
	}
	lr := z.last(b)
	if lr < fr { // possible only for a lex range over mixed scores
		return 0
	}
	return lr - fr + 1
}

// ByScore calls fn for the members with scores in r, ascending (descending
// when reverse, as ZREVRANGEBYSCORE), skipping the first offset matches
// and stopping after count (count < 0: no limit) or when fn returns false.
// A negative offset or a zero count matches nothing, as in Redis. The
// offset is skipped in O(log n) by rank.
func (z *ZSet) ByScore(r ScoreRange, reverse bool, offset, count int, fn func(member string, score float64) bool) {
	z.byRange(r.bounds(), reverse, offset, count, fn)
}

// ByLex is ByScore over member bytes, for a set whose scores are all equal
// (ZRANGEBYLEX). With mixed scores the result is unspecified, as in Redis,
// but the call is safe.
func (z *ZSet) ByLex(r LexRange, reverse bool, offset, count int, fn func(member string, score float64) bool) {
	z.byRange(r.bounds(), reverse, offset, count, fn)
}

// CountScore returns the number of members with scores in r (ZCOUNT).
func (z *ZSet) CountScore(r ScoreRange) int { return z.count(r.bounds()) }

// CountLex returns the number of members in r (ZLEXCOUNT); see ByLex.
func (z *ZSet) CountLex(r LexRange) int { return z.count(r.bounds()) }

// removeRun removes the k members from rank r on, calling fn (when not
// nil) for each first, in ascending order, and returns k.
func (z *ZSet) removeRun(r, k int, fn func(member string, score float64)) int {
	if k <= 0 {
		return 0
	}
	z.tree.removeRun(r, k, func(it *zitem) {
		if fn != nil {
			fn(it.member, it.score)
		}
		z.dropEntry(it.member)
		z.bytes -= zsetEntryBytes(it.member)
	})
	return k
}

// RemoveRangeByRank removes the members of 0-based ranks start..stop
// inclusive (already normalized, as for ByRank) and returns how many it
// removed (ZREMRANGEBYRANK).
func (z *ZSet) RemoveRangeByRank(start, stop int) int {
	if start < 0 || start > stop || start >= z.tree.length {
		return 0
	}
	return z.removeRun(start, min(stop, z.tree.length-1)-start+1, nil)
}

// RemoveRangeByScore removes the members with scores in r and returns how
// many it removed (ZREMRANGEBYSCORE).
func (z *ZSet) RemoveRangeByScore(r ScoreRange) int {
	b := r.bounds()
	fr := z.first(b)
	if fr < 0 {
		return 0
	}
	return z.removeRun(fr, z.last(b)-fr+1, nil)
}

// RemoveRangeByLex removes the members in r and returns how many it removed
// (ZREMRANGEBYLEX); see ByLex. It removes what CountRemoveLex counts.
func (z *ZSet) RemoveRangeByLex(r LexRange) int {
	start, n := z.removeLexRun(&r)
	return z.removeRun(start, n, nil)
}

// removeLexRun returns the run RemoveRangeByLex removes: from the first
// member not below r's minimum, the members while they are within its
// maximum (zslDeleteRangeByLex's walk, which with mixed scores may stop
// early or take members a lex order would not).
func (z *ZSet) removeLexRun(r *LexRange) (start, n int) {
	b := r.bounds()
	if b.empty {
		return 0, 0
	}
	start = z.before(b)
	for c := z.tree.cursor(start); c.l != nil && r.lteMax(c.item().member); c.next() {
		n++
	}
	return start, n
}

// PopMin removes and returns up to count members of the lowest scores,
// lowest first (ZPOPMIN). count <= 0 returns nil.
func (z *ZSet) PopMin(count int) []ZEntry {
	if count <= 0 || z.tree.length == 0 {
		return nil
	}
	out := make([]ZEntry, 0, min(count, z.tree.length))
	z.removeRun(0, cap(out), func(m string, s float64) { out = append(out, ZEntry{m, s}) })
	return out
}

// PopMax removes and returns up to count members of the highest scores,
// highest first (ZPOPMAX). count <= 0 returns nil.
func (z *ZSet) PopMax(count int) []ZEntry {
	if count <= 0 || z.tree.length == 0 {
		return nil
	}
	out := make([]ZEntry, 0, min(count, z.tree.length))
	z.removeRun(z.tree.length-cap(out), cap(out), func(m string, s float64) { out = append(out, ZEntry{m, s}) })
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
