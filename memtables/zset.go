package memtables

import (
	"bytes"
	"math/bits"
	"strings"
	"unsafe"
)

// ZSet is one sorted set: Redis 7's zskiplist (t_zset.c) with spans, plus a
// member -> node map for O(1) score lookup. It is the data structure of the
// zsets engine; the command layer and WAL wiring live elsewhere.
//
// Order is Redis's: by score ascending, equal scores by member bytes
// ascending (memcmp, which is Go's string order). Scores are float64 and
// never NaN (Add panics on NaN: one NaN would break the order for every
// later operation); -inf and +inf are ordinary scores. Ranks are 0-based.
//
// # Concurrency contract
//
// A ZSet is not safe for concurrent writes. As with Keyspace, the caller
// holds its own RWMutex:
//
//  1. Writes (Add, Remove, RemoveRangeBy*, PopMin, PopMax) run under the
//     write lock, one at a time. The level generator is per-ZSet state
//     changed only by writes.
//  2. Reads (Len, Score, Rank, ByRank, ByScore, ByLex, CountScore,
//     CountLex, ForEach, MemoryBytes) change nothing and may run
//     concurrently with each other under the read lock.
//  3. Callbacks passed to the By* methods and ForEach must not write to the
//     ZSet.
//
// The skiplist is pointer-linked and not copy-on-write; the member table
// beside it (zset_dict.go) is, and a checkpoint reads only that table.
//
// Memory (why the node layout below): a node and its level array are one
// allocation. A node of height h is 32 bytes plus 16 per level (forward,
// span), so with p = 1/4 three nodes in four are 48 bytes and the average is
// about 53; the member's bytes are shared between the node and its entry
// in the member table.
type ZSet struct {
	header *znode // height zsetMaxLevel, no member; level i forward is the first node of height > i
	tail   *znode // last node, nil when empty
	level  int    // height of the tallest node, >= 1
	length int
	rng    uint64 // xorshift64 state for node heights; never 0
	bytes  int64  // MemoryBytes estimate of the nodes and member bytes
	big    bool   // Redis's skiplist encoding rather than listpack (Big)

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

const (
	zsetMaxLevel = 32 // as ZSKIPLIST_MAXLEVEL
	// zsetMapEntryBytes estimates one member's share of the member table:
	// a 40-byte entry and its index cells at a load of 3/8..3/4.
	zsetMapEntryBytes = 48
	zsetSeed          = 0x9E3779B97F4A7C15
)

type zlevel struct {
	forward *znode
	// span is the number of level-0 links forward skips: rank(forward) -
	// rank(this node), or, when forward is nil, the number of nodes after
	// this one (what an insertion at the end adds to).
	span int
}

// znode is a skiplist node. levels is declared with one element but a node
// of height h is allocated as one of the znodeN types below, whose extra
// levels follow levels[0] in the same allocation; lv reaches them. The
// height is not stored: a node is linked at exactly its levels, so unlink
// recovers it.
type znode struct {
	member   string
	score    float64
	backward *znode // previous node at level 0; nil for the first
	levels   [1]zlevel
}

// Node types by height class. Each is a znode followed directly by
// more levels (checked by TestZSetNodeLayout), so the garbage collector sees
// every forward pointer and lv stays inside the allocation.
type (
	znode2 struct {
		znode
		more [1]zlevel
	}
	znode3 struct {
		znode
		more [2]zlevel
	}
	znode4 struct {
		znode
		more [3]zlevel
	}
	znode8 struct {
		znode
		more [7]zlevel
	}
	znode16 struct {
		znode
		more [15]zlevel
	}
	znode32 struct {
		znode
		more [31]zlevel
	}
)

// lv returns level i of n; i must be below n's allocated height.
func (n *znode) lv(i int) *zlevel {
	return (*zlevel)(unsafe.Add(unsafe.Pointer(&n.levels[0]), uintptr(i)*unsafe.Sizeof(zlevel{})))
}

// newZNode allocates a node of height h (1..zsetMaxLevel).
func newZNode(h int) *znode {
	switch {
	case h <= 1:
		return new(znode)
	case h == 2:
		return &new(znode2).znode
	case h == 3:
		return &new(znode3).znode
	case h == 4:
		return &new(znode4).znode
	case h <= 8:
		return &new(znode8).znode
	case h <= 16:
		return &new(znode16).znode
	default:
		return &new(znode32).znode
	}
}

// zNodeBytes is the size of the allocation newZNode(h) makes.
func zNodeBytes(h int) int64 {
	switch {
	case h <= 1:
		return int64(unsafe.Sizeof(znode{}))
	case h == 2:
		return int64(unsafe.Sizeof(znode2{}))
	case h == 3:
		return int64(unsafe.Sizeof(znode3{}))
	case h == 4:
		return int64(unsafe.Sizeof(znode4{}))
	case h <= 8:
		return int64(unsafe.Sizeof(znode8{}))
	case h <= 16:
		return int64(unsafe.Sizeof(znode16{}))
	default:
		return int64(unsafe.Sizeof(znode32{}))
	}
}

// zsetEntryBytes is the MemoryBytes share of one member of node height h.
func zsetEntryBytes(h int, member string) int64 {
	return zNodeBytes(h) + int64((len(member)+7)&^7) + zsetMapEntryBytes
}

// NewZSet returns an empty sorted set.
func NewZSet() *ZSet {
	return &ZSet{header: newZNode(zsetMaxLevel), level: 1, rng: zsetSeed}
}

// zless reports whether (as, am) sorts before (bs, bm).
func zless(as float64, am string, bs float64, bm string) bool {
	return as < bs || (as == bs && am < bm)
}

// randomLevel returns a height in [1, zsetMaxLevel], each level above the
// first with probability 1/4 (ZSKIPLIST_P): one per pair of zero low bits.
func (z *ZSet) randomLevel() int {
	x := z.rng
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	z.rng = x
	// Bit 62 caps the trailing zeros at 62: height <= 32.
	return 1 + bits.TrailingZeros64(x|1<<62)/2
}

// Len returns the number of members.
func (z *ZSet) Len() int { return z.length }

// Score returns member's score.
func (z *ZSet) Score(member string) (float64, bool) {
	_, pos, ok := z.lookup(member)
	if !ok {
		return 0, false
	}
	return z.entry(pos).score, true
}

// MemoryBytes estimates the heap bytes the set holds: nodes, member bytes
// and map entries.
func (z *ZSet) MemoryBytes() int64 {
	// The struct, the header node and an empty map.
	return int64(unsafe.Sizeof(*z)) + zNodeBytes(zsetMaxLevel) + 48 + z.bytes
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
	z.insertNew(member, h, score)
	return true, false
}

// insertNew links a node for member (absent; h is its zsetHash) and
// records its entry.
func (z *ZSet) insertNew(member string, h uint32, score float64) {
	lvl := z.randomLevel()
	n := z.insert(score, member, nil, lvl)
	z.addEntry(n, h)
	z.bytes += zsetEntryBytes(lvl, member)
}

// setScore gives the member of entry pos a new score and reports whether
// it changed (zslUpdateScore): in place when the node stays between its
// neighbours, else by an unlink and an insert that reuses the node.
func (z *ZSet) setScore(pos int, score float64) bool {
	e := z.entry(pos)
	n := e.node
	if n.score == score {
		return false
	}
	if z.pageGen[pos>>pageShift] < z.gen {
		z.ownPage(pos >> pageShift)
		e = z.entry(pos)
	}
	e.score = score
	member := n.member
	b, f := n.backward, n.lv(0).forward
	if (b == nil || zless(b.score, b.member, score, member)) &&
		(f == nil || zless(score, member, f.score, f.member)) {
		n.score = score
		return true
	}
	var update [zsetMaxLevel]*znode
	z.findUpdate(n, &update)
	lvl := z.unlink(n, &update)
	z.insert(score, member, n, lvl)
	return true
}

// findUpdate fills update[i] with the last node at level i that sorts
// before n, a node of the set, for i < z.level.
func (z *ZSet) findUpdate(n *znode, update *[zsetMaxLevel]*znode) {
	score, member := n.score, n.member
	x := z.header
	for i := z.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != n && f != nil && zless(f.score, f.member, score, member); f = x.lv(i).forward {
			x = f
		}
		update[i] = x
	}
}

