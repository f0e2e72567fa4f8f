package segments

import (
	"fmt"
	"testing"
)

func benchStore(b *testing.B, opts Options) *Store {
	s, err := Open(b.TempDir(), nil, 0, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkPut(b *testing.B) {
	s := benchStore(b, Options{BufferSize: 16 << 20})
	val := make([]byte, 100)
	b.SetBytes(int64(len(val) + 16))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		s.Put(LSN(i), fmt.Appendf(nil, "key%012d", (i*7919)%1_000_000), val)
	}
	if err := s.Err(); err != nil {
		b.Fatal(err)
	}
}

// fill writes n keys with 100-byte values and flushes them to files.
func fill(b *testing.B, s *Store, n int) {
	val := make([]byte, 100)
	for i := range n {
		s.Put(LSN(i+1), fmt.Appendf(nil, "key%012d", i), val)
	}
	if err := s.Flush(true); err != nil {
		b.Fatal(err)
	}
	if err := s.Compact(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkGetHot reads 1000 keys whose blocks stay in the cache.
func BenchmarkGetHot(b *testing.B) {
	s := benchStore(b, Options{})
	fill(b, s, 100_000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, ok, err := s.Get(fmt.Appendf(nil, "key%012d", (i*31)%1000)); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkGetCold reads random keys of 200k through a cache far smaller
// than the data, so nearly every Get reads and verifies a block from the
// file (the OS page cache still holds the file).
func BenchmarkGetCold(b *testing.B) {
	s := benchStore(b, Options{CacheSize: 64 << 10})
	fill(b, s, 200_000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, ok, err := s.Get(fmt.Appendf(nil, "key%012d", (i*7919)%200_000)); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
	st := s.Stats()
	b.ReportMetric(float64(st.CacheMisses)/float64(st.CacheHits+st.CacheMisses), "miss-ratio")
}

func BenchmarkGetMissing(b *testing.B) {
	s := benchStore(b, Options{BufferSize: 1 << 20})
	val := make([]byte, 100)
	for i := range 100_000 {
		s.Put(LSN(i+1), fmt.Appendf(nil, "key%012d", i), val)
		if i%20000 == 0 {
			s.Flush(true)
		}
	}
	s.Flush(true)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, ok, _ := s.Get(fmt.Appendf(nil, "nokey%012d", i)); ok {
			b.Fatal("found")
		}
	}
}

// BenchmarkWriteThenScan is a write of one new key followed by a short
// scan, against an active buffer of 100,000 keys: what a command that
// writes and then reads a range (XREADGROUP) costs the store. The scan
// must not pay for the buffer's size.
func BenchmarkWriteThenScan(b *testing.B) {
	s, err := Open(b.TempDir(), nil, 0, Options{BufferSize: 1 << 30, Commit: func(uint64, []byte) error { return nil }})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	lsn := LSN(1)
	for i := range 100000 {
		s.Put(lsn, []byte(fmt.Sprintf("key%08d", i*10)), []byte("v"))
		lsn++
	}
	s.MarkApplied(lsn - 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := []byte(fmt.Sprintf("key%08d", (i*7919)%1000000|1))
		s.Put(lsn, k, []byte("v"))
		s.MarkApplied(lsn)
		lsn++
		n := 0
		if err := s.Scan(k, nil, func(_, _ []byte) bool { n++; return n < 10 }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanAfterDeleteRange reads the first live key after a range
// tombstone that hides 99,000 of 100,000 keys (half flushed to a file,
// half in the buffer): what XRANGE - + COUNT 1 costs after a large XTRIM.
// The scan must seek over the hidden keys, not step through them.
func BenchmarkScanAfterDeleteRange(b *testing.B) {
	s, err := Open(b.TempDir(), nil, 0, Options{BufferSize: 1 << 30, Commit: func(uint64, []byte) error { return nil }})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	lsn := LSN(1)
	for i := range 100000 {
		s.Put(lsn, []byte(fmt.Sprintf("key%08d", i)), []byte("v"))
		lsn++
		if i == 50000 {
			s.MarkApplied(lsn - 1)
			if err := s.Flush(true); err != nil {
				b.Fatal(err)
			}
		}
	}
	s.DeleteRange(lsn, []byte("key00000000"), []byte("key00099000"))
	s.MarkApplied(lsn)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var first []byte
		if err := s.Scan(nil, nil, func(k, _ []byte) bool { first = k; return false }); err != nil {
			b.Fatal(err)
		}
		if string(first) != "key00099000" {
			b.Fatalf("first live key %q", first)
		}
	}
}
