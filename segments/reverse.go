package segments

import (
	"bytes"
	"fmt"
	"sort"
	"sync"
)

// Reverse iteration (ScanReverse). The layers and the rules that decide a
// key are those of the forward merge (iterator.go); only the direction
// differs: every source seeks to its last entry below hi and steps back,
// and the merge takes the largest key, ties to the newest source. The
// cost is the entries read plus one seek per source: a buffer binary-
// searches its sorted keys, a file its block index and then the block's
// restart keys, and each file decodes only the restart intervals the
// iteration reaches (tableRevIter).

// revSource is one layer of a reverse merged iteration, the mirror of
// source: seekLT positions on the last entry with key < hi (hi nil: the
// last entry), prev steps to the previous one. Sources are ordered newest
// first, as for source.
type revSource interface {
	seekLT(hi []byte)
	valid() bool
	key() []byte // valid until prev
	value() []byte
	kind() byte
	prev()
	hiddenLocal() bool
	covers(key []byte) bool
	hasSpans() bool
	spansIn(lo, hi []byte) bool
	err() error
}

// ScanReverse calls fn for each live key in [lo, hi) in descending order
// (lo nil = unbounded below, hi nil = unbounded above) until fn returns
// false. Its results are Scan's, reversed; the snapshot, aliasing and
// locking contract is Scan's. Its cost is proportional to the keys it
// visits, not to the size of the range.
func (s *Store) ScanReverse(lo, hi []byte, fn func(key, value []byte) bool) error {
	vw, err := s.acquire()
	if err != nil {
		return err
	}
	defer vw.release()
	st := revScanStates.Get().(*revScanState)
	defer st.release()
	m := vw.revMergeIn(st, lo, hi)
	for ; m.ok; m.prev() {
		if m.hidden || m.kind == kindTombstone {
			continue
		}
		if !fn(m.key, m.value) {
			return nil
		}
	}
	return m.error
}

// revScanState is the memory of one ScanReverse's merge, reused through
// revScanStates, as scanState is Scan's: the merge, its source list, an
// iterator per layer, and each file iterator's decoding buffers. A short
// reverse read (XREVRANGE s + - COUNT 1) allocated them all, and the
// allocator and the collector then took 40% of its CPU.
type revScanState struct {
	m    revMergeIter
	srcs []revSource
	bufs []bufferRevIter
	tabs []tableRevIter
}

var revScanStates = sync.Pool{New: func() any { return new(revScanState) }}

// release clears st (it holds no file, buffer, block or key once back in
// the pool; the file iterators keep only their buffers, emptied) and
// returns it to revScanStates.
func (st *revScanState) release() {
	st.m = revMergeIter{}
	clear(st.srcs[:cap(st.srcs)])
	clear(st.bufs[:cap(st.bufs)])
	for i := range st.tabs {
		st.tabs[i].reset(nil, nil)
	}
	st.srcs, st.bufs = st.srcs[:0], st.bufs[:0]
	revScanStates.Put(st)
}

// revMergeIn returns the reverse merge of vw's layers over [lo, hi),
// newest first, in st's memory: the merge and its iterators are st's
// until st.release.
func (vw view) revMergeIn(st *revScanState, lo, hi []byte) *revMergeIter {
	nb := 1 + len(vw.frozen)
	st.bufs = grow(st.bufs, nb)
	srcs := st.srcs[:0]
	vw.eachBuffer(func(i int, b *buffer, snap uint64) {
		st.bufs[i] = bufferRevIter{b: b, snap: snap, lo: lo}
		srcs = append(srcs, &st.bufs[i])
	})
	// Grown by hand, not by grow: the iterators keep their buffers.
	for len(st.tabs) < len(vw.v.files) {
		st.tabs = append(st.tabs, tableRevIter{})
	}
	vw.eachFile(lo, hi, func(i int, t *table) {
		st.tabs[i].reset(t, lo)
		srcs = append(srcs, &st.tabs[i])
	})
	st.srcs = srcs
	st.m.init(srcs, lo, hi)
	return &st.m
}

