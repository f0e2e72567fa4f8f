package segments

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// buildSegment writes a store with one multi-block file and returns the
// directory, the committed state and the file's path.
func buildSegment(t testing.TB) (dir string, state []byte, path string) {
	dir = t.TempDir()
	var st []byte
	s, err := Open(dir, nil, 0, Options{BlockSize: 256, Commit: func(_ LSN, b []byte) error { st = clone(b); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		s.Put(LSN(i+1), fmt.Appendf(nil, "key%04d", i), fmt.Appendf(nil, "value-%d", i))
	}
	s.DeleteRange(201, []byte("key0100"), []byte("key0110"))
	s.Delete(202, []byte("key0150"))
	if err := s.Flush(true); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, st, filepath.Join(dir, segName(1))
}

func readFooter(t testing.TB, b []byte) footer {
	var f footer
	fb := b[len(b)-footerSize:]
	for i := range numSections {
		f.off[i] = binary.LittleEndian.Uint64(fb[i*16:])
		f.length[i] = binary.LittleEndian.Uint64(fb[i*16+8:])
	}
	return f
}

func TestCorruption(t *testing.T) {
	flip := func(off func(b []byte) int) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b[off(b)] ^= 0x40
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name     string
		damage   func(t *testing.T, path string)
		onOpen   bool // detected by Open (else by the first read)
		what     string
		sentinel error
		offset   func(b []byte) int64 // expected offset, from the undamaged file
	}{
		{"flipped_byte_in_block", flip(func([]byte) int { return headerSize + 5 }), false, "block", ErrChecksum,
			func([]byte) int64 { return headerSize }},
		{"bad_footer_magic", flip(func(b []byte) int { return len(b) - 1 }), true, "footer", ErrBadMagic,
			func(b []byte) int64 { return int64(len(b) - 8) }},
		{"bad_version", flip(func(b []byte) int { return len(b) - 12 }), true, "footer", ErrBadVersion,
			func(b []byte) int64 { return int64(len(b) - 12) }},
		{"bad_footer_checksum", flip(func(b []byte) int { return len(b) - footerSize + 3 }), true, "footer", ErrChecksum,
			func(b []byte) int64 { return int64(len(b) - footerSize) }},
		{"bad_header_magic", flip(func([]byte) int { return 2 }), true, "header", ErrBadMagic,
			func([]byte) int64 { return 0 }},
		{"truncated_file", func(t *testing.T, path string) {
			fi, _ := os.Stat(path)
			if err := os.Truncate(path, fi.Size()-10); err != nil {
				t.Fatal(err)
			}
		}, true, "file", ErrTruncated, func(b []byte) int64 { return int64(len(b) - 10) }},
		{"bad_index_checksum", flip(func(b []byte) int { return int(readFooter(t, b).off[secIndex]) + 2 }), true, "index", ErrChecksum,
			func(b []byte) int64 { return int64(readFooter(t, b).off[secIndex]) }},
		{"bad_bloom_checksum", flip(func(b []byte) int { return int(readFooter(t, b).off[secBloom]) + 20 }), true, "bloom", ErrChecksum,
			func(b []byte) int64 { return int64(readFooter(t, b).off[secBloom]) }},
		{"bad_props_checksum", flip(func(b []byte) int { return int(readFooter(t, b).off[secProps]) }), true, "props", ErrChecksum,
			func(b []byte) int64 { return int64(readFooter(t, b).off[secProps]) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, state, path := buildSegment(t)
			orig, _ := os.ReadFile(path)
			tc.damage(t, path)
			s, err := Open(dir, state, 202, Options{})
			if !tc.onOpen {
				if err != nil {
					t.Fatalf("Open: %v (block damage should be found on read)", err)
				}
				defer s.Close()
				v, ok, err := s.Get([]byte("key0000"))
				if err == nil {
					t.Fatalf("damaged block served: %q %v", v, ok)
				}
				checkCorruption(t, err, path, tc.what, tc.sentinel, tc.offset(orig))
				err = s.Scan(nil, nil, func(k, v []byte) bool { return true })
				checkCorruption(t, err, path, tc.what, tc.sentinel, tc.offset(orig))
				// Undamaged blocks still serve.
				if v, ok, err := s.Get([]byte("key0199")); err != nil || !ok || string(v) != "value-199" {
					t.Fatalf("healthy block: %q %v %v", v, ok, err)
				}
				return
			}
			if err == nil {
				s.Close()
				t.Fatal("Open accepted a damaged file")
			}
			checkCorruption(t, err, path, tc.what, tc.sentinel, tc.offset(orig))
		})
	}
}

func checkCorruption(t *testing.T, err error, path, what string, sentinel error, off int64) {
	t.Helper()
	var ce *CorruptionError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *CorruptionError", err, err)
	}
	if ce.Path != path || ce.What != what || ce.Offset != off || !errors.Is(err, sentinel) {
		t.Fatalf("got %v (what %q offset %d); want %s in %s at %d wrapping %v", err, ce.What, ce.Offset, what, path, off, sentinel)
	}
	t.Log(err)
}

func TestStateCorruption(t *testing.T) {
	dir, state, _ := buildSegment(t)
	for name, mut := range map[string]func([]byte){
		"bad_magic":    func(b []byte) { b[0] ^= 1 },
		"bad_version":  func(b []byte) { b[8] ^= 1 },
		"bad_checksum": func(b []byte) { b[14] ^= 1 },
		"truncated":    nil,
	} {
		t.Run(name, func(t *testing.T) {
			b := clone(state)
			if mut == nil {
				b = b[:10]
			} else {
				mut(b)
			}
			_, err := Open(dir, b, 0, Options{})
			var ce *CorruptionError
			if !errors.As(err, &ce) || ce.Path != "state" {
				t.Fatalf("Open with damaged state: %v", err)
			}
		})
	}
	// A missing referenced file is an error too.
	os.Remove(filepath.Join(dir, segName(1)))
	if _, err := Open(dir, state, 0, Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open with a missing file: %v", err)
	}
}