// insert links a node for (score, member), which must be absent, with
// height h. It reuses node x (allocated with height >= h) when non-nil.
func (z *ZSet) insert(score float64, member string, x *znode, h int) *znode {
	var update [zsetMaxLevel]*znode
	var rank [zsetMaxLevel]int // rank[i]: 1-based rank of update[i] (0: header)
	n := z.header
	for i := z.level - 1; i >= 0; i-- {
		if i < z.level-1 {
			rank[i] = rank[i+1]
		}
		for f := n.lv(i).forward; f != nil && zless(f.score, f.member, score, member); f = n.lv(i).forward {
			rank[i] += n.lv(i).span
			n = f
		}
		update[i] = n
	}
	if h > z.level {
		for i := z.level; i < h; i++ {
			rank[i] = 0
			update[i] = z.header
			update[i].lv(i).span = z.length
		}
		z.level = h
	}
	if x == nil {
		x = newZNode(h)
		x.member = member
	}
	x.score = score
	for i := range h {
		xl, ul := x.lv(i), update[i].lv(i)
		xl.forward = ul.forward
		ul.forward = x
		xl.span = ul.span - (rank[0] - rank[i])
		ul.span = rank[0] - rank[i] + 1
	}
	for i := h; i < z.level; i++ {
		update[i].lv(i).span++
	}
	if update[0] == z.header {
		x.backward = nil
	} else {
		x.backward = update[0]
	}
	if f := x.lv(0).forward; f != nil {
		f.backward = x
	} else {
		z.tail = x
	}
	z.length++
	return x
}

