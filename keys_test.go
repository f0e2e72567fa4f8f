package keel

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keeldb/keel/slots"
	"pgregory.net/rapid"
)

// Expected replies below were taken from redis-server 7.0.15 (the oracle)
// unless a comment says keel deviates.

// keysStep is one command and its expected reply.
type keysStep struct {
	cmd  []string
	want any
}

// kc builds a keysStep; the last argument is the expected reply.
func kc(want any, words ...string) keysStep { return keysStep{cmd: words, want: want} }

func runKeysSteps(t *testing.T, db *DB, s *Session, steps []keysStep) {
	t.Helper()
	for i, st := range steps {
		got := do(db, s, st.cmd...)
		if !reflect.DeepEqual(got, st.want) {
			t.Fatalf("keysStep %d %q: got %#v, want %#v", i, st.cmd, got, st.want)
		}
	}
}

func keysSorted(v any) []string {
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		out = append(out, x.(string))
	}
	sort.Strings(out)
	return out
}

const (
	kOK   = SimpleVal("OK")
	kNone = SimpleVal("none")
)

var kNull = NullVal{}

func TestGlobMatch(t *testing.T) {
	for _, tc := range globTable {
		for _, subj := range globSubjects {
			want := slices.Contains(tc.matches, subj)
			if got := globMatch([]byte(tc.pat), subj); got != want {
				t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pat, subj, got, want)
			}
			if got := globMatch([]byte(tc.pat), []byte(subj)); got != want {
				t.Errorf("globMatch(%q, []byte %q) = %v, want %v", tc.pat, subj, got, want)
			}
		}
	}
	// Nesting guard: 1000 stars match, 1001 do not (oracle, 3000 a's).
	subj := strings.Repeat("a", 3000)
	if !globMatch([]byte(strings.Repeat("*a", 1000)), subj) {
		t.Error("1000 nested stars should match")
	}
	if globMatch([]byte(strings.Repeat("*a", 1001)), subj) {
		t.Error("1001 nested stars should not match (Redis's nesting limit)")
	}
	// Exponential patterns finish quickly thanks to skipLongerMatches.
	start := time.Now()
	globMatch([]byte(strings.Repeat("*a", 30)+"b"), strings.Repeat("a", 200))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("pathological pattern took %v", d)
	}
}

func TestDelExistsTypeTouch(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	runKeysSteps(t, db, s, []keysStep{
		kc(kOK, "set", "s2", "1"),
		kc(int64(2), "exists", "nokey", "nokey", "s2", "s2"),
		kc(int64(2), "touch", "s2", "s2", "nokey"),
		kc(SimpleVal("string"), "type", "s2"),
		kc(kNone, "type", "nokey"),
		kc(int64(1), "del", "s2", "s2", "nokey"),
		kc(kOK, "set", "b", "2"),
		kc(int64(1), "unlink", "b"),
		kc(kNone, "type", "b"),
		kc(kNull, "get", "b"),
		kc(ErrorVal("ERR wrong number of arguments for 'del' command"), "del"),
	})
	// An expired key is absent for every command, and DEL does not count it.
	runKeysSteps(t, db, s, []keysStep{
		kc(kOK, "set", "e", "v", "px", "1"),
	})
	time.Sleep(5 * time.Millisecond)
	runKeysSteps(t, db, s, []keysStep{
		kc(int64(0), "exists", "e"),
		kc(kNone, "type", "e"),
		kc(int64(0), "del", "e"),
		kc(int64(0), "dbsize"),
	})
}

func TestExpireOptions(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	runKeysSteps(t, db, s, []keysStep{
		kc(kOK, "set", "k", "v"),
		kc(ErrorVal("ERR NX and XX, GT or LT options at the same time are not compatible"), "expire", "k", "100", "nx", "xx"),
		kc(ErrorVal("ERR GT and LT options at the same time are not compatible"), "expire", "k", "100", "gt", "lt"),
		kc(ErrorVal("ERR NX and XX, GT or LT options at the same time are not compatible"), "expire", "k", "100", "nx", "gt"),
		kc(ErrorVal("ERR NX and XX, GT or LT options at the same time are not compatible"), "expire", "k", "10", "GT", "NX"),
		kc(ErrorVal("ERR Unsupported option foo"), "expire", "k", "100", "foo"),
		kc(ErrorVal("ERR Unsupported option foo"), "expire", "k", "abc", "foo"), // options parse first
		kc(ErrorVal("ERR value is not an integer or out of range"), "expire", "k", "abc"),
		kc(int64(-1), "ttl", "k"),
		kc(int64(0), "expire", "k", "100", "gt"), // no TTL = infinite: GT fails
		kc(int64(0), "expire", "k", "100", "xx"),
		kc(int64(1), "expire", "k", "100", "lt"), // infinite: LT succeeds
		kc(int64(100), "ttl", "k"),
		kc(int64(0), "expire", "k", "50", "gt"),
		kc(int64(1), "expire", "k", "200", "gt"),
		kc(int64(200), "ttl", "k"),
		kc(int64(0), "expire", "k", "300", "nx"),
		kc(int64(1), "expire", "k", "300", "xx"),
		kc(int64(0), "expire", "k", "400", "lt"),
		kc(int64(1), "expire", "k", "250", "lt"),
		kc(int64(250), "ttl", "k"),
		kc(int64(1), "persist", "k"),
		kc(int64(0), "expire", "k", "10", "xx"),
		kc(int64(1), "expire", "k", "10", "nx", "nx"),
		kc(int64(0), "expire", "nokey", "10"),
		kc(int64(0), "expire", "nokey", "10", "lt"),
	})
}

