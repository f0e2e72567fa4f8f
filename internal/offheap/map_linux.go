package offheap

import (
	"fmt"
	"syscall"
	"unsafe"
)

// osMap maps n bytes of zeroed, private, anonymous memory. Running out of
// address space is as fatal here as it is for the Go heap.
func osMap(n int) unsafe.Pointer {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		panic(fmt.Sprintf("offheap: mapping %d bytes: %v", n, err))
	}
	return unsafe.Pointer(unsafe.SliceData(b))
}

func osUnmap(p unsafe.Pointer, n int) {
	if err := syscall.Munmap(unsafe.Slice((*byte)(p), n)); err != nil {
		panic(fmt.Sprintf("offheap: unmapping %d bytes at %p: %v", n, p, err))
	}
}

// osDiscard gives the memory of [p, p+n) back to the kernel, keeping the
// mapping: the next touch faults in a zero page (a private anonymous
// mapping's promise after MADV_DONTNEED). Should the kernel refuse, the
// block is zeroed here: a pool hands out zeroed blocks either way.
func osDiscard(p unsafe.Pointer, n int) {
	b := unsafe.Slice((*byte)(p), n)
	if syscall.Madvise(b, syscall.MADV_DONTNEED) != nil {
		clear(b)
	}
}
