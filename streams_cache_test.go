package keel

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestStreamWriteCache drives stream and consumer group commands, with the
// commands that drop, move or copy a stream (DEL, RENAME, COPY, MOVE,
// SWAPDB, FLUSHDB, FLUSHALL, expiry), MULTI/EXEC with failing commands,
// evictions of the write cache and restarts, and checks after every step
// that each write cache entry holds exactly what its records hold (see
// checkStreamCache). A restart checks that the records replayed from the
// WAL are the ones written: DEBUG DIGEST and XINFO STREAM FULL agree.
func TestStreamWriteCache(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		dir := t.TempDir()
		db, err := Open(dir, Options{ActiveExpireHz: -1})
		if err != nil {
			rt.Fatal(err)
		}
		defer func() { db.Close() }()
		s := db.NewSession()
		keyGen := rapid.SampledFrom([]string{"a", "a", "b"})
		groupGen := rapid.SampledFrom([]string{"g1", "g1", "g2"})
		consumerGen := rapid.SampledFrom([]string{"c1", "c2", "c3"})
		next := 0 // the last explicit id's ms
		for _, k := range []string{"a", "b"} {
			for range 3 {
				next++
				do(db, s, "XADD", k, strconv.Itoa(next)+"-1", "f", "v")
			}
			do(db, s, "XGROUP", "CREATE", k, "g1", "0")
		}
		// id draws an id near those added.
		id := func(rt *rapid.T) string {
			lo := 0
			if rapid.Bool().Draw(rt, "recent") {
				lo = max(next-3, 0)
			}
			return fmt.Sprintf("%d-%d", rapid.IntRange(lo, next+1).Draw(rt, "ms"), rapid.IntRange(0, 1).Draw(rt, "seq"))
		}
		ids := func(rt *rapid.T) []string {
			n := rapid.IntRange(1, 4).Draw(rt, "ids")
			out := make([]string, n)
			for i := range out {
				out[i] = id(rt)
			}
			return out
		}
		// Command generators: each draws one command's arguments.
		gens := map[string]func(*rapid.T) []string{
			"xadd": func(rt *rapid.T) []string {
				args := []string{"XADD", keyGen.Draw(rt, "key")}
				if rapid.IntRange(0, 3).Draw(rt, "trim") == 0 {
					args = append(args, "MAXLEN", rapid.SampledFrom([]string{"=", "~"}).Draw(rt, "exact"), strconv.Itoa(rapid.IntRange(0, 4).Draw(rt, "maxlen")))
				}
				next++
				return append(args, strconv.Itoa(next)+"-1", "f", strconv.Itoa(next))
			},
			"xdel": func(rt *rapid.T) []string {
				return append([]string{"XDEL", keyGen.Draw(rt, "key")}, ids(rt)...)
			},
			"xtrim": func(rt *rapid.T) []string {
				if rapid.Bool().Draw(rt, "minid") {
					return []string{"XTRIM", keyGen.Draw(rt, "key"), "MINID", id(rt)}
				}
				return []string{"XTRIM", keyGen.Draw(rt, "key"), "MAXLEN", strconv.Itoa(rapid.IntRange(0, 4).Draw(rt, "maxlen"))}
			},
			"xsetid": func(rt *rapid.T) []string {
				next += 2
				return []string{"XSETID", keyGen.Draw(rt, "key"), strconv.Itoa(next) + "-0"}
			},
			"xgroup": func(rt *rapid.T) []string {
				k, g := keyGen.Draw(rt, "key"), groupGen.Draw(rt, "group")
				switch rapid.IntRange(0, 5).Draw(rt, "sub") {
				case 0, 1:
					return []string{"XGROUP", "CREATE", k, g, rapid.SampledFrom([]string{"0", "$"}).Draw(rt, "start"), "MKSTREAM"}
				case 2:
					return []string{"XGROUP", "SETID", k, g, rapid.SampledFrom([]string{"0", "$", id(rt)}).Draw(rt, "setid")}
				case 3:
					return []string{"XGROUP", "DESTROY", k, g}
				case 4:
					return []string{"XGROUP", "CREATECONSUMER", k, g, consumerGen.Draw(rt, "consumer")}
				}
				return []string{"XGROUP", "DELCONSUMER", k, g, consumerGen.Draw(rt, "consumer")}
			},
			"xreadgroup": func(rt *rapid.T) []string {
				args := []string{"XREADGROUP", "GROUP", groupGen.Draw(rt, "group"), consumerGen.Draw(rt, "consumer")}
				if n := rapid.IntRange(0, 3).Draw(rt, "count"); n > 0 {
					args = append(args, "COUNT", strconv.Itoa(n))
				}
				if rapid.IntRange(0, 4).Draw(rt, "noack") == 0 {
					args = append(args, "NOACK")
				}
				k := keyGen.Draw(rt, "key")
				from := rapid.SampledFrom([]string{">", ">", ">", "0"}).Draw(rt, "from")
				if rapid.IntRange(0, 4).Draw(rt, "twice") == 0 {
					return append(args, "STREAMS", k, k, from, from)
				}
				return append(args, "STREAMS", k, from)
			},
			"xack": func(rt *rapid.T) []string {
				return append([]string{"XACK", keyGen.Draw(rt, "key"), groupGen.Draw(rt, "group")}, ids(rt)...)
			},
			"xclaim": func(rt *rapid.T) []string {
				args := append([]string{"XCLAIM", keyGen.Draw(rt, "key"), groupGen.Draw(rt, "group"), consumerGen.Draw(rt, "consumer"), "0"}, ids(rt)...)
				for _, o := range []string{"FORCE", "JUSTID"} {
					if rapid.Bool().Draw(rt, o) {
						args = append(args, o)
					}
				}
				if rapid.IntRange(0, 3).Draw(rt, "lastid") == 0 {
					args = append(args, "LASTID", id(rt))
				}
				return args
			},
			"xautoclaim": func(rt *rapid.T) []string {
				return []string{"XAUTOCLAIM", keyGen.Draw(rt, "key"), groupGen.Draw(rt, "group"), consumerGen.Draw(rt, "consumer"), "0", "0", "COUNT", strconv.Itoa(rapid.IntRange(1, 3).Draw(rt, "count"))}
			},
			"keys": func(rt *rapid.T) []string {
				switch rapid.IntRange(0, 7).Draw(rt, "cmd") {
				case 0:
					return []string{"DEL", keyGen.Draw(rt, "key")}
				case 1:
					return []string{"RENAME", keyGen.Draw(rt, "from"), keyGen.Draw(rt, "to")}
				case 2:
					return []string{"COPY", keyGen.Draw(rt, "from"), keyGen.Draw(rt, "to"), "REPLACE"}
				case 3:
					return []string{"MOVE", keyGen.Draw(rt, "key"), "1"}
				case 4:
					return []string{"SWAPDB", "0", "1"}
				case 5:
					return []string{"SET", keyGen.Draw(rt, "key"), "x"}
				case 6:
					return []string{"FLUSHDB"}
				}
				return []string{"FLUSHALL"}
			},
		}
		// Steps by weight: mostly adding, reading and acknowledging.
		weights := map[string]int{"xadd": 4, "xreadgroup": 6, "xack": 4, "xgroup": 3, "xclaim": 2, "xdel": 3, "xtrim": 2}
		steps := map[string]func(*rapid.T){}
		for name, gen := range gens {
			for i := range max(weights[name], 1) {
				steps[name+strconv.Itoa(i)] = func(rt *rapid.T) { do(db, s, gen(rt)...) }
			}
		}
		steps["multi"] = func(rt *rapid.T) {
			do(db, s, "MULTI")
			for range rapid.IntRange(1, 4).Draw(rt, "queued") {
				gen := gens[rapid.SampledFrom([]string{"xadd", "xdel", "xgroup", "xreadgroup", "xack", "xclaim", "keys"}).Draw(rt, "queue")]
				do(db, s, gen(rt)...)
			}
			do(db, s, "EXEC")
		}
		steps["expire"] = func(rt *rapid.T) {
			// The next write of the key finds it expired and deletes it.
			k := keyGen.Draw(rt, "key")
			do(db, s, "PEXPIRE", k, "1")
			time.Sleep(2 * time.Millisecond)
			do(db, s, "XADD", k, "*", "f", "v")
		}
		steps["evict"] = func(rt *rapid.T) { db.streamCache.clear() }
		steps["restart"] = func(rt *rapid.T) {
			var before []any
			for _, k := range []string{"a", "b"} {
				before = append(before, do(db, s, "XINFO", "STREAM", k, "FULL"))
			}
			before = append(before, do(db, s, "DEBUG", "DIGEST"))
			if err := db.Close(); err != nil {
				rt.Fatal(err)
			}
			if db, err = Open(dir, Options{ActiveExpireHz: -1}); err != nil {
				rt.Fatalf("reopen: %v", err)
			}
			s = db.NewSession()
			var after []any
			for _, k := range []string{"a", "b"} {
				after = append(after, do(db, s, "XINFO", "STREAM", k, "FULL"))
			}
			after = append(after, do(db, s, "DEBUG", "DIGEST"))
			if fmt.Sprint(after) != fmt.Sprint(before) {
				rt.Fatalf("after the restart:\n%v\nbefore:\n%v", after, before)
			}
		}
		steps[""] = func(rt *rapid.T) { checkStreamCache(rt, db) }
		for range 3 { // long runs: a cache entry lives many commands
			rt.Repeat(steps)
		}
	})
}

