package segments

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// TestBlockBloomFalsePositives checks the version 2 filter at the default
// 10 bits per key: no false negatives, and at most 2% false positives
// over 100,000 absent keys (about 1% expected).
func TestBlockBloomFalsePositives(t *testing.T) {
	for _, bits := range []int{5, 10, 16} {
		const n = 100_000
		f := newBlockBloom(n, bits)
		key := func(i int) []byte {
			return fmt.Appendf(binary.BigEndian.AppendUint16([]byte{0, 0, 0, 0}, uint16(i%16384)), "key:%012d", i)
		}
		for i := range n {
			f.add(bloomHash(key(i)))
		}
		for i := range n {
			if !f.mayContain(key(i)) {
				t.Fatalf("bits %d: false negative for key %d", bits, i)
			}
		}
		fp := 0
		for i := n; i < 2*n; i++ {
			if f.mayContain(key(i)) {
				fp++
			}
		}
		rate := float64(fp) / n
		t.Logf("%d bits/key, k=%d: %.3f%% false positives", bits, f.k, 100*rate)
		if bits == 10 && rate > 0.02 {
			t.Fatalf("false positive rate %.3f%% at 10 bits/key, want <= 2%%", 100*rate)
		}
	}
}

// TestBlockBloomSection round-trips the version 2 bloom section and
// rejects malformed ones.
func TestBlockBloomSection(t *testing.T) {
	f := newBlockBloom(1000, 10)
	for i := range 1000 {
		f.add(bloomHash(fmt.Appendf(nil, "k%d", i)))
	}
	b := f.encode()
	if len(b) != 8+64*len(f.words)/bloomBlockWords {
		t.Fatalf("section of %d bytes for %d words", len(b), len(f.words))
	}
	g, err := decodeBlockBloom(b)
	if err != nil || g.k != f.k || len(g.words) != len(f.words) {
		t.Fatalf("decode: %v", err)
	}
	for i := range f.words {
		if f.words[i] != g.words[i] {
			t.Fatalf("word %d differs", i)
		}
	}
	if g, err := decodeBlockBloom(nil); g != nil || err != nil {
		t.Fatalf("empty section: %v %v", g, err)
	}
	var nilBloom *blockBloom
	if nilBloom.encode() != nil {
		t.Fatal("a filter without keys must encode as the empty section")
	}
	for name, mut := range map[string]func([]byte) []byte{
		"short_header":  func(b []byte) []byte { return b[:5] },
		"zero_k":        func(b []byte) []byte { binary.LittleEndian.PutUint32(b, 0); return b },
		"k_too_large":   func(b []byte) []byte { binary.LittleEndian.PutUint32(b, 33); return b },
		"zero_blocks":   func(b []byte) []byte { binary.LittleEndian.PutUint32(b[4:], 0); return b[:8] },
		"count_too_big": func(b []byte) []byte { binary.LittleEndian.PutUint32(b[4:], 1<<31); return b },
		"ragged":        func(b []byte) []byte { return b[:len(b)-8] },
	} {
		if _, err := decodeBlockBloom(mut(clone(b))); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}

// v1Expect is what the store in testdata/v1 holds, per key keyNNNN.
// It was written by the version 1 writer (bits-and-blooms filter; keel
// before the blocked filter) and must never be regenerated:
//
//	LSN 1..300   put key0000..key0299 = value-N
//	LSN 301      delete range [key0100, key0110)
//	LSN 302      delete key0150
//	             flush -> 000001.seg (no older file: tombstones dropped)
//	LSN 303..402 put key0250..key0349 = new-N
//	LSN 403      delete key0010
//	LSN 404      delete range [key0020, key0030)
//	             flush -> 000002.seg
func v1Expect(i int) (string, bool) {
	switch {
	case i == 10, i >= 20 && i < 30, i >= 100 && i < 110, i == 150, i >= 350:
		return "", false
	case i >= 250:
		return fmt.Sprintf("new-%d", i), true
	}
	return fmt.Sprintf("value-%d", i), true
}

const v1CheckpointLSN = 404

// openV1Golden copies testdata/v1 to a new directory and returns it with
// the committed state.
func openV1Golden(t *testing.T) (dir string, state []byte) {
	dir = t.TempDir()
	src := filepath.Join("testdata", "v1")
	state, err := os.ReadFile(filepath.Join(src, "state"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"000001.seg", "000002.seg"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, state
}

func checkV1Contents(t *testing.T, s *Store, what string) {
	t.Helper()
	var want []string
	for i := range 400 {
		k := fmt.Sprintf("key%04d", i)
		v, ok := v1Expect(i)
		got, gotOK, err := s.Get([]byte(k))
		if err != nil || gotOK != ok || string(got) != v {
			t.Fatalf("%s: Get(%s) = %q %v %v, want %q %v", what, k, got, gotOK, err, v, ok)
		}
		if ok {
			want = append(want, k+"="+v)
		}
	}
	var got []string
	if err := s.Scan(nil, nil, func(k, v []byte) bool { got = append(got, string(k)+"="+string(v)); return true }); err != nil {
		t.Fatalf("%s: Scan: %v", what, err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s: Scan = %v\nwant %v", what, got, want)
	}
}

func fileVersion(t *testing.T, path string) uint32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return binary.LittleEndian.Uint32(b[len(b)-12:])
}

// TestReadVersion1Files opens a data directory written by the version 1
// writer: its files keep their bits-and-blooms filters and read as before;
// new flushes and compactions write version 2, and reads across both
// versions agree.
func TestReadVersion1Files(t *testing.T) {
	dir, state := openV1Golden(t)
	for _, name := range []string{"000001.seg", "000002.seg"} {
		path := filepath.Join(dir, name)
		if v := fileVersion(t, path); v != formatV1 {
			t.Fatalf("%s: golden file of version %d, want 1", name, v)
		}
		tb, err := openTable(path, 99, -1, newBlockCache(1<<20))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := tb.bloom.(v1Bloom); !ok {
			t.Fatalf("%s: bloom %T, want the version 1 filter", name, tb.bloom)
		}
		it := &tableIter{t: tb}
		n := 0
		for it.seekGE(nil); it.valid(); it.next() {
			if !tb.mayContain(it.key()) {
				t.Fatalf("%s: bloom misses present key %q", name, it.key())
			}
			n++
		}
		if it.err() != nil || uint64(n) != tb.props.entries {
			t.Fatalf("%s: %d entries read (%v), props say %d", name, n, it.err(), tb.props.entries)
		}
		tb.unref()
	}

	opts := Options{BlockSize: 256, Commit: func(_ LSN, b []byte) error { state = clone(b); return nil }}
	s, err := Open(dir, state, v1CheckpointLSN, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkV1Contents(t, s, "version 1 files")

	// A version 2 file over the version 1 files, then a merge of all.
	lsn := LSN(v1CheckpointLSN)
	for i := 330; i < 360; i++ {
		lsn++
		s.Put(lsn, fmt.Appendf(nil, "key%04d", i), fmt.Appendf(nil, "new-%d", i))
	}
	lsn++
	s.Delete(lsn, []byte("key0350")) // keep v1Expect: >= 350 absent
	for i := 351; i < 360; i++ {
		lsn++
		s.Delete(lsn, fmt.Appendf(nil, "key%04d", i))
	}
	if err := s.Flush(true); err != nil {
		t.Fatal(err)
	}
	checkV1Contents(t, s, "version 1 and 2 files")
	if err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	checkV1Contents(t, s, "after compaction")
	st, err := decodeState(state)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.files) != 1 {
		t.Fatalf("%d files after Compact, want 1", len(st.files))
	}
	if v := fileVersion(t, filepath.Join(dir, segName(st.files[0].num))); v != formatVersion {
		t.Fatalf("compaction wrote version %d, want %d", v, formatVersion)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// rewriteFooterSums recomputes a segment file's section checksums and
// footer checksum, as a writer of damaged contents would.
func rewriteFooterSums(b []byte) {
	fb := b[len(b)-footerSize:]
	for i := range numSections {
		off := binary.LittleEndian.Uint64(fb[i*16:])
		n := binary.LittleEndian.Uint64(fb[i*16+8:])
		binary.LittleEndian.PutUint64(fb[80+i*8:], xxhash.Sum64(b[off:off+n]))
	}
	binary.LittleEndian.PutUint64(fb[120:], xxhash.Sum64(fb[:120]))
}

// TestBloomSectionCorruption: a version 3 bloom section that passes its
// checksum but is malformed, and versions that disagree or are unknown,
// are reported where they are.
func TestBloomSectionCorruption(t *testing.T) {
	tests := []struct {
		name     string
		damage   func(b []byte)
		what     string
		sentinel error
		offset   func(b []byte) int64
	}{
		{"bloom_zero_probes", func(b []byte) {
			binary.LittleEndian.PutUint32(b[readFooter(t, b).off[secBloom]:], 0)
			rewriteFooterSums(b)
		}, "bloom", ErrMalformed, func(b []byte) int64 { return int64(readFooter(t, b).off[secBloom]) }},
		{"bloom_block_count", func(b []byte) {
			binary.LittleEndian.PutUint32(b[readFooter(t, b).off[secBloom]+4:], 3)
			rewriteFooterSums(b)
		}, "bloom", ErrMalformed, func(b []byte) int64 { return int64(readFooter(t, b).off[secBloom]) }},
		{"header_version_1_footer_3", func(b []byte) { binary.LittleEndian.PutUint32(b[8:], formatV1) },
			"header", ErrBadVersion, func([]byte) int64 { return 8 }},
		{"version_4", func(b []byte) {
			binary.LittleEndian.PutUint32(b[8:], 4)
			binary.LittleEndian.PutUint32(b[len(b)-12:], 4)
		}, "footer", ErrBadVersion, func(b []byte) int64 { return int64(len(b) - 12) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, state, path := buildSegment(t)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if v := binary.LittleEndian.Uint32(b[len(b)-12:]); v != formatVersion {
				t.Fatalf("new file of version %d", v)
			}
			orig := clone(b)
			tc.damage(b)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := Open(dir, state, 202, Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open accepted a damaged file")
			}
			checkCorruption(t, err, path, tc.what, tc.sentinel, tc.offset(orig))
		})
	}
}
