package segments

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// TestKeyIndexConcurrent has readers look keys up while the writer adds
// new keys (through several table growths) and overwrites old ones: a key
// added before a lookup began is found, with a version at least as new as
// the last one written before, and a key never added is absent.
func TestKeyIndexConcurrent(t *testing.T) {
	const n = 20_000
	b := testBuffer(t, 0, nil)
	key := func(i int) []byte { return fmt.Appendf(nil, "key:%d", i) }
	var added atomic.Int64 // keys 0..added-1 are in the index
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			for j := 0; !stop.Load(); j++ {
				k := int(added.Load())
				if k == 0 {
					continue
				}
				i := (j*7919 + r) % k
				nd := b.newest(key(i))
				if nd == nil || string(nd.key) != string(key(i)) {
					errs <- fmt.Errorf("key %d of %d not found (%v)", i, k, nd)
					return
				}
				if b.newest(fmt.Appendf(nil, "absent:%d", j)) != nil {
					errs <- fmt.Errorf("absent key %d found", j)
					return
				}
			}
		}(r)
	}
	var seq uint64
	for i := 0; i < n; i++ {
		seq++
		k := key(i)
		b.add(LSN(seq), seq, kindValue, k, []byte("v"))
		added.Store(int64(i + 1))
		if i%3 == 0 { // overwrite an older key
			seq++
			b.add(LSN(seq), seq, kindValue, key(i/2), []byte("w"))
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if b.index.n != n {
		t.Fatalf("index holds %d keys, want %d", b.index.n, n)
	}
	count := 0
	b.index.each(func(h *head) {
		count++
		if b.newest([]byte(h.key)) != h.load() {
			t.Fatalf("key %q: lookup and head disagree", h.key)
		}
	})
	if count != n {
		t.Fatalf("each visited %d heads, want %d", count, n)
	}
	// Overwrites chain to the previous version.
	for i := 0; i < n; i += 3 {
		nd := b.newest(key(i / 2))
		if string(nd.value) != "w" || nd.prev == nil {
			t.Fatalf("key %d: newest %q, prev %v", i/2, nd.value, nd.prev)
		}
	}
}

// TestBufferPresizedFromPrevious: the buffer that replaces a frozen one
// starts with an index for the frozen one's key count (at most half
// full, within indexMaxPresize), so it does not grow through doublings.
func TestBufferPresizedFromPrevious(t *testing.T) {
	s, err := Open(t.TempDir(), nil, 0, Options{BufferSize: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const keys = 5000
	for i := range keys {
		s.Put(LSN(i+1), fmt.Appendf(nil, "key:%d", i), []byte("v"))
		s.Put(LSN(i+1), fmt.Appendf(nil, "key:%d", i), []byte("v2")) // versions are not keys
	}
	s.MarkApplied(keys)
	if err := s.Flush(true); err != nil {
		t.Fatal(err)
	}
	if n := len(s.active.Load().index.table.Load().slots); n < 2*keys || n > 4*keys {
		t.Fatalf("new buffer's index has %d slots after a buffer of %d keys", n, keys)
	}
	if n := len(newBuffer(10*indexMaxPresize, nil).index.table.Load().slots); n != indexMaxPresize {
		t.Fatalf("index of %d slots, cap %d", n, indexMaxPresize)
	}
	if n := len(newBuffer(0, nil).index.table.Load().slots); n != indexMinSlots {
		t.Fatalf("empty buffer's index has %d slots, want %d", n, indexMinSlots)
	}
}

// TestBufferOverwrite: add copies what it keeps (the caller's slices may
// change after), an overwrite shares its head's key and is charged its
// value and a node, and every version stays readable at its snapshot.
func TestBufferOverwrite(t *testing.T) {
	b := testBuffer(t, 0, nil)
	key, val := []byte("stream:meta"), []byte("v1")
	b.add(1, 1, kindValue, key, val)
	first := b.bytes.Load()
	if want := int64(len(key) + len(val) + nodeOverhead); first != want {
		t.Fatalf("a new key charged %d bytes, want %d", first, want)
	}
	val[1] = '2'
	b.add(2, 2, kindValue, key, val)
	if got, want := b.bytes.Load()-first, int64(len(val)+versionOverhead); got != want {
		t.Fatalf("an overwrite charged %d bytes, want %d", got, want)
	}
	copy(key, "XXXXXXXXXXX")
	val[1] = '3'
	for snap, want := range map[uint64]string{1: "v1", 2: "v2", 3: "v2"} {
		n, _ := b.get([]byte("stream:meta"), snap)
		if n == nil || string(n.key) != "stream:meta" || string(n.value) != want {
			t.Fatalf("at snapshot %d: %+v, want %q", snap, n, want)
		}
	}
	n := b.newest([]byte("stream:meta"))
	if &n.key[0] != &n.prev.key[0] {
		t.Fatal("the overwrite copied the key again")
	}
}
