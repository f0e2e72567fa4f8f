package writeback

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestWriterPassesThrough: what goes through a Writer is the file's
// content, byte for byte, and its writeback is started at each Every
// bytes, each step after the one before it.
func TestWriterPassesThrough(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := New(f)
	want := make([]byte, 3*Every+Every/2)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range want {
		want[i] = byte(r.Uint32())
	}
	for p := want; len(p) > 0; {
		n := min(len(p), 256<<10+7) // chunks that do not divide Every
		if k, err := w.Write(p[:n]); err != nil || k != n {
			t.Fatalf("Write = %d, %v; want %d", k, err, n)
		}
		p = p[n:]
	}
	// Steps begin where a write first crossed each megabyte.
	if w.started < 3*Every || w.started >= 3*Every+256<<10+7 || w.prev < 2*Every || w.prev >= w.started {
		t.Errorf("after %d bytes: writeback started through %d, the step before from %d", len(want), w.started, w.prev)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("file holds %d bytes, not the %d written", len(got), len(want))
	}
}

// TestWriterError: a failed write is the Writer's error, and starts no
// writeback.
func TestWriterError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path) // read-only
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := New(f)
	if _, err := w.Write(make([]byte, 2*Every)); err == nil {
		t.Fatal("a write to a read-only file succeeded")
	}
	if w.started != 0 {
		t.Fatalf("writeback started through %d after a failed write", w.started)
	}
}
