package keel

import (
	"fmt"
	"strings"
	"testing"

	"github.com/keeldb/keel/slots"
)

// TestIndependentCheckpoints checkpoints the engines at different LSNs —
// strings first, then more writes, then the keyspace, then more writes —
// and checks that recovery replays each engine past its own checkpoint only
// and ends in exactly the state before the restart (DESIGN invariant 3).
func TestIndependentCheckpoints(t *testing.T) {
	for _, order := range []string{"strings-then-keyspace", "keyspace-then-strings"} {
		t.Run(order, func(t *testing.T) {
			dir := t.TempDir()
			db, err := Open(dir, Options{ActiveExpireHz: -1})
			if err != nil {
				t.Fatal(err)
			}
			s := db.NewSession()
			write := func(round int) {
				for i := 0; i < 50; i++ {
					do(db, s, "SET", fmt.Sprintf("k%d", i), fmt.Sprintf("v%d-%d", i, round))
					do(db, s, "APPEND", fmt.Sprintf("log%d", i%5), fmt.Sprintf("%d,", round))
				}
				do(db, s, "DEL", fmt.Sprintf("k%d", round))
				do(db, s, "INCRBY", "counter", fmt.Sprint(round))
				// Strings that move between the strings engine and the
				// keyspace (inline integers) across the checkpoints.
				if round%2 == 1 {
					do(db, s, "SET", "flip", fmt.Sprint(round))
					do(db, s, "SET", fmt.Sprintf("n%d", round), "7")
				} else {
					do(db, s, "SET", "flip", fmt.Sprintf("text-%d", round))
				}
				do(db, s, "APPEND", fmt.Sprintf("n%d", round-1), "x")
			}
			ckpt := []func() error{db.checkpointStrings, func() error { return db.checkpointMem(engKeyspace) }}
			if order == "keyspace-then-strings" {
				ckpt[0], ckpt[1] = ckpt[1], ckpt[0]
			}
			write(1)
			if err := ckpt[0](); err != nil {
				t.Fatal(err)
			}
			write(2)
			if err := ckpt[1](); err != nil {
				t.Fatal(err)
			}
			write(3)
			info := db.CheckpointInfo()
			ks, st := info.Engines["keyspace"], info.Engines["strings"]
			if ks == st || ks == 0 || st == 0 {
				t.Fatalf("engines should be checkpointed at different LSNs, got keyspace %d strings %d", ks, st)
			}
			want := do(db, s, "DEBUG", "DIGEST")
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db2, err := Open(dir, Options{ActiveExpireHz: -1})
			if err != nil {
				t.Fatal(err)
			}
			defer db2.Close()
			s2 := db2.NewSession()
			if got := do(db2, s2, "DEBUG", "DIGEST"); got != want {
				t.Fatalf("digest after recovery %v, want %v", got, want)
			}
			if got := do(db2, s2, "GET", "counter"); got != "6" {
				t.Fatalf("counter = %v, want 6", got)
			}
			if got := do(db2, s2, "GET", "flip"); got != "3" {
				t.Fatalf("flip = %v, want 3", got)
			}
			if err := checkStringsEngine(db2); err != nil {
				t.Fatal(err)
			}
			info2 := db2.CheckpointInfo()
			if info2.Engines["keyspace"] != ks || info2.Engines["strings"] != st {
				t.Fatalf("checkpoint LSNs changed across restart: %v vs keyspace %d strings %d", info2.Engines, ks, st)
			}
		})
	}
}

