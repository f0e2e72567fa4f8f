package server

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDiffClientListStates: CLIENT LIST shows other clients' state as
// redis-server does: one in MULTI (flags x, its queued commands, the
// last one as cmd), one blocked (flags b, its command's argv-mem), one
// whose replies its socket cannot take (events rw, omem), one idle (N,
// multi -1, nothing pending), and its real descriptor.
func TestDiffClientListStates(t *testing.T) {
	p := newPair(t)
	big := strings.Repeat("v", 32<<20) // more than loopback's socket buffers take
	for _, srv := range []struct{ name, addr string }{{"keel", p.keel.addr}, {"redis-server", p.oracle}} {
		t.Run(srv.name, func(t *testing.T) {
			conns := map[string]*respConn{}
			ids := map[string]string{}
			for _, name := range []string{"multi", "blocked", "slow", "idle", "lister"} {
				c := mustDialRESP(t, srv.addr)
				v, err := c.Do("CLIENT", "ID")
				if err != nil || v.Kind != ':' {
					t.Fatalf("CLIENT ID: %v %v", v, err)
				}
				conns[name], ids[name] = c, strconv.FormatInt(v.Int, 10)
			}
			// One that has sent nothing yet, found by its address.
			fresh := mustDialRESP(t, srv.addr).nc.LocalAddr().String()
			if v, err := conns["idle"].Do("SET", "big", big); err != nil || v.Kind != '+' {
				t.Fatalf("SET big: %v %v", v, err)
			}
			for _, cmd := range [][]string{{"MULTI"}, {"SET", "a", "b"}, {"GET", "a"}} {
				if v, err := conns["multi"].Do(cmd...); err != nil || v.Kind != '+' {
					t.Fatalf("%s: %v %v", cmd[0], v, err)
				}
			}
			if err := conns["blocked"].Send("BLPOP", "q", "0"); err != nil {
				t.Fatal(err)
			}
			if err := conns["slow"].Send("GET", "big"); err != nil { // and never read
				t.Fatal(err)
			}
			want := map[string]map[string]string{
				"multi":   {"flags": "x", "multi": "2", "cmd": "get", "events": "r", "omem": "0"},
				"blocked": {"flags": "b", "multi": "-1", "cmd": "blpop", "argv-mem": "7", "events": "r"},
				"slow":    {"flags": "N", "multi": "-1", "cmd": "get", "events": "rw"},
				"idle":    {"flags": "N", "multi": "-1", "cmd": "set", "events": "r", "qbuf": "0", "omem": "0", "obl": "0"},
				"fresh":   {"flags": "N", "multi": "-1", "cmd": "NULL", "events": "r", "qbuf": "0", "omem": "0"},
			}
			var lines map[string]string
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				v, err := conns["lister"].Do("CLIENT", "LIST")
				if err != nil {
					t.Fatal(err)
				}
				lines = map[string]string{}
				for _, l := range strings.Split(strings.TrimSpace(v.Str), "\n") {
					for name, id := range ids {
						if fieldValue(l, "id") == id {
							lines[name] = l
						}
					}
					if fieldValue(l, "addr") == fresh {
						lines["fresh"] = l
					}
				}
				if mismatch(lines, want) == "" && omem(lines["slow"]) > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("CLIENT LIST: %s (slow omem %d):\n%s", mismatch(lines, want), omem(lines["slow"]), v.Str)
				}
			}
			for name, l := range lines {
				if fd, err := strconv.Atoi(fieldValue(l, "fd")); err != nil || fd < 3 {
					t.Errorf("%s: fd=%s, want its socket's descriptor", name, fieldValue(l, "fd"))
				}
			}
		})
	}
}

// mismatch names the first field of lines that differs from want.
func mismatch(lines map[string]string, want map[string]map[string]string) string {
	for name, fields := range want {
		l, ok := lines[name]
		if !ok {
			return "no line for the " + name + " client"
		}
		for f, w := range fields {
			if got := fieldValue(l, f); got != w {
				return name + ": " + f + "=" + got + ", want " + w
			}
		}
	}
	return ""
}

func omem(line string) int {
	n, _ := strconv.Atoi(fieldValue(line, "omem"))
	return n
}

// fieldValue is the value of CLIENT LIST's field name in line.
func fieldValue(line, name string) string {
	return strings.TrimPrefix(field(line, name), name+"=")
}

