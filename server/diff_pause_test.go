package server

import (
	"strings"
	"testing"
	"time"

	"github.com/keeldb/keel/internal/oracle"
)

func init() {
	familyCommands = append(familyCommands, "client|pause", "client|unpause", "wait")
}

// TestDiffClientPause compares CLIENT PAUSE and UNPAUSE with redis-server,
// in every connection model: a WRITE pause holds writes (and queueing one
// into MULTI) and lets reads through until UNPAUSE; an ALL pause holds
// every command until its time; held clients count as blocked; the
// errors.
func TestDiffClientPause(t *testing.T) {
	forEachModel(t, func(t *testing.T, ks *keelServer) {
		p := &diffPair{keel: ks, oracle: oracle.Start(t)}
		s := newSession(t, p, 1)
		type pair struct{ k, o *respConn }
		dial := func() pair { k, o := p.dial(t); return pair{k, o} }
		a, b, c, d := dial(), dial(), dial(), dial()
		do := func(x pair, args ...string) {
			t.Helper()
			kv, err1 := x.k.Do(args...)
			ov, err2 := x.o.Do(args...)
			if err1 != nil || err2 != nil {
				t.Fatalf("%v: keel %v, redis %v", args, err1, err2)
			}
			if d := compareReply(args, kv, ov, nil); d != "" {
				t.Fatalf("MISMATCH %v (%s)\n      keel:  %s\n      redis: %s", args, d, kv, ov)
			}
		}
		send := func(x pair, args ...string) {
			t.Helper()
			if err := x.k.Send(args...); err != nil {
				t.Fatal(err)
			}
			if err := x.o.Send(args...); err != nil {
				t.Fatal(err)
			}
		}
		// held checks that neither server has answered x yet.
		held := func(x pair, what string) {
			t.Helper()
			for name, conn := range map[string]*respConn{"keel": x.k, "redis": x.o} {
				if vs, closed := conn.ReadUntilClosed(150 * time.Millisecond); len(vs) > 0 || closed {
					t.Fatalf("%s: %s answered during the pause: %v (closed %v)", name, what, vs, closed)
				}
			}
		}
		read := func(x pair, what string) {
			t.Helper()
			kv, err1 := x.k.Read()
			ov, err2 := x.o.Read()
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: keel %v, redis %v", what, err1, err2)
			}
			if d := exactCmp(kv, ov); d != "" {
				t.Fatalf("MISMATCH %s (%s)\n      keel:  %s\n      redis: %s", what, d, kv, ov)
			}
		}
		blocked := func() {
			t.Helper()
			k, o, _ := s.do(0, []string{"INFO", "clients"})
			line := func(v respValue) string {
				for _, l := range strings.Split(v.Str, "\r\n") {
					if strings.HasPrefix(l, "blocked_clients:") {
						return l
					}
				}
				return ""
			}
			if line(k) != line(o) {
				t.Fatalf("keel %q, redis %q", line(k), line(o))
			}
		}

		do(a, "SET", "k", "v")
		do(a, "CLIENT", "PAUSE", "5000", "WRITE")
		send(b, "SET", "k", "1")
		send(b, "GET", "k")
		do(c, "GET", "k")
		send(d, "PUBLISH", "ch", "m")
		held(b, "SET under a WRITE pause")
		held(d, "PUBLISH under a WRITE pause")
		blocked()
		do(c, "MULTI")
		send(c, "INCR", "n")
		send(c, "GET", "k")
		held(c, "INCR queued under a WRITE pause")
		do(a, "CLIENT", "UNPAUSE")
		read(b, "SET after UNPAUSE")
		read(b, "GET after UNPAUSE")
		read(d, "PUBLISH after UNPAUSE")
		read(c, "INCR queued after UNPAUSE")
		read(c, "GET queued after UNPAUSE")
		do(c, "EXEC")
		blocked()

		// Scripts and functions: held unless they declared no-writes (or
		// are a _RO form), as Redis tells from their flags.
		do(a, "FUNCTION", "LOAD", "REPLACE", "#!lua name=pause\nredis.register_function{function_name='pro', callback=function() return 'ro' end, flags={'no-writes'}}\nredis.register_function('prw', function() return 'rw' end)")
		do(a, "CLIENT", "PAUSE", "5000", "WRITE")
		do(c, "EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'k')", "0")
		do(c, "EVAL_RO", "return redis.call('get', 'k')", "0")
		do(c, "FCALL", "pro", "0")
		do(c, "FCALL_RO", "pro", "0")
		send(b, "EVAL", "return redis.call('get', 'k')", "0")
		held(b, "EVAL without flags under a WRITE pause")
		send(d, "FCALL", "prw", "0")
		held(d, "FCALL of a writing function under a WRITE pause")
		do(a, "CLIENT", "UNPAUSE")
		read(b, "EVAL after UNPAUSE")
		read(d, "FCALL after UNPAUSE")
		do(a, "FUNCTION", "DELETE", "pause")

		// An ALL pause holds every command, CLIENT UNPAUSE included,
		// until its time.
		// 1.5 s: the held checks (300 ms) must end well within it on a
		// loaded machine.
		start := time.Now()
		do(a, "CLIENT", "PAUSE", "1500", "ALL")
		send(b, "GET", "k")
		send(a, "CLIENT", "UNPAUSE")
		held(b, "GET under an ALL pause")
		read(a, "CLIENT UNPAUSE under an ALL pause")
		read(b, "GET after an ALL pause")
		if d := time.Since(start); d < 1400*time.Millisecond {
			t.Fatalf("an ALL pause of 1500 ms held the commands %v", d)
		}

		for _, args := range [][]string{
			{"CLIENT", "PAUSE", "-1"}, {"CLIENT", "PAUSE", "x"}, {"CLIENT", "PAUSE", "10", "MAYBE"},
			{"CLIENT", "PAUSE", "x", "MAYBE"}, {"CLIENT", "PAUSE", "10", "write", "extra"},
			{"CLIENT", "PAUSE", "9223372036854775807"}, {"CLIENT", "UNPAUSE", "extra"}, {"CLIENT", "PAUSE", "0", "all"},
		} {
			if k, o, diff := s.do(0, args); diff != "" {
				t.Errorf("MISMATCH %s (%s)\n      keel:  %s\n      redis: %s", fmtArgs(args), diff, k, o)
			}
		}
	})
}
