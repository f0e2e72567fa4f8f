package segments

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
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
	s := benchStore(b, Options{BufferSize: 1 << 30})
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
	s := benchStore(b, Options{BufferSize: 1 << 30})
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

// benchKeys returns n distinct random keys shaped like the strings
// engine's (phys <4b> │ slot <2b> │ user key), 20 to 30 bytes long and
// sharing the phys prefix and the user keys' "key:" prefix, in random
// order. The same seed gives the same keys; an id always gives the same
// key, so key sets drawn with different seeds overlap.
func benchKeys(n int, space int, seed uint64) [][]byte {
	r := rand.New(rand.NewPCG(seed, 0))
	seen := make(map[int]bool, n)
	keys := make([][]byte, 0, n)
	for len(keys) < n {
		id := r.IntN(space)
		if seen[id] {
			continue
		}
		seen[id] = true
		k := binary.BigEndian.AppendUint32(nil, 0)
		k = binary.BigEndian.AppendUint16(k, uint16(uint32(id)*2654435761>>18)) // a slot per id
		// 10 to 20 digits: an id zero-padded to a width that depends on it.
		k = fmt.Appendf(k, "key:%0*d", 10+id%11, id)
		keys = append(keys, k)
	}
	return keys
}

// benchOptions are keel's strings engine's options.
func benchOptions() Options {
	return Options{BufferSize: 1 << 40, BlockSize: 4 << 10, CacheSize: 8 << 20,
		Slot: func(k []byte) uint16 { return binary.BigEndian.Uint16(k[4:6]) }}
}

// BenchmarkFlush flushes a buffer of 300,000 random keys with 100-byte
// values to a new file (sort, encode, bloom filter, checksums, fsync).
// Each iteration fills a new buffer, in random key order as the writer
// fills it, untimed: a flushed buffer's memory goes to its store's
// buffer pool (bufferMem.put zeroes its nodes), so it cannot be flushed
// again (reflushing one made this benchmark measure an empty flush).
func BenchmarkFlush(b *testing.B) {
	const n = 300_000
	keys := benchKeys(n, 1_000_000, 1)
	val := make([]byte, 100)
	root := b.TempDir()
	var cpu time.Duration
	var entries int64
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		buf := newBuffer(0, nil)
		for i, k := range keys {
			kv := buf.alloc(len(k) + len(val))
			copy(kv, k)
			copy(kv[len(k):], val)
			buf.add(LSN(i+1), uint64(i+1), kindValue, kv[:len(k):len(k)], kv[len(k):])
		}
		dir := filepath.Join(root, strconv.Itoa(i))
		s, err := Open(dir, nil, 0, benchOptions())
		if err != nil {
			b.Fatal(err)
		}
		s.active.Store(buf)
		s.MarkApplied(n)
		c0 := cpuTime()
		b.StartTimer()
		if err := s.Flush(true); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - c0
		entries += s.Stats().Entries
		s.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	if entries != int64(b.N)*n {
		b.Fatalf("%d entries flushed in %d flushes of %d keys", entries, b.N, n)
	}
	reportPerEntry(b, cpu, n)
}

// cpuTime returns the CPU time (user + system) the process has used: a
// flush or compaction runs on background goroutines, and the collector
// works beside them.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportPerEntry reports wall-clock and CPU time per entry of input, n
// entries per iteration.
func reportPerEntry(b *testing.B, cpu time.Duration, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*n), "cpu-ns/entry")
}

