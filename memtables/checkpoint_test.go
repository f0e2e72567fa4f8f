package memtables

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// -update rewrites testdata/keyspace-v1.ckpt and the fuzz seed corpus.
var update = flag.Bool("update", false, "rewrite golden files and fuzz seeds under testdata/")

// fixture is a small keyspace touching every feature of the format.
func fixture() *Keyspace {
	k := NewKeyspace(4)
	k.Set(0, []byte("greeting"), Entry{Type: TypeString, Version: 3, Size: 5})
	k.Set(0, []byte(""), Entry{Type: TypeList, Version: 4, Size: 2})
	k.Set(0, []byte("{user1}:cart"), Entry{Type: TypeHash, Version: 7, Size: 12, ExpireAt: 1_700_000_000_000})
	k.Set(1, []byte("ranks"), Entry{Type: TypeZSet, Version: 9, Size: 100, ExpireAt: -1})
	k.Set(1, []byte("events"), Entry{Type: TypeStream, Version: 10})
	k.Set(2, []byte("gone"), Entry{Type: TypeSet, Version: 11})
	k.FlushDB(2, k.NextPhys())
	k.Set(2, []byte("members"), Entry{Type: TypeSet, Version: 13, Size: 3})
	k.SwapDB(1, 3)
	return k
}

