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