// revMergeIter merges revSources into one descending stream with one entry
// per key: the newest version, flagged hidden when a range tombstone hides
// it (exactly as mergeIter decides).
type revMergeIter struct {
	srcs []revSource
	lo   []byte // inclusive lower bound; nil = none

	// current entry
	key, value []byte
	kind       byte
	hidden     bool
	src        int // index of the source that supplied it
	ok         bool
	error      error
}

// init positions m on the last entry of srcs in [lo, hi).
func (m *revMergeIter) init(srcs []revSource, lo, hi []byte) {
	*m = revMergeIter{srcs: srcs, lo: lo}
	for _, s := range srcs {
		s.seekLT(hi)
	}
	m.srcs = pruneSources(srcs, lo, hi, func(k []byte) bool { return lo == nil || bytes.Compare(k, lo) >= 0 })
	m.find()
}

// find positions on the largest key among the sources.
func (m *revMergeIter) find() {
	m.ok = false
	best := -1
	for i, s := range m.srcs {
		if err := s.err(); err != nil {
			m.error = err
			return
		}
		if !s.valid() {
			continue
		}
		if best < 0 || bytes.Compare(s.key(), m.srcs[best].key()) > 0 {
			best = i // ties keep the lower index: the newest source
		}
	}
	if best < 0 {
		return
	}
	s := m.srcs[best]
	if m.lo != nil && bytes.Compare(s.key(), m.lo) < 0 {
		return
	}
	m.key, m.value, m.kind, m.src, m.ok = s.key(), s.value(), s.kind(), best, true
	m.hidden = s.hiddenLocal()
	for j := 0; j < best && !m.hidden; j++ {
		if m.srcs[j].hasSpans() && m.srcs[j].covers(m.key) {
			m.hidden = true
		}
	}
}

// prev steps every source positioned on the current key back.
func (m *revMergeIter) prev() {
	// The current key may alias a source's buffer: step the others first.
	k := m.key
	for i, s := range m.srcs {
		if i != m.src && s.valid() && bytes.Equal(s.key(), k) {
			s.prev()
		}
	}
	m.srcs[m.src].prev()
	m.find()
}

// bufferRevIter yields, per key, the newest version visible at snap, in
// descending key order (the mirror of bufferIter). A frozen buffer's
// sorted versions are indexed directly; the active buffer's keys are
// walked backwards in a snapshot of its key B-tree, each key's newest
// version read from its head as the iteration reaches it, so a short
// reverse read of a long range costs what it reads.
type bufferRevIter struct {
	b    *buffer
	lo   []byte // keys < lo are not needed (nil: unbounded)
	snap uint64

	nodes []*node // frozen buffer: newest versions in [lo, hi) in key order
	i     int
	walk  keyWalk // active buffer
	lazy  bool

	n *node // the visible version of the current entry
	// noDels: no range tombstone visible at snap overlaps the merge's
	// range (set by spansIn), so no entry the merge asks about is hidden.
	noDels bool
}

func (it *bufferRevIter) seekLT(hi []byte) {
	if it.b.frozen.Load() {
		it.nodes, it.lazy = it.b.ordered(it.lo, hi), false
		it.i = len(it.nodes)
		it.prev()
		return
	}
	// Keys added after the snapshot have first versions newer than snap,
	// which visible skips; a head never loses a version, so a load made
	// later sees the same version at snap as one made now.
	keys := it.walk.start(it.b.keySnapshot(), true, it.lo)
	if hi != nil && it.walk.seek(hi) {
		it.walk.more = keys.Prev()
	} else {
		it.walk.more = keys.Last()
	}
	it.lazy = true
	it.prev()
}

func (it *bufferRevIter) prev() {
	if it.lazy {
		it.n = it.walk.nextVisible(it.snap)
		return
	}
	for it.i--; it.i >= 0; it.i-- {
		if it.n = visible(it.nodes[it.i], it.snap); it.n != nil {
			return
		}
	}
	it.n = nil
}

