package keel

// Sorted set commands (Redis 7.0 t_zset.c), the non-blocking ones: ZADD
// ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT ZRANGE
// ZRANGESTORE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX
// ZREVRANGE ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN
// ZPOPMAX ZMPOP ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE
// ZINTERCARD ZRANDMEMBER ZSCAN. The blocking pops build on popZSet,
// mpopArgs (collections.go), zsetEnd and replyZPairs.
//
// A sorted set is a keyspace entry plus its value in the zsets engine
// (collections.go). Every change is logged as its effect (DESIGN
// invariant 2): ZADD and ZINCRBY log the absolute scores they set
// (opZAdd), ZREM the members it removes, the range removals and the pops
// their normalized ranges or bounds, a …STORE its computed result.
// Arguments are validated, in Redis's order, before anything changes.
//
// Encoding: OBJECT ENCODING reports listpack or skiplist as Redis 7.0
// would. Redis converts a listpack to a skiplist when an insertion makes
// it exceed zset-max-listpack-entries or inserts a member longer than
// zset-max-listpack-value, and never converts back, except that a
// …STORE destination is built and then made a listpack if it fits. The
// handler applies those rules and logs the result as bit 0 of opZAdd's
// flags, so recovery does not depend on the configuration. A listpack
// keeps a score as text ("%.17g", integers as integers), which turns -0
// into 0: scores written while the zset is a listpack are normalized
// likewise (zsetStored), and ZSCAN formats a listpack's scores that way.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/keeldb/keel/memtables"
)

// Error replies of the sorted set commands, with Redis 7.0's texts.
const (
	errZMinMax      = "ERR min or max is not a float"
	errZLexRange    = "ERR min or max not valid string range item"
	errZNaN         = "ERR resulting score is not a number (NaN)"
	errZXXNX        = "ERR XX and NX options at the same time are not compatible"
	errZGTLTNX      = "ERR GT, LT, and/or NX options at the same time are not compatible"
	errZIncrPair    = "ERR INCR option supports a single increment-element pair"
	errZLimitRank   = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	errZLexScores   = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
	errZWeight      = "ERR weight value is not a float"
	errZPopCount    = "ERR value is out of range, must be positive"
	errZInterLimit  = "ERR LIMIT can't be negative"
	errZCursor      = "ERR invalid cursor"
	errZInputKeyFmt = "ERR at least 1 input key is needed for '%s' command"
)

