package memtables

import (
	"bytes"
	"slices"
	"unsafe"
)

// Chunk limits. A chunk closes when it holds listChunkElems elements or
// when the next element would take its payload past listChunkBytes; an
// element larger than listChunkBytes gets a chunk of its own (Redis's
// "plain" quicklist node). 128 elements keeps a chunk rebuild (LSET of a
// different length, LINSERT, LREM) a few hundred nanoseconds and the chunk
// index at 1/128 of the elements; 8 KiB matches Redis's default
// list-max-listpack-size of -2.
const (
	listChunkElems = 128
	listChunkBytes = 8 << 10
)

// List is a quicklist-like deque of byte strings, the value of one Redis
// list key.
//
// Layout (why: memory per element, GC and chunk-skipping index):
//
//   - Elements live in chunks of at most listChunkElems elements. A chunk
//     packs its elements' bytes into one []byte and their start offsets
//     into one []uint32: two allocations and two pointers per chunk rather
//     than one of each per element. End chunks keep slack on the side that
//     grows (doubling), so pushes and pops are O(1) amortized; a chunk that
//     stops being an end chunk is shrunk to fit.
//   - The chunk index is a deque of chunk pointers with a parallel array of
//     element counts, both with slack at either end. Index, Set, Range and
//     Trim skip whole chunks by their counts (from the nearer end), so they
//     cost O(chunks) plus the elements they touch.
//
// Copy-on-write snapshots (the scheme of the keyspace's pages): chunks
// are the unit of sharing. snapshotClone copies the chunk index (pointers
// and counts, O(chunks)) into a new List of a newer generation; every
// chunk carries the generation it was created or copied in. Before its
// first write to an older chunk, the new list replaces it in its index
// with a private copy (own: header, payload and offsets, bounded by the
// chunk limits). Even a push into slack needs the copy: after a pop, the
// slack a push reuses is bytes the snapshot still reads. Chunks built by
// a rebuild (pack) are new and need no copy.
//
// A List is not safe for concurrent writes; reads (Len, Index, Range, Pos,
// MemoryBytes) may run concurrently with each other. Indexes are 0-based
// from the head and already normalized by the caller (Redis's negative
// indexes converted); Range and Trim clamp out-of-range bounds.
type List struct {
	// cs[lo:hi] are the chunks, head first; ns[lo:hi] their element counts.
	cs     []*listChunk
	ns     []int32
	lo, hi int
	n      int // elements in all chunks
	// chunkBytes is the chunks' share of MemoryBytes, the sum of cost()
	// over cs[lo:hi], kept by every change of a chunk's buffers or of the
	// index's chunks, so that MemoryBytes (maxmemory's count of the data)
	// is O(1).
	chunkBytes int64
	// gen is the snapshot generation of this copy of the list (see
	// snapshotClone): a chunk with an older gen is shared with a snapshot
	// and is copied (own) before its first write.
	gen uint64
}

// listChunk holds n elements: element i is buf[pos[first+i]:end) where end
// is pos[first+i+1], or hi for the last one. The payload is buf[lo:hi];
// buf[:lo] and buf[hi:] are slack, as are pos[:first] and pos[first+n:].
// A chunk in the index always has n > 0.
type listChunk struct {
	buf      []byte
	pos      []uint32
	lo, hi   uint32
	first, n int32
	gen      uint64 // generation of the list copy that created it
}

// NewList returns an empty list.
func NewList() *List { return &List{} }

// Len returns the number of elements.
func (l *List) Len() int { return l.n }

// listChunkHeader is a chunk's struct, its share of cost.
const listChunkHeader = int64(unsafe.Sizeof(listChunk{}))

// cost is the heap c holds: its header and buffers including slack.
func (c *listChunk) cost() int64 {
	return listChunkHeader + int64(cap(c.buf)) + 4*int64(cap(c.pos))
}

func (c *listChunk) at(i int) []byte {
	j := int(c.first) + i
	s, e := c.pos[j], c.hi
	if i+1 < int(c.n) {
		e = c.pos[j+1]
	}
	return c.buf[s:e:e] // capped: appending to it never clobbers the chunk
}

