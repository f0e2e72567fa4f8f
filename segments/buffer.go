package segments

import (
	"bytes"
	"math"
	"sync"
	"sync/atomic"
)

// buffer is a sorted in-memory write buffer: a skiplist ordered by key
// ascending, then sequence number descending, so the first node of a key is
// its newest version. Every write inserts a node; older versions stay until
// the flush, which writes only the newest.
//
// Concurrency: one writer (the store's writer, or nobody once frozen) and
// any number of concurrent readers, without locks: a node is fully built
// before it is published with atomic stores, bottom level first, so a
// reader sees either the whole node or none of it. Range tombstones live in
// an append-only slice published through an atomic pointer.
type buffer struct {
	head   *node
	height atomic.Int32
	rnd    uint64 // writer only: xorshift state for node heights

	bytes    atomic.Int64 // approximate memory used
	count    atomic.Int64 // nodes
	rdels    atomic.Pointer[[]rangeDel]
	minLSN   atomic.Uint64
	maxLSN   atomic.Uint64
	minSeq   atomic.Uint64
	maxSeq   atomic.Uint64
	frozenAt LSN // set once when frozen (under Store.mu), read by the flusher

	done     chan struct{} // closed when the flush of this frozen buffer ends
	err      error         // result of the flush; written before done is closed
	doneOnce sync.Once
}

func (b *buffer) finish(err error) {
	b.doneOnce.Do(func() {
		b.err = err
		close(b.done)
	})
}

const maxHeight = 20

type node struct {
	// kp is the key's first 8 bytes, big endian, zero padded: most
	// comparisons during a search are decided by it without loading the
	// key (keys start with a database id and a hash slot, so prefixes differ
	// almost always).
	kp    uint64
	key   []byte
	value []byte
	seq   uint64
	kind  byte
	next  []atomic.Pointer[node]
	// tower holds next for nodes of height <= 2 (15 in 16 nodes), so that
	// following a link does not touch a second allocation.
	tower [2]atomic.Pointer[node]
}

// keyPrefix returns the first 8 bytes of key as a big-endian number,
// zero padded; a < b as prefixes implies a < b as keys.
func keyPrefix(key []byte) uint64 {
	if len(key) >= 8 {
		return uint64(key[0])<<56 | uint64(key[1])<<48 | uint64(key[2])<<40 | uint64(key[3])<<32 |
			uint64(key[4])<<24 | uint64(key[5])<<16 | uint64(key[6])<<8 | uint64(key[7])
	}
	var v uint64
	for i := 0; i < 8; i++ {
		v <<= 8
		if i < len(key) {
			v |= uint64(key[i])
		}
	}
	return v
}

// rangeDel is a buffered range tombstone [lo, hi) written at seq.
type rangeDel struct {
	lo, hi []byte
	seq    uint64
}

// nodeOverhead approximates the memory of a node beyond key and value.
const nodeOverhead = 64

func newBuffer() *buffer {
	b := &buffer{
		head: &node{next: make([]atomic.Pointer[node], maxHeight)},
		rnd:  0x9E3779B97F4A7C15,
		done: make(chan struct{}),
	}
	b.height.Store(1)
	empty := []rangeDel{}
	b.rdels.Store(&empty)
	b.minLSN.Store(math.MaxUint64)
	b.minSeq.Store(math.MaxUint64)
	return b
}

func (b *buffer) empty() bool { return b.count.Load() == 0 && len(*b.rdels.Load()) == 0 }

func (b *buffer) note(lsn LSN, seq uint64, n int64) {
	if lsn < b.minLSN.Load() {
		b.minLSN.Store(lsn)
	}
	if lsn > b.maxLSN.Load() {
		b.maxLSN.Store(lsn)
	}
	if seq < b.minSeq.Load() {
		b.minSeq.Store(seq)
	}
	b.maxSeq.Store(seq)
	b.bytes.Add(n)
}

func (b *buffer) randomHeight() int {
	h := 1
	for h < maxHeight {
		b.rnd ^= b.rnd << 13
		b.rnd ^= b.rnd >> 7
		b.rnd ^= b.rnd << 17
		if b.rnd&3 != 0 { // p = 1/4
			break
		}
		h++
	}
	return h
}

// nodeBefore reports whether n sorts before (key, seq).
func nodeBefore(n *node, key []byte, kp, seq uint64) bool {
	if n.kp != kp {
		return n.kp < kp
	}
	c := bytes.Compare(n.key, key)
	return c < 0 || (c == 0 && n.seq > seq)
}

