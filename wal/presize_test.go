package wal

import (
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
	presizeTail(tw, 1<<20)
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

// TestPresizeReusesSealed: after a roll the new tail takes over the
// sealed segment's buffers (no fresh allocation), keeps its own entries,
// and the sealed segment is still readable through tidwall (from its
// file).
func TestPresizeReusesSealed(t *testing.T) {
	const segSize = 1 << 16
	tw, err := tidwal.Open(t.TempDir(), &tidwal.Options{NoSync: true, LogFormat: tidwal.Binary, SegmentSize: segSize})
	if err != nil {
		t.Fatal(err)
	}
	defer tw.Close()
	presizeTail(tw, segSize)
	seg, _ := tailSegment(tw)
	first := seg.FieldByName("ebuf").Pointer()
	entry := make([]byte, 1000)
	var i uint64
	for i = 1; ; i++ { // write until tidwall rolls
		entry[0] = byte(i)
		if err := tw.Write(i, entry); err != nil {
			t.Fatal(err)
		}
		if s, _ := tailSegment(tw); s.FieldByName("ebuf").Pointer() != first {
			break
		}
	}
	presizeTail(tw, segSize)
	seg, _ = tailSegment(tw)
	if got := seg.FieldByName("ebuf").Pointer(); got != first {
		t.Errorf("the new tail's buffer is at %#x, want the sealed segment's %#x", got, first)
	}
	sealed, _ := sealedSegment(tw)
	if n := sealed.FieldByName("ebuf").Cap(); n != 0 {
		t.Errorf("sealed segment keeps a buffer of capacity %d", n)
	}
	for j := uint64(1); j <= i+5; j++ {
		if j > i {
			entry[0] = byte(j)
			if err := tw.Write(j, entry); err != nil {
				t.Fatal(err)
			}
		}
	}
	for j := uint64(1); j <= i+5; j++ {
		data, err := tw.Read(j)
		if err != nil || len(data) != len(entry) || data[0] != byte(j) {
			t.Fatalf("Read(%d) = %d bytes starting %v, %v", j, len(data), data[:min(1, len(data))], err)
		}
	}
}
