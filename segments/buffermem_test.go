package segments

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/keeldb/keel/internal/offheap"
)

// recycledValue is the value of key k at generation gen: k, gen and a
// filler derived from both, so that a reader can tell a value that is not
// whole and k's (bytes of another buffer's version) from a real one.
func recycledValue(k string, gen int) string {
	fill := bytes.Repeat([]byte{byte('a' + (len(k)+gen)%26)}, 40+gen%7)
	return fmt.Sprintf("%s|%d|%s", k, gen, fill)
}

// checkRecycled reports whether v is a value recycledValue made for k.
func checkRecycled(k, v []byte) error {
	var gen int
	rest, ok := bytes.CutPrefix(v, append(bytes.Clone(k), '|'))
	if !ok {
		return fmt.Errorf("value %q is not %q's", v, k)
	}
	if _, err := fmt.Sscanf(string(rest), "%d|", &gen); err != nil {
		return fmt.Errorf("value %q of %q: %v", v, k, err)
	}
	if want := recycledValue(string(k), gen); string(v) != want {
		return fmt.Errorf("value of %q = %q, want %q", k, v, want)
	}
	return nil
}

// Readers inside a buffer while it is flushed and its memory goes to the
// buffers after it see every value whole: point reads, scans both ways,
// with the callbacks yielding so that flushes land in the middle of them.
// Point reads run on their own too: a scan's pins would otherwise keep
// the buffers a point read is in. The store must also have recycled
// memory, or the test proves nothing.
func TestRecycledBuffersKeepReadersValues(t *testing.T) {
	t.Run("views", func(t *testing.T) { testRecycledReaders(t, []int{0}) })
	t.Run("mixed", func(t *testing.T) { testRecycledReaders(t, []int{0, 1, 2}) })
}

// testRecycledReaders runs TestRecycledBuffersKeepReadersValues with
// readers choosing among ops: 0 View, 1 Scan, 2 ScanReverse.
func testRecycledReaders(t *testing.T, ops []int) {
	h := newHarness(t, Options{BufferSize: 8 << 10, BlockSize: 1 << 10, CacheSize: 64 << 10})
	const keys = 200
	key := func(i int) string { return fmt.Sprintf("k%04d", i) }
	for i := range keys {
		h.put(key(i), recycledValue(key(i), 0))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	report := func(err error) {
		select {
		case errc <- err:
		default:
		}
	}
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 7))
			check := func(k, v []byte) bool {
				if err := checkRecycled(k, v); err != nil {
					report(err)
					return false
				}
				switch rng.IntN(32) {
				case 0, 1, 2:
					runtime.Gosched()
				case 3:
					// Stay until two more flushes ended (or 20ms went by):
					// the buffer read is then flushed, and its memory,
					// were it not pinned, would hold a later buffer's.
					f := h.s.flushes.Load()
					for deadline := time.Now().Add(20 * time.Millisecond); h.s.flushes.Load() < f+2 && time.Now().Before(deadline); {
						time.Sleep(50 * time.Microsecond)
					}
				}
				// Read the value again after the pause: it must not have
				// changed under the reader.
				if err := checkRecycled(k, v); err != nil {
					report(fmt.Errorf("after a pause: %w", err))
					return false
				}
				return true
			}
			for {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				switch ops[rng.IntN(len(ops))] {
				case 0:
					k := []byte(key(rng.IntN(keys)))
					var found bool
					found, err = h.s.View(k, func(v []byte) { check(k, v) })
					if err == nil && !found {
						err = fmt.Errorf("View(%s): not found", k)
					}
				case 1:
					err = h.s.Scan(nil, nil, check)
				default:
					err = h.s.ScanReverse(nil, nil, check)
				}
				if err != nil {
					report(err)
					return
				}
			}
		}()
	}
	for gen := 1; gen <= 150; gen++ {
		for i := range keys {
			h.put(key(i), recycledValue(key(i), gen))
		}
	}
	h.flush()
	stopReaders(t, stop, &wg, errc)
	for i := range keys {
		h.expect(key(i), recycledValue(key(i), 150), true)
	}
	h.s.mem.mu.Lock()
	takes := h.s.mem.takes
	h.s.mem.mu.Unlock()
	if takes == 0 {
		t.Fatal("no buffer memory was recycled")
	}
}

