package segments

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testSeed is a randomized test's seed: SEGMENTS_SEED when set, else a
// random one. It is logged, so that a failure can be replayed.
func testSeed(t *testing.T) uint64 {
	t.Helper()
	seed := rand.Uint64()
	if s := os.Getenv("SEGMENTS_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	t.Logf("seed %d (SEGMENTS_SEED=%d to replay)", seed, seed)
	return seed
}

// harness plays the caller: it keeps the last state passed to Commit, the
// way the checkpoint manifest does, and reopens with it.
type harness struct {
	t    testing.TB
	dir  string
	opts Options
	s    *Store
	lsn  LSN
	wal  []walOp // every write, as the WAL would hold it

	mu       sync.Mutex // guards state, ckpt, onCommit
	state    []byte
	ckpt     LSN
	onCommit func(lsn LSN, st []byte) error // optional fault hook
	copied   int64                          // Stats.CopiedBlocks of the stores reopen closed
}

type walOp struct {
	lsn  LSN
	kind byte // kindValue, kindTombstone, or 0 for a range delete
	k, v string
}

func (h *harness) apply(op walOp) {
	switch op.kind {
	case kindValue:
		h.s.Put(op.lsn, []byte(op.k), []byte(op.v))
	case kindTombstone:
		h.s.Delete(op.lsn, []byte(op.k))
	default:
		h.s.DeleteRange(op.lsn, []byte(op.k), []byte(op.v))
	}
}

func newHarness(t testing.TB, opts Options) *harness {
	h := &harness{t: t, dir: t.TempDir()}
	opts.Commit = func(lsn LSN, st []byte) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.onCommit != nil {
			if err := h.onCommit(lsn, st); err != nil {
				return err
			}
		}
		if lsn < h.ckpt {
			t.Errorf("checkpoint LSN went backwards: %d after %d", lsn, h.ckpt)
		}
		h.state, h.ckpt = clone(st), lsn
		return nil
	}
	h.opts = opts
	h.open()
	t.Cleanup(func() {
		if h.s != nil {
			h.s.Close()
		}
	})
	return h
}

func (h *harness) open() {
	h.t.Helper()
	h.mu.Lock()
	st, ck := h.state, h.ckpt
	h.mu.Unlock()
	s, err := Open(h.dir, st, ck, h.opts)
	if err != nil {
		h.t.Fatalf("Open: %v", err)
	}
	h.s = s
	h.lsn = max(h.lsn, ck)
}

// reopen closes and opens with the committed state, without replaying the
// WAL: writes after the checkpoint are lost.
func (h *harness) reopen() {
	h.t.Helper()
	h.copied += h.s.Stats().CopiedBlocks
	if err := h.s.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.s = nil
	h.open()
}

// recover is reopen followed by WAL replay after the checkpoint LSN, as
// keel's recovery does.
func (h *harness) recover() {
	h.t.Helper()
	h.reopen()
	ck := h.s.CheckpointLSN()
	for _, op := range h.wal {
		if op.lsn > ck {
			h.apply(op)
		}
	}
}

func (h *harness) write(op walOp) {
	h.lsn++
	op.lsn = h.lsn
	h.wal = append(h.wal, op)
	h.apply(op)
}

func (h *harness) put(k, v string)        { h.write(walOp{kind: kindValue, k: k, v: v}) }
func (h *harness) del(k string)           { h.write(walOp{kind: kindTombstone, k: k}) }
func (h *harness) delRange(lo, hi string) { h.write(walOp{k: lo, v: hi}) }

func (h *harness) flush() {
	h.t.Helper()
	if err := h.s.Flush(true); err != nil {
		h.t.Fatalf("Flush: %v", err)
	}
}

func (h *harness) expect(k, want string, present bool) {
	h.t.Helper()
	v, ok, err := h.s.Get([]byte(k))
	if err != nil {
		h.t.Fatalf("Get(%q): %v", k, err)
	}
	if ok != present || (ok && string(v) != want) {
		h.t.Fatalf("Get(%q) = %q, %v; want %q, %v", k, v, ok, want, present)
	}
}

