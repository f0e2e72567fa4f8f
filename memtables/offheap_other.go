//go:build !linux

package memtables

import (
	"sync"
	"unsafe"
)

// Elsewhere than Linux the "off-heap" blocks are Go allocations kept alive
// by a table of their own: correct, without the memory saving.

var (
	offPagesMapMu sync.Mutex
	osBlocks      = map[unsafe.Pointer][]byte{}
)

func osMap(n int) unsafe.Pointer {
	b := make([]byte, n)
	p := unsafe.Pointer(unsafe.SliceData(b))
	offPagesMapMu.Lock()
	osBlocks[p] = b
	offPagesMapMu.Unlock()
	return p
}

func osUnmap(p unsafe.Pointer, n int) {
	offPagesMapMu.Lock()
	delete(osBlocks, p)
	offPagesMapMu.Unlock()
}

func osDiscard(p unsafe.Pointer, n int) {}
