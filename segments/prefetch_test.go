package segments

import (
	"fmt"
	"math/rand/v2"
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
			_, r := s.prefetch(keys[lo:min(lo+PrefetchMax, len(keys))], nil, present, nil)
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
				s.PrefetchHinted(keys, nil, j%2 == 0, &hints)
				s.PrefetchWrites(keys)
				s.View(keys[0], func([]byte) {})
				s.ViewHinted(keys[1], j%2 == 0, 0, &hints, func([]byte) {})
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
			a.ok, err = s.ViewHinted(k, present, 0, h, func(v []byte) { a.v = string(v) })
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
			s.PrefetchHinted(batch, nil, present, &hints)
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
			s.PrefetchHinted(batch, nil, present, &hints)
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
	s.PrefetchHinted(keys[:PrefetchMax], nil, false, &hints)
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

// TestViewNewest: reads that pass the LSN of their key's last write
// (ViewHinted's and ViewForWrite's newest, PrefetchHinted's) answer as
// the store holds, for keys in the active buffer, in one file, rewritten
// or deleted in a newer file, under a range tombstone, and absent, and so
// do reads with a later LSN than the last write (a promise that is only
// an upper bound). The promise is what the read goes by: told an LSN
// before the key's last write, it answers the older version, which it
// could not find by looking at every layer; and the prefetch records the
// file whose LSN range holds the promise, not the newest file whose
// filter admits the key.
func TestViewNewest(t *testing.T) {
	s := openPrefetchStore(t)
	const keys = 6_000
	key := func(i int) []byte { return fmt.Appendf(nil, "\x00\x00\x00\x00\x12\x34key:%08d", i) }
	type state struct {
		v    string
		live bool
		last LSN // the last write's LSN (0: never written)
		prev LSN // the LSN of the write before it
		pv   string
		pl   bool // live after it
	}
	model := make([]state, keys+500) // 500 never written
	lsn := LSN(0)
	put := func(i int, v string) {
		lsn++
		s.Put(lsn, key(i), []byte(v))
		m := &model[i]
		m.prev, m.pv, m.pl = m.last, m.v, m.live
		m.v, m.live, m.last = v, true, lsn
	}
	flush := func() {
		if err := s.Flush(true); err != nil {
			t.Fatal(err)
		}
	}
	for i := range keys {
		put(i, fmt.Sprintf("v0-%d", i))
	}
	flush()
	for i := 0; i < keys; i += 5 {
		put(i, fmt.Sprintf("v1-%d", i))
	}
	for i := 1; i < keys; i += 7 {
		lsn++
		s.Delete(lsn, key(i))
		model[i] = state{last: lsn, prev: model[i].last, pv: model[i].v, pl: model[i].live}
	}
	lsn++
	s.DeleteRange(lsn, key(2000), key(2100))
	for i := 2000; i < 2100; i++ {
		model[i] = state{last: lsn, prev: model[i].last, pv: model[i].v, pl: model[i].live}
	}
	flush()
	for i := 5; i < keys; i += 50 {
		put(i, fmt.Sprintf("v2-%d", i))
	}
	flush()
	for i := 4; i < keys; i += 11 { // left in the active buffer
		put(i, fmt.Sprintf("v3-%d", i))
	}
	// Two writes of one record: the later wins.
	lsn++
	s.Put(lsn, key(3), []byte("first"))
	s.Put(lsn, key(3), []byte("second"))
	model[3].prev, model[3].pv, model[3].pl = model[3].last, model[3].v, model[3].live
	model[3].v, model[3].live, model[3].last = "second", true, lsn
	s.mu.RLock()
	files := s.current.files
	s.mu.RUnlock()
	if len(files) != 3 {
		t.Fatalf("%d files, the test needs its 3 flushes uncompacted", len(files))
	}

	type answer struct {
		v  string
		ok bool
	}
	want := func(i int) answer { return answer{model[i].v, model[i].live} }
	read := func(i int, newest LSN, hints *ReadHints, forWrite bool) answer {
		var a answer
		var err error
		fn := func(v []byte) { a.v = string(v) }
		if forWrite {
			a.ok, err = s.ViewForWrite(key(i), model[i].live, newest, hints, fn)
		} else {
			a.ok, err = s.ViewHinted(key(i), model[i].live, newest, hints, fn)
		}
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range model {
		last := model[i].last
		if got := read(i, last, nil, false); got != want(i) {
			t.Fatalf("key %d, newest %d (its last write): %+v, want %+v", i, last, got, want(i))
		}
		if got := read(i, last, nil, true); got != want(i) {
			t.Fatalf("key %d, newest %d, for a write: %+v, want %+v", i, last, got, want(i))
		}
		above := last + LSN(rng.Uint64N(uint64(lsn-last)+1))
		if above == 0 {
			above = 1
		}
		if got := read(i, above, nil, false); got != want(i) {
			t.Fatalf("key %d, newest %d (last write %d): %+v, want %+v", i, above, last, got, want(i))
		}
	}

	// Prefetched batches, with each key's promise.
	var hints ReadHints
	for lo := 0; lo < len(model); lo += PrefetchMax {
		hi := min(lo+PrefetchMax, len(model))
		var batch [][]byte
		var newest []LSN
		for i := lo; i < hi; i++ {
			batch = append(batch, key(i))
			newest = append(newest, model[i].last)
		}
		s.PrefetchHinted(batch, newest, false, &hints)
		if hints.n != len(batch) {
			t.Fatalf("%d hints for %d keys", hints.n, len(batch))
		}
		for j := range hints.n {
			i, w := lo+j, newest[j]
			_, at := fileHolding(files, w)
			if w == 0 {
				continue // no promise: the filters decided
			}
			if got := int(hints.hint[j].at); got != at {
				t.Fatalf("key %d written last at %d: the prefetch chose file %d, the one holding that LSN is %d", i, w, got, at)
			}
		}
		for i := lo; i < hi; i++ {
			if got := read(i, model[i].last, &hints, false); got != want(i) {
				t.Fatalf("key %d after a prefetch: %+v, want %+v", i, got, want(i))
			}
		}
	}

	// A promise before the last write: the layers of the later writes
	// are not read, and the version before it answers. (Read for a
	// write: the row cache, which the reads above filled, holds the last
	// versions of these files and would answer first.)
	older := 0
	for i := range keys {
		m := model[i]
		if m.prev == 0 || !m.live {
			continue
		}
		then := answer{m.pv, m.pl}
		got := read(i, m.prev, nil, true)
		if got != then {
			t.Fatalf("key %d told %d, before its last write at %d: %+v, want its state then %+v", i, m.prev, m.last, got, then)
		}
		s.PrefetchHinted([][]byte{key(i)}, []LSN{m.prev}, false, &hints)
		if got := read(i, m.prev, &hints, true); got != then {
			t.Fatalf("key %d told %d after a prefetch: %+v, want %+v", i, m.prev, got, then)
		}
		older++
	}
	if older < 1_000 {
		t.Fatalf("only %d keys were read before their last write", older)
	}
}