func (h *harness) scan(lo, hi string) []string {
	h.t.Helper()
	var out []string
	var hb []byte
	if hi != "" {
		hb = []byte(hi)
	}
	err := h.s.Scan([]byte(lo), hb, func(k, v []byte) bool {
		out = append(out, string(k)+"="+string(v))
		return true
	})
	if err != nil {
		h.t.Fatalf("Scan: %v", err)
	}
	return out
}

func TestLayers(t *testing.T) {
	h := newHarness(t, Options{})
	// Oldest file.
	for i := range 20 {
		h.put(fmt.Sprintf("k%02d", i), fmt.Sprintf("v%d", i))
	}
	h.flush()
	// Second file: overwrite, delete, range delete.
	h.put("k01", "new1")
	h.del("k02")
	h.delRange("k10", "k15")
	h.put("k12", "back12") // newer than the range tombstone in the same buffer
	h.flush()
	// Frozen buffer (flusher blocked is hard to force; freeze and check at once).
	h.put("k03", "frozen3")
	h.delRange("k16", "k18")
	if err := h.s.Flush(false); err != nil {
		t.Fatal(err)
	}
	// Active buffer.
	h.put("k04", "active4")
	h.del("k05")
	h.put("k17", "active17")

	check := func() {
		t.Helper()
		h.expect("k00", "v0", true)
		h.expect("k01", "new1", true)
		h.expect("k02", "", false)
		h.expect("k03", "frozen3", true)
		h.expect("k04", "active4", true)
		h.expect("k05", "", false)
		for i := 10; i < 15; i++ {
			if i == 12 {
				h.expect("k12", "back12", true)
				continue
			}
			h.expect(fmt.Sprintf("k%02d", i), "", false)
		}
		h.expect("k15", "v15", true)
		h.expect("k16", "", false)
		h.expect("k17", "active17", true)
		h.expect("k19", "v19", true)
		h.expect("zz", "", false)
		got := h.scan("", "")
		want := []string{"k00=v0", "k01=new1", "k03=frozen3", "k04=active4", "k06=v6", "k07=v7", "k08=v8", "k09=v9",
			"k12=back12", "k15=v15", "k17=active17", "k18=v18", "k19=v19"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Scan:\n got %v\nwant %v", got, want)
		}
		if got := h.scan("k04", "k09"); fmt.Sprint(got) != "[k04=active4 k06=v6 k07=v7 k08=v8]" {
			t.Fatalf("bounded Scan: %v", got)
		}
	}
	check()
	h.flush()
	check()
	if err := h.s.Compact(); err != nil {
		t.Fatal(err)
	}
	check()
	if st := h.s.Stats(); st.Files != 1 || st.Tombstones != 0 || st.RangeDels != 0 {
		t.Fatalf("after full compaction: %+v", st)
	}
	h.reopen()
	check()
	if h.s.CheckpointLSN() != h.lsn || h.s.AppliedLSN() != h.lsn {
		t.Fatalf("checkpoint %d applied %d, want %d", h.s.CheckpointLSN(), h.s.AppliedLSN(), h.lsn)
	}
}

func TestScanStopsAndSnapshot(t *testing.T) {
	h := newHarness(t, Options{})
	for i := range 100 {
		h.put(fmt.Sprintf("%03d", i), "x")
	}
	n := 0
	h.s.Scan(nil, nil, func(k, v []byte) bool {
		if n == 0 {
			h.put("zzz", "late") // later write: not in this scan's snapshot
		}
		n++
		return n < 1000
	})
	if n != 100 {
		t.Fatalf("scan saw %d keys, want 100", n)
	}
	n = 0
	h.s.Scan(nil, nil, func(k, v []byte) bool { n++; return n < 10 })
	if n != 10 {
		t.Fatalf("scan did not stop: %d", n)
	}
}