// checkStreamCache fails unless every entry of db's stream write cache
// holds what the store holds: the meta record; for each cached group its
// record, its consumers' records (or their absence), its cached PEL
// entries (in both PELs), a PEL bound at or above every pending id, a
// complete PEL when it says so, and a read-ahead window equal to the
// entries in its range; nothing unlogged; and the cost total.
func checkStreamCache(t interface {
	Fatal(...any)
	Fatalf(string, ...any)
}, db *DB) {
	total, counted := 0, db.streamCache.cost
	entries := maps.Clone(db.streamCache.m)
	if hot := db.streamCache.hot; hot != nil {
		if entries[hot.key] != nil {
			t.Fatalf("cache entry %q both hot and in the map", hot.key)
		}
		if entries == nil {
			entries = map[string]*streamCached{}
		}
		entries[hot.key] = hot
	}
	if len(entries) != db.streamCache.len() {
		t.Fatalf("%d cache entries, len says %d", len(entries), db.streamCache.len())
	}
	for key, sc := range entries {
		total += sc.cost
		h := &sc.h
		if key != sc.key || sc.h.cached != sc {
			t.Fatalf("cache entry %q: key %q, handle of %p", key, sc.key, sc.h.cached)
		}
		if h.dirty || len(h.puts) > 0 || len(h.dels) > 0 {
			t.Fatalf("cache entry %q holds unlogged changes", key)
		}
		// The cache key is streamCacheKey: physical db, version, key.
		prefix := string(hashPrefix(nil, binary.BigEndian.Uint32([]byte(key)), []byte(key[12:]), binary.BigEndian.Uint64([]byte(key[4:]))))
		rec := func(sub []byte) ([]byte, bool) {
			v, found, err := db.streams.Get(append([]byte(prefix), sub...))
			if err != nil {
				t.Fatal(err)
			}
			return v, found
		}
		scan := func(lo, hi []byte, fn func(sub, v []byte)) {
			if err := db.streams.Scan(append([]byte(prefix), lo...), append([]byte(prefix), hi...), func(k, v []byte) bool {
				fn(k[len(prefix):], v)
				return true
			}); err != nil {
				t.Fatal(err)
			}
		}
		if v, ok := rec([]byte{subMeta}); !ok || !bytes.Equal(v, h.meta.encode()) {
			t.Fatalf("cache entry %q: meta %+v, record %x (found %v)", key, h.meta, v, ok)
		}
		for name, gs := range h.groups {
			if name != string(gs.name) || gs.dirty || len(gs.touched) > 0 {
				t.Fatalf("cache entry %q group %q: name %q, dirty %v, %d consumers touched", key, name, gs.name, gs.dirty, len(gs.touched))
			}
			if v, ok := rec(subGroupKey(gs.name)); !ok || !bytes.Equal(v, gs.g.appendTo(nil)) {
				t.Fatalf("cache entry %q group %q: %+v, record %x (found %v)", key, name, gs.g, v, ok)
			}
			for cname, cs := range gs.consumers {
				v, ok := rec(subConsumerKey(gs.name, cs.name))
				if cname != string(cs.name) || cs.dirty || ok != cs.exists || ok && !bytes.Equal(v, cs.cs.appendTo(nil)) {
					t.Fatalf("cache entry %q group %q consumer %q: %+v (exists %v, dirty %v), record %x (found %v)", key, name, cname, cs.cs, cs.exists, cs.dirty, v, ok)
				}
			}
			prefix := subGroupScoped(subPending, gs.name)
			pel := map[streamID][]byte{}
			scan(prefix, prefixEnd(prefix), func(sub, v []byte) { pel[decodeStreamID(sub[len(prefix):])] = bytes.Clone(v) })
			if uint64(len(pel)) != gs.g.pending {
				t.Fatalf("cache entry %q group %q counts %d pending, %d records", key, name, gs.g.pending, len(pel))
			}
			for id, p := range gs.pel {
				v, ok := pel[id]
				if _, owned := rec(subOwnedKey(gs.name, p.consumer, id)); id != p.id || !ok || !owned || !bytes.Equal(v, p.appendTo(nil)) {
					t.Fatalf("cache entry %q group %q pending %s: %+v, record %x (found %v, owned %v)", key, name, id, p, v, ok, owned)
				}
			}
			for id := range pel {
				if gs.pelMaxKnown && id.cmp(gs.pelMax) > 0 {
					t.Fatalf("cache entry %q group %q: pending %s above the bound %s", key, name, id, gs.pelMax)
				}
			}
			if w := gs.ahead; w != nil {
				var es []streamEntry
				lo, hi := entryRange(w.lo, w.hi)
				scan(lo, hi, func(sub, v []byte) {
					f, err := decodeFields(bytes.Clone(v))
					if err != nil {
						t.Fatal(err)
					}
					es = append(es, streamEntry{decodeStreamID(sub[1:]), f})
				})
				if fmt.Sprint(es) != fmt.Sprint(w.es) {
					t.Fatalf("cache entry %q group %q read-ahead [%s, %s]: %v, records %v", key, name, w.lo, w.hi, w.es, es)
				}
			}
		}
	}
	if total != counted {
		t.Fatalf("cache costs add up to %d, the total says %d", total, counted)
	}
}