func writeCkpt(t testing.TB, k *Keyspace, lsn LSN) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := k.WriteCheckpoint(&b, lsn); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// equalKeyspaces compares everything a checkpoint persists.
func equalKeyspaces(a, b *Keyspace) error {
	if a.Databases() != b.Databases() || a.NextPhys() != b.NextPhys() {
		return fmt.Errorf("databases %d/%d, next phys %d/%d", a.Databases(), b.Databases(), a.NextPhys(), b.NextPhys())
	}
	for db := range a.Databases() {
		if a.PhysDB(db) != b.PhysDB(db) || a.Len(db) != b.Len(db) || a.ExpiresCount(db) != b.ExpiresCount(db) {
			return fmt.Errorf("db %d: phys %d/%d, len %d/%d, expires %d/%d", db, a.PhysDB(db), b.PhysDB(db),
				a.Len(db), b.Len(db), a.ExpiresCount(db), b.ExpiresCount(db))
		}
		var err error
		a.ForEach(db, func(key string, e *Entry) bool {
			f, ok := b.Get(db, []byte(key))
			want := *e
			want.Access = 0
			if !ok || *f != want {
				err = fmt.Errorf("db %d key %q: %+v, want %+v", db, key, f, want)
			}
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func TestCheckpointRoundTrip(t *testing.T) {
	k := fixture()
	k.dbs[0].at(0).e.Access = 12345 // not persisted
	b := writeCkpt(t, k, 42)
	got, lsn, err := ReadCheckpoint(bytes.NewReader(b), 4)
	if err != nil {
		t.Fatal(err)
	}
	if lsn != 42 {
		t.Fatalf("LSN %d, want 42", lsn)
	}
	if err := equalKeyspaces(k, got); err != nil {
		t.Fatal(err)
	}
	for db := range 4 {
		checkTable(t, got, db)
	}
	// Same state, same bytes: the file is a function of the state.
	if b2 := writeCkpt(t, got, 42); !bytes.Equal(b, b2) {
		t.Fatal("re-writing a loaded checkpoint changed its bytes")
	}
}

func TestCheckpointLarge(t *testing.T) {
	k := NewKeyspace(2)
	for i := range 20000 { // several entries chunks
		k.Set(i%2, []byte("key:"+strconv.Itoa(i)), Entry{Type: Type(1 + i%6), Version: uint64(i), ExpireAt: int64(i % 7), Size: int64(-i)})
	}
	b := writeCkpt(t, k, 1<<40)
	if n := len(chunksOf(t, b)); n < 5 {
		t.Fatalf("only %d chunks for 20000 keys", n)
	}
	got, lsn, err := ReadCheckpoint(bytes.NewReader(b), 2)
	if err != nil || lsn != 1<<40 {
		t.Fatalf("lsn %d, err %v", lsn, err)
	}
	if err := equalKeyspaces(k, got); err != nil {
		t.Fatal(err)
	}
}

func TestCheckpointDatabasesChanged(t *testing.T) {
	k := fixture() // 4 dbs, next phys 5 after one FlushDB
	b := writeCkpt(t, k, 1)

	more, _, err := ReadCheckpoint(bytes.NewReader(b), 6)
	if err != nil {
		t.Fatal(err)
	}
	if more.PhysDB(4) != 5 || more.PhysDB(5) != 6 || more.NextPhys() != 7 || more.Len(4) != 0 {
		t.Fatalf("added databases: phys %d %d, next %d", more.PhysDB(4), more.PhysDB(5), more.NextPhys())
	}

	// db 3 holds keys (after the swap): 3 databases cannot hold them.
	if _, _, err := ReadCheckpoint(bytes.NewReader(b), 3); err == nil {
		t.Fatal("dropping a non-empty database succeeded")
	} else if errors.As(err, new(*CorruptionError)) {
		t.Fatalf("configuration mismatch reported as corruption: %v", err)
	}
	k.FlushDB(3, k.NextPhys())
	fewer, _, err := ReadCheckpoint(bytes.NewReader(writeCkpt(t, k, 1)), 3)
	if err != nil || fewer.Databases() != 3 {
		t.Fatalf("dropping an empty database: %v", err)
	}
}

// firstTypeOffset is the file offset of the type byte of the first record
// of entries chunk c: after db, count, key length and key.
func firstTypeOffset(b []byte, c chunkInfo) int {
	p := c.off + chunkHeaderLen
	_, n1 := binary.Uvarint(b[p:])
	_, n2 := binary.Uvarint(b[p+n1:])
	kl, n3 := binary.Uvarint(b[p+n1+n2:])
	return p + n1 + n2 + n3 + int(kl)
}

type chunkInfo struct {
	off  int
	kind byte
	len  int
}

// chunksOf lists the chunks of a valid checkpoint.
func chunksOf(t testing.TB, b []byte) []chunkInfo {
	var cs []chunkInfo
	off := len(ckptMagic) + 2 + 1 + int(b[10])
	for off < len(b) {
		n := int(binary.LittleEndian.Uint32(b[off+1:]))
		cs = append(cs, chunkInfo{off, b[off], n})
		off += chunkHeaderLen + n
	}
	return cs
}

func TestCheckpointCorruption(t *testing.T) {
	k := NewKeyspace(2)
	for i := range 6000 {
		k.Set(i%2, []byte("key:"+strconv.Itoa(i)), Entry{Type: TypeString, Version: uint64(i)})
	}
	good := writeCkpt(t, k, 7)
	cs := chunksOf(t, good)
	meta, ent1, ent2, trailer := cs[0], cs[1], cs[2], cs[len(cs)-1]
	if meta.kind != chunkMeta || ent1.kind != chunkEntries || ent2.kind != chunkEntries || trailer.kind != chunkTrailer {
		t.Fatalf("unexpected chunk layout %+v", cs)
	}
	dupKey := ent1.off + bytes.Index(good[ent1.off:], []byte("key:2"))
	// reframe recomputes a chunk's checksum after its payload was edited, so
	// the payload check itself is reached.
	reframe := func(b []byte, c chunkInfo) {
		s := checksumOf(b[c.off:c.off+5], b[c.off+chunkHeaderLen:c.off+chunkHeaderLen+c.len])
		binary.LittleEndian.PutUint64(b[c.off+5:], s)
	}
	for _, tc := range []struct {
		name   string
		mutate func([]byte) []byte
		want   error
		offset int
	}{
		{"bad_magic", func(b []byte) []byte { b[0] ^= 0xFF; return b }, ErrBadMagic, 0},
		{"bad_version", func(b []byte) []byte { b[8] = 3; return b }, ErrBadVersion, 8},
		{"version_0", func(b []byte) []byte { b[8] = 0; return b }, ErrBadVersion, 8},
		{"bad_engine", func(b []byte) []byte { copy(b[11:], "listspace"); return b }, ErrEngine, 10},
		{"flipped_byte", func(b []byte) []byte { b[ent2.off+chunkHeaderLen+100] ^= 0x10; return b }, ErrChecksum, ent2.off},
		{"flipped_meta_byte", func(b []byte) []byte { b[meta.off+chunkHeaderLen] ^= 1; return b }, ErrChecksum, meta.off},
		{"flipped_checksum", func(b []byte) []byte { b[ent1.off+7] ^= 1; return b }, ErrChecksum, ent1.off},
		{"flipped_kind", func(b []byte) []byte { b[ent1.off] = 0x03; return b }, ErrChecksum, ent1.off},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }, ErrTruncated, len(good) - 1},
		{"truncated_mid_chunk", func(b []byte) []byte { return b[:ent2.off+40] }, ErrTruncated, ent2.off + 40},
		{"truncated_at_chunk_boundary", func(b []byte) []byte { return b[:trailer.off] }, ErrTruncated, trailer.off},
		{"truncated_preamble", func(b []byte) []byte { return b[:9] }, ErrTruncated, 9},
		{"empty", func(b []byte) []byte { return b[:0] }, ErrTruncated, 0},
		{"bad_length", func(b []byte) []byte { b[trailer.off+1]++; return b }, ErrTruncated, len(good)},
		{"dropped_chunk", func(b []byte) []byte {
			return append(b[:ent2.off:ent2.off], b[ent2.off+chunkHeaderLen+ent2.len:]...)
		}, ErrChecksum, trailer.off - chunkHeaderLen - ent2.len},
		{"trailing_garbage", func(b []byte) []byte { return append(b, 0) }, ErrMalformed, len(good)},
		{"unknown_kind", func(b []byte) []byte { b[ent1.off] = 0x03; reframe(b, ent1); return b }, ErrMalformed, ent1.off},
		{"bad_type", func(b []byte) []byte {
			b[firstTypeOffset(b, ent1)] = 9
			reframe(b, ent1)
			return b
		}, ErrMalformed, firstTypeOffset(good, ent1)},
		{"bad_db", func(b []byte) []byte { b[ent1.off+chunkHeaderLen] = 5; reframe(b, ent1); return b }, ErrMalformed, ent1.off + chunkHeaderLen},
		{"duplicate_key", func(b []byte) []byte {
			// The second record of db 0 is "key:2": rename it "key:0".
			copy(b[dupKey:], "key:0")
			reframe(b, ent1)
			return b
		}, ErrMalformed, dupKey - 1},
		{"reused_phys", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[meta.off+chunkHeaderLen+20:], 0)
			reframe(b, meta)
			return b
		}, ErrMalformed, meta.off + chunkHeaderLen + 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.mutate(bytes.Clone(good))
			k, _, err := ReadCheckpoint(bytes.NewReader(b), 2)
			var ce *CorruptionError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v (keyspace %v), want *CorruptionError", err, k != nil)
			}
			if !errors.Is(err, tc.want) || ce.Offset != int64(tc.offset) {
				t.Fatalf("got %v at offset %d, want %v at %d", err, ce.Offset, tc.want, tc.offset)
			}
			if k != nil {
				t.Fatal("a keyspace was returned with the error")
			}
		})
	}
}

