package server

// Differential cases and the random generator for lists (issue 3).

import (
	"strconv"
	"strings"
	"testing"
)

func init() {
	familyCommands = append(familyCommands,
		"lpush", "rpush", "lpushx", "rpushx", "lpop", "rpop", "llen", "lrange", "lindex",
		"lset", "linsert", "lrem", "ltrim", "lpos", "lmove", "rpoplpush", "lmpop")
}

func TestDiffLists(t *testing.T) {
	t.Parallel()
	runCases(t, newPair(t), listCases)
}

// TestDiffRandomLists is TestDiffRandomTypes with lists as the only new
// type: list commands mixed with the string, key and transaction ones.
func TestDiffRandomLists(t *testing.T) {
	t.Parallel()
	runRandom(t, func(g *cmdGen, conn int) []string {
		if g.r.Intn(6) == 0 {
			return g.command(conn)
		}
		return g.listCommand(conn)
	})
}

// pushN is an RPUSH of n elements elem(0)..elem(n-1) onto key.
func pushN(key string, n int, elem func(i int) string) string {
	var sb strings.Builder
	sb.WriteString("RPUSH " + key)
	for i := 0; i < n; i++ {
		sb.WriteString(" " + elem(i))
	}
	return sb.String()
}

// cycle is an elem function for pushN: the words in turn.
func cycle(words ...string) func(int) string {
	return func(i int) string { return words[i%len(words)] }
}

// numbered is an elem function for pushN: "e0", "e1", ...
func numbered(i int) string { return "e" + strconv.Itoa(i) }

var (
	bigElem  = strings.Repeat("x", 10000)
	bigElem2 = strings.Repeat("yz", 6000)
)

