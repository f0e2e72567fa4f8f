package segments

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// testGroups is a test Options.Prefix: keys "gNN:…" belong to group
// "gNN:".
func testGroups(k []byte) int {
	if len(k) >= 4 && k[0] == 'g' && k[3] == ':' {
		return 4
	}
	return 0
}

// groupEnd is the first key past group g's keys.
func groupEnd(g int) string { return fmt.Sprintf("g%02d;", g) }

// TestModelGroups compares scans of one group (forward and reverse, whole
// or from a key in it) with a map, across writes that move from group to
// group (so that most files hold a few groups), deletes, range deletes
// within and across groups, flushes, compactions and reopens; scans of one
// group skip the files whose prefix filter rejects it. SEGMENTS_SEED
// replays.
func TestModelGroups(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, seed>>2))
	h := newHarness(t, Options{BufferSize: 4 << 10, BlockSize: 256, CacheSize: 64 << 10, Prefix: testGroups})
	model := map[string]string{}
	const groups = 40
	cur := 0 // the group writes are near
	key := func() string {
		g := cur + rng.IntN(3)
		if rng.IntN(10) == 0 {
			g = rng.IntN(groups)
		}
		return fmt.Sprintf("g%02d:%03d", g%groups, rng.IntN(50))
	}
	skipped := 0
	for step := range 6000 {
		if step%150 == 0 {
			cur = (cur + 1) % groups
		}
		switch op := rng.IntN(100); {
		case op < 50:
			k, v := key(), fmt.Sprintf("v%d", step)
			h.put(k, v)
			model[k] = v
		case op < 60:
			k := key()
			h.del(k)
			delete(model, k)
		case op < 63:
			lo, hi := key(), key()
			if rng.IntN(2) == 0 { // a whole group, as DEL of a hash
				lo, hi = lo[:4], groupEnd(int(lo[1]-'0')*10+int(lo[2]-'0'))
			}
			if lo > hi {
				lo, hi = hi, lo
			}
			h.delRange(lo, hi)
			deleteRange(model, lo, hi)
		case op < 68:
			h.flush()
		case op < 69:
			if err := h.s.Compact(); err != nil {
				t.Fatal(err)
			}
		case op < 70:
			h.flush()
			h.reopen()
		default:
			g := rng.IntN(groups)
			lo, hi := fmt.Sprintf("g%02d:", g), groupEnd(g)
			if rng.IntN(3) == 0 {
				lo = fmt.Sprintf("g%02d:%03d", g, rng.IntN(50))
			}
			var want []string
			for _, k := range slices.Sorted(maps.Keys(model)) {
				if k >= lo && k < hi {
					want = append(want, k+"="+model[k])
				}
			}
			reverse := rng.IntN(4) == 0
			got, err := scanKV(t, h.s, reverse, []byte(lo), []byte(hi), 0)
			if reverse {
				got = reversed(got)
			}
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("step %d: scan [%s, %s) reverse %v = %v %v, want %v", step, lo, hi, reverse, got, err, want)
			}
			files, kept := h.groupSources(lo, hi)
			skipped += files - kept
		}
	}
	if skipped == 0 {
		t.Fatal("no scan of a group left out a file")
	}
	t.Logf("%d files left out of group scans", skipped)
}

// groupSources returns how many files the store has, and how many of
// them a scan over [lo, hi) reads (mergeIn and revMergeIn leave the
// others out).
func (h *harness) groupSources(lo, hi string) (files, kept int) {
	h.t.Helper()
	vw, err := h.s.acquire()
	if err != nil {
		h.t.Fatal(err)
	}
	defer vw.release()
	vw.eachFile([]byte(lo), []byte(hi), func(int, *table) { kept++ })
	return len(vw.v.files), kept
}

// TestGroupOf checks which ranges groupOf takes to lie within one group:
// those from a key with a prefix up to the first key past its group.
func TestGroupOf(t *testing.T) {
	prefix := func(k []byte) int {
		if len(k) >= 3 {
			return 3
		}
		return 0
	}
	vw := view{prefix: prefix}
	for _, c := range []struct {
		lo, hi string
		want   bool
	}{
		{"abc", "abd", true},
		{"abc1", "abc9", true},
		{"abc", "abc", true},
		{"abc", "ab", true}, // empty range
		{"abc", "abd\x00", false},
		{"abc", "abe", false},
		{"abc", "b", false},
		{"ab\xff", "ac", true},
		{"ab\xff", "ac\x00", false},
		{"a\xff\xff", "b", true},
		{"\xff\xff\xff", "\xff\xff\xff\xff", false}, // no key past the group
		{"ab", "ac", false},                         // lo has no prefix
	} {
		var hi []byte
		if c.hi != "" {
			hi = []byte(c.hi)
		}
		_, got := vw.groupOf([]byte(c.lo), hi)
		if got != c.want {
			t.Errorf("groupOf(%q, %q) = %v, want %v", c.lo, c.hi, got, c.want)
		}
	}
	if _, got := vw.groupOf([]byte("abc"), nil); got {
		t.Error("an unbounded range taken for a group")
	}
	if _, got := (view{}).groupOf([]byte("abc"), []byte("abd")); got {
		t.Error("a group without Options.Prefix")
	}
}

