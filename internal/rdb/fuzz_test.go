package rdb

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
)

var writeCorpus = flag.Bool("rdb.write-corpus", false, "regenerate testdata/fuzz/FuzzDecode from redis-server DUMPs")

// TestWriteFuzzCorpus regenerates the seed corpus: real DUMPs of every type
// and encoding, and the old encodings. Run it only when they should change:
//
//	go test ./internal/rdb -run TestWriteFuzzCorpus -args -rdb.write-corpus
func TestWriteFuzzCorpus(t *testing.T) {
	if !*writeCorpus {
		t.Skip("run with -rdb.write-corpus to regenerate testdata/fuzz/FuzzDecode")
	}
	o := newOracle(t)
	seeds := realPayloads(t, o)
	// A stream with tombstones (SAMEFIELDS entries flagged deleted: the
	// oracle tests found a panic there), and a compressed quicklist.
	for i := 1; i <= 6; i++ {
		o.do("XADD", "xdel", fmt.Sprintf("%d-0", i), "a", i)
	}
	o.do("XDEL", "xdel", "1-0", "4-0")
	seeds["stream-xdel"] = o.dump("xdel")
	o.do("CONFIG", "SET", "list-compress-depth", 1, "list-max-listpack-size", 4)
	for i := 0; i < 20; i++ {
		o.do("RPUSH", "depth1", rep("abc", 20), i)
	}
	seeds["list-depth1"] = o.dump("depth1")
	seeds["old-linkedlist"] = newRDBWriter().raw(TypeList).n(2).str("a").rdbStr("123").payload()
	seeds["old-zset-strscores"] = newRDBWriter().raw(TypeZSet).n(2).str("a").dbl("1.5").str("b").raw(254).payload()
	seeds["old-zipmap"] = newRDBWriter().raw(TypeHashZipmap).blob(buildZipmap("a", "1", "bb", "")).payload()
	seeds["old-list-ziplist"] = newRDBWriter().raw(TypeListZiplist).blob(buildZiplist(zs("s"), zi(7), zi(-300), zi(1<<40))).payload()
	seeds["old-zset-ziplist"] = newRDBWriter().raw(TypeZSetZiplist).blob(buildZiplist(zs("a"), zi(3), zs("b"), zs("1.5"))).payload()
	seeds["old-hash-ziplist"] = newRDBWriter().raw(TypeHashZiplist).blob(buildZiplist(zs("f"), zs("v"))).payload()
	seeds["old-quicklist"] = newRDBWriter().raw(TypeListQuicklist).n(1).blob(buildZiplist(zs("a"), zi(1))).payload()
	s := &Stream{Entries: []StreamEntry{{ID: StreamID{1, 0}, Fields: bs("a", "1")}}, Length: 1, LastID: StreamID{1, 0},
		Groups: []Group{{Name: []byte("g"), LastID: StreamID{1, 0}, PEL: []PendingEntry{{ID: StreamID{1, 0}, DeliveryCount: 1}},
			Consumers: []Consumer{{Name: []byte("c"), PEL: []StreamID{{1, 0}}}}}}}
	seeds["old-stream-v1"] = encodeStreamV1(s)
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(seeds))
	for name := range seeds {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", seeds[name])
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzDecode: Decode never panics, fails only with the documented errors,
// allocates within MaxMemory's accounting, and whatever it accepts
// re-encodes to a payload that decodes to the same value.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{TypeString, 0x05, 'h', 'e', 'l', 'l', 'o'})
	f.Add([]byte{TypeListQuicklist2, 1, 2, 0xC3, 3, 5, 1, 'a', 'b'})
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOne(t, data)                   // as given: mostly footer errors
		fuzzOne(t, payload(data, Version)) // with a valid footer: the parser
	})
}

func fuzzOne(t *testing.T, p []byte) {
	limit := int64(64*len(p) + 4096)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	v, err := DecodeWith(p, DecodeOptions{MaxMemory: limit})
	runtime.ReadMemStats(&after)
	// MaxMemory's accounting is conservative, but the growth of slices
	// and maps, the arena chunk and the decoder itself are not in it.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(3*limit)+256<<10 {
		t.Fatalf("Decode of %d bytes allocated %d bytes under MaxMemory %d", len(p), alloc, limit)
	}
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v is not an *Error", err)
		}
		n := 0
		for _, s := range []error{ErrVersionOrChecksum, ErrBadFormat, ErrTooLarge} {
			if errors.Is(err, s) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("error %v wraps %d sentinels", err, n)
		}
		return
	}
	if err := v.Validate(); err != nil {
		t.Fatalf("Decode accepted an invalid value: %v\n%s", err, describe(v))
	}
	opt := DefaultEncodeOptions()
	again, err := Decode(Encode(v, opt))
	if err != nil {
		t.Fatalf("Decode(Encode(Decode(p))): %v", err)
	}
	if g, w := describe(again), describe(canonical(v, opt)); g != w {
		t.Fatalf("re-encoded value differs:\n got:  %.2000s\n want: %.2000s", g, w)
	}
}

// FuzzParseFile: ParseFile never panics on any file, and what it hands
// over is well-formed.
func FuzzParseFile(f *testing.F) {
	b := []byte("REDIS0010")
	b = append(b, 250, 1, 'a', 1, 'b', 254, 3, 252, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'k', 1, 'v', 245, 2, 'c', 'd',
		2, 1, 's', 2, 1, 'x', 1, 'y', 255)
	f.Add(append(b, 0, 0, 0, 0, 0, 0, 0, 0))
	f.Add([]byte("REDIS0009\xff"))
	f.Add([]byte("REDIS0003\xfe\x00\x00\x01k\x01v\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseFile(data, FileHandler{Key: func(k FileKey) error {
			if k.Value == nil || k.Value.Validate() != nil {
				t.Fatalf("key %q: invalid value %+v", k.Key, k.Value)
			}
			return nil
		}})
	})
}
