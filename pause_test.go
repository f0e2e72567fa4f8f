package keel

import (
	"testing"
	"time"
)

// TestPausePostponesAndHoldsExpiry: a WRITE pause postpones writes (Exec
// leaves them unrun, Session.Postponed) but not reads, and expired keys
// stay while it lasts: a read answers as if the key were gone without
// deleting it; once the pause ends a read deletes it.
func TestPausePostponesAndHoldsExpiry(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	do(db, s, "SET gone v PX 1")
	time.Sleep(5 * time.Millisecond)
	db.Pause(PauseWrite, time.Now().Add(time.Minute))
	if r := do(db, s, "SET k v"); !s.Postponed || r != nil && !isEmpty(r) {
		t.Fatalf("SET under a WRITE pause: postponed %v, reply %v", s.Postponed, r)
	}
	s.Postponed = false
	if r := do(db, s, "GET gone"); r != (NullVal{}) || s.Postponed {
		t.Fatalf("GET of an expired key under the pause: %v (postponed %v)", r, s.Postponed)
	}
	if r := do(db, s, "DBSIZE"); r != int64(1) {
		t.Fatalf("DBSIZE under the pause = %v, want 1 (the expired key stays)", r)
	}
	db.Pause(PauseAll, time.Now().Add(time.Second)) // stricter, earlier end: ALL until a minute
	if do(db, s, "GET gone"); !s.Postponed {
		t.Fatal("GET not postponed under an ALL pause")
	}
	s.Postponed = false
	if end, on := db.PauseEnd(); !on || time.Until(end) < 30*time.Second {
		t.Fatalf("the pause's end %v (on %v): the later end should win", end, on)
	}
	db.Unpause()
	if r := do(db, s, "SET k v"); s.Postponed || r != (SimpleVal("OK")) {
		t.Fatalf("SET after the pause: %v (postponed %v)", r, s.Postponed)
	}
	do(db, s, "GET gone")
	if r := do(db, s, "DBSIZE"); r != int64(1) {
		t.Fatalf("DBSIZE after the pause = %v, want 1 (k; gone deleted by the read)", r)
	}
}

func isEmpty(r any) bool {
	vs, ok := r.([]any)
	return ok && len(vs) == 0
}
