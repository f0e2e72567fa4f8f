package segments

import (
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/keeldb/keel/internal/offheap"
)

// A buffer's memory: off the Go heap, and recycled.
//
// A buffer's versions live in slabs (keys and values), node and head
// chunks, a key index table and, once frozen, an array of its nodes in
// key order (buffer.go), all garbage once the buffer is flushed: about
// 300 bytes per version, most of what a store under writes allocates
// (1.0 of 1.3 GB in 300,000 MSETs of 10 keys, heap profile).
//
// Slabs and chunks are blocks of blockSize bytes off the Go heap
// (internal/offheap, blockPool): nodes and heads are all pointers, and on
// the heap a collection cycle marked every one of them, while the
// buffers' growth set the cycles off. Under 1M HSETs at pipeline 16 into
// a fresh server (a 64 MiB hashes buffer growing to ~95 MB of nodes,
// heads, slabs and index) the collector took 15% of keel's CPU. Their
// pointers point at each other and at slabs, all off the heap, except a
// node's value too large for a slab: that is on the heap, and the
// buffer's big list keeps it alive (offheap's rule 1). The key index's
// tables are blocks of their own (offheap.Alloc), and so are the tables
// it outgrew, which readers may still probe: the buffer keeps them until
// it is put back (keyIndex). The key-ordered array and the new-key list
// (pointers to nodes and heads, no more) stay on the heap.
//
// Each collection cycle is set off by allocation, so garbage set the
// collector's pace. A store instead hands a flushed buffer's memory to
// the buffers after it (bufferMem), once no reader can still be in it.
//
// Readers pin the buffers they read (buffer.pin), which fails once the
// buffer is retired; the flusher retires a buffer after removing it from
// the store's frozen list, and takes its memory back only when its pin
// count is zero (Store.reclaim). Both sides use sequentially consistent
// atomics: either the reader sees retired and backs off, or the
// flusher sees the pin and waits for a later flush. A reader that took a
// view (Store.acquire) pinned its buffers under Store.mu, where none is
// retired yet.
//
// What a reader got from a buffer (a value passed to View's or Scan's fn)
// is valid only while it holds the pin, during the call, as the read
// methods' contracts say: after it the memory may be another buffer's, or
// unmapped.
//
// Blocks the pool does not keep (beyond what the last buffer held, or an
// idle pool's) are freed at once; a buffer that never reaches the pool (a
// closed store's) leaves its blocks to their handles' cleanups.

// blockPool serves the slabs and chunks of every store's buffers.
var blockPool = offheap.NewPool(blockSize)

// bufferMem is the memory flushed buffers handed back, for the buffers
// after them. Safe for concurrent use: the writer takes, the flusher
// puts.
type bufferMem struct {
	mu    sync.Mutex
	slabs []*offheap.Block
	nodes []*offheap.Block
	heads []*offheap.Block
	table *indexTable // the last retired buffer's key index, cleared
	// sorted is the largest array of nodes in key order (buffer.sorted)
	// a retired buffer had, and keys the largest list of new keys
	// (buffer.newKeys), cleared: a buffer no scan reads adds every key
	// to that list, which grew by doubling (a fifth of what MSETs
	// allocated once the rest was recycled).
	sorted []*node
	keys   []*head
	// takes counts what writers took; dropIdle compares it with seen,
	// its count at the call before.
	takes, seen uint64
	size        int64 // heap bytes held, as last counted into pooledBytes
	offSize     int64 // off-heap bytes held, as last counted into pooledOff
}

// pooledBytes is the heap every store's bufferMem holds, for PooledBytes.
var pooledBytes atomic.Int64

// PooledBytes returns the bytes of the Go heap that stores hold for their
// next write buffers (key-ordered arrays and new-key lists; the rest is
// off the heap): live heap that will be reused, not turned into garbage
// (keel passes it to internal/gctune's Hold).
func PooledBytes() uint64 { return uint64(max(pooledBytes.Load(), 0)) }

// pooledOff is the off-heap memory every store's bufferMem holds, for
// PooledOffHeapBytes.
var pooledOff atomic.Int64

// PooledOffHeapBytes returns the bytes of off-heap blocks that stores hold
// for their next write buffers (keel passes it to internal/gctune's
// Reserve: it was held heap before the buffers left the heap, and the
// collector's floor left that much less garbage room).
func PooledOffHeapBytes() uint64 { return uint64(max(pooledOff.Load(), 0)) }

