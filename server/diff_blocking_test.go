package server

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of the blocking commands. A case runs on up to four
// connections per server, in lock step on keel and on redis-server:
//
//	n> CMD ...     send on connection n and compare the replies
//	n< CMD ...     send on connection n without reading (it blocks); the
//	               runner then waits until both servers have it (a B...
//	               command, or XREAD / XREADGROUP with BLOCK: until INFO
//	               counts it blocked; else a pause)
//	@READ n        read connection n's pending reply on both, compare
//	@CLOSE n       close connection n (a client that goes away)
//	@SLEEP ms      pause
//
// After the last line the data sets are compared (p.dump).

func init() {
	familyCommands = append(familyCommands, "blpop", "brpop", "brpoplpush", "blmove", "blmpop",
		"bzpopmin", "bzpopmax", "bzmpop")
}

// blockSettle is how long the runner waits after a send for both servers
// to have received and executed (blocked) it.
const blockSettle = 60 * time.Millisecond

func TestDiffBlocking(t *testing.T) {
	t.Parallel()
	runBlockingCases(t, newPair(t), blockingCases)
}

func runBlockingCases(t *testing.T, p *diffPair, cases []diffCase) {
	runBlockingCasesEvents(t, p, cases, "")
}

// runBlockingCasesEvents is runBlockingCases with, when events is set,
// those notification classes enabled on both servers and the events each
// step caused compared after it (diff_notify_test.go's eventWatch).
func runBlockingCasesEvents(t *testing.T, p *diffPair, cases []diffCase, events string) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p.flushAll(t)
			var k, o [4]*respConn
			for i := range k {
				k[i], o[i] = p.dial(t)
				defer k[i].Close()
				defer o[i].Close()
			}
			// ctl asks each server how many clients are blocked, so that a
			// case goes on only once both hold every blocked command it
			// sent (a fixed pause made the order of two waiters a race on
			// a loaded machine).
			kctl, octl := p.dial(t)
			defer kctl.Close()
			defer octl.Close()
			var ev *eventWatch
			if events != "" {
				ev = watchEventsOn(t, p, kctl, octl, events)
				// Expired events from lookups only: the two servers'
				// active expiry runs at different moments.
				for _, ctl := range []*respConn{kctl, octl} {
					if v, err := ctl.Do("DEBUG", "SET-ACTIVE-EXPIRE", "0"); err != nil || v.Kind != '+' {
						t.Fatalf("DEBUG SET-ACTIVE-EXPIRE 0: %v %v", v, err)
					}
				}
			}
			blocked := 0
			fail := func(step int, line, what string, kv, ov respValue) {
				t.Fatalf("MISMATCH step %d (%s): %s\n      keel:  %s\n      redis: %s\n    case: %s",
					step+1, line, what, kv, ov, caseText(c.cmds))
			}
			step := func(i int, line string) {
				fields := strings.Fields(line)
				switch fields[0] {
				case "@SLEEP":
					ms, _ := strconv.Atoi(fields[1])
					time.Sleep(time.Duration(ms) * time.Millisecond)
					return
				case "@CLOSE":
					n, _ := strconv.Atoi(fields[1])
					k[n-1].Close()
					o[n-1].Close()
					blocked = max(blocked-1, 0)
					waitBlockedCount(t, kctl, octl, blocked, false)
					return
				case "@READ":
					n, _ := strconv.Atoi(fields[1])
					blocked = max(blocked-1, 0)
					kv, kerr := k[n-1].Read()
					ov, oerr := o[n-1].Read()
					if kerr != nil || oerr != nil {
						t.Fatalf("step %d (%s): read: keel %v, redis %v", i+1, line, kerr, oerr)
					}
					if d := exactCmp(kv, ov); d != "" {
						fail(i, line, d, kv, ov)
					}
					return
				}
				if len(line) < 3 || (line[1] != '>' && line[1] != '<') {
					t.Fatalf("bad case line %q", line)
				}
				n := int(line[0] - '0')
				_, args, err := parseLine(line[2:])
				if err != nil {
					t.Fatal(err)
				}
				if line[1] == '<' {
					if err := k[n-1].Send(args...); err != nil {
						t.Fatal(err)
					}
					if err := o[n-1].Send(args...); err != nil {
						t.Fatal(err)
					}
					if strings.HasPrefix(strings.ToUpper(args[0]), "B") || streamBlocks(args) {
						blocked++
						waitBlockedCount(t, kctl, octl, blocked, true)
					} else {
						time.Sleep(blockSettle)
					}
					return
				}
				kv, kerr := k[n-1].Do(args...)
				ov, oerr := o[n-1].Do(args...)
				if kerr != nil || oerr != nil {
					t.Fatalf("step %d (%s): keel %v, redis %v", i+1, line, kerr, oerr)
				}
				if d := compareReply(args, kv, ov, nil); d != "" {
					fail(i, line, d, kv, ov)
				}
			}
			for i, line := range c.cmds {
				step(i, line)
				if ev == nil {
					continue
				}
				if ke, oe := ev.events(t); strings.Join(ke, "\n") != strings.Join(oe, "\n") {
					t.Fatalf("MISMATCH step %d (%s): events differ:\n      keel:  %q\n      redis: %q\n    case: %s",
						i+1, line, ke, oe, caseText(c.cmds))
				}
			}
			for _, d := range p.dump(t, 16, false) {
				t.Errorf("MISMATCH after the case: %s\n    case: %s", d, caseText(c.cmds))
			}
		})
	}
}

