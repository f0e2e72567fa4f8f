package server

// Differential cases, blocking scenarios and the random generator for
// streams.
//
// Stream replies are deterministic when the ids are: the cases use
// explicit ids (1-1, 5-0, 7-*) wherever a reply or the final data set
// shows an id. An id XADD generates from "*" comes from each server's
// clock, so the comparer registered below checks only its shape
// (<digits>-<digits>), and a case that uses "*" deletes the key before it
// ends (the dump compares XRANGE and XINFO STREAM FULL exactly).
//
// The comparer compares everything exactly except:
//
//   - time-dependent values, within streamTimeTol milliseconds: the idle
//     time of each extended XPENDING entry; "idle" in XINFO CONSUMERS;
//     "seen-time" of a consumer and the delivery time of each pending
//     entry (of a group and of a consumer) in XINFO STREAM FULL ("active-
//     time" and "inactive", which Redis 7.2 adds, are treated alike). An
//     XCLAIM IDLE or TIME shows up there as a delivery time;
//   - "radix-tree-nodes" of XINFO STREAM: the node count of Redis's radix
//     tree is an internal detail of its implementation (it depends on the
//     key bytes of the tree and on how rax splits and compresses nodes),
//     not something a client can rely on: any non-negative integer is
//     accepted. "radix-tree-keys", the number of listpack nodes, is
//     compared exactly: keel reproduces Redis's node structure
//     (stream-node-max-entries 100, stream-node-max-bytes 4096), which
//     approximate trimming (~) exposes, and the cases that add a few
//     hundred entries and trim with ~ and LIMIT check it.
//
// The blocking runner (diff_blocking_test.go) waits for INFO
// blocked_clients after a B... command; streamBlocks extends that to
// XREAD and XREADGROUP with BLOCK.

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func init() {
	familyCommands = append(familyCommands,
		"xadd", "xlen", "xrange", "xrevrange", "xdel", "xtrim", "xread", "xgroup", "xreadgroup",
		"xack", "xpending", "xclaim", "xautoclaim", "xinfo", "xsetid",
		"xgroup|create", "xgroup|createconsumer", "xgroup|delconsumer", "xgroup|destroy", "xgroup|setid",
		"xgroup|help", "xinfo|stream", "xinfo|groups", "xinfo|consumers", "xinfo|help")
	replyComparers = append(replyComparers, compareStreamReply)
}

// streamTimeTol is how far (ms) two time-dependent values may differ: the
// two servers see a command a few milliseconds apart, more on a loaded
// machine.
const streamTimeTol = 500

// compareStreamReply is the stream family's normalizer (see the file
// comment).
func compareStreamReply(args []string, k, o respValue) (string, bool) {
	switch strings.ToUpper(args[0]) {
	case "XADD":
		if xaddAutoID(args) {
			return streamIDShapeCmp(k, o), true
		}
	case "XPENDING":
		return xpendingCmp(k, o), true
	case "XINFO":
		return streamTimesCmp(k, o), true
	}
	return "", false
}

// xaddAutoID reports whether XADD args ask for an id from the clock ("*"):
// it skips the options before the id as XADD parses them.
func xaddAutoID(args []string) bool {
	for i := 2; i < len(args); i++ {
		switch strings.ToUpper(args[i]) {
		case "NOMKSTREAM":
		case "MAXLEN", "MINID":
			if i+1 < len(args) && (args[i+1] == "=" || args[i+1] == "~") {
				i++
			}
			i++
		case "LIMIT":
			i++
		default:
			return args[i] == "*"
		}
	}
	return false
}

var streamIDRe = regexp.MustCompile(`^[0-9]+-[0-9]+$`)

// streamIDShapeCmp accepts two different ids of the form <ms>-<seq>;
// anything else (errors, nil) must be the same.
func streamIDShapeCmp(k, o respValue) string {
	if k.Kind == '$' && o.Kind == '$' && !k.Null && !o.Null && streamIDRe.MatchString(o.Str) {
		if streamIDRe.MatchString(k.Str) {
			return ""
		}
		return fmt.Sprintf("keel's id %q is not <ms>-<seq>", k.Str)
	}
	return exactCmp(k, o)
}

// xpendingCmp compares XPENDING replies: the extended form is a list of
// [id, consumer, idle ms, delivery count], the idle time compared with
// tolerance; the summary form exactly.
func xpendingCmp(k, o respValue) string {
	if k.Kind != '*' || o.Kind != '*' || k.Null || o.Null || len(k.Elems) != len(o.Elems) {
		return exactCmp(k, o)
	}
	for _, v := range [2]respValue{k, o} {
		for _, e := range v.Elems {
			if e.Kind != '*' || len(e.Elems) != 4 {
				return exactCmp(k, o) // the summary form, or malformed
			}
		}
	}
	for i := range o.Elems {
		ke, oe := k.Elems[i], o.Elems[i]
		for j := range oe.Elems {
			d := exactCmp(ke.Elems[j], oe.Elems[j])
			if j == 2 {
				d = tolCmp(ke.Elems[j], oe.Elems[j], streamTimeTol)
			}
			if d != "" {
				return fmt.Sprintf("pending entry %d, element %d: %s", i, j, d)
			}
		}
	}
	return ""
}

// streamTimeFields are the XINFO fields that hold a time (Redis 7.0 has
// idle and seen-time; 7.2 adds active-time and inactive).
var streamTimeFields = map[string]bool{"idle": true, "seen-time": true, "active-time": true, "inactive": true}

// mapLike reports whether v is a map: a RESP3 map, or a RESP2 flat array
// of name, value pairs whose names are strings (XINFO replies). A
// stream entry's field list also passes for one: its values are bulk
// strings, which the rules below never relax.
func mapLike(v respValue) bool {
	if v.Kind == '%' {
		return true
	}
	if v.Kind != '*' || v.Null || len(v.Elems) == 0 || len(v.Elems)%2 != 0 {
		return false
	}
	for i := 0; i < len(v.Elems); i += 2 {
		if e := v.Elems[i]; e.Kind != '$' && e.Kind != '+' || e.Null {
			return false
		}
	}
	return true
}

// streamTimesCmp compares XINFO replies (and whatever else it is given)
// exactly, except the time fields (tolerance), "radix-tree-nodes" (any
// non-negative integer) and the delivery times in "pending" lists of
// XINFO STREAM FULL (tolerance).
func streamTimesCmp(k, o respValue) string {
	aggregate := func(v respValue) bool { return v.Kind == '*' || v.Kind == '%' || v.Kind == '~' }
	if !aggregate(o) || k.Kind != o.Kind || k.Null != o.Null || len(k.Elems) != len(o.Elems) {
		return exactCmp(k, o)
	}
	if mapLike(k) && mapLike(o) {
		for i := 0; i < len(o.Elems); i += 2 {
			if !k.Elems[i].equal(o.Elems[i]) {
				return fmt.Sprintf("field %d is %s, want %s", i/2, k.Elems[i], o.Elems[i])
			}
			name := o.Elems[i].Str
			kv, ov := k.Elems[i+1], o.Elems[i+1]
			var d string
			switch {
			case streamTimeFields[name] && kv.Kind == ':' && ov.Kind == ':':
				d = tolCmp(kv, ov, streamTimeTol)
			case name == "radix-tree-nodes" && kv.Kind == ':' && ov.Kind == ':':
				if kv.Int < 0 {
					d = "negative"
				}
			case name == "pending" && kv.Kind == '*' && ov.Kind == '*':
				d = pendingListCmp(kv, ov)
			default:
				d = streamTimesCmp(kv, ov)
			}
			if d != "" {
				return fmt.Sprintf("%q: %s", name, d)
			}
		}
		return ""
	}
	for i := range o.Elems {
		if d := streamTimesCmp(k.Elems[i], o.Elems[i]); d != "" {
			return fmt.Sprintf("element %d: %s", i, d)
		}
	}
	return ""
}

// pendingListCmp compares the "pending" list of a group ([id, consumer,
// delivery time, delivery count] each) or of a consumer ([id, delivery
// time, delivery count]) in XINFO STREAM FULL.
func pendingListCmp(k, o respValue) string {
	if k.Null || o.Null || len(k.Elems) != len(o.Elems) {
		return exactCmp(k, o)
	}
	for i := range o.Elems {
		ke, oe := k.Elems[i], o.Elems[i]
		if ke.Kind != '*' || oe.Kind != '*' || len(ke.Elems) != len(oe.Elems) || (len(oe.Elems) != 3 && len(oe.Elems) != 4) {
			if d := exactCmp(ke, oe); d != "" {
				return fmt.Sprintf("pending entry %d: %s", i, d)
			}
			continue
		}
		timeAt := len(oe.Elems) - 2
		for j := range oe.Elems {
			d := exactCmp(ke.Elems[j], oe.Elems[j])
			if j == timeAt {
				d = tolCmp(ke.Elems[j], oe.Elems[j], streamTimeTol)
			}
			if d != "" {
				return fmt.Sprintf("pending entry %d, element %d: %s", i, j, d)
			}
		}
	}
	return ""
}

// streamBlocks reports whether args is an XREAD or XREADGROUP with the
// BLOCK option (before STREAMS): the blocking runner then waits until
// both servers count the client as blocked, as for B... commands.
func streamBlocks(args []string) bool {
	if len(args) == 0 || !strings.EqualFold(args[0], "XREAD") && !strings.EqualFold(args[0], "XREADGROUP") {
		return false
	}
	for _, a := range args[1:] {
		if strings.EqualFold(a, "STREAMS") {
			return false
		}
		if strings.EqualFold(a, "BLOCK") {
			return true
		}
	}
	return false
}

// TestDiffStreamComparer checks that the stream comparer accepts what two
// correct servers may legitimately differ in and nothing else.
func TestDiffStreamComparer(t *testing.T) {
	b := func(s string) respValue { return respValue{Kind: '$', Str: s} }
	i := func(n int64) respValue { return respValue{Kind: ':', Int: n} }
	arr := func(e ...respValue) respValue { return respValue{Kind: '*', Elems: e} }
	m := func(e ...respValue) respValue { return respValue{Kind: '%', Elems: e} }
	errv := func(s string) respValue { return respValue{Kind: '-', Str: s} }
	nilBulk := respValue{Kind: '$', Null: true}
	info := func(nodes, keys int64) respValue {
		return arr(b("length"), i(3), b("radix-tree-keys"), i(keys), b("radix-tree-nodes"), i(nodes),
			b("first-entry"), arr(b("1-1"), arr(b("idle"), b("5"))))
	}
	full := func(seen, dt1, dt2 int64, count int64) respValue {
		return arr(b("length"), i(1), b("radix-tree-nodes"), i(2), b("groups"), arr(arr(
			b("name"), b("g"), b("pel-count"), i(1),
			b("pending"), arr(arr(b("1-1"), b("alice"), i(dt1), i(count))),
			b("consumers"), arr(arr(b("name"), b("alice"), b("seen-time"), i(seen), b("pel-count"), i(1),
				b("pending"), arr(arr(b("1-1"), i(dt2), i(count))))))))
	}
	consumers := func(idle, pending int64) respValue {
		return arr(arr(b("name"), b("c"), b("pending"), i(pending), b("idle"), i(idle)))
	}
	pend := func(idle, count int64) respValue { return arr(arr(b("1-1"), b("c"), i(idle), i(count))) }
	for _, tc := range []struct {
		cmd   string
		k, o  respValue
		equal bool
	}{
		{"XADD s * a 1", b("1700000000001-0"), b("1700000000000-3"), true},
		{"XADD s MAXLEN ~ 5 LIMIT 3 NOMKSTREAM * a 1", b("5-0"), b("6-0"), true},
		{"XADD s * a 1", b("1700000000001"), b("1700000000000-3"), false},
		{"XADD s * a 1", nilBulk, b("1700000000000-3"), false},
		{"XADD s * a 1", errv("ERR x"), errv("ERR y"), false},
		{"XADD s * a", errv("ERR x"), errv("ERR x"), true},
		{"XADD s 5-1 a 1", b("5-2"), b("5-1"), false},
		{"XADD s MAXLEN 5 5-* a 1", b("5-2"), b("5-1"), false},
		{"XADD s MINID * 5-* a 1", b("5-2"), b("5-1"), false},
		{"XPENDING s g - + 10", pend(1000, 1), pend(1300, 1), true},
		{"XPENDING s g - + 10", pend(1000, 1), pend(1600, 1), false},
		{"XPENDING s g - + 10", pend(1000, 2), pend(1000, 1), false},
		{"XPENDING s g", arr(i(1), b("1-1"), b("1-1"), arr(arr(b("c"), b("1")))), arr(i(2), b("1-1"), b("1-1"), arr(arr(b("c"), b("1")))), false},
		{"XINFO STREAM s", info(2, 1), info(7, 1), true},
		{"XINFO STREAM s", info(-1, 1), info(7, 1), false},
		{"XINFO STREAM s", info(2, 1), info(2, 2), false},
		{"XINFO STREAM s FULL", full(100000, 100010, 100020, 1), full(100300, 100200, 100100, 1), true},
		{"XINFO STREAM s FULL", full(100000, 100010, 100020, 1), full(101000, 100010, 100020, 1), false},
		{"XINFO STREAM s FULL", full(100000, 100010, 100020, 1), full(100000, 101010, 100020, 1), false},
		{"XINFO STREAM s FULL", full(100000, 100010, 100020, 1), full(100000, 100010, 101020, 1), false},
		{"XINFO STREAM s FULL", full(100000, 100010, 100020, 1), full(100000, 100010, 100020, 2), false},
		{"XINFO CONSUMERS s g", consumers(10, 1), consumers(200, 1), true},
		{"XINFO CONSUMERS s g", consumers(10, 1), consumers(10, 2), false},
		{"XINFO CONSUMERS s g", consumers(10, 1), consumers(2000, 1), false},
		{"XINFO CONSUMERS s g", m(b("idle"), i(10)), m(b("idle"), i(20)), true},
		{"XINFO CONSUMERS s g", m(b("idle"), i(10)), arr(b("idle"), i(20)), false},
		{"XRANGE s - +", arr(arr(b("1-1"), arr(b("idle"), b("1")))), arr(arr(b("1-1"), arr(b("idle"), b("2")))), false},
		{"XREAD STREAMS s 0", arr(arr(b("s"), arr(arr(b("1-1"), arr(b("f"), b("v")))))), arr(arr(b("s"), arr(arr(b("1-2"), arr(b("f"), b("v")))))), false},
	} {
		args := strings.Fields(tc.cmd)
		if got := compareReply(args, tc.k, tc.o, nil) == ""; got != tc.equal {
			t.Errorf("compareReply(%s, %s, %s) equal = %v, want %v", tc.cmd, tc.k, tc.o, got, tc.equal)
		}
	}
	for _, tc := range []struct {
		cmd   string
		block bool
	}{
		{"XREAD BLOCK 0 STREAMS s $", true}, {"xreadgroup GROUP g c block 10 STREAMS s >", true},
		{"XREAD STREAMS block 0", false}, {"XREAD COUNT 1 STREAMS s 0", false}, {"BLPOP q 0", false}, {"XADD s BLOCK 1", false},
	} {
		if got := streamBlocks(strings.Fields(tc.cmd)); got != tc.block {
			t.Errorf("streamBlocks(%s) = %v", tc.cmd, got)
		}
	}
}

// streamLines flattens strings and string slices into case lines.
func streamLines(parts ...any) []string {
	var out []string
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			out = append(out, p)
		case []string:
			out = append(out, p...)
		default:
			panic(fmt.Sprintf("streamLines: %T", p))
		}
	}
	return out
}

// xadds is the lines "XADD key <i>-1 f <i>" for i in [from, to].
func xadds(key string, from, to int) []string {
	out := make([]string, 0, to-from+1)
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("XADD %s %d-1 f %d", key, i, i))
	}
	return out
}

// xaddsBig is like xadds with values of size bytes (nodes fill up by
// stream-node-max-bytes before stream-node-max-entries).
func xaddsBig(key string, from, to, size int) []string {
	out := make([]string, 0, to-from+1)
	for i := from; i <= to; i++ {
		v := strconv.Itoa(i)
		out = append(out, fmt.Sprintf("XADD %s %d-1 f %s", key, i, v+strings.Repeat("x", size-len(v))))
	}
	return out
}

func TestDiffStreams(t *testing.T) {
	t.Parallel()
	runCases(t, newPair(t), streamCases)
}