func (c *listChunk) size() int { return int(c.hi - c.lo) }

// fits reports whether an element of length v may be added to the chunk.
func (c *listChunk) fits(v int) bool {
	return c.n < listChunkElems && (c.n == 0 || c.size()+v <= listChunkBytes)
}

// reserve makes room for one more element of need bytes at the front or
// the back. A reallocation gives the growing side as much slack again as
// the chunk holds (doubling, so amortized O(1)) and keeps at most that much
// of the other side's slack: alternating pushes on a one-chunk list stay
// cheap, and a queue (push back, pop front) does not accumulate dead front
// slack.
func (c *listChunk) reserve(front bool, need int) {
	var bufOK, posOK bool
	if front {
		bufOK, posOK = int(c.lo) >= need, c.first > 0
	} else {
		bufOK, posOK = len(c.buf)-int(c.hi) >= need, int(c.first+c.n) < len(c.pos)
	}
	if bufOK && posOK {
		return
	}
	live, n := c.size(), int(c.n)
	grow := need + max(min(live, listChunkBytes-live), 32)
	other := min(len(c.buf)-int(c.hi), live) // back slack kept
	pgrow := 1 + max(min(n, listChunkElems-n-1), 2)
	pother := min(len(c.pos)-int(c.first+c.n), n)
	if !front {
		other, pother = min(int(c.lo), live), min(int(c.first), n)
	}
	nb := make([]byte, live+grow+other)
	np := make([]uint32, n+pgrow+pother)
	lo, first := other, pother
	if front {
		lo, first = grow, pgrow
	}
	copy(nb[lo:], c.buf[c.lo:c.hi])
	delta := uint32(lo) - c.lo // wraps when negative; the sum below is exact
	for i := range n {
		np[first+i] = c.pos[int(c.first)+i] + delta
	}
	c.buf, c.pos = nb, np
	c.lo, c.hi = uint32(lo), uint32(lo+live)
	c.first = int32(first)
}

// shrink drops the slack of a chunk that is no longer at an end of the
// list, when the slack is worth a copy.
func (c *listChunk) shrink() {
	if len(c.buf) <= c.size()+c.size()/4+64 && len(c.pos) <= int(c.n)+int(c.n)/4+8 {
		return
	}
	nb := make([]byte, c.size())
	copy(nb, c.buf[c.lo:c.hi])
	np := make([]uint32, c.n)
	for i := range np {
		np[i] = c.pos[int(c.first)+i] - c.lo
	}
	c.buf, c.pos, c.lo, c.hi, c.first = nb, np, 0, uint32(len(nb)), 0
}

func (c *listChunk) pushBack(v []byte) {
	c.reserve(false, len(v))
	copy(c.buf[c.hi:], v)
	c.pos[c.first+c.n] = c.hi
	c.hi += uint32(len(v))
	c.n++
}

func (c *listChunk) pushFront(v []byte) {
	c.reserve(true, len(v))
	if c.n == 0 {
		c.hi = c.lo
	}
	c.lo -= uint32(len(v))
	copy(c.buf[c.lo:], v)
	c.first--
	c.pos[c.first] = c.lo
	c.n++
}

// dropFront removes the first k (< n) elements in O(1).
func (c *listChunk) dropFront(k int) {
	c.first += int32(k)
	c.n -= int32(k)
	c.lo = c.pos[c.first]
}

// dropBack removes the last k (< n) elements in O(1).
func (c *listChunk) dropBack(k int) {
	c.n -= int32(k)
	c.hi = c.pos[c.first+c.n]
}

// elems returns views of the chunk's elements, valid until it is written.
func (c *listChunk) elems(dst [][]byte) [][]byte {
	for i := range int(c.n) {
		dst = append(dst, c.at(i))
	}
	return dst
}

