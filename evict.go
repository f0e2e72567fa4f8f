package keel

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/keeldb/keel/memtables"
)

// Eviction: maxmemory-policy, as Redis 7.0's evict.c.
//
// Before each command, while the data's memory (what maxmemory counts:
// see maxmemory.go) is above the limit, a policy other than noeviction
// deletes keys until it is not (performEvictions): the key idle longest
// (the LRU policies), used least often (LFU), expiring soonest
// (volatile-ttl), or one at random, from all keys or only those with an
// expiry (volatile-*). Like Redis it chooses from a pool of the 16 best
// candidates, refilled with maxmemory-samples keys sampled from every
// database, so that the choice approximates the true LRU or LFU key. Each
// pass is one WAL record of deletes: an evicted key stays evicted after a
// restart, and a replay reproduces the pass exactly. A key evicted
// signals "evicted" (keyspace events), its watchers and its trackers, and
// counts in INFO's evicted_keys. A pass stops after a time set by
// maxmemory-eviction-tenacity (500 µs at the default 10) and leaves the
// rest to memLoop, which evicts in the background until the data is
// under the limit (Redis's evictionTimeProc); a command is refused with
// OOM only when nothing is left to evict (a volatile policy and no key
// with an expiry).

// EvictionPolicy is maxmemory-policy.
type EvictionPolicy uint32

const (
	NoEviction EvictionPolicy = iota
	AllKeysLRU
	VolatileLRU
	AllKeysLFU
	VolatileLFU
	AllKeysRandom
	VolatileRandom
	VolatileTTL
)

// EvictionPolicies are the policies' names, by value: maxmemory-policy's
// values.
var EvictionPolicies = [...]string{"noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu", "allkeys-random", "volatile-random", "volatile-ttl"}

func (p EvictionPolicy) String() string { return EvictionPolicies[p] }

// ParseEvictionPolicy returns the policy named s (lower case).
func ParseEvictionPolicy(s string) (EvictionPolicy, bool) {
	for i, n := range EvictionPolicies {
		if n == s {
			return EvictionPolicy(i), true
		}
	}
	return NoEviction, false
}

func (p EvictionPolicy) lfu() bool { return p == AllKeysLFU || p == VolatileLFU }
func (p EvictionPolicy) allKeys() bool {
	return p == AllKeysLRU || p == AllKeysLFU || p == AllKeysRandom
}

// EvictionConfig is the eviction's settings (redis.conf's names).
type EvictionConfig struct {
	Policy       EvictionPolicy // maxmemory-policy
	Samples      int            // maxmemory-samples
	Tenacity     int            // maxmemory-eviction-tenacity, 0..100
	LFULogFactor int            // lfu-log-factor
	LFUDecayTime int            // lfu-decay-time, minutes
}

// SetEviction sets the eviction's settings; the next command over the
// limit uses them.
func (db *DB) SetEviction(c EvictionConfig) {
	db.evict.cfg.Store(&c)
	db.evict.policy.Store(uint32(c.Policy))
}

func (db *DB) evictConfig() *EvictionConfig {
	if c := db.evict.cfg.Load(); c != nil {
		return c
	}
	return &defaultEviction
}

var defaultEviction = EvictionConfig{Policy: NoEviction, Samples: 5, Tenacity: 10, LFULogFactor: 10, LFUDecayTime: 1}

// policy is maxmemory-policy now.
func (db *DB) policy() EvictionPolicy { return EvictionPolicy(db.evict.policy.Load()) }

// evictState is the eviction's state.
type evictState struct {
	cfg    atomic.Pointer[EvictionConfig]
	policy atomic.Uint32 // cfg's Policy, read on every access (touch)

	// Under db.mu, exclusively.
	pool   [evictPoolSize]poolEntry
	nextDB int
	sess   Session // the evicting pseudo-client

	// running: a pass stopped at its time limit and memLoop goes on.
	running atomic.Bool
	// exceededSince is when the memory went over the limit with eviction
	// not done (unix ns; 0: it is not), and exceededTotal the time it
	// was over before (ns): INFO's current_ and
	// total_eviction_exceeded_time.
	exceededSince, exceededTotal atomic.Int64
}

