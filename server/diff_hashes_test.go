package server

// Differential cases and the random generator for hashes.
//
// Hash replies are ordered by the hash's internal order (insertion order
// for a listpack, bucket order for a hash table, whose hash seed differs
// from one redis-server to the next), random (HRANDFIELD), or paged by a
// server's own cursor (HSCAN). The comparer registered below compares
// them for what is deterministic:
//
//   - HGETALL as a set of field, value pairs (RESP2 flat array or RESP3
//     map, the reply's type itself compared exactly); HKEYS and HVALS as
//     multisets;
//   - HRANDFIELD exactly when the replies agree, else by kind, shape
//     (flat RESP2 pairs vs RESP3 nested pairs) and length; a field must
//     carry the same value everywhere it appears (in both replies), a
//     positive count must give distinct fields, and a positive count
//     larger than the reply (the whole hash) must give the same fields;
//   - HSCAN pages as sets of pairs when both servers finished a scan that
//     started at cursor 0 in that call, else by shape (a field in both
//     pages must have the same value). TestDiffHScanAll iterates whole
//     scans and compares what they returned.
//
// Redis 7.0's default hash-max-listpack-entries is 512 (not 128 as for
// zsets) and hash-max-listpack-value 64: the encoding cases check both
// limits; hashConfigCases (TestDiffHashesListpackConfig, on their own
// pair) change them.

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func init() {
	familyCommands = append(familyCommands,
		"hset", "hsetnx", "hmset", "hget", "hmget", "hdel", "hlen", "hstrlen", "hexists",
		"hgetall", "hkeys", "hvals", "hincrby", "hincrbyfloat", "hrandfield", "hscan")
	replyComparers = append(replyComparers, compareHashReply)
}

// compareHashReply is the hash family's normalizer (see the file comment).
func compareHashReply(args []string, k, o respValue) (string, bool) {
	switch strings.ToUpper(args[0]) {
	case "HGETALL":
		return exactCmp(sortedHashPairs(k), sortedHashPairs(o)), true
	case "HKEYS", "HVALS":
		return exactCmp(sortedArray(k), sortedArray(o)), true
	case "HRANDFIELD":
		return compareHRandField(args, k, o), true
	case "HSCAN":
		return compareHScan(args, k, o), true
	}
	return "", false
}

// sortedHashPairs orders an HGETALL reply (a flat array of field, value
// pairs in RESP2, a map in RESP3) by field, keeping each pair together.
// Anything else is returned as is.
func sortedHashPairs(v respValue) respValue {
	if v.Kind != '*' && v.Kind != '%' || v.Null || len(v.Elems)%2 != 0 {
		return v
	}
	pairs := make([][2]respValue, 0, len(v.Elems)/2)
	for i := 0; i < len(v.Elems); i += 2 {
		pairs = append(pairs, [2]respValue{v.Elems[i], v.Elems[i+1]})
	}
	sort.SliceStable(pairs, func(i, j int) bool {
		a, b := pairs[i][0].String(), pairs[j][0].String()
		if a != b {
			return a < b
		}
		return pairs[i][1].String() < pairs[j][1].String()
	})
	e := make([]respValue, 0, len(v.Elems))
	for _, p := range pairs {
		e = append(e, p[0], p[1])
	}
	v.Elems = e
	return v
}

// hashPair is one field (and value, if the reply has them) of a reply.
type hashPair struct{ f, v string }

// hrandPairs splits an HRANDFIELD array reply into its fields (and
// values): bulk fields, flat field, value pairs (RESP2 WITHVALUES) or
// nested [field, value] arrays (RESP3 WITHVALUES). nested tells which;
// bad is why the reply has none of these shapes.
func hrandPairs(v respValue, withValues bool) (pairs []hashPair, nested bool, bad string) {
	bulk := func(e respValue) bool { return e.Kind == '$' && !e.Null }
	if !withValues {
		for _, e := range v.Elems {
			if !bulk(e) {
				return nil, false, "a field is not a bulk string"
			}
			pairs = append(pairs, hashPair{f: e.Str})
		}
		return pairs, false, ""
	}
	if len(v.Elems) > 0 && v.Elems[0].Kind == '*' {
		for _, e := range v.Elems {
			if e.Kind != '*' || len(e.Elems) != 2 || !bulk(e.Elems[0]) || !bulk(e.Elems[1]) {
				return nil, true, "an element is not a [field, value] pair"
			}
			pairs = append(pairs, hashPair{e.Elems[0].Str, e.Elems[1].Str})
		}
		return pairs, true, ""
	}
	if len(v.Elems)%2 != 0 {
		return nil, false, "odd number of elements in a field, value reply"
	}
	for i := 0; i < len(v.Elems); i += 2 {
		if !bulk(v.Elems[i]) || !bulk(v.Elems[i+1]) {
			return nil, false, "a field or value is not a bulk string"
		}
		pairs = append(pairs, hashPair{v.Elems[i].Str, v.Elems[i+1].Str})
	}
	return pairs, false, ""
}

// compareHRandField compares HRANDFIELD replies (see the file comment).
func compareHRandField(args []string, k, o respValue) string {
	if k.equal(o) {
		return ""
	}
	if k.Kind != o.Kind || k.isNil() != o.isNil() {
		return "random reply kinds differ"
	}
	switch {
	case k.isNil() || k.isErr():
		return "replies differ"
	case k.Kind == '$':
		return "" // one random field each
	case k.Kind != '*':
		return "replies differ"
	}
	if len(args) < 3 {
		return "replies differ" // an array without a count
	}
	withValues := len(args) > 3 && strings.EqualFold(args[3], "WITHVALUES")
	kp, kn, kbad := hrandPairs(k, withValues)
	if kbad != "" {
		return "keel: " + kbad
	}
	op, on, obad := hrandPairs(o, withValues)
	if obad != "" {
		return "redis-server: " + obad
	}
	if len(kp) != len(op) {
		return "random reply lengths differ"
	}
	if len(kp) > 0 && kn != on {
		return "field, value pairs are shaped differently (flat vs nested)"
	}
	if withValues {
		// Both servers hold the same hash: a field has one value.
		vals := map[string]string{}
		for _, p := range append(slices.Clone(op), kp...) {
			if v, ok := vals[p.f]; ok && v != p.v {
				return fmt.Sprintf("field %q comes with values %q and %q", p.f, v, p.v)
			}
			vals[p.f] = p.v
		}
	}
	count, err := strconv.ParseInt(args[2], 10, 64)
	if err != nil || count < 0 {
		return "" // repetitions allowed, lengths compared
	}
	fields := func(ps []hashPair) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.f
		}
		slices.Sort(out)
		return out
	}
	kf, of := fields(kp), fields(op)
	for _, f := range [][]string{kf, of} {
		for i := 1; i < len(f); i++ {
			if f[i] == f[i-1] {
				return fmt.Sprintf("a reply of distinct fields repeats %q", f[i])
			}
		}
	}
	if int64(len(op)) < count && !slices.Equal(kf, of) {
		return "a count larger than the hash returned different fields"
	}
	return ""
}

// hscanReply splits an HSCAN reply into its cursor and field, value
// pairs; ok is false when it is not one.
func hscanReply(v respValue) (cursor string, pairs []hashPair, ok bool) {
	if v.Kind != '*' || v.Null || len(v.Elems) != 2 || v.Elems[0].Kind != '$' || v.Elems[1].Kind != '*' ||
		v.Elems[1].Null || len(v.Elems[1].Elems)%2 != 0 {
		return "", nil, false
	}
	e := v.Elems[1].Elems
	for i := 0; i < len(e); i += 2 {
		if e[i].Kind != '$' || e[i+1].Kind != '$' {
			return "", nil, false
		}
		pairs = append(pairs, hashPair{e[i].Str, e[i+1].Str})
	}
	return v.Elems[0].Str, pairs, true
}

// scanCursorIsZero reports whether Redis reads cursor as 0: the empty
// string, or an optional sign followed by one or more zeros (strtoul).
func scanCursorIsZero(cursor string) bool {
	if cursor == "" {
		return true
	}
	if cursor[0] == '+' || cursor[0] == '-' {
		cursor = cursor[1:]
	}
	return cursor != "" && strings.TrimLeft(cursor, "0") == ""
}

// compareHScan compares HSCAN pages (see the file comment).
func compareHScan(args []string, k, o respValue) string {
	if k.equal(o) {
		return ""
	}
	kc, kp, kok := hscanReply(k)
	oc, op, ook := hscanReply(o)
	if !kok || !ook {
		return "replies differ"
	}
	vals := map[string]string{}
	for _, p := range op {
		vals[p.f] = p.v
	}
	for _, p := range kp {
		if v, ok := vals[p.f]; ok && v != p.v {
			return fmt.Sprintf("field %q has value %q in keel's page, %q in redis-server's", p.f, p.v, v)
		}
	}
	if kc == "0" && oc == "0" && len(args) > 2 && scanCursorIsZero(args[2]) {
		key := func(ps []hashPair) []string {
			out := make([]string, len(ps))
			for i, p := range ps {
				out[i] = p.f + "\x00" + p.v
			}
			slices.Sort(out)
			return out
		}
		if !slices.Equal(key(kp), key(op)) {
			return "complete scans returned different pairs"
		}
	}
	return ""
}

