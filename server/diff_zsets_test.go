package server

// Differential cases and the random generator for sorted sets (issue 3).
//
// Sorted set replies are ordered and deterministic except two, which the
// comparer registered below compares for what is deterministic:
//
//   - ZRANDMEMBER: exactly when the replies agree (a count >= size returns
//     the whole zset in order), else by kind, length and, for a positive
//     count, distinct members;
//   - ZSCAN: a listpack is returned whole with cursor 0 by both servers
//     and compared exactly; a skiplist page is each server's own, compared
//     as a set of pairs when both finished in that call, else by shape.
//     TestDiffZScanAll iterates whole scans and compares what they return.
//
// ZRANGEBYLEX and its relatives are specified by Redis only for a zset
// whose scores are all equal (with mixed scores the result depends on
// the encoding): the cases respect that, and the random run uses them
// only on zsetLexKey, which only ever gets members of score 0.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func init() {
	familyCommands = append(familyCommands,
		"zadd", "zincrby", "zrem", "zcard", "zscore", "zmscore", "zrank", "zrevrank", "zcount", "zlexcount",
		"zrange", "zrangestore", "zrangebyscore", "zrevrangebyscore", "zrangebylex", "zrevrangebylex", "zrevrange",
		"zremrangebyrank", "zremrangebyscore", "zremrangebylex", "zpopmin", "zpopmax", "zmpop",
		"zunion", "zinter", "zdiff", "zunionstore", "zinterstore", "zdiffstore", "zintercard",
		"zrandmember", "zscan")
	replyComparers = append(replyComparers, compareZSetReply)
}

// compareZSetReply is the sorted set family's normalizer (see the file
// comment).
func compareZSetReply(args []string, k, o respValue) (string, bool) {
	switch strings.ToUpper(args[0]) {
	case "ZRANDMEMBER":
		return compareZRandMember(args, k, o), true
	case "ZSCAN":
		return compareZScan(k, o), true
	}
	return "", false
}

// compareZRandMember compares ZRANDMEMBER replies.
func compareZRandMember(args []string, k, o respValue) string {
	if k.equal(o) {
		return ""
	}
	if k.Kind != o.Kind || k.isNil() != o.isNil() {
		return "random reply kinds differ"
	}
	switch k.Kind {
	case '$':
		return "" // one random member each
	case '*':
		if len(k.Elems) != len(o.Elems) {
			return "random reply lengths differ"
		}
		if len(args) > 2 && !strings.HasPrefix(args[2], "-") &&
			(zrandHasDuplicate(args, k) || zrandHasDuplicate(args, o)) {
			return "a reply of distinct members repeats one"
		}
		return ""
	}
	return "replies differ"
}

// zrandHasDuplicate reports whether a ZRANDMEMBER reply names a member
// twice: members alone, flat member, score pairs (RESP2 WITHSCORES) or
// nested pairs (RESP3).
func zrandHasDuplicate(args []string, v respValue) bool {
	withScores := len(args) > 3
	seen := map[string]bool{}
	for i, e := range v.Elems {
		m := e.Str
		switch {
		case e.Kind == '*' && len(e.Elems) == 2:
			m = e.Elems[0].Str
		case withScores && i%2 == 1:
			continue
		}
		if seen[m] {
			return true
		}
		seen[m] = true
	}
	return false
}

// zscanReply splits a ZSCAN reply into its cursor and member, score
// pairs; ok is false when it is not one.
func zscanReply(v respValue) (cursor string, pairs []string, ok bool) {
	if v.Kind != '*' || len(v.Elems) != 2 || v.Elems[1].Kind != '*' || len(v.Elems[1].Elems)%2 != 0 {
		return "", nil, false
	}
	for i := 0; i < len(v.Elems[1].Elems); i += 2 {
		pairs = append(pairs, v.Elems[1].Elems[i].Str+"\x00"+v.Elems[1].Elems[i+1].Str)
	}
	return v.Elems[0].Str, pairs, true
}

func compareZScan(k, o respValue) string {
	if k.equal(o) {
		return ""
	}
	kc, kp, kok := zscanReply(k)
	oc, op, ook := zscanReply(o)
	if !kok || !ook {
		return "replies differ"
	}
	if kc == "0" && oc == "0" {
		slices.Sort(kp)
		slices.Sort(op)
		if !slices.Equal(kp, op) {
			return "finished scans returned different pairs"
		}
	}
	return ""
}

func TestDiffZSets(t *testing.T) {
	t.Parallel()
	runCases(t, newPair(t), zsetCases)
}

// TestDiffRandomZSets is TestDiffRandomTypes with sorted sets as the only
// new type: zset commands mixed with the string, key and transaction
// ones, and set commands for the set inputs of ZUNION and friends.
func TestDiffRandomZSets(t *testing.T) {
	t.Parallel()
	runRandom(t, func(g *cmdGen, conn int) []string {
		switch g.r.Intn(10) {
		case 0:
			return g.command(conn)
		case 1:
			return g.setCommand(conn)
		default:
			return g.zsetCommand(conn)
		}
	})
}

// zaddSeq is "ZADD key" with n members prefix+i scored i.
func zaddSeq(key, prefix string, n int) string {
	var sb strings.Builder
	sb.WriteString("ZADD " + key)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, " %d %s%d", i, prefix, i)
	}
	return sb.String()
}

// zaddSame is "ZADD key" with n members prefix+i, all scored score.
func zaddSame(key, score, prefix string, n int) string {
	var sb strings.Builder
	sb.WriteString("ZADD " + key)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, " %s %s%d", score, prefix, i)
	}
	return sb.String()
}

// zsetWords is "prefix0 prefix1 ... prefix(n-1)".
func zsetWords(prefix string, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = prefix + strconv.Itoa(i)
	}
	return strings.Join(w, " ")
}

var (
	zm64 = strings.Repeat("m", 64) // the longest listpack member
	zm65 = strings.Repeat("n", 65) // one byte too long
)