// TestCheckpointGoldenV1 reads a version 1 file (testdata, written by a
// keel before version 2): the same keyspace, but a string's version,
// there the LSN that created it, is 0 (the value's last write is not
// known).
func TestCheckpointGoldenV1(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "keyspace-v1.ckpt"))
	if err != nil {
		t.Fatal(err)
	}
	k, lsn, err := ReadCheckpoint(bytes.NewReader(b), 4)
	if err != nil || lsn != 42 {
		t.Fatalf("reading version 1: lsn %d, %v", lsn, err)
	}
	want := fixture()
	e, _ := want.Get(0, []byte("greeting"))
	ent := e.Load()
	ent.Version = 0
	want.Set(0, []byte("greeting"), ent)
	if err := equalKeyspaces(want, k); err != nil {
		t.Fatal(err)
	}
	if e, ok := k.Get(0, []byte("{user1}:cart")); !ok || e.Version != 7 {
		t.Fatalf("a hash's version read as %v (present %v), want 7", e, ok)
	}
}

func TestCheckpointGolden(t *testing.T) {
	path := filepath.Join("testdata", "keyspace-v2.ckpt")
	b := writeCkpt(t, fixture(), 42)
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(b, want) {
		t.Fatalf("checkpoint bytes differ from %s: the format changed; bump the version (or -update if intended)", path)
	}
	k, lsn, err := ReadCheckpoint(bytes.NewReader(want), 4)
	if err != nil || lsn != 42 {
		t.Fatalf("reading golden: lsn %d, %v", lsn, err)
	}
	if err := equalKeyspaces(fixture(), k); err != nil {
		t.Fatal(err)
	}
}

// fuzzSeeds are checkpoints written to testdata/fuzz/FuzzReadCheckpoint by
// -update.
func fuzzSeeds(t testing.TB) map[string][]byte {
	full := writeCkpt(t, fixture(), 42)
	return map[string][]byte{
		"fixture":   full,
		"empty":     writeCkpt(t, NewKeyspace(1), 0),
		"truncated": full[:len(full)/2],
	}
}

func TestUpdateFuzzSeeds(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the fuzz seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzReadCheckpoint")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range fuzzSeeds(t) {
		body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(b)) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func FuzzReadCheckpoint(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		k, lsn, err := ReadCheckpoint(bytes.NewReader(b), 4)
		if err != nil {
			if k != nil {
				t.Fatal("keyspace returned with an error")
			}
			return
		}
		for db := range k.Databases() {
			checkTable(t, k, db)
		}
		// Whatever loads must write and load back to the same state.
		k2, lsn2, err := ReadCheckpoint(bytes.NewReader(writeCkpt(t, k, lsn)), 4)
		if err != nil || lsn2 != lsn {
			t.Fatalf("re-read: lsn %d/%d, %v", lsn2, lsn, err)
		}
		if err := equalKeyspaces(k, k2); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkWriteCheckpoint1M measures the writer stall of a checkpoint of
// 1,000,000 keys (written with the caller's lock held, for now).
func BenchmarkWriteCheckpoint1M(b *testing.B) {
	k := NewKeyspace(16)
	for i := range 1_000_000 {
		k.Set(0, []byte("key:"+strconv.Itoa(i)), Entry{Type: TypeString, Version: uint64(i), Size: 100})
	}
	var size int64
	for b.Loop() {
		var c countingWriter
		if err := k.WriteCheckpoint(&c, 1); err != nil {
			b.Fatal(err)
		}
		size = int64(c)
	}
	b.ReportMetric(float64(size), "file-bytes")
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
