package server

import (
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/keeldb/keel/internal/oracle"
)

// MIGRATE against redis-server: keel and Redis each migrate the same keys
// to a target of their own (two targets of the same kind, Redis then
// keel), and the replies, the sources and the targets are compared. "$T"
// in a step is the host and port of the side's target; "@T cmd" runs cmd
// on the targets instead of the sources.
func TestDiffMigrate(t *testing.T) {
	if os.Getenv("KEEL_ORACLE") != "" {
		t.Skip("MIGRATE needs redis-servers of its own; KEEL_ORACLE names one")
	}
	p := newPair(t)
	steps := []string{
		"set s1 v1",
		"rpush l1 a b c",
		"hset h1 f v g w",
		"set t1 v px 100000",
		"xadd x1 1-1 f v",
		"xgroup create x1 g 0",
		"xreadgroup group g c streams x1 >",
		"migrate $T s1 0 1000",
		"exists s1",
		"@T get s1",
		"migrate $T nosuch 0 1000",
		"migrate $T l1 0 1000 copy",
		"lrange l1 0 -1",
		"@T lrange l1 0 -1",
		"migrate $T l1 0 1000",
		"exists l1",
		"migrate $T l1 0 1000 replace",
		"rpush l1 z",
		"migrate $T l1 0 1000 replace",
		"@T lrange l1 0 -1",
		"migrate $T t1 0 1000",
		"@T pttl t1",
		"migrate $T x1 3 1000",
		"@T select 3",
		"@T xinfo stream x1 full",
		"@T select 0",
		"migrate $T \"\" 0 1000 keys h1 nosuch s9",
		"@T hgetall h1",
		"set a 1",
		"set b 2",
		"@T set b 0",
		"migrate $T \"\" 0 1000 keys a b",
		"exists a b",
		"@T mget a b",
		"migrate $T \"\" 0 1000 copy replace keys a b",
		"migrate $T \"\" 0 1000 keys nosuch",
		"migrate $T a 0 1000 keys b",
		"migrate $T a x 1000",
		"migrate $T a 0 x",
		"migrate $T a 0 1000 auth",
		"migrate $T a 0 1000 auth2 u",
		"migrate $T a 0 1000 foo",
		"migrate $T b 0 1000 auth pw",
		"migrate $T b 0 1000 auth2 default pw",
		"migrate 127.0.0.1 1 b 0 100",
		"migrate",
		"migrate a b c d",
		"multi",
		"set m 1",
		"migrate $T m 0 1000",
		"exec",
		"exists m",
		"@T get m",
	}
	for _, kind := range []string{"redis", "keel"} {
		t.Run("to-"+kind, func(t *testing.T) {
			p.flushAll(t)
			var kt, ot string // the targets of keel's and Redis's migrations
			if kind == "redis" {
				kt, ot = oracle.Start(t), oracle.Start(t)
			} else {
				kt, ot = startKeel(t).addr, startKeel(t).addr
			}
			k, o := p.dial(t)
			tk, to := mustDialRESP(t, kt), mustDialRESP(t, ot)
			hostPort := func(addr string) []string {
				h, port, _ := net.SplitHostPort(addr)
				return []string{h, port}
			}
			for i, step := range steps {
				onTarget := strings.HasPrefix(step, "@T ")
				_, args, err := parseLine(strings.TrimPrefix(step, "@T "))
				if err != nil {
					t.Fatal(err)
				}
				expand := func(target string) []string {
					var out []string
					for _, a := range args {
						if a == "$T" {
							out = append(out, hostPort(target)...)
						} else {
							out = append(out, a)
						}
					}
					return out
				}
				kc, oc := k, o
				if onTarget {
					kc, oc = tk, to
				}
				kv, err := kc.Do(expand(kt)...)
				if err != nil {
					t.Fatalf("step %d %s: keel side: %v", i+1, step, err)
				}
				ov, err := oc.Do(expand(ot)...)
				if err != nil {
					t.Fatalf("step %d %s: redis side: %v", i+1, step, err)
				}
				if d := compareReply(args, kv, ov, nil); d != "" {
					t.Fatalf("step %d %q: %s\n      keel side:  %s\n      redis side: %s", i+1, step, d, kv, ov)
				}
			}
			for _, d := range p.dump(t, 16, false) {
				t.Errorf("sources: %s", d)
			}
		})
	}
}

// TestMigrateSilentTarget: a target that takes the connection and never
// answers: MIGRATE fails with Redis's IOERR after its timeout, and the
// key stays (nothing was acknowledged).
func TestMigrateSilentTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { // read and never answer
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						c.Close()
						return
					}
				}
			}()
		}
	}()
	k := startKeel(t)
	c := mustDialRESP(t, k.addr)
	if v, err := c.Do("SET", "key", "v"); err != nil || v.Kind != '+' {
		t.Fatalf("SET: %v %v", v, err)
	}
	h, port, _ := net.SplitHostPort(ln.Addr().String())
	start := time.Now()
	v, err := c.Do("MIGRATE", h, port, "key", "0", "200")
	if err != nil || v.Str != "IOERR error or timeout reading to target instance" {
		t.Fatalf("MIGRATE to a silent target: %s %v", v, err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 5*time.Second {
		t.Errorf("MIGRATE took %v with a 200 ms timeout", d)
	}
	if v, err := c.Do("EXISTS", "key"); err != nil || v.Int != 1 {
		t.Errorf("EXISTS key after the failed MIGRATE: %s %v", v, err)
	}
	if v, err := c.Do("INFO", "stats"); err != nil || !strings.Contains(v.Str, "migrate_cached_sockets:0") {
		t.Errorf("the failed connection stayed cached: %v", err)
	}
}