// packList builds exactly sized chunks holding elems, balanced so that a
// split of one full chunk yields two half-full ones.
func packList(elems [][]byte) []*listChunk {
	if len(elems) == 0 {
		return nil
	}
	total := 0
	for _, e := range elems {
		total += len(e)
	}
	k := max((len(elems)+listChunkElems-1)/listChunkElems, (total+listChunkBytes-1)/listChunkBytes, 1)
	per := (len(elems) + k - 1) / k
	target := (total + k - 1) / k
	var out []*listChunk
	for len(elems) > 0 {
		cnt, size := 0, 0
		for cnt < len(elems) && cnt < per && (cnt == 0 || size+len(elems[cnt]) <= listChunkBytes) {
			size += len(elems[cnt])
			cnt++
			if size >= target && k > 1 {
				break
			}
		}
		c := &listChunk{buf: make([]byte, 0, size), pos: make([]uint32, cnt), n: int32(cnt)}
		for i, e := range elems[:cnt] {
			c.pos[i] = uint32(len(c.buf))
			c.buf = append(c.buf, e...)
		}
		c.hi = uint32(len(c.buf))
		c.buf = c.buf[:cap(c.buf)]
		out = append(out, c)
		elems = elems[cnt:]
	}
	return out
}

func (l *List) nchunks() int           { return l.hi - l.lo }
func (l *List) chunk(i int) *listChunk { return l.cs[l.lo+i] }
func (l *List) sync(i int)             { l.ns[l.lo+i] = l.cs[l.lo+i].n }

// own returns chunk i for writing: a chunk shared with a snapshot (older
// generation) is first replaced by a private copy.
func (l *List) own(i int) *listChunk {
	c := l.cs[l.lo+i]
	if c.gen >= l.gen {
		return c
	}
	nc := &listChunk{buf: bytes.Clone(c.buf), pos: slices.Clone(c.pos), lo: c.lo, hi: c.hi,
		first: c.first, n: c.n, gen: l.gen}
	if nc.buf == nil {
		nc.buf = []byte{}
	}
	l.cs[l.lo+i] = nc
	l.chunkBytes += nc.cost() - c.cost()
	return nc
}

// shrink shrinks chunk i (listChunk.shrink), owning it first.
func (l *List) shrink(i int) {
	c := l.own(i)
	before := c.cost()
	c.shrink()
	l.chunkBytes += c.cost() - before
}

// snapshotClone returns a copy of l of generation gen that shares l's
// chunks copy-on-write; l itself must not be written afterwards (it is
// the snapshot's). O(chunks).
func (l *List) snapshotClone(gen uint64) *List {
	c := *l
	c.cs, c.ns = slices.Clone(l.cs), slices.Clone(l.ns)
	c.gen = gen
	return &c
}

// regrow reallocates the chunk index with room for extra chunks at the
// front (front) or the back, doubling.
func (l *List) regrow(front bool) {
	nc := l.nchunks()
	size := max(2*nc, 4)
	cs, ns := make([]*listChunk, size), make([]int32, size)
	lo := 0
	if front {
		lo = size - nc
	}
	copy(cs[lo:], l.cs[l.lo:l.hi])
	copy(ns[lo:], l.ns[l.lo:l.hi])
	l.cs, l.ns, l.lo, l.hi = cs, ns, lo, lo+nc
}

// splice replaces chunks [i, j) with cs, in O(chunks).
func (l *List) splice(i, j int, cs []*listChunk) {
	nc := l.nchunks()
	after := nc - j
	need := i + len(cs) + after
	if l.lo+need > len(l.cs) {
		cs, ns := make([]*listChunk, max(2*need, 4)), make([]int32, max(2*need, 4))
		copy(cs, l.cs[l.lo:l.hi])
		copy(ns, l.ns[l.lo:l.hi])
		l.cs, l.ns, l.lo, l.hi = cs, ns, 0, nc
	}
	base := l.lo
	for _, c := range l.cs[base+i : base+j] {
		l.chunkBytes -= c.cost()
	}
	for _, c := range cs {
		l.chunkBytes += c.cost()
	}
	copy(l.cs[base+i+len(cs):], l.cs[base+j:base+nc])
	copy(l.ns[base+i+len(cs):], l.ns[base+j:base+nc])
	for k, c := range cs {
		c.gen = l.gen // new chunks (packList) belong to this copy
		l.cs[base+i+k], l.ns[base+i+k] = c, c.n
	}
	l.hi = base + need
	if l.hi < base+nc {
		clear(l.cs[l.hi : base+nc]) // release dropped chunks for the GC
	}
}