const evictPoolSize = 16

// poolEntry is a candidate for eviction (Redis's evictionPoolEntry):
// score is its idle time, inverse frequency or inverse expiry, higher is
// evicted first; key "" is an empty place.
type poolEntry struct {
	score uint64
	key   string
	db    int
}

// The results of performEvictions, Redis's.
const (
	evictOK      = iota // under the limit, or eviction not possible now
	evictRunning        // over the limit, and memLoop is evicting
	evictFail           // over the limit, and nothing to evict
)

// evictTimeLimit is a pass's time limit at tenacity t (Redis's
// evictionTimeLimitUs): linear to 500 µs at 10, then 15% more per step,
// none at 100.
func evictTimeLimit(t int) time.Duration {
	switch {
	case t <= 10:
		return time.Duration(50*t) * time.Microsecond
	case t < 100:
		return time.Duration(500*math.Pow(1.15, float64(t-10))) * time.Microsecond
	}
	return time.Duration(math.MaxInt64)
}

// performEvictions evicts keys while the memory is over maxmemory, for at
// most a pass's time limit (Redis's performEvictions). caller is the
// session whose command is about to run (nil: the background's): the
// "evicted" events it is subscribed to reach it before its reply, as
// Redis writes them into its buffer before it runs the command.
func (db *DB) performEvictions(caller *Session) int {
	if db.mem.max.Load() == 0 {
		return evictOK
	}
	if db.Err() != nil || db.pausing() != PauseNone {
		// As Redis while paused: the data set holds still, evictions
		// included.
		return evictOK
	}
	excess := db.memExcess()
	if excess <= 0 {
		db.evictMetrics(evictOK)
		return evictOK
	}
	cfg := db.evictConfig()
	if cfg.Policy == NoEviction {
		db.evictMetrics(evictFail)
		return evictFail
	}
	limit := evictTimeLimit(cfg.Tenacity)
	start := time.Now()
	result := evictOK
	db.mu.Lock()
	s := &db.evict.sess
	s.Ext = nil
	if caller != nil {
		s.Ext = caller.Ext // the publisher the server's delivery knows
	}
	c := Ctx{DB: db, S: s, Now: start.UnixMilli(), Cmd: evictCmd, w: db.newBatch()}
	// Each delete's effect shows at once (noteWrite).
	for keys := 1; db.memExcess() > 0; keys++ {
		dbi, key, e, ok := db.evictCandidate(cfg, c.Now)
		if !ok {
			result = evictFail
			break
		}
		s.DB = dbi
		t := time.Now()
		kb := []byte(key)
		c.byServer = true
		c.deleteKey(dbi, kb, e)
		c.byServer = false
		db.LatencySample("eviction-del", time.Since(t).Milliseconds())
		db.stats.EvictedKeys.Add(1)
		c.notifyIn(dbi, NotifyEvicted, "evicted", kb)
		if keys%16 == 0 && time.Since(start) > limit {
			result = evictRunning
			break
		}
	}
	db.commit(&c)
	db.mu.Unlock()
	db.LatencySample("eviction-cycle", time.Since(start).Milliseconds())
	if result == evictRunning {
		db.evict.running.Store(true)
		db.wakeMemLoop()
	}
	if result == evictOK && db.evict.running.Load() {
		result = evictRunning
	}
	db.evictMetrics(result)
	return result
}

// evictMetrics keeps the time over the limit (Redis's update_metrics).
func (db *DB) evictMetrics(result int) {
	ev := &db.evict
	if result != evictOK {
		ev.exceededSince.CompareAndSwap(0, time.Now().UnixNano())
		return
	}
	if since := ev.exceededSince.Swap(0); since != 0 {
		ev.exceededTotal.Add(time.Now().UnixNano() - since)
	}
}