var listCases = []diffCase{
	// ---- pushes ----
	dc("LPUSH/basic", `LPUSH l a b c`, `LRANGE l 0 -1`, `RPUSH l d e`, `LRANGE l 0 -1`, `LLEN l`, `TYPE l`),
	dc("LPUSH/one_at_a_time", `LPUSH l a`, `LPUSH l b`, `RPUSH l c`, `LRANGE l 0 -1`),
	dc("LPUSH/duplicates", `RPUSH l a a a`, `LPUSH l a`, `LLEN l`, `LRANGE l 0 -1`),
	dc("LPUSH/binary", `LPUSH l "\x00\xff" "" "a b" "\r\n"`, `LRANGE l 0 -1`, `LINDEX l 0`, `LINDEX l 1`, `LPOS l ""`, `LPOS l "\x00\xff"`),
	dc("LPUSH/empty_string_only", `RPUSH l ""`, `LLEN l`, `EXISTS l`, `LPOP l`, `EXISTS l`),
	dc("LPUSH/binary_key", `RPUSH "\x00k\xff" a`, `LRANGE "\x00k\xff" 0 -1`, `RPUSH "" b`, `LLEN ""`, `KEYS *`),
	dc("LPUSH/integers", `RPUSH l 1 -1 0 00 +1 9223372036854775807 9223372036854775808 -9223372036854775808 1.5`, `LRANGE l 0 -1`, `LPOS l 1`, `LPOS l 00`, `LREM l 0 1`, `LRANGE l 0 -1`),
	dc("LPUSH/wrongtype", `SET s v`, `LPUSH s a`, `RPUSH s a`, `LPUSHX s a`, `RPUSHX s a`, `GET s`),
	dc("LPUSH/case_insensitive", `lpush l a`, `RpUsH l b`, `lrange l 0 -1`),
	dc("LPUSH/keeps_ttl", `RPUSH l a`, `EXPIRE l 100`, `RPUSH l b`, `LPUSH l c`, `TTL l`, `LRANGE l 0 -1`),
	dc("LPUSH/expired_key", `RPUSH l a`, `PEXPIRE l 1`, `@SLEEP 20`, `LPUSH l b`, `LRANGE l 0 -1`, `PTTL l`),
	dc("LPUSH/large", pushN("l", 1000, numbered), `LLEN l`, `LRANGE l 120 140`, `LINDEX l 999`, `LINDEX l -1000`, `LPUSH l x y`, `LRANGE l 0 3`, `LINDEX l 129`),
	dc("LPUSH/big_elements", `RPUSH l `+bigElem+` a `+bigElem2, `LLEN l`, `LINDEX l 0`, `LINDEX l 2`, `LPUSH l `+bigElem2, `LRANGE l 0 -1`, `RPOP l`, `LPOP l 2`),
	dc("LPUSHX/missing", `LPUSHX l a`, `RPUSHX l a b`, `EXISTS l`, `DBSIZE`),
	dc("LPUSHX/existing", `RPUSH l x`, `LPUSHX l a b`, `RPUSHX l c d`, `LRANGE l 0 -1`, `LLEN l`),
	dc("LPUSHX/expired", `RPUSH l a`, `PEXPIRE l 1`, `@SLEEP 20`, `LPUSHX l b`, `RPUSHX l b`, `EXISTS l`),
	dc("LPUSH/arity", `LPUSH l`, `RPUSH`, `LPUSHX l`, `RPUSHX l`, `EXISTS l`),

	// ---- pops ----
	dc("LPOP/basic", `RPUSH l a b c`, `LPOP l`, `RPOP l`, `LLEN l`, `LPOP l`, `EXISTS l`, `LPOP l`, `RPOP l`),
	dc("LPOP/count", `RPUSH l a b c d e f`, `LPOP l 2`, `RPOP l 2`, `LRANGE l 0 -1`, `LPOP l 10`, `EXISTS l`),
	dc("RPOP/count_all", `RPUSH l a b c`, `RPOP l 3`, `EXISTS l`, `RPOP l 3`),
	dc("LPOP/count_one", `RPUSH l a b`, `LPOP l 1`, `RPOP l 1`, `EXISTS l`),
	dc("LPOP/count_zero", `RPUSH l a`, `LPOP l 0`, `RPOP l 0`, `LPOP missing 0`, `RPOP missing 0`, `LLEN l`),
	dc("LPOP/count_errors", `RPUSH l a b`, `LPOP l -1`, `LPOP l abc`, `LPOP l 1.5`, `LPOP l ""`, `RPOP l -9223372036854775808`, `LPOP l 9223372036854775808`, `RPOP l " 1"`, `LPOP l +1`, `LLEN l`),
	dc("LPOP/count_errors_missing", `LPOP m -1`, `RPOP m x`, `LPOP m 1`, `RPOP m`),
	dc("LPOP/count_huge", `RPUSH l a b`, `LPOP l 9223372036854775807`, `EXISTS l`, `RPUSH l a b`, `RPOP l 2147483648`, `EXISTS l`),
	dc("LPOP/wrongtype", `SET s v`, `LPOP s`, `RPOP s 1`, `LPOP s 0`, `LPOP s -1`, `RPOP s x`, `GET s`),
	dc("LPOP/arity", `RPUSH l a b c`, `LPOP l 1 2`, `RPOP l 1 2 3`, `LPOP`, `LLEN l`),
	dc("LPOP/resp3", `HELLO 3`, `RPUSH l a b c`, `LPOP m`, `LPOP m 1`, `RPOP m 0`, `LPOP l 0`, `LPOP l 1`, `RPOP l`, `RPOP l 5`),
	dc("LPOP/expired", `RPUSH l a`, `PEXPIRE l 1`, `@SLEEP 20`, `LPOP l`, `RPOP l 1`, `EXISTS l`),
	dc("LPOP/large", pushN("l", 700, numbered), `LPOP l 130`, `RPOP l 260`, `LLEN l`, `LINDEX l 0`, `LINDEX l -1`, `LRANGE l 100 -100`, `LPOP l 1000`, `EXISTS l`),
	dc("LPOP/dbsize", `RPUSH l a`, `RPOP l`, `DBSIZE`, `KEYS *`, `TYPE l`),

	// ---- reads ----
	dc("LLEN/basic", `LLEN l`, `RPUSH l a b`, `LLEN l`, `SET s v`, `LLEN s`),
	dc("LRANGE/indexes", `RPUSH l a b c d e`, `LRANGE l 0 0`, `LRANGE l 1 3`, `LRANGE l -2 -1`, `LRANGE l -100 100`, `LRANGE l 3 1`,
		`LRANGE l 5 10`, `LRANGE l 4 4`, `LRANGE l -1 -5`, `LRANGE l 0 -6`, `LRANGE l 0 -5`, `LRANGE l -5 -5`, `LRANGE l -6 -6`,
		`LRANGE l -9223372036854775808 9223372036854775807`, `LRANGE l 9223372036854775807 -9223372036854775808`, `LRANGE l -9223372036854775808 -9223372036854775808`),
	dc("LRANGE/errors", `RPUSH l a`, `LRANGE l a 1`, `LRANGE l 0 b`, `LRANGE l "" 1`, `LRANGE l 1.0 2`, `LRANGE l 9223372036854775808 1`, `LRANGE l " 1" 2`, `LRANGE l 01 2`),
	dc("LRANGE/missing", `LRANGE m 0 -1`, `LRANGE m x 1`, `LRANGE m 5 1`),
	dc("LRANGE/wrongtype", `SET s v`, `LRANGE s 0 -1`, `LRANGE s x 1`),
	dc("LRANGE/resp3", `HELLO 3`, `LRANGE m 0 -1`, `RPUSH l a b`, `LRANGE l 0 -1`, `LRANGE l 5 6`),
	dc("LRANGE/large", pushN("l", 2000, numbered), `LRANGE l 0 5`, `LRANGE l 127 129`, `LRANGE l 1990 3000`, `LRANGE l -130 -120`, `LRANGE l 500 400`),
	dc("LINDEX/basic", `RPUSH l a b c`, `LINDEX l 0`, `LINDEX l 2`, `LINDEX l 3`, `LINDEX l -1`, `LINDEX l -3`, `LINDEX l -4`,
		`LINDEX l 9223372036854775807`, `LINDEX l -9223372036854775808`),
	dc("LINDEX/errors", `RPUSH l a`, `LINDEX l abc`, `LINDEX l ""`, `LINDEX l 1.5`, `LINDEX missing abc`, `LINDEX missing 0`, `SET s v`, `LINDEX s abc`, `LINDEX s 0`),
	dc("LINDEX/resp3", `HELLO 3`, `LINDEX m 0`, `RPUSH l a`, `LINDEX l 5`, `LINDEX l 0`),

	// ---- LSET ----
	dc("LSET/basic", `RPUSH l a b c`, `LSET l 0 x`, `LSET l -1 y`, `LSET l 1 "a longer value"`, `LRANGE l 0 -1`, `LSET l 1 ""`, `LSET l 2 "\x00\xff"`, `LRANGE l 0 -1`),
	dc("LSET/errors", `LSET missing 0 x`, `LSET missing abc x`, `RPUSH l a b c`, `LSET l abc x`, `LSET l 3 x`, `LSET l -4 x`,
		`LSET l 9223372036854775807 x`, `LSET l -9223372036854775808 x`, `LSET l 9223372036854775808 x`, `LRANGE l 0 -1`),
	dc("LSET/wrongtype", `SET s v`, `LSET s 0 x`, `LSET s abc x`, `GET s`),
	dc("LSET/large", pushN("l", 600, numbered), `LSET l 300 `+bigElem, `LSET l 128 short`, `LSET l -1 z`, `LINDEX l 300`, `LRANGE l 125 131`, `LRANGE l 295 305`, `LINDEX l 599`),
	dc("LSET/keeps_ttl", `RPUSH l a`, `EXPIRE l 100`, `LSET l 0 b`, `TTL l`),

	// ---- LINSERT ----
	dc("LINSERT/basic", `RPUSH l a b c`, `LINSERT l BEFORE b x`, `LINSERT l after c y`, `LINSERT l before a z`, `LINSERT l AFTER nope q`, `LRANGE l 0 -1`, `LLEN l`),
	dc("LINSERT/first_pivot", `RPUSH l a b a`, `LINSERT l AFTER a X`, `LINSERT l BEFORE a Y`, `LRANGE l 0 -1`),
	dc("LINSERT/empty_values", `RPUSH l "" a`, `LINSERT l BEFORE "" x`, `LINSERT l AFTER a ""`, `LRANGE l 0 -1`),
	dc("LINSERT/errors", `LINSERT l middle a b`, `LINSERT missing before a b`, `EXISTS missing`, `SET s v`, `LINSERT s before a b`, `LINSERT s middle a b`, `RPUSH l a`, `LINSERT l BEFOREX a b`, `LRANGE l 0 -1`),
	dc("LINSERT/large", pushN("l", 500, numbered), `LINSERT l BEFORE e128 x`, `LINSERT l AFTER e499 y`, `LINSERT l BEFORE e0 z`, `LINSERT l AFTER e250 `+bigElem, `LLEN l`, `LRANGE l 126 131`, `LRANGE l 250 254`, `LINDEX l -1`, `LINDEX l 0`),

	// ---- LREM ----
	dc("LREM/basic", `RPUSH l a b a c a`, `LREM l 2 a`, `LRANGE l 0 -1`, `LREM l 1 a`, `LRANGE l 0 -1`, `LREM l 1 a`),
	dc("LREM/negative", `RPUSH l a b a c a`, `LREM l -2 a`, `LRANGE l 0 -1`),
	dc("LREM/all", `RPUSH l a b a c a`, `LREM l 0 a`, `LRANGE l 0 -1`),
	dc("LREM/more_than_present", `RPUSH l a b a`, `LREM l 10 a`, `LREM l -10 b`, `LRANGE l 0 -1`),
	dc("LREM/to_empty", `RPUSH l a a`, `LREM l 0 a`, `EXISTS l`, `DBSIZE`),
	dc("LREM/extreme_counts", `RPUSH l a b a b a`, `LREM l -9223372036854775808 a`, `LRANGE l 0 -1`, `RPUSH l a a`, `LREM l 9223372036854775807 a`, `LRANGE l 0 -1`),
	dc("LREM/none", `RPUSH l a`, `LREM l 1 zz`, `LREM missing 1 a`, `LRANGE l 0 -1`),
	dc("LREM/errors", `RPUSH l a`, `LREM l abc a`, `LREM l 1.5 a`, `LREM l "" a`, `SET s v`, `LREM s 1 a`, `LREM s abc a`, `LREM missing abc a`),
	dc("LREM/binary", `RPUSH l "\x00" "" "\x00" a`, `LREM l 0 "\x00"`, `LREM l 1 ""`, `LRANGE l 0 -1`),
	dc("LREM/large", pushN("l", 900, cycle("x", "y", "z")), `LREM l 50 x`, `LREM l -50 y`, `LREM l 0 z`, `LLEN l`, `LRANGE l 0 10`, `LRANGE l -10 -1`, `LINDEX l 300`),

	// ---- LTRIM ----
	dc("LTRIM/basic", `RPUSH l a b c d e`, `LTRIM l 1 -2`, `LRANGE l 0 -1`),
	dc("LTRIM/out_of_range", `RPUSH l a b c`, `LTRIM l 5 10`, `EXISTS l`, `DBSIZE`),
	dc("LTRIM/reversed", `RPUSH l a b c`, `LTRIM l 2 1`, `EXISTS l`),
	dc("LTRIM/negative", `RPUSH l a b c d e`, `LTRIM l -100 100`, `LRANGE l 0 -1`, `LTRIM l -2 -1`, `LRANGE l 0 -1`, `LTRIM l -1 -2`, `EXISTS l`),
	dc("LTRIM/single", `RPUSH l a b c`, `LTRIM l 1 1`, `LRANGE l 0 -1`, `LTRIM l 0 0`, `LRANGE l 0 -1`),
	dc("LTRIM/extremes", `RPUSH l a b c`, `LTRIM l -9223372036854775808 9223372036854775807`, `LRANGE l 0 -1`, `LTRIM l 9223372036854775807 -9223372036854775808`, `EXISTS l`),
	dc("LTRIM/errors", `RPUSH l a`, `LTRIM l a 1`, `LTRIM l 0 b`, `LTRIM missing 0 1`, `LTRIM missing x 1`, `SET s v`, `LTRIM s 0 1`, `LTRIM s x 1`, `LRANGE l 0 -1`),
	dc("LTRIM/keeps_ttl", `RPUSH l a b c`, `EXPIRE l 100`, `LTRIM l 0 1`, `TTL l`, `LTRIM l 0 -1`, `TTL l`),
	dc("LTRIM/large", pushN("l", 1000, numbered), `LTRIM l 100 899`, `LLEN l`, `LINDEX l 0`, `LINDEX l -1`, `LTRIM l 27 -300`, `LRANGE l 0 2`, `LRANGE l -3 -1`, `RPUSH l t`, `LPUSH l h`, `LRANGE l 0 1`, `LRANGE l -2 -1`),

	// ---- LPOS ----
	dc("LPOS/basic", `RPUSH l a b c a b c a`, `LPOS l a`, `LPOS l c`, `LPOS l z`, `LPOS l a RANK 2`, `LPOS l a RANK -1`, `LPOS l a RANK -3`, `LPOS l a RANK 4`, `LPOS l a RANK -4`),
	dc("LPOS/count", `RPUSH l a b c a b c a`, `LPOS l a COUNT 0`, `LPOS l a COUNT 2`, `LPOS l a COUNT 10`, `LPOS l z COUNT 0`, `LPOS l a RANK 2 COUNT 2`, `LPOS l a RANK -2 COUNT 0`, `LPOS l a RANK -1 COUNT 1`, `LPOS l a RANK 4 COUNT 0`),
	dc("LPOS/maxlen", `RPUSH l a b c a b c a`, `LPOS l a MAXLEN 1`, `LPOS l c MAXLEN 2`, `LPOS l c MAXLEN 3`, `LPOS l a MAXLEN 4 COUNT 0`, `LPOS l a RANK -1 MAXLEN 1`, `LPOS l b RANK -1 MAXLEN 1`,
		`LPOS l a RANK 2 MAXLEN 4`, `LPOS l a RANK 2 MAXLEN 3`, `LPOS l a MAXLEN 0 COUNT 0`, `LPOS l a MAXLEN 9223372036854775807 COUNT 0`),
	dc("LPOS/rank_extremes", `RPUSH l a b c a b c a`, `LPOS l a RANK -9223372036854775808`, `LPOS l a RANK -9223372036854775808 COUNT 1`,
		`LPOS l a RANK -9223372036854775808 COUNT 2 MAXLEN 3`, `LPOS l a RANK -9223372036854775808 COUNT 0`, `LPOS l a RANK -9223372036854775807`,
		`LPOS l a RANK 9223372036854775807`, `LPOS l a RANK 9223372036854775807 COUNT 1`, `LPOS l a RANK -9223372036854775807 COUNT 0`, `LPOS l a RANK 9223372036854775808`),
	dc("LPOS/rank_errors", `RPUSH l a`, `LPOS l a RANK 0`, `LPOS l a RANK abc`, `LPOS l a RANK ""`, `LPOS l a RANK -0`, `LPOS l a RANK 1.5`),
	dc("LPOS/option_errors", `RPUSH l a`, `LPOS l a COUNT -1`, `LPOS l a COUNT abc`, `LPOS l a MAXLEN -1`, `LPOS l a MAXLEN x`, `LPOS l a RANK`, `LPOS l a COUNT`,
		`LPOS l a MAXLEN`, `LPOS l a FOO 1`, `LPOS l a COUNT 1 FOO 2`, `LPOS l a RANK 0 COUNT -1`, `LPOS l a COUNT -1 RANK 0`, `LPOS l a COUNT 1 MAXLEN -5`),
	dc("LPOS/repeated_options", `RPUSH l a b a b a`, `LPOS l a COUNT 1 COUNT 2`, `LPOS l a rank 1 RANK 2`, `LPOS l a MAXLEN 1 MAXLEN 0 COUNT 0`, `lpos l a rank -1 count 0 maxlen 0`),
	dc("LPOS/missing", `LPOS m a`, `LPOS m a COUNT 1`, `LPOS m a COUNT 0 RANK -1`, `LPOS m a RANK 0`, `LPOS m a MAXLEN -1`),
	dc("LPOS/wrongtype", `SET s v`, `LPOS s a`, `LPOS s a COUNT 0`, `LPOS s a RANK 0`, `LPOS s a FOO`),
	dc("LPOS/resp3", `HELLO 3`, `LPOS m a`, `RPUSH l a b`, `LPOS l z`, `LPOS l a COUNT 0`, `LPOS m a COUNT 0`),
	dc("LPOS/large", pushN("l", 1000, cycle("a", "b", "c", "d", "e")), `LPOS l c`, `LPOS l c RANK 100`, `LPOS l c RANK -100`, `LPOS l e RANK -1`, `LPOS l a COUNT 5 RANK 30`, `LPOS l b MAXLEN 500 COUNT 0 RANK -50`, `LPOS l z COUNT 0`),

	// ---- LMOVE / RPOPLPUSH ----
	dc("LMOVE/basic", `RPUSH a 1 2 3 4`, `LMOVE a b LEFT RIGHT`, `LMOVE a b RIGHT LEFT`, `LMOVE a b left left`, `LMOVE a b right right`, `LRANGE b 0 -1`, `EXISTS a`, `LMOVE a b LEFT LEFT`),
	dc("LMOVE/same_key", `RPUSH l a b c`, `LMOVE l l LEFT RIGHT`, `LRANGE l 0 -1`, `LMOVE l l RIGHT LEFT`, `LRANGE l 0 -1`, `LMOVE l l LEFT LEFT`, `LMOVE l l RIGHT RIGHT`, `LRANGE l 0 -1`),
	dc("LMOVE/same_key_single", `RPUSH l a`, `EXPIRE l 100`, `LMOVE l l LEFT RIGHT`, `TTL l`, `LRANGE l 0 -1`, `RPOPLPUSH l l`, `TTL l`, `LLEN l`),
	dc("LMOVE/missing_src", `LMOVE m d LEFT RIGHT`, `EXISTS d`, `SET s v`, `LMOVE m s LEFT RIGHT`, `RPOPLPUSH m s`, `DBSIZE`),
	dc("LMOVE/wrongtype_src", `SET s v`, `LMOVE s d LEFT LEFT`, `RPOPLPUSH s d`, `EXISTS d`),
	dc("LMOVE/wrongtype_dst", `RPUSH l a b`, `SET s v`, `LMOVE l s LEFT LEFT`, `RPOPLPUSH l s`, `LRANGE l 0 -1`, `GET s`),
	dc("LMOVE/syntax", `RPUSH l a`, `LMOVE l d UP LEFT`, `LMOVE l d LEFT DOWN`, `LMOVE m d x y`, `SET s v`, `LMOVE s d x LEFT`, `LMOVE l d "" LEFT`, `LRANGE l 0 -1`),
	dc("LMOVE/empties_src", `RPUSH a x`, `LMOVE a b LEFT LEFT`, `EXISTS a`, `TYPE b`, `LRANGE b 0 -1`, `DBSIZE`),
	dc("LMOVE/dst_ttl", `RPUSH a x y`, `RPUSH b z`, `EXPIRE b 100`, `EXPIRE a 200`, `LMOVE a b LEFT LEFT`, `TTL b`, `TTL a`, `LMOVE a b LEFT LEFT`, `TTL b`, `EXISTS a`),
	dc("LMOVE/dst_expired", `RPUSH a x`, `RPUSH b z`, `PEXPIRE b 1`, `@SLEEP 20`, `LMOVE a b LEFT LEFT`, `LRANGE b 0 -1`, `PTTL b`),
	dc("LMOVE/src_expired", `RPUSH a x`, `PEXPIRE a 1`, `@SLEEP 20`, `LMOVE a b LEFT LEFT`, `EXISTS b`, `EXISTS a`),
	dc("LMOVE/binary", `RPUSH a "\x00\xff" ""`, `LMOVE a "\x00" RIGHT LEFT`, `LMOVE a "\x00" RIGHT LEFT`, `LRANGE "\x00" 0 -1`, `EXISTS a`),
	dc("LMOVE/large", pushN("a", 300, numbered), `LMOVE a b LEFT RIGHT`, `LMOVE a a LEFT RIGHT`, `LMOVE a a RIGHT LEFT`, `LRANGE a 0 2`, `LRANGE a -2 -1`, `LLEN a`),
	dc("RPOPLPUSH/basic", `RPUSH a 1 2 3`, `RPOPLPUSH a b`, `RPOPLPUSH a b`, `LRANGE a 0 -1`, `LRANGE b 0 -1`, `RPOPLPUSH a b`, `EXISTS a`, `RPOPLPUSH a b`),
	dc("RPOPLPUSH/same_key", `RPUSH l 1 2 3`, `RPOPLPUSH l l`, `RPOPLPUSH l l`, `LRANGE l 0 -1`),
	dc("RPOPLPUSH/resp3", `HELLO 3`, `RPOPLPUSH m d`, `LMOVE m d LEFT LEFT`, `RPUSH a x`, `RPOPLPUSH a d`),
	dc("LMOVE/arity", `LMOVE a b LEFT`, `LMOVE a b LEFT RIGHT x`, `RPOPLPUSH a`, `RPOPLPUSH a b c`),

	// ---- LMPOP ----
	dc("LMPOP/basic", `RPUSH a 1 2 3`, `LMPOP 1 a LEFT`, `LMPOP 1 a RIGHT COUNT 5`, `EXISTS a`, `LMPOP 1 a LEFT`),
	dc("LMPOP/count", `RPUSH a 1 2 3 4 5`, `LMPOP 1 a LEFT COUNT 2`, `LMPOP 1 a RIGHT COUNT 2`, `LMPOP 1 a right count 1`, `EXISTS a`),
	dc("LMPOP/several_keys", `RPUSH c 1 2`, `RPUSH d 3`, `LMPOP 4 a b c d LEFT COUNT 1`, `LMPOP 4 a b c d LEFT COUNT 5`, `LMPOP 4 a b c d LEFT COUNT 5`, `LMPOP 4 a b c d LEFT`, `DBSIZE`),
	dc("LMPOP/wrongtype_first", `SET a v`, `RPUSH b 1 2`, `LMPOP 2 a b LEFT`, `LMPOP 2 b a LEFT`, `LMPOP 2 b a LEFT`, `LMPOP 2 b a LEFT`, `LRANGE b 0 -1`),
	dc("LMPOP/errors", `RPUSH l 1`, `LMPOP 0 l LEFT`, `LMPOP -1 l LEFT`, `LMPOP abc l LEFT`, `LMPOP "" l LEFT`, `LMPOP 9223372036854775807 l LEFT`,
		`LMPOP 9223372036854775806 l LEFT`, `LMPOP 2147483648 l LEFT`, `LMPOP 2 l LEFT`, `LMPOP 3 l l LEFT`, `LMPOP 1 l MIDDLE`, `LMPOP 1 l LEFT COUNT 0`, `LMPOP 1 l LEFT COUNT -1`,
		`LMPOP 1 l LEFT COUNT abc`, `LMPOP 1 l LEFT COUNT`, `LMPOP 1 l LEFT COUNT 1 COUNT 1`, `LMPOP 1 l LEFT FOO`, `LMPOP 1 l LEFT COUNT 1 FOO`, `LMPOP 1.0 l LEFT`, `LLEN l`),
	dc("LMPOP/errors_before_type", `SET s v`, `LMPOP 1 s LEFT COUNT 0`, `LMPOP 1 s MIDDLE`, `LMPOP 1 s LEFT`),
	dc("LMPOP/dup_keys", `RPUSH a 1`, `LMPOP 2 a a LEFT COUNT 3`, `LMPOP 2 a a LEFT COUNT 3`),
	dc("LMPOP/count_huge", `RPUSH a 1 2 3`, `LMPOP 1 a RIGHT COUNT 9223372036854775807`, `EXISTS a`),
	dc("LMPOP/missing", `LMPOP 1 m LEFT`, `LMPOP 3 m n o RIGHT COUNT 3`),
	dc("LMPOP/resp3", `HELLO 3`, `LMPOP 1 m LEFT`, `RPUSH a 1 2`, `LMPOP 1 a RIGHT COUNT 2`),
	dc("LMPOP/arity", `LMPOP 1 a`, `LMPOP 1`, `LMPOP`),
	dc("LMPOP/expired", `RPUSH a 1`, `RPUSH b 2`, `PEXPIRE a 1`, `@SLEEP 20`, `LMPOP 2 a b LEFT`, `EXISTS a`),

	// ---- every command on a string ----
	dc("LIST/wrongtype_all", `SET s v`, `LPUSH s a`, `RPUSHX s a`, `LPOP s`, `RPOP s 2`, `LLEN s`, `LRANGE s 0 -1`, `LINDEX s 0`, `LSET s 0 a`,
		`LINSERT s BEFORE a b`, `LREM s 0 a`, `LTRIM s 0 1`, `LPOS s a`, `LMOVE s s LEFT LEFT`, `RPOPLPUSH s s`, `LMPOP 1 s LEFT`, `GET s`),
	dc("LIST/string_commands_on_list", `RPUSH l a`, `GET l`, `GETDEL l`, `APPEND l x`, `INCR l`, `STRLEN l`, `SETRANGE l 0 x`, `GETRANGE l 0 1`, `LCS l l`,
		`SETBIT l 0 1`, `GETBIT l 0`, `BITCOUNT l`, `MGET l`, `GETEX l`, `LRANGE l 0 -1`),

	// ---- keys holding lists ----
	dc("LIST/type_encoding", `RPUSH l a`, `TYPE l`, `OBJECT ENCODING l`, pushN("big", 300, numbered), `OBJECT ENCODING big`, `RPUSH b2 `+bigElem, `OBJECT ENCODING b2`, `OBJECT REFCOUNT l`),
	dc("LIST/encoding_config", `CONFIG SET list-max-listpack-size 4`, `RPUSH l a b c d e`, `OBJECT ENCODING l`, `CONFIG SET list-max-listpack-size -2`),
	dc("LIST/rename", `RPUSH l a b`, `RENAME l m`, `LRANGE m 0 -1`, `EXISTS l`, `RENAMENX m l2`, `LRANGE l2 0 -1`, `RPUSH l2 c`, `LRANGE l2 0 -1`),
	dc("LIST/rename_over", `SET s v`, `RPUSH l a`, `RPUSH l2 z`, `RENAME l s`, `TYPE s`, `LRANGE s 0 -1`, `RENAMENX s l2`, `RENAME s l2`, `LRANGE l2 0 -1`),
	dc("LIST/rename_same", `RPUSH l a`, `RENAME l l`, `RENAMENX l l`, `LRANGE l 0 -1`),
	dc("LIST/rename_keeps_ttl", `RPUSH l a`, `EXPIRE l 100`, `RENAME l m`, `TTL m`),
	dc("LIST/copy", `RPUSH l a b`, `COPY l c`, `LPUSH c x`, `LRANGE l 0 -1`, `LRANGE c 0 -1`, `COPY l c`, `COPY l c REPLACE`, `LRANGE c 0 -1`, `COPY l c DB 1`, `SELECT 1`, `LRANGE c 0 -1`, `RPOP c`, `SELECT 0`, `LRANGE l 0 -1`),
	dc("LIST/copy_over_string", `SET s v`, `RPUSH l a`, `COPY l s`, `COPY l s REPLACE`, `TYPE s`, `LRANGE s 0 -1`, `COPY s s2`, `LPOP s2`, `LRANGE s 0 -1`),
	dc("LIST/move", `RPUSH l a`, `MOVE l 1`, `EXISTS l`, `SELECT 1`, `LRANGE l 0 -1`, `LPUSH l b`, `MOVE l 0`, `SELECT 0`, `LRANGE l 0 -1`),
	dc("LIST/move_existing", `RPUSH l a`, `SELECT 1`, `RPUSH l b`, `SELECT 0`, `MOVE l 1`, `LRANGE l 0 -1`, `SELECT 1`, `LRANGE l 0 -1`),
	dc("LIST/del", `RPUSH l a`, `DEL l`, `LLEN l`, `LPUSH l b`, `LRANGE l 0 -1`, `UNLINK l`, `EXISTS l`),
	dc("LIST/expire", `RPUSH l a`, `EXPIRE l 100`, `TTL l`, `PERSIST l`, `TTL l`, `PEXPIRE l 1`, `@SLEEP 20`, `LLEN l`, `EXISTS l`, `LRANGE l 0 -1`),
	dc("LIST/expire_past", `RPUSH l a`, `EXPIREAT l 1`, `EXISTS l`, `LLEN l`, `RPUSH l b`, `LRANGE l 0 -1`),
	dc("LIST/scan_type", `RPUSH l1 a`, `RPUSH l2 b`, `SET s v`, `@SCANALL TYPE list`, `@SCANALL TYPE string`, `@SCANALL TYPE LIST`, `KEYS *`),
	dc("LIST/overwritten_by_set", `RPUSH l a`, `SET l v`, `GET l`, `TYPE l`, `RPUSH l a`, `GETSET l x`, `TYPE l`),
	dc("LIST/overwritten_by_set_ttl", `RPUSH l a`, `EXPIRE l 100`, `SET l v KEEPTTL`, `TTL l`, `TYPE l`),
	dc("LIST/flushdb", `RPUSH l a`, `SELECT 1`, `RPUSH l b`, `FLUSHDB`, `LLEN l`, `SELECT 0`, `LLEN l`, `FLUSHALL`, `LLEN l`, `RPUSH l c`, `LRANGE l 0 -1`),
	dc("LIST/swapdb", `RPUSH l a`, `SWAPDB 0 1`, `LLEN l`, `SELECT 1`, `LRANGE l 0 -1`, `RPUSH l b`, `SWAPDB 1 0`, `LRANGE l 0 -1`),
	dc("LIST/dbs", `SELECT 1`, `RPUSH l x`, `SELECT 0`, `LLEN l`, `RPUSH l y`, `SELECT 1`, `LRANGE l 0 -1`, `2> LRANGE l 0 -1`),
	dc("LIST/exists_touch_dbsize", `RPUSH a 1`, `RPUSH b 2`, `EXISTS a b c`, `TOUCH a b c`, `DBSIZE`, `RANDOMKEY`),

	// ---- transactions ----
	dc("LIST/multi", `MULTI`, `RPUSH l a b c`, `LPOP l`, `LRANGE l 0 -1`, `LMOVE l l LEFT RIGHT`, `LPOS l b`, `LMPOP 1 l RIGHT COUNT 9`, `EXISTS l`, `EXEC`),
	dc("LIST/multi_runtime_errors", `SET s v`, `MULTI`, `RPUSH l a`, `LPOP l -1`, `LPUSH s x`, `LSET l 5 x`, `LSET m 0 x`, `LPOS l a RANK 0`, `LMPOP 0 l LEFT`, `RPUSH l b`, `EXEC`, `LRANGE l 0 -1`),
	dc("LIST/multi_arity", `MULTI`, `RPUSH l`, `LPOP l`, `EXEC`, `EXISTS l`),
	dc("LIST/multi_discard", `RPUSH l a`, `MULTI`, `RPUSH l b`, `LPOP l`, `DISCARD`, `LRANGE l 0 -1`),
	dc("LIST/multi_expired", `RPUSH l a`, `PEXPIRE l 1`, `@SLEEP 20`, `MULTI`, `LLEN l`, `LRANGE l 0 -1`, `RPUSH l b`, `EXEC`, `PTTL l`),
	dc("LIST/watch_push", `WATCH l`, `2> RPUSH l a`, `MULTI`, `LLEN l`, `EXEC`),
	dc("LIST/watch_pushx_missing", `WATCH l`, `2> LPUSHX l a`, `MULTI`, `LLEN l`, `EXEC`),
	dc("LIST/watch_pop", `RPUSH l a b`, `WATCH l`, `2> LPOP l`, `MULTI`, `LLEN l`, `EXEC`),
	dc("LIST/watch_pop_missing", `WATCH l`, `2> LPOP l`, `2> RPOP l 3`, `MULTI`, `PING`, `EXEC`),
	dc("LIST/watch_pop_count_zero", `RPUSH l a`, `WATCH l`, `2> LPOP l 0`, `MULTI`, `PING`, `EXEC`),
	dc("LIST/watch_pop_empties", `RPUSH l a`, `WATCH l`, `2> RPOP l`, `MULTI`, `EXISTS l`, `EXEC`),
	dc("LIST/watch_lset", `RPUSH l a`, `WATCH l`, `2> LSET l 0 a`, `MULTI`, `PING`, `EXEC`),
	dc("LIST/watch_lset_error", `RPUSH l a`, `WATCH l`, `2> LSET l 5 a`, `MULTI`, `PING`, `EXEC`),
	dc("LIST/watch_linsert", `RPUSH l a`, `WATCH l`, `2> LINSERT l BEFORE zz b`, `MULTI`, `PING`, `EXEC`, `WATCH l`, `2> LINSERT l BEFORE a b`, `MULTI`, `PING`, `EXEC`),
	dc("LIST/watch_lrem", `RPUSH l a`, `WATCH l`, `2> LREM l 0 zz`, `MULTI`, `PING`, `EXEC`, `WATCH l`, `2> LREM l 0 a`, `MULTI`, `PING`, `EXEC`),
	dc("LIST/watch_ltrim_noop", `RPUSH l a b`, `WATCH l`, `2> LTRIM l 0 -1`, `MULTI`, `PING`, `EXEC`),
	dc("LIST/watch_ltrim_missing", `WATCH l`, `2> LTRIM l 0 -1`, `MULTI`, `PING`, `EXEC`),
	dc("LIST/watch_lmove_dst", `RPUSH a x`, `WATCH b`, `2> LMOVE a b LEFT LEFT`, `MULTI`, `PING`, `EXEC`),
	dc("LIST/watch_lmove_src", `RPUSH a x y`, `WATCH a`, `2> RPOPLPUSH a b`, `MULTI`, `PING`, `EXEC`),
	dc("LIST/watch_lmove_same", `RPUSH a x`, `WATCH a`, `2> LMOVE a a LEFT RIGHT`, `MULTI`, `PING`, `EXEC`),
	dc("LIST/watch_lmove_missing", `WATCH a b`, `2> LMOVE a b LEFT RIGHT`, `MULTI`, `PING`, `EXEC`),
	dc("LIST/watch_lmpop", `RPUSH b x`, `WATCH a b`, `2> LMPOP 2 a b LEFT`, `MULTI`, `PING`, `EXEC`),
	dc("LIST/watch_read", `RPUSH l a`, `WATCH l`, `2> LRANGE l 0 -1`, `2> LPOS l a`, `2> LINDEX l 0`, `2> LLEN l`, `MULTI`, `PING`, `EXEC`),
	dc("LIST/watch_expired", `RPUSH l a`, `PEXPIRE l 1`, `@SLEEP 20`, `WATCH l`, `2> LPUSH l b`, `MULTI`, `PING`, `EXEC`, `LRANGE l 0 -1`),
}