func TestReopenKeepsOnlyCommitted(t *testing.T) {
	h := newHarness(t, Options{})
	h.put("a", "1")
	h.put("b", "2")
	h.flush()
	committed := h.lsn
	h.put("c", "3") // never flushed: lost on reopen (the WAL would replay it)
	h.reopen()
	h.expect("a", "1", true)
	h.expect("c", "", false)
	if h.s.CheckpointLSN() != committed {
		t.Fatalf("checkpoint %d, want %d", h.s.CheckpointLSN(), committed)
	}
}

// A crash after a flush renamed its file but before the manifest kept the
// new state leaves a file that Open must delete, its data invisible.
func TestUncommittedFilesDeleted(t *testing.T) {
	h := newHarness(t, Options{})
	h.put("a", "1")
	h.flush()
	h.mu.Lock()
	oldState, oldCkpt := h.state, h.ckpt
	crashDir := t.TempDir()
	h.onCommit = func(LSN, []byte) error {
		// "Crash" at the commit: keep a copy of the directory as it is.
		copyDir(t, h.dir, crashDir)
		os.WriteFile(filepath.Join(crashDir, "000777.seg.tmp"), []byte("partial"), 0o644)
		return errors.New("crashed")
	}
	h.mu.Unlock()
	h.put("b", "2")
	if err := h.s.Flush(true); err == nil {
		t.Fatal("flush with a failing commit succeeded")
	}
	if n := len(readDir(t, crashDir)); n != 3 {
		t.Fatalf("crash image holds %d files, want 3 (committed, uncommitted, tmp)", n)
	}
	opts := h.opts
	opts.Commit = func(LSN, []byte) error { return nil }
	s, err := Open(crashDir, oldState, oldCkpt, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, ok, _ := s.Get([]byte("a")); !ok || string(v) != "1" {
		t.Fatal("committed data lost")
	}
	if _, ok, _ := s.Get([]byte("b")); ok {
		t.Fatal("uncommitted flush visible after open")
	}
	if names := readDir(t, crashDir); len(names) != 1 || names[0] != "000001.seg" {
		t.Fatalf("files after open: %v, want [000001.seg]", names)
	}
}

func readDir(t testing.TB, dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func copyDir(t testing.TB, from, to string) {
	for _, name := range readDir(t, from) {
		b, err := os.ReadFile(filepath.Join(from, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCommitFailureIsFatal(t *testing.T) {
	dir := t.TempDir()
	boom := errors.New("manifest disk full")
	s, err := Open(dir, nil, 0, Options{Commit: func(LSN, []byte) error { return boom }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Put(1, []byte("k"), []byte("v"))
	if err := s.Flush(true); !errors.Is(err, boom) {
		t.Fatalf("Flush = %v, want %v", err, boom)
	}
	if !errors.Is(s.Err(), boom) {
		t.Fatalf("Err = %v", s.Err())
	}
	if v, ok, _ := s.Get([]byte("k")); !ok || string(v) != "v" {
		t.Fatal("buffered data must stay readable after a failed flush")
	}
	if s.CheckpointLSN() != 0 {
		t.Fatal("checkpoint advanced without commit")
	}
}

func TestAutoFlushAtRecordBoundary(t *testing.T) {
	h := newHarness(t, Options{BufferSize: 4 << 10})
	val := bytes.Repeat([]byte("x"), 100)
	// Records of 10 ops each sharing one LSN: a checkpoint must never land
	// inside a record.
	for r := 1; r <= 200; r++ {
		h.lsn++
		for i := range 10 {
			h.s.Put(h.lsn, fmt.Appendf(nil, "r%04d-%d", r, i), val)
		}
	}
	h.flush()
	st := h.s.Stats()
	if st.Flushes < 10 {
		t.Fatalf("expected automatic flushes, got %d", st.Flushes)
	}
	h.reopen()
	for r := 1; r <= 200; r++ {
		h.expect(fmt.Sprintf("r%04d-9", r), string(val), true)
	}
}

func TestCompactionSpace(t *testing.T) {
	h := newHarness(t, Options{BufferSize: 32 << 10, BlockSize: 4 << 10})
	val := func(round, i int) string { return fmt.Sprintf("%04d-%03d-%s", round, i, bytes.Repeat([]byte("v"), 80)) }
	const keys = 500
	for round := range 30 {
		for i := range keys {
			switch {
			case i%7 == round%7:
				h.del(fmt.Sprintf("key%05d", i))
			default:
				h.put(fmt.Sprintf("key%05d", i), val(round, i))
			}
		}
		if round%5 == 4 {
			h.delRange("key00100", "key00150")
		}
		h.flush()
	}
	var live int64
	h.s.Scan(nil, nil, func(k, v []byte) bool { live += int64(len(k) + len(v)); return true })
	auto := h.s.Stats()
	t.Logf("automatic compaction: files=%d disk=%d live=%d tiers=%v compactions=%d", auto.Files, auto.DiskBytes, live, auto.FilesPerTier, auto.Compactions)
	if auto.DiskBytes > 4*live+64<<10 {
		t.Errorf("background compaction left %d bytes for %d live (bound: 4x)", auto.DiskBytes, live)
	}
	if err := h.s.Compact(); err != nil {
		t.Fatal(err)
	}
	st := h.s.Stats()
	if st.DiskBytes > 2*live {
		t.Fatalf("after Compact: %d bytes on disk for %d live bytes", st.DiskBytes, live)
	}
	if st.Tombstones != 0 || st.RangeDels != 0 {
		t.Fatalf("tombstones survived a full compaction: %+v", st)
	}
	// Old files are deleted once unreferenced.
	ents, _ := os.ReadDir(h.dir)
	if len(ents) != st.Files {
		t.Fatalf("%d files in dir, %d live", len(ents), st.Files)
	}
}

func TestReadAmplificationBound(t *testing.T) {
	h := newHarness(t, Options{BufferSize: 8 << 10})
	for i := range 20000 {
		h.put(fmt.Sprintf("k%06d", rand.IntN(1_000_000)), "value-value-value")
		if i%50 == 0 {
			h.s.Flush(false)
		}
	}
	h.flush()
	// Let the compactor settle.
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := h.s.Stats()
		ok := true
		for tier, n := range st.FilesPerTier {
			_ = tier
			if n >= fanout+1 { // the base may share a tier number with up to 3 others
				ok = false
			}
		}
		if ok || time.Now().After(deadline) {
			t.Logf("files=%d tiers=%v flushes=%d compactions=%d", st.Files, st.FilesPerTier, st.Flushes, st.Compactions)
			if !ok {
				t.Fatalf("tier bound violated: %v", st.FilesPerTier)
			}
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stopReaders ends a test's reader goroutines (closes stop, waits for
// wg) and fails the test with the first error they sent on errc.
func stopReaders(t *testing.T, stop chan struct{}, wg *sync.WaitGroup, errc chan error) {
	t.Helper()
	close(stop)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
}

func TestConcurrentReadsDuringFlushAndCompaction(t *testing.T) {
	h := newHarness(t, Options{BufferSize: 16 << 10, BlockSize: 1 << 10, CacheSize: 64 << 10})
	const keys = 300
	// Every key always holds a value "gen-<n>" for some n; readers check
	// they never miss a key and that scans are sorted.
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
			rng := rand.New(rand.NewPCG(uint64(r), 1))
			for {
				select {
				case <-stop:
					return
				default:
				}
				if rng.IntN(4) == 0 {
					var prev []byte
					n := 0
					each := func(k, v []byte) bool {
						if prev != nil && bytes.Compare(prev, k) >= 0 {
							errc <- fmt.Errorf("scan out of order: %q after %q", k, prev)
							return false
						}
						if !bytes.HasPrefix(v, []byte("gen-")) {
							errc <- fmt.Errorf("scan: %s = %q", k, v)
							return false
						}
						prev = append(prev[:0], k...)
						n++
						return true
					}
					// ScanLive too: its run of the buffers aliases
					// them while flushes and compactions go on.
					var err error
					if rng.IntN(2) == 0 {
						err = h.s.ScanLive(nil, nil, keys, each)
					} else {
						err = h.s.Scan(nil, nil, each)
					}
					if err != nil || n != keys {
						errc <- fmt.Errorf("scan: %v, %d keys", err, n)
						return
					}
					continue
				}
				k := fmt.Sprintf("k%04d", rng.IntN(keys))
				v, ok, err := h.s.Get([]byte(k))
				if err != nil || !ok || !bytes.HasPrefix(v, []byte("gen-")) {
					errc <- fmt.Errorf("Get(%s) = %q %v %v", k, v, ok, err)
					return
				}
			}
		}()
	}
	for gen := 1; gen <= 40; gen++ {
		for i := range keys {
			h.put(fmt.Sprintf("k%04d", i), fmt.Sprintf("gen-%d", gen))
		}
		if gen%10 == 0 {
			if err := h.s.Compact(); err != nil {
				t.Fatal(err)
			}
		}
	}
	h.flush()
	stopReaders(t, stop, &wg, errc)
	for i := range keys {
		h.expect(fmt.Sprintf("k%04d", i), "gen-40", true)
	}
}

// deleteRange deletes the keys in [lo, hi) from a model.
func deleteRange(model map[string]string, lo, hi string) {
	for k := range model {
		if k >= lo && k < hi {
			delete(model, k)
		}
	}
}

// TestModel compares the store with a map across random writes, flushes,
// compactions and reopens. The seed is printed; rerun with
// SEGMENTS_SEED=<seed> to replay.
func TestModel(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	for cfg := range 3 {
		opts := Options{BufferSize: int64(2<<10) << (2 * cfg), BlockSize: 256 << cfg, CacheSize: 32 << 10}
		t.Run(fmt.Sprintf("cfg%d", cfg), func(t *testing.T) { runModel(t, rng, opts, 3000, anyKeys(rng)) })
	}
}

// A keySpace picks the key of a model step; put says whether a value is
// written to it.
type keySpace func(put bool) string

// anyKeys picks any of 200 keys.
func anyKeys(rng *rand.Rand) keySpace {
	return func(bool) string { return fmt.Sprintf("k%03d", rng.IntN(200)) }
}

// appendedKeys writes mostly new keys above all others (a stream's ids),
// and reads, deletes and overwrites any key written so far.
func appendedKeys(rng *rand.Rand) keySpace {
	top := 0
	return func(put bool) string {
		if put && rng.IntN(10) < 8 {
			top++
			return fmt.Sprintf("k%06d", top)
		}
		return fmt.Sprintf("k%06d", rng.IntN(top+1))
	}
}

func runModel(t *testing.T, rng *rand.Rand, opts Options, steps int, keys keySpace) *harness {
	h := newHarness(t, opts)
	model := map[string]string{}
	key := func() string { return keys(false) }
	for step := range steps {
		switch op := rng.IntN(100); {
		case op < 55:
			k, v := keys(true), fmt.Sprintf("v%d-%s", step, bytes.Repeat([]byte{'x'}, rng.IntN(64)))
			h.put(k, v)
			model[k] = v
		case op < 70:
			k := key()
			h.del(k)
			delete(model, k)
		case op < 74:
			lo, hi := key(), key()
			if lo > hi {
				lo, hi = hi, lo
			}
			h.delRange(lo, hi)
			deleteRange(model, lo, hi)
		case op < 80:
			h.flush()
		case op < 82:
			if err := h.s.Compact(); err != nil {
				t.Fatal(err)
			}
		case op < 84:
			// Reopen after a flush: everything survives.
			h.flush()
			h.reopen()
		case op < 85:
			// Crash-style reopen: the unflushed buffers are lost and the
			// WAL replays them.
			h.recover()
		case op < 93:
			k := key()
			v, ok, err := h.s.Get([]byte(k))
			want, wok := model[k]
			if err != nil || ok != wok || string(v) != want {
				t.Fatalf("step %d Get(%s) = %q %v %v, want %q %v", step, k, v, ok, err, want, wok)
			}
		default:
			lo, hi := key(), key()
			if lo > hi {
				lo, hi = hi, lo
			}
			got := h.scan(lo, hi)
			var want []string
			for k, v := range model {
				if k >= lo && k < hi {
					want = append(want, k+"="+v)
				}
			}
			sort.Strings(want)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("step %d Scan[%s,%s):\n got %v\nwant %v", step, lo, hi, got, want)
			}
			// Told the range's live keys, ScanLive yields the same (its
			// body, which ScanLive skips for small ranges).
			var live []string
			if err := h.s.scan([]byte(lo), []byte(hi), int64(len(want)), func(k, v []byte) bool {
				live = append(live, string(k)+"="+string(v))
				return true
			}); err != nil {
				t.Fatalf("step %d ScanLive: %v", step, err)
			}
			if fmt.Sprint(live) != fmt.Sprint(want) {
				t.Fatalf("step %d ScanLive[%s,%s) of %d keys:\n got %v\nwant %v", step, lo, hi, len(want), live, want)
			}
		}
	}
	if err := h.s.Err(); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestReaderReleasesToReaper: the files a compaction replaced are closed
// and deleted by the store's reaper, not by the reader that releases them
// last (an event loop), and Compact waits for those queued.
func TestReaderReleasesToReaper(t *testing.T) {
	h := newHarness(t, Options{BufferSize: 1 << 20})
	// A reaper whose goroutine has not started: what it is handed waits.
	h.s.reaper.stop()
	r := &reaper{ch: make(chan reapJob, reapQueue), done: make(chan struct{})}
	h.s.reaper = r
	var started sync.Once
	start := func() { started.Do(func() { go r.run() }) }
	t.Cleanup(start) // before the harness closes the store, which stops r
	var vw view
	for round := 0; ; round++ {
		for i := range 200 {
			h.put(fmt.Sprintf("k%04d", i), fmt.Sprintf("v%d", round))
		}
		if err := h.s.Flush(true); err != nil {
			t.Fatal(err)
		}
		var err error
		if vw, err = h.s.acquire(); err != nil {
			t.Fatal(err)
		}
		if len(vw.v.files) >= 2 {
			break
		}
		vw.release()
	}
	held := vw.v.files
	// compactOnce, not Compact: Compact waits for the reaper, which
	// here has not started.
	if _, err := h.s.compactOnce(true); err != nil {
		t.Fatal(err)
	}
	exists := func(t0 *table) bool { _, err := os.Stat(t0.path); return err == nil }
	for _, t0 := range held {
		if !t0.obsolete.Load() || !exists(t0) {
			t.Fatalf("%s: obsolete %v, on disk %v while a reader holds it", t0.path, t0.obsolete.Load(), exists(t0))
		}
	}
	vw.release()
	if len(r.ch) != len(held) {
		t.Fatalf("%d files handed to the reaper, want %d", len(r.ch), len(held))
	}
	for _, t0 := range held {
		if !exists(t0) {
			t.Fatalf("%s: deleted by the releasing reader", t0.path)
		}
	}
	// Compact returns once the reaper has deleted what was queued.
	start()
	if err := h.s.Compact(); err != nil {
		t.Fatal(err)
	}
	for _, t0 := range held {
		if exists(t0) {
			t.Fatalf("%s: still on disk when Compact returned", t0.path)
		}
	}
	if v, ok, err := h.s.Get([]byte("k0007")); err != nil || !ok || string(v) == "" {
		t.Fatalf("Get after the reaper: %q %v %v", v, ok, err)
	}
}

// A flush drops the tombstone of a key written and deleted within the
// buffer when no file may hold the key, so such a key leaves nothing on
// disk; a delete of a key the files may hold stays, and so does a delete
// alone in the buffer (not asked about: most are of keys written long
// ago). Through restarts and compactions the reads agree.
func TestFlushDropsTombstonesNoFileHolds(t *testing.T) {
	h := newHarness(t, Options{})
	for i := range 100 {
		h.put(fmt.Sprintf("old%03d", i), "v")
	}
	h.flush()
	h.del("old007")                // alone in the buffer: kept
	h.del("never")                 // alone too: kept, unasked
	h.put("old010", "v2")          // the file holds it: kept
	h.del("old010")                //
	h.put("new001", "v")           // born and gone in this buffer
	h.del("new001")                //
	h.put("old0505", "v")          // inside the file's key range, not in it
	h.del("old0505")               //
	h.put("old050", "overwritten") // a live overwrite, untouched
	h.flush()
	files := h.files()
	if len(files) != 2 {
		t.Fatalf("%d files, want 2", len(files))
	}
	if got := files[0].props.tombstones; got != 3 {
		t.Fatalf("the flush wrote %d tombstones, want 3 (old007, never, old010)", got)
	}
	if got := files[0].props.entries; got != 4 {
		t.Fatalf("the flush wrote %d entries, want 4 (three tombstones, old050)", got)
	}
	check := func() {
		t.Helper()
		for _, k := range []string{"old007", "old010", "new001", "never", "old0505"} {
			h.expect(k, "", false)
		}
		h.expect("old050", "overwritten", true)
		h.expect("old008", "v", true)
	}
	check()
	h.reopen()
	check()
	if err := h.s.Compact(); err != nil {
		t.Fatal(err)
	}
	check()
}

// TestScanLiveBuffersAlone: when the buffers hold as many live keys of a
// range as the caller says it has, ScanLive reads no file (the block
// cache sees no lookup) and yields the buffers' versions; when they hold
// fewer (one key left only in the file, one deleted in the buffer), it
// merges the files too.
func TestScanLiveBuffersAlone(t *testing.T) {
	h := newHarness(t, Options{BufferSize: 1 << 20})
	for i := range 50 {
		h.put(fmt.Sprintf("h:%02d", i), "old")
	}
	h.put("i:00", "other")
	h.flush()
	for i := range 50 {
		h.put(fmt.Sprintf("h:%02d", i), "new")
	}
	lookups := func() int64 { st := h.s.Stats(); return st.CacheHits + st.CacheMisses }
	scanLive := func(live int64) (out []string) {
		t.Helper()
		if err := h.s.ScanLive([]byte("h:"), []byte("h;"), live, func(k, v []byte) bool {
			out = append(out, string(k)+"="+string(v))
			return true
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := lookups()
	got := scanLive(50)
	if n := lookups() - before; n != 0 {
		t.Errorf("ScanLive of a range the buffer holds whole: %d block cache lookups, want none", n)
	}
	if want := h.scan("h:", "h;"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ScanLive = %v, want %v", got, want)
	}
	if lookups() == before {
		t.Fatal("Scan made no block cache lookup: the check above cannot fail")
	}

	// h:50 only in the file, h:07 deleted in the buffer: 50 live keys,
	// 49 of them in the buffer.
	h.put("h:50", "x")
	h.flush()
	for i := range 50 {
		h.put(fmt.Sprintf("h:%02d", i), "newer")
	}
	h.del("h:07")
	want := h.scan("h:", "h;")
	if len(want) != 50 {
		t.Fatalf("Scan found %d keys, want 50", len(want))
	}
	if got := scanLive(50); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ScanLive with a key in the file alone = %v, want %v", got, want)
	}
}