// waitBlockedCount waits until both servers report want blocked clients
// (atLeast: want or more; else want or fewer), for up to two seconds: a
// command with a short timeout may have unblocked already.
func waitBlockedCount(t *testing.T, k, o *respConn, want int, atLeast bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for _, c := range []*respConn{k, o} {
		for time.Now().Before(deadline) {
			v, err := c.Do("INFO", "clients")
			if err != nil {
				t.Fatal(err)
			}
			n := -1
			for _, line := range strings.Split(v.Str, "\r\n") {
				if s, ok := strings.CutPrefix(line, "blocked_clients:"); ok {
					n, _ = strconv.Atoi(s)
				}
			}
			if (atLeast && n >= want) || (!atLeast && n >= 0 && n <= want) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	time.Sleep(10 * time.Millisecond) // a pipelined command after it, if any
}

var blockingCases = []diffCase{
	dc("BLPOP/served_by_push", `1< BLPOP q 0`, `2> RPUSH q a b`, `@READ 1`, `2> LRANGE q 0 -1`),
	dc("BLPOP/immediate", `1> RPUSH q a b`, `1> BLPOP q 0`, `1> BRPOP q 0`, `1> EXISTS q`, `1> BLPOP q 0.05`),
	dc("BLPOP/first_nonempty_key", `1> RPUSH k2 x`, `1> RPUSH k3 y`, `1> BLPOP k1 k2 k3 0`, `1> BRPOP k1 k3 1`),
	dc("BLPOP/wrongtype_in_order", `1> SET s v`, `1> RPUSH l x`, `1> BLPOP l s 0`, `1> BLPOP s l 0`, `1> BLPOP nokey s 0`),
	dc("BRPOP/second_key", `1< BRPOP k1 k2 0`, `2> RPUSH k2 x y`, `@READ 1`, `2> LRANGE k2 0 -1`),
	dc("BLPOP/fifo", `1< BLPOP q 0`, `2< BLPOP q 0`, `3> RPUSH q a`, `@READ 1`, `3> RPUSH q b`, `@READ 2`),
	dc("BLPOP/one_push_serves_two", `1< BLPOP q 0`, `2< BRPOP q 0`, `3> RPUSH q a b c`, `@READ 1`, `@READ 2`, `3> LRANGE q 0 -1`),
	dc("BLPOP/timeout", `1< BLPOP q 0.1`, `@SLEEP 300`, `@READ 1`, `1> PING`),
	dc("BLPOP/timeout_resp3", `1> HELLO 3`, `1< BRPOP q 0.05`, `@SLEEP 250`, `@READ 1`),
	dc("BLPOP/timeout_errors", `1> BLPOP q -1`, `1> BLPOP q abc`, `1> BLPOP q ""`, `1> BLPOP q " 1"`, `1> BLPOP q nan`,
		`1> BLPOP q inf`, `1> BLPOP q -inf`, `1> BLPOP q 1e400`, `1> BLPOP q 9223372036854775807`, `1> BLPOP q 9999999999999999`,
		`1> BRPOPLPUSH a b x`, `1> BLMOVE a b LEFT RIGHT -2`, `1> BLMPOP -1 1 a LEFT`),
	dc("BLPOP/in_multi", `1> MULTI`, `1> BLPOP q 0`, `1> BRPOPLPUSH q d 0`, `1> BLMOVE q d LEFT LEFT 0`, `1> BLMPOP 0 1 q LEFT`, `1> EXEC`),
	dc("BLPOP/woken_by_exec", `1< BLPOP q 0`, `2> MULTI`, `2> RPUSH q a`, `2> SET k v`, `2> EXEC`, `@READ 1`),
	dc("BLPOP/exec_push_then_pop", `1< BLPOP q 0`, `2> MULTI`, `2> RPUSH q a`, `2> LPOP q`, `2> EXEC`, `@SLEEP 50`,
		`2> RPUSH q z`, `@READ 1`),
	dc("BLPOP/key_replaced_by_string", `1< BLPOP q 0`, `2> SET q str`, `@SLEEP 50`, `2> DEL q`, `2> RPUSH q v`, `@READ 1`),
	dc("BLPOP/disconnected_client_takes_nothing", `1< BLPOP q 0`, `@CLOSE 1`, `2> RPUSH q a`, `2> LRANGE q 0 -1`),
	dc("BLPOP/disconnected_then_next_served", `1< BLPOP q 0`, `2< BLPOP q 0`, `@CLOSE 1`, `3> RPUSH q a`, `@READ 2`, `3> EXISTS q`),
	dc("BLPOP/swapdb_wakes", `1< BLPOP q 0`, `2> SELECT 1`, `2> RPUSH q a`, `2> SWAPDB 0 1`, `@READ 1`, `2> DBSIZE`),
	dc("BLPOP/select_db", `1> SELECT 2`, `1< BLPOP q 0`, `2> RPUSH q x`, `2> SELECT 2`, `2> RPUSH q y`, `@READ 1`),
	dc("BLPOP/pipeline_after", `1< BLPOP q 0`, `1< PING`, `2> RPUSH q a`, `@READ 1`, `@READ 1`),
	dc("BLPOP/lmove_wakes", `1< BLPOP dst 0`, `2> RPUSH src a`, `2> LMOVE src dst LEFT LEFT`, `@READ 1`),
	dc("BLMOVE/served", `1< BLMOVE src dst LEFT RIGHT 0`, `2> RPUSH src a b`, `@READ 1`, `2> LRANGE dst 0 -1`, `2> LRANGE src 0 -1`),
	dc("BLMOVE/immediate", `1> RPUSH src a b`, `1> BLMOVE src dst RIGHT LEFT 0`, `1> BRPOPLPUSH src dst 0`, `1> LRANGE dst 0 -1`),
	dc("BLMOVE/dst_wrongtype", `2> SET dst x`, `1< BLMOVE src dst LEFT LEFT 0`, `2> RPUSH src a`, `@READ 1`, `2> LRANGE src 0 -1`),
	dc("BLMOVE/chain", `1< BLMOVE a b LEFT LEFT 0`, `2< BLPOP b 0`, `3> RPUSH a x`, `@READ 1`, `@READ 2`, `3> EXISTS a b`),
	dc("BLMOVE/timeout", `1< BLMOVE a b LEFT LEFT 0.05`, `@SLEEP 250`, `@READ 1`),
	dc("BRPOPLPUSH/rotate_same_key", `1< BRPOPLPUSH q q 0`, `2> RPUSH q a`, `@READ 1`, `2> LRANGE q 0 -1`),
	dc("BRPOPLPUSH/errors", `1> SET s v`, `1> BRPOPLPUSH s d 0`, `1> RPUSH l a`, `1> BRPOPLPUSH l s 0`, `1> LRANGE l 0 -1`),
	dc("BLMPOP/served_count", `1< BLMPOP 0 2 a b RIGHT COUNT 2`, `2> RPUSH b 1 2 3`, `@READ 1`, `2> LRANGE b 0 -1`),
	dc("BLMPOP/immediate_and_errors", `1> RPUSH b 1 2`, `1> BLMPOP 0 2 a b LEFT COUNT 5`, `1> BLMPOP 0 0 a LEFT`,
		`1> BLMPOP 0 1 a MIDDLE`, `1> BLMPOP 0 1 a LEFT COUNT 0`, `1> BLMPOP 0 3 a LEFT`, `1> BLMPOP 0.01 1 a LEFT`),
	dc("BZPOPMIN/served", `1< BZPOPMIN z 0`, `2> ZADD z 2 b 1 a 3 c`, `@READ 1`, `2> ZRANGE z 0 -1 WITHSCORES`),
	dc("BZPOPMAX/served_resp3", `1> HELLO 3`, `1< BZPOPMAX z1 z2 0`, `2> ZADD z2 1.5 x 2.5 y`, `@READ 1`, `2> ZCARD z2`),
	dc("BZPOPMIN/immediate", `1> ZADD z 1 a 2 b`, `1> BZPOPMIN nokey z 0`, `1> BZPOPMAX z 0`, `1> EXISTS z`, `1> BZPOPMIN z 0.05`),
	dc("BZPOPMIN/wrongtype_and_errors", `1> SET s v`, `1> BZPOPMIN s 0`, `1> BZPOPMAX nokey s 0`, `1> BZPOPMIN z -1`,
		`1> BZPOPMIN z x`, `1> BZMPOP 0 0 z MIN`, `1> BZMPOP 0 1 z MID`, `1> BZMPOP 0 1 z MIN COUNT 0`, `1> BZMPOP x 1 z MIN`),
	dc("BZPOPMIN/fifo", `1< BZPOPMIN z 0`, `2< BZPOPMAX z 0`, `3> ZADD z 1 a 2 b 3 c`, `@READ 1`, `@READ 2`, `3> ZRANGE z 0 -1`),
	dc("BZPOPMIN/timeout", `1< BZPOPMIN z 0.05`, `@SLEEP 250`, `@READ 1`, `1< BZMPOP 0.05 1 z MAX`, `@SLEEP 250`, `@READ 1`),
	dc("BZPOPMIN/in_multi", `1> MULTI`, `1> BZPOPMIN z 0`, `1> BZMPOP 0 1 z MIN`, `1> EXEC`),
	dc("BZPOPMIN/list_key_skipped", `1< BZPOPMIN k 0`, `2< BLPOP k 0`, `3> RPUSH k a`, `@READ 2`, `3> ZADD k 1 m`, `@READ 1`),
	dc("BZMPOP/served_count", `1< BZMPOP 0 2 a b MAX COUNT 2`, `2> ZADD b 1 x 2 y 3 z`, `@READ 1`, `2> ZRANGE b 0 -1`),
	dc("BZMPOP/resp3", `1> HELLO 3`, `1< BZMPOP 0 1 a MIN COUNT 5`, `2> ZADD a 1 x 2 y`, `@READ 1`),
	dc("BZPOPMIN/woken_by_zunionstore", `1< BZPOPMIN d 0`, `2> ZADD s 1 a`, `2> ZUNIONSTORE d 1 s`, `@READ 1`),
	dc("BLPOP/served_with_expired_source_push", `1< BLPOP q 0`, `2> RPUSH q a`, `@READ 1`, `2> RPUSH q b`, `2> PEXPIRE q 30`,
		`@SLEEP 60`, `2< BLPOP q 0.1`, `@SLEEP 250`, `@READ 2`),
}
