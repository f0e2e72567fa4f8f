package keel

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"testing"

	"pgregory.net/rapid"
)

// TestStateMachine drives keel with random list, set, zset, hash, stream
// and key commands mixed with checkpoints of single engines and restarts,
// and compares it after every step with a plain in-memory model. It is the
// executable form of DESIGN invariants 1 and 3: whatever each engine's
// checkpoint LSN when the process restarts, recovery rebuilds exactly the
// state the model holds.
func TestStateMachine(t *testing.T) {
	runStateMachine(t, smConfig{
		keys:   []string{"a", "b", "c", "{a}x"},
		groups: []string{"g1", "g2"},
		ckpt:   engineNames[:],
	})
}

// TestStateMachineStreams is TestStateMachine on streams only: stream
// commands, the key commands that move or copy them, the transaction and
// restarts, with checkpoints of the streams engine (and of the keyspace,
// which says a stream exists), on two keys and mostly one group. Among all
// the types and keys, a delivery followed by a checkpoint or a restart
// and a check of that group is too rare to test much.
func TestStateMachineStreams(t *testing.T) {
	runStateMachine(t, smConfig{
		keys:   []string{"{a}x", "a"},
		groups: []string{"g1", "g1", "g2"},
		ckpt:   []string{"streams", "streams", "keyspace"},
		only: []string{"xadd", "xdel", "xtrim", "xgroupcreate", "xreadgroup", "xack",
			"del", "rename", "copy", "multi", "checkpoint", "restart"},
		repeats: 2,
	})
}

// smConfig shapes a state machine run.
type smConfig struct {
	keys   []string // the keys commands draw ("{a}x" is the transaction's stream)
	groups []string // the consumer groups, drawn uniformly (repeat one to favour it)
	ckpt   []string // the engines a checkpoint step draws from
	only   []string // the steps to run; nil: all
	// repeats is the number of rapid Repeat runs in a row (0: 1), each
	// about rapid.steps steps on the state the last one left.
	repeats int
}

