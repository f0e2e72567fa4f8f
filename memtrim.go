package keel

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Returning memory to the OS after a burst. Go keeps the heap pages freed
// by a collection until its scavenger releases them, and it releases only
// down to the heap goal — live heap × (1 + GOGC/100) — so after a large
// load the process keeps the peak's pages: RSS reads about 1.5× the data
// (GOGC 50). Redis's allocator purges its dirty pages in the background;
// trimLoop does the same once keel is idle: when no command ran and no
// record was written for trimIdle, and a trim may give back at least
// trimMinBytes and an eighth of the heap (worthTrimming), it runs
// debug.FreeOSMemory (a collection plus a full scavenge), at most every
// trimEvery. The scavenge holds the heap
// while it runs (milliseconds per hundred MB), so a command arriving then
// waits: hence only after a quiet spell, never under load.

const (
	trimMinBytes = 4 << 20
	trimEvery    = 10 * time.Second
	trimIdle     = 3 * time.Second
)

func (db *DB) trimLoop() {
	defer db.bg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/free:bytes"},    // freed, not released
		{Name: "/memory/classes/heap/objects:bytes"}, // live and not yet swept
		{Name: "/gc/heap/live:bytes"},                // marked live by the last collection
	}
	lastLSN := uint64(db.log.LastLSN())
	lastCmds := db.TotalCalls()
	lastWrite := time.Now()
	var lastTrim time.Time
	for {
		select {
		case <-db.closing:
			return
		case <-t.C:
		}
		// Busy is any command, reads included: a read-only load (HGET,
		// LRANGE) stalled behind the scavenge as much as a write does.
		if lsn, cmds := uint64(db.log.LastLSN()), db.TotalCalls(); lsn != lastLSN || cmds != lastCmds {
			lastLSN, lastCmds, lastWrite = lsn, cmds, time.Now()
		}
		if time.Since(lastWrite) < trimIdle || time.Since(lastTrim) < trimEvery {
			continue
		}
		metrics.Read(samples)
		if worthTrimming(samples[0].Value.Uint64(), samples[1].Value.Uint64(), samples[2].Value.Uint64()) {
			debug.FreeOSMemory()
			lastTrim = time.Now()
		}
	}
}

// worthTrimming reports whether a trim may give back at least
// trimMinBytes and an eighth of the heap's objects: the pages already
// free, plus the objects beyond the bytes the last collection marked
// live (marked), which may be garbage (a load's request buffers).
// Counting only the free pages, a load that ended between two
// collections kept its garbage and the headroom above it: 1M sorted set
// members read 131 bytes each after it, 110 when a collection had
// happened to run near its end.
func worthTrimming(free, objects, marked uint64) bool {
	gain := free + objects - min(marked, objects)
	return gain >= trimMinBytes && gain >= objects/8
}