// TestDiffHashComparer checks that the hash comparer accepts what two
// correct servers may legitimately differ in and nothing else.
func TestDiffHashComparer(t *testing.T) {
	b := func(s string) respValue { return respValue{Kind: '$', Str: s} }
	arr := func(ss ...string) respValue {
		v := respValue{Kind: '*', Elems: []respValue{}}
		for _, s := range ss {
			v.Elems = append(v.Elems, b(s))
		}
		return v
	}
	pairs := func(ss ...string) respValue { // RESP3 [[f, v], ...]
		v := respValue{Kind: '*', Elems: []respValue{}}
		for i := 0; i+1 < len(ss); i += 2 {
			v.Elems = append(v.Elems, arr(ss[i], ss[i+1]))
		}
		return v
	}
	m := func(ss ...string) respValue { v := arr(ss...); v.Kind = '%'; return v }
	scan := func(cursor string, ss ...string) respValue {
		return respValue{Kind: '*', Elems: []respValue{b(cursor), arr(ss...)}}
	}
	nilBulk := respValue{Kind: '$', Null: true}
	for _, tc := range []struct {
		cmd   string
		k, o  respValue
		equal bool
	}{
		{"HGETALL h", arr("b", "2", "a", "1"), arr("a", "1", "b", "2"), true},
		{"HGETALL h", arr("a", "2", "b", "1"), arr("a", "1", "b", "2"), false},
		{"HGETALL h", arr("a", "1"), arr("a", "1", "b", "2"), false},
		{"hgetall h", m("b", "2", "a", "1"), m("a", "1", "b", "2"), true},
		{"HGETALL h", m("a", "1"), arr("a", "1"), false},
		{"HKEYS h", arr("b", "a"), arr("a", "b"), true},
		{"HKEYS h", arr("a", "a"), arr("a", "b"), false},
		{"HVALS h", arr("1", "2", "1"), arr("1", "1", "2"), true},
		{"HVALS h", arr("1", "2", "2"), arr("1", "1", "2"), false},
		{"HRANDFIELD h", b("a"), b("b"), true},
		{"HRANDFIELD h", b("a"), nilBulk, false},
		{"HRANDFIELD h 2", arr("a", "c"), arr("b", "a"), true},
		{"HRANDFIELD h 2", arr("a", "a"), arr("b", "a"), false},
		{"HRANDFIELD h 2", arr("a"), arr("b", "a"), false},
		{"HRANDFIELD h 5", arr("a", "c"), arr("b", "a"), false}, // the whole hash each
		{"HRANDFIELD h 5", arr("b", "a"), arr("a", "b"), true},
		{"HRANDFIELD h -3", arr("a", "a", "a"), arr("b", "a", "b"), true},
		{"HRANDFIELD h -3", arr("a", "a"), arr("b", "a", "b"), false},
		{"HRANDFIELD h 2 WITHVALUES", arr("c", "3", "a", "1"), arr("a", "1", "b", "2"), true},
		{"HRANDFIELD h 2 WITHVALUES", arr("a", "9", "c", "3"), arr("a", "1", "b", "2"), false},
		{"HRANDFIELD h -2 WITHVALUES", arr("a", "1", "a", "2"), arr("a", "1", "a", "1"), false},
		{"HRANDFIELD h -2 WITHVALUES", pairs("a", "1", "b", "2"), pairs("b", "2", "b", "2"), true},
		{"HRANDFIELD h -2 WITHVALUES", arr("a", "1", "b", "2"), pairs("b", "2", "b", "2"), false},
		{"HRANDFIELD h 2 WITHVALUES", arr("a", "1", "b"), arr("a", "1", "b", "2"), false},
		{"HSCAN h 0", scan("0", "b", "2", "a", "1"), scan("0", "a", "1", "b", "2"), true},
		{"HSCAN h 0", scan("0", "a", "1"), scan("0", "a", "1", "b", "2"), false},
		{"HSCAN h 0", scan("12", "a", "1"), scan("7", "b", "2"), true},
		{"HSCAN h 0", scan("12", "a", "1"), scan("0", "a", "2"), false},
		{"HSCAN h 5", scan("0", "a", "1"), scan("0", "b", "2"), true}, // a hash table's own cursor
		{"HSCAN h 0", respValue{Kind: '-', Str: "ERR syntax error"}, scan("0"), false},
		{"HGET h a", b("1"), b("2"), false},
	} {
		args := strings.Fields(tc.cmd)
		if got := compareReply(args, tc.k, tc.o, nil) == ""; got != tc.equal {
			t.Errorf("compareReply(%s, %s, %s) equal = %v, want %v", tc.cmd, tc.k, tc.o, got, tc.equal)
		}
	}
	for _, c := range []string{"0", "", "+0", "-0", "000"} {
		if !scanCursorIsZero(c) {
			t.Errorf("scanCursorIsZero(%q) = false", c)
		}
	}
	for _, c := range []string{"5", "-1", "10", "+", "-", "0x"} {
		if scanCursorIsZero(c) {
			t.Errorf("scanCursorIsZero(%q) = true", c)
		}
	}
}

func TestDiffHashes(t *testing.T) {
	t.Parallel()
	runCases(t, newPair(t), hashCases)
}

// TestDiffHashesListpackConfig runs the cases that change
// hash-max-listpack-entries and hash-max-listpack-value on their own pair.
func TestDiffHashesListpackConfig(t *testing.T) {
	t.Parallel()
	runCases(t, newPair(t), hashConfigCases)
}

// TestDiffRandomHashes is TestDiffRandom over the hash commands mixed with
// the string and key commands (WRONGTYPE, RENAME, COPY, MOVE, expiry,
// SELECT, SWAPDB and transactions meet hashes).
func TestDiffRandomHashes(t *testing.T) {
	t.Parallel()
	runRandom(t, func(g *cmdGen, conn int) []string {
		if g.r.Intn(6) == 0 {
			return g.command(conn)
		}
		return g.hashCommand(conn)
	})
}

// hsetSeq is "HSET key" with n pairs prefix+i, "v"+i.
func hsetSeq(key, prefix string, n int) string {
	var sb strings.Builder
	sb.WriteString("HSET " + key)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, " %s%d v%d", prefix, i, i)
	}
	return sb.String()
}

// hsetSame is "HSET key" with n pairs of the one field, values "x"+i.
func hsetSame(key, field string, n int) string {
	var sb strings.Builder
	sb.WriteString("HSET " + key)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, " %s x%d", field, i)
	}
	return sb.String()
}

// hashWords is "prefix0 prefix1 ... prefix(n-1)".
func hashWords(prefix string, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = prefix + strconv.Itoa(i)
	}
	return strings.Join(w, " ")
}

var (
	hf64 = strings.Repeat("f", 64) // the longest listpack field
	hf65 = strings.Repeat("g", 65) // one byte too long
	hv64 = strings.Repeat("v", 64) // the longest listpack value
	hv65 = strings.Repeat("w", 65) // one byte too long
)