func runStateMachine(t *testing.T, cfg smConfig) {
	rapid.Check(t, func(rt *rapid.T) {
		dir := t.TempDir()
		m := &smModel{lists: map[string][]string{}, sets: map[string]map[string]bool{}, zsets: map[string]map[string]float64{},
			hashes: map[string]map[string]string{}, streams: map[string]*smStream{}}
		db, err := Open(dir, Options{ActiveExpireHz: -1})
		if err != nil {
			rt.Fatal(err)
		}
		defer func() { db.Close() }()
		s := db.NewSession()
		keyGen := rapid.SampledFrom(cfg.keys)
		elemGen := rapid.SampledFrom([]string{"1", "2", "3", "x", "y", ""})
		scoreGen := rapid.SampledFrom([]float64{-1, 0, 0.5, 2, 3})
		sideGen := rapid.SampledFrom([]string{"L", "R"})
		groupGen := rapid.SampledFrom(cfg.groups)
		consumerGen := rapid.SampledFrom([]string{"c1", "c2", "c3"})
		// expect runs a command and fails unless its reply is want.
		expect := func(rt *rapid.T, want any, words ...string) {
			if got := do(db, s, words...); fmt.Sprint(got) != fmt.Sprint(want) {
				rt.Fatalf("%v = %v, model %v", words, got, want)
			}
		}
		// pickID draws one of the ids of ids, or (also when ids is empty)
		// an id near them that is likely absent.
		pickID := func(rt *rapid.T, ids []smID) smID {
			if len(ids) > 0 && rapid.Bool().Draw(rt, "existing") {
				return ids[rapid.IntRange(0, len(ids)-1).Draw(rt, "index")]
			}
			return smID{uint64(rapid.IntRange(0, 8).Draw(rt, "ms")), uint64(rapid.IntRange(0, 2).Draw(rt, "seq"))}
		}

		steps := map[string]func(*rapid.T){
			"push": func(rt *rapid.T) {
				k, e, side := keyGen.Draw(rt, "key"), elemGen.Draw(rt, "elem"), sideGen.Draw(rt, "side")
				if !m.free(k, "list") {
					return
				}
				do(db, s, side+"PUSH", k, e)
				if side == "L" {
					m.lists[k] = append([]string{e}, m.lists[k]...)
				} else {
					m.lists[k] = append(m.lists[k], e)
				}
			},
			"pop": func(rt *rapid.T) {
				k, side := keyGen.Draw(rt, "key"), sideGen.Draw(rt, "side")
				n := rapid.IntRange(1, 3).Draw(rt, "count")
				if m.typeOf(k) != "list" {
					return
				}
				do(db, s, side+"POP", k, strconv.Itoa(n))
				l := m.lists[k]
				n = min(n, len(l))
				if side == "L" {
					l = l[n:]
				} else {
					l = l[:len(l)-n]
				}
				m.setList(k, l)
			},
			"lrem": func(rt *rapid.T) {
				k, e := keyGen.Draw(rt, "key"), elemGen.Draw(rt, "elem")
				if m.typeOf(k) != "list" {
					return
				}
				do(db, s, "LREM", k, "0", e)
				m.setList(k, slices.DeleteFunc(slices.Clone(m.lists[k]), func(x string) bool { return x == e }))
			},
			"ltrim": func(rt *rapid.T) {
				k := keyGen.Draw(rt, "key")
				start, stop := rapid.IntRange(0, 3).Draw(rt, "start"), rapid.IntRange(-3, 5).Draw(rt, "stop")
				if m.typeOf(k) != "list" {
					return
				}
				do(db, s, "LTRIM", k, strconv.Itoa(start), strconv.Itoa(stop))
				l := m.lists[k]
				st := stop
				if st < 0 {
					st += len(l)
				}
				st = min(st, len(l)-1)
				if start > st {
					m.setList(k, nil)
				} else {
					m.setList(k, slices.Clone(l[start:st+1]))
				}
			},
			"sadd": func(rt *rapid.T) {
				k, e := keyGen.Draw(rt, "key"), elemGen.Draw(rt, "elem")
				if !m.free(k, "set") {
					return
				}
				do(db, s, "SADD", k, e)
				if m.sets[k] == nil {
					m.sets[k] = map[string]bool{}
				}
				m.sets[k][e] = true
			},
			"srem": func(rt *rapid.T) {
				k, e := keyGen.Draw(rt, "key"), elemGen.Draw(rt, "elem")
				if m.typeOf(k) != "set" {
					return
				}
				do(db, s, "SREM", k, e)
				delete(m.sets[k], e)
				if len(m.sets[k]) == 0 {
					delete(m.sets, k)
				}
			},
			"zadd": func(rt *rapid.T) {
				k, e, sc := keyGen.Draw(rt, "key"), elemGen.Draw(rt, "elem"), scoreGen.Draw(rt, "score")
				if !m.free(k, "zset") {
					return
				}
				do(db, s, "ZADD", k, formatFloat(sc), e)
				if m.zsets[k] == nil {
					m.zsets[k] = map[string]float64{}
				}
				m.zsets[k][e] = sc
			},
			"zincrby": func(rt *rapid.T) {
				k, e := keyGen.Draw(rt, "key"), elemGen.Draw(rt, "elem")
				if !m.free(k, "zset") {
					return
				}
				do(db, s, "ZINCRBY", k, "1.5", e)
				if m.zsets[k] == nil {
					m.zsets[k] = map[string]float64{}
				}
				m.zsets[k][e] += 1.5
			},
			"zremrangebyrank": func(rt *rapid.T) {
				k := keyGen.Draw(rt, "key")
				if m.typeOf(k) != "zset" {
					return
				}
				do(db, s, "ZREMRANGEBYRANK", k, "0", "0")
				delete(m.zsets[k], m.zsetOrder(k)[0])
				if len(m.zsets[k]) == 0 {
					delete(m.zsets, k)
				}
			},
			"hset": func(rt *rapid.T) {
				k, f, v := keyGen.Draw(rt, "key"), elemGen.Draw(rt, "field"), elemGen.Draw(rt, "value")
				if !m.free(k, "hash") {
					return
				}
				do(db, s, "HSET", k, f, v)
				if m.hashes[k] == nil {
					m.hashes[k] = map[string]string{}
				}
				m.hashes[k][f] = v
			},
			"hdel": func(rt *rapid.T) {
				k, f := keyGen.Draw(rt, "key"), elemGen.Draw(rt, "field")
				if m.typeOf(k) != "hash" {
					return
				}
				do(db, s, "HDEL", k, f)
				delete(m.hashes[k], f)
				m.prune(k)
			},
			"xadd": func(rt *rapid.T) {
				k, v := keyGen.Draw(rt, "key"), elemGen.Draw(rt, "value")
				if !m.free(k, "stream") {
					return
				}
				// Explicit ids around the stream's last id: some are too
				// small and must be refused, changing nothing.
				st := m.streams[k]
				var last smID
				if st != nil {
					last = st.lastID
				}
				id := smID{uint64(max(0, int(last.ms)+rapid.IntRange(-1, 2).Draw(rt, "ms"))), uint64(rapid.IntRange(0, 2).Draw(rt, "seq"))}
				switch {
				case id == smID{}:
					expect(rt, ErrorVal(errStreamIDZero), "XADD", k, id.String(), "f", v)
				case !last.less(id):
					expect(rt, ErrorVal(errStreamIDSmaller), "XADD", k, id.String(), "f", v)
				default:
					expect(rt, id.String(), "XADD", k, id.String(), "f", v)
					if st == nil {
						st = &smStream{groups: map[string]*smGroup{}}
						m.streams[k] = st
					}
					st.entries = append(st.entries, smEntry{id, v})
					st.lastID = id
				}
			},
			"xdel": func(rt *rapid.T) {
				k := keyGen.Draw(rt, "key")
				if m.typeOf(k) != "stream" {
					return
				}
				st := m.streams[k]
				id := pickID(rt, st.ids())
				n := len(st.entries)
				st.entries = slices.DeleteFunc(st.entries, func(e smEntry) bool { return e.id == id })
				expect(rt, int64(n-len(st.entries)), "XDEL", k, id.String())
			},
			"xtrim": func(rt *rapid.T) {
				k := keyGen.Draw(rt, "key")
				n := rapid.IntRange(0, 4).Draw(rt, "maxlen")
				if m.typeOf(k) != "stream" {
					return
				}
				st := m.streams[k]
				cut := max(0, len(st.entries)-n)
				st.entries = st.entries[cut:]
				expect(rt, int64(cut), "XTRIM", k, "MAXLEN", strconv.Itoa(n))
			},
			"xrange": func(rt *rapid.T) {
				k := keyGen.Draw(rt, "key")
				count := rapid.IntRange(1, 3).Draw(rt, "count")
				if m.typeOf(k) != "stream" {
					return
				}
				st := m.streams[k]
				lo := pickID(rt, st.ids())
				var want []any
				for _, e := range st.entries {
					if !e.id.less(lo) && len(want) < count {
						want = append(want, e.reply())
					}
				}
				expect(rt, want, "XRANGE", k, lo.String(), "+", "COUNT", strconv.Itoa(count))
				expect(rt, int64(len(st.entries)), "XLEN", k)
			},
			"xgroupcreate": func(rt *rapid.T) {
				k, g := keyGen.Draw(rt, "key"), groupGen.Draw(rt, "group")
				dollar := rapid.Bool().Draw(rt, "dollar")
				if !m.free(k, "stream") {
					return
				}
				start := "0"
				if dollar {
					start = "$"
				}
				st := m.streams[k]
				if st != nil && st.groups[g] != nil {
					expect(rt, ErrorVal("BUSYGROUP Consumer Group name already exists"), "XGROUP", "CREATE", k, g, start, "MKSTREAM")
					return
				}
				expect(rt, SimpleVal("OK"), "XGROUP", "CREATE", k, g, start, "MKSTREAM")
				if st == nil {
					st = &smStream{groups: map[string]*smGroup{}}
					m.streams[k] = st
				}
				grp := &smGroup{pel: map[smID]smPending{}, consumers: map[string]bool{}}
				if dollar {
					grp.last = st.lastID
				}
				st.groups[g] = grp
			},
			"xreadgroup": func(rt *rapid.T) {
				k, g, c := keyGen.Draw(rt, "key"), groupGen.Draw(rt, "group"), consumerGen.Draw(rt, "consumer")
				count := rapid.IntRange(1, 3).Draw(rt, "count")
				if !m.free(k, "stream") {
					return
				}
				// As a client starts: create the group unless it exists.
				if m.streams[k] == nil || m.streams[k].groups[g] == nil {
					expect(rt, SimpleVal("OK"), "XGROUP", "CREATE", k, g, "0", "MKSTREAM")
					if m.streams[k] == nil {
						m.streams[k] = &smStream{groups: map[string]*smGroup{}}
					}
					m.streams[k].groups[g] = &smGroup{pel: map[smID]smPending{}, consumers: map[string]bool{}}
				}
				grp := m.streams[k].groups[g]
				if rapid.IntRange(0, 2).Draw(rt, "history") == 0 {
					// The consumer's own pending entries from 0: each counts
					// one more delivery; one deleted from the stream is
					// answered with nil fields and not counted.
					got := []any{}
					for _, id := range slices.SortedFunc(maps.Keys(grp.pel), smID.cmp) {
						p := grp.pel[id]
						if p.consumer != c || len(got) == count {
							continue
						}
						i := slices.IndexFunc(m.streams[k].entries, func(e smEntry) bool { return e.id == id })
						if i < 0 {
							got = append(got, []any{id.String(), NullVal{}})
							continue
						}
						got = append(got, m.streams[k].entries[i].reply())
						p.count++
						grp.pel[id] = p
					}
					grp.consumers[c] = true // a history read creates its consumer
					expect(rt, []any{[]any{k, got}}, "XREADGROUP", "GROUP", g, c, "COUNT", strconv.Itoa(count), "STREAMS", k, "0")
					return
				}
				var got []any
				for _, e := range m.streams[k].entries {
					if grp.last.less(e.id) && len(got) < count {
						got = append(got, e.reply())
						grp.last = e.id
						grp.pel[e.id] = smPending{consumer: c, count: 1}
						grp.consumers[c] = true
					}
				}
				var want any = NullVal{}
				if len(got) > 0 {
					want = []any{[]any{k, got}}
				}
				expect(rt, want, "XREADGROUP", "GROUP", g, c, "COUNT", strconv.Itoa(count), "STREAMS", k, ">")
			},
			"xack": func(rt *rapid.T) {
				k, g := keyGen.Draw(rt, "key"), groupGen.Draw(rt, "group")
				if m.typeOf(k) != "stream" {
					return
				}
				grp := m.streams[k].groups[g]
				var pending []smID
				if grp != nil {
					pending = slices.SortedFunc(maps.Keys(grp.pel), smID.cmp)
				}
				id := pickID(rt, pending)
				if len(pending) > 0 && rapid.IntRange(0, 3).Draw(rt, "pending") > 0 {
					id = pending[rapid.IntRange(0, len(pending)-1).Draw(rt, "pending index")]
				}
				acked := int64(0)
				if _, ok := grp.pelOf(id); ok {
					delete(grp.pel, id)
					acked = 1
				}
				expect(rt, acked, "XACK", k, g, id.String())
			},
			"del": func(rt *rapid.T) {
				k := keyGen.Draw(rt, "key")
				do(db, s, "DEL", k)
				m.del(k)
			},
			"rename": func(rt *rapid.T) {
				a, b := keyGen.Draw(rt, "src"), keyGen.Draw(rt, "dst")
				if m.typeOf(a) == "" || a == b {
					return
				}
				do(db, s, "RENAME", a, b)
				m.del(b)
				m.lists[b], m.sets[b], m.zsets[b], m.hashes[b], m.streams[b] = m.lists[a], m.sets[a], m.zsets[a], m.hashes[a], m.streams[a]
				m.del(a)
				m.prune(b)
			},
			"copy": func(rt *rapid.T) {
				a, b := keyGen.Draw(rt, "src"), keyGen.Draw(rt, "dst")
				if m.typeOf(a) == "" || a == b {
					return
				}
				do(db, s, "COPY", a, b, "REPLACE")
				m.del(b)
				m.lists[b] = slices.Clone(m.lists[a])
				m.sets[b] = maps.Clone(m.sets[a])
				m.zsets[b] = maps.Clone(m.zsets[a])
				m.hashes[b] = maps.Clone(m.hashes[a])
				m.streams[b] = m.streams[a].clone()
				m.prune(b)
			},
			"multi": func(rt *rapid.T) {
				k, e := keyGen.Draw(rt, "key"), elemGen.Draw(rt, "elem")
				if !m.free("{a}l", "list") || !m.free("{a}s", "set") || !m.free("{a}z", "zset") || !m.free("{a}x", "stream") {
					return
				}
				var xid smID
				if st := m.streams["{a}x"]; st != nil {
					xid = st.lastID
				}
				xid.seq++
				do(db, s, "MULTI")
				do(db, s, "RPUSH", "{a}l", e)
				do(db, s, "SADD", "{a}s", e)
				do(db, s, "ZADD", "{a}z", "1", e)
				do(db, s, "XADD", "{a}x", xid.String(), "f", e)
				do(db, s, "DEL", k)
				do(db, s, "EXEC")
				if m.streams["{a}x"] == nil {
					m.streams["{a}x"] = &smStream{groups: map[string]*smGroup{}}
				}
				m.streams["{a}x"].entries = append(m.streams["{a}x"].entries, smEntry{xid, e})
				m.streams["{a}x"].lastID = xid
				m.lists["{a}l"] = append(m.lists["{a}l"], e)
				if m.sets["{a}s"] == nil {
					m.sets["{a}s"] = map[string]bool{}
				}
				m.sets["{a}s"][e] = true
				if m.zsets["{a}z"] == nil {
					m.zsets["{a}z"] = map[string]float64{}
				}
				m.zsets["{a}z"][e] = 1
				m.del(k)
			},
			"checkpoint": func(rt *rapid.T) {
				eng := rapid.SampledFrom(cfg.ckpt).Draw(rt, "engine")
				if err := db.CheckpointEngine(eng); err != nil {
					rt.Fatalf("checkpoint %s: %v", eng, err)
				}
			},
			"restart": func(rt *rapid.T) {
				// The digest covers what the model does not (delivery
				// times, each consumer's own PEL index, node accounting).
				before := do(db, s, "DEBUG", "DIGEST")
				if err := db.Close(); err != nil {
					rt.Fatal(err)
				}
				if db, err = Open(dir, Options{ActiveExpireHz: -1}); err != nil {
					rt.Fatalf("reopen: %v", err)
				}
				s = db.NewSession()
				if after := do(db, s, "DEBUG", "DIGEST"); after != before {
					rt.Fatalf("DEBUG DIGEST %v after the restart, %v before", after, before)
				}
			},
			"": func(rt *rapid.T) { m.check(rt, db, s) },
		}
		if cfg.only != nil {
			for name := range steps {
				if name != "" && !slices.Contains(cfg.only, name) {
					delete(steps, name)
				}
			}
		}
		for range max(cfg.repeats, 1) {
			rt.Repeat(steps)
		}
	})
}

