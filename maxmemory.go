package keel

import (
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"

	"github.com/keeldb/keel/internal/offheap"
)

// maxmemory under the noeviction policy, the only one keel has: while the
// memory in use is above the limit, Exec refuses with Redis's OOM error
// every command flagged denyoom (SET, LPUSH, HSET, ...), an EXEC whose
// transaction queued one, and anything but EXEC, DISCARD, QUIT and RESET
// inside MULTI, as Redis 7.0's processCommand does. Reads, deletes and
// administration still run, so that memory can be given back.
//
// The memory in use is INFO's used_memory: the Go heap's live objects as
// the last collection marked them, plus what lives off the heap (the
// keyspace's slots, the write buffers: internal/offheap). The heap's
// allocated bytes would count the garbage not yet collected, which at
// GOGC 50 runs up to half the live heap and comes and goes with each
// collection. Values on disk do not count; the block cache does, while
// its blocks are in memory. Reading the metrics costs about a
// microsecond, so they are sampled: every memSampleEvery (which also
// keeps INFO's used_memory_peak), and at once when a limit is set. A
// limit is enforced at most that late, or a collection late for the
// heap's share (Redis measures before every command). Memory a delete gives back shows only after a collection, and
// a server refusing writes allocates little, so over the limit the
// sampler runs one itself, at most every memCollectEvery.
type memLimit struct {
	max  atomic.Int64 // maxmemory in bytes; 0: none
	used atomic.Int64 // the last sample
	peak atomic.Int64 // the largest sample (INFO's used_memory_peak)
	wake chan struct{}
}

const (
	memSampleEvery  = 100 * time.Millisecond
	memCollectEvery = time.Second
)

// oomError is Redis's shared.oomerr.
const oomError = "OOM command not allowed when used memory > 'maxmemory'."

// SetMaxMemory sets maxmemory (bytes; 0: no limit) and samples the memory
// in use, so that the new limit applies to the next command.
func (db *DB) SetMaxMemory(n int64) {
	db.mem.max.Store(n)
	db.sampleMemory()
	select {
	case db.mem.wake <- struct{}{}:
	default:
	}
}

// UsedMemory is the memory in use as maxmemory counts it (INFO's
// used_memory), read now.
func (db *DB) UsedMemory() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64()) + offheap.InUse()
}

// sampleMemory records the memory in use, and its peak, and returns it.
func (db *DB) sampleMemory() int64 {
	n := db.UsedMemory()
	db.mem.used.Store(n)
	for p := db.mem.peak.Load(); n > p && !db.mem.peak.CompareAndSwap(p, n); p = db.mem.peak.Load() {
	}
	return n
}

// PeakMemory is the largest memory in use sampled (every memSampleEvery,
// and by UsedMemorySample).
func (db *DB) PeakMemory() int64 { return db.mem.peak.Load() }

// UsedMemorySample is UsedMemory, counted towards the peak.
func (db *DB) UsedMemorySample() int64 { return db.sampleMemory() }

// overMemory reports whether the last sample is above maxmemory.
func (db *DB) overMemory() bool {
	max := db.mem.max.Load()
	return max > 0 && db.mem.used.Load() > max
}

// memLoop samples the memory in use.
func (db *DB) memLoop() {
	defer db.bg.Done()
	t := time.NewTicker(memSampleEvery)
	defer t.Stop()
	var collected time.Time
	for {
		select {
		case <-db.closing:
			return
		case <-db.mem.wake:
		case <-t.C:
			db.sampleMemory() // the peak, with or without a limit
			if db.overMemory() && time.Since(collected) >= memCollectEvery {
				runtime.GC()
				collected = time.Now()
				db.sampleMemory()
			}
		}
	}
}

// rejectOOM reports whether cmd must be refused for memory, Redis's
// reject_cmd_on_oom: a denyoom command, an EXEC of a transaction that
// queued one, or any command inside MULTI but EXEC, DISCARD, QUIT, RESET.
func (db *DB) rejectOOM(s *Session, cmd *Command) bool {
	if !db.overMemory() {
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