// newEndChunk returns an empty chunk for a new end of a list of nc
// chunks, next to the end chunk near[len(near)-1] (back) or near[0]
// (front). A
// list that already has two or more chunks is probably still growing, so
// the new chunk is sized like its neighbour and fills without
// reallocating; smaller lists grow their chunks by doubling.
func newEndChunk(front bool, nc int, near []*listChunk) *listChunk {
	if nc < 2 {
		return &listChunk{}
	}
	prev := near[0]
	if !front {
		prev = near[len(near)-1]
	}
	size := prev.size()
	c := &listChunk{buf: make([]byte, size), pos: make([]uint32, listChunkElems)}
	if front {
		c.lo, c.hi, c.first = uint32(len(c.buf)), uint32(len(c.buf)), listChunkElems
	}
	return c
}

// PushRight appends a copy of v at the tail. O(1) amortized.
func (l *List) PushRight(v []byte) {
	nc := l.nchunks()
	if nc == 0 || !l.chunk(nc-1).fits(len(v)) {
		if nc > 0 {
			l.shrink(nc - 1)
		}
		if l.hi == len(l.cs) {
			l.regrow(false)
		}
		l.cs[l.hi] = newEndChunk(false, l.nchunks(), l.cs[:l.hi])
		l.cs[l.hi].gen = l.gen
		l.chunkBytes += l.cs[l.hi].cost()
		l.hi++
		nc++
	}
	c := l.own(nc - 1)
	before := c.cost()
	c.pushBack(v)
	l.chunkBytes += c.cost() - before
	l.sync(nc - 1)
	l.n++
}

// PushLeft inserts a copy of v at the head. O(1) amortized.
func (l *List) PushLeft(v []byte) {
	if l.nchunks() == 0 || !l.chunk(0).fits(len(v)) {
		if l.nchunks() > 0 {
			l.shrink(0)
		}
		if l.lo == 0 {
			l.regrow(true)
		}
		l.lo--
		l.cs[l.lo] = newEndChunk(true, l.nchunks()-1, l.cs[l.lo+1:])
		l.cs[l.lo].gen = l.gen
		l.chunkBytes += l.cs[l.lo].cost()
	}
	c := l.own(0)
	before := c.cost()
	c.pushFront(v)
	l.chunkBytes += c.cost() - before
	l.sync(0)
	l.n++
}

// PopLeft removes and returns the head element: a view of the list's
// bytes, valid until the next write to the list (copy it to keep it). A
// pop only moves the chunk's bounds, and a shared chunk is copied before
// that (own), so the bytes under the view stay as they were; the apply of
// a pop discards the element, and copying it was an allocation per pop.
func (l *List) PopLeft() ([]byte, bool) {
	if l.n == 0 {
		return nil, false
	}
	v := l.chunk(0).at(0)
	l.dropLeft(1)
	return v, true
}

// PopRight removes and returns the tail element, a view as PopLeft's.
func (l *List) PopRight() ([]byte, bool) {
	if l.n == 0 {
		return nil, false
	}
	c := l.chunk(l.nchunks() - 1)
	v := c.at(int(c.n) - 1)
	l.dropRight(1)
	return v, true
}

// dropLeft removes the first k (<= n) elements: whole chunks, then part of
// one in O(1).
func (l *List) dropLeft(k int) {
	l.n -= k
	for k > 0 {
		c := l.cs[l.lo]
		if k < int(c.n) {
			l.own(0).dropFront(k)
			l.sync(0)
			return
		}
		k -= int(c.n)
		l.chunkBytes -= c.cost()
		l.cs[l.lo] = nil
		l.lo++
	}
	l.maybeReset()
}

// dropRight removes the last k (<= n) elements.
func (l *List) dropRight(k int) {
	l.n -= k
	for k > 0 {
		c := l.cs[l.hi-1]
		if k < int(c.n) {
			l.own(l.nchunks() - 1).dropBack(k)
			l.sync(l.nchunks() - 1)
			return
		}
		k -= int(c.n)
		l.chunkBytes -= c.cost()
		l.hi--
		l.cs[l.hi] = nil
	}
	l.maybeReset()
}