// smModel is the state machine's model: the expected value of every key.
type smModel struct {
	lists   map[string][]string
	sets    map[string]map[string]bool
	zsets   map[string]map[string]float64
	hashes  map[string]map[string]string
	streams map[string]*smStream // a stream exists even when empty
}

// smID is a stream entry id.
type smID struct{ ms, seq uint64 }

func (a smID) String() string   { return fmt.Sprintf("%d-%d", a.ms, a.seq) }
func (a smID) less(b smID) bool { return a.ms < b.ms || (a.ms == b.ms && a.seq < b.seq) }
func (a smID) cmp(b smID) int {
	switch {
	case a.less(b):
		return -1
	case b.less(a):
		return 1
	}
	return 0
}

// smStream models a stream: its entries (one field, f), the last id ever
// added (XADD refuses ids not above it), and its consumer groups.
type smStream struct {
	entries []smEntry
	lastID  smID
	groups  map[string]*smGroup
}

type smEntry struct {
	id    smID
	value string
}

// reply is the entry as XRANGE and XREADGROUP answer it.
func (e smEntry) reply() any { return []any{e.id.String(), []any{"f", e.value}} }

// smGroup models a consumer group: its last-delivered-id, its PEL and the
// consumers created by deliveries. Delivery times are not modelled.
type smGroup struct {
	last      smID
	pel       map[smID]smPending
	consumers map[string]bool
}