func FuzzOpenSegment(f *testing.F) {
	_, _, path := buildSegment(f)
	good, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{})
	f.Add(groupedSegment(f)) // version 3 with a prefix filter and a wide tombstone
	dir := f.TempDir()
	cache := newBlockCache(1 << 20)
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "fuzz.seg")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		tb, err := openTable(p, 1, -1, cache)
		if err != nil {
			var ce *CorruptionError
			if !errors.As(err, &ce) {
				t.Fatalf("non-corruption error %T: %v", err, err)
			}
			return
		}
		defer tb.unref()
		defer cache.evictFile(1)
		it := &tableIter{t: tb}
		for it.seekGE(nil); it.valid(); it.next() {
			tb.get(&probe{key: it.key()})
		}
		tb.get(&probe{key: []byte("key0001")})
		tb.covers([]byte("key0105"))
		tb.holdsGroup(bloomHash([]byte("key010")))
	})
}

// groupedSegment returns a segment file written with Options.Prefix (keys
// grouped by their first 6 bytes), with a range tombstone within a group
// and one over two.
func groupedSegment(t testing.TB) []byte {
	dir := t.TempDir()
	s, err := Open(dir, nil, 0, Options{BlockSize: 256, Prefix: func(k []byte) int { return min(len(k), 6) }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		s.Put(LSN(i+1), fmt.Appendf(nil, "key%04d", i), fmt.Appendf(nil, "value-%d", i))
	}
	s.DeleteRange(201, []byte("key010"), []byte("key011"))
	s.DeleteRange(202, []byte("key0125"), []byte("key0135"))
	if err := s.Flush(true); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, segName(1)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzDecodeBlock(f *testing.F) {
	var bb blockBuilder
	for i := range 20 {
		bb.add(fmt.Appendf(nil, "key%04d", i), []byte(strconv.Itoa(i)), kindValue)
	}
	bb.add([]byte("key9999"), nil, kindTombstone)
	bb.finish()
	f.Add(clone(bb.buf))
	f.Add(sealBlock(clone(bb.buf)))
	f.Add([]byte{0, 1, 1, 1, 'a', 'b', 0, 0, 0, 0, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := decodeBlock(data)
		if err == nil {
			for i := 1; i < len(entries); i++ {
				if string(entries[i-1].key) >= string(entries[i].key) {
					t.Fatalf("decoded keys out of order: %q then %q", entries[i-1].key, entries[i].key)
				}
			}
		}
		// Point reads through the restart list find exactly the decoded
		// entries, and never panic on a damaged list.
		if cb, cerr := newCachedBlock(data); cerr == nil {
			for _, e := range entries {
				got, found, ferr := cb.find(e.key)
				if err == nil && (ferr != nil || !found || string(got.value) != string(e.value)) {
					t.Fatalf("find(%q) = %q, %v, %v; want %q", e.key, got.value, found, ferr, e.value)
				}
			}
			cb.find([]byte("zzz"))
			cb.find(nil)
			// The fingerprint index: built for exactly the blocks that
			// decode, and it finds what the restart list finds.
			if ierr := cb.buildIndex(); (ierr == nil) != (err == nil) {
				t.Fatalf("buildIndex: %v, decodeBlock: %v", ierr, err)
			}
			for _, e := range entries {
				got, found, ferr := cb.findHashed(e.key, bloomHash(e.key))
				if err == nil && (ferr != nil || !found || string(got.value) != string(e.value)) {
					t.Fatalf("findHashed(%q) = %q, %v, %v; want %q", e.key, got.value, found, ferr, e.value)
				}
				cb.findHashed([]byte("zzz"), bloomHash(e.key)) // a collision
			}
		}
		if p, err := verifyBlock(data); err == nil {
			decodeBlock(p)
		}
	})
}

// TestWriteFuzzCorpus regenerates testdata/fuzz seeds when
// SEGMENTS_UPDATE_CORPUS=1.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("SEGMENTS_UPDATE_CORPUS") != "1" {
		t.Skip("set SEGMENTS_UPDATE_CORPUS=1 to regenerate testdata/fuzz")
	}
	_, _, path := buildSegment(t)
	good, _ := os.ReadFile(path)
	var bb blockBuilder
	for i := range 30 {
		bb.add(fmt.Appendf(nil, "slot%02d:key%04d", i%3, i), fmt.Appendf(nil, "v%d", i), kindValue)
	}
	write := func(target, name string, b []byte) {
		d := filepath.Join("testdata", "fuzz", target)
		os.MkdirAll(d, 0o755)
		content := "go test fuzz v1\n[]byte(" + strconv.Quote(string(b)) + ")\n"
		if err := os.WriteFile(filepath.Join(d, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("FuzzOpenSegment", "valid", good)
	flipped := clone(good)
	flipped[len(flipped)-footerSize-5] ^= 1
	write("FuzzOpenSegment", "flipped_props", flipped)
	write("FuzzOpenSegment", "truncated", good[:len(good)-1])
	write("FuzzOpenSegment", "footer_only", good[len(good)-footerSize-headerSize:])
	write("FuzzDecodeBlock", "valid", clone(bb.buf))
	write("FuzzDecodeBlock", "sealed", sealBlock(clone(bb.buf)))
	write("FuzzDecodeBlock", "bad_shared", []byte{5, 1, 0, 1, 'x'})
}
