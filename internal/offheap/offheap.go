// Package offheap hands out memory the Go collector never sees: anonymous
// mappings from the kernel (map_linux.go; elsewhere, byte allocations the
// package keeps alive, map_other.go).
//
// Why: memory on the Go heap is counted into the collector's heap goal,
// live × (1 + GOGC/100), so each resident byte costs 1.5 bytes of RSS at
// keel's GOGC 50, and memory that holds pointers is scanned on every
// cycle. keel's large, long-lived, self-referential structures (the
// keyspace's slot pages, the on-disk engines' write buffers) live here
// instead.
//
// # Contract
//
// The collector neither scans a block nor counts it, so:
//
//  1. A block must never hold the only reference to a Go heap object: the
//     collector would not see the reference and would free the object.
//     Pointers to other off-heap memory are fine, and so are pointers to
//     heap objects something on the heap also keeps alive.
//  2. A block stays valid while its *Block handle is reachable. When the
//     handle becomes unreachable, a runtime cleanup returns the memory;
//     Free returns it at once, for an owner that knows nothing reads the
//     block again (no other holder of the handle, no pointer derived from
//     it in use). A pointer derived from a block does not keep it alive.
//  3. Blocks are zeroed when handed out.
//
// Alloc maps a block of its own, for large and rarely resized memory
// (indexes); a Pool serves blocks of one size from chunks of at least
// 4 MiB, mapped once and never unmapped, so that millions of blocks do not
// need a kernel mapping each (vm.max_map_count). A pool block's memory
// goes back to the kernel when it is freed (MADV_DONTNEED) and its
// address is reused.
//
// InUse counts every block handed out and not yet returned, for INFO's
// used_memory (runtime.MemStats does not see it).
//
// Everything here is safe for concurrent use; a Block's Free must not race
// with another use of the same block.
package offheap

import (
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Block is the handle of one off-heap block.
type Block struct {
	p       unsafe.Pointer
	n       int
	pool    *Pool // nil: mapped alone
	cleanup runtime.Cleanup
}

// inUse is the number of off-heap bytes handed out and not yet returned.
var inUse atomic.Int64

// InUse returns the bytes of off-heap memory handed out and not yet
// returned, by every user of the package.
func InUse() int64 { return inUse.Load() }

// pageSize is the OS page size, the granule of Alloc.
var pageSize = os.Getpagesize()

// Alloc returns a zeroed block of at least n bytes (n > 0), rounded up to
// whole OS pages and mapped for it alone.
func Alloc(n int) *Block {
	n = (n + pageSize - 1) &^ (pageSize - 1)
	p := osMap(n)
	inUse.Add(int64(n))
	b := &Block{p: p, n: n}
	b.cleanup = runtime.AddCleanup(b, releaseMapped, span{p, n})
	return b
}

// Ptr returns the block's first byte. Nil after Free.
func (b *Block) Ptr() unsafe.Pointer { return b.p }

// Len returns the block's size in bytes.
func (b *Block) Len() int { return b.n }

// Free returns b's memory now. The caller guarantees that nothing reads b
// again (rule 2 of the package doc). A nil b, or one freed already, is a
// no-op.
func (b *Block) Free() {
	if b == nil || b.p == nil {
		return
	}
	b.cleanup.Stop()
	if b.pool != nil {
		b.pool.release(b.p)
	} else {
		releaseMapped(span{b.p, b.n})
	}
	b.p = nil
}

// span is a mapped block's extent, for its cleanup (which must not
// reference the handle).
type span struct {
	p unsafe.Pointer
	n int
}

func releaseMapped(s span) {
	osUnmap(s.p, s.n)
	inUse.Add(-int64(s.n))
}

// minChunk is the least address space a Pool maps at a time.
const minChunk = 4 << 20

// Pool serves blocks of one size.
type Pool struct {
	size  int
	chunk int
	mu    sync.Mutex
	free  []unsafe.Pointer // blocks of size, contents discarded
}

// NewPool returns a pool of blocks of size bytes, a positive multiple of
// the OS page size.
func NewPool(size int) *Pool {
	if size <= 0 || size%pageSize != 0 {
		panic("offheap: pool block size must be a positive multiple of the page size")
	}
	return &Pool{size: size, chunk: max(minChunk/size, 1) * size}
}

// Size returns the size of the pool's blocks.
func (p *Pool) Size() int { return p.size }

// Get returns a zeroed block of the pool's size.
func (p *Pool) Get() *Block {
	p.mu.Lock()
	if len(p.free) == 0 {
		base := osMap(p.chunk)
		for off := 0; off < p.chunk; off += p.size {
			p.free = append(p.free, unsafe.Add(base, off))
		}
	}
	ptr := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	p.mu.Unlock()
	inUse.Add(int64(p.size))
	b := &Block{p: ptr, n: p.size, pool: p}
	b.cleanup = runtime.AddCleanup(b, p.release, ptr)
	return b
}

// release discards the block at ptr and puts it on the free list.
func (p *Pool) release(ptr unsafe.Pointer) {
	osDiscard(ptr, p.size)
	inUse.Add(-int64(p.size))
	p.mu.Lock()
	p.free = append(p.free, ptr)
	p.mu.Unlock()
}