// unlink removes x given its predecessors (zslDeleteNode) and returns
// x's height. It does not touch the member table or bytes.
func (z *ZSet) unlink(x *znode, update *[zsetMaxLevel]*znode) (height int) {
	for i := 0; i < z.level; i++ {
		ul := update[i].lv(i)
		if ul.forward == x {
			xl := x.lv(i)
			ul.span += xl.span - 1
			ul.forward = xl.forward
			height = i + 1
		} else {
			ul.span--
		}
	}
	if f := x.lv(0).forward; f != nil {
		f.backward = x.backward
	} else {
		z.tail = x.backward
	}
	for z.level > 1 && z.header.lv(z.level-1).forward == nil {
		z.level--
	}
	z.length--
	return height
}

// drop unlinks x and forgets it.
func (z *ZSet) drop(x *znode, update *[zsetMaxLevel]*znode) {
	h := z.unlink(x, update)
	z.dropEntry(x.member)
	z.bytes -= zsetEntryBytes(h, x.member)
}

// Remove deletes member and reports whether it was there.
func (z *ZSet) Remove(member string) bool {
	c, pos, ok := z.lookup(member)
	if !ok {
		return false
	}
	n := z.entry(pos).node
	var update [zsetMaxLevel]*znode
	z.findUpdate(n, &update)
	h := z.unlink(n, &update)
	z.bytes -= zsetEntryBytes(h, n.member)
	z.dropEntryAt(c, pos)
	return true
}

// rankOf returns the 0-based rank of node n, which must be in the set.
func (z *ZSet) rankOf(n *znode) int {
	rank := 0
	x := z.header
	for i := z.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f == n || f != nil && !zless(n.score, n.member, f.score, f.member); f = x.lv(i).forward {
			rank += x.lv(i).span
			x = f
		}
		if x == n {
			return rank - 1
		}
	}
	panic("memtables: ZSet node not found by its own score")
}

// nodeAt returns the node of 0-based rank r, or nil when r is out of range.
func (z *ZSet) nodeAt(r int) *znode {
	if r < 0 || r >= z.length {
		return nil
	}
	target := r + 1
	traversed := 0
	x := z.header
	for i := z.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && traversed+x.lv(i).span <= target; f = x.lv(i).forward {
			traversed += x.lv(i).span
			x = f
		}
		if traversed == target {
			return x
		}
	}
	return nil
}

// Rank returns member's 0-based rank, counted from the highest score when
// reverse (ZREVRANK).
func (z *ZSet) Rank(member string, reverse bool) (int, bool) {
	n := z.node(member)
	if n == nil {
		return 0, false
	}
	r := z.rankOf(n)
	if reverse {
		r = z.length - 1 - r
	}
	return r, true
}

// ByRank calls fn for the members of ranks start..stop inclusive (0 <=
// start <= stop < Len, already normalized by the caller), counted from the
// highest score when reverse, in that order, until fn returns false.
// O(log n + m).
func (z *ZSet) ByRank(start, stop int, reverse bool, fn func(member string, score float64) bool) {
	if start < 0 || stop >= z.length || start > stop {
		return
	}
	m := stop - start + 1
	if !reverse {
		for x := z.nodeAt(start); x != nil && m > 0; x, m = x.lv(0).forward, m-1 {
			if !fn(x.member, x.score) {
				return
			}
		}
		return
	}
	for x := z.nodeAt(z.length - 1 - start); x != nil && m > 0; x, m = x.backward, m-1 {
		if !fn(x.member, x.score) {
			return
		}
	}
}

