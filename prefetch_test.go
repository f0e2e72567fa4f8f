package keel

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/keeldb/keel/memtables"
)

// TestPrefetch: Prefetch builds the engine keys the point reads of a
// pipeline will read (each one a key the engine holds, so a read of it
// finds it), none for requests that do not read one (other commands,
// wrong types, inline integers, absent keys, a missing field argument),
// and those its SETs, HSETs and HSETNXs will write (SET's is the key a
// GET then reads; not for an integer value, which the keyspace holds),
// and changes nothing: the dataset digest and every reply are as without
// it.
func TestPrefetch(t *testing.T) {
	db := newTestDB(t, func(o *Options) { o.StringsBufferSize = 64 << 10 }) // strings in files
	s := db.NewSession()
	for i := range 2000 {
		do(db, s, "SET", fmt.Sprintf("s:%d", i), fmt.Sprintf("%0100d", i))
		do(db, s, "HSET", "h", fmt.Sprintf("f:%d", i), fmt.Sprintf("v:%d", i))
	}
	do(db, s, "SET", "n", "42") // an inline integer: nothing in the engine
	do(db, s, "SET", "empty", "")
	do(db, s, "RPUSH", "l", "a", "b")
	do(db, s, "SET", "big:"+strings.Repeat("k", prefetchKeyMax), "v")
	for i := range 2000 { // cache the blocks
		do(db, s, "GET", fmt.Sprintf("s:%d", i))
		do(db, s, "HGET", "h", fmt.Sprintf("f:%d", i))
	}
	req := func(words ...string) Ahead {
		var r Ahead
		for i, w := range words {
			*[]*[]byte{&r.Name, &r.Key, &r.Arg}[i] = []byte(w)
		}
		return r
	}
	reqs := []Ahead{
		req("GET", "s:1"), req("get", "s:2"), req("GeT", "s:1999"),
		req("HGET", "h", "f:5"), req("hexists", "h", "f:6"), req("GET", "absent"),
		req("HSET", "h", "f:8"), req("HSETNX", "h", "f:9"), req("hget", "h", "absent"), req("set", "s:3", "x"),
		// Nothing to read: a key too long to follow, another command,
		// wrong types, an inline integer, an absent key (above). Nothing
		// to write: an integer value.
		req("GET", "big:"+strings.Repeat("k", prefetchKeyMax)),
		req("SET", "s:0", "42"), req("GET", "h"), req("LPUSH", "l", "c"), req("HGET", "s:4", "f:1"),
		req("GET", "n"),
		// Past PrefetchMax.
		req("GET", "s:5"), req("HGET", "h", "f:10"),
	}
	if len(reqs) != PrefetchMax+2 {
		t.Fatalf("%d requests: the last two must be past PrefetchMax", len(reqs))
	}
	wantStrs := []string{"s:1", "s:2", "s:1999"}
	wantFields := []string{"f:5", "f:6", "f:8", "f:9", "absent"}
	wantStrWrites := []string{"s:3"}
	wantFieldWrites := []string{"f:8", "f:9"}

	db.mu.RLock()
	sc := db.prefetchKeyspace(s, reqs)
	db.mu.RUnlock()
	if len(sc.strs) != len(wantStrs) || len(sc.hashes) != len(wantFields) {
		t.Fatalf("%d string and %d hash keys, want %d and %d", len(sc.strs), len(sc.hashes), len(wantStrs), len(wantFields))
	}
	if len(sc.strWrites) != len(wantStrWrites) || len(sc.hashWrites) != len(wantFieldWrites) {
		t.Fatalf("%d string and %d hash keys written, want %d and %d", len(sc.strWrites), len(sc.hashWrites), len(wantStrWrites), len(wantFieldWrites))
	}
	e, _ := db.ks.Get(0, []byte("h"))
	phys := db.ks.PhysDB(0)
	for _, c := range []struct {
		spans []span
		want  []string
	}{{sc.strs, wantStrs}, {sc.strWrites, wantStrWrites}} {
		for i, sp := range c.spans {
			if got, want := string(sc.buf[sp.lo:sp.hi]), string(stringKey(nil, phys, []byte(c.want[i]))); got != want {
				t.Fatalf("string key %d: %q, want %q", i, got, want)
			}
			// What GET reads is there (s:3 before its SET, too).
			if ok, err := db.strs.View(sc.buf[sp.lo:sp.hi], func([]byte) {}); !ok || err != nil {
				t.Fatalf("string key %q: not in the engine (%v)", c.want[i], err)
			}
		}
	}
	for _, c := range []struct {
		spans []span
		want  []string
	}{{sc.hashes, wantFields}, {sc.hashWrites, wantFieldWrites}} {
		for i, sp := range c.spans {
			if got, want := string(sc.buf[sp.lo:sp.hi]), string(hashKey(nil, phys, []byte("h"), e.Version, []byte(c.want[i]))); got != want {
				t.Fatalf("hash key %d: %q, want %q", i, got, want)
			}
		}
	}

	digest := do(db, s, "DEBUG", "DIGEST")
	var replies []any
	run := func() { // the reads among reqs
		replies = replies[:0]
		for _, r := range reqs {
			switch strings.ToUpper(string(r.Name)) {
			case "SET", "HSET", "HSETNX", "LPUSH":
				continue
			}
			words := []string{string(r.Name)}
			for _, b := range [][]byte{r.Key, r.Arg} {
				if b != nil {
					words = append(words, string(b))
				}
			}
			replies = append(replies, do(db, s, words...))
		}
	}
	run()
	want := append([]any(nil), replies...)
	db.Prefetch(s, reqs)
	db.Prefetch(s, reqs[:1])
	db.Prefetch(s, nil)
	if got := do(db, s, "DEBUG", "DIGEST"); got != digest {
		t.Fatalf("Prefetch changed the digest: %v, was %v", got, digest)
	}
	run()
	if !reflect.DeepEqual(replies, want) {
		t.Fatalf("replies after Prefetch %v, before %v", replies, want)
	}
}

