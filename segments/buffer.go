package segments

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/keeldb/keel/internal/offheap"
	"github.com/keeldb/keel/internal/prefetch"
	"github.com/tidwall/btree"
)

// buffer is the in-memory write buffer: a hash index from key to its newest
// version, each version linking to the previous one of the same key, plus
// the buffer's range tombstones. Every write adds a version; the flush
// writes only the newest per key.
//
// Why a hash index and not a sorted structure: writes happen under the
// command layer's exclusive lock, so insertion cost is on every client's
// critical path. A skiplist insert costs ~25 dependent cache misses; a
// hash insert one or two. Key order is needed only by iterators (flush,
// Scan): a frozen buffer sorts its keys once and caches the order; the
// active buffer keeps them in a B-tree (keys, below).
//
// Concurrency: one writer (the store's writer, or nobody once frozen) and
// any number of readers, none of which takes a lock to look a key up
// (keyIndex); a version is immutable once published, and its prev link
// never changes, so a reader that got a version follows the chain without
// locks.
type buffer struct {
	index keyIndex // key -> its head (newest version)
	// newKeys are the keys added to index since an iterator last folded
	// them into keys (newKeys is guarded by mu, keys and keysSnap by
	// keysMu): the active buffer keeps its keys in a B-tree, so a range
	// scan costs a seek and the keys it reads, not a sort of the whole
	// buffer, and folding a write's few new keys costs O(log n) each (a
	// sorted slice merged them at O(n) per scan, which made every command
	// that writes and then scans, XREADGROUP, cost the buffer's size).
	// Iterators read an immutable copy-on-write snapshot (keysSnap), taken
	// again only when keys changed. The tree holds the heads themselves,
	// so a walk reads each key's newest version from its item, without a
	// lookup or a lock.
	mu      sync.Mutex
	newKeys []*head
	nKeys   int // keys in index (guarded by mu): sizes the next buffer's index
	// shared is the length of the prefix all the buffer's keys share, and
	// sharedKey a key that has it (guarded by mu): the flush's sort starts
	// past it (sortNodes), where the engines' keys (database, slot, user
	// key, version) first differ.
	shared    int
	sharedKey []byte
	keysMu    sync.Mutex
	keys      *btree.BTreeG[keyRef]
	keysSnap  *btree.BTreeG[keyRef]
	// keysHint is the path of the last key folded into keys: new keys
	// mostly land next to the one before (a stream's entries, in id
	// order), where the tree then looks first instead of searching from
	// its root (the search was 6.8% of the server's CPU under
	// XREADGROUP+XACK, whose reads fold the entries XADD wrote).
	keysHint btree.PathHint

	sortOnce sync.Once
	sorted   []*node // frozen buffers: newest versions in key order (sortOnce)
	frozen   atomic.Bool

	bytes    atomic.Int64 // approximate memory used
	count    atomic.Int64 // versions
	rdels    atomic.Pointer[rangeDels]
	minLSN   atomic.Uint64
	maxLSN   atomic.Uint64
	minSeq   atomic.Uint64
	maxSeq   atomic.Uint64
	frozenAt LSN // set once when frozen (under Store.mu), read by the flusher

	// Writer-only allocation of versions: key and value bytes are cut
	// from slabs, nodes and heads from chunks, instead of heap objects per
	// write; slabs and chunks are blocks off the Go heap (buffermem.go).
	// All live as long as the buffer.
	slab  []byte
	nodes []node
	heads []head
	// The blocks cut from above, whole: they keep the memory valid while
	// the buffer is reachable, and go to the store's bufferMem once the
	// buffer is flushed and unread; mem is where they come from (nil: the
	// block pool, unrecycled). big holds the values too large for a slab,
	// on the heap: the nodes pointing at them are off it, so this is
	// their only reference the collector sees.
	ownSlabs []*offheap.Block
	ownNodes []*offheap.Block
	ownHeads []*offheap.Block
	big      [][]byte
	mem      *bufferMem
	// pins counts the readers inside the buffer; retired is set once the
	// buffer's memory may go to another (buffermem.go).
	pins    pinCount
	retired atomic.Bool

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

// head is one key of a buffer: a pointer to its newest version, replaced
// by every write of the key. The writer stores it atomically, so readers
// that reached the head (through the index, or through a key snapshot)
// load the newest version without a lock; the version chain below it
// never changes. A new head's first version is a plain store, as its
// key is: readers reach the head only once the index publishes it.
type head struct {
	key    string
	newest unsafe.Pointer // *node: load, replace
}

// load returns h's newest version.
func (h *head) load() *node { return (*node)(atomic.LoadPointer(&h.newest)) }

// replace makes n the newest version of a published head.
func (h *head) replace(n *node) { atomic.StorePointer(&h.newest, unsafe.Pointer(n)) }

// keyRef is an item of a buffer's key B-tree: a head, and the fence of
// its key (fenceAt: its first 16 bytes, as two words), compared before
// the key. A seek's comparisons at each node then read the node's items
// alone, not a head and its key behind each, two cache misses apiece,
// until fences tie (the engines' keys begin with database, slot and the
// user key's length and first bytes, so the keys of different strings,
// hashes or streams seldom tie; one hash's fields all do). The B-tree's
// seek was 18% of the CPU of HGETALL of 3-field hashes among 1M of them.
type keyRef struct {
	f blockFence
	h *head
}

func refOf(h *head) keyRef {
	return keyRef{f: fenceAt(unsafe.Slice(unsafe.StringData(h.key), len(h.key)), 0), h: h}
}

func keyRefLess(a, b keyRef) bool {
	if c := a.f.cmp(b.f); c != 0 {
		return c < 0
	}
	return a.h.key < b.h.key
}

// keyIndex maps a buffer's keys to their heads: open addressing with
// linear probing in a power-of-two table of slots, doubled by the writer
// when it is half full. It replaced a Go map under a read-write lock:
// every buffered read took the lock (two atomic adds on a cache line all
// readers write), and a write of a new key hashed the key twice (lookup,
// then insert) and took the write lock.
//
// Beside the slots, a byte per slot (tags) holds 7 bits of the slot's key
// hash, or 0 for an empty slot. A probe reads the tags, 8 slots per word
// and 16 times denser than the slots, and reads a slot only when its tag
// matches: a lookup of an absent key (most reads on a store larger than
// its buffer, each probing every buffer) costs a read of the tags, which
// stay in the processor's cache, instead of a cache miss into the slots
// (9.4% of HGET's CPU at pipeline 16 on a 340k-field hash).
//
// One writer inserts; readers look up without a lock. A key is never
// removed, so a slot is written once: its hash and head, then its tag
// atomically after them; a reader that matches a tag (an atomic load)
// finds the head and hash in place. The writer publishes a grown table
// atomically and never writes the old one again, so a reader still
// probing the old table finds every key inserted before the growth (later
// ones are newer than its lookup).
//
// Tables live off the Go heap (buffermem.go). Since readers may still
// probe a table the writer outgrew, the writer keeps those (old) until the
// buffer is retired and unread (bufferMem.put frees them).
type keyIndex struct {
	seed  maphash.Seed
	table atomic.Pointer[indexTable]
	n     int           // keys (writer only)
	old   []*indexTable // tables grow replaced (writer only)
}

type indexTable struct {
	slots []indexSlot
	tags  []uint64       // slot i's tag is byte i%8 of word i/8, accessed atomically
	mem   *offheap.Block // slots and tags
}

// indexSlot is a slot of a key index: a key's hash and head, written
// plainly and published by the slot's tag (indexTable.set).
type indexSlot struct {
	hash uint64
	head unsafe.Pointer // *head
}

// load returns the slot's head (nil: empty), for a reader that matched
// its tag, or the writer.
func (sl *indexSlot) load() *head { return (*head)(atomic.LoadPointer(&sl.head)) }

// tagOf is the tag of a key hash: its top 7 bits (the slot is chosen by
// the low ones) and a bit that makes it nonzero.
func tagOf(hv uint64) uint64 { return hv>>57 | 0x80 }

// newIndexTable returns an empty table of slots slots, a power of two of
// at least 8.
func newIndexTable(slots int) *indexTable {
	slotBytes := slots * int(unsafe.Sizeof(indexSlot{}))
	mem := offheap.Alloc(slotBytes + slots) // a tag byte per slot
	p := mem.Ptr()
	return &indexTable{
		slots: unsafe.Slice((*indexSlot)(p), slots),
		tags:  unsafe.Slice((*uint64)(unsafe.Add(p, slotBytes)), slots/8),
		mem:   mem,
	}
}

// probe returns the slot of t holding a key whose hash is hv and for which
// is returns true, or the first empty slot on its probe sequence and
// false.
func (t *indexTable) probe(hv uint64, is func(*head) bool) (int, *head) {
	mask := uint64(len(t.slots) - 1)
	tag := tagOf(hv)
	i := hv & mask
	w := atomic.LoadUint64(&t.tags[i>>3])
	for {
		switch b := w >> (8 * (i & 7)) & 0xff; {
		case b == 0:
			return int(i), nil
		case b == tag:
			if h := t.slots[i].load(); t.slots[i].hash == hv && is(h) {
				return int(i), h
			}
		}
		if i = (i + 1) & mask; i&7 == 0 {
			w = atomic.LoadUint64(&t.tags[i>>3])
		}
	}
}

// set fills the empty slot i with h, whose key's hash is hv, and
// publishes it: the hash and the head are plain stores, the tag an atomic
// one after them, which readers load before the slot (probe). The head
// was an atomic store too, and so was a new head's first version (add):
// on amd64 each is an XCHG, which waits for every store before it (the
// new version's key and value among them); 2.4% of XADD p16's CPU in
// those two (perf). Without them buffer.add went from 13.1% to 11.3% of
// it: the tag's atomic OR now does the waiting once.
func (t *indexTable) set(i int, h *head, hv uint64) {
	t.slots[i].hash = hv
	t.slots[i].head = unsafe.Pointer(h)
	atomic.OrUint64(&t.tags[i>>3], tagOf(hv)<<(8*(i&7)))
}

// indexMinSlots is the smallest table of a new buffer; indexMaxPresize
// the largest it starts with.
const (
	indexMinSlots   = 256
	indexMaxPresize = 1 << 18 // 4 MiB: the keys of an 8 MiB buffer of small entries
)

// init makes an empty index sized for about keys keys (at most half full,
// as insert keeps it): a buffer is sized by the one before it, so a full
// one does not rehash itself through a dozen doublings.
func (x *keyIndex) init(keys int, mem *bufferMem) {
	x.seed = maphash.MakeSeed()
	n := indexMinSlots
	for n < 2*keys && n < indexMaxPresize {
		n *= 2
	}
	x.table.Store(mem.indexTable(n))
}

// get returns key's head, nil when absent. Safe for any goroutine.
func (x *keyIndex) get(key []byte) *head {
	_, h := x.table.Load().probe(maphash.Bytes(x.seed, key), func(h *head) bool { return h.key == string(key) })
	return h
}

// find returns key's head, or nil and the slot of the current table where
// key goes, and key's hash. Writer only.
func (x *keyIndex) find(key string) (h *head, slot int, hv uint64) {
	hv = maphash.String(x.seed, key)
	slot, h = x.table.Load().probe(hv, func(h *head) bool { return h.key == key })
	return h, slot, hv
}

// insert adds h (absent; find returned slot and hv) and publishes it to
// readers. Writer only.
func (x *keyIndex) insert(h *head, slot int, hv uint64) {
	x.n++
	t := x.table.Load()
	if 2*x.n > len(t.slots) {
		t = x.grow(t)
		slot, _ = t.probe(hv, func(*head) bool { return false })
	}
	t.set(slot, h, hv)
}

// grow publishes a table twice the size of t holding t's heads, and
// returns it. Writer only.
func (x *keyIndex) grow(t *indexTable) *indexTable {
	g := newIndexTable(2 * len(t.slots))
	for j := range t.slots {
		h := t.slots[j].load()
		if h == nil {
			continue
		}
		i, _ := g.probe(t.slots[j].hash, func(*head) bool { return false })
		g.set(i, h, t.slots[j].hash)
	}
	x.table.Store(g)
	x.old = append(x.old, t)
	return g
}

// each calls fn with every head, in no order. For a buffer without a
// writer (frozen), or the writer itself.
func (x *keyIndex) each(fn func(*head)) {
	for j, t := 0, x.table.Load().slots; j < len(t); j++ {
		if h := t[j].load(); h != nil {
			fn(h)
		}
	}
}

// node is one version of a key.
type node struct {
	key   []byte
	value []byte
	seq   uint64
	kind  byte
	prev  *node // the previous version of the same key in this buffer
}

type rangeDel struct {
	lo, hi []byte
	seq    uint64
}

// nodeOverhead approximates a new key's memory besides key and value: its
// node, head and index slots (the table is at most half full);
// versionOverhead, an overwrite's: its node (the key is its head's).
const (
	nodeOverhead    = 96
	versionOverhead = int(unsafe.Sizeof(node{}))
)

// newBuffer returns an empty buffer whose key index is sized for about
// keys keys (the previous buffer's count; 0 for none), with memory from
// mem (nil: the heap).
func newBuffer(keys int, mem *bufferMem) *buffer {
	b := &buffer{done: make(chan struct{}), mem: mem, newKeys: mem.newKeys(keys),
		keys: btree.NewBTreeGOptions(keyRefLess, btree.Options{NoLocks: true})}
	b.index.init(keys, mem)
	b.rdels.Store(noRangeDels)
	b.minLSN.Store(math.MaxUint64)
	b.minSeq.Store(math.MaxUint64)
	return b
}

// keyCount returns how many distinct keys the buffer holds. Safe for any
// goroutine.
func (b *buffer) keyCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.nKeys
}

