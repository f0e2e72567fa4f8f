package keel

import (
	"sync/atomic"
	"testing"
)

// TestIdletimeTouches: which commands refresh a key's access clock
// (OBJECT IDLETIME), as Redis 7.0's lookups do: EXISTS, TYPE, the TTL
// family, RANDOMKEY and OBJECT leave it (LOOKUP_NOTOUCH); reads and writes
// that look the key up refresh it, a write that changes nothing included
// (lookupKeyWrite); RENAME and MOVE carry the source's clock to the new
// name (Redis moves the value object).
func TestIdletimeTouches(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	age := func(key string, dbi int) {
		t.Helper()
		e, ok := db.ks.Get(dbi, []byte(key))
		if !ok {
			t.Fatalf("%s missing", key)
		}
		atomic.StoreUint32(&e.Access, db.lruClock()-100)
	}
	idle := func(key string) int64 {
		t.Helper()
		v, ok := do(db, s, "OBJECT", "IDLETIME", key).(int64)
		if !ok {
			t.Fatalf("OBJECT IDLETIME %s: %v", key, do(db, s, "OBJECT", "IDLETIME", key))
		}
		return v
	}
	do(db, s, "SET", "a", "1")
	do(db, s, "SADD", "s", "m")
	for _, cmd := range [][]string{{"EXISTS", "a"}, {"TYPE", "a"}, {"TTL", "a"}, {"PTTL", "a"}, {"EXPIRETIME", "a"}, {"PEXPIRETIME", "a"}, {"RANDOMKEY"}, {"OBJECT", "ENCODING", "a"}} {
		age("a", 0)
		do(db, s, cmd...)
		if got := idle("a"); got < 99 {
			t.Errorf("%v refreshed the access clock: idle %d", cmd, got)
		}
	}
	for _, cmd := range [][]string{{"GET", "a"}, {"STRLEN", "a"}, {"TOUCH", "a"}, {"APPEND", "a", ""}, {"EXPIRE", "a", "1000", "GT"}} {
		age("a", 0)
		do(db, s, cmd...)
		if got := idle("a"); got > 1 {
			t.Errorf("%v left the access clock: idle %d", cmd, got)
		}
	}
	age("s", 0)
	if got := do(db, s, "SADD", "s", "m"); got != int64(0) {
		t.Fatalf("SADD of a member present: %v", got)
	}
	if got := idle("s"); got > 1 {
		t.Errorf("SADD that added nothing left the access clock: idle %d", got)
	}
	// RENAME and MOVE look the source up (refreshing its clock) and give
	// the new key that clock.
	if got := do(db, s, "RENAME", "a", "b"); got != SimpleVal("OK") {
		t.Fatalf("RENAME: %v", got)
	}
	if got := idle("b"); got > 1 {
		t.Errorf("RENAME: idle %d", got)
	}
	e, _ := db.ks.Get(0, []byte("b"))
	at := atomic.LoadUint32(&e.Access)
	if got := do(db, s, "MOVE", "b", "3"); got != int64(1) {
		t.Fatalf("MOVE: %v", got)
	}
	e, ok := db.ks.Get(3, []byte("b"))
	if !ok || atomic.LoadUint32(&e.Access) != at {
		t.Errorf("MOVE: the access clock %v, want the source's %d", e, at)
	}
}

// TestNoTouchSession: a session with NoTouch (CLIENT NO-TOUCH on, Redis
// 7.2) leaves the access clock of the keys its commands look up, reads and
// writes that change nothing alike, but TOUCH still refreshes it, outside
// a script only (Redis looks at the calling client's command, EVAL);
// another session's reads refresh it as before. (A write that stores a
// new value gives it a new clock, as Redis's SET gives a new object one.)
func TestNoTouchSession(t *testing.T) {
	db := newTestDB(t)
	s, other := db.NewSession(), db.NewSession()
	s.NoTouch = true
	do(db, other, "SET", "a", "1")
	do(db, other, "SADD", "s", "m")
	aged := func(key string, cmd ...string) int64 {
		t.Helper()
		e, _ := db.ks.Get(0, []byte(key))
		atomic.StoreUint32(&e.Access, db.lruClock()-100)
		do(db, s, cmd...)
		return do(db, other, "OBJECT", "IDLETIME", key).(int64)
	}
	for _, c := range []struct {
		key string
		cmd []string
	}{
		{"a", []string{"GET", "a"}},
		{"a", []string{"STRLEN", "a"}},
		{"s", []string{"SADD", "s", "m"}},
		{"s", []string{"SISMEMBER", "s", "m"}},
		{"a", []string{"EVAL", "return redis.call('touch', KEYS[1])", "1", "a"}},
	} {
		if idle := aged(c.key, c.cmd...); idle < 99 {
			t.Errorf("%v from a no-touch session refreshed the clock: idle %d", c.cmd, idle)
		}
	}
	if idle := aged("a", "TOUCH", "a"); idle > 1 {
		t.Errorf("TOUCH from a no-touch session left the clock: idle %d", idle)
	}
	s, other = other, s
	if idle := aged("a", "GET", "a"); idle > 1 {
		t.Errorf("GET from another session left the clock: idle %d", idle)
	}
}