type smPending struct {
	consumer string
	count    int
}

func (st *smStream) ids() []smID {
	out := make([]smID, len(st.entries))
	for i, e := range st.entries {
		out[i] = e.id
	}
	return out
}

// clone is a deep copy (COPY copies a stream's groups and PELs).
func (st *smStream) clone() *smStream {
	if st == nil {
		return nil
	}
	c := &smStream{entries: slices.Clone(st.entries), lastID: st.lastID, groups: map[string]*smGroup{}}
	for name, g := range st.groups {
		c.groups[name] = &smGroup{last: g.last, pel: maps.Clone(g.pel), consumers: maps.Clone(g.consumers)}
	}
	return c
}

// pelOf looks id up in the group's PEL; a nil group has none.
func (g *smGroup) pelOf(id smID) (smPending, bool) {
	if g == nil {
		return smPending{}, false
	}
	p, ok := g.pel[id]
	return p, ok
}

func (m *smModel) typeOf(k string) string {
	switch {
	case m.streams[k] != nil:
		return "stream"
	case len(m.lists[k]) > 0:
		return "list"
	case len(m.sets[k]) > 0:
		return "set"
	case len(m.zsets[k]) > 0:
		return "zset"
	case len(m.hashes[k]) > 0:
		return "hash"
	}
	return ""
}