var hashCases = []diffCase{
	// ---- HSET ----
	dc("HSET/new_key", `HSET h a 1`, `HGET h a`, `TYPE h`, `OBJECT ENCODING h`, `HLEN h`, `EXISTS h`),
	dc("HSET/many_pairs", `HSET h a 1 b 2 c 3 d 4 e 5`, `HLEN h`, `HGETALL h`, `HKEYS h`, `HVALS h`),
	dc("HSET/update_counts_new_fields_only", `HSET h a 1 b 2`, `HSET h a 10 c 3`, `HSET h a 10`, `HSET h a 11 b 12`, `HGETALL h`),
	dc("HSET/duplicate_fields_in_one_call", `HSET h a 1 a 2 a 3`, `HGET h a`, `HLEN h`, `HSET h b 1 a 4 b 2`, `HGETALL h`,
		`HSET h c 1 c 1`, `HGET h c`),
	dc("HSET/odd_arguments", `HSET h`, `HSET h a`, `HSET h a 1 b`, `HSET h a 1 b 2 c`, `EXISTS h`, `HSET`,
		`HSET h a 1`, `HSET h b 2 c`, `HGETALL h`),
	dc("HSET/wrongtype", `SET s v`, `HSET s a 1`, `GET s`, `RPUSH l x`, `HSET l a 1`, `LRANGE l 0 -1`,
		`SADD st m`, `HSET st a 1`, `ZADD z 1 m`, `HSET z a 1`, `HSET s a`),
	dc("HSET/binary", `HSET h "\x00\xff" "a\r\nb\x00"`, `HGET h "\x00\xff"`, `HSTRLEN h "\x00\xff"`, `HEXISTS h "\x00"`,
		`HGETALL h`, `HSET "\x00k\xff" "\r\n" "\r\n"`, `HGETALL "\x00k\xff"`, `KEYS *`),
	dc("HSET/empty_field_and_value", `HSET h "" ""`, `HGET h ""`, `HLEN h`, `HEXISTS h ""`, `HSTRLEN h ""`, `HGETALL h`,
		`HSET h "" x`, `HGET h ""`, `OBJECT ENCODING h`, `HDEL h ""`, `EXISTS h`, `HSET "" "" ""`, `HGETALL ""`),
	dc("HSET/integer_like_fields",
		`HSET h 1 a 01 b -0 c +1 d 1.0 e 9223372036854775807 f -9223372036854775808 g 9223372036854775808 h`,
		`HLEN h`, `HGET h 1`, `HGET h 01`, `HGET h 9223372036854775807`, `HGET h -9223372036854775808`, `HGET h 1e0`,
		`HGETALL h`, `HKEYS h`, `OBJECT ENCODING h`),
	dc("HSET/integer_like_values", `HSET h a 1 b 01 c -0 d 9223372036854775807 e -9223372036854775808 f 9223372036854775808 g 1.0`,
		`HVALS h`, `HMGET h a b c d e f g`),
	dc("HSET/keeps_ttl", `HSET h a 1`, `EXPIRE h 100`, `HSET h b 2`, `TTL h`, `HSET h a 3`, `TTL h`, `HMSET h c 3`, `TTL h`),
	dc("HSET/case_insensitive", `hset h a 1`, `HsEt h b 2`, `hgetall h`, `HGET h A`),
	dc("HSET/large_value", `HSET h f `+strings.Repeat("x", 100000), `HSTRLEN h f`, `OBJECT ENCODING h`, `HGET h f`,
		`HSET h `+strings.Repeat("y", 70000)+` v`, `HLEN h`),
	dc("HSET/same_value_again", `HSET h a 1`, `HSET h a 1`, `HGET h a`, `HLEN h`),
	dc("HSET/many_fields_small", hsetSeq("h", "f", 100), `HLEN h`, `HGET h f99`, `HGET h f100`, `OBJECT ENCODING h`, `HGETALL h`),

	// ---- HSETNX ----
	dc("HSETNX/basic", `HSETNX h a 1`, `HSETNX h a 2`, `HGET h a`, `HSETNX h b 3`, `HGETALL h`, `TYPE h`),
	dc("HSETNX/errors", `HSETNX h a`, `HSETNX h a 1 2`, `HSETNX`, `EXISTS h`, `SET s v`, `HSETNX s a 1`, `GET s`),
	dc("HSETNX/keeps_ttl_and_empty", `HSET h a 1`, `EXPIRE h 100`, `HSETNX h b 2`, `TTL h`, `HSETNX h "" ""`, `HGETALL h`,
		`HSETNX h "" x`, `HGET h ""`),

	// ---- HMSET ----
	dc("HMSET/reply", `HMSET h a 1 b 2`, `HMSET h a 3`, `HGETALL h`, `HLEN h`, `TYPE h`),
	dc("HMSET/errors", `HMSET h`, `HMSET h a`, `HMSET h a 1 b`, `EXISTS h`, `SET s v`, `HMSET s a 1`, `GET s`, `HMSET`),
	dc("HMSET/duplicates", `HMSET h a 1 a 2`, `HGET h a`, `HLEN h`, `HMSET h "" "" "" x`, `HGET h ""`),

	// ---- HGET HMGET ----
	dc("HGET/basic", `HSET h a 1 b ""`, `HGET h a`, `HGET h b`, `HGET h c`, `HGET nokey a`, `HGET h A`, `HGET h ""`),
	dc("HGET/errors", `HGET h`, `HGET h a b`, `HGET`, `SET s v`, `HGET s a`, `RPUSH l x`, `HGET l x`),
	dc("HMGET/basic", `HSET h a 1 b 2`, `HMGET h a b c a`, `HMGET h c`, `HMGET nokey a b`, `HMGET h ""`, `HMGET h b`),
	dc("HMGET/errors", `HMGET h`, `HMGET`, `SET s v`, `HMGET s a`, `RPUSH l x`, `HMGET l a b`),

	// ---- HDEL ----
	dc("HDEL/basic", `HSET h a 1 b 2 c 3`, `HDEL h a`, `HDEL h a`, `HGETALL h`, `HLEN h`),
	dc("HDEL/several_missing_duplicates", `HSET h a 1 b 2 c 3 d 4`, `HDEL h a x a b y`, `HGETALL h`, `HDEL h c c c`, `HGETALL h`),
	dc("HDEL/last_field_deletes_key", `HSET h a 1 b 2`, `HDEL h a b c`, `EXISTS h`, `TYPE h`, `HLEN h`, `HGETALL h`, `HDEL h a`),
	dc("HDEL/last_field_one_at_a_time", `HSET h a 1 b 2`, `HDEL h a`, `EXISTS h`, `HDEL h b`, `EXISTS h`, `KEYS *`),
	dc("HDEL/ttl_gone_with_key", `HSET h a 1`, `EXPIRE h 100`, `HDEL h a`, `HSET h a 1`, `TTL h`, `OBJECT ENCODING h`),
	dc("HDEL/keeps_ttl", `HSET h a 1 b 2`, `EXPIRE h 100`, `HDEL h a`, `TTL h`, `HDEL h zz`, `TTL h`),
	dc("HDEL/errors", `HDEL h`, `HDEL`, `HDEL nokey a`, `EXISTS nokey`, `SET s v`, `HDEL s a`, `GET s`),
	dc("HDEL/hashtable", hsetSeq("h", "f", 520), `HDEL h `+hashWords("f", 300), `HLEN h`, `OBJECT ENCODING h`,
		`HDEL h `+hashWords("f", 520), `EXISTS h`),

	// ---- HLEN HSTRLEN HEXISTS ----
	dc("HLEN/all", `HLEN nokey`, `HSET h a 1 b 2`, `HLEN h`, `HSET h a 3`, `HLEN h`, `HDEL h a`, `HLEN h`,
		`HLEN`, `HLEN h x`, `SET s v`, `HLEN s`),
	dc("HSTRLEN/basic", `HSET h a hello b "" c "\x00\xff"`, `HSTRLEN h a`, `HSTRLEN h b`, `HSTRLEN h c`, `HSTRLEN h x`,
		`HSTRLEN nokey a`),
	dc("HSTRLEN/integer_like",
		`HSET h i 12345 n -1 z 0 m -9223372036854775808 M 9223372036854775807 big 9223372036854775808 lz 007 nz -0 p +5 f 1.50 e 1e3`,
		`HSTRLEN h i`, `HSTRLEN h n`, `HSTRLEN h z`, `HSTRLEN h m`, `HSTRLEN h M`, `HSTRLEN h big`, `HSTRLEN h lz`,
		`HSTRLEN h nz`, `HSTRLEN h p`, `HSTRLEN h f`, `HSTRLEN h e`),
	dc("HSTRLEN/after_increments", `HINCRBY h n 100`, `HSTRLEN h n`, `HINCRBY h n -1000`, `HSTRLEN h n`,
		`HINCRBYFLOAT h f 0.25`, `HSTRLEN h f`, `HINCRBYFLOAT h f 1e20`, `HSTRLEN h f`),
	dc("HSTRLEN/hashtable", `HSET h a `+hv65+` b 12 c ""`, `OBJECT ENCODING h`, `HSTRLEN h a`, `HSTRLEN h b`, `HSTRLEN h c`, `HSTRLEN h d`),
	dc("HSTRLEN/errors", `HSTRLEN h`, `HSTRLEN h a b`, `SET s v`, `HSTRLEN s a`),
	dc("HEXISTS/basic", `HSET h a 1 "" 2`, `HEXISTS h a`, `HEXISTS h b`, `HEXISTS h ""`, `HEXISTS nokey a`, `HEXISTS h A`),
	dc("HEXISTS/errors", `HEXISTS h`, `HEXISTS h a b`, `SET s v`, `HEXISTS s a`),

	// ---- HGETALL HKEYS HVALS ----
	dc("HGETALL/basic", `HSET h c 3 a 1 b 2`, `HGETALL h`, `HKEYS h`, `HVALS h`),
	dc("HGETALL/missing", `HGETALL nokey`, `HKEYS nokey`, `HVALS nokey`),
	dc("HGETALL/errors", `HGETALL`, `HGETALL a b`, `HKEYS`, `HKEYS a b`, `HVALS`, `HVALS a b`,
		`SET s v`, `HGETALL s`, `HKEYS s`, `HVALS s`),
	dc("HGETALL/hashtable", hsetSeq("h", "f", 600), `OBJECT ENCODING h`, `HGETALL h`, `HKEYS h`, `HVALS h`, `HLEN h`),
	dc("HGETALL/after_updates", `HSET h a 1 b 2 c 3`, `HDEL h a`, `HSET h a 4`, `HSET h b 5`, `HGETALL h`, `HKEYS h`),
	dc("HVALS/duplicate_values", `HSET h a 1 b 1 c 2 d 1 e ""`, `HVALS h`, `HKEYS h`),

	// ---- HINCRBY ----
	dc("HINCRBY/creates", `HINCRBY h a 5`, `HINCRBY h a -3`, `HGET h a`, `HINCRBY h b 0`, `HGETALL h`, `TYPE h`, `OBJECT ENCODING h`),
	dc("HINCRBY/overflow",
		`HSET h a 9223372036854775807`, `HINCRBY h a 1`, `HGET h a`, `HINCRBY h a 0`, `HINCRBY h a -9223372036854775808`, `HGET h a`,
		`HSET h b -9223372036854775808`, `HINCRBY h b -1`, `HINCRBY h b 9223372036854775807`, `HGET h b`,
		`HINCRBY h c -9223372036854775808`, `HINCRBY h c -1`, `HINCRBY h c 9223372036854775807`, `HINCRBY h c 1`, `HGETALL h`),
	dc("HINCRBY/not_integer_value",
		`HSET h a abc b "" c " 1" d "1 " e 1.5 f 007 g -0 i +1 j 9223372036854775808 k 1e3 l 0x10`,
		`HINCRBY h a 1`, `HINCRBY h b 1`, `HINCRBY h c 1`, `HINCRBY h d 1`, `HINCRBY h e 1`, `HINCRBY h f 1`,
		`HINCRBY h g 1`, `HINCRBY h i 1`, `HINCRBY h j 1`, `HINCRBY h k 1`, `HINCRBY h l 1`, `HGETALL h`),
	dc("HINCRBY/not_integer_increment", `HINCRBY h a abc`, `HINCRBY h a 1.5`, `HINCRBY h a ""`, `HINCRBY h a 9223372036854775808`,
		`HINCRBY h a " 1"`, `HINCRBY h a +1`, `HINCRBY h a 01`, `HINCRBY h a -0`, `HINCRBY h a 1e3`, `EXISTS h`,
		`HSET h a 1`, `HINCRBY h a x`, `HGET h a`),
	dc("HINCRBY/errors", `HINCRBY h a`, `HINCRBY h a 1 2`, `HINCRBY`, `SET s v`, `HINCRBY s a 1`, `HINCRBY s a x`, `GET s`),
	dc("HINCRBY/keeps_ttl", `HSET h a 1`, `EXPIRE h 100`, `HINCRBY h a 1`, `TTL h`, `HINCRBY h b 1`, `TTL h`),
	dc("HINCRBY/on_float_results", `HINCRBYFLOAT h a 1.5`, `HINCRBY h a 1`, `HINCRBYFLOAT h b 2.0`, `HINCRBY h b 1`, `HGET h b`,
		`HINCRBYFLOAT h c 1e3`, `HINCRBY h c 1`),
	dc("HINCRBY/empty_and_binary_fields", `HINCRBY h "" 1`, `HINCRBY h "\x00\xff" -1`, `HINCRBY h "" 1`, `HGETALL h`),

	// ---- HINCRBYFLOAT ----
	dc("HINCRBYFLOAT/basic", `HINCRBYFLOAT h a 1.5`, `HINCRBYFLOAT h a 2`, `HGET h a`, `HINCRBYFLOAT h a -3.5`, `HGET h a`, `TYPE h`),
	dc("HINCRBYFLOAT/formatting",
		`HINCRBYFLOAT h a 10.5`, `HINCRBYFLOAT h a 0.1`, `HINCRBYFLOAT h b 5.0e3`, `HINCRBYFLOAT h c 0.1`, `HINCRBYFLOAT h c 0.2`,
		`HINCRBYFLOAT h d 1e20`, `HINCRBYFLOAT h e 1.5e-5`, `HINCRBYFLOAT h f -0`, `HINCRBYFLOAT h g 3.0`, `HINCRBYFLOAT h i 1e-20`,
		`HINCRBYFLOAT h j 123456789012345678`, `HINCRBYFLOAT h k 0.3333333333333333`, `HINCRBYFLOAT h l 4.9e-324`,
		`HINCRBYFLOAT h m -1.25`, `HINCRBYFLOAT h m 1.25`, `HGETALL h`),
	dc("HINCRBYFLOAT/on_integer", `HSET h a 10`, `HINCRBYFLOAT h a 0.5`, `HSET h b 10`, `HINCRBYFLOAT h b 0`, `HGET h b`,
		`HSET h c -9223372036854775808`, `HINCRBYFLOAT h c -1`, `HSET h d 9223372036854775807`, `HINCRBYFLOAT h d 1`, `HGETALL h`),
	dc("HINCRBYFLOAT/spellings", `HINCRBYFLOAT h a .5`, `HINCRBYFLOAT h b 5.`, `HINCRBYFLOAT h c 0x10`, `HINCRBYFLOAT h d 1E2`,
		`HINCRBYFLOAT h e +1.5`, `HINCRBYFLOAT h f 00012`, `HINCRBYFLOAT h g -.5e1`, `HINCRBYFLOAT h i 0x1p3`, `HGETALL h`),
	dc("HINCRBYFLOAT/inf_nan_increment", `HINCRBYFLOAT h a inf`, `HINCRBYFLOAT h a -inf`, `HINCRBYFLOAT h a +inf`,
		`HINCRBYFLOAT h a infinity`, `HINCRBYFLOAT h a nan`, `HINCRBYFLOAT h a -nan`, `EXISTS h`, `HSET h a 1`, `HINCRBYFLOAT h a inf`, `HGET h a`),
	dc("HINCRBYFLOAT/produces_inf", `HSET h x 1e4932`, `HINCRBYFLOAT h x 1e4932`, `HGET h x`, `HSET h y inf`, `HINCRBYFLOAT h y 1`,
		`HSET h z -inf`, `HINCRBYFLOAT h z 1`, `HSET h n nan`, `HINCRBYFLOAT h n 1`, `HGETALL h`),
	dc("HINCRBYFLOAT/huge", `HINCRBYFLOAT h a 1e308`, `HINCRBYFLOAT h a 1e308`, `HGET h a`, `OBJECT ENCODING h`,
		`HINCRBYFLOAT i b 1e400`, `HSTRLEN i b`, `OBJECT ENCODING i`, `HINCRBYFLOAT j c 1.7976931348623157e308`, `HINCRBYFLOAT j c 1e-5`,
		`HINCRBYFLOAT k d -1e308`, `HINCRBYFLOAT k d -1e308`),
	dc("HINCRBYFLOAT/not_float_value", `HSET h a abc b "" c " 1" d "1 " e 1_0 f nan g 0x i 1e`,
		`HINCRBYFLOAT h a 1`, `HINCRBYFLOAT h b 1`, `HINCRBYFLOAT h c 1`, `HINCRBYFLOAT h d 1`, `HINCRBYFLOAT h e 1`,
		`HINCRBYFLOAT h f 1`, `HINCRBYFLOAT h g 1`, `HINCRBYFLOAT h i 1`, `HGETALL h`),
	dc("HINCRBYFLOAT/not_float_increment", `HINCRBYFLOAT h a abc`, `HINCRBYFLOAT h a ""`, `HINCRBYFLOAT h a " 1"`,
		`HINCRBYFLOAT h a "1 "`, `HINCRBYFLOAT h a 1e`, `HINCRBYFLOAT h a 1_0`, `HINCRBYFLOAT h a 1e4933`, `HINCRBYFLOAT h a 1.5.5`, `EXISTS h`),
	dc("HINCRBYFLOAT/errors", `HINCRBYFLOAT h a`, `HINCRBYFLOAT h a 1 2`, `HINCRBYFLOAT`, `SET s v`, `HINCRBYFLOAT s a 1`,
		`HINCRBYFLOAT s a x`, `HINCRBYFLOAT s a inf`, `GET s`),
	dc("HINCRBYFLOAT/keeps_ttl", `HSET h a 1`, `EXPIRE h 100`, `HINCRBYFLOAT h a 0.5`, `TTL h`, `OBJECT ENCODING h`),
	dc("HINCRBYFLOAT/then_hincrby", `HINCRBYFLOAT h a 3`, `HINCRBY h a 1`, `HGET h a`, `HINCRBYFLOAT h b 2.5`, `HINCRBYFLOAT h b 0.5`,
		`HINCRBY h b 1`, `HGET h b`),

	// ---- HRANDFIELD ----
	dc("HRANDFIELD/missing", `HRANDFIELD nokey`, `HRANDFIELD nokey 0`, `HRANDFIELD nokey 5`, `HRANDFIELD nokey -5`,
		`HRANDFIELD nokey 5 WITHVALUES`, `HRANDFIELD nokey -5 WITHVALUES`, `HRANDFIELD nokey 0 WITHVALUES`, `EXISTS nokey`),
	dc("HRANDFIELD/one_field", `HSET h a 1`, `HRANDFIELD h`, `HRANDFIELD h 1`, `HRANDFIELD h -3`, `HRANDFIELD h 5 WITHVALUES`,
		`HRANDFIELD h -3 WITHVALUES`, `HRANDFIELD h 1 withvalues`),
	dc("HRANDFIELD/count_zero", `HSET h a 1 b 2`, `HRANDFIELD h 0`, `HRANDFIELD h 0 WITHVALUES`, `HLEN h`),
	dc("HRANDFIELD/count_covers_hash", `HSET h a 1 b 2 c 3`, `HRANDFIELD h 3`, `HRANDFIELD h 100`, `HRANDFIELD h 3 WITHVALUES`,
		`HRANDFIELD h 9223372036854775807`, `HRANDFIELD h 4611686018427387903 WITHVALUES`, `HRANDFIELD h 4 WithValues`),
	dc("HRANDFIELD/positive_partial", `HSET h a 1 b 2 c 3 d 4 e 5`, `HRANDFIELD h 2`, `HRANDFIELD h 4`, `HRANDFIELD h 1`,
		`HRANDFIELD h 2 WITHVALUES`, `HRANDFIELD h 4 WITHVALUES`, `HRANDFIELD h`, `HLEN h`),
	dc("HRANDFIELD/negative", `HSET h a 1 b 2 c 3`, `HRANDFIELD h -1`, `HRANDFIELD h -10`, `HRANDFIELD h -10 WITHVALUES`,
		`HRANDFIELD h -2 withvalues`, `HRANDFIELD h -3`),
	dc("HRANDFIELD/hashtable", hsetSeq("h", "f", 600), `HRANDFIELD h 10`, `HRANDFIELD h 10 WITHVALUES`, `HRANDFIELD h 300`,
		`HRANDFIELD h 550 WITHVALUES`, `HRANDFIELD h -50 WITHVALUES`, `HRANDFIELD h -700`, `HRANDFIELD h 600`,
		`HRANDFIELD h 1000 WITHVALUES`, `HRANDFIELD h`, `HRANDFIELD h 1`,
		// keel picks a count up to a third of the hash one seek each.
		`HRANDFIELD h 200`, `HRANDFIELD h 201`, `HRANDFIELD h -200 WITHVALUES`, `HRANDFIELD h 199 WITHVALUES`),
	dc("HRANDFIELD/errors", `HSET h a 1`, `HRANDFIELD h x`, `HRANDFIELD h ""`, `HRANDFIELD h 1.5`, `HRANDFIELD h -0`,
		`HRANDFIELD h +1`, `HRANDFIELD h 01`, `HRANDFIELD h 9223372036854775808`, `HRANDFIELD h -9223372036854775808`,
		`HRANDFIELD h -9223372036854775809`, `HRANDFIELD h 9223372036854775807 WITHVALUES`,
		`HRANDFIELD h -4611686018427387904 WITHVALUES`, `HRANDFIELD h 4611686018427387904 WITHVALUES`,
		`HRANDFIELD h 1 WITHVALUES x`, `HRANDFIELD h 1 FOO`, `HRANDFIELD h WITHVALUES`, `HRANDFIELD`, `HLEN h`),
	dc("HRANDFIELD/errors_missing_and_wrongtype", `HRANDFIELD nokey x`, `HRANDFIELD nokey 1 FOO`,
		`HRANDFIELD nokey -9223372036854775808`, `HRANDFIELD nokey 9223372036854775807 WITHVALUES`,
		`SET s v`, `HRANDFIELD s`, `HRANDFIELD s 1`, `HRANDFIELD s 0`, `HRANDFIELD s -1 WITHVALUES`, `HRANDFIELD s x`,
		`HRANDFIELD s 1 FOO`, `HRANDFIELD s 9223372036854775807 WITHVALUES`),
	dc("HRANDFIELD/binary_and_empty", `HSET h "" "\x00" "\xff" ""`, `HRANDFIELD h 2 WITHVALUES`, `HRANDFIELD h -4 WITHVALUES`,
		`HRANDFIELD h 5`),
	dc("HRANDFIELD/does_not_modify", `HSET h a 1 b 2`, `EXPIRE h 100`, `WATCH h`, `2> HRANDFIELD h 2`, `2> HRANDFIELD h`,
		`2> HRANDFIELD h -5 WITHVALUES`, `MULTI`, `PING`, `EXEC`, `HLEN h`, `TTL h`),

	// ---- HSCAN ----
	dc("HSCAN/listpack", `HSET h a 1 b 2 ab 3`, `HSCAN h 0`, `HSCAN h 0 COUNT 1`, `HSCAN h 0 MATCH a*`, `HSCAN h 0 MATCH x*`,
		`HSCAN h 0 match [ab] count 100`, `HSCAN h 0 COUNT 10 MATCH *`),
	dc("HSCAN/hashtable_one_call", hsetSeq("h", "f", 600), `HSCAN h 0 COUNT 1000`, `HSCAN h 0 COUNT 1000 MATCH f1?`,
		`HSCAN h 0 MATCH nomatch COUNT 10000`, `HSCAN h 0 COUNT 100000 MATCH *9*`),
	dc("HSCAN/hashtable_pages", hsetSeq("h", "f", 600), `HSCAN h 0`, `HSCAN h 0 COUNT 5`, `HSCAN h 0 MATCH f5*`),
	dc("HSCAN/missing", `HSCAN nokey 0`, `HSCAN nokey 0 COUNT 0`, `HSCAN nokey abc`, `HSCAN nokey 0 FOO`, `HSCAN nokey 7`,
		`HSCAN nokey 0 MATCH`),
	dc("HSCAN/wrongtype", `SET s v`, `HSCAN s 0`, `HSCAN s abc`, `HSCAN s 0 COUNT 0`, `HSCAN s 0 FOO`),
	dc("HSCAN/errors", `HSET h a 1`, `HSCAN h abc`, `HSCAN h 0 COUNT 0`, `HSCAN h 0 COUNT -1`, `HSCAN h 0 COUNT x`,
		`HSCAN h 0 MATCH`, `HSCAN h 0 COUNT`, `HSCAN h 0 FOO bar`, `HSCAN h 0 TYPE hash`, `HSCAN h 0 NOVALUES`,
		`HSCAN h 18446744073709551616`, `HSCAN h " 0"`, `HSCAN h 1.5`, `HSCAN h 0 COUNT 1.5`,
		`HSCAN h 0 COUNT 9223372036854775808`, `HSCAN h 0 MATCH a COUNT`),
	dc("HSCAN/cursors", `HSET h a 1 b 2`, `HSCAN h ""`, `HSCAN h +0`, `HSCAN h -0`, `HSCAN h 00`, `HSCAN h 5`, `HSCAN h -1`,
		`HSCAN h 18446744073709551615`, `HSCAN h 0 COUNT 9223372036854775807`),
	dc("HSCAN/binary_match", `HSET h "a\x00b" 1 "a\x00c" 2 b 3`, `HSCAN h 0 MATCH "a\x00*"`, `HSCAN h 0 MATCH "*\x00c"`,
		`HSCAN h 0 MATCH ""`, `HSCAN h 0 MATCH "a?b"`),
	dc("HSCAN/match_is_on_fields", `HSET h a x x a`, `HSCAN h 0 MATCH x`, `HSCAN h 0 MATCH a`, `HSCAN h 0 MATCH "[^a]"`),
	dc("HSCAN/repeated_options", `HSET h a 1 b 2`, `HSCAN h 0 MATCH * COUNT 10 MATCH b`, `HSCAN h 0 COUNT 1 COUNT 100`,
		`HSCAN h 0 match a MATCH b`),
	dc("HSCAN/arity", `HSCAN h`, `HSCAN`),

	// ---- encodings ----
	dc("ENCODING/config_defaults", `CONFIG GET hash-max-listpack-entries`, `CONFIG GET hash-max-listpack-value`,
		`CONFIG GET hash-max-ziplist-entries`, `CONFIG GET hash-max-ziplist-value`),
	dc("ENCODING/listpack_128_129", hsetSeq("h", "f", 128), `OBJECT ENCODING h`, `HSET h new 1`, `OBJECT ENCODING h`,
		hsetSeq("i", "f", 129), `OBJECT ENCODING i`, `HLEN i`),
	dc("ENCODING/listpack_512", hsetSeq("h", "f", 512), `OBJECT ENCODING h`, `HSET h f0 w`, `OBJECT ENCODING h`,
		`HSETNX h f1 w`, `OBJECT ENCODING h`, `HSET h new 1`, `OBJECT ENCODING h`, `HLEN h`),
	dc("ENCODING/hashtable_513_in_one_call", hsetSeq("h", "f", 513), `OBJECT ENCODING h`, `HLEN h`, `HGET h f512`),
	dc("ENCODING/513th_by_each_command", hsetSeq("a", "f", 512), `HSETNX a new 1`, `OBJECT ENCODING a`,
		hsetSeq("b", "f", 512), `HMSET b new 1`, `OBJECT ENCODING b`,
		hsetSeq("c", "f", 512), `HINCRBY c new 1`, `OBJECT ENCODING c`,
		hsetSeq("d", "f", 512), `HINCRBYFLOAT d new 1.5`, `OBJECT ENCODING d`),
	dc("ENCODING/duplicate_pairs_stay_listpack", hsetSame("h", "f", 600), `OBJECT ENCODING h`, `HLEN h`, `HGET h f`,
		"HMSET i"+strings.TrimPrefix(hsetSame("", "f", 600), "HSET "), `OBJECT ENCODING i`),
	dc("ENCODING/field_and_value_64_65", `HSET h `+hf64+` `+hv64, `OBJECT ENCODING h`, `HSET h a `+hv65, `OBJECT ENCODING h`,
		`HSET i `+hf65+` 1`, `OBJECT ENCODING i`, `HSET j a 1 b `+hv65+` c 3`, `OBJECT ENCODING j`, `HGETALL j`),
	dc("ENCODING/stays_hashtable", hsetSeq("h", "f", 513), `HDEL h `+hashWords("f", 510), `OBJECT ENCODING h`, `HLEN h`,
		`HSET i a 1 b `+hv65, `HDEL i b`, `OBJECT ENCODING i`, `HSET i b 1`, `OBJECT ENCODING i`),
	dc("ENCODING/recreated_is_listpack", `HSET h a `+hv65, `HDEL h a`, `EXISTS h`, `HSET h a 1`, `OBJECT ENCODING h`,
		hsetSeq("i", "f", 513), `DEL i`, `HSET i a 1`, `OBJECT ENCODING i`),
	dc("ENCODING/hsetnx", `HSETNX h a `+hv65, `OBJECT ENCODING h`, `HSET i a 1`, `HSETNX i a `+hv65, `OBJECT ENCODING i`,
		`HSETNX i `+hf65+` 1`, `OBJECT ENCODING i`, `HSET j a 1`, `HSETNX j b `+hv65, `OBJECT ENCODING j`),
	dc("ENCODING/hmset", `HSET h a 1`, `HMSET h b `+hv65, `OBJECT ENCODING h`, `HMSET i `+hf64+` `+hv64, `OBJECT ENCODING i`),
	dc("ENCODING/hincrby_long_field", `HINCRBY h `+hf65+` 1`, `OBJECT ENCODING h`, `HINCRBY i `+hf64+` 1`, `OBJECT ENCODING i`,
		`HSET j a 1`, `HINCRBY j `+hf65+` 1`, `OBJECT ENCODING j`),
	dc("ENCODING/hincrbyfloat_long_result", `HINCRBYFLOAT h a 1e100`, `OBJECT ENCODING h`, `HSTRLEN h a`,
		`HSET i b 1e400`, `OBJECT ENCODING i`, `HINCRBYFLOAT i b 1`, `OBJECT ENCODING i`, `HINCRBYFLOAT j `+hf65+` 1`, `OBJECT ENCODING j`,
		`HINCRBYFLOAT k a 1e60`, `OBJECT ENCODING k`, `HSTRLEN k a`),
	dc("ENCODING/failed_commands_do_not_convert", `HSET h a 1`, `HSET h b `+hv65+` c`, `OBJECT ENCODING h`,
		`HINCRBY h `+hf65+` x`, `OBJECT ENCODING h`, `HINCRBYFLOAT h `+hf65+` x`, `OBJECT ENCODING h`, `HMSET h `+hf65, `OBJECT ENCODING h`,
		`HSET h x abc`, `HINCRBY h x 1`, `OBJECT ENCODING h`, `HGETALL h`),
	dc("ENCODING/rename_copy_keep", `HSET h a 1 b `+hv65, `HDEL h b`, `RENAME h r`, `OBJECT ENCODING r`, `COPY r c`,
		`OBJECT ENCODING c`, `HSET s a 1`, `COPY s t`, `OBJECT ENCODING t`, `MOVE c 1`, `SELECT 1`, `OBJECT ENCODING c`),
	dc("ENCODING/empty_strings", `HSET h "" ""`, `OBJECT ENCODING h`, `HSET h "\x00" "\x00"`, `OBJECT ENCODING h`),

	// ---- generic commands on hashes ----
	dc("KEYS/type_and_exists", `HSET h a 1`, `TYPE h`, `EXISTS h nokey h`, `OBJECT REFCOUNT h`, `TOUCH h`, `DBSIZE`, `RANDOMKEY`),
	dc("KEYS/rename", `HSET h a 1`, `EXPIRE h 100`, `RENAME h r`, `HGETALL r`, `TTL r`, `EXISTS h`, `HSET n x 1`, `RENAMENX r n`,
		`RENAME r n`, `HGETALL n`, `SET str v`, `RENAME n str`, `TYPE str`, `HGETALL str`, `RENAME str str`, `HGETALL str`),
	dc("KEYS/copy", `HSET h a 1 b 2`, `COPY h c`, `HSET c a 9`, `HGETALL h`, `HGETALL c`, `COPY h c`, `COPY h c REPLACE`,
		`HGETALL c`, `COPY h d DB 1`, `SELECT 1`, `HGETALL d`, `HSET d z 1`, `SELECT 0`, `HGETALL h`, `SET s v`, `COPY h s`,
		`COPY h s REPLACE`, `TYPE s`, `HGETALL s`),
	dc("KEYS/copy_hashtable", hsetSeq("h", "f", 520), `COPY h c`, `HLEN c`, `OBJECT ENCODING c`, `HDEL c f1`, `HLEN h`, `HGET h f1`),
	dc("KEYS/copy_keeps_ttl", `HSET h a 1`, `EXPIRE h 100`, `COPY h c`, `TTL c`, `HGETALL c`),
	dc("KEYS/move", `HSET h a 1`, `MOVE h 1`, `EXISTS h`, `SELECT 1`, `HGETALL h`, `HSET h b 2`, `MOVE h 0`, `SELECT 0`, `HSET h c 3`,
		`SELECT 1`, `MOVE h 0`, `HGETALL h`, `SELECT 0`, `HGETALL h`),
	dc("KEYS/del_unlink", `HSET h a 1`, `HSET i b 2`, `DEL h`, `UNLINK i`, `EXISTS h i`, `HGET h a`, `HSET h c 3`, `HGETALL h`),
	dc("KEYS/expire_ttl", `HSET h a 1`, `EXPIRE h 100`, `TTL h`, `PTTL h`, `PERSIST h`, `TTL h`, `PEXPIRE h 1`, `@SLEEP 20`,
		`HGET h a`, `HLEN h`, `EXISTS h`, `HSET h b 2`, `TTL h`, `HGETALL h`),
	dc("KEYS/expired_reads", `HSET h a 1`, `PEXPIRE h 1`, `@SLEEP 20`, `HGETALL h`, `HRANDFIELD h`, `HRANDFIELD h 5`, `HSCAN h 0`,
		`HEXISTS h a`, `HSTRLEN h a`, `HINCRBY h a 1`, `HGETALL h`, `TTL h`),
	dc("KEYS/expire_zero_deletes", `HSET h a 1`, `EXPIRE h 0`, `EXISTS h`, `HSET h a 1`, `EXPIREAT h 1`, `HGETALL h`,
		`HSET h a 1`, `EXPIRE h 100`, `EXPIRETIME h`, `PERSIST h`, `EXPIRETIME h`),
	dc("KEYS/scan_type", `HSET h a 1`, `SET s v`, `HSET h2 b 2`, `SADD st m`, `@SCANALL TYPE hash`, `@SCANALL TYPE string`,
		`@SCANALL MATCH h* TYPE HASH`, `@SCANALL TYPE set`, `KEYS *`),
	dc("KEYS/flush_swap", `HSET h a 1`, `SELECT 1`, `HSET h b 2`, `SWAPDB 0 1`, `HGETALL h`, `SELECT 0`, `HGETALL h`, `FLUSHDB`,
		`HGETALL h`, `SELECT 1`, `HGETALL h`, `FLUSHALL`, `HLEN h`),
	dc("KEYS/string_over_hash", `HSET h a 1`, `SET h v`, `GET h`, `HGET h a`, `DEL h`, `HSET h a 1`, `GET h`, `SET h v GET`,
		`SETNX h v`, `MSETNX h v x y`, `EXISTS x`),
	dc("KEYS/string_commands_on_hash", `HSET h a 1`, `GETDEL h`, `GETSET h v`, `APPEND h x`, `INCR h`, `INCRBYFLOAT h 1`,
		`STRLEN h`, `GETRANGE h 0 1`, `SETRANGE h 0 x`, `GETEX h`, `SETBIT h 1 1`, `BITCOUNT h`, `MGET h`, `HGETALL h`),
	dc("KEYS/other_types_on_hash", `HSET h a 1`, `LPUSH h x`, `SADD h x`, `ZADD h 1 x`, `LRANGE h 0 -1`, `SMEMBERS h`, `ZCARD h`,
		`HGETALL h`),

	// ---- SORT with hash dereference ----
	dc("SORT/by_hash_field", `RPUSH l 1 2 3`, `HSET w_1 f 30`, `HSET w_2 f 10`, `HSET w_3 f 20`, `SORT l BY w_*->f`,
		`SORT l BY w_*->f DESC`, `SORT l BY w_*->f LIMIT 0 2`, `SORT_RO l BY w_*->f`, `SORT l BY w_*->f GET w_*->f GET #`),
	dc("SORT/get_hash_field", `RPUSH l 1 2 3`, `HSET w_1 f 30`, `HSET w_2 f 10`, `HSET w_3 f 20`, `HSET o_1 name one`,
		`HSET o_3 name three`, `SORT l BY w_*->f GET o_*->name GET #`, `SORT l GET o_*->name`, `SORT l GET o_*->nofield`,
		`SORT l GET o_*`, `SET o_2 str`, `SORT l GET o_*->name`, `SORT_RO l BY w_*->f GET o_*->name`),
	dc("SORT/by_hash_missing", `RPUSH l 3 1 2`, `HSET w_1 f 5`, `SORT l BY w_*->f`, `SORT l BY w_*->nofield`, `SORT l BY nokey_*->f`,
		`SORT l BY w_*->f DESC`, `SORT l BY w_*->`),
	dc("SORT/by_hash_not_number", `RPUSH l 1 2 3`, `HSET w_1 f x`, `HSET w_2 f 1`, `HSET w_3 f 2`, `SORT l BY w_*->f`,
		`SORT l BY w_*->f ALPHA`, `SET o_2 str`, `HSET o_1 name one`, `HSET o_3 name three`, `SORT l BY o_*->name`),
	dc("SORT/by_hash_alpha", `RPUSH l 1 2 3`, `HSET w_1 f b`, `HSET w_2 f c`, `HSET w_3 f a`, `SORT l BY w_*->f ALPHA`,
		`SORT l BY w_*->f ALPHA DESC GET w_*->f`, `SORT l BY w_*->f ALPHA LIMIT 1 1`),
	dc("SORT/store_hash_fields", `RPUSH l 1 2 3`, `HSET w_1 f 3`, `HSET w_2 f 1`, `HSET w_3 f 2`, `HSET o_1 n a`, `HSET o_2 n b`,
		`SORT l BY w_*->f GET o_*->n GET # STORE dst`, `LRANGE dst 0 -1`, `TYPE dst`, `HSET dst2 a 1`, `SORT l STORE dst2`, `TYPE dst2`),
	dc("SORT/hash_field_pattern_edges", `RPUSH l 1 2`, `HSET o_1 "a->b" x`, `HSET o_2 "" y`, `SORT l GET o_*->a->b`,
		`SORT l GET o_*->`, `SET "o_1->" z`, `SORT l GET o_*->`, `SORT l GET o->*`),
	dc("SORT/hashtable_weights", `RPUSH l 1 2 3`, `HSET w_1 f 3 big `+hv65, `HSET w_2 f 1 big `+hv65, `HSET w_3 f 2`,
		`OBJECT ENCODING w_1`, `SORT l BY w_*->f GET w_*->big`),
	dc("SORT/set_by_hash", `SADD s 1 2 3`, `HSET w_1 f 3`, `HSET w_2 f 1`, `HSET w_3 f 2`, `HSET o_1 n one`, `HSET o_2 n two`,
		`SORT s BY w_*->f GET o_*->n`, `SORT s BY w_*->f DESC GET # GET o_*->n`),
	dc("SORT/hash_source_wrongtype", `HSET h a 1`, `SORT h`, `SORT_RO h`, `SORT h STORE d`, `SORT h BY nosort`, `EXISTS d`),
	dc("SORT/binary_hash_field", `RPUSH l a b`, `HSET "w_a" "f\x00" 2`, `HSET "w_b" "f\x00" 1`, `SORT l BY "w_*->f\x00"`,
		`SORT l BY "w_*->f\x00" GET "w_*->f\x00"`),

	// ---- transactions ----
	dc("MULTI/hash_commands", `MULTI`, `HSET h a 1 b 2`, `HGET h a`, `HGETALL h`, `HINCRBY h a 5`, `HINCRBYFLOAT h b 0.5`,
		`HKEYS h`, `HVALS h`, `HRANDFIELD h 5 WITHVALUES`, `HRANDFIELD h -3`, `HSCAN h 0`, `HDEL h a`, `HLEN h`, `HSTRLEN h b`,
		`HEXISTS h a`, `HMSET h c 3`, `HSETNX h c 4`, `HMGET h a b c`, `EXEC`, `HGETALL h`),
	dc("MULTI/runtime_errors", `SET s v`, `MULTI`, `HSET s a 1`, `HSET h a 1 b`, `HINCRBY h a x`, `HSET h c 1`,
		`HINCRBY h c 1`, `HINCRBYFLOAT h c inf`, `HRANDFIELD h -0`, `HSCAN h 0 COUNT 0`, `EXEC`, `HGETALL h`),
	dc("MULTI/arity_aborts", `MULTI`, `HSET h a`, `HSET h b 1`, `EXEC`, `EXISTS h`, `MULTI`, `HGET h`, `EXEC`),
	dc("WATCH/hset_aborts", `HSET h a 1`, `WATCH h`, `2> HSET h b 2`, `MULTI`, `HGET h b`, `EXEC`, `HGETALL h`),
	dc("WATCH/hash_writes",
		`HSET h a 1`, `WATCH h`, `2> HSET h a 1`, `MULTI`, `PING`, `EXEC`,
		`WATCH h`, `2> HSETNX h a 2`, `MULTI`, `PING`, `EXEC`,
		`WATCH h`, `2> HSETNX h b 2`, `MULTI`, `PING`, `EXEC`,
		`WATCH h`, `2> HDEL h zz`, `MULTI`, `PING`, `EXEC`,
		`WATCH h`, `2> HDEL h b`, `MULTI`, `PING`, `EXEC`,
		`WATCH h`, `2> HINCRBY h a 0`, `MULTI`, `PING`, `EXEC`,
		`WATCH h`, `2> HINCRBYFLOAT h a 0`, `MULTI`, `PING`, `EXEC`,
		`WATCH h`, `2> HMSET h a 1`, `MULTI`, `PING`, `EXEC`,
		`HSET h s abc`, `WATCH h`, `2> HINCRBY h s 1`, `MULTI`, `PING`, `EXEC`,
		`WATCH h`, `2> HINCRBY h a 9223372036854775807`, `2> HINCRBY h a 9223372036854775807`, `MULTI`, `PING`, `EXEC`,
		`WATCH nokey`, `2> HSET nokey a 1`, `MULTI`, `PING`, `EXEC`,
		`WATCH nokey2`, `2> HDEL nokey2 a`, `MULTI`, `PING`, `EXEC`),
	dc("WATCH/reads_do_not_abort", `HSET h a 1`, `WATCH h`, `2> HGET h a`, `2> HGETALL h`, `2> HSCAN h 0`, `2> HRANDFIELD h`,
		`2> HLEN h`, `2> HEXISTS h a`, `2> HSTRLEN h a`, `2> HMGET h a b`, `2> HKEYS h`, `2> HVALS h`, `MULTI`, `PING`, `EXEC`),
	dc("WATCH/hdel_last_field", `HSET h a 1`, `WATCH h`, `2> HDEL h a`, `MULTI`, `PING`, `EXEC`, `EXISTS h`),

	// ---- RESP3 ----
	dc("RESP3/hgetall_map", `HELLO 3`, `HSET h b 2 a 1`, `HGETALL h`, `HGETALL nokey`, `HKEYS h`, `HVALS h`, `HKEYS nokey`, `HVALS nokey`),
	dc("RESP3/hgetall_hashtable", hsetSeq("h", "f", 520), `HELLO 3`, `HGETALL h`, `HKEYS h`),
	dc("RESP3/hrandfield", `HELLO 3`, `HSET h a 1 b 2 c 3`, `HRANDFIELD h 2 WITHVALUES`, `HRANDFIELD h -5 WITHVALUES`,
		`HRANDFIELD h 5 WITHVALUES`, `HRANDFIELD h 2`, `HRANDFIELD h`, `HRANDFIELD nokey`, `HRANDFIELD nokey 2 WITHVALUES`,
		`HRANDFIELD nokey 2`, `HRANDFIELD h 0 WITHVALUES`, `HRANDFIELD h 0`, `HSET one x y`, `HRANDFIELD one -2 WITHVALUES`),
	dc("RESP3/scalars", `HELLO 3`, `HINCRBYFLOAT h f 1.5`, `HINCRBYFLOAT h f 1e3`, `HINCRBY h i 1`, `HGET h f`, `HGET h nof`,
		`HGET nokey f`, `HMGET h f nof i`, `HMGET nokey a`, `HEXISTS h f`, `HEXISTS h nof`, `HSTRLEN h f`, `HSETNX h f 1`,
		`HMSET h x 1`, `HLEN h`, `HDEL h x`, `HSET h y 1`),
	dc("RESP3/hscan", `HELLO 3`, `HSET h a 1 b 2`, `HSCAN h 0`, `HSCAN nokey 0`, `HSCAN h 0 MATCH a`),
	dc("RESP3/multi", `HELLO 3`, `HSET h a 1`, `MULTI`, `HGETALL h`, `HRANDFIELD h 1 WITHVALUES`, `HINCRBYFLOAT h a 1`,
		`HGET h nof`, `HGETALL nokey`, `EXEC`),
	dc("RESP3/errors", `HELLO 3`, `SET s v`, `HGETALL s`, `HINCRBYFLOAT s a 1`, `HRANDFIELD s 1 WITHVALUES`, `HSET h a`),
}