// EvictionExceededTime is INFO's total_eviction_exceeded_time and
// current_eviction_exceeded_time.
func (db *DB) EvictionExceededTime() (total, current time.Duration) {
	total = time.Duration(db.evict.exceededTotal.Load())
	if since := db.evict.exceededSince.Load(); since != 0 {
		current = time.Duration(time.Now().UnixNano() - since)
	}
	return total, current
}

// evictCmd names the pseudo-command that evicts.
var evictCmd = &Command{Name: "eviction"}

// evictCandidate picks the key to evict next under cfg's policy (Redis's
// choice of bestkey): false when there is none. Caller holds db.mu
// exclusively.
func (db *DB) evictCandidate(cfg *EvictionConfig, now int64) (int, string, *memtables.Entry, bool) {
	ev := &db.evict
	volatile := !cfg.Policy.allKeys()
	n := db.ks.Databases()
	if cfg.Policy == AllKeysRandom || cfg.Policy == VolatileRandom {
		for range n {
			ev.nextDB = (ev.nextDB + 1) % n
			var key string
			var e *memtables.Entry
			db.ks.SampleKeys(ev.nextDB, 1, volatile, func(k string, en *memtables.Entry) { key, e = k, en })
			if e != nil {
				return ev.nextDB, key, e, true
			}
		}
		return 0, "", nil, false
	}
	for {
		total := 0
		for dbi := range n {
			m := db.ks.Len(dbi)
			if volatile {
				m = db.ks.ExpiresCount(dbi)
			}
			if m == 0 {
				continue
			}
			total += m
			db.ks.SampleKeys(dbi, cfg.Samples, volatile, func(k string, e *memtables.Entry) {
				ev.consider(poolEntry{db.evictScore(cfg, e, now), k, dbi})
			})
		}
		if total == 0 {
			return 0, "", nil, false
		}
		for k := evictPoolSize - 1; k >= 0; k-- {
			p := ev.pool[k]
			if p.key == "" {
				continue
			}
			ev.pool[k] = poolEntry{}
			// A candidate may have gone since it was sampled (a ghost).
			if e, ok := db.ks.Get(p.db, []byte(p.key)); ok && (!volatile || e.ExpireAt != 0) {
				return p.db, p.key, e, true
			}
		}
	}
}

// evictScore is a key's claim to eviction under the policy: its idle
// milliseconds (LRU), 255 less its frequency (LFU), or how soon it expires
// (volatile-ttl).
func (db *DB) evictScore(cfg *EvictionConfig, e *memtables.Entry, now int64) uint64 {
	at := atomic.LoadUint32(&e.Access)
	switch cfg.Policy {
	case AllKeysLFU, VolatileLFU:
		return 255 - uint64(lfuDecrAndReturn(at, uint32(now/60000), cfg.LFUDecayTime))
	case VolatileTTL:
		return math.MaxUint64 - uint64(e.ExpireAt)
	}
	clock := uint32(now / 1000)
	if at == 0 || at > clock { // 0: not accessed since the restart
		return uint64(clock) * 1000
	}
	return uint64(clock-at) * 1000
}

// consider puts e in the pool if it is a better candidate than one there
// (Redis's evictionPoolPopulate): ascending by score, the lowest dropped
// when full.
func (ev *evictState) consider(e poolEntry) {
	pool := &ev.pool
	k := 0
	for k < evictPoolSize && pool[k].key != "" && pool[k].score < e.score {
		k++
	}
	switch {
	case k == 0 && pool[evictPoolSize-1].key != "":
		return // worse than every candidate, and no room
	case k < evictPoolSize && pool[k].key == "":
		// an empty place
	case pool[evictPoolSize-1].key == "":
		copy(pool[k+1:], pool[k:evictPoolSize-1]) // room on the right
	default:
		k-- // full: drop the lowest
		copy(pool[:k], pool[1:k+1])
	}
	pool[k] = e
}

