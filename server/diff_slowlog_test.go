package server

// Differential tests of SLOWLOG against redis-server, every command
// logged (slowlog-log-slower-than 0): which commands are logged, in which
// order, with which arguments (cut, counted, redacted) and client names.
// Times, durations and addresses differ by nature and are masked; ids are
// compared relative to the newest.

import (
	"strings"
	"testing"
)

func init() {
	replyComparers = append(replyComparers, slowlogCmp)
}

func slowlogCmp(args []string, k, o respValue) (string, bool) {
	if len(args) < 2 || !strings.EqualFold(args[0], "slowlog") || !strings.EqualFold(args[1], "get") || k.Kind != '*' || o.Kind != '*' {
		return "", false
	}
	mask := func(v respValue) respValue {
		v.Elems = append([]respValue(nil), v.Elems...)
		var newest int64
		if len(v.Elems) > 0 && len(v.Elems[0].Elems) == 6 {
			newest = v.Elems[0].Elems[0].Int
		}
		for i, e := range v.Elems {
			if len(e.Elems) != 6 {
				continue
			}
			e.Elems = append([]respValue(nil), e.Elems...)
			e.Elems[0].Int -= newest
			e.Elems[1] = respValue{Kind: ':'}
			e.Elems[2] = respValue{Kind: ':'}
			if e.Elems[4].Str != "?:0" {
				e.Elems[4].Str = "<addr>"
			}
			v.Elems[i] = e
		}
		return v
	}
	return exactCmp(mask(k), mask(o)), true
}

func TestDiffSlowlog(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 200)
	many := "RPUSH many" + strings.Repeat(" e", 40)
	runCases(t, newPair(t), []diffCase{
		dc("logged",
			`CONFIG SET slowlog-log-slower-than 0`, `SLOWLOG RESET`, `CLIENT SETNAME myname`, `SET k v`,
			`EVAL "redis.call('get', 'k') return 1" 0`, `AUTH x`, `AUTH u p`, `HELLO 2 AUTH default pw`, `HELLO 2 SETNAME other`,
			`MULTI`, `GET k`, `INCR n`, `EXEC`, `GETT k`, `GET`, "SET "+long+" "+long, many, `2> PING`,
			`SLOWLOG GET -1`, `SLOWLOG GET 3`, `SLOWLOG GET 0`, `SLOWLOG GET -2`, `SLOWLOG GET x`, `SLOWLOG LEN`,
			`SLOWLOG GET 1 2`, `SLOWLOG bogus`, `SLOWLOG HELP`, `SLOWLOG`,
			`CONFIG SET slowlog-max-len 3`, `SLOWLOG LEN`, `SLOWLOG GET`, `CONFIG SET slowlog-max-len 128`,
			`CONFIG SET slowlog-log-slower-than -1`, `SET a b`, `SLOWLOG GET 2`, `CONFIG SET slowlog-log-slower-than 10000`,
			`SLOWLOG RESET`, `SLOWLOG LEN`),
	})
}