// hashConfigCases change hash-max-listpack-entries and -value; each case
// sets both first, so that a case stopped by a mismatch does not leave
// the next one other limits. They run on their own pair
// (TestDiffHashesListpackConfig).
var hashConfigCases = []diffCase{
	dc("CONFIG/entries_4",
		`CONFIG SET hash-max-listpack-entries 4`, `CONFIG SET hash-max-listpack-value 64`,
		`HSET h a 1 b 2 c 3 d 4`, `OBJECT ENCODING h`, `HSET h d 5`, `OBJECT ENCODING h`, `HSET h e 5`, `OBJECT ENCODING h`,
		`HSET i a 1 b 2 c 3 d 4 e 5`, `OBJECT ENCODING i`, `HSET j a 1 a 2 a 3 a 4 a 5`, `OBJECT ENCODING j`,
		`HSET k a 1 b 2 c 3 d 4`, `HSETNX k e 1`, `OBJECT ENCODING k`, `HSET l a 1 b 2 c 3 d 4`, `HINCRBY l e 1`, `OBJECT ENCODING l`,
		`HSET m a 1 b 2 c 3 d 4`, `HINCRBYFLOAT m e 1`, `OBJECT ENCODING m`),
	dc("CONFIG/value_3",
		`CONFIG SET hash-max-listpack-entries 512`, `CONFIG SET hash-max-listpack-value 3`,
		`HSET h abc abc`, `OBJECT ENCODING h`, `HSET h abcd 1`, `OBJECT ENCODING h`, `HSET i a abcd`, `OBJECT ENCODING i`,
		`HINCRBYFLOAT j a 1.25`, `OBJECT ENCODING j`, `HINCRBY k a 1000`, `OBJECT ENCODING k`, `HINCRBY k a 1`, `OBJECT ENCODING k`,
		`HSETNX l abcd 1`, `OBJECT ENCODING l`, `HINCRBY m abcd 1`, `OBJECT ENCODING m`, `HSET n a 12345`, `OBJECT ENCODING n`,
		`HINCRBY o a 999`, `OBJECT ENCODING o`, `HINCRBY o a 1`, `OBJECT ENCODING o`, `HSET p a 1`, `HSETNX p a 1234`, `OBJECT ENCODING p`),
	dc("CONFIG/entries_0",
		`CONFIG SET hash-max-listpack-entries 0`, `CONFIG SET hash-max-listpack-value 64`,
		`HSET h a 1`, `OBJECT ENCODING h`, `HINCRBY i a 1`, `OBJECT ENCODING i`, `HSETNX j a 1`, `OBJECT ENCODING j`,
		`HINCRBYFLOAT k a 1`, `OBJECT ENCODING k`),
	dc("CONFIG/value_0",
		`CONFIG SET hash-max-listpack-entries 512`, `CONFIG SET hash-max-listpack-value 0`,
		`HSET h "" ""`, `OBJECT ENCODING h`, `HSET h a ""`, `OBJECT ENCODING h`, `HSET i "" a`, `OBJECT ENCODING i`),
	dc("CONFIG/limits_lowered_later",
		`CONFIG SET hash-max-listpack-entries 512`, `CONFIG SET hash-max-listpack-value 64`,
		`HSET h a 1 b 2 c 3 d 4 e 5`, `CONFIG SET hash-max-listpack-entries 3`, `OBJECT ENCODING h`, `HSET h a 9`, `OBJECT ENCODING h`,
		`HDEL h e`, `OBJECT ENCODING h`, `HSET h f 6`, `OBJECT ENCODING h`,
		`HSET i a 1`, `CONFIG SET hash-max-listpack-value 1`, `HSET i a 22`, `OBJECT ENCODING i`, `COPY h c`, `OBJECT ENCODING c`),
	dc("CONFIG/ziplist_aliases",
		`CONFIG SET hash-max-listpack-entries 512`, `CONFIG SET hash-max-listpack-value 64`,
		`CONFIG SET hash-max-ziplist-entries 2`, `CONFIG GET hash-max-listpack-entries`, `CONFIG GET hash-max-ziplist-entries`,
		`HSET h a 1 b 2 c 3`, `OBJECT ENCODING h`, `CONFIG SET hash-max-ziplist-value 2`, `CONFIG GET hash-max-listpack-value`,
		`HSET i a abc`, `OBJECT ENCODING i`),
	dc("CONFIG/errors",
		`CONFIG SET hash-max-listpack-entries 512`, `CONFIG SET hash-max-listpack-value 64`, `CONFIG SET hash-max-listpack-entries -1`, `CONFIG SET hash-max-listpack-entries abc`,
		`CONFIG SET hash-max-listpack-value -1`, `CONFIG SET hash-max-listpack-value 1.5`, `CONFIG GET hash-max-listpack-entries`,
		`CONFIG GET hash-max-listpack-value`, `CONFIG SET hash-max-listpack-value 1kb`, `CONFIG GET hash-max-listpack-value`, `CONFIG SET hash-max-listpack-value 64`),
}