// recount counts what m holds into pooledBytes and pooledOff. Caller
// holds m.mu.
func (m *bufferMem) recount() {
	n := int64(cap(m.sorted)+cap(m.keys)) * int64(unsafe.Sizeof(uintptr(0)))
	pooledBytes.Add(n - m.size)
	m.size = n
	off := int64(len(m.slabs)+len(m.nodes)+len(m.heads)) * blockSize
	if m.table != nil {
		off += int64(m.table.mem.Len())
	}
	pooledOff.Add(off - m.offSize)
	m.offSize = off
}

// memIdleAfter is how long a store's bufferMem may go untouched before
// dropIdle frees its memory: a store that stopped writing does not keep a
// buffer's worth (up to hashes-buffer-size and its index) for writes that
// may never come.
const memIdleAfter = 5 * time.Second

// dropIdle empties m when no writer took from it since the call before.
func (m *bufferMem) dropIdle() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.takes == m.seen {
		m.dropLocked()
	}
	m.seen = m.takes
}

// drop empties m (a closed store's: PooledBytes must not keep counting
// it).
func (m *bufferMem) drop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dropLocked()
}

func (m *bufferMem) dropLocked() {
	m.slabs, m.nodes, m.heads = freeBlocks(m.slabs), freeBlocks(m.nodes), freeBlocks(m.heads)
	if m.table != nil {
		m.table.mem.Free()
	}
	m.table, m.sorted, m.keys = nil, nil, nil
	m.recount()
}

// freeBlocks frees the blocks of list, which only the pool holds, and
// returns it emptied.
func freeBlocks(list []*offheap.Block) []*offheap.Block {
	for _, b := range list {
		b.Free()
	}
	clear(list)
	return list[:0]
}

// slab, nodeChunk and headChunk return a block for a buffer's slab, node
// chunk or head chunk: a pooled one of the kind (contents undefined; a
// buffer writes every node and head it takes before publishing it), else
// a fresh one. m may be nil (no recycling).
func (m *bufferMem) slab() *offheap.Block      { return m.block(blockSlab) }
func (m *bufferMem) nodeChunk() *offheap.Block { return m.block(blockNodes) }
func (m *bufferMem) headChunk() *offheap.Block { return m.block(blockHeads) }

// The kinds of block a bufferMem pools.
const (
	blockSlab = iota
	blockNodes
	blockHeads
)

func (m *bufferMem) block(kind int) *offheap.Block {
	if m != nil {
		if b, ok := popLast(m, [...]*[]*offheap.Block{&m.slabs, &m.nodes, &m.heads}[kind]); ok {
			return b
		}
	}
	return blockPool.Get()
}

// popLast takes the last entry of *list, one of m's, under m.mu; false
// when there is none.
func popLast[T any](m *bufferMem, list *[]T) (T, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var zero T
	n := len(*list)
	if n == 0 {
		return zero, false
	}
	v := (*list)[n-1]
	(*list)[n-1] = zero
	*list = (*list)[:n-1]
	m.takes++
	m.recount()
	return v, true
}

// indexTable returns an empty key index table of at least slots slots:
// a retired buffer's of up to 8 times that, for a buffer that outgrew the
// presize (indexMaxPresize: a 64 MiB buffer of small hash fields grows its
// table to 1M slots, allocating tables of 512k and 1M on the way) will
// grow as big again.
func (m *bufferMem) indexTable(slots int) *indexTable {
	if m != nil {
		if t, ok := takeIf(m, &m.table, func(t *indexTable) bool {
			return t != nil && len(t.slots) >= slots && len(t.slots) <= 8*slots
		}); ok {
			return t
		}
	}
	return newIndexTable(slots)
}

// sortedNodes returns an empty slice of nodes with room for n.
func (m *bufferMem) sortedNodes(n int) []*node {
	if m != nil {
		if s, ok := takeIf(m, &m.sorted, func(s []*node) bool { return cap(s) >= n }); ok {
			return s[:0]
		}
	}
	return make([]*node, 0, n)
}

// newKeys returns an empty list of heads with room for n, nil when m has
// none (the list then grows as keys come: a buffer that scans read hands
// its list over at the first scan, and would drop a presized one).
func (m *bufferMem) newKeys(n int) []*head {
	if m != nil {
		if k, ok := takeIf(m, &m.keys, func(k []*head) bool { return k != nil && cap(k) >= n }); ok {
			return k[:0]
		}
	}
	return nil
}