func (b *buffer) empty() bool { return b.count.Load() == 0 && len(b.rdels.Load().all) == 0 }

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

// Allocation sizes for alloc and add: a slab serves the key and value of
// writes up to slabMax bytes; nodes and heads come a block at a time.
// Slabs and chunks are blocks of blockSize bytes (blockPool).
const (
	blockSize = 64 << 10
	slabSize  = blockSize
	slabMax   = 4 << 10
	nodeChunk = blockSize / int(unsafe.Sizeof(node{}))
	headChunk = blockSize / int(unsafe.Sizeof(head{}))
)

// alloc returns n bytes for a version's key and value. Writer only.
func (b *buffer) alloc(n int) []byte {
	if n > slabMax {
		p := make([]byte, n)
		b.big = append(b.big, p)
		return p
	}
	if len(b.slab) < n {
		blk := b.mem.slab()
		b.ownSlabs = append(b.ownSlabs, blk)
		b.slab = unsafe.Slice((*byte)(blk.Ptr()), slabSize)
	}
	p := b.slab[:n:n]
	b.slab = b.slab[n:]
	return p
}

// add inserts a version of key, copying key (a new key's) and value into
// the buffer's memory: the caller's slices may change afterwards.
func (b *buffer) add(lsn LSN, seq uint64, kind byte, key, value []byte) {
	if len(b.nodes) == 0 {
		blk := b.mem.nodeChunk()
		b.ownNodes = append(b.ownNodes, blk)
		b.nodes = unsafe.Slice((*node)(blk.Ptr()), nodeChunk)
	}
	n := &b.nodes[0]
	b.nodes = b.nodes[1:]
	*n = node{seq: seq, kind: kind}
	var k string // key's bytes, for the lookup only: the caller's
	if len(key) > 0 {
		k = unsafe.String(&key[0], len(key))
	}
	// An overwrite replaces the head's version, which readers load
	// atomically; a new key's head is published by the index.
	h, slot, hv := b.index.find(k)
	if h != nil {
		// The version shares its head's copy of the key: a key rewritten
		// on every write (a stream's metadata and last node, one per
		// XADD) costs its value and a node, and the buffer fills that
		// much more slowly.
		n.key = unsafe.Slice(unsafe.StringData(h.key), len(h.key))
		n.value = b.alloc(len(value))
		copy(n.value, value)
		n.prev = h.load()
		h.replace(n)
		b.count.Add(1)
		b.note(lsn, seq, int64(len(value)+versionOverhead))
		return
	}
	kv := b.alloc(len(key) + len(value))
	copy(kv, key)
	copy(kv[len(key):], value)
	n.key, n.value = kv[:len(key):len(key)], kv[len(key):]
	if len(b.heads) == 0 {
		blk := b.mem.headChunk()
		b.ownHeads = append(b.ownHeads, blk)
		b.heads = unsafe.Slice((*head)(blk.Ptr()), headChunk)
	}
	h = &b.heads[0]
	b.heads = b.heads[1:]
	h.key = unsafe.String(unsafe.SliceData(n.key), len(n.key))
	h.newest = unsafe.Pointer(n) // published by the insert
	b.index.insert(h, slot, hv)
	b.mu.Lock()
	b.newKeys = append(b.newKeys, h)
	if b.nKeys == 0 {
		b.sharedKey, b.shared = n.key, len(n.key)
	} else if b.shared > 0 {
		b.shared = sharedPrefix(b.sharedKey[:b.shared], n.key)
	}
	b.nKeys++
	b.mu.Unlock()
	b.count.Add(1)
	b.note(lsn, seq, int64(len(key)+len(value)+nodeOverhead))
}