// TestDiffHScanAll iterates HSCAN to the end on both servers, for both
// encodings and several COUNT and MATCH options, and compares the field,
// value pairs returned; then it scans a hash table again with writes
// between the calls and checks that each server returned every field
// present for the whole scan.
func TestDiffHScanAll(t *testing.T) {
	t.Parallel()
	testHScanAll(t, newPair(t))
}

func testHScanAll(t *testing.T, p *diffPair) {
	p.flushAll(t)
	s := newSession(t, p, 1)
	for _, cmd := range []string{hsetSeq("big", "m", 1000), hsetSeq("small", "m", 100),
		`HSET odd "" empty "a\x00b" "\xff" m1 "" ` + hf65 + ` ` + hv65} {
		conn, args, err := parseLine(cmd)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, diff := s.do(conn, args); diff != "" {
			t.Fatalf("%s: %s", trunc(cmd), diff)
		}
	}
	scan := func(c *respConn, key string, opts []string, between func(step int)) (map[string]string, error) {
		seen := map[string]string{}
		cursor := "0"
		for step := 0; ; step++ {
			if step > 100000 {
				return nil, fmt.Errorf("HSCAN %s did not finish", key)
			}
			v, err := c.Do(append([]string{"HSCAN", key, cursor}, opts...)...)
			if err != nil {
				return nil, err
			}
			next, pairs, ok := hscanReply(v)
			if !ok {
				return nil, fmt.Errorf("HSCAN %s: reply %s", key, v)
			}
			for _, pr := range pairs {
				seen[pr.f] = pr.v
			}
			if cursor = next; cursor == "0" {
				return seen, nil
			}
			if between != nil {
				between(step)
			}
		}
	}
	for _, key := range []string{"big", "small", "odd"} {
		for _, opts := range [][]string{nil, {"COUNT", "1"}, {"COUNT", "7"}, {"COUNT", "100"}, {"MATCH", "*1*"},
			{"MATCH", "m5*", "COUNT", "3"}, {"COUNT", "100000"}, {"MATCH", "nomatch"}, {"MATCH", "a*"}} {
			ks, err := scan(s.k[0], key, opts, nil)
			if err != nil {
				t.Fatalf("keel: %v", err)
			}
			os, err := scan(s.o[0], key, opts, nil)
			if err != nil {
				t.Fatalf("redis-server: %v", err)
			}
			if fmt.Sprint(ks) != fmt.Sprint(os) { // fmt prints maps sorted by key
				t.Errorf("MISMATCH HSCAN %s %q to the end:\n      keel:  %d pairs %s\n      redis: %d pairs %s",
					key, opts, len(ks), trunc(fmt.Sprint(ks)), len(os), trunc(fmt.Sprint(os)))
			}
		}
	}
	// Writes between the calls: fields m0..m999 of big with i%4 != 0 stay
	// for the whole scan (some get new values); the others are removed,
	// new ones added.
	for name, c := range map[string]*respConn{"keel": s.k[0], "redis-server": s.o[0]} {
		seen, err := scan(c, "big", []string{"COUNT", "5"}, func(step int) {
			for j := 0; j < 4; j++ {
				n := (step*4 + j) % 250
				for _, cmd := range [][]string{{"HDEL", "big", "m" + strconv.Itoa(4*n)},
					{"HSET", "big", "new" + strconv.Itoa(step*4+j), "x"}, {"HSET", "big", "m" + strconv.Itoa(4*n+1), "changed"}} {
					if _, err := c.Do(cmd...); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := 0; i < 1000; i++ {
			if m := "m" + strconv.Itoa(i); i%4 != 0 {
				if _, ok := seen[m]; !ok {
					t.Errorf("%s: HSCAN with writes missed %s, present for the whole scan", name, m)
					break
				}
			}
		}
	}
}

// hashFieldPool is the random run's fields: short strings, integers
// (canonical or not), binary and the empty string, so that hashes are
// small and fields collide often.
var hashFieldPool = []string{"a", "b", "c", "d", "e", "1", "2", "-1", "007", "", "\x00\xff", "f:x"}

func (g *cmdGen) hashField() string {
	if g.r.Intn(25) == 0 {
		return g.pick(hf64, hf65)
	}
	return g.pick(hashFieldPool...)
}

func (g *cmdGen) hashFields(min int) []string {
	out := make([]string, min+g.r.Intn(4))
	for i := range out {
		out[i] = g.hashField()
	}
	return out
}

// hashValue is a value: small integers (for HINCRBY), floats, the values
// of the string generator (long ones cross the listpack value limit), and
// values of exactly the limit and one byte over.
func (g *cmdGen) hashValue() string {
	switch g.r.Intn(10) {
	case 0:
		return g.pick(hv64, hv65)
	case 1, 2:
		return strconv.Itoa(g.r.Intn(21) - 10)
	case 3:
		return g.pick("1.5", "-0.25", "1e3", "inf", "9223372036854775807", "-9223372036854775808", "abc")
	default:
		return g.val()
	}
}

func (g *cmdGen) hashPairs(min int) []string {
	var out []string
	for n := min + g.r.Intn(4); n > 0; n-- {
		out = append(out, g.hashField(), g.hashValue())
	}
	return out
}

// hashCount is an HRANDFIELD count. Never a large negative one other than
// -9223372036854775808 (an error): Redis would build a reply of that many
// fields (a huge one makes redis-server run out of memory).
func (g *cmdGen) hashCount() string {
	switch g.r.Intn(10) {
	case 0:
		return g.pick("abc", "", "1.5", "-0", "+1", "01", "9223372036854775808", "-9223372036854775808", "9223372036854775807")
	case 1:
		return g.pick("0", "1", "-1", "100")
	default:
		return strconv.Itoa(g.r.Intn(40) - 15)
	}
}

// hashCommand returns a random hash command (TestDiffRandomHashes).
func (g *cmdGen) hashCommand(conn int) []string {
	k := g.key()
	switch g.r.Intn(48) {
	case 0, 1, 2, 3, 4, 5:
		return append([]string{"HSET", k}, g.hashPairs(1)...)
	case 6:
		// An odd number of arguments now and then.
		args := append([]string{"HSET", k}, g.hashPairs(0)...)
		return append(args, g.hashField())
	case 7:
		// A hash past the listpack entry limit (512), or just below it.
		n := g.pick("510", "512", "513", "520")
		args := []string{"HSET", k}
		m, _ := strconv.Atoi(n)
		for i := 0; i < m; i++ {
			args = append(args, "m"+strconv.Itoa(g.r.Intn(m+5)), strconv.Itoa(i))
		}
		return args
	case 8, 9:
		return []string{"HSETNX", k, g.hashField(), g.hashValue()}
	case 10:
		return append([]string{"HMSET", k}, g.hashPairs(1)...)
	case 11, 12, 13:
		return []string{"HGET", k, g.hashField()}
	case 14:
		return append([]string{"HMGET", k}, g.hashFields(1)...)
	case 15, 16, 17:
		return append([]string{"HDEL", k}, g.hashFields(1)...)
	case 18:
		return []string{"HLEN", k}
	case 19:
		return []string{"HSTRLEN", k, g.hashField()}
	case 20:
		return []string{"HEXISTS", k, g.hashField()}
	case 21, 22:
		return []string{"HGETALL", k}
	case 23:
		return []string{g.pick("HKEYS", "HVALS"), k}
	case 24, 25, 26:
		return []string{"HINCRBY", k, g.hashField(), g.intArg()}
	case 27, 28:
		return []string{"HINCRBYFLOAT", k, g.hashField(), g.floatArg()}
	case 29, 30, 31:
		args := []string{"HRANDFIELD", k}
		switch g.r.Intn(4) {
		case 0:
		case 1:
			args = append(args, g.hashCount())
		default:
			args = append(args, g.hashCount(), g.pick("WITHVALUES", "withvalues", "WITHVALUES", "FOO"))
		}
		return args
	case 32, 33:
		args := []string{"HSCAN", k, g.pick("0", "0", "0", "0", "", "abc", "-", "5")}
		if g.r.Intn(2) == 0 {
			args = append(args, "MATCH", g.pick("*", "a*", "[0-9]*", "*1*", "?", "m1*", ""))
		}
		if g.r.Intn(2) == 0 {
			args = append(args, "COUNT", g.pick("1", "10", "1000", "1000", "0", "-1", "x"))
		}
		return args
	case 34:
		return []string{"OBJECT", "ENCODING", k}
	case 35:
		return []string{"TYPE", k}
	case 36:
		return []string{g.pick("RENAME", "COPY", "RENAMENX"), k, g.key()}
	case 37:
		if g.multi[conn] == 0 && g.r.Intn(2) == 0 {
			g.multi[conn] = 1 + g.r.Intn(4)
			return []string{"MULTI"}
		}
		return []string{"WATCH", k}
	case 38:
		return []string{"DEL", k}
	case 39:
		return []string{"EXPIRE", k, g.pick("100", "0", "-1")}
	case 40:
		return []string{"MOVE", k, g.db()}
	case 41:
		return []string{"@SCANALL", "TYPE", g.pick("hash", "string", "HASH")}
	case 42:
		// A value exactly at the listpack limit or one byte over it.
		return []string{"HSET", k, g.pick(hf64, hf65, "a"), g.pick(hv64, hv65, "1")}
	case 43:
		return []string{"HINCRBY", k, g.pick("a", "1", "b"), strconv.Itoa(g.r.Intn(21) - 10)}
	default:
		return []string{g.pick("HGETALL", "HLEN", "EXISTS"), k}
	}
}
