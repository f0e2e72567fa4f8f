package keel

import (
	"fmt"
	"testing"
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