// TestIndependentCheckpointsAllEngines checkpoints each of the seven
// engines at its own LSN, in several orders, with writes to every engine
// between the checkpoints, then restarts and compares the dataset digest
// (which covers every stream record: entries, nodes, groups, consumers and
// both PEL indexes): recovery must replay each engine past its own
// checkpoint only.
func TestIndependentCheckpointsAllEngines(t *testing.T) {
	orders := [][]string{
		{"keyspace", "strings", "lists", "sets", "zsets", "hashes", "streams", "functions"},
		{"functions", "streams", "hashes", "zsets", "sets", "lists", "strings", "keyspace"},
		{"lists", "keyspace", "streams", "functions", "hashes", "zsets", "strings", "sets"},
		{"keyspace", "hashes", "strings", "streams", "sets", "lists", "functions", "zsets"},
	}
	if n := len(engineNames); n != len(orders[0]) {
		t.Fatalf("%d engines, but the orders list %d: add the new engine", n, len(orders[0]))
	}
	for _, order := range orders {
		t.Run(fmt.Sprint(order), func(t *testing.T) {
			dir := t.TempDir()
			db, err := Open(dir, Options{ActiveExpireHz: -1})
			if err != nil {
				t.Fatal(err)
			}
			s := db.NewSession()
			write := func(round int) {
				r := fmt.Sprint(round)
				for i := 0; i < 20; i++ {
					k := fmt.Sprint(i % 7)
					do(db, s, "SET", "s"+k, r)
					do(db, s, "RPUSH", "l"+k, r, k)
					do(db, s, "LPOP", "l"+fmt.Sprint((i+3)%7))
					do(db, s, "SADD", "t"+k, r, fmt.Sprint(i))
					do(db, s, "SREM", "t"+fmt.Sprint((i+1)%7), fmt.Sprint(i-1))
					do(db, s, "ZADD", "z"+k, fmt.Sprint(i), r)
					do(db, s, "ZINCRBY", "z"+k, "0.25", k)
					do(db, s, "HSET", "h"+k, "f"+r, r, "g", k)
					do(db, s, "HDEL", "h"+fmt.Sprint((i+2)%7), "f"+fmt.Sprint(round-1))
					do(db, s, "HINCRBY", "h"+k, "n", "1")
				}
				writeStreams(t, db, s, round)
				do(db, s, "DEL", "l"+r, "t"+r, "z"+r, "h"+r, "x"+r)
				do(db, s, "RENAME", "h2", "h-renamed-"+r)
				do(db, s, "RENAME", "z1", "z-renamed-"+r)
				do(db, s, "RENAME", "x2", "x-renamed-"+r)
				do(db, s, "COPY", "x3", "x-copy-"+r)
				do(db, s, "MULTI")
				do(db, s, "RPUSH", "txl", r)
				do(db, s, "SADD", "txs", r)
				do(db, s, "ZADD", "txz", r, r)
				do(db, s, "SET", "txk", r)
				do(db, s, "HSET", "txh", r, r)
				do(db, s, "XADD", "txx", "*", "f", r)
				do(db, s, "XREADGROUP", "GROUP", "g", "c", "STREAMS", "txx", ">")
				do(db, s, "EXEC")
				// The functions engine: libraries loaded, replaced and
				// deleted (its ops are global records of their own).
				lib := fmt.Sprintf("#!lua name=lib%d\nredis.register_function('f%d', function(keys) return redis.call('incr', keys[1]) end)", round%3, round)
				if v := do(db, s, "FUNCTION", "LOAD", "REPLACE", lib); v != fmt.Sprintf("lib%d", round%3) {
					t.Fatalf("FUNCTION LOAD: %v", v)
				}
				do(db, s, "FCALL", "f"+r, "1", "fcalls")
				if round%4 == 3 {
					do(db, s, "FUNCTION", "DELETE", fmt.Sprintf("lib%d", (round+1)%3))
				}
			}
			seen := map[uint64]bool{}
			for round, eng := range order {
				write(round)
				if err := db.CheckpointEngine(eng); err != nil {
					t.Fatal(err)
				}
				lsn := db.CheckpointInfo().Engines[eng]
				if seen[lsn] {
					t.Fatalf("%s checkpointed at LSN %d like an earlier engine", eng, lsn)
				}
				seen[lsn] = true
			}
			write(len(order))
			want := do(db, s, "DEBUG", "DIGEST")
			wantFuncs := fmt.Sprint(do(db, s, "FUNCTION", "LIST", "WITHCODE"))
			before := db.CheckpointInfo().Engines
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db2, err := Open(dir, Options{ActiveExpireHz: -1})
			if err != nil {
				t.Fatal(err)
			}
			defer db2.Close()
			s2 := db2.NewSession()
			if got := do(db2, s2, "DEBUG", "DIGEST"); got != want {
				t.Fatalf("digest after recovery %v, want %v", got, want)
			}
			if got := fmt.Sprint(do(db2, s2, "FUNCTION", "LIST", "WITHCODE")); got != wantFuncs {
				t.Fatalf("functions after recovery %v, want %v", got, wantFuncs)
			}
			if got := db2.CheckpointInfo().Engines; fmt.Sprint(got) != fmt.Sprint(before) {
				t.Fatalf("checkpoint LSNs changed across restart: %v, want %v", got, before)
			}
		})
	}
}

