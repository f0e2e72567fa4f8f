package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/keeldb/keel"
)

// TestLoopServesBlockedInRound: a BLPOP served by an LPUSH of a client on
// the same event loop replies in the LPUSH's round, without the loop
// waking itself through its eventfd, and both replies are right.
func TestLoopServesBlockedInRound(t *testing.T) {
	t.Parallel()
	k := startKeel(t, "event-loops", "1")
	a, b := mustDialRESP(t, k.addr), mustDialRESP(t, k.addr)
	for _, c := range []*respConn{a, b} { // registered with the loop
		if v, err := c.Do("PING"); err != nil || v.Str != "PONG" {
			t.Fatalf("PING: %v %v", v, err)
		}
	}
	k.srv.mu.Lock()
	lp := k.srv.loops[0]
	k.srv.mu.Unlock()
	for round := range 20 {
		if err := a.Send("BLPOP", "q", "0"); err != nil {
			t.Fatal(err)
		}
		// The BLPOP blocks (its client shows in CLIENT LIST as blocked).
		deadline := time.Now().Add(5 * time.Second)
		for {
			v, err := b.Do("CLIENT", "LIST")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(v.Str, "cmd=blpop") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the BLPOP never blocked: %s", round, v.Str)
			}
			time.Sleep(time.Millisecond)
		}
		before := lp.wakes.Load()
		if v, err := b.Do("LPUSH", "q", "x"); err != nil || v.Int != 1 {
			t.Fatalf("round %d: LPUSH: %v %v", round, v, err)
		}
		v, err := a.Read()
		if err != nil || v.String() != `["q", "x"]` {
			t.Fatalf("round %d: BLPOP replied %s %v", round, v, err)
		}
		if w := lp.wakes.Load() - before; w != 0 {
			t.Fatalf("round %d: serving the BLPOP woke the loop %d times through its eventfd", round, w)
		}
	}
}

// TestLoopRoundClock: the clients of one round share a clock read (the
// loop's clock), but not across a command that may run long. Client c
// keeps the loop busy (DEBUG SLEEP) while a and b send: a's SET with a
// 40 ms expiry and its own DEBUG SLEEP, then b's GET of the key. The loop
// finds both ready in its next round and runs a's requests first (epoll
// reports sockets in the order they became ready); b's GET comes 100 ms
// after the SET, and must not be served with the SET's time.
func TestLoopRoundClock(t *testing.T) {
	t.Parallel()
	k := startKeel(t, "event-loops", "1")
	a, b, c := mustDialRESP(t, k.addr), mustDialRESP(t, k.addr), mustDialRESP(t, k.addr)
	for _, conn := range []*respConn{a, b, c} { // registered with the loop
		if v, err := conn.Do("PING"); err != nil || v.Str != "PONG" {
			t.Fatalf("PING: %v %v", v, err)
		}
	}
	if v, err := c.Do("DEBUG", "SET-ACTIVE-EXPIRE", "0"); err != nil || v.Str != "OK" {
		t.Fatalf("DEBUG SET-ACTIVE-EXPIRE: %v %v", v, err)
	}
	for round := range 5 {
		if err := c.Send("DEBUG", "SLEEP", "0.2"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond) // the loop is in c's DEBUG SLEEP
		if err := a.WriteRaw([]byte("DEL rc\r\nSET rc v PX 40\r\nDEBUG SLEEP 0.1\r\n")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
		if err := b.Send("GET", "rc"); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`+"OK"`} {
			if v, err := c.Read(); err != nil || v.String() != want {
				t.Fatalf("round %d: c's DEBUG SLEEP replied %s %v", round, v, err)
			}
		}
		for _, want := range []string{"(integer) 0", `+"OK"`, `+"OK"`} {
			if v, err := a.Read(); err != nil || v.String() != want {
				t.Fatalf("round %d: a read %s %v, want %s", round, v, err, want)
			}
		}
		if v, err := b.Read(); err != nil || v.String() != "(nil $-1)" {
			t.Fatalf("round %d: b's GET, 100 ms after the SET's 40 ms expiry, read %s %v", round, v, err)
		}
	}
}

// TestLoopPrefetchRound: of a round's clients, those with one request
// buffered are prefetched together (prefetchRound), those with a
// pipeline are left to their own prefetch, and so are clients of another
// database than the first one's; the loop's scratch, which a pipeline's
// prefetch leaves as long as its requests, is not taken for requests.
func TestLoopPrefetchRound(t *testing.T) {
	t.Parallel()
	k := startKeel(t, "event-loops", "1")
	l := &eventLoop{srv: k.srv}
	newClient := func(db int, sent string) *client { return loopTestClient(t, k, db, sent) }
	pipeline := newClient(0, strings.Repeat(getReq("p"), 20))
	for _, tc := range []struct {
		name  string
		ready []*client
		want  int64
	}{
		{"singles", []*client{newClient(0, getReq("a")), newClient(0, getReq("b")), newClient(0, getReq("c"))}, 3},
		{"a pipeline among singles", []*client{pipeline, newClient(0, getReq("a")), newClient(0, getReq("b"))}, 2},
		{"another database", []*client{newClient(0, getReq("a")), newClient(1, getReq("b")), newClient(0, getReq("c"))}, 2},
		{"the first single's database", []*client{pipeline, newClient(2, getReq("a")), newClient(0, getReq("b")), newClient(2, getReq("c"))}, 2},
		{"one single", []*client{pipeline, newClient(0, getReq("a"))}, 0},
		{"an incomplete request", []*client{newClient(0, getReq("a")[:9]), newClient(0, getReq("b"))}, 0},
	} {
		// What process leaves: its pipeline's prefetch scratch, cleared.
		l.ahead = pipeline.ls.rd.ahead(l.ahead[:0], 16)
		clear(l.ahead)
		before := l.roundAhead.Load()
		l.ready = tc.ready
		l.prefetchRound()
		if got := l.roundAhead.Load() - before; got != tc.want {
			t.Errorf("%s: prefetched %d requests, want %d", tc.name, got, tc.want)
		}
	}
}