func TestExpireOverflowAndPast(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	runKeysSteps(t, db, s, []keysStep{
		kc(kOK, "set", "k", "v"),
		kc(ErrorVal("ERR invalid expire time in 'expire' command"), "expire", "k", "9223372036854775807"),
		kc(ErrorVal("ERR invalid expire time in 'pexpire' command"), "pexpire", "k", "9223372036854775807"),
		kc(ErrorVal("ERR invalid expire time in 'expireat' command"), "expireat", "k", "9223372036854775807"),
		kc(ErrorVal("ERR invalid expire time in 'expire' command"), "expire", "k", "-9223372036854775808"),
		kc(ErrorVal("ERR invalid expire time in 'expire' command"), "expire", "k", "9223372036854770"),
		kc(ErrorVal("ERR invalid expire time in 'pexpire' command"), "pexpire", "k", "9223372036854770000"),
		kc(ErrorVal("ERR invalid expire time in 'expire' command"), "expire", "nokey", "9223372036854775807"),
		kc(int64(1), "pexpireat", "k", "9223372036854775807"),
		kc(int64(9223372036854775807), "pexpiretime", "k"),
		kc(int64(9223372036854776), "expiretime", "k"),
		// A time in the past deletes the key (and replies 1).
		kc(int64(1), "pexpire", "k", "-9223372036854775808"),
		kc(int64(0), "exists", "k"),
		kc(kOK, "set", "t", "v"),
		kc(int64(1), "expire", "t", "0"),
		kc(int64(0), "exists", "t"),
		kc(kOK, "set", "t", "v"),
		kc(int64(1), "pexpireat", "t", "0"),
		kc(int64(0), "exists", "t"),
		kc(kOK, "set", "t", "v"),
		kc(int64(0), "expireat", "t", "-5", "gt"),
		kc(int64(1), "expire", "t", "-5", "lt"),
		kc(int64(0), "exists", "t"),
	})
}

func TestTTLFamily(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	runKeysSteps(t, db, s, []keysStep{
		kc(int64(-2), "ttl", "nokey"),
		kc(int64(-2), "pttl", "nokey"),
		kc(int64(-2), "expiretime", "nokey"),
		kc(int64(-2), "pexpiretime", "nokey"),
		kc(kOK, "set", "k", "v"),
		kc(int64(-1), "ttl", "k"),
		kc(int64(-1), "pttl", "k"),
		kc(int64(-1), "expiretime", "k"),
		kc(int64(-1), "pexpiretime", "k"),
		kc(int64(1), "pexpireat", "k", "4102444800500"),
		kc(int64(4102444800500), "pexpiretime", "k"),
		kc(int64(4102444801), "expiretime", "k"), // rounded to nearest
		kc(int64(1), "pexpireat", "k", "4102444800499"),
		kc(int64(4102444800), "expiretime", "k"),
		kc(int64(1), "persist", "k"),
		kc(int64(0), "persist", "k"),
		kc(int64(0), "persist", "nokey"),
		kc(int64(-1), "expiretime", "k"),
	})
	do(db, s, "pexpire", "k", "100500")
	if got := do(db, s, "ttl", "k"); got != int64(100) && got != int64(101) {
		t.Fatalf("ttl = %v, want ~100", got)
	}
	if got := do(db, s, "pttl", "k").(int64); got <= 100000 || got > 100500 {
		t.Fatalf("pttl = %v", got)
	}
}

func TestRename(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	runKeysSteps(t, db, s, []keysStep{
		kc(ErrorVal("ERR no such key"), "rename", "nokey", "x"),
		kc(ErrorVal("ERR no such key"), "renamenx", "nokey", "x"),
		kc(ErrorVal("ERR no such key"), "rename", "nokey", "nokey"),
		kc(ErrorVal("ERR no such key"), "renamenx", "nokey", "nokey"),
		kc(kOK, "set", "k", "v1"),
		kc(kOK, "rename", "k", "k"),
		kc(int64(0), "renamenx", "k", "k"),
		kc("v1", "get", "k"),
		kc(kOK, "set", "e", "ev", "px", "1234000"),
		kc(kOK, "rename", "e", "k"), // overwrites k, carries the TTL
		kc(int64(1234), "ttl", "k"),
		kc("ev", "get", "k"),
		kc(int64(0), "exists", "e"),
		kc(kOK, "set", "a", "1"),
		kc(int64(0), "renamenx", "a", "k"),
		kc(int64(1), "renamenx", "a", "b"),
		kc("1", "get", "b"),
		kc(kNull, "get", "a"),
		kc(int64(-1), "ttl", "b"),
		kc(int64(2), "dbsize"),
	})
}

func TestCopy(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	runKeysSteps(t, db, s, []keysStep{
		kc(kOK, "set", "b", "1"),
		kc(int64(1), "pexpire", "b", "100000"),
		kc(int64(1), "copy", "b", "c"),
		kc(int64(0), "copy", "b", "c"),
		kc(kOK, "set", "b", "2"), // b loses its TTL, c keeps its own
		kc(int64(1), "copy", "b", "c", "replace"),
		kc("2", "get", "c"),
		kc(int64(-1), "ttl", "c"),
		kc(int64(1), "copy", "b", "c", "db", "1"),
		kc(int64(0), "copy", "b", "c", "db", "1"),
		kc(ErrorVal("ERR source and destination objects are the same"), "copy", "b", "b"),
		kc(ErrorVal("ERR source and destination objects are the same"), "copy", "b", "b", "db", "0"),
		kc(ErrorVal("ERR source and destination objects are the same"), "copy", "nokey", "nokey"),
		kc(ErrorVal("ERR DB index is out of range"), "copy", "b", "c", "db", "16"),
		kc(ErrorVal("ERR DB index is out of range"), "copy", "b", "c", "db", "-1"),
		kc(ErrorVal("ERR value is not an integer or out of range"), "copy", "b", "c", "db", "abc"),
		kc(ErrorVal("ERR value is out of range, value must between -2147483648 and 2147483647"), "copy", "b", "c", "db", "99999999999"),
		kc(ErrorVal("ERR syntax error"), "copy", "b", "c", "foo"),
		kc(ErrorVal("ERR syntax error"), "copy", "b", "c", "db"),
		kc(int64(0), "copy", "nokey", "c"),
		kc(int64(1), "copy", "b", "c", "replace", "replace", "db", "2", "db", "3"),
		kc(int64(1), "copy", "b", "b", "db", "4"),
		kc(kOK, "select", "3"),
		kc("2", "get", "c"),
		kc(kOK, "select", "2"),
		kc(int64(0), "exists", "c"),
		kc(kOK, "select", "4"),
		kc("2", "get", "b"),
		kc(kOK, "select", "0"),
		kc("2", "get", "b"), // the source is untouched
	})
}