// TestGroupFilterCompatibility: a file without a prefix filter (version 2,
// or written without Options.Prefix) is read by every scan of a group; a
// version 2 file that claims one, and a prefix filter whose block count
// overruns the section, are reported as damage of the file.
func TestGroupFilterCompatibility(t *testing.T) {
	write := func(t *testing.T, opts Options) (*harness, string) {
		h := newHarness(t, opts)
		for g := range 3 {
			for i := range 20 {
				h.put(fmt.Sprintf("g%02d:%03d", g, i), "v")
			}
		}
		h.flush()
		files := h.files()
		return h, filepath.Join(h.dir, segName(files[0].num))
	}
	rewrite := func(t *testing.T, path string, damage func(b []byte)) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		damage(b)
		rewriteFooterSums(b)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	setVersion := func(b []byte, v uint32) {
		binary.LittleEndian.PutUint32(b[8:], v)
		binary.LittleEndian.PutUint32(b[len(b)-12:], v)
	}
	propsFlags := func(b []byte) []byte {
		off := readFooter(t, b).off[secProps]
		return b[off+76:]
	}

	t.Run("unfiltered", func(t *testing.T) {
		h, _ := write(t, Options{})
		h.opts.Prefix = testGroups // read as a store with groups
		h.reopen()
		if files, kept := h.groupSources("g07:", groupEnd(7)); kept != files || files == 0 {
			t.Fatalf("%d of %d files read for a group they lack a filter for", kept, files)
		}
	})
	t.Run("version 2", func(t *testing.T) {
		h, path := write(t, Options{})
		h.s.Close()
		h.s = nil
		rewrite(t, path, func(b []byte) { setVersion(b, formatV2) })
		h.opts.Prefix = testGroups
		h.open()
		if got := len(h.scan("g01:", groupEnd(1))); got != 20 {
			t.Fatalf("version 2 file: %d keys of group 1, want 20", got)
		}
		if files, kept := h.groupSources("g07:", groupEnd(7)); kept != files {
			t.Fatalf("%d of %d version 2 files read", kept, files)
		}
	})
	t.Run("filtered", func(t *testing.T) {
		h, _ := write(t, Options{Prefix: testGroups})
		if files, kept := h.groupSources("g07:", groupEnd(7)); kept != 0 || files != 1 {
			t.Fatalf("%d of %d files read for a group none holds", kept, files)
		}
		if files, kept := h.groupSources("g01:", groupEnd(1)); kept != 1 || files != 1 {
			t.Fatalf("%d of %d files read for a group one holds", kept, files)
		}
	})
	for _, c := range []struct {
		name   string
		damage func(b []byte)
	}{
		{"flag in version 2", func(b []byte) { setVersion(b, formatV2) }},
		{"key filter overrun", func(b []byte) {
			off := readFooter(t, b).off[secBloom]
			binary.LittleEndian.PutUint64(b[off:], 1<<20) // the key filter's length
		}},
		{"prefix filter malformed", func(b []byte) {
			ft := readFooter(t, b)
			off := ft.off[secBloom] + 8 + binary.LittleEndian.Uint64(b[ft.off[secBloom]:])
			binary.LittleEndian.PutUint32(b[off+4:], 1<<20) // the prefix filter's block count
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, path := write(t, Options{Prefix: testGroups})
			if binary.LittleEndian.Uint32(propsFlags(mustRead(t, path)))&propFlagPrefixes == 0 {
				t.Fatal("no prefix flag in a file written with Options.Prefix")
			}
			h.s.Close()
			h.s = nil
			rewrite(t, path, c.damage)
			h.mu.Lock()
			st, ck := h.state, h.ckpt
			h.mu.Unlock()
			s, err := Open(h.dir, st, ck, h.opts)
			if err == nil {
				s.Close()
				t.Fatal("Open accepted the file")
			}
			var ce *CorruptionError
			if !errors.As(err, &ce) || ce.Path != path {
				t.Fatalf("Open: %v, want a corruption of %s", err, path)
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGroupTombstones: a file's range tombstones within one group are in
// its prefix filter, so a scan of that group reads the file even when it
// holds no key (a flush of DELs alone), and a scan of another group
// leaves it out; a file with a tombstone over several groups is read by
// the scans it overlaps.
func TestGroupTombstones(t *testing.T) {
	h := newHarness(t, Options{Prefix: testGroups})
	h.s.compactMu.Lock() // the files stay as flushed
	unlock := sync.OnceFunc(h.s.compactMu.Unlock)
	t.Cleanup(unlock)
	for g := range 8 {
		for i := range 10 {
			h.put(fmt.Sprintf("g%02d:%03d", g, i), "v")
		}
	}
	h.flush()
	h.delRange("g01:", groupEnd(1)) // DEL of group 1: a file of one tombstone
	h.flush()
	h.delRange("g04:005", groupEnd(5)) // over two groups
	h.flush()
	if files := h.files(); len(files) != 3 || files[0].props.flags&propFlagWideSpans == 0 || files[1].props.flags&propFlagWideSpans != 0 {
		t.Fatalf("%d files; flags %v", len(files), []uint32{files[0].props.flags, files[1].props.flags})
	}
	for _, c := range []struct {
		group, kept, keys int
	}{
		{1, 2, 0},  // the keys' file and the group's tombstone
		{2, 1, 10}, // the keys' file alone
		{4, 2, 5},  // the keys' file and the wide tombstone
		{5, 2, 0},
		{7, 1, 10},
	} {
		lo, hi := fmt.Sprintf("g%02d:", c.group), groupEnd(c.group)
		if got := len(h.scan(lo, hi)); got != c.keys {
			t.Errorf("group %d: %d keys, want %d", c.group, got, c.keys)
		}
		if files, kept := h.groupSources(lo, hi); kept != c.kept {
			t.Errorf("group %d: %d of %d files read, want %d", c.group, kept, files, c.kept)
		}
	}
	unlock()
	h.reopen()
	if got := len(h.scan("g01:", groupEnd(1))); got != 0 {
		t.Fatalf("after reopen: %d keys of the deleted group", got)
	}
}
