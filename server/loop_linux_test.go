package server

import (
	"strings"
	"testing"
	"time"
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
