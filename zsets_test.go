package keel

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/keeldb/keel/memtables"
)

// Unit tests of what the differential tests (server/diff_zsets_test.go)
// cannot compare with Redis: the strtod emulation on inputs the oracle
// tests do not reach, which members ZRANDMEMBER draws, the ZSCAN
// guarantee under writes, and recovery of sorted sets from the WAL.

// zsetTestDo runs cmd (space-separated words) and fails on an error
// reply.
func zsetTestDo(t *testing.T, db *DB, s *Session, cmd string) any {
	t.Helper()
	r := do(db, s, strings.Fields(cmd)...)
	if e, ok := r.(ErrorVal); ok {
		t.Fatalf("%s: %s", cmd, e)
	}
	return r
}

// zsetTestStrs returns the elements of an array reply as strings.
func zsetTestStrs(r any) []string {
	a, _ := r.([]any)
	out := make([]string, len(a))
	for i, v := range a {
		out[i] = fmt.Sprint(v)
	}
	return out
}

func TestZSetStrtod(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		in     string
		f      float64
		n      int
		erange bool
	}{
		{"1", 1, 1, false},
		{"  -2.5x", -2.5, 6, false},
		{"\t\n+.5", 0.5, 5, false},
		{"5.", 5, 2, false},
		{".", 0, 0, false},
		{"-", 0, 0, false},
		{" ", 0, 0, false},
		{"", 0, 0, false},
		{"1e5", 1e5, 3, false},
		{"1e", 1, 1, false},
		{"1e+", 1, 1, false},
		{"1E-2z", 0.01, 4, false},
		{"0x10", 16, 4, false},
		{"0X1p-2", 0.25, 6, false},
		{"0x.8", 0.5, 4, false},
		{"0x1.8P1", 3, 7, false},
		{"0x", 0, 1, false},
		{"0xg", 0, 1, false},
		{"0x1p", 1, 3, false},
		{"inf", inf, 3, false},
		{"-Infinity", -inf, 9, false},
		{"infinit", inf, 3, false},
		{"INFx", inf, 3, false},
		{"1e400", inf, 5, true},
		{"-1e400", -inf, 6, true},
		{"1e-400", 0, 6, true},
		{"0e-400", 0, 6, false},
		{"4.9e-324", 5e-324, 8, false},
		{"0x1p-1080", 0, 9, true},
		{"0x1p2000", inf, 8, true},
		{"00012", 12, 5, false},
		{"1_0", 1, 1, false},
	} {
		f, n, erange := cStrtod([]byte(c.in))
		if f != c.f || n != c.n || erange != c.erange {
			t.Errorf("cStrtod(%q) = %v, %d, %v; want %v, %d, %v", c.in, f, n, erange, c.f, c.n, c.erange)
		}
	}
	for _, in := range []string{"nan", "NaN(abc_1)", "-nan", "nan(", "nan(a b)"} {
		f, n, _ := cStrtod([]byte(in))
		want := map[string]int{"nan": 3, "NaN(abc_1)": 10, "-nan": 4, "nan(": 3, "nan(a b)": 3}[in]
		if !math.IsNaN(f) || n != want {
			t.Errorf("cStrtod(%q) = %v, %d; want NaN, %d", in, f, n, want)
		}
	}
	for in, ok := range map[string]bool{"1": true, "-0": true, "1e400": false, "1e-400": false, " 1": false,
		"1 ": false, "": false, "nan": false, "inf": true, "0x10": true, "1\x00": false, "4.9e-324": true} {
		if _, got := zsetParseScore([]byte(in)); got != ok {
			t.Errorf("zsetParseScore(%q) ok = %v, want %v", in, got, ok)
		}
	}
	for in, want := range map[string]struct {
		f      float64
		ex, ok bool
	}{
		"(1.5": {1.5, true, true}, "": {0, false, true}, "(": {0, true, true}, " 1": {1, false, true},
		"1\x00x": {1, false, true}, "\x00": {0, false, true}, "1e400": {inf, false, true}, " ": {0, false, false},
		"(nan": {0, false, false}, "((1": {0, false, false}, "1 ": {0, false, false}, "-inf": {-inf, false, true},
	} {
		f, ex, ok := zsetScoreBound([]byte(in))
		if f != want.f || ex != want.ex || ok != want.ok {
			t.Errorf("zsetScoreBound(%q) = %v, %v, %v; want %v", in, f, ex, ok, want)
		}
	}
}