// add inserts a version. Writer only. key and value must not be modified
// afterwards (the store copies them).
func (b *buffer) add(lsn LSN, seq uint64, kind byte, key, value []byte) {
	var prev [maxHeight]*node
	kp := keyPrefix(key)
	h := int(b.height.Load())
	x := b.head
	for l := h - 1; l >= 0; l-- {
		for {
			nx := x.next[l].Load()
			if nx == nil || !nodeBefore(nx, key, kp, seq) {
				break
			}
			x = nx
		}
		prev[l] = x
	}
	nh := b.randomHeight()
	if nh > h {
		for l := h; l < nh; l++ {
			prev[l] = b.head
		}
		b.height.Store(int32(nh))
	}
	n := &node{kp: kp, key: key, value: value, seq: seq, kind: kind}
	if nh <= len(n.tower) {
		n.next = n.tower[:nh]
	} else {
		n.next = make([]atomic.Pointer[node], nh)
	}
	for l := range nh {
		n.next[l].Store(prev[l].next[l].Load())
	}
	for l := range nh {
		prev[l].next[l].Store(n)
	}
	b.count.Add(1)
	b.note(lsn, seq, int64(len(key)+len(value)+nodeOverhead+8*nh))
}

// addRangeDel appends a range tombstone. Writer only.
func (b *buffer) addRangeDel(lsn LSN, seq uint64, lo, hi []byte) {
	cur := *b.rdels.Load()
	next := append(cur, rangeDel{lo: lo, hi: hi, seq: seq})
	b.rdels.Store(&next)
	b.note(lsn, seq, int64(len(lo)+len(hi)+nodeOverhead))
}

// seekGE returns the first node with key >= key (its newest version).
func (b *buffer) seekGE(key []byte) *node {
	x := b.head
	kp := keyPrefix(key)
	for l := int(b.height.Load()) - 1; l >= 0; l-- {
		for {
			nx := x.next[l].Load()
			if nx == nil || nx.kp > kp || (nx.kp == kp && bytes.Compare(nx.key, key) >= 0) {
				break
			}
			x = nx
		}
	}
	return x.next[0].Load()
}

// coverSeq returns the highest seq <= snap of a range tombstone covering key
// (0: none).
func (b *buffer) coverSeq(key []byte, snap uint64) uint64 {
	var best uint64
	for _, rd := range *b.rdels.Load() {
		if rd.seq > best && rd.seq <= snap && bytes.Compare(rd.lo, key) <= 0 && bytes.Compare(key, rd.hi) < 0 {
			best = rd.seq
		}
	}
	return best
}

// get looks key up as of snap. found: the buffer holds a version of key
// (n is it); covered: a range tombstone of this buffer hides key (and, if
// found, is newer than n).
func (b *buffer) get(key []byte, snap uint64) (n *node, covered bool) {
	for x := b.seekGE(key); x != nil && bytes.Equal(x.key, key); x = x.next[0].Load() {
		if x.seq <= snap {
			n = x
			break
		}
	}
	t := b.coverSeq(key, snap)
	if t != 0 && (n == nil || t > n.seq) {
		return nil, true
	}
	return n, false
}

// bufferIter yields, per key, the newest version visible at snap.
type bufferIter struct {
	b    *buffer
	snap uint64
	n    *node
}

func (it *bufferIter) seekGE(lo []byte) {
	it.n = it.b.seekGE(lo)
	for it.n != nil && it.n.seq > it.snap {
		it.n = it.n.next[0].Load()
	}
}

func (it *bufferIter) next() {
	k := it.n.key
	n := it.n.next[0].Load()
	for n != nil && (n.seq > it.snap || bytes.Equal(n.key, k)) {
		n = n.next[0].Load()
	}
	it.n = n
}

func (it *bufferIter) valid() bool   { return it.n != nil }
func (it *bufferIter) key() []byte   { return it.n.key }
func (it *bufferIter) value() []byte { return it.n.value }
func (it *bufferIter) kind() byte    { return it.n.kind }
func (it *bufferIter) hiddenLocal() bool {
	return it.b.coverSeq(it.n.key, it.snap) > it.n.seq
}
func (it *bufferIter) covers(key []byte) bool { return it.b.coverSeq(key, it.snap) != 0 }
func (it *bufferIter) hasSpans() bool         { return len(*it.b.rdels.Load()) != 0 }
func (it *bufferIter) err() error             { return nil }

// spans returns the union of the buffer's range tombstones as sorted,
// merged intervals (for the flush).
func (b *buffer) spans() []span {
	var sp []span
	for _, rd := range *b.rdels.Load() {
		sp = append(sp, span{rd.lo, rd.hi})
	}
	return mergeSpans(sp)
}