// TestDiffStreamsGroups runs the consumer group cases (XGROUP,
// XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO).
func TestDiffStreamsGroups(t *testing.T) {
	t.Parallel()
	runCases(t, newPair(t), streamGroupCases)
}

// TestDiffStreamsNodes runs the cases that fill several listpack nodes and
// trim them approximately.
func TestDiffStreamsNodes(t *testing.T) {
	t.Parallel()
	runCases(t, newPair(t), streamNodeCases())
}

// TestDiffStreamsNodeConfig runs the cases that change
// stream-node-max-entries and stream-node-max-bytes on their own pair.
func TestDiffStreamsNodeConfig(t *testing.T) {
	t.Parallel()
	runCases(t, newPair(t), streamConfigCases())
}

// TestDiffStreamsBlocking runs the XREAD / XREADGROUP BLOCK scenarios.
func TestDiffStreamsBlocking(t *testing.T) {
	t.Parallel()
	runBlockingCases(t, newPair(t), streamBlockingCases)
}

// streamSetup is a stream s with entries 1-1, 1-2, 2-0, 3-5 and 5-0.
var streamSetup = []string{`XADD s 1-1 a 1`, `XADD s 1-2 b 2`, `XADD s 2-0 c 3 d 4`, `XADD s 3-5 e 5`, `XADD s 5-0 f 6`}

// groupSetup is s with entries 1-1..5-1 and group g at 0, of which alice
// read 1-1 and 2-1 and bob 3-1.
var groupSetup = []string{`XADD s 1-1 a 1`, `XADD s 2-1 b 2`, `XADD s 3-1 c 3`, `XADD s 4-1 d 4`, `XADD s 5-1 e 5`,
	`XGROUP CREATE s g 0`, `XREADGROUP GROUP g alice COUNT 2 STREAMS s >`, `XREADGROUP GROUP g bob COUNT 1 STREAMS s >`}

func withSetup(setup []string, cmds ...string) []string { return streamLines(setup, cmds) }