// A buffer a scan is inside when it is flushed keeps its memory until the
// scan ends: later buffers take none of it, and the scan reads every
// value whole. The next flush after the scan reclaims it.
func TestPinnedBufferNotReclaimed(t *testing.T) {
	h := newHarness(t, Options{BufferSize: 1 << 20})
	const keys = 100
	key := func(i int) string { return fmt.Sprintf("k%04d", i) }
	for i := range keys {
		h.put(key(i), recycledValue(key(i), 0))
	}
	pinned := h.s.active.Load()
	entered, resume := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		n := 0
		err := h.s.Scan(nil, nil, func(k, v []byte) bool {
			if n == 0 {
				close(entered)
				<-resume
			}
			n++
			if err := checkRecycled(k, v); err != nil {
				done <- err
				return false
			}
			return true
		})
		if err == nil && n != keys {
			err = fmt.Errorf("scan read %d keys, want %d", n, keys)
		}
		done <- err
	}()
	<-entered
	h.flush() // the scan's buffer: flushed and retired, still pinned
	if !pinned.retired.Load() || len(h.s.retired) != 1 || h.s.retired[0] != pinned {
		t.Fatalf("after the flush: retired %v, list %d", pinned.retired.Load(), len(h.s.retired))
	}
	if pinned.pin() {
		t.Fatal("a retired buffer took a new pin")
	}
	// More buffers, written and flushed, while the scan waits: none may
	// take the pinned buffer's memory, which still holds its slabs.
	for gen := 1; gen <= 3; gen++ {
		for i := range keys {
			h.put(key(i), recycledValue(key(i), gen))
		}
		h.flush()
	}
	if len(pinned.ownSlabs) == 0 || len(h.s.retired) != 1 {
		t.Fatalf("the pinned buffer lost its memory: %d slabs, %d retired", len(pinned.ownSlabs), len(h.s.retired))
	}
	close(resume)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	h.put(key(0), recycledValue(key(0), 4))
	h.flush()
	if len(h.s.retired) != 0 || pinned.ownSlabs != nil {
		t.Fatalf("after the scan and a flush: %d retired, pinned buffer's slabs %d", len(h.s.retired), len(pinned.ownSlabs))
	}
	// Closing the store takes its pool out of PooledBytes and
	// PooledOffHeapBytes, its blocks freed.
	mem := h.s.mem
	if mem.size == 0 || mem.offSize == 0 {
		t.Fatal("the pool holds nothing after four flushes")
	}
	pooled := slices.Clone(mem.slabs)
	if err := h.s.Close(); err != nil {
		t.Fatal(err)
	}
	h.s = nil
	if mem.size != 0 || mem.offSize != 0 || len(mem.slabs) != 0 {
		t.Fatalf("a closed store's pool counts %d + %d bytes, %d slabs", mem.size, mem.offSize, len(mem.slabs))
	}
	for _, blk := range pooled {
		if blk.Ptr() != nil {
			t.Fatal("a closed store's pooled block is still mapped")
		}
	}
}