// TestDiffClientUnblock: CLIENT UNBLOCK ends another client's blocking
// command with its timeout reply or, with ERROR, Redis's UNBLOCKED error,
// answers 1 for a waiting client and 0 otherwise, and rejects bad
// arguments as redis-server does; the unblocked client takes nothing
// pushed afterwards.
func TestDiffClientUnblock(t *testing.T) {
	p := newPair(t)
	replies := map[string][]string{}
	for _, srv := range []struct{ name, addr string }{{"keel", p.keel.addr}, {"redis-server", p.oracle}} {
		a, b := mustDialRESP(t, srv.addr), mustDialRESP(t, srv.addr)
		v, err := a.Do("CLIENT", "ID")
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(v.Int, 10)
		var got []string
		do := func(c *respConn, args ...string) {
			v, err := c.Do(args...)
			if err != nil {
				t.Fatalf("%s: %v: %v", srv.name, args, err)
			}
			shown := slices.Clone(args)
			for i, a := range shown {
				if a == id && i > 0 && strings.EqualFold(shown[0], "client") {
					shown[i] = "<id>"
				}
			}
			got = append(got, strings.Join(shown, " ")+" -> "+v.String())
		}
		blocked := func(cmd ...string) {
			if err := a.Send(cmd...); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				v, err := b.Do("INFO", "clients")
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(v.Str, "blocked_clients:1\r\n") {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: %v never blocked", srv.name, cmd)
				}
			}
		}
		readA := func() {
			v, err := a.Read()
			if err != nil {
				t.Fatalf("%s: blocked client: %v", srv.name, err)
			}
			got = append(got, "blocked -> "+v.String())
		}
		do(b, "DEL", "q", "s")
		blocked("BLPOP", "q", "0")
		do(b, "CLIENT", "UNBLOCK", id)
		readA()
		blocked("BRPOP", "q", "100")
		do(b, "CLIENT", "UNBLOCK", id, "ERROR")
		readA()
		do(b, "LPUSH", "q", "x")
		do(b, "LLEN", "q")
		blocked("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
		do(b, "CLIENT", "UNBLOCK", id, "timeout")
		readA()
		do(b, "CLIENT", "UNBLOCK", id)
		// WAIT on a master without replicas: 0, at once or at its
		// timeout, or when unblocked.
		do(a, "WAIT", "0", "0")
		do(a, "WAIT", "-1", "100")
		do(a, "WAIT", "1", "50")
		do(a, "WAIT", "x", "-1")
		do(a, "WAIT", "1", "-1")
		do(a, "WAIT", "1", "1.5")
		blocked("WAIT", "2", "0")
		do(b, "CLIENT", "UNBLOCK", id, "ERROR")
		readA()
		blocked("WAIT", "2", "0")
		do(b, "CLIENT", "UNBLOCK", id)
		readA()
		do(a, "MULTI")
		do(a, "WAIT", "5", "0")
		do(a, "EXEC")
		do(b, "CLIENT", "UNBLOCK", "999999")
		do(b, "CLIENT", "UNBLOCK", "abc")
		do(b, "CLIENT", "UNBLOCK", id, "maybe")
		do(b, "CLIENT", "UNBLOCK", id, "timeout", "x")
		do(a, "PING")
		replies[srv.name] = got
	}
	k, o := replies["keel"], replies["redis-server"]
	for i := range max(len(k), len(o)) {
		if i >= len(k) || i >= len(o) || k[i] != o[i] {
			t.Fatalf("step %d differs:\n  keel:  %v\n  redis: %v", i, k, o)
		}
	}
}

// TestDiffRole: ROLE answers as redis-server's for a master without
// replicas, its offset being INFO replication's master_repl_offset.
func TestDiffRole(t *testing.T) {
	p := newPair(t)
	for _, srv := range []struct{ name, addr string }{{"keel", p.keel.addr}, {"redis-server", p.oracle}} {
		c := mustDialRESP(t, srv.addr)
		if _, err := c.Do("SET", "k", "v"); err != nil {
			t.Fatal(err)
		}
		v, err := c.Do("ROLE")
		if err != nil {
			t.Fatal(err)
		}
		if v.Kind != '*' || len(v.Elems) != 3 || v.Elems[0].Str != "master" || v.Elems[1].Kind != ':' || v.Elems[2].Kind != '*' || len(v.Elems[2].Elems) != 0 {
			t.Fatalf("%s: ROLE = %v", srv.name, v)
		}
		info, err := c.Do("INFO", "replication")
		if err != nil {
			t.Fatal(err)
		}
		if want := "master_repl_offset:" + strconv.FormatInt(v.Elems[1].Int, 10) + "\r\n"; !strings.Contains(info.Str, want) {
			t.Fatalf("%s: ROLE's offset %d is not INFO's:\n%s", srv.name, v.Elems[1].Int, info.Str)
		}
	}
}

// TestClientNoTouchFlag: CLIENT NO-TOUCH on (Redis 7.2) shows as flag T
// in CLIENT INFO, after NO-EVICT's e, and RESET clears it, as 7.2's does
// (NO-EVICT stays, as Redis 7.0 keeps it).
func TestClientNoTouchFlag(t *testing.T) {
	k := startKeel(t)
	c := mustDialRESP(t, k.addr)
	flags := func() string {
		t.Helper()
		v, err := c.Do("CLIENT", "INFO")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range strings.Fields(v.Str) {
			if v, ok := strings.CutPrefix(f, "flags="); ok {
				return v
			}
		}
		return ""
	}
	for _, step := range []struct {
		args  []string
		flags string
	}{
		{[]string{"CLIENT", "NO-TOUCH", "on"}, "T"},
		{[]string{"CLIENT", "NO-EVICT", "on"}, "eT"},
		{[]string{"RESET"}, "e"},
		{[]string{"CLIENT", "NO-EVICT", "off"}, "N"},
	} {
		if _, err := c.Do(step.args...); err != nil {
			t.Fatal(err)
		}
		if got := flags(); got != step.flags {
			t.Errorf("after %q: flags=%s, want %s", step.args, got, step.flags)
		}
	}
	if v, _ := c.Do("CLIENT", "NO-TOUCH", "maybe"); v.Kind != '-' || v.Str != "ERR syntax error" {
		t.Errorf("CLIENT NO-TOUCH maybe: %v", v)
	}
}