var zsetCases = []diffCase{
	// ---- ZADD ----
	dc("ZADD/basic", `ZADD z 1 a 2 b 3 c`, `ZCARD z`, `TYPE z`, `OBJECT ENCODING z`, `ZRANGE z 0 -1 WITHSCORES`),
	dc("ZADD/update", `ZADD z 1 a`, `ZADD z 2 a`, `ZADD z 2 a`, `ZSCORE z a`, `ZADD z 1 b 3 a`, `ZRANGE z 0 -1 WITHSCORES`),
	dc("ZADD/repeated_member_in_one_call", `ZADD z 1 a 2 a 3 a`, `ZSCORE z a`, `ZADD z CH 1 a 3 a`, `ZADD z CH 5 b 6 b 5 b`,
		`ZRANGE z 0 -1 WITHSCORES`),
	dc("ZADD/equal_scores_by_member", `ZADD z 1 c 1 a 1 b 0 d 1 ""`, `ZRANGE z 0 -1`, `ZRANK z b`, `ZREVRANK z b`),
	dc("ZADD/nx", `ZADD z 1 a`, `ZADD z NX 5 a 2 b`, `ZRANGE z 0 -1 WITHSCORES`, `ZADD z nx 1 c`, `ZADD nz NX 1 a`, `ZCARD nz`),
	dc("ZADD/xx", `ZADD z 1 a`, `ZADD z XX 5 a 2 b`, `ZRANGE z 0 -1 WITHSCORES`, `ZADD z XX CH 6 a 7 c`, `ZADD nz XX 1 a`,
		`EXISTS nz`, `ZADD nz XX CH 1 a`, `EXISTS nz`),
	dc("ZADD/gt", `ZADD z 5 a`, `ZADD z GT 3 a`, `ZADD z GT CH 3 a`, `ZADD z GT CH 7 a`, `ZSCORE z a`, `ZADD z GT 1 b`,
		`ZADD z GT CH 7 a`, `ZRANGE z 0 -1 WITHSCORES`),
	dc("ZADD/lt", `ZADD z 5 a`, `ZADD z LT CH 7 a`, `ZADD z LT CH 3 a`, `ZSCORE z a`, `ZADD z LT 9 b`, `ZRANGE z 0 -1 WITHSCORES`),
	dc("ZADD/gt_lt_with_xx", `ZADD z 5 a`, `ZADD z XX GT CH 6 a 9 b`, `ZADD z XX LT CH 1 a 0 b`, `ZRANGE z 0 -1 WITHSCORES`),
	dc("ZADD/ch", `ZADD z 1 a 2 b`, `ZADD z CH 1 a 3 b 4 c`, `ZADD z ch CH 4 c`, `ZADD z 9 a 9 b`, `ZRANGE z 0 -1 WITHSCORES`),
	dc("ZADD/incr", `ZADD z INCR 1 a`, `ZADD z INCR 2.5 a`, `ZADD z INCR -10 a`, `ZSCORE z a`, `ZADD z CH INCR 0 a`, `ZADD z INCR 0 a`),
	dc("ZADD/incr_blocked_is_nil", `ZADD z 5 a`, `ZADD z INCR NX 1 a`, `ZADD z INCR XX 1 b`, `ZADD nz INCR XX 1 b`, `EXISTS nz`,
		`ZADD z INCR GT -1 a`, `ZADD z INCR LT 1 a`, `ZADD z INCR GT 1 a`, `ZADD z INCR LT -2 a`, `ZADD z INCR NX 1 c`,
		`ZRANGE z 0 -1 WITHSCORES`),
	dc("ZADD/incr_nan", `ZADD z inf a`, `ZADD z INCR -inf a`, `ZSCORE z a`, `ZADD z INCR +inf a`, `ZADD z -inf b`,
		`ZADD z INCR inf b`, `ZRANGE z 0 -1 WITHSCORES`),
	dc("ZADD/option_errors", `ZADD z NX XX 1 a`, `ZADD z GT LT 1 a`, `ZADD z GT NX 1 a`, `ZADD z LT NX 1 a`,
		`ZADD z INCR 1 a 2 b`, `ZADD z 1 a 2`, `ZADD z NX XX x`, `ZADD z 1 a NX`, `ZADD z 1 a NX b`, `ZADD z FOO 1 a`,
		`ZADD z NX`, `ZADD z INCR NX XX 1 a 2`, `EXISTS z`),
	dc("ZADD/score_errors", `ZADD z x a`, `ZADD z nan a`, `ZADD z NaN a`, `ZADD z "" a`, `ZADD z " 1" a`, `ZADD z "1 " a`,
		`ZADD z 1e400 a`, `ZADD z -1e400 a`, `ZADD z 1e-400 a`, `ZADD z 1_0 a`, `ZADD z 1e a`, `ZADD z 0x a`, `ZADD z "1\x00" a`,
		`ZADD z 1 a x b`, `ZADD z (1 a`, `ZADD z +nan a`, `ZADD z "nan(1)" a`, `EXISTS z`),
	dc("ZADD/score_formats", `ZADD z 0.1 a 1.5 b 1e308 c -1e308 d 4.9e-324 e 0x10 f 0X1p-2 g .5 h 5. i +3 j 1E2 k`,
		`ZADD z 007 l -0.0 m inf n -inf o +inf p Infinity q -INF r 1e-300 s 0x1.8p1 t 123456789012345678 u`,
		`ZRANGE z 0 -1 WITHSCORES`, `ZSCORE z a`, `ZSCORE z u`, `ZSCAN z 0`),
	dc("ZADD/score_float_precision", `ZADD z 0.3 a`, `ZINCRBY z 0.1 a`, `ZADD z 3.0000000000000004 b 1.7976931348623157e308 c`,
		`ZADD z 2.2250738585072014e-308 d 1e22 e 1e21 f 123456.789 g`, `ZRANGE z 0 -1 WITHSCORES`, `ZSCAN z 0`),
	dc("ZADD/wrongtype", `SET k v`, `ZADD k 1 a`, `ZADD k x a`, `ZADD k NX XX 1 a`, `GET k`, `RPUSH l a`, `ZADD l 1 a`, `LRANGE l 0 -1`),
	dc("ZADD/keeps_ttl", `ZADD z 1 a`, `EXPIRE z 100`, `ZADD z 2 b`, `TTL z`, `ZADD z 2 b`, `ZINCRBY z 1 a`, `TTL z`),
	dc("ZADD/binary_members", `ZADD z 1 "\x00" 1 "\xff\xfe" 2 "a\r\nb" 0 ""`, `ZRANGE z 0 -1 WITHSCORES`, `ZSCORE z "\x00"`,
		`ZSCORE z ""`, `ZRANK z "\xff\xfe"`, `OBJECT ENCODING z`),
	dc("ZADD/binary_key", `ZADD "\x00k\xff" 1 a`, `ZRANGE "\x00k\xff" 0 -1`, `TYPE "\x00k\xff"`, `KEYS *`),
	dc("ZADD/arity", `ZADD z`, `ZADD z 1`, `ZADD`, `EXISTS z`),
	dc("ZADD/case_insensitive", `zadd z 1 a`, `ZaDd z Nx 2 b`, `zadd z gt ch 5 a`, `zrange z 0 -1 withscores`),
	dc("ZADD/negative_zero", `ZADD z -0 a`, `ZSCORE z a`, `ZADD z 1 b`, `ZADD z -0.0 b`, `ZSCORE z b`, `ZRANGE z 0 -1 WITHSCORES`,
		`ZSCAN z 0`, `ZINCRBY n -0 a`, `ZSCORE n a`, `ZADD n INCR -0 a`),
	dc("ZADD/negative_zero_skiplist", `ZADD z 1 `+zm65, `ZADD z -0 a`, `ZSCORE z a`, `ZADD z 0 a`, `ZSCORE z a`,
		`ZINCRBY z 0 a`, `ZRANGE z 0 -1 WITHSCORES`, `ZADD z 5 b`, `ZADD z -0 b`, `ZSCORE z b`),

	dc("ZADD/gt_lt_zero", `ZADD z 0 a`, `ZADD z GT CH -0 a`, `ZADD z LT CH -0 a`, `ZSCORE z a`, `ZADD z GT CH 0.0 a`,
		`ZADD z INCR GT 0 a`, `ZADD z INCR LT -0 a`),
	dc("ZADD/incr_ch", `ZADD z CH INCR 5 a`, `ZADD z CH INCR 0 a`, `ZADD z INCR CH -5 a`, `ZSCORE z a`, `ZINCRBY z 1 a`,
		`ZINCRBY z -1 a`, `ZSCORE z a`),
	dc("ZADD/large_integer_scores", `ZADD z 9007199254740993 a 9007199254740992 b -9007199254740993 c 1e15 d 123456789012345678901234567890 e`,
		`ZRANGE z 0 -1 WITHSCORES`, `ZSCAN z 0`, `ZCOUNT z 9007199254740992 9007199254740992`),
	dc("ZADD/score_exponent_forms", `ZADD z 1.0e+2 a 1E-2 b -.5e1 c 0e0 d 0x1P+4 e 1e0001 f`, `ZRANGE z 0 -1 WITHSCORES`,
		`ZADD z 1e- g`, `ZADD z 1e+ g`, `ZADD z e1 g`, `ZADD z .e1 g`, `ZADD z 0x.p1 g`, `ZADD z -x g`, `EXISTS g`),
	dc("ZADD/half_duplicates_at_limit", zaddSeq("z", "m", 100)+strings.TrimPrefix(zaddSeq("", "m", 100), "ZADD ")+
		strings.TrimPrefix(zaddSeq("", "n", 29), "ZADD "), `OBJECT ENCODING z`, `ZCARD z`, `ZADD z 1 n29`, `OBJECT ENCODING z`),
	dc("ZADD/config_value_zero", `CONFIG SET zset-max-listpack-value 0`, `ZADD z 1 ""`, `OBJECT ENCODING z`, `ZADD z 1 a`,
		`OBJECT ENCODING z`, `ZADD y 1 a`, `OBJECT ENCODING y`, `CONFIG SET zset-max-listpack-value 64`),

	// ---- encodings ----
	dc("ZADD/listpack_128", zaddSeq("z", "m", 128), `OBJECT ENCODING z`, `ZADD z 0 m0`, `OBJECT ENCODING z`,
		`ZADD z 1 new`, `OBJECT ENCODING z`, `ZCARD z`),
	dc("ZADD/skiplist_129_in_one_call", zaddSeq("z", "m", 129), `OBJECT ENCODING z`, `ZCARD z`, `ZRANGE z 120 -1 WITHSCORES`),
	dc("ZADD/repeated_pairs_stay_listpack", zaddSame("z", "1", "m", 1)+strings.Repeat(" 2 m0", 200), `OBJECT ENCODING z`,
		`ZCARD z`, `ZSCORE z m0`),
	dc("ZADD/xx_many_stays_listpack", `ZADD z 1 m0`, "ZADD z XX"+strings.TrimPrefix(zaddSeq("", "m", 200), "ZADD "),
		`OBJECT ENCODING z`, `ZCARD z`),
	dc("ZADD/member_64_and_65", `ZADD z 1 `+zm64, `OBJECT ENCODING z`, `ZADD z 2 `+zm65, `OBJECT ENCODING z`,
		`ZREM z `+zm65, `OBJECT ENCODING z`, `ZADD y 1 `+zm65, `OBJECT ENCODING y`, `ZADD x NX 1 a 2 `+zm65, `OBJECT ENCODING x`),
	dc("ZADD/long_member_update_xx", `ZADD z 1 a`, `ZADD z XX 1 `+zm65, `OBJECT ENCODING z`, `ZADD z NX 1 a`, `OBJECT ENCODING z`),
	dc("ZADD/skiplist_stays_after_shrink", zaddSeq("z", "m", 130), `OBJECT ENCODING z`, `ZREMRANGEBYRANK z 0 125`,
		`OBJECT ENCODING z`, `ZRANGE z 0 -1 WITHSCORES`, `ZPOPMIN z 2`, `OBJECT ENCODING z`),
	dc("ZADD/recreated_is_listpack", zaddSeq("z", "m", 130), `ZREMRANGEBYRANK z 0 -1`, `EXISTS z`, `ZADD z 1 a`,
		`OBJECT ENCODING z`, `ZADD y 1 `+zm65, `ZREM y `+zm65, `ZADD y 1 a`, `OBJECT ENCODING y`),
	dc("ZADD/incr_long_member", `ZINCRBY z 1 `+zm65, `OBJECT ENCODING z`, `ZADD y INCR 1 `+zm64, `OBJECT ENCODING y`),
	dc("ZADD/config_limits",
		`CONFIG SET zset-max-listpack-entries 4`, `ZADD z 1 a 2 b 3 c 4 d`, `OBJECT ENCODING z`, `ZADD z 5 e`, `OBJECT ENCODING z`,
		`CONFIG SET zset-max-listpack-value 3`, `ZADD y 1 abc`, `OBJECT ENCODING y`, `ZADD y 1 abcd`, `OBJECT ENCODING y`,
		`CONFIG SET zset-max-listpack-entries 0`, `ZADD x 1 a`, `OBJECT ENCODING x`,
		`CONFIG SET zset-max-listpack-entries 128`, `CONFIG SET zset-max-listpack-value 64`),

	// ---- ZINCRBY ----
	dc("ZINCRBY/basic", `ZINCRBY z 1 a`, `ZINCRBY z 2.5 a`, `ZINCRBY z -1 b`, `ZRANGE z 0 -1 WITHSCORES`, `TYPE z`),
	dc("ZINCRBY/float_results", `ZINCRBY z 0.1 a`, `ZINCRBY z 0.2 a`, `ZINCRBY z 1e308 b`, `ZINCRBY z 1e308 b`, `ZINCRBY z -inf b`,
		`ZINCRBY z inf c`, `ZINCRBY z 5 c`, `ZRANGE z 0 -1 WITHSCORES`),
	dc("ZINCRBY/nan", `ZADD z inf a`, `ZINCRBY z -inf a`, `ZSCORE z a`, `ZADD z -inf b`, `ZINCRBY z +inf b`, `ZINCRBY z -inf b`),
	dc("ZINCRBY/errors", `ZINCRBY z x a`, `ZINCRBY z nan a`, `ZINCRBY z "" a`, `ZINCRBY z 1`, `ZINCRBY z 1 a b`, `EXISTS z`,
		`SET k v`, `ZINCRBY k 1 a`, `ZINCRBY k x a`),
	dc("ZINCRBY/moves_rank", `ZADD z 1 a 2 b 3 c`, `ZINCRBY z 5 a`, `ZRANGE z 0 -1`, `ZINCRBY z -10 c`, `ZRANGE z 0 -1 WITHSCORES`),

	// ---- ZREM ----
	dc("ZREM/basic", `ZADD z 1 a 2 b 3 c`, `ZREM z a x`, `ZRANGE z 0 -1`, `ZCARD z`),
	dc("ZREM/missing_key", `ZREM nokey a`, `EXISTS nokey`),
	dc("ZREM/last_member_deletes_key", `ZADD z 1 a 2 b`, `ZREM z a b c`, `EXISTS z`, `TYPE z`, `ZCARD z`),
	dc("ZREM/duplicates", `ZADD z 1 a 2 b`, `ZREM z a a`, `ZREM z b b c`, `EXISTS z`),
	dc("ZREM/wrongtype", `SET k v`, `ZREM k v`, `GET k`),
	dc("ZREM/keeps_ttl", `ZADD z 1 a 2 b`, `EXPIRE z 100`, `ZREM z a`, `TTL z`),
	dc("ZREM/arity", `ZREM z`, `ZREM`),
	dc("ZREM/skiplist", zaddSeq("z", "m", 200), `ZREM z m0 m199 m100 nope`, `ZCARD z`, `ZRANGE z 97 101`, `OBJECT ENCODING z`),

	// ---- ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ----
	dc("ZCARD/basic", `ZCARD nokey`, `ZADD z 1 a 2 b`, `ZCARD z`, `SET k v`, `ZCARD k`, `ZCARD`, `ZCARD z x`),
	dc("ZSCORE/basic", `ZADD z 1.5 a -2 b`, `ZSCORE z a`, `ZSCORE z b`, `ZSCORE z c`, `ZSCORE nokey a`, `SET k v`, `ZSCORE k a`,
		`ZSCORE z`, `ZSCORE z a b`),
	dc("ZSCORE/formats", `ZADD z 0.1 a 1e17 b 1e16 c 123.456 d -inf e 1e-5 f 0.0001 g 100 h`, `ZSCORE z a`, `ZSCORE z b`,
		`ZSCORE z c`, `ZSCORE z d`, `ZSCORE z e`, `ZSCORE z f`, `ZSCORE z g`, `ZSCORE z h`, `ZSCAN z 0`),
	dc("ZMSCORE/basic", `ZADD z 1 a 2 b`, `ZMSCORE z a x b a`, `ZMSCORE nokey a b`, `SET k v`, `ZMSCORE k a`, `ZMSCORE z`),
	dc("ZRANK/basic", `ZADD z 1 a 2 b 3 c`, `ZRANK z a`, `ZRANK z c`, `ZRANK z x`, `ZREVRANK z a`, `ZREVRANK z c`, `ZREVRANK z x`,
		`ZRANK nokey a`, `ZREVRANK nokey a`),
	dc("ZRANK/errors", `ZADD z 1 a`, `ZRANK z a WITHSCORE`, `ZREVRANK z a WITHSCORE`, `ZRANK z`, `SET k v`, `ZRANK k a`,
		`ZREVRANK k a`),
	dc("ZRANK/skiplist", zaddSeq("z", "m", 300), `ZRANK z m0`, `ZRANK z m150`, `ZREVRANK z m150`, `ZRANK z m299`, `ZREVRANK z m299`),

	// ---- ZCOUNT ZLEXCOUNT ----
	dc("ZCOUNT/basic", `ZADD z 1 a 2 b 3 c 4 d`, `ZCOUNT z 2 3`, `ZCOUNT z (2 3`, `ZCOUNT z (2 (3`, `ZCOUNT z -inf +inf`,
		`ZCOUNT z 3 2`, `ZCOUNT z (2 (2`, `ZCOUNT z 2 2`, `ZCOUNT z (1 inf`, `ZCOUNT z -inf (1`, `ZCOUNT nokey 0 1`),
	dc("ZCOUNT/bounds_parsing", `ZADD z 0 a 1 b 16 c`, `ZCOUNT z "" 1`, `ZCOUNT z ( 1`, `ZCOUNT z " 1" 1`, `ZCOUNT z 0x10 16`,
		`ZCOUNT z "1\x00x" 1`, `ZCOUNT z "\x00" 0`, `ZCOUNT z -INFINITY inF`, `ZCOUNT z 1e400 inf`, `ZCOUNT z ((1 2`,
		`ZCOUNT z "1 " 2`, `ZCOUNT z nan 1`, `ZCOUNT z (nan 1`, `ZCOUNT z 1 x`, `ZCOUNT z " " 1`, `ZCOUNT z "nan(12)" 1`),
	dc("ZCOUNT/errors", `SET k v`, `ZCOUNT k 0 1`, `ZCOUNT k x 1`, `ZCOUNT z 0`, `ZCOUNT nokey x 1`),
	dc("ZLEXCOUNT/basic", zaddSame("z", "0", "", 0)+` 0 a 0 b 0 c 0 d 0 e`, `ZLEXCOUNT z - +`, `ZLEXCOUNT z [b [d`,
		`ZLEXCOUNT z (b (d`, `ZLEXCOUNT z (b [d`, `ZLEXCOUNT z + -`, `ZLEXCOUNT z - -`, `ZLEXCOUNT z + +`, `ZLEXCOUNT z [d [b`,
		`ZLEXCOUNT z (c (c`, `ZLEXCOUNT z [c [c`, `ZLEXCOUNT z [ +`, `ZLEXCOUNT z ( (`, `ZLEXCOUNT nokey - +`),
	dc("ZLEXCOUNT/errors", `ZADD z 0 a`, `ZLEXCOUNT z a b`, `ZLEXCOUNT z - b`, `ZLEXCOUNT z "" +`, `ZLEXCOUNT z +x -`,
		`ZLEXCOUNT z -a +`, `ZLEXCOUNT z "-\x00a" +`, `SET k v`, `ZLEXCOUNT k - +`, `ZLEXCOUNT k a b`),

	// ---- ZRANGE by rank ----
	dc("ZRANGE/rank", `ZADD z 1 a 2 b 3 c 4 d`, `ZRANGE z 0 -1`, `ZRANGE z 1 2`, `ZRANGE z -2 -1`, `ZRANGE z -100 100`,
		`ZRANGE z 2 1`, `ZRANGE z 4 10`, `ZRANGE z -1 -2`, `ZRANGE z 0 0 WITHSCORES`, `ZRANGE z 0 -1 REV`, `ZRANGE z 0 1 REV WITHSCORES`,
		`ZRANGE z -9223372036854775808 9223372036854775807`),
	dc("ZRANGE/rank_missing_and_wrongtype", `ZRANGE nokey 0 -1`, `ZRANGE nokey 0 -1 WITHSCORES`, `SET k v`, `ZRANGE k 0 -1`,
		`ZRANGE k x y`, `ZRANGE k 0 -1 FOO`),
	dc("ZRANGE/options_errors", `ZADD z 1 a 2 b`, `ZRANGE z x 1`, `ZRANGE z 0 y`, `ZRANGE z 0 -1 LIMIT 0 1`,
		`ZRANGE z 0 -1 LIMIT 0 -1`, `ZRANGE z 0 -1 LIMIT x 1`, `ZRANGE z 0 -1 LIMIT 0`, `ZRANGE z 0 -1 REV REV`,
		`ZRANGE z 0 -1 BYSCORE BYLEX`, `ZRANGE z [a [b BYLEX WITHSCORES`, `ZRANGE z 0 -1 WITHSCORES WITHSCORES`, `ZRANGE z 0 -1 FOO`,
		`ZRANGE z x y FOO`, `ZRANGE z 0 -1 LIMIT 1 1 LIMIT 0 1 BYSCORE`, `ZRANGE z 0 1 BYSCORE BYSCORE`, `ZRANGE z a b BYSCORE`,
		`ZRANGE z a b BYLEX`, `ZRANGE z 1.5 2`, `ZRANGE z 0 -1 limit 0 1 byscore rev withscores`),
	dc("ZRANGE/byscore", `ZADD z 1 a 2 b 3 c 4 d 5 e`, `ZRANGE z 2 4 BYSCORE`, `ZRANGE z (2 4 BYSCORE WITHSCORES`,
		`ZRANGE z -inf +inf BYSCORE`, `ZRANGE z 4 2 BYSCORE REV`, `ZRANGE z 2 4 BYSCORE REV`, `ZRANGE z +inf -inf BYSCORE REV WITHSCORES`,
		`ZRANGE z 5 (3 BYSCORE REV`),
	dc("ZRANGE/byscore_limit", `ZADD z 1 a 2 b 3 c 4 d 5 e`, `ZRANGE z -inf inf BYSCORE LIMIT 1 2`, `ZRANGE z -inf inf BYSCORE LIMIT 1 -1`,
		`ZRANGE z -inf inf BYSCORE LIMIT 0 0`, `ZRANGE z -inf inf BYSCORE LIMIT -1 2`, `ZRANGE z -inf inf BYSCORE LIMIT 10 2`,
		`ZRANGE z -inf inf BYSCORE LIMIT 4 10`, `ZRANGE z inf -inf BYSCORE REV LIMIT 1 2 WITHSCORES`, `ZRANGE z (1 (5 BYSCORE LIMIT 1 100`,
		`ZRANGE z -inf inf BYSCORE LIMIT 1 -5`, `ZRANGE z -inf inf BYSCORE LIMIT 2 9223372036854775807`),
	dc("ZRANGE/bylex", zaddSame("z", "0", "", 0)+` 0 a 0 b 0 c 0 d 0 e`, `ZRANGE z - + BYLEX`, `ZRANGE z [b (d BYLEX`,
		`ZRANGE z + - BYLEX REV`, `ZRANGE z (d [b BYLEX REV`, `ZRANGE z - + BYLEX LIMIT 1 2`, `ZRANGE z + - BYLEX REV LIMIT 1 2`,
		`ZRANGE z [b (d BYLEX REV`, `ZRANGE z + - BYLEX`, `ZRANGE z - + BYLEX LIMIT -1 1`, `ZRANGE z [a [a BYLEX`),
	dc("ZRANGE/equal_scores_inf", `ZADD z inf b inf a -inf d -inf c 0 e`, `ZRANGE z 0 -1 WITHSCORES`, `ZRANGE z -inf -inf BYSCORE`,
		`ZRANGE z (-inf (inf BYSCORE`, `ZRANGE z inf inf BYSCORE REV`, `ZCOUNT z inf inf`, `ZREVRANGE z 0 -1 WITHSCORES`),
	dc("ZRANGE/skiplist", zaddSeq("z", "m", 200), `ZRANGE z 10 14 WITHSCORES`, `ZRANGE z -3 -1`, `ZRANGE z 150 160 BYSCORE LIMIT 2 3`,
		`ZRANGE z 160 150 BYSCORE REV LIMIT 2 3 WITHSCORES`, `ZRANGE z (197 +inf BYSCORE`, `ZRANGE z 0 3 REV`, `ZCOUNT z 10 (20`),
	dc("ZRANGE/skiplist_bylex", zaddSame("z", "0", "m", 200), `ZRANGE z [m10 (m11 BYLEX`, `ZRANGE z (m98 + BYLEX LIMIT 0 3`,
		`ZRANGE z + [m5 BYLEX REV LIMIT 1 2`, `ZLEXCOUNT z [m1 (m2`, `OBJECT ENCODING z`),
	dc("ZRANGEBYSCORE/basic", `ZADD z 1 a 2 b 3 c`, `ZRANGEBYSCORE z 1 2`, `ZRANGEBYSCORE z (1 +inf WITHSCORES`,
		`ZRANGEBYSCORE z -inf inf LIMIT 1 1`, `ZRANGEBYSCORE z 2 1`, `ZRANGEBYSCORE nokey 0 1`, `ZRANGEBYSCORE z 0 5 LIMIT 1 -1 WITHSCORES`),
	dc("ZRANGEBYSCORE/errors", `ZADD z 1 a`, `ZRANGEBYSCORE z 0 5 REV`, `ZRANGEBYSCORE z 0 5 BYSCORE`, `ZRANGEBYSCORE z 0 5 BYLEX`,
		`ZRANGEBYSCORE z 0 5 LIMIT 0`, `ZRANGEBYSCORE z 0 5 LIMIT`, `ZRANGEBYSCORE z x 5`, `ZRANGEBYSCORE z 0 5 LIMIT a b`,
		`SET k v`, `ZRANGEBYSCORE k 0 1`, `ZRANGEBYSCORE k x 1`, `ZRANGEBYSCORE z 0`),
	dc("ZREVRANGEBYSCORE/basic", `ZADD z 1 a 2 b 3 c`, `ZREVRANGEBYSCORE z 2 1`, `ZREVRANGEBYSCORE z 1 2`, `ZREVRANGEBYSCORE z +inf (1 WITHSCORES`,
		`ZREVRANGEBYSCORE z inf -inf LIMIT 1 1`, `ZREVRANGEBYSCORE z inf -inf LIMIT 0 -1`, `ZREVRANGEBYSCORE z 5 0 REV`,
		`ZREVRANGEBYSCORE nokey 1 0`),
	dc("ZRANGEBYLEX/basic", zaddSame("z", "0", "", 0)+` 0 a 0 b 0 c 0 d`, `ZRANGEBYLEX z - +`, `ZRANGEBYLEX z [b [c`,
		`ZRANGEBYLEX z (a (d LIMIT 1 1`, `ZRANGEBYLEX z - + LIMIT 0 -1`, `ZRANGEBYLEX z + -`, `ZRANGEBYLEX nokey - +`,
		`ZRANGEBYLEX z - + WITHSCORES`, `ZRANGEBYLEX z a b`, `ZRANGEBYLEX z - + REV`, `ZRANGEBYLEX z - + LIMIT 1`),
	dc("ZREVRANGEBYLEX/basic", zaddSame("z", "0", "", 0)+` 0 a 0 b 0 c 0 d`, `ZREVRANGEBYLEX z + -`, `ZREVRANGEBYLEX z [c [b`,
		`ZREVRANGEBYLEX z [b [c`, `ZREVRANGEBYLEX z + - LIMIT 1 2`, `ZREVRANGEBYLEX z - +`, `ZREVRANGEBYLEX z (d x`,
		`SET k v`, `ZREVRANGEBYLEX k + -`),
	dc("ZRANGEBYLEX/binary", `ZADD z 0 "" 0 "\x00" 0 "\x00\x00" 0 "\xff" 0 a`, `ZRANGEBYLEX z - +`, `ZRANGEBYLEX z ( +`,
		`ZRANGEBYLEX z [ [`, `ZRANGEBYLEX z "(\x00" +`, `ZRANGEBYLEX z - "[\x00"`, `ZLEXCOUNT z "[\x00" "(\xff"`),
	dc("ZREVRANGE/basic", `ZADD z 1 a 2 b 3 c`, `ZREVRANGE z 0 -1`, `ZREVRANGE z 0 0 WITHSCORES`, `ZREVRANGE z -1 -1`,
		`ZREVRANGE z 5 10`, `ZREVRANGE z 0 -1 REV`, `ZREVRANGE z 0 -1 BYSCORE`, `ZREVRANGE z 0 -1 LIMIT 0 1`, `ZREVRANGE nokey 0 -1`),

	// ---- ZRANGESTORE ----
	dc("ZRANGESTORE/basic", `ZADD z 1 a 2 b 3 c`, `ZRANGESTORE d z 0 1`, `ZRANGE d 0 -1 WITHSCORES`, `OBJECT ENCODING d`,
		`ZRANGESTORE d z 1 2 BYSCORE LIMIT 1 1`, `ZRANGE d 0 -1 WITHSCORES`, `ZRANGESTORE d z +inf 2 BYSCORE REV`, `ZRANGE d 0 -1`),
	dc("ZRANGESTORE/bylex", zaddSame("z", "0", "", 0)+` 0 a 0 b 0 c`, `ZRANGESTORE d z [b + BYLEX`, `ZRANGE d 0 -1 WITHSCORES`,
		`ZRANGESTORE d z + - BYLEX REV LIMIT 0 1`, `ZRANGE d 0 -1`),
	dc("ZRANGESTORE/overwrites", `SET d v`, `EXPIRE d 100`, `ZADD z 1 a`, `ZRANGESTORE d z 0 -1`, `TYPE d`, `TTL d`,
		`SADD s x`, `ZRANGESTORE s z 0 -1`, `TYPE s`, `ZRANGE s 0 -1`),
	dc("ZRANGESTORE/empty_result_deletes_dst", `SET d v`, `ZADD z 1 a`, `ZRANGESTORE d z 5 6`, `EXISTS d`, `SET d v`,
		`ZRANGESTORE d nokey 0 -1`, `EXISTS d`, `ZRANGESTORE e z 5 6`, `EXISTS e`),
	dc("ZRANGESTORE/errors", `ZADD z 1 a`, `SET k v`, `ZRANGESTORE d k 0 -1`, `ZRANGESTORE d z 0 -1 WITHSCORES`,
		`ZRANGESTORE d z 0 -1 LIMIT 0 1`, `ZRANGESTORE d z x 1`, `ZRANGESTORE d z 0`, `ZRANGESTORE k z 0 -1 FOO`, `GET k`,
		`ZRANGESTORE d z [a [b BYLEX WITHSCORES`, `EXISTS d`),
	dc("ZRANGESTORE/dst_is_src", `ZADD z 1 a 2 b 3 c`, `ZRANGESTORE z z 1 -1`, `ZRANGE z 0 -1 WITHSCORES`, `ZRANGESTORE z z 5 6`, `EXISTS z`),
	dc("ZRANGESTORE/encoding", zaddSeq("z", "m", 200), `ZRANGESTORE d z 0 127`, `OBJECT ENCODING d`, `ZRANGESTORE d z 0 128`,
		`OBJECT ENCODING d`, `ZRANGESTORE d z 10 19`, `OBJECT ENCODING d`, `ZADD y 1 a 2 `+zm65, `ZRANGESTORE d y 0 0`,
		`OBJECT ENCODING d`, `ZRANGESTORE d y 0 -1`, `OBJECT ENCODING d`, `ZRANGESTORE d z 0 -1 BYSCORE`, `OBJECT ENCODING d`,
		`ZRANGESTORE d z (1 0 BYSCORE`, `EXISTS d`),
	dc("ZRANGESTORE/negative_zero_big", zaddSame("s", "-0", "m", 140), `ZRANGESTORE a s 0 130`, `ZRANGE a 0 2 WITHSCORES`,
		`ZRANGESTORE b s -inf 0 BYSCORE`, `ZRANGE b 0 2 WITHSCORES`, `ZRANGE b -2 -1 WITHSCORES`, `OBJECT ENCODING b`,
		`ZRANGESTORE c s - + BYLEX`, `ZRANGE c 0 2 WITHSCORES`, `ZRANGE c -2 -1 WITHSCORES`,
		`ZRANGESTORE d s 0 127`, `ZRANGE d 0 2 WITHSCORES`, `OBJECT ENCODING d`, `ZRANGESTORE e s 0 0 BYSCORE LIMIT 0 3`,
		`ZRANGE e 0 -1 WITHSCORES`),
	dc("ZRANGESTORE/negative_zero", `ZADD y 1 `+zm65+` -0 m -0 n -0 o 5 p`, `ZRANGESTORE d y 0 -1`, `ZRANGE d 0 -1 WITHSCORES`,
		`OBJECT ENCODING d`, `ZRANGESTORE e y 0 2`, `ZRANGE e 0 -1 WITHSCORES`, `ZSCAN e 0`, `ZRANGESTORE f y -1 0 BYSCORE REV`,
		`ZRANGE f 0 -1 WITHSCORES`),

	// ---- ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ----
	dc("ZREMRANGEBYRANK/basic", `ZADD z 1 a 2 b 3 c 4 d`, `ZREMRANGEBYRANK z 1 2`, `ZRANGE z 0 -1`, `ZREMRANGEBYRANK z 5 10`,
		`ZREMRANGEBYRANK z -1 -1`, `ZRANGE z 0 -1`, `ZREMRANGEBYRANK z 0 -1`, `EXISTS z`, `ZREMRANGEBYRANK nokey 0 -1`),
	dc("ZREMRANGEBYRANK/errors", `ZADD z 1 a`, `ZREMRANGEBYRANK z x 1`, `ZREMRANGEBYRANK z 0 y`, `ZREMRANGEBYRANK z 1 0`,
		`ZREMRANGEBYRANK z -100 -50`, `SET k v`, `ZREMRANGEBYRANK k 0 1`, `ZREMRANGEBYRANK k x 1`, `ZREMRANGEBYRANK z 0`),
	dc("ZREMRANGEBYSCORE/basic", `ZADD z 1 a 2 b 3 c 4 d`, `ZREMRANGEBYSCORE z (1 3`, `ZRANGE z 0 -1`, `ZREMRANGEBYSCORE z 10 20`,
		`ZREMRANGEBYSCORE z -inf (4`, `ZRANGE z 0 -1`, `ZREMRANGEBYSCORE z -inf +inf`, `EXISTS z`),
	dc("ZREMRANGEBYSCORE/errors", `ZADD z 1 a`, `ZREMRANGEBYSCORE z x 1`, `ZREMRANGEBYSCORE z nan 1`, `ZREMRANGEBYSCORE z 2 1`,
		`ZREMRANGEBYSCORE z (1 (1`, `SET k v`, `ZREMRANGEBYSCORE k 0 1`, `ZREMRANGEBYSCORE k x 1`, `ZREMRANGEBYSCORE nokey x 1`),
	dc("ZREMRANGEBYLEX/basic", zaddSame("z", "0", "", 0)+` 0 a 0 b 0 c 0 d 0 e`, `ZREMRANGEBYLEX z [b (d`, `ZRANGE z 0 -1`,
		`ZREMRANGEBYLEX z + -`, `ZREMRANGEBYLEX z - -`, `ZREMRANGEBYLEX z (d +`, `ZRANGE z 0 -1`, `ZREMRANGEBYLEX z - +`, `EXISTS z`),
	dc("ZREMRANGEBYLEX/errors", `ZADD z 0 a`, `ZREMRANGEBYLEX z a b`, `ZREMRANGEBYLEX z "" +`, `SET k v`, `ZREMRANGEBYLEX k - +`,
		`ZREMRANGEBYLEX k a b`, `ZREMRANGEBYLEX nokey - +`, `ZREMRANGEBYLEX nokey a b`),
	dc("ZREMRANGE/skiplist", zaddSeq("z", "m", 300), `ZREMRANGEBYRANK z 0 9`, `ZREMRANGEBYSCORE z (20 30`, `ZCARD z`,
		`ZRANGE z 0 12 WITHSCORES`, `OBJECT ENCODING z`, zaddSame("y", "0", "m", 150), `ZREMRANGEBYLEX y [m1 (m2`, `ZCARD y`,
		`ZRANGE y 0 5`),
	dc("ZREMRANGEBYLEX/skiplist", zaddSame("z", "0", "k", 200), `ZREMRANGEBYLEX z (k1 [k15`, `ZLEXCOUNT z - +`,
		`ZLEXCOUNT z [k1 (k2`, `ZREMRANGEBYLEX z - (k5`, `ZRANGE z 0 4`, `ZREMRANGEBYLEX z + -`, `ZCARD z`),
	dc("ZREMRANGE/keeps_ttl", `ZADD z 1 a 2 b 3 c`, `EXPIRE z 100`, `ZREMRANGEBYRANK z 0 0`, `ZREMRANGEBYSCORE z 2 2`, `TTL z`),

	// ---- ZPOPMIN ZPOPMAX ----
	dc("ZPOPMIN/basic", `ZADD z 1 a 2 b 3 c`, `ZPOPMIN z`, `ZPOPMIN z 1`, `ZRANGE z 0 -1`, `ZPOPMIN z 5`, `EXISTS z`, `ZPOPMIN z`),
	dc("ZPOPMAX/basic", `ZADD z 1 a 2 b 3 c`, `ZPOPMAX z`, `ZPOPMAX z 5`, `EXISTS z`, `ZPOPMAX nokey`, `ZPOPMAX nokey 3`),
	dc("ZPOPMIN/ties", `ZADD z 1 c 1 a 1 b 2 d`, `ZPOPMIN z 2`, `ZPOPMAX z 1`, `ZPOPMAX z`, `ZPOPMIN z`),
	dc("ZPOPMIN/count_errors", `ZADD z 1 a`, `ZPOPMIN z -1`, `ZPOPMIN z x`, `ZPOPMIN z 1 2`, `ZPOPMIN z ""`, `ZPOPMIN z 1.5`,
		`ZPOPMIN nokey -1`, `ZPOPMAX z -1`, `ZCARD z`),
	dc("ZPOPMIN/count_zero", `ZADD z 1 a`, `ZPOPMIN z 0`, `ZPOPMAX z 0`, `ZPOPMIN nokey 0`, `ZCARD z`),
	dc("ZPOPMIN/wrongtype", `SET k v`, `ZPOPMIN k`, `ZPOPMIN k 0`, `ZPOPMIN k -1`, `ZPOPMAX k 2`, `ZPOPMAX k 1 2`, `GET k`),
	dc("ZPOPMIN/huge_count", `ZADD z 1 a 2 b`, `ZPOPMIN z 9223372036854775807`, `EXISTS z`, `ZADD z 1 a`, `ZPOPMAX z 4294967296`),
	dc("ZPOPMIN/skiplist", zaddSeq("z", "m", 150), `ZPOPMIN z 3`, `ZPOPMAX z 3`, `ZCARD z`, `OBJECT ENCODING z`),
	dc("ZPOPMIN/keeps_ttl", `ZADD z 1 a 2 b`, `EXPIRE z 100`, `ZPOPMIN z`, `TTL z`),

	// ---- ZMPOP ----
	dc("ZMPOP/basic", `ZADD z 1 a 2 b 3 c`, `ZMPOP 1 z MIN`, `ZMPOP 1 z MAX COUNT 5`, `EXISTS z`, `ZMPOP 1 z MIN`),
	dc("ZMPOP/first_nonempty", `ZADD b 1 x 2 y`, `ZMPOP 3 a b c min count 1`, `ZMPOP 2 nokey b max`, `ZMPOP 2 nokey nokey2 MIN`),
	dc("ZMPOP/wrongtype", `SET k v`, `ZADD z 1 a`, `ZMPOP 2 k z MIN`, `ZMPOP 2 nokey k MIN`, `ZMPOP 2 z k MIN`, `ZCARD z`),
	dc("ZMPOP/errors", `ZADD z 1 a`, `ZMPOP 0 z MIN`, `ZMPOP -1 z MIN`, `ZMPOP x z MIN`, `ZMPOP 2 z MIN`, `ZMPOP 1 z MID`,
		`ZMPOP 1 z MIN COUNT 0`, `ZMPOP 1 z MIN COUNT -1`, `ZMPOP 1 z MIN COUNT x`, `ZMPOP 1 z MIN COUNT`, `ZMPOP 1 z MIN COUNT 1 COUNT 1`,
		`ZMPOP 1 z MIN FOO`, `ZMPOP 1 z`, `ZMPOP 9223372036854775807 z MIN`, `ZMPOP 1 z min count 9223372036854775807`, `EXISTS z`),

	// ---- ZUNION ZINTER ZDIFF ZINTERCARD ----
	dc("ZUNION/basic", `ZADD a 1 x 2 y`, `ZADD b 3 y 4 z`, `ZUNION 2 a b`, `ZUNION 2 a b WITHSCORES`, `ZUNION 1 a WITHSCORES`,
		`ZUNION 3 a nokey b WITHSCORES`, `ZUNION 1 nokey`, `ZUNION 2 a a WITHSCORES`),
	dc("ZUNION/weights_aggregate", `ZADD a 1 x 2 y`, `ZADD b 3 y 4 z`, `ZUNION 2 a b WEIGHTS 2 3 WITHSCORES`,
		`ZUNION 2 a b AGGREGATE MIN WITHSCORES`, `ZUNION 2 a b AGGREGATE max WITHSCORES`, `ZUNION 2 a b WEIGHTS -1 0 AGGREGATE SUM WITHSCORES`,
		`ZUNION 2 a b weights 1 1 weights 0 5 withscores`, `ZUNION 2 a b AGGREGATE MIN AGGREGATE MAX WITHSCORES`,
		`ZUNION 2 a b WEIGHTS 0.1 0.2 WITHSCORES`),
	dc("ZUNION/inf_and_nan", `ZADD a inf x -inf y 1 w`, `ZADD b -inf x -inf y 0 w`, `ZUNION 2 a b WITHSCORES`,
		`ZUNION 2 a b WEIGHTS 0 1 WITHSCORES`, `ZUNION 2 a b AGGREGATE MIN WITHSCORES`, `ZUNION 2 a b AGGREGATE MAX WITHSCORES`,
		`ZUNION 2 a b WEIGHTS inf -inf WITHSCORES`, `ZUNION 2 a b WEIGHTS inf -inf AGGREGATE MAX WITHSCORES`,
		`ZUNION 2 a b WEIGHTS 0 0 AGGREGATE MIN WITHSCORES`, `ZINTER 2 a b WITHSCORES`, `ZINTER 2 a b WEIGHTS inf 0 WITHSCORES`,
		`ZINTER 2 a b WEIGHTS -inf inf AGGREGATE MIN WITHSCORES`),
	dc("ZUNION/sum_order", `ZADD a 0.1 x inf y`, `ZADD b 0.2 x 1 y 5 q`, `ZADD c 0.3 x -inf y`, `ZUNION 3 a b c WITHSCORES`,
		`ZUNION 3 c b a WITHSCORES`, `ZUNION 3 b a c WITHSCORES`, `ZINTER 3 a b c WITHSCORES`, `ZINTER 3 c a b WITHSCORES`,
		`ZADD d 1e16 x`, `ZADD e 1 x 2 p`, `ZADD f 1 x 3 p`, `ZUNION 3 d e f WITHSCORES`, `ZUNION 3 e f d WITHSCORES`),
	dc("ZUNION/set_inputs", `SADD s x y 5`, `SADD i 1 2 3`, `ZADD z 10 x 20 q`, `ZUNION 2 s z WITHSCORES`, `ZINTER 2 s z WITHSCORES`,
		`ZDIFF 2 s z WITHSCORES`, `ZDIFF 2 z s WITHSCORES`, `ZUNION 2 i s WEIGHTS 2 3 WITHSCORES`, `ZINTERCARD 2 s z`,
		`ZUNIONSTORE d 2 i s`, `ZRANGE d 0 -1 WITHSCORES`, `ZINTER 1 i WITHSCORES`, `ZUNION 1 s`),
	dc("ZUNION/errors", `ZADD a 1 x`, `ZUNION 0 a`, `ZUNION -1 a`, `ZUNION x a`, `ZUNION 2 a`, `ZUNION 1 a WEIGHTS`,
		`ZUNION 1 a WEIGHTS 1 2`, `ZUNION 1 a WEIGHTS x`, `ZUNION 1 a WEIGHTS nan`, `ZUNION 1 a AGGREGATE`, `ZUNION 1 a AGGREGATE avg`,
		`ZUNION 1 a FOO`, `ZUNION 1 a WITHSCORES FOO`, `ZUNION 1 a LIMIT 1`, `ZUNION 9223372036854775807 a`, `ZUNION 2 a WEIGHTS 1`,
		`ZUNION 1 a WEIGHTS " 1"`, `ZUNION 1 a WEIGHTS 1e400`),
	dc("ZUNION/wrongtype_before_options", `SET k v`, `ZADD a 1 x`, `ZUNION 1 k`, `ZUNION 2 a k WEIGHTS x y`, `ZUNION 2 k a FOO`,
		`ZINTER 2 nokey k`, `ZDIFF 2 a k`, `ZINTERCARD 2 a k LIMIT -1`, `RPUSH l a`, `ZUNION 1 l`, `ZUNIONSTORE d 1 k`, `EXISTS d`),
	dc("ZINTER/basic", `ZADD a 1 x 2 y 3 z`, `ZADD b 4 y 5 z 6 w`, `ZINTER 2 a b`, `ZINTER 2 a b WITHSCORES`,
		`ZINTER 2 a b WEIGHTS 1 -1 WITHSCORES`, `ZINTER 2 a b AGGREGATE MAX WITHSCORES`, `ZINTER 2 a nokey`, `ZINTER 1 a`,
		`ZINTER 2 a a WITHSCORES`, `ZINTER 3 a b a AGGREGATE MIN WITHSCORES`),
	dc("ZDIFF/basic", `ZADD a 1 x 2 y 3 z`, `ZADD b 4 y`, `ZADD c 5 z`, `ZDIFF 2 a b`, `ZDIFF 3 a b c WITHSCORES`, `ZDIFF 1 a WITHSCORES`,
		`ZDIFF 2 a a`, `ZDIFF 2 nokey a`, `ZDIFF 2 a nokey WITHSCORES`, `ZDIFF 2 b a`),
	dc("ZDIFF/errors", `ZADD a 1 x`, `ZDIFF 1 a WEIGHTS 1`, `ZDIFF 1 a AGGREGATE SUM`, `ZDIFF 0 a`, `ZDIFF 2 a`, `ZDIFFSTORE d 1 a WITHSCORES`,
		`ZDIFFSTORE d 1 a WEIGHTS 2`),
	dc("ZINTERCARD/basic", `ZADD a 1 x 2 y 3 z`, `ZADD b 4 y 5 z 6 w`, `SADD s z q`, `ZINTERCARD 2 a b`, `ZINTERCARD 3 a b s`,
		`ZINTERCARD 2 a b LIMIT 1`, `ZINTERCARD 2 a b LIMIT 0`, `ZINTERCARD 2 a b LIMIT 100`, `ZINTERCARD 1 nokey`, `ZINTERCARD 1 a`,
		`ZINTERCARD 1 a LIMIT 1 LIMIT 2`),
	dc("ZINTERCARD/errors", `ZADD a 1 x`, `ZINTERCARD 0 a`, `ZINTERCARD x a`, `ZINTERCARD 2 a`, `ZINTERCARD 1 a LIMIT -1`,
		`ZINTERCARD 1 a LIMIT x`, `ZINTERCARD 1 a LIMIT`, `ZINTERCARD 1 a WITHSCORES`, `ZINTERCARD 1 a WEIGHTS 1`,
		`ZINTERCARD 1 a AGGREGATE SUM`, `SET k v`, `ZINTERCARD 1 k`),

	// ---- ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ----
	dc("ZUNION/large", zaddSeq("a", "m", 150), zaddSeq("b", "n", 40), `ZUNION 2 a b WEIGHTS 1 0.5`, `ZINTER 2 a a WITHSCORES`,
		`ZDIFF 2 a b`, `ZINTERCARD 2 a a LIMIT 140`, `ZUNION 2 a b AGGREGATE MAX WITHSCORES`),
	dc("ZUNION/set_encodings", `SADD i 3 1 2`, `SADD h x 1 y`, `ZADD z 5 1 6 x 7 q`, `ZUNION 3 i h z WITHSCORES`,
		`ZINTER 2 h z WITHSCORES`, `ZINTER 3 i h z WITHSCORES AGGREGATE MAX`, `ZDIFF 2 h z WITHSCORES`, `ZDIFF 3 i h z`,
		`ZINTERCARD 2 i h`, `ZINTERCARD 3 i h z LIMIT 1`, `ZUNIONSTORE d 2 i h WEIGHTS 2 inf`, `ZRANGE d 0 -1 WITHSCORES`,
		`ZDIFFSTORE e 1 i`, `OBJECT ENCODING e`, `ZRANGE e 0 -1 WITHSCORES`),
	dc("ZUNION/big_set_input", "SADD s "+zsetWords("m", 200), `ZADD z 1 m5 2 m500`, `ZINTER 2 s z WITHSCORES`,
		`ZUNIONSTORE d 2 s z`, `ZCARD d`, `OBJECT ENCODING d`, `ZDIFFSTORE e 2 z s`, `ZRANGE e 0 -1 WITHSCORES`, `OBJECT ENCODING e`),
	dc("ZUNIONSTORE/basic", `ZADD a 1 x 2 y`, `ZADD b 3 y 4 z`, `ZUNIONSTORE d 2 a b`, `ZRANGE d 0 -1 WITHSCORES`, `OBJECT ENCODING d`,
		`ZUNIONSTORE d 2 a b WEIGHTS 2 1 AGGREGATE MAX`, `ZRANGE d 0 -1 WITHSCORES`),
	dc("ZINTERSTORE/basic", `ZADD a 1 x 2 y`, `ZADD b 3 y 4 z`, `ZINTERSTORE d 2 a b`, `ZRANGE d 0 -1 WITHSCORES`,
		`ZINTERSTORE d 2 a b AGGREGATE MIN`, `ZRANGE d 0 -1 WITHSCORES`, `ZINTERSTORE d 2 a nokey`, `EXISTS d`),
	dc("ZDIFFSTORE/basic", `ZADD a 1 x 2 y 3 z`, `ZADD b 3 y`, `ZDIFFSTORE d 2 a b`, `ZRANGE d 0 -1 WITHSCORES`,
		`ZDIFFSTORE d 2 a a`, `EXISTS d`, `ZDIFFSTORE d 1 nokey`, `EXISTS d`),
	dc("ZUNIONSTORE/overwrites", `SET d v`, `EXPIRE d 100`, `ZADD a 1 x`, `ZUNIONSTORE d 1 a`, `TYPE d`, `TTL d`,
		`RPUSH l a`, `ZINTERSTORE l 1 a`, `TYPE l`, `SADD s x`, `ZDIFFSTORE s 1 a`, `TYPE s`, `ZRANGE s 0 -1`),
	dc("ZUNIONSTORE/empty_deletes_dst", `SET d v`, `ZUNIONSTORE d 1 nokey`, `EXISTS d`, `ZADD e 1 x`, `ZINTERSTORE e 2 e nokey`,
		`EXISTS e`, `ZUNIONSTORE f 1 nokey`, `EXISTS f`),
	dc("ZUNIONSTORE/dst_is_source", `ZADD a 1 x 2 y`, `ZADD b 3 y`, `ZUNIONSTORE a 2 a b`, `ZRANGE a 0 -1 WITHSCORES`,
		`ZINTERSTORE b 2 a b WEIGHTS 1 10`, `ZRANGE b 0 -1 WITHSCORES`, `ZDIFFSTORE a 2 a b`, `ZRANGE a 0 -1 WITHSCORES`),
	dc("ZUNIONSTORE/errors", `ZADD a 1 x`, `ZUNIONSTORE d 0 a`, `ZUNIONSTORE d 1 a WITHSCORES`, `ZUNIONSTORE d 2 a`,
		`ZUNIONSTORE d x a`, `ZINTERSTORE d 1 a WEIGHTS x`, `ZINTERSTORE d 1 a AGGREGATE foo`, `ZUNIONSTORE d`, `EXISTS d`),
	dc("ZUNIONSTORE/encoding", zaddSeq("a", "m", 100), zaddSeq("b", "n", 100), `ZUNIONSTORE d 2 a b`, `OBJECT ENCODING d`,
		`ZINTERSTORE e 2 a a`, `OBJECT ENCODING e`, `ZADD c 1 `+zm65+` 2 q`, `ZUNIONSTORE f 1 c`, `OBJECT ENCODING f`,
		`ZDIFFSTORE g 2 c c`, `EXISTS g`, `ZINTERSTORE h 2 c a`, `EXISTS h`, `ZADD c 3 m1`, `ZINTERSTORE h 2 c a`, `OBJECT ENCODING h`,
		`ZDIFFSTORE i 2 c a`, `OBJECT ENCODING i`, `ZADD j 1 `+zm64, `ZUNIONSTORE k 1 j`, `OBJECT ENCODING k`),
	dc("ZUNIONSTORE/shrinks_skiplist_to_listpack", zaddSeq("a", "m", 200), `OBJECT ENCODING a`, `ZREMRANGEBYRANK a 3 -1`,
		`OBJECT ENCODING a`, `ZUNIONSTORE a 1 a`, `OBJECT ENCODING a`, `ZRANGE a 0 -1 WITHSCORES`),
	dc("ZUNIONSTORE/negative_zero", `ZADD big 1 `+zm65+` -0 m 2 n`, `ZUNIONSTORE u 1 big`, `ZRANGE u 0 -1 WITHSCORES`,
		`ZADD s -0 m`, `ZUNIONSTORE v 2 big big WEIGHTS 1 0`, `ZRANGE v 0 -1 WITHSCORES`, `ZINTERSTORE w 1 big WEIGHTS -1`,
		`ZRANGE w 0 -1 WITHSCORES`, `ZREM big `+zm65, `ZUNIONSTORE x 1 big`, `ZRANGE x 0 -1 WITHSCORES`, `OBJECT ENCODING x`),

	// ---- ZRANDMEMBER ----
	dc("ZRANDMEMBER/missing", `ZRANDMEMBER nokey`, `ZRANDMEMBER nokey 5`, `ZRANDMEMBER nokey -5`, `ZRANDMEMBER nokey 0`,
		`ZRANDMEMBER nokey 1 WITHSCORES`),
	dc("ZRANDMEMBER/one_member", `ZADD z 1.5 a`, `ZRANDMEMBER z`, `ZRANDMEMBER z 1`, `ZRANDMEMBER z -3`, `ZRANDMEMBER z 5 WITHSCORES`,
		`ZRANDMEMBER z -2 WITHSCORES`),
	dc("ZRANDMEMBER/count_covers_zset", `ZADD z 3 c 1 a 2 b`, `ZRANDMEMBER z 3`, `ZRANDMEMBER z 100 WITHSCORES`,
		`ZRANDMEMBER z 9223372036854775807`, `ZRANDMEMBER z 3 withscores`),
	dc("ZRANDMEMBER/partial", `ZADD z 1 a 2 b 3 c 4 d 5 e`, `ZRANDMEMBER z 2`, `ZRANDMEMBER z 4 WITHSCORES`, `ZRANDMEMBER z -10`,
		`ZRANDMEMBER z -10 WITHSCORES`, `ZRANDMEMBER z 1`, `ZRANDMEMBER z`, `ZRANDMEMBER z 0`, `ZCARD z`),
	dc("ZRANDMEMBER/skiplist", zaddSeq("z", "m", 300), `ZRANDMEMBER z 10`, `ZRANDMEMBER z 250 WITHSCORES`, `ZRANDMEMBER z -400`,
		`ZRANDMEMBER z 300 WITHSCORES`),
	dc("ZRANDMEMBER/errors", `ZADD z 1 a`, `ZRANDMEMBER z abc`, `ZRANDMEMBER z -9223372036854775808`, `ZRANDMEMBER z 9223372036854775808`,
		`ZRANDMEMBER z 1 FOO`, `ZRANDMEMBER z 1 WITHSCORES x`, `ZRANDMEMBER z 9223372036854775807 WITHSCORES`,
		`ZRANDMEMBER z -4611686018427387904 WITHSCORES`, `ZRANDMEMBER z 4611686018427387903 WITHSCORES`,
		`ZRANDMEMBER nokey 1 FOO`, `ZRANDMEMBER nokey abc`, `ZRANDMEMBER z ""`),
	dc("ZRANDMEMBER/wrongtype", `SET k v`, `ZRANDMEMBER k`, `ZRANDMEMBER k 1`, `ZRANDMEMBER k 0`, `ZRANDMEMBER k -1 WITHSCORES`,
		`ZRANDMEMBER k abc`),

	// ---- ZSCAN ----
	dc("ZSCAN/listpack", `ZADD z 1 a 2 b 0.5 c -inf d`, `ZSCAN z 0`, `ZSCAN z 0 COUNT 1`, `ZSCAN z 0 MATCH [ab]`, `ZSCAN z 123`,
		`ZSCAN z 0 MATCH * COUNT 100`, `ZSCAN z 0 match x*`),
	dc("ZSCAN/missing_and_errors", `ZSCAN nokey 0`, `ZSCAN nokey 0 COUNT 0`, `ZSCAN nokey x`, `ZADD z 1 a`, `ZSCAN z x`, `ZSCAN z -1`,
		`ZSCAN z 18446744073709551616`, `ZSCAN z 0 COUNT 0`, `ZSCAN z 0 COUNT x`, `ZSCAN z 0 COUNT`, `ZSCAN z 0 MATCH`,
		`ZSCAN z 0 FOO bar`, `ZSCAN z 0 TYPE zset`, `SET k v`, `ZSCAN k 0`, `ZSCAN k x`, `ZSCAN k 0 COUNT 0`, `ZSCAN z ""`),
	dc("ZSCAN/skiplist", zaddSeq("z", "m", 200), `ZSCAN z 0 COUNT 1000`, `ZSCAN z 0 MATCH m1? COUNT 1000`, `ZSCAN z 0 COUNT 5`),
	dc("ZSCAN/integer_scores", `ZADD z 1e17 a 4611686018427387904 b 4611686018427387905 c 9223372036854775807 d -4611686018427387904 e 2.5 f`,
		`ZSCAN z 0`, `ZADD y 1 `+zm65+` 1e17 a 4611686018427387904 b 2.5 f`, `ZSCAN y 0 COUNT 100`),

	// ---- keys, transactions, WATCH, RESP3 ----
	dc("ZSET/key_commands", `ZADD z 1 a 2 b`, `TYPE z`, `EXISTS z`, `OBJECT ENCODING z`, `RENAME z y`, `ZRANGE y 0 -1 WITHSCORES`,
		`EXISTS z`, `COPY y x`, `ZADD x 3 c`, `ZCARD y`, `ZCARD x`, `MOVE x 1`, `SELECT 1`, `ZRANGE x 0 -1`, `SELECT 0`, `DEL y`,
		`EXISTS y`),
	dc("ZSET/copy_keeps_encoding", zaddSeq("z", "m", 130), `COPY z c`, `OBJECT ENCODING c`, `ZREMRANGEBYRANK c 0 125`,
		`OBJECT ENCODING c`, `RENAME c r`, `OBJECT ENCODING r`, `ZADD s 1 a`, `COPY s t`, `OBJECT ENCODING t`),
	dc("ZSET/expire", `ZADD z 1 a`, `EXPIRE z 100`, `TTL z`, `PERSIST z`, `TTL z`, `PEXPIRE z 1`, `@SLEEP 20`, `ZCARD z`,
		`EXISTS z`, `ZADD z 2 b`, `ZRANGE z 0 -1 WITHSCORES`),
	dc("ZSET/expired_sources", `ZADD a 1 x`, `ZADD d 1 y`, `PEXPIRE a 1`, `PEXPIRE d 1`, `@SLEEP 20`, `ZUNIONSTORE d 1 a`,
		`EXISTS d`, `ZRANGESTORE e a 0 -1`, `ZPOPMIN a`, `ZADD a XX 1 x`, `EXISTS a`),
	dc("ZSET/scan_type", `ZADD z 1 a`, `SADD s a`, `SET k v`, `@SCANALL TYPE zset`, `@SCANALL TYPE set`, `KEYS *`),
	dc("ZSET/multi_exec", `MULTI`, `ZADD z 1 a 2 b`, `ZINCRBY z 5 a`, `ZRANGE z 0 -1 WITHSCORES`, `ZPOPMIN z`, `ZADD z x a`,
		`ZCARD z`, `EXEC`, `ZRANGE z 0 -1 WITHSCORES`),
	dc("ZSET/multi_wrongtype", `SET k v`, `MULTI`, `ZADD k 1 a`, `ZADD z 1 a`, `ZRANGE k 0 -1`, `EXEC`, `ZCARD z`),
	dc("ZSET/watch_aborted",
		`ZADD z 1 a`, `WATCH z`, `2> ZADD z 2 a`, `MULTI`, `PING`, `EXEC`,
		`WATCH z`, `2> ZINCRBY z 1 a`, `MULTI`, `PING`, `EXEC`,
		`WATCH z`, `2> ZREM z a`, `MULTI`, `PING`, `EXEC`,
		`ZADD y 1 a 2 b`, `WATCH y`, `2> ZPOPMIN y`, `MULTI`, `PING`, `EXEC`,
		`WATCH y`, `2> ZREMRANGEBYSCORE y 0 5`, `MULTI`, `PING`, `EXEC`,
		`ZADD w 1 a`, `WATCH d`, `2> ZUNIONSTORE d 1 w`, `MULTI`, `PING`, `EXEC`,
		`WATCH d`, `2> ZRANGESTORE d nokey 0 -1`, `MULTI`, `PING`, `EXEC`),
	dc("ZSET/watch_not_aborted",
		`ZADD z 1 a`, `WATCH z`, `2> ZADD z 1 a`, `2> ZADD z NX 5 a`, `2> ZADD z XX 1 b`, `2> ZREM z x`, `2> ZINCRBY z 0 a`,
		`2> ZPOPMIN nokey`, `2> ZPOPMIN z 0`, `2> ZREMRANGEBYRANK z 5 6`, `2> ZREMRANGEBYSCORE z 5 6`, `2> ZREMRANGEBYLEX z [x [y`,
		`2> ZRANGE z 0 -1`, `2> ZUNIONSTORE nokey 1 nokey2`, `MULTI`, `PING`, `EXEC`),
	dc("ZSET/resp3", `HELLO 3`, `ZADD z 1.5 a 2 b`, `ZSCORE z a`, `ZSCORE z x`, `ZMSCORE z a x`, `ZINCRBY z 1 a`, `ZADD z INCR 1 b`,
		`ZADD z INCR NX 1 b`, `ZRANGE z 0 -1 WITHSCORES`, `ZRANGE z 0 -1`, `ZRANGEBYSCORE z -inf inf WITHSCORES`, `ZRANK z a`,
		`ZRANK z x`, `ZUNION 1 z WITHSCORES`, `ZINTER 1 z`, `ZRANGE nokey 0 -1 WITHSCORES`, `ZSCAN z 0`, `ZADD i inf x -inf y`,
		`ZRANGE i 0 -1 WITHSCORES`),
	dc("ZSET/resp3_pops", `HELLO 3`, `ZADD z 1 a 2 b 3 c 4 d`, `ZPOPMIN z`, `ZPOPMAX z 1`, `ZPOPMIN z 0`, `ZPOPMIN nokey`,
		`ZPOPMIN nokey 2`, `ZMPOP 1 z MIN`, `ZMPOP 1 nokey MAX`, `ZADD y 1 a`, `ZPOPMAX y 5`),
	dc("ZSET/resp3_randmember", `HELLO 3`, `ZADD z 1 a 2 b 3 c`, `ZRANDMEMBER z 5 WITHSCORES`, `ZRANDMEMBER z 3`,
		`ZRANDMEMBER z -2 WITHSCORES`, `ZRANDMEMBER z 2 WITHSCORES`, `ZRANDMEMBER z 1 WITHSCORES`, `ZRANDMEMBER nokey`,
		`ZRANDMEMBER nokey 2 WITHSCORES`, `ZADD one 7 x`, `ZRANDMEMBER one`, `ZRANDMEMBER one 1 WITHSCORES`),
	dc("ZSET/resp2_pops_flat", `ZADD z 1 a 2 b 3 c 4 d`, `ZPOPMIN z 2`, `ZPOPMAX z`, `ZMPOP 1 z MAX COUNT 2`),
	dc("ZSET/swapdb_flushdb", `ZADD z 1 a`, `SELECT 1`, zaddSeq("z", "m", 130), `SWAPDB 0 1`, `ZCARD z`, `OBJECT ENCODING z`,
		`SELECT 0`, `ZCARD z`, `OBJECT ENCODING z`, `FLUSHDB`, `ZCARD z`, `SELECT 1`, `ZRANGE z 0 -1`),
	dc("ZSET/move_skiplist", zaddSeq("z", "m", 130), `MOVE z 2`, `SELECT 2`, `OBJECT ENCODING z`, `ZCARD z`, `ZPOPMAX z`),
	dc("ZSET/multi_pops", `ZADD z 1 a 2 b 3 c`, `MULTI`, `ZPOPMIN z`, `ZMPOP 1 z MAX COUNT 5`, `ZPOPMIN z`, `EXISTS z`, `EXEC`),
	dc("ZSET/multi_resp3", `HELLO 3`, `ZADD z 1 a 2 b`, `MULTI`, `ZSCORE z a`, `ZRANGE z 0 -1 WITHSCORES`, `ZPOPMAX z 1`,
		`ZADD z INCR XX 1 nope`, `ZRANDMEMBER z 5 WITHSCORES`, `EXEC`),
	dc("ZSET/watch_store_dst", `ZADD a 1 x`, `SET d v`, `WATCH d`, `2> ZRANGESTORE d a 0 -1`, `MULTI`, `PING`, `EXEC`,
		`WATCH d`, `2> ZINTERSTORE d 2 a nokey`, `MULTI`, `PING`, `EXEC`, `WATCH d`, `2> ZDIFFSTORE d 1 nokey`, `MULTI`, `PING`, `EXEC`),
	dc("ZSET/resp3_more", `HELLO 3`, `ZADD z INCR XX 1 a`, `ZADD z 1 a`, `ZINCRBY z inf a`, `ZMSCORE z a nope`, `ZMSCORE nokey a`,
		`ZRANGESTORE d z 0 -1`, `ZUNIONSTORE e 1 z`, `ZCARD e`, `ZREVRANGEBYSCORE z +inf -inf WITHSCORES LIMIT 0 1`,
		`ZRANGE z 0 -1 BYSCORE REV WITHSCORES`, `ZDIFF 1 z WITHSCORES`, `ZRANK nokey a`, `ZSCAN nokey 0`, `ZSCORE nokey a`),
	dc("ZSET/dbsize", `ZADD z 1 a 2 b`, `DBSIZE`, `ZPOPMIN z 2`, `DBSIZE`),
}