// The pool keeps the newest buffer's worth, and empties when no writer
// took from it between two idle checks.
func TestBufferMemBoundAndIdle(t *testing.T) {
	m := new(bufferMem)
	fill := func(n int) *buffer {
		b := testBuffer(t, 0, nil)
		for i := range n {
			b.add(LSN(i+1), uint64(i+1), kindValue, fmt.Appendf(nil, "k%06d", i), bytes.Repeat([]byte{'v'}, 1000))
		}
		b.ordered(nil, nil) // its nodes in key order, as a flush leaves them
		b.retired.Store(true)
		return b
	}
	big, small := fill(500), fill(100)
	bigSlabs, smallSlabs := len(big.ownSlabs), len(small.ownSlabs)
	if bigSlabs <= smallSlabs || smallSlabs == 0 {
		t.Fatalf("slabs: %d and %d", bigSlabs, smallSlabs)
	}
	m.put(big)
	if len(m.slabs) != bigSlabs || m.table == nil || big.ownSlabs != nil {
		t.Fatalf("after put: pool %d slabs, table %v; buffer kept %d", len(m.slabs), m.table != nil, len(big.ownSlabs))
	}
	if cap(m.sorted) < 500 || cap(m.keys) < 500 || big.sorted != nil || big.newKeys != nil {
		t.Fatalf("after put: pool's sorted array %d, key list %d", cap(m.sorted), cap(m.keys))
	}
	// The heap and the blocks off it are counted apart (PooledBytes,
	// PooledOffHeapBytes).
	if want := int64(cap(m.sorted)+cap(m.keys)) * 8; m.size != want {
		t.Fatalf("pool counted %d heap bytes, holds %d in its arrays", m.size, want)
	}
	if want := int64(len(m.slabs)+len(m.nodes)+len(m.heads))*blockSize + int64(m.table.mem.Len()); m.offSize != want {
		t.Fatalf("pool counted %d off-heap bytes, holds %d", m.offSize, want)
	}
	bigBlocks := slices.Concat(m.slabs, m.nodes, m.heads, []*offheap.Block{m.table.mem})
	m.put(small)
	if len(m.slabs) != smallSlabs {
		t.Fatalf("pool holds %d slabs after a buffer of %d", len(m.slabs), smallSlabs)
	}
	// What the pool let go is freed at once, not left to cleanups.
	for _, blk := range bigBlocks {
		if blk.Ptr() != nil {
			t.Fatal("a block the pool dropped is still mapped")
		}
	}
	smallBlocks := slices.Concat(m.slabs, m.nodes, m.heads, []*offheap.Block{m.table.mem})
	for _, w := range m.table.tags {
		if w != 0 {
			t.Fatal("a recycled index table is not cleared")
		}
	}
	if cap(m.sorted) < 500 || cap(m.keys) < 500 {
		t.Fatal("a smaller buffer's arrays replaced the larger ones")
	}
	for _, n := range m.sorted[:cap(m.sorted)] {
		if n != nil {
			t.Fatal("a recycled sorted array still points at nodes")
		}
	}
	// A buffer drawing from the pool gets the recycled memory.
	b := testBuffer(t, 400, m)
	b.add(1, 1, kindValue, []byte("k"), []byte("v"))
	if m.takes == 0 || len(m.slabs) != smallSlabs-1 || cap(b.newKeys) < 500 || m.keys != nil {
		t.Fatalf("takes %d, pool %d slabs, key list %d", m.takes, len(m.slabs), cap(b.newKeys))
	}
	if got := b.ordered(nil, nil); len(got) != 1 || cap(b.sorted) < 500 || m.sorted != nil {
		t.Fatalf("ordered: %d nodes in an array of %d", len(got), cap(b.sorted))
	}
	m.dropIdle() // a writer took since the last check: kept
	if len(m.slabs) == 0 {
		t.Fatal("dropIdle emptied a pool in use")
	}
	m.dropIdle() // nothing taken since: dropped
	if len(m.slabs) != 0 || len(m.nodes) != 0 || len(m.heads) != 0 || m.table != nil || m.size != 0 || m.offSize != 0 {
		t.Fatalf("idle pool kept %d slabs, %d node chunks, %d head chunks, %d + %d bytes counted", len(m.slabs), len(m.nodes), len(m.heads), m.size, m.offSize)
	}
	taken := slices.Concat(b.ownSlabs, b.ownNodes, b.ownHeads, []*offheap.Block{b.index.table.Load().mem})
	for _, blk := range smallBlocks {
		if held := slices.Contains(taken, blk); held == (blk.Ptr() == nil) {
			t.Fatalf("block held by the new buffer %v, freed %v", held, blk.Ptr() == nil)
		}
	}
}