func TestMove(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	runKeysSteps(t, db, s, []keysStep{
		kc(kOK, "set", "k", "v"),
		kc(int64(1), "pexpire", "k", "100000"),
		kc(ErrorVal("ERR value is not an integer or out of range"), "move", "k", "abc"),
		kc(ErrorVal("ERR source and destination objects are the same"), "move", "k", "0"),
		kc(ErrorVal("ERR source and destination objects are the same"), "move", "nokey", "0"),
		kc(ErrorVal("ERR DB index is out of range"), "move", "k", "16"),
		kc(ErrorVal("ERR value is out of range, value must between -2147483648 and 2147483647"), "move", "k", "99999999999"),
		kc(int64(0), "move", "nokey", "1"),
		kc(int64(1), "move", "k", "1"),
		kc(int64(0), "exists", "k"),
		kc(kOK, "select", "1"),
		kc("v", "get", "k"),
		kc(int64(100), "ttl", "k"),
		kc(kOK, "select", "0"),
		kc(kOK, "set", "k", "v2"),
		kc(int64(0), "move", "k", "1"), // exists in the target
		kc("v2", "get", "k"),
	})
}

func TestKeysPatterns(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	for _, k := range []string{"hello", "hallo", "hxllo", "hllo", "heeeello", "a*b", "a?b", "[x]", "user:1", "user:2", "user:10"} {
		do(db, s, "set", k, "1")
	}
	do(db, s, "set", "gone", "1", "px", "1")
	time.Sleep(5 * time.Millisecond)
	for _, tc := range []struct {
		pat  string
		want []string
	}{
		{"*", []string{"[x]", "a*b", "a?b", "hallo", "heeeello", "hello", "hllo", "hxllo", "user:1", "user:10", "user:2"}},
		{"h?llo", []string{"hallo", "hello", "hxllo"}},
		{"h*llo", []string{"hallo", "heeeello", "hello", "hllo", "hxllo"}},
		{"h[ae]llo", []string{"hallo", "hello"}},
		{"h[^e]llo", []string{"hallo", "hxllo"}},
		{"h[a-b]llo", []string{"hallo"}},
		{"a\\*b", []string{"a*b"}},
		{"a\\?b", []string{"a?b"}},
		{"a?b", []string{"a*b", "a?b"}},
		{"\\[x]", []string{"[x]"}},
		{"user:?", []string{"user:1", "user:2"}},
		{"user:[0-9]*", []string{"user:1", "user:10", "user:2"}},
		{"nomatch*", []string{}},
		{"gone", []string{}},
	} {
		got := keysSorted(do(db, s, "keys", tc.pat))
		if !slices.Equal(got, tc.want) {
			t.Errorf("KEYS %q = %q, want %q", tc.pat, got, tc.want)
		}
	}
	if got := do(db, s, "keys"); got != ErrorVal("ERR wrong number of arguments for 'keys' command") {
		t.Errorf("KEYS arity: %#v", got)
	}
}

func TestScanArgs(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	empty := []any{"0", []any{}}
	runKeysSteps(t, db, s, []keysStep{
		kc(empty, "scan", "0"),
		kc(ErrorVal("ERR invalid cursor"), "scan", "abc"),
		kc(ErrorVal("ERR invalid cursor"), "scan", "abc", "foo"),
		kc(empty, "scan", "-1"),
		kc(empty, "scan", "18446744073709551615"),
		kc(ErrorVal("ERR invalid cursor"), "scan", "18446744073709551616"),
		kc(empty, "scan", "+5"),
		kc(empty, "scan", ""),
		kc(ErrorVal("ERR invalid cursor"), "scan", "-"),
		kc(ErrorVal("ERR invalid cursor"), "scan", " 5"),
		kc(ErrorVal("ERR invalid cursor"), "scan", "5 "),
		kc(ErrorVal("ERR syntax error"), "scan", "0", "count", "0"),
		kc(ErrorVal("ERR syntax error"), "scan", "0", "count", "-1"),
		kc(ErrorVal("ERR value is not an integer or out of range"), "scan", "0", "count", "abc"),
		kc(ErrorVal("ERR syntax error"), "scan", "0", "match"),
		kc(ErrorVal("ERR syntax error"), "scan", "0", "foo", "bar"),
		kc(ErrorVal("ERR syntax error"), "scan", "0", "type"),
		kc(empty, "scan", "0", "type", "foo"),
		kc(kOK, "set", "a", "1"),
		kc([]any{"0", []any{"a"}}, "scan", "0", "type", "string"),
		kc([]any{"0", []any{"a"}}, "scan", "0", "TYPE", "STRING"),
		kc([]any{"0", []any{}}, "scan", "0", "type", "list"),
		kc([]any{"0", []any{}}, "scan", "0", "match", "a", "count", "10", "type", "string", "match", "b"),
		kc([]any{"0", []any{"a"}}, "scan", "0", "count", "1", "count", "2"),
	})
}

// scanAllKeys runs a full SCAN iteration, calling between(i) before page i.
func scanAllKeys(t *testing.T, db *DB, s *Session, count int, between func(i int)) map[string]int {
	t.Helper()
	seen := map[string]int{}
	cursor := "0"
	for i := 0; ; i++ {
		if between != nil {
			between(i)
		}
		rep, okRep := do(db, s, "scan", cursor, "count", strconv.Itoa(count)).([]any)
		if !okRep || len(rep) != 2 {
			t.Fatalf("scan reply %#v", rep)
		}
		for _, k := range rep[1].([]any) {
			seen[k.(string)]++
		}
		cursor = rep[0].(string)
		if cursor == "0" {
			return seen
		}
		if i > 100000 {
			t.Fatal("scan does not terminate")
		}
	}
}

