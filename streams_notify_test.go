package keel

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// notePub is one published notification, as a test's Publisher saw it.
type notePub struct {
	lsn     uint64
	ch, msg string
}

// recordNotes enables every class of change on db and returns what its
// Publisher gets.
func recordNotes(db *DB) *[]notePub {
	var got []notePub
	db.SetPublisher(func(_ *Session, lsn uint64, ch, msg []byte) {
		got = append(got, notePub{lsn, string(ch), string(msg)})
	})
	db.SetNotifyClasses(NotifyKeyspace | NotifyKeyevent | NotifyAll | NotifyNew)
	return &got
}

// keyspaceEvents is the events of pubs on keyspace channels, in order.
func keyspaceEvents(pubs []notePub) []string {
	var out []string
	for _, p := range pubs {
		if strings.HasPrefix(p.ch, "__keyspace@") {
			out = append(out, p.ch+" "+p.msg)
		}
	}
	return out
}

// TestStreamNotifyBlockedReadGroup: a blocked XREADGROUP served by an XADD
// creates its consumer there, as Redis's serveClientsBlockedOnStreamKey
// does: xadd and xtrim of the XADD, then xgroup-createconsumer, all in the
// key's database; the consumer's event carries the serving record's LSN,
// after the XADD's.
func TestStreamNotifyBlockedReadGroup(t *testing.T) {
	db := newTestDB(t)
	got := recordNotes(db)
	s, w := db.NewSession(), db.NewSession()
	for _, sess := range []*Session{s, w} {
		do(db, sess, "SELECT 2")
	}
	for _, cmd := range []string{"XGROUP CREATE s g $ MKSTREAM", "XADD s 1-1 a b", "XGROUP SETID s g $"} {
		if r, isErr := do(db, s, cmd).(ErrorVal); isErr {
			t.Fatalf("%s: %v", cmd, r)
		}
	}
	wr := &recorder{proto: w.Proto}
	db.Exec(w, [][]byte{[]byte("XREADGROUP"), []byte("GROUP"), []byte("g"), []byte("c"),
		[]byte("BLOCK"), []byte("0"), []byte("STREAMS"), []byte("s"), []byte(">")}, wr)
	if !w.Blocked() {
		t.Fatalf("XREADGROUP did not block: %v", wr.vals)
	}
	*got = nil
	xaddLSN := db.CheckpointInfo().LastLSN + 1
	if r := do(db, s, "XADD s MAXLEN 1 2-1 c d"); r != "2-1" {
		t.Fatalf("XADD: %v", r)
	}
	db.WaitBlocked(w, wr, nil)
	if reply := fmt.Sprint(wr.vals); !strings.Contains(reply, "2-1") {
		t.Fatalf("the waiter got %s", reply)
	}
	want := []string{"__keyspace@2__:s xadd", "__keyspace@2__:s xtrim", "__keyspace@2__:s xgroup-createconsumer"}
	if ev := keyspaceEvents(*got); !slices.Equal(ev, want) {
		t.Fatalf("events %q, want %q", ev, want)
	}
	for _, p := range *got {
		switch {
		case p.msg == "xgroup-createconsumer" || strings.HasSuffix(p.ch, "xgroup-createconsumer"):
			if p.lsn <= xaddLSN {
				t.Errorf("%s %s at LSN %d, not after the XADD's %d", p.ch, p.msg, p.lsn, xaddLSN)
			}
		case p.lsn != xaddLSN:
			t.Errorf("%s %s at LSN %d, want the XADD's %d", p.ch, p.msg, p.lsn, xaddLSN)
		}
	}
	// The consumer now exists: a second blocked read creates nothing.
	*got = nil
	db.Exec(w, [][]byte{[]byte("XREADGROUP"), []byte("GROUP"), []byte("g"), []byte("c"),
		[]byte("BLOCK"), []byte("0"), []byte("STREAMS"), []byte("s"), []byte(">")}, wr)
	do(db, s, "XADD s 3-1 e f")
	db.WaitBlocked(w, wr, nil)
	if ev := keyspaceEvents(*got); !slices.Equal(ev, []string{"__keyspace@2__:s xadd"}) {
		t.Fatalf("second read: events %q", ev)
	}
}

// TestHashStreamNotifyLSN: the events of hash and stream writes carry
// their record's LSN (they are signalled after the change is logged), and
// HDEL of the last fields signals hdel then del.
func TestHashStreamNotifyLSN(t *testing.T) {
	db := newTestDB(t)
	got := recordNotes(db)
	s := db.NewSession()
	for _, tc := range []struct {
		cmd  string
		want []string
	}{
		{"HSET h a 1", []string{"new", "hset"}},
		{"HINCRBY h n 1", []string{"hincrby"}},
		{"HDEL h a n", []string{"hdel", "del"}},
		{"XADD x 1-1 a b", []string{"new", "xadd"}},
		{"XGROUP CREATE x g 0", []string{"xgroup-create"}},
		{"XREADGROUP GROUP g c STREAMS x >", []string{"xgroup-createconsumer"}},
		{"XGROUP DELCONSUMER x g c", []string{"xgroup-delconsumer"}},
		{"XDEL x 1-1", []string{"xdel"}},
	} {
		*got = nil
		do(db, s, tc.cmd)
		lsn := db.CheckpointInfo().LastLSN
		var ev []string
		for _, p := range *got {
			if strings.HasPrefix(p.ch, "__keyspace@") {
				ev = append(ev, p.msg)
			}
			if p.lsn != lsn {
				t.Errorf("%s: %s %s at LSN %d, want %d", tc.cmd, p.ch, p.msg, p.lsn, lsn)
			}
		}
		if !slices.Equal(ev, tc.want) {
			t.Errorf("%s: events %q, want %q", tc.cmd, ev, tc.want)
		}
	}
}
