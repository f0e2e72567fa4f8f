package keel

import (
	"slices"
	"testing"
)

// TestNotifyClassesString: notify-keyspace-events values read back as
// Redis 7.0's CONFIG GET shows them (values taken from redis-server
// 7.0.15); A hides n, and a letter that is no class is refused.
func TestNotifyClassesString(t *testing.T) {
	for in, want := range map[string]string{
		"KEA": "AKE", "AKE": "AKE", "K": "K", "E": "E", "Kg": "gK", "g$lshzxetdn": "A",
		"g$lshzxetd": "A", "Em": "Em", "KEAmn": "AKEm", "x": "x", "": "", "Kn": "nK", "El$": "$lE",
	} {
		f, ok := ParseNotifyClasses(in)
		if !ok || f.String() != want {
			t.Errorf("%q reads back %q (ok %v), want %q", in, f.String(), ok, want)
		}
	}
	if f, _ := ParseNotifyClasses("KEAn"); f&NotifyNew == 0 {
		t.Error("KEAn lost n")
	}
	for _, bad := range []string{"KEq", "a", " "} {
		if _, ok := ParseNotifyClasses(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestNotifyLSN: a write's notifications carry the LSN of its record, so
// that the server hands them out only once it is durable; a read's, the
// log's last LSN; none is published with the classes off.
func TestNotifyLSN(t *testing.T) {
	db := newTestDB(t)
	type pub struct {
		lsn     uint64
		ch, msg string
		session int64
	}
	var got []pub
	db.SetPublisher(func(s *Session, lsn uint64, ch, msg []byte) {
		got = append(got, pub{lsn, string(ch), string(msg), s.ID})
	})
	s := db.NewSession()
	do(db, s, "SET a 1")
	if len(got) != 0 {
		t.Fatalf("published with notifications off: %v", got)
	}
	db.SetNotifyClasses(NotifyKeyspace | NotifyKeyevent | NotifyAll | NotifyNew | NotifyKeyMiss)
	do(db, s, "SET b 1")
	last := db.CheckpointInfo().LastLSN
	want := []pub{
		{last, "__keyspace@0__:b", "new", s.ID}, {last, "__keyevent@0__:new", "b", s.ID},
		{last, "__keyspace@0__:b", "set", s.ID}, {last, "__keyevent@0__:set", "b", s.ID},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("SET b 1 published %v, want %v", got, want)
	}
	got = nil
	do(db, s, "GET nothere")
	if len(got) != 2 || got[0].lsn != last || got[0].msg != "keymiss" {
		t.Fatalf("GET nothere published %v", got)
	}
}
