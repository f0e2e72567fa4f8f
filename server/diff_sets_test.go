package server

// Differential cases and the random generator for sets (issue 3).
//
// Set replies are unordered (SMEMBERS, SINTER, SUNION, SDIFF) or random
// (SPOP, SRANDMEMBER), and an SSCAN cursor is each server's own; the
// comparer registered below compares them for what is deterministic:
//
//   - unordered replies as sorted arrays (RESP3 set vs array still counts);
//   - random replies exactly when they agree, else by kind, length and,
//     where Redis promises it, distinct members. Which members were drawn
//     may differ, so the cases and the random run use SPOP only where its
//     effect is deterministic (count 0, count >= size, a set of one
//     member) or follow it by a command that normalizes the data set
//     (DEL); the random run pops only from a key that never holds more
//     than one member (setPopKey);
//   - SSCAN pages exactly (as sets) when both servers finished the scan in
//     that call, else by shape only. TestDiffSScanAll iterates whole scans
//     on both servers and compares what they returned.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func init() {
	familyCommands = append(familyCommands,
		"sadd", "srem", "smembers", "sismember", "smismember", "scard", "spop", "srandmember", "smove",
		"sinter", "sintercard", "sunion", "sdiff", "sinterstore", "sunionstore", "sdiffstore", "sscan")
	replyComparers = append(replyComparers, compareSetReply)
}

// compareSetReply is the set family's normalizer (see the file comment).
func compareSetReply(args []string, k, o respValue) (string, bool) {
	switch strings.ToUpper(args[0]) {
	case "SMEMBERS", "SINTER", "SUNION", "SDIFF":
		return exactCmp(sortedArray(k), sortedArray(o)), true
	case "SPOP", "SRANDMEMBER":
		return compareRandomMembers(args, k, o), true
	case "SSCAN":
		return compareSScan(k, o), true
	}
	return "", false
}

// compareRandomMembers compares SPOP and SRANDMEMBER replies.
func compareRandomMembers(args []string, k, o respValue) string {
	if exactCmp(sortedArray(k), sortedArray(o)) == "" {
		return ""
	}
	if k.Kind != o.Kind || k.isNil() != o.isNil() {
		return "random reply kinds differ"
	}
	switch k.Kind {
	case '$':
		return "" // one random member each
	case '*', '~':
		if len(k.Elems) != len(o.Elems) {
			return "random reply lengths differ"
		}
		distinct := strings.EqualFold(args[0], "SPOP") || len(args) > 2 && !strings.HasPrefix(args[2], "-")
		if distinct && (hasDuplicate(k) || hasDuplicate(o)) {
			return "a reply of distinct members repeats one"
		}
		return ""
	}
	return "replies differ"
}

func hasDuplicate(v respValue) bool {
	seen := map[string]bool{}
	for _, e := range v.Elems {
		if seen[e.Str] {
			return true
		}
		seen[e.Str] = true
	}
	return false
}

// isScanReply reports whether v is [cursor, [members...]].
func isScanReply(v respValue) bool {
	return v.Kind == '*' && !v.Null && len(v.Elems) == 2 && v.Elems[0].Kind == '$' && v.Elems[1].Kind == '*'
}

// compareSScan compares SSCAN pages: exactly (as sets) when both servers
// ended the scan, else by shape (the cursors are each server's own).
func compareSScan(k, o respValue) string {
	if !isScanReply(k) || !isScanReply(o) {
		return exactCmp(k, o)
	}
	if k.Elems[0].Str == "0" && o.Elems[0].Str == "0" {
		return exactCmp(sortedArray(k.Elems[1]), sortedArray(o.Elems[1]))
	}
	return ""
}

// saddRange is "SADD key" with the members prefix+from .. prefix+(to-1).
func saddRange(key, prefix string, from, to int) string {
	var sb strings.Builder
	sb.WriteString("SADD " + key)
	for i := from; i < to; i++ {
		sb.WriteString(" " + prefix + strconv.Itoa(i))
	}
	return sb.String()
}

