package memtables

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Off-heap memory for the keyspace's slot pages and indexes.
//
// Why: a key costs the keyspace about 70 bytes, and with a million keys
// that is most of keel's memory. On the Go heap every byte of it is also
// counted into the collector's heap goal, live × (1 + GOGC/100), so each
// resident byte costs 1.5 bytes of RSS (GOGC 50) and is marked on every
// cycle. Slots hold no Go pointers (keys of up to keyInline bytes live in
// the slot itself), so they can live in memory the collector never sees:
// anonymous mappings from the kernel.
//
// Contract: off-heap memory must never hold a Go pointer (the collector
// would not see it and free its target). A block stays valid while its
// *offBlock handle is reachable; when the handle becomes unreachable a
// runtime cleanup returns the memory, and free returns it at once when the
// owner knows nobody else holds the handle. Pointers derived from a block
// (a *slot, an *Entry) are valid only while some holder of the handle is
// live: the owner's table, or a Snapshot sharing the page.
//
// Page-sized blocks come from a free list over chunks of offChunk bytes,
// mapped once and never unmapped, so that a keyspace of millions of pages
// does not need a kernel mapping per page (vm.max_map_count); a freed
// page's memory goes back to the kernel (MADV_DONTNEED) and its address is
// reused. Other sizes (indexes, rarely resized) are mapped and unmapped
// whole.

// offBlock is the handle of one off-heap block.
type offBlock struct {
	p       unsafe.Pointer
	n       int
	pooled  bool // from allocPage's free list, else mapped alone
	cleanup runtime.Cleanup
}

// offChunk is how much address space the page allocator maps at a time.
const offChunk = 4 << 20

var offPages struct {
	mu   sync.Mutex
	free []unsafe.Pointer // page-sized blocks, contents discarded
}

// offInUse is the number of off-heap bytes allocated and not yet returned.
var offInUse atomic.Int64

// OffHeapBytes returns the bytes of memory the keyspace holds outside the Go
// heap (slot pages and indexes), for INFO memory: runtime.MemStats does not
// count them.
func OffHeapBytes() int64 { return offInUse.Load() }

// allocOff returns a zeroed block of n bytes, n a multiple of the OS page
// size, mapped for it alone (allocPage serves page-sized blocks).
func allocOff(n int) *offBlock {
	p := osMap(n)
	b := &offBlock{p: p, n: n}
	offInUse.Add(int64(n))
	b.cleanup = runtime.AddCleanup(b, releaseMapped, offSpan{p, n})
	return b
}

// allocPage returns a block of pageBytes whose contents are unspecified:
// the caller writes every slot before reading it.
func allocPage() *offBlock {
	offPages.mu.Lock()
	if len(offPages.free) == 0 {
		base := osMap(offChunk)
		for off := 0; off < offChunk; off += pageBytes {
			offPages.free = append(offPages.free, unsafe.Add(base, off))
		}
	}
	p := offPages.free[len(offPages.free)-1]
	offPages.free = offPages.free[:len(offPages.free)-1]
	offPages.mu.Unlock()
	b := &offBlock{p: p, n: pageBytes, pooled: true}
	offInUse.Add(int64(pageBytes))
	b.cleanup = runtime.AddCleanup(b, releasePage, p)
	return b
}

// offSpan is a mapped block's extent, for its cleanup (which must not
// reference the handle).
type offSpan struct {
	p unsafe.Pointer
	n int
}

// free returns b's memory now. The caller guarantees that nothing reads b
// again: no other holder of the handle (a Snapshot) and no pointer derived
// from it. A nil b is a no-op.
func (b *offBlock) free() {
	if b == nil || b.p == nil {
		return
	}
	b.cleanup.Stop()
	if b.pooled {
		releasePage(b.p)
	} else {
		releaseMapped(offSpan{b.p, b.n})
	}
	b.p = nil
}

func releaseMapped(s offSpan) {
	osUnmap(s.p, s.n)
	offInUse.Add(-int64(s.n))
}

func releasePage(p unsafe.Pointer) {
	osDiscard(p, pageBytes)
	offInUse.Add(-int64(pageBytes))
	offPages.mu.Lock()
	offPages.free = append(offPages.free, p)
	offPages.mu.Unlock()
}

// slotsOf returns b's memory as an empty slot slice of its capacity.
func slotsOf(b *offBlock) []slot {
	return unsafe.Slice((*slot)(b.p), b.n/int(unsafe.Sizeof(slot{})))[:0]
}

// uint32sOf returns b's memory as a uint32 slice of its length.
func uint32sOf(b *offBlock) []uint32 {
	return unsafe.Slice((*uint32)(b.p), b.n/4)
}