func TestZSetListpackScore(t *testing.T) {
	for f, want := range map[float64]string{
		1: "1", math.Copysign(0, -1): "0", 1e17: "100000000000000000", 0.1: "0.10000000000000001", 1 << 62: "4611686018427387904",
		1<<62 + 1024: "4.6116860184273889e+18", -(1 << 62): "-4611686018427387904", math.Inf(-1): "-inf", 2.5: "2.5",
	} {
		if got := listpackScore(f); got != want {
			t.Errorf("listpackScore(%v) = %q, want %q", f, got, want)
		}
	}
}

// TestZRandMemberDraws checks that the drawn members belong to the zset,
// are distinct for a positive count, come with their scores, and that
// every member gets drawn, for both encodings. It draws at least minDraws
// times, and on until every member was seen, at most maxDraws: a fair
// draw misses a given one of 200 members in 4000 draws of 5 with
// probability 0.975^4000 (about 1e-44). It used to stop at 400 draws,
// where a fair draw misses some member about once in 120 runs: the root
// package's rare failure (seen in sessions 12 and 13).
func TestZRandMemberDraws(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	for _, n := range []int{20, 200} { // listpack, skiplist
		key := "z" + strconv.Itoa(n)
		args := []string{"ZADD", key}
		for i := range n {
			args = append(args, strconv.Itoa(i), "m"+strconv.Itoa(i))
		}
		do(db, s, args...)
		seen := map[string]bool{}
		const minDraws, maxDraws = 400, 4000
		draws := 0
		for ; draws < minDraws || draws < maxDraws && len(seen) < n; draws++ {
			got := zsetTestStrs(do(db, s, "ZRANDMEMBER", key, "5", "WITHSCORES"))
			if len(got) != 10 {
				t.Fatalf("ZRANDMEMBER %s 5 WITHSCORES returned %d values", key, len(got))
			}
			distinct := map[string]bool{}
			for i := 0; i < len(got); i += 2 {
				m, score := got[i], got[i+1]
				if "m"+score != m {
					t.Fatalf("ZRANDMEMBER %s returned %q with score %s", key, m, score)
				}
				if distinct[m] {
					t.Fatalf("ZRANDMEMBER %s 5 repeated %q", key, m)
				}
				distinct[m] = true
				seen[m] = true
			}
			for _, m := range zsetTestStrs(do(db, s, "ZRANDMEMBER", key, "-7")) {
				if i, err := strconv.Atoi(strings.TrimPrefix(m, "m")); err != nil || i >= n {
					t.Fatalf("ZRANDMEMBER %s -7 returned a non-member %q", key, m)
				}
			}
		}
		if len(seen) != n {
			t.Errorf("ZRANDMEMBER %s drew %d of %d members in %d draws of 5", key, len(seen), n, draws)
		}
	}
}

// TestZScanUnderWrites checks ZSCAN's guarantee on a skiplist with writes
// between the calls: every member present for the whole scan is returned
// (with its score), whatever was added, removed or rescored meanwhile.
func TestZScanUnderWrites(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	args := []string{"ZADD", "z"}
	for i := range 500 {
		args = append(args, strconv.Itoa(i), "m"+strconv.Itoa(i))
	}
	do(db, s, args...)
	seen := map[string]bool{}
	cursor, step := "0", 0
	for {
		r := do(db, s, "ZSCAN", "z", cursor, "COUNT", "7").([]any)
		page := zsetTestStrs(r[1])
		for i := 0; i < len(page); i += 2 {
			seen[page[i]] = true
		}
		cursor = r[0].(string)
		if cursor == "0" {
			break
		}
		for j := 0; j < 3; j++ {
			n := (step*3 + j) % 100
			do(db, s, "ZREM", "z", "m"+strconv.Itoa(5*n))
			do(db, s, "ZADD", "z", "7", "new"+strconv.Itoa(step*3+j))
			do(db, s, "ZINCRBY", "z", "1000", "m"+strconv.Itoa(5*n+1))
		}
		step++
	}
	for i := range 500 {
		if m := "m" + strconv.Itoa(i); i%5 != 0 && !seen[m] {
			t.Fatalf("member %s, present for the whole scan, was not returned", m)
		}
	}
}