func (b *buffer) addRangeDel(lsn LSN, seq uint64, lo, hi []byte) {
	b.rdels.Store(b.rdels.Load().with(rangeDel{lo: lo, hi: hi, seq: seq}))
	b.note(lsn, seq, int64(len(lo)+len(hi)+nodeOverhead))
}

// newest returns key's newest version, nil if the buffer has none.
func (b *buffer) newest(key []byte) *node {
	h := b.index.get(key)
	if h == nil {
		return nil
	}
	return h.load()
}

// coverSeq returns the highest seq <= snap of a range tombstone covering key
// (0: none).
func (b *buffer) coverSeq(key []byte, snap uint64) uint64 {
	return b.rdels.Load().coverSeq(key, snap)
}

// spansIn reports whether a range tombstone visible at snap overlaps
// [lo, hi) (nil: unbounded).
func (b *buffer) spansIn(lo, hi []byte, snap uint64) bool {
	return b.rdels.Load().overlaps(lo, hi, snap)
}

// coverEnd returns the end of a run of keys from key that one range
// tombstone visible at snap covers whole, and its seq (nil, 0 when none
// covers key).
func (b *buffer) coverEnd(key []byte, snap uint64) (end []byte, seq uint64) {
	return b.rdels.Load().coverEnd(key, snap)
}

