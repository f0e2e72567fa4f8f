package keel

import (
	"fmt"
	"io"
	"strconv"
	"testing"

	"github.com/keeldb/keel/memtables"
	"github.com/keeldb/keel/slots"
	"pgregory.net/rapid"
)

// TestStringVersionIsLastWrite: after any sequence of the commands that
// write strings (every path to the strings engine: puts, in-place edits,
// copies, renames, moves, type changes, inline integers, HyperLogLog's
// cache, RESTORE, SWAPDB and FLUSHDB among them), with the engine flushed
// to files at random points, each string's version is the LSN of the
// last record that wrote its value, read back from the WAL: what reads
// promise the engine (viewString). And every GET answers what a read of
// the engine without the promise finds.
func TestStringVersionIsLastWrite(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		db := newTestDB(t)
		s := &Session{Proto: 2, Authenticated: true}
		keys := []string{"a", "b", "{a}c", "n"}
		keyGen := rapid.SampledFrom(keys)
		valGen := rapid.SampledFrom([]string{"x", "12", "-7", "3.5", "", "hello world", string(make([]byte, 60))})
		cmds := []func(rt *rapid.T) []string{
			func(rt *rapid.T) []string { return []string{"SET", keyGen.Draw(rt, "k"), valGen.Draw(rt, "v")} },
			func(rt *rapid.T) []string {
				return []string{"SET", keyGen.Draw(rt, "k"), valGen.Draw(rt, "v"), rapid.SampledFrom([]string{"NX", "XX", "KEEPTTL", "GET"}).Draw(rt, "opt")}
			},
			func(rt *rapid.T) []string { return []string{"APPEND", keyGen.Draw(rt, "k"), valGen.Draw(rt, "v")} },
			func(rt *rapid.T) []string {
				return []string{"SETRANGE", keyGen.Draw(rt, "k"), strconv.Itoa(rapid.IntRange(0, 20).Draw(rt, "off")), valGen.Draw(rt, "v")}
			},
			func(rt *rapid.T) []string {
				return []string{"SETBIT", keyGen.Draw(rt, "k"), strconv.Itoa(rapid.IntRange(0, 100).Draw(rt, "bit")), rapid.SampledFrom([]string{"0", "1"}).Draw(rt, "b")}
			},
			func(rt *rapid.T) []string {
				return []string{"BITFIELD", keyGen.Draw(rt, "k"), "INCRBY", "u8", strconv.Itoa(rapid.IntRange(0, 64).Draw(rt, "off")), "1"}
			},
			func(rt *rapid.T) []string { return []string{"INCR", keyGen.Draw(rt, "k")} },
			func(rt *rapid.T) []string { return []string{"INCRBYFLOAT", keyGen.Draw(rt, "k"), "0.5"} },
			func(rt *rapid.T) []string {
				return []string{"MSET", keyGen.Draw(rt, "k1"), valGen.Draw(rt, "v1"), keyGen.Draw(rt, "k2"), valGen.Draw(rt, "v2")}
			},
			func(rt *rapid.T) []string { return []string{"GETSET", keyGen.Draw(rt, "k"), valGen.Draw(rt, "v")} },
			func(rt *rapid.T) []string { return []string{"GETDEL", keyGen.Draw(rt, "k")} },
			func(rt *rapid.T) []string { return []string{"GETEX", keyGen.Draw(rt, "k"), "EX", "100"} },
			func(rt *rapid.T) []string { return []string{"EXPIRE", keyGen.Draw(rt, "k"), "100"} },
			func(rt *rapid.T) []string { return []string{"PERSIST", keyGen.Draw(rt, "k")} },
			func(rt *rapid.T) []string { return []string{"DEL", keyGen.Draw(rt, "k")} },
			func(rt *rapid.T) []string { return []string{"RENAME", keyGen.Draw(rt, "k1"), keyGen.Draw(rt, "k2")} },
			func(rt *rapid.T) []string {
				return []string{"COPY", keyGen.Draw(rt, "k1"), keyGen.Draw(rt, "k2"), "REPLACE"}
			},
			func(rt *rapid.T) []string {
				return []string{"COPY", keyGen.Draw(rt, "k1"), keyGen.Draw(rt, "k2"), "DB", "1"}
			},
			func(rt *rapid.T) []string { return []string{"MOVE", keyGen.Draw(rt, "k"), "1"} },
			func(rt *rapid.T) []string {
				return []string{"SELECT", rapid.SampledFrom([]string{"0", "1"}).Draw(rt, "db")}
			},
			func(rt *rapid.T) []string { return []string{"SWAPDB", "0", "1"} },
			func(rt *rapid.T) []string { return []string{"FLUSHDB"} },
			func(rt *rapid.T) []string { return []string{"LPUSH", keyGen.Draw(rt, "k"), "e"} },
			func(rt *rapid.T) []string { return []string{"PFADD", keyGen.Draw(rt, "k"), valGen.Draw(rt, "v")} },
			func(rt *rapid.T) []string { return []string{"PFCOUNT", keyGen.Draw(rt, "k")} },
			func(rt *rapid.T) []string {
				return []string{"BITOP", rapid.SampledFrom([]string{"AND", "OR", "XOR"}).Draw(rt, "op"), keyGen.Draw(rt, "dst"), keyGen.Draw(rt, "k1"), keyGen.Draw(rt, "k2")}
			},
			func(rt *rapid.T) []string {
				src, dst := keyGen.Draw(rt, "src"), keyGen.Draw(rt, "dst")
				dump, ok := do(db, s, "DUMP", src).(string)
				if !ok {
					return []string{"DEL", dst}
				}
				return []string{"RESTORE", dst, "0", dump, "REPLACE"}
			},
		}
		for range rapid.IntRange(1, 60).Draw(rt, "steps") {
			if rapid.IntRange(0, 9).Draw(rt, "flush") == 0 {
				if err := db.strs.Flush(true); err != nil {
					rt.Fatal(err)
				}
			}
			cmd := cmds[rapid.IntRange(0, len(cmds)-1).Draw(rt, "cmd")](rt)
			do(db, s, cmd...)
			checkStringVersions(rt, db, s)
		}
	})
}