// TestPrefetchMSet: an MSET prefetches the keyspace entries of its keys
// and the write buffer slots of those whose values go to the strings
// engine (not integers), at most PrefetchMax of them; the keys are those
// a GET then reads.
func TestPrefetchMSet(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	args := [][]byte{[]byte("MSET")}
	var want []string
	for i := range PrefetchMax + 4 {
		k, v := fmt.Sprintf("m:%d", i), fmt.Sprintf("value-%d", i)
		if i%3 == 0 {
			v = fmt.Sprint(i) // an integer: the keyspace holds it
		} else if i < PrefetchMax {
			want = append(want, k)
		}
		args = append(args, []byte(k), []byte(v))
	}
	db.mu.Lock()
	db.prefetchMSet(s, args)
	db.mu.Unlock()
	sc := &s.prefetch
	var got []string
	phys := db.ks.PhysDB(0)
	for _, sp := range sc.strWrites {
		got = append(got, string(sc.buf[sp.lo:sp.hi]))
	}
	for i, k := range want {
		want[i] = string(stringKey(nil, phys, []byte(k)))
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("MSET's prefetched writes %q, want %q", got, want)
	}
	words := []string{"MSET"}
	for _, a := range args[1:] {
		words = append(words, string(a))
	}
	do(db, s, words...)
	for _, k := range []string{"m:1", "m:3"} {
		e, _ := db.ks.Get(0, []byte(k))
		if ok, _ := db.strs.View(stringKey(nil, phys, []byte(k)), func([]byte) {}); ok != (e.Enc != encInt) {
			t.Fatalf("%s: in the strings engine %v, encoding %d", k, ok, e.Enc)
		}
	}
}

// TestPointRead: which requests Prefetch follows into an engine.
func TestPointRead(t *testing.T) {
	k, f := []byte("k"), []byte("f")
	for _, tc := range []struct {
		r     Ahead
		want  memtables.Type
		write bool
	}{
		{Ahead{Name: []byte("GET"), Key: k}, memtables.TypeString, false},
		{Ahead{Name: []byte("get"), Key: k, Arg: f}, memtables.TypeString, false},
		{Ahead{Name: []byte("GET")}, 0, false},
		{Ahead{Name: []byte("SET"), Key: k, Arg: f}, memtables.TypeString, true},
		{Ahead{Name: []byte("set"), Key: k}, 0, false},
		{Ahead{Name: []byte("HGET"), Key: k, Arg: f}, memtables.TypeHash, false},
		{Ahead{Name: []byte("hset"), Key: k, Arg: f}, memtables.TypeHash, true},
		{Ahead{Name: []byte("HSetNX"), Key: k, Arg: f}, memtables.TypeHash, true},
		{Ahead{Name: []byte("HEXISTS"), Key: k, Arg: f}, memtables.TypeHash, false},
		{Ahead{Name: []byte("hstrlen"), Key: k, Arg: f}, memtables.TypeHash, false},
		{Ahead{Name: []byte("HGET"), Key: k}, 0, false},
		{Ahead{Name: []byte("HSET"), Key: k}, 0, false},
		{Ahead{Name: []byte("HMGET"), Key: k, Arg: f}, 0, false},
		{Ahead{Name: []byte("GETDEL"), Key: k}, 0, false},
		{Ahead{Name: []byte("SETNX"), Key: k, Arg: f}, 0, false},
		{Ahead{Name: []byte("HDEL"), Key: k, Arg: f}, 0, false},
		{Ahead{}, 0, false},
	} {
		if got, write := pointRead(tc.r); got != tc.want || write != tc.write {
			t.Errorf("pointRead(%q %q %q) = %v %v, want %v %v", tc.r.Name, tc.r.Key, tc.r.Arg, got, write, tc.want, tc.write)
		}
	}
}