// visible returns the newest version at or before snap of the chain
// starting at n.
func visible(n *node, snap uint64) *node {
	for n != nil && n.seq > snap {
		n = n.prev
	}
	return n
}

// get looks key up as of snap. found: the buffer holds a version of key
// (n is it); covered: a range tombstone of this buffer hides key (and, if
// found, is newer than n).
func (b *buffer) get(key []byte, snap uint64) (n *node, covered bool) {
	n = visible(b.newest(key), snap)
	t := b.coverSeq(key, snap)
	if t != 0 && (n == nil || t > n.seq) {
		return nil, true
	}
	return n, false
}

func byKey(a, c *node) int { return bytes.Compare(a.key, c.key) }

// keyedNode stands for the node ns[i] of a sortNodes call, with 8 bytes
// of its key from some depth, big-endian and zero-padded past the key's
// end, so that comparing words compares those bytes. It holds no pointer:
// moving it costs the collector nothing.
type keyedNode struct {
	word uint64
	i    uint32
}

// keyWord returns key[depth:depth+8] as a big-endian word, zero-padded.
func keyWord(key []byte, depth int) uint64 {
	if len(key) >= depth+8 {
		return binary.BigEndian.Uint64(key[depth:])
	}
	var w uint64
	for i := depth; i < depth+8; i++ {
		w <<= 8
		if i < len(key) {
			w |= uint64(key[i])
		}
	}
	return w
}

