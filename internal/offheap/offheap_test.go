package offheap

import (
	"runtime"
	"testing"
	"time"
	"unsafe"
)

func bytesOf(b *Block) []byte { return unsafe.Slice((*byte)(b.Ptr()), b.Len()) }

func allZero(p []byte) bool {
	for _, c := range p {
		if c != 0 {
			return false
		}
	}
	return true
}

// Alloc rounds up to whole pages, hands out zeroed memory, and counts it
// in InUse until Free, which a second call does not repeat.
func TestAllocFree(t *testing.T) {
	base := InUse()
	b := Alloc(pageSize + 1)
	if b.Len() != 2*pageSize {
		t.Fatalf("Alloc(%d) gave %d bytes, want %d", pageSize+1, b.Len(), 2*pageSize)
	}
	if !allZero(bytesOf(b)) {
		t.Fatal("a new block is not zeroed")
	}
	if got := InUse() - base; got != int64(b.Len()) {
		t.Fatalf("InUse grew by %d, want %d", got, b.Len())
	}
	bytesOf(b)[b.Len()-1] = 1 // writable to its last byte
	b.Free()
	b.Free()
	if b.Ptr() != nil || InUse() != base {
		t.Fatalf("after Free: ptr %p, InUse %d, want %d", b.Ptr(), InUse(), base)
	}
	var none *Block
	none.Free()
}

// A pool block freed and handed out again reads zero: Get's promise, which
// users that skip initialization rely on.
func TestPoolReuseZeroed(t *testing.T) {
	p := NewPool(16 * pageSize)
	base := InUse()
	blocks := make([]*Block, 3)
	for i := range blocks {
		blocks[i] = p.Get()
		if blocks[i].Len() != p.Size() || !allZero(bytesOf(blocks[i])) {
			t.Fatalf("block %d: %d bytes, zeroed %v", i, blocks[i].Len(), allZero(bytesOf(blocks[i])))
		}
		for j := range bytesOf(blocks[i]) {
			bytesOf(blocks[i])[j] = 0xff
		}
	}
	if got := InUse() - base; got != int64(3*p.Size()) {
		t.Fatalf("InUse grew by %d, want %d", got, 3*p.Size())
	}
	addrs := map[unsafe.Pointer]bool{}
	for _, b := range blocks {
		addrs[b.Ptr()] = true
		b.Free()
	}
	if InUse() != base {
		t.Fatalf("InUse %d after freeing, want %d", InUse(), base)
	}
	for range blocks {
		b := p.Get()
		if !addrs[b.Ptr()] {
			t.Fatal("a freed block's address was not reused")
		}
		if !allZero(bytesOf(b)) {
			t.Fatal("a reused pool block is not zeroed")
		}
		b.Free()
	}
}

// A handle nobody holds returns its memory through its cleanup.
func TestCleanupReturnsUnreachable(t *testing.T) {
	p := NewPool(pageSize)
	base := InUse()
	func() {
		_ = Alloc(3 * pageSize)
		_ = p.Get()
	}()
	deadline := time.Now().Add(10 * time.Second)
	for InUse() != base {
		if time.Now().After(deadline) {
			t.Fatalf("unreachable blocks still counted: InUse %d, want %d", InUse(), base)
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}

func TestNewPoolRejectsOddSizes(t *testing.T) {
	for _, size := range []int{0, -pageSize, pageSize + 1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewPool(%d) did not panic", size)
				}
			}()
			NewPool(size)
		}()
	}
}
