package prefetch

import "unsafe"

// Line asks for the cache line holding p to be loaded into every cache
// level (PREFETCHT0). It never faults.
//
//go:noescape
func Line(p unsafe.Pointer)