// sortNodes returns nodes sorted by key (keys are distinct).
//
// A comparison sort of a frozen buffer was most of a flush's CPU: each of
// its n·log n comparisons follows two pointers (node, then key bytes) to
// memory the sort visits in no order, and the engines' keys share long
// prefixes (database, slot, key, version), which bytes.Compare walks every
// time. Instead each node's key is read once for 8 bytes at a time, and the
// nodes are sorted by those words, in a compact array, without touching
// the keys; only nodes whose words tie read their keys again, for the next
// 8 bytes (nodeSorter.sort). On 300,000 strings keys this is about 5 times
// faster than slices.SortFunc with bytes.Compare (BenchmarkSortNodes).
//
// All the keys share their first shared bytes (the buffer keeps that
// length as keys arrive), so the sort starts there: a buffer holding the
// fields of one big hash (database, slot, key and version, ~20 bytes, then
// the field hash) reads each key once instead of four times. Strings
// differ by slot from the fifth byte on, so they sort as before.
//
// ns is sorted in place, and returned; the sort's scratch space comes
// from sortScratches.
func sortNodes(ns []*node, shared int) []*node {
	if len(ns) > math.MaxUint32 {
		slices.SortFunc(ns, byKey)
		return ns
	}
	sc := getSortScratch(len(ns))
	defer sc.put()
	items := sc.items
	for i, n := range ns {
		items[i] = keyedNode{keyWord(n.key, shared), uint32(i)}
	}
	s := nodeSorter{ns: ns, tmp: sc.tmp}
	s.sort(items, shared)
	out := sc.nodes
	for i, it := range items {
		out[i] = ns[it.i]
	}
	copy(ns, out)
	return ns
}

// sortScratch is the scratch space of a sort of n nodes: two arrays of
// keyedNodes and one of nodes. A large one is a block off the Go heap,
// mapped for the sort and unmapped after it (put): each flush sorting
// into new heap arrays was a tenth of what a store under writes
// allocated, and keeping them in a sync.Pool between flushes kept a
// buffer's worth (40 bytes a version, 5.9 MB of the 19 MB live heap after
// 1M SETs, heap profile) resident and counted in the collector's heap
// goal for as long as writes went on. A mapping costs its page faults,
// a few hundred microseconds for a buffer of 150,000 versions, against
// the milliseconds its sort takes. The nodes the array points to are off
// the heap too (buffermem.go), so the collector need not see it.
type sortScratch struct {
	items, tmp []keyedNode
	nodes      []*node
	mem        *offheap.Block // nil: the arrays are on the heap
}

// sortScratchOffHeap is the smallest scratch (bytes) mapped off the heap.
const sortScratchOffHeap = 256 << 10

func getSortScratch(n int) *sortScratch {
	const per = 2*unsafe.Sizeof(keyedNode{}) + unsafe.Sizeof((*node)(nil))
	if uintptr(n)*per < sortScratchOffHeap {
		return &sortScratch{items: make([]keyedNode, n), tmp: make([]keyedNode, n), nodes: make([]*node, n)}
	}
	mem := offheap.Alloc(n * int(per))
	p := mem.Ptr()
	kn := uintptr(n) * unsafe.Sizeof(keyedNode{})
	return &sortScratch{
		items: unsafe.Slice((*keyedNode)(p), n),
		tmp:   unsafe.Slice((*keyedNode)(unsafe.Add(p, kn)), n),
		nodes: unsafe.Slice((**node)(unsafe.Add(p, 2*kn)), n),
		mem:   mem,
	}
}

// put ends sc's use: a mapped scratch is unmapped.
func (sc *sortScratch) put() {
	if sc.mem != nil {
		sc.items, sc.tmp, sc.nodes = nil, nil, nil
		sc.mem.Free()
	}
}

