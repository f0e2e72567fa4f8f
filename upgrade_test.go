package keel

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/keeldb/keel/checkpoint"
)

// TestEngineAddedToOldDataDir opens a data directory written before the
// streams engine existed: its manifest names the other engines and its WAL
// was truncated, so the new engine's records cannot start at LSN 1.
// Recovery must take the new engine as empty before the WAL's first record
// (keel.go recover) instead of refusing to start.
func TestEngineAddedToOldDataDir(t *testing.T) {
	dir := t.TempDir()
	o := Options{ActiveExpireHz: -1, WALSegmentSize: 1 << 20}
	db, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{Proto: 2, Authenticated: true}
	val := strings.Repeat("v", 1000)
	for i := range 3000 {
		if r := do(db, s, "SET", "k"+strconv.Itoa(i), val); r != kOK {
			t.Fatalf("SET: %#v", r)
		}
	}
	if err := db.Save(); err != nil {
		t.Fatal(err)
	}
	if first := db.log.FirstLSN(); first <= 1 {
		t.Fatalf("the WAL was not truncated (first LSN %d): the test needs it", first)
	}
	do(db, s, "SET", "after", "1")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// The data directory as an older keel left it: no streams engine.
	old, err := checkpoint.OpenManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	m, err := checkpoint.OpenManifest(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for name, e := range old.Entries() {
		if name != engineNames[engStreams] {
			if err := m.Commit(name, e.LSN, e.State); err != nil {
				t.Fatal(err)
			}
		}
	}
	mustRename(t, filepath.Join(tmp, checkpoint.ManifestFile), filepath.Join(dir, checkpoint.ManifestFile))
	if err := os.RemoveAll(filepath.Join(dir, engineNames[engStreams])); err != nil {
		t.Fatal(err)
	}

	db, err = Open(dir, o)
	if err != nil {
		t.Fatalf("reopening a data directory without the streams engine: %v", err)
	}
	defer db.Close()
	if r := do(db, s, "GET", "after"); r != "1" {
		t.Fatalf("GET after = %#v", r)
	}
	if r := do(db, s, "GET", "k2999"); r != val {
		t.Fatalf("GET k2999 = %.20q", r)
	}
	if r := do(db, s, "XADD", "st", "1-1", "f", "v"); r != "1-1" {
		t.Fatalf("XADD = %#v", r)
	}
	if err := db.Save(); err != nil {
		t.Fatal(err)
	}
	if _, named := db.man.Get(engineNames[engStreams]); !named {
		t.Fatal("the streams engine has no manifest entry after a checkpoint")
	}
}

func mustRename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}