// zsetLexKey is the key the random run sends the lex commands to: only
// ZADD zsetLexKey 0 member ever adds to it (no destination or increment
// reaches it), so all its scores are equal and every lex range on it is
// specified.
const zsetLexKey = "\x01zlex"

// zsetPool is the random run's members: short strings, numbers, binary,
// the empty string, and members of the listpack value limit and one byte
// over it.
var zsetPool = []string{"a", "b", "c", "d", "e", "f", "1", "2", "-1", "10", "", "\x00\xff", "aa", "ab", zm64, zm65}

func (g *cmdGen) zsetMember() string {
	if g.r.Intn(12) == 0 {
		return g.pick(zm64, zm65)
	}
	return g.pick(zsetPool[:len(zsetPool)-2]...)
}

func (g *cmdGen) zsetMembers(min int) []string {
	out := make([]string, min+g.r.Intn(4))
	for i := range out {
		out[i] = g.zsetMember()
	}
	return out
}

// zsetScore is a score: small integers (ties are common), fractions,
// infinities, -0, and sometimes an invalid one.
func (g *cmdGen) zsetScore() string {
	switch g.r.Intn(30) {
	case 0, 1, 2:
		return g.pick("inf", "-inf", "+inf", "-0", "0.1", "1e308", "-1e308", "4.9e-324", "1.5")
	case 3:
		return g.pick("x", "nan", "", "1e400", " 1", "0x10", "(1")
	default:
		return strconv.Itoa(g.r.Intn(11) - 5)
	}
}