// BenchmarkCompact merges 4 files of 250,000 keys each, drawn from 1M
// keys (so they overlap), into one. The files are written once; each
// iteration opens a store over hard links to them and compacts it.
func BenchmarkCompact(b *testing.B) {
	const files, n = 4, 250_000
	src := b.TempDir()
	opts := benchOptions()
	opts.applyDefaults()
	val := make([]byte, 100)
	st := storeState{nextFile: files + 1, lastSeq: files * n}
	for f := range files {
		keys := benchKeys(n, 1_000_000, uint64(f+10))
		slices.SortFunc(keys, bytes.Compare)
		tw, err := newTableWriter(src, uint64(f+1), n, &opts)
		if err != nil {
			b.Fatal(err)
		}
		for _, k := range keys {
			tw.add(k, val, kindValue)
		}
		lo := uint64(f*n + 1)
		size, err := tw.finish(nil, lo, lo+n-1, lo, lo+n-1, 0)
		if err != nil {
			b.Fatal(err)
		}
		st.files = append([]fileMeta{{num: uint64(f + 1), size: uint64(size)}}, st.files...)
	}
	state, lsn := st.encode(), LSN(files*n)
	var entries uint64
	var cpu time.Duration
	root := b.TempDir()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		dir := filepath.Join(root, strconv.Itoa(i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for _, f := range st.files {
			if err := os.Link(filepath.Join(src, segName(f.num)), filepath.Join(dir, segName(f.num))); err != nil {
				b.Fatal(err)
			}
		}
		o := benchOptions()
		s, err := Open(dir, state, lsn, o)
		if err != nil {
			b.Fatal(err)
		}
		c0 := cpuTime()
		b.StartTimer()
		// The compactor Open wakes may run it first; Compact then waits
		// for it and finds nothing left to do.
		if err := s.Compact(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - c0
		if got := s.Stats(); got.Files != 1 {
			b.Fatalf("%d files after Compact", got.Files)
		}
		entries += uint64(s.Stats().Entries)
		s.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	reportPerEntry(b, cpu, files*n)
	b.ReportMetric(float64(entries)/float64(b.N), "out-entries")
}

// BenchmarkSortNodes sorts the 300,000 newest versions of a frozen buffer
// as the flush does (the first step of BenchmarkFlush).
func BenchmarkSortNodes(b *testing.B) {
	const n = 300_000
	val := make([]byte, 100)
	buf := newBuffer(0, nil)
	for i, k := range benchKeys(n, 1_000_000, 1) {
		kv := buf.alloc(len(k) + len(val))
		copy(kv, k)
		copy(kv[len(k):], val)
		buf.add(LSN(i+1), uint64(i+1), kindValue, kv[:len(k):len(k)], kv[len(k):])
	}
	all := make([]*node, 0, n)
	buf.index.each(func(h *head) { all = append(all, h.load()) })
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		sortNodes(all, 0)
	}
	reportPerEntry(b, cpuTime()-c0, n)
	runtime.KeepAlive(buf) // the nodes are its memory, off the heap
}

// BenchmarkGetParallel is Get of cached blocks from every processor at
// once (GET at pipeline 16: the block cache's locks are shared).
func BenchmarkGetParallel(b *testing.B) {
	s := benchStore(b, Options{})
	fill(b, s, 100_000)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if _, ok, err := s.Get(fmt.Appendf(nil, "key%012d", (i*7919)%100_000)); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
}

// BenchmarkGetBufferedParallel is Get of keys in the active buffer from
// every processor at once (HGET at pipeline 16 of fields just written):
// the buffer's index is read by all cores.
func BenchmarkGetBufferedParallel(b *testing.B) {
	s := benchStore(b, Options{BufferSize: 64 << 20})
	val := make([]byte, 100)
	for i := range 100_000 {
		s.Put(LSN(i+1), fmt.Appendf(nil, "key%012d", i), val)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		var k []byte
		for pb.Next() {
			i++
			k = fmt.Appendf(k[:0], "key%012d", (i*7919)%100_000)
			if _, ok, err := s.Get(k); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
}

// BenchmarkOverwriteAmp is keel's strings engine under uniform random
// overwrites (redis-benchmark -t set -r 1000000 -d 100): 1M keys, 100-byte
// values, a flush every 8 MiB of buffered writes, the compactor run to
// completion after each flush. It reports the write amplification (bytes
// written by flushes and compactions per byte flushed: wa; from when the
// store holds every key: wa-steady; by full compactions alone: wa-full),
// and the most files and the highest space amplification seen after a
// compaction round.
func BenchmarkOverwriteAmp(b *testing.B) {
	const keys, writes, warm = 1_000_000, 5_000_000, 2_000_000
	perFlush := int(8<<20) / (22 + 100 + nodeOverhead)
	for b.Loop() {
		var mu sync.Mutex // guards flushed, full, seen, lastLSN (the background compactor commits too)
		var flushed, flushedWarm, full int64
		var seen = map[uint64]bool{}
		var lastLSN LSN
		opts := benchOptions()
		opts.Commit = func(lsn LSN, state []byte) error {
			mu.Lock()
			defer mu.Unlock()
			st, err := decodeState(state)
			if err != nil {
				return err
			}
			for i, f := range st.files {
				if !seen[f.num] {
					seen[f.num] = true
					switch {
					case lsn != lastLSN: // a flush commits a new checkpoint LSN
						flushed += int64(f.size)
					case i == len(st.files)-1:
						full += int64(f.size)
					}
				}
			}
			lastLSN = lsn
			return nil
		}
		s, err := Open(b.TempDir(), nil, 0, opts)
		if err != nil {
			b.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		val := make([]byte, 100)
		var k []byte
		var compactedWarm int64
		maxFiles, maxAmp := 0, 0.0
		for i := 1; i <= writes; i++ {
			id := r.IntN(keys)
			k = binary.BigEndian.AppendUint32(k[:0], 0)
			k = binary.BigEndian.AppendUint16(k, uint16(uint32(id)*2654435761>>18))
			k = fmt.Appendf(k, "key:%012d", id)
			s.Put(LSN(i), k, val)
			if i%perFlush == 0 || i == writes {
				s.MarkApplied(LSN(i))
				if err := s.Flush(true); err != nil {
					b.Fatal(err)
				}
				for {
					did, err := s.compactOnce(false)
					if err != nil {
						b.Fatal(err)
					}
					if !did {
						break
					}
				}
				st := s.Stats()
				if i >= warm {
					// Every key is live by now: the live data is about
					// keys entries the size of the base's.
					maxFiles = max(maxFiles, st.Files)
					s.mu.RLock()
					files := s.current.files
					base := files[len(files)-1]
					live := int64(keys) * base.size / int64(max(base.props.entries, 1))
					s.mu.RUnlock()
					maxAmp = max(maxAmp, float64(st.DiskBytes)/float64(live))
				}
				if i < warm {
					mu.Lock()
					flushedWarm, compactedWarm = flushed, st.CompactedBytes
					mu.Unlock()
				}
			}
		}
		st := s.Stats()
		s.Close()
		b.ReportMetric(float64(flushed+st.CompactedBytes)/float64(flushed), "wa")
		b.ReportMetric(float64(flushed-flushedWarm+st.CompactedBytes-compactedWarm)/float64(flushed-flushedWarm), "wa-steady")
		b.ReportMetric(float64(full)/float64(flushed), "wa-full")
		b.ReportMetric(float64(maxFiles), "max-files")
		b.ReportMetric(maxAmp, "max-space-amp")
	}
}

// BenchmarkScanShadowed scans 100 keys (a small hash's fields) among
// 100,000 other keys, what HGETALL costs the store: the 100 keys only in
// the active buffer (buffer), only in a file (shadowed=false), or in a
// file and again, newer, in the buffer (shadowed=true: a hash rewritten
// since the last flush). One op is one scan of the 100 keys.
func BenchmarkScanShadowed(b *testing.B) {
	// live: ScanLive, told the range's 100 live keys.
	for _, layout := range []string{"buffer", "shadowed=false", "shadowed=true", "shadowed=true,live"} {
		b.Run(layout, func(b *testing.B) {
			s := benchStore(b, Options{BufferSize: 1 << 30})
			lsn := LSN(1)
			put := func(k string) {
				s.Put(lsn, []byte(k), []byte("value-of-a-field"))
				lsn++
			}
			putHash := func() {
				for i := range 100 {
					put(fmt.Sprintf("h100:field:%03d", i))
				}
			}
			for i := range 100000 {
				put(fmt.Sprintf("other:%08d", i*7919%100000))
			}
			if layout != "buffer" {
				putHash()
				s.MarkApplied(lsn - 1)
				if err := s.Flush(true); err != nil {
					b.Fatal(err)
				}
				for i := range 100000 {
					put(fmt.Sprintf("other:%08d", i*7919%100000+1))
				}
			}
			if layout != "shadowed=false" {
				putHash()
			}
			s.MarkApplied(lsn - 1)
			lo, hi := []byte("h100:"), []byte("h100;")
			live := strings.HasSuffix(layout, ",live")
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				count := func(_, _ []byte) bool { n++; return true }
				var err error
				if live {
					err = s.ScanLive(lo, hi, 100, count)
				} else {
					err = s.Scan(lo, hi, count)
				}
				if err != nil || n != 100 {
					b.Fatalf("scanned %d keys, %v", n, err)
				}
			}
		})
	}
}
