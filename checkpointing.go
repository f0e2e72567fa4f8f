package keel

import (
	"fmt"
	"time"

	"github.com/keeldb/keel/segments"
	"github.com/keeldb/keel/wal"
)

// Checkpoint scheduling. Each engine checkpoints independently:
//
//   - strings (segments) flush their frozen buffer to a segment file and
//     commit (lsn, files) to the manifest on their own goroutine; they also
//     flush by themselves when their buffer is full;
//   - the keyspace writes a full image at the LSN current when it was taken.
//
// A checkpoint runs when the WAL grew by CheckpointWALBytes since the last
// one, when CheckpointInterval passed with writes in between, or on
// SAVE/BGSAVE. After it, the WAL is truncated below what every engine still
// needs (invariant 6).

// CheckpointInfo is what INFO persistence reports.
type CheckpointInfo struct {
	Engines    map[string]uint64 // engine -> checkpoint LSN
	FirstLSN   uint64
	LastLSN    uint64
	DurableLSN uint64
	WALBytes   int64
	InProgress bool
	LastSave   int64 // unix seconds
	LastErr    error
	Count      int64
}

// CheckpointInfo reports checkpoint and WAL positions.
func (db *DB) CheckpointInfo() CheckpointInfo {
	ci := CheckpointInfo{
		Engines:    map[string]uint64{},
		FirstLSN:   uint64(db.log.FirstLSN()),
		LastLSN:    uint64(db.log.LastLSN()),
		DurableLSN: uint64(db.log.DurableLSN()),
		WALBytes:   db.log.Size(),
		InProgress: db.ckptInFlight.Load(),
		LastSave:   db.lastSave.Load(),
		Count:      db.stats.Checkpoints.Load(),
	}
	for _, id := range memEngines {
		ci.Engines[engineNames[id]] = db.memCkpt[id].Load()
	}
	for _, d := range db.diskEngines() {
		ci.Engines[engineNames[d.id]] = d.store.CheckpointLSN()
	}
	if p := db.lastCkptErr.Load(); p != nil {
		ci.LastErr = *p
	}
	return ci
}

// LastSave is the unix time of the last successful checkpoint (LASTSAVE).
func (db *DB) LastSave() int64 { return db.lastSave.Load() }

// Save checkpoints every engine and truncates the WAL; it returns when done
// (SAVE). BGSAVE calls it on a goroutine.
func (db *DB) Save() error {
	db.ckptMu.Lock()
	defer db.ckptMu.Unlock()
	db.ckptInFlight.Store(true)
	return db.saveLocked()
}

// BGSave starts a checkpoint in the background; false if one is running.
func (db *DB) BGSave() bool {
	if !db.ckptInFlight.CompareAndSwap(false, true) {
		return false
	}
	db.bg.Add(1)
	go func() {
		defer db.bg.Done()
		db.ckptMu.Lock()
		defer db.ckptMu.Unlock()
		db.saveLocked()
	}()
	return true
}

// saveLocked runs a checkpoint and records its outcome for INFO and
// LASTSAVE. The caller holds ckptMu and has set ckptInFlight, which is
// cleared here: the flag stays set from BGSAVE's reservation to the end.
func (db *DB) saveLocked() error {
	defer db.ckptInFlight.Store(false)
	err := db.checkpointAll()
	if err != nil {
		db.lastCkptErr.Store(&err)
		db.opts.Logger.Error("keel: checkpoint failed", "err", err)
		return err
	}
	db.lastCkptErr.Store(nil)
	db.lastSave.Store(time.Now().Unix())
	db.stats.Checkpoints.Add(1)
	return nil
}

func (db *DB) checkpointAll() error {
	// One log line per checkpoint with the time each step took.
	var took []any
	step := func(name string, f func() error) error {
		t := time.Now()
		err := f()
		took = append(took, name, time.Since(t).Round(time.Millisecond).String())
		return err
	}
	for _, d := range db.diskEngines() {
		if err := step(engineNames[d.id], func() error { return db.checkpointSegments(d.store) }); err != nil {
			return fmt.Errorf("%s checkpoint: %w", engineNames[d.id], err)
		}
	}
	for _, id := range memEngines {
		if err := step(engineNames[id], func() error { return db.checkpointMem(id) }); err != nil {
			return fmt.Errorf("%s checkpoint: %w", engineNames[id], err)
		}
	}
	err := step("wal_truncate", db.truncateWAL)
	db.opts.Logger.Info("keel: checkpoint", took...)
	return err
}

// checkpointStrings checkpoints the strings engine (checkpointSegments).
func (db *DB) checkpointStrings() error { return db.checkpointSegments(db.strs) }