// TestZSetsWALReplay checks that zset effects replay to the same members,
// scores and encodings after reopening: conversions that depended on the
// listpack limits at the time of the write, -0 normalized in listpacks
// only, pops, range removals, STORE results and key operations; from the
// WAL alone, and from a checkpoint of the zsets engine taken in the
// middle plus the WAL after it.
func TestZSetsWALReplay(t *testing.T) {
	for _, ckpt := range []bool{false, true} {
		t.Run(fmt.Sprintf("checkpoint=%v", ckpt), func(t *testing.T) { testZSetsReplay(t, ckpt) })
	}
}

func testZSetsReplay(t *testing.T, ckpt bool) {
	dir := t.TempDir()
	db, err := Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	s := db.NewSession()
	long := strings.Repeat("L", 65)
	run := func(cmds ...string) {
		for _, c := range cmds {
			zsetTestDo(t, db, s, c)
		}
	}
	run("ZADD a 1 x 2 y 3 z -0 w", "ZINCRBY a 0.1 x", "ZADD a GT CH 5 y 1 z", "ZADD a INCR -1 z", "ZREM a w",
		"ZADD b 1 "+long+" -0 m 2 n", "ZADD b -0 o", "ZPOPMIN b", "ZPOPMAX b 1",
		"ZADD c 1 p 2 q 3 r 4 s 5 t", "ZREMRANGEBYRANK c 0 0", "ZREMRANGEBYSCORE c (4 +inf", "ZADD d 0 a 0 b 0 c 0 d",
		"ZREMRANGEBYLEX d [b (d", "ZUNIONSTORE e 2 a b WEIGHTS 2 1", "ZINTERSTORE f 2 a a AGGREGATE MAX", "ZDIFFSTORE g 2 a c",
		"ZRANGESTORE h b 0 -1", "ZMPOP 2 nokey c MAX COUNT 2", "EXPIRE a 1000", "RENAME e e2", "COPY b b2")
	if ckpt {
		if err := db.CheckpointEngine(memtables.EngineZSets); err != nil {
			t.Fatal(err)
		}
	}
	db.SetTuning("zset-max-listpack-entries", 3)
	run("ZADD k 1 a 2 b 3 c", "ZADD l 1 a 2 b 3 c 4 d", "ZREM l d", "ZUNIONSTORE m 1 k", "ZUNIONSTORE n 2 k l",
		"ZRANGESTORE o l -inf +inf BYSCORE", "ZADD k -0 z")
	db.SetTuning("zset-max-listpack-entries", 128)
	if ckpt {
		if err := db.CheckpointEngine(memtables.EngineZSets); err != nil {
			t.Fatal(err)
		}
		run("ZADD k 9 after", "ZPOPMIN d") // after the checkpoint: replayed from the WAL
	}
	keys := []string{"a", "b", "b2", "c", "d", "e2", "f", "g", "h", "k", "l", "m", "n", "o", "nokey"}
	snapshot := func(db *DB) []string {
		s := db.NewSession()
		var out []string
		for _, k := range keys {
			out = append(out, fmt.Sprintf("%s %v %v %v", k, zsetTestStrs(do(db, s, "ZRANGE", k, "0", "-1", "WITHSCORES")),
				do(db, s, "OBJECT", "ENCODING", k), do(db, s, "EXPIRETIME", k)))
		}
		return out
	}
	before := snapshot(db)
	for _, want := range []string{"b [o -0 " + long + " 1] skiplist", "h [o 0 " + long + " 1] skiplist",
		"l [a 1 b 2 c 3] skiplist", "m [a 1 b 2 c 3] listpack", "n [a 2 b 4 c 6] listpack", "o [a 1 b 2 c 3] listpack",
		"k [z -0 a 1 b 2 c 3"} {
		if !slices.ContainsFunc(before, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("missing %q in %q", want, before)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	after := snapshot(db2)
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("before %s, after replay %s", before[i], after[i])
		}
	}
}
