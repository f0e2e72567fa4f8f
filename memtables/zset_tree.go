package memtables

import (
	"slices"
	"unsafe"
)

// ztree is the order of a ZSet: an order-statistic B+tree of (score,
// member) items in Redis order (zitem.before). It replaced Redis's
// skiplist with spans, which keel had ported as is, for one reason: cache
// misses. A skiplist search touches ~4 nodes per level, each a separate
// allocation, so a ZADD or ZRANK on a set of 700,000 members costs ~40
// dependent misses, for Redis as for keel. Here an item lives in a leaf array of up to ztreeCap,
// and an inner node keeps, per child, the child's first item (to route)
// and its item count (for ranks): a search reads a few lines of each of
// ~4 nodes, the top ones hot in the cache (BenchmarkZTree).
//
// Invariants (checkTree verifies them):
//   - Every leaf is at depth height; a leaf's items are sorted and there
//     are at most ztreeCap of them; an inner node has 1..ztreeCap children.
//   - Only the root, the first leaf and the last leaf may be smaller than
//     ztreeMin (items of a leaf, children of an inner node; the edge leaves
//     after an edge split, see insertLeaf), and only the root leaf may be
//     empty.
//   - An inner node's scores[i], members[i] are the first item under child
//     i, and counts[i] is the number of items under it.
//   - Leaves are linked in order (prev, next); first and last are the
//     leftmost and rightmost. first never changes: merges keep the left
//     leaf, and the tree starts as that one leaf.
//
// Items hold the member strings the ZSet's member table holds (the same
// bytes). The tree is not safe for concurrent writes; reads may run
// concurrently with each other (the ZSet's contract).
type ztree struct {
	root   *zinner // nil when height == 0
	leaf   *zleaf  // the root when height == 0
	height int     // levels of inner nodes above the leaves
	length int
	first  *zleaf
	last   *zleaf
	// nbytes is bytes(): every change of a leaf's capacity and every node
	// made or dropped keeps it, so that MemoryBytes (maxmemory's count of
	// the data) is O(1).
	nbytes int64
}

const (
	ztreeCap = 64           // items per leaf, children per inner node
	ztreeMin = ztreeCap / 4 // below this a non-root node is merged or refilled
	zitemSz  = int64(unsafe.Sizeof(zitem{}))
	zleafSz  = int64(unsafe.Sizeof(zleaf{}))
	zinnerSz = int64(unsafe.Sizeof(zinner{}))
)

// cost is the heap l holds: its struct and its items' capacity.
func (l *zleaf) cost() int64 { return zleafSz + int64(cap(l.items))*zitemSz }

type zitem struct {
	score  float64
	member string
}

// before reports whether it sorts before (score, member).
func (it *zitem) before(score float64, member string) bool {
	return it.score < score || (it.score == score && it.member < member)
}

type zleaf struct {
	items      []zitem
	prev, next *zleaf
}