// TestScanGuarantee checks SCAN's guarantee: every key present from the
// start to the end of an iteration is returned, while other keys are added
// (growing the table) and removed (shrinking it) meanwhile.
func TestScanGuarantee(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	const stable = 500
	for i := range stable {
		do(db, s, "set", fmt.Sprintf("stable:%d", i), "x")
	}
	for i := range 300 {
		do(db, s, "set", fmt.Sprintf("temp:%d", i), "x")
	}
	seen := scanAllKeys(t, db, s, 7, func(i int) {
		// Remove the temporaries early, then grow well past the start.
		if i < 30 {
			for j := i * 10; j < i*10+10; j++ {
				do(db, s, "del", fmt.Sprintf("temp:%d", j))
			}
		}
		for j := range 20 {
			do(db, s, "set", fmt.Sprintf("new:%d:%d", i, j), "x")
		}
	})
	for i := range stable {
		if seen[fmt.Sprintf("stable:%d", i)] == 0 {
			t.Fatalf("stable:%d was never returned", i)
		}
	}
	// MATCH filters; an undisturbed full scan returns each key.
	seen = scanAllKeys(t, db, s, 1000, nil)
	if n := int64(len(seen)); n != do(db, s, "dbsize") {
		t.Fatalf("full scan saw %d keys, dbsize %v", n, do(db, s, "dbsize"))
	}
	rep := do(db, s, "scan", "0", "match", "stable:1?", "count", "100000").([]any)
	if got := keysSorted(rep[1]); len(got) != 10 || got[0] != "stable:10" {
		t.Fatalf("scan match: %q", got)
	}
}

func TestRandomKey(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	runKeysSteps(t, db, s, []keysStep{
		kc(kNull, "randomkey"),
		kc(kOK, "set", "a", "1"),
		kc("a", "randomkey"),
		kc(kOK, "set", "b", "1"),
		kc(int64(1), "pexpire", "b", "1"),
	})
	time.Sleep(5 * time.Millisecond)
	for range 20 {
		if got := do(db, s, "randomkey"); got != "a" {
			t.Fatalf("randomkey = %#v, want a (b expired)", got)
		}
	}
	do(db, s, "pexpire", "a", "1")
	time.Sleep(5 * time.Millisecond)
	if got := do(db, s, "randomkey"); got != kNull {
		t.Fatalf("randomkey with only expired keys = %#v", got)
	}
}