// A value too large for a slab is on the heap, pointed at only by a node
// off it: the buffer keeps it alive (big), through collections that
// reuse what they free.
func TestBufferBigValuesSurviveCollections(t *testing.T) {
	b := testBuffer(t, 0, nil)
	val := func(i int) []byte { return bytes.Repeat([]byte{byte('a' + i%26)}, slabMax+1+i) }
	for i := range 200 {
		b.add(LSN(i+1), uint64(i+1), kindValue, fmt.Appendf(nil, "k%03d", i), val(i))
	}
	var junk [][]byte
	for range 3 {
		runtime.GC()
		for i := range 2000 {
			junk = append(junk, bytes.Repeat([]byte{'x'}, slabMax+1+i%200))
		}
	}
	runtime.KeepAlive(junk)
	for i := range 200 {
		h := b.index.get(fmt.Appendf(nil, "k%03d", i))
		if h == nil {
			t.Fatalf("k%03d missing", i)
		}
		if got := h.load().value; !bytes.Equal(got, val(i)) {
			t.Fatalf("k%03d's %d-byte value changed after collections", i, len(got))
		}
	}
}

// A recycled key index serves a buffer asking for at most as many slots,
// down to an eighth of them; smaller or much larger asks get a new one.
func TestBufferMemIndexTableSizes(t *testing.T) {
	m := new(bufferMem)
	for _, c := range []struct {
		have, ask int
		reused    bool
	}{
		{1 << 12, 1 << 12, true},
		{1 << 14, 1 << 12, true},
		{1 << 15, 1 << 12, true},
		{1 << 16, 1 << 12, false},
		{1 << 12, 1 << 13, false},
	} {
		pooled := newIndexTable(c.have)
		m.table = pooled
		got := m.indexTable(c.ask)
		if (got == pooled) != c.reused || len(got.slots) < c.ask {
			t.Errorf("pool of %d slots, asked %d: got %d slots, reused %v", c.have, c.ask, len(got.slots), got == pooled)
		}
	}
}

// The index tables a buffer outgrew stay mapped while readers may probe
// them, and are freed when the buffer's memory goes back to the pool.
func TestBufferOutgrownTablesFreedOnPut(t *testing.T) {
	m := new(bufferMem)
	b := testBuffer(t, 0, m)
	for i := range 2000 {
		b.add(LSN(i+1), uint64(i+1), kindValue, fmt.Appendf(nil, "k%05d", i), []byte("v"))
	}
	old := slices.Clone(b.index.old)
	if len(old) == 0 {
		t.Fatal("2000 keys did not grow the index")
	}
	for _, o := range old {
		if o.mem.Ptr() == nil {
			t.Fatal("an outgrown table was freed while the buffer is live")
		}
	}
	if b.index.get([]byte("k01999")) == nil {
		t.Fatal("k01999 missing")
	}
	b.retired.Store(true)
	m.put(b)
	for _, o := range old {
		if o.mem.Ptr() != nil {
			t.Fatal("an outgrown table outlived the buffer's put")
		}
	}
	if m.table == nil || m.table.mem.Ptr() == nil {
		t.Fatal("the buffer's current table was not pooled")
	}
}

// testBuffer is newBuffer for a test, kept reachable until the test ends:
// the buffer's memory is off the Go heap, and the nodes, keys and values
// a test holds do not keep it alive as the buffer does (offheap's rule 2).
func testBuffer(t testing.TB, keys int, mem *bufferMem) *buffer {
	b := newBuffer(keys, mem)
	t.Cleanup(func() { runtime.KeepAlive(b) })
	return b
}