func (l *List) maybeReset() {
	if l.n == 0 {
		*l = List{gen: l.gen} // give the index back
	} else if len(l.cs) > 64 && l.nchunks() < len(l.cs)/4 {
		l.regrow(false) // shrink the index
	}
}

// locate returns the chunk holding element i (0 <= i < n) and i's offset
// in it, walking the counts from the nearer end.
func (l *List) locate(i int) (ci, off int) {
	ns := l.ns[l.lo:l.hi]
	if i < l.n/2 {
		for ci = 0; i >= int(ns[ci]); ci++ {
			i -= int(ns[ci])
		}
		return ci, i
	}
	r := l.n - 1 - i // offset from the tail
	for ci = len(ns) - 1; r >= int(ns[ci]); ci-- {
		r -= int(ns[ci])
	}
	return ci, int(ns[ci]) - 1 - r
}

// Index returns element i, a view valid until the next write to the list
// (the caller must not modify it). O(chunks).
func (l *List) Index(i int) ([]byte, bool) {
	if i < 0 || i >= l.n {
		return nil, false
	}
	ci, off := l.locate(i)
	return l.chunk(ci).at(off), true
}

// Set replaces element i with a copy of v (LSET); false if i is out of
// range.
func (l *List) Set(i int, v []byte) bool {
	if i < 0 || i >= l.n {
		return false
	}
	ci, off := l.locate(i)
	c := l.chunk(ci)
	if len(c.at(off)) == len(v) {
		copy(l.own(ci).at(off), v) // same length: in place
		return true
	}
	es := c.elems(nil)
	es[off] = v
	l.splice(ci, ci+1, packList(es))
	return true
}

// Range calls fn for the elements start..stop (inclusive, clamped to the
// list) from the head until fn returns false. Values are views valid for
// the call. O(chunks skipped + elements visited).
func (l *List) Range(start, stop int, fn func(v []byte) bool) {
	start, stop = max(start, 0), min(stop, l.n-1)
	if start > stop {
		return
	}
	ci, off := l.locate(start)
	left := stop - start + 1
	for ; left > 0; ci, off = ci+1, 0 {
		c := l.chunk(ci)
		// The chunk's offsets, then its end: element i is
		// buf[pos[i]:pos[i+1]] (c.at, without its per-element checks).
		n := int(c.n)
		pos := c.pos[c.first : int(c.first)+n]
		end := min(n, off+left)
		left -= end - off
		s := pos[off]
		for i := off + 1; i < end; i++ {
			e := pos[i]
			if !fn(c.buf[s:e:e]) {
				return
			}
			s = e
		}
		e := c.hi
		if end < n {
			e = pos[end]
		}
		if !fn(c.buf[s:e:e]) {
			return
		}
	}
}

// each visits elements with their indexes from the head, or from the tail
// when reverse, until fn returns false.
func (l *List) each(reverse bool, fn func(i int, v []byte) bool) {
	if !reverse {
		i := 0
		for ci := range l.nchunks() {
			c := l.chunk(ci)
			for off := range int(c.n) {
				if !fn(i, c.at(off)) {
					return
				}
				i++
			}
		}
		return
	}
	i := l.n - 1
	for ci := l.nchunks() - 1; ci >= 0; ci-- {
		c := l.chunk(ci)
		for off := int(c.n) - 1; off >= 0; off-- {
			if !fn(i, c.at(off)) {
				return
			}
			i--
		}
	}
}

// Insert inserts a copy of v before or after the first element (from the
// head) equal to pivot (LINSERT). It returns the new length, or -1 if
// pivot is not in the list.
func (l *List) Insert(pivot []byte, before bool, v []byte) int {
	for ci := range l.nchunks() {
		c := l.chunk(ci)
		for off := range int(c.n) {
			if !bytes.Equal(c.at(off), pivot) {
				continue
			}
			at := off
			if !before {
				at++
			}
			es := slices.Insert(c.elems(make([][]byte, 0, c.n+1)), at, v)
			l.splice(ci, ci+1, packList(es))
			l.n++
			return l.n
		}
	}
	return -1
}

