package prefetch

import (
	"testing"
	"unsafe"
)

// TestLineNeverFaults: Line is a hint, called with whatever address a walk
// ahead computes, nil included; it must never fault or change memory.
func TestLineNeverFaults(t *testing.T) {
	b := make([]byte, 4096)
	for i := range b {
		b[i] = byte(i)
	}
	Line(nil)
	for i := 0; i < len(b); i += 64 {
		Line(unsafe.Pointer(&b[i]))
	}
	var p *[1 << 20]byte // never allocated
	Line(unsafe.Pointer(p))
	for i := range b {
		if b[i] != byte(i) {
			t.Fatalf("byte %d changed to %d", i, b[i])
		}
	}
}
