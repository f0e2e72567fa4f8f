package keel

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// noteLog records what the tracking sink is handed, as "id:key" (or
// "id:*" for a flush) per note key.
type noteLog struct{ got []string }

func (l *noteLog) sink(n TrackingNote, _ *Session) {
	if n.Flush {
		l.got = append(l.got, fmt.Sprintf("%d:*", n.Target.ID))
		return
	}
	for _, k := range n.Keys {
		l.got = append(l.got, fmt.Sprintf("%d:%s", n.Target.ID, k))
	}
}

func (l *noteLog) take() []string {
	out := l.got
	l.got = nil
	slices.Sort(out)
	return out
}

// TestTrackingModel runs random reads, writes, flushes and mode changes of
// three sessions against a model of Redis's rules (tracking.c): who is
// told about which key, after each command.
func TestTrackingModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		db := newTestDB(t)
		log := &noteLog{}
		db.SetTrackingSink(log.sink)
		const n = 3
		var ss [n]*Session
		type mode struct {
			on, bcast, noloop bool
			prefixes          []string
		}
		var modes [n]mode
		table := map[string]map[int]bool{} // key -> sessions that read it
		for i := range ss {
			ss[i] = db.NewSession()
		}
		probe := db.NewSession() // never tracks
		keys := []string{"a", "ab", "b", "c"}
		for step := range rapid.IntRange(1, 60).Draw(rt, "steps") {
			i := rapid.IntRange(0, n-1).Draw(rt, "session")
			s := ss[i]
			var want []string
			switch op := rapid.SampledFrom([]string{"get", "mget", "set", "del", "flushall", "on", "noloop", "bcast", "off"}).Draw(rt, "op"); op {
			case "get", "mget":
				k := rapid.SampledFrom(keys).Draw(rt, "key")
				args := []string{op, k}
				if op == "mget" {
					args = append(args, rapid.SampledFrom(keys).Draw(rt, "key2"))
				}
				do(db, s, args...)
				if modes[i].on && !modes[i].bcast {
					for _, k := range args[1:] {
						if table[k] == nil {
							table[k] = map[int]bool{}
						}
						table[k][i] = true
					}
				}
			case "set", "del":
				k := rapid.SampledFrom(keys).Draw(rt, "key")
				exists := do(db, probe, "exists", k) == int64(1)
				if op == "set" {
					do(db, s, "set", k, "v")
				} else {
					do(db, s, "del", k)
				}
				if op == "set" || exists {
					for j, m := range modes {
						if !m.on {
							continue
						}
						if m.bcast {
							for _, p := range m.prefixes {
								if strings.HasPrefix(k, p) && !(m.noloop && j == i) {
									want = append(want, fmt.Sprintf("%d:%s", ss[j].ID, k))
								}
							}
						} else if table[k][j] && !(m.noloop && j == i) {
							want = append(want, fmt.Sprintf("%d:%s", ss[j].ID, k))
						}
					}
					delete(table, k)
				}
			case "flushall":
				do(db, s, "flushall")
				for j, m := range modes {
					if m.on {
						want = append(want, fmt.Sprintf("%d:*", ss[j].ID))
					}
				}
				clear(table)
			case "on", "noloop":
				if modes[i].on && modes[i].bcast {
					continue
				}
				noloop := op == "noloop"
				var modes2 uint32
				if noloop {
					modes2 = TrackingNoLoop
				}
				if msg := db.TrackingOn(s, 0, modes2, nil); msg != "" {
					rt.Fatalf("TrackingOn: %s", msg)
				}
				modes[i] = mode{on: true, noloop: noloop}
			case "bcast":
				if modes[i].on {
					continue
				}
				p := rapid.SampledFrom([]string{"", "a", "b"}).Draw(rt, "prefix")
				var prefixes [][]byte
				if p != "" {
					prefixes = [][]byte{[]byte(p)}
				}
				if msg := db.TrackingOn(s, 0, TrackingBcast, prefixes); msg != "" {
					rt.Fatalf("TrackingOn BCAST: %s", msg)
				}
				modes[i] = mode{on: true, bcast: true, prefixes: []string{p}}
			case "off":
				db.TrackingOff(s)
				modes[i] = mode{}
			}
			db.TrackingDrain(s)
			slices.Sort(want)
			if got := log.take(); !slices.Equal(got, want) {
				rt.Fatalf("step %d: notes %q, want %q", step, got, want)
			}
		}
	})
}

// TestTrackingPrefixCollisions: every overlap among the new prefixes is
// refused, which Redis 7.0 misses when the first prefix is not part of
// it (it then replies the error and +OK).
func TestTrackingPrefixCollisions(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	p := func(ps ...string) [][]byte {
		out := make([][]byte, len(ps))
		for i, x := range ps {
			out[i] = []byte(x)
		}
		return out
	}
	msg := db.TrackingOn(s, 0, TrackingBcast, p("a", "b", "bc"))
	if want := "ERR Prefix 'b' overlaps with another provided prefix 'bc'. Prefixes for a single client must not overlap."; msg != want {
		t.Fatalf("got %q, want %q", msg, want)
	}
	if s.TrackingFlags() != 0 {
		t.Fatalf("tracking turned on after a refused CLIENT TRACKING: flags %b", s.TrackingFlags())
	}
	if msg := db.TrackingOn(s, 0, TrackingBcast, p("a", "b")); msg != "" {
		t.Fatal(msg)
	}
	if msg := db.TrackingOn(s, 0, TrackingBcast, p("c", "bz")); !strings.Contains(msg, "'bz' overlaps with an existing prefix 'b'") {
		t.Fatalf("got %q", msg)
	}
	if _, _, prefixes := db.TrackingInfo(s); !slices.Equal(prefixes, []string{"a", "b"}) {
		t.Fatalf("prefixes %q after a refused addition", prefixes)
	}
}

// TestTrackingLazyItems: as in Redis, a session's ids stay in the table
// after it stops tracking, until their keys change.
func TestTrackingLazyItems(t *testing.T) {
	db := newTestDB(t)
	log := &noteLog{}
	db.SetTrackingSink(log.sink)
	r, w := db.NewSession(), db.NewSession()
	db.TrackingOn(r, 0, 0, nil)
	do(db, r, "mget", "k1", "k2")
	db.TrackingOff(r)
	if st := db.TrackingStatsNow(); st != (TrackingStats{Clients: 0, Keys: 2, Items: 2}) {
		t.Fatalf("after off: %+v", st)
	}
	do(db, w, "set", "k1", "v")
	db.TrackingDrain(w)
	if got := log.take(); len(got) != 0 {
		t.Fatalf("a session that stopped tracking was told %q", got)
	}
	if st := db.TrackingStatsNow(); st != (TrackingStats{Keys: 1, Items: 1}) {
		t.Fatalf("after a write: %+v", st)
	}
}