// Remove removes elements equal to v (LREM): the first count from the head
// when count > 0, the last -count from the tail when count < 0, all when
// count == 0. It returns the number removed. Each run of consecutive
// chunks it changed is repacked together, which also merges the chunks it
// thinned.
func (l *List) Remove(count int, v []byte) int {
	reverse := count < 0
	limit := count
	if reverse {
		limit = -count
	}
	type hit struct{ ci, off int }
	var hits []hit
scan:
	for ci := range l.nchunks() {
		if reverse {
			ci = l.nchunks() - 1 - ci
		}
		c := l.chunk(ci)
		for k := range int(c.n) {
			off := k
			if reverse {
				off = int(c.n) - 1 - k
			}
			if bytes.Equal(c.at(off), v) {
				hits = append(hits, hit{ci, off})
				if limit > 0 && len(hits) == limit {
					break scan
				}
			}
		}
	}
	if len(hits) == 0 {
		return 0
	}
	if !reverse { // process from the tail so chunk numbers stay valid
		slices.Reverse(hits)
	}
	// hits is now in descending (ci, off) order.
	for h := 0; h < len(hits); {
		// The run of chunks [lo, hi] that have hits, consecutively.
		hi, lo := hits[h].ci, hits[h].ci
		e := h
		for e < len(hits) && (hits[e].ci == lo || hits[e].ci == lo-1) {
			lo = hits[e].ci
			e++
		}
		var keep [][]byte
		k := e - 1 // hits[h:e] ascending from k down to h
		for ci := lo; ci <= hi; ci++ {
			c := l.chunk(ci)
			for off := range int(c.n) {
				if k >= h && hits[k].ci == ci && hits[k].off == off {
					k--
					continue
				}
				keep = append(keep, c.at(off))
			}
		}
		l.splice(lo, hi+1, packList(keep))
		h = e
	}
	l.n -= len(hits)
	l.maybeReset()
	return len(hits)
}

// Trim keeps only the elements start..stop (LTRIM, inclusive, clamped); an
// empty range empties the list.
func (l *List) Trim(start, stop int) {
	start, stop = max(start, 0), min(stop, l.n-1)
	if start > stop {
		l.dropLeft(l.n)
		return
	}
	l.dropRight(l.n - 1 - stop)
	l.dropLeft(start)
	if l.n > 0 {
		l.shrink(0)
		l.shrink(l.nchunks() - 1)
	}
}

// Pos returns the indexes (from the head) of elements equal to v (LPOS).
// rank > 0 skips the first rank-1 matches from the head; rank < 0 scans
// from the tail and skips -rank-1 matches (rank 0 is treated as 1: the
// command layer rejects it). count is the most indexes returned, 0 for
// all; maxlen is the most elements compared, 0 for all.
func (l *List) Pos(v []byte, rank, count, maxlen int) []int {
	reverse := rank < 0
	skip := max(rank, -rank, 1) - 1
	var out []int
	seen := 0
	l.each(reverse, func(i int, e []byte) bool {
		if maxlen > 0 && seen == maxlen {
			return false
		}
		seen++
		if !bytes.Equal(e, v) {
			return true
		}
		if skip > 0 {
			skip--
			return true
		}
		out = append(out, i)
		return count == 0 || len(out) < count
	})
	return out
}

// MemoryBytes is the heap held by the list: the index, chunk headers and
// chunk buffers including slack. O(1).
func (l *List) MemoryBytes() int64 {
	return int64(unsafe.Sizeof(*l)) + int64(cap(l.cs))*8 + int64(cap(l.ns))*4 + l.chunkBytes
}

// memoryBytesSlow is MemoryBytes summed over the chunks (tests).
func (l *List) memoryBytesSlow() int64 {
	b := int64(unsafe.Sizeof(*l)) + int64(cap(l.cs))*8 + int64(cap(l.ns))*4
	for _, c := range l.cs[l.lo:l.hi] {
		b += c.cost()
	}
	return b
}