// takeIf takes *item, one of m's single pooled items, under m.mu when
// fits accepts it; false (and *item left) otherwise.
func takeIf[T any](m *bufferMem, item *T, fits func(T) bool) (T, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var zero T
	v := *item
	if !fits(v) {
		return zero, false
	}
	*item = zero
	m.takes++
	m.recount()
	return v, true
}

// put takes back b's memory; b must be retired and unpinned. The pool
// keeps at most as much as b held, the newest first: a store that writes
// less than it flushes, or is idle, frees the rest.
func (m *bufferMem) put(b *buffer) {
	// Outside the lock: clear the index table for its next buffer
	// (keyIndex.each reads every slot, a probe every tag), free the
	// tables it outgrew (no reader is left to probe them), and zero the
	// arrays on the heap, so that they keep nothing reachable. The chunks
	// need not be zeroed: a buffer writes every node and head it takes
	// before publishing it.
	t := b.index.table.Load()
	if t != nil {
		clear(t.slots)
		clear(t.tags)
	}
	for _, o := range b.index.old {
		o.mem.Free()
	}
	b.index.old = nil
	sorted := b.sorted[:cap(b.sorted)]
	clear(sorted)
	keys := b.newKeys[:cap(b.newKeys)]
	clear(keys)
	m.mu.Lock()
	m.slabs = keepNewest(m.slabs, b.ownSlabs)
	m.nodes = keepNewest(m.nodes, b.ownNodes)
	m.heads = keepNewest(m.heads, b.ownHeads)
	if t != nil {
		if m.table != nil {
			m.table.mem.Free()
		}
		m.table = t
	}
	if cap(sorted) > cap(m.sorted) {
		m.sorted = sorted
	}
	if cap(keys) > cap(m.keys) {
		m.keys = keys[:0]
	}
	m.recount()
	m.mu.Unlock()
	b.ownSlabs, b.ownNodes, b.ownHeads, b.big = nil, nil, nil, nil
	b.slab, b.nodes, b.heads, b.sorted, b.newKeys = nil, nil, nil, nil, nil
}

// keepNewest returns pool with add appended, less its oldest entries
// beyond len(add), which it frees (only the pool holds them).
func keepNewest(pool, add []*offheap.Block) []*offheap.Block {
	pool = append(pool, add...)
	if excess := len(pool) - len(add); excess > 0 {
		for _, b := range pool[:excess] {
			b.Free()
		}
		n := copy(pool, pool[excess:])
		clear(pool[n:])
		pool = pool[:n]
	}
	return pool
}

// pinCount is a buffer's count of readers inside it, on a cache line of
// its own: the writer's stores to the buffer's other fields would
// otherwise contend with every read's pin.
type pinCount struct {
	_ [64]byte
	n atomic.Int64
	_ [56]byte
}

// pin marks a reader inside b, false when b is retired (its memory may
// be another buffer's by now: the reader must take the store's current
// buffers instead). unpin ends it.
func (b *buffer) pin() bool {
	b.pins.n.Add(1)
	if b.retired.Load() {
		b.pins.n.Add(-1)
		return false
	}
	return true
}

func (b *buffer) unpin() { b.pins.n.Add(-1) }

// pinActive returns the active buffer, pinned. A load that found a buffer
// retired meanwhile (frozen and flushed since) is stale: the store's
// active buffer is then a newer one, never retired.
func (s *Store) pinActive() *buffer {
	b := s.active.Load()
	for !b.pin() {
		b = s.active.Load()
	}
	return b
}

// retire marks b, flushed and out of the store's frozen list, as no
// longer to be read, and queues it for reclaim. Flusher only.
func (s *Store) retire(b *buffer) {
	b.retired.Store(true)
	s.retired = append(s.retired, b)
	s.reclaim()
}

// reclaim hands the memory of every retired buffer no reader is inside
// to the store's bufferMem; the others wait for the next flush. Flusher
// only.
func (s *Store) reclaim() {
	kept := s.retired[:0]
	for _, b := range s.retired {
		if b.pins.n.Load() == 0 {
			s.mem.put(b)
		} else {
			kept = append(kept, b)
		}
	}
	clear(s.retired[len(kept):])
	s.retired = kept
}
