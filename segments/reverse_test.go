package segments

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// scanKV runs Scan (reverse=false) or ScanReverse over [lo, hi) and returns
// "key=value" strings in the order fn saw them, stopping after limit keys
// (limit <= 0: no limit).
func scanKV(t testing.TB, s *Store, reverse bool, lo, hi []byte, limit int) ([]string, error) {
	t.Helper()
	var out []string
	fn := func(k, v []byte) bool {
		out = append(out, string(k)+"="+string(v))
		return limit <= 0 || len(out) < limit
	}
	var err error
	if reverse {
		err = s.ScanReverse(lo, hi, fn)
	} else {
		err = s.Scan(lo, hi, fn)
	}
	return out, err
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

func showBound(b []byte) string {
	if b == nil {
		return "nil"
	}
	return fmt.Sprintf("%q", b)
}

// checkReverse compares ScanReverse over [lo, hi) with Scan's result
// reversed and, if model is not nil, with the model; then with early stops.
func checkReverse(t testing.TB, s *Store, model map[string]string, lo, hi []byte, what string) {
	t.Helper()
	fwd, err := scanKV(t, s, false, lo, hi, 0)
	if err != nil {
		t.Fatalf("%s: Scan[%s,%s): %v", what, showBound(lo), showBound(hi), err)
	}
	want := reversed(fwd)
	if model != nil {
		var m []string
		for k, v := range model {
			if (lo == nil || k >= string(lo)) && (hi == nil || k < string(hi)) {
				m = append(m, k+"="+v)
			}
		}
		sort.Sort(sort.Reverse(sort.StringSlice(m)))
		if fmt.Sprint(m) != fmt.Sprint(want) {
			t.Fatalf("%s: Scan[%s,%s) disagrees with the model:\n scan  %v\n model %v", what, showBound(lo), showBound(hi), want, m)
		}
	}
	got, err := scanKV(t, s, true, lo, hi, 0)
	if err != nil {
		t.Fatalf("%s: ScanReverse[%s,%s): %v", what, showBound(lo), showBound(hi), err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s: ScanReverse[%s,%s):\n got %v\nwant %v", what, showBound(lo), showBound(hi), got, want)
	}
	for _, k := range []int{1, 2, 3, len(want) / 2, len(want) - 1} {
		if k <= 0 {
			continue
		}
		got, err := scanKV(t, s, true, lo, hi, k)
		if err != nil {
			t.Fatalf("%s: ScanReverse[%s,%s) limit %d: %v", what, showBound(lo), showBound(hi), k, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want[:min(k, len(want))]) {
			t.Fatalf("%s: ScanReverse[%s,%s) limit %d:\n got %v\nwant %v", what, showBound(lo), showBound(hi), k, got, want[:min(k, len(want))])
		}
	}
}

func TestScanReverseEmpty(t *testing.T) {
	h := newHarness(t, Options{})
	for _, b := range [][2][]byte{{nil, nil}, {[]byte("a"), []byte("z")}, {[]byte("z"), []byte("a")}, {nil, []byte{}}} {
		checkReverse(t, h.s, map[string]string{}, b[0], b[1], "empty store")
	}
	// Everything deleted, in every layer.
	h.put("a", "1")
	h.put("b", "2")
	h.flush()
	h.del("a")
	h.delRange("b", "c")
	checkReverse(t, h.s, map[string]string{}, nil, nil, "all deleted, buffered")
	h.flush()
	checkReverse(t, h.s, map[string]string{}, nil, nil, "all deleted, flushed")
	if err := h.s.Compact(); err != nil {
		t.Fatal(err)
	}
	checkReverse(t, h.s, map[string]string{}, nil, nil, "all deleted, compacted")
}

// TestScanReverseLayers is TestLayers read backwards: point and range
// tombstones in the same buffer and in newer layers, overwrites across
// layers, a frozen buffer, then the same data flushed, compacted, reopened.
func TestScanReverseLayers(t *testing.T) {
	h := newHarness(t, Options{BlockSize: 64}) // a few keys per block
	for i := range 20 {
		h.put(fmt.Sprintf("k%02d", i), fmt.Sprintf("v%d", i))
	}
	h.flush()
	h.put("k01", "new1")
	h.del("k02")
	h.delRange("k10", "k15")
	h.put("k12", "back12")
	h.flush()
	h.put("k03", "frozen3")
	h.delRange("k16", "k18")
	if err := h.s.Flush(false); err != nil {
		t.Fatal(err)
	}
	h.put("k04", "active4")
	h.del("k05")
	h.put("k17", "active17")
	h.delRange("k18", "k185") // hides k18 only

	want := []string{"k19=v19", "k17=active17", "k15=v15", "k12=back12", "k09=v9", "k08=v8", "k07=v7", "k06=v6",
		"k04=active4", "k03=frozen3", "k01=new1", "k00=v0"}
	model := map[string]string{}
	for _, kv := range want {
		k, v, _ := strings.Cut(kv, "=")
		model[k] = v
	}
	bounds := [][]byte{nil, {}, []byte("a"), []byte("k"), []byte("k00"), []byte("k04"), []byte("k045"), []byte("k05"),
		[]byte("k10"), []byte("k12"), []byte("k13"), []byte("k18"), []byte("k185"), []byte("k19"), []byte("k20"), []byte("z")}
	check := func(stage string) {
		t.Helper()
		got, err := scanKV(t, h.s, true, nil, nil, 0)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: ScanReverse:\n got %v %v\nwant %v", stage, got, err, want)
		}
		for _, lo := range bounds {
			for _, hi := range bounds {
				checkReverse(t, h.s, model, lo, hi, stage)
			}
		}
	}
	check("layers")
	h.flush()
	check("flushed")
	if err := h.s.Compact(); err != nil {
		t.Fatal(err)
	}
	check("compacted")
	h.reopen()
	check("reopened")
}

// stallCommits makes every Commit wait until the returned release is
// called, so that frozen buffers stay frozen (mid-flush) meanwhile.
func stallCommits(h *harness) (release func()) {
	gate := make(chan struct{})
	h.mu.Lock()
	h.onCommit = func(LSN, []byte) error { <-gate; return nil }
	h.mu.Unlock()
	var once sync.Once
	release = func() {
		once.Do(func() { close(gate) })
		h.mu.Lock()
		h.onCommit = nil
		h.mu.Unlock()
	}
	// A failed test must not leave the flusher stuck: Close waits for it.
	h.t.Cleanup(release)
	return release
}

func TestScanReverseFrozenMidFlush(t *testing.T) {
	h := newHarness(t, Options{BlockSize: 64})
	model := map[string]string{}
	put := func(k, v string) { h.put(k, v); model[k] = v }
	for i := range 30 {
		put(fmt.Sprintf("k%02d", i), "file")
	}
	h.flush()
	release := stallCommits(h)
	put("k05", "frozen-a")
	h.delRange("k10", "k20")
	for k := range model {
		if k >= "k10" && k < "k20" {
			delete(model, k)
		}
	}
	put("k15", "frozen-a")
	if err := h.s.Flush(false); err != nil {
		t.Fatal(err)
	}
	put("k16", "frozen-b")
	h.del("k05")
	delete(model, "k05")
	put("k31", "frozen-b")
	if err := h.s.Flush(false); err != nil {
		t.Fatal(err)
	}
	h.delRange("k25", "k32")
	for k := range model {
		if k >= "k25" && k < "k32" {
			delete(model, k)
		}
	}
	put("k26", "active")
	if st := h.s.Stats(); st.FrozenBuffers != 2 {
		t.Fatalf("%d frozen buffers, want 2", st.FrozenBuffers)
	}
	bounds := [][]byte{nil, []byte("k05"), []byte("k10"), []byte("k15"), []byte("k155"), []byte("k26"), []byte("k31"), []byte("k4")}
	for _, lo := range bounds {
		for _, hi := range bounds {
			checkReverse(t, h.s, model, lo, hi, "mid-flush")
		}
	}
	release()
	h.flush()
	for _, lo := range bounds {
		for _, hi := range bounds {
			checkReverse(t, h.s, model, lo, hi, "flushed")
		}
	}
}

// TestScanReverseModel compares ScanReverse with Scan reversed and with a
// map across random writes, range deletes, flushes (waited for, not waited
// for, and stalled mid-flush), compactions and reopens. The seed is
// printed; rerun with SEGMENTS_SEED=<seed> to replay.
func TestScanReverseModel(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	steps := 3000
	if testing.Short() {
		steps = 800
	}
	for cfg := range 3 {
		// Restart intervals of 1 and 2 entries (keel's engines use 2) and
		// the default 16: reverse reads decode one interval at a time.
		opts := Options{BufferSize: int64(2<<10) << (2 * cfg), BlockSize: 64 << (2 * cfg), CacheSize: 16 << 10, RestartInterval: []int{1, 2, 16}[cfg]}
		t.Run(fmt.Sprintf("cfg%d", cfg), func(t *testing.T) { runReverseModel(t, rng, opts, steps) })
	}
}

func runReverseModel(t *testing.T, rng *rand.Rand, opts Options, steps int) {
	h := newHarness(t, opts)
	model := map[string]string{}
	seq := 0 // stream-like keys: appended in order, like XADD IDs
	key := func() string {
		if rng.IntN(3) == 0 && seq > 0 {
			return fmt.Sprintf("s%05d", rng.IntN(seq+5))
		}
		return fmt.Sprintf("k%03d", rng.IntN(300))
	}
	bound := func() []byte {
		switch rng.IntN(12) {
		case 0:
			return nil
		case 1:
			return []byte("a") // below every key
		case 2:
			return []byte("z") // above every key
		case 3:
			return []byte("k1") // a prefix, between keys
		case 4, 5:
			return []byte(key() + "\x00") // just after a key
		default:
			return []byte(key()) // on a key (present or not)
		}
	}
	stalled := func() {} // release of a stalled flush; no-op when none
	stalledWrites := 0
	checks, withFrozen, withFiles := 0, 0, 0 // coverage of the reads
	isStalled := false
	for step := range steps {
		op := rng.IntN(100)
		if isStalled && (op >= 72 && op < 86 || // would wait for a commit
			op < 72 && stalledWrites >= 4 || // could fill the active buffer and freeze it
			op >= 67 && op < 72 && h.s.Stats().FrozenBuffers >= maxFrozen) { // would wait for the flusher
			// A stalled flush blocks every commit: release it before
			// anything that would wait for one.
			stalled()
			isStalled, stalledWrites = false, 0
		}
		if isStalled && op < 67 {
			stalledWrites++
		}
		switch {
		case op < 40:
			k, v := key(), fmt.Sprintf("v%d-%s", step, bytes.Repeat([]byte{'x'}, rng.IntN(40)))
			h.put(k, v)
			model[k] = v
		case op < 50:
			k := fmt.Sprintf("s%05d", seq)
			seq++
			v := fmt.Sprintf("e%d", step)
			h.put(k, v)
			model[k] = v
		case op < 62:
			k := key()
			h.del(k)
			delete(model, k)
		case op < 67:
			lo, hi := key(), key()
			if lo > hi {
				lo, hi = hi, lo
			}
			if rng.IntN(4) == 0 {
				hi = lo + "\x00" // exactly one key
			}
			h.delRange(lo, hi)
			for k := range model {
				if k >= lo && k < hi {
					delete(model, k)
				}
			}
		case op < 72:
			// Freeze without waiting: the flusher works while we read.
			if err := h.s.Flush(false); err != nil {
				t.Fatal(err)
			}
		case op < 78:
			h.flush()
		case op < 81:
			if err := h.s.Compact(); err != nil {
				t.Fatal(err)
			}
		case op < 83:
			h.flush()
			h.reopen()
		case op < 84:
			h.recover()
		case op < 86:
			// Freeze a buffer whose flush cannot commit: it stays frozen,
			// and a second may join it, while the reads go on.
			h.flush()
			stalled = stallCommits(h)
			isStalled = true
			for range 1 + rng.IntN(3) {
				k, v := key(), fmt.Sprintf("f%d", step)
				h.put(k, v)
				model[k] = v
			}
			if err := h.s.Flush(false); err != nil {
				t.Fatal(err)
			}
		default:
			lo, hi := bound(), bound()
			if rng.IntN(4) != 0 && lo != nil && hi != nil && string(lo) > string(hi) {
				lo, hi = hi, lo
			}
			checkReverse(t, h.s, model, lo, hi, fmt.Sprintf("step %d", step))
			st := h.s.Stats()
			checks++
			if st.FrozenBuffers > 0 {
				withFrozen++
			}
			if st.Files > 1 {
				withFiles++
			}
		}
	}
	stalled()
	for _, lo := range [][]byte{nil, []byte("k1"), []byte("s")} {
		checkReverse(t, h.s, model, lo, nil, "final")
	}
	if err := h.s.Err(); err != nil {
		t.Fatal(err)
	}
	st := h.s.Stats()
	t.Logf("%d checks: %d with frozen buffers, %d with several files; at the end files=%d tiers=%v",
		checks, withFrozen, withFiles, st.Files, st.FilesPerTier)
	if checks > 100 && (withFrozen == 0 || withFiles == 0) {
		t.Errorf("the model's reads missed a layer shape")
	}
}

// TestScanReverseReadsLittle: a short reverse read of a long range reads
// about as many blocks as it returns keys' worth, seeking to hi directly.
func TestScanReverseReadsLittle(t *testing.T) {
	h := newHarness(t, Options{BlockSize: 256})
	for i := range 2000 {
		h.put(fmt.Sprintf("key%05d", i), fmt.Sprintf("value-%d", i))
	}
	h.flush()
	h.reopen() // cold cache
	blocks := func() int64 { st := h.s.Stats(); return st.CacheHits + st.CacheMisses }
	for _, tc := range []struct {
		lo, hi string
		n      int
		want   string
	}{
		{"", "", 3, "key01999"},
		{"key00000", "key01000", 3, "key00999"},
		{"key00500", "key01000\x00", 3, "key01000"},
		{"key00100", "key00101", 1, "key00100"},
	} {
		var lo, hi []byte
		if tc.lo != "" {
			lo = []byte(tc.lo)
		}
		if tc.hi != "" {
			hi = []byte(tc.hi)
		}
		before := blocks()
		var first string
		n := 0
		err := h.s.ScanReverse(lo, hi, func(k, v []byte) bool {
			if n == 0 {
				first = string(k)
			}
			n++
			return n < tc.n
		})
		if err != nil || first != tc.want || n != tc.n {
			t.Fatalf("ScanReverse[%q,%q): first %q, %d keys, %v; want %q, %d", tc.lo, tc.hi, first, n, err, tc.want, tc.n)
		}
		if read := blocks() - before; read > 2 {
			t.Fatalf("ScanReverse[%q,%q) of %d keys read %d blocks", tc.lo, tc.hi, tc.n, read)
		}
	}
	// A range below every key of the file reads no block at all.
	before := blocks()
	if got, err := scanKV(t, h.s, true, []byte("a"), []byte("b"), 0); err != nil || len(got) != 0 {
		t.Fatalf("ScanReverse[a,b) = %v, %v", got, err)
	}
	if got, err := scanKV(t, h.s, true, []byte("key02000"), nil, 0); err != nil || len(got) != 0 {
		t.Fatalf("ScanReverse[key02000,nil) = %v, %v", got, err)
	}
	if read := blocks() - before; read != 0 {
		t.Fatalf("empty reverse ranges read %d blocks", read)
	}
}

// TestTableRevIterDecodesIntervals: a file's reverse iterator seeks by
// the block's restart keys and decodes one restart interval at a time,
// never more entries than an interval holds, and walks every key of the
// file backwards from any bound, across intervals and blocks.
func TestTableRevIterDecodesIntervals(t *testing.T) {
	for _, interval := range []int{1, 2, 5} {
		h := newHarness(t, Options{BlockSize: 1 << 10, RestartInterval: interval})
		key := func(i int) string { return fmt.Sprintf("key%05d", i) }
		for i := 0; i < 2000; i += 2 { // odd keys are absent
			h.put(key(i), fmt.Sprintf("value-%d", i))
		}
		h.flush()
		h.s.mu.RLock()
		tbl := h.s.current.files[0]
		h.s.mu.RUnlock()
		if len(tbl.index) < 10 {
			t.Fatalf("interval %d: %d blocks, want many", interval, len(tbl.index))
		}
		for _, from := range []int{1999, 1998, 1001, 1000, 640, 3, 0} {
			var it tableRevIter
			it.reset(tbl, nil)
			hi := []byte(key(from))
			it.seekLT(hi)
			want := from - 1
			want -= want & 1 // the last present key below key(from)
			for ; want >= 0; want -= 2 {
				if !it.valid() || string(it.key()) != key(want) || string(it.value()) != fmt.Sprintf("value-%d", want) {
					t.Fatalf("interval %d, below %s: at %q (valid %v, %v), want %s", interval, hi, it.key(), it.valid(), it.err(), key(want))
				}
				if len(it.ents) > interval {
					t.Fatalf("interval %d, below %s, at %s: %d entries decoded", interval, hi, key(want), len(it.ents))
				}
				it.prev()
			}
			if it.valid() || it.err() != nil {
				t.Fatalf("interval %d, below %s: valid %v past the first key, err %v", interval, hi, it.valid(), it.err())
			}
			it.reset(nil, nil)
		}
	}
}

// A reverse iteration of the active buffer from the middle of its keys
// steps through them one by one to the start.
func TestScanReverseActiveBufferLazy(t *testing.T) {
	h := newHarness(t, Options{})
	for i := range 10000 {
		h.put(fmt.Sprintf("key%05d", i), "v")
	}
	it := &bufferRevIter{b: h.s.active.Load(), snap: h.s.visibleSeq.Load()}
	it.seekLT([]byte("key09000"))
	for range 5 {
		if !it.valid() {
			t.Fatal("iterator ended early")
		}
		it.prev()
	}
	if string(it.key()) != "key08994" {
		t.Fatalf("at %q, want key08994", it.key())
	}
	n := 1
	for it.prev(); it.valid(); it.prev() {
		n++
	}
	if n != 8995 {
		t.Fatalf("iterated %d keys, want 8995", n)
	}
}

func TestScanReverseStopsAndSnapshot(t *testing.T) {
	h := newHarness(t, Options{})
	for i := range 100 {
		h.put(fmt.Sprintf("%03d", i), "x")
	}
	n := 0
	h.s.ScanReverse(nil, nil, func(k, v []byte) bool {
		if n == 0 {
			h.put("000a", "late") // later write: not in this scan's snapshot
			h.put("050", "late")
		}
		if string(v) != "x" {
			t.Errorf("%s = %q: a write after the scan began is visible", k, v)
		}
		n++
		return true
	})
	if n != 100 {
		t.Fatalf("scan saw %d keys, want 100", n)
	}
}

func TestScanReverseCorruption(t *testing.T) {
	dir, state, path := buildSegment(t)
	orig, _ := os.ReadFile(path)
	orig[headerSize+5] ^= 0x40 // the first data block, as in TestCorruption
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, state, 202, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Only the first block is damaged: a reverse read that stops before it
	// succeeds, one that reaches it fails as the forward read does.
	got, err := scanKV(t, s, true, []byte("key0190"), nil, 0)
	if err != nil || len(got) != 10 || got[0] != "key0199=value-199" {
		t.Fatalf("healthy blocks: %v, %v", got, err)
	}
	_, fwdErr := scanKV(t, s, false, nil, nil, 0)
	checkCorruption(t, fwdErr, path, "block", ErrChecksum, headerSize)
	for _, b := range [][2][]byte{{nil, nil}, {nil, []byte("key0003")}, {[]byte("key0001"), []byte("key0002")}} {
		_, err := scanKV(t, s, true, b[0], b[1], 0)
		checkCorruption(t, err, path, "block", ErrChecksum, headerSize)
		if err.Error() != fwdErr.Error() {
			t.Fatalf("reverse error %q, forward %q", err, fwdErr)
		}
	}
	// The damaged block was not cached: it fails again.
	_, err = scanKV(t, s, true, nil, []byte("key0001"), 0)
	checkCorruption(t, err, path, "block", ErrChecksum, headerSize)
}

// Reverse scans run concurrently with writes, flushes and compactions and
// always see every key, in strictly descending order.
func TestScanReverseConcurrent(t *testing.T) {
	h := newHarness(t, Options{BufferSize: 16 << 10, BlockSize: 1 << 10, CacheSize: 64 << 10})
	const keys = 300
	for i := range keys {
		h.put(fmt.Sprintf("k%04d", i), "gen-0")
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	for r := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 2))
			for {
				select {
				case <-stop:
					return
				default:
				}
				a, b := rng.IntN(keys+1), rng.IntN(keys+1)
				if a > b {
					a, b = b, a
				}
				lo, hi := fmt.Appendf(nil, "k%04d", a), fmt.Appendf(nil, "k%04d", b)
				var prev []byte
				n := 0
				err := h.s.ScanReverse(lo, hi, func(k, v []byte) bool {
					if prev != nil && bytes.Compare(prev, k) <= 0 || !bytes.HasPrefix(v, []byte("gen-")) {
						errc <- fmt.Errorf("reverse scan: %q=%q after %q", k, v, prev)
						return false
					}
					prev = append(prev[:0], k...)
					n++
					return true
				})
				if err != nil || n != b-a {
					errc <- fmt.Errorf("reverse scan [%s,%s): %v, %d keys, want %d", lo, hi, err, n, b-a)
					return
				}
			}
		}()
	}
	for gen := 1; gen <= 40; gen++ {
		for i := range keys {
			h.put(fmt.Sprintf("k%04d", i), fmt.Sprintf("gen-%d", gen))
		}
		if gen%3 == 0 {
			h.delRange("x", "y") // range tombstones in layers that hide nothing
		}
		if gen%10 == 0 {
			if err := h.s.Compact(); err != nil {
				t.Fatal(err)
			}
		}
	}
	h.flush()
	stopReaders(t, stop, &wg, errc)
}