// sortAdded is sortNodes (in place) for nodes in the order their keys were added to
// the buffer, which for some writers is nearly key order: a stream's
// entries arrive in id order, interleaved with its few node records, so
// that the keys form a handful of ascending sequences, one per kind of
// record (the byte after the prefix all keys share). sortAdded deals the
// nodes, in order, into buckets by that byte, and sorts only the buckets
// that are not ascending already; a stream's flush then costs a pass
// instead of two radix sorts of its entries' ids (the sort was 7% of the
// server's CPU under XADD at pipeline 16, perf). Keys written at random
// fall back to sortNodes at once: their order turns down about every
// other key, and the look costs about its first twenty.
func sortAdded(ns []*node, shared int) []*node {
	// Descents in the order added: a stream has about two per node
	// record among ~100 entries; random keys one per two keys, and more
	// than 8 in their first 64.
	descents, limit := 0, len(ns)/16+1
	for i := 1; i < len(ns); i++ {
		if bytes.Compare(ns[i-1].key, ns[i].key) > 0 {
			if descents++; descents > limit || i < 64 && descents > 8 {
				return sortNodes(ns, shared)
			}
		}
	}
	if descents == 0 {
		return ns
	}
	// Bucket 0: the key that ends at shared (at most one), then one per
	// byte value; each keeps the order added.
	var counts [257]int
	bucket := func(n *node) int {
		if len(n.key) == shared {
			return 0
		}
		return 1 + int(n.key[shared])
	}
	for _, n := range ns {
		counts[bucket(n)]++
	}
	var starts [258]int
	for i, c := range counts {
		starts[i+1] = starts[i] + c
	}
	sc := getSortScratch(len(ns))
	defer sc.put()
	out := sc.nodes
	next := starts
	for _, n := range ns {
		b := bucket(n)
		out[next[b]] = n
		next[b]++
	}
	for b := 1; b < 257; b++ {
		run := out[starts[b]:starts[b+1]]
		for i := 1; i < len(run); i++ {
			if bytes.Compare(run[i-1].key, run[i].key) > 0 {
				// Its keys share shared+1 bytes.
				sortNodes(run, shared+1)
				break
			}
		}
	}
	copy(ns, out)
	return ns
}

// nodeSorter sorts keyedNodes of ns.
type nodeSorter struct {
	ns  []*node
	tmp []keyedNode // scratch space as long as ns
}

func (s *nodeSorter) key(it keyedNode) []byte { return s.ns[it.i].key }

// Sizes up to which a run of nodes is sorted by comparing keys, and up to
// which (or from which) its words are sorted by insertion (or by radix):
// chosen by the instructions BenchmarkSortNodes executes.
const (
	smallSort    = 4
	insertionMax = 32
	radixMin     = 256
)

// sort sorts items whose keys share their first depth bytes and are at
// least depth bytes long; each item's word holds key bytes [depth,
// depth+8). items is at most as long as s.tmp.
func (s *nodeSorter) sort(items []keyedNode, depth int) {
	if len(items) <= smallSort {
		slices.SortFunc(items, func(a, c keyedNode) int { return bytes.Compare(s.key(a), s.key(c)) })
		return
	}
	switch {
	case len(items) >= radixMin:
		radixSortWords(items, s.tmp[:len(items)])
	case len(items) <= insertionMax:
		// Most runs: the nodes of one slot in a buffer.
		for i := 1; i < len(items); i++ {
			for j := i; j > 0 && items[j].word < items[j-1].word; j-- {
				items[j], items[j-1] = items[j-1], items[j]
			}
		}
	default:
		slices.SortFunc(items, func(a, c keyedNode) int { return cmp.Compare(a.word, c.word) })
	}
	for i := 0; i < len(items); {
		j := i + 1
		for j < len(items) && items[j].word == items[i].word {
			j++
		}
		if j-i > 1 {
			s.sortTied(items[i:j], depth)
		}
		i = j
	}
}

// sortTied sorts items whose words at depth are equal.
func (s *nodeSorter) sortTied(run []keyedNode, depth int) {
	next := depth + 8
	for _, it := range run {
		if len(s.key(it)) < next {
			// The tie may be zero padding against zero bytes.
			slices.SortFunc(run, func(a, c keyedNode) int { return bytes.Compare(s.key(a), s.key(c)) })
			return
		}
	}
	// Every key holds its 8 tied bytes: they share [0, next).
	for i := range run {
		run[i].word = keyWord(s.key(run[i]), next)
	}
	s.sort(run, next)
}

