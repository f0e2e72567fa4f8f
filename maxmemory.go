package keel

import (
	"runtime/metrics"
	"sync/atomic"
	"time"

	"github.com/keeldb/keel/internal/offheap"
)

// maxmemory: while the memory counted is above the limit, a policy other
// than noeviction evicts keys before each command (evict.go); under
// noeviction, or when nothing is left to evict, Exec refuses with Redis's
// OOM error every command flagged denyoom (SET, LPUSH, HSET, ...), an
// EXEC whose transaction queued one, and anything but EXEC, DISCARD, QUIT
// and RESET inside MULTI, as Redis 7.0's processCommand does. Reads,
// deletes and administration still run, so that memory can be given back.
//
// What maxmemory counts, keel's difference from Redis: the memory of the
// data in RAM, which evicting gives back — the keyspace's tables
// (memtables.Keyspace.Bytes: every key's entry, wherever its value lives)
// and the values of lists, sets and sorted sets (memtables.Values.Bytes)
// — kept by every write, so that the figure is current at every command
// as Redis's allocator count is. Values on disk (strings, hashes,
// streams) count by their keyspace entries: keel holds more keys than
// Redis under the same limit. What their own settings bound and no
// eviction shrinks does not count: the block cache, the write buffers,
// the WAL's buffers, clients' buffers, and the Go runtime's own memory
// (INFO's mem_not_counted_for_evict is used_memory less the data; Redis
// leaves out its AOF and replication buffers for the same reason).
//
// Why not the Go heap, which INFO's used_memory reports (the live objects
// as the last collection marked them, plus the off-heap blocks): the
// collector sees what a delete freed only after a cycle that started
// after it, so an eviction checked against the heap saw no effect and
// went on evicting, the whole dataset at worst.
type memLimit struct {
	max atomic.Int64 // maxmemory in bytes; 0: none
	// data is the data's memory (dataMemory) as of the last write, kept
	// by apply while max > 0.
	data atomic.Int64
	peak atomic.Int64 // the largest sample of used_memory (INFO's used_memory_peak)
	wake chan struct{}
}

// memSampleEvery is how often memLoop samples used_memory for its peak.
const memSampleEvery = 100 * time.Millisecond

// oomError is Redis's shared.oomerr.
const oomError = "OOM command not allowed when used memory > 'maxmemory'."

// SetMaxMemory sets maxmemory (bytes; 0: no limit); the next command is
// checked against it. As Redis's CONFIG SET maxmemory, eviction starts at
// once in the background when the data is over the new limit.
func (db *DB) SetMaxMemory(n int64) {
	db.mu.Lock()
	db.mem.max.Store(n)
	db.ks.RecountAll() // writes recount only while there is a limit
	db.mem.data.Store(db.countedData())
	db.mu.Unlock()
	db.sampleMemory()
	if n > 0 {
		db.evict.running.Store(true)
	}
	db.wakeMemLoop()
}

func (db *DB) wakeMemLoop() {
	select {
	case db.mem.wake <- struct{}{}:
	default:
	}
}

// countedData is the memory maxmemory counts, the keyspace's and the
// in-memory values', as the writes keep it (noteWrite). The caller holds
// db.mu.
func (db *DB) countedData() int64 { return db.ks.Counted() + db.valuesBytes() }

// valuesBytes is the memory of the lists', sets' and sorted sets' keys and
// values, as their engines keep it.
func (db *DB) valuesBytes() int64 { return db.lists.Bytes() + db.sets.Bytes() + db.zsets.Bytes() }

// noteWrite settles the value engine op wrote to and, under a limit,
// recounts the keyspace's database it changed and records the data's
// memory after it: eviction sees each delete's effect at once. Called by
// apply, db.mu held exclusively.
func (db *DB) noteWrite(o *op) {
	eng := o.code.engine()
	switch eng {
	case engLists:
		db.lists.Settle()
	case engSets:
		db.sets.Settle()
	case engZSets:
		db.zsets.Settle()
	}
	if db.mem.max.Load() == 0 {
		return
	}
	if eng == engKeyspace && o.code != opKSwapDB {
		db.ks.Recount(o.db)
	}
	db.mem.data.Store(db.countedData())
}

// DataMemory is the memory maxmemory counts, read now.
func (db *DB) DataMemory() int64 {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.ks.Bytes() + db.valuesBytes()
}

// UsedMemory is the memory in use (INFO's used_memory), read now.
func (db *DB) UsedMemory() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64()) + offheap.InUse()
}

// MemNotCounted is the memory in use that maxmemory does not count
// (INFO's mem_not_counted_for_evict): used_memory less the data's.
func (db *DB) MemNotCounted() int64 {
	return max(0, db.UsedMemory()-db.DataMemory())
}

// sampleMemory records used_memory's peak and returns it.
func (db *DB) sampleMemory() int64 {
	n := db.UsedMemory()
	for p := db.mem.peak.Load(); n > p && !db.mem.peak.CompareAndSwap(p, n); p = db.mem.peak.Load() {
	}
	return n
}

// PeakMemory is the largest memory in use sampled (every memSampleEvery,
// and by UsedMemorySample).
func (db *DB) PeakMemory() int64 { return db.mem.peak.Load() }

// UsedMemorySample is UsedMemory, counted towards the peak.
func (db *DB) UsedMemorySample() int64 { return db.sampleMemory() }

// overMemory reports whether the data is above maxmemory.
func (db *DB) overMemory() bool { return db.memExcess() > 0 }

// memExcess is how far the data is above maxmemory (<= 0: not above;
// none without a limit).
func (db *DB) memExcess() int64 {
	max := db.mem.max.Load()
	if max == 0 {
		return 0
	}
	return db.mem.data.Load() - max
}

// memLoop samples used_memory for its peak, and goes on evicting after a
// pass stopped at its time limit.
func (db *DB) memLoop() {
	defer db.bg.Done()
	t := time.NewTicker(memSampleEvery)
	defer t.Stop()
	for {
		select {
		case <-db.closing:
			return
		case <-db.mem.wake:
		case <-t.C:
			db.sampleMemory()
		}
		db.evictInBackground()
	}
}

// rejectOOM evicts while the memory is over maxmemory (performEvictions)
// and reports whether cmd must then be refused for memory, Redis's
// reject_cmd_on_oom: nothing was left to evict, and cmd is a denyoom
// command, an EXEC of a transaction that queued one, or any command
// inside MULTI but EXEC, DISCARD, QUIT, RESET.
func (db *DB) rejectOOM(s *Session, cmd *Command) bool {
	if !db.overMemory() {
		if db.evict.exceededSince.Load() != 0 {
			db.evictMetrics(evictOK)
		}
		return false
	}
	if db.performEvictions(s) != evictFail {
		return false
	}
	if cmd.Flags&FlagDenyOOM != 0 {
		return true
	}
	if s.multi == nil {
		return false
	}
	switch cmd.Name {
	case "exec":
		return s.multi.denyOOM
	case "discard", "quit", "reset":
		return false
	}
	return true
}
