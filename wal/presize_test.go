package wal

import (
	"fmt"
	"testing"

	tidwal "github.com/tidwall/wal"
)

// TestTidwallFieldsForPresize fails if a tidwall/wal upgrade renamed the
// fields presizeTail adjusts (it would then silently do nothing and the
// write path would allocate ~5x each segment again).
func TestTidwallFieldsForPresize(t *testing.T) {
	tw, err := tidwal.Open(t.TempDir(), &tidwal.Options{NoSync: true, LogFormat: tidwal.Binary})
	if err != nil {
		t.Fatal(err)
	}
	defer tw.Close()
	if !fieldsPresent(tw) {
		t.Fatal("tidwall/wal no longer has segments[].ebuf/epos: update presize.go")
	}
	presizeTail(tw, 1<<20, tailBuffers{})
	seg, _ := tailSegment(tw)
	if c := seg.FieldByName("ebuf").Cap(); c < 1<<20 {
		t.Fatalf("ebuf capacity %d after presize, want >= 1 MiB", c)
	}
	// tidwall still works on the replaced slices.
	for i := uint64(1); i <= 100; i++ {
		if err := tw.Write(i, []byte("entry")); err != nil {
			t.Fatal(err)
		}
	}
	if data, err := tw.Read(57); err != nil || string(data) != "entry" {
		t.Fatalf("Read(57) = %q, %v", data, err)
	}
}

// TestPresizeReusesSealedBuffers: at a roll the new tail takes the sealed
// segment's memory (no new allocation), and tidwall's reads and writes,
// of the sealed segment and of the tail, still see the right bytes.
func TestPresizeReusesSealedBuffers(t *testing.T) {
	const segSize = 64 << 10
	tw, err := tidwal.Open(t.TempDir(), &tidwal.Options{NoSync: true, LogFormat: tidwal.Binary, SegmentSize: segSize})
	if err != nil {
		t.Fatal(err)
	}
	defer tw.Close()
	presizeTail(tw, segSize, tailBuffers{})
	entry := func(i uint64) []byte { return fmt.Appendf(nil, "entry %d %0100d", i, i) }
	i := uint64(1)
	for ; reflectSegments(tw).Len() < 2; i++ {
		if err := tw.Write(i, entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	spare := sealedBuffers(tw)
	if !spare.ebuf.IsValid() || spare.ebuf.Cap() < segSize {
		t.Fatalf("sealed segment's buffer: valid %v", spare.ebuf.IsValid())
	}
	sealedArray := spare.ebuf.Slice(0, 1).Index(0).Addr().Pointer()
	if err := tw.ClearCache(); err != nil {
		t.Fatal(err)
	}
	presizeTail(tw, segSize, spare)
	seg, _ := tailSegment(tw)
	if got := seg.FieldByName("ebuf").Slice(0, 1).Index(0).Addr().Pointer(); got != sealedArray {
		t.Fatalf("tail buffer at %#x, the sealed segment's was at %#x", got, sealedArray)
	}
	for end := i + 50; i < end; i++ {
		if err := tw.Write(i, entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	for j := uint64(1); j < i; j++ {
		if data, err := tw.Read(j); err != nil || string(data) != string(entry(j)) {
			t.Fatalf("Read(%d) = %q, %v", j, data, err)
		}
	}
}
