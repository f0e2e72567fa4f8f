package segments

import (
	"fmt"
	"sync"
	"testing"
)

// TestPrefetch: Prefetch reaches the entries of keys whose blocks are
// cached, in whichever file holds them (overwritten in a newer file or
// only in the oldest, with and without the present hint), reaches nothing
// when no block is cached (it never reads one), and changes nothing: the
// cache's counters, and what reads return.
func TestPrefetch(t *testing.T) {
	opts := Options{BlockSize: 4 << 10, CacheSize: 64 << 20, BufferSize: 1 << 30}
	s, err := Open(t.TempDir(), nil, 0, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key := func(i int) []byte { return fmt.Appendf(nil, "\x00\x00\x00\x00\x12\x34key:%08d", (i*7919)%100_000) }
	value := func(i, gen int) []byte { return fmt.Appendf(nil, "%0100d", i*10+gen) }
	lsn := LSN(0)
	put := func(i, gen int) {
		lsn++
		s.Put(lsn, key(i), value(i, gen))
	}
	for i := range 20_000 {
		put(i, 0)
	}
	if err := s.Flush(true); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 25_000; i += 4 { // overwrites, and 5,000 new keys
		put(i, 1)
	}
	if err := s.Flush(true); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 20_000; i += 100 { // in the active buffer
		put(i, 2)
	}
	want := func(i int) []byte {
		switch {
		case i%100 == 1 && i < 20_000:
			return value(i, 2)
		case i%4 == 0:
			return value(i, 1)
		}
		return value(i, 0)
	}
	fileKey := func(i int) bool { return !(i%100 == 1 && i < 20_000) && (i < 20_000 || i%4 == 0) }
	var fileKeys [][]byte
	for i := range 25_000 {
		if fileKey(i) {
			fileKeys = append(fileKeys, key(i))
		}
	}
	prefetchAll := func(keys [][]byte, present bool) (reached int) {
		for lo := 0; lo < len(keys); lo += PrefetchMax {
			_, r := s.prefetch(keys[lo:min(lo+PrefetchMax, len(keys))], present)
			reached += r
		}
		return reached
	}

	// Nothing cached yet: nothing to reach, and no block is read.
	if r := prefetchAll(fileKeys, false); r != 0 {
		t.Fatalf("reached %d entries with an empty cache", r)
	}
	if _, hits, misses := s.cache.stats(); hits != 0 || misses != 0 {
		t.Fatalf("prefetch counted %d hits, %d misses", hits, misses)
	}
	check := func() {
		t.Helper()
		for i := range 25_000 {
			if i >= 20_000 && i%4 != 0 {
				continue
			}
			got, ok, err := s.Get(key(i))
			if err != nil || !ok || string(got) != string(want(i)) {
				t.Fatalf("key %d: %q %v %v, want %q", i, got, ok, err, want(i))
			}
		}
	}
	check() // caches every block
	_, hits, misses := s.cache.stats()
	for _, present := range []bool{false, true} {
		r := prefetchAll(fileKeys, present)
		// A key reaches its entry unless a newer file's filter admits it
		// falsely (about 1%) and that file's block has no cell with its
		// fingerprint.
		if r < len(fileKeys)*97/100 {
			t.Fatalf("present=%v: reached %d of %d entries", present, r, len(fileKeys))
		}
	}
	if _, h, m := s.cache.stats(); h != hits || m != misses {
		t.Fatalf("prefetch changed the cache's counters: %d/%d hits/misses, were %d/%d", h, m, hits, misses)
	}
	// Keys in the buffer, absent keys, a short and an empty batch.
	var other [][]byte
	for i := 1; i < 20_000; i += 100 {
		other = append(other, key(i))
	}
	for i := range 100 {
		other = append(other, fmt.Appendf(nil, "\x00\x00\x00\x00\x12\x34absent:%d", i))
	}
	prefetchAll(other, false)
	s.Prefetch(other[:3], true)
	s.Prefetch(nil, false)
	check()
	s.Close()
	if sink := s.Prefetch(fileKeys[:PrefetchMax], false); sink != 0 {
		t.Fatalf("a closed store prefetched (%d)", sink)
	}
}

// TestPrefetchConcurrent runs Prefetch while the store is written,
// flushed and compacted (the race detector watches).
func TestPrefetchConcurrent(t *testing.T) {
	opts := Options{BlockSize: 1 << 10, CacheSize: 8 << 20, BufferSize: 64 << 10}
	s, err := Open(t.TempDir(), nil, 0, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key := func(i int) []byte { return fmt.Appendf(nil, "\x00\x00\x00\x00\x12\x34k%d", i%3000) }
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys := make([][]byte, PrefetchMax)
			for j := g; ; j++ {
				select {
				case <-stop:
					return
				default:
				}
				for k := range keys {
					keys[k] = key(j*PrefetchMax + k)
				}
				s.Prefetch(keys, j%2 == 0)
				s.PrefetchWrites(keys)
				s.View(keys[0], func([]byte) {})
			}
		}()
	}
	for i := range 30_000 {
		s.Put(LSN(i+1), key(i*7), fmt.Appendf(nil, "value-%d", i))
		if i%5000 == 4999 {
			if err := s.Compact(); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(stop)
	wg.Wait()
}