var setCases = []diffCase{
	// SADD
	dc("SADD/new_key", `SADD s a b c`, `SCARD s`, `TYPE s`, `OBJECT ENCODING s`, `SMEMBERS s`),
	dc("SADD/duplicates_in_one_call", `SADD s a a b a`, `SADD s a`, `SADD s b c c`, `SCARD s`, `SMEMBERS s`),
	dc("SADD/intset", `SADD s 3 1 2`, `OBJECT ENCODING s`, `SMEMBERS s`, `SADD s 0 -5`, `OBJECT ENCODING s`),
	dc("SADD/intset_to_hashtable", `SADD s 1 2`, `SADD s x`, `OBJECT ENCODING s`, `SREM s x`, `OBJECT ENCODING s`, `SMEMBERS s`),
	dc("SADD/first_member_string", `SADD s x 1 2`, `OBJECT ENCODING s`, `SADD t 1 x`, `OBJECT ENCODING t`),
	dc("SADD/noncanonical_ints",
		`SADD a -0`, `OBJECT ENCODING a`, `SADD b +1`, `OBJECT ENCODING b`, `SADD c 007`, `OBJECT ENCODING c`,
		`SADD d " 1"`, `OBJECT ENCODING d`, `SADD e "1 "`, `OBJECT ENCODING e`, `SADD f 1.0`, `OBJECT ENCODING f`,
		`SADD g 0x10`, `OBJECT ENCODING g`, `SADD h 1e3`, `OBJECT ENCODING h`, `SADD i -`, `OBJECT ENCODING i`),
	dc("SADD/int64_limits",
		`SADD a 9223372036854775807 -9223372036854775808`, `OBJECT ENCODING a`, `SMEMBERS a`,
		`SADD b 9223372036854775808`, `OBJECT ENCODING b`, `SADD c -9223372036854775809`, `OBJECT ENCODING c`,
		`SADD d 99999999999999999999`, `OBJECT ENCODING d`, `SISMEMBER a 9223372036854775807`, `SISMEMBER a 09223372036854775807`),
	dc("SADD/ints_and_strings_equal", `SADD s 1 01 -0 0`, `SCARD s`, `SISMEMBER s 01`, `SISMEMBER s 1`, `SREM s 0`, `SMEMBERS s`, `OBJECT ENCODING s`),
	dc("SADD/intset_512", saddRange("s", "", 0, 512), `OBJECT ENCODING s`, `SCARD s`, `SADD s 0 511`, `OBJECT ENCODING s`,
		`SADD s 512`, `OBJECT ENCODING s`, `SCARD s`),
	dc("SADD/intset_513_in_one_call", saddRange("s", "", 1000, 1513), `OBJECT ENCODING s`, `SCARD s`,
		saddRange("t", "", -256, 256), `OBJECT ENCODING t`),
	dc("SADD/hashtable_stays_after_removals", saddRange("s", "", 0, 513), `OBJECT ENCODING s`, `SREM s 0 1 2 3 4 5`, `OBJECT ENCODING s`, `SCARD s`),
	dc("SADD/binary_members", `SADD s "\x00" "\xff\xfe" "a\r\nb" "\x00\x00"`, `SCARD s`, `SISMEMBER s "\x00"`,
		`SISMEMBER s "\x00\x00\x00"`, `SMEMBERS s`, `OBJECT ENCODING s`),
	dc("SADD/empty_member", `SADD s ""`, `OBJECT ENCODING s`, `SISMEMBER s ""`, `SCARD s`, `SREM s ""`, `EXISTS s`),
	dc("SADD/binary_key", `SADD "\x00k\xff" a`, `SMEMBERS "\x00k\xff"`, `TYPE "\x00k\xff"`, `KEYS *`),
	dc("SADD/large_member", `SADD s `+strings.Repeat("x", 70000), `SADD s `+strings.Repeat("y", 20000)+` z`, `SCARD s`,
		`SISMEMBER s `+strings.Repeat("x", 70000), `SREM s `+strings.Repeat("x", 70000), `SCARD s`),
	dc("SADD/wrongtype", `SET k v`, `SADD k a`, `GET k`, `RPUSH l a`, `SADD l a`, `LRANGE l 0 -1`),
	dc("SADD/keeps_ttl", `SADD s a`, `EXPIRE s 100`, `SADD s b`, `TTL s`, `SADD s a`, `TTL s`),
	dc("SADD/arity", `SADD s`, `SADD`, `EXISTS s`),
	dc("SADD/case_insensitive", `sadd s a`, `SaDd s b`, `scard s`),
	dc("SADD/many_strings", saddRange("s", "m", 0, 1000), `SCARD s`, `OBJECT ENCODING s`, `SISMEMBER s m999`, `SISMEMBER s m1000`),

	// SREM
	dc("SREM/basic", `SADD s a b c`, `SREM s a x`, `SMEMBERS s`, `SCARD s`),
	dc("SREM/missing_key", `SREM nokey a`, `EXISTS nokey`),
	dc("SREM/last_member_deletes_key", `SADD s a b`, `SREM s a b c`, `EXISTS s`, `TYPE s`, `SCARD s`),
	dc("SREM/duplicates", `SADD s a b`, `SREM s a a`, `SREM s b b c`, `EXISTS s`),
	dc("SREM/wrongtype", `SET k v`, `SREM k v`, `GET k`),
	dc("SREM/intset", `SADD s 1 2 3`, `SREM s 2 007 -0 +3`, `OBJECT ENCODING s`, `SMEMBERS s`),
	dc("SREM/keeps_ttl", `SADD s a b`, `EXPIRE s 100`, `SREM s a`, `TTL s`),
	dc("SREM/arity", `SREM s`),
	dc("SREM/recreate_after_empty", `SADD s x`, `EXPIRE s 100`, `SREM s x`, `SADD s 1`, `TTL s`, `OBJECT ENCODING s`),

	// SMEMBERS SISMEMBER SMISMEMBER SCARD
	dc("SMEMBERS/basic", `SADD s c a b`, `SMEMBERS s`, `SADD i 5 -3 10 0`, `SMEMBERS i`),
	dc("SMEMBERS/missing_and_wrongtype", `SMEMBERS nokey`, `SET k v`, `SMEMBERS k`),
	dc("SMEMBERS/arity", `SMEMBERS`, `SMEMBERS a b`),
	dc("SISMEMBER/basic", `SADD s a 1`, `SISMEMBER s a`, `SISMEMBER s b`, `SISMEMBER s 1`, `SISMEMBER s 01`, `SISMEMBER s ""`),
	dc("SISMEMBER/intset", `SADD s 1 -1 100`, `SISMEMBER s 100`, `SISMEMBER s 1e2`, `SISMEMBER s -1`, `SISMEMBER s -01`, `SISMEMBER s x`),
	dc("SISMEMBER/missing_and_wrongtype", `SISMEMBER nokey a`, `SET k v`, `SISMEMBER k v`, `SISMEMBER k`),
	dc("SMISMEMBER/basic", `SADD s a b 1`, `SMISMEMBER s a x b 1 a 2`),
	dc("SMISMEMBER/missing_and_wrongtype", `SMISMEMBER nokey a b`, `SET k v`, `SMISMEMBER k a`, `SMISMEMBER s`),
	dc("SCARD/basic", `SCARD nokey`, `SADD s a b`, `SCARD s`, `SET k v`, `SCARD k`, `SCARD`, `SCARD s x`),

	// SPOP
	dc("SPOP/missing", `SPOP nokey`, `SPOP nokey 0`, `SPOP nokey 5`, `EXISTS nokey`),
	dc("SPOP/one_member", `SADD s a`, `SPOP s`, `EXISTS s`, `SPOP s`, `SADD i 7`, `SPOP i 1`, `EXISTS i`),
	dc("SPOP/count_covers_set", `SADD s a b c`, `SPOP s 3`, `EXISTS s`, `SADD t 1 2`, `SPOP t 10`, `EXISTS t`,
		`SADD u x`, `SPOP u 9223372036854775807`, `EXISTS u`),
	dc("SPOP/count_zero", `SADD s a`, `SPOP s 0`, `SCARD s`),
	dc("SPOP/count_errors", `SADD s a`, `SPOP s -1`, `SPOP s abc`, `SPOP s 1.5`, `SPOP s 9223372036854775808`,
		`SPOP s ""`, `SPOP s +1`, `SPOP s 1 2`, `SPOP nokey -1`, `SCARD s`),
	dc("SPOP/wrongtype", `SET k v`, `SPOP k`, `SPOP k 1`, `SPOP k 0`, `SPOP k -1`, `SPOP k 1 2`, `GET k`),
	dc("SPOP/partial_normalized", `SADD s a b c d e`, `SPOP s 2`, `SCARD s`, `SPOP s`, `SCARD s`, `DEL s`),
	dc("SPOP/intset_partial_normalized", `SADD s 1 2 3 4 5 6 7 8 9 10`, `SPOP s 3`, `SCARD s`, `OBJECT ENCODING s`, `DEL s`),
	dc("SPOP/hashtable_partial_normalized", saddRange("s", "", 0, 600), `SPOP s 100`, `SCARD s`, `OBJECT ENCODING s`,
		`SPOP s 450`, `SCARD s`, `SPOP s 50`, `EXISTS s`),
	dc("SPOP/keeps_ttl", `SADD s a b c`, `EXPIRE s 100`, `SPOP s 1`, `TTL s`, `DEL s`),
	dc("SPOP/resp3", `HELLO 3`, `SADD s a`, `SPOP s 5`, `SPOP nokey 5`, `SPOP nokey`, `SADD s b`, `SPOP s`, `SPOP s 0`, `SPOP nokey 0`),
	dc("SPOP/in_multi", `SADD s a b`, `MULTI`, `SPOP s 2`, `SCARD s`, `SPOP s`, `EXEC`, `EXISTS s`),
	dc("SPOP/watch",
		`SADD s a`, `WATCH s`, `2> SPOP s 0`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> SPOP s`, `MULTI`, `PING`, `EXEC`,
		`SADD t a b`, `WATCH t`, `2> SPOP t 5`, `MULTI`, `PING`, `EXEC`),

	// SRANDMEMBER
	dc("SRANDMEMBER/missing", `SRANDMEMBER nokey`, `SRANDMEMBER nokey 5`, `SRANDMEMBER nokey -5`, `SRANDMEMBER nokey 0`),
	dc("SRANDMEMBER/one_member", `SADD s a`, `SRANDMEMBER s`, `SRANDMEMBER s 1`, `SRANDMEMBER s -3`, `SRANDMEMBER s 5`, `SRANDMEMBER s -1`),
	dc("SRANDMEMBER/count_covers_set", `SADD s a b c`, `SRANDMEMBER s 3`, `SRANDMEMBER s 100`, `SADD i 3 1 2`, `SRANDMEMBER i 3`, `SRANDMEMBER i 9223372036854775807`),
	dc("SRANDMEMBER/partial", `SADD s a b c d e`, `SRANDMEMBER s 2`, `SRANDMEMBER s 4`, `SRANDMEMBER s -10`, `SRANDMEMBER s 1`,
		`SRANDMEMBER s`, `SRANDMEMBER s 0`, `SCARD s`),
	dc("SRANDMEMBER/large_sets", saddRange("h", "m", 0, 700), saddRange("i", "", 0, 300), `SRANDMEMBER h 10`, `SRANDMEMBER h 650`,
		`SRANDMEMBER h -1000`, `SRANDMEMBER i 10`, `SRANDMEMBER i 299`, `SRANDMEMBER i -20`, `SRANDMEMBER h 700`),
	dc("SRANDMEMBER/errors", `SADD s a`, `SRANDMEMBER s abc`, `SRANDMEMBER s -9223372036854775808`, `SRANDMEMBER s 9223372036854775808`,
		`SRANDMEMBER s ""`, `SRANDMEMBER s 1.0`, `SRANDMEMBER s 1 2`, `SRANDMEMBER nokey abc`),
	dc("SRANDMEMBER/wrongtype", `SET k v`, `SRANDMEMBER k`, `SRANDMEMBER k 1`, `SRANDMEMBER k 0`, `SRANDMEMBER k -1`, `SRANDMEMBER k abc`),
	dc("SRANDMEMBER/resp3", `HELLO 3`, `SADD s a b c`, `SRANDMEMBER s 2`, `SRANDMEMBER s 5`, `SRANDMEMBER s -2`, `SRANDMEMBER s 1`,
		`SRANDMEMBER nokey 2`, `SRANDMEMBER nokey`, `SRANDMEMBER s 0`, `SADD one x`, `SRANDMEMBER one`),

	// SMOVE
	dc("SMOVE/basic", `SADD a x y`, `SMOVE a b x`, `SMEMBERS a`, `SMEMBERS b`, `OBJECT ENCODING b`),
	dc("SMOVE/last_member", `SADD a x`, `SMOVE a b x`, `EXISTS a`, `SMEMBERS b`),
	dc("SMOVE/missing_member", `SADD a x`, `SMOVE a b z`, `EXISTS b`, `SMEMBERS a`),
	dc("SMOVE/missing_src", `SMOVE nokey b x`, `SET d v`, `SMOVE nokey d x`, `EXISTS b`),
	dc("SMOVE/wrongtype_src", `SET a v`, `SMOVE a b x`, `SADD b x`, `SMOVE a b x`, `SMEMBERS b`),
	dc("SMOVE/wrongtype_dst", `SADD a x`, `SET d v`, `SMOVE a d x`, `SMOVE a d missing`, `SMEMBERS a`, `GET d`),
	dc("SMOVE/to_itself", `SADD a x`, `SMOVE a a x`, `SMOVE a a z`, `SMEMBERS a`, `SET k v`, `SMOVE k k v`),
	dc("SMOVE/member_already_in_dst", `SADD a x y`, `SADD b x`, `SMOVE a b x`, `SMEMBERS a`, `SMEMBERS b`, `SADD c z`, `SADD d z`, `SMOVE c d z`, `EXISTS c`),
	dc("SMOVE/dst_encoding", `SADD a x 1 2`, `SADD b 5 6`, `SMOVE a b x`, `OBJECT ENCODING b`, `SMOVE a c 1`, `OBJECT ENCODING c`,
		`SMOVE a b 2`, `OBJECT ENCODING a`, `EXISTS a`),
	dc("SMOVE/dst_at_512", saddRange("b", "", 0, 512), `SADD a 1000 999999`, `SMOVE a b 1000`, `OBJECT ENCODING b`, `SCARD b`, `OBJECT ENCODING a`),
	dc("SMOVE/binary", `SADD "\x00a" "\xff"`, `SMOVE "\x00a" "\x00b" "\xff"`, `SMEMBERS "\x00b"`, `KEYS *`),
	dc("SMOVE/ttls", `SADD b y`, `EXPIRE b 100`, `SADD a x z`, `EXPIRE a 200`, `SMOVE a b x`, `TTL a`, `TTL b`, `SMOVE a c z`, `TTL c`),
	dc("SMOVE/expired_src", `SADD a x`, `PEXPIRE a 1`, `@SLEEP 20`, `SMOVE a b x`, `EXISTS a`, `EXISTS b`),
	dc("SMOVE/watch",
		`SADD a x`, `SADD b x`, `WATCH b`, `2> SMOVE a b x`, `MULTI`, `PING`, `EXEC`,
		`SADD a y`, `WATCH a`, `2> SMOVE a b y`, `MULTI`, `PING`, `EXEC`,
		`SADD a z`, `WATCH b`, `2> SMOVE a b z`, `MULTI`, `PING`, `EXEC`,
		`WATCH b`, `2> SMOVE b b z`, `MULTI`, `PING`, `EXEC`),
	dc("SMOVE/arity", `SMOVE a b`, `SMOVE a b c d`),

	// SINTER SINTERCARD SUNION SDIFF
	dc("SINTER/basic", `SADD a 1 2 3 x`, `SADD b 2 3 x y`, `SINTER a b`, `SINTER a`, `SINTER b a`, `SINTER a b nokey`, `SINTER nokey`),
	dc("SINTER/wrongtype_after_missing", `SET k v`, `SADD a 1`, `SINTER nokey k`, `SINTER k nokey`, `SINTER a k`, `SINTER a nokey k`),
	dc("SINTER/same_key", `SADD a 1 x`, `SINTER a a`, `SINTER a a a`),
	dc("SINTER/empty_result", `SADD a 1 2`, `SADD c 3 z`, `SINTER a c`),
	dc("SINTER/mixed_encodings", `SADD i 1 2 3 4`, `SADD h 1 3 x 4 5`, `SINTER i h`, `SINTER h i`, `SADD j 3 4 10`, `SINTER i h j`),
	dc("SINTER/large", saddRange("a", "", 0, 700), saddRange("b", "", 500, 900), `SINTER a b`, `SINTERCARD 2 a b`, `SINTERCARD 2 a b LIMIT 7`),
	dc("SINTER/resp3", `HELLO 3`, `SADD a 1 2 x`, `SADD b 2 x`, `SINTER a b`, `SINTER a nokey`, `SUNION a b`, `SUNION nokey`,
		`SDIFF a b`, `SDIFF nokey`, `SMEMBERS a`, `SMEMBERS nokey`, `SINTERCARD 2 a b`, `SMISMEMBER a 1 3`, `SISMEMBER a x`, `SCARD a`),
	dc("SINTERCARD/basic", `SADD a 1 2 3 x`, `SADD b 2 3 x y`, `SINTERCARD 2 a b`, `SINTERCARD 1 a`, `SINTERCARD 2 a nokey`, `SINTERCARD 1 nokey`),
	dc("SINTERCARD/limit", `SADD a 1 2 3 x`, `SADD b 2 3 x y`, `SINTERCARD 2 a b LIMIT 0`, `SINTERCARD 2 a b LIMIT 1`,
		`SINTERCARD 2 a b LIMIT 2`, `SINTERCARD 2 a b limit 100`, `SINTERCARD 1 a LIMIT 3`, `SINTERCARD 2 a b LIMIT 1 LIMIT 0`,
		`SINTERCARD 1 a LIMIT 9223372036854775807`),
	dc("SINTERCARD/errors", `SADD a 1`, `SINTERCARD 0 a`, `SINTERCARD -1 a`, `SINTERCARD abc a`, `SINTERCARD 2 a`,
		`SINTERCARD 9223372036854775808 a`, `SINTERCARD 1 a LIMIT -1`, `SINTERCARD 1 a LIMIT abc`, `SINTERCARD 1 a LIMIT`,
		`SINTERCARD 1 a FOO 1`, `SINTERCARD 1 a LIMIT 1 FOO`, `SINTERCARD 1 a LIMIT 1 LIMIT`, `SINTERCARD 1`, `SINTERCARD ""  a`,
		`SINTERCARD 01 a`, `SINTERCARD 1 a LIMIT 1.5`),
	dc("SINTERCARD/wrongtype", `SET k v`, `SADD a 1`, `SINTERCARD 2 nokey k`, `SINTERCARD 2 a k`, `SINTERCARD 1 k LIMIT -1`, `SINTERCARD 3 k a`),
	dc("SUNION/basic", `SADD a 1 2 x`, `SADD b 2 3 y`, `SUNION a b`, `SUNION a`, `SUNION a nokey b`, `SUNION nokey`, `SUNION a a`),
	dc("SUNION/wrongtype", `SET k v`, `SADD a 1`, `SUNION nokey k`, `SUNION a k`, `SUNION k a`),
	dc("SUNION/binary", `SADD a "\x00" "\xff"`, `SADD b "\xff" ""`, `SUNION a b`, `SDIFF a b`, `SINTER a b`),
	dc("SDIFF/basic", `SADD a 1 2 3 x y`, `SADD b 2 x`, `SADD c 3 z`, `SDIFF a b`, `SDIFF a b c`, `SDIFF b a`, `SDIFF a nokey`,
		`SDIFF nokey a`, `SDIFF a`, `SDIFF a a`, `SDIFF a b a`, `SDIFF a nokey nokey2`),
	dc("SDIFF/wrongtype", `SET k v`, `SADD a 1`, `SDIFF nokey k`, `SDIFF k nokey`, `SDIFF a k`, `SDIFF a nokey k`),
	dc("SDIFF/large", saddRange("a", "", 0, 1000), saddRange("b", "", 0, 990), `SADD c x`, `SDIFF a b`, `SDIFF a b c`, `SDIFF a c`),
	dc("SINTER/arity", `SINTER`, `SUNION`, `SDIFF`, `SINTERCARD 1`, `SINTERSTORE d`, `SUNIONSTORE d`, `SDIFFSTORE d`),

	// SINTERSTORE SUNIONSTORE SDIFFSTORE
	dc("SINTERSTORE/basic", `SADD a 1 2 3 x`, `SADD b 2 3 x y`, `SINTERSTORE d a b`, `SMEMBERS d`, `OBJECT ENCODING d`,
		`SINTERSTORE e a`, `SMEMBERS e`, `OBJECT ENCODING e`),
	dc("SINTERSTORE/intset_result", `SADD a 1 2 3 x`, `SADD b 2 3 x y`, `SREM a x`, `SINTERSTORE d a b`, `OBJECT ENCODING d`,
		`SADD h 1 2 z`, `SREM h z`, `SINTERSTORE e h`, `OBJECT ENCODING h`, `OBJECT ENCODING e`),
	dc("SINTERSTORE/overwrites_string", `SET d v`, `SADD a 1`, `SINTERSTORE d a`, `TYPE d`, `SMEMBERS d`),
	dc("SINTERSTORE/overwrites_ttl", `SADD d q`, `EXPIRE d 100`, `SADD a 1`, `SINTERSTORE d a`, `TTL d`, `SMEMBERS d`),
	dc("SINTERSTORE/empty_result_deletes_dst", `SET d v`, `SADD a 1`, `SINTERSTORE d a nokey`, `EXISTS d`,
		`SADD e x`, `SADD c 2`, `SINTERSTORE e a c`, `EXISTS e`, `SINTERSTORE f a c`, `EXISTS f`),
	dc("SINTERSTORE/dst_is_source", `SADD a 1 2 3`, `SADD b 2 3 4`, `SINTERSTORE a a b`, `SMEMBERS a`, `SINTERSTORE b b`, `SMEMBERS b`),
	dc("SINTERSTORE/wrongtype_source", `SET d v`, `SET k w`, `SADD a 1`, `SINTERSTORE d a k`, `GET d`, `SINTERSTORE d nokey k`, `GET d`),
	dc("SINTERSTORE/dst_wrongtype_is_fine", `RPUSH d x`, `SADD a 1`, `SINTERSTORE d a`, `TYPE d`),
	dc("SINTERSTORE/512_and_513", saddRange("a", "", 0, 600), saddRange("b", "", 0, 512), saddRange("c", "", 0, 513),
		`SINTERSTORE d a b`, `OBJECT ENCODING d`, `SCARD d`, `SINTERSTORE e a c`, `OBJECT ENCODING e`, `SCARD e`),
	dc("SUNIONSTORE/basic", `SADD a 1 2 x`, `SADD b 2 3 y`, `SUNIONSTORE d a b`, `SMEMBERS d`, `OBJECT ENCODING d`,
		`SREM a x`, `SREM b y`, `SUNIONSTORE e a b`, `SMEMBERS e`, `OBJECT ENCODING e`),
	dc("SUNIONSTORE/missing_sources", `SET d v`, `SUNIONSTORE d nokey nokey2`, `EXISTS d`, `SUNIONSTORE e nokey`, `EXISTS e`),
	dc("SUNIONSTORE/512_and_513", saddRange("a", "", 0, 300), saddRange("b", "", 300, 512), `SADD c 512`,
		`SUNIONSTORE d a b`, `OBJECT ENCODING d`, `SUNIONSTORE e a b c`, `OBJECT ENCODING e`, `SCARD e`),
	dc("SUNIONSTORE/dst_is_source", `SADD a 1 2`, `SADD b x`, `SUNIONSTORE a a b`, `SMEMBERS a`, `OBJECT ENCODING a`),
	dc("SUNIONSTORE/wrongtype", `SET k v`, `SADD a 1`, `SUNIONSTORE d a k`, `EXISTS d`, `SUNIONSTORE k a`, `TYPE k`),
	dc("SDIFFSTORE/basic", `SADD a 1 2 3 x`, `SADD b 2 x`, `SDIFFSTORE d a b`, `SMEMBERS d`, `OBJECT ENCODING d`,
		`SDIFFSTORE e a a`, `EXISTS e`, `SDIFFSTORE f nokey a`, `EXISTS f`),
	// Redis builds the difference by adding all of the first set and
	// removing the others' members when that is cheaper; a non-integer of
	// the first set then leaves a hash table holding only integers.
	dc("SDIFFSTORE/encoding_by_algorithm",
		`SADD a 1 2 3 4 5 x`, `SADD b x`, `SADD c y`, `SDIFFSTORE d a b c`, `SMEMBERS d`, `OBJECT ENCODING d`,
		`SDIFFSTORE e a b`, `SMEMBERS e`, `OBJECT ENCODING e`,
		`SADD f 1 2 x`, `SDIFFSTORE g f b`, `OBJECT ENCODING g`, `SDIFFSTORE h f b c`, `OBJECT ENCODING h`),
	dc("SDIFFSTORE/encoding_by_size", saddRange("a", "", 0, 600), saddRange("b", "", 0, 200), `SADD c x`,
		`SDIFFSTORE d a b`, `OBJECT ENCODING d`, `SCARD d`, `SDIFFSTORE e a b c`, `OBJECT ENCODING e`, `SCARD e`,
		`SDIFFSTORE f a nokey c`, `OBJECT ENCODING f`),
	dc("SDIFFSTORE/empty_deletes", `SADD d z`, `SADD a 1`, `SDIFFSTORE d a a`, `EXISTS d`, `SET e v`, `SDIFFSTORE e nokey`, `EXISTS e`),
	dc("SDIFFSTORE/wrongtype", `SET k v`, `SADD a 1`, `SDIFFSTORE d a k`, `SDIFFSTORE d k a`, `SDIFFSTORE d nokey k`, `EXISTS d`),
	dc("STORE/watch",
		`SADD a 1`, `WATCH d`, `2> SINTERSTORE d a`, `MULTI`, `PING`, `EXEC`,
		`WATCH e`, `2> SINTERSTORE e a nokey`, `MULTI`, `PING`, `EXEC`,
		`WATCH d`, `2> SDIFFSTORE d a a`, `MULTI`, `PING`, `EXEC`,
		`WATCH d`, `2> SUNIONSTORE d a`, `MULTI`, `PING`, `EXEC`),

	// SSCAN
	dc("SSCAN/intset", `SADD s 3 1 2`, `SSCAN s 0`, `SSCAN s 0 COUNT 1`, `SSCAN s 5`, `SSCAN s 0 MATCH 1*`, `SSCAN s 0 MATCH 9`),
	dc("SSCAN/small_hashtable", `SADD s a b c 1`, `SSCAN s 0`, `SSCAN s 0 MATCH a*`, `SSCAN s 0 match [ab] count 100`,
		`SSCAN s 0 COUNT 10 MATCH *`, `SSCAN s 0 MATCH x* COUNT 5`),
	dc("SSCAN/large_one_call", saddRange("s", "m", 0, 600), `SSCAN s 0 COUNT 1000`, `SSCAN s 0 COUNT 1000 MATCH m1?`,
		saddRange("i", "", 0, 500), `SSCAN i 0`, `SSCAN i 0 MATCH *99`),
	dc("SSCAN/missing_key", `SSCAN nokey 0`, `SSCAN nokey 0 FOO`, `SSCAN nokey abc`, `SSCAN nokey 0 COUNT 0`, `SSCAN nokey 7`),
	dc("SSCAN/wrongtype", `SET k v`, `SSCAN k 0`, `SSCAN k abc`, `SSCAN k 0 FOO`, `SSCAN k 0 COUNT 0`),
	dc("SSCAN/errors", `SADD s a`, `SSCAN s 0 COUNT 0`, `SSCAN s 0 COUNT -1`, `SSCAN s 0 COUNT abc`, `SSCAN s 0 TYPE set`,
		`SSCAN s 0 MATCH`, `SSCAN s 0 COUNT`, `SSCAN s abc`, `SSCAN s 18446744073709551616`, `SSCAN s " 0"`, `SSCAN s 0 FOO bar`,
		`SSCAN s 1.5`, `SSCAN s 0 COUNT 1.5`, `SSCAN s 0 COUNT 9223372036854775808`),
	// Any cursor returns a whole intset; in a hash table a non-zero cursor
	// is each server's own.
	dc("SSCAN/cursors", `SADD i 1 2`, `SSCAN i -1`, `SSCAN i ""`, `SSCAN i +0`, `SSCAN i 18446744073709551615`, `SSCAN i 0 COUNT 9223372036854775807`,
		`SADD s a b`, `SSCAN s ""`, `SSCAN s +0`, `SSCAN s -0`, `SSCAN s 0 COUNT 9223372036854775807`),
	dc("SSCAN/binary", `SADD s "a\x00b" "a\x00c" "b"`, `SSCAN s 0 MATCH "a\x00*"`, `SSCAN s 0 MATCH "*\x00c"`, `SSCAN s 0 MATCH ""`),
	dc("SSCAN/resp3", `HELLO 3`, `SADD s a b 1`, `SSCAN s 0`, `SSCAN nokey 0`),
	dc("SSCAN/arity", `SSCAN s`, `SSCAN`),

	// Generic commands on sets
	dc("KEYS/type_and_encoding", `SADD s a`, `SADD i 1`, `TYPE s`, `TYPE i`, `OBJECT ENCODING s`, `OBJECT ENCODING i`,
		`OBJECT REFCOUNT s`, `EXISTS s i nokey`),
	dc("KEYS/rename", `SADD s 1 2`, `EXPIRE s 100`, `RENAME s t`, `SMEMBERS t`, `TTL t`, `EXISTS s`, `OBJECT ENCODING t`,
		`SADD u x`, `RENAMENX t u`, `RENAME t u`, `SMEMBERS u`, `SET str v`, `RENAME u str`, `TYPE str`),
	dc("KEYS/rename_keeps_hashtable", `SADD s 1 x`, `SREM s x`, `RENAME s t`, `OBJECT ENCODING t`, `COPY t c`, `OBJECT ENCODING c`),
	dc("KEYS/copy", `SADD s 1 2`, `COPY s t`, `SADD t 3`, `SMEMBERS s`, `SMEMBERS t`, `COPY s t`, `COPY s t REPLACE`, `SMEMBERS t`,
		`COPY s s2 DB 1`, `SELECT 1`, `SMEMBERS s2`, `SADD s2 x`, `SELECT 0`, `SMEMBERS s`),
	dc("KEYS/move", `SADD s a`, `MOVE s 1`, `EXISTS s`, `SELECT 1`, `SMEMBERS s`, `SADD s b`, `MOVE s 0`, `SADD s c`, `MOVE s 0`, `SMEMBERS s`),
	dc("KEYS/del_unlink", `SADD s a`, `SADD t b`, `DEL s`, `UNLINK t`, `EXISTS s t`, `SADD s c`, `SMEMBERS s`),
	dc("KEYS/expire", `SADD s a`, `PEXPIRE s 1`, `@SLEEP 20`, `SCARD s`, `SISMEMBER s a`, `SADD s b`, `TTL s`, `SMEMBERS s`),
	dc("KEYS/expired_source", `SADD a 1`, `SADD b 1`, `PEXPIRE b 1`, `@SLEEP 20`, `SINTER a b`, `SUNIONSTORE d a b`, `SMEMBERS d`, `EXISTS b`),
	dc("KEYS/persist_and_ttl", `SADD s a`, `EXPIRE s 100`, `PERSIST s`, `TTL s`, `SREM s a`, `TTL s`),
	dc("KEYS/scan_type", `SADD s a`, `SET k v`, `SADD t 1`, `@SCANALL TYPE set`, `@SCANALL TYPE string`, `@SCANALL MATCH s* TYPE SET`),
	dc("KEYS/flush_swap", `SADD s a`, `SELECT 1`, `SADD s b`, `SWAPDB 0 1`, `SMEMBERS s`, `SELECT 0`, `SMEMBERS s`, `FLUSHDB`,
		`SMEMBERS s`, `SELECT 1`, `SMEMBERS s`, `FLUSHALL`, `SMEMBERS s`),
	dc("KEYS/string_over_set", `SADD s a`, `SET s v`, `GET s`, `SADD s a`, `DEL s`, `SADD s a`, `GET s`),

	// Transactions
	dc("MULTI/set_commands", `MULTI`, `SADD s a b`, `SMEMBERS s`, `SINTERSTORE d s`, `SCARD d`, `SMOVE s d a`, `SRANDMEMBER s 5`,
		`SSCAN d 0`, `SPOP d 10`, `EXEC`, `EXISTS d`),
	dc("MULTI/wrongtype_inside", `SET k v`, `MULTI`, `SADD k a`, `SADD s a`, `SINTER k`, `EXEC`, `SMEMBERS s`),
	dc("MULTI/arity_aborts", `MULTI`, `SADD s`, `SADD s a`, `EXEC`, `EXISTS s`),
	dc("WATCH/sadd_srem",
		`SADD s a`, `WATCH s`, `2> SADD s a`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> SADD s b`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> SREM s zz`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> SREM s b`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> SREM s a`, `MULTI`, `PING`, `EXEC`,
		`WATCH nokey`, `2> SREM nokey a`, `MULTI`, `PING`, `EXEC`),
	dc("WATCH/reads_do_not_abort", `SADD s a`, `WATCH s`, `2> SMEMBERS s`, `2> SSCAN s 0`, `2> SRANDMEMBER s`, `2> SINTERCARD 1 s`, `MULTI`, `PING`, `EXEC`),
}

func TestDiffSets(t *testing.T) {
	t.Parallel()
	runCases(t, newPair(t), setCases)
}

// setConfigCases change set-max-intset-entries; each sets it first, so
// that a case stopped by a mismatch does not leave the next one another
// limit. They run on their own pair (TestDiffSetsIntsetConfig).
var setConfigCases = []diffCase{
	dc("CONFIG/sadd_small_limit",
		`CONFIG SET set-max-intset-entries 3`, `SADD s 1 2 3`, `OBJECT ENCODING s`, `SADD s 3`, `OBJECT ENCODING s`,
		`SADD s 4`, `OBJECT ENCODING s`, `SADD t 1 2 3 4`, `OBJECT ENCODING t`, `SADD u 1`, `SADD u 2 3`, `OBJECT ENCODING u`,
		`SADD v 1 2`, `SADD v 2 3 4`, `OBJECT ENCODING v`),
	dc("CONFIG/sadd_zero_limit",
		`CONFIG SET set-max-intset-entries 0`, `SADD s 1`, `OBJECT ENCODING s`, `SUNIONSTORE d s`, `OBJECT ENCODING d`),
	dc("CONFIG/limit_lowered_later",
		`CONFIG SET set-max-intset-entries 512`, `SADD s 1 2 3 4 5`, `CONFIG SET set-max-intset-entries 3`, `OBJECT ENCODING s`,
		`SADD s 1 2`, `OBJECT ENCODING s`, `SREM s 5`, `OBJECT ENCODING s`, `SADD s 6`, `OBJECT ENCODING s`),
	dc("CONFIG/smove_dst_at_limit", `CONFIG SET set-max-intset-entries 2`, `SADD b 1 2`, `SADD a 3 4`, `SMOVE a b 3`, `OBJECT ENCODING b`,
		`SMOVE a c 4`, `OBJECT ENCODING c`),
	dc("CONFIG/store_at_limit", `CONFIG SET set-max-intset-entries 4`, `SADD a 1 2 3 4 5 6`, `SADD b 1 2 3 4 5`, `SADD c 6`,
		`SINTERSTORE d a b`, `OBJECT ENCODING d`, `SADD e 1 2 3 4`, `SINTERSTORE f a e`, `OBJECT ENCODING f`,
		`SUNIONSTORE g b c`, `OBJECT ENCODING g`, `SDIFFSTORE h a c`, `OBJECT ENCODING h`, `SDIFFSTORE i a b`, `OBJECT ENCODING i`,
		`SADD x y`, `SADD z w`, `SDIFFSTORE j b x z`, `OBJECT ENCODING j`, `SMEMBERS j`),
	dc("CONFIG/limit_raised_to_512", `CONFIG SET set-max-intset-entries 2`, `SADD s 1 2 3`, `CONFIG SET set-max-intset-entries 512`,
		`OBJECT ENCODING s`, `SADD t 1 2 3`, `OBJECT ENCODING t`, `COPY s u`, `OBJECT ENCODING u`),
	dc("CONFIG/limit_above_512", `CONFIG SET set-max-intset-entries 600`, "SADD s "+seq(1, 550), `OBJECT ENCODING s`,
		`SCARD s`, "SADD s "+seq(551, 600), `OBJECT ENCODING s`, `SADD s 601`, `OBJECT ENCODING s`,
		"SADD t "+seq(1, 599), `SUNIONSTORE u t`, `OBJECT ENCODING u`, `SMOVE s t 601`, `OBJECT ENCODING t`),
}

// seq is "a a+1 ... b" for long command lines.
func seq(a, b int) string {
	var sb strings.Builder
	for i := a; i <= b; i++ {
		if i > a {
			sb.WriteByte(' ')
		}
		sb.WriteString(strconv.Itoa(i))
	}
	return sb.String()
}

func TestDiffSetsIntsetConfig(t *testing.T) {
	t.Parallel()
	runCases(t, newPair(t), setConfigCases)
}

// TestDiffSScanAll iterates SSCAN to the end on both servers, for both
// encodings and several COUNT and MATCH options, and compares the members
// returned; then it scans again with writes between the calls and checks
// that each server returned every member present for the whole scan.
func TestDiffSScanAll(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	p.flushAll(t)
	s := newSession(t, p, 1)
	for _, cmd := range []string{saddRange("h", "m", 0, 1000), saddRange("i", "", 0, 400), saddRange("n", "", 0, 700)} {
		if _, _, diff := s.do(0, strings.Fields(cmd)); diff != "" {
			t.Fatalf("%s: %s", trunc(cmd), diff)
		}
	}
	scan := func(c *respConn, key string, opts []string, between func(step int)) (map[string]bool, error) {
		seen := map[string]bool{}
		cursor := "0"
		for step := 0; ; step++ {
			if step > 100000 {
				return nil, fmt.Errorf("SSCAN %s did not finish", key)
			}
			v, err := c.Do(append([]string{"SSCAN", key, cursor}, opts...)...)
			if err != nil {
				return nil, err
			}
			if !isScanReply(v) {
				return nil, fmt.Errorf("SSCAN %s: reply %s", key, v)
			}
			for _, e := range v.Elems[1].Elems {
				seen[e.Str] = true
			}
			if cursor = v.Elems[0].Str; cursor == "0" {
				return seen, nil
			}
			if between != nil {
				between(step)
			}
		}
	}
	sorted := func(m map[string]bool) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	for _, key := range []string{"h", "i", "n"} {
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
			if k, o := sorted(ks), sorted(os); !slices.Equal(k, o) {
				t.Errorf("MISMATCH SSCAN %s %q to the end: keel %d members, redis %d", key, opts, len(k), len(o))
			}
		}
	}
	// Writes between the calls: members m0..m999 of h with i%4 != 0 stay
	// for the whole scan; the others are removed, new ones added.
	for name, c := range map[string]*respConn{"keel": s.k[0], "redis-server": s.o[0]} {
		seen, err := scan(c, "h", []string{"COUNT", "5"}, func(step int) {
			for j := 0; j < 4; j++ {
				n := (step*4 + j) % 250
				if _, err := c.Do("SREM", "h", "m"+strconv.Itoa(4*n)); err != nil {
					t.Fatal(err)
				}
				if _, err := c.Do("SADD", "h", "new"+strconv.Itoa(step*4+j)); err != nil {
					t.Fatal(err)
				}
			}
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := 0; i < 1000; i++ {
			if m := "m" + strconv.Itoa(i); i%4 != 0 && !seen[m] {
				t.Errorf("%s: SSCAN with writes missed %s, present for the whole scan", name, m)
				break
			}
		}
	}
}

// setPopKey is the key the random run pops from: only SMOVE ... setPopKey
// setPopMember ever adds to it (the generator's stray arguments cannot
// reach it), so it never holds more than one member and every SPOP on it
// is deterministic.
const (
	setPopKey    = "\x01spop"
	setPopMember = "pm"
)

// setPool is the random run's members: integers (canonical or not, int64
// limits), strings, binary and the empty string, so that sets are small,
// collide often and cross the intset/hashtable line both ways.
var setPool = []string{"1", "2", "3", "-1", "0", "100", "9223372036854775807", "-9223372036854775808",
	"-0", "007", "+1", "a", "b", "c", "", "\x00\xff", setPopMember}

func (g *cmdGen) setMember() string { return g.pick(setPool...) }

func (g *cmdGen) setMembers(min int) []string {
	out := make([]string, min+g.r.Intn(4))
	for i := range out {
		out[i] = g.setMember()
	}
	return out
}

// setIntMembers draws only integers: runs of them keep sets intsets.
func (g *cmdGen) setIntMembers() []string {
	out := make([]string, 1+g.r.Intn(6))
	for i := range out {
		out[i] = strconv.Itoa(g.r.Intn(12) - 2)
	}
	return out
}

func (g *cmdGen) setCount() string {
	switch g.r.Intn(8) {
	case 0:
		return g.pick("abc", "", "1.5", "+1", "9223372036854775808", "-9223372036854775808")
	case 1:
		return g.pick("0", "1", "-1")
	default:
		return strconv.Itoa(g.r.Intn(50) - 20)
	}
}

// setCommand returns a random set command (TestDiffRandomTypes).
func (g *cmdGen) setCommand(conn int) []string {
	k := g.key()
	switch g.r.Intn(32) {
	case 0, 1, 2, 3:
		return append([]string{"SADD", k}, g.setMembers(1)...)
	case 4, 5:
		return append([]string{"SADD", k}, g.setIntMembers()...)
	case 6, 7:
		return append([]string{"SREM", k}, g.setMembers(1)...)
	case 8:
		return []string{"SMEMBERS", k}
	case 9:
		return []string{"SISMEMBER", k, g.setMember()}
	case 10:
		return append([]string{"SMISMEMBER", k}, g.setMembers(1)...)
	case 11:
		return []string{"SCARD", k}
	case 12, 13:
		// A count of at least the pool's size returns the whole set: the
		// reply is then deterministic; others are compared by shape.
		if g.r.Intn(3) == 0 {
			return []string{"SRANDMEMBER", k}
		}
		return []string{"SRANDMEMBER", k, g.pick(g.setCount(), "30", "100")}
	case 14, 15:
		return []string{"SMOVE", k, g.key(), g.setMember()}
	case 16:
		return append([]string{"SINTER"}, g.keys(1)...)
	case 17:
		return append([]string{"SUNION"}, g.keys(1)...)
	case 18:
		return append([]string{"SDIFF"}, g.keys(1)...)
	case 19:
		keys := g.keys(1)
		args := append([]string{"SINTERCARD", strconv.Itoa(len(keys))}, keys...)
		switch g.r.Intn(6) {
		case 0:
			args[1] = g.pick("0", "-1", "abc", strconv.Itoa(len(keys)+1))
		case 1, 2:
			args = append(args, g.pick("LIMIT", "limit"), g.pick("0", "1", "2", "5", "-1", "x"))
		case 3:
			args = append(args, g.pick("FOO", "LIMIT"))
		}
		return args
	case 20, 21, 22:
		return append([]string{g.pick("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"), k}, g.keys(1)...)
	case 23, 24:
		args := []string{"SSCAN", k, g.pick("0", "0", "0", "0", "0", "", "abc", "-")}
		if g.r.Intn(2) == 0 {
			args = append(args, "MATCH", g.pick("*", "a*", "[0-9]*", "*1*", "?", "-*"))
		}
		return append(args, "COUNT", g.pick("100", "1000", "0", "x"))
	case 25:
		// The pop key: filled only by SMOVE of setPopMember.
		switch g.r.Intn(5) {
		case 0, 1:
			return []string{"SMOVE", k, setPopKey, setPopMember}
		case 2:
			return []string{"SMOVE", setPopKey, k, setPopMember}
		case 3:
			return []string{"SPOP", setPopKey}
		default:
			return []string{"SPOP", setPopKey, g.setCount()}
		}
	case 26:
		// A destination that is also a source. (No SPOP on these keys:
		// the run's stray-argument mutation can drop a count, and SPOP
		// without one pops an unpredictable member.)
		return []string{g.pick("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"), k, k, g.key()}
	case 27:
		return []string{"OBJECT", "ENCODING", k}
	case 28:
		return []string{"TYPE", k}
	case 29:
		return []string{"SINTERCARD", "1", k}
	default:
		return []string{"SRANDMEMBER", k, g.pick("-5", "-1", "1", "0")}
	}
}

// TestDiffRandomSets is TestDiffRandom over the set commands mixed with
// the string and key commands (WRONGTYPE, RENAME, COPY, MOVE, expiry,
// SELECT, SWAPDB and transactions meet sets).
func TestDiffRandomSets(t *testing.T) {
	t.Parallel()
	runRandom(t, func(g *cmdGen, conn int) []string {
		if g.r.Intn(5) == 0 {
			return g.command(conn)
		}
		return g.setCommand(conn)
	})
}