var streamCases = []diffCase{
	dc("COMMAND/getkeys", `COMMAND GETKEYS XREAD COUNT 1 STREAMS a b 0 0`, `COMMAND GETKEYS XREADGROUP GROUP g c STREAMS a b 0 0`,
		`COMMAND GETKEYS XREAD COUNT 1 STREAMS a b 0`, `COMMAND GETKEYS XREAD FOO STREAMS a 0`, `COMMAND GETKEYS XREAD STREAMS`,
		`COMMAND GETKEYS XREAD STREAMS a`, `COMMAND GETKEYS XREADGROUP GROUP g streams streams a 0 0`,
		`COMMAND GETKEYS XREADGROUP GROUP streams c STREAMS a 0`, `COMMAND GETKEYS XREADGROUP GROUP g c COUNT 1 STREAMS a b c 0 0 0`,
		`COMMAND GETKEYS XADD s * a 1`, `COMMAND GETKEYS XGROUP CREATE s g $`, `COMMAND GETKEYS XINFO STREAM s`),
	// ---- XADD ----
	dc("XADD/explicit_ids", `XADD s 1-1 a 1`, `XADD s 1-2 b 2`, `XADD s 2 c 3`, `XADD s 2-1 d 4 e 5`, `XLEN s`, `XRANGE s - +`,
		`TYPE s`, `OBJECT ENCODING s`, `EXISTS s`, `XINFO STREAM s`),
	dc("XADD/id_0_0", `XADD s 0-0 a 1`, `XADD s 0 a 1`, `EXISTS s`, `XADD s 0-1 a 1`, `XADD s 0-0 a 1`, `XADD s 0-1 a 1`,
		`XADD s 0-* a 1`, `XADD t 0-* a 1`, `XADD u 00-00 a 1`, `XRANGE s - +`, `XRANGE t - +`),
	dc("XADD/equal_or_smaller", `XADD s 5-5 a 1`, `XADD s 5-5 a 1`, `XADD s 5-4 a 1`, `XADD s 4-9 a 1`, `XADD s 5 a 1`,
		`XADD s 5-0 a 1`, `XADD s 5-6 a 1`, `XADD s 6 a 1`, `XADD s 6 a 1`, `XLEN s`, `XRANGE s - +`),
	dc("XADD/ms_star", `XADD s 5-* a 1`, `XADD s 5-* a 2`, `XADD s 3-* a 3`, `XADD s 5-* a 4`, `XADD s 6-* a 5`, `XADD s 6-7 a 6`,
		`XADD s 6-* a 7`, `XADD s 6-* a 8`, `XADD s 7-*-* a 9`, `XADD s *-1 a 1`, `XADD s "5 -*" a 1`, `XRANGE s - +`,
		`XADD t 0-* a 1`, `XRANGE t - +`),
	dc("XADD/auto_id", `XADD s * a 1`, `XADD s * b 2`, `XLEN s`, `TYPE s`, `XADD s 1-1 c 3`, `XADD s 1-* c 3`,
		`XADD s MAXLEN 1 * c 3`, `XLEN s`, `XADD s NOMKSTREAM * d 4`, `XADD nokey NOMKSTREAM * d 4`, `EXISTS nokey`,
		`MULTI`, `XADD s * e 5`, `XLEN s`, `EXEC`, `DEL s`),
	dc("XADD/odd_fields", `XADD s 1-1 a`, `XADD s 1-1 a 1 b`, `XADD s 1-1`, `XADD s`, `XADD`, `XADD s * a`, `XADD s NOMKSTREAM 1-1`,
		`XADD s MAXLEN 1 1-1 a`, `EXISTS s`),
	dc("XADD/huge_ms", `XADD s 18446744073709551615-0 a 1`, `XADD s 18446744073709551615-* a 2`, `XADD s 18446744073709551615-18446744073709551615 a 3`,
		`XADD s 18446744073709551615-* a 4`, `XADD s * a 5`, `XADD s 18446744073709551615-18446744073709551615 a 6`, `XRANGE s - +`,
		`XADD s 18446744073709551616-0 a 1`, `XADD t 18446744073709551615 a 1`, `XADD t * a 1`, `XINFO STREAM t`, `XADD u 9223372036854775808-1 a 1`,
		`XRANGE u - +`),
	dc("XADD/seq_overflow", `XADD s 5-18446744073709551615 a 1`, `XADD s 5-* a 2`, `XADD s 5-18446744073709551616 a 3`,
		`XADD s 6-* a 4`, `XADD s 6-18446744073709551615 a 5`, `XADD s 7-0 a 6`, `XRANGE s - +`, `XADD t 0-18446744073709551615 a 1`, `XADD t 0-* a 1`),
	dc("XADD/invalid_ids", `XADD s abc a 1`, `XADD s 1-abc a 1`, `XADD s -1 a 1`, `XADD s 1- a 1`, `XADD s -1-1 a 1`, `XADD s 1--1 a 1`,
		`XADD s 1-1-1 a 1`, `XADD s " 1-1" a 1`, `XADD s "1-1 " a 1`, `XADD s +1-1 a 1`, `XADD s 1-+1 a 1`, `XADD s 1.5 a 1`, `XADD s "" a 1`,
		`XADD s - a 1`, `XADD s + a 1`, `XADD s $ a 1`, `XADD s > a 1`, `XADD s 0x10-1 a 1`, `XADD s "1-1\x00" a 1`, `XADD s ** a 1`,
		`XADD s 1-** a 1`, `EXISTS s`, `XADD s 01-01 a 1`, `XADD s 007 a 1`, `XRANGE s - +`),
	dc("XADD/NOMKSTREAM", `XADD s NOMKSTREAM 1-1 a 1`, `EXISTS s`, `XADD s 1-1 a 1`, `XADD s NOMKSTREAM 2-1 b 2`, `XADD s nomkstream NOMKSTREAM 3-1 c 3`,
		`XADD t NOMKSTREAM 0-0 a 1`, `XADD t NOMKSTREAM abc a 1`, `XADD t NOMKSTREAM 1-1 a`, `XADD t NOMKSTREAM MAXLEN -1 1-1 a 1`, `EXISTS t`,
		`XADD s 4-1 NOMKSTREAM v`, `XADD s NOMKSTREAM MAXLEN 2 5-1 d 4`, `XADD s MAXLEN 2 NOMKSTREAM 6-1 e 5`, `XADD s MAXLEN = 0 NOMKSTREAM 7-1 f 6`,
		`XLEN s`, `XADD s NOMKSTREAM 8-1 g 7`, `XRANGE s - +`),
	dc("XADD/MAXLEN", `XADD s MAXLEN 2 1-1 a 1`, `XADD s MAXLEN = 2 2-1 b 2`, `XADD s maxlen 2 3-1 c 3`, `XRANGE s - +`,
		`XADD s MAXLEN ~ 2 4-1 d 4`, `XLEN s`, `XADD s MAXLEN 0 5-1 e 5`, `XLEN s`, `EXISTS s`, `XINFO STREAM s`,
		`XADD s MAXLEN 9223372036854775807 6-1 f 6`, `XADD s MAXLEN = 1 7-1 g 7`, `XRANGE s - +`),
	dc("XADD/MAXLEN_errors", `XADD s MAXLEN -1 1-1 a 1`, `XADD s MAXLEN ~ -1 1-1 a 1`, `XADD s MAXLEN abc 1-1 a 1`, `XADD s MAXLEN 1.5 1-1 a 1`,
		`XADD s MAXLEN 9223372036854775808 1-1 a 1`, `XADD s MAXLEN "" 1-1 a 1`, `XADD s MAXLEN 1-1 a 1`, `XADD s MAXLEN = ~ 1 1-1 a 1`,
		`XADD s MAXLEN ~ = 1 1-1 a 1`, `XADD s MAXLEN 1 MINID 1 1-1 a 1`, `XADD s MINID 1 MAXLEN 1 1-1 a 1`, `XADD s MAXLEN 1 MAXLEN 2 1-1 a 1`,
		`XADD s MAXLEN ~ 2 MAXLEN 5 LIMIT 2 1-1 a 1`, `XADD s MAXLEN`, `XADD s MAXLEN 1`, `XADD s MAXLEN 1 1-1`, `XADD s = 5 1-1 a 1`, `EXISTS s`,
		`XADD s 1-1 a 1`, `XADD s MAXLEN -1 2-1 a 1`, `XLEN s`),
	dc("XADD/MINID", `XADD s 1-1 a 1`, `XADD s 2-1 b 2`, `XADD s 3-1 c 3`, `XADD s MINID 2 4-1 d 4`, `XRANGE s - +`,
		`XADD s MINID = 3-1 5-1 e 5`, `XRANGE s - +`, `XADD s MINID ~ 5 6-1 f 6`, `XLEN s`, `XADD s minid 100 7-1 g 7`, `XLEN s`, `EXISTS s`,
		`XINFO STREAM s`, `XADD s MINID 0 8-1 h 8`, `XADD s MINID 18446744073709551615-18446744073709551615 9-1 i 9`, `XLEN s`,
		`XADD s MINID 10-1 10-1 j 10`, `XRANGE s - +`),
	dc("XADD/MINID_errors", `XADD s MINID abc 1-1 a 1`, `XADD s MINID -1 1-1 a 1`, `XADD s MINID ~ x 1-1 a 1`, `XADD s MINID - 1-1 a 1`,
		`XADD s MINID + 1-1 a 1`, `XADD s MINID (5 1-1 a 1`, `XADD s MINID 5-* 1-1 a 1`, `XADD s MINID * 1-1 a 1`, `XADD s MINID $ 1-1 a 1`, `EXISTS s`,
		`XADD s MINID 1-1 MAXLEN 1 1-1 a 1`),
	dc("XADD/LIMIT", `XADD s 1-1 a 1`, `XADD s MAXLEN 1 LIMIT 10 2-1 a 1`, `XADD s MINID 1 LIMIT 10 2-1 a 1`, `XADD s LIMIT 5 2-1 a 1`,
		`XADD s MAXLEN ~ 1 LIMIT -1 2-1 a 1`, `XADD s MAXLEN ~ 1 LIMIT abc 2-1 a 1`, `XADD s MAXLEN ~ 1 LIMIT 9223372036854775808 2-1 a 1`,
		`XADD s MAXLEN ~ 1 LIMIT 2-1 a 1`, `XADD s MAXLEN ~ 1 LIMIT`, `XLEN s`, `XADD s MAXLEN ~ 1 LIMIT 10 2-1 a 1`, `XADD s LIMIT 5 MAXLEN ~ 0 3-1 a 1`,
		`XADD s maxlen ~ 0 limit 0 4-1 a 1`, `XADD s MINID ~ 1 LIMIT 0 5-1 a 1`, `XADD s MAXLEN ~ 1 LIMIT 9223372036854775807 6-1 a 1`,
		`XADD s MAXLEN ~ 1 LIMIT 1000000 7-1 a 1`, `XADD s MAXLEN = 1 LIMIT 3 8-1 a 1`, `XADD s LIMIT 3 9-1 a 1`, `XLEN s`, `XRANGE s - +`),
	dc("XADD/option_like_fields", `XADD s 1-1 MAXLEN 1`, `XADD s 2-1 NOMKSTREAM LIMIT`, `XADD s 3-1 * $`, `XRANGE s - +`),
	dc("XADD/binary_and_duplicate_fields", `XADD s 1-1 "\x00\xff" "a\r\nb\x00"`, `XADD s 2-1 "" ""`, `XADD s 3-1 f 1 f 2 f 3`,
		`XADD s 4-1 "a b" "c d"`, `XADD "\x00k\xff" 1-1 k v`, `XRANGE s - +`, `XRANGE "\x00k\xff" - +`, `XLEN "\x00k\xff"`,
		`XADD "" 1-1 "" ""`, `XRANGE "" - +`, `KEYS *`),
	dc("XADD/many_fields_and_large_values", `XADD s 1-1 a 1 b 2 c 3 d 4 e 5 f 6 g 7 h 8 i 9 j 10 k 11 l 12`,
		`XADD s 2-1 big `+strings.Repeat("v", 5000), `XADD s 3-1 a `+strings.Repeat("w", 70000), `XADD s 4-1 a 1`, `XRANGE s - +`,
		`XLEN s`, `XINFO STREAM s`),
	dc("XADD/same_fields_as_master", `XADD s 1-1 a 1 b 2`, `XADD s 2-1 a 3 b 4`, `XADD s 3-1 b 5 a 6`, `XADD s 4-1 a 7`, `XADD s 5-1 a 8 b 9`,
		`XADD s 6-1 a 10 b 11 c 12`, `XDEL s 1-1`, `XADD s 7-1 a 13 b 14`, `XRANGE s - +`, `XREVRANGE s + -`),
	dc("XADD/integer_like_values", `XADD s 1-1 1 -1 01 +5 9223372036854775807 -9223372036854775808 9223372036854775808 1.5 " 1" "1 " -0 0`,
		`XADD s 2-1 1 123456789012345678901234567890 a 00`, `XRANGE s - +`, `XINFO STREAM s FULL`),
	dc("XADD/wrongtype", `SET str v`, `XADD str 1-1 a 1`, `XADD str NOMKSTREAM 1-1 a 1`, `XADD str 0-0 a 1`, `XADD str abc a 1`,
		`RPUSH l x`, `XADD l 1-1 a 1`, `HSET h f v`, `XADD h 1-1 a 1`, `SADD st m`, `XADD st 1-1 a 1`, `ZADD z 1 m`, `XADD z 1-1 a 1`,
		`XADD str 1-1 a`, `GET str`),

	// ---- XLEN ----
	dc("XLEN/all", `XLEN s`, `XADD s 1-1 a 1`, `XLEN s`, `XADD s 2-1 a 1`, `XLEN s`, `XDEL s 1-1`, `XLEN s`, `XLEN s x`, `XLEN`,
		`SET str v`, `XLEN str`, `XDEL s 2-1`, `XLEN s`, `EXISTS s`),

	// ---- XRANGE / XREVRANGE ----
	dc("XRANGE/basic", withSetup(streamSetup, `XRANGE s - +`, `XREVRANGE s + -`, `XRANGE s 1-2 3-5`, `XREVRANGE s 3-5 1-2`,
		`XRANGE s 2-0 2-0`, `XRANGE s + -`, `XREVRANGE s - +`, `XRANGE s 3-5 1-2`, `XRANGE nokey - +`, `XREVRANGE nokey + -`,
		`XRANGE s - -`, `XRANGE s + +`, `XRANGE s 0 0`, `XRANGE s 0-0 1-1`, `XRANGE s 5-0 18446744073709551615-18446744073709551615`,
		`xrange s - +`, `XRANGE s "-" "+"`)...),
	dc("XRANGE/exclusive", withSetup(streamSetup, `XRANGE s (1-1 +`, `XRANGE s - (5-0`, `XRANGE s (1-2 (3-5`, `XREVRANGE s (5-0 (1-1`,
		`XREVRANGE s + (3-5`, `XRANGE s (2-0 (2-0`, `XRANGE s (1-1 (1-2`, `XRANGE s (1 +`, `XRANGE s - (3`, `XREVRANGE s (3 (1`,
		`XRANGE s (0-0 +`, `XRANGE s - (18446744073709551615-18446744073709551615`, `XRANGE s (- +`, `XRANGE s - (+`, `XRANGE s (+ +`,
		`XRANGE s - (-`, `XRANGE s (18446744073709551615-18446744073709551615 +`, `XRANGE s - (0-0`, `XREVRANGE s (0-0 -`,
		`XREVRANGE s + (18446744073709551615-18446744073709551615`, `XRANGE s (1-18446744073709551615 +`, `XRANGE s - (2-0`,
		`XRANGE s ( +`, `XRANGE s (( +`, `XRANGE s "( 1-1" +`)...),
	dc("XRANGE/incomplete_ids", withSetup(streamSetup, `XRANGE s 1 1`, `XRANGE s 2 3`, `XREVRANGE s 3 2`, `XRANGE s 1 2`, `XRANGE s 4 4`,
		`XRANGE s 3 +`, `XRANGE s - 1`, `XRANGE s 0 18446744073709551615`, `XREVRANGE s 18446744073709551615 0`, `XRANGE s 18446744073709551616 +`,
		`XRANGE s 01 +`, `XRANGE s 5 5`)...),
	dc("XRANGE/COUNT", withSetup(streamSetup, `XRANGE s - + COUNT 2`, `XREVRANGE s + - COUNT 2`, `XRANGE s - + COUNT 0`, `XREVRANGE s + - COUNT 0`,
		`XRANGE s - + COUNT -1`, `XRANGE s - + COUNT -100`, `XRANGE s - + COUNT 1`, `XRANGE s - + COUNT 100`, `XRANGE s - + COUNT 9223372036854775807`,
		`XRANGE s - + count 3`, `XRANGE s - + COUNT abc`, `XRANGE s - + COUNT 1.5`, `XRANGE s - + COUNT 9223372036854775808`, `XRANGE s - + COUNT`,
		`XRANGE s - + COUNT 1 COUNT 2`, `XRANGE s - + COUNT 1 x`, `XRANGE s - + FOO 1`, `XRANGE s - + FOO`, `XRANGE nokey - + COUNT 0`,
		`XRANGE nokey - + COUNT abc`, `XRANGE s (3-5 + COUNT 1`, `XREVRANGE s (3-5 - COUNT 1`)...),
	dc("XRANGE/invalid_ids", withSetup(streamSetup, `XRANGE s abc +`, `XRANGE s - abc`, `XRANGE s 1-x +`, `XRANGE s "" +`, `XRANGE s 1-1-1 +`,
		`XRANGE s -1 +`, `XRANGE s $ +`, `XRANGE s > +`, `XRANGE s * +`, `XRANGE s 1-* +`, `XREVRANGE s abc -`, `XREVRANGE s + abc`,
		`XRANGE nokey abc +`, `XRANGE s`, `XRANGE s -`, `XREVRANGE s +`, `XRANGE s 1-18446744073709551616 +`)...),
	dc("XRANGE/wrongtype", `SET str v`, `XRANGE str - +`, `XREVRANGE str + -`, `XRANGE str abc +`, `XRANGE str - + COUNT x`, `HSET h a 1`, `XRANGE h - +`),
	dc("XRANGE/deleted_entries", withSetup(streamSetup, `XDEL s 1-2 3-5`, `XRANGE s - +`, `XREVRANGE s + -`, `XRANGE s 1-2 3-5`,
		`XRANGE s - + COUNT 2`, `XREVRANGE s + - COUNT 2`, `XDEL s 1-1 2-0 5-0`, `XRANGE s - +`, `XREVRANGE s + -`, `EXISTS s`)...),

	// ---- XDEL ----
	dc("XDEL/basic", withSetup(streamSetup, `XDEL s 1-1`, `XDEL s 1-1`, `XDEL s 1-2 9-9 2-0`, `XDEL s 3-5 3-5`, `XLEN s`, `XRANGE s - +`,
		`XDEL s 5`, `XLEN s`, `EXISTS s`, `XINFO STREAM s`, `XDEL nokey 1-1`, `XDEL s`, `XDEL`)...),
	dc("XDEL/invalid_ids", withSetup(streamSetup, `XDEL s 1-1 abc`, `XLEN s`, `XDEL s abc 1-1`, `XDEL s -`, `XDEL s +`, `XDEL s (1-1`,
		`XDEL s 1-*`, `XDEL s *`, `XDEL s ""`, `XDEL nokey abc`, `XLEN s`, `XRANGE s - +`)...),
	dc("XDEL/last_entry_then_add", `XADD s 5-1 a 1`, `XDEL s 5-1`, `XLEN s`, `XADD s 5-1 a 1`, `XADD s 5-2 a 1`, `XINFO STREAM s`, `XDEL s 5-2`,
		`XADD s MAXLEN 0 6-1 a 1`, `XINFO STREAM s`),
	dc("XDEL/wrongtype", `SET str v`, `XDEL str 1-1`, `XDEL str abc`, `LPUSH l a`, `XDEL l 1-1`),

	// ---- XTRIM ----
	dc("XTRIM/MAXLEN", withSetup(streamSetup, `XTRIM s MAXLEN 10`, `XTRIM s MAXLEN 4`, `XTRIM s MAXLEN = 3`, `XTRIM s maxlen ~ 1`, `XRANGE s - +`,
		`XTRIM s MAXLEN 0`, `XLEN s`, `EXISTS s`, `XINFO STREAM s`, `XTRIM nokey MAXLEN 0`, `EXISTS nokey`)...),
	dc("XTRIM/MINID", withSetup(streamSetup, `XTRIM s MINID 0`, `XTRIM s MINID 1-2`, `XTRIM s MINID = 2`, `XTRIM s MINID ~ 5`, `XRANGE s - +`,
		`XTRIM s minid 3-6`, `XRANGE s - +`, `XTRIM s MINID 18446744073709551615-18446744073709551615`, `XLEN s`, `XINFO STREAM s`,
		`XTRIM nokey MINID 5`)...),
	dc("XTRIM/LIMIT", withSetup(streamSetup, `XTRIM s MAXLEN 1 LIMIT 10`, `XTRIM s MINID 2 LIMIT 10`, `XTRIM s MAXLEN = 1 LIMIT 10`,
		`XTRIM s MAXLEN ~ 1 LIMIT 10`, `XTRIM s MAXLEN ~ 1 LIMIT 0`, `XTRIM s MINID ~ 5 LIMIT 1`, `XTRIM s MAXLEN ~ 1 LIMIT -1`,
		`XTRIM s MAXLEN ~ 1 LIMIT abc`, `XTRIM s LIMIT 10 MAXLEN ~ 1`, `XTRIM s LIMIT 10`, `XTRIM s MAXLEN ~ 1 LIMIT`, `XLEN s`)...),
	dc("XTRIM/errors", withSetup(streamSetup, `XTRIM s`, `XTRIM s MAXLEN`, `XTRIM s FOO 1`, `XTRIM s MAXLEN -1`, `XTRIM s MAXLEN abc`,
		`XTRIM s MAXLEN ~ -5`, `XTRIM s MINID abc`, `XTRIM s MINID -`, `XTRIM s MINID ~`, `XTRIM s MAXLEN 1 MINID 1`, `XTRIM s MAXLEN 1 MAXLEN 2`,
		`XTRIM s MAXLEN 1 x`, `XTRIM s MAXLEN 1 NOMKSTREAM`, `XTRIM s MAXLEN = = 1`, `XTRIM nokey MAXLEN -1`, `XTRIM nokey FOO`, `XTRIM nokey MAXLEN 1 LIMIT 5`,
		`XLEN s`, `SET str v`, `XTRIM str MAXLEN 0`, `XTRIM str FOO`, `XTRIM str MAXLEN -1`)...),

	// ---- XREAD ----
	dc("XREAD/basic", withSetup(streamSetup, `XREAD STREAMS s 0`, `XREAD COUNT 2 STREAMS s 0`, `XREAD STREAMS s 1-1`, `XREAD STREAMS s 1`,
		`XREAD STREAMS s 3-5`, `XREAD STREAMS s 5-0`, `XREAD STREAMS s $`, `XREAD STREAMS s 9-9`, `XREAD STREAMS nokey 0`, `XREAD STREAMS nokey $`,
		`XREAD STREAMS s nokey 0 0`, `XREAD STREAMS nokey s 0 2`, `XREAD count 1 streams s 0`, `XREAD COUNT 0 STREAMS s 0`, `XREAD COUNT -1 STREAMS s 0`,
		`XREAD COUNT 1 COUNT 3 STREAMS s 0`, `XREAD STREAMS s -`, `XREAD STREAMS s +`, `XREAD STREAMS s 0-0`, `XREAD STREAMS s 18446744073709551615-18446744073709551615`)...),
	dc("XREAD/several_streams", `XADD a 1-1 x 1`, `XADD a 2-1 x 2`, `XADD b 1-5 y 1`, `XADD b 3-1 y 2`, `XREAD STREAMS a b 0 0`,
		`XREAD COUNT 1 STREAMS a b 0 0`, `XREAD STREAMS a b 2-1 0`, `XREAD STREAMS a b $ 1-5`, `XREAD STREAMS b a 0 0`, `XREAD STREAMS a a 0 1-1`,
		`XREAD STREAMS a b c 0 0 0`, `XREAD STREAMS c a 0 $`),
	dc("XREAD/errors", withSetup(streamSetup, `XREAD STREAMS s`, `XREAD STREAMS s t 0`, `XREAD STREAMS`, `XREAD s 0`, `XREAD COUNT x STREAMS s 0`,
		`XREAD COUNT STREAMS s 0`, `XREAD STREAMS s abc`, `XREAD STREAMS s 1-x`, `XREAD STREAMS s >`, `XREAD STREAMS s (1-1`, `XREAD STREAMS s *`,
		`XREAD NOACK STREAMS s 0`, `XREAD BLOCK -1 STREAMS s 0`, `XREAD BLOCK abc STREAMS s 0`, `XREAD BLOCK 1.5 STREAMS s 0`,
		`XREAD BLOCK STREAMS s 0`, `XREAD FOO STREAMS s 0`, `XREAD COUNT 1`, `XREAD STREAMS nokey abc`, `XREAD STREAMS a b c 0 0`,
		`XREAD GROUP g c STREAMS s 0`, `XREAD COUNT 9223372036854775808 STREAMS s 0`, `XREAD streams s 0 STREAMS s 0`)...),
	dc("XREAD/block_nonblocking_paths", withSetup(streamSetup, `XREAD BLOCK 0 STREAMS s 0`, `XREAD BLOCK 100 COUNT 1 STREAMS s 2`,
		`XREAD BLOCK 1 STREAMS s $`, `XREAD BLOCK 1 STREAMS nokey 0`, `XREAD COUNT 1 BLOCK 0 STREAMS nokey s 0 0`)...),
	dc("XREAD/wrongtype", `SET str v`, `XADD s 1-1 a 1`, `XREAD STREAMS str 0`, `XREAD STREAMS s str 0 0`, `XREAD STREAMS str s 0 0`,
		`XREAD STREAMS str $`, `XREAD STREAMS s str 0 abc`, `XREAD BLOCK 1 STREAMS str 0`, `RPUSH l a`, `XREAD STREAMS l 0`),

	// ---- XSETID ----
	dc("XSETID/basic", withSetup(streamSetup, `XSETID s 5-0`, `XSETID s 10-0`, `XINFO STREAM s`, `XADD s 9-0 a 1`, `XADD s 10-0 a 1`,
		`XADD s 10-* a 1`, `XSETID s 10-0`, `XSETID s 10-1`, `XSETID s 20`, `XINFO STREAM s`, `XSETID s 18446744073709551615-18446744073709551615`,
		`XADD s * a 1`, `XADD s 18446744073709551615-* a 1`, `XLEN s`)...),
	dc("XSETID/ENTRIESADDED_MAXDELETEDID", withSetup(streamSetup, `XSETID s 6-0 ENTRIESADDED 5`, `XINFO STREAM s`, `XSETID s 6-0 ENTRIESADDED 100`,
		`XSETID s 6-0 ENTRIESADDED 4`, `XSETID s 6-0 MAXDELETEDID 3-0`, `XINFO STREAM s`, `XSETID s 6-0 MAXDELETEDID 7-0`,
		`XSETID s 6-0 ENTRIESADDED 200 MAXDELETEDID 6-0`, `XSETID s 6-0 MAXDELETEDID 1 ENTRIESADDED 300`, `XINFO STREAM s`,
		`XSETID s 6-0 ENTRIESADDED -1`, `XSETID s 6-0 ENTRIESADDED abc`, `XSETID s 6-0 MAXDELETEDID abc`, `XSETID s 6-0 ENTRIESADDED`,
		`XSETID s 6-0 MAXDELETEDID`, `XSETID s 6-0 FOO 1`, `XSETID s 6-0 entriesadded 300 maxdeletedid 2-0`, `XINFO STREAM s`,
		`XSETID s 6-0 MAXDELETEDID 0-0`, `XSETID s 6-0 ENTRIESADDED 9223372036854775807`, `XINFO STREAM s`)...),
	dc("XSETID/errors", withSetup(streamSetup, `XSETID s 4-0`, `XSETID s 5`, `XSETID s abc`, `XSETID s -`, `XSETID s +`, `XSETID s $`,
		`XSETID s *`, `XSETID s 0-0`, `XSETID nokey 1-1`, `XSETID nokey 1-1 ENTRIESADDED 1`, `XSETID s`, `XSETID`, `SET str v`, `XSETID str 1-1`,
		`XSETID s 5-0 x`, `XINFO STREAM s`)...),
	dc("XSETID/empty_stream", `XADD s 5-1 a 1`, `XDEL s 5-1`, `XSETID s 1-0`, `XSETID s 5-1`, `XSETID s 1-0 ENTRIESADDED 0 MAXDELETEDID 0-0`,
		`XINFO STREAM s`, `XADD s 2-0 a 1`, `XADD t MAXLEN 0 3-1 a 1`, `XSETID t 0-0`, `XSETID t 0-0 ENTRIESADDED 0`, `XSETID t 2-0 ENTRIESADDED 0`,
		`XINFO STREAM t`, `XSETID t 0-1 ENTRIESADDED 0 MAXDELETEDID 0-1`, `XINFO STREAM t`),

	// ---- XINFO (no groups) ----
	dc("XINFO/STREAM", withSetup(streamSetup, `XINFO STREAM s`, `XINFO STREAM s FULL`, `XINFO STREAM s FULL COUNT 2`, `XINFO STREAM s FULL COUNT 0`,
		`XINFO STREAM s FULL COUNT -1`, `XINFO STREAM s full count 1`, `XINFO STREAM s FULL COUNT abc`, `XINFO STREAM s FULL COUNT`,
		`XINFO STREAM s FOO`, `XINFO STREAM s COUNT 1`, `XINFO STREAM s FULL FOO 1`, `XINFO STREAM nokey`, `XINFO STREAM nokey FULL`,
		`XDEL s 5-0`, `XINFO STREAM s`, `XDEL s 1-1`, `XINFO STREAM s`, `XTRIM s MAXLEN 0`, `XINFO STREAM s`, `XINFO STREAM s FULL`)...),
	dc("XINFO/help_and_errors", `XINFO HELP`, `xinfo help`, `XINFO HELP x`, `XINFO FOO`, `XINFO FOO s`, `XINFO`, `XINFO STREAM`,
		`XINFO GROUPS`, `XINFO CONSUMERS s`, `XINFO GROUPS nokey`, `XINFO CONSUMERS nokey g`, `SET str v`, `XINFO STREAM str`,
		`XINFO GROUPS str`, `XINFO CONSUMERS str g`, `XADD s 1-1 a 1`, `XINFO GROUPS s`, `XINFO CONSUMERS s nog`, `XINFO GROUPS s x`),

	// ---- key commands on streams ----
	dc("KEYS/type_encoding", `XADD s 1-1 a 1`, `TYPE s`, `OBJECT ENCODING s`, `OBJECT REFCOUNT s`, `EXISTS s`, `DBSIZE`, `@SCANALL TYPE stream`,
		`SET str v`, `RPUSH l a`, `HSET h a 1`, `@SCANALL TYPE stream`, `@SCANALL TYPE STREAM`, `@SCANALL TYPE string`, `@SCANALL MATCH s* TYPE stream`,
		`XADD s2 1-1 a 1`, `@SCANALL TYPE stream COUNT 1`, `KEYS *`),
	dc("KEYS/del_unlink", `XADD s 1-1 a 1`, `XGROUP CREATE s g 0`, `DEL s`, `EXISTS s`, `XLEN s`, `XINFO GROUPS s`, `XADD s 1-1 a 1`, `XINFO GROUPS s`,
		`UNLINK s`, `EXISTS s`, `XADD s MAXLEN 0 1-1 a 1`, `DEL s`),
	dc("KEYS/rename", withSetup(groupSetup, `RENAME s t`, `EXISTS s`, `XRANGE t - +`, `XINFO GROUPS t`, `XPENDING t g`, `XADD t 5-1 x 1`,
		`XADD t 6-1 x 1`, `SET str v`, `RENAME t str`, `TYPE str`, `XLEN str`, `RENAMENX str t`, `XADD u 1-1 a 1`, `RENAMENX t u`, `XINFO STREAM t FULL`,
		`RENAME t t`, `XLEN t`)...),
	dc("KEYS/copy", withSetup(groupSetup, `COPY s c`, `XRANGE c - +`, `XINFO STREAM c FULL`, `XADD c 6-1 x 1`, `XLEN s`, `XLEN c`,
		`XREADGROUP GROUP g carol STREAMS c >`, `XINFO CONSUMERS s g`, `XINFO CONSUMERS c g`, `XACK c g 1-1`, `XPENDING s g`, `XPENDING c g`,
		`COPY s c`, `COPY s c REPLACE`, `XLEN c`, `COPY s c DB 1`, `SELECT 1`, `XINFO STREAM c FULL`, `XPENDING c g - + 10`, `SELECT 0`,
		`XSETID s 9-0 ENTRIESADDED 50 MAXDELETEDID 8-0`, `COPY s d`, `XINFO STREAM d`)...),
	dc("KEYS/move", withSetup(groupSetup, `MOVE s 1`, `EXISTS s`, `SELECT 1`, `XRANGE s - +`, `XINFO GROUPS s`, `XPENDING s g - + 10`,
		`XADD s 6-1 x 1`, `MOVE s 0`, `SELECT 0`, `XLEN s`, `XADD t 1-1 a 1`, `SELECT 1`, `XADD t 1-1 b 2`, `MOVE t 0`, `XRANGE t - +`)...),
	dc("KEYS/expire", `XADD s 1-1 a 1`, `EXPIRE s 100`, `TTL s`, `XADD s 2-1 a 1`, `TTL s`, `XTRIM s MAXLEN 0`, `TTL s`, `PERSIST s`, `TTL s`,
		`PEXPIRE s 30`, `XGROUP CREATE s g 0`, `@SLEEP 80`, `EXISTS s`, `XLEN s`, `XINFO GROUPS s`, `XADD s NOMKSTREAM 3-1 a 1`, `XADD s 0-1 a 1`),
	dc("KEYS/wrongtype_other_commands", `XADD s 1-1 a 1`, `GET s`, `SET s v GET`, `APPEND s x`, `INCR s`, `STRLEN s`, `GETRANGE s 0 1`, `SETBIT s 0 1`,
		`LPUSH s a`, `LRANGE s 0 -1`, `LLEN s`, `HSET s a 1`, `HGETALL s`, `SADD s a`, `SMEMBERS s`, `ZADD s 1 a`, `ZRANGE s 0 -1`, `BITCOUNT s`,
		`SORT s`, `XRANGE s - +`, `SET s v`, `TYPE s`),
	dc("KEYS/wrongtype_stream_commands", `SET str v`, `XLEN str`, `XRANGE str - +`, `XREVRANGE str + -`, `XDEL str 1-1`, `XTRIM str MAXLEN 0`,
		`XREAD STREAMS str 0`, `XGROUP CREATE str g 0`, `XGROUP CREATE str g 0 MKSTREAM`, `XGROUP SETID str g 0`, `XGROUP DESTROY str g`,
		`XGROUP CREATECONSUMER str g c`, `XGROUP DELCONSUMER str g c`, `XREADGROUP GROUP g c STREAMS str >`, `XACK str g 1-1`, `XPENDING str g`,
		`XPENDING str g - + 10`, `XCLAIM str g c 0 1-1`, `XAUTOCLAIM str g c 0 0`, `XINFO STREAM str`, `XINFO GROUPS str`, `XINFO CONSUMERS str g`,
		`XSETID str 1-1`, `ZADD z 1 m`, `XLEN z`, `XADD z 1-1 a 1`, `SADD st m`, `XREAD STREAMS st $`, `HSET h f v`, `XGROUP CREATE h g $`),
	dc("KEYS/swapdb_flush", `XADD s 1-1 a 1`, `SWAPDB 0 1`, `EXISTS s`, `SELECT 1`, `XRANGE s - +`, `FLUSHDB`, `XLEN s`, `XADD s 1-1 a 1`,
		`FLUSHALL`, `XLEN s`),

	// ---- transactions ----
	dc("MULTI/stream_commands", `MULTI`, `XADD s 1-1 a 1`, `XADD s 2-1 b 2`, `XLEN s`, `XRANGE s - +`, `XREVRANGE s + - COUNT 1`, `XREAD STREAMS s 0`,
		`XGROUP CREATE s g 0`, `XREADGROUP GROUP g c COUNT 1 STREAMS s >`, `XPENDING s g`, `XPENDING s g - + 10`, `XACK s g 1-1`, `XCLAIM s g d 0 2-1`,
		`XAUTOCLAIM s g e 0 0`, `XINFO STREAM s`, `XINFO GROUPS s`, `XINFO CONSUMERS s g`, `XDEL s 1-1`, `XTRIM s MAXLEN 0`, `XSETID s 9-9`, `EXEC`,
		`XINFO STREAM s FULL`),
	dc("MULTI/runtime_errors", `SET str v`, `MULTI`, `XADD str 1-1 a 1`, `XADD s 1-1 a 1`, `XADD s 1-1 a 1`, `XADD s 0-0 a 1`, `XRANGE s abc +`,
		`XREADGROUP GROUP nog c STREAMS s >`, `XGROUP CREATE s g 0`, `XGROUP CREATE s g 0`, `XTRIM s MAXLEN 1 LIMIT 1`, `XADD s 2-1 b 2`, `EXEC`,
		`XRANGE s - +`),
	dc("MULTI/arity_aborts", `MULTI`, `XADD s 1-1 a 1`, `XADD s`, `EXEC`, `EXISTS s`, `MULTI`, `XLEN`, `EXEC`, `MULTI`, `XGROUP`, `EXEC`),
	dc("MULTI/xadd_odd_fields_queued", `MULTI`, `XADD s 1-1 a`, `XADD s 2-1 a 1`, `EXEC`, `XRANGE s - +`),
	dc("MULTI/xread_block_inside", `XADD s 1-1 a 1`, `MULTI`, `XREAD BLOCK 0 STREAMS s $`, `XREAD BLOCK 0 STREAMS s 0`, `XGROUP CREATE s g $`,
		`XREADGROUP GROUP g c BLOCK 0 STREAMS s >`, `EXEC`),
	dc("WATCH/stream_writes", `XADD s 1-1 a 1`,
		`WATCH s`, `2> XADD s 2-1 b 2`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> XADD s 1-1 b 2`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> XDEL s 9-9`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> XDEL s 1-1`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> XTRIM s MAXLEN 10`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> XGROUP CREATE s g 0`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> XREADGROUP GROUP g c STREAMS s >`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> XREADGROUP GROUP g c STREAMS s >`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> XACK s g 2-1`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> XSETID s 5-0`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> XGROUP CREATECONSUMER s g c2`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> XGROUP SETID s g 0`, `MULTI`, `PING`, `EXEC`,
		`WATCH s`, `2> XADD nokey NOMKSTREAM 1-1 a 1`, `MULTI`, `PING`, `EXEC`),
	dc("WATCH/stream_reads_do_not_abort", `XADD s 1-1 a 1`, `XGROUP CREATE s g 0`, `WATCH s`, `2> XRANGE s - +`, `2> XREAD STREAMS s 0`, `2> XLEN s`,
		`2> XINFO STREAM s FULL`, `2> XINFO GROUPS s`, `2> XPENDING s g`, `2> XREADGROUP GROUP g c STREAMS s 0`, `MULTI`, `PING`, `EXEC`),

	// ---- RESP3 ----
	dc("RESP3/xread_map", `HELLO 3`, `XADD a 1-1 x 1`, `XADD b 2-1 y 2`, `XREAD STREAMS a b 0 0`, `XREAD STREAMS a 5-0`, `XREAD STREAMS nokey 0`,
		`XREAD COUNT 1 STREAMS a b 0 0`, `XREAD BLOCK 1 STREAMS a $`),
	dc("RESP3/xreadgroup_map", `HELLO 3`, `XADD a 1-1 x 1`, `XADD b 2-1 y 2`, `XGROUP CREATE a g 0`, `XGROUP CREATE b g 0`,
		`XREADGROUP GROUP g c STREAMS a b > >`, `XREADGROUP GROUP g c STREAMS a b > >`, `XREADGROUP GROUP g c STREAMS a b 0 0`,
		`XDEL a 1-1`, `XREADGROUP GROUP g c STREAMS a 0`, `XREADGROUP GROUP g c BLOCK 1 STREAMS a >`, `XREADGROUP GROUP g c NOACK STREAMS a >`),
	dc("RESP3/xinfo", withSetup(groupSetup, `HELLO 3`, `XINFO STREAM s`, `XINFO STREAM s FULL`, `XINFO GROUPS s`, `XINFO CONSUMERS s g`,
		`XINFO HELP`, `XGROUP HELP`, `XDEL s 5-1`, `XINFO STREAM s FULL COUNT 1`, `XADD e MAXLEN 0 1-1 a 1`, `XINFO STREAM e`, `XINFO STREAM e FULL`)...),
	dc("RESP3/other_replies", withSetup(groupSetup, `HELLO 3`, `XRANGE s - +`, `XREVRANGE s + - COUNT 1`, `XRANGE nokey - +`, `XPENDING s g`,
		`XPENDING s g - + 10`, `XPENDING nokey2 g`, `XPENDING s g - + 10 nobody`, `XCLAIM s g carol 0 1-1`, `XCLAIM s g carol 0 1-1 JUSTID`,
		`XAUTOCLAIM s g dave 0 0`, `XAUTOCLAIM s g dave 0 0 JUSTID`, `XADD s NOMKSTREAM 6-1 a 1`, `XADD nokey NOMKSTREAM 1-1 a 1`, `XLEN s`,
		`XACK s g 1-1`, `XGROUP CREATECONSUMER s g eve`, `XGROUP DELCONSUMER s g eve`, `XSETID s 9-0`, `XTRIM s MAXLEN 1`, `XDEL s 9-0`)...),
}

var streamGroupCases = []diffCase{
	// ---- XGROUP CREATE ----
	dc("XGROUP/CREATE", `XADD s 1-1 a 1`, `XADD s 2-1 b 2`, `XGROUP CREATE s g1 0`, `XGROUP CREATE s g2 $`, `XGROUP CREATE s g3 1-1`,
		`XGROUP CREATE s g4 1`, `XGROUP CREATE s g5 9-9`, `XGROUP CREATE s g1 0`, `XGROUP CREATE s g1 $`, `XINFO GROUPS s`, `XINFO STREAM s`,
		`xgroup create s g6 0`, `XGROUP CREATE s "" 0`, `XGROUP CREATE s "\x00g\xff" -`, `XGROUP CREATE s "\x00g\xff" 0`, `XGROUP CREATE s g7 +`, `XINFO GROUPS s`),
	dc("XGROUP/CREATE_missing_key", `XGROUP CREATE s g 0`, `EXISTS s`, `XGROUP CREATE s g $ MKSTREAM`, `TYPE s`, `XLEN s`, `XINFO STREAM s`,
		`XINFO GROUPS s`, `XGROUP CREATE s g $ MKSTREAM`, `XGROUP CREATE t g 0 mkstream`, `XGROUP CREATE u g 5-5 MKSTREAM`, `XINFO GROUPS u`,
		`XGROUP CREATE v g abc MKSTREAM`, `EXISTS v`, `XADD u 1-1 a 1`, `XADD u 6-1 a 1`, `XREADGROUP GROUP g c STREAMS u >`),
	dc("XGROUP/CREATE_ENTRIESREAD", `XADD s 1-1 a 1`, `XADD s 2-1 b 2`, `XADD s 3-1 c 3`, `XGROUP CREATE s g1 0 ENTRIESREAD 0`,
		`XGROUP CREATE s g2 1-1 ENTRIESREAD 1`, `XGROUP CREATE s g3 $ ENTRIESREAD 3`, `XGROUP CREATE s g4 2-1 ENTRIESREAD 10`,
		`XGROUP CREATE s g5 0 ENTRIESREAD -1`, `XGROUP CREATE s g6 0 ENTRIESREAD -2`, `XGROUP CREATE s g7 0 ENTRIESREAD abc`,
		`XGROUP CREATE s g8 0 ENTRIESREAD`, `XGROUP CREATE s g9 0 MKSTREAM ENTRIESREAD 1`, `XGROUP CREATE s g10 0 ENTRIESREAD 1 MKSTREAM`,
		`XGROUP CREATE s g11 $ entriesread 9223372036854775807`, `XINFO GROUPS s`, `XDEL s 2-1`, `XINFO GROUPS s`, `XADD s 4-1 d 4`, `XINFO GROUPS s`),
	dc("XGROUP/CREATE_errors", `XADD s 1-1 a 1`, `XGROUP CREATE s g abc`, `XGROUP CREATE s g 1-x`, `XGROUP CREATE s g >`, `XGROUP CREATE s g *`,
		`XGROUP CREATE s g (1`, `XGROUP CREATE s g 0 FOO`, `XGROUP CREATE s g 0 MKSTREAM x`, `XGROUP CREATE s g`, `XGROUP CREATE s`, `XGROUP CREATE`,
		`XGROUP CREATE s g 0 ENTRIESREAD 1 ENTRIESREAD 2`, `XGROUP CREATE nokey g abc`, `XGROUP CREATE nokey g 0 FOO`, `XINFO GROUPS s`),

	// ---- XGROUP SETID / DESTROY / CREATECONSUMER / DELCONSUMER / HELP ----
	dc("XGROUP/SETID", withSetup(groupSetup, `XGROUP SETID s g 0`, `XINFO GROUPS s`, `XREADGROUP GROUP g carol STREAMS s >`, `XGROUP SETID s g $`,
		`XINFO GROUPS s`, `XGROUP SETID s g 2-1 ENTRIESREAD 2`, `XINFO GROUPS s`, `XGROUP SETID s g 3 ENTRIESREAD -1`, `XINFO GROUPS s`,
		`XGROUP SETID s g 9-9`, `XINFO GROUPS s`, `XGROUP SETID s g 0 ENTRIESREAD -2`, `XGROUP SETID s g 0 ENTRIESREAD abc`, `XGROUP SETID s g abc`,
		`XGROUP SETID s nog 0`, `XGROUP SETID nokey g 0`, `XGROUP SETID s g 0 FOO`, `XGROUP SETID s g 0 MKSTREAM`, `XGROUP SETID s g`,
		`XPENDING s g`, `XINFO GROUPS s`)...),
	dc("XGROUP/DESTROY", withSetup(groupSetup, `XGROUP DESTROY s g`, `XGROUP DESTROY s g`, `XINFO GROUPS s`, `XPENDING s g`,
		`XGROUP DESTROY nokey g`, `XGROUP DESTROY s`, `XGROUP DESTROY s g x`, `XGROUP CREATE s g $`, `XINFO GROUPS s`, `XINFO CONSUMERS s g`)...),
	dc("XGROUP/CREATECONSUMER", withSetup(groupSetup, `XGROUP CREATECONSUMER s g carol`, `XGROUP CREATECONSUMER s g carol`,
		`XGROUP CREATECONSUMER s g alice`, `XGROUP CREATECONSUMER s g ""`, `XGROUP CREATECONSUMER s nog x`, `XGROUP CREATECONSUMER nokey g x`,
		`XGROUP CREATECONSUMER s g`, `XGROUP CREATECONSUMER s g a b`, `XINFO CONSUMERS s g`, `XINFO GROUPS s`)...),
	dc("XGROUP/DELCONSUMER", withSetup(groupSetup, `XGROUP DELCONSUMER s g alice`, `XGROUP DELCONSUMER s g alice`, `XGROUP DELCONSUMER s g nobody`,
		`XPENDING s g`, `XPENDING s g - + 10`, `XGROUP DELCONSUMER s nog bob`, `XGROUP DELCONSUMER nokey g bob`, `XGROUP DELCONSUMER s g`,
		`XGROUP CREATECONSUMER s g carol`, `XGROUP DELCONSUMER s g carol`, `XGROUP DELCONSUMER s g bob`, `XINFO CONSUMERS s g`, `XINFO GROUPS s`,
		`XINFO STREAM s FULL`)...),
	dc("XGROUP/HELP_and_errors", `XGROUP HELP`, `xgroup help`, `XGROUP HELP x`, `XGROUP FOO`, `XGROUP FOO s g`, `XGROUP`, `XGROUP SETID`,
		`XGROUP DESTROY`, `XGROUP CREATECONSUMER s`, `XGROUP DELCONSUMER s`),

	// ---- XREADGROUP ----
	dc("XREADGROUP/new_entries", `XADD s 1-1 a 1`, `XADD s 2-1 b 2`, `XADD s 3-1 c 3`, `XGROUP CREATE s g 0`,
		`XREADGROUP GROUP g alice COUNT 1 STREAMS s >`, `XREADGROUP GROUP g bob STREAMS s >`, `XREADGROUP GROUP g bob STREAMS s >`,
		`XADD s 4-1 d 4`, `XREADGROUP group g alice streams s >`, `XINFO GROUPS s`, `XINFO CONSUMERS s g`, `XPENDING s g`, `XPENDING s g - + 10`),
	dc("XREADGROUP/history", withSetup(groupSetup, `XREADGROUP GROUP g alice STREAMS s 0`, `XREADGROUP GROUP g alice STREAMS s 1-1`,
		`XREADGROUP GROUP g alice COUNT 1 STREAMS s 0`, `XREADGROUP GROUP g bob STREAMS s 0`, `XREADGROUP GROUP g carol STREAMS s 0`,
		`XREADGROUP GROUP g alice STREAMS s 2-1`, `XREADGROUP GROUP g alice STREAMS s 9-9`, `XREADGROUP GROUP g alice STREAMS s -`,
		`XREADGROUP GROUP g alice STREAMS s 1`, `XDEL s 1-1`, `XREADGROUP GROUP g alice STREAMS s 0`, `XPENDING s g - + 10`,
		`XINFO CONSUMERS s g`, `XREADGROUP GROUP g alice COUNT 0 STREAMS s 0`)...),
	dc("XREADGROUP/NOACK", `XADD s 1-1 a 1`, `XADD s 2-1 b 2`, `XGROUP CREATE s g 0`, `XREADGROUP GROUP g alice NOACK STREAMS s >`,
		`XPENDING s g`, `XINFO GROUPS s`, `XADD s 3-1 c 3`, `XREADGROUP GROUP g alice noack COUNT 1 STREAMS s >`, `XREADGROUP GROUP g alice NOACK STREAMS s 0`,
		`XINFO CONSUMERS s g`),
	dc("XREADGROUP/COUNT", withSetup(groupSetup, `XREADGROUP GROUP g c COUNT 0 STREAMS s >`, `XPENDING s g`, `XREADGROUP GROUP g d COUNT -1 STREAMS s >`,
		`XREADGROUP GROUP g e COUNT abc STREAMS s >`, `XREADGROUP GROUP g e COUNT 1 COUNT 2 STREAMS s >`)...),
	dc("XREADGROUP/several_streams", `XADD a 1-1 x 1`, `XADD a 2-1 x 2`, `XADD b 1-1 y 1`, `XGROUP CREATE a g 0`, `XGROUP CREATE b g 0`,
		`XREADGROUP GROUP g c COUNT 1 STREAMS a b > >`, `XREADGROUP GROUP g c STREAMS a b > >`, `XREADGROUP GROUP g c STREAMS a b > >`,
		`XREADGROUP GROUP g c STREAMS a b 0 0`, `XREADGROUP GROUP g c STREAMS a b 0 >`, `XADD b 2-1 y 2`, `XREADGROUP GROUP g c STREAMS a b > >`,
		`XGROUP CREATE x g $ MKSTREAM`, `XREADGROUP GROUP g c STREAMS a x > >`, `XREADGROUP GROUP g c STREAMS a nokey > >`, `XPENDING a g`, `XPENDING b g`),
	dc("XREADGROUP/errors", withSetup(groupSetup, `XREADGROUP GROUP nog c STREAMS s >`, `XREADGROUP GROUP g c STREAMS nokey >`,
		`XREADGROUP GROUP g c STREAMS nokey 0`, `XREADGROUP GROUP g c STREAMS s $`, `XREADGROUP GROUP g c STREAMS s abc`, `XREADGROUP GROUP g c STREAMS s`,
		`XREADGROUP GROUP g c STREAMS s t >`, `XREADGROUP GROUP g STREAMS s >`, `XREADGROUP GROUP g`, `XREADGROUP STREAMS s >`, `XREADGROUP GROUP g c s >`,
		`XREADGROUP GROUP g c BLOCK -1 STREAMS s >`, `XREADGROUP GROUP g c BLOCK x STREAMS s >`, `XREADGROUP GROUP g c FOO STREAMS s >`,
		`XREADGROUP GROUP g c STREAMS s (1-1`, `XREADGROUP GROUP g c STREAMS s *`, `XREADGROUP GROUP g c STREAMS s +`,
		`XREADGROUP GROUP g c GROUP h d STREAMS s >`, `XREADGROUP GROUP nog c STREAMS s 0`, `XREADGROUP GROUP g c STREAMS s nokey > >`,
		`SET str v`, `XREADGROUP GROUP g c STREAMS str >`, `XREADGROUP GROUP g c STREAMS s str > >`, `XINFO CONSUMERS s g`)...),
	dc("XREADGROUP/consumer_created", `XADD s 1-1 a 1`, `XGROUP CREATE s g $`, `XREADGROUP GROUP g alice STREAMS s >`, `XINFO CONSUMERS s g`,
		`XREADGROUP GROUP g bob STREAMS s 0`, `XINFO CONSUMERS s g`, `XREADGROUP GROUP g "" STREAMS s >`, `XINFO GROUPS s`),
	dc("XREADGROUP/entries_read_and_lag", `XADD s 1-1 a 1`, `XADD s 2-1 b 2`, `XADD s 3-1 c 3`, `XGROUP CREATE s g 0`, `XINFO GROUPS s`,
		`XREADGROUP GROUP g c COUNT 1 STREAMS s >`, `XINFO GROUPS s`, `XDEL s 3-1`, `XINFO GROUPS s`, `XREADGROUP GROUP g c STREAMS s >`, `XINFO GROUPS s`,
		`XADD s 4-1 d 4`, `XINFO GROUPS s`, `XTRIM s MAXLEN 1`, `XINFO GROUPS s`, `XGROUP CREATE s h 0`, `XGROUP CREATE s i 2-1`, `XINFO GROUPS s`,
		`XREADGROUP GROUP h c STREAMS s >`, `XINFO GROUPS s`, `XINFO STREAM s FULL`),

	// ---- XACK ----
	dc("XACK/basic", withSetup(groupSetup, `XACK s g 1-1`, `XACK s g 1-1`, `XACK s g 2-1 3-1 4-1 9-9`, `XPENDING s g`, `XACK s g 2`, `XACK s nog 1-1`,
		`XACK nokey g 1-1`, `XACK s g`, `XACK s g abc`, `XACK s g 1-1 abc`, `XINFO CONSUMERS s g`, `XINFO STREAM s FULL`)...),
	dc("XACK/invalid_ids_ack_nothing", withSetup(groupSetup, `XACK s g 1-1 abc`, `XPENDING s g`, `XACK s g - +`, `XACK s g (1-1`, `XACK s g *`,
		`XACK s g 1-1 1-1 2-1`, `XPENDING s g`)...),

	// ---- XPENDING ----
	dc("XPENDING/summary", withSetup(groupSetup, `XPENDING s g`, `XPENDING s nog`, `XPENDING nokey g`, `XACK s g 1-1 2-1 3-1`, `XPENDING s g`,
		`XGROUP CREATE s empty $`, `XPENDING s empty`, `XPENDING s g x`, `XPENDING s`)...),
	dc("XPENDING/extended", withSetup(groupSetup, `XPENDING s g - + 10`, `XPENDING s g - + 1`, `XPENDING s g 2-1 + 10`, `XPENDING s g - 2 10`,
		`XPENDING s g (1-1 + 10`, `XPENDING s g - (3-1 10`, `XPENDING s g - + 0`, `XPENDING s g - + -1`, `XPENDING s g + - 10`,
		`XPENDING s g - + 10 alice`, `XPENDING s g - + 10 bob`, `XPENDING s g - + 10 nobody`, `XPENDING s g - + 1 alice`, `XPENDING s g - + abc`,
		`XPENDING s g abc + 10`, `XPENDING s g - abc 10`, `XPENDING s g - +`, `XPENDING s g -`, `XPENDING s g - + 10 alice x`,
		`XPENDING s g - + 9223372036854775807`, `XPENDING s g - + 9223372036854775808`, `XPENDING s nog - + 10`, `XPENDING nokey g - + 10`,
		`XPENDING s g (- + 10`, `XPENDING s g 1 1 10`)...),
	dc("XPENDING/IDLE", withSetup(groupSetup, `XPENDING s g IDLE 0 - + 10`, `XPENDING s g IDLE 3600000 - + 10`, `XPENDING s g IDLE 0 - + 10 alice`,
		`XPENDING s g idle 0 - + 10 bob`, `XPENDING s g IDLE -1 - + 10`, `XPENDING s g IDLE abc - + 10`, `XPENDING s g IDLE 0`, `XPENDING s g IDLE 0 - +`,
		`XPENDING s g IDLE`, `XCLAIM s g alice 0 2-1 IDLE 7200000`, `XPENDING s g IDLE 3600000 - + 10`, `XPENDING s g IDLE 3600000 - + 10 bob`,
		`XPENDING s g IDLE 9223372036854775807 - + 10`)...),
	dc("XPENDING/deleted_entries", withSetup(groupSetup, `XDEL s 1-1 3-1`, `XPENDING s g`, `XPENDING s g - + 10`, `XTRIM s MAXLEN 0`, `XPENDING s g - + 10`,
		`XREADGROUP GROUP g alice STREAMS s 0`, `XINFO STREAM s FULL`)...),

	// ---- XCLAIM ----
	dc("XCLAIM/basic", withSetup(groupSetup, `XCLAIM s g carol 0 1-1`, `XPENDING s g - + 10`, `XCLAIM s g carol 0 1-1 2-1 3-1 4-1 9-9`,
		`XPENDING s g - + 10`, `XCLAIM s g alice 3600000 1-1`, `XCLAIM s nog carol 0 1-1`, `XCLAIM nokey g carol 0 1-1`, `XINFO CONSUMERS s g`,
		`XINFO STREAM s FULL`)...),
	dc("XCLAIM/IDLE_TIME_RETRYCOUNT", withSetup(groupSetup, `XCLAIM s g carol 0 1-1 IDLE 500000`, `XPENDING s g - + 10`,
		`XCLAIM s g carol 0 2-1 TIME 1000`, `XPENDING s g - + 10`, `XCLAIM s g carol 0 3-1 RETRYCOUNT 7`, `XPENDING s g - + 10`,
		`XCLAIM s g dave 0 1-1 IDLE 100 RETRYCOUNT 0`, `XCLAIM s g dave 0 2-1 TIME 99999999999999`, `XPENDING s g - + 10`,
		`XCLAIM s g dave 0 3-1 IDLE -5`, `XCLAIM s g dave 0 3-1 TIME -5`, `XPENDING s g - + 10`, `XCLAIM s g dave 0 3-1 idle 100000 time 1000`,
		`XCLAIM s g dave 0 3-1 TIME 1000 IDLE 100000`, `XPENDING s g - + 10`, `XINFO STREAM s FULL`)...),
	dc("XCLAIM/FORCE", withSetup(groupSetup, `XCLAIM s g carol 0 4-1`, `XCLAIM s g carol 0 4-1 FORCE`, `XPENDING s g - + 10`,
		`XCLAIM s g carol 0 9-9 FORCE`, `XCLAIM s g carol 0 5-1 FORCE JUSTID`, `XPENDING s g - + 10`, `XCLAIM s g dave 3600000 5-1 FORCE`,
		`XINFO GROUPS s`, `XINFO STREAM s FULL`)...),
	dc("XCLAIM/JUSTID", withSetup(groupSetup, `XCLAIM s g carol 0 1-1 JUSTID`, `XPENDING s g - + 10`, `XCLAIM s g carol 0 1-1 2-1 JUSTID RETRYCOUNT 5`,
		`XPENDING s g - + 10`, `XCLAIM s g carol 3600000 1-1 JUSTID`, `XCLAIM s g carol 0 1-1 justid`)...),
	dc("XCLAIM/LASTID", withSetup(groupSetup, `XCLAIM s g carol 0 1-1 LASTID 4-1`, `XINFO GROUPS s`, `XCLAIM s g carol 0 1-1 LASTID 2-1`,
		`XINFO GROUPS s`, `XCLAIM s g carol 0 1-1 LASTID 9-9`, `XINFO GROUPS s`, `XCLAIM s g carol 0 1-1 LASTID abc`, `XCLAIM s g carol 0 1-1 LASTID`,
		`XREADGROUP GROUP g carol STREAMS s >`)...),
	dc("XCLAIM/deleted_entries", withSetup(groupSetup, `XDEL s 1-1`, `XCLAIM s g carol 0 1-1 2-1`, `XPENDING s g - + 10`, `XDEL s 3-1`,
		`XCLAIM s g carol 0 3-1 JUSTID`, `XPENDING s g - + 10`, `XCLAIM s g carol 0 4-1 FORCE`, `XDEL s 4-1`, `XCLAIM s g carol 0 4-1 FORCE`,
		`XINFO STREAM s FULL`)...),
	dc("XCLAIM/errors", withSetup(groupSetup, `XCLAIM s g carol abc 1-1`, `XCLAIM s g carol -1 1-1`, `XCLAIM s g carol 0 abc`, `XCLAIM s g carol 0 1-1 abc`,
		`XCLAIM s g carol 0 1-1 IDLE`, `XCLAIM s g carol 0 1-1 IDLE abc`, `XCLAIM s g carol 0 1-1 TIME abc`, `XCLAIM s g carol 0 1-1 RETRYCOUNT -1`,
		`XCLAIM s g carol 0 1-1 RETRYCOUNT abc`, `XCLAIM s g carol 0 1-1 FOO`, `XCLAIM s g carol 0`, `XCLAIM s g carol`, `XCLAIM s g carol 0 - +`,
		`XCLAIM s g carol 0 1-1 LASTID (5`, `XCLAIM s g carol 9223372036854775807 1-1`, `XCLAIM s g carol 0 1-1 IDLE 9223372036854775807`,
		`XCLAIM s g carol 0 1-1 TIME 9223372036854775807`, `XPENDING s g - + 10`)...),

	// ---- XAUTOCLAIM ----
	dc("XAUTOCLAIM/basic", withSetup(groupSetup, `XAUTOCLAIM s g carol 0 0`, `XPENDING s g - + 10`, `XAUTOCLAIM s g dave 0 0 COUNT 1`,
		`XAUTOCLAIM s g dave 0 2-1 COUNT 1`, `XAUTOCLAIM s g dave 0 3-1 count 5`, `XAUTOCLAIM s g dave 3600000 0`, `XAUTOCLAIM s g dave 0 (1-1`,
		`XAUTOCLAIM s g dave 0 -`, `XAUTOCLAIM s g dave 0 9-9`, `XPENDING s g - + 10`, `XINFO CONSUMERS s g`)...),
	dc("XAUTOCLAIM/JUSTID", withSetup(groupSetup, `XAUTOCLAIM s g carol 0 0 JUSTID`, `XPENDING s g - + 10`, `XAUTOCLAIM s g carol 0 0 COUNT 1 JUSTID`,
		`XAUTOCLAIM s g carol 0 0 JUSTID COUNT 2`, `XPENDING s g - + 10`)...),
	dc("XAUTOCLAIM/deleted_entries", withSetup(groupSetup, `XDEL s 1-1 3-1`, `XAUTOCLAIM s g carol 0 0`, `XPENDING s g - + 10`,
		`XAUTOCLAIM s g carol 0 0`, `XREADGROUP GROUP g x STREAMS s >`, `XDEL s 4-1 5-1`, `XAUTOCLAIM s g carol 0 0 JUSTID`,
		`XAUTOCLAIM s g carol 0 0 COUNT 1`, `XPENDING s g - + 10`, `XINFO STREAM s FULL`)...),
	dc("XAUTOCLAIM/errors", withSetup(groupSetup, `XAUTOCLAIM s g carol 0 0 COUNT 0`, `XAUTOCLAIM s g carol 0 0 COUNT -1`, `XAUTOCLAIM s g carol 0 0 COUNT abc`,
		`XAUTOCLAIM s g carol 0 0 COUNT 1073741824`, `XAUTOCLAIM s g carol 0 0 COUNT 1073741823`, `XAUTOCLAIM s g carol 0 0 COUNT 9223372036854775807`,
		`XAUTOCLAIM s g carol 0 0 FOO`, `XAUTOCLAIM s g carol -1 0`, `XAUTOCLAIM s g carol abc 0`, `XAUTOCLAIM s g carol 0 abc`, `XAUTOCLAIM s g carol 0`,
		`XAUTOCLAIM s nog carol 0 0`, `XAUTOCLAIM nokey g carol 0 0`, `XAUTOCLAIM s g carol 0 0 JUSTID x`, `XAUTOCLAIM s g carol 0 0 COUNT`,
		`XAUTOCLAIM s g carol 0 +`, `XAUTOCLAIM s g carol 0 (18446744073709551615-18446744073709551615`, `XPENDING s g`)...),
	dc("XAUTOCLAIM/many_pending", streamLines(xadds("s", 1, 150), `XGROUP CREATE s g 0`, `XREADGROUP GROUP g a COUNT 120 STREAMS s >`,
		`XDEL s 5-1 6-1 50-1`, `XAUTOCLAIM s g b 0 0 COUNT 10`, `XAUTOCLAIM s g b 0 11-1 COUNT 100 JUSTID`, `XAUTOCLAIM s g b 0 0`,
		`XPENDING s g`, `XINFO CONSUMERS s g`)...),

	// ---- XINFO with groups ----
	dc("XINFO/groups_and_consumers", withSetup(groupSetup, `XINFO GROUPS s`, `XINFO CONSUMERS s g`, `XINFO CONSUMERS s nog`, `XINFO CONSUMERS nokey g`,
		`XINFO STREAM s`, `XINFO STREAM s FULL`, `XINFO STREAM s FULL COUNT 1`, `XGROUP CREATE s h $`, `XGROUP CREATECONSUMER s h idle`,
		`XINFO GROUPS s`, `XINFO CONSUMERS s h`, `XINFO STREAM s FULL COUNT 0`, `XINFO CONSUMERS s g x`)...),
	dc("XINFO/FULL_COUNT_limits_pel", streamLines(xadds("s", 1, 30), `XGROUP CREATE s g 0`, `XREADGROUP GROUP g a COUNT 25 STREAMS s >`,
		`XINFO STREAM s FULL`, `XINFO STREAM s FULL COUNT 3`, `XINFO STREAM s FULL COUNT 0`, `XINFO STREAM s FULL COUNT 100`)...),
}

// xaddsOpt is like xadds with options (e.g. "MAXLEN ~ 150") before the id.
func xaddsOpt(key, opts string, from, to int) []string {
	out := make([]string, 0, to-from+1)
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("XADD %s %s %d-1 f %d", key, opts, i, i))
	}
	return out
}

// xdelRange is "XDEL key <from>-1 ... <to>-1".
func xdelRange(key string, from, to int) string {
	var sb strings.Builder
	sb.WriteString("XDEL " + key)
	for i := from; i <= to; i++ {
		fmt.Fprintf(&sb, " %d-1", i)
	}
	return sb.String()
}

// streamNodeCases fill several listpack nodes (default limits: 100
// entries or 4096 bytes a node) and trim them; XINFO STREAM shows the
// node count (radix-tree-keys) and what approximate trimming removed.
func streamNodeCases() []diffCase {
	return []diffCase{
		dc("NODES/maxlen_approx", streamLines(xadds("s", 1, 350), `XINFO STREAM s`, `XTRIM s MAXLEN ~ 300`, `XTRIM s MAXLEN ~ 251`,
			`XTRIM s MAXLEN ~ 250`, `XINFO STREAM s`, `XTRIM s MAXLEN ~ 249`, `XTRIM s MAXLEN ~ 0 LIMIT 99`, `XTRIM s MAXLEN ~ 0 LIMIT 100`,
			`XINFO STREAM s`, `XTRIM s MAXLEN ~ 0`, `XLEN s`, `XINFO STREAM s`, `XADD s 400-1 f 400`, `XINFO STREAM s FULL`)...),
		dc("NODES/minid_approx", streamLines(xadds("s", 1, 350), `XTRIM s MINID ~ 100-1`, `XTRIM s MINID ~ 101`, `XINFO STREAM s`,
			`XTRIM s MINID ~ 250 LIMIT 99`, `XTRIM s MINID ~ 250 LIMIT 100`, `XTRIM s MINID ~ 250 LIMIT 0`, `XINFO STREAM s`, `XTRIM s MINID = 250`,
			`XINFO STREAM s`, `XTRIM s MINID ~ 1000`, `XINFO STREAM s`)...),
		dc("NODES/exact_trim_inside_node", streamLines(xadds("s", 1, 350), `XTRIM s MAXLEN = 120`, `XINFO STREAM s`, `XRANGE s - + COUNT 3`,
			`XTRIM s MAXLEN ~ 60`, `XINFO STREAM s`, `XTRIM s MAXLEN 1`, `XINFO STREAM s`, `XADD s 351-1 f x`, `XINFO STREAM s`)...),
		dc("NODES/xadd_trims_while_adding", streamLines(xaddsOpt("s", "MAXLEN ~ 150", 1, 320), `XINFO STREAM s`,
			xaddsOpt("t", "MAXLEN ~ 50 LIMIT 120", 1, 320), `XINFO STREAM t`, xaddsOpt("u", "MINID ~ 100", 1, 250), `XINFO STREAM u`,
			xaddsOpt("v", "MAXLEN ~ 0 LIMIT 50", 1, 220), `XINFO STREAM v`)...),
		dc("NODES/deleted_entries_in_nodes", streamLines(xadds("s", 1, 250), xdelRange("s", 1, 50), `XINFO STREAM s`, `XTRIM s MAXLEN ~ 151`,
			`XTRIM s MAXLEN ~ 150`, `XINFO STREAM s`, xdelRange("s", 101, 200), `XINFO STREAM s`, `XRANGE s - + COUNT 2`, `XREVRANGE s + - COUNT 2`,
			xdelRange("s", 201, 250), `XINFO STREAM s`, `EXISTS s`, `XADD s 251-1 f x`, `XINFO STREAM s`)...),
		dc("NODES/deleted_then_trim_limit", streamLines(xadds("s", 1, 300), xdelRange("s", 1, 90), `XTRIM s MAXLEN ~ 0 LIMIT 10`,
			`XTRIM s MAXLEN ~ 0 LIMIT 109`, `XTRIM s MAXLEN ~ 0 LIMIT 110`, `XINFO STREAM s`)...),
		dc("NODES/bytes_limit", streamLines(xaddsBig("s", 1, 60, 300), `XINFO STREAM s`, `XTRIM s MAXLEN ~ 50`, `XINFO STREAM s`,
			`XTRIM s MAXLEN ~ 10 LIMIT 13`, `XTRIM s MAXLEN ~ 10 LIMIT 30`, `XINFO STREAM s`, xaddsBig("t", 1, 3, 5000), `XINFO STREAM t`,
			`XADD t 4-1 f 1`, `XADD t 5-1 f 2`, `XINFO STREAM t`, `XTRIM t MAXLEN ~ 1`, `XINFO STREAM t`)...),
		dc("NODES/mixed_sizes", streamLines(xaddsBig("s", 1, 20, 100), xaddsBig("s", 21, 30, 1000), xadds("s", 31, 150), `XINFO STREAM s`,
			`XTRIM s MAXLEN ~ 120`, `XINFO STREAM s`, `XTRIM s MINID ~ 40`, `XINFO STREAM s`)...),
		dc("NODES/ranges_across_nodes", streamLines(xadds("s", 1, 250), `XRANGE s 95 105`, `XREVRANGE s 105 95`, `XRANGE s (99-1 + COUNT 3`,
			`XREVRANGE s (201-1 - COUNT 3`, `XREAD COUNT 3 STREAMS s 199-1`, `XRANGE s 200-1 200-1`, `XDEL s 100-1 101-1`, `XRANGE s 99 102`,
			`XREVRANGE s 102 99`)...),
		dc("NODES/groups_across_nodes", streamLines(xadds("s", 1, 230), `XGROUP CREATE s g 0`, `XREADGROUP GROUP g a COUNT 150 STREAMS s >`,
			`XTRIM s MAXLEN ~ 100`, `XINFO GROUPS s`, `XPENDING s g`, `XAUTOCLAIM s g b 0 0 COUNT 120 JUSTID`, `XINFO STREAM s`)...),
		// A capped stream: every XADD trims its head, whose node goes
		// with its last entry, by the trim or by XDEL; the head is looked
		// up again after either, and after the stream empties and its ids
		// go back (XSETID).
		dc("NODES/capped_exact", streamLines(xaddsOpt("s", "MAXLEN 150", 1, 420), `XINFO STREAM s`, xdelRange("s", 271, 300),
			xaddsOpt("s", "MAXLEN 140", 421, 470), `XINFO STREAM s`, `XRANGE s - + COUNT 3`, xdelRange("s", 301, 400),
			xaddsOpt("s", "MAXLEN = 100", 471, 560), `XINFO STREAM s`, `XRANGE s - + COUNT 2`, `XTRIM s MINID 500`, `XINFO STREAM s`,
			xaddsOpt("s", "MINID ~ 520", 561, 700), `XINFO STREAM s`, xaddsOpt("s", "MAXLEN ~ 30", 701, 800), `XINFO STREAM s`,
			`XTRIM s MAXLEN 0`, `XSETID s 50-1`, `XINFO STREAM s`, xaddsOpt("s", "MAXLEN 20", 801, 850), `XINFO STREAM s`,
			`XRANGE s - + COUNT 2`, `XLEN s`)...),
		dc("NODES/capped_random", cappedStreamLines(1, 3000)...),
		// A trim reads its head node's ids ahead; the node is then trimmed
		// away with the stream, and a new one starts at the same master
		// with other ids after it.
		dc("NODES/head_ids_after_emptied", `XADD e 10-1 f 1`, `XADD e 11-1 f 2`, `XADD e 12-1 f 3`, `XTRIM e MINID 5`,
			`XTRIM e MAXLEN 0`, `XSETID e 9-1`, `XADD e 10-1 f a`, `XADD e 15-1 f b`, `XADD e 16-1 f c`, `XTRIM e MINID 16`,
			`XLEN e`, `XINFO STREAM e`, `XRANGE e - +`),
		dc("NODES/copy_rename_keep_nodes", streamLines(xadds("s", 1, 250), `COPY s c`, `XINFO STREAM c`, `XTRIM c MAXLEN ~ 100`, `RENAME c r`,
			`XINFO STREAM r`, `XINFO STREAM s`)...),
	}
}

// cappedStreamLines returns n commands on a capped stream c, from a
// seeded generator: XADDs with MAXLEN (exact or ~, LIMIT now and then)
// or MINID, XDELs of head and recent entries, XTRIMs, the stream emptied
// and its last id set back (XSETID), and XINFO STREAM,
// XRANGE and XLEN to compare, so that the head node is trimmed, emptied
// by XDEL and looked up again in every order, one command after another
// (the stream's handle stays in the write cache between them).
func cappedStreamLines(seed uint64, n int) []string {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]string, 0, n)
	id := 0
	trim := func() string {
		approx := ""
		if rng.IntN(2) == 0 {
			approx = "~ "
		}
		switch rng.IntN(5) {
		case 0:
			return fmt.Sprintf("MINID %s%d", approx, max(0, id-200+rng.IntN(120)))
		case 1:
			if approx != "" {
				return fmt.Sprintf("MAXLEN ~ %d LIMIT %d", 20+rng.IntN(200), 1+rng.IntN(150))
			}
		}
		return fmt.Sprintf("MAXLEN %s%d", approx, 20+rng.IntN(200))
	}
	for range n {
		switch r := rng.IntN(200); {
		case r < 2: // emptied, and its ids go back: nodes come again at masters trimmed before
			back := max(0, id-150)
			out = append(out, "XTRIM c MAXLEN 0", fmt.Sprintf("XSETID c %d-1", back))
			id = back
		case r < 140:
			id++
			out = append(out, fmt.Sprintf("XADD c %s %d-1 f %d", trim(), id, id))
		case r < 160: // the head's entries, or recent ones
			lo := max(1, id-250+rng.IntN(100))
			if rng.IntN(2) == 0 {
				lo = max(1, id-rng.IntN(30))
			}
			out = append(out, xdelRange("c", lo, min(id, lo+rng.IntN(40))))
		case r < 168:
			out = append(out, "XTRIM c "+trim())
		case r < 184:
			out = append(out, "XINFO STREAM c")
		case r < 192:
			out = append(out, "XRANGE c - + COUNT 3")
		default:
			out = append(out, "XLEN c")
		}
	}
	return out
}

// streamConfigCases change stream-node-max-entries and
// stream-node-max-bytes; each case sets both first, so that a case stopped
// by a mismatch does not leave the next one other limits. They run on
// their own pair (TestDiffStreamsNodeConfig).
func streamConfigCases() []diffCase {
	set := func(entries, bytes string) []string {
		return []string{`CONFIG SET stream-node-max-entries ` + entries, `CONFIG SET stream-node-max-bytes ` + bytes}
	}
	return []diffCase{
		dc("CONFIG/entries_10", streamLines(set("10", "4096"), xadds("s", 1, 55), `XINFO STREAM s`, `XTRIM s MAXLEN ~ 20`, `XINFO STREAM s`,
			`XTRIM s MAXLEN ~ 0 LIMIT 15`, `XINFO STREAM s`, xaddsOpt("t", "MAXLEN ~ 25", 1, 60), `XINFO STREAM t`)...),
		dc("CONFIG/default_limit", streamLines(set("10", "4096"), xadds("s", 1, 1150), `XTRIM s MAXLEN ~ 0`, `XINFO STREAM s`,
			`XTRIM s MAXLEN ~ 0`, `XINFO STREAM s`, `XTRIM s MAXLEN = 0`, `XINFO STREAM s`)...),
		dc("CONFIG/default_limit_xadd", streamLines(set("10", "4096"), xadds("s", 1, 1150), `XADD s MAXLEN ~ 0 1151-1 f x`, `XINFO STREAM s`,
			`XADD s MINID ~ 2000 1152-1 f x`, `XINFO STREAM s`)...),
		dc("CONFIG/bytes_100", streamLines(set("100", "100"), xadds("s", 1, 40), `XINFO STREAM s`, `XTRIM s MAXLEN ~ 30`, `XINFO STREAM s`,
			xaddsBig("t", 1, 5, 200), `XINFO STREAM t`)...),
		dc("CONFIG/entries_0", streamLines(set("0", "4096"), xadds("s", 1, 250), `XINFO STREAM s`, `XTRIM s MAXLEN ~ 10`, `XINFO STREAM s`,
			xaddsBig("t", 1, 30, 300), `XINFO STREAM t`, `XTRIM t MAXLEN ~ 10`, `XINFO STREAM t`)...),
		dc("CONFIG/bytes_0", streamLines(set("10", "0"), xaddsBig("s", 1, 25, 1000), `XINFO STREAM s`, `XTRIM s MAXLEN ~ 5`, `XINFO STREAM s`)...),
		dc("CONFIG/both_0", streamLines(set("0", "0"), xadds("s", 1, 250), `XINFO STREAM s`, `XTRIM s MAXLEN ~ 10`, `XINFO STREAM s`,
			`XTRIM s MAXLEN ~ 0`, `XINFO STREAM s`)...),
		dc("CONFIG/changed_later", streamLines(set("100", "4096"), xadds("s", 1, 50), `CONFIG SET stream-node-max-entries 10`, xadds("s", 51, 75),
			`XINFO STREAM s`, `XTRIM s MAXLEN ~ 30`, `XINFO STREAM s`, `CONFIG SET stream-node-max-entries 1000`, xadds("s", 76, 80), `XINFO STREAM s`)...),
		// A capped stream of a few nodes: trim reads the node records
		// after its first once and keeps them (the handle's nextNodes).
		// An XDEL inside a kept node, and one that empties a kept node,
		// must show when a trim removes several nodes at once; one that
		// empties the last node moves the node before it out of them.
		dc("CONFIG/capped_readahead", streamLines(set("5", "4096"), xaddsOpt("c", "MAXLEN ~ 20", 1, 60), `XINFO STREAM c`,
			`XDEL c 47-1`, `XTRIM c MAXLEN ~ 8`, `XINFO STREAM c`, xaddsOpt("c", "MAXLEN ~ 20", 61, 80), `XINFO STREAM c`,
			xdelRange("c", 71, 75), `XTRIM c MINID ~ 77-1`, `XINFO STREAM c`, xaddsOpt("c", "MAXLEN ~ 20", 81, 100),
			xdelRange("c", 96, 100), `XINFO STREAM c`, xaddsOpt("c", "MAXLEN ~ 20", 101, 120), `XINFO STREAM c`,
			`XADD c MAXLEN 17 121-1 f x`, `XTRIM c MINID ~ 112-1`, `XINFO STREAM c`, xaddsOpt("c", "MAXLEN ~ 12", 122, 150),
			`XINFO STREAM c FULL`, `XRANGE c - +`,
			// Trimming stops at a node whose first entry was deleted.
			xadds("d", 1, 12), `XDEL d 6-1`, `XTRIM d MAXLEN ~ 5`, `XINFO STREAM d`)...),
		dc("CONFIG/get_and_errors", streamLines(set("100", "4096"), `CONFIG GET stream-node-max-entries`, `CONFIG GET stream-node-max-bytes`,
			`CONFIG SET stream-node-max-entries -1`, `CONFIG SET stream-node-max-entries abc`, `CONFIG SET stream-node-max-bytes -1`,
			`CONFIG SET stream-node-max-bytes 1kb`, `CONFIG GET stream-node-max-bytes`, `CONFIG SET stream-node-max-bytes 4096`)...),
	}
}

// streamBlockingCases are XREAD and XREADGROUP BLOCK scenarios, in the
// syntax of diff_blocking_test.go (n> n< @READ @CLOSE @SLEEP).
var streamBlockingCases = []diffCase{
	dc("XREAD/block_timeout", `1< XREAD BLOCK 100 STREAMS s $`, `@SLEEP 300`, `@READ 1`, `1> PING`),
	dc("XREAD/block_timeout_resp3", `1> HELLO 3`, `1< XREAD BLOCK 50 STREAMS s 0`, `@SLEEP 250`, `@READ 1`),
	dc("XREAD/block_served_by_xadd", `1< XREAD BLOCK 0 STREAMS s $`, `2> XADD s 1-1 a 1`, `@READ 1`, `2> XLEN s`),
	dc("XREAD/block_dollar_existing", `2> XADD s 1-1 a 1`, `1< XREAD BLOCK 0 STREAMS s $`, `2> XADD s 2-1 b 2`, `@READ 1`),
	dc("XREAD/block_explicit_id", `2> XADD s 1-1 a 1`, `1< XREAD BLOCK 0 STREAMS s 5-0`, `2> XADD s 3-0 b 2`, `@SLEEP 50`, `2> XADD s 6-0 c 3`,
		`@READ 1`),
	dc("XREAD/block_count", `1< XREAD COUNT 1 BLOCK 0 STREAMS s 0`, `2> MULTI`, `2> XADD s 1-1 a 1`, `2> XADD s 2-1 b 2`, `2> EXEC`, `@READ 1`),
	dc("XREAD/block_several_streams", `2> XADD a 1-1 x 1`, `1< XREAD BLOCK 0 STREAMS a b $ $`, `2> XADD b 1-1 y 1`, `@READ 1`),
	dc("XREAD/block_resp3_served", `1> HELLO 3`, `1< XREAD BLOCK 0 STREAMS a b $ $`, `2> XADD b 1-1 y 1`, `@READ 1`),
	dc("XREAD/two_waiters_both_served", `1< XREAD BLOCK 0 STREAMS s $`, `2< XREAD BLOCK 0 STREAMS s $`, `3> XADD s 1-1 a 1`, `@READ 1`, `@READ 2`),
	dc("XREAD/woken_by_exec", `1< XREAD BLOCK 0 STREAMS s $`, `2> MULTI`, `2> XADD s 1-1 a 1`, `2> XADD s 2-1 b 2`, `2> SET k v`, `2> EXEC`, `@READ 1`),
	dc("XREAD/exec_add_then_delete", `1< XREAD BLOCK 0 STREAMS s $`, `2> MULTI`, `2> XADD s 1-1 a 1`, `2> DEL s`, `2> EXEC`, `@SLEEP 50`,
		`2> XADD s 2-1 b 2`, `@READ 1`),
	dc("XREAD/key_deleted_while_blocked", `2> XADD s 1-1 a 1`, `1< XREAD BLOCK 0 STREAMS s $`, `2> DEL s`, `@SLEEP 50`, `2> XADD s 2-1 b 2`, `@READ 1`),
	dc("XREAD/key_deleted_smaller_id_later", `2> XADD s 5-1 a 1`, `1< XREAD BLOCK 0 STREAMS s $`, `2> DEL s`, `2> XADD s 1-1 b 2`, `@SLEEP 50`,
		`2> XADD s 6-1 c 3`, `@READ 1`),
	dc("XREAD/key_replaced_by_string", `1< XREAD BLOCK 0 STREAMS s $`, `2> SET s str`, `@SLEEP 50`, `2> DEL s`, `2> XADD s 1-1 a 1`, `@READ 1`),
	dc("XREAD/key_replaced_by_list", `1< XREAD BLOCK 0 STREAMS s 0`, `2> RPUSH s a`, `@SLEEP 50`, `2> DEL s`, `2> XADD s 1-1 a 1`, `@READ 1`),
	dc("XREAD/block_0_later", `1< XREAD BLOCK 0 STREAMS s 0`, `@SLEEP 200`, `2> XADD s 1-1 a 1`, `@READ 1`),
	dc("XREAD/disconnected_client", `1< XREAD BLOCK 0 STREAMS s $`, `@CLOSE 1`, `2> XADD s 1-1 a 1`, `2> XLEN s`),
	dc("XREAD/swapdb_wakes", `1< XREAD BLOCK 0 STREAMS s $`, `2> SELECT 1`, `2> XADD s 1-1 a 1`, `2> SWAPDB 0 1`, `@READ 1`),
	dc("XREAD/pipeline_after", `1< XREAD BLOCK 0 STREAMS s $`, `1< PING`, `2> XADD s 1-1 a 1`, `@READ 1`, `@READ 1`),
	dc("XREAD/not_woken_by_xtrim_or_xdel", `2> XADD s 1-1 a 1`, `1< XREAD BLOCK 0 STREAMS s $`, `2> XDEL s 1-1`, `2> XTRIM s MAXLEN 0`,
		`2> XSETID s 3-0`, `@SLEEP 50`, `2> XADD s 4-1 b 2`, `@READ 1`),
	dc("XREAD/errors_do_not_block", `1> XREAD BLOCK -1 STREAMS s $`, `1> XREAD BLOCK abc STREAMS s $`, `1> SET str v`,
		`1> XREAD BLOCK 0 STREAMS str $`, `1> XREAD BLOCK 0 STREAMS s`),
	dc("XREADGROUP/flushall_unblocks", `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c BLOCK 0 STREAMS s >`,
		`2> FLUSHALL`, `@READ 1`, `2> XGROUP CREATE s g $ MKSTREAM`, `2> XADD s 1-1 a 1`, `2> XPENDING s g`),
	dc("XREADGROUP/rename_unblocks", `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c BLOCK 0 STREAMS s >`,
		`2> RENAME s t`, `@READ 1`, `2> XINFO GROUPS t`),
	dc("XREAD/flushall_keeps_waiting", `2> XADD s 1-1 a 1`, `1< XREAD BLOCK 0 STREAMS s $`, `2> FLUSHDB`, `@SLEEP 50`,
		`2> XADD s 2-1 b 2`, `@READ 1`),
	dc("XREADGROUP/block_served_by_xadd", `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c BLOCK 0 STREAMS s >`, `2> XADD s 1-1 a 1`,
		`@READ 1`, `2> XPENDING s g - + 10`, `2> XINFO GROUPS s`),
	dc("XREADGROUP/block_timeout", `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c BLOCK 100 STREAMS s >`, `@SLEEP 300`, `@READ 1`,
		`2> XINFO CONSUMERS s g`),
	dc("XREADGROUP/block_noack", `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c NOACK BLOCK 0 STREAMS s >`, `2> XADD s 1-1 a 1`,
		`@READ 1`, `2> XPENDING s g`),
	dc("XREADGROUP/fifo_count_1", `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c1 COUNT 1 BLOCK 0 STREAMS s >`,
		`2< XREADGROUP GROUP g c2 COUNT 1 BLOCK 0 STREAMS s >`, `3> XADD s 1-1 a 1`, `@READ 1`, `3> XADD s 2-1 b 2`, `@READ 2`,
		`3> XPENDING s g - + 10`),
	dc("XREADGROUP/one_exec_serves_two", `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c1 COUNT 1 BLOCK 0 STREAMS s >`,
		`2< XREADGROUP GROUP g c2 COUNT 1 BLOCK 0 STREAMS s >`, `3> MULTI`, `3> XADD s 1-1 a 1`, `3> XADD s 2-1 b 2`, `3> XADD s 3-1 c 3`,
		`3> EXEC`, `@READ 1`, `@READ 2`, `3> XPENDING s g - + 10`, `3> XINFO GROUPS s`),
	// Redis 7.0 answers a waiter at once (no XADD needed) when its group
	// is destroyed (NOGROUP) or its key deleted or overwritten (UNBLOCKED);
	// a plain XREAD waiter stays blocked in both cases.
	dc("XREADGROUP/group_destroyed_while_blocked", `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c BLOCK 0 STREAMS s >`,
		`2> XGROUP DESTROY s g`, `@READ 1`, `2> XADD s 1-1 a 1`, `2> XINFO GROUPS s`),
	dc("XREADGROUP/group_recreated_while_blocked", `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c BLOCK 0 STREAMS s >`,
		`2> XGROUP DESTROY s g`, `2> XGROUP CREATE s g $`, `2> XADD s 1-1 a 1`, `@READ 1`, `2> XPENDING s g`),
	dc("XREADGROUP/key_deleted_while_blocked", `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c BLOCK 0 STREAMS s >`, `2> DEL s`,
		`@READ 1`, `2> XADD s 1-1 a 1`, `2> XINFO GROUPS s`),
	dc("XREADGROUP/key_replaced_by_string", `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c BLOCK 0 STREAMS s >`, `2> SET s v`,
		`@READ 1`, `2> TYPE s`),
	dc("XREADGROUP/key_emptied_in_exec", `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c BLOCK 0 STREAMS s >`, `2> MULTI`,
		`2> XADD s 1-1 a 1`, `2> XDEL s 1-1`, `2> EXEC`, `@SLEEP 50`, `2> XADD s 2-1 b 2`, `@READ 1`, `2> XINFO GROUPS s`),
	dc("XREAD/key_emptied_in_exec", `1< XREAD BLOCK 0 STREAMS s $`, `2> MULTI`, `2> XADD s 1-1 a 1`, `2> XTRIM s MAXLEN 0`, `2> EXEC`,
		`@SLEEP 50`, `2> XADD s 2-1 b 2`, `@READ 1`),
	dc("XREADGROUP/disconnected_client_takes_nothing", `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c BLOCK 0 STREAMS s >`,
		`@CLOSE 1`, `2> XADD s 1-1 a 1`, `2> XPENDING s g`, `2> XINFO GROUPS s`, `2> XINFO CONSUMERS s g`),
	dc("XREADGROUP/disconnected_then_next_served", `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c1 BLOCK 0 STREAMS s >`,
		`2< XREADGROUP GROUP g c2 BLOCK 0 STREAMS s >`, `@CLOSE 1`, `3> XADD s 1-1 a 1`, `@READ 2`, `3> XPENDING s g - + 10`),
	dc("XREADGROUP/block_0_several_streams", `3> XGROUP CREATE a g $ MKSTREAM`, `3> XGROUP CREATE b g $ MKSTREAM`,
		`1< XREADGROUP GROUP g c BLOCK 0 STREAMS a b > >`, `3> XADD b 1-1 y 1`, `@READ 1`, `3> XPENDING b g`),
	dc("XREADGROUP/history_does_not_block", `1> XGROUP CREATE s g $ MKSTREAM`, `1> XREADGROUP GROUP g c BLOCK 0 STREAMS s 0`,
		`1> XADD s 1-1 a 1`, `1> XREADGROUP GROUP g c BLOCK 0 STREAMS s >`, `1> XREADGROUP GROUP g c BLOCK 0 STREAMS s 0`),
	dc("XREADGROUP/xread_and_group_waiters", `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c BLOCK 0 STREAMS s >`,
		`2< XREAD BLOCK 0 STREAMS s $`, `3> XADD s 1-1 a 1`, `@READ 1`, `@READ 2`),
	dc("XREADGROUP/block_resp3", `1> HELLO 3`, `2> XGROUP CREATE s g $ MKSTREAM`, `1< XREADGROUP GROUP g c BLOCK 50 STREAMS s >`, `@SLEEP 250`,
		`@READ 1`, `1< XREADGROUP GROUP g c BLOCK 0 STREAMS s >`, `2> XADD s 1-1 a 1`, `@READ 1`),
}

// TestDiffRandomStreams is TestDiffRandom over the stream commands mixed
// with the string and key commands (WRONGTYPE, RENAME, COPY, MOVE, expiry,
// SELECT, SWAPDB and transactions meet streams).
func TestDiffRandomStreams(t *testing.T) {
	t.Parallel()
	sg := &streamGen{}
	runRandom(t, func(g *cmdGen, conn int) []string {
		if g.r.Intn(6) == 0 {
			return g.command(conn)
		}
		return sg.command(g, conn)
	})
}

// streamGen generates stream commands. Its state follows only the
// commands it generated (never replies), so a seed still gives one
// sequence:
//
//   - clock is the largest ms part of an id handed out so far: a new id
//     takes a larger one, and so is above every id any key can hold
//     (whatever RENAME, COPY or MOVE did with the keys), and the XADD
//     succeeds; now and then an id at or below the key's last one fails
//     on purpose;
//   - last is, per key, the ms part of the last id generated for it, from
//     which ranges, XDEL, XACK, XCLAIM and XSETID take ids that exist or
//     nearly.
//
// "*" ids (from each server's clock) appear only in XADDs that fail, so
// replies and data sets stay comparable exactly. Idle times are 0 or
// hours (XCLAIM IDLE, TIME) and the thresholds (min-idle-time, XPENDING
// IDLE) 0 or an hour, never close to the time the run takes.
//
// A burst (one command in about 400) makes the next 50 to 250 stream
// commands of a connection XADDs to one stream key, so that streams grow
// past a node (100 entries) and approximate trimming finds whole nodes,
// although keys are deleted, moved, renamed and flushed now and then.
type streamGen struct {
	clock    uint64
	last     map[string]uint64
	burst    [2]int
	burstKey [2]string
}

var (
	streamKeys      = []string{"s0", "s1", "s2", "s3"}
	streamGroups    = []string{"g1", "g2"}
	streamConsumers = []string{"c1", "c2", "c3", ""}
)

// choose picks one of good, or one of bad (invalid arguments) one time in
// ten.
func (sg *streamGen) choose(g *cmdGen, good []string, bad ...string) string {
	if len(bad) > 0 && g.r.Intn(10) == 0 {
		return g.pick(bad...)
	}
	return g.pick(good...)
}

func words(s string) []string { return strings.Fields(s) }

// newID returns an id above every id generated so far for key.
func (sg *streamGen) newID(g *cmdGen, key string) string {
	sg.clock += 1 + uint64(g.r.Intn(3))
	if sg.last == nil {
		sg.last = map[string]uint64{}
	}
	sg.last[key] = sg.clock
	switch g.r.Intn(4) {
	case 0:
		return fmt.Sprintf("%d-*", sg.clock)
	case 1:
		return strconv.FormatUint(sg.clock, 10)
	default:
		return fmt.Sprintf("%d-%d", sg.clock, g.r.Intn(3))
	}
}

// oldMs is the ms part of an id at most a little above key's last one.
func (sg *streamGen) oldMs(g *cmdGen, key string) uint64 {
	return uint64(g.r.Int63n(int64(sg.last[key]) + 3))
}

// id is an id argument for ranges, XDEL, XACK, XCLAIM: mostly near ids
// key holds, sometimes incomplete, special or invalid.
func (sg *streamGen) id(g *cmdGen, key string) string {
	switch g.r.Intn(30) {
	case 0:
		return g.pick("abc", "", "1-x", "-1", "18446744073709551616-0", "1-1-1", "*", ">", "$")
	case 1, 2:
		return g.pick("0", "0-0", "0-1", "18446744073709551615-18446744073709551615", "18446744073709551615")
	case 3, 4, 5, 6, 7:
		return strconv.FormatUint(sg.oldMs(g, key), 10)
	default:
		return fmt.Sprintf("%d-%d", sg.oldMs(g, key), g.r.Intn(3))
	}
}

// rangeID is an XRANGE / XREVRANGE / XPENDING bound.
func (sg *streamGen) rangeID(g *cmdGen, key string, start bool) string {
	switch g.r.Intn(8) {
	case 0, 1:
		if start {
			return "-"
		}
		return "+"
	case 2:
		return "(" + sg.id(g, key)
	case 3:
		return g.pick("-", "+", "-", "+", "(-", "(+")
	default:
		return sg.id(g, key)
	}
}

func (sg *streamGen) group(g *cmdGen) string {
	if g.r.Intn(20) == 0 {
		return "nogroup"
	}
	return g.pick(streamGroups...)
}

func (sg *streamGen) consumer(g *cmdGen) string { return g.pick(streamConsumers...) }

// streamKey is mostly one of the stream keys, which only the stream
// commands write (so that streams live long enough to grow past a node of
// 100 entries), else one of the keys the other generators use too
// (WRONGTYPE both ways; RENAME, COPY and MOVE carry streams over).
func (sg *streamGen) streamKey(g *cmdGen) string {
	if g.r.Intn(5) == 0 {
		return g.key()
	}
	return g.pick(streamKeys...)
}

// fields is an odd-free list of field, value pairs (min pairs or more).
func (sg *streamGen) fields(g *cmdGen, min int) []string {
	var out []string
	for n := min + g.r.Intn(3); n > 0; n-- {
		out = append(out, g.pick("f", "a", "b", "", "\x00\xff", "field"), g.val())
	}
	return out
}

// trim is a trimming strategy (XADD and XTRIM options): MAXLEN or MINID,
// exact or approximate, with LIMIT sometimes, and invalid now and then.
// Most keep a few hundred entries, so that streams span several nodes and
// approximate trimming has whole nodes to remove.
func (sg *streamGen) trim(g *cmdGen, key string) []string {
	var args []string
	if g.r.Intn(2) == 0 {
		args = append(args, g.pick("MAXLEN", "maxlen", "MAXLEN", "MAXLEN"))
	} else {
		args = append(args, "MINID")
	}
	op := g.pick("", "", "=", "~", "~")
	if op != "" {
		args = append(args, op)
	}
	if args[0] == "MINID" {
		// The ids of a key are about 10 apart (the clock advances by 2 on
		// average for each XADD, on one of five keys or so).
		switch g.r.Intn(20) {
		case 0:
			args = append(args, g.pick("abc", "-1", "+", "-"))
		case 1:
			args = append(args, strconv.FormatUint(sg.oldMs(g, key), 10))
		default:
			keep := uint64(200 + g.r.Intn(4000))
			args = append(args, strconv.FormatUint(sg.last[key]-min(keep, sg.last[key]), 10))
		}
	} else {
		switch g.r.Intn(20) {
		case 0:
			args = append(args, g.pick("-1", "abc", "9223372036854775808", ""))
		case 1:
			args = append(args, strconv.Itoa(g.r.Intn(5)))
		default:
			args = append(args, strconv.Itoa(20+g.r.Intn(400)))
		}
	}
	if g.r.Intn(4) == 0 {
		// LIMIT without ~ is an error, as are invalid counts.
		args = append(args, "LIMIT", sg.choose(g, words("0 1 50 100 150 1000"), "-1", "x"))
	}
	return args
}

// minIdle is a min-idle-time or IDLE threshold: 0 or an hour, else
// invalid; never close to how long the run lasts.
func (sg *streamGen) minIdle(g *cmdGen) string {
	switch g.r.Intn(20) {
	case 0:
		return g.pick("-1", "abc", "9223372036854775808")
	case 1, 2, 3, 4, 5, 6:
		return "3600000"
	default:
		return "0"
	}
}

// readIDs is the ids of XREAD / XREADGROUP for keys: for a group mostly
// ">", else an id, "$" (an error for XREADGROUP) or "0".
func (sg *streamGen) readIDs(g *cmdGen, keys []string, group bool) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		switch {
		case group && g.r.Intn(4) > 0:
			out[i] = ">"
		case g.r.Intn(3) == 0:
			out[i] = g.pick("0", "$", "0-0")
		default:
			out[i] = sg.id(g, k)
		}
	}
	return out
}

// command returns a random stream command.
func (sg *streamGen) command(g *cmdGen, conn int) []string {
	if sg.burst[conn] == 0 && g.r.Intn(400) == 0 {
		sg.burst[conn], sg.burstKey[conn] = 50+g.r.Intn(200), g.pick(streamKeys...)
	}
	if sg.burst[conn] > 0 {
		sg.burst[conn]--
		k := sg.burstKey[conn]
		args := []string{"XADD", k}
		if g.r.Intn(20) == 0 {
			args = append(args, sg.trim(g, k)...)
		}
		return append(append(args, sg.newID(g, k)), sg.fields(g, 1)...)
	}
	k := sg.streamKey(g)
	switch g.r.Intn(72) {
	case 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 64, 65, 66, 67, 68, 69, 70, 71:
		args := []string{"XADD", k}
		if g.r.Intn(10) == 0 {
			args = append(args, "NOMKSTREAM")
		}
		if g.r.Intn(6) == 0 {
			args = append(args, sg.trim(g, k)...)
		}
		return append(append(args, sg.newID(g, k)), sg.fields(g, 1)...)
	case 12:
		// Fails: an id at or below the key's last one, 0-0, invalid, or a
		// "*" with an odd number of arguments or a bad option.
		switch g.r.Intn(4) {
		case 0:
			return append([]string{"XADD", k, strconv.FormatUint(sg.oldMs(g, k), 10) + g.pick("", "-0", "-1", "-*")}, sg.fields(g, 1)...)
		case 1:
			return append([]string{"XADD", k, g.pick("0-0", "0", "abc", "-1", "1-x", "18446744073709551616")}, sg.fields(g, 1)...)
		case 2:
			// An option error that no mutation (a dropped or an extra
			// last argument) can turn into a valid "*" XADD.
			return []string{"XADD", k, "MAXLEN", g.pick("-1", "x"), "*", g.pick("f", "")}
		default:
			return splitWords([]string{"XADD", k, g.pick("MAXLEN -1", "LIMIT 5", "MAXLEN 1 LIMIT 1", "MAXLEN 1 MINID 1", "MINID abc"), "*", "f", "v"})
		}
	case 13:
		// An odd number of field arguments.
		return append(append([]string{"XADD", k, sg.newID(g, k)}, sg.fields(g, 0)...), "f")
	case 14:
		// Large values fill a node by stream-node-max-bytes.
		return []string{"XADD", k, sg.newID(g, k), "f", strings.Repeat("x", g.r.Intn(600))}
	case 15, 16:
		return []string{"XLEN", k}
	case 17, 18, 19:
		args := []string{"XRANGE", k, sg.rangeID(g, k, true), sg.rangeID(g, k, false)}
		if g.r.Intn(2) == 0 {
			args = append(args, "COUNT", sg.choose(g, words("0 1 2 5 100"), "-1", "abc"))
		}
		return args
	case 20, 21:
		args := []string{"XREVRANGE", k, sg.rangeID(g, k, false), sg.rangeID(g, k, true)}
		if g.r.Intn(2) == 0 {
			args = append(args, "COUNT", sg.choose(g, words("0 1 2 5 100"), "-1", "abc"))
		}
		return args
	case 22, 23:
		args := []string{"XDEL", k}
		for n := 1 + g.r.Intn(3); n > 0; n-- {
			args = append(args, sg.id(g, k))
		}
		return args
	case 24, 25:
		args := append([]string{"XTRIM", k}, sg.trim(g, k)...)
		if g.r.Intn(20) == 0 {
			args = append(args, g.pick("FOO", "NOMKSTREAM"))
		}
		return args
	case 26, 27, 28:
		args := []string{"XREAD"}
		if g.r.Intn(2) == 0 {
			args = append(args, "COUNT", sg.choose(g, words("1 2 10 0"), "-1", "x"))
		}
		if g.r.Intn(8) == 0 {
			// Never waits long: nothing else runs while it waits.
			args = append(args, "BLOCK", sg.choose(g, words("1 5"), "-1", "x"))
		}
		keys := []string{k}
		if g.r.Intn(3) == 0 {
			keys = append(keys, sg.streamKey(g))
		}
		args = append(append(args, "STREAMS"), keys...)
		ids := sg.readIDs(g, keys, false)
		if g.r.Intn(20) == 0 {
			ids = ids[1:] // unbalanced
		}
		return append(args, ids...)
	case 29, 30, 61, 62:
		args := []string{"XGROUP", "CREATE", k, sg.group(g), g.pick("0", "$", "0", sg.id(g, k))}
		if g.r.Intn(2) == 0 {
			args = append(args, "MKSTREAM")
		}
		if g.r.Intn(4) == 0 {
			args = append(args, "ENTRIESREAD", sg.choose(g, words("0 1 3 -1 100"), "-2", "x"))
		}
		return args
	case 31:
		switch g.r.Intn(6) {
		case 0:
			return []string{"XGROUP", "DESTROY", k, sg.group(g)}
		case 1, 2:
			return []string{"XGROUP", "CREATECONSUMER", k, sg.group(g), sg.consumer(g)}
		case 3, 4:
			return []string{"XGROUP", "DELCONSUMER", k, sg.group(g), sg.consumer(g)}
		default:
			args := []string{"XGROUP", "SETID", k, sg.group(g), g.pick("0", "$", sg.id(g, k))}
			if g.r.Intn(3) == 0 {
				args = append(args, "ENTRIESREAD", sg.choose(g, words("0 2 -1"), "-2", "x"))
			}
			return args
		}
	case 32, 33, 34, 35, 36:
		args := []string{"XREADGROUP", "GROUP", sg.group(g), sg.consumer(g)}
		if g.r.Intn(2) == 0 {
			args = append(args, "COUNT", sg.choose(g, words("1 2 3 10 0"), "-1", "x"))
		}
		if g.r.Intn(6) == 0 {
			args = append(args, "NOACK")
		}
		if g.r.Intn(10) == 0 {
			args = append(args, "BLOCK", sg.choose(g, words("1 5"), "-1", "x"))
		}
		keys := []string{k}
		if g.r.Intn(4) == 0 {
			keys = append(keys, sg.streamKey(g))
		}
		return append(append(append(args, "STREAMS"), keys...), sg.readIDs(g, keys, true)...)
	case 37, 38, 39:
		args := []string{"XACK", k, sg.group(g)}
		for n := 1 + g.r.Intn(3); n > 0; n-- {
			args = append(args, sg.id(g, k))
		}
		return args
	case 40, 41, 42:
		args := []string{"XPENDING", k, sg.group(g)}
		if g.r.Intn(3) == 0 {
			return args
		}
		if g.r.Intn(4) == 0 {
			args = append(args, "IDLE", sg.minIdle(g))
		}
		args = append(args, sg.rangeID(g, k, true), sg.rangeID(g, k, false), sg.choose(g, words("1 3 10 100 0"), "-1", "x"))
		if g.r.Intn(3) == 0 {
			args = append(args, sg.consumer(g))
		}
		return args
	case 43, 44, 45:
		args := []string{"XCLAIM", k, sg.group(g), sg.consumer(g), sg.minIdle(g)}
		for n := 1 + g.r.Intn(3); n > 0; n-- {
			args = append(args, sg.id(g, k))
		}
		for _, o := range g.r.Perm(6)[:g.r.Intn(3)] {
			switch o {
			case 0:
				args = append(args, "IDLE", sg.choose(g, words("0 7200000"), "-1", "x"))
			case 1:
				args = append(args, "TIME", sg.choose(g, words("1000 0 99999999999999"), "-5", "x"))
			case 2:
				args = append(args, "RETRYCOUNT", sg.choose(g, words("0 5"), "-1", "x"))
			case 3:
				args = append(args, "FORCE")
			case 4:
				args = append(args, "JUSTID")
			case 5:
				args = append(args, "LASTID", sg.id(g, k))
			}
		}
		return args
	case 46, 47, 48:
		args := []string{"XAUTOCLAIM", k, sg.group(g), sg.consumer(g), sg.minIdle(g), g.pick("0", "0", "-", sg.id(g, k), "(0")}
		if g.r.Intn(2) == 0 {
			args = append(args, "COUNT", sg.choose(g, words("1 2 5 100"), "0", "-1", "x"))
		}
		if g.r.Intn(3) == 0 {
			args = append(args, "JUSTID")
		}
		return args
	case 49, 50:
		switch g.r.Intn(6) {
		case 0:
			return []string{"XINFO", "STREAM", k}
		case 1:
			return []string{"XINFO", "STREAM", k, "FULL", "COUNT", sg.choose(g, words("0 1 5"), "-1", "x")}
		case 2:
			return []string{"XINFO", "STREAM", k, "FULL"}
		case 3:
			return []string{"XINFO", "GROUPS", k}
		case 4:
			return []string{"XINFO", "CONSUMERS", k, sg.group(g)}
		default:
			return []string{g.pick("XINFO", "XGROUP"), g.pick("HELP", "FOO")}
		}
	case 51:
		args := []string{"XSETID", k}
		switch g.r.Intn(4) {
		case 0:
			args = append(args, g.pick("0-0", "abc", "$", "*"))
		default:
			args = append(args, fmt.Sprintf("%d-%d", sg.last[k]+uint64(g.r.Intn(2)), g.r.Intn(3)))
		}
		if g.r.Intn(3) == 0 {
			args = append(args, "ENTRIESADDED", sg.choose(g, words("0 5 100 1000"), "-1", "x"))
		}
		if g.r.Intn(3) == 0 {
			args = append(args, "MAXDELETEDID", sg.id(g, k))
		}
		return args
	case 52:
		return []string{"TYPE", k}
	case 53:
		return []string{"OBJECT", "ENCODING", k}
	case 54:
		// Mostly between shared keys or to a stream key: a stream key
		// moved away often would not grow.
		if g.r.Intn(4) > 0 {
			k = g.key()
		}
		return []string{g.pick("RENAME", "COPY", "RENAMENX"), k, sg.streamKey(g)}
	case 55:
		if g.multi[conn] == 0 && g.r.Intn(2) == 0 {
			g.multi[conn] = 1 + g.r.Intn(4)
			return []string{"MULTI"}
		}
		return []string{"WATCH", k}
	case 56:
		// Mostly a shared key: a stream key deleted often would not grow.
		if g.r.Intn(6) > 0 {
			k = g.key()
		}
		return []string{g.pick("DEL", "UNLINK"), k}
	case 57:
		if g.r.Intn(3) > 0 {
			k = g.key()
		}
		return []string{"EXPIRE", k, sg.choose(g, words("100 1000"), "0", "-1")}
	case 58:
		if g.r.Intn(6) > 0 {
			k = g.key()
		}
		return []string{"MOVE", k, g.db()}
	case 59:
		return []string{"@SCANALL", "TYPE", g.pick("stream", "STREAM", "string")}
	case 60:
		// Another type under a shared key (never a stream key: a string
		// there would stay until deleted).
		return []string{g.pick("SET", "RPUSH"), g.key(), g.val()}
	default:
		return []string{g.pick("XLEN", "EXISTS"), k}
	}
}
