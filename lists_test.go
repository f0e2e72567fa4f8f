package keel

import (
	"fmt"
	"math/rand"
	"slices"
	"strconv"
	"testing"
	"time"
)

// Replies of the list commands are compared with redis-server by the
// differential tests (server/diff_lists_test.go). The tests here check
// what only keel has: that the logged effects replay to the same lists,
// and the helpers the blocking commands build on.

// listState is every list command-visible fact about keys: type, elements,
// TTL, and the dataset digest.
func listState(t *testing.T, db *DB, keys []string) []string {
	t.Helper()
	s := db.NewSession()
	var out []string
	for dbi := 0; dbi < 2; dbi++ {
		do(db, s, "SELECT", strconv.Itoa(dbi))
		for _, k := range keys {
			out = append(out, fmt.Sprintf("db%d %q: %s %s %s", dbi, k,
				showReply(do(db, s, "TYPE", k)), showReply(do(db, s, "LRANGE", k, "0", "-1")), showReply(do(db, s, "TTL", k))))
		}
	}
	return append(out, showReply(do(db, s, "DEBUG", "DIGEST")))
}

// reopen closes db and opens its directory again (recovery replays the WAL
// past each engine's checkpoint).
func reopen(t *testing.T, db *DB, dir string) *DB {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	return db2
}

// TestListsWALReplay runs every list write, in the shapes whose effects
// are easiest to get wrong (rotation of a one-element list, trims and
// removals that empty a list, pops past the end), checkpoints the lists
// engine half way, and checks the state after recovery.
func TestListsWALReplay(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	s := db.NewSession()
	run := func(cmds ...string) {
		for _, cmd := range cmds {
			if r, ok := do(db, s, splitCmd(cmd)...).(ErrorVal); ok {
				t.Fatalf("%s: %s", cmd, r)
			}
		}
	}
	run("RPUSH a 1 2 3 4 5 6", "LPUSH a x y", "RPUSHX a z", "LPUSHX nope q", "LPOP a", "RPOP a 2",
		"LSET a 1 changed", "LSET a -1 ''", "LINSERT a BEFORE 3 ins", "LINSERT a AFTER 4 ins2",
		"RPUSH r k v k v k", "LREM r 2 k", "LREM r -1 v", "RPUSH one only", "EXPIRE one 1000",
		"LMOVE one one LEFT RIGHT", "RPOPLPUSH one one", "RPUSH t 1 2 3 4", "LTRIM t 1 2", "RPUSH gone 1 2",
		"LTRIM gone 5 9", "RPUSH g2 x x", "LREM g2 0 x", "LMPOP 3 missing t a RIGHT COUNT 2")
	if err := db.CheckpointEngine("lists"); err != nil {
		t.Fatal(err)
	}
	run("RPUSH m 1 2 3", "LMOVE m n LEFT RIGHT", "LMOVE m n RIGHT LEFT", "LMOVE m n LEFT LEFT", "RPOP n 9",
		"RPUSH big "+strPushArgs(300), "LTRIM big 10 -10", "LSET big 150 "+string(make([]byte, 9000)), "LREM big 3 e20",
		"MULTI", "RPUSH tx a b", "LPOP tx", "LMOVE tx one LEFT LEFT", "EXEC",
		"RPUSH c 1", "COPY c d", "RENAME c e", "SELECT 1", "RPUSH a db1", "MOVE a 0", "RPUSH a again", "SELECT 0",
		"SET s v", "RPUSH v 1", "RENAME v s")
	keys := []string{"a", "r", "one", "t", "gone", "g2", "m", "n", "big", "tx", "c", "d", "e", "s", "v", "nope", "missing"}
	before := listState(t, db, keys)
	db = reopen(t, db, dir)
	after := listState(t, db, keys)
	if !slices.Equal(before, after) {
		for i := range before {
			if before[i] != after[i] {
				t.Errorf("after recovery:\n  %s\nwant\n  %s", after[i], before[i])
			}
		}
	}
	if got := showReply(do(db, db.NewSession(), "TTL", "one")); got == ":-1" || got == ":-2" {
		t.Errorf("rotating a one-element list lost its TTL: %s", got)
	}
}