// checkStringVersions asserts that the version of every string of db
// whose value is in the strings engine (not an inline integer) is the LSN
// of the last WAL record that wrote it there, and that GET answers what
// the engine holds. s's database is restored afterwards.
func checkStringVersions(t rapid.TB, db *DB, s *Session) {
	t.Helper()
	if err := db.log.Sync(); err != nil {
		t.Fatal(err)
	}
	type pkey struct {
		phys uint32
		key  string
	}
	last := map[pkey]uint64{}
	r, err := db.log.NewReader(db.log.FirstLSN())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		d := opDecoder{b: rec.Payload}
		var o op
		for d.next(&o) {
			switch o.code {
			case opSPut, opSDel, opSAppend, opSSetRange:
				last[pkey{o.phys, string(o.key)}] = uint64(rec.LSN)
			case opSCopy:
				last[pkey{o.phys2, string(o.key2)}] = uint64(rec.LSN)
			}
		}
		if d.err != nil {
			t.Fatal(d.err)
		}
	}
	dbi := s.DB
	defer func() { s.DB = dbi }()
	for n := range 2 {
		phys := db.ks.PhysDB(n)
		var strs []string
		db.ks.ForEach(n, func(key string, e *memtables.Entry) bool {
			if e.Type != memtables.TypeString || e.Enc == encInt {
				return true // an inline integer's version is no read's promise
			}
			strs = append(strs, key)
			if want := last[pkey{phys, key}]; e.Version != want {
				t.Fatalf("db %d string %q (enc %d): version %d, its value was last written at LSN %d", n, key, e.Enc, e.Version, want)
			}
			return true
		})
		s.DB = n
		for _, key := range strs {
			want, found, err := db.strs.Get(stringKey(nil, phys, []byte(key)))
			if err != nil || !found {
				t.Fatalf("db %d string %q not in the engine: %v", n, key, err)
			}
			if got := do(db, s, "GET", key); fmt.Sprint(got) != string(want) {
				t.Fatalf("db %d GET %q = %q, the engine holds %q", n, key, got, want)
			}
		}
	}
}

// TestLegacyStringVersion replays a record of a keel that kept a string's
// creation LSN as its version while overwriting the value (an opKSet of
// a string, code 1): the version reads as 0, not known, and GET finds
// the value that record wrote, not the older one in the strings engine's
// file that holds the creation LSN (which a read promised that LSN would
// go to).
func TestLegacyStringVersion(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	s := db.NewSession()
	if r := do(db, s, "SET", "k", "old"); r != kOK {
		t.Fatalf("SET: %v", r)
	}
	created := uint64(db.log.LastLSN())
	if err := db.strs.Flush(true); err != nil { // "old" in a file of LSN created
		t.Fatal(err)
	}
	// The overwrite as the older keel logged it, appended to the log
	// only: the reopen replays it.
	key := []byte("k")
	ks := &op{code: opKSet, db: 0, key: key, typ: memtables.TypeString, version: created, size: 3}
	payload := ks.encode(nil)
	if opCode(payload[0]) != opKSetString {
		t.Fatalf("a string's KSet encodes as code %d, want %d", payload[0], opKSetString)
	}
	payload[0] = byte(opKSet)
	put := &op{code: opSPut, phys: db.ks.PhysDB(0), key: key, val: []byte("new")}
	payload = put.encode(payload)
	if _, err := db.log.Append(recOps, []uint16{slots.Of(key)}, payload); err != nil {
		t.Fatal(err)
	}
	if err := db.log.Sync(); err != nil {
		t.Fatal(err)
	}
	db = reopen(t, db, dir)
	s = db.NewSession()
	if e, ok := db.ks.Get(0, key); !ok || e.Version != 0 {
		t.Fatalf("replayed legacy string: entry %+v (present %v), want version 0", e, ok)
	}
	if got := do(db, s, "GET", "k"); got != "new" {
		t.Fatalf("GET k = %v after the legacy overwrite, want new", got)
	}
	// Its next write makes the version known again.
	do(db, s, "APPEND", "k", "er")
	if e, _ := db.ks.Get(0, key); e.Version != uint64(db.log.LastLSN()) {
		t.Fatalf("version %d after APPEND at LSN %d", e.Version, db.log.LastLSN())
	}
	if got := do(db, s, "GET", "k"); got != "newer" {
		t.Fatalf("GET k = %v, want newer", got)
	}
}

// TestKSetStringDecode: code 6 is a string's KSet and nothing else's.
func TestKSetStringDecode(t *testing.T) {
	o := &op{code: opKSet, db: 1, key: []byte("h"), typ: memtables.TypeHash, version: 9, size: 2}
	b := o.encode(nil)
	if opCode(b[0]) != opKSet {
		t.Fatalf("a hash's KSet encodes as code %d", b[0])
	}
	b[0] = byte(opKSetString)
	d := opDecoder{b: b}
	var got op
	if d.next(&got) || d.err == nil {
		t.Fatalf("a hash's KSet under code %d decoded: %+v", opKSetString, got)
	}
	o.typ = memtables.TypeString
	d = opDecoder{b: o.encode(nil)}
	if !d.next(&got) || got.code != opKSet || got.version != 9 || got.typ != memtables.TypeString {
		t.Fatalf("a string's KSet decoded as %+v (%v)", got, d.err)
	}
}