// zsetBound is one end of a score range.
func (g *cmdGen) zsetBound() string {
	switch g.r.Intn(16) {
	case 0, 1:
		return g.pick("-inf", "+inf", "inf", "(-inf", "(inf")
	case 2:
		return g.pick("x", "nan", "((1", "")
	case 3, 4, 5:
		return "(" + strconv.Itoa(g.r.Intn(11)-5)
	default:
		return strconv.Itoa(g.r.Intn(11) - 5)
	}
}

// zsetLexBound is one end of a lex range.
func (g *cmdGen) zsetLexBound() string {
	switch g.r.Intn(16) {
	case 0, 1, 2:
		return g.pick("-", "+")
	case 3:
		return g.pick("x", "", "+a", "[", "(")
	default:
		return g.pick("[", "(") + g.pick("a", "b", "c", "d", "e", "f", "aa", "1", "")
	}
}

func (g *cmdGen) zsetRank() string {
	if g.r.Intn(25) == 0 {
		return g.pick("x", "9223372036854775807", "-9223372036854775808", "1.5")
	}
	return strconv.Itoa(g.r.Intn(15) - 7)
}

func (g *cmdGen) zsetCount() string {
	switch g.r.Intn(8) {
	case 0:
		return g.pick("abc", "", "1.5", "9223372036854775807", "-9223372036854775808")
	case 1:
		return g.pick("0", "1", "-1")
	default:
		return strconv.Itoa(g.r.Intn(20) - 5)
	}
}