// TestStreamWriteCacheCases runs command sequences that change cached
// state in every way one at a time, checking the cache after each.
func TestStreamWriteCacheCases(t *testing.T) {
	prefix := "XADD s 1-1 f v|XADD s 2-1 f v|XADD s 3-1 f v|XGROUP CREATE s g 0|XREADGROUP GROUP g c1 COUNT 1 STREAMS s >|XREADGROUP GROUP g c2 COUNT 1 STREAMS s >"
	for _, tc := range []string{
		"XGROUP DELCONSUMER s g c1|XREADGROUP GROUP g c1 COUNT 1 STREAMS s >",
		"XGROUP DESTROY s g|XGROUP CREATE s g $|XREADGROUP GROUP g c1 STREAMS s >",
		"XDEL s 3-1|XREADGROUP GROUP g c1 COUNT 1 STREAMS s >",
		"XSETID s 9-0|XREADGROUP GROUP g c1 COUNT 5 STREAMS s >|XSETID s 4-0|XADD s 5-0 f v|XREADGROUP GROUP g c1 COUNT 5 STREAMS s >",
		"XTRIM s MAXLEN 0|XADD s 4-1 f v|XREADGROUP GROUP g c1 COUNT 1 STREAMS s >",
		"XGROUP SETID s g 0|XREADGROUP GROUP g c3 STREAMS s >|XACK s g 1-1 1-1 2-1",
		"XCLAIM s g c3 0 3-1 FORCE|XREADGROUP GROUP g c1 STREAMS s >|XPENDING s g",
		"XACK s g 1-1 2-1|XCLAIM s g c3 0 3-1 FORCE|XACK s g 3-1",
		"XAUTOCLAIM s g c3 0 0|XACK s g 1-1",
		"DEL s|XADD s 1-1 f v|XGROUP CREATE s g 0|XREADGROUP GROUP g c1 STREAMS s >",
		"RENAME s t|RENAME t s|XREADGROUP GROUP g c1 STREAMS s >|XACK s g 1-1",
		"MULTI|XREADGROUP GROUP g c1 STREAMS s >|XGROUP CREATE s g 0|XACK s g 1-1|EXEC|XACK s g 2-1",
		"MULTI|XACK s g 1-1|DEL s|XADD s 1-1 f v|XGROUP CREATE s g 0|EXEC|XREADGROUP GROUP g c1 STREAMS s >",
		"SWAPDB 0 1|SWAPDB 0 1|XREADGROUP GROUP g c1 STREAMS s >|FLUSHALL|XADD s 1-1 f v",
	} {
		t.Run(tc, func(t *testing.T) {
			db := newTestDB(t)
			s := db.NewSession()
			for _, cmd := range strings.Split(prefix+"|"+tc, "|") {
				do(db, s, strings.Fields(cmd)...)
				checkStreamCache(t, db)
			}
		})
	}
}
