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

// TestStateMachine drives keel with random list, set, zset and key
// commands mixed with checkpoints of single engines and restarts, and
// compares it after every step with a plain in-memory model. It is the
// executable form of DESIGN invariants 1 and 3: whatever each engine's
// checkpoint LSN when the process restarts, recovery rebuilds exactly the
// state the model holds.
func TestStateMachine(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		dir := t.TempDir()
		m := &smModel{lists: map[string][]string{}, sets: map[string]map[string]bool{}, zsets: map[string]map[string]float64{},
			hashes: map[string]map[string]string{}}
		db, err := Open(dir, Options{ActiveExpireHz: -1})
		if err != nil {
			rt.Fatal(err)
		}
		defer func() { db.Close() }()
		s := db.NewSession()
		keyGen := rapid.SampledFrom([]string{"a", "b", "c", "{a}x"})
		elemGen := rapid.SampledFrom([]string{"1", "2", "3", "x", "y", ""})
		scoreGen := rapid.SampledFrom([]float64{-1, 0, 0.5, 2, 3})
		sideGen := rapid.SampledFrom([]string{"L", "R"})

		rt.Repeat(map[string]func(*rapid.T){
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
				m.lists[b], m.sets[b], m.zsets[b], m.hashes[b] = m.lists[a], m.sets[a], m.zsets[a], m.hashes[a]
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
				m.prune(b)
			},
			"multi": func(rt *rapid.T) {
				k, e := keyGen.Draw(rt, "key"), elemGen.Draw(rt, "elem")
				if !m.free("{a}l", "list") || !m.free("{a}s", "set") || !m.free("{a}z", "zset") {
					return
				}
				do(db, s, "MULTI")
				do(db, s, "RPUSH", "{a}l", e)
				do(db, s, "SADD", "{a}s", e)
				do(db, s, "ZADD", "{a}z", "1", e)
				do(db, s, "DEL", k)
				do(db, s, "EXEC")
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
				eng := rapid.SampledFrom(engineNames[:]).Draw(rt, "engine")
				if err := db.CheckpointEngine(eng); err != nil {
					rt.Fatalf("checkpoint %s: %v", eng, err)
				}
			},
			"restart": func(rt *rapid.T) {
				if err := db.Close(); err != nil {
					rt.Fatal(err)
				}
				if db, err = Open(dir, Options{ActiveExpireHz: -1}); err != nil {
					rt.Fatalf("reopen: %v", err)
				}
				s = db.NewSession()
			},
			"": func(rt *rapid.T) { m.check(rt, db, s) },
		})
	})
}

// smModel is the state machine's model: the expected value of every key.
type smModel struct {
	lists  map[string][]string
	sets   map[string]map[string]bool
	zsets  map[string]map[string]float64
	hashes map[string]map[string]string
}

func (m *smModel) typeOf(k string) string {
	switch {
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
}

// prune drops k's empty or nil entries.
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
	want := len(m.lists) + len(m.sets) + len(m.zsets) + len(m.hashes)
	if n := do(db, s, "DBSIZE"); n != int64(want) {
		t.Fatalf("DBSIZE %v, model has %d keys", n, want)
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

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