// radixSortWords sorts items by word: a least-significant-digit radix sort
// by bytes that skips the bytes in which all words agree (in the engines'
// keys most of the first 8 bytes are: database, and the user key's first
// bytes within a slot, leaving about two passes).
func radixSortWords(items, tmp []keyedNode) {
	var counts [8][256]int
	for _, it := range items {
		w := it.word
		counts[0][byte(w)]++
		counts[1][byte(w>>8)]++
		counts[2][byte(w>>16)]++
		counts[3][byte(w>>24)]++
		counts[4][byte(w>>32)]++
		counts[5][byte(w>>40)]++
		counts[6][byte(w>>48)]++
		counts[7][byte(w>>56)]++
	}
	src, dst := items, tmp
	for d := range 8 {
		c := &counts[d]
		if c[byte(items[0].word>>(8*d))] == len(items) {
			continue // every word has this byte
		}
		sum := 0
		for i, n := range c {
			c[i] = sum
			sum += n
		}
		for _, it := range src {
			b := byte(it.word >> (8 * d))
			dst[c[b]] = it
			c[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &items[0] {
		copy(items, src)
	}
}

// ordered returns a frozen buffer's newest versions with keys in [lo, hi)
// (hi nil: unbounded) in key order; it orders them once and caches.
//
// A buffer that scans kept in order while it was active (keys) is walked
// in that order, after its few unordered keys are folded in: sorting it
// whole again was 3.6% of the server's CPU under XREADGROUP+XACK (perf,
// `probe xgroup`), on the command path of the first scan after a freeze;
// walking it is about a third of that. A buffer that no scan ordered
// (writes only) is sorted.
func (b *buffer) ordered(lo, hi []byte) []*node {
	b.sortOnce.Do(func() {
		b.keysMu.Lock()
		b.mu.Lock()
		unordered := len(b.newKeys)
		b.mu.Unlock()
		walk := unordered <= b.keys.Len()/4
		b.keysMu.Unlock()
		if walk {
			keys := b.keySnapshot()
			all := b.mem.sortedNodes(keys.Len())
			keys.Scan(func(r keyRef) bool {
				all = append(all, r.h.load())
				return true
			})
			b.sorted = all
			return
		}
		// newKeys is read under keysMu: a scan that took this buffer as
		// the active one before it froze may be in keySnapshot, which
		// sorts newKeys in place under keysMu (and empties it).
		all := b.mem.sortedNodes(b.index.n)
		b.keysMu.Lock()
		b.mu.Lock()
		shared := b.shared
		inOrder := len(b.newKeys) == b.index.n // every key, as added
		if inOrder {
			for _, h := range b.newKeys {
				all = append(all, h.load())
			}
		}
		b.mu.Unlock()
		b.keysMu.Unlock()
		if inOrder {
			b.sorted = sortAdded(all, shared)
			return
		}
		b.index.each(func(h *head) { all = append(all, h.load()) })
		b.sorted = sortNodes(all, shared)
	})
	cmp := func(n *node, k []byte) int { return bytes.Compare(n.key, k) }
	i, _ := slices.BinarySearchFunc(b.sorted, lo, cmp)
	j := len(b.sorted)
	if hi != nil {
		j, _ = slices.BinarySearchFunc(b.sorted, hi, cmp)
	}
	return b.sorted[i:max(i, j)]
}

// keySnapshot returns the active buffer's keys as an immutable ordered
// snapshot, first folding in the keys added since the last call. Keys
// added later are not in it; their versions are newer than any iterator
// that took it needs (or of keys it does not read).
func (b *buffer) keySnapshot() *btree.BTreeG[keyRef] {
	b.keysMu.Lock()
	defer b.keysMu.Unlock()
	b.mu.Lock()
	fresh := b.newKeys
	b.newKeys = nil
	b.mu.Unlock()
	// In key order, each next to the one before.
	slices.SortFunc(fresh, func(x, y *head) int { return strings.Compare(x.key, y.key) })
	for _, h := range fresh {
		b.keys.SetHint(refOf(h), &b.keysHint)
	}
	if len(fresh) > 0 || b.keysSnap == nil {
		b.keysSnap = b.keys.Copy()
	}
	return b.keysSnap
}

// bufferIter yields, per key, the newest version visible at snap, in key
// order. A frozen buffer's sorted versions are indexed directly; the
// active buffer's keys are walked in a snapshot of its key B-tree, each
// key's newest version loaded from its head as the iteration reaches it (a
// head never loses a version, so a load made later sees the same version
// at snap as one made now).
type bufferIter struct {
	b     *buffer
	hi    []byte // keys >= hi are not needed (nil: unbounded)
	snap  uint64
	nodes []*node // frozen buffer
	i     int
	walk  keyWalk // active buffer
	lazy  bool
	n     *node // the visible version of the current entry
	// noDels: no range tombstone visible at snap overlaps the merge's
	// range (set by spansIn), so no entry the merge asks about is hidden.
	noDels bool
}

// keyWalk walks the active buffer's keys in a snapshot of its key B-tree,
// ascending or (rev) descending up to bound (exclusive ascending,
// inclusive descending; nil: none): the iterators of both directions.
type keyWalk struct {
	keys  btree.IterG[keyRef]
	more  bool // keys is positioned on a key not yet read
	rev   bool
	bound []byte
	probe head // the key a seek looks for (seek)
}

// start begins a walk over tr (a key snapshot) towards bound, in w's own
// iterator, and returns that iterator for the caller to position (then
// w.more says whether it is on a key). The iterator's path stack is
// reused from walk to walk: a walk lives in a pooled scan state, and a
// fresh iterator per scan, which escaped to the heap with its stack, and
// a fresh probe key were most of a short scan's allocations (XINFO
// CONSUMERS, XPENDING's summary: the collector then took a third of
// their CPU, the heap being large).
func (w *keyWalk) start(tr *btree.BTreeG[keyRef], rev bool, bound []byte) *btree.IterG[keyRef] {
	w.keys.Release()
	w.keys.Init(tr, false)
	w.more, w.rev, w.bound = false, rev, bound
	return &w.keys
}

// seek positions the walk's iterator on the first key >= key, without
// copying key; false when there is none.
func (w *keyWalk) seek(key []byte) bool {
	w.probe.key = unsafe.String(unsafe.SliceData(key), len(key))
	ok := w.keys.Seek(keyRef{f: fenceAt(key, 0), h: &w.probe})
	w.probe.key = ""
	return ok
}

// nextVisible returns the next key's version visible at snap, nil at the
// end.
func (w *keyWalk) nextVisible(snap uint64) *node {
	for w.more {
		h := w.keys.Item().h
		if w.bound != nil && (!w.rev && h.key >= string(w.bound) || w.rev && h.key < string(w.bound)) {
			w.more = false
			break
		}
		if w.rev {
			w.more = w.keys.Prev()
		} else {
			w.more = w.keys.Next()
		}
		if n := visible(h.load(), snap); n != nil {
			return n
		}
	}
	return nil
}

func (it *bufferIter) seekGE(lo []byte) {
	if it.b.frozen.Load() {
		it.nodes, it.i, it.lazy = it.b.ordered(lo, it.hi), -1, false
		it.next()
		return
	}
	it.walk.start(it.b.keySnapshot(), false, it.hi)
	it.walk.more = it.walk.seek(lo)
	it.lazy = true
	it.next()
}

func (it *bufferIter) next() {
	if it.lazy {
		it.n = it.walk.nextVisible(it.snap)
		return
	}
	for it.i++; it.i < len(it.nodes); it.i++ {
		prefetchAhead(it.nodes, it.i)
		if it.n = visible(it.nodes[it.i], it.snap); it.n != nil {
			return
		}
	}
	it.n = nil
}

// Distances, in nodes, at which a walk over nodes in key order prefetches
// ahead: a node's struct at aheadFar, its key and value at aheadNear (the
// struct prefetched aheadFar - aheadNear steps before).
const (
	aheadFar  = 12
	aheadNear = 6
)

// prefetchAhead prefetches, for a walk at ns[i], the node aheadFar ahead
// and the key and value bytes of the node aheadNear ahead. A frozen
// buffer's nodes in key order lie at random in its memory, so a flush
// visiting them in turn missed the processor's caches at each node, key
// and value, one miss after the other; the prefetches overlap them with
// the work on the nodes before. BenchmarkFlush (300,000 keys, CPU per
// entry): 700–727 ns with none; 562–588 with plain loads at 12 and 6
// (a load cannot retire before its line arrives, so the walk still
// waited for most of each miss, only later); 549–594 → 411–489 with
// prefetch instructions at 12 and 6 in place of the loads (8 and 4, 16
// and 8, 24 and 12, 32 and 16 measured alike or worse).
func prefetchAhead(ns []*node, i int) {
	if j := i + aheadFar; j < len(ns) {
		prefetch.Line(unsafe.Pointer(ns[j]))
	}
	if j := i + aheadNear; j < len(ns) {
		n := ns[j]
		// A key and its value lie back to back in a slab (buffer.alloc).
		if len(n.key) > 0 {
			prefetch.Line(unsafe.Pointer(unsafe.SliceData(n.key)))
		}
		if len(n.value) > 0 {
			prefetch.Line(unsafe.Pointer(unsafe.SliceData(n.value)))
			if len(n.value) > 64 {
				prefetch.Line(unsafe.Pointer(&n.value[64]))
			}
		}
	}
}

func (it *bufferIter) valid() bool   { return it.n != nil }
func (it *bufferIter) key() []byte   { return it.n.key }
func (it *bufferIter) value() []byte { return it.n.value }
func (it *bufferIter) kind() byte    { return it.n.kind }
func (it *bufferIter) hiddenLocal() bool {
	return !it.noDels && it.b.coverSeq(it.n.key, it.snap) > it.n.seq
}
func (it *bufferIter) spansIn(lo, hi []byte) bool {
	in := it.b.spansIn(lo, hi, it.snap)
	it.noDels = !in
	return in
}
func (it *bufferIter) covers(key []byte) bool { return it.b.coverSeq(key, it.snap) != 0 }
func (it *bufferIter) coverEnd(key []byte) []byte {
	end, _ := it.b.coverEnd(key, it.snap)
	return end
}

// skipCovered advances past the current entry (hidden by one of this
// buffer's range tombstones) and then past every following entry below
// end whose version is older than tombSeq: hidden by the same tombstone,
// found with a sequence comparison each instead of a merge step and a
// scan of the buffer's tombstones.
func (it *bufferIter) skipCovered(end []byte, tombSeq uint64) {
	it.next()
	for it.n != nil && it.n.seq < tombSeq && bytes.Compare(it.n.key, end) < 0 {
		it.next()
	}
}
func (it *bufferIter) hasSpans() bool { return len(it.b.rdels.Load().all) != 0 }
func (it *bufferIter) err() error     { return nil }

// spans returns the union of the buffer's range tombstones as sorted,
// merged intervals (for the flush).
func (b *buffer) spans() []span {
	var sp []span
	for _, rd := range b.rdels.Load().all {
		sp = append(sp, span{rd.lo, rd.hi})
	}
	return mergeSpans(sp)
}