func (it *bufferRevIter) valid() bool   { return it.n != nil }
func (it *bufferRevIter) key() []byte   { return it.n.key }
func (it *bufferRevIter) value() []byte { return it.n.value }
func (it *bufferRevIter) kind() byte    { return it.n.kind }
func (it *bufferRevIter) hiddenLocal() bool {
	return !it.noDels && it.b.coverSeq(it.n.key, it.snap) > it.n.seq
}
func (it *bufferRevIter) spansIn(lo, hi []byte) bool {
	in := it.b.spansIn(lo, hi, it.snap)
	it.noDels = !in
	return in
}
func (it *bufferRevIter) covers(key []byte) bool { return it.b.coverSeq(key, it.snap) != 0 }
func (it *bufferRevIter) hasSpans() bool         { return len(it.b.rdels.Load().all) != 0 }
func (it *bufferRevIter) err() error             { return nil }

// tableRevIter iterates a file's entries in descending key order. It
// reads a block as tableIter does (verified and cached: the cache checked
// its entries, key order and restart points whole) and decodes one
// restart interval of it at a time, walking the interval's entries
// backwards: an interval is the stretch from one restart point to the
// next, whose first entry shares no prefix and can be decoded on its own.
// A seek binary-searches the block's restart keys for the interval
// holding the last key below hi, and decodes it alone. Blocks whose keys
// all lie below lo are never read.
//
// Why intervals: a short reverse read decoded a whole block of each file
// to find the last key below its bound, most of it above the bound (a
// stream's last entries, followed in the file by its groups and their
// pending entries): XREVRANGE s + - COUNT 1 and XPENDING's summary spent
// half their CPU decoding entries they never used.
type tableRevIter struct {
	t  *table
	lo []byte // keys < lo are not needed (nil: unbounded)

	blk   int          // block of the decoded interval
	b     *cachedBlock // block blk, read (nil: not yet)
	r     int          // restart interval of b whose entries are decoded
	ents  []revEntry   // its entries, in key order
	keys  []byte       // their keys, back to back (prefix compression undone)
	kbuf  []byte       // the decoder's key buffer
	i     int          // current entry in ents
	ok    bool
	error error
	// lazy: positioned on the last entry of block blk, not read yet. A
	// seek that lands below a whole block needs only its last key, which
	// the index holds; the block is read when the merge moves the
	// iterator or wants the entry's value. A reverse read of a stream's
	// newest entries (XREVRANGE s + - COUNT 1) finds them in the write
	// buffer, and decoded a block of each file for nothing: 90% of its
	// CPU.
	lazy bool
}

// reset makes it an iterator of t's keys from lo, before its seek,
// keeping its decoding buffers (emptied, and the values they held
// dropped: they alias cached blocks). reset(nil, nil) leaves it holding
// no file.
func (it *tableRevIter) reset(t *table, lo []byte) {
	clear(it.ents[:cap(it.ents)])
	*it = tableRevIter{t: t, lo: lo, ents: it.ents[:0], keys: it.keys[:0], kbuf: it.kbuf[:0]}
}

// revEntry is one decoded entry of tableRevIter's interval: its key is
// keys[koff:kend]; its value aliases the cached block payload.
type revEntry struct {
	koff, kend int
	value      []byte
	kind       byte
}

// readBlock reads block i into it.b; false (and !ok) when i is before
// the first block, when every key of block i is below lo, or on an error.
func (it *tableRevIter) readBlock(i int) bool {
	it.blk, it.b, it.ok = i, nil, false
	it.ents, it.keys = it.ents[:0], it.keys[:0]
	if i < 0 || (it.lo != nil && bytes.Compare(it.t.index[i].last, it.lo) < 0) {
		return false
	}
	b, err := it.t.readBlock(i)
	if err != nil {
		it.error = err
		return false
	}
	it.b = b
	return true
}

// decodeInterval decodes restart interval r of it.b; false (and !ok) on
// an error.
func (it *tableRevIter) decodeInterval(r int) bool {
	it.r, it.ok = r, false
	it.ents, it.keys = it.ents[:0], it.keys[:0]
	bi := blockIter{data: it.b.interval(r), key: it.kbuf[:0]}
	var e blockEntry
	for bi.next(&e) {
		koff := len(it.keys)
		it.keys = append(it.keys, e.key...)
		it.ents = append(it.ents, revEntry{koff: koff, kend: len(it.keys), value: e.value, kind: e.kind})
	}
	it.kbuf = bi.key
	if bi.err != nil || len(it.ents) == 0 {
		err := bi.err
		if err == nil {
			err = fmt.Errorf("restart interval %d holds no entry: %w", r, ErrMalformed)
		}
		it.error = it.t.corrupt("block", int64(it.t.index[it.blk].off)+int64(it.b.restart(r)), err)
		it.ents = it.ents[:0]
		return false
	}
	return true
}