// ---- the random generator ----

// listElem is a list element: mostly a few short words so that LREM, LPOS
// and LINSERT find their pivots, sometimes a tricky value.
func (g *cmdGen) listElem() string {
	if g.r.Intn(5) == 0 {
		return g.val()
	}
	return g.pick("a", "b", "c", "d", "")
}

// listIndex is a list index or range bound: small (in and out of a short
// list), sometimes extreme or not a number.
func (g *cmdGen) listIndex() string {
	switch g.r.Intn(15) {
	case 0:
		return g.pick("9223372036854775807", "-9223372036854775808", "9223372036854775808", "abc", "", "1.5")
	case 1:
		return strconv.Itoa(g.r.Intn(400) - 200)
	default:
		return strconv.Itoa(g.r.Intn(16) - 8)
	}
}

// listCount is a non-negative count for pops, LPOS and LMPOP, with the
// invalid and extreme spellings now and then.
func (g *cmdGen) listCount() string {
	switch g.r.Intn(12) {
	case 0:
		return g.pick("-1", "abc", "", "9223372036854775807", "9223372036854775808", "-9223372036854775808")
	case 1:
		return "0"
	default:
		return strconv.Itoa(1 + g.r.Intn(5))
	}
}

func (g *cmdGen) listEnd() string {
	if g.r.Intn(20) == 0 {
		return g.pick("UP", "", "middle")
	}
	return g.pick("LEFT", "RIGHT", "left", "Right")
}