// evictInBackground goes on evicting after a pass stopped at its time
// limit, pass after pass, until the memory is under the limit or nothing
// is left (Redis's evictionTimeProc). Called by memLoop.
func (db *DB) evictInBackground() {
	for db.evict.running.Load() {
		select {
		case <-db.closing:
			return
		default:
		}
		db.evict.running.Store(false)
		r := db.performEvictions(nil)
		db.TrackingDrain(nil) // the evicted keys' invalidations
		if r != evictRunning {
			return
		}
		db.evict.running.Store(true)
		time.Sleep(time.Millisecond) // let commands in between passes
	}
}

// ---- LFU: Redis's logarithmic access counter ----
//
// Under an LFU policy a key's Access holds, as Redis's 24-bit lru field
// does, the minutes of its last decrement (16 bits) above an 8-bit
// logarithmic counter. A new key starts at lfuInitVal; each access first
// decrements it by the lfu-decay-time periods elapsed, then increments it
// with probability 1/((counter-lfuInitVal)·lfu-log-factor + 1). Access 0
// (a key not accessed since a restart: Access is not persisted) reads as
// a new key's.

const lfuInitVal = 5

// lfuInit is a new key's Access under an LFU policy.
func lfuInit(nowMin uint32) uint32 { return (nowMin&0xffff)<<8 | lfuInitVal }

// lfuDecrAndReturn is the counter of Access at, decayed to nowMin
// (Redis's LFUDecrAndReturn).
func lfuDecrAndReturn(at, nowMin uint32, decayTime int) uint32 {
	if at == 0 {
		return lfuInitVal
	}
	ldt, counter := at>>8&0xffff, at&0xff
	if decayTime <= 0 {
		return counter
	}
	now := nowMin & 0xffff
	elapsed := now - ldt
	if now < ldt {
		elapsed = 65535 - ldt + now
	}
	periods := elapsed / uint32(decayTime)
	if periods >= counter {
		return 0
	}
	return counter - periods
}

// lfuLogIncr increments counter with the probability above (Redis's
// LFULogIncr); r is uniform in [0, 1).
func lfuLogIncr(counter uint32, logFactor int, r float64) uint32 {
	if counter == 255 {
		return 255
	}
	base := float64(counter) - lfuInitVal
	if base < 0 {
		base = 0
	}
	if r < 1/(base*float64(logFactor)+1) {
		counter++
	}
	return counter
}

// touchAccess records an access of e (Redis's lookupKey without
// LOOKUP_NOTOUCH): the LRU clock, or under an LFU policy the decayed and
// incremented counter. Concurrent readers may touch e at once (under
// db.mu shared): Access is written atomically, and an LFU increment one of
// them loses is an access not counted, which the counter's approximation
// absorbs.
func (db *DB) touchAccess(e *memtables.Entry, nowMs int64) {
	if !db.policy().lfu() {
		atomic.StoreUint32(&e.Access, uint32(nowMs/1000))
		return
	}
	cfg := db.evictConfig()
	nowMin := uint32(nowMs / 60000)
	c := lfuDecrAndReturn(atomic.LoadUint32(&e.Access), nowMin, cfg.LFUDecayTime)
	c = lfuLogIncr(c, cfg.LFULogFactor, rand.Float64())
	atomic.StoreUint32(&e.Access, (nowMin&0xffff)<<8|c)
}

// newAccess is a new key's Access: the LRU clock, or under an LFU policy
// the initial counter.
func (db *DB) newAccess() uint32 {
	if db.policy().lfu() {
		return lfuInit(uint32(time.Now().Unix() / 60))
	}
	return db.lruClock()
}

// objectFreq is OBJECT FREQ of Access at: the decayed counter.
func (db *DB) objectFreq(at uint32) int64 {
	return int64(lfuDecrAndReturn(at, uint32(time.Now().Unix()/60), db.evictConfig().LFUDecayTime))
}