// free reports whether k is absent or of type typ (the step is skipped
// otherwise: WRONGTYPE paths are the differential tests' business).
func (m *smModel) free(k, typ string) bool {
	t := m.typeOf(k)
	return t == "" || t == typ
}

func (m *smModel) setList(k string, l []string) {
	if len(l) == 0 {
		delete(m.lists, k)
		return
	}
	m.lists[k] = l
}

func (m *smModel) del(k string) {
	delete(m.lists, k)
	delete(m.sets, k)
	delete(m.zsets, k)
	delete(m.hashes, k)
	delete(m.streams, k)
}

// prune drops k's empty or nil entries (an empty stream is a stream).
func (m *smModel) prune(k string) {
	if len(m.lists[k]) == 0 {
		delete(m.lists, k)
	}
	if len(m.sets[k]) == 0 {
		delete(m.sets, k)
	}
	if len(m.zsets[k]) == 0 {
		delete(m.zsets, k)
	}
	if len(m.hashes[k]) == 0 {
		delete(m.hashes, k)
	}
	if m.streams[k] == nil {
		delete(m.streams, k)
	}
}

// zsetOrder is the members of zset k in Redis's order.
func (m *smModel) zsetOrder(k string) []string {
	z := m.zsets[k]
	ms := slices.Collect(maps.Keys(z))
	sort.Slice(ms, func(i, j int) bool {
		if z[ms[i]] != z[ms[j]] {
			return z[ms[i]] < z[ms[j]]
		}
		return ms[i] < ms[j]
	})
	return ms
}