// listCommand returns a random list command (TestDiffRandomTypes).
func (g *cmdGen) listCommand(conn int) []string {
	k := g.key()
	switch g.r.Intn(25) {
	case 0, 1, 2, 3:
		args := []string{g.pick("LPUSH", "RPUSH", "LPUSH", "RPUSH", "LPUSHX", "RPUSHX"), k}
		for i := 0; i < 1+g.r.Intn(4); i++ {
			args = append(args, g.listElem())
		}
		return args
	case 4, 5:
		args := []string{g.pick("LPOP", "RPOP"), k}
		if g.r.Intn(2) == 0 {
			args = append(args, g.listCount())
		}
		return args
	case 6:
		return []string{"LLEN", k}
	case 7, 8:
		return []string{"LRANGE", k, g.listIndex(), g.listIndex()}
	case 9:
		return []string{"LINDEX", k, g.listIndex()}
	case 10:
		return []string{"LSET", k, g.listIndex(), g.listElem()}
	case 11:
		return []string{"LINSERT", k, g.pick("BEFORE", "AFTER", "before", "after", "middle"), g.listElem(), g.listElem()}
	case 12:
		return []string{"LREM", k, g.pick("0", "1", "2", "-1", "-2", "-9223372036854775808", "x", strconv.Itoa(g.r.Intn(10)-5)), g.listElem()}
	case 13:
		return []string{"LTRIM", k, g.listIndex(), g.listIndex()}
	case 14, 15:
		args := []string{"LPOS", k, g.listElem()}
		for _, o := range g.r.Perm(3)[:g.r.Intn(4)] {
			switch o {
			case 0:
				args = append(args, "RANK", g.pick("1", "2", "-1", "-2", "3", "0", "-9223372036854775808", "9223372036854775807", "x"))
			case 1:
				args = append(args, "COUNT", g.listCount())
			case 2:
				args = append(args, "MAXLEN", g.pick("0", "1", "2", "5", "0", "1", "2", "5", "-1"))
			}
		}
		if g.r.Intn(30) == 0 {
			args = append(args, g.pick("RANK", "FOO"))
		}
		return args
	case 16, 17:
		return []string{"LMOVE", k, g.key(), g.listEnd(), g.listEnd()}
	case 18:
		return []string{"RPOPLPUSH", k, g.key()}
	case 19, 20:
		keys := g.keys(1)
		n := strconv.Itoa(len(keys))
		if g.r.Intn(15) == 0 {
			n = g.pick("0", "-1", "x", "9", "9223372036854775807")
		}
		args := append([]string{"LMPOP", n}, keys...)
		args = append(args, g.listEnd())
		if g.r.Intn(2) == 0 {
			args = append(args, "COUNT", g.listCount())
		}
		return args
	case 21:
		return splitWords([]string{g.pick("TYPE", "OBJECT ENCODING", "EXISTS"), k})
	case 22:
		// Other types' keys make list commands fail with WRONGTYPE; make
		// room for lists now and then.
		return []string{"DEL", k}
	default:
		return []string{"LRANGE", k, "0", "-1"}
	}
}
