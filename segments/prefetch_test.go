package segments

import (
	"fmt"
	"sync"
	"testing"
)

// openPrefetchStore opens an empty store with 4 KiB blocks, a cache that
// holds every block the tests cache, and a buffer that flushes only when
// told; it closes with the test.
func openPrefetchStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.TempDir(), nil, 0, Options{BlockSize: 4 << 10, CacheSize: 64 << 20, BufferSize: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestPrefetch: Prefetch reaches the entries of keys whose blocks are
// cached, in whichever file holds them (overwritten in a newer file or
// only in the oldest, with and without the present hint), reaches nothing
// when no block is cached (it never reads one), and changes nothing: the
// cache's counters, and what reads return.
func TestPrefetch(t *testing.T) {
	s := openPrefetchStore(t)
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
			_, r := s.prefetch(keys[lo:min(lo+PrefetchMax, len(keys))], present, nil)
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

// TestPrefetchConcurrent runs Prefetch (and hinted reads) while the store is written,
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
			var hints ReadHints
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
				s.PrefetchHinted(keys, j%2 == 0, &hints)
				s.PrefetchWrites(keys)
				s.View(keys[0], func([]byte) {})
				s.ViewHinted(keys[1], j%2 == 0, &hints, func([]byte) {})
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

// TestViewHinted: reads after a PrefetchHinted of their keys answer as
// plain reads do, for keys in every layer (the buffer, the newest file
// only, overwritten in a newer file, deleted there by a tombstone or a
// range tombstone, absent), with and without present; the hints are
// used (poisoned hints change the answers), and ignored for another key
// and once a flush has changed the files. Hints are dropped once each
// was used, and once the files changed.
func TestViewHinted(t *testing.T) {
	s := openPrefetchStore(t)
	key := func(i int) []byte { return fmt.Appendf(nil, "\x00\x00\x00\x00\x12\x34key:%08d", i) }
	lsn := LSN(0)
	next := func() LSN { lsn++; return lsn }
	for i := range 6_000 {
		s.Put(next(), key(i), fmt.Appendf(nil, "v0-%d", i))
	}
	if err := s.Flush(true); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6_000; i += 3 {
		s.Put(next(), key(i), fmt.Appendf(nil, "v1-%d", i))
	}
	for i := 1; i < 6_000; i += 7 {
		s.Delete(next(), key(i))
	}
	s.DeleteRange(next(), key(2000), key(2100))
	if err := s.Flush(true); err != nil {
		t.Fatal(err)
	}
	for i := 5; i < 6_000; i += 50 {
		s.Put(next(), key(i), fmt.Appendf(nil, "v2-%d", i))
	}
	var keys [][]byte
	for i := range 6_500 { // 500 absent
		keys = append(keys, key(i))
	}
	type answer struct {
		v  string
		ok bool
	}
	read := func(k []byte, present bool, h *ReadHints) answer {
		var a answer
		var err error
		if h != nil {
			a.ok, err = s.ViewHinted(k, present, h, func(v []byte) { a.v = string(v) })
		} else if present {
			a.ok, err = s.ViewPresent(k, func(v []byte) { a.v = string(v) })
		} else {
			a.ok, err = s.View(k, func(v []byte) { a.v = string(v) })
		}
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for _, k := range keys { // cache every block
		read(k, false, nil)
	}
	var hints ReadHints
	// poison makes every hint claim that no file admits its key.
	poison := func() {
		s.mu.RLock()
		n := len(s.current.files)
		s.mu.RUnlock()
		for i := range hints.n {
			hints.hint[i].at = int32(n)
		}
	}
	for _, present := range []bool{false, true} {
		changed := 0
		for lo := 0; lo < len(keys); lo += PrefetchMax {
			batch := keys[lo:min(lo+PrefetchMax, len(keys))]
			s.PrefetchHinted(batch, present, &hints)
			if hints.n != len(batch) {
				t.Fatalf("%d hints for %d keys", hints.n, len(batch))
			}
			for _, k := range batch {
				if got, want := read(k, present, &hints), read(k, present, nil); got != want {
					t.Fatalf("present=%v %q: hinted read %+v, plain %+v", present, k, got, want)
				}
			}
			// Each hint found once, all are dropped: the reads after them
			// compare no keys.
			if hints.n != 0 {
				t.Fatalf("present=%v: %d hints kept after each was used", present, hints.n)
			}
			// Another batch's key finds no hint.
			s.PrefetchHinted(batch, present, &hints)
			other := key((lo + 3000) % len(keys))
			poison()
			if got, want := read(other, present, &hints), read(other, present, nil); got != want && !containsKey(batch, other) {
				t.Fatalf("%q: a hint for another key answered %+v, want %+v", other, got, want)
			}
			for _, k := range batch {
				if read(k, present, &hints) != read(k, present, nil) {
					changed++
				}
			}
		}
		if changed < 1000 {
			t.Fatalf("present=%v: poisoned hints changed %d answers: the hints are not used", present, changed)
		}
	}
	// A flush makes a new version: the hints no longer apply.
	s.PrefetchHinted(keys[:PrefetchMax], false, &hints)
	poison()
	s.Put(next(), key(1), []byte("v3"))
	if err := s.Flush(true); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys[:PrefetchMax] {
		if got, want := read(k, false, &hints), read(k, false, nil); got != want {
			t.Fatalf("%q after a flush: hinted read %+v, plain %+v", k, got, want)
		}
		if hints.n != 0 {
			t.Fatalf("%d hints of the old files kept after a read of the new ones", hints.n)
		}
	}
}

func containsKey(keys [][]byte, k []byte) bool {
	for _, x := range keys {
		if string(x) == string(k) {
			return true
		}
	}
	return false
}