// ForEach calls fn for every member in ascending order until fn returns
// false.
func (z *ZSet) ForEach(fn func(member string, score float64) bool) {
	for x := z.header.lv(0).forward; x != nil; x = x.lv(0).forward {
		if !fn(x.member, x.score) {
			return
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

// firstWhere descends to the last node for which below is true (the header
// if none) and returns it with its 1-based rank (0 for the header), filling
// update when non-nil. below must be true for a prefix of the order.
func (z *ZSet) firstWhere(below func(*znode) bool, update *[zsetMaxLevel]*znode) (*znode, int) {
	rank := 0
	x := z.header
	for i := z.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && below(f); f = x.lv(i).forward {
			rank += x.lv(i).span
			x = f
		}
		if update != nil {
			update[i] = x
		}
	}
	return x, rank
}

// firstInScore returns the first node in r and its 0-based rank, or nil.
func (z *ZSet) firstInScore(r *ScoreRange) (*znode, int) {
	if r.empty() {
		return nil, 0
	}
	x, rank := z.firstWhere(func(n *znode) bool { return !r.gteMin(n.score) }, nil)
	x = x.lv(0).forward
	if x == nil || !r.lteMax(x.score) {
		return nil, 0
	}
	return x, rank
}

// lastInScore returns the last node in r and its 0-based rank, or nil.
func (z *ZSet) lastInScore(r *ScoreRange) (*znode, int) {
	if r.empty() {
		return nil, 0
	}
	x, rank := z.firstWhere(func(n *znode) bool { return r.lteMax(n.score) }, nil)
	if x == z.header || !r.gteMin(x.score) {
		return nil, 0
	}
	return x, rank - 1
}

func (z *ZSet) firstInLex(r *LexRange) (*znode, int) {
	if r.empty() {
		return nil, 0
	}
	x, rank := z.firstWhere(func(n *znode) bool { return !r.gteMin(n.member) }, nil)
	x = x.lv(0).forward
	if x == nil || !r.lteMax(x.member) {
		return nil, 0
	}
	return x, rank
}

func (z *ZSet) lastInLex(r *LexRange) (*znode, int) {
	if r.empty() {
		return nil, 0
	}
	x, rank := z.firstWhere(func(n *znode) bool { return r.lteMax(n.member) }, nil)
	if x == z.header || !r.gteMin(x.member) {
		return nil, 0
	}
	return x, rank - 1
}

// walk implements ByScore and ByLex: from first (ascending) or last
// (descending) with their ranks, skip offset members by rank in O(log n),
// then call fn while in(x) for at most count members (count < 0: all).
func (z *ZSet) walk(first *znode, firstRank int, last *znode, lastRank int, reverse bool, offset, count int,
	in func(*znode) bool, fn func(member string, score float64) bool) {
	if offset < 0 || count == 0 {
		return
	}
	x := first
	if reverse {
		x = last
	}
	if x == nil {
		return
	}
	if offset > 0 {
		if reverse {
			x = z.nodeAt(lastRank - offset)
		} else {
			x = z.nodeAt(firstRank + offset)
		}
	}
	for x != nil && count != 0 && in(x) {
		if !fn(x.member, x.score) {
			return
		}
		count--
		if reverse {
			x = x.backward
		} else {
			x = x.lv(0).forward
		}
	}
}

// ByScore calls fn for the members with scores in r, ascending (descending
// when reverse, as ZREVRANGEBYSCORE), skipping the first offset matches
// and stopping after count (count < 0: no limit) or when fn returns false.
// A negative offset or a zero count matches nothing, as in Redis. The
// offset is skipped in O(log n) using spans.
func (z *ZSet) ByScore(r ScoreRange, reverse bool, offset, count int, fn func(member string, score float64) bool) {
	var first, last *znode
	var fr, lr int
	if reverse {
		last, lr = z.lastInScore(&r)
	} else {
		first, fr = z.firstInScore(&r)
	}
	in := func(n *znode) bool { return r.gteMin(n.score) && r.lteMax(n.score) }
	z.walk(first, fr, last, lr, reverse, offset, count, in, fn)
}

// ByLex is ByScore over member bytes, for a set whose scores are all equal
// (ZRANGEBYLEX). With mixed scores the result is unspecified, as in Redis,
// but the call is safe.
func (z *ZSet) ByLex(r LexRange, reverse bool, offset, count int, fn func(member string, score float64) bool) {
	var first, last *znode
	var fr, lr int
	if reverse {
		last, lr = z.lastInLex(&r)
	} else {
		first, fr = z.firstInLex(&r)
	}
	in := func(n *znode) bool { return r.gteMin(n.member) && r.lteMax(n.member) }
	z.walk(first, fr, last, lr, reverse, offset, count, in, fn)
}

// CountScore returns the number of members with scores in r (ZCOUNT), in
// O(log n) from the ranks of the first and last.
func (z *ZSet) CountScore(r ScoreRange) int {
	first, fr := z.firstInScore(&r)
	if first == nil {
		return 0
	}
	_, lr := z.lastInScore(&r)
	return lr - fr + 1
}

// CountLex returns the number of members in r (ZLEXCOUNT); see ByLex.
func (z *ZSet) CountLex(r LexRange) int {
	first, fr := z.firstInLex(&r)
	if first == nil {
		return 0
	}
	last, lr := z.lastInLex(&r)
	if last == nil || lr < fr { // possible only with mixed scores
		return 0
	}
	return lr - fr + 1
}

// removeFrom unlinks nodes from the successor of update[0] while keep
// returns true for them, and returns how many it removed.
func (z *ZSet) removeFrom(update *[zsetMaxLevel]*znode, keep func(x *znode, removed int) bool) int {
	removed := 0
	x := update[0].lv(0).forward
	for x != nil && keep(x, removed) {
		next := x.lv(0).forward
		z.drop(x, update)
		removed++
		x = next
	}
	return removed
}

// RemoveRangeByRank removes the members of 0-based ranks start..stop
// inclusive (already normalized, as for ByRank) and returns how many it
// removed (ZREMRANGEBYRANK).
func (z *ZSet) RemoveRangeByRank(start, stop int) int {
	if start < 0 || start > stop || start >= z.length {
		return 0
	}
	var update [zsetMaxLevel]*znode
	traversed := 0
	x := z.header
	for i := z.level - 1; i >= 0; i-- {
		for f := x.lv(i).forward; f != nil && traversed+x.lv(i).span <= start; f = x.lv(i).forward {
			traversed += x.lv(i).span
			x = f
		}
		update[i] = x
	}
	n := stop - start + 1
	return z.removeFrom(&update, func(_ *znode, removed int) bool { return removed < n })
}

// RemoveRangeByScore removes the members with scores in r and returns how
// many it removed (ZREMRANGEBYSCORE).
func (z *ZSet) RemoveRangeByScore(r ScoreRange) int {
	if r.empty() {
		return 0
	}
	var update [zsetMaxLevel]*znode
	z.firstWhere(func(n *znode) bool { return !r.gteMin(n.score) }, &update)
	return z.removeFrom(&update, func(x *znode, _ int) bool { return r.lteMax(x.score) })
}

// RemoveRangeByLex removes the members in r and returns how many it removed
// (ZREMRANGEBYLEX); see ByLex.
func (z *ZSet) RemoveRangeByLex(r LexRange) int {
	if r.empty() {
		return 0
	}
	var update [zsetMaxLevel]*znode
	z.firstWhere(func(n *znode) bool { return !r.gteMin(n.member) }, &update)
	return z.removeFrom(&update, func(x *znode, _ int) bool { return r.lteMax(x.member) })
}

// PopMin removes and returns up to count members of the lowest scores,
// lowest first (ZPOPMIN). count <= 0 returns nil.
func (z *ZSet) PopMin(count int) []ZEntry {
	if count <= 0 || z.length == 0 {
		return nil
	}
	out := make([]ZEntry, 0, min(count, z.length))
	// The header precedes the first node at every level.
	var update [zsetMaxLevel]*znode
	for i := range update {
		update[i] = z.header
	}
	z.removeFrom(&update, func(x *znode, removed int) bool {
		if removed == count {
			return false
		}
		out = append(out, ZEntry{x.member, x.score})
		return true
	})
	return out
}

// PopMax removes and returns up to count members of the highest scores,
// highest first (ZPOPMAX). count <= 0 returns nil.
func (z *ZSet) PopMax(count int) []ZEntry {
	if count <= 0 || z.length == 0 {
		return nil
	}
	out := make([]ZEntry, 0, min(count, z.length))
	var update [zsetMaxLevel]*znode
	for ; count > 0 && z.tail != nil; count-- {
		x := z.tail
		out = append(out, ZEntry{x.member, x.score})
		z.findUpdate(x, &update)
		z.drop(x, &update)
	}
	return out
}