// strPushArgs is "e0 e1 ... e(n-1)" as one space-separated string.
func strPushArgs(n int) string {
	out := make([]byte, 0, n*5)
	for i := range n {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, 'e')
		out = strconv.AppendInt(out, int64(i), 10)
	}
	return string(out)
}

// TestListsRandomReplay runs random list writes against a model ([][]byte
// per key, Redis semantics), compares each key with the model, and checks
// that recovery, with the lists engine checkpointed at a random point,
// rebuilds the same lists.
func TestListsRandomReplay(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewSource(seed))
			dir := t.TempDir()
			db, err := Open(dir, Options{ActiveExpireHz: -1})
			if err != nil {
				t.Fatal(err)
			}
			s := db.NewSession()
			keys := []string{"k0", "k1", "k2"}
			model := map[string][]string{}
			elem := func() string { return []string{"a", "b", "c", "", "long-" + fmt.Sprint(r.Intn(300))}[r.Intn(5)] }
			ckptAt := r.Intn(2000)
			for i := 0; i < 2000; i++ {
				if i == ckptAt {
					if err := db.CheckpointEngine("lists"); err != nil {
						t.Fatal(err)
					}
				}
				k, k2 := keys[r.Intn(3)], keys[r.Intn(3)]
				l := model[k]
				switch r.Intn(8) {
				case 0:
					vals := []string{elem(), elem(), elem()}
					do(db, s, append([]string{"RPUSH", k}, vals...)...)
					model[k] = append(l, vals...)
				case 1:
					v := elem()
					do(db, s, "LPUSH", k, v)
					model[k] = append([]string{v}, l...)
				case 2:
					n := r.Intn(4)
					do(db, s, "LPOP", k, strconv.Itoa(n))
					model[k] = l[min(n, len(l)):]
				case 3:
					if len(l) > 0 {
						i := r.Intn(len(l))
						v := elem()
						do(db, s, "LSET", k, strconv.Itoa(i), v)
						l[i] = v
					}
				case 4:
					v := elem()
					do(db, s, "LREM", k, "-1", v)
					for j := len(l) - 1; j >= 0; j-- {
						if l[j] == v {
							model[k] = slices.Delete(l, j, j+1)
							break
						}
					}
				case 5:
					if len(l) > 0 {
						do(db, s, "LMOVE", k, k2, "RIGHT", "LEFT")
						v := l[len(l)-1]
						model[k] = l[:len(l)-1]
						model[k2] = append([]string{v}, model[k2]...)
					}
				case 6:
					start, stop := r.Intn(6)-1, r.Intn(40)
					do(db, s, "LTRIM", k, strconv.Itoa(start), strconv.Itoa(stop))
					if st, e, ok := listRange(int64(start), int64(stop), len(l)); ok {
						model[k] = l[st : e+1]
					} else {
						model[k] = nil
					}
				case 7:
					p, v := elem(), elem()
					do(db, s, "LINSERT", k, "AFTER", p, v)
					if j := slices.Index(l, p); j >= 0 {
						model[k] = slices.Insert(l, j+1, v)
					}
				}
			}
			check := func(db *DB, when string) {
				s := db.NewSession()
				for _, k := range keys {
					want := "[]"
					if len(model[k]) > 0 {
						w := make([]any, len(model[k]))
						for i, v := range model[k] {
							w[i] = v
						}
						want = showReply(w)
					}
					if got := showReply(do(db, s, "LRANGE", k, "0", "-1")); got != want {
						t.Fatalf("%s: %s = %s, want %s", when, k, got, want)
					}
				}
			}
			check(db, "live")
			digest := do(db, s, "DEBUG", "DIGEST")
			db = reopen(t, db, dir)
			check(db, "after recovery")
			if got := do(db, db.NewSession(), "DEBUG", "DIGEST"); got != digest {
				t.Fatalf("digest after recovery %v, want %v", got, digest)
			}
		})
	}
}