// zsetPairs is score, member pairs.
func (g *cmdGen) zsetPairs(min int) []string {
	var out []string
	for n := min + g.r.Intn(4); n > 0; n-- {
		out = append(out, g.zsetScore(), g.zsetMember())
	}
	return out
}

// zsetSources is numkeys and keys for ZUNION and friends (sometimes a
// wrong numkeys), the lex key among them now and then.
func (g *cmdGen) zsetSources() []string {
	keys := g.keys(1)
	if g.r.Intn(6) == 0 {
		keys = append(keys, zsetLexKey)
	}
	n := strconv.Itoa(len(keys))
	if g.r.Intn(15) == 0 {
		n = g.pick("0", "-1", "x", strconv.Itoa(len(keys)+1))
	}
	return append([]string{n}, keys...)
}

// zsetOpOptions is WEIGHTS / AGGREGATE / WITHSCORES for command name
// with nkeys inputs (ZDIFF takes WEIGHTS and AGGREGATE only as an error).
func (g *cmdGen) zsetOpOptions(name string, nkeys int, withScores bool) []string {
	var out []string
	odds := 3
	if strings.HasPrefix(name, "ZDIFF") {
		odds = 20
	}
	if g.r.Intn(odds) == 0 {
		out = append(out, "WEIGHTS")
		for i := 0; i < nkeys; i++ {
			out = append(out, g.pick("1", "2", "-1", "0", "0.5", "0.1", "inf", "-inf", "1", "x"))
		}
	}
	if g.r.Intn(odds) == 0 {
		out = append(out, "AGGREGATE", g.pick("SUM", "MIN", "MAX", "min", "max", "avg"))
	}
	if withScores && g.r.Intn(2) == 0 {
		out = append(out, "WITHSCORES")
	}
	return out
}

