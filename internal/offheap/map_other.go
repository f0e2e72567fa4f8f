//go:build !linux

package offheap

import (
	"sync"
	"unsafe"
)

// Elsewhere than Linux the "off-heap" blocks are Go allocations of bytes
// (which the collector does not scan) kept alive by a table of their own:
// correct, without the saving in collector work on the heap goal.

var (
	osBlocksMu sync.Mutex
	osBlocks   = map[unsafe.Pointer][]byte{}
)

func osMap(n int) unsafe.Pointer {
	b := make([]byte, n)
	p := unsafe.Pointer(unsafe.SliceData(b))
	osBlocksMu.Lock()
	osBlocks[p] = b
	osBlocksMu.Unlock()
	return p
}

func osUnmap(p unsafe.Pointer, n int) {
	osBlocksMu.Lock()
	delete(osBlocks, p)
	osBlocksMu.Unlock()
}

// osDiscard zeroes the block, as a discarded mapping reads after
// MADV_DONTNEED on Linux: a pool's blocks are zero when handed out again.
func osDiscard(p unsafe.Pointer, n int) { clear(unsafe.Slice((*byte)(p), n)) }