// writeStreams is one round of stream writes for the checkpoint tests:
// entries with "*" ids (logged as concrete ids) and explicit ones, groups,
// deliveries to several consumers, acks, claims, deletes and trims, each
// of which logs records of the streams engine only (plus the keyspace).
// Every command must succeed.
func writeStreams(t *testing.T, db *DB, s *Session, round int) {
	t.Helper()
	r := fmt.Sprint(round)
	must := func(words ...string) any {
		t.Helper()
		v := do(db, s, words...)
		if e, ok := v.(ErrorVal); ok {
			t.Fatalf("%v: %v", words, e)
		}
		return v
	}
	// ids returns the entry ids of an XRANGE, XCLAIM or XPENDING reply.
	ids := func(v any) []string {
		var out []string
		arr, _ := v.([]any)
		for _, e := range arr {
			if row, ok := e.([]any); ok && len(row) > 0 {
				out = append(out, fmt.Sprint(row[0]))
			} else if e != nil {
				out = append(out, fmt.Sprint(e))
			}
		}
		return out
	}
	for i := 0; i < 8*7; i++ {
		k := fmt.Sprint(i % 7)
		must("XADD", "x"+k, "*", "f", r, "n", fmt.Sprint(i))
		must("XADD", "xe"+k, fmt.Sprintf("%d-%d", round+1, i+1), "f", r)
	}
	for k := 0; k < 7; k++ {
		x := fmt.Sprint("x", k)
		if v := do(db, s, "XGROUP", "CREATE", x, "g", "0"); v != (SimpleVal("OK")) {
			if e, ok := v.(ErrorVal); !ok || !strings.HasPrefix(string(e), "BUSYGROUP") {
				t.Fatalf("XGROUP CREATE %s g: %v", x, v)
			}
		}
		must("XGROUP", "CREATE", x, "g"+r, "$", "ENTRIESREAD", "3")
		must("XREADGROUP", "GROUP", "g", "c"+r, "COUNT", "6", "STREAMS", x, ">")
		must("XREADGROUP", "GROUP", "g", "d", "COUNT", "2", "STREAMS", x, ">")
		pel := ids(must("XPENDING", x, "g", "-", "+", "4"))
		if len(pel) < 4 {
			t.Fatalf("XPENDING %s g: %v, want 4 entries", x, pel)
		}
		must("XACK", x, "g", pel[0], pel[2])
		must("XCLAIM", x, "g", "e", "0", pel[1])
		must("XCLAIM", x, "g", "e", "0", pel[3], "JUSTID")
		must("XAUTOCLAIM", x, "g", "f", "0", "0-0", "COUNT", "1")
		first := ids(must("XRANGE", x, "-", "+", "COUNT", "2"))
		must("XDEL", x, first[1])
		must("XREADGROUP", "GROUP", "g", "d", "STREAMS", x, "0") // history: the deleted entry is nil
		switch k % 3 {
		case 0:
			must("XTRIM", x, "MAXLEN", "12")
		case 1:
			must("XTRIM", x, "MINID", first[0])
		default:
			must("XADD", x, "MAXLEN", "~", "5", "*", "f", r)
		}
		must("XGROUP", "CREATECONSUMER", x, "g", "idle"+r)
		must("XGROUP", "DELCONSUMER", x, "g", "c"+fmt.Sprint(round-1))
	}
	must("XGROUP", "DESTROY", "x4", "g"+fmt.Sprint(round-1))
	must("XGROUP", "SETID", "x5", "g", "0-0")
	must("XSETID", "xe0", fmt.Sprintf("%d-100", round+1))
}

// TestRecordSlotsEmptyKeyInMulti: a queued command's empty key ("" is a
// valid key, slot 0) still names its slot in the EXEC record; queued
// arguments once lost the difference between "" and absent.
func TestRecordSlotsEmptyKeyInMulti(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	do(db, s, "MULTI")
	do(db, s, "SET", "", "v")
	do(db, s, "RPUSH", "{x}l", "a")
	if got := fmt.Sprint(do(db, s, "EXEC")); got != "[OK 1]" {
		t.Fatalf("EXEC = %s", got)
	}
	last := db.log.LastLSN()
	if err := db.log.Sync(); err != nil {
		t.Fatal(err)
	}
	r, err := db.log.NewReader(last)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rec, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint16]bool{slots.Of([]byte("")): true, slots.Of([]byte("{x}l")): true}
	if len(rec.Slots) != len(want) || !want[rec.Slots[0]] || !want[rec.Slots[1]] {
		t.Fatalf("record slots %v, want %v", rec.Slots, want)
	}
}