// zsetRangeOptions is ZRANGE's options in a random order.
func (g *cmdGen) zsetRangeOptions(store bool) []string {
	var out []string
	for _, o := range g.r.Perm(4)[:g.r.Intn(4)] {
		switch o {
		case 0:
			if !store || g.r.Intn(8) == 0 {
				out = append(out, "WITHSCORES")
			}
		case 1:
			if g.r.Intn(3) == 0 {
				out = append(out, "LIMIT", g.zsetCount(), g.zsetCount())
			}
		case 2:
			out = append(out, "REV")
		case 3:
			out = append(out, g.pick("BYSCORE", "BYSCORE", "BYLEX"))
		}
	}
	return out
}

// zsetCommand returns a random sorted set command (TestDiffRandomTypes).
func (g *cmdGen) zsetCommand(conn int) []string {
	k := g.key()
	switch g.r.Intn(44) {
	case 0, 1, 2, 3, 4:
		args := []string{"ZADD", k}
		// Mostly compatible flags: XX with GT or LT, CH with anything.
		flags := g.pick("", "", "", "NX", "XX", "GT", "LT", "XX GT", "XX LT", "CH", "GT CH", "NX CH", "XX CH", "lt ch")
		if g.r.Intn(25) == 0 {
			flags = g.pick("NX XX", "GT LT", "NX GT", "LT NX")
		}
		args = append(args, strings.Fields(flags)...)
		if g.r.Intn(4) == 0 {
			// INCR takes a single pair (usually).
			args = append(args, "INCR")
			if g.r.Intn(10) != 0 {
				return append(args, g.zsetScore(), g.zsetMember())
			}
		}
		return append(args, g.zsetPairs(1)...)
	case 5:
		// A zset past the listpack entry limit.
		args := []string{"ZADD", k}
		for i := 0; i < 129+g.r.Intn(3); i++ {
			args = append(args, strconv.Itoa(g.r.Intn(20)), "m"+strconv.Itoa(i))
		}
		return args
	case 6, 7:
		return []string{"ZINCRBY", k, g.zsetScore(), g.zsetMember()}
	case 8, 9:
		return append([]string{"ZREM", k}, g.zsetMembers(1)...)
	case 10:
		return []string{"ZCARD", k}
	case 11:
		return []string{"ZSCORE", k, g.zsetMember()}
	case 12:
		return append([]string{"ZMSCORE", k}, g.zsetMembers(1)...)
	case 13:
		return []string{g.pick("ZRANK", "ZREVRANK"), k, g.zsetMember()}
	case 14:
		return []string{"ZCOUNT", k, g.zsetBound(), g.zsetBound()}
	case 15, 16:
		args := []string{"ZRANGE", k, g.zsetRank(), g.zsetRank()}
		opts := g.zsetRangeOptions(false)
		if slices.Contains(opts, "BYSCORE") {
			args[2], args[3] = g.zsetBound(), g.zsetBound()
		}
		if slices.Contains(opts, "BYLEX") {
			args[1], args[2], args[3] = zsetLexKey, g.zsetLexBound(), g.zsetLexBound()
		}
		return append(args, opts...)
	case 17:
		args := []string{"ZRANGESTORE", k, g.key(), g.zsetRank(), g.zsetRank()}
		opts := g.zsetRangeOptions(true)
		if slices.Contains(opts, "BYSCORE") {
			args[3], args[4] = g.zsetBound(), g.zsetBound()
		}
		if slices.Contains(opts, "BYLEX") {
			args[2], args[3], args[4] = zsetLexKey, g.zsetLexBound(), g.zsetLexBound()
		}
		return append(args, opts...)
	case 18:
		args := []string{g.pick("ZRANGEBYSCORE", "ZREVRANGEBYSCORE"), k, g.zsetBound(), g.zsetBound()}
		if g.r.Intn(2) == 0 {
			args = append(args, "WITHSCORES")
		}
		if g.r.Intn(3) == 0 {
			args = append(args, "LIMIT", g.zsetCount(), g.zsetCount())
		}
		return args
	case 19:
		args := []string{g.pick("ZRANGEBYLEX", "ZREVRANGEBYLEX"), zsetLexKey, g.zsetLexBound(), g.zsetLexBound()}
		if g.r.Intn(3) == 0 {
			args = append(args, "LIMIT", g.zsetCount(), g.zsetCount())
		}
		return args
	case 20:
		return []string{"ZLEXCOUNT", zsetLexKey, g.zsetLexBound(), g.zsetLexBound()}
	case 21:
		args := []string{"ZREVRANGE", k, g.zsetRank(), g.zsetRank()}
		if g.r.Intn(2) == 0 {
			args = append(args, "WITHSCORES")
		}
		return args
	case 22:
		return []string{"ZREMRANGEBYRANK", k, g.zsetRank(), g.zsetRank()}
	case 23:
		return []string{"ZREMRANGEBYSCORE", k, g.zsetBound(), g.zsetBound()}
	case 24:
		// The lex key: filled with score-0 members, trimmed by lex.
		switch g.r.Intn(4) {
		case 0:
			return []string{"ZREMRANGEBYLEX", zsetLexKey, g.zsetLexBound(), g.zsetLexBound()}
		case 1:
			return []string{"ZREM", zsetLexKey, g.zsetMember()}
		default:
			args := []string{"ZADD", zsetLexKey}
			for _, m := range g.zsetMembers(1) {
				args = append(args, "0", m)
			}
			return args
		}
	case 25, 26:
		args := []string{g.pick("ZPOPMIN", "ZPOPMAX"), k}
		if g.r.Intn(2) == 0 {
			args = append(args, g.zsetCount())
		}
		return args
	case 27:
		args := append([]string{"ZMPOP"}, g.zsetSources()...)
		args = append(args, g.pick("MIN", "MAX", "min", "max", "MIN", "MAX", "MID"))
		if g.r.Intn(2) == 0 {
			args = append(args, "COUNT", g.zsetCount())
		}
		return args
	case 28, 29:
		src := g.zsetSources()
		name := g.pick("ZUNION", "ZINTER", "ZDIFF")
		return append(append([]string{name}, src...), g.zsetOpOptions(name, len(src)-1, true)...)
	case 30, 31:
		src := g.zsetSources()
		name := g.pick("ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE")
		return append(append([]string{name, k}, src...), g.zsetOpOptions(name, len(src)-1, false)...)
	case 32:
		// A destination that is also a source.
		return []string{g.pick("ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"), k, "2", k, g.key()}
	case 33:
		args := append([]string{"ZINTERCARD"}, g.zsetSources()...)
		if g.r.Intn(2) == 0 {
			args = append(args, "LIMIT", g.zsetCount())
		}
		return args
	case 34, 35:
		args := []string{"ZRANDMEMBER", k}
		switch g.r.Intn(4) {
		case 0:
		case 1:
			args = append(args, g.zsetCount())
		default:
			args = append(args, g.zsetCount(), "WITHSCORES")
		}
		return args
	case 36:
		args := []string{"ZSCAN", k, g.pick("0", "0", "0", "", "abc")}
		if g.r.Intn(2) == 0 {
			args = append(args, "MATCH", g.pick("*", "a*", "[0-9]*", "?"))
		}
		if g.r.Intn(2) == 0 {
			args = append(args, "COUNT", g.pick("1000", "0", "x"))
		}
		return args
	case 37:
		return []string{"OBJECT", "ENCODING", g.pick(k, zsetLexKey)}
	case 38:
		return []string{"TYPE", k}
	case 39:
		return []string{g.pick("RENAME", "COPY"), k, g.key()}
	case 40:
		return []string{"ZRANGE", g.pick(k, zsetLexKey), "0", "-1", "WITHSCORES"}
	case 41:
		if g.multi[conn] == 0 && g.r.Intn(2) == 0 {
			g.multi[conn] = 1 + g.r.Intn(4)
			return []string{"MULTI"}
		}
		return []string{"WATCH", k}
	case 42:
		return []string{"DEL", k}
	default:
		return []string{"EXPIRE", k, g.pick("100", "0", "-1")}
	}
}