func TestObject(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	for _, tc := range []struct {
		v        string
		enc      string
		refcount int64
	}{
		{"0", "int", 2147483647},
		{"1", "int", 2147483647},
		{"9999", "int", 2147483647},
		{"10000", "int", 1},
		{"-1", "int", 1},
		{"-9223372036854775808", "int", 1},
		{"12345678901234567890", "embstr", 1},
		{"01", "embstr", 1},
		{"1.5", "embstr", 1},
		{" 1", "embstr", 1},
		{"", "embstr", 1},
		{strings.Repeat("a", 44), "embstr", 1},
		{strings.Repeat("a", 45), "raw", 1},
	} {
		do(db, s, "set", "x", tc.v)
		if got := do(db, s, "object", "encoding", "x"); got != tc.enc {
			t.Errorf("OBJECT ENCODING of %q = %#v, want %s", tc.v, got, tc.enc)
		}
		if got := do(db, s, "object", "refcount", "x"); got != tc.refcount {
			t.Errorf("OBJECT REFCOUNT of %q = %#v, want %d", tc.v, got, tc.refcount)
		}
	}
	freqErr := ErrorVal("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
	runKeysSteps(t, db, s, []keysStep{
		kc(kNull, "object", "encoding", "nokey"),
		kc(kNull, "object", "refcount", "nokey"),
		kc(kNull, "object", "idletime", "nokey"),
		kc(kNull, "object", "freq", "nokey"),
		kc(freqErr, "object", "freq", "x"),
		kc(int64(0), "object", "idletime", "x"),
		kc(ErrorVal("ERR unknown subcommand 'foo'. Try OBJECT HELP."), "object", "foo", "x"),
		kc(ErrorVal("ERR wrong number of arguments for 'object' command"), "object"),
		kc(ErrorVal("ERR wrong number of arguments for 'object|encoding' command"), "object", "encoding"),
		kc(ErrorVal("ERR wrong number of arguments for 'object|encoding' command"), "object", "encoding", "a", "b"),
		kc(ErrorVal("ERR wrong number of arguments for 'object|help' command"), "object", "help", "x"),
	})
	help := do(db, s, "object", "help").([]any)
	if len(help) != 15 || help[0] != SimpleVal("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:") || help[14] != SimpleVal("    Prints this help.") {
		t.Fatalf("OBJECT HELP: %#v", help)
	}
}

func TestClusterKeyslot(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	// Redis 7.0 refuses CLUSTER without cluster mode; keel answers KEYSLOT
	// (values from a cluster-enabled Redis / the CRC16 reference).
	runKeysSteps(t, db, s, []keysStep{
		kc(int64(12182), "cluster", "keyslot", "foo"),
		kc(int64(5474), "cluster", "keyslot", "{user}a"),
		kc(int64(5474), "cluster", "keyslot", "user"),
		kc(int64(0), "cluster", "keyslot", ""),
		kc(ErrorVal("ERR wrong number of arguments for 'cluster|keyslot' command"), "cluster", "keyslot"),
		kc(ErrorVal("ERR wrong number of arguments for 'cluster' command"), "cluster"),
		kc(ErrorVal("ERR unknown subcommand 'foo'. Try CLUSTER HELP."), "cluster", "foo"),
	})
}

func TestSelectSwapDBFlush(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	runKeysSteps(t, db, s, []keysStep{
		kc(ErrorVal("ERR value is not an integer or out of range"), "select", "abc"),
		kc(ErrorVal("ERR value is not an integer or out of range"), "select", "01"),
		kc(ErrorVal("ERR DB index is out of range"), "select", "16"),
		kc(ErrorVal("ERR DB index is out of range"), "select", "-1"),
		kc(ErrorVal("ERR value is out of range, value must between -2147483648 and 2147483647"), "select", "99999999999"),
		kc(ErrorVal("ERR invalid first DB index"), "swapdb", "abc", "1"),
		kc(ErrorVal("ERR invalid second DB index"), "swapdb", "1", "abc"),
		kc(ErrorVal("ERR invalid second DB index"), "swapdb", "16", "abc"),
		kc(ErrorVal("ERR invalid first DB index"), "swapdb", "99999999999", "0"),
		kc(ErrorVal("ERR DB index is out of range"), "swapdb", "0", "16"),
		kc(ErrorVal("ERR DB index is out of range"), "swapdb", "-1", "0"),
		kc(ErrorVal("ERR syntax error"), "flushdb", "foo"),
		kc(ErrorVal("ERR syntax error"), "flushdb", "sync", "async"),
		kc(ErrorVal("ERR syntax error"), "flushall", "async", "sync"),
		kc(kOK, "set", "k", "v0"),
		kc(kOK, "set", "only0", "x"),
		kc(kOK, "select", "1"),
		kc(kOK, "set", "k", "v1"),
		kc(kOK, "swapdb", "0", "0"),
		kc(kOK, "swapdb", "0", "1"),
		kc("v0", "get", "k"), // session still on db 1, which now holds db 0's data
		kc("x", "get", "only0"),
		kc(int64(2), "dbsize"),
		kc(kOK, "select", "0"),
		kc("v1", "get", "k"),
		kc(int64(1), "dbsize"),
		kc(kOK, "flushdb", "async"),
		kc(int64(0), "dbsize"),
		kc(kNull, "get", "k"),
		kc(kOK, "set", "k", "new"), // a fresh physical db: nothing old shows through
		kc("new", "get", "k"),
		kc(kOK, "select", "1"),
		kc(int64(2), "dbsize"),
		kc(kOK, "flushall", "sync"),
		kc(int64(0), "dbsize"),
		kc(kOK, "select", "0"),
		kc(int64(0), "dbsize"),
		kc(kOK, "flushall"),
		kc(kOK, "flushdb"),
	})
	tm := do(db, s, "time").([]any)
	if len(tm) != 2 {
		t.Fatalf("TIME: %#v", tm)
	}
	sec, _ := strconv.ParseInt(tm[0].(string), 10, 64)
	usec, _ := strconv.ParseInt(tm[1].(string), 10, 64)
	if d := time.Now().Unix() - sec; d < 0 || d > 2 || usec < 0 || usec >= 1e6 {
		t.Fatalf("TIME: %v", tm)
	}
}

func TestDebug(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	zero := SimpleVal(strings.Repeat("0", 40))
	runKeysSteps(t, db, s, []keysStep{
		kc(zero, "debug", "digest"),
		kc([]any{zero}, "debug", "digest-value", "nokey"),
		kc([]any{}, "debug", "digest-value"),
		kc(kOK, "debug", "sleep", "0"),
		kc(kOK, "debug", "sleep", "abc"),
		kc(kOK, "debug", "set-active-expire", "0"),
		kc(kOK, "debug", "set-active-expire", "1"),
		kc(ErrorVal("ERR unknown subcommand or wrong number of arguments for 'set-active-expire'. Try DEBUG HELP."), "debug", "set-active-expire"),
		kc(ErrorVal("ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP."), "debug", "foo"),
		kc(ErrorVal("ERR unknown subcommand or wrong number of arguments for 'digest'. Try DEBUG HELP."), "debug", "digest", "x"),
		kc(ErrorVal("ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG HELP."), "debug", "sleep", "0", "extra"),
		kc(ErrorVal("ERR wrong number of arguments for 'debug' command"), "debug"),
	})
	d0 := do(db, s, "debug", "digest")
	do(db, s, "set", "a", "1")
	d1 := do(db, s, "debug", "digest")
	if d1 == d0 || len(d1.(SimpleVal)) != 40 {
		t.Fatalf("digest after SET: %v (empty %v)", d1, d0)
	}
	do(db, s, "set", "a", "2")
	d2 := do(db, s, "debug", "digest")
	do(db, s, "pexpire", "a", "100000")
	d3 := do(db, s, "debug", "digest")
	do(db, s, "move", "a", "3")
	d4 := do(db, s, "debug", "digest")
	if d2 == d1 || d3 == d2 || d4 == d3 {
		t.Fatalf("digest should change with value, expiry and db: %v %v %v %v", d1, d2, d3, d4)
	}
	v1 := do(db, s, "debug", "digest-value", "a")
	if !reflect.DeepEqual(v1, []any{zero}) {
		t.Fatalf("digest-value of a key moved away: %#v", v1)
	}

	// Equal datasets built differently digest equally, in another DB too.
	build := func(db *DB, cmds [][]string) any {
		s := db.NewSession()
		for _, c := range cmds {
			do(db, s, c...)
		}
		return do(db, s, "debug", "digest")
	}
	x := build(newTestDB(t), [][]string{{"set", "k1", "a"}, {"set", "k2", "b"}, {"pexpireat", "k2", "99999999999999"}, {"select", "5"}, {"set", "z", "1"}})
	y := build(newTestDB(t), [][]string{{"select", "5"}, {"set", "z", "0"}, {"incr", "z"}, {"select", "0"}, {"set", "k2", "x"}, {"set", "tmp", "b"}, {"rename", "tmp", "k2"}, {"pexpireat", "k2", "99999999999999"}, {"set", "k1", "a"}})
	if x != y {
		t.Fatalf("equal datasets digest differently: %v %v", x, y)
	}
	s2 := db.NewSession()
	if !reflect.DeepEqual(do(db, s2, "debug", "digest-value", "k"), []any{zero}) {
		t.Fatal("digest-value of a missing key")
	}
	do(db, s2, "set", "p", "same")
	do(db, s2, "set", "q", "same")
	dv := do(db, s2, "debug", "digest-value", "p", "q").([]any)
	if dv[0] != dv[1] || dv[0] == zero {
		t.Fatalf("digest-value of equal values: %#v", dv)
	}

	if !db.ActiveExpireEnabled() {
		t.Fatal("active expire should start enabled")
	}
	do(db, s, "debug", "set-active-expire", "0")
	if db.ActiveExpireEnabled() {
		t.Fatal("DEBUG SET-ACTIVE-EXPIRE 0 did not disable")
	}
	do(db, s, "debug", "set-active-expire", "2") // atoi != 0: on
	if !db.ActiveExpireEnabled() {
		t.Fatal("DEBUG SET-ACTIVE-EXPIRE 2 did not enable")
	}
}

func TestWatchInvalidation(t *testing.T) {
	db := newTestDB(t)
	a, b := db.NewSession(), db.NewSession()
	tx := func(watcher *Session, key string, meanwhile func()) any {
		do(db, watcher, "watch", key)
		do(db, watcher, "multi")
		do(db, watcher, "set", "marker", "1")
		meanwhile()
		return do(db, watcher, "exec")
	}
	committed := []any{kOK}
	do(db, a, "set", "w", "1")
	for _, tc := range []struct {
		name string
		key  string
		op   func()
		want any
	}{
		{"flushdb", "w", func() { do(db, b, "flushdb") }, kNull},
		{"flushdb_missing_key", "nokey", func() { do(db, b, "set", "y", "1"); do(db, b, "flushdb") }, committed},
		{"flushall", "w", func() { do(db, b, "flushall") }, kNull},
		{"swapdb", "w", func() { do(db, b, "swapdb", "0", "1") }, kNull},
		{"swapdb_other_has_key", "w", func() {
			do(db, b, "select", "1")
			do(db, b, "set", "w", "x")
			do(db, b, "select", "0")
			do(db, b, "swapdb", "0", "1")
		}, kNull},
		{"expire", "w", func() { do(db, b, "expire", "w", "100") }, kNull},
		{"persist", "w", func() { do(db, b, "persist", "w") }, kNull},
		{"rename_src", "w", func() { do(db, b, "rename", "w", "w2") }, kNull},
		{"rename_dst", "w", func() { do(db, b, "set", "w2", "z"); do(db, b, "rename", "w2", "w") }, kNull},
		{"copy_dst", "w", func() { do(db, b, "copy", "src", "w", "replace") }, kNull},
		{"move", "w", func() { do(db, b, "move", "w", "1") }, kNull},
		{"del", "w", func() { do(db, b, "del", "w") }, kNull},
		{"untouched", "w", func() { do(db, b, "set", "other", "1"); do(db, b, "exists", "w") }, committed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			do(db, b, "flushall")
			do(db, b, "set", "w", "1")
			do(db, b, "set", "src", "s")
			do(db, b, "persist", "w")
			do(db, b, "expire", "w", "1000")
			if got := tx(a, tc.key, tc.op); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("EXEC = %#v, want %#v", got, tc.want)
			}
		})
	}
}

