package segments

import (
	"bytes"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
)

// BenchmarkGetScattered is a GET of a server holding 1M strings: a base
// file of 1M keys under three newer files of 100k overwrites each (what
// size-tiered compaction leaves between full compactions), random keys,
// 100-byte values, 4 KiB blocks as keel's strings engine, and a block
// cache that holds every block (the data fits in memory; KEEL_BENCH_CACHE_MB
// sets a smaller one). KEEL_BENCH_PREFETCH=1 reads the keys 16 at a time
// after a Prefetch of them, as a pipeline's GETs in the server (keeping
// its findings, which only KEEL_BENCH_HINTS=1 reads use).
func BenchmarkGetScattered(b *testing.B) {
	n, newer := 1_000_000, 3
	if v, err := strconv.Atoi(os.Getenv("KEEL_BENCH_KEYS")); err == nil && v > 0 {
		n = v // smaller for callgrind, whose cost is mostly this setup
	}
	per := n / 10
	keys := benchKeys(n, 4*n, 7)
	sorted := slices.Clone(keys)
	slices.SortFunc(sorted, bytes.Compare)
	opts := benchOptions()
	opts.CacheSize = 1 << 30
	if v, err := strconv.Atoi(os.Getenv("KEEL_BENCH_CACHE_MB")); err == nil && v > 0 {
		opts.CacheSize = int64(v) << 20 // smaller: reads that miss the cache
	}
	if v, err := strconv.Atoi(os.Getenv("KEEL_BENCH_RESTARTS")); err == nil {
		opts.RestartInterval = v // 0: the default, as keel's engines
	}
	opts.applyDefaults()
	dir := b.TempDir()
	val := make([]byte, 100)
	st := storeState{nextFile: uint64(newer) + 2}
	write := func(num uint64, ks [][]byte, seqLo uint64) {
		tw, err := newTableWriter(dir, num, uint64(len(ks)), &opts)
		if err != nil {
			b.Fatal(err)
		}
		for _, k := range ks {
			tw.add(k, val, kindValue)
		}
		hi := seqLo + uint64(len(ks)) - 1
		size, err := tw.finish(nil, LSN(seqLo), LSN(hi), seqLo, hi, 0)
		if err != nil {
			b.Fatal(err)
		}
		st.files = append([]fileMeta{{num: num, size: uint64(size)}}, st.files...)
		st.lastSeq = hi
	}
	write(1, sorted, 1)
	baseSize := st.files[0].size
	r := rand.New(rand.NewPCG(8, 0))
	for f := range newer {
		over := make([][]byte, 0, per)
		for _, i := range r.Perm(n)[:per] {
			over = append(over, sorted[i])
		}
		slices.SortFunc(over, bytes.Compare)
		write(uint64(f+2), over, st.lastSeq+1)
	}
	s, err := Open(dir, st.encode(), LSN(st.lastSeq), opts)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	present := os.Getenv("KEEL_BENCH_PRESENT") != "" // as keel's GET, which knows the key exists
	view := s.View
	if present {
		view = s.ViewPresent
	}
	// KEEL_BENCH_HINTS=1 (with KEEL_BENCH_PREFETCH): the reads start where
	// the prefetch found their keys, as the server's (ViewHinted).
	var hints ReadHints
	if os.Getenv("KEEL_BENCH_HINTS") != "" {
		view = func(k []byte, fn func([]byte)) (bool, error) { return s.ViewHinted(k, present, 0, &hints, fn) }
	}
	get := func(k []byte) {
		found, err := view(k, func([]byte) {})
		if !found || err != nil {
			b.Fatal(found, err)
		}
	}
	for _, k := range keys { // warm the cache
		get(k)
	}
	b.ReportAllocs()
	if os.Getenv("KEEL_BENCH_PREFETCH") != "" {
		// As the server's pipeline prefetch: 16 keys warmed, then read.
		pointReadLoopPrefetch(b, keys, get, func(batch [][]byte) {
			s.PrefetchHinted(batch, nil, present, &hints)
		})
	} else {
		pointReadLoop(b, keys, get)
	}
	b.ReportMetric(float64(baseSize)/float64(n), "base-bytes/key")
}

// pointReadLoop is the timed part, a function of its own so that
// cachegrind can count it alone (--toggle-collect='*pointReadLoop*').
func pointReadLoop(b *testing.B, keys [][]byte, get func([]byte)) {
	i := 0
	for b.Loop() {
		get(keys[(i*7919)%len(keys)])
		i++
	}
}

// pointReadLoopPrefetch is pointReadLoop with a Prefetch of every 16 keys
// before they are read, as the server's pipeline prefetch.
func pointReadLoopPrefetch(b *testing.B, keys [][]byte, get func([]byte), prefetch func([][]byte)) {
	batch := make([][]byte, PrefetchMax)
	i := 0
	for b.Loop() {
		if i%PrefetchMax == 0 {
			for j := range batch {
				batch[j] = keys[((i+j)*7919)%len(keys)]
			}
			prefetch(batch)
		}
		get(keys[(i*7919)%len(keys)])
		i++
	}
}
