package keel

import (
	"strings"
	"testing"

	"github.com/keeldb/keel/internal/rdb"
)

// TestRestoreSurvivesRestart: a restored key is ordinary records in the
// log, replayed and checkpointed as the commands that build it would be:
// after a restart (once replayed, once from checkpoints) DUMP gives the
// payload it gave before.
func TestRestoreSurvivesRestart(t *testing.T) {
	for _, save := range []bool{false, true} {
		dir := t.TempDir()
		db, err := Open(dir, Options{ActiveExpireHz: -1})
		if err != nil {
			t.Fatal(err)
		}
		s := db.NewSession()
		build := [][]string{
			{"set", "str", "hello"},
			{"rpush", "list", "a", "b", "c"},
			{"sadd", "set", "1", "2", "x"},
			{"zadd", "zset", "1", "a", "2.5", "b"},
			{"hset", "hash", "f", "v", "g", "w"},
			{"xadd", "stream", "1-1", "a", "1"},
			{"xadd", "stream", "2-1", "b", "2"},
			{"xgroup", "create", "stream", "g", "0"},
			{"xreadgroup", "group", "g", "alice", "count", "1", "streams", "stream", ">"},
		}
		for _, c := range build {
			do(db, s, c...)
		}
		keys := []string{"str", "list", "set", "zset", "hash", "stream"}
		want := map[string]string{}
		for _, k := range keys {
			p, ok := do(db, s, "dump", k).(string)
			if !ok {
				t.Fatalf("DUMP %s: %v", k, do(db, s, "dump", k))
			}
			if got := do(db, s, "restore", "r-"+k, "0", p); got != (SimpleVal("OK")) {
				t.Fatalf("RESTORE r-%s: %v", k, got)
			}
			want[k] = p
		}
		if save {
			if err := db.Save(); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db, err = Open(dir, Options{ActiveExpireHz: -1})
		if err != nil {
			t.Fatal(err)
		}
		s = db.NewSession()
		for _, k := range keys {
			got, _ := do(db, s, "dump", "r-"+k).(string)
			if got != want[k] {
				a, _ := rdb.Decode([]byte(got))
				b, _ := rdb.Decode([]byte(want[k]))
				t.Errorf("save=%v: DUMP r-%s after the restart differs:\n got  %+v\n want %+v", save, k, a, b)
			}
		}
		db.Close()
	}
}

// TestOpenLocksDir: a second Open of an open directory fails (a keel
// import beside a serving keel), and succeeds once the first is closed.
func TestOpenLocksDir(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	if db2, err := Open(dir, Options{ActiveExpireHz: -1}); err == nil {
		db2.Close()
		t.Fatal("a second Open of an open directory succeeded")
	} else if !strings.Contains(err.Error(), "in use by another keel") {
		t.Fatalf("second Open: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	db.Close()
}