// getReq is the RESP request GET key.
func getReq(key string) string {
	return fmt.Sprintf("*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n", len(key), key)
}

// loopTestClient returns a client of k in database db, without a socket,
// whose reader has sent buffered, for tests that drive a loop's methods.
func loopTestClient(t *testing.T, k *keelServer, db int, sent string) *client {
	t.Helper()
	c := &client{srv: k.srv, sess: k.db.NewSession()}
	c.w.proto = 2
	c.sess.DB = db
	c.ls.rd = newRequestReader(strings.NewReader(sent), func() int64 { return 512 << 20 }, nil)
	if err := c.ls.rd.fill(); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLoopPrefetchGate: a round prefetches, its single requests together
// and a pipeline's own, only when the loop's gate says so, and runs its
// requests either way; INFO's counters tell the rounds apart.
func TestLoopPrefetchGate(t *testing.T) {
	t.Parallel()
	k := startKeel(t, "event-loops", "1")
	if v, err := mustDialRESP(t, k.addr).Do("MSET", "a", "1", "b", "2", "p", "3"); err != nil || v.Str != "OK" {
		t.Fatalf("MSET: %v %v", v, err)
	}
	var piped, replies strings.Builder // GET p0 ... p19 (absent) and p
	for i := range 20 {
		piped.WriteString(getReq(fmt.Sprint("p", i)))
		replies.WriteString("$-1\r\n")
	}
	piped.WriteString(getReq("p"))
	replies.WriteString("$1\r\n3\r\n")
	l := &eventLoop{srv: k.srv}
	for _, off := range []bool{false, true, false} {
		l.gate.off = off
		singles := []*client{loopTestClient(t, k, 0, getReq("a")), loopTestClient(t, k, 0, getReq("b"))}
		pipeline := loopTestClient(t, k, 0, piped.String())
		before, rounds := l.roundAhead.Load(), l.prefetchRounds[b2i(!off)].Load()
		l.ahead = l.ahead[:0]
		l.ready = append(singles, pipeline)
		l.runReady()
		prefetched, pipelined := l.roundAhead.Load()-before, len(l.ahead)
		if off && (prefetched != 0 || pipelined != 0) || !off && (prefetched != 2 || pipelined != 16) {
			t.Errorf("gate off %v: the round prefetched %d single requests and %d of the pipeline's", off, prefetched, pipelined)
		}
		if got := l.prefetchRounds[b2i(!off)].Load() - rounds; got != 1 {
			t.Errorf("gate off %v: %d rounds counted as prefetched=%v, want 1", off, got, !off)
		}
		for i, c := range l.ready {
			want := []string{"$1\r\n1\r\n", "$1\r\n2\r\n", replies.String()}[i]
			if got := string(c.w.buf); got != want {
				t.Errorf("gate off %v: client %d got %q, want %q", off, i, got, want)
			}
		}
		l.ready, l.dirty = l.ready[:0], l.dirty[:0]
	}
	info, err := mustDialRESP(t, k.addr).Do("INFO", "stats")
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"prefetch_rounds_off:", "prefetch_rounds_on:", "prefetch_gate_switches:"} {
		if !strings.Contains(info.Str, field) {
			t.Errorf("INFO stats has no %s", field)
		}
	}
}

// TestCloseRacesServe: a Close that comes while Serve is starting its
// event loops, or before Serve runs at all, leaves no loop behind and no
// race (make test runs with -race): a loop is started only while the
// server is open, and counted in its WaitGroup under the lock Close
// closes it with. A Close before Serve starts no loop at all.
func TestCloseRacesServe(t *testing.T) {
	t.Parallel()
	open := func() *Server {
		db, err := keel.Open(t.TempDir(), keel.Options{Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		cfg := NewConfig()
		for _, kv := range [][2]string{{"port", "0"}, {"event-loops", "2"}} {
			if err := cfg.Set(kv[0], kv[1], true); err != nil {
				t.Fatal(err)
			}
		}
		srv := New(db, cfg, quietLogger())
		if err := srv.Listen(); err != nil {
			t.Fatal(err)
		}
		return srv
	}
	for range 20 {
		srv := open()
		served := make(chan error, 1)
		go func() { served <- srv.Serve() }()
		srv.Close()
		if err := <-served; err != nil {
			t.Fatalf("Serve: %v", err)
		}
	}
	srv := open()
	srv.Close()
	if err := srv.Serve(); err != nil {
		t.Fatalf("Serve after Close: %v", err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.loops) != 0 {
		t.Fatalf("Serve after Close started %d event loops", len(srv.loops))
	}
}
