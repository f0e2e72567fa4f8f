package checkpoint

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestManifestCommitReopen(t *testing.T) {
	dir := t.TempDir()
	m, err := OpenManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.RetainFrom([]string{"keyspace", "strings"}); got != 1 {
		t.Fatalf("RetainFrom on empty manifest = %d, want 1", got)
	}
	if err := m.Commit("keyspace", 10, []byte("keyspace-10.ckpt")); err != nil {
		t.Fatal(err)
	}
	if err := m.Commit("strings", 7, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if got := m.RetainFrom([]string{"keyspace", "strings"}); got != 8 {
		t.Fatalf("RetainFrom = %d, want 8", got)
	}
	if err := m.Commit("strings", 6, nil); err == nil {
		t.Fatal("checkpoint LSN moved backwards without an error")
	}
	m2, err := OpenManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	e, ok := m2.Get("keyspace")
	if !ok || e.LSN != 10 || string(e.State) != "keyspace-10.ckpt" {
		t.Fatalf("keyspace entry after reopen = %+v, %v", e, ok)
	}
	e, ok = m2.Get("strings")
	if !ok || e.LSN != 7 || string(e.State) != "\x01\x02\x03" {
		t.Fatalf("strings entry after reopen = %+v, %v", e, ok)
	}
}

func TestManifestStaleTmpRemoved(t *testing.T) {
	dir := t.TempDir()
	tmp := filepath.Join(dir, ManifestFile+".tmp")
	if err := os.WriteFile(tmp, []byte("half-written"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenManifest(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("stale %s survived open: %v", tmp, err)
	}
}

// TestManifestCorruption damages a valid manifest in named ways; each must
// be reported as a *CorruptionError naming the file, the offset and cause.
func TestManifestCorruption(t *testing.T) {
	build := func(t *testing.T) (string, []byte) {
		dir := t.TempDir()
		m, err := OpenManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Commit("keyspace", 42, []byte("keyspace-42.ckpt")); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
		if err != nil {
			t.Fatal(err)
		}
		return dir, data
	}
	cases := []struct {
		name   string
		damage func([]byte) []byte
		want   error
		offset int64
	}{
		{"bad_magic", func(b []byte) []byte { b[0] ^= 0xff; return b }, ErrBadMagic, 0},
		{"bad_version", func(b []byte) []byte { b[8] = 9; return b }, ErrBadVersion, 8},
		{"flipped_byte", func(b []byte) []byte { b[14] ^= 0x01; return b }, ErrChecksum, -1},
		{"truncated", func(b []byte) []byte { return b[:len(b)-3] }, ErrChecksum, -1},
		{"too_short", func(b []byte) []byte { return b[:9] }, ErrMalformed, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, data := build(t)
			bad := tc.damage(append([]byte(nil), data...))
			path := filepath.Join(dir, ManifestFile)
			if err := os.WriteFile(path, bad, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := OpenManifest(dir)
			var ce *CorruptionError
			if !errors.As(err, &ce) {
				t.Fatalf("OpenManifest = %v, want *CorruptionError", err)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v does not wrap %v", err, tc.want)
			}
			if ce.Path != path {
				t.Fatalf("error names %q, want %q", ce.Path, path)
			}
			want := tc.offset
			if want < 0 {
				want = int64(len(bad) - 8) // the checksum field
			}
			if ce.Offset != want {
				t.Fatalf("offset %d, want %d", ce.Offset, want)
			}
		})
	}
}

func FuzzDecodeManifest(f *testing.F) {
	f.Add(encodeManifest(map[string]Entry{"keyspace": {LSN: 3, State: []byte("x")}}))
	f.Add([]byte(manifestMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, _, err := decodeManifest(data)
		if err != nil {
			return
		}
		// What decodes re-encodes to something that decodes the same.
		again, _, err := decodeManifest(encodeManifest(entries))
		if err != nil || len(again) != len(entries) {
			t.Fatalf("re-encoded manifest: %v (%d vs %d entries)", err, len(again), len(entries))
		}
		for k, v := range entries {
			if w := again[k]; w.LSN != v.LSN || string(w.State) != string(v.State) {
				t.Fatalf("entry %q changed in the round trip", k)
			}
		}
	})
}
