package keel

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// evictionRun writes keys into a DB whose maxmemory leaves room for a
// fraction of them under policy, reading a hot set between writes, and
// returns the DB, its directory and what survived.
type evictionRun struct {
	db      *DB
	dir     string
	s       *Session
	written int // cold keys written: c0 .. c(written-1)
	hot     int // hot keys: h0 .. h(hot-1), written first
	fixed   int // keys without a TTL: p0 .. p(fixed-1), written first
}

// evictionRoom is the memory the test leaves for its keys, lists of one
// 1 KiB element (about 1.2 KiB each with their keys): room for about 1700
// of the 20,000 written.
const evictionRoom = 2 << 20

func runEviction(t *testing.T, policy EvictionPolicy) *evictionRun {
	t.Helper()
	dir := t.TempDir()
	db, err := Open(dir, Options{ActiveExpireHz: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := &evictionRun{db: db, dir: dir, s: db.NewSession(), written: 20_000, hot: 100, fixed: 1000}
	for i := range r.fixed {
		mustOK(t, do(db, r.s, "SET", fmt.Sprintf("p%d", i), "v"))
	}
	// Every cold and hot key has a TTL, the later keys the longer one
	// (volatile-ttl evicts the earliest first), all far in the future.
	elem := strings.Repeat("x", 1024)
	for i := range r.hot {
		r.push(t, fmt.Sprintf("h%d", i), elem, 1000000)
	}
	// lfu-log-factor 1: the hot keys' 20 or so reads before eviction starts
	// must lift their counters clear of the cold keys', which RPUSH and
	// EXPIRE take to 6. At Redis's default 10 a counter passes 6 with
	// probability 1/11 a read, so about a quarter of the hot keys were
	// still tied with the cold ones at 6 and went at random with them
	// (the LFU runs kept 74-90 of 100).
	db.SetEviction(EvictionConfig{Policy: policy, Samples: 5, Tenacity: 10, LFULogFactor: 1, LFUDecayTime: 1})
	db.SetMaxMemory(db.DataMemory() + evictionRoom)
	for i := range r.written {
		if got := r.push(t, fmt.Sprintf("c%d", i), elem, 10000+i); got != int64(1) {
			t.Fatalf("%s: RPUSH c%d with %d evicted: %v (data %d, limit %d, DBSIZE %v)", policy, i, db.stats.EvictedKeys.Load(), got,
				db.DataMemory(), db.mem.max.Load(), do(db, r.s, "DBSIZE"))
		}
		if !policy.lfu() {
			// Written a minute ago, as far as the LRU clock (seconds) can
			// tell: the test's writes all fall within a second or two.
			r.age(fmt.Sprintf("c%d", i), 60)
		}
		if i%100 == 0 {
			for h := range r.hot {
				do(db, r.s, "GET", fmt.Sprintf("h%d", h))
			}
		}
	}
	return r
}

// push writes key, a list of elem, expiring in ttl seconds: RPUSH's
// reply, and the EXPIRE's 1 (or the test fails).
func (r *evictionRun) push(t *testing.T, key, elem string, ttl int) any {
	got := do(r.db, r.s, "RPUSH", key, elem)
	if got == int64(1) {
		// EXPIRE's eviction may take the key first, under an allkeys
		// policy.
		if e := do(r.db, r.s, "EXPIRE", key, fmt.Sprint(ttl)); e != int64(1) && (r.db.policy().allKeys() == false || do(r.db, r.s, "EXISTS", key) == int64(1)) {
			t.Fatalf("EXPIRE %s: %v", key, e)
		}
	}
	return got
}

// age sets key's access clock secs seconds back, if it still exists.
func (r *evictionRun) age(key string, secs int64) {
	r.db.mu.Lock()
	defer r.db.mu.Unlock()
	if e, ok := r.db.ks.Get(r.s.DB, []byte(key)); ok {
		atomic.StoreUint32(&e.Access, uint32(time.Now().Unix()-secs))
	}
}

func mustOK(t *testing.T, v any) {
	t.Helper()
	if v != (SimpleVal("OK")) {
		t.Fatalf("want OK, got %v", v)
	}
}

// survivors counts the keys of prefix p among n that exist.
func (r *evictionRun) survivors(p string, from, to int) int {
	n := 0
	for i := from; i < to; i++ {
		if do(r.db, r.s, "EXISTS", fmt.Sprintf("%s%d", p, i)) == int64(1) {
			n++
		}
	}
	return n
}

// TestEvictionPolicies writes 24 MiB of keys into 2 MiB of room under each
// policy: no write is refused, keys are evicted and the memory counted
// ends within the limit; the
// volatile policies leave the keys without a TTL alone; LRU and LFU keep
// the keys read all along, which random eviction does not; volatile-ttl
// evicts the keys expiring soonest; and the evictions are logged, so a
// restart finds the same keys.
func TestEvictionPolicies(t *testing.T) {
	for _, policy := range []EvictionPolicy{AllKeysLRU, VolatileLRU, AllKeysLFU, VolatileLFU, AllKeysRandom, VolatileRandom, VolatileTTL} {
		t.Run(policy.String(), func(t *testing.T) {
			r := runEviction(t, policy)
			db := r.db
			// A command evicts what the last write added past the limit,
			// or starts the background eviction, which then finishes.
			do(db, r.s, "PING")
			for deadline := time.Now().Add(10 * time.Second); db.evict.running.Load(); time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the background eviction still runs after 10 s")
				}
			}
			evicted := db.stats.EvictedKeys.Load()
			// The count the writes kept is the data's memory now.
			if kept, now := db.mem.data.Load(), db.DataMemory(); kept != now {
				t.Errorf("the writes counted %d bytes of data, counted afresh %d", kept, now)
			}
			excess := db.DataMemory() - db.mem.max.Load()
			size := do(db, r.s, "DBSIZE").(int64)
			t.Logf("%s: %d keys evicted, %d left, memory counted %+d bytes from the limit", policy, evicted, size, excess)
			if evicted < int64(r.written)/4 {
				t.Errorf("%d keys evicted of %d written into %d MiB of room", evicted, r.written, evictionRoom>>20)
			}
			if excess > 0 {
				t.Errorf("memory counted %d bytes above the limit after eviction", excess)
			}
			if want := int64(r.fixed + r.hot + r.written); size+evicted != want {
				t.Errorf("DBSIZE %d + evicted %d = %d, want the %d keys written", size, evicted, size+evicted, want)
			}
			fixed := r.survivors("p", 0, r.fixed)
			if !policy.allKeys() && fixed != r.fixed {
				t.Errorf("%s evicted %d keys without a TTL", policy, r.fixed-fixed)
			}
			hot := r.survivors("h", 0, r.hot)
			cold := r.survivors("c", 0, r.written)
			coldShare := float64(cold) / float64(r.written)
			switch policy {
			case AllKeysLRU, VolatileLRU, AllKeysLFU, VolatileLFU:
				// Approximately: a pass evicts the best of the keys
				// sampled, which are sometimes hot keys only.
				if share := float64(hot) / float64(r.hot); share < 0.75 || share < 4*coldShare {
					t.Errorf("%s kept %d of %d keys read all along (cold keys: %.0f%% kept)", policy, hot, r.hot, 100*coldShare)
				}
			case VolatileTTL:
				// The earliest-expiring half is evicted first.
				early, late := r.survivors("c", 0, r.written/2), r.survivors("c", r.written/2, r.written)
				if early*4 > late {
					t.Errorf("volatile-ttl kept %d of the earlier-expiring half and %d of the later", early, late)
				}
			}
			if policy == AllKeysRandom || policy == VolatileRandom {
				// At random, the hot keys go as often as the others.
				if share := float64(hot) / float64(r.hot); share > coldShare+0.3 {
					t.Errorf("%s kept %.0f%% of the hot keys and %.0f%% of the cold", policy, 100*share, 100*coldShare)
				}
			}
			// The evictions are in the log: a restart finds the same keys.
			digest := do(db, r.s, "DEBUG", "DIGEST")
			db2 := reopen(t, db, r.dir)
			s2 := db2.NewSession()
			if got := do(db2, s2, "DBSIZE"); got != size {
				t.Errorf("after a restart DBSIZE %v, want %d", got, size)
			}
			if got := do(db2, s2, "DEBUG", "DIGEST"); got != digest {
				t.Errorf("after a restart DEBUG DIGEST %v, want %v", got, digest)
			}
		})
	}
}