// withWrite runs fn as a write command would: under db.mu with a record
// being built, committed afterwards (how the blocking commands call the
// pop helpers when they serve a waiter).
func withWrite(db *DB, s *Session, fn func(c *Ctx)) []any {
	db.mu.Lock()
	defer db.mu.Unlock()
	r := &recorder{}
	c := Ctx{DB: db, S: s, R: r, Cmd: Lookup([]byte("lmove")), Now: time.Now().UnixMilli(), w: db.newBatch()}
	fn(&c)
	db.commit(&c)
	return r.vals
}

func TestListHelpers(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	do(db, s, "RPUSH l a b c d")
	do(db, s, "SET str v")

	var got [][]byte
	withWrite(db, s, func(c *Ctx) { got = c.popList([]byte("l"), false, 2) })
	if fmt.Sprintf("%q", got) != `["d" "c"]` {
		t.Fatalf("popList right 2 = %q", got)
	}
	var v []byte
	var ok bool
	withWrite(db, s, func(c *Ctx) { v, ok = c.moveList([]byte("l"), []byte("str"), true, true) })
	if ok || v != nil {
		t.Fatalf("moveList onto a string = %q, %v; want nothing, false", v, ok)
	}
	if got := showReply(do(db, s, "LRANGE l 0 -1")); got != `["a", "b"]` {
		t.Fatalf("after a refused move: %s", got)
	}
	withWrite(db, s, func(c *Ctx) { v, ok = c.moveList([]byte("l"), []byte("dst"), true, false) })
	if !ok || string(v) != "a" {
		t.Fatalf("moveList = %q, %v", v, ok)
	}
	withWrite(db, s, func(c *Ctx) { got = c.popList([]byte("l"), true, 5) })
	if fmt.Sprintf("%q", got) != `["b"]` || showReply(do(db, s, "EXISTS l")) != ":0" {
		t.Fatalf("popList past the end = %q, EXISTS %s", got, showReply(do(db, s, "EXISTS l")))
	}
	if got := showReply(do(db, s, "LRANGE dst 0 -1")); got != `["a"]` {
		t.Fatalf("dst = %s", got)
	}
	// mpopArgs at another position (BLMPOP: timeout first).
	var keys [][]byte
	var left bool
	var count int
	withWrite(db, s, func(c *Ctx) {
		c.Args = [][]byte{[]byte("blmpop"), []byte("0"), []byte("2"), []byte("x"), []byte("y"), []byte("right"), []byte("COUNT"), []byte("7")}
		keys, left, count, ok = c.mpopArgs(2, c.listEnd)
	})
	if !ok || fmt.Sprintf("%q", keys) != `["x" "y"]` || left || count != 7 {
		t.Fatalf("mpopArgs = %q %v %d %v", keys, left, count, ok)
	}
}

func TestListRangeNormalization(t *testing.T) {
	for _, c := range []struct {
		start, stop int64
		n           int
		s, e        int
		ok          bool
	}{
		{0, -1, 5, 0, 4, true},
		{-2, -1, 5, 3, 4, true},
		{-100, 100, 5, 0, 4, true},
		{3, 1, 5, 0, 0, false},
		{5, 10, 5, 0, 0, false},
		{0, -6, 5, 0, 0, false},
		{-1 << 63, 1<<63 - 1, 5, 0, 4, true},
		{1<<63 - 1, -1 << 63, 5, 0, 0, false},
		{0, 0, 0, 0, 0, false},
	} {
		s, e, ok := listRange(c.start, c.stop, c.n)
		if ok != c.ok || ok && (s != c.s || e != c.e) {
			t.Errorf("listRange(%d, %d, %d) = %d, %d, %v", c.start, c.stop, c.n, s, e, ok)
		}
	}
	for _, c := range []struct {
		i   int64
		n   int
		idx int
		ok  bool
	}{
		{0, 3, 0, true}, {-1, 3, 2, true}, {-3, 3, 0, true}, {-4, 3, 0, false}, {3, 3, 0, false},
		{-1 << 63, 3, 0, false}, {1<<63 - 1, 3, 0, false},
	} {
		idx, ok := listIndex(c.i, c.n)
		if ok != c.ok || ok && idx != c.idx {
			t.Errorf("listIndex(%d, %d) = %d, %v", c.i, c.n, idx, ok)
		}
	}
}