// check compares every key of keel with the model.
func (m *smModel) check(t *rapid.T, db *DB, s *Session) {
	want := len(m.lists) + len(m.sets) + len(m.zsets) + len(m.hashes) + len(m.streams)
	if n := do(db, s, "DBSIZE"); n != int64(want) {
		t.Fatalf("DBSIZE %v, model has %d keys", n, want)
	}
	for k, st := range m.streams {
		m.checkStream(t, db, s, k, st)
	}
	for k, l := range m.lists {
		got := fmt.Sprint(do(db, s, "LRANGE", k, "0", "-1"))
		if exp := fmt.Sprint(anys(l)); got != exp {
			t.Fatalf("LRANGE %s = %s, model %s", k, got, exp)
		}
	}
	for k, set := range m.sets {
		r, _ := do(db, s, "SMEMBERS", k).([]any)
		got := make([]string, len(r))
		for i, x := range r {
			got[i] = fmt.Sprint(x)
		}
		slices.Sort(got)
		exp := slices.Sorted(maps.Keys(set))
		if !slices.Equal(got, exp) {
			t.Fatalf("SMEMBERS %s = %v, model %v", k, got, exp)
		}
	}
	for k, h := range m.hashes {
		r, _ := do(db, s, "HGETALL", k).([]any)
		got := map[string]string{}
		for i := 0; i+1 < len(r); i += 2 {
			got[fmt.Sprint(r[i])] = fmt.Sprint(r[i+1])
		}
		if !maps.Equal(got, h) {
			t.Fatalf("HGETALL %s = %v, model %v", k, got, h)
		}
		if n := do(db, s, "HLEN", k); n != int64(len(h)) {
			t.Fatalf("HLEN %s = %v, model %d", k, n, len(h))
		}
	}
	for k, z := range m.zsets {
		var exp []string
		for _, mem := range m.zsetOrder(k) {
			exp = append(exp, mem, formatFloat(z[mem]))
		}
		got := fmt.Sprint(do(db, s, "ZRANGE", k, "0", "-1", "WITHSCORES"))
		if e := fmt.Sprint(anys(exp)); got != e {
			t.Fatalf("ZRANGE %s = %s, model %s", k, got, e)
		}
	}
}