func init() {
	wf := []string{"write", "sortedset", "fast"}
	ws := []string{"write", "sortedset", "slow"}
	rf := []string{"read", "sortedset", "fast"}
	rs := []string{"read", "sortedset", "slow"}
	const g = "sorted-set"
	Register(
		&Command{Name: "zadd", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: g, Summary: "Add one or more members to a sorted set, or update its score if it already exists", Since: "1.2.0", Handler: cmdZAdd},
		&Command{Name: "zincrby", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: g, Summary: "Increment the score of a member in a sorted set", Since: "1.2.0", Handler: cmdZIncrBy},
		&Command{Name: "zrem", Arity: -3, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: g, Summary: "Remove one or more members from a sorted set", Since: "1.2.0", Handler: cmdZRem},
		&Command{Name: "zcard", Arity: 2, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: g, Summary: "Get the number of members in a sorted set", Since: "1.2.0", Handler: cmdZCard},
		&Command{Name: "zscore", Arity: 3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: g, Summary: "Get the score associated with the given member in a sorted set", Since: "1.2.0", Handler: cmdZScore},
		&Command{Name: "zmscore", Arity: -3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: g, Summary: "Get the score associated with the given members in a sorted set", Since: "6.2.0", Handler: cmdZMScore},
		&Command{Name: "zrank", Arity: 3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: g, Summary: "Determine the index of a member in a sorted set", Since: "2.0.0", Handler: cmdZRank},
		&Command{Name: "zrevrank", Arity: 3, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: g, Summary: "Determine the index of a member in a sorted set, with scores ordered from high to low", Since: "2.0.0", Handler: cmdZRevRank},
		&Command{Name: "zcount", Arity: 4, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: g, Summary: "Count the members in a sorted set with scores within the given values", Since: "2.0.0", Handler: cmdZCount},
		&Command{Name: "zlexcount", Arity: 4, Flags: FlagReadonly | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: rf, Group: g, Summary: "Count the number of members in a sorted set between a given lexicographical range", Since: "2.8.9", Handler: cmdZLexCount},
		&Command{Name: "zrange", Arity: -4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: g, Summary: "Return a range of members in a sorted set", Since: "1.2.0", Handler: cmdZRange},
		&Command{Name: "zrangestore", Arity: -5, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 2, Step: 1, ACL: ws, Group: g, Summary: "Store a range of members from sorted set into another key", Since: "6.2.0", Handler: cmdZRangeStore},
		&Command{Name: "zrangebyscore", Arity: -4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: g, Summary: "Return a range of members in a sorted set, by score", Since: "1.0.5", Handler: cmdZRangeByScore},
		&Command{Name: "zrevrangebyscore", Arity: -4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: g, Summary: "Return a range of members in a sorted set, by score, with scores ordered from high to low", Since: "2.2.0", Handler: cmdZRevRangeByScore},
		&Command{Name: "zrangebylex", Arity: -4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: g, Summary: "Return a range of members in a sorted set, by lexicographical range", Since: "2.8.9", Handler: cmdZRangeByLex},
		&Command{Name: "zrevrangebylex", Arity: -4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: g, Summary: "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", Since: "2.8.9", Handler: cmdZRevRangeByLex},
		&Command{Name: "zrevrange", Arity: -4, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: g, Summary: "Return a range of members in a sorted set, by index, with scores ordered from high to low", Since: "1.2.0", Handler: cmdZRevRange},
		&Command{Name: "zremrangebyrank", Arity: 4, Flags: FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, ACL: ws, Group: g, Summary: "Remove all members in a sorted set within the given indexes", Since: "2.0.0", Handler: cmdZRemRangeByRank},
		&Command{Name: "zremrangebyscore", Arity: 4, Flags: FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, ACL: ws, Group: g, Summary: "Remove all members in a sorted set within the given scores", Since: "1.2.0", Handler: cmdZRemRangeByScore},
		&Command{Name: "zremrangebylex", Arity: 4, Flags: FlagWrite, FirstKey: 1, LastKey: 1, Step: 1, ACL: ws, Group: g, Summary: "Remove all members in a sorted set between the given lexicographical range", Since: "2.8.9", Handler: cmdZRemRangeByLex},
		&Command{Name: "zpopmin", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: g, Summary: "Remove and return members with the lowest scores in a sorted set", Since: "5.0.0", Handler: cmdZPopMin},
		&Command{Name: "zpopmax", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1, ACL: wf, Group: g, Summary: "Remove and return members with the highest scores in a sorted set", Since: "5.0.0", Handler: cmdZPopMax},
		// The commands below take numkeys: Redis reports their keys as
		// movablekeys (first/last/step 0, or only the destination).
		&Command{Name: "zmpop", Arity: -4, Flags: FlagWrite, KeyNum: 1, ACL: ws, Group: g, Summary: "Remove and return members with scores in a sorted set", Since: "7.0.0", Handler: cmdZMPop},
		&Command{Name: "zunion", Arity: -3, Flags: FlagReadonly, KeyNum: 1, ACL: rs, Group: g, Summary: "Add multiple sorted sets", Since: "6.2.0", Handler: cmdZUnion},
		&Command{Name: "zinter", Arity: -3, Flags: FlagReadonly, KeyNum: 1, ACL: rs, Group: g, Summary: "Intersect multiple sorted sets", Since: "6.2.0", Handler: cmdZInter},
		&Command{Name: "zdiff", Arity: -3, Flags: FlagReadonly, KeyNum: 1, ACL: rs, Group: g, Summary: "Subtract multiple sorted sets", Since: "6.2.0", Handler: cmdZDiff},
		&Command{Name: "zintercard", Arity: -3, Flags: FlagReadonly, KeyNum: 1, ACL: rs, Group: g, Summary: "Intersect multiple sorted sets and return the cardinality of the result", Since: "7.0.0", Handler: cmdZInterCard},
		&Command{Name: "zunionstore", Arity: -4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, KeyNum: 2, ACL: ws, Group: g, Summary: "Add multiple sorted sets and store the resulting sorted set in a new key", Since: "2.0.0", Handler: cmdZUnionStore},
		&Command{Name: "zinterstore", Arity: -4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, KeyNum: 2, ACL: ws, Group: g, Summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key", Since: "2.0.0", Handler: cmdZInterStore},
		&Command{Name: "zdiffstore", Arity: -4, Flags: FlagWrite | FlagDenyOOM, FirstKey: 1, LastKey: 1, Step: 1, KeyNum: 2, ACL: ws, Group: g, Summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key", Since: "6.2.0", Handler: cmdZDiffStore},
		&Command{Name: "zrandmember", Arity: -2, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: g, Summary: "Get one or multiple random elements from a sorted set", Since: "6.2.0", Handler: cmdZRandMember},
		&Command{Name: "zscan", Arity: -3, Flags: FlagReadonly, FirstKey: 1, LastKey: 1, Step: 1, ACL: rs, Group: g, Summary: "Incrementally iterate sorted sets elements and associated scores", Since: "2.8.0", Handler: cmdZScan},
	)
}

// ---- parsing scores and ranges ----

// cStrtod parses a prefix of b as glibc's strtod(3) does in the C locale:
// leading white space, an optional sign, then a decimal or hexadecimal
// number, "inf", "infinity" or "nan" (with an optional "(chars)"), all
// case-insensitive. It returns the value, the length of the prefix it
// used (0 when there is no number: strtod's end pointer is then the
// start, white space included) and erange when the value overflowed to
// ±inf or a non-zero number underflowed to 0 (errno ERANGE for Redis's
// purposes).
func cStrtod(b []byte) (f float64, n int, erange bool) {
	i := 0
	for i < len(b) && cIsSpace(b[i]) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	sign := func(v float64) float64 {
		if neg {
			return -v
		}
		return v
	}
	rest := b[i:]
	switch {
	case hasPrefixFold(rest, "inf"):
		n = i + 3
		if hasPrefixFold(rest, "infinity") {
			n = i + 8
		}
		return sign(math.Inf(1)), n, false
	case hasPrefixFold(rest, "nan"):
		n = i + 3
		if n < len(b) && b[n] == '(' {
			j := n + 1
			for j < len(b) && (cIsAlnum(b[j]) || b[j] == '_') {
				j++
			}
			if j < len(b) && b[j] == ')' {
				n = j + 1
			}
		}
		return math.NaN(), n, false
	case len(rest) > 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X') &&
		(cIsXDigit(rest[2]) || len(rest) > 3 && rest[2] == '.' && cIsXDigit(rest[3])):
		f, m, erange := cStrtodHex(rest[2:])
		return sign(f), i + 2 + m, erange
	}
	j, digits, nonzero := i, 0, false
	for ; j < len(b) && cIsDigit(b[j]); j++ {
		digits++
		nonzero = nonzero || b[j] != '0'
	}
	if j < len(b) && b[j] == '.' {
		for j++; j < len(b) && cIsDigit(b[j]); j++ {
			digits++
			nonzero = nonzero || b[j] != '0'
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	j = cExpEnd(b, j, 'e')
	f, err := strconv.ParseFloat(string(b[i:j]), 64)
	erange = err != nil || (f == 0 && nonzero)
	return sign(f), j, erange
}

// cStrtodHex parses the hexadecimal mantissa and optional binary exponent
// that follow "0x" (see cStrtod).
func cStrtodHex(b []byte) (f float64, n int, erange bool) {
	nonzero := false
	for n < len(b) && cIsXDigit(b[n]) {
		nonzero = nonzero || b[n] != '0'
		n++
	}
	if n < len(b) && b[n] == '.' {
		for n++; n < len(b) && cIsXDigit(b[n]); n++ {
			nonzero = nonzero || b[n] != '0'
		}
	}
	mant := b[:n]
	exp := "p0"
	if e := cExpEnd(b, n, 'p'); e > n {
		exp, n = string(b[n:e]), e
	}
	f, err := strconv.ParseFloat("0x"+string(mant)+exp, 64)
	return f, n, err != nil || (f == 0 && nonzero)
}

// cExpEnd returns the end of an exponent ("e" or "p", either case, an
// optional sign and at least one digit) starting at b[j], or j if there
// is none.
func cExpEnd(b []byte, j int, letter byte) int {
	if j >= len(b) || b[j]|0x20 != letter {
		return j
	}
	k := j + 1
	if k < len(b) && (b[k] == '+' || b[k] == '-') {
		k++
	}
	if k >= len(b) || !cIsDigit(b[k]) {
		return j
	}
	for k < len(b) && cIsDigit(b[k]) {
		k++
	}
	return k
}

func cIsSpace(c byte) bool  { return c == ' ' || c >= '\t' && c <= '\r' }
func cIsDigit(c byte) bool  { return c >= '0' && c <= '9' }
func cIsXDigit(c byte) bool { return cIsDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' }
func cIsAlnum(c byte) bool  { return cIsDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' }

// hasPrefixFold reports whether b starts with the lower-case word w,
// ignoring ASCII case.
func hasPrefixFold(b []byte, w string) bool {
	return len(b) >= len(w) && eqFold(b[:len(w)], w)
}

// zsetParseScore parses a score or weight as Redis's string2d does: strtod
// over the whole argument, with no leading space, no overflow, no
// non-zero value underflowing to 0, and not NaN.
func zsetParseScore(b []byte) (float64, bool) {
	if f, ok := zsetScoreInt(b); ok {
		return f, true
	}
	if len(b) == 0 || cIsSpace(b[0]) {
		return 0, false
	}
	f, n, erange := cStrtod(b)
	if n != len(b) || erange || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// zsetScoreInt is zsetParseScore's fast path for the common score: an
// optional sign and 1 to 15 decimal digits. Such an integer is below 2^53,
// so float64 holds it exactly and strtod's result is that float64 (a
// negative zero included).
func zsetScoreInt(b []byte) (float64, bool) {
	i := 0
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		i = 1
	}
	if d := len(b) - i; d < 1 || d > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b[i:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	f := float64(n)
	if b[0] == '-' {
		f = -f
	}
	return f, true
}

// zsetScoreBound parses one end of a score range as zslParseRange does:
// "(" makes it exclusive, the rest is strtod'ed up to the end of the
// string or a NUL byte (C string semantics: "" and "(" are 0), NaN is
// refused.
func zsetScoreBound(b []byte) (f float64, ex, ok bool) {
	if len(b) > 0 && b[0] == '(' {
		ex, b = true, b[1:]
	}
	f, n, _ := cStrtod(b)
	if (n < len(b) && b[n] != 0) || math.IsNaN(f) {
		return 0, false, false
	}
	return f, ex, true
}

// zsetScoreRange parses ZRANGEBYSCORE's min and max.
func zsetScoreRange(min, max []byte) (memtables.ScoreRange, bool) {
	var r memtables.ScoreRange
	var ok1, ok2 bool
	r.Min, r.MinEx, ok1 = zsetScoreBound(min)
	r.Max, r.MaxEx, ok2 = zsetScoreBound(max)
	return r, ok1 && ok2
}

// zsetLexBound parses one end of a lex range as zslParseLexRangeItem: "-" and
// "+" are the infinities (the C string must end after the sign), "(" and
// "[" prefix an exclusive or inclusive member.
func zsetLexBound(b []byte) (v []byte, ex, minInf, maxInf, ok bool) {
	if len(b) == 0 {
		return nil, false, false, false, false
	}
	switch b[0] {
	case '+', '-':
		if len(b) > 1 && b[1] != 0 {
			return nil, false, false, false, false
		}
		return nil, true, b[0] == '-', b[0] == '+', true
	case '(':
		return b[1:], true, false, false, true
	case '[':
		return b[1:], false, false, false, true
	}
	return nil, false, false, false, false
}

// zsetLexRange parses ZRANGEBYLEX's min and max. empty reports a range
// that memtables.LexRange cannot express and that matches nothing: "+"
// as the minimum or "-" as the maximum.
func zsetLexRange(min, max []byte) (r memtables.LexRange, empty, ok bool) {
	var minMax, maxMin bool
	var ok1, ok2 bool
	r.Min, r.MinEx, r.MinInf, minMax, ok1 = zsetLexBound(min)
	r.Max, r.MaxEx, maxMin, r.MaxInf, ok2 = zsetLexBound(max)
	return r, minMax || maxMin, ok1 && ok2
}

// ---- encoding ----

// zsetLimits returns zset-max-listpack-entries and -value.
func (c *Ctx) zsetLimits() (entries, value int) {
	return int(min(c.DB.tuning.ZSetMaxListpackEntries.Load(), math.MaxInt32)),
		int(min(c.DB.tuning.ZSetMaxListpackValue.Load(), math.MaxInt32))
}

// zsetStored is the score a zset keeps for score: a listpack (big false)
// stores it as text (d2string), which writes -0 as "0".
func zsetStored(score float64, big bool) float64 {
	if score == 0 && !big {
		return 0
	}
	return score
}

// zsetFlags is opZAdd's flags byte for the encoding big.
func zsetFlags(big bool) uint8 {
	if big {
		return zsetAddBig
	}
	return 0
}

// listpackScore formats a score as a listpack holds it (d2string): an
// integral value within ±2^62 as an integer, else "%.17g". ZSCAN of a
// listpack returns it so.
func listpackScore(f float64) string {
	if f >= -(1<<62) && f <= 1<<62 && f == math.Trunc(f) {
		return strconv.FormatInt(int64(f), 10)
	}
	return formatFloat(f)
}

// zsetRankRange normalizes a start..end rank range (negative from the
// end) over a zset of n members as Redis's ZRANGE and ZREMRANGEBYRANK do;
// ok is false when the range is empty.
func zsetRankRange(start, end int64, n int) (s, e int, ok bool) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if end < 0 {
		end += ln
	}
	start = max(start, 0)
	if start > end || start >= ln {
		return 0, 0, false
	}
	return int(start), int(min(end, ln-1)), true
}

// ---- replies ----

// replyZPairs writes es as member, score pairs: nested (an array of
// two-element arrays) or flat.
func (c *Ctx) replyZPairs(es []memtables.ZEntry, nested bool) {
	if nested {
		c.R.Array(len(es))
	} else {
		c.R.Array(2 * len(es))
	}
	for _, e := range es {
		if nested {
			c.R.Array(2)
		}
		c.R.BulkString(e.Member)
		c.R.Double(e.Score)
	}
}

// replyZEntries writes a range result: members only, or with scores flat
// in RESP2 and as pairs in RESP3 (Redis's WITHSCORES replies).
func (c *Ctx) replyZEntries(es []memtables.ZEntry, withScores bool) {
	if withScores {
		c.replyZPairs(es, c.R.Proto() > 2)
		return
	}
	c.R.Array(len(es))
	for _, e := range es {
		c.R.BulkString(e.Member)
	}
}

// replyZRank writes what replyZEntries would for the members of ranks
// s..e of z (a valid range, as ByRank takes it) without collecting them.
func (c *Ctx) replyZRank(z *memtables.ZSet, s, e int, reverse, withScores bool) {
	n := e - s + 1
	nested := withScores && c.R.Proto() > 2
	switch {
	case withScores && !nested:
		c.R.Array(2 * n)
	default:
		c.R.Array(n)
	}
	z.ByRank(s, e, reverse, func(m string, score float64) bool {
		if nested {
			c.R.Array(2)
		}
		c.R.BulkString(m)
		if withScores {
			c.R.Double(score)
		}
		return true
	})
}

// zentryCmp orders entries as a sorted set does: by score, then member.
func zentryCmp(a, b memtables.ZEntry) int {
	switch {
	case a.Score < b.Score:
		return -1
	case a.Score > b.Score:
		return 1
	}
	return strings.Compare(a.Member, b.Member)
}

// ---- ZADD ZINCRBY ZREM ----

// zaddOpts are ZADD's flags.
type zaddOpts struct {
	nx, xx, gt, lt, ch, incr bool
}

func cmdZAdd(c *Ctx) {
	var o zaddOpts
	i := 2
	for ; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case eqFold(a, "nx"):
			o.nx = true
		case eqFold(a, "xx"):
			o.xx = true
		case eqFold(a, "gt"):
			o.gt = true
		case eqFold(a, "lt"):
			o.lt = true
		case eqFold(a, "ch"):
			o.ch = true
		case eqFold(a, "incr"):
			o.incr = true
		default:
			zadd(c, i, o)
			return
		}
	}
	zadd(c, i, o)
}

func cmdZIncrBy(c *Ctx) { zadd(c, 2, zaddOpts{incr: true}) }

// zadd is zaddGenericCommand: score, member pairs from c.Args[at]. The
// pairs are applied in order as Redis applies them (a member may repeat;
// GT, LT, NX, XX and INCR see the score the previous pairs left), and the
// scores that change are logged in that order.
func zadd(c *Ctx, at int, o zaddOpts) {
	pairs := c.Args[at:]
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		c.Error(errSyntax)
		return
	}
	switch {
	case o.nx && o.xx:
		c.Error(errZXXNX)
		return
	case o.gt && o.nx || o.lt && o.nx || o.gt && o.lt:
		c.Error(errZGTLTNX)
		return
	case o.incr && len(pairs) > 2:
		c.Error(errZIncrPair)
		return
	}
	scores := make([]float64, len(pairs)/2)
	for j := range scores {
		f, ok := zsetParseScore(pairs[2*j])
		if !ok {
			c.Error(errNotFloat)
			return
		}
		scores[j] = f
	}
	key := c.Args[1]
	z, found, ok := c.writeZSet(key)
	if !ok {
		return
	}
	if !found && o.xx {
		zaddReply(c, o, 0, 0, false, 0)
		return
	}
	entries, maxValue := c.zsetLimits()
	big, n := false, 0
	if found {
		big, n = z.Big(), z.Len()
	}
	var (
		vals                      [][]byte
		set                       []float64
		written                   map[string]float64 // scores set by earlier pairs
		added, updated, processed int
		score                     float64
	)
	current := func(m []byte) (float64, bool) {
		if s, ok := written[string(m)]; ok {
			return s, true
		}
		if z == nil {
			return 0, false
		}
		return z.Score(string(m))
	}
	for j, s := range scores {
		m := pairs[2*j+1]
		cur, exists := current(m)
		if exists {
			if o.nx {
				continue
			}
			if o.incr {
				if s += cur; math.IsNaN(s) {
					c.Error(errZNaN)
					return
				}
			}
			if o.lt && s >= cur || o.gt && s <= cur {
				continue
			}
			processed++
			score = s
			if s == cur {
				continue
			}
			updated++
		} else {
			if o.xx {
				continue
			}
			if !big && (n+1 > entries || len(m) > maxValue) {
				big = true
			}
			n++
			added++
			processed++
			score = s
		}
		st := zsetStored(s, big)
		if len(scores) == 1 {
			// One pair (redis-benchmark's ZADD, ZINCRBY): the member is
			// logged straight from the arguments.
			vals, set = pairs[1:2:2], []float64{st}
			break
		}
		if written == nil {
			written = make(map[string]float64, len(scores))
		}
		written[string(m)] = st
		vals = append(vals, m)
		set = append(set, st)
	}
	if len(vals) > 0 {
		if !found {
			c.createKey(key, memtables.TypeZSet)
		} else {
			c.touch(key)
		}
		c.emit(&op{code: opZAdd, phys: c.phys(), key: key, side: zsetFlags(big), vals: vals, scores: set})
		if o.incr {
			c.notify(NotifyZSet, "zincr", key)
		} else {
			c.notify(NotifyZSet, "zadd", key)
		}
	}
	zaddReply(c, o, added, updated, processed > 0, score)
}

// zaddReply answers ZADD (the count of added, or with CH changed,
// members) or, with INCR, the new score (nil when nothing was done).
func zaddReply(c *Ctx, o zaddOpts, added, updated int, processed bool, score float64) {
	switch {
	case o.incr && processed:
		c.R.Double(score)
	case o.incr:
		c.R.Null()
	case o.ch:
		c.R.Int(int64(added + updated))
	default:
		c.R.Int(int64(added))
	}
}

func cmdZRem(c *Ctx) {
	key := c.Args[1]
	z, found, ok := c.writeZSet(key)
	if !ok {
		return
	}
	if !found {
		c.R.Int(0)
		return
	}
	rem := distinct(c.Args[2:], func(m []byte) bool {
		_, in := z.Score(string(m))
		return in
	})
	if len(rem) > 0 {
		c.emit(&op{code: opZRem, phys: c.phys(), key: key, vals: rem})
		c.notify(NotifyZSet, "zrem", key)
		c.dropIfEmpty(key, memtables.TypeZSet)
	}
	c.R.Int(int64(len(rem)))
}

// ---- ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT ----

func cmdZCard(c *Ctx) {
	z, found, ok := c.readZSet(c.Args[1])
	switch {
	case !ok:
	case !found:
		c.R.Int(0)
	default:
		c.R.Int(int64(z.Len()))
	}
}

func cmdZScore(c *Ctx) {
	z, found, ok := c.readZSet(c.Args[1])
	if !ok {
		return
	}
	if !found {
		c.R.Null()
		return
	}
	if s, in := z.Score(string(c.Args[2])); in {
		c.R.Double(s)
	} else {
		c.R.Null()
	}
}

// cmdZMScore treats a missing key as an empty zset.
func cmdZMScore(c *Ctx) {
	z, found, ok := c.readZSet(c.Args[1])
	if !ok {
		return
	}
	ms := c.Args[2:]
	c.R.Array(len(ms))
	for _, m := range ms {
		if found {
			if s, in := z.Score(string(m)); in {
				c.R.Double(s)
				continue
			}
		}
		c.R.Null()
	}
}

func cmdZRank(c *Ctx)    { zrank(c, false) }
func cmdZRevRank(c *Ctx) { zrank(c, true) }

func zrank(c *Ctx, reverse bool) {
	z, found, ok := c.readZSet(c.Args[1])
	if !ok {
		return
	}
	if !found {
		c.R.Null()
		return
	}
	if r, in := z.Rank(string(c.Args[2]), reverse); in {
		c.R.Int(int64(r))
	} else {
		c.R.Null()
	}
}

// cmdZCount parses the range before it looks the key up, as Redis does.
func cmdZCount(c *Ctx) {
	r, ok := zsetScoreRange(c.Args[2], c.Args[3])
	if !ok {
		c.Error(errZMinMax)
		return
	}
	z, found, ok := c.readZSet(c.Args[1])
	switch {
	case !ok:
	case !found:
		c.R.Int(0)
	default:
		c.R.Int(int64(z.CountScore(r)))
	}
}

func cmdZLexCount(c *Ctx) {
	r, empty, ok := zsetLexRange(c.Args[2], c.Args[3])
	if !ok {
		c.Error(errZLexRange)
		return
	}
	z, found, ok := c.readZSet(c.Args[1])
	switch {
	case !ok:
	case !found || empty:
		c.R.Int(0)
	default:
		c.R.Int(int64(z.CountLex(r)))
	}
}

// ---- ZRANGE and its variants ----

// zrangeBy is how a range command selects members; zrangeAuto until an
// option decides (ZRANGE, ZRANGESTORE).
type zrangeBy int

const (
	zrangeAuto zrangeBy = iota
	zrangeRank
	zrangeScore
	zrangeLex
)

// zrangeDir is a range command's direction; dirAuto until REV decides.
type zrangeDir int

const (
	dirAuto zrangeDir = iota
	dirForward
	dirReverse
)

func cmdZRange(c *Ctx)      { zrangeGeneric(c, 1, false, zrangeAuto, dirAuto) }
func cmdZRangeStore(c *Ctx) { zrangeGeneric(c, 2, true, zrangeAuto, dirAuto) }
func cmdZRevRange(c *Ctx)   { zrangeGeneric(c, 1, false, zrangeRank, dirReverse) }
func cmdZRangeByScore(c *Ctx) {
	zrangeGeneric(c, 1, false, zrangeScore, dirForward)
}
func cmdZRevRangeByScore(c *Ctx) {
	zrangeGeneric(c, 1, false, zrangeScore, dirReverse)
}
func cmdZRangeByLex(c *Ctx)    { zrangeGeneric(c, 1, false, zrangeLex, dirForward) }
func cmdZRevRangeByLex(c *Ctx) { zrangeGeneric(c, 1, false, zrangeLex, dirReverse) }

// zrangeGeneric is Redis's zrangeGenericCommand: c.Args[at] is the source
// key, followed by min, max and the options; store writes the result to
// c.Args[1] (ZRANGESTORE) instead of replying with it. Options are parsed
// first, then checked for conflicts, then the range, and only then is the
// key looked up.
func zrangeGeneric(c *Ctx, at int, store bool, by zrangeBy, dir zrangeDir) {
	args := c.Args
	withScores := false
	var offset, limit int64 = 0, -1
	for j := at + 3; j < len(args); j++ {
		a, left := args[j], len(args)-j-1
		switch {
		case !store && eqFold(a, "withscores"):
			withScores = true
		case eqFold(a, "limit") && left >= 2:
			var ok bool
			if offset, ok = parseInt(args[j+1]); !ok {
				c.Error(errNotInt)
				return
			}
			if limit, ok = parseInt(args[j+2]); !ok {
				c.Error(errNotInt)
				return
			}
			j += 2
		case dir == dirAuto && eqFold(a, "rev"):
			dir = dirReverse
		case by == zrangeAuto && eqFold(a, "bylex"):
			by = zrangeLex
		case by == zrangeAuto && eqFold(a, "byscore"):
			by = zrangeScore
		default:
			c.Error(errSyntax)
			return
		}
	}
	if by == zrangeAuto {
		by = zrangeRank
	}
	reverse := dir == dirReverse
	if limit != -1 && by == zrangeRank {
		c.Error(errZLimitRank)
		return
	}
	if withScores && by == zrangeLex {
		c.Error(errZLexScores)
		return
	}
	minArg, maxArg := args[at+1], args[at+2]
	if reverse && by != zrangeRank {
		minArg, maxArg = maxArg, minArg // given as max, min
	}
	var (
		start, end int64
		sr         memtables.ScoreRange
		lr         memtables.LexRange
		lexEmpty   bool
	)
	switch by {
	case zrangeRank:
		var ok bool
		if start, ok = parseInt(minArg); !ok {
			c.Error(errNotInt)
			return
		}
		if end, ok = parseInt(maxArg); !ok {
			c.Error(errNotInt)
			return
		}
	case zrangeScore:
		var ok bool
		if sr, ok = zsetScoreRange(minArg, maxArg); !ok {
			c.Error(errZMinMax)
			return
		}
	case zrangeLex:
		var ok bool
		if lr, lexEmpty, ok = zsetLexRange(minArg, maxArg); !ok {
			c.Error(errZLexRange)
			return
		}
	}
	z, found, ok := c.readZSet(args[at])
	if !ok {
		return
	}
	if found && by == zrangeRank && !store {
		// The count is known: reply while walking, collecting nothing.
		s, e, ok := zsetRankRange(start, end, z.Len())
		if !ok {
			c.R.Array(0)
			return
		}
		c.replyZRank(z, s, e, reverse, withScores)
		return
	}
	var out []memtables.ZEntry
	collect := func(m string, s float64) bool {
		out = append(out, memtables.ZEntry{Member: m, Score: s})
		return true
	}
	if found {
		switch by {
		case zrangeRank:
			if s, e, ok := zsetRankRange(start, end, z.Len()); ok {
				out = make([]memtables.ZEntry, 0, e-s+1)
				z.ByRank(s, e, reverse, collect)
			}
		case zrangeScore:
			z.ByScore(sr, reverse, int(offset), int(limit), collect)
		case zrangeLex:
			if !lexEmpty {
				z.ByLex(lr, reverse, int(offset), int(limit), collect)
			}
		}
	}
	if store {
		c.storeZRange(args[1], out, by == zrangeRank)
		return
	}
	c.replyZEntries(out, withScores)
}

// storeZRange makes dst the zset of es (in range order), or deletes it
// when es is empty, and replies with the count. Redis creates the
// destination for the number of members when it knows it (sized: a rank
// range), as a skiplist if that exceeds zset-max-listpack-entries, else
// as a listpack, and adds the members in range order: a listpack
// converts at the first member that exceeds a limit, and only the scores
// added before that are normalized.
func (c *Ctx) storeZRange(dst []byte, es []memtables.ZEntry, sized bool) {
	if len(es) == 0 {
		if c.deleteIfExists(dst) {
			c.notify(NotifyGeneric, "del", dst)
		}
		c.R.Int(0)
		return
	}
	entries, maxValue := c.zsetLimits()
	vals := make([][]byte, len(es))
	scores := make([]float64, len(es))
	big := sized && len(es) > entries
	for i, e := range es {
		if !big && (i+1 > entries || len(e.Member) > maxValue) {
			big = true
		}
		vals[i], scores[i] = []byte(e.Member), zsetStored(e.Score, big)
	}
	c.replaceKey(dst, memtables.TypeZSet)
	c.emit(&op{code: opZAdd, phys: c.phys(), key: dst, side: zsetFlags(big), vals: vals, scores: scores})
	c.notify(NotifyZSet, "zrangestore", dst)
	c.R.Int(int64(len(es)))
}

// ---- ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX ----

func cmdZRemRangeByRank(c *Ctx) {
	start, ok := parseInt(c.Args[2])
	if !ok {
		c.Error(errNotInt)
		return
	}
	end, ok := parseInt(c.Args[3])
	if !ok {
		c.Error(errNotInt)
		return
	}
	zremRange(c, "zremrangebyrank", func(z *memtables.ZSet) (int, *op) {
		s, e, ok := zsetRankRange(start, end, z.Len())
		if !ok {
			return 0, nil
		}
		return e - s + 1, &op{code: opZRemRank, count: int64(s), stop: int64(e)}
	})
}

func cmdZRemRangeByScore(c *Ctx) {
	r, ok := zsetScoreRange(c.Args[2], c.Args[3])
	if !ok {
		c.Error(errZMinMax)
		return
	}
	var side uint8
	if r.MinEx {
		side |= rangeMinEx
	}
	if r.MaxEx {
		side |= rangeMaxEx
	}
	zremRange(c, "zremrangebyscore", func(z *memtables.ZSet) (int, *op) {
		return z.CountScore(r), &op{code: opZRemScore, scores: []float64{r.Min, r.Max}, side: side}
	})
}

func cmdZRemRangeByLex(c *Ctx) {
	r, empty, ok := zsetLexRange(c.Args[2], c.Args[3])
	if !ok {
		c.Error(errZLexRange)
		return
	}
	var side uint8
	if r.MinEx {
		side |= rangeMinEx
	}
	if r.MaxEx {
		side |= rangeMaxEx
	}
	if r.MinInf {
		side |= rangeMinInf
	}
	if r.MaxInf {
		side |= rangeMaxInf
	}
	zremRange(c, "zremrangebylex", func(z *memtables.ZSet) (int, *op) {
		if empty {
			return 0, nil
		}
		return z.CountRemoveLex(r), &op{code: opZRemLex, val: r.Min, val2: r.Max, side: side}
	})
}

// zremRange runs a range removal on c.Args[1]: plan returns how many
// members the removal takes and its op (phys and key filled in here);
// event is signalled when it takes any.
func zremRange(c *Ctx, event string, plan func(z *memtables.ZSet) (int, *op)) {
	key := c.Args[1]
	z, found, ok := c.writeZSet(key)
	if !ok {
		return
	}
	if !found {
		c.R.Int(0)
		return
	}
	n, o := plan(z)
	if n > 0 {
		o.phys, o.key = c.phys(), key
		c.emit(o)
		c.notify(NotifyZSet, event, key)
		c.dropIfEmpty(key, memtables.TypeZSet)
	}
	c.R.Int(int64(n))
}

// ---- ZPOPMIN ZPOPMAX ZMPOP ----

// popZSet pops up to count members (count >= 1) of the lowest scores, or
// of the highest when max, from key, a live non-empty zset (the caller
// has looked it up for a write and checked its type), and returns them
// in pop order: ZPOPMIN, ZPOPMAX, ZMPOP and the blocking pops. It logs
// the pop as the removal of a rank range and signals it, deletes the key
// when the zset is emptied, and touches it for WATCH.
func (c *Ctx) popZSet(key []byte, max bool, count int) []memtables.ZEntry {
	phys := c.phys()
	z, _ := c.DB.zsets.Get(phys, key)
	size := z.Len()
	n := min(count, size)
	out := make([]memtables.ZEntry, 0, n)
	z.ByRank(0, n-1, max, func(m string, s float64) bool {
		out = append(out, memtables.ZEntry{Member: m, Score: s})
		return true
	})
	start := 0
	if max {
		start = size - n
	}
	c.emit(&op{code: opZRemRank, phys: phys, key: key, count: int64(start), stop: int64(start + n - 1)})
	if max {
		c.notify(NotifyZSet, "zpopmax", key)
	} else {
		c.notify(NotifyZSet, "zpopmin", key)
	}
	c.dropIfEmpty(key, memtables.TypeZSet)
	return out
}

func cmdZPopMin(c *Ctx) { zpop(c, false) }
func cmdZPopMax(c *Ctx) { zpop(c, true) }

// zpop is ZPOPMIN and ZPOPMAX: a flat member, score array, nested in
// RESP3 when a count was given. The count is checked before the key, the
// key's type before a zero count.
func zpop(c *Ctx, highest bool) {
	if len(c.Args) > 3 {
		c.Error(errSyntax)
		return
	}
	count := int64(-1)
	if len(c.Args) == 3 {
		n, ok := parseInt(c.Args[2])
		if !ok || n < 0 {
			c.Error(errZPopCount)
			return
		}
		count = n
	}
	key := c.Args[1]
	_, found, ok := c.writeZSet(key)
	switch {
	case !ok:
	case !found || count == 0:
		c.R.Array(0)
	default:
		n := int(min(max(count, 1), math.MaxInt32))
		c.replyZPairs(c.popZSet(key, highest, n), c.R.Proto() > 2 && count > 0)
	}
}

// zsetEnd parses MIN or MAX (any case): highest is true for MAX; ok is
// false when the syntax error was replied.
func (c *Ctx) zsetEnd(arg []byte) (highest, ok bool) {
	switch {
	case eqFold(arg, "min"):
		return false, true
	case eqFold(arg, "max"):
		return true, true
	}
	c.Error(errSyntax)
	return false, false
}

// replyZMPop writes ZMPOP's (and BZMPOP's) reply: the key and the popped
// member, score pairs, nested in both protocols.
func (c *Ctx) replyZMPop(key []byte, es []memtables.ZEntry) {
	c.R.Array(2)
	c.R.Bulk(key)
	c.replyZPairs(es, true)
}

// cmdZMPop pops from the first of the keys that holds a zset; a key of
// another type before it is an error.
func cmdZMPop(c *Ctx) {
	keys, max, count, ok := c.mpopArgs(1, c.zsetEnd)
	if !ok {
		return
	}
	key, found, ok := c.firstOfType(keys, memtables.TypeZSet)
	switch {
	case !ok:
	case !found:
		c.R.NullArray()
	default:
		c.replyZMPop(key, c.popZSet(key, max, count))
	}
}

// ---- ZUNION ZINTER ZDIFF ZINTERCARD and their STORE forms ----

// zsetOp is the operation of zunionInterDiffGenericCommand.
type zsetOp int

const (
	zopUnion zsetOp = iota
	zopInter
	zopDiff
)

// zsetStoreEvent is the keyspace event of each operation's STORE form.
var zsetStoreEvent = [...]string{zopUnion: "zunionstore", zopInter: "zinterstore", zopDiff: "zdiffstore"}

// zaggregate is AGGREGATE's function.
type zaggregate int

const (
	aggrSum zaggregate = iota
	aggrMin
	aggrMax
)

// apply folds val into *target as zunionInterAggregate does: a sum of
// inf and -inf is 0; MIN and MAX keep the target when val is NaN.
func (a zaggregate) apply(target *float64, val float64) {
	switch a {
	case aggrSum:
		if *target += val; math.IsNaN(*target) {
			*target = 0
		}
	case aggrMin:
		if val < *target {
			*target = val
		}
	case aggrMax:
		if val > *target {
			*target = val
		}
	}
}

// zsrc is one input of ZUNION and friends: a zset, a plain set (every
// member scores 1) or a missing key (both nil).
type zsrc struct {
	z      *memtables.ZSet
	t      *memtables.Set
	weight float64
}

func (s *zsrc) len() int {
	switch {
	case s.z != nil:
		return s.z.Len()
	case s.t != nil:
		return s.t.Len()
	}
	return 0
}

func (s *zsrc) find(m string) (float64, bool) {
	switch {
	case s.z != nil:
		return s.z.Score(m)
	case s.t != nil && s.t.Has([]byte(m)):
		return 1, true
	}
	return 0, false
}

func (s *zsrc) each(fn func(m string, score float64)) {
	switch {
	case s.z != nil:
		s.z.ForEach(func(m string, score float64) bool {
			fn(m, score)
			return true
		})
	case s.t != nil:
		s.t.ForEach(func(m []byte) bool {
			fn(string(m), 1)
			return true
		})
	}
}

func cmdZUnion(c *Ctx)      { zsetOpCommand(c, false, zopUnion, false) }
func cmdZInter(c *Ctx)      { zsetOpCommand(c, false, zopInter, false) }
func cmdZDiff(c *Ctx)       { zsetOpCommand(c, false, zopDiff, false) }
func cmdZInterCard(c *Ctx)  { zsetOpCommand(c, false, zopInter, true) }
func cmdZUnionStore(c *Ctx) { zsetOpCommand(c, true, zopUnion, false) }
func cmdZInterStore(c *Ctx) { zsetOpCommand(c, true, zopInter, false) }
func cmdZDiffStore(c *Ctx)  { zsetOpCommand(c, true, zopDiff, false) }

// zsetOpCommand is zunionInterDiffGenericCommand: numkeys, the keys, then
// WEIGHTS and AGGREGATE (union and intersection), WITHSCORES (replying
// forms) or LIMIT (ZINTERCARD). The keys are looked up before the options
// are parsed, as in Redis, so a key of the wrong type wins over a bad
// option. store is a STORE form (destination c.Args[1], numkeys after
// it); cardOnly is ZINTERCARD.
func zsetOpCommand(c *Ctx, store bool, op zsetOp, cardOnly bool) {
	args := c.Args
	numIdx := 1
	if store {
		numIdx = 2
	}
	setnum, ok := parseInt(args[numIdx])
	if !ok {
		c.Error(errNotInt)
		return
	}
	if setnum < 1 {
		c.Error(fmt.Sprintf(errZInputKeyFmt, c.Cmd.Name))
		return
	}
	if setnum > int64(len(args)-numIdx-1) {
		c.Error(errSyntax)
		return
	}
	src := make([]zsrc, setnum)
	j := numIdx + 1
	for i := range src {
		e, found := c.readKey(args[j])
		if found {
			switch e.Type {
			case memtables.TypeZSet:
				src[i].z, _ = c.DB.zsets.Get(c.phys(), args[j])
			case memtables.TypeSet:
				src[i].t, _ = c.DB.sets.Get(c.phys(), args[j])
			default:
				c.Error(errWrongType)
				return
			}
		}
		src[i].weight = 1
		j++
	}
	agg := aggrSum
	withScores := false
	var limit int64
	for j < len(args) {
		a, remaining := args[j], len(args)-j
		switch {
		case op != zopDiff && !cardOnly && remaining >= len(src)+1 && eqFold(a, "weights"):
			j++
			for i := range src {
				w, ok := zsetParseScore(args[j])
				if !ok {
					c.Error(errZWeight)
					return
				}
				src[i].weight = w
				j++
			}
		case op != zopDiff && !cardOnly && remaining >= 2 && eqFold(a, "aggregate"):
			switch v := args[j+1]; {
			case eqFold(v, "sum"):
				agg = aggrSum
			case eqFold(v, "min"):
				agg = aggrMin
			case eqFold(v, "max"):
				agg = aggrMax
			default:
				c.Error(errSyntax)
				return
			}
			j += 2
		case !store && !cardOnly && eqFold(a, "withscores"):
			withScores = true
			j++
		case cardOnly && remaining >= 2 && eqFold(a, "limit"):
			n, ok := parseInt(args[j+1])
			if !ok || n < 0 {
				c.Error(errZInterLimit)
				return
			}
			limit = n
			j += 2
		default:
			c.Error(errSyntax)
			return
		}
	}
	if op != zopDiff {
		// Smallest first, stably (glibc's qsort is a merge sort): the
		// order in which a SUM adds up, and so its rounding, is Redis's.
		slices.SortStableFunc(src, func(a, b zsrc) int { return a.len() - b.len() })
	}
	if cardOnly {
		var n int64
		zsetInter(src, agg, func(string, float64) bool {
			n++
			return limit == 0 || n < limit
		})
		c.R.Int(n)
		return
	}
	var out []memtables.ZEntry
	switch op {
	case zopUnion:
		out = zsetUnion(src, agg)
	case zopInter:
		zsetInter(src, agg, func(m string, s float64) bool {
			out = append(out, memtables.ZEntry{Member: m, Score: s})
			return true
		})
	case zopDiff:
		out = zsetDiff(src)
	}
	slices.SortFunc(out, zentryCmp)
	if store {
		c.storeZSetResult(args[1], out, zsetStoreEvent[op])
		return
	}
	c.replyZEntries(out, withScores)
}

// zsetInter calls fn with each member of the intersection of src (sorted
// smallest first) and its aggregated weighted score, until fn returns
// false. A weighted score that is NaN (inf * 0) counts as 0.
func zsetInter(src []zsrc, agg zaggregate, fn func(m string, score float64) bool) {
	if src[0].len() == 0 {
		return
	}
	done := false
	src[0].each(func(m string, s float64) {
		if done {
			return
		}
		score := src[0].weight * s
		if math.IsNaN(score) {
			score = 0
		}
		for i := 1; i < len(src); i++ {
			v, in := src[i].find(m)
			if !in {
				return
			}
			agg.apply(&score, v*src[i].weight)
		}
		done = !fn(m, score)
	})
}

// zsetUnion returns the union of src (sorted smallest first), unordered:
// each member's weighted scores aggregated in the order of src.
func zsetUnion(src []zsrc, agg zaggregate) []memtables.ZEntry {
	acc := map[string]int{} // member -> index in out
	var out []memtables.ZEntry
	for i := range src {
		w := src[i].weight
		src[i].each(func(m string, s float64) {
			score := w * s
			if math.IsNaN(score) {
				score = 0
			}
			if k, ok := acc[m]; ok {
				agg.apply(&out[k].Score, score)
				return
			}
			acc[m] = len(out)
			out = append(out, memtables.ZEntry{Member: m, Score: score})
		})
	}
	return out
}

// zsetDiff returns the members of src[0] in none of the others, with
// their scores in src[0], unordered.
func zsetDiff(src []zsrc) []memtables.ZEntry {
	var out []memtables.ZEntry
	src[0].each(func(m string, s float64) {
		for i := 1; i < len(src); i++ {
			if _, in := src[i].find(m); in {
				return
			}
		}
		out = append(out, memtables.ZEntry{Member: m, Score: s})
	})
	return out
}

// storeZSetResult makes dst the zset of es (sorted, distinct), replacing
// any value and expiry, and signals event; or deletes dst when es is
// empty, signalling del if it was there. It replies with the cardinality.
// Redis builds the result as a skiplist and converts it to a listpack
// when it fits (zsetConvertToListpackIfNeeded).
func (c *Ctx) storeZSetResult(dst []byte, es []memtables.ZEntry, event string) {
	if len(es) == 0 {
		if c.deleteIfExists(dst) {
			c.notify(NotifyGeneric, "del", dst)
		}
		c.R.Int(0)
		return
	}
	entries, maxValue := c.zsetLimits()
	big := len(es) > entries
	for _, e := range es {
		big = big || len(e.Member) > maxValue
	}
	vals := make([][]byte, len(es))
	scores := make([]float64, len(es))
	for i, e := range es {
		vals[i], scores[i] = []byte(e.Member), zsetStored(e.Score, big)
	}
	c.replaceKey(dst, memtables.TypeZSet)
	c.emit(&op{code: opZAdd, phys: c.phys(), key: dst, side: zsetFlags(big), vals: vals, scores: scores})
	c.notify(NotifyZSet, event, dst)
	c.R.Int(int64(len(es)))
}

// ---- ZRANDMEMBER ----

// cmdZRandMember returns random members without removing them: a
// negative count allows repetitions, a positive one returns distinct
// members (the whole zset, in order, when count >= size).
func cmdZRandMember(c *Ctx) {
	if len(c.Args) == 2 {
		z, found, ok := c.readZSet(c.Args[1])
		switch {
		case !ok:
		case !found:
			c.R.Null()
		default:
			m, _ := z.At(rand.IntN(z.Len()))
			c.R.BulkString(m)
		}
		return
	}
	l, withScores, ok := c.randCountArgs("withscores")
	if !ok {
		return
	}
	z, found, ok := c.readZSet(c.Args[1])
	if !ok {
		return
	}
	if !found || l == 0 {
		c.R.Array(0)
		return
	}
	count, distinct := l, true
	if l < 0 {
		count, distinct = -l, false
	}
	size := z.Len()
	pick := func(pos int) {
		m, s := z.At(pos)
		if withScores && c.R.Proto() > 2 {
			c.R.Array(2)
		}
		c.R.BulkString(m)
		if withScores {
			c.R.Double(s)
		}
	}
	arrayOf := func(n int64) {
		if withScores && c.R.Proto() == 2 {
			n *= 2
		}
		c.R.Array(int(n))
	}
	switch {
	case !distinct || count == 1:
		arrayOf(count)
		for ; count > 0; count-- {
			pick(rand.IntN(size))
		}
	case count >= int64(size):
		var all []memtables.ZEntry
		z.ForEach(func(m string, s float64) bool {
			all = append(all, memtables.ZEntry{Member: m, Score: s})
			return true
		})
		c.replyZEntries(all, withScores)
	default:
		arrayOf(count)
		for _, p := range zsetSample(size, int(count)) {
			pick(p)
		}
	}
}

// zsetSample returns k distinct positions of [0, n), k <= n, chosen
// uniformly (Floyd's algorithm: O(k) whatever n is).
func zsetSample(n, k int) []int {
	chosen := make(map[int]struct{}, k)
	out := make([]int, 0, k)
	for j := n - k; j < n; j++ {
		p := rand.IntN(j + 1)
		if _, dup := chosen[p]; dup {
			p = j
		}
		chosen[p] = struct{}{}
		out = append(out, p)
	}
	return out
}

// ---- ZSCAN ----

// cmdZScan is ZSCAN key cursor [MATCH pattern] [COUNT count]. A listpack
// is returned whole in one call with cursor 0, in order, with its scores
// as the listpack holds them, as Redis does. A skiplist is scanned by
// member-table position (memtables.ZSet.At), from the highest down,
// count positions per call; the cursor is the number of positions left.
// A member only ever moves to a lower position, so every member present
// for the whole scan is returned, as Redis guarantees.
func cmdZScan(c *Ctx) {
	cursor, ok := parseScanCursor(c.Args[2])
	if !ok {
		c.Error(errZCursor)
		return
	}
	z, found, ok := c.readZSet(c.Args[1])
	if !ok {
		return
	}
	if !found {
		c.R.Array(2)
		c.R.BulkString("0")
		c.R.Array(0)
		return
	}
	count, pat, _, ok := c.scanOptions(3, false)
	if !ok {
		return
	}
	usePat := pat != nil
	var out []string
	keep := func(m, score string) {
		if !usePat || globMatchString(pat, m) {
			out = append(out, m, score)
		}
	}
	next := uint64(0)
	if !z.Big() {
		z.ForEach(func(m string, s float64) bool {
			keep(m, listpackScore(s))
			return true
		})
	} else {
		p := z.Len() - 1
		if cursor != 0 && cursor-1 < uint64(p) {
			p = int(cursor - 1)
		}
		for stop := max(p-count, -1); p > stop; p-- {
			m, s := z.At(p)
			keep(m, formatFloat(s))
		}
		next = uint64(p + 1)
	}
	c.R.Array(2)
	c.R.BulkString(strconv.FormatUint(next, 10))
	c.R.Array(len(out))
	for _, s := range out {
		c.R.BulkString(s)
	}
}
