package server

// Differential tests of MEMORY against redis-server: the help, every
// error of USAGE's options and of the subcommands, USAGE of a missing key
// of each type and of an existing one (an integer on both: the figures
// are each server's own), STATS's fields (names, order, nesting and kinds
// of value), and the kinds of DOCTOR's and MALLOC-STATS's replies, in
// RESP2 and RESP3.

import (
	"fmt"
	"strings"
	"testing"
)

func init() {
	replyComparers = append(replyComparers, memoryCmp)
}

// memoryCmp compares the replies whose figures are each server's own by
// their shape.
func memoryCmp(args []string, k, o respValue) (string, bool) {
	if len(args) < 2 || !strings.EqualFold(args[0], "memory") || k.isErr() || o.isErr() {
		return "", false
	}
	switch strings.ToLower(args[1]) {
	case "usage":
		if k.Kind == ':' && o.Kind == ':' {
			if k.Int <= 0 {
				return fmt.Sprintf("keel's usage %d is not positive", k.Int), true
			}
			return "", true
		}
	case "stats":
		return exactCmp(memoryStatsShape(k), memoryStatsShape(o)), true
	case "doctor", "malloc-stats":
		if k.Kind != o.Kind {
			return fmt.Sprintf("reply kind %q against %q", k.Kind, o.Kind), true
		}
		return "", true
	}
	return "", false
}

// memoryStatsShape keeps a STATS reply's names and replaces each value by
// its kind.
func memoryStatsShape(v respValue) respValue {
	out := respValue{Kind: v.Kind}
	for i, e := range v.Elems {
		switch {
		case i%2 == 0:
			out.Elems = append(out.Elems, e)
		case e.Kind == '*' || e.Kind == '%':
			out.Elems = append(out.Elems, memoryStatsShape(e))
		case e.Kind == ',':
			out.Elems = append(out.Elems, respValue{Kind: ','})
		case e.Kind == '$':
			// A double in RESP2: a bulk string holding a number.
			out.Elems = append(out.Elems, respValue{Kind: '$', Str: "<double>"})
		default:
			out.Elems = append(out.Elems, respValue{Kind: e.Kind})
		}
	}
	return out
}

func TestDiffMemory(t *testing.T) {
	t.Parallel()
	runCases(t, newPair(t), []diffCase{
		dc("help_and_errors",
			`MEMORY HELP`, `MEMORY help`, `MEMORY HELP x`, `MEMORY`, `MEMORY bogus`, `MEMORY USAGE`,
			`MEMORY STATS x`, `MEMORY DOCTOR x`, `MEMORY PURGE x`, `MEMORY MALLOC-STATS x`, `MEMORY PURGE`),
		dc("usage",
			`SET s v`, `SET n 12345`, `SET big `+strings.Repeat("x", 5000), `RPUSH l a b c`, `SADD st 1 2 3`, `SADD sh a b`,
			`ZADD z 1 a 2 b`, `HSET h f v f2 v2`, `XADD x 1-1 a 1`, `XGROUP CREATE x g 0`, `XREADGROUP GROUP g c COUNT 1 STREAMS x >`,
			`MEMORY USAGE s`, `MEMORY USAGE n`, `MEMORY USAGE big`, `MEMORY USAGE l`, `MEMORY USAGE st`, `MEMORY USAGE sh`,
			`MEMORY USAGE z`, `MEMORY USAGE h`, `MEMORY USAGE x`, `MEMORY USAGE nokey`,
			`MEMORY USAGE h SAMPLES 0`, `MEMORY USAGE h samples 1`, `MEMORY USAGE h SAMPLES 0 SAMPLES 3`,
			`MEMORY USAGE h SAMPLES -1`, `MEMORY USAGE h SAMPLES x`, `MEMORY USAGE h SAMPLES 1.5`, `MEMORY USAGE h SAMPLES`,
			`MEMORY USAGE h FOO 1`, `MEMORY USAGE h SAMPLES 1 x`, `MEMORY USAGE nokey SAMPLES x`, `MEMORY USAGE nokey FOO`,
			// Redis measures an expired key its expiry has not deleted yet
			// (dictFind): with the active expiry off on both, it stays.
			`DEBUG SET-ACTIVE-EXPIRE 0`, `SET e v PX 1`, `DEBUG SLEEP 0.01`, `MEMORY USAGE e`, `EXISTS e`, `MEMORY USAGE e`,
			`DEBUG SET-ACTIVE-EXPIRE 1`),
		dc("stats_doctor_malloc",
			`SET a 1`, `SET b 2 EX 100`, `SELECT 3`, `SET c 3`, `SELECT 0`,
			`MEMORY STATS`, `MEMORY DOCTOR`, `MEMORY MALLOC-STATS`,
			`HELLO 3`, `MEMORY STATS`, `MEMORY DOCTOR`, `MEMORY MALLOC-STATS`, `MEMORY USAGE a`, `MEMORY USAGE nokey`, `HELLO 2`),
	})
}