// search returns the position of the first item not before (score,
// member).
func (l *zleaf) search(score float64, member string) int {
	lo, hi := 0, len(l.items)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if l.items[mid].before(score, member) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// zinner is an inner node. Its children are leaves when it is at height 1
// (leaves), inner nodes above (inner); the other array stays nil. Routing
// keys and counts are arrays beside each other so that a search reads a
// few lines of scores and of counts, not one line per child.
type zinner struct {
	n       int
	scores  [ztreeCap]float64
	members [ztreeCap]string
	counts  [ztreeCap]int
	inner   [ztreeCap]*zinner
	leaves  [ztreeCap]*zleaf
}

// route returns the child whose range holds (score, member): the last
// child whose first item is not after it (child 0 for anything smaller).
func (x *zinner) route(score float64, member string) int {
	lo, hi := 1, x.n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if score < x.scores[mid] || (score == x.scores[mid] && member < x.members[mid]) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo - 1
}

func (x *zinner) total() int { return x.countBefore(x.n) }

// countBefore returns the number of items under children 0..i-1.
func (x *zinner) countBefore(i int) int {
	s := 0
	for _, c := range x.counts[:i] {
		s += c
	}
	return s
}

func (x *zinner) setLeaf(i int, l *zleaf) {
	x.leaves[i], x.counts[i] = l, len(l.items)
	x.scores[i], x.members[i] = l.items[0].score, l.items[0].member
}

func (x *zinner) setInner(i int, c *zinner) {
	x.inner[i], x.counts[i] = c, c.total()
	x.scores[i], x.members[i] = c.scores[0], c.members[0]
}

// refreshKey copies child i's first item into its routing key.
func (x *zinner) refreshKey(i int) {
	if l := x.leaves[i]; l != nil {
		x.scores[i], x.members[i] = l.items[0].score, l.items[0].member
		return
	}
	c := x.inner[i]
	x.scores[i], x.members[i] = c.scores[0], c.members[0]
}

// openSlot shifts children j.. one to the right (x.n < ztreeCap).
func (x *zinner) openSlot(j int) {
	n := x.n
	copy(x.scores[j+1:n+1], x.scores[j:n])
	copy(x.members[j+1:n+1], x.members[j:n])
	copy(x.counts[j+1:n+1], x.counts[j:n])
	copy(x.inner[j+1:n+1], x.inner[j:n])
	copy(x.leaves[j+1:n+1], x.leaves[j:n])
	x.n++
}

// closeSlot removes child j, shifting the rest left.
func (x *zinner) closeSlot(j int) {
	n := x.n
	copy(x.scores[j:], x.scores[j+1:n])
	copy(x.members[j:], x.members[j+1:n])
	copy(x.counts[j:], x.counts[j+1:n])
	copy(x.inner[j:], x.inner[j+1:n])
	copy(x.leaves[j:], x.leaves[j+1:n])
	x.members[n-1], x.inner[n-1], x.leaves[n-1] = "", nil, nil
	x.n--
}

// moveSlots moves src's children [from, from+k) to dst at position at
// (dst has room; src's moved slots are not closed here).
func moveSlots(dst *zinner, at int, src *zinner, from, k int) {
	copy(dst.scores[at:], src.scores[from:from+k])
	copy(dst.members[at:], src.members[from:from+k])
	copy(dst.counts[at:], src.counts[from:from+k])
	copy(dst.inner[at:], src.inner[from:from+k])
	copy(dst.leaves[at:], src.leaves[from:from+k])
}

// clearSlots drops the references of x's slots [from, to).
func (x *zinner) clearSlots(from, to int) {
	clear(x.members[from:to])
	clear(x.inner[from:to])
	clear(x.leaves[from:to])
}

func newZTree() ztree {
	l := &zleaf{}
	return ztree{leaf: l, first: l, last: l, nbytes: l.cost()}
}

// countBelow returns how many items satisfy below, which must hold for a
// prefix of the order (and for no item after the first that fails it).
func (t *ztree) countBelow(below func(score float64, member string) bool) int {
	acc := 0
	l := t.leaf
	if t.height > 0 {
		x := t.root
		for h := t.height; ; h-- {
			lo, hi := 0, x.n // the first child whose first item is not below
			for lo < hi {
				mid := int(uint(lo+hi) >> 1)
				if below(x.scores[mid], x.members[mid]) {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
			if lo == 0 {
				return acc
			}
			i := lo - 1
			acc += x.countBefore(i)
			if h == 1 {
				l = x.leaves[i]
				break
			}
			x = x.inner[i]
		}
	}
	lo, hi := 0, len(l.items)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if below(l.items[mid].score, l.items[mid].member) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return acc + lo
}

// at returns the leaf and index of the item of rank r (0 <= r < length).
func (t *ztree) at(r int) (*zleaf, int) {
	if t.height == 0 {
		return t.leaf, r
	}
	x := t.root
	for h := t.height; ; h-- {
		i := 0
		for r >= x.counts[i] {
			r -= x.counts[i]
			i++
		}
		if h == 1 {
			return x.leaves[i], r
		}
		x = x.inner[i]
	}
}

// zcursor is a position in the tree's leaves; l == nil past either end.
type zcursor struct {
	l *zleaf
	i int
}

func (t *ztree) cursor(r int) zcursor {
	if r < 0 || r >= t.length {
		return zcursor{}
	}
	l, i := t.at(r)
	return zcursor{l, i}
}

func (c *zcursor) item() *zitem { return &c.l.items[c.i] }

func (c *zcursor) next() {
	if c.i++; c.i == len(c.l.items) {
		c.l, c.i = c.l.next, 0
	}
}

func (c *zcursor) prev() {
	if c.i--; c.i < 0 {
		if c.l = c.l.prev; c.l != nil {
			c.i = len(c.l.items) - 1
		}
	}
}

// insert adds (score, member), which must be absent.
func (t *ztree) insert(score float64, member string) {
	it := zitem{score, member}
	t.length++
	if t.height == 0 {
		if sp := t.insertLeaf(t.leaf, it); sp != nil {
			root := &zinner{n: 2}
			t.nbytes += zinnerSz
			root.setLeaf(0, t.leaf)
			root.setLeaf(1, sp)
			t.root, t.leaf, t.height = root, nil, 1
		}
		return
	}
	if sp := t.insertInner(t.root, t.height, it); sp != nil {
		root := &zinner{n: 2}
		t.nbytes += zinnerSz
		root.setInner(0, t.root)
		root.setInner(1, sp)
		t.root = root
		t.height++
	}
}

// insertLeaf inserts it into l and returns the new right sibling when l
// was full and split. A split at the end of the last leaf (or the start
// of the first) moves only the new item, so that ascending (descending)
// insertions, timestamps as scores, fill leaves instead of halving them.
func (t *ztree) insertLeaf(l *zleaf, it zitem) *zleaf {
	before := l.cost()
	defer func() { t.nbytes += l.cost() - before }()
	pos := l.search(it.score, it.member)
	if len(l.items) < ztreeCap {
		l.items = slices.Insert(l.items, pos, it)
		return nil
	}
	cut := ztreeCap / 2
	switch {
	case pos == ztreeCap && l.next == nil:
		cut = ztreeCap
	case pos == 0 && l.prev == nil:
		cut = 0
	}
	r := &zleaf{items: make([]zitem, 0, ztreeCap), prev: l, next: l.next}
	defer func() { t.nbytes += r.cost() }()
	r.items = append(r.items, l.items[cut:]...)
	clear(l.items[cut:])
	l.items = l.items[:cut]
	if pos < cut || (pos == cut && cut < ztreeCap) {
		l.items = slices.Insert(l.items, pos, it)
	} else {
		r.items = slices.Insert(r.items, pos-cut, it)
	}
	if l.next != nil {
		l.next.prev = r
	} else {
		t.last = r
	}
	l.next = r
	return r
}

// insertInner inserts it under x (at height h) and returns x's new right
// sibling when x split.
func (t *ztree) insertInner(x *zinner, h int, it zitem) *zinner {
	i := x.route(it.score, it.member)
	var spLeaf *zleaf
	var spInner *zinner
	if h == 1 {
		l := x.leaves[i]
		spLeaf = t.insertLeaf(l, it)
		x.counts[i] = len(l.items)
		x.scores[i], x.members[i] = l.items[0].score, l.items[0].member
		if spLeaf == nil {
			return nil
		}
	} else {
		c := x.inner[i]
		spInner = t.insertInner(c, h-1, it)
		x.counts[i]++
		x.scores[i], x.members[i] = c.scores[0], c.members[0]
		if spInner == nil {
			return nil
		}
		x.counts[i] = c.total()
	}
	// The child split: its new sibling goes into slot i+1.
	var y *zinner
	dst, j := x, i+1
	if x.n == ztreeCap {
		y = &zinner{}
		t.nbytes += zinnerSz
		half := x.n / 2
		moveSlots(y, 0, x, half, x.n-half)
		y.n = x.n - half
		x.clearSlots(half, x.n)
		x.n = half
		if j > half {
			dst, j = y, j-half
		}
	}
	dst.openSlot(j)
	if spLeaf != nil {
		dst.setLeaf(j, spLeaf)
	} else {
		dst.setInner(j, spInner)
	}
	return y
}

// remove deletes (score, member), which must be present.
func (t *ztree) remove(score float64, member string) {
	t.removeRun(t.rank(score, member), 1, nil)
}

// removeRun deletes the k items of ranks r..r+k-1 (in range), calling fn
// (when not nil) for each before it goes, in ascending order. fn must
// not change the tree.
func (t *ztree) removeRun(r, k int, fn func(it *zitem)) {
	for k > 0 {
		var n int
		if t.height == 0 {
			n = removeFromLeaf(t.leaf, r, k, fn)
		} else {
			n = t.removeInner(t.root, t.height, r, k, fn)
			if t.root.n == 1 {
				t.nbytes -= zinnerSz
				if t.height == 1 {
					t.leaf, t.root = t.root.leaves[0], nil
				} else {
					t.root = t.root.inner[0]
				}
				t.height--
			}
		}
		t.length -= n
		k -= n
	}
}

// removeFromLeaf deletes up to k items of l from index i and returns how
// many it deleted.
func removeFromLeaf(l *zleaf, i, k int, fn func(it *zitem)) int {
	n := min(k, len(l.items)-i)
	if fn != nil {
		for j := i; j < i+n; j++ {
			fn(&l.items[j])
		}
	}
	l.items = slices.Delete(l.items, i, i+n)
	return n
}

// removeInner deletes up to k items from rank r under x (at height h),
// all from one leaf, and returns how many it deleted.
func (t *ztree) removeInner(x *zinner, h, r, k int, fn func(it *zitem)) int {
	i := 0
	for r >= x.counts[i] {
		r -= x.counts[i]
		i++
	}
	var n int
	if h == 1 {
		l := x.leaves[i]
		n = removeFromLeaf(l, r, k, fn)
		x.counts[i] -= n
		if len(l.items) > 0 {
			x.scores[i], x.members[i] = l.items[0].score, l.items[0].member
		}
		if len(l.items) < ztreeMin && x.n > 1 {
			t.rebalanceLeaves(x, i)
		}
		return n
	}
	c := x.inner[i]
	n = t.removeInner(c, h-1, r, k, fn)
	x.counts[i] -= n
	x.scores[i], x.members[i] = c.scores[0], c.members[0]
	if c.n < ztreeMin && x.n > 1 {
		t.rebalanceInner(x, i)
	}
	return n
}

// siblings returns child i and a neighbour of it as a left-right pair.
func siblings(x *zinner, i int) (a, b int) {
	if i+1 < x.n {
		return i, i + 1
	}
	return i - 1, i
}

// rebalanceLeaves merges the underfull leaf child i with a neighbour, or
// moves items between them when both do not fit in one.
func (t *ztree) rebalanceLeaves(x *zinner, i int) {
	a, b := siblings(x, i)
	la, lb := x.leaves[a], x.leaves[b]
	before := la.cost() + lb.cost()
	if len(la.items)+len(lb.items) <= ztreeCap {
		la.items = append(la.items, lb.items...)
		t.nbytes += la.cost() - before // lb goes
		la.next = lb.next
		if lb.next != nil {
			lb.next.prev = la
		} else {
			t.last = la
		}
		x.counts[a] += x.counts[b]
		x.closeSlot(b)
		x.refreshKey(a) // la may have been the empty one
		return
	}
	want := (len(la.items) + len(lb.items)) / 2
	if k := want - len(la.items); k > 0 {
		la.items = append(la.items, lb.items[:k]...)
		lb.items = slices.Delete(lb.items, 0, k)
	} else if k < 0 {
		k = -k
		cut := len(la.items) - k
		lb.items = slices.Insert(lb.items, 0, la.items[cut:]...)
		clear(la.items[cut:])
		la.items = la.items[:cut]
	}
	t.nbytes += la.cost() + lb.cost() - before
	x.counts[a], x.counts[b] = len(la.items), len(lb.items)
	x.refreshKey(a)
	x.refreshKey(b)
}

// rebalanceInner is rebalanceLeaves for inner children.
func (t *ztree) rebalanceInner(x *zinner, i int) {
	a, b := siblings(x, i)
	ca, cb := x.inner[a], x.inner[b]
	if ca.n+cb.n <= ztreeCap {
		t.nbytes -= zinnerSz // cb goes
		moveSlots(ca, ca.n, cb, 0, cb.n)
		ca.n += cb.n
		x.counts[a] += x.counts[b]
		x.closeSlot(b)
		x.refreshKey(a)
		return
	}
	want := (ca.n + cb.n) / 2
	if k := want - ca.n; k > 0 {
		moveSlots(ca, ca.n, cb, 0, k)
		ca.n += k
		moveSlots(cb, 0, cb, k, cb.n-k) // copy handles the overlap
		cb.clearSlots(cb.n-k, cb.n)
		cb.n -= k
	} else if k < 0 {
		k = -k
		moveSlots(cb, k, cb, 0, cb.n)
		moveSlots(cb, 0, ca, ca.n-k, k)
		cb.n += k
		ca.clearSlots(ca.n-k, ca.n)
		ca.n -= k
	}
	x.counts[a], x.counts[b] = ca.total(), cb.total()
	x.refreshKey(a)
	x.refreshKey(b)
}

// locate returns the leaf, index and rank of (score, member), which must
// be in the tree.
func (t *ztree) locate(score float64, member string) (*zleaf, int, int) {
	acc := 0
	l := t.leaf
	if t.height > 0 {
		x := t.root
		for h := t.height; ; h-- {
			i := x.route(score, member)
			acc += x.countBefore(i)
			if h == 1 {
				l = x.leaves[i]
				break
			}
			x = x.inner[i]
		}
	}
	i := l.search(score, member)
	return l, i, acc + i
}

// rank returns the 0-based rank of (score, member), which must be in the
// tree.
func (t *ztree) rank(score float64, member string) int {
	_, _, r := t.locate(score, member)
	return r
}

// setScore moves (old, member), present, to (score, member): in place
// when the item keeps its position among its neighbours and is not its
// leaf's first (a routing key above), else by a removal and an insertion.
func (t *ztree) setScore(old float64, member string, score float64) {
	l, i, r := t.locate(old, member)
	if i > 0 && l.items[i-1].before(score, member) {
		if i+1 < len(l.items) && !l.items[i+1].before(score, member) ||
			i+1 == len(l.items) && (l.next == nil || !l.next.items[0].before(score, member)) {
			l.items[i].score = score
			return
		}
	}
	t.removeRun(r, 1, nil)
	t.insert(score, member)
}

// bytes is the tree's heap bytes, leaves at their capacity and inner
// nodes, for MemoryBytes. O(1).
func (t *ztree) bytes() int64 { return t.nbytes }

// bytesSlow is bytes summed over the nodes (tests).
func (t *ztree) bytesSlow() int64 {
	var b int64
	for l := t.first; l != nil; l = l.next {
		b += l.cost()
	}
	var inner func(x *zinner, h int)
	inner = func(x *zinner, h int) {
		b += zinnerSz
		if h > 1 {
			for _, c := range x.inner[:x.n] {
				inner(c, h-1)
			}
		}
	}
	if t.height > 0 {
		inner(t.root, t.height)
	}
	return b
}
