package keel

import (
	"fmt"
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
			info2 := db2.CheckpointInfo()
			if info2.Engines["keyspace"] != ks || info2.Engines["strings"] != st {
				t.Fatalf("checkpoint LSNs changed across restart: %v vs keyspace %d strings %d", info2.Engines, ks, st)
			}
		})
	}
}

// TestIndependentCheckpointsAllEngines checkpoints each of the six
// engines at its own LSN, in several orders, with writes to every engine
// between the checkpoints, then restarts and compares the dataset digest:
// recovery must replay each engine past its own checkpoint only.
func TestIndependentCheckpointsAllEngines(t *testing.T) {
	orders := [][]string{
		{"keyspace", "strings", "lists", "sets", "zsets", "hashes"},
		{"hashes", "zsets", "sets", "lists", "strings", "keyspace"},
		{"lists", "keyspace", "hashes", "zsets", "strings", "sets"},
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
				do(db, s, "DEL", "l"+r, "t"+r, "z"+r, "h"+r)
				do(db, s, "RENAME", "h2", "h-renamed-"+r)
				do(db, s, "RENAME", "z1", "z-renamed-"+r)
				do(db, s, "MULTI")
				do(db, s, "RPUSH", "txl", r)
				do(db, s, "SADD", "txs", r)
				do(db, s, "ZADD", "txz", r, r)
				do(db, s, "SET", "txk", r)
				do(db, s, "HSET", "txh", r, r)
				do(db, s, "EXEC")
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
			if got := db2.CheckpointInfo().Engines; fmt.Sprint(got) != fmt.Sprint(before) {
				t.Fatalf("checkpoint LSNs changed across restart: %v, want %v", got, before)
			}
		})
	}
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