// lastOf reads block i and positions on its last entry; false (and !ok)
// when there is none (see readBlock) or on an error.
func (it *tableRevIter) lastOf(i int) bool {
	if !it.readBlock(i) || !it.decodeInterval(len(it.b.restarts)/4-1) {
		return false
	}
	it.i, it.ok = len(it.ents)-1, true
	return true
}

func (it *tableRevIter) seekLT(hi []byte) {
	n := len(it.t.index)
	if n == 0 {
		it.ok = false
		return
	}
	// The last key < hi is in the first block whose last key is >= hi, if
	// that block starts below hi, else in the block before it.
	i := n - 1
	if hi != nil {
		if i = it.t.findBlock(hi); i == n || bytes.Compare(it.t.index[i].first, hi) >= 0 {
			i--
		}
	}
	if i >= 0 && (hi == nil || bytes.Compare(it.t.index[i].last, hi) < 0) &&
		(it.lo == nil || bytes.Compare(it.t.index[i].last, it.lo) >= 0) {
		it.blk, it.ok, it.lazy = i, true, true
		return
	}
	if hi == nil {
		it.lastOf(i)
		return
	}
	// Block i starts below hi and ends at or above it: the last key below
	// hi is in the last interval whose restart key is below hi.
	if !it.readBlock(i) {
		return
	}
	r, err := it.b.restartsUpTo(hi, true)
	if err != nil {
		it.error = it.t.corrupt("block", int64(it.t.index[i].off), err)
		return
	}
	if r == 0 { // the index's first key is below hi, the block's is not
		it.error = it.t.corrupt("block", int64(it.t.index[i].off), fmt.Errorf("first key disagrees with the index: %w", ErrMalformed))
		return
	}
	if !it.decodeInterval(r - 1) {
		return
	}
	it.i = sort.Search(len(it.ents), func(j int) bool {
		e := &it.ents[j]
		return bytes.Compare(it.keys[e.koff:e.kend], hi) >= 0
	})
	it.prev()
}

// decode ends a lazy position: block blk read, on its last entry. False
// on an error (then !ok).
func (it *tableRevIter) decode() bool {
	it.lazy = false
	return it.lastOf(it.blk)
}

func (it *tableRevIter) prev() {
	if it.lazy && !it.decode() {
		return
	}
	if it.i--; it.i >= 0 {
		it.ok = true
		return
	}
	if it.r > 0 {
		if it.decodeInterval(it.r - 1) {
			it.i, it.ok = len(it.ents)-1, true
		}
		return
	}
	it.lastOf(it.blk - 1)
}

func (it *tableRevIter) valid() bool { return it.ok }
func (it *tableRevIter) key() []byte {
	if it.lazy {
		k := it.t.index[it.blk].last
		return k[:len(k):len(k)]
	}
	e := &it.ents[it.i]
	return it.keys[e.koff:e.kend:e.kend]
}

// entry is the current entry, decoding a lazy position first; nil when
// the block fails to decode (the merge then sees err).
func (it *tableRevIter) entry() *revEntry {
	if it.lazy && !it.decode() {
		return nil
	}
	return &it.ents[it.i]
}

func (it *tableRevIter) value() []byte {
	if e := it.entry(); e != nil {
		return e.value
	}
	return nil
}

func (it *tableRevIter) kind() byte {
	if e := it.entry(); e != nil {
		return e.kind
	}
	return kindTombstone
}
func (it *tableRevIter) hiddenLocal() bool          { return false }
func (it *tableRevIter) covers(key []byte) bool     { return it.t.covers(key) }
func (it *tableRevIter) hasSpans() bool             { return len(it.t.spans) != 0 }
func (it *tableRevIter) spansIn(lo, hi []byte) bool { return spansIn(it.t.spans, lo, hi) }
func (it *tableRevIter) err() error                 { return it.error }