// BenchmarkScanReverseShort reads the last 10 keys of a long range, as
// XREVRANGE ... COUNT 10 does: from files (100k keys, compacted) and from
// the active buffer (50k more keys). The cost must not grow with the range.
func BenchmarkScanReverseShort(b *testing.B) {
	s := benchStore(b, Options{})
	fill(b, s, 100_000)
	val := make([]byte, 100)
	for i := range 50_000 {
		s.Put(LSN(200_000+i), fmt.Appendf(nil, "key%012d", 100_000+i), val)
	}
	for _, tc := range []struct {
		name   string
		lo, hi int
	}{{"files", 0, 100_000}, {"buffer", 0, 150_000}, {"both", 90_000, 100_005}} {
		lo, hi := fmt.Appendf(nil, "key%012d", tc.lo), fmt.Appendf(nil, "key%012d", tc.hi)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				if err := s.ScanReverse(lo, hi, func(k, v []byte) bool { n++; return n < 10 }); err != nil || n != 10 {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// A scan that starts inside a range tombstone seeks past what it hides
// (Store.Scan's skipHidden) but still returns every key written after the
// tombstone inside its range, in the same buffer, in a newer buffer or
// over older files.
func TestScanSkipsDeletedRangeKeepsNewerKeys(t *testing.T) {
	for _, flushFirst := range []bool{false, true} {
		h := newHarness(t, Options{})
		for c := 'a'; c <= 'z'; c++ {
			h.put(string(c)+"1", "old")
			h.put(string(c)+"2", "old")
		}
		if flushFirst {
			h.flush()
		}
		h.delRange("c", "x")
		h.put("m1", "new")
		h.put("d2", "new")
		var got []string
		if err := h.s.Scan(nil, nil, func(k, v []byte) bool {
			got = append(got, string(k)+"="+string(v))
			return true
		}); err != nil {
			t.Fatal(err)
		}
		want := []string{"a1=old", "a2=old", "b1=old", "b2=old", "d2=new", "m1=new",
			"x1=old", "x2=old", "y1=old", "y2=old", "z1=old", "z2=old"}
		if !slices.Equal(got, want) {
			t.Fatalf("flushed first %v: Scan = %v, want %v", flushFirst, got, want)
		}
	}
}