// checkpointSegments freezes an on-disk engine's buffer at the current
// LSN — under the write lock, because a freeze must fall on a record
// boundary — and waits, without the lock, until that LSN is committed.
func (db *DB) checkpointSegments(st *segments.Store) error {
	db.mu.Lock()
	target := uint64(db.log.LastLSN())
	st.MarkApplied(target)
	err := st.Flush(false)
	db.mu.Unlock()
	if err != nil {
		return err
	}
	for st.CheckpointLSN() < target {
		if err := st.Err(); err != nil {
			return err
		}
		select {
		case <-db.closing:
			return ErrClosed
		case <-time.After(2 * time.Millisecond):
		}
		// A buffer frozen earlier (automatic flush) may have been flushed
		// before ours; keep nudging until target is committed.
		db.mu.Lock()
		err := st.Flush(false)
		db.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// truncateWAL drops records every engine has checkpointed (invariant 6):
// the sealed WAL segments that hold nothing newer, deleted whole
// (wal.Log.DropSealedThrough). Appends continue meanwhile. tidwall's
// TruncateFront, used before, rewrote the segment holding the new first
// record and fsynced it while the log was held: every truncation step
// stalled every writer for 7-30 ms, the longest pause clients saw around a
// checkpoint. The records kept beyond what recovery needs are at most the
// active segment's and one sealed segment's worth.
func (db *DB) truncateWAL() error {
	keep := db.man.RetainFrom(engineNames[:])
	keep = min(keep, uint64(db.log.DurableLSN()), uint64(db.log.LastLSN()))
	if keep == 0 {
		return nil
	}
	// RetainFrom is the first LSN recovery needs: records < keep may go.
	_, err := db.log.DropSealedThrough(wal.LSN(keep - 1))
	return err
}

func (db *DB) checkpointLoop() {
	defer db.bg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	lastLSN := uint64(db.log.LastLSN())
	lastTime := time.Now()
	for {
		select {
		case <-db.closing:
			return
		case <-t.C:
		}
		grown := db.log.Size() - db.lastCkptSize.Load()
		cur := uint64(db.log.LastLSN())
		due := grown >= db.opts.CheckpointWALBytes ||
			(cur != lastLSN && time.Since(lastTime) >= db.opts.CheckpointInterval)
		if !due {
			continue
		}
		if db.Save() == nil {
			lastLSN, lastTime = cur, time.Now()
			db.lastCkptSize.Store(db.log.Size())
		}
	}
}

// expireLoop is the active expiry sweep: like Redis's activeExpireCycle it
// samples keys with a TTL and deletes the expired ones, logging each delete.
// Each tick it samples each database again while more than a tenth of
// its sample had expired (Redis's ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE),
// for at most a quarter of the tick (its ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC).
// A cap of 16 samples a tick, as before, swept 3,200 keys a second: 100k
// keys set with PX 1 were still 70k five seconds later (Redis: none after
// one), and every read of one paid its delete.
func (db *DB) expireLoop() {
	defer db.bg.Done()
	hz := db.opts.ActiveExpireHz
	if hz < 0 {
		hz = 10 // the sweep is off, but the clock still ticks
	}
	tick := time.Second / time.Duration(hz)
	t := time.NewTicker(tick)
	defer t.Stop()
	s := &Session{}
	ticks := 0
	for {
		select {
		case <-db.closing:
			return
		case now := <-t.C:
			db.clockSec.Store(uint32(now.Unix()))
		}
		if db.Err() != nil || !db.ActiveExpireEnabled() || db.opts.ActiveExpireHz < 0 || db.pausing() != PauseNone {
			continue // a CLIENT PAUSE holds expired keys (pause.go)
		}
		ticks++
		start := time.Now()
		sweep := expireParamsAt(db.tuning.ActiveExpireEffort.Load())
		db.expireCycle(s, ticks%db.opts.Databases, start.Add(tick*time.Duration(sweep.cyclePercent)/100), sweep)
		db.LatencySample("expire-cycle", time.Since(start).Milliseconds())
		db.TrackingDrain(nil) // the expired keys' invalidations
	}
}

// expireCycle is one tick of the sweep: each database from first on (the
// first one rotates, so that a database full of expired keys does not take
// every tick's time), sampled again while more than p.stalePercent of
// its sample had expired, until deadline.
func (db *DB) expireCycle(s *Session, first int, deadline time.Time, p expireParams) {
	for i := range db.opts.Databases {
		dbi := (first + i) % db.opts.Databases
		for time.Now().Before(deadline) {
			if db.expireSome(s, dbi, p.sample)*100 <= p.sample*p.stalePercent {
				break
			}
		}
	}
}

// expireParams are the active expiry's parameters.
type expireParams struct {
	sample       int // keys sampled at a time
	stalePercent int // sample again while more of the sample had expired
	cyclePercent int // of each tick, at most
}

// expireParamsAt are the parameters at active-expire-effort effort (1 to
// 10), Redis's activeExpireCycle's: 20 keys a sample, a tenth stale and a
// quarter of the tick at 1, and each step up a quarter more keys, one
// stale percent less and two percent of the tick more.
func expireParamsAt(effort int64) expireParams {
	e := int(min(max(effort, 1), 10)) - 1
	return expireParams{sample: 20 + 20/4*e, stalePercent: 10 - e, cyclePercent: 25 + 2*e}
}

// expireSome deletes the expired keys of a sample of n keys with a TTL in
// dbi, in one record, and returns how many it deleted.
func (db *DB) expireSome(s *Session, dbi, n int) int {
	db.mu.Lock()
	defer db.mu.Unlock()
	now := time.Now().UnixMilli()
	keys := db.ks.SampleExpired(dbi, now, n)
	if len(keys) == 0 {
		return 0
	}
	s.DB = dbi
	bkeys := make([][]byte, len(keys))
	for i, k := range keys {
		bkeys[i] = []byte(k)
	}
	return db.deleteExpiredLocked(s, now, bkeys, false)
}
