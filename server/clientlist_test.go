package server

import (
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