// TestEvictionVolatileWithoutCandidates: a volatile policy with no key
// to evict refuses writes (OOM) and evicts nothing.
func TestEvictionVolatileWithoutCandidates(t *testing.T) {
	db := newTestDB(t)
	s := db.NewSession()
	for i := range 1000 {
		mustOK(t, do(db, s, "SET", fmt.Sprintf("p%d", i), "v"))
	}
	db.SetEviction(EvictionConfig{Policy: VolatileLRU, Samples: 5, Tenacity: 10, LFULogFactor: 10, LFUDecayTime: 1})
	db.SetMaxMemory(1)
	if got := do(db, s, "SET", "k", "v"); got != ErrorVal(oomError) {
		t.Fatalf("SET over maxmemory with nothing to evict: %v", got)
	}
	if got := do(db, s, "DBSIZE"); got != int64(1000) {
		t.Fatalf("DBSIZE %v", got)
	}
	if n := db.stats.EvictedKeys.Load(); n != 0 {
		t.Fatalf("%d keys evicted", n)
	}
}

// TestLFUCounter: Redis's logarithmic counter and its decay.
func TestLFUCounter(t *testing.T) {
	now := uint32(1_000_000)
	at := lfuInit(now)
	if got := lfuDecrAndReturn(at, now, 1); got != lfuInitVal {
		t.Fatalf("a new key's counter: %d", got)
	}
	// With factor 10, from 5 the first increment is certain, the next
	// one has probability 1/11.
	if got := lfuLogIncr(5, 10, 0.999); got != 6 {
		t.Fatalf("incr from 5: %d", got)
	}
	if got := lfuLogIncr(6, 10, 1.0/11+0.001); got != 6 {
		t.Fatalf("incr from 6 at r above 1/11: %d", got)
	}
	if got := lfuLogIncr(6, 10, 1.0/11-0.001); got != 7 {
		t.Fatalf("incr from 6 at r below 1/11: %d", got)
	}
	if got := lfuLogIncr(255, 0, 0); got != 255 {
		t.Fatalf("saturated: %d", got)
	}
	// Decay: one per lfu-decay-time minutes elapsed, to 0; none at 0.
	at = (now&0xffff)<<8 | 20
	for _, c := range []struct {
		later, decay int
		want         uint32
	}{{0, 1, 20}, {5, 1, 15}, {5, 2, 18}, {30, 1, 0}, {30, 0, 20}} {
		if got := lfuDecrAndReturn(at, now+uint32(c.later), c.decay); got != c.want {
			t.Errorf("%d minutes later, decay %d: %d, want %d", c.later, c.decay, got, c.want)
		}
	}
	// The 16-bit minutes wrap; Redis counts 65535-ldt+now minutes then.
	at = 65530<<8 | 20
	if got := lfuDecrAndReturn(at, 65536+3, 1); got != 12 {
		t.Errorf("across the wrap: %d, want 12", got)
	}
	// Access 0 (not accessed since a restart) reads as a new key.
	if got := lfuDecrAndReturn(0, now, 1); got != lfuInitVal {
		t.Errorf("Access 0: %d", got)
	}
}

// TestEvictionPool: the pool keeps the 16 best candidates in ascending
// order, dropping the lowest.
func TestEvictionPool(t *testing.T) {
	var ev evictState
	for _, s := range []uint64{5, 1, 9, 3, 7, 20, 11, 2, 15, 8, 4, 6, 13, 12, 14, 10, 30, 0, 16} {
		ev.consider(poolEntry{s, fmt.Sprint(s), 0})
	}
	var got []uint64
	for _, p := range ev.pool {
		got = append(got, p.score)
	}
	want := []uint64{5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 30}
	// 19 offered: the 16 highest kept (3, 4, 5... and 0, 1, 2 dropped).
	want = append([]uint64{3, 4}, want...)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pool %v, want %v", got, want)
	}
}