// TestRecovery runs every keys/db command that writes, closes the DB,
// reopens the directory and checks the state digests the same, with and
// without a checkpoint (Save) in the middle.
func TestRecovery(t *testing.T) {
	for _, saveAt := range []int{-1, 0, 7, 15} {
		t.Run(fmt.Sprintf("save_at_%d", saveAt), func(t *testing.T) {
			dir := t.TempDir()
			opts := Options{ActiveExpireHz: -1}
			db, err := Open(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			s := db.NewSession()
			script := [][]string{
				{"set", "a", "1"}, {"set", "b", "2"}, {"set", "c", "3"},
				{"pexpire", "a", "1000000"}, {"expireat", "b", "99999999999"},
				{"rename", "a", "a2"}, {"copy", "b", "b2"}, {"copy", "c", "c", "db", "2"},
				{"move", "b2", "1"}, {"persist", "b"}, {"renamenx", "c", "c2"},
				{"select", "1"}, {"set", "x", "y"}, {"swapdb", "1", "3"},
				{"select", "0"}, {"set", "big", strings.Repeat("v", 5000)},
				{"rename", "big", "big2"}, {"flushdb"}, {"set", "after", "flush"},
				{"copy", "after", "after", "db", "5"}, {"select", "2"}, {"flushall"},
				{"set", "k", "v"}, {"expire", "k", "0"}, {"set", "k2", "v2"},
				{"swapdb", "2", "0"}, {"del", "k2"}, {"set", "k3", "v3"}, {"unlink", "nokey"},
				{"copy", "k3", "k4", "db", "9"}, {"move", "k3", "10"},
				// One record: the copies read values written earlier in it.
				{"multi"}, {"set", "m", "1"}, {"rename", "m", "m2"}, {"copy", "m2", "m3", "db", "11"},
				{"move", "m2", "12"}, {"set", "m2", "again"}, {"exec"},
			}
			for i, c := range script {
				if i == saveAt {
					if err := db.Save(); err != nil {
						t.Fatal(err)
					}
				}
				if r, isErr := do(db, s, c...).(ErrorVal); isErr {
					t.Fatalf("%q: %s", c, r)
				}
			}
			final := do(db, s, "debug", "digest")
			if final == SimpleVal(strings.Repeat("0", 40)) {
				t.Fatal("script left an empty dataset")
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db2, err := Open(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer db2.Close()
			s2 := db2.NewSession()
			if got := do(db2, s2, "debug", "digest"); got != final {
				t.Fatalf("digest after reopen %v, before %v", got, final)
			}
			for dbi := 0; dbi < 16; dbi++ {
				if n := db2.ks.Len(dbi); n != db.ks.Len(dbi) {
					t.Fatalf("db %d: %d keys after reopen, %d before", dbi, n, db.ks.Len(dbi))
				}
			}
			// Spot checks through commands.
			s2.DB = 10
			runKeysSteps(t, db2, s2, []keysStep{kc("v3", "get", "k3")})
			s2.DB = 9
			runKeysSteps(t, db2, s2, []keysStep{kc("v3", "get", "k4")})
			s2.DB = 11
			runKeysSteps(t, db2, s2, []keysStep{kc("1", "get", "m3")})
			s2.DB = 12
			runKeysSteps(t, db2, s2, []keysStep{kc("1", "get", "m2")})
			s2.DB = 2 // the script's session is on db 2 by then
			runKeysSteps(t, db2, s2, []keysStep{kc("again", "get", "m2"), kc(int64(0), "exists", "m")})
			// And once more after a checkpoint of the reopened DB.
			if err := db2.Save(); err != nil {
				t.Fatal(err)
			}
			db2.Close()
			db3, err := Open(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer db3.Close()
			if got := do(db3, db3.NewSession(), "debug", "digest"); got != final {
				t.Fatalf("digest after save+reopen %v, before %v", got, final)
			}
		})
	}
}

// globSubjects and globTable were generated from the oracle: each subject
// was SET and KEYS <pat> listed the matches.
var globSubjects = []string{"a", "b", "c", "d", "abc", "ABC", "*", "?", "\\", "]", "-", "^", "hello", "hallo", "hbllo", "hxllo", "heeeello", "hllo", "ab", "aab", "abcabc", "axbyc", "a[", "x*y", "xay", "[a]", "a\\bc", "abc]", "a-", "!", "[", "x"}

var globTable = []struct {
	pat     string
	matches []string
}{
	{"*", []string{"a", "b", "c", "d", "abc", "ABC", "*", "?", "\\", "]", "-", "^", "hello", "hallo", "hbllo", "hxllo", "heeeello", "hllo", "ab", "aab", "abcabc", "axbyc", "a[", "x*y", "xay", "[a]", "a\\bc", "abc]", "a-", "!", "[", "x"}},
	{"?", []string{"a", "b", "c", "d", "*", "?", "\\", "]", "-", "^", "!", "[", "x"}},
	{"a*", []string{"a", "abc", "ab", "aab", "abcabc", "axbyc", "a[", "a\\bc", "abc]", "a-"}},
	{"*a", []string{"a"}},
	{"a?c", []string{"abc"}},
	{"[abc]", []string{"a", "b", "c"}},
	{"[^abc]", []string{"d", "*", "?", "\\", "]", "-", "^", "!", "[", "x"}},
	{"[a-c]", []string{"a", "b", "c"}},
	{"[c-a]", []string{"a", "b", "c"}},
	{"[^a-c]", []string{"d", "*", "?", "\\", "]", "-", "^", "!", "[", "x"}},
	{"\\*", []string{"*"}},
	{"\\?", []string{"?"}},
	{"a\\", []string{}},
	{"\\", []string{"\\"}},
	{"[\\]]", []string{"]"}},
	{"[\\-]", []string{"-"}},
	{"[a-]", []string{"a", "]", "^"}},
	{"[-a]", []string{"a", "-"}},
	{"[]", []string{}},
	{"[]a]", []string{}},
	{"[^]", []string{"a", "b", "c", "d", "*", "?", "\\", "]", "-", "^", "!", "[", "x"}},
	{"[^", []string{"a", "b", "c", "d", "*", "?", "\\", "]", "-", "^", "!", "[", "x"}},
	{"[", []string{}},
	{"[a", []string{"a"}},
	{"a[", []string{}},
	{"*[", []string{}},
	{"[*]", []string{"*"}},
	{"h?llo", []string{"hello", "hallo", "hbllo", "hxllo"}},
	{"h*llo", []string{"hello", "hallo", "hbllo", "hxllo", "heeeello", "hllo"}},
	{"h[ae]llo", []string{"hello", "hallo"}},
	{"h[^e]llo", []string{"hallo", "hbllo", "hxllo"}},
	{"h[a-b]llo", []string{"hallo", "hbllo"}},
	{"**", []string{"a", "b", "c", "d", "abc", "ABC", "*", "?", "\\", "]", "-", "^", "hello", "hallo", "hbllo", "hxllo", "heeeello", "hllo", "ab", "aab", "abcabc", "axbyc", "a[", "x*y", "xay", "[a]", "a\\bc", "abc]", "a-", "!", "[", "x"}},
	{"*?*", []string{"a", "b", "c", "d", "abc", "ABC", "*", "?", "\\", "]", "-", "^", "hello", "hallo", "hbllo", "hxllo", "heeeello", "hllo", "ab", "aab", "abcabc", "axbyc", "a[", "x*y", "xay", "[a]", "a\\bc", "abc]", "a-", "!", "[", "x"}},
	{"?*?", []string{"abc", "ABC", "hello", "hallo", "hbllo", "hxllo", "heeeello", "hllo", "ab", "aab", "abcabc", "axbyc", "a[", "x*y", "xay", "[a]", "a\\bc", "abc]", "a-"}},
	{"a**b", []string{"ab", "aab"}},
	{"*a*b*c*", []string{"abc", "abcabc", "axbyc", "a\\bc", "abc]"}},
	{"abc", []string{"abc"}},
	{"ABC", []string{"ABC"}},
	{"a\\bc", []string{"abc"}},
	{"[a\\", []string{"a", "\\"}},
	{"[\\", []string{"\\"}},
	{"[a-", []string{"a", "-"}},
	{"[a-\\]]", []string{}},
	{"x\\*y", []string{"x*y"}},
	{"\\[a]", []string{"[a]"}},
	{"*\\", []string{"\\"}},
	{"[!a]", []string{"a", "!"}},
	{"[a-z0-9]", []string{"a", "b", "c", "d", "x"}},
	{"[^-]", []string{"a", "b", "c", "d", "*", "?", "\\", "]", "^", "!", "[", "x"}},
	{"[\\^a]", []string{"a", "^"}},
	{"a*b*c", []string{"abc", "abcabc", "axbyc", "a\\bc"}},
	{"", []string{}},
}

// TestWatchAlreadyExpiredKey follows Redis 7.0.15: deleting a key that was
// already expired when WATCHed is no change for EXEC, a later write is.
func TestWatchAlreadyExpiredKey(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	for _, tc := range []struct {
		name  string
		write bool
	}{{"deleted_only", false}, {"deleted_then_written", true}} {
		t.Run(tc.name, func(t *testing.T) {
			do(db, s, "SET", "w", "v", "PXAT", "1")
			do(db, s, "WATCH", "w")
			do(db, s, "GET", "w") // lazily deletes the expired key
			if tc.write {
				do(db, s, "SET", "w", "x")
			}
			do(db, s, "MULTI")
			do(db, s, "EXISTS", "w")
			got := do(db, s, "EXEC")
			if tc.write {
				if _, ok := got.(NullVal); !ok {
					t.Fatalf("EXEC = %v, want nil (watched key written)", got)
				}
				return
			}
			if arr, ok := got.([]any); !ok || len(arr) != 1 {
				t.Fatalf("EXEC = %v, want one reply", got)
			}
		})
	}
}

// TestSetBitUnsharesValue: SETBIT that changes nothing still leaves the
// value raw, as Redis's lookupStringForBitCommand does (and it survives a
// restart, since the encoding hint is logged).
func TestSetBitUnsharesValue(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	s := db.NewSession()
	do(db, s, "SET", "k", "5")
	if got := do(db, s, "SETBIT", "k", "0", "0"); got != int64(0) {
		t.Fatalf("SETBIT = %v", got)
	}
	if got := do(db, s, "OBJECT", "ENCODING", "k"); got != "raw" {
		t.Fatalf("OBJECT ENCODING after a no-op SETBIT = %v, want raw", got)
	}
	db.Close()
	db2, err := Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if got := do(db2, db2.NewSession(), "OBJECT", "ENCODING", "k"); got != "raw" {
		t.Fatalf("OBJECT ENCODING after restart = %v, want raw", got)
	}
}

// TestActiveExpireCycle: a tick of the active sweep keeps sampling a
// database while more than a tenth of its sample had expired, within its
// time, as Redis's activeExpireCycle does: where every key with a TTL has
// expired, one tick deletes them all (the old cap, 16 samples of 20 a
// tick, left 4,680 of db 0's), in every database; keys without a TTL or
// not yet expired stay. (The test DB has no sweep of its own:
// ActiveExpireHz -1.)
func TestActiveExpireCycle(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	for _, d := range []struct {
		db               string
		expired, pending int
	}{{"0", 5000, 0}, {"3", 3000, 0}, {"5", 0, 100}} {
		do(db, s, "select", d.db)
		for i := range d.expired {
			do(db, s, "set", fmt.Sprint("e:", i), "v", "px", "1")
		}
		for i := range d.pending {
			do(db, s, "set", fmt.Sprint("p:", i), "v", "px", "100000")
		}
		for i := range 100 {
			do(db, s, "set", fmt.Sprint("n:", i), "v")
		}
	}
	time.Sleep(5 * time.Millisecond)
	db.expireCycle(&Session{}, 0, time.Now().Add(time.Minute), expireParamsAt(1))
	for dbi, want := range map[string]int64{"0": 100, "3": 100, "5": 200} {
		do(db, s, "select", dbi)
		if n := do(db, s, "dbsize"); n != want {
			t.Errorf("db %s: %v keys after one tick, want the %d not expired", dbi, n, want)
		}
	}
}

// TestBatchSlotOf checks the record's slot memo against slots.Of over
// runs of equal and different keys, with the caller reusing (and
// overwriting) the slice it passed: the memo must answer for the bytes,
// not for the slice.
func TestBatchSlotOf(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var b batch
		buf := []byte{}
		keys := rapid.SliceOfN(rapid.SampledFrom([]string{"a", "b", "{a}x", "{a}", "user:1", "user:2", "", "{}z"}), 1, 30).Draw(t, "keys")
		for _, k := range keys {
			buf = append(buf[:0], k...) // one slice, rewritten for each key
			if got, want := b.slotOf(buf), slots.Of([]byte(k)); got != want {
				t.Fatalf("slotOf(%q) = %d, want %d", k, got, want)
			}
		}
	})
}

// TestActiveExpireEffort: active-expire-effort scales the sweep as
// Redis's activeExpireCycle does (keys a sample, the stale share that
// makes it sample again, the share of the tick), clamped to 1..10; the
// DB's setting is what the sweep reads.
func TestActiveExpireEffort(t *testing.T) {
	for _, c := range []struct {
		effort int64
		want   expireParams
	}{
		{1, expireParams{sample: 20, stalePercent: 10, cyclePercent: 25}},
		{2, expireParams{sample: 25, stalePercent: 9, cyclePercent: 27}},
		{10, expireParams{sample: 65, stalePercent: 1, cyclePercent: 43}},
		{0, expireParams{sample: 20, stalePercent: 10, cyclePercent: 25}},
		{11, expireParams{sample: 65, stalePercent: 1, cyclePercent: 43}},
	} {
		if got := expireParamsAt(c.effort); got != c.want {
			t.Errorf("effort %d: %+v, want %+v", c.effort, got, c.want)
		}
	}
	db := newTestDB(t)
	if got := db.tuning.ActiveExpireEffort.Load(); got != 1 {
		t.Fatalf("default effort %d", got)
	}
	if !db.SetTuning("active-expire-effort", 7) || db.tuning.ActiveExpireEffort.Load() != 7 {
		t.Fatal("SetTuning active-expire-effort")
	}
}