// checkStream compares stream k with the model: its entries, and per
// group what is deterministic — the last-delivered-id, the consumer and
// pending counts, the XPENDING summary and the PEL with owners and
// delivery counts (not the idle times).
func (m *smModel) checkStream(t *rapid.T, db *DB, s *Session, k string, st *smStream) {
	var entries []any
	for _, e := range st.entries {
		entries = append(entries, e.reply())
	}
	if got, exp := fmt.Sprint(do(db, s, "XRANGE", k, "-", "+")), fmt.Sprint(entries); got != exp {
		t.Fatalf("XRANGE %s - + = %s, model %s", k, got, exp)
	}
	if n := do(db, s, "XLEN", k); n != int64(len(st.entries)) {
		t.Fatalf("XLEN %s = %v, model %d", k, n, len(st.entries))
	}
	names := slices.Sorted(maps.Keys(st.groups))
	var groups []any
	for _, name := range names {
		g := st.groups[name]
		groups = append(groups, []any{"name", name, "consumers", int64(len(g.consumers)), "pending", int64(len(g.pel)),
			"last-delivered-id", g.last.String()})
	}
	var got []any
	if r, ok := do(db, s, "XINFO", "GROUPS", k).([]any); ok {
		for _, g := range r {
			if f, ok := g.([]any); ok && len(f) >= 8 {
				got = append(got, f[:8]) // entries-read and lag are not modelled
			} else {
				got = append(got, g)
			}
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(groups) {
		t.Fatalf("XINFO GROUPS %s = %v, model %v", k, got, groups)
	}
	for _, name := range names {
		g := st.groups[name]
		ids := slices.SortedFunc(maps.Keys(g.pel), smID.cmp)
		var rows []any
		per := map[string]int{}
		for _, id := range ids {
			p := g.pel[id]
			rows = append(rows, []any{id.String(), p.consumer, int64(p.count)})
			per[p.consumer]++
		}
		r, _ := do(db, s, "XPENDING", k, name, "-", "+", "1000").([]any)
		var gotRows []any
		for _, row := range r {
			if x, ok := row.([]any); ok && len(x) == 4 {
				row = []any{x[0], x[1], x[3]} // without the idle time
			}
			gotRows = append(gotRows, row)
		}
		if fmt.Sprint(gotRows) != fmt.Sprint(rows) {
			t.Fatalf("XPENDING %s %s - + 1000 = %v, model %v", k, name, gotRows, rows)
		}
		var summary any = []any{int64(0), NullVal{}, NullVal{}, NullVal{}}
		if len(ids) > 0 {
			var owners []any
			for _, c := range slices.Sorted(maps.Keys(per)) {
				owners = append(owners, []any{c, strconv.Itoa(per[c])})
			}
			summary = []any{int64(len(ids)), ids[0].String(), ids[len(ids)-1].String(), owners}
		}
		if got := do(db, s, "XPENDING", k, name); fmt.Sprint(got) != fmt.Sprint(summary) {
			t.Fatalf("XPENDING %s %s = %v, model %v", k, name, got, summary)
		}
	}
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