// TestDiffZScanAll iterates ZSCAN to the end on both servers, for both
// encodings and several COUNT and MATCH options, and compares the member,
// score pairs returned; then it scans a skiplist again with writes
// between the calls and checks that each server returned every member
// present for the whole scan.
func TestDiffZScanAll(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	p.flushAll(t)
	s := newSession(t, p, 1)
	for _, cmd := range []string{zaddSeq("big", "m", 1000), zaddSeq("small", "m", 100),
		"ZADD odd 0.1 a -0 b 1e17 c inf d 4611686018427387905 e 2.5 " + zm65} {
		if _, _, diff := s.do(0, strings.Fields(cmd)); diff != "" {
			t.Fatalf("%s: %s", trunc(cmd), diff)
		}
	}
	scan := func(c *respConn, key string, opts []string, between func(step int)) (map[string]string, error) {
		seen := map[string]string{}
		cursor := "0"
		for step := 0; ; step++ {
			if step > 100000 {
				return nil, fmt.Errorf("ZSCAN %s did not finish", key)
			}
			v, err := c.Do(append([]string{"ZSCAN", key, cursor}, opts...)...)
			if err != nil {
				return nil, err
			}
			next, pairs, ok := zscanReply(v)
			if !ok {
				return nil, fmt.Errorf("ZSCAN %s: reply %s", key, v)
			}
			for _, pr := range pairs {
				m, score, _ := strings.Cut(pr, "\x00")
				seen[m] = score
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
			{"MATCH", "m5*", "COUNT", "3"}, {"COUNT", "100000"}, {"MATCH", "nomatch"}} {
			ks, err := scan(s.k[0], key, opts, nil)
			if err != nil {
				t.Fatalf("keel: %v", err)
			}
			os, err := scan(s.o[0], key, opts, nil)
			if err != nil {
				t.Fatalf("redis-server: %v", err)
			}
			if fmt.Sprint(ks) != fmt.Sprint(os) { // fmt prints maps sorted by key
				t.Errorf("MISMATCH ZSCAN %s %q to the end:\n      keel:  %v\n      redis: %v", key, opts, ks, os)
			}
		}
	}
	// Writes between the calls: members m0..m999 of big with i%4 != 0
	// stay for the whole scan (some rescored); the others are removed,
	// new ones added.
	for name, c := range map[string]*respConn{"keel": s.k[0], "redis-server": s.o[0]} {
		seen, err := scan(c, "big", []string{"COUNT", "5"}, func(step int) {
			for j := 0; j < 4; j++ {
				n := (step*4 + j) % 250
				for _, cmd := range [][]string{{"ZREM", "big", "m" + strconv.Itoa(4*n)},
					{"ZADD", "big", "-1", "new" + strconv.Itoa(step*4+j)}, {"ZINCRBY", "big", "0.5", "m" + strconv.Itoa(4*n+1)}} {
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
			if m := "m" + strconv.Itoa(i); i%4 != 0 && seen[m] == "" {
				t.Errorf("%s: ZSCAN with writes missed %s, present for the whole scan", name, m)
				break
			}
		}
	}
}
